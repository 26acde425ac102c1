//! `docs/FEATURES.md`, generated from [`FEATURES`]; a test fails when the committed file is stale.

use super::{schema_hash, Group, Role, EVIDENCE_BUDGET, FEATURES, SIGNAL_BUDGET};
use crate::decision::{FieldKind, CONTEXT_FIELDS, TEXT_FIELDS};
use crate::threat::Threat;
use crate::memory::{Kind, EVENTS};
use std::fmt::Write;

/// The feature reference as Markdown.
pub fn features_markdown() -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Feature schema v3\n");
    let _ = writeln!(s, "Generated from `crates/refiner-core/src/features/schema.rs` by `cargo run -p refiner-cli -- features > docs/FEATURES.md`; do not edit by hand.\n");
    let _ = writeln!(s, "{} features, schema hash `{:016x}`. A model file records the hash of the schema it was trained on and is refused by a build with another.\n", FEATURES.len(), schema_hash());
    let _ = writeln!(s, "Missing values: when the input does not say, the feature takes the *missing* raw value shown.\n");
    let _ = writeln!(
        s,
        "Each feature feeds the threat heads listed. An **evidence** feature never lowers those threats and may move a head's calibrated log-odds by at most {EVIDENCE_BUDGET} over its whole range; a **raise** feature (a fact the client chooses: its ip, a header quirk, a near-miss payload) never lowers them either, by at most {SIGNAL_BUDGET}, and is not evidence; a **signal** (a fact the server or the rules establish) may move them either way by at most {SIGNAL_BUDGET}. A feature with no head is read by the policy only. Every model is checked against these bounds when it is loaded. A request the rules allowed is challenged or denied on a threat only when one of that threat's evidence features is active (above the value shown).\n"
    );
    for group in Group::ALL {
        let _ = writeln!(s, "## {}\n\n| # | feature | heads | role | transform | missing | meaning |\n|---:|---|---|---|---|---:|---|", group.title());
        for (i, f) in FEATURES.iter().enumerate().filter(|(_, f)| f.group == group) {
            let heads: Vec<&str> = Threat::ALL.iter().filter(|t| f.feeds(**t)).map(|t| t.name()).collect();
            let role = match f.role {
                Role::Evidence { active_above } => format!("evidence (> {active_above})"),
                Role::Raise => "raise".into(),
                Role::Signal => "signal".into(),
            };
            let heads = if heads.is_empty() { "policy only".to_string() } else { heads.join(", ") };
            let _ = writeln!(s, "| {i} | `{}` | {heads} | {role} | {} | {} | {} |", f.name, f.transform.describe(), f.missing, f.description);
        }
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "## Context fields (`input.context`)\n\nAll optional, and all the server's own (never copied from the request). `route` is one of `other`, `signup`, `login`, `checkout`, `api`. A number past its plausible maximum is clamped to it and counted by `context.implausible`.\n\n| field | type | plausible maximum | meaning |\n|---|---|---:|---|"
    );
    for f in CONTEXT_FIELDS {
        let (kind, max) = match f.kind {
            FieldKind::Flag => ("boolean", String::new()),
            FieldKind::Count => ("number ≥ 0", format!("{} {}", f.max, f.unit)),
        };
        let _ = writeln!(s, "| `{}` | {kind} | {max} | {} |", f.key, f.doc);
    }
    for t in TEXT_FIELDS.iter().filter(|t| t.source.starts_with("context.")) {
        let _ = writeln!(s, "| `{}` | string | | {} (memory key) |", t.name, t.doc);
    }
    let _ = writeln!(s, "\n## Memory keys\n\nEach refine records its request under every key the input gives, as a keyed hash (SipHash-1-3).\n\n| key | made of | its sketch counts distinct |\n|---|---|---|");
    for kind in Kind::ALL {
        let (made_of, members) = kind.describe();
        let _ = writeln!(s, "| `{}` | {made_of} | {members} |", kind.name());
    }
    let _ = writeln!(s, "\nOutcome events for `observe()`: {}.", EVENTS.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", "));
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn committed_features_md_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/FEATURES.md");
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == super::features_markdown(),
            "docs/FEATURES.md is stale: run `cargo run -p refiner-cli -- features > docs/FEATURES.md`"
        );
    }
}
