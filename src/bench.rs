//! Exports for tests and benchmarks only, compiled with the cargo feature `bench-exports` (the
//! test and bench builds enable it; no released package does): the floor of a call, the trainer's
//! packer, the features of a packed input, and the default model's weights for the pure-JS and
//! ONNX comparisons.

use crate::engine::{Engine, OUT_WIDTH};
use crate::error::to_napi_error;
use napi::bindgen_prelude::{External, Float64ArraySlice};
use napi::{Error, JsString, Result, Status};
use napi_derive::napi;
use refiner_core::decision::{RawInput, WIDTH};

/// The floor for benchmarks (benches/bench.mjs): receives the same packed buffers as `refine`,
/// checks their lengths, and does nothing else.
#[napi]
pub fn noop(_engine: &mut External<Engine>, nums: Float64ArraySlice, texts: JsString, dst: Float64ArraySlice) -> Result<u32> {
    if nums.len() != WIDTH || dst.len() != OUT_WIDTH {
        return Err(Error::new(Status::InvalidArg, "packed buffers have the wrong length"));
    }
    Ok(texts.utf8_len()? as u32)
}

/// A logged record packed by the core's JSON reader (what the trainer sees).
#[napi(object)]
pub struct PackedRecord {
    pub nums: Vec<f64>,
    /// The texts, `\0`-joined.
    pub texts: String,
}

/// Packs a JSON record `{ decision, request, context }` with the trainer's reader, so tests can
/// check it against the JS packer that production uses.
#[napi]
pub fn pack_json(record: String) -> Result<PackedRecord> {
    let value: serde_json::Value = serde_json::from_str(&record).map_err(|e| Error::new(Status::InvalidArg, e.to_string()))?;
    let packed = RawInput::from_json(&value).map_err(to_napi_error)?;
    Ok(PackedRecord { texts: packed.joined().to_owned(), nums: packed.nums })
}

/// The raw and model-input values of every feature of one packed input (no memory), to check
/// that another implementation computes the same ones.
#[napi]
pub fn feature_values(nums: Float64ArraySlice, texts: String) -> Result<Vec<f64>> {
    if nums.len() != WIDTH {
        return Err(Error::new(Status::InvalidArg, "packed buffer has the wrong length"));
    }
    let input = RawInput::from_joined(&nums, &texts).map_err(to_napi_error)?;
    let fv = refiner_core::features::extract(&input);
    Ok(fv.values.iter().map(|&v| f64::from(v)).collect())
}

/// The analyzers' word lists and tokens, for the pure-JS pipeline that benches/ compares with the addon.
#[napi]
pub fn analyzer_tables_json() -> String {
    refiner_core::features::tables_json().to_string()
}

/// The embedded default model's weights, calibration and thresholds, for the same comparison
/// (and for exporting it to ONNX).
#[napi]
pub fn default_model_json() -> Result<String> {
    Ok(crate::engine::default_model()?.to_json().to_string())
}
