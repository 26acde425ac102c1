//! The pipeline in one straight line: raw input → features → model → policy → explanation.

use crate::decision::RawInput;
use crate::error::{RefinerError, Result};
use crate::explain::{explain, ExplainBuffers, Reason, MAX_REASONS};
use crate::features::{extract_into, FeatureVector, Scratch, FEATURES, N_FEATURES};
use crate::memory::{time_of, Event, Keys, Memory, Snapshot, N_KINDS, RECORD_FIELDS};
use crate::model::{Activations, Model, Scores, N_HEADS};
use crate::policy::{Basis, Conclusion, Mode, Policy, Profile, RulesView, ThresholdOverride, Verdict, MAX_EVIDENCE};
use std::sync::Arc;
use strum::{IntoStaticStr, VariantArray};

/// What to do when the refiner itself fails (never for bad input, which is the caller's error).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "lowercase")]
pub enum FailMode {
    /// Return the rules' own conclusion (ALLOW when there were no rules), marked errored.
    #[default]
    Open,
    /// Return DENY, marked errored.
    Closed,
}

impl FailMode {
    pub fn parse(s: &str) -> Result<Self> {
        Self::VARIANTS.iter().copied().find(|m| <&str>::from(*m) == s).ok_or_else(|| RefinerError::InvalidOption {
            option: "failMode",
            expected: "'open' or 'closed'",
            actual: format!("'{s}'"),
        })
    }
}

/// Everything a [`Refiner`] is built from; defaults are the embedded model's `default` profile,
/// LIVE, fail open, no memory.
#[derive(Clone, Debug, Default)]
pub struct RefinerConfig {
    pub profile: Profile,
    pub mode: Mode,
    pub fail_mode: FailMode,
    pub thresholds: ThresholdOverride,
    /// Lift DENYs of rules the refiner cannot read (see [`crate::policy`]).
    pub lift_unreadable: bool,
    /// Behavioral memory, possibly shared with other refiners.
    pub memory: Option<Arc<Memory>>,
}

/// One refined decision.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    pub verdict: Verdict,
    pub scores: Scores,
    /// What the rules said.
    pub rules: RulesView,
    /// The refiner failed and the conclusion comes from the fail mode.
    pub errored: bool,
    /// The features' raw values: the refine's explanation is computed from them.
    pub raw: [f64; N_FEATURES],
}

impl Outcome {
    /// The refined conclusion (LIVE) differs from the rules'.
    pub fn overridden(&self) -> bool {
        !self.errored && self.verdict.live != Conclusion::of_rules(self.rules.conclusion)
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
        let policy = Policy::new(&model, config.profile, config.mode, config.thresholds, config.lift_unreadable)?;
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

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn workspace(&self) -> Workspace {
        Workspace::new(&self.model)
    }

    /// Refines one request and records it in memory. Never fails: an internal failure yields the
    /// fail-mode outcome.
    pub fn refine(&self, input: &RawInput<'_>, ws: &mut Workspace) -> Outcome {
        let memory = self.record(input, &self.keys(input), Event::request(input));
        self.refine_with(input, &memory, ws)
    }

    /// [`Refiner::refine`] with what a shared store knew: `records` holds `RECORD_FIELDS`
    /// numbers per key kind as the store returned them for [`Refiner::keys`]. This refiner's own
    /// memory records the request too, to answer alone when the store cannot. A kind whose first
    /// field is NaN is one the store could not answer (a cluster node that is down owns its key):
    /// what this refiner's own memory knew stands in for it.
    pub fn refine_stored(&self, input: &RawInput<'_>, records: &[f64], ws: &mut Workspace) -> Outcome {
        let keys = self.keys(input);
        let local = self.record(input, &keys, Event::request(input));
        let mut memory = Snapshot::from_records(&keys, records, time_of(input));
        for (k, fields) in records.chunks_exact(RECORD_FIELDS).enumerate().take(N_KINDS) {
            if fields[0].is_nan() {
                memory.entries[k] = local.entries[k];
            }
        }
        self.refine_with(input, &memory, ws)
    }

    /// Refines `input` given what memory knew before it, without recording anything.
    pub fn refine_with(&self, input: &RawInput<'_>, memory: &Snapshot, ws: &mut Workspace) -> Outcome {
        extract_into(input, memory, &mut ws.scratch, &mut ws.features);
        self.decide(&RulesView::of(input), ws)
    }

    /// Scores the features in `ws` and applies the policy.
    fn decide(&self, rules: &RulesView, ws: &mut Workspace) -> Outcome {
        let scores = self.model.score(&ws.features.values, &mut ws.act);
        if scores.iter().any(|s| !s.is_finite()) {
            return self.failed(rules);
        }
        let verdict = self.policy.decide(&scores, &ws.features.raw, rules);
        Outcome { verdict, scores, rules: *rules, errored: false, raw: ws.features.raw }
    }

    /// The outcome of the refine whose features' raw values were `raw`, with its reasons: the
    /// same model and policy on the same values give the same verdict, and memory is not read.
    pub fn explain(&self, raw: &[f64; N_FEATURES], rules: &RulesView, ws: &mut Workspace) -> (Outcome, [Reason; MAX_REASONS], usize) {
        for (j, f) in FEATURES.iter().enumerate() {
            ws.features.raw[j] = raw[j];
            ws.features.values[j] = f.transform.apply(raw[j]);
        }
        let outcome = self.decide(rules, ws);
        let mut reasons = [Reason::default(); MAX_REASONS];
        let n = if outcome.errored { 0 } else { explain(&self.model, &ws.act, &ws.features, &outcome.verdict, &mut ws.explain, &mut reasons) };
        (outcome, reasons, n)
    }

    /// The outcome the fail mode prescribes when refining failed internally.
    pub fn failed(&self, rules: &RulesView) -> Outcome {
        let live = match self.fail_mode {
            FailMode::Open => Conclusion::of_rules(rules.conclusion),
            FailMode::Closed => Conclusion::Deny,
        };
        let conclusion = if self.policy.mode == Mode::DryRun { Conclusion::Allow } else { live };
        let verdict = Verdict { live, conclusion, score: f32::NAN, decisive: 0, basis: Basis::Rules, evidence: [0; MAX_EVIDENCE], n_evidence: 0 };
        Outcome { verdict, scores: [f32::NAN; N_HEADS], rules: *rules, errored: true, raw: [0.0; N_FEATURES] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::RawInput;
    use crate::model::tests::tiny_model;

    /// The tiny model whose scores are NaN (a model built in memory is not checked as a file
    /// is): a refine must not trust them.
    fn overflowing_model() -> Arc<Model> {
        let m = tiny_model();
        let mut w = m.w.clone();
        w.b2.fill(f32::NAN);
        Arc::new(Model::from_parts(w, m.calibration, m.thresholds.clone(), m.meta.clone()))
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
        assert_eq!(open.verdict.conclusion, Conclusion::Deny, "fail open returns the rules' conclusion");
        assert_eq!(refine_with(FailMode::Open, Mode::Live, "ALLOW").verdict.conclusion, Conclusion::Allow);
        assert_eq!(refine_with(FailMode::Open, Mode::Live, "ERROR").verdict.conclusion, Conclusion::Allow, "as Arcjet, an ERROR fails open");
        let closed = refine_with(FailMode::Closed, Mode::Live, "ALLOW");
        assert_eq!((closed.verdict.conclusion, closed.errored), (Conclusion::Deny, true));
        let dry = refine_with(FailMode::Closed, Mode::DryRun, "ALLOW");
        assert_eq!((dry.verdict.conclusion, dry.verdict.live), (Conclusion::Allow, Conclusion::Deny), "DRY_RUN never blocks");
        assert!(!open.overridden(), "a failure is not the model disagreeing");
    }

    #[test]
    fn an_explanation_gives_the_refine_s_verdict() {
        let refiner = Refiner::new(Arc::new(tiny_model()), &RefinerConfig::default()).unwrap();
        let json = serde_json::json!({
            "decision": { "conclusion": "ALLOW" },
            "request": { "headers": { "user-agent": "curl/8.5.0", "accept": "*/*" } }
        });
        let owned = RawInput::from_json(&json).unwrap();
        let mut ws = refiner.workspace();
        let refined = refiner.refine(&owned.view(), &mut ws);
        let (explained, reasons, n) = refiner.explain(&refined.raw, &refined.rules, &mut ws);
        assert_eq!(explained, refined);
        assert!(n > 0 && reasons[..n].iter().any(|r| FEATURES[r.feature].name == "ua.http_library"));
    }

    #[test]
    fn a_kind_the_store_could_not_answer_reads_local_memory() {
        let refiner_with_memory = || {
            let memory = Some(Arc::new(Memory::new(1 << 20, crate::memory::KeyHasher::from_secret(b"a test secret of some length")).unwrap()));
            Refiner::new(Arc::new(tiny_model()), &RefinerConfig { memory, ..Default::default() }).unwrap()
        };
        let (alone, stored) = (refiner_with_memory(), refiner_with_memory());
        let at = |i: u32| serde_json::json!({
            "at": 1_764_000_000_000.0 + f64::from(i) * 2000.0,
            "request": { "ip": "198.51.100.23", "email": "buyer@example.org", "headers": { "user-agent": "curl/8.5.0" } },
            "context": { "sessionId": "s-1" }
        });
        let (mut ws, nans) = (alone.workspace(), [f64::NAN; N_KINDS * RECORD_FIELDS]);
        for i in 0..5 {
            let owned = RawInput::from_json(&at(i)).unwrap();
            let want = alone.refine(&owned.view(), &mut ws);
            assert_eq!(stored.refine_stored(&owned.view(), &nans, &mut ws).raw, want.raw, "step {i}: every kind from local memory");
        }
        // A store that answered "new key" for every kind is not the same as local memory.
        let owned = RawInput::from_json(&at(5)).unwrap();
        let want = alone.refine(&owned.view(), &mut ws);
        assert_ne!(stored.refine_stored(&owned.view(), &[0.0; N_KINDS * RECORD_FIELDS], &mut ws).raw, want.raw);
    }

    #[test]
    fn fail_modes_parse_by_name() {
        assert_eq!(FailMode::parse("closed").unwrap(), FailMode::Closed);
        assert_eq!(FailMode::parse("shut").unwrap_err().to_string(), "failMode must be 'open' or 'closed', but is 'shut'");
    }
}
