//! Charts as SVG a person can read: a title, both axes with ticks and
//! labels, one coloured series per value of the dimensions after the
//! first, and a legend. The x axis is the first dimension (days, weeks,
//! platforms or themes); the y axis is the mean sentiment for sentiment
//! queries and the message count for theme queries. Suppressed cells are
//! gaps, never zeros.
//!
//! All text is escaped; nothing from the data is written unescaped. The
//! CLI's `--svg` and the staff console draw with this one module, so a
//! chart reads the same wherever it is shown.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use candor_service::analytics::{AnalyticsReport, Measure};

const W: f64 = 960.0;
const H: f64 = 540.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 200.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 90.0;
/// Colour-blind-safe palette (Okabe and Ito).
const COLOURS: [&str; 8] = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A "nice" step for about `ticks` intervals over `span`: 1, 2 or 5 times
/// a power of ten.
fn nice_step(span: f64, ticks: f64) -> f64 {
    let raw = (span / ticks).max(f64::MIN_POSITIVE);
    let magnitude = 10f64.powf(raw.log10().floor());
    let m = raw / magnitude;
    let nice = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// What a chart shows: one value (or a gap) per cell, keyed as the report
/// keys it.
pub struct Chart<'a> {
    /// The title.
    pub title: String,
    /// The dimensions, in key order.
    pub dimensions: &'a [String],
    /// Which dimension runs along the x axis.
    pub x_dim: usize,
    /// The y axis' label.
    pub y_label: &'a str,
    /// A fixed y range with its tick step, or `None` for 0 to the largest value.
    pub y_fixed: Option<(f64, f64, f64)>,
    /// Tick labels with a sign (`+0.5`).
    pub signed: bool,
    /// Each cell's key and value; `None` is a gap.
    pub cells: Vec<(&'a [String], Option<f64>)>,
    /// Cells suppressed, and the k they fell under.
    pub suppressed: usize,
    /// The k.
    pub k: u32,
    /// The words around the figures, in the reader's language (`None`:
    /// English, as the CLI writes them).
    pub words: Option<ChartWords>,
}

/// A chart's words in another language: the x axis' title and the line
/// saying how many cells were suppressed.
pub struct ChartWords {
    /// The x axis' title (else the dimension's name).
    pub x_axis: String,
    /// The note under a chart with suppressed cells.
    pub suppressed: String,
}

/// Draw an analytics report: mean sentiment, or messages per theme.
pub fn chart(r: &AnalyticsReport) -> String {
    let y_label = match r.measure {
        Measure::Sentiment => "mean sentiment (−1 … +1)",
        Measure::Themes => "messages",
    };
    report_chart(r, format!("{} by {}", r.measure.as_str(), r.dimensions.join(", ")), y_label, |_| None)
}

/// Draw an analytics report under `title` and `y_label`, with the words
/// `words` gives for the x axis' dimension (`None`: English).
pub fn report_chart(r: &AnalyticsReport, title: String, y_label: &str, words: impl Fn(&str) -> Option<ChartWords>) -> String {
    let cells = r
        .cells
        .iter()
        .map(|c| {
            let v = match r.measure {
                Measure::Sentiment => c.mean_sentiment,
                Measure::Themes => c.interactions,
            };
            (c.key.as_slice(), v.filter(|_| c.suppressed.is_none()))
        })
        .collect();
    // Themes go along the x axis of a theme chart; otherwise the first dimension.
    let x_dim = match r.measure {
        Measure::Themes => r.dimensions.iter().position(|d| d == "theme").unwrap_or(0),
        Measure::Sentiment => 0,
    };
    draw(&Chart {
        title,
        dimensions: &r.dimensions,
        x_dim,
        y_label,
        y_fixed: (r.measure == Measure::Sentiment).then_some((-1.0, 1.0, 0.5)),
        signed: r.measure == Measure::Sentiment,
        cells,
        suppressed: r.suppressed,
        k: r.k,
        words: words(r.dimensions.get(x_dim).map_or("", String::as_str)),
    })
}

/// Draw a chart: a line per series over time when the x axis is a time
/// dimension, grouped bars otherwise (platforms, themes, accounts).
pub fn draw(ch: &Chart<'_>) -> String {
    let x_dim = ch.x_dim;
    let over_time = matches!(ch.dimensions.get(x_dim).map(String::as_str), Some("day" | "week" | "month"));
    let mut xs: Vec<String> = Vec::new();
    let mut series: BTreeMap<String, BTreeMap<usize, f64>> = BTreeMap::new();
    for (key, value) in &ch.cells {
        let x = key.get(x_dim).cloned().unwrap_or_default();
        let xi = match xs.iter().position(|v| *v == x) {
            Some(i) => i,
            None => {
                xs.push(x);
                xs.len() - 1
            }
        };
        let rest: Vec<&str> = key.iter().enumerate().filter(|(i, _)| *i != x_dim).map(|(_, k)| k.as_str()).collect();
        let name = if rest.is_empty() { ch.y_label.to_owned() } else { rest.join(" · ") };
        let points = series.entry(name).or_default();
        if let Some(v) = value {
            points.insert(xi, *v);
        }
    }
    // A series with nothing to draw (every cell hidden, or no score for
    // its language) stays out of the legend.
    series.retain(|_, p| !p.is_empty());
    let (y_min, y_max, step) = match ch.y_fixed {
        Some(fixed) => fixed,
        None => {
            let top = series.values().flat_map(|p| p.values().copied()).fold(0.0, f64::max).max(1.0);
            let step = nice_step(top, 5.0);
            (0.0, (top / step).ceil() * step, step)
        }
    };
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let n_x = xs.len().max(1) as f64;
    let x_at = |i: usize| {
        if over_time {
            LEFT + if xs.len() <= 1 { plot_w / 2.0 } else { plot_w * i as f64 / (xs.len() - 1) as f64 }
        } else {
            LEFT + plot_w * (i as f64 + 0.5) / n_x
        }
    };
    let y_at = |v: f64| TOP + plot_h * (1.0 - (v - y_min) / (y_max - y_min));

    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">"#
    );
    let _ = write!(s, r#"<title>{}</title><rect width="100%" height="100%" fill="white"/>"#, esc(&ch.title));
    let _ = write!(s, r#"<text x="{}" y="28" font-size="16" font-weight="bold">{}</text>"#, LEFT, esc(&ch.title));
    // Grid and y axis labels.
    let mut v = y_min;
    while v <= y_max + step / 2.0 {
        let y = y_at(v);
        let _ = write!(s, r##"<line x1="{LEFT}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#ddd"/>"##, LEFT + plot_w);
        let label = if ch.signed { format!("{v:+.1}") } else { format!("{v:.0}") };
        let _ = write!(s, r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#, LEFT - 6.0, y + 4.0, esc(&label));
        v += step;
    }
    let _ = write!(s, r#"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{}" stroke="black"/>"#, TOP + plot_h);
    let _ = write!(s, r#"<line x1="{LEFT}" y1="{0}" x2="{1}" y2="{0}" stroke="black"/>"#, TOP + plot_h, LEFT + plot_w);
    let _ = write!(
        s,
        r#"<text transform="translate(18 {:.1}) rotate(-90)" text-anchor="middle">{}</text>"#,
        TOP + plot_h / 2.0,
        esc(ch.y_label)
    );
    // At most ~12 x labels, evenly thinned.
    let every = xs.len().div_ceil(12).max(1);
    for (i, x) in xs.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let _ = write!(
            s,
            r#"<text transform="translate({:.1} {:.1}) rotate(-35)" text-anchor="end">{}</text>"#,
            x_at(i),
            TOP + plot_h + 16.0,
            esc(x)
        );
    }
    let x_label = match &ch.words {
        Some(w) => w.x_axis.as_str(),
        None => ch.dimensions.get(x_dim).map_or("", String::as_str),
    };
    let _ = write!(s, r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#, LEFT + plot_w / 2.0, H - 10.0, esc(x_label));
    let zero = y_at(0.0_f64.clamp(y_min, y_max));
    let n_series = series.len().max(1) as f64;
    let band = plot_w / n_x * 0.8;
    for (n, (name, points)) in series.iter().enumerate() {
        let colour = COLOURS[n % COLOURS.len()];
        if over_time {
            // Lines join neighbouring points only: a hidden cell is a gap.
            let mut path = String::new();
            let mut prev: Option<usize> = None;
            for (&i, &v) in points {
                let cmd = if prev == Some(i.wrapping_sub(1)) { 'L' } else { 'M' };
                let _ = write!(path, "{cmd}{:.1} {:.1} ", x_at(i), y_at(v));
                prev = Some(i);
            }
            let _ = write!(s, r#"<path d="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#, path.trim_end());
            for (&i, &v) in points {
                let _ = write!(s, r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{colour}"/>"#, x_at(i), y_at(v));
            }
        } else {
            let w = band / n_series;
            for (&i, &v) in points {
                let x = x_at(i) - band / 2.0 + w * n as f64;
                let (top, bottom) = if y_at(v) < zero { (y_at(v), zero) } else { (zero, y_at(v)) };
                let _ = write!(
                    s,
                    r#"<rect x="{x:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="{colour}"><title>{}</title></rect>"#,
                    (w - 1.0).max(1.0),
                    (bottom - top).max(0.5),
                    esc(&format!("{}: {v:.2}", xs[i]))
                );
            }
        }
        // Legend, at most 20 entries.
        if n < 20 {
            let ly = TOP + 18.0 * n as f64;
            let lx = LEFT + plot_w + 20.0;
            let _ = write!(s, r#"<rect x="{lx}" y="{:.1}" width="12" height="12" fill="{colour}"/>"#, ly);
            let _ = write!(s, r#"<text x="{}" y="{:.1}">{}</text>"#, lx + 18.0, ly + 10.0, esc(name));
        } else if n == 20 {
            let _ =
                write!(s, r#"<text x="{}" y="{:.1}">… {} more</text>"#, LEFT + plot_w + 20.0, TOP + 18.0 * 20.0 + 10.0, series.len() - 20);
        }
    }
    if ch.suppressed > 0 {
        let note = match &ch.words {
            Some(w) => esc(&w.suppressed),
            None => format!("{} cells suppressed (fewer than {} customers, or recoverable from a total) are left out", ch.suppressed, ch.k),
        };
        let _ = write!(s, r##"<text x="{LEFT}" y="{}" fill="#555">{note}</text>"##, H - 28.0);
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use candor_service::analytics::{AnalyticsReport, Cell};

    #[test]
    fn a_chart_in_another_language_takes_its_words_escaped() {
        let key = ["2024-05-13".to_owned()];
        let dims = ["week".to_owned()];
        let svg = draw(&Chart {
            title: "Mensajes por semana".into(),
            dimensions: &dims,
            x_dim: 0,
            y_label: "mensajes",
            y_fixed: None,
            signed: false,
            cells: vec![(&key[..], Some(4.0))],
            suppressed: 2,
            k: 5,
            words: Some(ChartWords { x_axis: "Semana".into(), suppressed: "2 celdas ocultas <5".into() }),
        });
        assert!(svg.contains(">Semana<") && !svg.contains(">week<"), "the x axis in the reader's words");
        assert!(svg.contains("2 celdas ocultas &lt;5") && !svg.contains("cells suppressed"), "{svg}");
    }

    fn report(measure: Measure, dimensions: &[&str], cells: Vec<Cell>) -> AnalyticsReport {
        AnalyticsReport {
            measure,
            dimensions: dimensions.iter().map(|d| (*d).to_owned()).collect(),
            from: None,
            to: None,
            purpose: "analytics",
            policy_version: 1,
            k: 5,
            subjects_excluded: 0,
            suppressed: cells.iter().filter(|c| c.suppressed.is_some()).count(),
            cells,
            total: None,
            privacy: None,
        }
    }

    fn cell(key: &[&str], messages: f64, mean: f64) -> Cell {
        Cell {
            key: key.iter().map(|k| (*k).to_owned()).collect(),
            interactions: Some(messages),
            mean_sentiment: Some(mean),
            ..Cell::default()
        }
    }

    #[test]
    fn a_time_chart_has_axes_a_legend_and_escaped_labels() {
        let mut hidden = cell(&["2024-05-14", "x"], 3.0, 0.9);
        hidden.suppressed = Some("fewer_than_k");
        hidden.mean_sentiment = None;
        let r = report(
            Measure::Sentiment,
            &["day", "platform"],
            vec![cell(&["2024-05-13", "x"], 10.0, -0.2), hidden, cell(&["2024-05-13", "<script>"], 10.0, 0.4)],
        );
        let svg = chart(&r);
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        for text in ["sentiment by day, platform", "mean sentiment", ">day<", ">2024-05-13<", ">x<", "+1.0", "-1.0", "1 cells suppressed"] {
            assert!(svg.contains(text), "{text} missing");
        }
        assert!(svg.contains("&lt;script&gt;") && !svg.contains("<script>"), "data is escaped");
        assert!(svg.contains("<path"), "a line per series");
    }

    #[test]
    fn a_theme_chart_is_bars_along_the_themes() {
        let r = report(
            Measure::Themes,
            &["month", "theme"],
            vec![cell(&["2024-05-01", "delay"], 120.0, -0.3), cell(&["2024-05-01", "praise"], 40.0, 0.6)],
        );
        let svg = chart(&r);
        assert!(svg.contains(">theme<"), "themes on the x axis");
        assert!(svg.contains(">delay<") && svg.contains(">praise<"));
        assert_eq!(svg.matches("<rect x=").count(), 2 + 1, "two bars and one legend entry");
        assert!(svg.contains(">150<"), "nice ticks up to 150");
    }
}
