//! What the JS layer needs to know once: the packed input layout, the output layout, the
//! feature names for explanations, profiles and threats — all derived from refiner-core.

use crate::engine::{out, OUT_WIDTH};
use napi_derive::napi;
use refiner_core::{decision, explain::MAX_REASONS, features::FEATURES, model::Threat, policy::Profile};
use serde_json::json;

/// The layouts and tables of this build, as JSON.
#[napi]
pub fn schema_json() -> String {
    let features: Vec<_> = FEATURES
        .iter()
        .map(|f| {
            json!({"name": f.name, "group": f.group.prefix().trim_end_matches('.'), "description": f.description, "transform": format!("{:?}", f.transform), "missing": f.missing})
        })
        .collect();
    json!({
        "input": decision::layout_json(),
        "output": {
            "width": OUT_WIDTH,
            "conclusion": out::CONCLUSION, "live": out::LIVE, "score": out::SCORE, "threats": out::THREATS,
            "decisive": out::DECISIVE, "errored": out::ERRORED, "reasonCount": out::REASON_COUNT,
            "reasons": out::REASONS, "maxReasons": MAX_REASONS, "conclusions": ["ALLOW", "CHALLENGE", "DENY"],
        },
        "features": features,
        "threats": Threat::ALL.iter().map(|t| t.name()).collect::<Vec<_>>(),
        "profiles": Profile::ALL.iter().map(|p| p.name()).collect::<Vec<_>>(),
        "schemaHash": format!("{:016x}", refiner_core::features::schema_hash()),
        "memory": memory_json(),
    })
    .to_string()
}

/// What the Redis store needs to keep records exactly as the core does.
fn memory_json() -> serde_json::Value {
    use refiner_core::memory::*;
    json!({
        "kinds": Kind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>(),
        "events": EVENTS,
        // The store script's code of each event, and of a request (allowed, denied by the rules).
        "eventCodes": EVENTS.iter().map(|e| (e.to_string(), json!(Event::parse(e).map(Event::code)))).collect::<serde_json::Map<_, _>>(),
        "requestCodes": ([false, true].map(|rules_denied| Event::Request { rules_denied }.code())),
        // Counter indices each event code adds one to (code 0 request, 1 denied request, 2.. EVENTS).
        "increments": Event::BY_CODE.iter().map(|e| e.counters().iter().map(|&c| c as usize).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "recordFields": RECORD_FIELDS,
        "counters": COUNTER_NAMES,
        "entryFields": ENTRY_FIELDS,
        "tauS": TAU_S,
        "generationS": GENERATION_S,
        "defaultMaxBytes": DEFAULT_MAX_BYTES,
        "minMaxBytes": MIN_MAX_BYTES,
    })
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
pub fn pack_json(record: String) -> napi::Result<PackedRecord> {
    let value: serde_json::Value = serde_json::from_str(&record).map_err(|e| napi::Error::new(napi::Status::InvalidArg, e.to_string()))?;
    let packed = decision::RawInput::from_json(&value).map_err(crate::error::to_napi_error)?;
    let texts = packed.view().texts.joined();
    Ok(PackedRecord { nums: packed.nums, texts })
}

/// The analyzers' word lists and tokens and each feature's transform, for the pure-JS pipeline
/// that benches/ compares with the addon.
#[napi]
pub fn analyzer_tables_json() -> String {
    refiner_core::features::tables_json().to_string()
}

/// The embedded default model's weights, calibration and thresholds, for the same comparison
/// (and for exporting it to ONNX).
#[napi]
pub fn default_model_json() -> napi::Result<String> {
    Ok(crate::engine::default_model()?.to_json().to_string())
}

/// The model inputs (transformed feature values) of one packed input, to check that another
/// implementation computes the same ones.
#[napi]
pub fn feature_values(nums: napi::bindgen_prelude::Float64Array, texts: String) -> napi::Result<Vec<f64>> {
    let texts = decision::Texts::from_joined(&texts).map_err(crate::error::to_napi_error)?;
    if nums.len() != decision::WIDTH {
        return Err(napi::Error::new(napi::Status::InvalidArg, "packed buffer has the wrong length"));
    }
    let fv = refiner_core::features::extract(&decision::RawInput { nums: &nums, texts });
    Ok(fv.values.iter().map(|&v| f64::from(v)).collect())
}
