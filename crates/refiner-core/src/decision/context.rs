//! The app context (`input.context`): what only the server knows, each field declared once here
//! with its plausible range. A value past its range is clamped to it and counted as implausible
//! (the `context.implausible` feature), so an app that copies a client's number into its context
//! cannot hand an attacker a lever that moves the verdict without bound.

use serde_json::{json, Value};

/// How a context field is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A finite number ≥ 0.
    Count,
    /// A boolean.
    Flag,
}

/// One optional field of `input.context`.
#[derive(Clone, Copy, Debug)]
pub struct ContextField {
    /// Property name in JS and JSON.
    pub key: &'static str,
    pub kind: FieldKind,
    /// Largest plausible value (inclusive): larger ones are clamped to it and flagged.
    pub max: f64,
    /// The unit of the value, for the docs.
    pub unit: &'static str,
    pub doc: &'static str,
}

const DAY_S: f64 = 86_400.0;

macro_rules! count {
    ($key:literal, $max:expr, $unit:literal, $doc:literal) => {
        ContextField { key: $key, kind: FieldKind::Count, max: $max, unit: $unit, doc: $doc }
    };
}
macro_rules! flag {
    ($key:literal, $doc:literal) => {
        ContextField { key: $key, kind: FieldKind::Flag, max: 1.0, unit: "", doc: $doc }
    };
}

/// The context fields after `route`, each one slot from `CONTEXT_BASE`.
pub const CONTEXT_FIELDS: &[ContextField] = &[
    count!("sessionAgeS", 90.0 * DAY_S, "seconds", "Seconds since the session started, from the server's session store."),
    count!("sessionRequests", 100_000.0, "requests", "Requests the server served in this session before this one."),
    count!("pagesSeen", 10_000.0, "pages", "Distinct pages the server served in this session before this one."),
    count!("failedLogins", 1_000.0, "attempts", "Failed login attempts the server counted for this session or account recently."),
    count!("accountAgeDays", 20_000.0, "days", "Age of the account in days, from the app's user table (0 for a new sign-up)."),
    flag!("emailVerified", "The account's email address has been verified (the user table says so)."),
    count!("formFillMs", DAY_S * 1000.0, "ms", "Milliseconds between the server rendering the form (a timestamp it issued) and receiving it."),
    count!("cartValue", 10_000_000.0, "currency units", "Value of the cart or payment as the server computed it, in the shop's currency units."),
    count!("paymentAttempts", 1_000.0, "attempts", "Payment attempts the server counted in this session, including this one."),
    flag!("loggedIn", "The server's session says the user is logged in."),
];

/// `value` clamped to the field's range, and whether it was out of it. Values are checked for
/// type and sign before this (a negative or non-finite count is a caller error).
pub fn clamp(field: &ContextField, value: f64) -> (f64, bool) {
    if value > field.max {
        (field.max, true)
    } else {
        (value, false)
    }
}

/// The context fields for the JS packer and the docs.
pub fn context_json() -> Value {
    Value::Array(CONTEXT_FIELDS.iter().map(|f| json!({"key": f.key, "flag": f.kind == FieldKind::Flag, "max": f.max, "unit": f.unit, "doc": f.doc})).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_past_the_range_are_clamped_and_flagged() {
        let f = CONTEXT_FIELDS.iter().find(|f| f.key == "sessionRequests").unwrap();
        assert_eq!(clamp(f, 12.0), (12.0, false));
        assert_eq!(clamp(f, f.max), (f.max, false));
        assert_eq!(clamp(f, 1e9), (f.max, true));
        assert!(CONTEXT_FIELDS.iter().all(|f| f.max > 0.0 && f.max.is_finite()));
    }
}
