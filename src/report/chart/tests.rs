use super::render::{downsample, png, svg};
use super::*;

#[test]
fn downsampling_averages_blocks() {
    // A 4 × 2 image of 2 × 2 blocks: white, black | black, white rows.
    let mut large = Vec::new();
    for row in 0..4 {
        for col in 0..4 {
            let white = (col < 2) == (row < 2);
            large.extend([if white { 255 } else { 0 }; 3]);
        }
    }
    assert_eq!(
        downsample(&large, 2, 2, 2),
        [255, 255, 255, 0, 0, 0, 0, 0, 0, 255, 255, 255]
    );
    let grey: Vec<u8> = [0u8, 255, 255, 0].iter().flat_map(|v| [*v; 3]).collect();
    assert_eq!(downsample(&grey, 1, 1, 2), [128, 128, 128]);
}

/// Draws `chart` to SVG at sizes from one pixel to long strips, and to PNG at the
/// small ones and the default (the layout is the same for both; PNGs of thousands
/// of pixels are slow in a test build).
fn draws_at_every_size<C: Chart>(chart: &C) {
    for size in [
        Size::SCREEN,
        Size::PRINT,
        Size::pixels(400, 300),
        Size::pixels(8000, 300),
        Size::pixels(400, 8000),
        Size::pixels(10, 10),
        Size::pixels(1, 1),
    ] {
        let at = format!("{} at {}x{}", C::NAME, size.width, size.height);
        let svg = svg(chart, size).unwrap_or_else(|e| panic!("{at}: {e}"));
        // Text is outlined: no <text> is left for a viewer to set in its own font.
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{at}: {e}"));
        assert!(!doc.descendants().any(|n| n.has_tag_name("text")), "{at}");
        // Texts are fitted to the figure, not written out whole: at most a few
        // hundred characters fit across (or up) 2100 pixels.
        if size.width.max(size.height) <= 2100 {
            for label in doc.descendants().filter_map(|n| n.attribute("aria-label")) {
                assert!(label.chars().count() < 300, "{at}: {label}");
            }
        }
        if size == Size::SCREEN || size.width.max(size.height) <= 400 {
            png(chart, size).unwrap_or_else(|e| panic!("{at}: {e}"));
        }
    }
}

fn long(prefix: &str) -> String {
    format!("{prefix} {}", "N".repeat(1000))
}

fn frame() -> Frame {
    Frame {
        title: long("title"),
        subtitle: long("subtitle"),
    }
}

#[test]
fn charts_with_texts_wider_than_the_figure_draw_at_any_size() {
    let line = |v: f64| (1..=12).map(|p| (p, Some(v))).collect::<Vec<_>>();
    let firms = (0..40)
        .map(|i| timeseries::FirmSeries {
            firm: long(&format!("firm {i}")),
            colour: style::palette::series(i),
            share: line(0.025),
            retention: line(0.9),
        })
        .collect();
    // Six events in one period, a long one, and one in every period.
    let six = (0..6)
        .map(|i| format!("A value.product = {i}"))
        .collect::<Vec<_>>()
        .join("; ");
    let mut events = vec![(3, six), (5, long("exits"))];
    events.extend((1..=12).map(|p| (p, long("event"))));
    events.sort_by_key(|(p, _)| *p);
    draws_at_every_size(&Timeseries {
        frame: frame(),
        firms,
        events: events.clone(),
        periods: (1, 12),
        with_share: true,
    });
    draws_at_every_size(&WordOfMouth {
        frame: frame(),
        firms: (0..40)
            .map(|i| word_of_mouth::FirmWords {
                firm: long(&format!("firm {i}")),
                colour: style::palette::series(i),
                positive: line(1e300),
                negative: line(0.0),
            })
            .collect(),
        events: events.clone(),
        periods: (1, 12),
    });
    draws_at_every_size(&TypeMix {
        frame: frame(),
        periods: (1..=12).map(|p| (p, [1, 2, 3, 4, 5, 6])).collect(),
        events,
    });

    let bins: Vec<CurveBin> = (0..16)
        .map(|i| CurveBin {
            cs: 1.125 + 0.25 * i as f64,
            observations: 10,
            retention: Some(0.5),
            interval: Some((0.4, 0.6)),
            expected: Some(0.55),
        })
        .collect();
    let scenario = crate::scenario::Scenario::default();
    let mut structural = scenario.clone();
    structural.constraint.form = crate::scenario::ConstraintForm::Structural;
    for s in [&scenario, &structural] {
        draws_at_every_size(&RetentionCurve {
            frame: frame(),
            bins: bins.clone(),
            theory: retention_curve::Theory::of(s, &bins, Some(1e300)),
            zones: Zones::of(&s.loyalty),
        });
    }
    let labels: Vec<String> = (0..30).map(|i| long(&format!("run {i}"))).collect();
    let legend = |heading: &str| layout::Legend {
        heading: Some(long(heading)),
        entries: labels
            .iter()
            .enumerate()
            .map(|(i, l)| layout::Entry {
                label: l.clone(),
                key: Look::nth(i).key(),
            })
            .collect(),
        heading_room: 0.0,
    };
    draws_at_every_size(&RetentionCurves {
        frame: frame(),
        series: (0..30)
            .map(|i| CurveSeries {
                bins: bins.clone(),
                look: Look {
                    colour: i,
                    shape: i,
                    dash: i,
                },
            })
            .collect(),
        legends: vec![legend("field"), legend("other field")],
        zones: Zones::of(&scenario.loyalty),
    });
    let huge = [0.0, 1e300, f64::INFINITY];
    draws_at_every_size(&CorrelationVsR {
        frame: frame(),
        groups: labels
            .iter()
            .map(|l| {
                let points = huge
                    .map(|r| RunPoint {
                        r,
                        correlation: 0.1,
                        interval: Some((-1.0, 1e300)),
                    })
                    .to_vec();
                (l.clone(), points)
            })
            .collect(),
        left_out: 3,
        unit: "run",
        interval_label: long("interval"),
        lines: true,
    });
    for x in [XScale::Numbers, XScale::Categories(labels.clone())] {
        draws_at_every_size(&MetricChart {
            frame: frame(),
            metric: "profit".into(),
            y_title: long("y"),
            percent: false,
            x_title: long("x"),
            x,
            heading: Some(long("heading")),
            lines: labels
                .iter()
                .map(|l| MetricLine {
                    label: l.clone(),
                    points: huge
                        .iter()
                        .zip([-1e300, 0.5, 1e300])
                        .map(|(&x, mean)| MetricPoint {
                            x,
                            mean,
                            interval: Some((mean - 1.0, f64::MAX)),
                        })
                        .collect(),
                })
                .collect(),
            connect: true,
            notes: vec![long("note"), long("note")],
            interval_label: long("interval"),
        });
    }
    let estimate = |v: f64| {
        Some(Estimate {
            value: v,
            interval: Some((-v, 1e300)),
        })
    };
    for study in [Study::Sobol, Study::Morris] {
        draws_at_every_size(&Sensitivity {
            frame: frame(),
            study,
            factors: labels.clone(),
            panels: (0..12)
                .map(|i| Panel {
                    title: long(&format!("metric {i}")),
                    noise: (i % 2 == 0).then_some(0.5),
                    indices: (0..30)
                        .map(|j| (estimate(j as f64 * 1e299), estimate(0.5)))
                        .collect(),
                })
                .collect(),
            order: long("order"),
        });
    }
    draws_at_every_size(&Heatmap {
        frame: frame(),
        x: (long("x field"), labels.clone()),
        y: (long("y field"), labels.clone()),
        values: vec![vec![Some(1e300); 30]; 30],
        metric: long("metric"),
        percent: false,
    });
    let group = |g: &str| ComplaintGroup {
        group: g.into(),
        episodes: 10,
        stayed: 5,
        retention: Some(0.5),
        interval: Some((0.4, 0.6)),
    };
    draws_at_every_size(
        &ComplaintOrdering {
            frame: frame(),
            groups: ["a", "b", "c", "d"].map(group).to_vec(),
            horizon: 4,
            reference: None,
        }
        .with_reference(&long("published"), [0.09, 0.19, 0.54, 0.82]),
    );
}

#[test]
fn sizes_beyond_the_limit_are_refused_before_drawing() {
    let dir = tempfile::tempdir().unwrap();
    let chart = TypeMix {
        frame: frame(),
        periods: vec![(1, [1; 6])],
        events: Vec::new(),
    };
    for size in [
        Size::pixels(100_000, 100_000),
        Size::pixels(0, 10),
        Size {
            width: 100,
            height: 100,
            dpi: f64::NAN,
        },
    ] {
        let options = ChartOptions {
            size,
            ..Default::default()
        };
        let e = render(&chart, dir.path(), &options)
            .unwrap_err()
            .to_string();
        assert!(e.contains("8000 pixels a side"), "{e}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn thousands_are_grouped() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1000), "1,000");
    assert_eq!(thousands(1234567), "1,234,567");
}
