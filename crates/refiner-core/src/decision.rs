//! Stage 1 — what the caller hands over: the rule decision, the request and the app context.
//!
//! Input: an Arcjet-shaped decision + request + context, either packed by the JS layer into one
//! `f64` array (layout: [`Slot`]) plus the [`Texts`] that need native analysis, or as JSON
//! ([`RawInput::from_json`], for logs and training corpora). Output: a [`RawInput`] view.
//!
//! Numbers go through a flat array because every property read through N-API costs ~0.2 µs while
//! the same read in JIT-compiled JS costs nanoseconds; the JS layer reads the decision by duck
//! typing and writes slots whose indices come from [`layout_json`].

use crate::error::{RefinerError, Result};
use crate::memory::{Snapshot, SNAPSHOT_WIDTH};
use serde_json::{json, Map, Value};

/// Rule results kept per decision; the rest are only counted in [`Slot::ResultCount`].
pub const MAX_RESULTS: usize = 8;
/// Slots per rule result: kind, state, conclusion and four kind-specific values (see [`ResultSlot`]).
pub const RESULT_STRIDE: usize = 7;
/// Longest text, in bytes, that feature extraction looks at; the JS layer cuts longer ones first.
pub const MAX_TEXT_BYTES: usize = 8192;

macro_rules! slots {
    ($($name:ident = $doc:literal,)*) => {
        /// Index of each scalar in the packed input array.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(usize)]
        pub enum Slot { $(#[doc = $doc] $name,)* }
        /// `(name, doc)` of every scalar slot, in index order.
        pub const SLOTS: &[(&str, &str)] = &[$((stringify!($name), $doc),)*];
    };
}

slots! {
    DecisionPresent = "1 when a rule decision was given, else 0",
    Conclusion = "decision.conclusion as a `CONCLUSIONS` code",
    ReasonKind = "decision.reason.type as a `RULE_KINDS` code",
    ResultCount = "decision.results.length, including results past MAX_RESULTS",
    IpPresent = "1 when decision.ip carries any detail",
    IpHosting = "decision.ip.isHosting()",
    IpVpn = "decision.ip.isVpn()",
    IpProxy = "decision.ip.isProxy()",
    IpTor = "decision.ip.isTor()",
    IpRelay = "decision.ip.isRelay()",
    IpAbuser = "decision.ip.isAbuser()",
    Method = "request.method as a `METHODS` code",
    HeaderCount = "number of request headers",
    Route = "context.route as a `ROUTES` code",
    At = "input.at: when the request happened, in ms since the Unix epoch (0: now)",
}

/// First of the [`HEADER_FLAGS`] presence slots (1 present, 0 absent).
pub const HEADER_BASE: usize = SLOTS.len();
/// First of the [`CONTEXT_FIELDS`] slots (NaN when not given).
pub const CONTEXT_BASE: usize = HEADER_BASE + HEADER_FLAGS.len();
/// First of the [`MAX_RESULTS`] × [`RESULT_STRIDE`] rule-result slots.
pub const RESULTS_BASE: usize = CONTEXT_BASE + CONTEXT_FIELDS.len();
/// First of the [`SNAPSHOT_WIDTH`] slots holding what memory knew before the request: a refine
/// writes them, and the explanation of the same refine reads them instead of recording again.
pub const MEMORY_BASE: usize = RESULTS_BASE + MAX_RESULTS * RESULT_STRIDE;
/// Total length of the packed array.
pub const WIDTH: usize = MEMORY_BASE + SNAPSHOT_WIDTH;

/// Headers whose presence (not value) is a signal; each gets one slot from [`HEADER_BASE`].
pub const HEADER_FLAGS: &[&str] = &[
    "accept",
    "accept-language",
    "accept-encoding",
    "sec-fetch-mode",
    "sec-fetch-site",
    "referer",
    "cookie",
    "upgrade-insecure-requests",
];

/// How a context field is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A finite number ≥ 0.
    Count,
    /// A boolean.
    Flag,
}

/// One optional field of `input.context`, documented once here.
#[derive(Clone, Copy, Debug)]
pub struct ContextField {
    /// Property name in JS and JSON.
    pub key: &'static str,
    pub kind: FieldKind,
    pub doc: &'static str,
}

/// The app context fields after `route`, each one slot from [`CONTEXT_BASE`].
pub const CONTEXT_FIELDS: &[ContextField] = &[
    ContextField { key: "sessionAgeS", kind: FieldKind::Count, doc: "Seconds since the session started." },
    ContextField { key: "sessionRequests", kind: FieldKind::Count, doc: "Requests made in this session before this one." },
    ContextField { key: "pagesSeen", kind: FieldKind::Count, doc: "Distinct pages viewed in this session before this one." },
    ContextField { key: "failedLogins", kind: FieldKind::Count, doc: "Failed login attempts in this session or for this account recently." },
    ContextField { key: "accountAgeDays", kind: FieldKind::Count, doc: "Age of the account in days (0 for a new sign-up)." },
    ContextField { key: "emailVerified", kind: FieldKind::Flag, doc: "The account's email address has been verified." },
    ContextField { key: "formFillMs", kind: FieldKind::Count, doc: "Milliseconds between the form being shown and submitted." },
    ContextField { key: "cartValue", kind: FieldKind::Count, doc: "Value of the cart or payment, in the shop's currency units." },
    ContextField { key: "paymentAttempts", kind: FieldKind::Count, doc: "Payment attempts in this session, including this one." },
    ContextField { key: "loggedIn", kind: FieldKind::Flag, doc: "The request comes from a logged-in user." },
];

/// The optional strings of `input.context` that identify the client to behavioral memory, in
/// [`TEXT_FIELDS`] order from `accountId`. They are hashed with a secret key and never stored.
pub const IDENTITY_FIELDS: &[(&str, &str)] = &[
    ("accountId", "The account's id (else the request's email identifies the account)."),
    ("sessionId", "The session's id."),
    ("fingerprint", "A device id (else Arcjet's rule-result fingerprint, else a hash of network, user agent, client hints and accept-language)."),
];

/// Per-result slot offsets inside one [`RESULT_STRIDE`] block.
#[derive(Clone, Copy, Debug)]
#[repr(usize)]
pub enum ResultSlot {
    Kind,
    State,
    Conclusion,
    /// RATE_LIMIT: max · BOT: denied.length · EMAIL: emailTypes bit mask · SHIELD: shieldTriggered · SENSITIVE_INFO: denied.length
    A,
    /// RATE_LIMIT: remaining · BOT: allowed.length · SENSITIVE_INFO: allowed.length
    B,
    /// RATE_LIMIT: window (s) · BOT: verified
    C,
    /// RATE_LIMIT: reset (s) · BOT: spoofed
    D,
}

/// Conclusion codes are 1-based indices into this list; 0 means absent.
pub const CONCLUSIONS: &[&str] = &["ALLOW", "DENY", "CHALLENGE", "ERROR"];
/// Rule kind codes; an unrecognized `reason.type` string gets the code of `UNKNOWN`.
pub const RULE_KINDS: &[&str] = &[
    "UNKNOWN", "BOT", "SHIELD", "RATE_LIMIT", "EMAIL", "SENSITIVE_INFO", "FILTER", "EDGE_RULE",
    "PROMPT_INJECTION_DETECTION", "ERROR",
];
/// Rule state codes.
pub const STATES: &[&str] = &["RUN", "NOT_RUN", "CACHED", "DRY_RUN"];
/// Route codes (`context.route`) are 0-based indices into this list; absent means `other` (0).
pub const ROUTES: &[&str] = &["other", "signup", "login", "checkout", "api"];
/// HTTP method codes; any other method gets the code of `OTHER`.
pub const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"];
/// `emailTypes` values, bit i set for entry i; unknown types are ignored.
pub const EMAIL_TYPES: &[&str] = &["DISPOSABLE", "FREE", "NO_MX_RECORDS", "NO_GRAVATAR", "INVALID"];

/// The 1-based code of `name` in `table`, 0 when absent.
pub fn code_of(table: &[&str], name: &str) -> Option<f64> {
    table.iter().position(|t| *t == name).map(|i| (i + 1) as f64)
}

/// Codes of the named entries, for comparisons in feature extraction.
pub mod code {
    pub const DENY: f64 = 2.0;
    pub const CHALLENGE: f64 = 3.0;
    pub const ERROR: f64 = 4.0;
    pub const KIND_UNKNOWN: f64 = 1.0;
    pub const KIND_BOT: f64 = 2.0;
    pub const KIND_SHIELD: f64 = 3.0;
    pub const KIND_RATE_LIMIT: f64 = 4.0;
    pub const KIND_EMAIL: f64 = 5.0;
    pub const KIND_SENSITIVE_INFO: f64 = 6.0;
    pub const KIND_ERROR: f64 = 10.0;
    pub const STATE_DRY_RUN: f64 = 4.0;
    pub const STATE_NOT_RUN: f64 = 2.0;
}

/// Order of the texts in the `\0`-joined string the JS layer passes.
pub const TEXT_FIELDS: &[&str] = &["userAgent", "secChUa", "path", "email", "body", "ip", "acceptLanguage", "accountId", "sessionId", "fingerprint"];

/// Strings that need native analysis; empty when absent.
#[derive(Clone, Copy, Debug, Default)]
pub struct Texts<'a> {
    pub user_agent: &'a str,
    pub sec_ch_ua: &'a str,
    /// Path and query string.
    pub path: &'a str,
    pub email: &'a str,
    /// Free text from the body (form fields worth scanning), joined.
    pub body: &'a str,
    pub ip: &'a str,
    /// The accept-language header, part of the device key when no fingerprint is given.
    pub accept_language: &'a str,
    /// context.accountId and context.sessionId: keys of behavioral memory.
    pub account_id: &'a str,
    pub session_id: &'a str,
    /// context.fingerprint, else the first rule result's Arcjet fingerprint.
    pub fingerprint: &'a str,
}

impl<'a> Texts<'a> {
    /// Splits the `\0`-joined [`TEXT_FIELDS`]; extra separators stay in the last field.
    pub fn from_joined(joined: &'a str) -> Result<Self> {
        Self::from_fields(&mut NulFields::new(joined, TEXT_FIELDS.len()))
    }

    /// The next [`TEXT_FIELDS`] of `fields` (a batch's texts are one run of them).
    pub fn from_fields(fields: &mut impl Iterator<Item = &'a str>) -> Result<Self> {
        let mut next = || fields.next().map(clip);
        let texts = Texts {
            user_agent: next().unwrap_or(""),
            sec_ch_ua: next().unwrap_or(""),
            path: next().unwrap_or(""),
            email: next().unwrap_or(""),
            body: next().unwrap_or(""),
            ip: next().unwrap_or(""),
            accept_language: next().unwrap_or(""),
            account_id: next().unwrap_or(""),
            session_id: next().unwrap_or(""),
            fingerprint: next().ok_or_else(|| RefinerError::input("texts", "10 strings joined by \\0"))?,
        };
        Ok(texts)
    }

    /// The inverse of [`Texts::from_joined`].
    pub fn joined(&self) -> String {
        self.all().join("\0")
    }

    /// The texts in [`TEXT_FIELDS`] order.
    pub fn all(&self) -> [&'a str; 10] {
        [self.user_agent, self.sec_ch_ua, self.path, self.email, self.body, self.ip, self.accept_language, self.account_id, self.session_id, self.fingerprint]
    }
}

/// The `\0`-separated fields of a string, at most `limit` (the last keeps any further
/// separators), as `str::splitn` gives them. `memchr` finds each separator: `splitn`'s char
/// searcher compares through a `memcmp` call per candidate, ~10 ns a field.
pub struct NulFields<'a> {
    rest: Option<&'a str>,
    left: usize,
}

impl<'a> NulFields<'a> {
    pub fn new(joined: &'a str, limit: usize) -> Self {
        Self { rest: Some(joined), left: limit }
    }
}

impl<'a> Iterator for NulFields<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        self.left = self.left.checked_sub(1)?;
        // `\0` is one byte in UTF-8, so both sides of it are char boundaries.
        match memchr::memchr(0, s.as_bytes()).filter(|_| self.left > 0) {
            Some(i) => {
                self.rest = Some(&s[i + 1..]);
                Some(&s[..i])
            }
            None => {
                self.rest = None;
                Some(s)
            }
        }
    }
}

/// Cuts `s` to at most [`MAX_TEXT_BYTES`] on a char boundary.
fn clip(s: &str) -> &str {
    if s.len() <= MAX_TEXT_BYTES {
        return s;
    }
    let mut end = MAX_TEXT_BYTES;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// One request as the pipeline sees it.
#[derive(Clone, Copy, Debug)]
pub struct RawInput<'a> {
    pub nums: &'a [f64],
    pub texts: Texts<'a>,
}

impl RawInput<'_> {
    pub fn get(&self, slot: Slot) -> f64 {
        self.nums[slot as usize]
    }
    /// When the request happened, in unix seconds, if the input says.
    pub fn at_s(&self) -> Option<f64> {
        let ms = self.get(Slot::At);
        (ms > 0.0).then_some(ms / 1000.0)
    }
    pub fn header(&self, i: usize) -> f64 {
        self.nums[HEADER_BASE + i]
    }
    pub fn context(&self, i: usize) -> f64 {
        self.nums[CONTEXT_BASE + i]
    }
    /// The snapshot written in the [`MEMORY_BASE`] slots.
    pub fn memory(&self) -> Snapshot {
        Snapshot::read(&self.nums[MEMORY_BASE..])
    }
    /// The kept rule results, each a [`RESULT_STRIDE`] slice indexed by [`ResultSlot`].
    pub fn results(&self) -> impl Iterator<Item = &[f64]> {
        let kept = (self.get(Slot::ResultCount) as usize).min(MAX_RESULTS);
        self.nums[RESULTS_BASE..RESULTS_BASE + kept * RESULT_STRIDE].chunks_exact(RESULT_STRIDE)
    }
}

/// A packed input that owns its data, read from JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct OwnedInput {
    pub nums: Vec<f64>,
    pub texts: [String; 10],
}

impl OwnedInput {
    pub fn view(&self) -> RawInput<'_> {
        let t = |i: usize| clip(&self.texts[i]);
        RawInput {
            nums: &self.nums,
            texts: Texts {
                user_agent: t(0),
                sec_ch_ua: t(1),
                path: t(2),
                email: t(3),
                body: t(4),
                ip: t(5),
                accept_language: t(6),
                account_id: t(7),
                session_id: t(8),
                fingerprint: t(9),
            },
        }
    }
}

/// The packed layout and code tables, for the JS packer (which never re-lists them).
pub fn layout_json() -> Value {
    let slots: Map<String, Value> = SLOTS.iter().enumerate().map(|(i, (name, _))| (name.to_string(), json!(i))).collect();
    json!({
        "width": WIDTH,
        "maxResults": MAX_RESULTS,
        "resultStride": RESULT_STRIDE,
        "maxTextBytes": MAX_TEXT_BYTES,
        "slots": slots,
        "headerBase": HEADER_BASE,
        "contextBase": CONTEXT_BASE,
        "resultsBase": RESULTS_BASE,
        "memoryBase": MEMORY_BASE,
        "headerFlags": HEADER_FLAGS,
        "identityFields": IDENTITY_FIELDS.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        "contextFields": CONTEXT_FIELDS.iter().map(|f| json!({"key": f.key, "flag": f.kind == FieldKind::Flag})).collect::<Vec<_>>(),
        "conclusions": CONCLUSIONS,
        "ruleKinds": RULE_KINDS,
        "states": STATES,
        "routes": ROUTES,
        "methods": METHODS,
        "emailTypes": EMAIL_TYPES,
        "texts": TEXT_FIELDS,
    })
}

mod json_reader;
use json_reader::read_record;

impl RawInput<'_> {
    /// Reads `{ decision?, request?, context? }` as logged JSON (see `docs/DATA.md`).
    pub fn from_json(record: &Value) -> Result<OwnedInput> {
        read_record(record)
    }
}
