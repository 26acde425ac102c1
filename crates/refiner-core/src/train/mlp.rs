//! The network's gradients and Adam, for training (scoring lives in `model`). The parameters are
//! the model's own [`Weights`]; after every step [`structure::project`] brings them back within the
//! schema's promises, so the model trained is the model the loader accepts.

use crate::model::{sigmoid, structure, Weights};
use ndarray::{Array1, Array2, Axis, Zip};
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};
use rayon::prelude::*;

/// The trained part of [`Weights`] (the input ranges and standardization are fixed from data).
#[derive(Clone, Debug)]
pub struct Params {
    pub w1: Array2<f32>,
    pub b1: Array1<f32>,
    pub w2: Array2<f32>,
    pub v: Array2<f32>,
    pub b2: Array1<f32>,
}

impl Params {
    /// He-normal weights for the hidden layer, small positive output weights (they must be
    /// non-negative), zero linear terms and biases; then projected onto the schema.
    pub fn init(inputs: usize, hidden: usize, heads: usize, rng: &mut impl Rng) -> Self {
        let he = Normal::new(0.0, (2.0 / inputs as f32).sqrt()).expect("positive std");
        let out = Normal::new(0.0, (1.0 / hidden as f32).sqrt()).expect("positive std");
        Self {
            w1: Array2::from_shape_simple_fn((hidden, inputs), || he.sample(rng)),
            b1: Array1::zeros(hidden),
            w2: Array2::from_shape_simple_fn((heads, hidden), || f32::abs(out.sample(rng))),
            v: Array2::zeros((heads, inputs)),
            b2: Array1::zeros(heads),
        }
    }

    fn zeros_like(&self) -> Self {
        Self {
            w1: Array2::zeros(self.w1.raw_dim()),
            b1: Array1::zeros(self.b1.raw_dim()),
            w2: Array2::zeros(self.w2.raw_dim()),
            v: Array2::zeros(self.v.raw_dim()),
            b2: Array1::zeros(self.b2.raw_dim()),
        }
    }

    fn add(mut self, o: &Self) -> Self {
        self.w1 += &o.w1;
        self.b1 += &o.b1;
        self.w2 += &o.w2;
        self.v += &o.v;
        self.b2 += &o.b2;
        self
    }

    /// (parameter, is a weight) slices in a fixed order.
    fn slices_mut(&mut self) -> [(&mut [f32], bool); 5] {
        let s = "standard layout";
        [
            (self.w1.as_slice_mut().expect(s), true),
            (self.b1.as_slice_mut().expect(s), false),
            (self.w2.as_slice_mut().expect(s), true),
            (self.v.as_slice_mut().expect(s), true),
            (self.b2.as_slice_mut().expect(s), false),
        ]
    }

    fn slices(&self) -> [&[f32]; 5] {
        let s = "standard layout";
        [self.w1.as_slice().expect(s), self.b1.as_slice().expect(s), self.w2.as_slice().expect(s), self.v.as_slice().expect(s), self.b2.as_slice().expect(s)]
    }

    /// These parameters within `frame`'s ranges and standardization.
    pub fn weights(&self, frame: &Weights) -> Weights {
        Weights { w1: self.w1.clone(), b1: self.b1.clone(), w2: self.w2.clone(), v: self.v.clone(), b2: self.b2.clone(), ..frame.clone() }
    }

    /// Projects onto the schema's promises (see [`structure::project`]) at calibration `slopes`.
    pub fn project(&mut self, frame: &Weights, slopes: &[f32]) {
        let mut w = self.weights(frame);
        structure::project(&mut w, slopes);
        (self.w1, self.w2, self.v) = (w.w1, w.w2, w.v);
    }
}

/// Forward pass of standardized inputs: (pre-activations, hidden, logits).
fn forward_rows(p: &Params, zc: &Array2<f32>) -> (Array2<f32>, Array2<f32>, Array2<f32>) {
    let pre = zc.dot(&p.w1.t()) + &p.b1;
    let hidden = pre.mapv(|v| v.max(0.0));
    let logits = hidden.dot(&p.w2.t()) + zc.dot(&p.v.t()) + &p.b2;
    (pre, hidden, logits)
}

fn bce(logit: f32, y: f32) -> f64 {
    // log(1 + e^−|l|) + max(l, 0) − l·y, stable for large |l|.
    let l = f64::from(logit);
    (-l.abs()).exp().ln_1p() + l.max(0.0) - l * f64::from(y)
}

/// Rows per parallel chunk; fixed so the sum order (and result) does not depend on threads.
const CHUNK: usize = 64;

/// Input dropout: each standardized input is reset to its mean (0) with probability `rate`, so the
/// model cannot lean on any single feature and degrades gracefully when an app omits one.
pub struct Dropout {
    pub rate: f64,
    /// Seeds the mask of this batch; chunks derive theirs from it, so results stay deterministic.
    pub seed: u64,
}

/// Gradient of the mean class-weighted BCE over `batch`, each row's heads weighted by `weight`
/// (0 where a head does not learn from the row).
pub fn batch_gradient(p: &Params, z: &Array2<f32>, y: &Array2<f32>, weight: &Array2<f32>, batch: &[usize], pos_weight: &[f32], dropout: &Dropout) -> Params {
    let scale = 1.0 / batch.len() as f32;
    let parts: Vec<Params> = batch
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, rows)| {
            let mut zc = z.select(Axis(0), rows);
            if dropout.rate > 0.0 {
                let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(dropout.seed ^ (c as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
                zc.mapv_inplace(|v| if rng.random_bool(dropout.rate) { 0.0 } else { v });
            }
            let (pre, hidden, logits) = forward_rows(p, &zc);
            let yc = y.select(Axis(0), rows);
            let wc = weight.select(Axis(0), rows);
            let mut dl = logits;
            Zip::from(&mut dl).and(&yc).and(&wc).for_each(|l, &t, &w| {
                *l = (sigmoid(*l) - t) * scale * w;
            });
            Zip::from(dl.rows_mut()).and(yc.rows()).for_each(|mut d, t| {
                for k in 0..d.len() {
                    if t[k] > 0.5 {
                        d[k] *= pos_weight[k];
                    }
                }
            });
            let mut dh = dl.dot(&p.w2);
            Zip::from(&mut dh).and(&pre).for_each(|d, &a| {
                if a <= 0.0 {
                    *d = 0.0;
                }
            });
            Params { w1: dh.t().dot(&zc), b1: dh.sum_axis(Axis(0)), w2: dl.t().dot(&hidden), v: dl.t().dot(&zc), b2: dl.sum_axis(Axis(0)) }
        })
        .collect();
    parts.iter().fold(p.zeros_like(), Params::add)
}

/// Logits of `rows`, rows × heads.
pub fn logits(p: &Params, z: &Array2<f32>, rows: &[usize]) -> Array2<f32> {
    let parts: Vec<Array2<f32>> = rows.par_chunks(4096).map(|r| forward_rows(p, &z.select(Axis(0), r)).2).collect();
    let views: Vec<_> = parts.iter().map(|a| a.view()).collect();
    ndarray::concatenate(Axis(0), &views).expect("same width")
}

/// Mean BCE over heads and `rows`, each term weighted by `weight` (not class-weighted).
pub fn mean_loss(p: &Params, z: &Array2<f32>, y: &Array2<f32>, weight: &Array2<f32>, rows: &[usize]) -> f64 {
    let l = logits(p, z, rows);
    let yc = y.select(Axis(0), rows);
    let wc = weight.select(Axis(0), rows);
    let total: f64 = l.iter().zip(yc.iter()).zip(wc.iter()).map(|((&l, &t), &w)| f64::from(w) * bce(l, t)).sum();
    total / wc.sum().max(1.0) as f64
}

/// Adam with decoupled weight decay on weights (not biases).
pub struct Adam {
    m: Params,
    v: Params,
    t: i32,
    lr: f32,
    decay: f32,
}

impl Adam {
    pub fn new(p: &Params, lr: f32, decay: f32) -> Self {
        Self { m: p.zeros_like(), v: p.zeros_like(), t: 0, lr, decay }
    }

    pub fn step(&mut self, p: &mut Params, g: &Params) {
        const B1: f32 = 0.9;
        const B2: f32 = 0.999;
        const EPS: f32 = 1e-8;
        self.t += 1;
        let (c1, c2) = (1.0 - B1.powi(self.t), 1.0 - B2.powi(self.t));
        let ms = self.m.slices_mut();
        let vs = self.v.slices_mut();
        for (((param, is_weight), grad), ((m, _), (v, _))) in p.slices_mut().into_iter().zip(g.slices()).zip(ms.into_iter().zip(vs)) {
            for i in 0..param.len() {
                m[i] = B1 * m[i] + (1.0 - B1) * grad[i];
                v[i] = B2 * v[i] + (1.0 - B2) * grad[i] * grad[i];
                let update = (m[i] / c1) / ((v[i] / c2).sqrt() + EPS);
                let decay = if is_weight { self.decay * param[i] } else { 0.0 };
                param[i] -= self.lr * (update + decay);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_finite_differences() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut p = Params::init(4, 3, 2, &mut rng);
        p.v = Array2::from_shape_fn((2, 4), |(k, j)| (k + j) as f32 / 10.0 - 0.2);
        let z = Array2::from_shape_fn((5, 4), |(i, j)| ((i * 7 + j * 3) % 5) as f32 / 5.0 - 0.4);
        let y = Array2::from_shape_fn((5, 2), |(i, k)| ((i + k) % 2) as f32);
        let rows: Vec<usize> = (0..5).collect();
        let ones = [1.0, 1.0];
        let w = Array2::ones((5, 2));
        let g = batch_gradient(&p, &z, &y, &w, &rows, &ones, &Dropout { rate: 0.0, seed: 0 });
        let loss = |p: &Params| mean_loss(p, &z, &y, &w, &rows) * 2.0; // mean over heads → sum over heads
        let h = 1e-3;
        let numeric = |nudge: &dyn Fn(&mut Params, f32)| {
            let (mut plus, mut minus) = (p.clone(), p.clone());
            nudge(&mut plus, h);
            nudge(&mut minus, -h);
            (loss(&plus) - loss(&minus)) / (2.0 * f64::from(h))
        };
        for (r, c) in [(0, 0), (1, 2), (2, 3)] {
            let n = numeric(&|q, d| q.w1[[r, c]] += d);
            assert!((n - f64::from(g.w1[[r, c]])).abs() < 1e-3, "w1[{r},{c}]: {n} vs {}", g.w1[[r, c]]);
        }
        for (k, j) in [(0, 1), (1, 3)] {
            let n = numeric(&|q, d| q.v[[k, j]] += d);
            assert!((n - f64::from(g.v[[k, j]])).abs() < 1e-3, "v[{k},{j}]: {n} vs {}", g.v[[k, j]]);
        }
    }
}
