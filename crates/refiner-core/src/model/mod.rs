//! Stage 3 — the model: one small calibrated network per threat.
//!
//! Input: the feature vector. Output: [`Scores`] (a calibrated probability per [`Threat`]).
//! Each input is clamped to the range it took in training, so a value no training sample had
//! cannot push a score further than the most extreme one did. Each head has hidden units of its
//! own that read only the features the schema gives it ([`crate::features::Feature::heads`]), a
//! non-negative output layer and a linear term; evidence features have non-negative weights, so
//! they never lower their threat, and every feature's reach is bounded by its role's budget
//! ([`structure`] checks all of it when a model is loaded). The forward pass writes into a
//! caller-owned [`Activations`], so scoring does not allocate.

mod format;
pub mod structure;

pub use format::{ModelMeta, FORMAT_VERSION, MAGIC, MAX_HIDDEN};

use crate::features::N_FEATURES;
pub use crate::threat::{Threat, N_HEADS};
use ndarray::{Array1, Array2};

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
    // 64 wide for a hidden layer of 64 or more; narrower layers and the explanation's inputs leave
    // less remainder at 32.
    if pre.len().is_multiple_of(64) {
        accumulate_portable::<64>(pre, z, w1t)
    } else {
        accumulate_portable::<32>(pre, z, w1t)
    }
}

/// Σ a·b in 8 partial sums, which vectorizes (one running sum is a chain of dependent adds); the
/// order is fixed, so the result does not depend on the CPU.
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
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

/// Challenge and deny thresholds on each head's calibrated probability, for one profile.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HeadThresholds {
    pub challenge: [f32; N_HEADS],
    pub deny: [f32; N_HEADS],
}

/// The learned parameters, as the trainer produces them and the file stores them.
#[derive(Clone, Debug)]
pub struct Weights {
    /// The range of each (transformed) input in training; inputs are clamped to it.
    pub lo: Array1<f32>,
    pub hi: Array1<f32>,
    pub mean: Array1<f32>,
    pub inv_std: Array1<f32>,
    /// Hidden × inputs; hidden unit h belongs to head `h / (hidden / heads)`.
    pub w1: Array2<f32>,
    pub b1: Array1<f32>,
    /// Heads × hidden, non-negative, zero outside each head's own units.
    pub w2: Array2<f32>,
    /// Heads × inputs: the linear term.
    pub v: Array2<f32>,
    pub b2: Array1<f32>,
}

/// A trained model, validated at load.
#[derive(Clone, Debug)]
pub struct Model {
    pub(crate) w: Weights,
    /// `w1` transposed, inputs × hidden: the forward pass adds one contiguous row per input,
    /// which vectorizes without horizontal sums (derived at load, not stored in the file).
    pub(crate) w1t: Array2<f32>,
    /// Each input's value at a raw 0 after clamping (0 unless training never saw a 0).
    pub(crate) zero: Array1<f32>,
    /// The hidden pre-activations and the linear terms when every feature is 0 (derived at
    /// load): most features of a request are 0, so the forward pass adds only the others' rows.
    pub(crate) b1_at_zero: Array1<f32>,
    pub(crate) b2_at_zero: Array1<f32>,
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
    /// Each input's step from its zero value, in standard deviations (0 for inputs at 0).
    pub(crate) delta: Array1<f32>,
    pub(crate) pre: Array1<f32>,
    pub(crate) hidden: Array1<f32>,
}

impl Activations {
    pub fn new(model: &Model) -> Self {
        let h = model.hidden_size();
        Self { delta: Array1::zeros(N_FEATURES), pre: Array1::zeros(h), hidden: Array1::zeros(h) }
    }
}

pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

const CONTIGUOUS: &str = "activations and weights are contiguous";

impl Model {
    /// A model from its weights; the derived parts are computed here, once.
    pub(crate) fn from_parts(w: Weights, calibration: [[f32; 2]; N_HEADS], thresholds: Vec<(String, HeadThresholds)>, meta: ModelMeta) -> Model {
        let w1t = w.w1.t().as_standard_layout().into_owned();
        let zero = ndarray::Zip::from(&w.lo).and(&w.hi).map_collect(|&lo, &hi| 0f32.clamp(lo, hi));
        let z0 = (&zero - &w.mean) * &w.inv_std;
        let b1_at_zero = &w.b1 + &w.w1.dot(&z0);
        let b2_at_zero = &w.b2 + &w.v.dot(&z0);
        let mut m = Model { w, w1t, zero, b1_at_zero, b2_at_zero, calibration, thresholds, meta, version: String::new() };
        m.version = m.version_of(&m.to_bytes());
        m
    }

    pub fn hidden_size(&self) -> usize {
        self.w.w1.nrows()
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
    /// benches/; row-major matrices: w1 hidden × inputs, w2 heads × hidden, v heads × inputs).
    pub fn to_json(&self) -> serde_json::Value {
        let thresholds: serde_json::Map<String, serde_json::Value> =
            self.thresholds.iter().map(|(p, t)| (p.clone(), serde_json::json!({"challenge": t.challenge, "deny": t.deny}))).collect();
        let w = &self.w;
        serde_json::json!({
            "version": self.version(), "inputs": w.mean.len(), "hidden": self.hidden_size(),
            "lo": w.lo.to_vec(), "hi": w.hi.to_vec(), "mean": w.mean.to_vec(), "invStd": w.inv_std.to_vec(),
            "w1": w.w1.iter().copied().collect::<Vec<_>>(), "b1": w.b1.to_vec(),
            "w2": w.w2.iter().copied().collect::<Vec<_>>(), "v": w.v.iter().copied().collect::<Vec<_>>(), "b2": w.b2.to_vec(),
            "calibration": self.calibration, "thresholds": thresholds,
        })
    }

    /// Raw (uncalibrated) logits; leaves the inputs' steps and the hidden pre-activations in `act`.
    pub fn logits(&self, x: &[f32; N_FEATURES], act: &mut Activations) -> [f32; N_HEADS] {
        // Plain slices: ndarray's zipped iterators cost more than the arithmetic at this size.
        let w = &self.w;
        let delta = act.delta.as_slice_mut().expect(CONTIGUOUS);
        let (lo, hi, zero, inv_std) = (w.lo.as_slice().expect(CONTIGUOUS), w.hi.as_slice().expect(CONTIGUOUS), self.zero.as_slice().expect(CONTIGUOUS), w.inv_std.as_slice().expect(CONTIGUOUS));
        for ((((d, &x), &lo), &hi), (&zero, &inv_std)) in delta.iter_mut().zip(x).zip(lo).zip(hi).zip(zero.iter().zip(inv_std)) {
            // With z_j = (clamp(x_j) − mean_j)·inv_std_j the standardized input, b1 + W1·z =
            // b1_at_zero + Σ_j (clamp(x_j) − zero_j)·inv_std_j·W1[·, j], and accumulate skips
            // the inputs at 0. `clamp` without its assertion that lo <= hi (checked at load), which
            // kept the loop from vectorizing.
            let clamped = if x < lo { lo } else if x > hi { hi } else { x };
            *d = if x == 0.0 { 0.0 } else { (clamped - zero) * inv_std };
        }
        let pre = act.pre.as_slice_mut().expect(CONTIGUOUS);
        pre.copy_from_slice(self.b1_at_zero.as_slice().expect(CONTIGUOUS));
        accumulate(pre, delta, self.w1t.as_slice().expect(CONTIGUOUS));
        let hidden = act.hidden.as_slice_mut().expect(CONTIGUOUS);
        for (h, &p) in hidden.iter_mut().zip(pre.iter()) {
            *h = p.max(0.0);
        }
        let (w2, v) = (w.w2.as_slice().expect(CONTIGUOUS), w.v.as_slice().expect(CONTIGUOUS));
        let n_hidden = hidden.len();
        std::array::from_fn(|k| self.b2_at_zero[k] + dot(&v[k * N_FEATURES..(k + 1) * N_FEATURES], delta) + dot(&w2[k * n_hidden..(k + 1) * n_hidden], hidden))
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
    use crate::features::FEATURES;

    /// The first feature each head reads.
    pub(crate) fn first_input(t: Threat) -> usize {
        FEATURES.iter().position(|f| f.feeds(t)).expect("every head reads a feature")
    }

    /// A hand-set model for format, forward-pass and policy tests only (shipped models are
    /// trained): one hidden unit per head, reading its head's first feature with weight 1, output
    /// weight `[2, 3, 1]`; inputs range over [0, 4].
    pub(crate) fn tiny_model() -> Model {
        let h = N_HEADS;
        let mut w1 = Array2::zeros((h, N_FEATURES));
        let mut w2 = Array2::zeros((N_HEADS, h));
        for (k, t) in Threat::ALL.iter().enumerate() {
            w1[[k, first_input(*t)]] = 1.0;
            w2[[k, k]] = [2.0, 3.0, 1.0][k];
        }
        let w = Weights {
            lo: Array1::zeros(N_FEATURES),
            hi: Array1::from_elem(N_FEATURES, 4.0),
            mean: Array1::zeros(N_FEATURES),
            inv_std: Array1::ones(N_FEATURES),
            w1,
            b1: Array1::zeros(h),
            w2,
            v: Array2::zeros((N_HEADS, N_FEATURES)),
            b2: Array1::zeros(N_HEADS),
        };
        let t = HeadThresholds { challenge: [0.5; N_HEADS], deny: [0.9; N_HEADS] };
        Model::from_parts(w, [[1.0, 0.0]; N_HEADS], vec![("default".into(), t), ("api".into(), t)], ModelMeta { name: "tiny".into(), ..Default::default() })
    }

    #[test]
    fn forward_pass_by_hand() {
        let m = tiny_model();
        let mut x = [0f32; N_FEATURES];
        x[first_input(Threat::Bot)] = 1.5;
        x[first_input(Threat::Attack)] = 9.0; // clamped to 4
        let mut act = Activations::new(&m);
        let logits = m.logits(&x, &mut act);
        assert_eq!(logits, [3.0, 12.0, 0.0]);
        let p = m.score(&x, &mut act);
        assert!((p[2] - 0.5).abs() < 1e-6);
    }
}
