//! Market events in `telecom.toml`: a monopoly that opens to a second provider, and
//! number portability. They share the event lookup and the churn measures.

use crate::engine::RunResults;
use crate::literature::{Estimate, Lab, LabError, Row, Unit};
use crate::scenario::{CostComponent, Event};

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

/// The first switching-cost event of `file`: its period, and the override that makes it
/// change nothing (its `value` set to the cost already in force
/// for the segments it touches), for a same-seed counterfactual without it.
fn switching_cost_event(lab: &Lab, file: &str) -> Result<(usize, String), LabError> {
    let s = lab.scenario(file, &[])?;
    let (i, period, component, segment) = s
        .events
        .iter()
        .enumerate()
        .find_map(|(i, e)| match e {
            Event::SwitchingCost {
                period,
                component,
                segment,
                ..
            } => Some((i, *period, *component, segment.clone())),
            _ => None,
        })
        .ok_or_else(|| LabError(format!("{file} has no `switching_cost` event")))?;
    let cost = |c: &crate::scenario::SwitchingCosts| match component {
        CostComponent::Procedural => c.procedural,
        CostComponent::Financial => c.financial,
        CostComponent::Relational => c.relational,
    };
    let mut in_force = s
        .segments
        .iter()
        .filter(|g| segment.as_ref().is_none_or(|name| *name == g.name))
        .map(|g| cost(&g.switching_costs));
    let before = in_force
        .next()
        .ok_or_else(|| LabError(format!("{file}: the `switching_cost` event has no segment")))?;
    if in_force.any(|c| c != before) {
        return Err(LabError(format!(
            "{file}: the segments the `switching_cost` event touches start from different \
             costs, so no one value undoes it"
        )));
    }
    Ok((period as usize, format!("events.{i}.value={before:?}")))
}

/// Customers of every firm at the start of period `p` (1-based), and those who left
/// during it.
fn decisions(r: &RunResults, p: usize) -> (u64, u64) {
    r.periods[p - 1]
        .firms
        .iter()
        .fold((0, 0), |(c, d), f| (c + f.customers, d + f.defections))
}

pub(super) fn number_portability(lab: &mut Lab) -> Result<Vec<Row>, LabError> {
    let (port, undo) = switching_cost_event(lab, "telecom.toml")?;
    let runs = lab.runs("telecom.toml", &[])?;
    let window = 5;
    let rise =
        runs.estimate(|r| churn(r, port, port + window - 1) - churn(r, port - window, port - 1));
    // The same scenario, seeds and customers without portability: the engine draws by
    // customer, period and purpose, so the two runs are the same up to the event.
    let without = lab.runs("telecom.toml", &[undo.as_str()])?;
    for (a, b) in runs.results.iter().zip(&without.results) {
        if a.periods[..port - 1] != b.periods[..port - 1] {
            return Err(LabError(
                "telecom.toml with and without portability differ before the event: the \
                 counterfactual is not paired"
                    .into(),
            ));
        }
    }
    // Held only by the number: of the customers with a provider when the number becomes
    // portable, the share who leave that year and would have stayed without it. In that
    // year the comparison is per customer: both runs start it with the same customers
    // and draw the same numbers, and one uniform decides whether a customer leaves
    // (u < P(defect)), so a lower cost only turns hostages into leavers; the extra
    // defections are exactly those customers.
    let held = Estimate::of(
        &runs
            .results
            .iter()
            .zip(&without.results)
            .map(|(with, without)| {
                let (customers, left) = decisions(with, port);
                let (_, left_anyway) = decisions(without, port);
                (left as f64 - left_anyway as f64) / customers as f64
            })
            .collect::<Vec<_>>(),
    );
    Ok(vec![
        Row::departure(
            "annual churn, 5 years after − 5 years before portability",
            "+1 to +2 pts a year",
            rise,
            Unit::Points,
            "+0.5 pts to +2.5 pts",
            !(0.005..=0.025).contains(&rise.mean),
            "valued as one of the four procedural costs of Burnham, Frels & Mahajan's \
             typology (setup: a new number for everyone who calls), the number is 0.125 of \
             the 1.6 a long-standing subscriber pays to switch, and in a market where a \
             third of subscribers change provider every year freeing it adds about three \
             points of churn a year; one to two points would value the number at a fifth \
             of the procedural cost or less, which the typology gives no reason for",
        ),
        Row::departure(
            "customers held only by the number: left in the year it became portable, \
             would have stayed without (same seeds)",
            "≈ 25% stay only to keep their number",
            held,
            Unit::Percent,
            "15 to 35%",
            held.mean < 0.15,
            "a stated reason is not a revealed one: against the same customers and seeds \
             without portability, the number alone held about 3% of subscribers, and \
             freeing the whole procedural cost would release about one in eight; the \
             number is one switching cost among several, and most who tolerate imperfect \
             service are held by the others as well",
        ),
    ])
}
