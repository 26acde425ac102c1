//! What the JS layer needs to know once: the packed input layout, the output layouts, the
//! feature names for explanations, profiles, threats and the memory's record arithmetic — all
//! derived from refiner-core.

use crate::engine::{out, reasons, OUT_WIDTH, REASONS_WIDTH};
use napi_derive::napi;
use refiner_core::decision;
use refiner_core::explain::MAX_REASONS;
use refiner_core::features::{Role, FEATURES};
use refiner_core::model::Threat;
use refiner_core::policy::{Basis, Conclusion, Profile};
use refiner_core::FailMode;
use serde_json::json;
use strum::VariantArray;

/// The names of a table's variants, in code order.
fn names<T: VariantArray + Copy + Into<&'static str>>() -> Vec<&'static str> {
    T::VARIANTS.iter().map(|&v| v.into()).collect()
}

/// The layouts and tables of this build, as JSON.
#[napi]
pub fn schema_json() -> String {
    let features: Vec<_> = FEATURES
        .iter()
        .map(|f| {
            json!({
                "name": f.name, "group": f.group.prefix().trim_end_matches('.'), "description": f.description,
                "transform": format!("{:?}", f.transform), "missing": f.missing,
                "heads": Threat::ALL.iter().filter(|t| f.feeds(**t)).map(|t| t.name()).collect::<Vec<_>>(),
                "evidence": matches!(f.role, Role::Evidence { .. }),
            })
        })
        .collect();
    json!({
        "input": decision::layout_json(),
        "output": {
            "width": OUT_WIDTH,
            "conclusion": out::CONCLUSION, "live": out::LIVE, "score": out::SCORE, "threats": out::THREATS,
            "decisive": out::DECISIVE, "errored": out::ERRORED, "basis": out::BASIS, "overridden": out::OVERRIDDEN,
            "evidenceCount": out::EVIDENCE_COUNT, "evidence": out::EVIDENCE,
            "record": out::RULES, "featureCount": out::FEATURE_COUNT, "features": out::FEATURES,
            "conclusions": names::<Conclusion>(), "bases": names::<Basis>(),
        },
        "reasons": { "width": REASONS_WIDTH, "count": reasons::COUNT, "first": reasons::FIRST, "stride": reasons::STRIDE, "max": MAX_REASONS },
        "features": features,
        "threats": Threat::ALL.iter().map(|t| t.name()).collect::<Vec<_>>(),
        "profiles": names::<Profile>(),
        "modes": names::<refiner_core::policy::Mode>(),
        "failModes": names::<FailMode>(),
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
