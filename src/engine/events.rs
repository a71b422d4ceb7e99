//! Events: scheduled changes to the market (MODEL.md §6), applied at the start of
//! their period.
//!
//! The engine keeps a working copy of the scenario; an event edits it (a price, a
//! switching cost, a firm's presence) and the model is recompiled from it, so an event
//! changes exactly what a user would change by hand in the file. A failure wave is two
//! edits: the raised failure rate at its start and the rates from before it at its end.

use crate::scenario::{CostComponent, Event, Scenario, firm_field};

/// A change to apply at the start of a period.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    Event(Event),
    /// The end of a failure wave: the rates to restore, per firm.
    RestoreFailureRates(Vec<(usize, f64)>),
}

/// The events of a scenario, in the order they fire.
#[derive(Debug, Clone)]
pub struct Timeline {
    /// (period, change), sorted by period; events of one period keep file order.
    pending: Vec<(u32, Change)>,
    present: Vec<bool>,
}

impl Timeline {
    pub fn new(s: &Scenario) -> Timeline {
        let mut pending: Vec<(u32, Change)> = s
            .events
            .iter()
            .map(|e| (e.period(), Change::Event(e.clone())))
            .collect();
        pending.sort_by_key(|(p, _)| *p);
        Timeline {
            pending,
            present: crate::model::initial_presence(s),
        }
    }

    /// Which firms are in the market now.
    pub fn present(&self) -> &[bool] {
        &self.present
    }

    /// Applies the changes due at `period` to `s`, returning the labels of the events
    /// that fired (empty when nothing changed). The end of a failure wave comes first,
    /// so an event of the same period that sets a failure rate has the last word.
    pub fn fire(&mut self, period: u32, s: &mut Scenario) -> Vec<String> {
        let mut labels = Vec::new();
        // Stable: restores before events, each in the order they were scheduled.
        self.pending
            .sort_by_key(|(p, c)| (*p, !matches!(c, Change::RestoreFailureRates(_))));
        let mut i = 0;
        while i < self.pending.len() {
            if self.pending[i].0 != period {
                i += 1;
                continue;
            }
            let (_, change) = self.pending.remove(i);
            match change {
                Change::Event(e) => {
                    labels.push(e.label());
                    if let Some(restore) = self.apply(&e, s) {
                        let end = period.saturating_add(restore.0);
                        self.pending
                            .push((end, Change::RestoreFailureRates(restore.1)));
                    }
                }
                Change::RestoreFailureRates(rates) => {
                    for (j, rate) in rates {
                        s.firms[j].failure_rate = rate;
                    }
                    labels.push("failure wave ends".into());
                }
            }
        }
        labels
    }

    /// Applies one event; a failure wave returns its duration and the rates to restore.
    fn apply(&mut self, e: &Event, s: &mut Scenario) -> Option<(u32, Vec<(usize, f64)>)> {
        let index = |name: &str| s.firms.iter().position(|f| f.name == name);
        match e {
            Event::Enter { firm, .. } => {
                if let Some(j) = index(firm) {
                    self.present[j] = true;
                }
            }
            Event::Exit { firm, .. } => {
                if let Some(j) = index(firm) {
                    self.present[j] = false;
                }
            }
            Event::SwitchingCost {
                component,
                value,
                segment,
                ..
            } => {
                for seg in s.segments.iter_mut() {
                    if segment.as_ref().is_some_and(|name| *name != seg.name) {
                        continue;
                    }
                    let c = &mut seg.switching_costs;
                    match component {
                        CostComponent::Procedural => c.procedural = *value,
                        CostComponent::Financial => c.financial = *value,
                        CostComponent::Relational => c.relational = *value,
                    }
                }
            }
            Event::Firm {
                firm, field, value, ..
            } => {
                if let Some(j) = index(firm)
                    && let Some(slot) = firm_field(&mut s.firms[j], field)
                {
                    *slot = *value;
                }
            }
            Event::FailureWave {
                firm,
                failure_rate,
                duration,
                ..
            } => {
                let targets: Vec<usize> = match firm {
                    Some(name) => index(name).into_iter().collect(),
                    None => (0..s.firms.len()).collect(),
                };
                let before = targets
                    .iter()
                    .map(|&j| (j, s.firms[j].failure_rate))
                    .collect();
                for &j in &targets {
                    s.firms[j].failure_rate = *failure_rate;
                }
                return Some((*duration, before));
            }
            Event::ComplaintPolicy {
                firm,
                resolution_rate,
                ..
            } => {
                if let Some(j) = index(firm) {
                    s.firms[j].resolution_rate = *resolution_rate;
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(events: &str) -> Scenario {
        let text = format!(
            "periods = 10\n[constraint]\nform = \"structural\"\n[[firms]]\nname = \"A\"\n[[firms]]\nname = \"B\"\n{events}"
        );
        Scenario::parse(&text, "t", &[]).unwrap()
    }

    #[test]
    fn events_fire_at_their_period_and_waves_end() {
        let mut s = scenario(
            "[[events]]\nperiod = 3\nkind = \"enter\"\nfirm = \"B\"\n\
             [[events]]\nperiod = 4\nkind = \"failure_wave\"\nfirm = \"A\"\nfailure_rate = 0.5\nduration = 2\n\
             [[events]]\nperiod = 5\nkind = \"firm\"\nfirm = \"A\"\nfield = \"price\"\nvalue = 9\n\
             [[events]]\nperiod = 6\nkind = \"switching_cost\"\ncomponent = \"procedural\"\nvalue = 0",
        );
        let mut t = Timeline::new(&s);
        assert_eq!(t.present(), &[true, false]);
        assert!(t.fire(1, &mut s).is_empty());
        assert!(t.fire(2, &mut s).is_empty());
        assert_eq!(t.fire(3, &mut s), vec!["B enters".to_string()]);
        assert_eq!(t.present(), &[true, true]);
        assert_eq!(t.fire(4, &mut s).len(), 1);
        assert_eq!(s.firms[0].failure_rate, 0.5);
        t.fire(5, &mut s);
        assert_eq!(s.firms[0].price, 9.0);
        assert_eq!(s.firms[0].failure_rate, 0.5, "the wave lasts two periods");
        assert_eq!(
            t.fire(6, &mut s),
            vec![
                "failure wave ends".to_string(),
                "procedural switching cost = 0 (all)".to_string(),
            ]
        );
        assert_eq!(s.firms[0].failure_rate, 0.05);
        assert_eq!(s.segments[0].switching_costs.procedural, 0.0);
    }
}
