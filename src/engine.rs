//! `Engine`: one configured refiner plus its reusable buffers. The JS `Refiner` owns one.

use crate::error::to_napi_error;
use crate::texts::TextBuffer;
use napi::bindgen_prelude::{AsyncTask, Buffer, Either, External, Float64Array, Float64ArraySlice};
use napi::JsString;
use napi::{Env, Error, Result, Status, Task};
use napi_derive::napi;
use rayon::prelude::*;
use refiner_core::decision::{count, Coded, NulFields, RawInput, RulesConclusion, Slot, Texts, WIDTH};
use refiner_core::explain::MAX_REASONS;
use refiner_core::features::N_FEATURES;
use refiner_core::memory::{Event, Kind, N_KINDS, RECORD_FIELDS, SNAPSHOT_WIDTH};
use refiner_core::model::{Model, N_HEADS};
use refiner_core::policy::{Mode, Profile, RulesView, ThresholdOverride, MAX_EVIDENCE};
use refiner_core::{FailMode, Outcome, Refiner, RefinerConfig, Workspace};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, OnceLock};

/// Offsets in the output array a refine writes. From `RULES` on it is the refine's record, which
/// the JS layer keeps to ask `explain` for the reasons: what the rules said, then each feature that
/// is not 0 as (index, raw value).
pub mod out {
    pub const CONCLUSION: usize = 0;
    pub const LIVE: usize = 1;
    pub const SCORE: usize = 2;
    pub const THREATS: usize = 3;
    pub const DECISIVE: usize = 6;
    pub const ERRORED: usize = 7;
    pub const BASIS: usize = 8;
    /// 1 when the LIVE conclusion differs from the rules' (never for an errored refine).
    pub const OVERRIDDEN: usize = 9;
    pub const EVIDENCE_COUNT: usize = 10;
    /// Feature indices of the verdict's evidence.
    pub const EVIDENCE: usize = 11;
    /// The record: rules' conclusion code, denied-by mask, count of features, then the pairs.
    pub const RULES: usize = 15;
    pub const DENIED_BY: usize = 16;
    pub const FEATURE_COUNT: usize = 17;
    pub const FEATURES: usize = 18;
}
pub const OUT_WIDTH: usize = out::FEATURES + 2 * N_FEATURES;
const _: () = assert!(out::THREATS + N_HEADS == out::DECISIVE && out::EVIDENCE + MAX_EVIDENCE == out::RULES);

/// Offsets in the array `explain` writes: the count, then (feature, raw value, contribution,
/// head, evidence) per reason.
pub mod reasons {
    pub const COUNT: usize = 0;
    pub const FIRST: usize = 1;
    pub const STRIDE: usize = 5;
}
pub const REASONS_WIDTH: usize = reasons::FIRST + reasons::STRIDE * MAX_REASONS;

static DEFAULT_MODEL_BYTES: &[u8] = include_bytes!("../models/default.rfm");

pub(crate) fn default_model() -> Result<Arc<Model>> {
    static MODEL: OnceLock<std::result::Result<Arc<Model>, String>> = OnceLock::new();
    MODEL
        .get_or_init(|| Model::from_bytes(DEFAULT_MODEL_BYTES).map(Arc::new).map_err(|e| format!("embedded model: {e}")))
        .clone()
        .map_err(|e| Error::new(Status::GenericFailure, e))
}

/// Options of `new Engine()`, already type-checked by the JS layer.
#[napi(object, object_to_js = false)]
pub struct EngineOptions {
    /// Path to a `.rfm` file or its bytes; the embedded default model when absent.
    pub model: Option<Either<String, Buffer>>,
    /// 'default' | 'signup' | 'login' | 'checkout' | 'api'.
    pub profile: Option<String>,
    /// 'LIVE' | 'DRY_RUN'.
    pub mode: Option<String>,
    /// 'open' | 'closed'.
    pub fail_mode: Option<String>,
    /// Challenge threshold for every threat, in [0, 1].
    pub challenge: Option<f64>,
    /// Deny threshold for every threat, in [0, 1].
    pub deny: Option<f64>,
    /// Lift DENYs of rules the refiner cannot read, on the evidence a rate limit's need.
    pub lift_unreadable: Option<bool>,
}

fn config(o: &EngineOptions, memory: Option<&crate::memory::Memory>) -> refiner_core::Result<RefinerConfig> {
    Ok(RefinerConfig {
        profile: o.profile.as_deref().map(Profile::parse).transpose()?.unwrap_or_default(),
        mode: o.mode.as_deref().map(Mode::parse).transpose()?.unwrap_or_default(),
        fail_mode: o.fail_mode.as_deref().map(FailMode::parse).transpose()?.unwrap_or_default(),
        thresholds: ThresholdOverride { challenge: o.challenge.map(|v| v as f32), deny: o.deny.map(|v| v as f32) },
        lift_unreadable: o.lift_unreadable.unwrap_or(false),
        memory: memory.map(|m| m.inner.clone()),
    })
}

fn load(model: Option<&Either<String, Buffer>>) -> Result<Arc<Model>> {
    match model {
        None => default_model(),
        Some(Either::A(path)) => Model::load(std::path::Path::new(path)).map(Arc::new).map_err(to_napi_error),
        Some(Either::B(bytes)) => Model::from_bytes(bytes).map(Arc::new).map_err(to_napi_error),
    }
}

/// Writes the outcome and its record to `dst`.
fn write_outcome(o: &Outcome, dst: &mut [f64]) {
    let v = &o.verdict;
    dst[out::CONCLUSION] = f64::from(v.conclusion as u8);
    dst[out::LIVE] = f64::from(v.live as u8);
    dst[out::SCORE] = f64::from(v.score);
    for k in 0..N_HEADS {
        dst[out::THREATS + k] = f64::from(o.scores[k]);
    }
    dst[out::DECISIVE] = v.decisive as f64;
    dst[out::ERRORED] = f64::from(u8::from(o.errored));
    dst[out::BASIS] = f64::from(v.basis as u8);
    dst[out::OVERRIDDEN] = f64::from(u8::from(o.overridden()));
    dst[out::EVIDENCE_COUNT] = v.n_evidence as f64;
    for (i, &j) in v.evidence().iter().enumerate() {
        dst[out::EVIDENCE + i] = f64::from(j);
    }
    dst[out::RULES] = o.rules.conclusion.map_or(0.0, RulesConclusion::code);
    dst[out::DENIED_BY] = f64::from(o.rules.denied_by);
    let mut n = 0;
    for (j, &raw) in o.raw.iter().enumerate() {
        if raw != 0.0 {
            dst[out::FEATURES + 2 * n] = j as f64;
            dst[out::FEATURES + 2 * n + 1] = raw;
            n += 1;
        }
    }
    dst[out::FEATURE_COUNT] = n as f64;
}

/// A record written by [`write_outcome`] (from `out::RULES` on), read back; None when it is not one.
fn read_record(rec: &[f64]) -> Option<([f64; N_FEATURES], RulesView)> {
    let at = |i: usize| rec.get(i - out::RULES).copied();
    let n = at(out::FEATURE_COUNT)?;
    if !(0.0..=N_FEATURES as f64).contains(&n) || rec.len() < out::FEATURES - out::RULES + 2 * n as usize {
        return None;
    }
    let mut raw = [0.0; N_FEATURES];
    for i in 0..n as usize {
        let j = at(out::FEATURES + 2 * i)?;
        if !(0.0..N_FEATURES as f64).contains(&j) || j.fract() != 0.0 {
            return None;
        }
        raw[j as usize] = at(out::FEATURES + 2 * i + 1)?;
    }
    let denied_by = at(out::DENIED_BY)?;
    let rules = RulesView { conclusion: RulesConclusion::from_code(at(out::RULES)?), denied_by: if (0.0..=u32::MAX as f64).contains(&denied_by) { denied_by as u32 } else { 0 } };
    Some((raw, rules))
}

/// Runs `f` for one input; a panic inside the core becomes the fail-mode outcome, never a crash.
fn safely(refiner: &Refiner, input: &RawInput<'_>, f: impl FnOnce() -> Outcome) -> Outcome {
    catch_unwind(AssertUnwindSafe(|| {
        crate::fault::inject(input);
        f()
    }))
    .unwrap_or_else(|_| refiner.failed(&RulesView { conclusion: input.rules_conclusion(), denied_by: 0 }))
}

fn bad_arg(msg: &str) -> Error {
    Error::new(Status::InvalidArg, msg)
}

/// One packed input as the JS layer passes it, checked.
fn packed<'a>(nums: &'a [f64], texts: &'a str) -> Result<RawInput<'a>> {
    if nums.len() != WIDTH {
        return Err(bad_arg("packed buffer has the wrong length"));
    }
    RawInput::from_joined(nums, texts).map_err(to_napi_error)
}

/// A configured refiner with its buffers; not shared across threads (each JS Refiner owns one).
///
/// JS holds it as an `External` handle and calls the free functions below: a `#[napi]` class
/// method call costs ~140 ns more here (napi-rs checks the class identity and registers a borrow
/// of `this` in a global table on every call), half the floor of a refine.
pub struct Engine {
    refiner: Arc<Refiner>,
    ws: Workspace,
    texts: TextBuffer,
}

impl Engine {
    fn run(&mut self, nums: Float64ArraySlice, texts: JsString, mut dst: Float64ArraySlice, records: Option<&[f64]>) -> Result<()> {
        if dst.len() != OUT_WIDTH {
            return Err(bad_arg("packed buffers have the wrong length"));
        }
        let Self { refiner, ws, texts: buffer } = self;
        let input = packed(&nums, buffer.read(texts)?)?;
        let outcome = safely(refiner, &input, || match records {
            None => refiner.refine(&input, ws),
            Some(records) => refiner.refine_stored(&input, records, ws),
        });
        // SAFETY: `dst` is a typed array the JS layer allocated for this call; JS is not running
        // while this synchronous function executes, so nothing else reads or writes it.
        write_outcome(&outcome, unsafe { dst.as_mut() });
        Ok(())
    }
}

/// A new engine: `options` configure it, `memory` (a `Memory`) is shared with other engines.
#[napi]
pub fn create_engine(options: EngineOptions, memory: Option<&crate::memory::Memory>) -> Result<External<Engine>> {
    let cfg = config(&options, memory).map_err(to_napi_error)?;
    let model = load(options.model.as_ref())?;
    let refiner = Refiner::new(model, &cfg).map_err(to_napi_error)?;
    let ws = refiner.workspace();
    Ok(External::new(Engine { refiner: Arc::new(refiner), ws, texts: TextBuffer::default() }))
}

/// The engine's model version (`name@crc32`).
#[napi]
pub fn model_version(engine: &External<Engine>) -> String {
    engine.refiner.model().version().to_owned()
}

/// Refines one packed input (`nums`: the input layout, `texts`: `\0`-joined) into `dst`, with
/// the record `explain` takes for its reasons.
#[napi]
pub fn refine(engine: &mut External<Engine>, nums: Float64ArraySlice, texts: JsString, dst: Float64ArraySlice) -> Result<()> {
    engine.run(nums, texts, dst, None)
}

/// The reasons of the refine whose record (from `out::RULES` on) is `record`, into `dst`: the same
/// model and policy on the same feature values, so the verdict they explain is the refine's.
#[napi]
pub fn explain(engine: &mut External<Engine>, record: Float64ArraySlice, mut dst: Float64ArraySlice) -> Result<()> {
    if dst.len() != REASONS_WIDTH {
        return Err(bad_arg("reasons buffer has the wrong length"));
    }
    let (raw, rules) = read_record(&record).ok_or_else(|| bad_arg("not a refine's record"))?;
    let Engine { refiner, ws, .. } = &mut **engine;
    let explained = catch_unwind(AssertUnwindSafe(|| refiner.explain(&raw, &rules, ws)));
    // SAFETY: as in `Engine::run`.
    let dst = unsafe { dst.as_mut() };
    dst[reasons::COUNT] = 0.0;
    if let Ok((_, found, n)) = explained {
        dst[reasons::COUNT] = n as f64;
        for (i, r) in found[..n].iter().enumerate() {
            let at = reasons::FIRST + reasons::STRIDE * i;
            dst[at..at + reasons::STRIDE].copy_from_slice(&[r.feature as f64, r.value, f64::from(r.contribution), r.head as f64, f64::from(u8::from(r.evidence))]);
        }
    }
    Ok(())
}

/// Refines with the records a shared store returned for `storeKeys(engine, nums, texts)`.
#[napi]
pub fn refine_stored(engine: &mut External<Engine>, nums: Float64ArraySlice, texts: JsString, records: Float64ArraySlice, dst: Float64ArraySlice) -> Result<()> {
    if records.len() != N_KINDS * RECORD_FIELDS {
        return Err(bad_arg("store records have the wrong length"));
    }
    engine.run(nums, texts, dst, Some(&records))
}

/// Records an outcome the app reports (`event`: one of the memory's EVENTS) under the keys of
/// the packed input.
#[napi]
pub fn observe(engine: &External<Engine>, event: String, nums: Float64ArraySlice, texts: String) -> Result<()> {
    let event = Event::parse(&event).ok_or_else(|| bad_arg(&format!("type must be one of {}, but is '{event}'", refiner_core::memory::EVENTS.join(", "))))?;
    let input = packed(&nums, &texts)?;
    // Recording is plain arithmetic under a lock; a panic here is a bug, and must not crash the host.
    let _ = catch_unwind(AssertUnwindSafe(|| engine.refiner.observe(&input, event)));
    Ok(())
}

/// What local memory knows under the keys of the packed input at its time (or now), without
/// recording anything: `SNAPSHOT_WIDTH` numbers as `Snapshot::write` lays them out.
#[napi]
pub fn recall(engine: &External<Engine>, nums: Float64ArraySlice, texts: String) -> Result<Vec<f64>> {
    let mut out = vec![0.0; SNAPSHOT_WIDTH];
    engine.refiner.recall(&packed(&nums, &texts)?).write(&mut out);
    Ok(out)
}

/// The keyed hashes a shared store keeps this input under, per key kind in
/// `schema.memory.kinds` order: `"<hex key>:<member bit or -1>"`, or `""` when absent.
#[napi]
pub fn store_keys(engine: &External<Engine>, nums: Float64ArraySlice, texts: String) -> Result<Vec<String>> {
    let keys = engine.refiner.keys(&packed(&nums, &texts)?);
    Ok(Kind::ALL
        .iter()
        .map(|&k| match keys.key[k as usize] {
            0 => String::new(),
            key => format!("{key:016x}:{}", keys.member[k as usize].map_or(-1, i16::from)),
        })
        .collect())
}

/// Refines `nums.len() / WIDTH` packed inputs in parallel on the rayon pool; row i of `dst` gets
/// input i. `texts` holds every input's texts, `\0`-joined in one string: one conversion instead
/// of one per input.
#[napi]
pub fn refine_batch(engine: &External<Engine>, nums: Float64ArraySlice, texts: JsString, mut dst: Float64ArraySlice) -> Result<()> {
    // A buffer of its own: the engine's would keep a large batch's size for every later refine.
    let mut buffer = TextBuffer::default();
    let texts = buffer.read(texts)?;
    // SAFETY: as in `Engine::run`; the JS thread waits for this call to return.
    score_batch(&engine.refiner, &nums, texts, unsafe { dst.as_mut() })
}

/// The batch's work, wherever it runs: splits the texts by each row's counts and refines the rows
/// on the rayon pool. Each worker writes its rows' outcomes itself (no vector of outcomes to
/// allocate and copy), and a panic fails only the row it happened on.
fn score_batch(refiner: &Refiner, nums: &[f64], texts: &str, dst: &mut [f64]) -> Result<()> {
    let n = nums.len() / WIDTH;
    if nums.len() != n * WIDTH || dst.len() != n * OUT_WIDTH {
        return Err(bad_arg("packed batch buffers have the wrong length"));
    }
    if n == 0 {
        return Ok(());
    }
    let mut fields = NulFields::new(texts, usize::MAX);
    let texts = nums
        .chunks_exact(WIDTH)
        .map(|row| Texts::from_fields(&mut fields, count(row, Slot::HeaderPairs), count(row, Slot::BodyFields)))
        .collect::<refiner_core::Result<Vec<_>>>()
        .map_err(to_napi_error)?;
    if fields.next().is_some() {
        return Err(bad_arg("packed batch texts have more fields than the rows"));
    }
    nums.par_chunks_exact(WIDTH).zip(dst.par_chunks_exact_mut(OUT_WIDTH)).zip(texts).for_each_init(
        || refiner.workspace(),
        |ws, ((row, out), texts)| {
            let input = RawInput::new(row, texts);
            let outcome = safely(refiner, &input, || refiner.refine(&input, ws));
            write_outcome(&outcome, out);
        },
    );
    Ok(())
}

/// A batch scored off the JS thread, in the JS layer's own buffers: the packed rows are read and
/// the outcomes written in place (the JS layer touches neither until the Promise settles), so
/// nothing batch-sized is copied on the JS thread. The texts come as UTF-8 bytes off the V8 heap,
/// where the chunks waiting their turn are not copied and promoted by every young collection.
pub struct BatchTask {
    refiner: Arc<Refiner>,
    nums: Float64Array,
    texts: Buffer,
    dst: Float64Array,
}

impl Task for BatchTask {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> Result<()> {
        let Self { refiner, nums, texts, dst } = self;
        let texts = std::str::from_utf8(texts).map_err(|_| bad_arg("packed batch texts are not UTF-8"))?;
        // SAFETY: the JS layer allocated `dst` for this batch and does not read or write it until the
        // Promise settles.
        let dst = unsafe { dst.as_mut() };
        async_pool()?.install(|| score_batch(refiner, nums, texts, dst))
    }

    fn resolve(&mut self, _: Env, (): ()) -> Result<()> {
        Ok(())
    }
}

/// The pool async batches are scored on: one thread fewer than the global pool (at least one), so
/// the event loop keeps a core while a batch runs. With a thread per core, the JS thread waited
/// its turn behind the workers for milliseconds at a time; `refine_batch`, whose caller waits for
/// it anyway, keeps every core.
fn async_pool() -> Result<&'static rayon::ThreadPool> {
    static POOL: OnceLock<std::result::Result<rayon::ThreadPool, String>> = OnceLock::new();
    POOL.get_or_init(|| {
        let threads = rayon::current_num_threads().saturating_sub(1).max(1);
        rayon::ThreadPoolBuilder::new().num_threads(threads).thread_name(|i| format!("refiner-batch-{i}")).build().map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| Error::new(Status::GenericFailure, format!("batch thread pool: {e}")))
}

/// `refine_batch` on the batch pool, its texts as UTF-8 bytes, into `dst`; resolves when it is written.
#[napi]
pub fn refine_batch_task(engine: &External<Engine>, nums: Float64Array, texts: Buffer, dst: Float64Array) -> AsyncTask<BatchTask> {
    AsyncTask::new(BatchTask { refiner: Arc::clone(&engine.refiner), nums, texts, dst })
}
