//! The evaluation as one self-contained HTML page with inline SVG plots (plotters).

use crate::text::{pct, profile_cells};
use plotters::prelude::*;
use refiner_core::eval::{Evaluation, HIST_BINS};
use std::fmt::Write;

const SIZE: (u32, u32) = (520, 360);
const COLORS: [RGBColor; 3] = [RGBColor(31, 119, 180), RGBColor(214, 39, 40), RGBColor(44, 160, 44)];
const RULES: RGBColor = RGBColor(150, 150, 150);
const REFINED: RGBColor = RGBColor(31, 119, 180);
/// ROC x axis starts here: the false-positive rates that matter are the small ones.
const MIN_FPR: f64 = 1e-4;

type Plot<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// A chart with this report's caption font, margins and label areas.
fn builder<'a, 'b>(root: &'a Plot<'b>, title: impl AsRef<str>, y_label_area: u32) -> ChartBuilder<'a, 'b, SVGBackend<'b>> {
    let mut b = ChartBuilder::on(root);
    b.caption(title.as_ref(), ("sans-serif", 16)).margin(12).x_label_area_size(36).y_label_area_size(y_label_area);
    b
}

/// Draws into an SVG string; plotting errors become the error text.
fn svg(draw: impl FnOnce(&Plot) -> Result<(), Box<dyn std::error::Error>>) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        draw(&root).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

fn roc(e: &Evaluation) -> Result<String, String> {
    svg(|root| {
        let mut chart = builder(root, "ROC per threat (log false-positive rate)", 44)
            .build_cartesian_2d((MIN_FPR..1.0).log_scale(), 0.0..1.0)?;
        chart.configure_mesh().x_desc("false-positive rate").y_desc("true-positive rate").draw()?;
        for (h, color) in e.heads.iter().zip(COLORS) {
            let pts = h.roc.iter().map(|&(x, y)| (x.max(MIN_FPR), y));
            let label = format!("{} (AUC {})", h.threat, h.auc.map_or("—".into(), |a| format!("{a:.4}")));
            chart.draw_series(LineSeries::new(pts, color.stroke_width(2)))?.label(label).legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], color));
        }
        chart.configure_series_labels().position(SeriesLabelPosition::LowerRight).background_style(WHITE).border_style(BLACK).draw()?;
        Ok(())
    })
}

fn pr(e: &Evaluation) -> Result<String, String> {
    svg(|root| {
        let mut chart = builder(root, "Precision-recall per threat", 44)
            .build_cartesian_2d(0.0..1.0, 0.0..1.0)?;
        chart.configure_mesh().x_desc("recall").y_desc("precision").draw()?;
        for (h, color) in e.heads.iter().zip(COLORS) {
            chart.draw_series(LineSeries::new(h.pr.iter().copied(), color.stroke_width(2)))?.label(h.threat).legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], color));
        }
        chart.configure_series_labels().position(SeriesLabelPosition::LowerLeft).background_style(WHITE).border_style(BLACK).draw()?;
        Ok(())
    })
}

/// Share of legitimate vs threat rows per score bin, on a log axis (the tails are what matter).
fn histogram(e: &Evaluation, head: usize) -> Result<String, String> {
    let h = &e.heads[head];
    let share = |counts: &[u64]| {
        let total = counts.iter().sum::<u64>().max(1) as f64;
        counts.iter().map(|&c| (c as f64 / total).max(1e-5)).collect::<Vec<_>>()
    };
    let (legit, threat) = (share(&h.hist_legit), share(&h.hist_threat));
    let width = 1.0 / HIST_BINS as f64;
    svg(|root| {
        let mut chart = builder(root, format!("{} probability: legitimate vs {}", h.threat, h.threat), 52)
            .build_cartesian_2d(0.0..1.0, (1e-5..1.0).log_scale())?;
        chart.configure_mesh().x_desc("calibrated probability").y_desc("share of rows").draw()?;
        for (values, color, label, offset) in [(&legit, RULES, "legitimate", 0.0), (&threat, COLORS[head], h.threat, width / 2.0)] {
            let bars = values.iter().enumerate().map(move |(i, &v)| {
                let x0 = i as f64 * width + offset;
                Rectangle::new([(x0, 1e-5), (x0 + width / 2.0, v)], color.filled())
            });
            chart.draw_series(bars)?.label(label).legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
        }
        chart.configure_series_labels().position(SeriesLabelPosition::UpperMiddle).background_style(WHITE).border_style(BLACK).draw()?;
        Ok(())
    })
}

/// Rules vs refined per profile, for one rate (false positives or blocked threats).
fn profile_bars(e: &Evaluation, title: &str, rate: impl Fn(&refiner_core::eval::ProfileReport) -> (Option<f64>, Option<f64>)) -> Result<String, String> {
    let rows: Vec<_> = e.profiles.iter().map(|p| (p.profile, rate(p))).collect();
    let top = rows.iter().flat_map(|(_, (a, b))| [a.unwrap_or(0.0), b.unwrap_or(0.0)]).fold(0.0, f64::max).max(1e-3) * 1.15;
    svg(|root| {
        let mut chart = builder(root, title, 52)
            .build_cartesian_2d(-0.5..rows.len() as f64 - 0.5, 0.0..100.0 * top)?;
        let names: Vec<&str> = rows.iter().map(|(n, _)| *n).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(rows.len())
            // Ticks fall on the integers, the centre of each profile's pair of bars.
            .x_label_formatter(&|x| if x.fract().abs() < 1e-9 && *x >= 0.0 { names.get(x.round() as usize).map_or(String::new(), |n| n.to_string()) } else { String::new() })
            .y_desc("%")
            .draw()?;
        for (side, color, label) in [(0usize, RULES, "rules only"), (1, REFINED, "refined")] {
            let bars = rows.iter().enumerate().map(move |(i, (_, r))| {
                let v = 100.0 * if side == 0 { r.0 } else { r.1 }.unwrap_or(0.0);
                let x0 = i as f64 - 0.4 + 0.4 * side as f64;
                Rectangle::new([(x0, 0.0), (x0 + 0.38, v)], color.filled())
            });
            chart.draw_series(bars)?.label(label).legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
        }
        chart.configure_series_labels().position(SeriesLabelPosition::UpperRight).background_style(WHITE).border_style(BLACK).draw()?;
        Ok(())
    })
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The whole report page.
pub fn evaluation_html(e: &Evaluation) -> Result<String, String> {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html><meta charset=utf-8><title>request-refiner evaluation: {model}</title>\
         <style>body{{font:14px system-ui,sans-serif;margin:2em;max-width:1120px}}table{{border-collapse:collapse;margin:1em 0}}\
         td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}td:first-child,th:first-child{{text-align:left}}\
         .plots{{display:flex;flex-wrap:wrap;gap:8px}}pre{{background:#f6f6f6;padding:1em;overflow:auto}}</style>\
         <h1>Evaluation of {model}</h1><p>{n} samples, {legit} legitimate. Each row is refined with the profile of its route \
         (signup, login, checkout, api; anything else uses default), at that profile's thresholds; \
         rules-only blocks what the rules denied.</p>",
        model = escape(&e.model),
        n = e.samples,
        legit = e.legit
    );
    h.push_str("<h2>Per profile</h2><table><tr><th>profile<th>legitimate<th>threats<th>false positives, rules<th>refined<th>refined challenges of legitimate<th>blocked threats, rules<th>refined<th>kept of rules' blocks<th>blocked of rules' misses</tr>");
    for p in &e.profiles {
        let _ = write!(h, "<tr><td>{}</tr>", profile_cells(p).join("<td>"));
    }
    h.push_str("</table><div class=plots>");
    h.push_str(&profile_bars(e, "False positives on legitimate traffic", |p| (p.rules_fpr(), p.refined_fpr()))?);
    h.push_str(&profile_bars(e, "Threats blocked", |p| (p.rules_recall(), p.refined_recall()))?);
    h.push_str("</div><h2>Per threat</h2><table><tr><th>threat<th>positives<th>AUC<th>expected calibration error</tr>");
    for x in &e.heads {
        let _ = write!(h, "<tr><td>{}<td>{}<td>{}<td>{:.4}</tr>", x.threat, x.positives, x.auc.map_or("—".into(), |a| format!("{a:.4}")), x.ece);
    }
    h.push_str("</table><div class=plots>");
    h.push_str(&roc(e)?);
    h.push_str(&pr(e)?);
    for k in 0..e.heads.len() {
        h.push_str(&histogram(e, k)?);
    }
    h.push_str("</div><h2>Per scenario</h2><table><tr><th>scenario<th>threat<th>samples<th>rules deny<th>refined deny<th>refined challenge</tr>");
    for s in &e.scenarios {
        let rate = |n: usize| pct(Some(n as f64 / s.samples.max(1) as f64));
        let _ = write!(h, "<tr><td>{}<td>{}<td>{}<td>{}<td>{}<td>{}</tr>", escape(&s.scenario), if s.threat { "yes" } else { "" }, s.samples, rate(s.rules_denied), rate(s.refined_denied), rate(s.refined_challenged));
    }
    let _ = write!(h, "</table><h2>All numbers</h2><pre>{}</pre>", escape(&crate::text::evaluation_table(e)));
    Ok(h)
}
