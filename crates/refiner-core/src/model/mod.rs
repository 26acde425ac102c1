//! Stage 3 — the model: a small MLP with one calibrated sigmoid head per threat.
//!
//! Input: the feature vector. Output: [`Scores`] (a calibrated probability per [`Threat`]).
//! Inputs are standardized with the training mean and spread, go through one ReLU hidden layer,
//! then one logit per head, then Platt calibration. The forward pass writes into a caller-owned
//! [`Activations`] so scoring does not allocate.

mod format;

pub use format::{ModelMeta, FORMAT_VERSION, MAGIC, MAX_HIDDEN};

use crate::features::N_FEATURES;
use ndarray::{Array1, Array2};

/// The threats the model scores, one output head each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threat {
    /// Automated clients: scrapers, headless browsers, scripted sign-ups.
    Bot,
    /// Attacks on the application: injection probes, traversal, exploitation.
    Attack,
    /// Abuse of the business: credential stuffing, card testing, fake accounts.
    Abuse,
}

impl Threat {
    pub const ALL: [Threat; 3] = [Self::Bot, Self::Attack, Self::Abuse];

    pub fn name(self) -> &'static str {
        match self {
            Self::Bot => "bot",
            Self::Attack => "attack",
            Self::Abuse => "abuse",
        }
    }
}

/// `pre += Σ_j z[j] · w1t[j, ·]`: one contiguous row of weights per input, skipping rows whose
/// `z[j]` is 0 (most of a request's features, and half the explanation's gated units). Prebuilt binaries
/// target baseline x86-64 (SSE2); where the CPU has AVX2 the same loop runs 8 lanes wide. The
/// arithmetic is the same element by element (no fused multiply-add), so results do not depend
/// on the CPU.
pub(crate) fn accumulate(pre: &mut [f32], z: &[f32], w1t: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { accumulate_avx2(pre, z, w1t) };
    }
    accumulate_portable::<32>(pre, z, w1t);
}

/// Inputs whose non-zero indices are gathered at a time (a byte each, on the stack).
const CHUNK: usize = 128;

/// `B` outputs summed per pass: their partial sums stay in vector registers across all inputs
/// (8 of SSE's 16 registers for 32, 8 of AVX's 16 for 64) instead of being loaded and stored
/// once per input. The non-zero inputs are gathered first, without branches: which inputs are 0
/// changes from one request to the next, and a branch per input mispredicted often enough to
/// take ~40% of the time.
#[inline(always)]
fn accumulate_portable<const B: usize>(pre: &mut [f32], z: &[f32], w1t: &[f32]) {
    let h = pre.len();
    for (c, zc) in z.chunks(CHUNK).enumerate() {
        let mut gathered = [0u8; CHUNK];
        let mut n = 0;
        for (j, &zj) in zc.iter().enumerate() {
            gathered[n] = j as u8;
            n += usize::from(zj != 0.0);
        }
        let rows = || gathered[..n].iter().map(|&j| c * CHUNK + usize::from(j)).map(|j| (z[j], &w1t[j * h..(j + 1) * h]));
        let mut start = 0;
        while start + B <= h {
            let mut acc = [0f32; B];
            acc.copy_from_slice(&pre[start..start + B]);
            for (zj, row) in rows() {
                let w: &[f32; B] = row[start..start + B].try_into().expect("B wide");
                for k in 0..B {
                    acc[k] += zj * w[k];
                }
            }
            pre[start..start + B].copy_from_slice(&acc);
            start += B;
        }
        if start < h {
            for (zj, row) in rows() {
                for (p, &w) in pre[start..].iter_mut().zip(&row[start..]) {
                    *p += zj * w;
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn accumulate_avx2(pre: &mut [f32], z: &[f32], w1t: &[f32]) {
    // 64 wide for the hidden layer; the explanation's 101 inputs leave less remainder at 32.
    if pre.len().is_multiple_of(64) {
        accumulate_portable::<64>(pre, z, w1t)
    } else {
        accumulate_portable::<32>(pre, z, w1t)
    }
}

/// Σ a·b in 8 partial sums, which vectorizes (one running sum is a chain of dependent adds); the
/// order is fixed, so the result does not depend on the CPU.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    let mut acc = [0f32; 8];
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// Number of output heads.
pub const N_HEADS: usize = Threat::ALL.len();

/// Challenge and deny thresholds on each head's calibrated probability, for one profile.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HeadThresholds {
    pub challenge: [f32; N_HEADS],
    pub deny: [f32; N_HEADS],
}

/// A trained model, validated at load.
#[derive(Clone, Debug)]
pub struct Model {
    pub(crate) mean: Array1<f32>,
    pub(crate) inv_std: Array1<f32>,
    /// Hidden × inputs.
    pub(crate) w1: Array2<f32>,
    /// The same, inputs × hidden: the forward pass adds one contiguous row per input, which
    /// vectorizes without horizontal sums (derived at load, not stored in the file).
    pub(crate) w1t: Array2<f32>,
    pub(crate) b1: Array1<f32>,
    /// The hidden pre-activations when every feature is 0 (derived at load): most features of a
    /// request are 0, so the forward pass adds only the others' rows to it.
    pub(crate) b1_at_zero: Array1<f32>,
    /// Heads × hidden.
    pub(crate) w2: Array2<f32>,
    pub(crate) b2: Array1<f32>,
    /// Platt scaling per head: p = σ(a·logit + b).
    pub(crate) calibration: [[f32; 2]; N_HEADS],
    /// Per profile name.
    pub(crate) thresholds: Vec<(String, HeadThresholds)>,
    pub meta: ModelMeta,
    version: String,
}

/// Calibrated probability per head.
pub type Scores = [f32; N_HEADS];

/// Buffers of one forward pass, kept by the caller between calls.
#[derive(Clone, Debug)]
pub struct Activations {
    /// The features times their 1/std (0 where the feature is 0).
    scaled: Array1<f32>,
    pub(crate) pre: Array1<f32>,
    pub(crate) hidden: Array1<f32>,
}

impl Activations {
    pub fn new(model: &Model) -> Self {
        let h = model.hidden_size();
        Self { scaled: Array1::zeros(N_FEATURES), pre: Array1::zeros(h), hidden: Array1::zeros(h) }
    }
}

pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl Model {
    pub fn hidden_size(&self) -> usize {
        self.w1.nrows()
    }

    /// `name@crc32` of the file: changes whenever any weight or threshold does.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Thresholds for `profile`, if the model has them.
    pub fn thresholds(&self, profile: &str) -> Option<HeadThresholds> {
        self.thresholds.iter().find(|(p, _)| p == profile).map(|(_, t)| *t)
    }

    pub fn profiles(&self) -> impl Iterator<Item = &str> {
        self.thresholds.iter().map(|(p, _)| p.as_str())
    }

    /// Sets `profile`'s thresholds (trainer and calibration tools); the version follows.
    pub fn set_thresholds(&mut self, profile: &str, t: HeadThresholds) {
        match self.thresholds.iter_mut().find(|(p, _)| p == profile) {
            Some(slot) => slot.1 = t,
            None => self.thresholds.push((profile.to_owned(), t)),
        }
        self.version = self.version_of(&self.to_bytes());
    }

    /// The weights, calibration and thresholds as JSON (for the pure-JS and ONNX comparisons in
    /// benches/; row-major matrices: w1 hidden × inputs, w2 heads × hidden).
    pub fn to_json(&self) -> serde_json::Value {
        let thresholds: serde_json::Map<String, serde_json::Value> =
            self.thresholds.iter().map(|(p, t)| (p.clone(), serde_json::json!({"challenge": t.challenge, "deny": t.deny}))).collect();
        serde_json::json!({
            "version": self.version(), "inputs": self.mean.len(), "hidden": self.hidden_size(),
            "mean": self.mean.to_vec(), "invStd": self.inv_std.to_vec(),
            "w1": self.w1.iter().copied().collect::<Vec<_>>(), "b1": self.b1.to_vec(),
            "w2": self.w2.iter().copied().collect::<Vec<_>>(), "b2": self.b2.to_vec(),
            "calibration": self.calibration, "thresholds": thresholds,
        })
    }

    /// Raw (uncalibrated) logits; leaves the hidden pre-activations in `act`.
    pub fn logits(&self, x: &[f32; N_FEATURES], act: &mut Activations) -> [f32; N_HEADS] {
        // Plain slices: ndarray's zipped iterators cost more than the arithmetic at this size.
        let contiguous = "activations and weights are contiguous";
        let scaled = act.scaled.as_slice_mut().expect(contiguous);
        for ((s, &x), &inv_std) in scaled.iter_mut().zip(x).zip(self.inv_std.as_slice().expect(contiguous)) {
            *s = x * inv_std;
        }
        // With z_j = (x_j − mean_j)·inv_std_j the standardized input, b1 + Σ_j z_j·w1[·, j] =
        // b1_at_zero + Σ_j x_j·inv_std_j·w1[·, j], and accumulate skips the features that are 0.
        let pre = act.pre.as_slice_mut().expect(contiguous);
        pre.copy_from_slice(self.b1_at_zero.as_slice().expect(contiguous));
        accumulate(pre, scaled, self.w1t.as_slice().expect(contiguous));
        let hidden = act.hidden.as_slice_mut().expect(contiguous);
        for (h, &p) in hidden.iter_mut().zip(pre.iter()) {
            *h = p.max(0.0);
        }
        let w2 = self.w2.as_slice().expect(contiguous);
        std::array::from_fn(|k| {
            let row = &w2[k * hidden.len()..(k + 1) * hidden.len()];
            self.b2[k] + dot(row, hidden)
        })
    }

    /// Calibrated probability per threat.
    pub fn score(&self, x: &[f32; N_FEATURES], act: &mut Activations) -> Scores {
        let logits = self.logits(x, act);
        self.calibrate(logits)
    }

    pub fn calibrate(&self, logits: [f32; N_HEADS]) -> Scores {
        std::array::from_fn(|k| sigmoid(self.calibration[k][0] * logits[k] + self.calibration[k][1]))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A hand-set model for format and forward-pass tests only (shipped models are trained).
    pub(crate) fn tiny_model() -> Model {
        let h = 2;
        let mut w1 = Array2::zeros((h, N_FEATURES));
        w1[[0, 0]] = 1.0;
        w1[[1, 1]] = -1.0;
        let mut w2 = Array2::zeros((N_HEADS, h));
        w2[[0, 0]] = 2.0;
        w2[[1, 1]] = 3.0;
        let t = HeadThresholds { challenge: [0.5; N_HEADS], deny: [0.9; N_HEADS] };
        Model::from_parts(
            Array1::zeros(N_FEATURES),
            Array1::ones(N_FEATURES),
            w1,
            Array1::zeros(h),
            w2,
            Array1::zeros(N_HEADS),
            [[1.0, 0.0]; N_HEADS],
            vec![("default".into(), t)],
            ModelMeta { name: "tiny".into(), ..Default::default() },
        )
    }

    #[test]
    fn forward_pass_by_hand() {
        let m = tiny_model();
        let mut x = [0f32; N_FEATURES];
        x[0] = 1.5;
        x[1] = -2.0;
        let mut act = Activations::new(&m);
        let logits = m.logits(&x, &mut act);
        // hidden = relu([1.5, 2.0]); logits = [2·1.5, 3·2.0, 0]
        assert_eq!(logits, [3.0, 6.0, 0.0]);
        let p = m.score(&x, &mut act);
        assert!((p[2] - 0.5).abs() < 1e-6);
    }
}
