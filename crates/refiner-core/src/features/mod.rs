//! Stage 2 — features: the schema, defined once, and the extraction of a model input vector.
//!
//! Input: a [`RawInput`](crate::decision::RawInput). Output: `[f32; N_FEATURES]` of transformed
//! values (and the raw values, for explanations). [`FEATURES`] is the single definition of the
//! schema: the model's input width, its schema hash, `docs/FEATURES.md`, the training loader and
//! the explanation labels all derive from it.

mod docs;
mod email;
mod injection;
mod lists;
pub mod payload;
mod rules;
mod schema;
mod ua;

pub use docs::features_markdown;
pub use schema::{Feature, Group, Transform, FEATURES, N_FEATURES};

use crate::decision::RawInput;
use crate::memory::Snapshot;
use std::sync::OnceLock;

/// What the analyzers found in one request; each feature reads one field of it.
#[derive(Debug, Default, Clone)]
pub struct Signals {
    pub rules: rules::RuleSummary,
    pub ua: ua::UaInfo,
    pub email: email::EmailInfo,
    pub injection: injection::InjectionCounts,
    pub ip_private_or_missing: bool,
    /// What behavioral memory knew about the request's keys before it.
    pub memory: Snapshot,
}

/// Reusable buffers so extraction does not allocate per call.
#[derive(Debug, Default)]
pub struct Scratch {
    decoded: Vec<u8>,
    ua: ua::UaCache,
}

/// Analyzes `input`, with what memory knew about it, into [`Signals`].
pub fn analyze(input: &RawInput<'_>, memory: &Snapshot, scratch: &mut Scratch) -> Signals {
    let t = &input.texts;
    Signals {
        rules: rules::summarize(input),
        ua: ua::analyze_cached(t.user_agent, t.sec_ch_ua, &mut scratch.ua),
        email: email::analyze(t.email),
        injection: injection::scan(t.path, t.body, &mut scratch.decoded),
        ip_private_or_missing: ip_private_or_missing(t.ip),
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
    // Unrolled with constant indices, so each feature's extractor and transform are known at
    // compile time and inlined (a loop calls 101 function pointers).
    seq_macro::seq!(I in 0..101 {
        extract_one::<I>(input, &signals, out);
    });
}

const _: () = assert!(N_FEATURES == 101, "extract_into unrolls over exactly N_FEATURES");

#[inline(always)]
fn extract_one<const I: usize>(input: &RawInput<'_>, signals: &Signals, out: &mut FeatureVector) {
    let f = const { &FEATURES[I] };
    let raw = (f.extract)(input, signals);
    let raw = if raw.is_nan() { f.missing } else { raw };
    out.raw[I] = raw;
    out.values[I] = f.transform.apply(raw);
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
        "automation": ua::AUTOMATION,
        "botWords": ua::BOT_WORDS,
        "browsers": ua::BROWSERS,
        "engines": ua::ENGINES,
        "chromium": ua::CHROMIUM,
        "injectionTokens": injection::TOKENS,
        "bodySymbols": std::str::from_utf8(injection::BODY_SYMBOLS).expect("ASCII"),
    })
}

/// A hash of the schema (names, order, transforms and missing defaults): a model trained for
/// another schema has another hash and is refused at load.
pub fn schema_hash() -> u64 {
    static HASH: OnceLock<u64> = OnceLock::new();
    *HASH.get_or_init(|| {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for f in FEATURES {
            h.update(f.name.as_bytes());
            h.update(&[0, f.transform as u8]);
            h.update(&f.missing.to_le_bytes());
        }
        h.digest()
    })
}

fn ip_private_or_missing(ip: &str) -> bool {
    match ip.trim().parse::<std::net::IpAddr>() {
        Err(_) => true,
        Ok(std::net::IpAddr::V4(v4)) => v4.is_private() || v4.is_loopback() || v4.is_link_local() || v4.is_unspecified(),
        Ok(std::net::IpAddr::V6(v6)) => {
            v6.is_loopback() || v6.is_unspecified() || (v6.segments()[0] & 0xfe00) == 0xfc00 || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
    }
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
            let o = RawInput::from_json(&json!({"request": {"headers": {"user-agent": ua}}})).unwrap();
            extract(&o.view())
        };
        let idx = |name: &str| FEATURES.iter().position(|f| f.name == name).unwrap();
        let curl = get("curl/8.4.0");
        let chrome = get("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36");
        assert_eq!(curl.values[idx("ua.http_library")], 1.0);
        assert_eq!(chrome.values[idx("ua.http_library")], 0.0);
        assert_eq!(chrome.values[idx("ua.browser_like")], 1.0);
        assert_eq!(curl.values[idx("ua.browser_like")], 0.0);
    }

    #[test]
    fn private_ips_are_flagged() {
        assert!(ip_private_or_missing(""));
        assert!(ip_private_or_missing("10.1.2.3"));
        assert!(ip_private_or_missing("::1"));
        assert!(!ip_private_or_missing("203.0.113.9"));
        assert!(!ip_private_or_missing("2001:db8::1"));
    }
}
