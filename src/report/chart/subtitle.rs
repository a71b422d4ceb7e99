//! The subtitles of run charts: which run (name, seed, customers, periods) and which
//! part of it a selection draws.

use super::{Resolved, Summary};

/// "showcase · seed 20261123 · 100,000 customers · 60 periods".
pub fn run_subtitle(s: &Summary) -> String {
    format!(
        "{} · seed {} · {} customers · {} periods",
        s.name,
        s.seed,
        thousands(s.customers),
        s.periods
    )
}

/// [`run_subtitle`], with the window and firm of a selection in place of the run's
/// periods: "monopoly_entry · seed 1 · 100,000 customers · periods 20–40 of 40 ·
/// firm Incumbent".
pub fn selected_subtitle(s: &Summary, selection: Option<&Resolved>) -> String {
    let Some(sel) = selection else {
        return run_subtitle(s);
    };
    let (a, b) = sel.periods;
    let periods = if (a, b) == (1, sel.of) {
        format!("{} periods", s.periods)
    } else {
        sel.describe_periods()
    };
    let firm = sel
        .firm
        .as_ref()
        .map_or(String::new(), |f| format!(" · firm {f}"));
    format!(
        "{} · seed {} · {} customers · {periods}{firm}",
        s.name,
        s.seed,
        thousands(s.customers)
    )
}

/// 100000 → "100,000".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
