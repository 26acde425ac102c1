//! What the deterministic rules said, summarized per rule kind.

use crate::decision::{code, RawInput, ResultSlot as S};

/// One decision's rule results, folded per kind (results of one kind are OR-ed or min-ed).
#[derive(Debug, Default, Clone)]
pub struct RuleSummary {
    pub bot_denied: bool,
    pub bot_denied_entities: f64,
    pub bot_verified: bool,
    pub bot_spoofed: bool,
    pub shield_triggered: bool,
    pub rate_limited: bool,
    /// Smallest `remaining / max` over rate-limit results; NaN when none ran.
    pub rate_remaining_frac: f64,
    pub email_mask: u32,
    pub email_denied: bool,
    pub sensitive_denied: f64,
    pub unknown_kinds: f64,
    pub errors: f64,
    pub dry_run: f64,
    pub not_run: f64,
}

/// Folds the rule results of `input` into a [`RuleSummary`].
pub fn summarize(input: &RawInput<'_>) -> RuleSummary {
    let mut s = RuleSummary { rate_remaining_frac: f64::NAN, ..Default::default() };
    for r in input.results() {
        let kind = r[S::Kind as usize];
        let denied = r[S::Conclusion as usize] == code::DENY;
        match r[S::State as usize] {
            x if x == code::STATE_DRY_RUN => s.dry_run += 1.0,
            x if x == code::STATE_NOT_RUN => s.not_run += 1.0,
            _ => {}
        }
        if r[S::Conclusion as usize] == code::ERROR || kind == code::KIND_ERROR {
            s.errors += 1.0;
        }
        if kind == code::KIND_BOT {
            s.bot_denied |= denied;
            s.bot_denied_entities = s.bot_denied_entities.max(r[S::A as usize]);
            s.bot_verified |= r[S::C as usize] > 0.0;
            s.bot_spoofed |= r[S::D as usize] > 0.0;
        } else if kind == code::KIND_SHIELD {
            s.shield_triggered |= denied || r[S::A as usize] > 0.0;
        } else if kind == code::KIND_RATE_LIMIT {
            s.rate_limited |= denied;
            let (max, remaining) = (r[S::A as usize], r[S::B as usize]);
            if max > 0.0 {
                let frac = (remaining / max).clamp(0.0, 1.0);
                s.rate_remaining_frac = if s.rate_remaining_frac.is_nan() { frac } else { s.rate_remaining_frac.min(frac) };
            }
        } else if kind == code::KIND_EMAIL {
            s.email_mask |= r[S::A as usize] as u32;
            s.email_denied |= denied;
        } else if kind == code::KIND_SENSITIVE_INFO {
            s.sensitive_denied += r[S::A as usize];
        } else if kind == code::KIND_UNKNOWN {
            s.unknown_kinds += 1.0;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn folds_results_per_kind() {
        let o = RawInput::from_json(&json!({"decision": {"conclusion": "DENY", "results": [
            {"state": "RUN", "conclusion": "ALLOW", "reason": {"type": "RATE_LIMIT", "max": 10, "remaining": 5}},
            {"state": "RUN", "conclusion": "DENY", "reason": {"type": "RATE_LIMIT", "max": 100, "remaining": 0}},
            {"state": "DRY_RUN", "conclusion": "DENY", "reason": {"type": "BOT", "denied": ["CURL"], "spoofed": true}},
            {"state": "RUN", "conclusion": "ALLOW", "reason": {"type": "EMAIL", "emailTypes": ["FREE", "SOMETHING_NEW"]}},
            {"state": "RUN", "conclusion": "ALLOW", "reason": {"type": "VELOCITY"}},
        ]}}))
        .unwrap();
        let s = summarize(&o.view());
        assert!(s.rate_limited);
        assert_eq!(s.rate_remaining_frac, 0.0);
        assert!(s.bot_denied && s.bot_spoofed && !s.bot_verified);
        assert_eq!(s.bot_denied_entities, 1.0);
        assert_eq!(s.email_mask, 0b10);
        assert_eq!((s.dry_run, s.unknown_kinds), (1.0, 1.0));
    }
}
