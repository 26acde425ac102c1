//! Plain-text views for terminals: a model's card and an evaluation's tables.

use refiner_core::eval::{Evaluation, ProfileReport};
use refiner_core::features::{schema_hash, N_FEATURES};
use refiner_core::model::{Model, Threat, FORMAT_VERSION};
use std::fmt::Write;

pub(crate) fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{:.2}%", 100.0 * v))
}

/// Version, schema, shapes, training metadata, metrics and thresholds of a model.
pub fn model_summary(m: &Model) -> String {
    let mut s = String::new();
    let meta = &m.meta;
    let _ = writeln!(s, "version       {}", m.version());
    let _ = writeln!(s, "format        {FORMAT_VERSION}");
    let _ = writeln!(s, "schema        {:016x} ({N_FEATURES} features)", schema_hash());
    let _ = writeln!(s, "shape         {N_FEATURES} → {} → {}", m.hidden_size(), Threat::ALL.len());
    let _ = writeln!(s, "trained       seed {} on {} ({} train / {} held out), {} epochs", meta.seed, meta.corpus, meta.train_samples, meta.validation_samples, meta.epochs);
    for (k, v) in &meta.metrics {
        let _ = writeln!(s, "metric        {k} = {v:.4}");
    }
    let heads: Vec<_> = Threat::ALL.iter().map(|t| t.name()).collect();
    let _ = writeln!(s, "thresholds    challenge / deny for {}", heads.join(", "));
    for p in m.profiles() {
        if let Some(t) = m.thresholds(p) {
            let pairs: Vec<_> = (0..heads.len()).map(|k| format!("{:.3}/{:.3}", t.challenge[k], t.deny[k])).collect();
            let _ = writeln!(s, "  {p:<10}  {}", pairs.join("  "));
        }
    }
    s
}

/// A profile's row: name, legitimate, threats, false positives rules / refined, refined challenges
/// of legitimate, blocked threats rules / refined, kept of rules' blocks, blocked of rules' misses.
pub(crate) fn profile_cells(p: &ProfileReport) -> [String; 10] {
    let challenged = (p.legit > 0).then(|| p.refined_challenged_legit as f64 / p.legit as f64);
    [
        p.profile.to_string(),
        p.legit.to_string(),
        p.threats.to_string(),
        pct(p.rules_fpr()),
        pct(p.refined_fpr()),
        pct(challenged),
        pct(p.rules_recall()),
        pct(p.refined_recall()),
        pct(p.kept_share()),
        pct(p.missed_share()),
    ]
}

fn profile_row(p: &ProfileReport) -> String {
    let [name, legit, threats, rules_fp, refined_fp, _, rules_tp, refined_tp, kept, missed] = profile_cells(p);
    format!("{name:<9} {legit:>7} {threats:>7}  {rules_fp:>8} → {refined_fp:<8} {rules_tp:>8} → {refined_tp:<8} {kept:>8} {missed:>8}")
}

/// The evaluation as tables: per threat, per profile (rules → refined), per scenario, overrides.
pub fn evaluation_table(e: &Evaluation) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "model {} on {} samples ({} legitimate)\n", e.model, e.samples, e.legit);
    let _ = writeln!(s, "threat    positives     AUC     ECE");
    for h in &e.heads {
        let auc = h.auc.map_or_else(|| "—".into(), |a| format!("{a:.4}"));
        let _ = writeln!(s, "{:<9} {:>9} {:>7} {:>7.4}", h.threat, h.positives, auc, h.ece);
    }
    let _ = writeln!(s, "\nprofile     legit threats  false positives     blocked threats      kept of  blocked of");
    let _ = writeln!(s, "                           rules → refined     rules → refined    rules'   rules' miss");
    for p in &e.profiles {
        let _ = writeln!(s, "{}", profile_row(p));
    }
    for (title, rows) in [("scenario", &e.scenarios), ("scenario · source", &e.sources)] {
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n{title:<40} samples  rules deny  refined deny  refined challenge");
        for sc in rows {
            let rate = |n: usize| pct(Some(n as f64 / sc.samples.max(1) as f64));
            let name = if sc.threat { format!("{} *", sc.scenario) } else { sc.scenario.clone() };
            let _ = writeln!(s, "{:<40} {:>7} {:>11} {:>13} {:>18}", name, sc.samples, rate(sc.rules_denied), rate(sc.refined_denied), rate(sc.refined_challenged));
        }
    }
    let o = &e.overrides;
    let share = |a: usize, b: usize| pct((b > 0).then(|| a as f64 / b as f64));
    let _ = writeln!(s, "(* threat scenarios)\n");
    let _ = writeln!(
        s,
        "overrides: of {} rule decisions, {} DENY lifted ({} of those legitimate: {}) and {} ALLOW turned to DENY ({} of those threats: {})",
        o.decisions,
        o.denials_lifted,
        o.denials_lifted_rightly,
        share(o.denials_lifted_rightly, o.denials_lifted),
        o.allows_denied,
        o.allows_denied_rightly,
        share(o.allows_denied_rightly, o.allows_denied),
    );
    s
}
