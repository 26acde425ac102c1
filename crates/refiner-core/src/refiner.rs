//! The pipeline in one straight line: raw input → features → model → policy → explanation.

use crate::decision::{code, RawInput, Slot};
use crate::error::Result;
use crate::explain::{explain, ExplainBuffers, Reason, MAX_REASONS};
use crate::features::{extract_into, FeatureVector, Scratch};
use crate::memory::{time_of, Event, Keys, Memory, Snapshot};
use crate::model::{Activations, Model, Scores, N_HEADS};
use crate::policy::{Conclusion, Mode, Policy, Profile, ThresholdOverride};
use std::sync::Arc;

/// What to do when the refiner itself fails (never for bad input, which is the caller's error).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FailMode {
    /// Return the rules' own conclusion (ALLOW when there were no rules), marked errored.
    #[default]
    Open,
    /// Return DENY, marked errored.
    Closed,
}

/// Everything a [`Refiner`] is built from; defaults are the embedded model's `default` profile,
/// LIVE, fail open, no memory.
#[derive(Clone, Debug, Default)]
pub struct RefinerConfig {
    pub profile: Profile,
    pub mode: Mode,
    pub fail_mode: FailMode,
    pub thresholds: ThresholdOverride,
    /// Behavioral memory, possibly shared with other refiners.
    pub memory: Option<Arc<Memory>>,
}

/// One refined decision.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    pub conclusion: Conclusion,
    /// What LIVE mode concludes (equal to `conclusion` unless DRY_RUN).
    pub live: Conclusion,
    /// The rules' own conclusion, as a `decision::CONCLUSIONS` code (0 when no decision).
    pub rules_conclusion: f64,
    pub score: f32,
    pub scores: Scores,
    /// Head the reasons explain.
    pub decisive: usize,
    pub reasons: [Reason; MAX_REASONS],
    pub n_reasons: usize,
    /// The refiner failed and `conclusion` comes from the fail mode.
    pub errored: bool,
    /// What memory knew before the request (all unknown without memory).
    pub memory: Snapshot,
}

impl Outcome {
    /// The model disagreed with the rules (ERROR and no decision count as ALLOW).
    pub fn overridden(&self) -> bool {
        rules_as_conclusion(self.rules_conclusion) != self.live
    }
}

fn rules_as_conclusion(code: f64) -> Conclusion {
    if code == code::DENY {
        Conclusion::Deny
    } else if code == code::CHALLENGE {
        Conclusion::Challenge
    } else {
        Conclusion::Allow
    }
}

/// Per-thread buffers for one refine at a time.
#[derive(Debug)]
pub struct Workspace {
    scratch: Scratch,
    features: FeatureVector,
    act: Activations,
    explain: ExplainBuffers,
}

impl Workspace {
    pub fn new(model: &Model) -> Self {
        Self { scratch: Scratch::default(), features: FeatureVector::default(), act: Activations::new(model), explain: ExplainBuffers::new(model) }
    }
}

/// A model with its policy: the thing that refines.
#[derive(Clone, Debug)]
pub struct Refiner {
    model: Arc<Model>,
    policy: Policy,
    fail_mode: FailMode,
    memory: Option<Arc<Memory>>,
}

impl Refiner {
    pub fn new(model: Arc<Model>, config: &RefinerConfig) -> Result<Self> {
        let policy = Policy::new(&model, config.profile, config.mode, config.thresholds)?;
        Ok(Self { model, policy, fail_mode: config.fail_mode, memory: config.memory.clone() })
    }

    pub fn memory(&self) -> Option<&Arc<Memory>> {
        self.memory.as_ref()
    }

    /// The memory keys of `input` (all absent without memory).
    pub fn keys(&self, input: &RawInput<'_>) -> Keys {
        self.memory.as_ref().map(|m| m.hasher().keys(input)).unwrap_or_default()
    }

    /// Records `event` (an outcome the app reports) under the keys of `input`.
    pub fn observe(&self, input: &RawInput<'_>, event: Event) {
        self.record(input, &self.keys(input), event);
    }

    /// What memory knows under the keys of `input` at its time, without recording anything.
    pub fn recall(&self, input: &RawInput<'_>) -> Snapshot {
        self.memory.as_ref().map(|m| m.peek(&self.keys(input), time_of(input))).unwrap_or_default()
    }

    /// Records `event` under `keys` (those of `input`) at the time of `input`; returns what
    /// memory knew before (nothing without memory).
    fn record(&self, input: &RawInput<'_>, keys: &Keys, event: Event) -> Snapshot {
        self.memory.as_ref().map(|m| m.record(keys, time_of(input), event)).unwrap_or_default()
    }

    /// Records the request in memory; returns what memory knew before it.
    fn remember(&self, input: &RawInput<'_>) -> Snapshot {
        self.record(input, &self.keys(input), Event::request(input))
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn workspace(&self) -> Workspace {
        Workspace::new(&self.model)
    }

    /// Refines one request, with its explanation. Never fails: an internal failure yields the
    /// fail-mode outcome.
    pub fn refine(&self, input: &RawInput<'_>, ws: &mut Workspace) -> Outcome {
        let memory = self.remember(input);
        self.refine_with(input, &memory, ws, true)
    }

    /// [`Refiner::refine`] without the explanation (`n_reasons` is 0): most callers only act on
    /// the conclusion, and the explanation costs about a third of a refine. Its `memory`, given to
    /// [`Refiner::refine_with`] with the same input, gives the same outcome with its reasons.
    pub fn decide(&self, input: &RawInput<'_>, ws: &mut Workspace) -> Outcome {
        let memory = self.remember(input);
        self.refine_with(input, &memory, ws, false)
    }

    /// [`Refiner::decide`] with what a shared store knew: `records` holds `RECORD_FIELDS`
    /// numbers per key kind as the store returned them for [`Refiner::keys`]. This refiner's own
    /// memory records the request too, to answer alone when the store cannot.
    pub fn decide_stored(&self, input: &RawInput<'_>, records: &[f64], ws: &mut Workspace) -> Outcome {
        let keys = self.keys(input);
        self.record(input, &keys, Event::request(input));
        self.refine_with(input, &Snapshot::from_records(&keys, records, time_of(input)), ws, false)
    }

    /// Refines `input` given what memory knew before it, without recording anything: the same
    /// input and snapshot always give the same outcome (explanations re-run through here).
    pub fn refine_with(&self, input: &RawInput<'_>, memory: &Snapshot, ws: &mut Workspace, explained: bool) -> Outcome {
        extract_into(input, memory, &mut ws.scratch, &mut ws.features);
        let scores = self.model.score(&ws.features.values, &mut ws.act);
        if scores.iter().any(|s| !s.is_finite()) {
            return Outcome { memory: *memory, ..self.failed(input.get(Slot::Conclusion)) };
        }
        let verdict = self.policy.decide(&scores);
        let mut reasons = [Reason::default(); MAX_REASONS];
        let n_reasons = if explained { explain(&self.model, &ws.act, &ws.features, verdict.decisive, &mut ws.explain, &mut reasons) } else { 0 };
        Outcome {
            conclusion: verdict.conclusion,
            live: verdict.live,
            rules_conclusion: input.get(Slot::Conclusion),
            score: verdict.score,
            scores,
            decisive: verdict.decisive,
            reasons,
            n_reasons,
            errored: false,
            memory: *memory,
        }
    }

    /// The outcome the fail mode prescribes when refining failed internally.
    pub fn failed(&self, rules_conclusion: f64) -> Outcome {
        let live = match self.fail_mode {
            FailMode::Open => rules_as_conclusion(rules_conclusion),
            FailMode::Closed => Conclusion::Deny,
        };
        let conclusion = if self.policy.mode == Mode::DryRun { Conclusion::Allow } else { live };
        Outcome {
            conclusion,
            live,
            rules_conclusion,
            score: f32::NAN,
            scores: [f32::NAN; N_HEADS],
            decisive: 0,
            reasons: [Reason::default(); MAX_REASONS],
            n_reasons: 0,
            errored: true,
            memory: Snapshot::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::RawInput;
    use crate::features::N_FEATURES;
    use crate::model::{HeadThresholds, ModelMeta};
    use ndarray::{Array1, Array2};

    /// Finite weights whose activations overflow: two hidden units reach +∞ and the bot logit is
    /// ∞ − ∞ = NaN. Loading accepts it (every weight is finite); refining must not trust it.
    fn overflowing_model() -> Arc<Model> {
        let mut w1 = Array2::zeros((2, N_FEATURES));
        w1[[0, 0]] = 3e38;
        w1[[1, 0]] = 3e38;
        let mut w2 = Array2::zeros((N_HEADS, 2));
        w2[[0, 0]] = 1.0;
        w2[[0, 1]] = -1.0;
        let t = HeadThresholds { challenge: [0.5; N_HEADS], deny: [0.9; N_HEADS] };
        Arc::new(Model::from_parts(
            Array1::zeros(N_FEATURES),
            Array1::ones(N_FEATURES),
            w1,
            Array1::from_elem(2, 3e38),
            w2,
            Array1::zeros(N_HEADS),
            [[1.0, 0.0]; N_HEADS],
            vec![("default".into(), t)],
            ModelMeta { name: "overflow".into(), ..Default::default() },
        ))
    }

    fn refine_with(fail_mode: FailMode, mode: Mode, rules: &str) -> Outcome {
        let config = RefinerConfig { fail_mode, mode, ..Default::default() };
        let refiner = Refiner::new(overflowing_model(), &config).unwrap();
        let json = serde_json::json!({ "decision": { "conclusion": rules } });
        let owned = RawInput::from_json(&json).unwrap();
        refiner.refine(&owned.view(), &mut refiner.workspace())
    }

    #[test]
    fn a_non_finite_score_yields_the_fail_mode() {
        let open = refine_with(FailMode::Open, Mode::Live, "DENY");
        assert!(open.errored);
        assert_eq!(open.conclusion, Conclusion::Deny, "fail open returns the rules' conclusion");
        assert_eq!(refine_with(FailMode::Open, Mode::Live, "ALLOW").conclusion, Conclusion::Allow);
        assert_eq!(refine_with(FailMode::Open, Mode::Live, "ERROR").conclusion, Conclusion::Allow, "as Arcjet, an ERROR fails open");
        let closed = refine_with(FailMode::Closed, Mode::Live, "ALLOW");
        assert_eq!((closed.conclusion, closed.errored), (Conclusion::Deny, true));
        let dry = refine_with(FailMode::Closed, Mode::DryRun, "ALLOW");
        assert_eq!((dry.conclusion, dry.live), (Conclusion::Allow, Conclusion::Deny), "DRY_RUN never blocks");
        assert_eq!(open.n_reasons, 0);
    }
}
