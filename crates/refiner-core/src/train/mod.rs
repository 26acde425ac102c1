//! Training: a labeled corpus in, a calibrated `.rfm` model out.
//!
//! Mini-batch Adam on class-weighted binary cross-entropy (one sigmoid head per threat), early
//! stopping on a validation split, then Platt calibration per head and per-profile thresholds,
//! both fitted on a second held-out split the optimizer never saw. Seeded and deterministic: the
//! batch gradient is summed over fixed chunks in a fixed order, however rayon schedules them.

mod calibrate;
mod corpus;
mod mlp;

pub use calibrate::{fit_platt, profile_thresholds, thresholds_at};
pub use corpus::{load_corpus, read_corpus, Dataset};

use crate::error::{RefinerError, Result};
use crate::eval::auc;
use crate::features::N_FEATURES;
use crate::model::{HeadThresholds, Model, ModelMeta, Threat, N_HEADS};
use crate::policy::Profile;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mlp::{Adam, Params};
use ndarray::{Array1, Array2, Axis};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Hyperparameters; [`TrainParams::check`] validates them once.
#[derive(Clone, Debug)]
pub struct TrainParams {
    pub hidden: usize,
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
    pub progress: bool,
}

impl Default for TrainParams {
    fn default() -> Self {
        Self {
            hidden: 64,
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
            progress: true,
        }
    }
}

impl TrainParams {
    pub fn check(&self) -> Result<()> {
        let invalid = |option, expected, actual: String| Err(RefinerError::InvalidOption { option, expected, actual });
        if self.hidden == 0 || self.hidden > crate::model::MAX_HIDDEN {
            return invalid("hidden", "between 1 and 1024", self.hidden.to_string());
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

/// Mean and 1/std of the training rows (1 when a feature is constant).
fn standardization(x: &Array2<f32>, rows: &[usize]) -> (Array1<f32>, Array1<f32>) {
    let sub = x.select(Axis(0), rows);
    let mean = sub.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(N_FEATURES));
    let std = sub.std_axis(Axis(0), 0.0);
    (mean, std.mapv(|s| if s > 1e-6 { 1.0 / s } else { 1.0 }))
}

/// Trains a model on `data`.
pub fn train(data: &Dataset, params: &TrainParams) -> Result<Model> {
    params.check()?;
    if data.len() < 100 {
        return Err(RefinerError::Training(format!("{} samples are too few (at least 100)", data.len())));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let Split { mut train, stop, calib } = split(data.len(), params.holdout, &mut rng);
    let (mean, inv_std) = standardization(&data.x, &train);
    let z = (&data.x - &mean) * &inv_std;

    let pos_weight: [f32; N_HEADS] = std::array::from_fn(|k| {
        let pos = train.iter().filter(|&&i| data.y[[i, k]] > 0.5).count();
        ((train.len() - pos) as f32 / pos.max(1) as f32).sqrt().clamp(1.0, params.max_pos_weight)
    });
    for (k, t) in Threat::ALL.iter().enumerate() {
        if !train.iter().any(|&i| data.y[[i, k]] > 0.5) {
            return Err(RefinerError::Training(format!("no training sample is labeled {}", t.name())));
        }
    }

    let mut p = Params::init(N_FEATURES, params.hidden, N_HEADS, &mut rng);
    let mut adam = Adam::new(&p, params.learning_rate, params.weight_decay);
    let batches = train.len().div_ceil(params.batch_size);
    let bar = if params.progress { ProgressBar::with_draw_target(Some((params.max_epochs * batches) as u64), ProgressDrawTarget::stderr()) } else { ProgressBar::hidden() };
    bar.set_style(ProgressStyle::with_template("training {bar:40} epoch {msg} {pos}/{len} batches, {elapsed}").expect("static template"));

    let (mut best, mut best_loss, mut since_best, mut epochs) = (p.clone(), f64::INFINITY, 0, 0);
    for epoch in 0..params.max_epochs {
        bar.set_message(format!("{}", epoch + 1));
        train.shuffle(&mut rng);
        for (b, batch) in train.chunks(params.batch_size).enumerate() {
            let dropout = mlp::Dropout { rate: params.input_dropout, seed: params.seed ^ ((epoch * batches + b) as u64) << 20 };
            let g = mlp::batch_gradient(&p, &z, &data.y, batch, &pos_weight, &dropout);
            adam.step(&mut p, &g);
            bar.inc(1);
        }
        epochs = epoch + 1;
        let loss = mlp::mean_loss(&p, &z, &data.y, &stop);
        if loss < best_loss - 1e-5 {
            (best, best_loss, since_best) = (p.clone(), loss, 0);
        } else {
            since_best += 1;
            if since_best >= params.patience {
                break;
            }
        }
    }
    bar.finish_and_clear();

    let logits = mlp::logits(&best, &z, &calib);
    let calibration: [[f32; 2]; N_HEADS] = std::array::from_fn(|k| {
        let labels: Vec<bool> = calib.iter().map(|&i| data.y[[i, k]] > 0.5).collect();
        fit_platt(&logits.column(k).to_vec(), &labels)
    });
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
    // A feature that never varied in training kept its random initial weights (its standardized
    // input was always 0, so no gradient reached them); a value it takes in production would then
    // move the scores at random. Zeroing them changes nothing on the training data.
    let mut w1 = best.w1;
    let constant: Vec<usize> = (0..N_FEATURES).filter(|&j| train.iter().all(|&i| z[[i, j]] == 0.0)).collect();
    for &j in &constant {
        w1.column_mut(j).fill(0.0);
    }
    meta.metrics.insert("unlearned_features".into(), constant.len() as f64);
    let mut model = Model::from_parts(mean, inv_std, w1, best.b1, best.w2, best.b2, calibration, Vec::new(), meta);
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

/// Refits one profile's thresholds on `data` (say, an app's own logs) at the given
/// false-positive rates and writes them into `model`. Both rates must be in (0, 0.5].
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

    /// Two threats separable on one feature each; the third on a conjunction.
    fn toy(n: usize, seed: u64) -> Dataset {
        use rand::Rng;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut x = Array2::zeros((n, N_FEATURES));
        let mut y = Array2::zeros((n, N_HEADS));
        for i in 0..n {
            for j in 0..4 {
                x[[i, j]] = f32::from(u8::from(rng.random_bool(0.3)));
            }
            x[[i, 10]] = rng.random::<f32>();
            y[[i, 0]] = x[[i, 0]];
            y[[i, 1]] = x[[i, 1]];
            y[[i, 2]] = x[[i, 2]] * x[[i, 3]];
        }
        Dataset { x, y, routes: vec![0; n], rules_conclusion: vec![0; n], scenarios: vec![String::new(); n] }
    }

    fn quiet() -> TrainParams {
        TrainParams { progress: false, max_epochs: 40, patience: 5, ..Default::default() }
    }

    #[test]
    fn learns_a_separable_toy_set() {
        let data = toy(4000, 1);
        let model = train(&data, &quiet()).unwrap();
        for t in Threat::ALL {
            let auc = model.meta.metrics[&format!("auc_{}", t.name())];
            assert!(auc > 0.999, "{} auc {auc}", t.name());
        }
        assert!(model.meta.metrics["validation_loss"] < 0.05, "{:?}", model.meta.metrics);
        for p in crate::policy::Profile::ALL {
            assert!(model.thresholds(p.name()).is_some());
        }
    }

    #[test]
    fn features_that_never_varied_carry_no_weight() {
        let data = toy(1500, 4);
        let model = train(&data, &TrainParams { max_epochs: 3, ..quiet() }).unwrap();
        assert!(model.w1.column(20).iter().all(|&w| w == 0.0), "feature 20 is always 0 in the toy set");
        assert!(model.w1.column(0).iter().any(|&w| w != 0.0));
        assert_eq!(model.meta.metrics["unlearned_features"], (N_FEATURES - 5) as f64);
    }

    #[test]
    fn seeded_runs_are_identical() {
        let data = toy(1500, 2);
        let params = TrainParams { max_epochs: 3, ..quiet() };
        let a = train(&data, &params).unwrap().to_bytes();
        let b = train(&data, &params).unwrap().to_bytes();
        assert_eq!(a, b);
        let c = train(&data, &TrainParams { seed: 8, ..params }).unwrap().to_bytes();
        assert_ne!(a, c);
    }

    #[test]
    fn refuses_bad_params_and_data() {
        let data = toy(500, 3);
        let e = train(&data, &TrainParams { hidden: 0, ..quiet() }).unwrap_err();
        assert_eq!(e.to_string(), "hidden must be between 1 and 1024, but is 0");
        let mut none = data.clone();
        none.y.column_mut(1).fill(0.0);
        assert!(train(&none, &quiet()).unwrap_err().to_string().contains("labeled attack"));
    }
}
