//! The one error a scenario can give, and how its messages are kept to one line a
//! user can read: values cut to a few dozen characters, parser excerpts folded.

/// A scenario that could not be read: one message naming the field, the value and what
/// was expected. Values and messages are cut to a few dozen characters ([`cut`]), so a
/// mistake in a huge value still gives a line one can read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario file {}: {reason}", cut(path, 200))]
    Read { path: String, reason: String },
    #[error("{}: not valid TOML: {}", cut(source_name, 200), cut(message, 300))]
    Syntax {
        source_name: String,
        message: String,
    },
    #[error(
        "{}: field `{}`: {}",
        cut(source_name, 200),
        cut(path, 100),
        cut(message, 300)
    )]
    Field {
        source_name: String,
        path: String,
        message: String,
    },
    #[error("--set {}: {}", cut(assignment, 100), cut(message, 600))]
    Override { assignment: String, message: String },
    #[error(
        "{}: field `{}` = {}: expected {expected}",
        cut(source_name, 200),
        cut(path, 100),
        cut(value, 100)
    )]
    Invalid {
        source_name: String,
        path: String,
        value: String,
        expected: String,
    },
    #[error(
        "{}: field `{}` is given but changes nothing: {why}",
        cut(source_name, 200),
        cut(path, 100)
    )]
    Unused {
        source_name: String,
        path: String,
        why: String,
    },
}

/// `text` if it has at most `max` characters, else its start, "…" and its length.
pub fn cut(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.chars().count() <= max {
        return text.into();
    }
    let keep = max.saturating_sub(20).max(8);
    let head: String = text.chars().take(keep).collect();
    format!("{head}… ({} characters)", text.chars().count()).into()
}

/// Folds a multi-line parser message (toml prints a source excerpt) into one line.
/// Also drops the source excerpt (`2 | name = "x`), the trailing ``in `path` `` that
/// repeats the field already named, and Rust's type names.
pub(crate) fn one_line(message: &str) -> String {
    let is_excerpt = |l: &str| {
        let rest = l
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start();
        rest.starts_with('|') || l.chars().all(|c| matches!(c, '|' | '^' | ' '))
    };
    let mut text = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !is_excerpt(l))
        .collect::<Vec<_>>()
        .join(": ");
    if let Some(at) = text.rfind(" in `").filter(|_| text.ends_with('`')) {
        text.truncate(at);
        text = text.trim_end_matches([':', ' ']).to_string();
    }
    for (rust, plain) in [
        ("expected u32", "expected a whole number >= 0"),
        ("expected u64", "expected a whole number >= 0"),
        ("expected i64", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected usize", "expected a whole number >= 0"),
    ] {
        text = text.replace(rust, plain);
    }
    text
}
