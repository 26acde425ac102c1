//! The feature schema v2: one table, the only place a feature is declared.

use super::Signals;
use crate::decision::{code, RawInput, Slot, CONTEXT_FIELDS};
use crate::memory::{Counter, Kind, Snapshot};

/// Which part of the input a feature comes from; also its name prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Rules,
    Ip,
    UserAgent,
    Headers,
    Request,
    Email,
    Context,
    Memory,
}

impl Group {
    pub const ALL: [Group; 8] = [Self::Rules, Self::Ip, Self::UserAgent, Self::Headers, Self::Request, Self::Email, Self::Context, Self::Memory];

    pub fn prefix(self) -> &'static str {
        match self {
            Self::Rules => "rules.",
            Self::Ip => "ip.",
            Self::UserAgent => "ua.",
            Self::Headers => "headers.",
            Self::Request => "request.",
            Self::Email => "email.",
            Self::Context => "context.",
            Self::Memory => "memory.",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Rules => "Rule results (what the deterministic rules said)",
            Self::Ip => "IP details (from the rule decision and the request)",
            Self::UserAgent => "User agent",
            Self::Headers => "Header presence and consistency",
            Self::Request => "Request line and body",
            Self::Email => "Email address",
            Self::Context => "App context (what only the app knows)",
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
    /// Used as is (bounded by construction).
    Identity,
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
            Self::Identity => x,
        }) as f32
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::Flag => "flag (0/1)",
            Self::Log1p => "ln(1+x)",
            Self::Ratio => "ratio [0,1]",
            Self::Identity => "as is",
        }
    }
}

/// One model input: its name, what it means, and how it is computed.
#[derive(Clone, Copy)]
pub struct Feature {
    pub name: &'static str,
    pub group: Group,
    pub description: &'static str,
    pub transform: Transform,
    /// Raw value used when the input does not say (the extractor returned NaN).
    pub missing: f64,
    pub extract: fn(&RawInput<'_>, &Signals) -> f64,
}

impl std::fmt::Debug for Feature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

fn b(x: bool) -> f64 {
    f64::from(u8::from(x))
}

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

macro_rules! f {
    ($name:literal, $group:ident, $transform:ident, $missing:expr, $desc:literal, $extract:expr) => {
        Feature { name: $name, group: Group::$group, description: $desc, transform: Transform::$transform, missing: $missing, extract: $extract }
    };
}

macro_rules! ctx {
    ($name:literal, $key:literal, $transform:ident, $desc:literal) => {
        f!($name, Context, $transform, 0.0, $desc, |i, _| i.context(const { context_index($key) }))
    };
}

macro_rules! header {
    ($name:literal, $index:literal, $desc:literal) => {
        f!($name, Headers, Flag, 0.0, $desc, |i, _| i.header($index))
    };
}

const EMAIL_DISPOSABLE: u32 = 1;
const EMAIL_FREE: u32 = 2;
const EMAIL_NO_MX: u32 = 4;
const EMAIL_NO_GRAVATAR: u32 = 8;
const EMAIL_INVALID: u32 = 16;

macro_rules! mem {
    ($name:literal, $transform:ident, $desc:literal, $extract:expr) => {
        f!($name, Memory, $transform, 0.0, $desc, |_, s| f64::from(($extract)(&s.memory)))
    };
}

/// Where failures and denials are looked for: everything that identifies the client.
const CLIENT: &[Kind] = &[Kind::Ip, Kind::Device, Kind::Account, Kind::Session];

/// Number of features in schema v2.
pub const N_FEATURES: usize = FEATURES.len();
const _: () = assert!(N_FEATURES >= 40, "the schema promises at least 40 features");

/// The feature schema v2, in model input order.
pub const FEATURES: &[Feature] = &[
    // Rules
    f!("rules.decision_present", Rules, Flag, 0.0, "a rule decision was passed", |i, _| i.get(Slot::DecisionPresent)),
    f!("rules.denied", Rules, Flag, 0.0, "the rules concluded DENY", |i, _| b(i.get(Slot::Conclusion) == code::DENY)),
    f!("rules.challenged", Rules, Flag, 0.0, "the rules concluded CHALLENGE", |i, _| b(i.get(Slot::Conclusion) == code::CHALLENGE)),
    f!("rules.errored", Rules, Flag, 0.0, "the rules concluded ERROR (they failed open)", |i, _| b(i.get(Slot::Conclusion) == code::ERROR)),
    f!("rules.error_results", Rules, Log1p, 0.0, "rule results that errored", |_, s| s.rules.errors),
    f!("rules.bot_denied", Rules, Flag, 0.0, "a bot rule denied the request", |_, s| b(s.rules.bot_denied)),
    f!("rules.bot_denied_entities", Rules, Log1p, 0.0, "bot categories the bot rule matched as denied", |_, s| s.rules.bot_denied_entities),
    f!("rules.bot_verified", Rules, Flag, 0.0, "the bot rule verified the client as the bot it claims to be", |_, s| b(s.rules.bot_verified)),
    f!("rules.bot_spoofed", Rules, Flag, 0.0, "the bot rule found the client spoofing a known bot", |_, s| b(s.rules.bot_spoofed)),
    f!("rules.shield_triggered", Rules, Flag, 0.0, "the shield (WAF) rule was triggered", |_, s| b(s.rules.shield_triggered)),
    f!("rules.rate_limited", Rules, Flag, 0.0, "a rate limit denied the request", |_, s| b(s.rules.rate_limited)),
    f!("rules.rate_remaining_frac", Rules, Ratio, 1.0, "smallest share of a rate limit still available", |_, s| s.rules.rate_remaining_frac),
    f!("rules.email_denied", Rules, Flag, 0.0, "the email rule denied the address", |_, s| b(s.rules.email_denied)),
    f!("rules.email_disposable", Rules, Flag, 0.0, "the email rule reported DISPOSABLE", |_, s| b(s.rules.email_mask & EMAIL_DISPOSABLE != 0)),
    f!("rules.email_free", Rules, Flag, 0.0, "the email rule reported FREE", |_, s| b(s.rules.email_mask & EMAIL_FREE != 0)),
    f!("rules.email_no_mx", Rules, Flag, 0.0, "the email rule reported NO_MX_RECORDS", |_, s| b(s.rules.email_mask & EMAIL_NO_MX != 0)),
    f!("rules.email_no_gravatar", Rules, Flag, 0.0, "the email rule reported NO_GRAVATAR", |_, s| b(s.rules.email_mask & EMAIL_NO_GRAVATAR != 0)),
    f!("rules.email_invalid", Rules, Flag, 0.0, "the email rule reported INVALID", |_, s| b(s.rules.email_mask & EMAIL_INVALID != 0)),
    f!("rules.sensitive_denied", Rules, Log1p, 0.0, "sensitive-info entities the rules denied", |_, s| s.rules.sensitive_denied),
    f!("rules.unknown_kinds", Rules, Log1p, 0.0, "rule results of a type this version does not know", |_, s| s.rules.unknown_kinds),
    f!("rules.dry_run_results", Rules, Log1p, 0.0, "rule results in DRY_RUN state", |_, s| s.rules.dry_run),
    f!("rules.result_count", Rules, Log1p, 0.0, "rule results in the decision", |i, _| i.get(Slot::ResultCount)),
    // IP
    f!("ip.details_present", Ip, Flag, 0.0, "the decision carried IP details", |i, _| i.get(Slot::IpPresent)),
    f!("ip.hosting", Ip, Flag, 0.0, "the IP belongs to a hosting provider", |i, _| i.get(Slot::IpHosting)),
    f!("ip.vpn", Ip, Flag, 0.0, "the IP is a VPN exit", |i, _| i.get(Slot::IpVpn)),
    f!("ip.proxy", Ip, Flag, 0.0, "the IP is a proxy", |i, _| i.get(Slot::IpProxy)),
    f!("ip.tor", Ip, Flag, 0.0, "the IP is a Tor exit node", |i, _| i.get(Slot::IpTor)),
    f!("ip.relay", Ip, Flag, 0.0, "the IP is a privacy relay", |i, _| i.get(Slot::IpRelay)),
    f!("ip.abuser", Ip, Flag, 0.0, "the IP is known for abuse", |i, _| i.get(Slot::IpAbuser)),
    f!("ip.private_or_missing", Ip, Flag, 0.0, "the request IP is missing, private or loopback", |_, s| b(s.ip_private_or_missing)),
    // User agent
    f!("ua.missing", UserAgent, Flag, 0.0, "no user agent was sent", |_, s| b(s.ua.missing)),
    f!("ua.length", UserAgent, Log1p, 0.0, "length of the user agent", |_, s| s.ua.length),
    f!("ua.crawler_pattern", UserAgent, Flag, 0.0, "the user agent matches a known crawler pattern", |_, s| b(s.ua.crawler_pattern)),
    f!("ua.http_library", UserAgent, Flag, 0.0, "the user agent names an HTTP library or CLI tool", |_, s| b(s.ua.http_library)),
    f!("ua.automation", UserAgent, Flag, 0.0, "the user agent names a headless browser or automation framework", |_, s| b(s.ua.automation)),
    f!("ua.bot_token", UserAgent, Flag, 0.0, "the user agent contains a robot word (bot, crawler, spider…)", |_, s| b(s.ua.bot_token)),
    f!("ua.browser_like", UserAgent, Flag, 0.0, "the user agent is shaped like a mainstream browser", |_, s| b(s.ua.browser_like)),
    // Headers
    f!("headers.count", Headers, Log1p, 0.0, "number of request headers", |i, _| i.get(Slot::HeaderCount)),
    header!("headers.accept", 0, "an accept header was sent"),
    header!("headers.accept_language", 1, "an accept-language header was sent"),
    header!("headers.accept_encoding", 2, "an accept-encoding header was sent"),
    header!("headers.sec_fetch_mode", 3, "a sec-fetch-mode header was sent"),
    header!("headers.sec_fetch_site", 4, "a sec-fetch-site header was sent"),
    header!("headers.referer", 5, "a referer header was sent"),
    header!("headers.cookie", 6, "a cookie header was sent"),
    header!("headers.upgrade_insecure", 7, "an upgrade-insecure-requests header was sent"),
    f!("headers.hints_without_chromium", Headers, Flag, 0.0, "sec-ch-ua was sent but the user agent is not Chromium", |_, s| b(s.ua.client_hints && !s.ua.chromium)),
    f!("headers.chromium_without_hints", Headers, Flag, 0.0, "a Chromium user agent sent no sec-ch-ua", |_, s| b(s.ua.chromium && !s.ua.client_hints)),
    // Request
    f!("request.given", Request, Flag, 0.0, "the app passed request details (method, path, ip or headers)", |i, _| {
        b(i.get(Slot::Method) > 0.0 || i.get(Slot::HeaderCount) > 0.0 || !i.texts.path.is_empty() || !i.texts.ip.is_empty())
    }),
    f!("request.method_unsafe", Request, Flag, 0.0, "the method changes state (POST, PUT, PATCH, DELETE)", |i, _| b((3.0..=6.0).contains(&i.get(Slot::Method)))),
    f!("request.path_length", Request, Log1p, 0.0, "length of path and query", |i, _| i.texts.path.len() as f64),
    f!("request.sqli_tokens", Request, Log1p, 0.0, "SQL-injection tokens in path, query or body", |_, s| s.injection.sqli),
    f!("request.xss_tokens", Request, Log1p, 0.0, "cross-site-scripting tokens in path, query or body", |_, s| s.injection.xss),
    f!("request.traversal_tokens", Request, Log1p, 0.0, "path-traversal tokens in path, query or body", |_, s| s.injection.traversal),
    f!("request.command_tokens", Request, Log1p, 0.0, "command-injection tokens in path, query or body", |_, s| s.injection.command),
    f!("request.body_symbol_frac", Request, Ratio, 0.0, "share of quote, bracket and operator characters in the body text", |_, s| s.injection.body_symbol_frac),
    // Email
    f!("email.present", Email, Flag, 0.0, "an email address was given", |_, s| b(s.email.present)),
    f!("email.valid_syntax", Email, Flag, 0.0, "the email address is syntactically valid", |_, s| b(s.email.valid_syntax)),
    f!("email.plus_addressing", Email, Flag, 0.0, "the email uses plus-addressing", |_, s| b(s.email.plus_addressing)),
    f!("email.local_length", Email, Log1p, 0.0, "length of the email's local part", |_, s| s.email.local_length),
    f!("email.local_digit_frac", Email, Ratio, 0.0, "share of digits in the email's local part", |_, s| s.email.local_digit_frac),
    f!("email.local_entropy", Email, Identity, 0.0, "randomness of the email's local part (bits per character)", |_, s| s.email.local_entropy),
    f!("email.disposable_domain", Email, Flag, 0.0, "the email domain is a known disposable-mail service", |_, s| b(s.email.disposable)),
    f!("email.free_provider", Email, Flag, 0.0, "the email domain is a free-mail provider", |_, s| b(s.email.free_provider)),
    // Context
    f!("context.route_signup", Context, Flag, 0.0, "the route is a sign-up", |i, _| b(i.get(Slot::Route) == 1.0)),
    f!("context.route_login", Context, Flag, 0.0, "the route is a login", |i, _| b(i.get(Slot::Route) == 2.0)),
    f!("context.route_checkout", Context, Flag, 0.0, "the route is a checkout or payment", |i, _| b(i.get(Slot::Route) == 3.0)),
    f!("context.route_api", Context, Flag, 0.0, "the route is an API endpoint", |i, _| b(i.get(Slot::Route) == 4.0)),
    f!("context.fields_given", Context, Ratio, 0.0, "share of the context fields the app provided", |i, _| {
        (0..CONTEXT_FIELDS.len()).filter(|&k| !i.context(k).is_nan()).count() as f64 / CONTEXT_FIELDS.len() as f64
    }),
    ctx!("context.session_age_s", "sessionAgeS", Log1p, "seconds since the session started"),
    ctx!("context.session_requests", "sessionRequests", Log1p, "requests made earlier in this session"),
    ctx!("context.pages_seen", "pagesSeen", Log1p, "pages viewed earlier in this session"),
    ctx!("context.failed_logins", "failedLogins", Log1p, "recent failed logins"),
    ctx!("context.account_age_days", "accountAgeDays", Log1p, "account age in days"),
    ctx!("context.email_verified", "emailVerified", Flag, "the account's email is verified"),
    ctx!("context.form_fill_ms", "formFillMs", Log1p, "milliseconds taken to fill the form"),
    ctx!("context.cart_value", "cartValue", Log1p, "cart or payment value"),
    ctx!("context.payment_attempts", "paymentAttempts", Log1p, "payment attempts in this session"),
    ctx!("context.logged_in", "loggedIn", Flag, "the user is logged in"),
    // Memory
    mem!("memory.ip_seen_before", Flag, "the ip was seen before", |m: &Snapshot| m.get(Kind::Ip).known as u8),
    mem!("memory.ip_age_s", Log1p, "seconds since the ip was first seen", |m: &Snapshot| m.get(Kind::Ip).age_s),
    mem!("memory.ip_requests_1m", Log1p, "requests from the ip in the last minute (decayed)", |m: &Snapshot| m.get(Kind::Ip).get(Counter::Requests1m)),
    mem!("memory.ip_requests_1h", Log1p, "requests from the ip in the last hour (decayed)", |m: &Snapshot| m.get(Kind::Ip).get(Counter::Requests1h)),
    mem!("memory.ip_accounts", Log1p, "distinct accounts seen from the ip in the last 30–60 minutes", |m: &Snapshot| m.get(Kind::Ip).distinct),
    mem!("memory.network_requests_1m", Log1p, "requests from the ip's /24 or /64 network in the last minute", |m: &Snapshot| m.get(Kind::Network).get(Counter::Requests1m)),
    mem!("memory.network_accounts", Log1p, "distinct accounts seen from the network in the last 30–60 minutes", |m: &Snapshot| m.get(Kind::Network).distinct),
    mem!("memory.device_seen_before", Flag, "the device was seen before", |m: &Snapshot| m.get(Kind::Device).known as u8),
    mem!("memory.device_requests_1m", Log1p, "requests from the device in the last minute", |m: &Snapshot| m.get(Kind::Device).get(Counter::Requests1m)),
    mem!("memory.device_accounts", Log1p, "distinct accounts seen on the device in the last 30–60 minutes", |m: &Snapshot| m.get(Kind::Device).distinct),
    mem!("memory.account_seen_before", Flag, "the account (id or email) was seen before", |m: &Snapshot| m.get(Kind::Account).known as u8),
    mem!("memory.account_age_s", Log1p, "seconds since the account was first seen", |m: &Snapshot| m.get(Kind::Account).age_s),
    mem!("memory.account_devices", Log1p, "distinct devices seen on the account in the last 30–60 minutes", |m: &Snapshot| m.get(Kind::Account).distinct),
    mem!("memory.session_requests_1m", Log1p, "requests in the session in the last minute", |m: &Snapshot| m.get(Kind::Session).get(Counter::Requests1m)),
    mem!("memory.session_ips", Log1p, "distinct ips the session came from in the last 30–60 minutes", |m: &Snapshot| m.get(Kind::Session).distinct),
    mem!("memory.email_domain_requests_1h", Log1p, "requests naming the email's domain in the last hour", |m: &Snapshot| m.get(Kind::EmailDomain).get(Counter::Requests1h)),
    mem!("memory.email_domain_accounts", Log1p, "distinct accounts at the email's domain in the last 30–60 minutes", |m: &Snapshot| m.get(Kind::EmailDomain).distinct),
    mem!("memory.login_failures", Log1p, "failed logins reported for the ip, device, account or session in the last hour (the largest)", |m: &Snapshot| m.max(Counter::LoginFailures, CLIENT)),
    mem!("memory.payment_failures", Log1p, "declined payments reported for the ip, device, account or session in the last hour (the largest)", |m: &Snapshot| m.max(Counter::PaymentFailures, CLIENT)),
    mem!("memory.denials", Log1p, "requests the rules denied from the ip, device, account or session in the last hour (the largest)", |m: &Snapshot| m.max(Counter::Denials, CLIENT)),
    mem!("memory.good_outcomes", Log1p, "successful logins, payments and confirmed sign-ups of the account or device in the last weeks", |m: &Snapshot| m.max(Counter::GoodOutcomes, &[Kind::Account, Kind::Device])),
    mem!("memory.chargebacks", Log1p, "chargebacks reported for the account, device or ip in the last months", |m: &Snapshot| m.max(Counter::Chargebacks, &[Kind::Account, Kind::Device, Kind::Ip])),
];
