//! Stage 4 — policy: per-profile thresholds turn threat probabilities into a conclusion.
//!
//! Input: [`Scores`]. Output: a [`Verdict`]. A request is denied when any threat's probability
//! reaches that threat's deny threshold, challenged when one reaches its challenge threshold.
//! Thresholds come from the model file (set from validation data by the trainer, per profile, at
//! the false-positive rates in [`Profile::target_fpr`]) unless the caller overrides them.

use crate::error::{RefinerError, Result};
use crate::model::{HeadThresholds, Model, Scores, N_HEADS};

/// Where the refiner runs; each weighs false positives differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Profile {
    #[default]
    Default,
    Signup,
    Login,
    Checkout,
    Api,
}

impl Profile {
    pub const ALL: [Profile; 5] = [Self::Default, Self::Signup, Self::Login, Self::Checkout, Self::Api];

    pub fn name(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::Signup => "signup",
            Self::Login => "login",
            Self::Checkout => "checkout",
            Self::Api => "api",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|p| p.name() == s).ok_or_else(|| RefinerError::InvalidOption {
            option: "profile",
            expected: "one of 'default', 'signup', 'login', 'checkout', 'api'",
            actual: format!("'{s}'"),
        })
    }

    /// The `context.route` whose legitimate traffic sets this profile's thresholds.
    pub fn route(self) -> Option<&'static str> {
        match self {
            Self::Default => None,
            p => Some(p.name()),
        }
    }

    /// Share of legitimate requests the trainer lets this profile (deny, challenge). Sign-up and
    /// checkout turn away paying customers, so they tolerate the fewest false positives.
    pub fn target_fpr(self) -> (f64, f64) {
        match self {
            Self::Default => (0.005, 0.02),
            Self::Signup => (0.001, 0.01),
            Self::Login => (0.002, 0.01),
            Self::Checkout => (0.0005, 0.005),
            Self::Api => (0.005, 0.02),
        }
    }
}

/// The refined recommendation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Conclusion {
    Allow,
    Challenge,
    Deny,
}

impl Conclusion {
    pub fn name(self) -> &'static str {
        match self {
            Self::Allow => "ALLOW",
            Self::Challenge => "CHALLENGE",
            Self::Deny => "DENY",
        }
    }
}

/// LIVE acts on the conclusion; DRY_RUN always allows but records what LIVE would have done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Live,
    DryRun,
}

impl Mode {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "LIVE" => Ok(Self::Live),
            "DRY_RUN" => Ok(Self::DryRun),
            _ => Err(RefinerError::InvalidOption { option: "mode", expected: "'LIVE' or 'DRY_RUN'", actual: format!("'{s}'") }),
        }
    }
}

/// Caller overrides of the model's thresholds, applied to every threat.
#[derive(Clone, Copy, Debug, Default)]
pub struct ThresholdOverride {
    pub challenge: Option<f32>,
    pub deny: Option<f32>,
}

/// A profile's thresholds, ready to apply.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    pub profile: Profile,
    pub mode: Mode,
    pub thresholds: HeadThresholds,
}

/// What the policy concluded for one set of scores.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Verdict {
    /// What LIVE mode concludes.
    pub live: Conclusion,
    /// What the caller gets (ALLOW in DRY_RUN).
    pub conclusion: Conclusion,
    /// The highest threat probability.
    pub score: f32,
    /// The threat closest to (or furthest past) its deny threshold: the one to explain.
    pub decisive: usize,
}

fn check_unit(option: &'static str, v: f32) -> Result<f32> {
    if v.is_finite() && (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(RefinerError::InvalidOption { option, expected: "a number between 0 and 1", actual: v.to_string() })
    }
}

impl Policy {
    pub fn new(model: &Model, profile: Profile, mode: Mode, over: ThresholdOverride) -> Result<Self> {
        let mut t = model.thresholds(profile.name()).ok_or_else(|| {
            RefinerError::ModelFormat(format!("model {} has no thresholds for profile '{}'", model.version(), profile.name()))
        })?;
        if let Some(c) = over.challenge {
            t.challenge = [check_unit("thresholds.challenge", c)?; N_HEADS];
        }
        if let Some(d) = over.deny {
            t.deny = [check_unit("thresholds.deny", d)?; N_HEADS];
        }
        if let Some(k) = (0..N_HEADS).find(|&k| t.challenge[k] > t.deny[k]) {
            return Err(RefinerError::InvalidOption {
                option: "thresholds",
                expected: "challenge ≤ deny",
                actual: format!("challenge {} > deny {}", t.challenge[k], t.deny[k]),
            });
        }
        Ok(Self { profile, mode, thresholds: t })
    }

    pub fn decide(&self, scores: &Scores) -> Verdict {
        let t = &self.thresholds;
        let live = if (0..N_HEADS).any(|k| scores[k] >= t.deny[k]) {
            Conclusion::Deny
        } else if (0..N_HEADS).any(|k| scores[k] >= t.challenge[k]) {
            Conclusion::Challenge
        } else {
            Conclusion::Allow
        };
        let ratio = |k: usize| scores[k] / t.deny[k].max(f32::EPSILON);
        let decisive = (0..N_HEADS).max_by(|&a, &b| ratio(a).total_cmp(&ratio(b))).unwrap_or(0);
        let conclusion = if self.mode == Mode::DryRun { Conclusion::Allow } else { live };
        Verdict { live, conclusion, score: scores.iter().copied().fold(0.0, f32::max), decisive }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::tiny_model;

    #[test]
    fn thresholds_order_the_conclusions() {
        let m = tiny_model();
        let p = Policy::new(&m, Profile::Default, Mode::Live, ThresholdOverride::default()).unwrap();
        assert_eq!(p.decide(&[0.1, 0.2, 0.3]).live, Conclusion::Allow);
        assert_eq!(p.decide(&[0.1, 0.6, 0.3]).live, Conclusion::Challenge);
        let v = p.decide(&[0.1, 0.6, 0.95]);
        assert_eq!((v.live, v.decisive, v.score), (Conclusion::Deny, 2, 0.95));
    }

    #[test]
    fn dry_run_allows_but_remembers() {
        let m = tiny_model();
        let p = Policy::new(&m, Profile::Default, Mode::DryRun, ThresholdOverride::default()).unwrap();
        let v = p.decide(&[0.99, 0.0, 0.0]);
        assert_eq!((v.conclusion, v.live), (Conclusion::Allow, Conclusion::Deny));
    }

    #[test]
    fn overrides_are_checked() {
        let m = tiny_model();
        let bad = ThresholdOverride { challenge: Some(0.8), deny: Some(0.3) };
        let e = Policy::new(&m, Profile::Default, Mode::Live, bad).unwrap_err().to_string();
        assert!(e.starts_with("thresholds must be challenge ≤ deny"), "{e}");
        let e = Policy::new(&m, Profile::Default, Mode::Live, ThresholdOverride { deny: Some(1.5), ..Default::default() }).unwrap_err();
        assert_eq!(e.to_string(), "thresholds.deny must be a number between 0 and 1, but is 1.5");
        assert!(Profile::parse("shop").unwrap_err().to_string().contains("'shop'"));
        assert!(Policy::new(&m, Profile::Checkout, Mode::Live, ThresholdOverride::default()).is_err(), "tiny model has no checkout thresholds");
    }
}
