use super::legend::Item;
use super::*;
use crate::report::chart::style::{Style, palette, pt};

#[test]
fn steps_are_round() {
    assert_eq!(nice_step(100.0, 5), 20.0);
    assert_eq!(nice_step(4.0, 8), 0.5);
    assert_eq!(nice_step(1.0, 4), 0.5);
    assert_eq!(nice_step(12.5, 5), 5.0);
    assert!((nice_step(0.3, 5) - 0.1).abs() < 1e-12);
}

#[test]
fn labels_have_the_decimals_of_the_step() {
    assert_eq!(number(20.0, 20.0), "20");
    assert_eq!(number(1.5, 0.5), "1.5");
    assert_eq!(number(0.25, 0.05), "0.25");
    assert_eq!(number(-0.0, 0.1), "0.0");
}

#[test]
fn huge_steps_are_written_in_powers_of_ten() {
    assert_eq!(number(4e299, 2e299), "4e299");
    assert_eq!(number(1.2e9, 1e8), "1.2e9");
    assert_eq!(number(-3e8, 1e8), "-3e8");
    assert_eq!(number(0.0, 2e299), "0");
    assert_eq!(number(2e7, 1e7), "20,000,000", "below 1e8 written out");
    assert_eq!(number(600000.0, 100000.0), "600,000");
    assert_eq!(number(-12000.0, 2000.0), "-12,000");
    assert_eq!(number(9000.0, 1000.0), "9000", "four digits as they are");
    assert_eq!(number(12500.5, 0.5), "12500.5", "decimals ungrouped");
    assert_eq!(number(1e300, 0.25), "1e300");
    let a = Axis::linear("", 0.0, 1e300, 5, number);
    assert!(a.ticks.len() <= 7 && a.ticks.iter().all(|(_, l)| l.len() <= 6));
}

#[test]
fn degenerate_ranges_give_few_ticks_and_never_outside() {
    for (low, high) in [
        (1e300, 1e300),
        (0.0, f64::INFINITY),
        (f64::NAN, 1.0),
        (5.0, 1.0),
        (-1e308, 1e308),
    ] {
        let a = Axis::linear("", low, high, 5, number);
        assert!(a.ticks.len() <= 12, "{low}..{high}: {}", a.ticks.len());
        let slack = |x: f64| x.abs() * 1e-12;
        for (v, _) in &a.ticks {
            assert!(*v >= low - slack(low) && *v <= high + slack(high), "{v}");
        }
    }
}

fn entry(label: String) -> Entry {
    Entry {
        label,
        key: Key::Fill(palette::INK),
    }
}

/// Each item's `(left, right)` in the rows of `legend`.
fn spans(legend: &Legend, style: &Style, width: i32) -> Vec<Vec<(i32, i32)>> {
    let em = style.size.px(pt::LEGEND);
    legend
        .rows(style, width)
        .iter()
        .map(|row| {
            row.iter()
                .map(|(x, item)| {
                    let w = match item {
                        Item::Heading(t) | Item::More(t) => text_width(style, t, pt::LEGEND),
                        Item::Entry(i, t) | Item::Continued(i, t) => {
                            Legend::key_width(style, &legend.entries[*i].key)
                                + (em * 0.5) as i32
                                + text_width(style, t, pt::LEGEND)
                        }
                    };
                    (*x, x + w)
                })
                .collect()
        })
        .collect()
}

/// The lines of entry `i` in `rows`, in order.
fn lines_of(rows: &[Vec<(i32, Item)>], i: usize) -> Vec<String> {
    rows.iter()
        .flatten()
        .filter_map(|(_, item)| match item {
            Item::Entry(j, t) | Item::Continued(j, t) if *j == i => Some(t.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn legend_labels_wider_than_the_band_go_on_below_and_stay_inside_it() {
    let style = Style::new(crate::report::chart::Size::SCREEN, true);
    let legend = Legend {
        heading: Some("N".repeat(1000)),
        entries: vec![entry("N".repeat(1000)), entry("short".into())],
        heading_room: 1e6,
    };
    for width in [1400, 300, 10, 0, -20] {
        let rows = legend.rows(&style, width);
        for row in spans(&legend, &style, width) {
            for (left, right) in row {
                assert!(left >= 0 && (right <= width || left == 0), "{width}");
            }
        }
        if width >= 300 {
            // Heading, three lines of the long entry, the short one.
            assert_eq!(rows.len(), 5, "{width}: {rows:?}");
            let lines = lines_of(&rows, 0);
            assert_eq!(lines.len(), LABEL_LINES);
            assert!(lines[2].ends_with('…') && !lines[1].ends_with('…'));
            assert_eq!(lines_of(&rows, 1), ["short"]);
        }
    }
}

#[test]
fn a_name_of_a_hundred_wide_letters_is_shown_whole() {
    use crate::report::chart::Size;
    let name = "W".repeat(100);
    for size in [Size::SCREEN, Size::PRINT, Size::pixels(400, 300)] {
        let style = Style::new(size, true);
        // The band of a legend: the figure less its margins and the y axis.
        let width = size.width as i32 - style.px(MARGIN) * 2 - style.px(40.0);
        let legend = Legend {
            heading: None,
            entries: vec![entry(name.clone()), entry("B".into())],
            heading_room: 0.0,
        };
        let rows = legend.rows(&style, width);
        assert_eq!(lines_of(&rows, 0).concat(), name, "{size:?}");
        assert_eq!(lines_of(&rows, 1), ["B"]);
    }
}

#[test]
fn a_legend_too_long_for_its_quarter_of_the_figure_says_how_many_are_left_out() {
    let style = Style::new(crate::report::chart::Size::SCREEN, true);
    let legend = Legend {
        heading: None,
        entries: (0..64)
            .map(|i| entry(format!("firm {i} {}", "N".repeat(100))))
            .collect(),
        heading_room: 0.0,
    };
    let width = 1400;
    let rows = legend.rows(&style, width);
    let quarter = (style.size.height / 4) as i32;
    assert!(legend.height(&style, width) <= quarter, "{}", rows.len());
    let shown = rows
        .iter()
        .flatten()
        .filter(|(_, i)| matches!(i, Item::Entry(..)));
    let shown = shown.count();
    let Some((_, Item::More(note))) = rows.last().and_then(|r| r.last()) else {
        panic!("no note in {rows:?}");
    };
    assert_eq!(*note, format!("and {} more", 64 - shown));
    for row in spans(&legend, &style, width) {
        assert!(row.iter().all(|&(_, right)| right <= width));
    }
    // A legend that fits has no note.
    let few = Legend {
        entries: legend.entries[..3].to_vec(),
        ..legend.clone()
    };
    let items = few.rows(&style, width).concat();
    assert!(!items.iter().any(|(_, i)| matches!(i, Item::More(_))));
}

#[test]
fn within_never_panics_on_an_empty_range() {
    assert_eq!(within(5, 0, 10), 5);
    assert_eq!(within(-5, 0, 10), 0);
    assert_eq!(within(50, 0, 10), 10);
    assert_eq!(within(5, 10, 0), 10, "the lower bound wins");
}

#[test]
fn linear_axes_tick_at_round_values_inside_the_range() {
    let a = Axis::linear("", 1.0, 5.0, 4, number);
    let labels: Vec<&str> = a.ticks.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(labels, ["1", "2", "3", "4", "5"]);
}
