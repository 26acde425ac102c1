//! The model tools: the command line (`npx request-refiner`, the same clap declaration as the
//! Rust `refiner`), and training and evaluation as tasks on the thread pool, so a long job does
//! not block the event loop and an `AbortSignal` can stop it between batches.

use crate::error::to_napi_error;
use napi::bindgen_prelude::{AsyncTask, External};
use napi::{Env, Result, Task};
use napi_derive::napi;
use refiner_core::train::{Progress, TrainParams};
use refiner_tools::commands;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Runs `request-refiner <args>` (help, errors and output on the process's stdout and stderr);
/// returns the exit code.
#[napi]
pub fn run_cli(args: Vec<String>) -> i32 {
    refiner_tools::cli::main("request-refiner", std::iter::once("request-refiner".to_owned()).chain(args))
}

/// A flag a long job polls between steps; the JS layer sets it when the caller's `AbortSignal` fires.
pub struct Job(Arc<AtomicBool>);

impl Progress for Job {
    fn aborted(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// A new job's abort flag.
#[napi]
pub fn new_job() -> External<Arc<AtomicBool>> {
    External::new(Arc::new(AtomicBool::new(false)))
}

/// Asks the job to stop at its next step.
#[napi]
pub fn abort_job(job: &External<Arc<AtomicBool>>) {
    job.store(true, Ordering::Relaxed);
}

#[napi(object, object_to_js = false)]
pub struct TrainOptions {
    /// Where to write the model.
    pub out: String,
    pub seed: Option<u32>,
    pub name: Option<String>,
    /// Hidden units of each threat's head.
    pub hidden_per_head: Option<u32>,
    pub max_epochs: Option<u32>,
    /// Count and skip malformed lines instead of failing at the first.
    pub skip_bad: Option<bool>,
}

/// Training a model on a labeled JSONL corpus; resolves to the model's summary.
pub struct TrainTask {
    corpus: PathBuf,
    out: PathBuf,
    params: TrainParams,
    skip_bad: bool,
    job: Job,
}

impl Task for TrainTask {
    type Output = String;
    type JsValue = String;

    fn compute(&mut self) -> Result<String> {
        commands::train_command(&self.corpus, &self.out, self.params.clone(), self.skip_bad, &self.job).map_err(to_napi_error)
    }

    fn resolve(&mut self, _: Env, summary: String) -> Result<String> {
        Ok(summary)
    }
}

/// Trains a model off the JS thread (see `train` in index.d.ts).
#[napi]
pub fn train_model(corpus: String, options: TrainOptions, job: &External<Arc<AtomicBool>>) -> AsyncTask<TrainTask> {
    let d = TrainParams::default();
    let params = TrainParams {
        seed: options.seed.map_or(d.seed, u64::from),
        name: options.name.unwrap_or(d.name.clone()),
        hidden_per_head: options.hidden_per_head.map_or(d.hidden_per_head, |h| h as usize),
        max_epochs: options.max_epochs.map_or(d.max_epochs, |e| e as usize),
        ..d
    };
    AsyncTask::new(TrainTask { corpus: corpus.into(), out: options.out.into(), params, skip_bad: options.skip_bad.unwrap_or(false), job: Job(Arc::clone(job)) })
}

#[napi(object, object_to_js = false)]
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

/// Evaluating a model against the rules alone on a labeled corpus.
pub struct EvalTask {
    model: PathBuf,
    corpus: PathBuf,
    report: Option<PathBuf>,
    skip_bad: bool,
    job: Job,
}

impl Task for EvalTask {
    type Output = EvalResult;
    type JsValue = EvalResult;

    fn compute(&mut self) -> Result<EvalResult> {
        if self.job.aborted() {
            return Err(to_napi_error(refiner_core::RefinerError::Aborted));
        }
        let (e, table, page) = commands::eval_command(&self.model, &self.corpus, self.report.as_deref(), self.skip_bad).map_err(to_napi_error)?;
        let json = serde_json::to_string(&e).map_err(|err| napi::Error::from_reason(err.to_string()))?;
        Ok(EvalResult { table, json, report_path: page.map(|p| p.display().to_string()) })
    }

    fn resolve(&mut self, _: Env, result: EvalResult) -> Result<EvalResult> {
        Ok(result)
    }
}

/// Evaluates a model off the JS thread (see `evaluate` in index.d.ts).
#[napi]
pub fn evaluate_model(model: String, corpus: String, options: EvalOptions, job: &External<Arc<AtomicBool>>) -> AsyncTask<EvalTask> {
    AsyncTask::new(EvalTask { model: model.into(), corpus: corpus.into(), report: options.report.map(PathBuf::from), skip_bad: options.skip_bad.unwrap_or(false), job: Job(Arc::clone(job)) })
}
