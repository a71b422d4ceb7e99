use super::*;
use crate::report::chart::Size;
use crate::report::chart::layout::{Rect, text_width};
use crate::report::chart::style::pt;

/// `(left, right, row)` of every label placed.
fn spans(style: &Style, labels: &EventLabels) -> Vec<(i32, i32, usize)> {
    labels
        .placed
        .iter()
        .map(|(_, cx, row, t)| {
            let w = text_width(style, t, pt::ANNOTATION);
            (cx - w / 2, cx + w / 2, *row)
        })
        .collect()
}

/// One rule for shares and retention: zoomed to the values, at least ten points
/// tall, within 0 to 100. Shares of 49–51% and retention of 76–84% (the
/// service_recovery run) get axes of the same height.
#[test]
fn shares_and_retention_follow_one_axis_rule() {
    let span = |a: &Axis| a.high - a.low;
    let share = percent_axis("Market share (%)", Some((0.49, 0.51)));
    let retention = percent_axis("Retention per period (%)", Some((0.76, 0.84)));
    assert_eq!(span(&share), span(&retention));
    for (axis, (lo, hi)) in [(&share, (49.0, 51.0)), (&retention, (76.0, 84.0))] {
        assert!(
            axis.low < lo && axis.high > hi,
            "{} {}",
            axis.low,
            axis.high
        );
        assert!(span(axis) >= MIN_SPAN && span(axis) <= 2.0 * MIN_SPAN);
    }
    // The same values give the same axis whichever panel they are in.
    assert_eq!(
        percent_axis("a", Some((0.2, 0.6))).low,
        percent_axis("b", Some((0.2, 0.6))).low
    );
    // Near the ends, the span moves inward rather than past 0 or 100.
    let top = percent_axis("r", Some((0.995, 1.0)));
    assert!(top.high == 100.0 && span(&top) >= MIN_SPAN, "{}", top.low);
    let bottom = percent_axis("s", Some((0.0, 0.004)));
    assert!(bottom.low == 0.0 && span(&bottom) >= MIN_SPAN);
    let all = percent_axis("s", Some((0.0, 1.0)));
    assert_eq!((all.low, all.high), (0.0, 100.0));
    assert_eq!(percent_axis("s", None).high, 100.0);
}

#[test]
fn event_labels_stay_over_the_chart_whatever_their_length() {
    let style = Style::new(Size::SCREEN, true);
    let rect = Rect {
        left: 200,
        top: 300,
        right: 1500,
        bottom: 900,
    };
    let x = period_axis(1.0, 12.0);
    let six = (0..6)
        .map(|i| format!("A value.product = {i}"))
        .collect::<Vec<_>>()
        .join("; ");
    let exit = format!("{} exits", "N".repeat(120));
    let huge = "N".repeat(1000);
    let events = vec![(6, six), (12, exit)];
    let labels = EventLabels::place(&style, rect, 1580, &x, &events);
    // Six events of one period: six labels, stacked, none cut.
    let of_six: Vec<&String> = labels
        .placed
        .iter()
        .filter(|p| p.3.starts_with("A value"))
        .map(|p| &p.3)
        .collect();
    assert_eq!(of_six.len(), 6);
    assert!(of_six.iter().all(|t| !t.contains('…')));
    for (left, right, _) in spans(&style, &labels) {
        assert!(left >= rect.left - 1 && right <= 1581, "{left}..{right}");
    }
    // Labels in a row do not touch.
    let mut by_row = spans(&style, &labels);
    by_row.sort_by_key(|&(l, _, r)| (r, l));
    for w in by_row.windows(2) {
        assert!(w[0].2 != w[1].2 || w[0].1 < w[1].0, "{w:?}");
    }
    // The exit goes on below, whole; one of 1000 letters ends in "…" (below).
    let text: Vec<&str> = labels.placed.iter().map(|p| p.3.as_str()).collect();
    assert!(
        text.concat()
            .contains(&format!("{} exits", "N".repeat(120)))
    );
    assert!(!text.iter().any(|t| t.ends_with('…')));
    assert!(labels.height(&style) <= (style.size.height as f64 * 0.25) as i32 + 10);
    assert_eq!(labels.lines.len(), 2, "one line per period");
    let again = EventLabels::place(&style, rect, 1580, &x, &[(12, huge)]);
    assert_eq!(again.placed.len(), layout::LABEL_LINES);
    assert!(again.placed[2].3.ends_with('…'));
    for (left, right, _) in spans(&style, &again) {
        assert!(left >= rect.left - 1 && right <= 1581, "{left}..{right}");
    }
}

#[test]
fn labels_beyond_the_rows_allowed_are_left_out_and_narrow_bands_do_not_panic() {
    let style = Style::new(Size::SCREEN, true);
    let x = period_axis(1.0, 12.0);
    let many: Vec<(u32, String)> = (0..100).map(|i| (5, format!("event {i}"))).collect();
    let rect = Rect {
        left: 200,
        top: 300,
        right: 1500,
        bottom: 900,
    };
    let labels = EventLabels::place(&style, rect, 1580, &x, &many);
    let max_rows =
        (style.size.height as f64 * 0.25 / (style.size.px(pt::ANNOTATION) * 1.3)) as usize;
    assert!(labels.rows <= max_rows && labels.placed.len() < 100);
    // A band narrower than any label, or reversed.
    for (left, right) in [(200, 201), (200, 100)] {
        let rect = Rect {
            left,
            right,
            ..rect
        };
        let labels = EventLabels::place(&style, rect, right, &x, &many);
        assert!(labels.rows <= max_rows);
    }
}
