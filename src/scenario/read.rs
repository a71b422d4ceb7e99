//! Reading a scenario: from a file (bounded in size, UTF-8 checked) or a text, through
//! the overrides and validation, into a [`Scenario`]; and back into TOML. The only
//! place a scenario file is opened, so every caller gets the same limits and messages.

use super::{Override, Scenario, ScenarioError, Unused, one_line, unused};
use std::path::Path;

/// Longest scenario file read, in bytes: the largest shipped file is a few KiB, and a
/// file this size could only be a mistake (`loyalsim validate /dev/zero`).
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// A scenario read from its text, with the tree the user wrote (after `--set`) and the
/// settings in it that change nothing.
#[derive(Debug, Clone)]
pub struct Read {
    pub scenario: Scenario,
    /// The TOML as written, with the overrides applied and no defaults filled in.
    pub given: toml::Table,
    /// Fields given that the scenario does not use: errors, unless the file has a
    /// `[sweep]` whose points may use them.
    pub unused: Vec<Unused>,
    /// Fields of the file that the scenario does not use only because a `--set` of
    /// another field (a form, a switch) made them idle: warnings.
    pub idled: Vec<Unused>,
}

impl Scenario {
    /// Reads and validates a scenario file, applying overrides in order; a setting that
    /// changes nothing is an error (see [`Scenario::parse`]).
    pub fn load(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
        let text = read_text(path)?;
        Scenario::parse(&text, &path.display().to_string(), overrides)
    }

    /// Parses and validates scenario text. `source_name` names it in messages. A field
    /// given that the scenario does not use is an error, unless the file has a
    /// `[sweep]`, whose points may use it ([`Scenario::read`] lists them).
    pub fn parse(
        text: &str,
        source_name: &str,
        overrides: &[Override],
    ) -> Result<Scenario, ScenarioError> {
        let read = Scenario::read(text, source_name, overrides)?;
        if read.scenario.sweep.is_none()
            && let Some(u) = read.unused.first()
        {
            return Err(unused_error(u, source_name, overrides));
        }
        Ok(read.scenario)
    }

    /// Parses and validates scenario text, keeping the tree as written and listing the
    /// settings that change nothing instead of refusing them.
    pub fn read(
        text: &str,
        source_name: &str,
        overrides: &[Override],
    ) -> Result<Read, ScenarioError> {
        let mut given: toml::Table =
            text.parse()
                .map_err(|e: toml::de::Error| ScenarioError::Syntax {
                    source_name: source_name.to_string(),
                    message: one_line(&e.to_string()),
                })?;
        let file = given.clone();
        for o in overrides {
            o.apply(&mut given)?;
        }
        let scenario = Scenario::from_table(given.clone(), source_name, &[])
            .map_err(|e| blame(e, overrides))?;
        // A field of the file that a `--set` of another field made idle (the file's
        // switching costs after `--set constraint.form=reduced`) is a what-if the user
        // asked for, not a mistake in the file: a warning, not an error.
        let mut unused = Vec::new();
        let mut idled = Vec::new();
        let all = scenario.unused_in(&given);
        let own = match overrides.is_empty() || all.is_empty() {
            true => None,
            false => Scenario::from_table(file.clone(), source_name, &[]).ok(),
        };
        for u in all {
            let by_set = overrides.iter().any(|o| o.touches(&u.path));
            let idle_in_file = own
                .as_ref()
                .is_none_or(|s| s.unused_in(&file).iter().any(|v| v.path == u.path));
            if by_set || idle_in_file {
                unused.push(u);
            } else {
                idled.push(u);
            }
        }
        Ok(Read {
            scenario,
            given,
            unused,
            idled,
        })
    }

    /// Builds and validates a scenario from a parsed TOML table, applying overrides.
    /// The table may be a resolved one (every field given), so settings that change
    /// nothing are not looked for here; [`Scenario::read`] does that.
    pub fn from_table(
        mut value: toml::Table,
        source_name: &str,
        overrides: &[Override],
    ) -> Result<Scenario, ScenarioError> {
        for o in overrides {
            o.apply(&mut value)?;
        }
        let given = value.clone();
        let scenario: Scenario = serde_path_to_error::deserialize(toml::Value::Table(value))
            .map_err(|e| {
                let path = e.path().to_string();
                let message = one_line(&e.into_inner().to_string());
                blame(
                    ScenarioError::Field {
                        source_name: source_name.to_string(),
                        path,
                        message,
                    },
                    overrides,
                )
            })?;
        if let Ok(toml::Value::Table(resolved)) = toml::Value::try_from(&scenario)
            && let Some(path) = unused::array_for_table(&given, &resolved)
        {
            return Err(blame(
                ScenarioError::Field {
                    source_name: source_name.to_string(),
                    path,
                    message: "expected a table (`{ key = value, ... }` or a [section]), \
                              found an array"
                        .into(),
                },
                overrides,
            ));
        }
        scenario
            .validate(source_name)
            .map_err(|e| blame(e, overrides))?;
        Ok(scenario)
    }

    /// The resolved scenario as a TOML table, every field given (what sweeps and
    /// calibration apply their overrides to).
    pub fn to_table(&self) -> toml::Table {
        match toml::Value::try_from(self).expect("a validated scenario serialises") {
            toml::Value::Table(t) => t,
            _ => unreachable!("a struct serialises to a table"),
        }
    }

    /// The resolved scenario as TOML, every default spelled out, except the fields the
    /// scenario does not use (which a file with a `[sweep]` keeps: its points may).
    pub fn to_toml(&self) -> String {
        toml::to_string(&self.to_shown_table()).expect("a validated scenario serialises")
    }

    /// The table [`Scenario::to_toml`] writes: every field the scenario uses.
    pub fn to_shown_table(&self) -> toml::Table {
        let mut table = self.to_table();
        if self.sweep.is_none() {
            self.prune_unused(&mut table);
        }
        table
    }
}

/// Reads a scenario file, refusing one too large to be a scenario before reading it all.
pub fn read_text(path: &Path) -> Result<String, ScenarioError> {
    use std::io::Read as _;
    let fail = |reason: String| ScenarioError::Read {
        path: path.display().to_string(),
        reason,
    };
    let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(e.to_string()))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(fail(format!(
            "larger than {} MiB; a scenario is a small text file",
            MAX_FILE_BYTES >> 20
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        fail(format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// An error about a field, told as the `--set` that caused it when one did: the last
/// override on the field's path, since a later `--set` replaces an earlier one.
fn blame(e: ScenarioError, overrides: &[Override]) -> ScenarioError {
    let path = match &e {
        ScenarioError::Field { path, .. }
        | ScenarioError::Invalid { path, .. }
        | ScenarioError::Unused { path, .. } => path.clone(),
        _ => return e,
    };
    match overrides.iter().rev().find(|o| o.touches(&path)) {
        Some(o) => {
            let message = match &e {
                ScenarioError::Field { path, message, .. } => format!("field `{path}`: {message}"),
                ScenarioError::Unused { why, .. } => format!("changes nothing: {why}"),
                other => other.to_string(),
            };
            ScenarioError::Override {
                assignment: o.to_string(),
                message,
            }
        }
        None => e,
    }
}

/// The error for a setting that changes nothing, blamed on its `--set` if one gave it.
pub fn unused_error(u: &Unused, source_name: &str, overrides: &[Override]) -> ScenarioError {
    blame(
        ScenarioError::Unused {
            source_name: source_name.to_string(),
            path: u.path.clone(),
            why: u.why.clone(),
        },
        overrides,
    )
}
