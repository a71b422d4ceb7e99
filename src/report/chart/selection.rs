//! Which part of a run the single-run charts draw: a window of periods (`--periods`)
//! and one firm (`--firm`), or, by default, the whole run and every firm.
//!
//! A run pools its periods and firms in `curve.csv` and in the type mix, which hides
//! what a scenario is about when something happens during the run: in
//! `monopoly_entry.toml` the monopoly's hostages and the competitive market after the
//! entry make one curve. A selection draws one side at a time. The window is typed
//! once, where the command line is parsed ([`Periods`] is a `FromStr` clap calls); it
//! is checked against the run (its periods, its firms) before anything is simulated
//! or drawn, so a window outside the run or an unknown firm is one line naming it.
//! A selection that covers the whole run and names no firm is the default, so the
//! charts are then byte for byte those drawn without one.

use std::fmt;

/// Periods `first` to `last`, both included; `last` open means to the end of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periods {
    pub first: u32,
    pub last: Option<u32>,
}

impl std::str::FromStr for Periods {
    type Err = String;

    /// `A..B` (or `A..=B`), `A..`, `..B` or `A`: periods A to B, both included.
    fn from_str(s: &str) -> Result<Periods, String> {
        let expected = || {
            format!(
                "{s:?}: expected A..B, the periods A to B (both included) with \
                 1 <= A <= B, e.g. 1..19, 20.. (to the end) or 7 (one period)"
            )
        };
        let number = |t: &str| t.trim().parse::<u32>().map_err(|_| expected());
        let t = s.trim();
        let (first, last) = match t.split_once("..") {
            None => {
                let p = number(t)?;
                (p, Some(p))
            }
            Some((a, b)) => {
                let b = b.strip_prefix('=').unwrap_or(b);
                let first = if a.trim().is_empty() { 1 } else { number(a)? };
                let last = if b.trim().is_empty() {
                    None
                } else {
                    Some(number(b)?)
                };
                (first, last)
            }
        };
        if first == 0 || last.is_some_and(|l| l < first) {
            return Err(expected());
        }
        Ok(Periods { first, last })
    }
}

impl fmt::Display for Periods {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.last {
            Some(l) if l == self.first => write!(f, "{l}"),
            Some(l) => write!(f, "{}..{l}", self.first),
            None => write!(f, "{}..", self.first),
        }
    }
}

/// What the charts of one run draw: a window of periods and one firm, each optional.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selection {
    pub periods: Option<Periods>,
    pub firm: Option<String>,
}

/// A [`Selection`] checked against a run: the window within its periods, the firm
/// one of its firms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// First and last period drawn, both included.
    pub periods: (u32, u32),
    /// The run's periods.
    pub of: u32,
    pub firm: Option<String>,
}

impl Selection {
    /// Whether nothing is selected: the whole run, every firm.
    pub fn is_whole(&self) -> bool {
        self.periods.is_none() && self.firm.is_none()
    }

    /// Checks the selection against a run of `periods` periods with `firms`: `None`
    /// when it selects the whole run and every firm (the default charts), else the
    /// window and firm to draw. A window outside the run or a firm not in it is an
    /// error naming the option, the value and what the run has.
    pub fn resolve(&self, periods: u32, firms: &[String]) -> Result<Option<Resolved>, String> {
        if let Some(name) = &self.firm
            && !firms.contains(name)
        {
            return Err(format!(
                "--firm {name:?}: not a firm of this run; expected one of {}",
                firms.join(", ")
            ));
        }
        let window = match self.periods {
            None => (1, periods),
            Some(w) => {
                let last = w.last.unwrap_or(periods);
                if periods == 0 || w.first > periods || last > periods {
                    return Err(format!(
                        "--periods {w}: outside the run; expected a window within its \
                         periods, 1..{periods}"
                    ));
                }
                (w.first, last)
            }
        };
        if window == (1, periods) && self.firm.is_none() {
            return Ok(None);
        }
        Ok(Some(Resolved {
            periods: window,
            of: periods,
            firm: self.firm.clone(),
        }))
    }
}

impl Resolved {
    /// Whether the row of `firm` in `period` is selected.
    pub fn has(&self, period: u32, firm: &str) -> bool {
        (self.periods.0..=self.periods.1).contains(&period)
            && self.firm.as_deref().is_none_or(|f| f == firm)
    }

    /// The options that select this, as typed: `--periods 1..19 --firm Incumbent`.
    pub fn options(&self) -> String {
        let (a, b) = self.periods;
        let mut parts = Vec::new();
        if (a, b) != (1, self.of) {
            parts.push(format!("--periods {a}..{b}"));
        }
        if let Some(f) = &self.firm {
            parts.push(format!("--firm {f:?}"));
        }
        parts.join(" ")
    }

    /// The window in words: "periods 1–19 of 40", "period 7 of 40".
    pub fn describe_periods(&self) -> String {
        let (a, b) = self.periods;
        if a == b {
            format!("period {a} of {}", self.of)
        } else {
            format!("periods {a}–{b} of {}", self.of)
        }
    }

    /// The selection in words: "periods 1–19 of 40 · firm Incumbent".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.periods != (1, self.of) {
            parts.push(self.describe_periods());
        }
        if let Some(f) = &self.firm {
            parts.push(format!("firm {f}"));
        }
        parts.join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Periods, String> {
        s.parse()
    }

    #[test]
    fn windows_parse_in_every_spelling_and_bad_ones_say_what_is_expected() {
        let w = |first, last| Ok(Periods { first, last });
        assert_eq!(p("1..19"), w(1, Some(19)));
        assert_eq!(p(" 20 ..= 40 "), w(20, Some(40)));
        assert_eq!(p("20.."), w(20, None));
        assert_eq!(p("..5"), w(1, Some(5)));
        assert_eq!(p("7"), w(7, Some(7)));
        for bad in ["0..3", "5..3", "a..b", "", "1...3", "-1..2", "1..2..3", "0"] {
            let e = p(bad).unwrap_err();
            assert!(e.contains("expected A..B") && e.contains(bad), "{bad}: {e}");
        }
        assert_eq!(p("3..9").unwrap().to_string(), "3..9");
        assert_eq!(p("3..").unwrap().to_string(), "3..");
    }

    #[test]
    fn selections_are_checked_against_the_run() {
        let firms = vec!["Incumbent".to_string(), "Entrant".to_string()];
        let sel = |periods: Option<&str>, firm: Option<&str>| Selection {
            periods: periods.map(|s| s.parse().unwrap()),
            firm: firm.map(String::from),
        };
        assert_eq!(sel(None, None).resolve(40, &firms), Ok(None));
        // The whole run, spelled out, is the default.
        assert_eq!(sel(Some("1..40"), None).resolve(40, &firms), Ok(None));
        assert_eq!(sel(Some("1.."), None).resolve(40, &firms), Ok(None));
        let r = sel(Some("20.."), Some("Entrant"))
            .resolve(40, &firms)
            .unwrap()
            .unwrap();
        assert_eq!(r.periods, (20, 40));
        assert_eq!(r.describe(), "periods 20–40 of 40 · firm Entrant");
        assert_eq!(r.options(), "--periods 20..40 --firm \"Entrant\"");
        assert!(r.has(20, "Entrant") && !r.has(19, "Entrant") && !r.has(30, "Incumbent"));
        let r = sel(None, Some("Incumbent")).resolve(40, &firms).unwrap();
        assert_eq!(r.unwrap().describe(), "firm Incumbent");
        let e = sel(Some("30..50"), None).resolve(40, &firms).unwrap_err();
        assert!(e.contains("--periods 30..50") && e.contains("1..40"), "{e}");
        let e = sel(Some("41.."), None).resolve(40, &firms).unwrap_err();
        assert!(e.contains("--periods 41..") && e.contains("1..40"), "{e}");
        let e = sel(None, Some("Entrnt")).resolve(40, &firms).unwrap_err();
        assert!(
            e.contains("--firm \"Entrnt\"") && e.contains("Incumbent, Entrant"),
            "{e}"
        );
    }
}
