//! The code tables of the packed input, each declared once as an enum whose variant names are
//! the strings callers pass (`"DENY"`, `"RATE_LIMIT"`, `"checkout"`…). The JS packer and the JSON
//! reader look names up in these tables (exported through [`codes_json`]); features compare
//! variants, never bare numbers.

use serde_json::{json, Map, Value};
use strum::{FromRepr, IntoStaticStr, VariantArray};

/// A table of named codes. A variant is packed as its `repr`; tables whose first code is 1 pack
/// "absent" as 0.
pub trait Coded: Copy + PartialEq + Into<&'static str> + VariantArray + 'static {
    /// The number this entry is packed as.
    fn code(self) -> f64;
    /// The entry packed as `v`; None for 0 (absent) and for numbers that are no code.
    fn from_code(v: f64) -> Option<Self>;

    fn name(self) -> &'static str {
        self.into()
    }

    /// The entry named exactly `name`.
    fn parse(name: &str) -> Option<Self> {
        Self::VARIANTS.iter().copied().find(|v| v.name() == name)
    }

    /// `{ name: code }` of every entry, for the JS packer.
    fn table_json() -> Value {
        Value::Object(Self::VARIANTS.iter().map(|v| (v.name().to_owned(), json!(v.code()))).collect::<Map<_, _>>())
    }
}

macro_rules! coded {
    ($($t:ty),*) => {$(
        impl Coded for $t {
            fn code(self) -> f64 {
                f64::from(self as u8)
            }
            fn from_code(v: f64) -> Option<Self> {
                // Whole when truncating keeps it: `fract()` called libm's trunc (baseline x86-64 has
                // no rounding instruction), ~20 instructions for each of a refine's ~30 codes.
                let code = v as u8;
                ((0.0..256.0).contains(&v) && f64::from(code) == v).then(|| Self::from_repr(code)).flatten()
            }
        }
    )*};
}

/// `decision.conclusion` and each result's `conclusion`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, IntoStaticStr, VariantArray, FromRepr)]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[repr(u8)]
pub enum RulesConclusion {
    Allow = 1,
    Deny,
    Challenge,
    /// The rules failed (Arcjet fails open).
    Error,
}

/// `reason.type` of a decision or a rule result; a type this version does not know reads as
/// [`RuleKind::Unknown`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, IntoStaticStr, VariantArray, FromRepr)]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[repr(u8)]
pub enum RuleKind {
    Unknown = 1,
    Bot,
    Shield,
    RateLimit,
    Email,
    SensitiveInfo,
    Filter,
    EdgeRule,
    PromptInjectionDetection,
    Error,
}

/// A rule result's `state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, IntoStaticStr, VariantArray, FromRepr)]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[repr(u8)]
pub enum RuleState {
    Run = 1,
    NotRun,
    Cached,
    DryRun,
}

/// `context.route`; absent means [`Route::Other`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, IntoStaticStr, VariantArray, FromRepr)]
#[strum(serialize_all = "lowercase")]
#[repr(u8)]
pub enum Route {
    Other = 0,
    Signup,
    Login,
    Checkout,
    Api,
}

/// `request.method`; any other method reads as [`Method::Other`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, IntoStaticStr, VariantArray, FromRepr)]
#[strum(serialize_all = "UPPERCASE")]
#[repr(u8)]
pub enum Method {
    Get = 1,
    Head,
    Post,
    Put,
    Patch,
    Delete,
    Options,
    Other,
}

impl Method {
    /// POST, PUT, PATCH and DELETE change state.
    pub fn is_unsafe(self) -> bool {
        matches!(self, Self::Post | Self::Put | Self::Patch | Self::Delete)
    }
}

/// `emailTypes` of an email rule result, packed as a bit mask (bit = the variant's `repr`);
/// unknown types are ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, IntoStaticStr, VariantArray, FromRepr)]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[repr(u8)]
pub enum EmailType {
    Disposable = 0,
    Free,
    NoMxRecords,
    NoGravatar,
    Invalid,
}

coded!(RulesConclusion, RuleKind, RuleState, Route, Method, EmailType);

impl EmailType {
    pub fn bit(self) -> u32 {
        1 << (self as u8)
    }
}

/// Every table, for the JS packer (which never re-lists them).
pub fn codes_json() -> Value {
    json!({
        "conclusion": RulesConclusion::table_json(),
        "ruleKind": RuleKind::table_json(),
        "state": RuleState::table_json(),
        "route": Route::table_json(),
        "method": Method::table_json(),
        "emailType": Value::Object(EmailType::VARIANTS.iter().map(|t| (t.name().to_owned(), json!(t.bit()))).collect()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T: Coded + std::fmt::Debug>(names: &[&str], first: f64) {
        let got: Vec<&str> = T::VARIANTS.iter().map(|v| v.name()).collect();
        assert_eq!(got, names);
        for (i, v) in T::VARIANTS.iter().enumerate() {
            assert_eq!(v.code(), first + i as f64, "{v:?}");
            assert_eq!(T::from_code(v.code()), Some(*v));
            assert_eq!(T::parse(v.name()), Some(*v));
        }
        assert_eq!(T::from_code(0.5), None);
        assert_eq!(T::from_code(f64::NAN), None);
        assert_eq!(T::parse("constructor"), None);
    }

    /// The names callers pass (Arcjet's, and this API's) are tied to their codes here, once.
    #[test]
    fn every_table_is_tied_to_its_names() {
        round_trips::<RulesConclusion>(&["ALLOW", "DENY", "CHALLENGE", "ERROR"], 1.0);
        round_trips::<RuleKind>(
            &["UNKNOWN", "BOT", "SHIELD", "RATE_LIMIT", "EMAIL", "SENSITIVE_INFO", "FILTER", "EDGE_RULE", "PROMPT_INJECTION_DETECTION", "ERROR"],
            1.0,
        );
        round_trips::<RuleState>(&["RUN", "NOT_RUN", "CACHED", "DRY_RUN"], 1.0);
        round_trips::<Route>(&["other", "signup", "login", "checkout", "api"], 0.0);
        round_trips::<Method>(&["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"], 1.0);
        round_trips::<EmailType>(&["DISPOSABLE", "FREE", "NO_MX_RECORDS", "NO_GRAVATAR", "INVALID"], 0.0);
        assert_eq!(codes_json()["emailType"]["NO_MX_RECORDS"], 4);
        assert_eq!(RulesConclusion::from_code(0.0), None, "0 is absent");
    }
}
