//! SVG charts for the report: the ladder over time (one line per actor, in the scenario's
//! colours, end labels laid out so they never overlap and never leave the picture) and small
//! sparklines.

use std::fmt::Write as _;

use super::escape;
use crate::view::debrief::{DebriefView, RungSeries};

/// Height of one label line in the chart, in SVG units (font size 13 plus leading).
pub const LABEL_GAP: f64 = 16.0;

/// Average advance of a character at font size 13 (sans-serif), generous so text is not clipped.
const CHAR_W: f64 = 7.6;

/// Positions for labels that want to sit at `desired` (y, any order): each label keeps at least
/// `gap` from the next, all stay within `lo..=hi`, and the order of the desired positions is
/// kept. When they cannot all fit, they are spread evenly over the range.
pub fn layout_labels(desired: &[f64], gap: f64, lo: f64, hi: f64) -> Vec<f64> {
    let n = desired.len();
    if n == 0 {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| desired[a].total_cmp(&desired[b]).then(a.cmp(&b)));
    let mut placed = vec![0.0; n];
    if gap * (n - 1) as f64 > hi - lo {
        let step = if n > 1 {
            (hi - lo) / (n - 1) as f64
        } else {
            0.0
        };
        for (k, &i) in order.iter().enumerate() {
            placed[i] = lo + step * k as f64;
        }
        return placed;
    }
    // Push down from the top, then back up from the bottom.
    let mut ys: Vec<f64> = order.iter().map(|&i| desired[i].clamp(lo, hi)).collect();
    for k in 1..n {
        ys[k] = ys[k].max(ys[k - 1] + gap);
    }
    if ys[n - 1] > hi {
        ys[n - 1] = hi;
        for k in (0..n - 1).rev() {
            ys[k] = ys[k].min(ys[k + 1] - gap);
        }
    }
    for (k, &i) in order.iter().enumerate() {
        placed[i] = ys[k];
    }
    placed
}

/// The ladder over time as an SVG line chart: rungs across, named thresholds dashed, one line
/// per actor in its colour with a marker shape, and the actor's name at the end of its line.
pub fn ladder_svg(d: &DebriefView) -> String {
    series_svg(d, &d.series, None)
}

/// A ladder chart of `series` (the debrief's, or a branch's), optionally titled.
pub fn series_svg(d: &DebriefView, series: &[RungSeries], title: Option<&str>) -> String {
    let rungs = d.ladder.len().max(2);
    let turns = series
        .iter()
        .map(|s| s.rungs.len())
        .max()
        .unwrap_or(0)
        .max(2)
        - 1;
    let longest_rung = d
        .ladder
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(4);
    let longest_actor = series
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(4);
    let left = 16.0 + CHAR_W * longest_rung as f64;
    let right = 40.0 + CHAR_W * longest_actor as f64;
    let top = if title.is_some() { 44.0 } else { 20.0 };
    let row = 44.0_f64.max(LABEL_GAP * series.len() as f64 / rungs as f64 + 4.0);
    let plot_h = row * (rungs - 1) as f64;
    let plot_w = (60.0 * turns as f64).max(520.0);
    let (w, h) = (left + plot_w + right, top + plot_h + 46.0);
    let x = |t: usize| left + plot_w * t as f64 / turns as f64;
    let y = |r: usize| top + plot_h * (1.0 - r as f64 / (rungs - 1) as f64);
    let mut s = format!(
        "<svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w:.0} {h:.0}\" width=\"{w:.0}\" height=\"{h:.0}\" font-family=\"sans-serif\" font-size=\"13\" role=\"img\">"
    );
    if let Some(t) = title {
        let _ = write!(
            s,
            "<text x=\"{left:.1}\" y=\"22\" font-size=\"16\" font-weight=\"bold\">{}</text>",
            escape(t)
        );
    }
    let mut threshold_labels = String::new();
    for r in &d.ladder {
        let yy = y(r.position);
        let _ = write!(
            s,
            "<line x1=\"{left:.1}\" x2=\"{:.1}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#ddd\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#333\">{}</text>",
            left + plot_w,
            left - 8.0,
            yy + 4.0,
            escape(&r.name)
        );
        if let Some(th) = &r.threshold_above {
            let ty = (yy + y(r.position + 1)) / 2.0;
            let colour = if th.crossed_on.is_some() {
                "#a40000"
            } else {
                "#c77800"
            };
            let _ = write!(
                s,
                "<line x1=\"{left:.1}\" x2=\"{:.1}\" y1=\"{ty:.1}\" y2=\"{ty:.1}\" stroke=\"{colour}\" stroke-dasharray=\"7 4\"/>",
                left + plot_w,
            );
            // Drawn over the lines, with a white halo, so a line never hides it.
            let _ = write!(
                threshold_labels,
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{colour}\" font-size=\"12\" font-style=\"italic\" stroke=\"#fff\" stroke-width=\"4\" paint-order=\"stroke\">{}{}</text>",
                left + 6.0,
                ty - 4.0,
                escape(&th.name),
                th.crossed_on
                    .map(|t| format!(" — crossed T{t}"))
                    .unwrap_or_default()
            );
        }
    }
    for t in 0..=turns {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
            x(t),
            top + plot_h + 22.0,
            if t == 0 {
                "start".to_string()
            } else {
                format!("T{t}")
            }
        );
    }
    // Lines that share a rung at a turn are drawn side by side.
    let (slots, most) = crate::view::debrief::shared_rung_slots(series);
    let spread = (row * 0.7 / most as f64).min(6.0);
    let mut ends = Vec::new();
    for (k, sr) in series.iter().enumerate() {
        if sr.rungs.is_empty() {
            continue;
        }
        let pts: Vec<(f64, f64)> = sr
            .rungs
            .iter()
            .enumerate()
            .map(|(t, &r)| (x(t), y(r) + f64::from(slots[k][t]) * spread))
            .collect();
        let path: Vec<String> = pts.iter().map(|(a, b)| format!("{a:.1},{b:.1}")).collect();
        let _ = write!(
            s,
            "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"3\" stroke-linejoin=\"round\" points=\"{}\"><title>{}</title></polyline>",
            sr.colour,
            path.join(" "),
            escape(&sr.name)
        );
        for &(px, py) in &pts {
            let _ = write!(s, "{}", marker(sr.index, px, py, &sr.colour));
        }
        let last = *pts.last().unwrap_or(&(left, top));
        ends.push((k, last));
    }
    s.push_str(&threshold_labels);
    let desired: Vec<f64> = ends.iter().map(|(_, (_, y))| *y).collect();
    let placed = layout_labels(&desired, LABEL_GAP, top + 4.0, top + plot_h + 4.0);
    for ((k, (ex, ey)), ly) in ends.iter().zip(placed) {
        let sr = &series[*k];
        let lx = left + plot_w + 22.0;
        let _ = write!(
            s,
            "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1\" points=\"{ex:.1},{ey:.1} {:.1},{ly:.1} {:.1},{ly:.1}\"/><text class=\"end-label\" x=\"{lx:.1}\" y=\"{:.1}\" fill=\"#1d1d1f\">{}</text>",
            sr.colour,
            left + plot_w + 10.0,
            lx - 3.0,
            ly + 4.5,
            escape(&sr.name)
        );
    }
    s.push_str("</svg>");
    s
}

/// A marker of the actor's shape (so colour never carries meaning alone).
fn marker(index: usize, x: f64, y: f64, colour: &str) -> String {
    let style = format!("fill=\"{colour}\" stroke=\"#222\" stroke-width=\"1\"");
    match index % 4 {
        0 => format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4.5\" {style}/>"),
        1 => format!(
            "<polygon points=\"{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" {style}/>",
            x,
            y - 5.5,
            x + 5.0,
            y + 4.0,
            x - 5.0,
            y + 4.0
        ),
        2 => format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"8\" height=\"8\" {style}/>",
            x - 4.0,
            y - 4.0
        ),
        _ => format!(
            "<polygon points=\"{:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" {style}/>",
            x,
            y - 5.5,
            x + 5.5,
            y,
            x,
            y + 5.5,
            x - 5.5,
            y
        ),
    }
}

/// A small inline line chart of values over the turns.
pub fn sparkline(values: &[i32], colour: &str) -> String {
    let (w, h) = (160.0, 32.0);
    let lo = values.iter().copied().min().unwrap_or(0);
    let hi = values.iter().copied().max().unwrap_or(1).max(lo + 1);
    let n = values.len().max(2) - 1;
    let pts: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            format!(
                "{:.1},{:.1}",
                4.0 + (w - 8.0) * i as f64 / n as f64,
                h - 4.0 - (h - 8.0) * f64::from(v - lo) / f64::from(hi - lo)
            )
        })
        .collect();
    format!(
        "<svg class=\"spark\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" style=\"border:none;vertical-align:middle\"><polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\" points=\"{}\"/></svg>",
        pts.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_keep_their_gap_and_stay_inside() {
        // Seven actors ending on two rungs, as in the default scenario.
        let desired = [100.0, 100.0, 100.0, 40.0, 40.0, 100.0, 300.0];
        let placed = layout_labels(&desired, 16.0, 20.0, 300.0);
        let mut sorted = placed.clone();
        sorted.sort_by(f64::total_cmp);
        for w in sorted.windows(2) {
            assert!(w[1] - w[0] >= 16.0 - 1e-9, "{placed:?}");
        }
        assert!(
            placed.iter().all(|&y| (20.0..=300.0).contains(&y)),
            "{placed:?}"
        );
        // The label of the line at the bottom stays at the bottom.
        assert_eq!(placed[6], 300.0);
        // Order is kept: the two at 40 stay above the ones at 100.
        assert!(placed[3] < placed[0] && placed[4] < placed[0]);
    }

    #[test]
    fn too_many_labels_are_spread_over_the_range() {
        let placed = layout_labels(&[5.0; 5], 30.0, 0.0, 40.0);
        assert_eq!(placed, vec![0.0, 10.0, 20.0, 30.0, 40.0]);
    }
}
