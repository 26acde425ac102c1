//! What the deterministic rules said, summarized per rule kind.

use crate::decision::{RawInput, ResultSlot as S, RuleKind, RuleState, RulesConclusion};

/// One decision's rule results, folded per kind (results of one kind are OR-ed or min-ed).
#[derive(Debug, Default, Clone)]
pub struct RuleSummary {
    /// A bot rule ran (any conclusion).
    pub bot_ran: bool,
    pub bot_denied: bool,
    /// A bot rule allowed the client by name (an entity of its allow list).
    pub bot_allowed_named: bool,
    pub bot_verified: bool,
    pub bot_spoofed: bool,
    pub shield_triggered: bool,
    pub rate_limited: bool,
    /// Smallest `remaining / max` over rate-limit results; NaN when none ran.
    pub rate_remaining_frac: f64,
    pub email_mask: u32,
    pub email_denied: bool,
}

/// Folds the rule results of `input` into a [`RuleSummary`]. Results in DRY_RUN or NOT_RUN state
/// did not act, and are read as not having run.
pub fn summarize(input: &RawInput<'_>) -> RuleSummary {
    let mut s = RuleSummary { rate_remaining_frac: f64::NAN, ..Default::default() };
    for r in input.results() {
        if matches!(r.state(), Some(RuleState::DryRun | RuleState::NotRun)) {
            continue;
        }
        let denied = r.conclusion() == Some(RulesConclusion::Deny);
        match r.kind() {
            Some(RuleKind::Bot) => {
                s.bot_ran = true;
                s.bot_denied |= denied;
                s.bot_allowed_named |= !denied && r.get(S::B) > 0.0;
                s.bot_verified |= r.get(S::C) > 0.0;
                s.bot_spoofed |= r.get(S::D) > 0.0;
            }
            Some(RuleKind::Shield) => s.shield_triggered |= denied || r.get(S::A) > 0.0,
            Some(RuleKind::RateLimit) => {
                s.rate_limited |= denied;
                let (max, remaining) = (r.get(S::A), r.get(S::B));
                if max > 0.0 {
                    let frac = (remaining / max).clamp(0.0, 1.0);
                    s.rate_remaining_frac = if s.rate_remaining_frac.is_nan() { frac } else { s.rate_remaining_frac.min(frac) };
                }
            }
            Some(RuleKind::Email) => {
                s.email_mask |= r.get(S::A) as u32;
                s.email_denied |= denied;
            }
            _ => {}
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
        assert!(!s.bot_ran && !s.bot_denied, "a DRY_RUN bot result did not act");
        assert_eq!(s.email_mask, 0b10);
    }
}
