//! The feature schema v3: one table, the only place a feature is declared.
//!
//! Each feature says which threat heads read it and its [`Role`]: *evidence* (a rule's DENY, a
//! confirmed payload, a script's header set, failed logins, declines, chargebacks) never lowers the
//! threats it feeds and may move them far; a *signal* may move them either way, a little. The
//! trainer enforces both; the policy escalates a request the rules allowed only on evidence.

use super::payload::Family;
use super::{FeatureVector, Signals};
use crate::decision::{EmailType, RawInput, Slot, CONTEXT_FIELDS};
use crate::memory::{Counter, Kind, Snapshot};
use crate::threat::Threat;

/// Which part of the input a feature comes from; also its name prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Rules,
    Ip,
    UserAgent,
    Headers,
    Payload,
    Email,
    Context,
    Memory,
}

impl Group {
    pub const ALL: [Group; 8] = [Self::Rules, Self::Ip, Self::UserAgent, Self::Headers, Self::Payload, Self::Email, Self::Context, Self::Memory];

    pub fn prefix(self) -> &'static str {
        match self {
            Self::Rules => "rules.",
            Self::Ip => "ip.",
            Self::UserAgent => "ua.",
            Self::Headers => "headers.",
            Self::Payload => "payload.",
            Self::Email => "email.",
            Self::Context => "context.",
            Self::Memory => "memory.",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Rules => "Rule results (what the deterministic rules said)",
            Self::Ip => "IP reputation (from the rule decision)",
            Self::UserAgent => "User agent",
            Self::Headers => "Client presentation (does the header set fit the claimed browser?)",
            Self::Payload => "Payload analysis (path, query, headers, cookies and every body value)",
            Self::Email => "Email address",
            Self::Context => "App context (what only the server knows)",
            Self::Memory => "Behavioral memory (what the same ip, network, device, account, session and email domain did before)",
        }
    }
}

/// How a raw value becomes a model input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Transform {
    /// 1 when the raw value is > 0, else 0.
    Flag,
    /// ln(1 + max(x, 0)): counts, durations and amounts, whose scale spans orders of magnitude.
    Log1p,
    /// Clamped to [0, 1].
    Ratio,
}

impl Transform {
    pub fn apply(self, x: f64) -> f32 {
        (match self {
            Self::Flag => f64::from(u8::from(x > 0.0)),
            // Most counts are 0, and a logarithm is still a libm call. `ln(1 + x)` rather than
            // `ln_1p(x)`: glibc's log is several times faster, and the two differ only below
            // x ≈ 1e-8, far under what an f32 input resolves next to the values here.
            Self::Log1p => if x > 0.0 { (1.0 + x).ln() } else { 0.0 },
            Self::Ratio => x.clamp(0.0, 1.0),
        }) as f32
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::Flag => "flag (0/1)",
            Self::Log1p => "ln(1+x)",
            Self::Ratio => "ratio [0,1]",
        }
    }
}

/// What a feature may do to the heads that read it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Role {
    /// Never lowers its threats; counts as evidence for escalating a request the rules allowed
    /// once its raw value is above `active_above`.
    Evidence { active_above: f64 },
    /// Never lowers its threats, within [`SIGNAL_BUDGET`], and is not evidence: a fact the client
    /// chooses (its ip, a header quirk, a near-miss payload), which it must not be able to add to
    /// look safer, but which is too common on legitimate traffic to justify a block.
    Raise,
    /// Either way, within [`SIGNAL_BUDGET`]: facts the server or the rules establish.
    Signal,
}

/// The most one evidence feature may move a head's calibrated log-odds, over its whole range.
pub const EVIDENCE_BUDGET: f32 = 12.0;
/// The most one signal feature may move a head's calibrated log-odds, over its whole range.
pub const SIGNAL_BUDGET: f32 = 3.0;

impl Role {
    pub fn budget(self) -> f32 {
        match self {
            Self::Evidence { .. } => EVIDENCE_BUDGET,
            Self::Raise | Self::Signal => SIGNAL_BUDGET,
        }
    }
    pub fn monotone(self) -> bool {
        matches!(self, Self::Evidence { .. } | Self::Raise)
    }
    /// A stable tag, for the schema hash.
    pub fn tag(self) -> u8 {
        match self {
            Self::Evidence { .. } => 0,
            Self::Raise => 1,
            Self::Signal => 2,
        }
    }
}

/// One model input: its name, what it means, how it is computed, and what it may do.
#[derive(Clone, Copy)]
pub struct Feature {
    pub name: &'static str,
    pub group: Group,
    pub description: &'static str,
    pub transform: Transform,
    /// Raw value used when the input does not say (the extractor returned NaN).
    pub missing: f64,
    /// The heads that read it, a bit per [`Threat`].
    pub heads: u8,
    pub role: Role,
    pub extract: fn(&RawInput<'_>, &Signals) -> f64,
}

impl Feature {
    pub fn feeds(&self, t: Threat) -> bool {
        self.heads & t.bit() != 0
    }
    /// Counts as evidence of a threat at this raw value.
    pub fn is_evidence_at(&self, raw: f64) -> bool {
        matches!(self.role, Role::Evidence { active_above } if raw > active_above)
    }
}

impl std::fmt::Debug for Feature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

fn b(x: bool) -> f64 {
    f64::from(u8::from(x))
}

const BOT: u8 = 1 << Threat::Bot as u8;
const ATTACK: u8 = 1 << Threat::Attack as u8;
const ABUSE: u8 = 1 << Threat::Abuse as u8;
/// Evidence as soon as it is present.
const EVIDENCE: Role = Role::Evidence { active_above: 0.0 };
const SIGNAL: Role = Role::Signal;
const RAISE: Role = Role::Raise;
/// Read by the policy and reported, fed to no head.
const POLICY_ONLY: u8 = 0;

const fn context_index(key: &str) -> usize {
    let mut i = 0;
    while i < CONTEXT_FIELDS.len() {
        if const_eq(CONTEXT_FIELDS[i].key, key) {
            return i;
        }
        i += 1;
    }
    panic!("unknown context field");
}

const fn const_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The index of the feature named `name`; a compile error when used in a const and no feature has
/// that name.
pub const fn index_of(name: &str) -> usize {
    let mut i = 0;
    while i < FEATURES.len() {
        if const_eq(FEATURES[i].name, name) {
            return i;
        }
        i += 1;
    }
    panic!("no feature has that name");
}

macro_rules! f {
    ($name:literal, $group:ident, $transform:ident, $missing:expr, $heads:expr, $role:expr, $desc:literal, $extract:expr) => {
        Feature { name: $name, group: Group::$group, description: $desc, transform: Transform::$transform, missing: $missing, heads: $heads, role: $role, extract: $extract }
    };
}

macro_rules! ctx {
    ($name:literal, $key:literal, $transform:ident, $heads:expr, $role:expr, $desc:literal) => {
        f!($name, Context, $transform, 0.0, $heads, $role, $desc, |i, _| i.context(const { context_index($key) }))
    };
}

macro_rules! mem {
    ($name:literal, $heads:expr, $role:expr, $desc:literal, $extract:expr) => {
        f!($name, Memory, Log1p, 0.0, $heads, $role, $desc, |_, s| f64::from(($extract)(&s.memory)))
    };
}

/// A payload family's confirmed values: evidence of an attack. The name must be
/// `payload.<family name>` (a test checks), so reports can map a family to its feature.
macro_rules! fam {
    ($family:ident, $name:literal, $desc:literal) => {
        f!($name, Payload, Log1p, 0.0, ATTACK, EVIDENCE, $desc, |_, s| f64::from(s.payload.confirmed(Family::$family)))
    };
}

/// Where failures and denials are looked for: everything that identifies the client.
const CLIENT: &[Kind] = &[Kind::Ip, Kind::Device, Kind::Account, Kind::Session];

/// Number of features in schema v3.
pub const N_FEATURES: usize = FEATURES.len();

/// Declares the table and, from the same list, the extraction of every feature in order with
/// constant indices, so each extractor and transform is inlined (a loop over the table calls a
/// function pointer per feature).
macro_rules! schema {
    ($($feature:expr,)*) => {
        /// The feature schema v3, in model input order.
        pub const FEATURES: &[Feature] = &[$($feature,)*];

        /// Fills `out` with every feature of `input`.
        #[inline(always)]
        pub(super) fn extract_all(input: &RawInput<'_>, signals: &Signals, out: &mut FeatureVector) {
            let mut i = 0;
            $(
                extract_one(&const { $feature }, i, input, signals, out);
                i += 1;
            )*
            debug_assert_eq!(i, N_FEATURES);
        }
    };
}

#[inline(always)]
fn extract_one(f: &Feature, i: usize, input: &RawInput<'_>, signals: &Signals, out: &mut FeatureVector) {
    let raw = (f.extract)(input, signals);
    let raw = if raw.is_nan() { f.missing } else { raw };
    out.raw[i] = raw;
    out.values[i] = f.transform.apply(raw);
}

schema! {
    // Rules: each rule feeds the head of the threat it judges.
    f!("rules.bot_denied", Rules, Flag, 0.0, BOT, EVIDENCE, "a bot rule denied the request", |_, s| b(s.rules.bot_denied)),
    f!("rules.bot_spoofed", Rules, Flag, 0.0, BOT, EVIDENCE, "the bot rule found the client spoofing a known bot", |_, s| b(s.rules.bot_spoofed)),
    f!("rules.bot_verified", Rules, Flag, 0.0, BOT, SIGNAL, "the bot rule verified the client as the bot it claims to be", |_, s| b(s.rules.bot_verified)),
    f!("rules.bot_allowed", Rules, Flag, 0.0, BOT, SIGNAL, "a bot rule ran and allowed the request", |_, s| b(s.rules.bot_ran && !s.rules.bot_denied)),
    f!("rules.bot_allowed_named", Rules, Flag, 0.0, BOT, SIGNAL, "the bot rule recognized the client as a bot the app allows (a search engine, a preview…)", |_, s| b(s.rules.bot_allowed_named)),
    f!("rules.shield_triggered", Rules, Flag, 0.0, ATTACK, EVIDENCE, "the shield (WAF) rule was triggered", |_, s| b(s.rules.shield_triggered)),
    f!("rules.rate_limited", Rules, Flag, 0.0, ABUSE, EVIDENCE, "a rate limit denied the request", |_, s| b(s.rules.rate_limited)),
    f!("rules.rate_remaining_frac", Rules, Ratio, 1.0, ABUSE, SIGNAL, "smallest share of a rate limit still available", |_, s| s.rules.rate_remaining_frac),
    f!("rules.email_denied", Rules, Flag, 0.0, ABUSE, EVIDENCE, "the email rule denied the address", |_, s| b(s.rules.email_denied)),
    f!("rules.email_disposable", Rules, Flag, 0.0, ABUSE, EVIDENCE, "the email rule reported DISPOSABLE", |_, s| b(s.rules.email_mask & EmailType::Disposable.bit() != 0)),
    f!("rules.email_no_mx", Rules, Flag, 0.0, ABUSE, EVIDENCE, "the email rule reported NO_MX_RECORDS", |_, s| b(s.rules.email_mask & EmailType::NoMxRecords.bit() != 0)),
    f!("rules.email_invalid", Rules, Flag, 0.0, ABUSE, EVIDENCE, "the email rule reported INVALID", |_, s| b(s.rules.email_mask & EmailType::Invalid.bit() != 0)),
    f!("rules.email_free", Rules, Flag, 0.0, ABUSE, RAISE, "the email rule reported FREE", |_, s| b(s.rules.email_mask & EmailType::Free.bit() != 0)),
    // IP reputation
    f!("ip.hosting", Ip, Flag, 0.0, BOT, RAISE, "the IP belongs to a hosting provider", |i, _| i.get(Slot::IpHosting)),
    f!("ip.proxy", Ip, Flag, 0.0, BOT | ABUSE, RAISE, "the IP is a proxy", |i, _| i.get(Slot::IpProxy)),
    f!("ip.tor", Ip, Flag, 0.0, ABUSE, RAISE, "the IP is a Tor exit node", |i, _| i.get(Slot::IpTor)),
    f!("ip.abuser", Ip, Flag, 0.0, BOT | ABUSE, RAISE, "the IP is known for abuse", |i, _| i.get(Slot::IpAbuser)),
    // User agent
    // A program that says so. A crawler the app wants is one its bot rule names and allows
    // (`rules.bot_allowed_named`); the policy does not escalate those.
    f!("ua.known_crawler", UserAgent, Flag, 0.0, BOT, EVIDENCE, "the user agent matches a known crawler pattern", |_, s| b(s.ua.crawler_pattern && !s.ua.integration)),
    f!("ua.unknown_bot", UserAgent, Flag, 0.0, BOT, EVIDENCE, "the user agent names a robot (bot, crawler, spider…) that no crawler list knows", |_, s| b(s.ua.bot_token && !s.ua.crawler_pattern && !s.ua.integration)),
    // Read by the policy only: a bot rule's denial of a webhook sender is the app's choice, kept.
    f!("ua.integration", UserAgent, Flag, 0.0, POLICY_ONLY, SIGNAL, "the user agent names a webhook sender (a payment processor, a SaaS calling back)", |_, s| b(s.ua.integration)),
    f!("ua.http_library", UserAgent, Flag, 0.0, BOT, EVIDENCE, "the user agent names an HTTP library or CLI tool", |_, s| b(s.ua.http_library)),
    f!("ua.automation", UserAgent, Flag, 0.0, BOT, EVIDENCE, "the user agent names a headless browser or automation framework", |_, s| b(s.ua.automation)),
    f!("ua.not_browser", UserAgent, Flag, 0.0, BOT, RAISE, "the user agent is missing or not shaped like a mainstream browser", |_, s| b(!s.ua.browser_like)),
    // Client presentation (each 0 when only the user agent was passed)
    f!("headers.missing_user_agent", Headers, Flag, 0.0, BOT, EVIDENCE, "headers were passed without a user agent", |_, s| b(s.client.missing_user_agent)),
    f!("headers.missing_accept_language", Headers, Flag, 0.0, BOT, EVIDENCE, "a browser user agent without accept-language", |_, s| b(s.client.missing_accept_language)),
    f!("headers.missing_fetch_metadata", Headers, Flag, 0.0, BOT, RAISE, "a browser that sends sec-fetch-* headers sent none (as browsers do to a plain-HTTP site)", |_, s| b(s.client.missing_fetch_metadata)),
    f!("headers.chromium_without_hints", Headers, Flag, 0.0, BOT, RAISE, "a Chromium user agent on Windows, macOS or Android sent no sec-ch-ua", |_, s| b(s.client.chromium_without_hints)),
    f!("headers.hints_without_chromium", Headers, Flag, 0.0, BOT, EVIDENCE, "sec-ch-ua was sent but the user agent is not Chromium", |_, s| b(s.client.hints_without_chromium)),
    f!("headers.hints_mismatch", Headers, Flag, 0.0, BOT, EVIDENCE, "sec-ch-ua's version, mobile flag or platform disagrees with the user agent", |_, s| b(s.client.hints_mismatch)),
    f!("headers.headless_hints", Headers, Flag, 0.0, BOT, EVIDENCE, "sec-ch-ua names HeadlessChrome", |_, s| b(s.client.headless_hints)),
    f!("headers.few_headers", Headers, Flag, 0.0, BOT, RAISE, "a browser user agent with four headers or fewer (or the app passed a subset)", |_, s| b(s.client.few_headers)),
    f!("headers.encoding_without_br", Headers, Flag, 0.0, BOT, RAISE, "a browser's accept-encoding without br", |_, s| b(s.client.encoding_without_br)),
    f!("headers.library_defaults", Headers, Flag, 0.0, BOT, EVIDENCE, "a browser user agent with a header as only HTTP libraries send it (accept-language: *, sec-fetch-mode alone)", |_, s| b(s.client.library_defaults)),
    f!("headers.missing_accept", Headers, Flag, 0.0, BOT, RAISE, "headers were passed without an accept header", |_, s| b(s.client.missing_accept)),
    // Payload analysis
    // The families share one count, so a family the training traffic lacks (SSRF, log4shell…)
    // weighs what a confirmed payload weighs; each family's own count names it in explanations.
    f!("payload.confirmed", Payload, Log1p, 0.0, ATTACK, EVIDENCE, "values confirmed as a payload of any family", |_, s| s.payload.confirmed.iter().map(|&n| f64::from(n)).sum()),
    fam!(Sqli, "payload.sqli", "values confirmed as SQL injection (libinjection fingerprints behind a breakout)"),
    fam!(Xss, "payload.xss", "values confirmed as cross-site scripting (markup, handlers, script URLs, JS breakouts)"),
    fam!(Command, "payload.command", "values confirmed as OS command injection (a separator or substitution, then a command)"),
    fam!(Traversal, "payload.traversal", "values confirmed as path traversal or local file inclusion"),
    fam!(Template, "payload.template", "values confirmed as server-side template injection"),
    fam!(Jndi, "payload.jndi", "values carrying a log4shell `${jndi:…}` lookup, also obfuscated"),
    fam!(Ssrf, "payload.ssrf", "values that are URLs to loopback, cloud metadata, private hosts or odd schemes"),
    fam!(Code, "payload.code", "values confirmed as code injection (PHP, serialized objects with gadgets, OGNL/SpEL/EL expressions)"),
    fam!(Xxe, "payload.xxe", "values confirmed as XML external entities or XInclude (a document that declares or includes an external resource)"),
    fam!(Crlf, "payload.crlf", "values confirmed as header or response splitting (a line break, then a header or status line)"),
    fam!(Ldap, "payload.ldap", "values confirmed as LDAP filter injection (a filter closed, then an OR/AND/NOT group of attribute tests)"),
    f!("payload.suspicious", Payload, Log1p, 0.0, ATTACK, RAISE, "values with a weak sign of some family that no detector confirmed (a lone quote, a bare SQL word…)", |_, s| s.payload.suspicious.iter().map(|&n| n as f64).sum()),
    f!("payload.obfuscated", Payload, Flag, 0.0, ATTACK, RAISE, "a confirmed payload needed decoding beyond the one level the app applies (double encoding, entities, comments…)", |_, s| b(s.payload.obfuscated)),
    f!("payload.incomplete", Payload, Flag, 0.0, ATTACK, RAISE, "the analysis did not read everything: the body was past the packer's limit or the work budget ran out", |i, s| b(s.payload.truncated || i.get(Slot::BodyOversized) > 0.0)),
    f!("payload.values", Payload, Log1p, 0.0, POLICY_ONLY, SIGNAL, "values the payload analysis read (path, query, headers, cookies, email, body)", |_, s| f64::from(s.payload.values)),
    f!("payload.probe", Payload, Log1p, 0.0, POLICY_ONLY, SIGNAL, "values with a near miss, unconfirmed, of a family people's text rarely comes near (markup, traversal from the value's start, lookups, XXE), and SQL no text opens with (a delay, file or catalog call: `sleep(5)#1`); not SQL's other weak signs, code or shell (a quote before a semicolon, as code ends a line), templates (placeholders, passwords), SSRF (localhost callbacks) or header splitting (e-mail signatures)", |_, s| {
        const PROBED: [Family; 4] = [Family::Xss, Family::Traversal, Family::Jndi, Family::Xxe];
        PROBED.iter().map(|f| f64::from(s.payload.suspicious[f.index()])).sum::<f64>() + f64::from(s.payload.sql_probes)
    }),
    // Email
    f!("email.disposable_domain", Email, Flag, 0.0, ABUSE, EVIDENCE, "the email domain is a known disposable-mail service", |_, s| b(s.email.disposable)),
    f!("email.invalid_syntax", Email, Flag, 0.0, ABUSE, RAISE, "the email address is not syntactically valid", |_, s| b(s.email.present && !s.email.valid_syntax)),
    f!("email.free_provider", Email, Flag, 0.0, ABUSE, RAISE, "the email domain is a free-mail provider", |_, s| b(s.email.free_provider)),
    f!("email.plus_addressing", Email, Flag, 0.0, ABUSE, RAISE, "the email uses plus-addressing", |_, s| b(s.email.plus_addressing)),
    f!("email.local_entropy", Email, Ratio, 0.0, ABUSE, RAISE, "randomness of the email's local part (bits per character ÷ 5)", |_, s| s.email.local_entropy / 5.0),
    // Context (clamped to each field's plausible range)
    ctx!("context.session_age_s", "sessionAgeS", Log1p, ABUSE, SIGNAL, "seconds since the session started"),
    ctx!("context.session_requests", "sessionRequests", Log1p, ABUSE, SIGNAL, "requests made earlier in this session"),
    ctx!("context.pages_seen", "pagesSeen", Log1p, ABUSE, SIGNAL, "pages viewed earlier in this session"),
    ctx!("context.failed_logins", "failedLogins", Log1p, ABUSE, Role::Evidence { active_above: 1.0 }, "recent failed logins"),
    ctx!("context.account_age_days", "accountAgeDays", Log1p, ABUSE, SIGNAL, "account age in days"),
    ctx!("context.email_verified", "emailVerified", Flag, ABUSE, SIGNAL, "the account's email is verified"),
    ctx!("context.form_fill_ms", "formFillMs", Log1p, BOT, SIGNAL, "milliseconds taken to fill the form"),
    ctx!("context.payment_attempts", "paymentAttempts", Log1p, ABUSE, Role::Evidence { active_above: 2.0 }, "payment attempts in this session"),
    ctx!("context.logged_in", "loggedIn", Flag, ABUSE, SIGNAL, "the user is logged in"),
    f!("context.implausible", Context, Log1p, 0.0, ABUSE, EVIDENCE, "context fields past their plausible range (clamped)", |i, _| i.implausible_context() as f64),
    // Memory
    mem!("memory.device_requests_1m", BOT, SIGNAL, "requests from the device in the last minute", |m: &Snapshot| m.get(Kind::Device).get(Counter::Requests1m)),
    mem!("memory.session_requests_1m", BOT, Role::Evidence { active_above: 180.0 }, "requests in the session in the last minute (over 180, three a second for a minute: faster than a page's own polling and typeahead)", |m: &Snapshot| m.get(Kind::Session).get(Counter::Requests1m)),
    mem!("memory.ip_requests_1m", ABUSE, SIGNAL, "requests from the ip in the last minute (decayed)", |m: &Snapshot| m.get(Kind::Ip).get(Counter::Requests1m)),
    mem!("memory.ip_requests_1h", ABUSE, SIGNAL, "requests from the ip in the last hour (decayed)", |m: &Snapshot| m.get(Kind::Ip).get(Counter::Requests1h)),
    mem!("memory.ip_accounts", ABUSE, SIGNAL, "distinct accounts seen from the ip in the last 30–60 minutes", |m: &Snapshot| m.get(Kind::Ip).distinct),
    mem!("memory.network_accounts", ABUSE, SIGNAL, "distinct accounts seen from the network in the last 30–60 minutes", |m: &Snapshot| m.get(Kind::Network).distinct),
    mem!("memory.device_accounts", ABUSE, SIGNAL, "distinct accounts seen on the device in the last 30–60 minutes", |m: &Snapshot| m.get(Kind::Device).distinct),
    mem!("memory.account_devices", ABUSE, SIGNAL, "distinct devices seen on the account in the last 30–60 minutes", |m: &Snapshot| m.get(Kind::Account).distinct),
    mem!("memory.session_ips", ABUSE, SIGNAL, "distinct ips the session came from in the last 30–60 minutes", |m: &Snapshot| m.get(Kind::Session).distinct),
    mem!("memory.email_domain_accounts", ABUSE, SIGNAL, "distinct accounts at the email's domain in the last 30–60 minutes", |m: &Snapshot| m.get(Kind::EmailDomain).distinct),
    mem!("memory.login_failures", ABUSE, Role::Evidence { active_above: 2.0 }, "failed logins reported for the ip, device, account or session in the last hour (the largest)", |m: &Snapshot| m.max(Counter::LoginFailures, CLIENT)),
    mem!("memory.payment_failures", ABUSE, Role::Evidence { active_above: 1.0 }, "declined payments reported for the ip, device, account or session in the last hour (the largest)", |m: &Snapshot| m.max(Counter::PaymentFailures, CLIENT)),
    mem!("memory.chargebacks", ABUSE, EVIDENCE, "chargebacks reported for the account, device or ip in the last months", |m: &Snapshot| m.max(Counter::Chargebacks, &[Kind::Account, Kind::Device, Kind::Ip])),
    mem!("memory.denials", ABUSE, SIGNAL, "requests the rules denied from the device, account or session in the last hour (the largest)", |m: &Snapshot| m.max(Counter::Denials, &[Kind::Device, Kind::Account, Kind::Session])),
    mem!("memory.good_outcomes", ABUSE, SIGNAL, "successful logins, payments and confirmed sign-ups of the account or device in the last weeks", |m: &Snapshot| m.max(Counter::GoodOutcomes, &[Kind::Account, Kind::Device])),
}
