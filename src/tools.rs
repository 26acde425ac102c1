//! The model tools behind `npx request-refiner` (train, eval, calibrate, inspect, export,
//! features): JS options in, refiner-tools commands, text out. They run synchronously: they are
//! command-line work, not request-path work.

use crate::error::to_napi_error;
use napi_derive::napi;
use refiner_core::train::TrainParams;
use refiner_tools::commands;
use std::path::Path;

#[napi(object)]
pub struct TrainOptions {
    pub out: String,
    pub seed: Option<u32>,
    pub name: Option<String>,
    pub hidden: Option<u32>,
    pub max_epochs: Option<u32>,
    pub skip_bad: Option<bool>,
}

/// Trains a model on a labeled JSONL corpus and writes it; returns its summary.
#[napi]
pub fn train_model(corpus: String, options: TrainOptions) -> napi::Result<String> {
    let d = TrainParams::default();
    let params = TrainParams {
        seed: options.seed.map_or(d.seed, u64::from),
        name: options.name.unwrap_or(d.name.clone()),
        hidden: options.hidden.map_or(d.hidden, |h| h as usize),
        max_epochs: options.max_epochs.map_or(d.max_epochs, |e| e as usize),
        ..d
    };
    commands::train_command(Path::new(&corpus), Path::new(&options.out), params, options.skip_bad.unwrap_or(false)).map_err(to_napi_error)
}

#[napi(object)]
pub struct EvalOptions {
    /// Directory for report.html and evaluation.json.
    pub report: Option<String>,
    pub skip_bad: Option<bool>,
}

#[napi(object)]
pub struct EvalResult {
    /// The evaluation as a printable table.
    pub table: String,
    /// The evaluation as JSON (the same as evaluation.json).
    pub json: String,
    pub report_path: Option<String>,
}

/// Compares a model with the rules alone on a labeled corpus.
#[napi]
pub fn evaluate_model(model: String, corpus: String, options: EvalOptions) -> napi::Result<EvalResult> {
    let (e, table, page) = commands::eval_command(Path::new(&model), Path::new(&corpus), options.report.as_deref().map(Path::new), options.skip_bad.unwrap_or(false)).map_err(to_napi_error)?;
    let json = serde_json::to_string(&e).map_err(|err| napi::Error::from_reason(err.to_string()))?;
    Ok(EvalResult { table, json, report_path: page.map(|p| p.display().to_string()) })
}

#[napi(object)]
pub struct CalibrateOptions {
    pub profile: String,
    pub target_fpr: f64,
    pub challenge_fpr: Option<f64>,
    /// Default: overwrite the model file.
    pub out: Option<String>,
    pub skip_bad: Option<bool>,
}

/// Sets one profile's thresholds from a corpus and writes them into the model.
#[napi]
pub fn calibrate_model(model: String, corpus: String, options: CalibrateOptions) -> napi::Result<String> {
    commands::calibrate_command(
        Path::new(&model),
        Path::new(&corpus),
        &options.profile,
        options.target_fpr,
        options.challenge_fpr,
        options.out.as_deref().map(Path::new),
        options.skip_bad.unwrap_or(false),
    )
    .map_err(to_napi_error)
}

/// A model file's version, schema, shapes, thresholds and training metadata.
#[napi]
pub fn inspect_model(model: String) -> napi::Result<String> {
    commands::inspect_command(Path::new(&model)).map_err(to_napi_error)
}

/// Writes a corpus's feature matrix and labels as CSV; returns the row count.
#[napi]
pub fn export_features(corpus: String, out: String, skip_bad: Option<bool>) -> napi::Result<u32> {
    commands::export_command(Path::new(&corpus), Path::new(&out), skip_bad.unwrap_or(false)).map(|n| n as u32).map_err(to_napi_error)
}

/// The feature schema as Markdown (docs/FEATURES.md).
#[napi]
pub fn features_markdown() -> String {
    refiner_core::features::features_markdown()
}
