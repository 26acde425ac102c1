//! The CLI commands, each from paths and options to a file written and a text to print.

use crate::{evaluation_table, model_summary, write_report};
use refiner_core::error::{RefinerError, Result};
use refiner_core::eval::{evaluate, Evaluation};
use refiner_core::model::Model;
use refiner_core::policy::Profile;
use refiner_core::dataset::{load_corpus, Dataset};
use refiner_core::train::{calibrate_profile, train, Progress, TrainParams};
use std::path::{Path, PathBuf};

/// Loads a corpus, reporting skipped lines on stderr.
pub fn load(corpus: &Path, skip_bad: bool) -> Result<Dataset> {
    let (data, skipped) = load_corpus(corpus, skip_bad)?;
    if skipped > 0 {
        eprintln!("skipped {skipped} malformed lines of {}", corpus.display());
    }
    Ok(data)
}

/// Trains on `corpus`, writes the model to `out`; returns the model's summary.
pub fn train_command(corpus: &Path, out: &Path, mut params: TrainParams, skip_bad: bool, progress: &dyn Progress) -> Result<String> {
    let data = load(corpus, skip_bad)?;
    params.corpus = corpus.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let started = std::time::Instant::now();
    let model = train(&data, &params, progress)?;
    model.save(out)?;
    let bytes = model.to_bytes().len();
    Ok(format!("trained {} on {} samples in {:.1?}: {} ({bytes} bytes)\n{}", model.version(), data.len(), started.elapsed(), out.display(), model_summary(&model)))
}

/// Evaluates a model on a corpus; writes the HTML report when `report` is given.
pub fn eval_command(model: &Path, corpus: &Path, report: Option<&Path>, skip_bad: bool) -> Result<(Evaluation, String, Option<PathBuf>)> {
    let m = Model::load(model)?;
    let e = evaluate(&m, &load(corpus, skip_bad)?)?;
    let page = report.map(|dir| write_report(&e, dir)).transpose()?;
    let table = evaluation_table(&e);
    Ok((e, table, page))
}

/// Refits one profile's thresholds on a corpus; writes the model to `out` (default: in place).
pub fn calibrate_command(model: &Path, corpus: &Path, profile: &str, target_fpr: f64, challenge_fpr: Option<f64>, out: Option<&Path>, skip_bad: bool) -> Result<String> {
    let mut m = Model::load(model)?;
    let profile = Profile::parse(profile)?;
    let t = calibrate_profile(&mut m, &load(corpus, skip_bad)?, profile, target_fpr, challenge_fpr.unwrap_or((5.0 * target_fpr).min(0.5)))?;
    let out = out.unwrap_or(model);
    m.save(out)?;
    Ok(format!("{} profile of {}: challenge {:?}, deny {:?} → {}\n", profile.name(), m.version(), t.challenge, t.deny, out.display()))
}

/// Writes a corpus's feature matrix as CSV; returns the number of rows.
pub fn export_command(corpus: &Path, out: &Path, skip_bad: bool) -> Result<usize> {
    let data = load(corpus, skip_bad)?;
    let io = |source| RefinerError::Io { path: out.display().to_string(), source };
    let f = std::fs::File::create(out).map_err(io)?;
    data.write_csv(std::io::BufWriter::new(f)).map_err(io)?;
    Ok(data.len())
}

/// A model file's summary.
pub fn inspect_command(model: &Path) -> Result<String> {
    Ok(model_summary(&Model::load(model)?))
}
