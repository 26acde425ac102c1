//! Rules-only vs refined on a labeled corpus.

use super::metrics::{auc, ece, histogram, pr_curve, roc_curve};
use crate::decision::{code, ROUTES};
use crate::error::Result;
use crate::features::N_FEATURES;
use crate::model::{Activations, Model, Scores, Threat};
use crate::policy::{Conclusion, Mode, Policy, Profile, ThresholdOverride};
use crate::train::Dataset;
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

#[derive(Clone, Debug, Default, Serialize)]
pub struct ScenarioReport {
    pub scenario: String,
    pub threat: bool,
    pub samples: usize,
    pub rules_denied: usize,
    pub refined_denied: usize,
    pub refined_challenged: usize,
}

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
    pub overrides: Overrides,
}

/// The profile an app would configure for a route code (`decision::ROUTES` index).
fn profile_of(route: u8) -> Profile {
    ROUTES
        .get(usize::from(route))
        .and_then(|r| Profile::ALL.into_iter().find(|p| p.route() == Some(*r)))
        .unwrap_or(Profile::Default)
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

/// Evaluates `model` on `data`: each row through its route's profile, as `refine` would.
pub fn evaluate(model: &Model, data: &Dataset) -> Result<Evaluation> {
    let scores = score_rows(model, data);
    let policies: Vec<Policy> = Profile::ALL.iter().map(|&p| Policy::new(model, p, Mode::Live, ThresholdOverride::default())).collect::<Result<_>>()?;
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

    let mut profiles: Vec<ProfileReport> = Profile::ALL.iter().map(|p| ProfileReport { profile: p.name(), ..Default::default() }).collect();
    let mut scenarios: BTreeMap<&str, ScenarioReport> = BTreeMap::new();
    let mut overrides = Overrides::default();
    for i in 0..data.len() {
        let profile = profile_of(data.routes[i]);
        let refined = policies[profile as usize].decide(&scores[i]).live;
        let rules_code = f64::from(data.rules_conclusion[i]);
        let rules_deny = rules_code == code::DENY;
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
        let s = scenarios.entry(&data.scenarios[i]).or_insert_with(|| ScenarioReport { scenario: data.scenarios[i].clone(), threat: !legit[i], ..Default::default() });
        s.samples += 1;
        s.rules_denied += usize::from(rules_deny);
        s.refined_denied += usize::from(refined_deny);
        s.refined_challenged += usize::from(challenged);
        if rules_code != 0.0 {
            overrides.decisions += 1;
            if rules_deny && !refined_deny {
                overrides.denials_lifted += 1;
                overrides.denials_lifted_rightly += usize::from(legit[i]);
            } else if !rules_deny && refined_deny {
                overrides.allows_denied += 1;
                overrides.allows_denied_rightly += usize::from(!legit[i]);
            }
        }
    }
    Ok(Evaluation {
        model: model.version().to_string(),
        samples: data.len(),
        legit: legit.iter().filter(|&&l| l).count(),
        heads,
        profiles,
        scenarios: scenarios.into_values().collect(),
        overrides,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::tiny_model;
    use crate::model::N_HEADS;
    use ndarray::Array2;

    #[test]
    fn counts_rules_and_refined_outcomes_per_profile() {
        let mut model = tiny_model();
        let t = model.thresholds("default").unwrap();
        for p in Profile::ALL {
            model.set_thresholds(p.name(), t);
        }
        // Bot probability σ(2·x0): 0.5 (challenge) at x0 = 0, 0.98 (deny) at x0 = 2.
        let n = 4;
        let mut data = Dataset {
            x: Array2::zeros((n, N_FEATURES)),
            y: Array2::zeros((n, N_HEADS)),
            routes: vec![0; n],
            rules_conclusion: vec![code::DENY as u8, code::DENY as u8, 1, 0],
            scenarios: vec!["a".into(), "b".into(), "b".into(), "a".into()],
        };
        for i in 1..4 {
            data.x[[i, 0]] = 2.0;
        }
        data.y[[1, 0]] = 1.0;
        data.y[[2, 0]] = 1.0;
        let ev = evaluate(&model, &data).unwrap();
        let p = &ev.profiles[0];
        assert_eq!((p.legit, p.threats), (2, 2));
        assert_eq!((p.rules_false_positives, p.refined_false_positives, p.refined_challenged_legit), (1, 1, 1));
        assert_eq!((p.rules_blocked_threats, p.refined_blocked_threats, p.kept_of_rules_blocked, p.blocked_of_rules_missed), (1, 2, 1, 1));
        assert_eq!((p.rules_fpr(), p.kept_share(), p.missed_share()), (Some(0.5), Some(1.0), Some(1.0)));
        let o = &ev.overrides;
        assert_eq!((o.decisions, o.denials_lifted, o.denials_lifted_rightly, o.allows_denied, o.allows_denied_rightly), (3, 1, 1, 1, 1));
        assert_eq!(ev.scenarios.iter().map(|s| (s.samples, s.refined_denied)).collect::<Vec<_>>(), vec![(2, 1), (2, 2)]);
        assert_eq!((ev.heads[0].positives, ev.heads[0].auc), (2, Some(0.75)));
        assert!(ev.profiles[1..].iter().all(|p| p.legit + p.threats == 0));
    }
}
