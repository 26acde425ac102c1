//! Training: a labeled corpus in, a calibrated `.rfm` model out.
//!
//! Mini-batch Adam on class-weighted binary cross-entropy (one sigmoid head per threat), each step
//! projected onto the schema's promises ([`crate::model::structure`]), early stopping on a
//! validation split, then Platt calibration per head and per-profile thresholds, both fitted on a
//! second held-out split the optimizer never saw. Seeded and deterministic: the batch gradient is
//! summed over fixed chunks in a fixed order, however rayon schedules them.

mod calibrate;
mod mlp;

pub use calibrate::{fit_platt, profile_thresholds, thresholds_at, CHALLENGE_FLOOR, DENY_FLOOR};

use crate::dataset::Dataset;
use crate::error::{RefinerError, Result};
use crate::features::N_FEATURES;
use crate::metrics::auc;
use crate::model::{structure, HeadThresholds, Model, ModelMeta, Threat, Weights, N_HEADS};
use crate::policy::Profile;
use mlp::{Adam, Params};
use ndarray::{Array1, Array2, Axis};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Hyperparameters; [`TrainParams::check`] validates them once.
#[derive(Clone, Debug)]
pub struct TrainParams {
    /// Hidden units of each threat's head.
    pub hidden_per_head: usize,
    pub max_epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f32,
    pub weight_decay: f32,
    /// Epochs without validation improvement before stopping.
    pub patience: usize,
    /// Share of the corpus held out (half for early stopping, half for calibration and thresholds).
    pub holdout: f64,
    pub seed: u64,
    /// Cap on the weight of a rare threat's positives.
    pub max_pos_weight: f32,
    /// Probability of resetting each input to its mean during training (see `mlp::Dropout`).
    pub input_dropout: f64,
    pub name: String,
    pub corpus: String,
}

impl Default for TrainParams {
    fn default() -> Self {
        Self {
            hidden_per_head: 16,
            max_epochs: 30,
            batch_size: 256,
            learning_rate: 2e-3,
            weight_decay: 1e-4,
            patience: 6,
            holdout: 0.2,
            seed: 7,
            max_pos_weight: 10.0,
            input_dropout: 0.1,
            name: "model".into(),
            corpus: String::new(),
        }
    }
}

impl TrainParams {
    pub fn check(&self) -> Result<()> {
        let invalid = |option, expected, actual: String| Err(RefinerError::InvalidOption { option, expected, actual });
        if self.hidden_per_head == 0 || self.hidden_per_head * N_HEADS > crate::model::MAX_HIDDEN {
            return invalid("hiddenPerHead", "between 1 and 341", self.hidden_per_head.to_string());
        }
        if self.batch_size == 0 {
            return invalid("batchSize", "at least 1", "0".into());
        }
        if !(self.learning_rate > 0.0 && self.learning_rate < 1.0) {
            return invalid("learningRate", "in (0, 1)", self.learning_rate.to_string());
        }
        if !(self.holdout > 0.0 && self.holdout < 0.9) {
            return invalid("holdout", "in (0, 0.9)", self.holdout.to_string());
        }
        if !(0.0..0.9).contains(&self.input_dropout) {
            return invalid("inputDropout", "in [0, 0.9)", self.input_dropout.to_string());
        }
        if self.max_epochs == 0 {
            return invalid("maxEpochs", "at least 1", "0".into());
        }
        Ok(())
    }
}

/// What a long job reports, and how it is stopped: the tools draw a progress bar, the addon
/// answers an `AbortSignal`. The core draws nothing.
pub trait Progress: Sync {
    /// The job has `total` steps.
    fn start(&self, _total: u64) {}
    fn advance(&self, _steps: u64) {}
    /// True once the caller wants the job to stop; it then returns [`RefinerError::Aborted`].
    fn aborted(&self) -> bool {
        false
    }
}

/// No progress to show, never aborted.
pub struct Quiet;
impl Progress for Quiet {}

/// Rows of each role, after a seeded shuffle.
struct Split {
    train: Vec<usize>,
    stop: Vec<usize>,
    calib: Vec<usize>,
}

fn split(n: usize, holdout: f64, rng: &mut ChaCha8Rng) -> Split {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.shuffle(rng);
    let held = ((n as f64 * holdout) as usize).max(2);
    let calib = idx.split_off(n - held / 2);
    let stop = idx.split_off(idx.len() - (held - held / 2));
    Split { train: idx, stop, calib }
}

/// The input ranges and standardization of the training rows (1/std 1 when a feature is constant).
fn frame(x: &Array2<f32>, rows: &[usize], hidden: usize) -> Weights {
    let sub = x.select(Axis(0), rows);
    let lo = sub.fold_axis(Axis(0), f32::INFINITY, |&a, &b| a.min(b));
    let hi = sub.fold_axis(Axis(0), f32::NEG_INFINITY, |&a, &b| a.max(b));
    let mean = sub.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(N_FEATURES));
    let std = sub.std_axis(Axis(0), 0.0);
    Weights {
        lo,
        hi,
        mean,
        inv_std: std.mapv(|s| if s > 1e-6 { 1.0 / s } else { 1.0 }),
        w1: Array2::zeros((hidden, N_FEATURES)),
        b1: Array1::zeros(hidden),
        w2: Array2::zeros((N_HEADS, hidden)),
        v: Array2::zeros((N_HEADS, N_FEATURES)),
        b2: Array1::zeros(N_HEADS),
    }
}

/// Per row and head, 1 when the policy acts on that head's score for the row, else 0: a bot the
/// app's own rule allowed by name is never escalated on the bot head, so it teaches that head
/// nothing (it would teach it that a crawler's user agent is harmless).
fn judged(data: &Dataset) -> Array2<f32> {
    let allowed = crate::features::index_of("rules.bot_allowed_named");
    Array2::from_shape_fn((data.len(), N_HEADS), |(i, k)| if k == Threat::Bot as usize && data.raw[[i, allowed]] > 0.0 { 0.0 } else { 1.0 })
}

/// The model's inputs as the forward pass sees them: clamped to the training range, standardized.
fn standardized(x: &Array2<f32>, f: &Weights) -> Array2<f32> {
    let mut z = x.clone();
    for mut row in z.rows_mut() {
        for j in 0..N_FEATURES {
            row[j] = (row[j].clamp(f.lo[j], f.hi[j]) - f.mean[j]) * f.inv_std[j];
        }
    }
    z
}

/// Trains a model on `data`.
pub fn train(data: &Dataset, params: &TrainParams, progress: &dyn Progress) -> Result<Model> {
    params.check()?;
    if data.len() < 100 {
        return Err(RefinerError::Training(format!("{} samples are too few (at least 100)", data.len())));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let Split { mut train, stop, calib } = split(data.len(), params.holdout, &mut rng);
    for (k, t) in Threat::ALL.iter().enumerate() {
        if !train.iter().any(|&i| data.y[[i, k]] > 0.5) {
            return Err(RefinerError::Training(format!("no training sample is labeled {}", t.name())));
        }
    }
    let hidden = params.hidden_per_head * N_HEADS;
    let frame = frame(&data.x, &train, hidden);
    let z = standardized(&data.x, &frame);
    let pos_weight: [f32; N_HEADS] = std::array::from_fn(|k| {
        let pos = train.iter().filter(|&&i| data.y[[i, k]] > 0.5).count();
        ((train.len() - pos) as f32 / pos.max(1) as f32).sqrt().clamp(1.0, params.max_pos_weight)
    });

    let judged = judged(data);
    let unit_slopes = [1.0; N_HEADS];
    let mut p = Params::init(N_FEATURES, hidden, N_HEADS, &mut rng);
    p.project(&frame, &unit_slopes);
    let mut adam = Adam::new(&p, params.learning_rate, params.weight_decay);
    let batches = train.len().div_ceil(params.batch_size);
    progress.start((params.max_epochs * batches) as u64);

    let (mut best, mut best_loss, mut since_best, mut epochs) = (p.clone(), f64::INFINITY, 0, 0);
    for epoch in 0..params.max_epochs {
        train.shuffle(&mut rng);
        for (b, batch) in train.chunks(params.batch_size).enumerate() {
            if progress.aborted() {
                return Err(RefinerError::Aborted);
            }
            let dropout = mlp::Dropout { rate: params.input_dropout, seed: params.seed ^ ((epoch * batches + b) as u64) << 20 };
            let g = mlp::batch_gradient(&p, &z, &data.y, &judged, batch, &pos_weight, &dropout);
            adam.step(&mut p, &g);
            p.project(&frame, &unit_slopes);
            progress.advance(1);
        }
        epochs = epoch + 1;
        let loss = mlp::mean_loss(&p, &z, &data.y, &judged, &stop);
        if loss < best_loss - 1e-5 {
            (best, best_loss, since_best) = (p.clone(), loss, 0);
        } else {
            since_best += 1;
            if since_best >= params.patience {
                break;
            }
        }
    }

    let (best, calibration, logits) = calibrated(best, &frame, &z, data, &calib);
    let mut meta = ModelMeta {
        name: params.name.clone(),
        seed: params.seed,
        train_samples: train.len(),
        validation_samples: stop.len() + calib.len(),
        epochs,
        corpus: params.corpus.clone(),
        metrics: Default::default(),
    };
    meta.metrics.insert("validation_loss".into(), best_loss);
    let unlearned = (0..N_FEATURES).filter(|&j| frame.lo[j] == frame.hi[j]).count();
    meta.metrics.insert("unlearned_features".into(), unlearned as f64);
    let mut model = Model::from_parts(best.weights(&frame), calibration, Vec::new(), meta);
    structure::check(&model.w, &model.calibration)?;
    let probs = calib_probs(&model, &logits);
    for (k, t) in Threat::ALL.iter().enumerate() {
        let labels: Vec<bool> = calib.iter().map(|&i| data.y[[i, k]] > 0.5).collect();
        if let Some(a) = auc(&probs.column(k).to_vec(), &labels) {
            model.meta.metrics.insert(format!("auc_{}", t.name()), a);
        }
    }
    for (profile, t) in profile_thresholds(data, &calib, &probs) {
        model.set_thresholds(profile.name(), t);
    }
    Ok(model)
}

/// Platt calibration per head on the `calib` rows. Calibration multiplies every feature's reach
/// by its slope, and refitting after shrinking the weights would only raise the slope again, so
/// a slope that would take a feature past its budget is lowered to fit it: such a head stays a
/// little under-confident rather than let one feature reach further than its role allows.
// `!(a > 0.0)` also catches a NaN slope.
#[allow(clippy::neg_cmp_op_on_partial_ord)]
fn calibrated(p: Params, frame: &Weights, z: &Array2<f32>, data: &Dataset, calib: &[usize]) -> (Params, [[f32; 2]; N_HEADS], Array2<f32>) {
    let logits = mlp::logits(&p, z, calib);
    let w = p.weights(frame);
    let cal: [[f32; 2]; N_HEADS] = std::array::from_fn(|k| {
        let column = logits.column(k).to_vec();
        let labels: Vec<bool> = calib.iter().map(|&i| data.y[[i, k]] > 0.5).collect();
        let worst = (0..N_FEATURES)
            .filter(|&j| crate::features::FEATURES[j].feeds(Threat::ALL[k]))
            .map(|j| structure::influence(&w, 1.0, k, j) / crate::features::FEATURES[j].role.budget())
            .fold(0.0f32, f32::max);
        let most = if worst > 0.0 { 0.999 / worst } else { f32::INFINITY };
        let [a, b] = fit_platt(&column, &labels);
        if !(a > 0.0) {
            // A non-positive slope would turn evidence around: such a head learned nothing.
            return [1f32.min(most), 0.0];
        }
        if a <= most {
            return [a, b];
        }
        // The best intercept for the capped slope.
        [most, fit_intercept(&column, &labels, most)]
    });
    (p, cal, logits)
}

/// The intercept b minimizing the log-loss of σ(a·logit + b) for a fixed slope `a` (Newton).
fn fit_intercept(logits: &[f32], labels: &[bool], a: f32) -> f32 {
    let mut b = 0.0f64;
    for _ in 0..50 {
        let (mut g, mut h) = (0.0, 1e-9);
        for (&l, &y) in logits.iter().zip(labels) {
            let p = 1.0 / (1.0 + (-(f64::from(a) * f64::from(l) + b)).exp());
            g += p - f64::from(u8::from(y));
            h += p * (1.0 - p);
        }
        b -= g / h;
        if (g / h).abs() < 1e-9 {
            break;
        }
    }
    b as f32
}

/// Refits one profile's thresholds on `data` (say, an app's own logs) at the given rates (see
/// [`Profile::target_fpr`]) and writes them into `model`. Both rates must be in (0, 0.5].
pub fn calibrate_profile(model: &mut Model, data: &Dataset, profile: Profile, deny_rate: f64, challenge_rate: f64) -> Result<HeadThresholds> {
    for (option, rate) in [("targetFpr", deny_rate), ("challengeFpr", challenge_rate)] {
        if !(rate > 0.0 && rate <= 0.5) {
            return Err(RefinerError::InvalidOption { option, expected: "a rate in (0, 0.5]", actual: rate.to_string() });
        }
    }
    if !(0..data.len()).any(|i| data.is_legit(i)) {
        return Err(RefinerError::Training("the corpus has no legitimate sample to calibrate on".into()));
    }
    let scores = crate::eval::score_rows(model, data);
    let probs = Array2::from_shape_fn((data.len(), N_HEADS), |(i, k)| scores[i][k]);
    let rows: Vec<usize> = (0..data.len()).collect();
    let t = thresholds_at(data, &rows, &probs, profile, (deny_rate, challenge_rate.max(deny_rate)));
    model.set_thresholds(profile.name(), t);
    Ok(t)
}

fn calib_probs(model: &Model, logits: &Array2<f32>) -> Array2<f32> {
    let mut probs = logits.clone();
    for mut row in probs.rows_mut() {
        let p = model.calibrate(std::array::from_fn(|k| row[k]));
        row.assign(&ndarray::ArrayView1::from(&p));
    }
    probs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{index_of, FEATURES};
    use crate::model::tests::first_input;

    /// Bot and attack threats separable on one feature of their own; abuse on a conjunction of two.
    fn toy(n: usize, seed: u64) -> Dataset {
        use rand::Rng;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut x = Array2::zeros((n, N_FEATURES));
        let mut y = Array2::zeros((n, N_HEADS));
        let (bot, attack) = (first_input(Threat::Bot), first_input(Threat::Attack));
        let (a1, a2) = (index_of("context.pages_seen"), index_of("context.logged_in"));
        for i in 0..n {
            for j in [bot, attack, a1, a2] {
                x[[i, j]] = f32::from(u8::from(rng.random_bool(0.3)));
            }
            x[[i, index_of("context.session_age_s")]] = rng.random::<f32>();
            y[[i, 0]] = x[[i, bot]];
            y[[i, 1]] = x[[i, attack]];
            y[[i, 2]] = x[[i, a1]] * x[[i, a2]];
        }
        Dataset { raw: x.clone(), x, y, routes: vec![0; n], rules: vec![Default::default(); n], scenarios: vec![String::new(); n], sources: vec![String::new(); n] }
    }

    fn quiet() -> TrainParams {
        TrainParams { max_epochs: 40, patience: 5, ..Default::default() }
    }

    #[test]
    fn learns_a_separable_toy_set_within_the_promises() {
        let data = toy(4000, 1);
        let model = train(&data, &quiet(), &Quiet).unwrap();
        for t in Threat::ALL {
            let auc = model.meta.metrics[&format!("auc_{}", t.name())];
            assert!(auc > 0.99, "{} auc {auc}", t.name());
        }
        use strum::VariantArray;
        for p in Profile::VARIANTS {
            assert!(model.thresholds(p.name()).is_some());
        }
        let back = Model::from_bytes(&model.to_bytes()).expect("the loader accepts what the trainer makes");
        assert_eq!(back.version(), model.version());
    }

    #[test]
    fn features_that_never_varied_have_no_reach() {
        let data = toy(1500, 4);
        let model = train(&data, &TrainParams { max_epochs: 3, ..quiet() }, &Quiet).unwrap();
        let never = index_of("memory.chargebacks");
        assert_eq!(model.w.lo[never], model.w.hi[never]);
        for k in 0..N_HEADS {
            assert_eq!(structure::influence(&model.w, 1.0, k, never), 0.0, "{}", FEATURES[never].name);
        }
        assert_eq!(model.meta.metrics["unlearned_features"], (N_FEATURES - 5) as f64);
    }

    #[test]
    fn seeded_runs_are_identical() {
        let data = toy(1500, 2);
        let params = TrainParams { max_epochs: 3, ..quiet() };
        let a = train(&data, &params, &Quiet).unwrap().to_bytes();
        let b = train(&data, &params, &Quiet).unwrap().to_bytes();
        assert_eq!(a, b);
        let c = train(&data, &TrainParams { seed: 8, ..params }, &Quiet).unwrap().to_bytes();
        assert_ne!(a, c);
    }

    #[test]
    fn refuses_bad_params_and_data_and_stops_when_aborted() {
        let data = toy(500, 3);
        let e = train(&data, &TrainParams { hidden_per_head: 0, ..quiet() }, &Quiet).unwrap_err();
        assert_eq!(e.to_string(), "hiddenPerHead must be between 1 and 341, but is 0");
        let mut none = data.clone();
        none.y.column_mut(1).fill(0.0);
        assert!(train(&none, &quiet(), &Quiet).unwrap_err().to_string().contains("labeled attack"));
        struct Stop;
        impl Progress for Stop {
            fn aborted(&self) -> bool {
                true
            }
        }
        assert!(matches!(train(&data, &quiet(), &Stop), Err(RefinerError::Aborted)));
    }
}
