//! Stage 1 — what the caller hands over: the rule decision, the request and the app context.
//!
//! Input: an Arcjet-shaped decision + request + context, either packed by the JS layer into one
//! `f64` array (layout: [`Slot`], then the context fields, then the rule results) plus the
//! [`Texts`] that need native analysis, or as JSON ([`RawInput::from_json`], for logs and
//! training corpora). Output: a [`RawInput`] view.
//!
//! Numbers go through a flat array because every property read through N-API costs ~0.2 µs while
//! the same read in JIT-compiled JS costs nanoseconds; the JS layer reads the decision by duck
//! typing and writes slots whose indices come from [`layout_json`].

mod codes;
mod context;
mod headers;
mod texts;

pub use codes::{codes_json, Coded, EmailType, Method, Route, RuleKind, RuleState, RulesConclusion};
pub use context::{clamp, ContextField, FieldKind, CONTEXT_FIELDS};
pub use headers::{Header, Headers};
pub use texts::{clip, NulFields, OwnedTexts, TextField, Texts, MAX_BODY_BYTES, MAX_BODY_NODES, MAX_HEADER_PAIRS, MAX_TEXT_BYTES, TEXT_FIELDS};

use crate::error::{RefinerError, Result};
use serde_json::{json, Map, Value};
use strum::VariantArray;

/// Rule results kept per decision; the rest are only counted in [`Slot::ResultCount`].
pub const MAX_RESULTS: usize = 8;
/// Slots per rule result: kind, state, conclusion and four kind-specific values (see [`ResultSlot`]).
pub const RESULT_STRIDE: usize = 7;

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
    Conclusion = "decision.conclusion as a `RulesConclusion` code",
    ReasonKind = "decision.reason.type as a `RuleKind` code",
    ResultCount = "decision.results.length, including results past MAX_RESULTS",
    IpPresent = "1 when decision.ip carries any detail",
    IpHosting = "decision.ip.isHosting()",
    IpVpn = "decision.ip.isVpn()",
    IpProxy = "decision.ip.isProxy()",
    IpTor = "decision.ip.isTor()",
    IpRelay = "decision.ip.isRelay()",
    IpAbuser = "decision.ip.isAbuser()",
    Method = "request.method as a `Method` code",
    Route = "context.route as a `Route` code",
    At = "input.at: when the request happened, in ms since the Unix epoch (0: now)",
    HeaderPairs = "number of header name/value pairs in the texts",
    BodyFields = "number of body fields in the texts",
    BodyOversized = "1 when the body was larger than the packer reads: its head and tail were sent",
}

/// First of the [`CONTEXT_FIELDS`] slots (NaN when not given).
pub const CONTEXT_BASE: usize = SLOTS.len();
/// First of the [`MAX_RESULTS`] × [`RESULT_STRIDE`] rule-result slots.
pub const RESULTS_BASE: usize = CONTEXT_BASE + CONTEXT_FIELDS.len();
/// Total length of the packed array.
pub const WIDTH: usize = RESULTS_BASE + MAX_RESULTS * RESULT_STRIDE;

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

/// One rule result of a packed input.
#[derive(Clone, Copy, Debug)]
pub struct RuleResult<'a>(&'a [f64]);

impl RuleResult<'_> {
    pub fn kind(&self) -> Option<RuleKind> {
        RuleKind::from_code(self.0[ResultSlot::Kind as usize])
    }
    pub fn state(&self) -> Option<RuleState> {
        RuleState::from_code(self.0[ResultSlot::State as usize])
    }
    pub fn conclusion(&self) -> Option<RulesConclusion> {
        RulesConclusion::from_code(self.0[ResultSlot::Conclusion as usize])
    }
    pub fn get(&self, slot: ResultSlot) -> f64 {
        self.0[slot as usize]
    }
}

/// One request as the pipeline sees it.
#[derive(Clone, Copy, Debug)]
pub struct RawInput<'a> {
    pub nums: &'a [f64],
    pub texts: Texts<'a>,
    /// The headers features read, found once in `texts`.
    pub headers: Headers<'a>,
}

impl<'a> RawInput<'a> {
    /// A view of `nums` (exactly [`WIDTH`] long) and its texts.
    pub fn new(nums: &'a [f64], texts: Texts<'a>) -> Self {
        Self { nums, headers: texts.headers(), texts }
    }
    /// Splits `joined` by the counts `nums` gives.
    pub fn from_joined(nums: &'a [f64], joined: &'a str) -> Result<Self> {
        Ok(Self::new(nums, Texts::from_joined(joined, count(nums, Slot::HeaderPairs), count(nums, Slot::BodyFields))?))
    }
    pub fn get(&self, slot: Slot) -> f64 {
        self.nums[slot as usize]
    }
    /// When the request happened, in unix seconds, if the input says.
    pub fn at_s(&self) -> Option<f64> {
        let ms = self.get(Slot::At);
        (ms > 0.0).then_some(ms / 1000.0)
    }
    /// The rules' overall conclusion, if a decision gave one.
    pub fn rules_conclusion(&self) -> Option<RulesConclusion> {
        RulesConclusion::from_code(self.get(Slot::Conclusion))
    }
    pub fn method(&self) -> Option<Method> {
        Method::from_code(self.get(Slot::Method))
    }
    pub fn route(&self) -> Route {
        Route::from_code(self.get(Slot::Route)).unwrap_or(Route::Other)
    }
    /// Context field `i` as given (NaN when absent), before clamping.
    pub fn context_raw(&self, i: usize) -> f64 {
        self.nums[CONTEXT_BASE + i]
    }
    /// Context field `i` clamped to its plausible range (NaN when absent).
    pub fn context(&self, i: usize) -> f64 {
        clamp(&CONTEXT_FIELDS[i], self.context_raw(i)).0
    }
    /// How many context fields were past their plausible range.
    pub fn implausible_context(&self) -> usize {
        CONTEXT_FIELDS.iter().enumerate().filter(|&(i, f)| clamp(f, self.context_raw(i)).1).count()
    }
    /// The kept rule results.
    pub fn results(&self) -> impl Iterator<Item = RuleResult<'a>> {
        let kept = (self.get(Slot::ResultCount) as usize).min(MAX_RESULTS);
        self.nums[RESULTS_BASE..RESULTS_BASE + kept * RESULT_STRIDE].chunks_exact(RESULT_STRIDE).map(RuleResult)
    }
}

/// A packed count slot as a usize (0 for anything that is not a count).
pub fn count(nums: &[f64], slot: Slot) -> usize {
    let v = nums[slot as usize];
    if (0.0..1e9).contains(&v) { v as usize } else { 0 }
}

/// A packed input that owns its data, read from JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct OwnedInput {
    pub nums: Vec<f64>,
    pub texts: OwnedTexts,
    joined: String,
}

impl OwnedInput {
    fn new(nums: Vec<f64>, texts: OwnedTexts) -> Self {
        let joined = texts.joined();
        Self { nums, texts, joined }
    }
    pub fn view(&self) -> RawInput<'_> {
        RawInput::from_joined(&self.nums, &self.joined).expect("an owned input's counts match its texts")
    }
    /// The texts as the JS packer joins them.
    pub fn joined(&self) -> &str {
        &self.joined
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
        "maxBodyBytes": MAX_BODY_BYTES,
        "maxBodyNodes": MAX_BODY_NODES,
        "maxHeaderPairs": MAX_HEADER_PAIRS,
        "slots": slots,
        "contextBase": CONTEXT_BASE,
        "resultsBase": RESULTS_BASE,
        "contextFields": context::context_json(),
        "codes": codes_json(),
        "texts": TEXT_FIELDS.iter().map(|t| json!({"name": t.name, "source": t.source})).collect::<Vec<_>>(),
        "headers": Header::VARIANTS.iter().map(|h| h.name()).collect::<Vec<_>>(),
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
