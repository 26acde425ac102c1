//! Property tests: no input the caller or an attacker controls makes the core panic or allocate
//! without bound — the JSON reader (training corpora, logs), feature extraction over arbitrary
//! texts and numbers, the whole refine, and the model-file reader.

use proptest::prelude::*;
use refiner_core::decision::{NulFields, RawInput, Slot, TEXT_FIELDS, WIDTH};
use refiner_core::memory::{KeyHasher, Memory};
use refiner_core::model::Model;
use refiner_core::{Refiner, RefinerConfig};
use serde_json::Value;
use std::sync::Arc;

/// Any JSON value, nested a few levels, with the keys the reader looks for among random ones.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>().prop_filter("JSON has no NaN or infinity", |f| f.is_finite()).prop_map(|f| serde_json::json!(f)),
        any::<i64>().prop_map(|i| serde_json::json!(i)),
        ".{0,40}".prop_map(Value::String),
        prop::sample::select(vec!["ALLOW", "DENY", "CHALLENGE", "ERROR", "BOT", "RATE_LIMIT", "EMAIL", "SHIELD", "RUN", "DRY_RUN", "signup", "checkout", "__proto__"])
            .prop_map(|s| Value::String(s.into())),
    ];
    let keys = prop::sample::select(vec![
        "decision", "request", "context", "conclusion", "reason", "results", "ip", "type", "state", "denied", "allowed", "max", "remaining",
        "emailTypes", "headers", "user-agent", "path", "email", "body", "route", "formFillMs", "cartValue", "isHosting", "labels", "x",
        "at", "accountId", "sessionId", "fingerprint", "accept-language",
    ]);
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(keys.clone().prop_map(String::from), inner, 0..8).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The default model with a small memory, so memory's keys, records and snapshots see the input too.
fn refiner() -> Refiner {
    let model = Model::from_bytes(include_bytes!("../../../models/default.rfm")).expect("default model loads");
    let memory = Memory::new(1 << 20, KeyHasher::random()).expect("budget");
    Refiner::new(Arc::new(model), &RefinerConfig { memory: Some(Arc::new(memory)), ..RefinerConfig::default() }).expect("default config")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn the_json_reader_never_panics(v in json()) {
        if let Ok(owned) = RawInput::from_json(&v) {
            let r = refiner();
            let o = r.refine(&owned.view(), &mut r.workspace());
            prop_assert!(o.errored || (0.0..=1.0).contains(&o.verdict.score));
        }
    }

    /// Packed numbers come from the JS packer, but the core must survive any of them, and any
    /// text; an explanation, from the refine's own features, gives the refine's verdict.
    #[test]
    fn refine_survives_any_numbers_and_texts(
        mut nums in prop::collection::vec(prop_oneof![any::<f64>(), Just(f64::NAN), Just(f64::INFINITY), Just(-0.0), 0.0..10.0], WIDTH),
        texts in prop::collection::vec("\\PC{0,300}", TEXT_FIELDS.len() + 6),
        pairs in 0usize..3,
    ) {
        nums[Slot::HeaderPairs as usize] = pairs as f64;
        nums[Slot::BodyFields as usize] = (6 - 2 * pairs) as f64;
        let joined = texts.join("\0");
        let input = RawInput::from_joined(&nums, &joined).expect("the counts match the fields");
        let r = refiner();
        let mut ws = r.workspace();
        let o = r.refine(&input, &mut ws);
        prop_assert!(o.errored || (0.0..=1.0).contains(&o.verdict.score), "score {}", o.verdict.score);
        let (again, _, _) = r.explain(&o.raw, &o.rules, &mut ws);
        prop_assert_eq!(again.verdict, o.verdict);
    }

    /// The texts' splitter agrees with `str::splitn` on any string, multibyte and `\0` runs included.
    #[test]
    fn texts_split_as_splitn_does(s in "[a\\x00é😀]{0,24}", limit in 0usize..12) {
        prop_assert_eq!(NulFields::new(&s, limit).collect::<Vec<_>>(), s.splitn(limit, '\0').collect::<Vec<_>>());
        prop_assert_eq!(NulFields::new(&s, usize::MAX).collect::<Vec<_>>(), s.split('\0').collect::<Vec<_>>());
    }

    #[test]
    fn the_model_reader_never_panics_on_random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = Model::from_bytes(&bytes);
    }

    /// Every single-byte change to the default model is refused (the checksum) without a panic.
    #[test]
    fn a_corrupted_model_is_refused(at in 0usize..include_bytes!("../../../models/default.rfm").len(), xor in 1u8..=255) {
        let mut bytes = include_bytes!("../../../models/default.rfm").to_vec();
        bytes[at] ^= xor;
        prop_assert!(Model::from_bytes(&bytes).is_err());
    }
}

#[test]
fn pathological_texts_are_handled_in_linear_time() {
    // Long runs that make backtracking matchers blow up; the matchers here are linear.
    let r = refiner();
    let mut nums = vec![0.0; WIDTH];
    nums[Slot::HeaderPairs as usize] = 2.0;
    nums[Slot::BodyFields as usize] = 1.0;
    for s in ["a".repeat(8192), "(".repeat(8192), "<".repeat(4096) + &">".repeat(4096), "%2e".repeat(2730), "' OR ".repeat(1600), "@".repeat(8192)] {
        let body = s.repeat(8);
        let mut fields = vec![s.as_str(); TEXT_FIELDS.len()];
        fields.extend(["user-agent", &s, "cookie", &s, &body]);
        let joined = fields.join("\0");
        let input = RawInput::from_joined(&nums, &joined).unwrap();
        let o = r.refine(&input, &mut r.workspace());
        assert!(o.errored || o.verdict.score.is_finite());
    }
}
