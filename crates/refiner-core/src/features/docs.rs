//! `docs/FEATURES.md`, generated from [`FEATURES`]; a test fails when the committed file is stale.

use super::{schema_hash, Group, FEATURES};
use crate::decision::{CONTEXT_FIELDS, IDENTITY_FIELDS};
use crate::memory::{Kind, EVENTS};
use std::fmt::Write;

/// The feature reference as Markdown.
pub fn features_markdown() -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Feature schema v2\n");
    let _ = writeln!(s, "Generated from `crates/refiner-core/src/features/schema.rs` by `cargo run -p refiner-cli -- features > docs/FEATURES.md`; do not edit by hand.\n");
    let _ = writeln!(s, "{} features, schema hash `{:016x}`. A model file records the hash of the schema it was trained on and is refused by a build with another.\n", FEATURES.len(), schema_hash());
    let _ = writeln!(s, "Missing values: when the input does not say, the feature takes the *missing* raw value shown.\n");
    for group in Group::ALL {
        let _ = writeln!(s, "## {}\n\n| # | feature | transform | missing | meaning |\n|---:|---|---|---:|---|", group.title());
        for (i, f) in FEATURES.iter().enumerate().filter(|(_, f)| f.group == group) {
            let _ = writeln!(s, "| {i} | `{}` | {} | {} | {} |", f.name, f.transform.describe(), f.missing, f.description);
        }
        s.push('\n');
    }
    let _ = writeln!(s, "## Context fields (`input.context`)\n\nAll optional; `route` is one of `other`, `signup`, `login`, `checkout`, `api`.\n\n| field | meaning |\n|---|---|");
    for f in CONTEXT_FIELDS {
        let _ = writeln!(s, "| `{}` | {} |", f.key, f.doc);
    }
    for (key, doc) in IDENTITY_FIELDS {
        let _ = writeln!(s, "| `{key}` | {doc} (string; memory key) |");
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
