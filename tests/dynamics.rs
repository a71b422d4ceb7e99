//! Market dynamics (issue "Market dynamics"): events fire at their period, a monopoly
//! that opens releases its hostages, complaints follow TARP's ordering, simulated
//! lifetime value matches the closed form, and negative word of mouth hurts the firm
//! talked about.

use loyalsim::engine::{RunResults, Simulation};
use loyalsim::scenario::{Override, Scenario};

fn shipped(name: &str, sets: &[&str]) -> Scenario {
    let path = format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    let o: Vec<Override> = sets.iter().map(|s| s.parse().unwrap()).collect();
    Scenario::load(std::path::Path::new(&path), &o).unwrap()
}

fn run(s: &Scenario) -> RunResults {
    Simulation::new(s).run(s.periods)
}

fn firm(s: &Scenario, name: &str) -> usize {
    s.firms.iter().position(|f| f.name == name).unwrap()
}

#[test]
fn an_entering_firm_is_absent_until_its_period_and_the_event_is_marked() {
    let s = shipped("monopoly_entry", &["customers=20000"]);
    let res = run(&s);
    let entrant = firm(&s, "Entrant");
    for p in &res.periods {
        let f = &p.firms[entrant];
        if p.period < 20 {
            assert!(!p.present[entrant], "period {}", p.period);
            assert_eq!((f.customers, f.acquisitions), (0, 0), "period {}", p.period);
            assert!(p.events.is_empty(), "period {}", p.period);
        } else {
            assert!(p.present[entrant]);
        }
    }
    assert_eq!(res.periods[19].events, vec!["Entrant enters".to_string()]);
    assert!(res.periods[19].firms[entrant].acquisitions > 0);
}

/// The incumbent's defection rate in the period the entrant arrives, over the mean of
/// the five periods before.
fn entry_burst(monopoly_r: &str) -> (f64, f64, f64) {
    let s = shipped(
        "monopoly_entry",
        &[
            "customers=30000",
            &format!("constraint.monopoly={monopoly_r}"),
        ],
    );
    let res = run(&s);
    let inc = firm(&s, "Incumbent");
    let rate = |p: usize| {
        let f = &res.periods[p - 1].firms[inc];
        f.defections as f64 / f.customers as f64
    };
    let before: f64 = (15..20).map(rate).sum::<f64>() / 5.0;
    let hostages = res.periods[18].firms[inc].count(loyalsim::model::CustomerType::Hostage) as f64
        / res.periods[18].firms[inc].customers as f64;
    (before, rate(20), hostages)
}

#[test]
fn a_monopoly_that_opens_releases_a_burst_larger_when_more_were_hostages() {
    let (before_strong, burst_strong, hostages_strong) = entry_burst("3.0");
    let (before_weak, burst_weak, hostages_weak) = entry_burst("0.5");
    assert!(
        hostages_strong > hostages_weak + 0.1,
        "{hostages_strong} vs {hostages_weak}"
    );
    assert!(
        burst_strong > 3.0 * before_strong,
        "burst {burst_strong} after {before_strong}"
    );
    assert!(
        burst_strong - before_strong > burst_weak - before_weak,
        "with more hostages the burst is larger: {burst_strong} (from {before_strong}) \
         vs {burst_weak} (from {before_weak})"
    );
}

#[test]
fn complaints_follow_the_tarp_ordering() {
    // TARP: did not complain < complained, unresolved < resolved < resolved quickly.
    let s = shipped("service_recovery", &["customers=40000"]);
    let res = run(&s);
    let retention: Vec<f64> = loyalsim::model::Voice::GROUPS
        .iter()
        .map(|g| {
            let (episodes, stayed) = res.complaints[*g as usize];
            assert!(episodes > 1000, "{g:?}: {episodes} episodes");
            stayed as f64 / episodes as f64
        })
        .collect();
    for w in retention.windows(2) {
        assert!(w[0] + 0.02 < w[1], "TARP ordering broken: {retention:?}");
    }
}

/// TARP's ordering (did not complain < complained, unresolved < resolved < resolved
/// quickly) in `scenarios/literature/tarp.toml`, whatever share of complaints the firms
/// resolve: customers who leave before any answer are counted apart
/// (`left_while_pending`), so a firm that answers most complaints does not fill its
/// "unresolved" group with them.
#[test]
fn tarp_ordering_holds_at_every_resolution_rate() {
    for rate in [0.1, 0.3, 0.5, 0.7, 0.9] {
        let sets = [
            "customers=20000".to_string(),
            "periods=30".to_string(),
            format!("firms.0.resolution_rate={rate}"),
            format!("firms.1.resolution_rate={rate}"),
        ];
        let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
        let s = shipped("literature/tarp", &sets);
        let res = run(&s);
        let retention: Vec<f64> = loyalsim::model::Voice::GROUPS
            .iter()
            .map(|g| {
                let (episodes, stayed) = res.complaints[*g as usize];
                assert!(episodes > 200, "rate {rate}, {g:?}: {episodes} episodes");
                stayed as f64 / episodes as f64
            })
            .collect();
        for w in retention.windows(2) {
            assert!(
                w[0] + 0.02 < w[1],
                "rate {rate}: TARP ordering broken: {retention:?}"
            );
        }
    }
}

/// Loss aversion survives noise (MODEL.md §3 step 3): in the competitive market, a
/// firm's inconsistency costs more mean CS when losses weigh more than gains (the
/// shipped slopes) than when gains weigh more (the slopes mirrored). With a hard clamp
/// of transaction satisfaction it was the other way round: customers piled at −1, where
/// noise could only raise satisfaction.
#[test]
fn inconsistency_costs_more_satisfaction_when_losses_weigh_more() {
    let cost = |gain: f64, loss: f64| {
        let mean_cs = |inconsistency: f64| {
            let sets = [
                "customers=40000".to_string(),
                format!("satisfaction.gain_slope={gain}"),
                format!("satisfaction.loss_slope={loss}"),
                format!("firms.0.inconsistency={inconsistency}"),
            ];
            let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
            let s = shipped("competitive", &sets);
            let alpha = firm(&s, "Alpha");
            let res = run(&s);
            let (mut sum, mut n) = (0.0, 0u64);
            for p in &res.periods {
                let f = &p.firms[alpha];
                sum += f.sum_cs;
                n += f.customers;
            }
            sum / n as f64
        };
        mean_cs(0.0) - mean_cs(1.0)
    };
    let shipped_slopes = shipped("competitive", &[]).satisfaction;
    let (gain, loss) = (shipped_slopes.gain_slope, shipped_slopes.loss_slope);
    assert!(loss > gain, "competitive.toml's losses should weigh more");
    let (averse, mirrored) = (cost(gain, loss), cost(loss, gain));
    assert!(
        averse > mirrored + 0.005,
        "inconsistency cost {averse:.4} points of mean CS with losses weighing more, \
         {mirrored:.4} with the slopes mirrored"
    );
}

#[test]
fn simulated_lifetime_value_matches_the_closed_form() {
    // Constant loyalty (f = 0.9 at every CS) and no constraint: every customer stays
    // with probability 0.9 each period, margin 1, discount 1% per period. Gupta &
    // Lehmann: CLV = m·r/(1 + i − r) = 0.9 / 0.11 = 8.18.
    let text = r#"
        name = "clv"
        periods = 250
        customers = 20000
        [[firms]]
        name = "Only"
        margin = 1.0
        [loyalty]
        curve = "zones"
        breakpoints = [2.0, 4.0]
        levels = [0.9, 0.9, 0.9, 0.9]
        [constraint]
        r = 0
        [economics]
        discount_rate = 0.01
    "#;
    let s = Scenario::parse(text, "clv", &[]).unwrap();
    let res = run(&s);
    let mut total = loyalsim::engine::tally::FirmTally::default();
    for p in &res.periods {
        total.add(&p.firms[0]);
    }
    let simulated = total.cohort_value / res.initial_customers[0] as f64;
    let r = total.retention().unwrap();
    assert!((r - 0.9).abs() < 0.002, "retention {r}");
    let closed = 1.0 * r / (1.0 + 0.01 - r);
    assert!(
        (simulated / closed - 1.0).abs() < 0.02,
        "simulated CLV {simulated:.3} vs closed form {closed:.3}"
    );
}

#[test]
fn negative_word_of_mouth_lowers_retention_of_the_firm_talked_about() {
    let mean_retention = |res: &RunResults, j: usize| {
        let (mut stayed, mut all) = (0u64, 0u64);
        for p in &res.periods[10..] {
            stayed += p.firms[j].customers - p.firms[j].defections;
            all += p.firms[j].customers;
        }
        stayed as f64 / all as f64
    };
    // Word of mouth strong enough that its effect stands far above sampling error.
    let loud = [
        "customers=40000",
        "periods=30",
        "word_of_mouth.satisfaction_weight=0.8",
    ];
    let talk = shipped("word_of_mouth", &loud);
    // The same market without a network (a weight given with no network would change
    // nothing, and is refused).
    let quiet = shipped(
        "word_of_mouth",
        &[
            "customers=40000",
            "periods=30",
            "word_of_mouth.network=none",
        ],
    );
    let uneven = firm(&talk, "Uneven");
    let (with, without) = (run(&talk), run(&quiet));
    let heard_negative: u64 = with
        .periods
        .iter()
        .map(|p| p.firms[uneven].wom_negative)
        .sum();
    let heard_positive: u64 = with
        .periods
        .iter()
        .map(|p| p.firms[uneven].wom_positive)
        .sum();
    assert!(
        heard_negative > heard_positive,
        "{heard_negative} vs {heard_positive}"
    );
    let (r_with, r_without) = (
        mean_retention(&with, uneven),
        mean_retention(&without, uneven),
    );
    assert!(
        r_with < r_without - 0.005,
        "Uneven's retention with word of mouth {r_with} vs without {r_without}"
    );
}

#[test]
fn lowering_one_switching_cost_raises_churn_modestly() {
    let s = shipped("number_portability", &["customers=40000"]);
    let res = run(&s);
    let churn = |range: std::ops::Range<usize>| {
        let (mut d, mut c) = (0u64, 0u64);
        for p in &res.periods[range] {
            for f in &p.firms {
                d += f.defections;
                c += f.customers;
            }
        }
        d as f64 / c as f64
    };
    let (before, after) = (churn(14..24), churn(29..49));
    assert!(after > before, "{before} -> {after}");
    assert!(
        after - before < 0.05,
        "an exodus, not a modest rise: {before} -> {after}"
    );
}

#[test]
fn a_survey_reports_and_follows_its_respondents() {
    let s = shipped(
        "competitive",
        &[
            "customers=20000",
            "periods=20",
            "survey.every=5",
            "survey.sample=0.2",
        ],
    );
    let res = run(&s);
    let surveyed: Vec<u32> = res
        .periods
        .iter()
        .filter(|p| p.survey.is_some())
        .map(|p| p.period)
        .collect();
    assert_eq!(surveyed, vec![5, 10, 15, 20]);
    for p in res.periods.iter().filter_map(|p| p.survey.as_ref()) {
        for f in p {
            assert!(f.respondents <= f.sampled && f.top_two <= f.respondents);
            assert!(f.respondents > 0);
        }
    }
    let pred = &res.survey_prediction;
    assert!(pred.later_defectors > 0);
    // Satisfied customers stay more: the reported score predicts staying.
    assert!(pred.association.correlation().unwrap() > 0.0);
}

#[test]
fn one_bad_product_line_sinks_the_firm_only_when_customers_judge_by_the_worst() {
    let retention = |aggregate: &str| {
        let s = shipped(
            "product_lines",
            &[
                "customers=20000",
                "periods=20",
                &format!("product_lines.aggregate={aggregate}"),
            ],
        );
        let res = run(&s);
        let (bundle, single) = (firm(&s, "Bundle"), firm(&s, "Single"));
        let of = |j: usize| {
            let (mut stayed, mut all) = (0u64, 0u64);
            for p in &res.periods[5..] {
                stayed += p.firms[j].customers - p.firms[j].defections;
                all += p.firms[j].customers;
            }
            stayed as f64 / all as f64
        };
        (of(bundle), of(single))
    };
    let (bundle_min, single_min) = retention("min");
    assert!(
        bundle_min < single_min - 0.03,
        "min: {bundle_min} vs {single_min}"
    );
    let (bundle_mean, single_mean) = retention("mean");
    assert!(
        (bundle_mean - single_mean).abs() < 0.02,
        "mean: {bundle_mean} vs {single_mean}"
    );
}
