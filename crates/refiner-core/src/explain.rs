//! Stage 5 — explanations: which features pushed the decisive threat's score, and which way.
//!
//! Input: the model, the activations of the forward pass, the decisive head. Output: the top
//! [`MAX_REASONS`] features by |gradient × (input − baseline)|, with the training mean as the
//! baseline. For a ReLU MLP the gradient of head k's logit with respect to standardized input i
//! is Σⱼ W2[k,j]·1[preⱼ > 0]·W1[j,i]; the contribution is that times the standardized input,
//! scaled by the head's calibration slope so it is in calibrated log-odds.

use crate::features::FeatureVector;
use crate::model::{accumulate, Activations, Model};

/// How many reasons a decision carries.
pub const MAX_REASONS: usize = 5;

/// One feature's part in a decision.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Reason {
    /// Index into [`crate::features::FEATURES`].
    pub feature: usize,
    /// The feature's raw value (before its transform).
    pub value: f64,
    /// Signed contribution to the threat's log-odds; positive raises the risk.
    pub contribution: f32,
}

/// Buffers for [`explain`], kept by the caller.
#[derive(Clone, Debug)]
pub struct ExplainBuffers {
    /// Per hidden unit: its weight in the head when the unit is active, else 0.
    gate: Vec<f32>,
    grad: Vec<f32>,
}

impl ExplainBuffers {
    pub fn new(model: &Model) -> Self {
        Self { gate: vec![0.0; model.hidden_size()], grad: vec![0.0; model.mean.len()] }
    }
}

/// Writes the top reasons for `head` into `out`, strongest first; returns how many.
pub fn explain(
    model: &Model,
    act: &Activations,
    features: &FeatureVector,
    head: usize,
    buf: &mut ExplainBuffers,
    out: &mut [Reason; MAX_REASONS],
) -> usize {
    // d logit / d input = Σ over active hidden units of w2[head, h] · w1[h, ·]: rows of w1 are
    // contiguous, so the forward pass's vectorized row sum does it.
    for ((g, &w), &p) in buf.gate.iter_mut().zip(model.w2.row(head)).zip(&act.pre) {
        *g = if p > 0.0 { w } else { 0.0 };
    }
    buf.grad.fill(0.0);
    accumulate(&mut buf.grad, &buf.gate, model.w1.as_slice().expect("weights are contiguous"));
    // Contribution = gradient × standardized input × the head's calibration slope, in one pass
    // that vectorizes, before the branchy ranking.
    let slope = model.calibration[head][0];
    let (mean, inv_std) = (model.mean.as_slice().expect("contiguous"), model.inv_std.as_slice().expect("contiguous"));
    for (((g, &x), &m), &s) in buf.grad.iter_mut().zip(&features.values).zip(mean).zip(inv_std) {
        *g *= (x - m) * s * slope;
    }
    let mut n = 0;
    for (i, &c) in buf.grad.iter().enumerate() {
        if c == 0.0 || !c.is_finite() {
            continue;
        }
        // Insertion into a 5-slot list sorted by |contribution|: cheaper than sorting all inputs.
        let mut pos = n.min(MAX_REASONS);
        while pos > 0 && out[pos - 1].contribution.abs() < c.abs() {
            if pos < MAX_REASONS {
                out[pos] = out[pos - 1];
            }
            pos -= 1;
        }
        if pos < MAX_REASONS {
            out[pos] = Reason { feature: i, value: features.raw[i], contribution: c };
            n = (n + 1).min(MAX_REASONS);
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::tiny_model;

    #[test]
    fn contributions_follow_the_gradient() {
        let m = tiny_model();
        let mut fv = FeatureVector::default();
        fv.values[0] = 1.5;
        fv.values[1] = -2.0;
        fv.values[2] = 7.0; // no weight: no contribution
        fv.raw[0] = 4.0;
        let mut act = Activations::new(&m);
        m.logits(&fv.values, &mut act);
        let mut out = [Reason::default(); MAX_REASONS];
        let mut buf = ExplainBuffers::new(&m);
        // head 0 = 2·relu(x0): d/dx0 = 2, contribution 2·1.5 = 3
        assert_eq!(explain(&m, &act, &fv, 0, &mut buf, &mut out), 1);
        assert_eq!(out[0], Reason { feature: 0, value: 4.0, contribution: 3.0 });
        // head 1 = 3·relu(−x1): d/dx1 = −3, contribution −3·−2 = 6
        assert_eq!(explain(&m, &act, &fv, 1, &mut buf, &mut out), 1);
        assert_eq!((out[0].feature, out[0].contribution), (1, 6.0));
    }

    #[test]
    fn keeps_the_strongest_in_order() {
        let m = tiny_model();
        let mut out = [Reason::default(); MAX_REASONS];
        let mut act = Activations::new(&m);
        let mut fv = FeatureVector::default();
        fv.values[0] = 0.5;
        m.logits(&fv.values, &mut act);
        let n = explain(&m, &act, &fv, 0, &mut ExplainBuffers::new(&m), &mut out);
        assert_eq!(n, 1);
        assert!(out[..n].windows(2).all(|w| w[0].contribution.abs() >= w[1].contribution.abs()));
    }
}
