//! Market events in `telecom.toml`: a monopoly that opens to a second provider, and
//! number portability. They share the event lookup and the churn measures.

use crate::engine::RunResults;
use crate::literature::{Lab, LabError, Row, Unit};
use crate::scenario::Event;

/// The incumbent's customers at the start of period `p` (1-based) who have left by the
/// end of period `p + years − 1`, as a share: 1 − Π retention.
fn lost_within(r: &RunResults, firm: usize, p: usize, years: usize) -> f64 {
    let kept: f64 = r.periods[p - 1..p - 1 + years]
        .iter()
        .map(|rec| rec.firms[firm].retention().unwrap_or(1.0))
        .product();
    1.0 - kept
}

/// The period of the first event of `file` that `which` picks.
fn event_period(
    lab: &Lab,
    file: &str,
    which: fn(&Event) -> bool,
    what: &str,
) -> Result<usize, LabError> {
    let s = lab.scenario(file, &[])?;
    s.events
        .iter()
        .find(|e| which(e))
        .map(|e| e.period() as usize)
        .ok_or_else(|| LabError(format!("{file} has no {what} event")))
}

/// The monopoly that opens: `telecom.toml` with the entrant's event (and without the
/// portability event, which comes later in the same file).
pub(super) fn monopoly_opens(lab: &mut Lab) -> Result<Vec<Row>, LabError> {
    let entry = event_period(
        lab,
        "telecom.toml",
        |e| matches!(e, Event::Enter { .. }),
        "`enter`",
    )?;
    let runs = lab.runs("telecom.toml", &[])?;
    let incumbent = 0;
    let first = runs.estimate(|r| lost_within(r, incumbent, entry, 1));
    let before = runs.estimate(|r| lost_within(r, incumbent, entry - 1, 1));
    Ok(vec![
        Row::within(
            "incumbent's customers lost in the year the second provider arrives",
            "about 30% leave",
            first,
            Unit::Percent,
            (0.25, 0.35),
        ),
        Row::judged(
            "incumbent's customers lost in the year before",
            "(the monopoly's own churn)",
            before,
            Unit::Percent,
            "< 10%",
            before.mean < 0.10,
        )
        .by_construction(
            "with the monopoly's barrier of 3 no customer leaves more often than \
             (1 − f)·e^−3 < e^−3 = 5% a year: the barrier puts it in",
        ),
    ])
}

/// Annual churn of the whole market over `periods` (1-based, inclusive).
fn churn(r: &RunResults, from: usize, to: usize) -> f64 {
    let (mut d, mut c) = (0u64, 0u64);
    for p in &r.periods[from - 1..to] {
        for f in &p.firms {
            d += f.defections;
            c += f.customers;
        }
    }
    d as f64 / c as f64
}

pub(super) fn number_portability(lab: &mut Lab) -> Result<Vec<Row>, LabError> {
    let port = event_period(
        lab,
        "telecom.toml",
        |e| matches!(e, Event::SwitchingCost { .. }),
        "`switching_cost`",
    )?;
    let runs = lab.runs("telecom.toml", &[])?;
    let window = 5;
    let rise =
        runs.estimate(|r| churn(r, port, port + window - 1) - churn(r, port - window, port - 1));
    Ok(vec![
        Row::within(
            "annual churn, 5 years after − 5 years before portability",
            "+1 to +2 pts a year",
            rise,
            Unit::Points,
            (0.005, 0.025),
        ),
        Row::departure(
            "customers held only by the number: the churn rise above",
            "≈ 25% stay only to keep their number",
            rise,
            Unit::Percent,
            "15 to 35%",
            rise.mean < 0.15,
            "a stated reason is not a revealed one: if a quarter of subscribers were held \
             only by their number, portability would have released them, and the \
             portability figure above says it released one or two points a year; the two \
             figures contradict each other, and the engine follows the behavioural one",
        )
        .by_construction(
            "the churn rise of the first row (a claim, in the first table) against another \
             figure: while that row is met (+0.5 to +2.5 pts) this one departs \
             necessarily, so it adds no evidence",
        ),
    ])
}
