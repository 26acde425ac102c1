//! Rules-only vs refined on a labeled corpus.

use crate::dataset::Dataset;
use crate::decision::{Coded, Route, RulesConclusion};
use crate::error::Result;
use crate::features::N_FEATURES;
use crate::metrics::{auc, ece, histogram, pr_curve, roc_curve};
use crate::model::{Activations, Model, Scores, Threat};
use crate::policy::{Basis, Conclusion, Mode, Policy, Profile, ThresholdOverride};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// Bins of the score histograms.
pub const HIST_BINS: usize = 20;
/// Points kept per curve: enough for a plot, small enough for a report.
const CURVE_POINTS: usize = 200;
/// Bins of the expected calibration error.
const ECE_BINS: usize = 10;

#[derive(Clone, Debug, Serialize)]
pub struct HeadReport {
    pub threat: &'static str,
    pub positives: usize,
    pub auc: Option<f64>,
    pub ece: f64,
    /// (false-positive rate, true-positive rate).
    pub roc: Vec<(f64, f64)>,
    /// (recall, precision).
    pub pr: Vec<(f64, f64)>,
    /// This head's calibrated probability on legitimate rows, and on rows with this threat.
    pub hist_legit: Vec<u64>,
    pub hist_threat: Vec<u64>,
}

/// One profile, on the rows of its route, at its thresholds. A row is blocked by the rules when
/// they concluded DENY, by the refiner when it concluded DENY; challenges are counted apart.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ProfileReport {
    pub profile: &'static str,
    pub legit: usize,
    pub threats: usize,
    pub rules_false_positives: usize,
    pub refined_false_positives: usize,
    pub refined_challenged_legit: usize,
    pub rules_blocked_threats: usize,
    pub refined_blocked_threats: usize,
    pub refined_challenged_threats: usize,
    /// Threats the rules blocked that the refiner still blocks.
    pub kept_of_rules_blocked: usize,
    /// … or at least challenges.
    pub stopped_of_rules_blocked: usize,
    /// Threats the rules let through that the refiner blocks.
    pub blocked_of_rules_missed: usize,
}

impl ProfileReport {
    fn rate(a: usize, b: usize) -> Option<f64> {
        (b > 0).then(|| a as f64 / b as f64)
    }
    pub fn rules_fpr(&self) -> Option<f64> {
        Self::rate(self.rules_false_positives, self.legit)
    }
    pub fn refined_fpr(&self) -> Option<f64> {
        Self::rate(self.refined_false_positives, self.legit)
    }
    pub fn rules_recall(&self) -> Option<f64> {
        Self::rate(self.rules_blocked_threats, self.threats)
    }
    pub fn refined_recall(&self) -> Option<f64> {
        Self::rate(self.refined_blocked_threats, self.threats)
    }
    pub fn kept_share(&self) -> Option<f64> {
        Self::rate(self.kept_of_rules_blocked, self.rules_blocked_threats)
    }
    pub fn missed_share(&self) -> Option<f64> {
        Self::rate(self.blocked_of_rules_missed, self.threats - self.rules_blocked_threats)
    }
}

/// Outcomes of the rows of one scenario (or one source of material).
#[derive(Clone, Debug, Default, Serialize)]
pub struct ScenarioReport {
    pub scenario: String,
    pub threat: bool,
    pub samples: usize,
    pub rules_denied: usize,
    pub refined_denied: usize,
    pub refined_challenged: usize,
}

/// [`ScenarioReport`] per source of material (a payload list, a client capture…).
pub type SourceReport = ScenarioReport;

/// How often the refiner disagreed with a rule decision, and whether the labels side with it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Overrides {
    /// Rows that carried a rule decision.
    pub decisions: usize,
    pub denials_lifted: usize,
    /// … of which the request was legitimate.
    pub denials_lifted_rightly: usize,
    pub allows_denied: usize,
    /// … of which the request was a threat.
    pub allows_denied_rightly: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    pub model: String,
    pub samples: usize,
    pub legit: usize,
    pub heads: Vec<HeadReport>,
    pub profiles: Vec<ProfileReport>,
    pub scenarios: Vec<ScenarioReport>,
    /// Per scenario and source, for rows that name their source.
    pub sources: Vec<SourceReport>,
    pub overrides: Overrides,
}

/// The profile an app would configure for a route code.
fn profile_of(route: u8) -> Profile {
    use strum::VariantArray;
    let route = Route::from_code(f64::from(route));
    Profile::VARIANTS.iter().copied().find(|p| Some(p.route()) == route).unwrap_or(Profile::Default)
}

/// Calibrated scores of every row, in parallel.
pub(crate) fn score_rows(model: &Model, data: &Dataset) -> Vec<Scores> {
    (0..data.len())
        .into_par_iter()
        .map_init(
            || Activations::new(model),
            |act, i| {
                let x: [f32; N_FEATURES] = std::array::from_fn(|j| data.x[[i, j]]);
                model.score(&x, act)
            },
        )
        .collect()
}

/// Evaluates `model` on `data`: each row through its route's profile's policy, as `refine` would.
pub fn evaluate(model: &Model, data: &Dataset) -> Result<Evaluation> {
    use strum::VariantArray;
    let scores = score_rows(model, data);
    let policies: Vec<Policy> = Profile::VARIANTS.iter().map(|&p| Policy::new(model, p, Mode::Live, ThresholdOverride::default(), false)).collect::<Result<_>>()?;
    let legit: Vec<bool> = (0..data.len()).map(|i| data.is_legit(i)).collect();

    let heads = Threat::ALL
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let probs: Vec<f32> = scores.iter().map(|s| s[k]).collect();
            let labels: Vec<bool> = (0..data.len()).map(|i| data.y[[i, k]] > 0.5).collect();
            HeadReport {
                threat: t.name(),
                positives: labels.iter().filter(|&&y| y).count(),
                auc: auc(&probs, &labels),
                ece: ece(&probs, &labels, ECE_BINS),
                roc: roc_curve(&probs, &labels, CURVE_POINTS),
                pr: pr_curve(&probs, &labels, CURVE_POINTS),
                hist_legit: histogram((0..data.len()).filter(|&i| legit[i]).map(|i| probs[i]), HIST_BINS),
                hist_threat: histogram((0..data.len()).filter(|&i| labels[i]).map(|i| probs[i]), HIST_BINS),
            }
        })
        .collect();

    let mut profiles: Vec<ProfileReport> = Profile::VARIANTS.iter().map(|p| ProfileReport { profile: p.name(), ..Default::default() }).collect();
    let mut scenarios: BTreeMap<&str, ScenarioReport> = BTreeMap::new();
    let mut sources: BTreeMap<(&str, &str), SourceReport> = BTreeMap::new();
    let mut overrides = Overrides::default();
    let verdicts: Vec<_> = (0..data.len()).into_par_iter().map(|i| policies[profile_of(data.routes[i]) as usize].decide(&scores[i], &data.raw_row(i), &data.rules[i])).collect();
    for (i, verdict) in verdicts.iter().enumerate() {
        let profile = profile_of(data.routes[i]);
        let refined = verdict.live;
        let rules = data.rules[i].conclusion;
        let rules_deny = rules == Some(RulesConclusion::Deny);
        let refined_deny = refined == Conclusion::Deny;
        let challenged = refined == Conclusion::Challenge;
        let p = &mut profiles[profile as usize];
        if legit[i] {
            p.legit += 1;
            p.rules_false_positives += usize::from(rules_deny);
            p.refined_false_positives += usize::from(refined_deny);
            p.refined_challenged_legit += usize::from(challenged);
        } else {
            p.threats += 1;
            p.rules_blocked_threats += usize::from(rules_deny);
            p.refined_blocked_threats += usize::from(refined_deny);
            p.refined_challenged_threats += usize::from(challenged);
            p.kept_of_rules_blocked += usize::from(rules_deny && refined_deny);
            p.stopped_of_rules_blocked += usize::from(rules_deny && (refined_deny || challenged));
            p.blocked_of_rules_missed += usize::from(!rules_deny && refined_deny);
        }
        let count = |s: &mut ScenarioReport| {
            s.samples += 1;
            s.rules_denied += usize::from(rules_deny);
            s.refined_denied += usize::from(refined_deny);
            s.refined_challenged += usize::from(challenged);
        };
        count(scenarios.entry(&data.scenarios[i]).or_insert_with(|| ScenarioReport { scenario: data.scenarios[i].clone(), threat: !legit[i], ..Default::default() }));
        if !data.sources[i].is_empty() {
            let key = (data.scenarios[i].as_str(), data.sources[i].as_str());
            count(sources.entry(key).or_insert_with(|| SourceReport { scenario: format!("{} · {}", key.0, key.1), threat: !legit[i], ..Default::default() }));
        }
        if rules.is_some() {
            overrides.decisions += 1;
            if rules_deny && !refined_deny {
                overrides.denials_lifted += 1;
                overrides.denials_lifted_rightly += usize::from(legit[i]);
            } else if !rules_deny && refined_deny {
                overrides.allows_denied += 1;
                overrides.allows_denied_rightly += usize::from(!legit[i]);
            }
        }
        debug_assert!(verdict.basis != Basis::Escalated || !rules_deny);
    }
    Ok(Evaluation {
        model: model.version().to_string(),
        samples: data.len(),
        legit: legit.iter().filter(|&&l| l).count(),
        heads,
        profiles,
        scenarios: scenarios.into_values().collect(),
        sources: sources.into_values().collect(),
        overrides,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::index_of;
    use crate::model::tests::tiny_model;
    use crate::model::N_HEADS;
    use crate::policy::RulesView;
    use ndarray::Array2;

    #[test]
    fn counts_rules_and_refined_outcomes_per_profile() {
        let mut model = tiny_model();
        let t = model.thresholds("default").unwrap();
        use strum::VariantArray;
        for p in Profile::VARIANTS {
            model.set_thresholds(p.name(), t);
        }
        // The tiny model's bot head reads rules.bot_denied (its first bot feature): σ(2·x), so
        // 0.98 (deny) at x = 2; the bot rule's DENY is evidence, so the policy may act on it.
        let bot = index_of("rules.bot_denied");
        let n = 4;
        let deny = RulesView { conclusion: Some(RulesConclusion::Deny), denied_by: 1 << crate::decision::RuleKind::Bot as u32 };
        let allow = RulesView { conclusion: Some(RulesConclusion::Allow), denied_by: 0 };
        let mut data = Dataset {
            x: Array2::zeros((n, N_FEATURES)),
            raw: Array2::zeros((n, N_FEATURES)),
            y: Array2::zeros((n, N_HEADS)),
            routes: vec![0; n],
            rules: vec![deny, deny, allow, RulesView::default()],
            scenarios: vec!["a".into(), "b".into(), "b".into(), "a".into()],
            sources: vec![String::new(), "list-1".into(), "list-1".into(), String::new()],
        };
        for i in 1..4 {
            data.x[[i, bot]] = 2.0;
            data.raw[[i, bot]] = 1.0;
        }
        data.y[[1, 0]] = 1.0;
        data.y[[2, 0]] = 1.0;
        let ev = evaluate(&model, &data).unwrap();
        let p = &ev.profiles[0];
        assert_eq!((p.legit, p.threats), (2, 2));
        assert_eq!((p.rules_false_positives, p.refined_false_positives), (1, 2), "row 0: a rule DENY with no evidence to lift it; row 3: bot evidence at 0.98");
        assert_eq!((p.rules_blocked_threats, p.refined_blocked_threats, p.kept_of_rules_blocked, p.blocked_of_rules_missed), (1, 2, 1, 1));
        assert_eq!((p.rules_fpr(), p.kept_share(), p.missed_share()), (Some(0.5), Some(1.0), Some(1.0)));
        let o = &ev.overrides;
        assert_eq!((o.decisions, o.denials_lifted, o.allows_denied, o.allows_denied_rightly), (3, 0, 1, 1));
        assert_eq!(ev.scenarios.iter().map(|s| (s.samples, s.refined_denied)).collect::<Vec<_>>(), vec![(2, 2), (2, 2)]);
        assert_eq!(ev.sources.iter().map(|s| (s.scenario.as_str(), s.samples)).collect::<Vec<_>>(), vec![("b · list-1", 2)]);
        assert_eq!(ev.heads[0].positives, 2);
        assert!(ev.profiles[1..].iter().all(|p| p.legit + p.threats == 0));
    }
}
