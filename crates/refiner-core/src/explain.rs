//! Stage 5 — explanations: the evidence the verdict rests on, then the features that pushed the
//! decisive threat's score, and which way.
//!
//! Input: the model, the activations of the forward pass, the features and the [`Verdict`].
//! Output: up to [`MAX_REASONS`] reasons. A feature's contribution to head k is its gradient times
//! its step from 0 (in the model's standardized units), in calibrated log-odds: for this network
//! the gradient is `V[k,j] + Σ_h W2[k,h]·1[pre_h > 0]·W1[h,j]`, so a feature at 0 contributes
//! nothing and only what the request shows is named.

use crate::features::{FeatureVector, FEATURES};
use crate::model::{accumulate, Activations, Model, Threat, N_HEADS};
use crate::policy::Verdict;

/// How many reasons a decision carries.
pub const MAX_REASONS: usize = 6;

/// One feature's part in a decision.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Reason {
    /// Index into [`crate::features::FEATURES`].
    pub feature: usize,
    /// The feature's raw value (before its transform).
    pub value: f64,
    /// Signed contribution to `head`'s calibrated log-odds; positive raises the risk.
    pub contribution: f32,
    /// The threat it is about.
    pub head: usize,
    /// One of the facts the verdict's basis rests on (they come first).
    pub evidence: bool,
}

/// Buffers for [`explain`], kept by the caller.
#[derive(Clone, Debug)]
pub struct ExplainBuffers {
    /// Per hidden unit: its weight in the head when the unit is active, else 0.
    gate: Vec<f32>,
    /// Per head: each feature's contribution (computed for the heads that need it).
    contributions: [Vec<f32>; N_HEADS],
}

impl ExplainBuffers {
    pub fn new(model: &Model) -> Self {
        Self { gate: vec![0.0; model.hidden_size()], contributions: std::array::from_fn(|_| vec![0.0; model.w.mean.len()]) }
    }
}

/// Each feature's contribution to head `k` into `out`.
fn contributions(model: &Model, act: &Activations, k: usize, gate: &mut [f32], out: &mut [f32]) {
    let w = &model.w;
    for ((g, &w2), &p) in gate.iter_mut().zip(w.w2.row(k)).zip(&act.pre) {
        *g = if p > 0.0 { w2 } else { 0.0 };
    }
    out.copy_from_slice(w.v.row(k).as_slice().expect("weights are contiguous"));
    // Rows of W1 are contiguous, so the forward pass's vectorized row sum does Σ_h gate_h·W1[h, ·].
    accumulate(out, gate, w.w1.as_slice().expect("weights are contiguous"));
    let slope = model.calibration[k][0];
    for (c, &d) in out.iter_mut().zip(&act.delta) {
        *c *= d * slope;
    }
}

/// The head an evidence feature is named for: the decisive one when it feeds it.
fn head_of(feature: usize, decisive: usize) -> usize {
    let f = &FEATURES[feature];
    if f.feeds(Threat::ALL[decisive]) {
        decisive
    } else {
        (0..N_HEADS).find(|&k| f.feeds(Threat::ALL[k])).unwrap_or(decisive)
    }
}

/// Writes the verdict's evidence, then the decisive head's strongest other features, into `out`;
/// returns how many.
pub fn explain(model: &Model, act: &Activations, features: &FeatureVector, verdict: &Verdict, buf: &mut ExplainBuffers, out: &mut [Reason; MAX_REASONS]) -> usize {
    let mut done = [false; N_HEADS];
    let mut need = |k: usize, buf: &mut ExplainBuffers| {
        if !done[k] {
            let ExplainBuffers { gate, contributions: c } = buf;
            contributions(model, act, k, gate, &mut c[k]);
            done[k] = true;
        }
    };
    let decisive = verdict.decisive;
    let mut n = 0;
    for &j in verdict.evidence() {
        let j = usize::from(j);
        let k = head_of(j, decisive);
        need(k, buf);
        out[n] = Reason { feature: j, value: features.raw[j], contribution: buf.contributions[k][j], head: k, evidence: true };
        n += 1;
    }
    need(decisive, buf);
    let first_other = n;
    for (j, &c) in buf.contributions[decisive].iter().enumerate() {
        if c == 0.0 || !c.is_finite() || out[..first_other].iter().any(|r| r.feature == j) {
            continue;
        }
        // Insertion into the remaining slots sorted by |contribution|: cheaper than sorting.
        let mut pos = n;
        while pos > first_other && out[pos - 1].contribution.abs() < c.abs() {
            if pos < MAX_REASONS {
                out[pos] = out[pos - 1];
            }
            pos -= 1;
        }
        if pos < MAX_REASONS {
            out[pos] = Reason { feature: j, value: features.raw[j], contribution: c, head: decisive, evidence: false };
            n = (n + 1).min(MAX_REASONS);
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::N_FEATURES;
    use crate::model::tests::{first_input, tiny_model};
    use crate::policy::{Basis, Conclusion, MAX_EVIDENCE};

    fn verdict(decisive: usize, evidence: &[usize]) -> Verdict {
        let mut v = Verdict { live: Conclusion::Allow, conclusion: Conclusion::Allow, score: 0.0, decisive, basis: Basis::Rules, evidence: [0; MAX_EVIDENCE], n_evidence: evidence.len() };
        for (i, &j) in evidence.iter().enumerate() {
            v.evidence[i] = j as u8;
        }
        v
    }

    #[test]
    fn contributions_follow_the_gradient() {
        let m = tiny_model();
        let (bot, attack) = (first_input(Threat::Bot), first_input(Threat::Attack));
        let mut fv = FeatureVector::default();
        fv.values[bot] = 1.5;
        fv.values[attack] = 2.0;
        fv.raw[bot] = 4.0;
        let mut act = Activations::new(&m);
        m.logits(&fv.values, &mut act);
        let mut out = [Reason::default(); MAX_REASONS];
        let mut buf = ExplainBuffers::new(&m);
        // bot head = 2·relu(x): d/dx = 2, contribution 2·1.5 = 3; the attack input feeds no bot unit
        assert_eq!(explain(&m, &act, &fv, &verdict(0, &[]), &mut buf, &mut out), 1);
        assert_eq!(out[0], Reason { feature: bot, value: 4.0, contribution: 3.0, head: 0, evidence: false });
        // attack head = 3·relu(x): contribution 3·2 = 6
        assert_eq!(explain(&m, &act, &fv, &verdict(1, &[]), &mut buf, &mut out), 1);
        assert_eq!((out[0].feature, out[0].contribution), (attack, 6.0));
    }

    #[test]
    fn evidence_comes_first_with_its_own_head() {
        let m = tiny_model();
        let (bot, attack) = (first_input(Threat::Bot), first_input(Threat::Attack));
        let mut fv = FeatureVector::default();
        fv.values[bot] = 1.0;
        fv.values[attack] = 3.0;
        let mut act = Activations::new(&m);
        m.logits(&fv.values, &mut act);
        let mut out = [Reason::default(); MAX_REASONS];
        let n = explain(&m, &act, &fv, &verdict(1, &[bot]), &mut ExplainBuffers::new(&m), &mut out);
        assert_eq!(n, 2);
        assert_eq!((out[0].feature, out[0].head, out[0].evidence, out[0].contribution), (bot, 0, true, 2.0));
        assert_eq!((out[1].feature, out[1].head, out[1].evidence), (attack, 1, false));
        assert!(out[..n].iter().all(|r| r.feature < N_FEATURES));
    }
}
