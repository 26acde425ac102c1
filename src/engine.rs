//! `Engine`: one configured refiner plus its reusable buffers. The JS `Refiner` owns one.

use crate::error::to_napi_error;
use crate::texts::TextBuffer;
use napi::bindgen_prelude::{Buffer, Either, External, Float64ArraySlice};
use napi::JsString;
use napi::{Error, Result, Status};
use napi_derive::napi;
use refiner_core::decision::{NulFields, RawInput, Slot, Texts, MEMORY_BASE, WIDTH};
use refiner_core::memory::{Event, Kind, N_KINDS, RECORD_FIELDS, SNAPSHOT_WIDTH};
use refiner_core::explain::MAX_REASONS;
use refiner_core::model::{Model, N_HEADS};
use refiner_core::policy::{Conclusion, Mode, Profile, ThresholdOverride};
use refiner_core::{FailMode, Outcome, Refiner, RefinerConfig, RefinerError, Workspace};
use std::panic::{catch_unwind, AssertUnwindSafe};
use rayon::prelude::*;
use std::sync::{Arc, OnceLock};

/// Offsets in the output array a refine writes.
pub mod out {
    pub const CONCLUSION: usize = 0;
    pub const LIVE: usize = 1;
    pub const SCORE: usize = 2;
    pub const THREATS: usize = 3;
    pub const DECISIVE: usize = 6;
    pub const ERRORED: usize = 7;
    pub const REASON_COUNT: usize = 8;
    /// (feature index, raw value, contribution) per reason.
    pub const REASONS: usize = 9;
}
pub const OUT_WIDTH: usize = out::REASONS + 3 * MAX_REASONS;
const _: () = assert!(out::THREATS + N_HEADS == out::DECISIVE);

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
}

fn config(o: &EngineOptions, memory: Option<&crate::memory::Memory>) -> refiner_core::Result<RefinerConfig> {
    let fail_mode = match o.fail_mode.as_deref() {
        None | Some("open") => FailMode::Open,
        Some("closed") => FailMode::Closed,
        Some(other) => {
            return Err(RefinerError::InvalidOption { option: "failMode", expected: "'open' or 'closed'", actual: format!("'{other}'") })
        }
    };
    Ok(RefinerConfig {
        profile: o.profile.as_deref().map(Profile::parse).transpose()?.unwrap_or_default(),
        mode: o.mode.as_deref().map(Mode::parse).transpose()?.unwrap_or_default(),
        fail_mode,
        thresholds: ThresholdOverride { challenge: o.challenge.map(|v| v as f32), deny: o.deny.map(|v| v as f32) },
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

fn conclusion_code(c: Conclusion) -> f64 {
    c as u8 as f64
}

/// Writes the outcome to `dst`, and what memory knew to the packed input's memory slots, where
/// the explanation of the same refine reads it back.
fn write_outcome(o: &Outcome, dst: &mut [f64], nums: &mut [f64]) {
    o.memory.write(&mut nums[MEMORY_BASE..]);
    dst[out::CONCLUSION] = conclusion_code(o.conclusion);
    dst[out::LIVE] = conclusion_code(o.live);
    dst[out::SCORE] = f64::from(o.score);
    for k in 0..N_HEADS {
        dst[out::THREATS + k] = f64::from(o.scores[k]);
    }
    dst[out::DECISIVE] = o.decisive as f64;
    dst[out::ERRORED] = f64::from(u8::from(o.errored));
    dst[out::REASON_COUNT] = o.n_reasons as f64;
    for (i, r) in o.reasons[..o.n_reasons].iter().enumerate() {
        let at = out::REASONS + 3 * i;
        dst[at] = r.feature as f64;
        dst[at + 1] = r.value;
        dst[at + 2] = f64::from(r.contribution);
    }
}

/// Runs `f` for one input; a panic inside the core becomes the fail-mode outcome, never a crash.
fn safely(refiner: &Refiner, input: &RawInput<'_>, f: impl FnOnce() -> Outcome) -> Outcome {
    catch_unwind(AssertUnwindSafe(|| {
        crate::fault::inject(input);
        f()
    }))
    .unwrap_or_else(|_| refiner.failed(input.get(Slot::Conclusion)))
}

/// What a refine takes its memory from (and whether it explains).
enum Remembered<'a> {
    /// This engine's memory, which records the request; no reasons.
    Record,
    /// The snapshot in the packed input: the explanation of an earlier refine, with reasons.
    Packed,
    /// Records fetched from a shared store (`RECORD_FIELDS` per key kind); memory records too.
    Store(&'a [f64]),
}

fn bad_arg(msg: &str) -> Error {
    Error::new(Status::InvalidArg, msg)
}

/// One packed input as the JS layer passes it, checked.
fn packed<'a>(nums: &'a [f64], texts: &'a str) -> Result<RawInput<'a>> {
    if nums.len() != WIDTH {
        return Err(bad_arg("packed buffer has the wrong length"));
    }
    Ok(RawInput { nums, texts: Texts::from_joined(texts).map_err(to_napi_error)? })
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
    fn run(&mut self, mut nums: Float64ArraySlice, texts: JsString, mut dst: Float64ArraySlice, memory: Remembered<'_>) -> Result<()> {
        if dst.len() != OUT_WIDTH {
            return Err(bad_arg("packed buffers have the wrong length"));
        }
        let Self { refiner, ws, texts: buffer } = self;
        let input = packed(&nums, buffer.read(texts)?)?;
        let outcome = safely(refiner, &input, || match memory {
            Remembered::Record => refiner.decide(&input, ws),
            Remembered::Packed => refiner.refine_with(&input, &input.memory(), ws, true),
            Remembered::Store(records) => refiner.decide_stored(&input, records, ws),
        });
        // SAFETY: `nums` and `dst` are typed arrays the JS layer allocated for this call; JS is
        // not running while this synchronous function executes, so nothing else reads or writes them.
        write_outcome(&outcome, unsafe { dst.as_mut() }, unsafe { nums.as_mut() });
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

/// Refines one packed input (`nums`: the input layout, `texts`: `\0`-joined) into `dst`,
/// without reasons: the JS layer asks `explain` for them when they are read.
#[napi]
pub fn refine(engine: &mut External<Engine>, nums: Float64ArraySlice, texts: JsString, dst: Float64ArraySlice) -> Result<()> {
    engine.run(nums, texts, dst, Remembered::Record)
}

/// The same refine again, with the reasons, from the memory snapshot it left in `nums`.
#[napi]
pub fn explain(engine: &mut External<Engine>, nums: Float64ArraySlice, texts: JsString, dst: Float64ArraySlice) -> Result<()> {
    engine.run(nums, texts, dst, Remembered::Packed)
}

/// Refines with the records a shared store returned for `storeKeys(engine, nums, texts)`.
#[napi]
pub fn refine_stored(engine: &mut External<Engine>, nums: Float64ArraySlice, texts: JsString, records: Float64ArraySlice, dst: Float64ArraySlice) -> Result<()> {
    if records.len() != N_KINDS * RECORD_FIELDS {
        return Err(bad_arg("store records have the wrong length"));
    }
    engine.run(nums, texts, dst, Remembered::Store(&records))
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

/// The floor for benchmarks (benches/bench.mjs): receives the same packed buffers as `refine`,
/// checks their lengths and reads the texts as it does, and does nothing else.
#[napi]
pub fn noop(engine: &mut External<Engine>, nums: Float64ArraySlice, texts: JsString, dst: Float64ArraySlice) -> Result<u32> {
    if nums.len() != WIDTH || dst.len() != OUT_WIDTH {
        return Err(bad_arg("packed buffers have the wrong length"));
    }
    Ok(engine.texts.read(texts)?.len() as u32)
}

/// Refines `nums.len() / WIDTH` packed inputs in parallel on the rayon pool; row i of `dst` gets
/// input i. `texts` holds every input's texts, `\0`-joined in one string: one conversion instead
/// of one per input.
#[napi]
pub fn refine_batch(engine: &External<Engine>, mut nums: Float64ArraySlice, texts: JsString, mut dst: Float64ArraySlice) -> Result<()> {
    let n = nums.len() / WIDTH;
    if nums.len() != n * WIDTH || dst.len() != n * OUT_WIDTH {
        return Err(bad_arg("packed batch buffers have the wrong length"));
    }
    if n == 0 {
        return Ok(());
    }
    // A buffer of its own: the engine's would keep a large batch's size for every later refine.
    let mut buffer = TextBuffer::default();
    let mut fields = NulFields::new(buffer.read(texts)?, usize::MAX);
    let texts = (0..n).map(|_| Texts::from_fields(&mut fields)).collect::<refiner_core::Result<Vec<_>>>().map_err(to_napi_error)?;
    if fields.next().is_some() {
        return Err(bad_arg("packed batch texts have more fields than the rows"));
    }
    let refiner = &*engine.refiner;
    // SAFETY: as in `run`; the JS thread waits for this call to return.
    let (dst, nums) = unsafe { (dst.as_mut(), nums.as_mut()) };
    // Each worker writes its rows' outcomes itself: no vector of outcomes to allocate and copy,
    // and a panic fails only the row it happened on.
    nums.par_chunks_exact_mut(WIDTH).zip(dst.par_chunks_exact_mut(OUT_WIDTH)).zip(texts).for_each_init(
        || refiner.workspace(),
        |ws, ((row, out), texts)| {
            let input = RawInput { nums: row, texts };
            let outcome = safely(refiner, &input, || refiner.decide(&input, ws));
            write_outcome(&outcome, out, row);
        },
    );
    Ok(())
}
