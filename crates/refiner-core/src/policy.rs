//! Stage 4 — policy: the rules are the prior; overriding them takes evidence, and names it.
//!
//! Input: the threat [`Scores`], the features' raw values and what the rules said
//! ([`RulesView`]). Output: a [`Verdict`].
//!
//! | rules said | the refiner may | only when |
//! |---|---|---|
//! | DENY (rate limit) | lift | no threat reaches its deny threshold, nor the attack threat its challenge threshold, and the server knows the person: an account a week old or more (logged in, verified, or with good outcomes), a login, good outcomes remembered, or a session under way for a minute or more or with two pages seen |
//! | DENY (shield / WAF) | lift | the payload analysis read the whole request and finds no payload anywhere, confirmed or suspicious, no threat reaches its deny threshold, and an account a week old or more vouches for the person (logged in, verified, or with good outcomes) |
//! | DENY (bot) | lift | as a rate limit's, but the user agent is a browser's (one, shaped like a mainstream browser's) and declares no bot, crawler, tool or automation, and an account a week old or more or a browsing session (two minutes, two pages) shows a person |
//! | DENY (email) | lift | the account itself shows a real person: a week old or more, and logged in, verified, or with good outcomes |
//! | DENY it cannot read (bare conclusion, custom, unknown or sensitive-info rule) | keep | always, unless the caller opts in (`liftUnreadable: true`: then as a rate limit's) |
//! | ALLOW, ERROR or nothing | challenge or deny | a threat reaches its threshold *and* evidence of that threat is present (a confirmed payload, a script's presentation, memory of abuse…): never the route or the context alone, never a bot the app's rule allowed by name, and on the api profile never a client for naming its HTTP library (in a crawler list too: `okhttp`), sending an HTTP library's header defaults or no user agent; a header inconsistency alone (client hints that contradict the user agent, an HTTP library's header defaults) only challenges |
//! | ALLOW, ERROR or nothing | challenge | a value the payload analysis half confirms, of a family people's text rarely comes near (markup, traversal, log4j lookups, XML and XPath, SQL that opens with a delay or catalog call), unless the app's rule allowed the bot by name or verified it, or on the api profile |
//!
//! A lift is to ALLOW, or to CHALLENGE when the bot or abuse threat reaches its challenge
//! threshold (with that threat's evidence, when a week-old account vouches) but none its deny
//! threshold; a denial whose attack threat reaches its challenge threshold is kept (a challenge
//! proves a person, not their intent). Thresholds are per profile, set by the trainer or
//! `calibrate`.

use crate::decision::{Coded, RawInput, RuleKind, RuleState, RulesConclusion, Slot};
use crate::error::{RefinerError, Result};
use crate::features::{index_of, FEATURES, N_FEATURES};
use crate::model::{HeadThresholds, Model, Scores, Threat, N_HEADS};
use strum::{IntoStaticStr, VariantArray};

/// Where the refiner runs; each weighs false positives differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "lowercase")]
pub enum Profile {
    #[default]
    Default,
    Signup,
    Login,
    Checkout,
    Api,
}

impl Profile {
    pub fn name(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Result<Self> {
        Self::VARIANTS.iter().copied().find(|p| p.name() == s).ok_or_else(|| RefinerError::InvalidOption {
            option: "profile",
            expected: "one of 'default', 'signup', 'login', 'checkout', 'api'",
            actual: format!("'{s}'"),
        })
    }

    /// The `context.route` whose legitimate traffic sets this profile's thresholds (the default
    /// profile's is the pages that are no sign-up, login, checkout or API).
    pub fn route(self) -> crate::decision::Route {
        use crate::decision::Route;
        match self {
            Self::Default => Route::Other,
            Self::Signup => Route::Signup,
            Self::Login => Route::Login,
            Self::Checkout => Route::Checkout,
            Self::Api => Route::Api,
        }
    }

    /// Of the legitimate requests that carry evidence of a threat (a privacy browser that strips
    /// headers, a mobile app on an HTTP library, a support message with code in it), the share
    /// this profile's thresholds let that threat deny and challenge. Sign-up and checkout turn
    /// away paying customers, so they tolerate the fewest.
    pub fn target_fpr(self) -> (f64, f64) {
        match self {
            Self::Default => (0.02, 0.05),
            Self::Signup => (0.01, 0.03),
            Self::Login => (0.01, 0.03),
            Self::Checkout => (0.005, 0.02),
            Self::Api => (0.02, 0.05),
        }
    }
}

/// The refined recommendation, in order of severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[repr(u8)]
pub enum Conclusion {
    Allow,
    Challenge,
    Deny,
}

impl Conclusion {
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// How the refiner reads the rules' conclusion (ERROR fails open, as Arcjet does).
    pub fn of_rules(c: Option<RulesConclusion>) -> Self {
        match c {
            Some(RulesConclusion::Deny) => Self::Deny,
            Some(RulesConclusion::Challenge) => Self::Challenge,
            _ => Self::Allow,
        }
    }
}

/// LIVE acts on the conclusion; DRY_RUN always allows but records what LIVE would have done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum Mode {
    #[default]
    Live,
    DryRun,
}

impl Mode {
    pub fn parse(s: &str) -> Result<Self> {
        Self::VARIANTS.iter().copied().find(|m| <&str>::from(*m) == s).ok_or_else(|| RefinerError::InvalidOption {
            option: "mode",
            expected: "'LIVE' or 'DRY_RUN'",
            actual: format!("'{s}'"),
        })
    }
}

/// Why the refined conclusion is what it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[repr(u8)]
pub enum Basis {
    /// The rules' conclusion stands: nothing argued against it.
    #[default]
    Rules,
    /// The rules' DENY or CHALLENGE was lowered: the evidence names what shows a real user.
    Lifted,
    /// Raised above the rules: the evidence names the threat's signs.
    Escalated,
    /// Kept: the denying rule is one the refiner does not judge (bare, custom, unknown, sensitive info).
    KeptUnreadable,
    /// Kept: the bot rule denied a user agent that declares a program.
    KeptDeclaredBot,
    /// Kept: the shield denied a request in which the analysis confirms a payload, or finds a
    /// near miss.
    KeptPayload,
    /// Kept: no threat was found, but nothing the server knows shows a real user.
    KeptNoEvidence,
}

impl Basis {
    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// What the rules said, as the policy needs it (and as an explanation stores it).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RulesView {
    pub conclusion: Option<RulesConclusion>,
    /// A bit per [`RuleKind`] code whose rule concluded DENY (results in DRY_RUN or NOT_RUN did
    /// not act); when no result denied, the decision's own reason type.
    pub denied_by: u32,
}

impl RulesView {
    pub fn of(input: &RawInput<'_>) -> Self {
        let mut denied_by = 0u32;
        for r in input.results() {
            if r.conclusion() == Some(RulesConclusion::Deny) && !matches!(r.state(), Some(RuleState::DryRun | RuleState::NotRun)) {
                denied_by |= 1 << r.kind().unwrap_or(RuleKind::Unknown) as u32;
            }
        }
        if denied_by == 0 {
            if let Some(kind) = RuleKind::from_code(input.get(Slot::ReasonKind)) {
                denied_by = 1 << kind as u32;
            }
        }
        Self { conclusion: input.rules_conclusion(), denied_by }
    }

    fn denied(&self, kind: RuleKind) -> bool {
        self.denied_by & (1 << kind as u32) != 0
    }

    /// Every denying rule is one the refiner judges (and at least one is known).
    fn readable(&self) -> bool {
        const JUDGED: [RuleKind; 4] = [RuleKind::Bot, RuleKind::Shield, RuleKind::RateLimit, RuleKind::Email];
        let judged: u32 = JUDGED.iter().map(|&k| 1 << k as u32).sum();
        self.denied_by != 0 && self.denied_by & !judged == 0
    }
}

/// Caller overrides of the model's thresholds, applied to every threat.
#[derive(Clone, Copy, Debug, Default)]
pub struct ThresholdOverride {
    pub challenge: Option<f32>,
    pub deny: Option<f32>,
}

/// Most evidence features a verdict names.
pub const MAX_EVIDENCE: usize = 4;

/// What the policy concluded for one request.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Verdict {
    /// What LIVE mode concludes.
    pub live: Conclusion,
    /// What the caller gets (ALLOW in DRY_RUN).
    pub conclusion: Conclusion,
    /// The highest threat probability.
    pub score: f32,
    /// The threat closest to (or furthest past) its deny threshold: the one to explain.
    pub decisive: usize,
    pub basis: Basis,
    /// Indices into `FEATURES` of the evidence the basis rests on, strongest first.
    pub evidence: [u8; MAX_EVIDENCE],
    pub n_evidence: usize,
}

impl Verdict {
    pub fn evidence(&self) -> &[u8] {
        &self.evidence[..self.n_evidence]
    }
}

/// A profile's thresholds and the caller's choices, ready to apply.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    pub profile: Profile,
    pub mode: Mode,
    pub thresholds: HeadThresholds,
    /// Lift DENYs of rules the refiner cannot read, on the same evidence as a rate limit's.
    pub lift_unreadable: bool,
}

fn check_unit(option: &'static str, v: f32) -> Result<f32> {
    if v.is_finite() && (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(RefinerError::InvalidOption { option, expected: "a number between 0 and 1", actual: v.to_string() })
    }
}

/// Server-side facts that a person is real, each a conjunction of (feature, least raw value), by
/// what they rest on: the account (an email or a WAF verdict needs this), a browsing session (with
/// the account, what a bot verdict needs), or the session or good outcomes alone (with the others,
/// what a rate limit's needs: people behind one busy ip). An account vouches only once it is a
/// week old: one an attacker opens and logs into vouches for nothing, and good outcomes remembered
/// for a device can be a neighbour's behind the same address.
const ACCOUNT: &[&[(usize, f64)]] = &[
    &[(index_of("memory.good_outcomes"), 0.5), (index_of("context.account_age_days"), 7.0)],
    &[(index_of("context.logged_in"), 1.0), (index_of("context.account_age_days"), 7.0)],
    &[(index_of("context.email_verified"), 1.0), (index_of("context.account_age_days"), 7.0)],
];
const BROWSING: &[(usize, f64)] = &[(index_of("context.session_age_s"), 120.0), (index_of("context.pages_seen"), 2.0)];
const SESSION: &[&[(usize, f64)]] = &[
    &[(index_of("context.logged_in"), 1.0)],
    &[(index_of("context.session_age_s"), 60.0)],
    &[(index_of("context.pages_seen"), 2.0)],
    &[(index_of("memory.good_outcomes"), 0.5)],
];
const ALLOWED_BOT: usize = index_of("rules.bot_allowed_named");
const VERIFIED_BOT: usize = index_of("rules.bot_verified");
const IMPLAUSIBLE: usize = index_of("context.implausible");
const SCANNED: usize = index_of("payload.values");
const SUSPICIOUS: usize = index_of("payload.suspicious");
const PROBE: usize = index_of("payload.probe");
const INCOMPLETE: usize = index_of("payload.incomplete");
/// User-agent features by which a client declares it is a program, or does not present as a
/// browser (a bot rule's denial of `Mozilla/5.0` or `-` is no browser's to lift).
const DECLARED: &[usize] = &[
    index_of("ua.not_browser"),
    index_of("ua.known_crawler"),
    index_of("ua.unknown_bot"),
    index_of("ua.http_library"),
    index_of("ua.automation"),
    index_of("ua.integration"),
    index_of("headers.missing_user_agent"),
];

/// Evidence that alone only challenges: inconsistencies real clients show now and then (a
/// user-agent switcher keeps the browser's client hints; an app's server-side fetch forwards its
/// visitor's user agent with undici's defaults), where a challenge costs a person a click.
const CHALLENGE_ONLY: &[usize] = &[index_of("headers.hints_mismatch"), index_of("headers.library_defaults")];

/// The first conjunction of the fact lists that `raw` meets, as evidence.
fn legitimacy(raw: &[f64; N_FEATURES], lists: &[&[&[(usize, f64)]]]) -> Option<Vec<u8>> {
    lists.iter().flat_map(|l| l.iter()).find(|all| all.iter().all(|&(j, min)| raw[j] >= min)).map(|all| all.iter().map(|&(j, _)| j as u8).collect())
}

/// What lifting `rules`' denial needs: the strictest of its causes' requirements.
fn required(rules: &RulesView) -> &'static [&'static [&'static [(usize, f64)]]] {
    // Only an account with history vouches for a person's email, or for text the WAF flagged and
    // the analysis cleared: a fresh session costs an attacker nothing.
    if rules.denied(RuleKind::Email) || rules.denied(RuleKind::Shield) {
        &[ACCOUNT]
    } else if rules.denied(RuleKind::Bot) {
        &[ACCOUNT, &[BROWSING]]
    } else {
        &[ACCOUNT, &[BROWSING], SESSION]
    }
}

/// Whether the policy may escalate a request with these features on head `k` under `profile`: it
/// carries evidence of that threat, and is not a bot the app's own rule allowed by name (the
/// trainer fits thresholds among such requests).
pub fn may_escalate(raw: &[f64; N_FEATURES], k: usize, profile: Profile) -> bool {
    !(k == Threat::Bot as usize && raw[ALLOWED_BOT] > 0.0) && escalation_evidence(raw, k, profile).next().is_some()
}

/// Whether the policy may deny a request with these features on head `k` under `profile`: it may
/// escalate on it, and not on challenge-only evidence alone (the trainer fits deny thresholds
/// among such requests: the others a deny threshold never turns away).
pub fn may_deny(raw: &[f64; N_FEATURES], k: usize, profile: Profile) -> bool {
    may_escalate(raw, k, profile) && escalation_evidence(raw, k, profile).any(|j| !CHALLENGE_ONLY.contains(&j))
}

/// What an API's own clients are: programs that say so (an SDK, a server calling back, a mobile
/// app's HTTP stack), or that pass on a browser's user agent (an app's server-side fetch with
/// undici's header defaults). On the api profile these facts are no evidence of a bot the rules
/// missed.
const API_CLIENT: &[usize] = &[index_of("ua.http_library"), index_of("headers.missing_user_agent"), index_of("headers.library_defaults")];
const HTTP_LIBRARY: usize = index_of("ua.http_library");
const KNOWN_CRAWLER: usize = index_of("ua.known_crawler");

/// Active evidence features of head `k` that may escalate under `profile`. On the api profile,
/// crawler lists that name HTTP libraries (`okhttp`, Android apps' stack) match an API's own
/// clients too: a crawler pattern there counts only when it names no library.
fn escalation_evidence(raw: &[f64; N_FEATURES], k: usize, profile: Profile) -> impl Iterator<Item = usize> + '_ {
    let api_bot = profile == Profile::Api && k == Threat::Bot as usize;
    threat_evidence(raw, k).filter(move |&j| !(api_bot && (API_CLIENT.contains(&j) || (j == KNOWN_CRAWLER && raw[HTTP_LIBRARY] > 0.0))))
}

/// Active evidence features of head `k`.
fn threat_evidence(raw: &[f64; N_FEATURES], k: usize) -> impl Iterator<Item = usize> + '_ {
    FEATURES.iter().enumerate().filter(move |(j, f)| f.feeds(Threat::ALL[k]) && f.is_evidence_at(raw[*j])).map(|(j, _)| j)
}

impl Policy {
    pub fn new(model: &Model, profile: Profile, mode: Mode, over: ThresholdOverride, lift_unreadable: bool) -> Result<Self> {
        let mut t = model.thresholds(profile.name()).ok_or_else(|| {
            RefinerError::ModelFormat(format!("model {} has no thresholds for profile '{}'", model.version(), profile.name()))
        })?;
        if let Some(c) = over.challenge {
            t.challenge = [check_unit("thresholds.challenge", c)?; N_HEADS];
        }
        if let Some(d) = over.deny {
            t.deny = [check_unit("thresholds.deny", d)?; N_HEADS];
        }
        if let Some(k) = (0..N_HEADS).find(|&k| t.challenge[k] > t.deny[k]) {
            return Err(RefinerError::InvalidOption {
                option: "thresholds",
                expected: "challenge ≤ deny",
                actual: format!("challenge {} > deny {}", t.challenge[k], t.deny[k]),
            });
        }
        Ok(Self { profile, mode, thresholds: t, lift_unreadable })
    }

    /// What the model alone says of head `k`.
    fn level(&self, scores: &Scores, k: usize) -> Conclusion {
        let t = &self.thresholds;
        if scores[k] >= t.deny[k] {
            Conclusion::Deny
        } else if scores[k] >= t.challenge[k] {
            Conclusion::Challenge
        } else {
            Conclusion::Allow
        }
    }

    pub fn decide(&self, scores: &Scores, raw: &[f64; N_FEATURES], rules: &RulesView) -> Verdict {
        let ratio = |k: usize| scores[k] / self.thresholds.deny[k].max(f32::EPSILON);
        let decisive = (0..N_HEADS).max_by(|&a, &b| ratio(a).total_cmp(&ratio(b))).unwrap_or(0);
        let prior = Conclusion::of_rules(rules.conclusion);
        let (live, basis, evidence) = if prior == Conclusion::Allow { self.escalate(scores, raw) } else { self.judge_denial(scores, raw, rules, prior) };
        let mut v = Verdict {
            live,
            conclusion: if self.mode == Mode::DryRun { Conclusion::Allow } else { live },
            score: scores.iter().copied().fold(0.0, f32::max),
            decisive,
            basis,
            evidence: [0; MAX_EVIDENCE],
            n_evidence: evidence.len().min(MAX_EVIDENCE),
        };
        v.evidence[..v.n_evidence].copy_from_slice(&evidence[..v.n_evidence]);
        v
    }

    /// A request the rules let through: raised only where a threat's score and evidence agree.
    fn escalate(&self, scores: &Scores, raw: &[f64; N_FEATURES]) -> (Conclusion, Basis, Vec<u8>) {
        let mut best = (Conclusion::Allow, Basis::Rules, Vec::new());
        for k in 0..N_HEADS {
            let level = self.level(scores, k);
            // A bot the app's own rule allowed by name (a search engine, a preview) is its choice.
            if level <= best.0 || !may_escalate(raw, k, self.profile) {
                continue;
            }
            let evidence: Vec<u8> = escalation_evidence(raw, k, self.profile).map(|j| j as u8).collect();
            let level = if evidence.iter().all(|&j| CHALLENGE_ONLY.contains(&(j as usize))) { level.min(Conclusion::Challenge) } else { level };
            if level > best.0 {
                best = (level, Basis::Escalated, evidence);
            }
        }
        // A value the analysis half confirms in a family people's text rarely comes near (a quote
        // that breaks out into no SQL, a lone dot-dot step) is too weak to deny on and rare enough
        // to ask for proof of a person: a challenge stops the scanners that send such probes and
        // costs a person a click.
        // An API's clients are programs, which cannot answer a challenge.
        if best.0 == Conclusion::Allow && self.profile != Profile::Api && raw[PROBE] > 0.0 && raw[ALLOWED_BOT] == 0.0 && raw[VERIFIED_BOT] == 0.0 {
            best = (Conclusion::Challenge, Basis::Escalated, vec![PROBE as u8]);
        }
        best
    }

    /// A request the rules denied or challenged: kept unless its cause is one the refiner judges
    /// and the evidence clears it.
    fn judge_denial(&self, scores: &Scores, raw: &[f64; N_FEATURES], rules: &RulesView, prior: Conclusion) -> (Conclusion, Basis, Vec<u8>) {
        let kept = |basis, evidence: Vec<u8>| (prior, basis, evidence);
        if !rules.readable() && !self.lift_unreadable {
            return kept(Basis::KeptUnreadable, Vec::new());
        }
        if rules.denied(RuleKind::Bot) {
            let declared: Vec<u8> = DECLARED.iter().filter(|&&j| raw[j] > 0.0).map(|&j| j as u8).collect();
            if !declared.is_empty() {
                return kept(Basis::KeptDeclaredBot, declared);
            }
        }
        if rules.denied(RuleKind::Shield) {
            let attack = Threat::Attack as usize;
            // A near miss counts here: the shield saw something the detectors only half confirm
            // (an XML entity probe, a lone breakout), and nothing else can clear it.
            let payload: Vec<u8> = threat_evidence(raw, attack)
                .filter(|&j| FEATURES[j].group == crate::features::Group::Payload)
                .chain((raw[SUSPICIOUS] > 0.0).then_some(SUSPICIOUS))
                .map(|j| j as u8)
                .collect();
            if !payload.is_empty() {
                return kept(Basis::KeptPayload, payload);
            }
            // The analysis can find text benign only when it was given all of it: none (a
            // decision passed without its request), or a body past what is read, or values past
            // the work budget, leave the shield's verdict standing.
            if raw[SCANNED] == 0.0 || raw[INCOMPLETE] > 0.0 {
                return kept(Basis::KeptNoEvidence, Vec::new());
            }
        }
        // Once the analysis found a shield-flagged text clean, the attack head holds only the
        // shield's own verdict (its estimate of how often that verdict is wrong comes from the
        // simulator's mix, not from the request), so the account decides instead.
        let attack = Threat::Attack as usize;
        let judged = |k: usize| !(k == attack && rules.denied(RuleKind::Shield));
        let model = (0..N_HEADS).filter(|&k| judged(k)).map(|k| self.level(scores, k)).max().unwrap_or(Conclusion::Allow);
        // A challenge proves a person, not their intent: a denial the attack head doubts is kept
        // rather than turned into a challenge.
        if model == Conclusion::Deny || (judged(attack) && self.level(scores, attack) > Conclusion::Allow) {
            return kept(Basis::Rules, Vec::new());
        }
        match legitimacy(raw, required(rules)).filter(|_| raw[IMPLAUSIBLE] == 0.0) {
            Some(evidence) if model < prior => {
                // A week-old account vouches enough that a score alone (a VPN's data-centre ip) no
                // longer challenges, as it challenges no one the rules let through: only a threat
                // with its evidence does. A session a client can open and wait out does not: there
                // the model's doubt still costs a challenge, the one step between a script and a
                // lifted denial.
                let account = legitimacy(raw, &[ACCOUNT]).is_some();
                let doubt = (0..N_HEADS).filter(|&k| judged(k) && (!account || may_escalate(raw, k, self.profile))).map(|k| self.level(scores, k)).max();
                (doubt.unwrap_or(Conclusion::Allow).min(model), Basis::Lifted, evidence)
            }
            Some(_) => kept(Basis::Rules, Vec::new()),
            None => kept(Basis::KeptNoEvidence, Vec::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::tiny_model;

    /// The override table above is the one the README shows: one declaration, checked here.
    #[test]
    fn the_readme_shows_this_override_table() {
        let rows = |text: &str, prefix: &str| -> Vec<String> {
            text.lines().filter_map(|l| l.strip_prefix(prefix)).filter(|l| l.starts_with("| DENY") || l.starts_with("| ALLOW")).map(str::to_owned).collect()
        };
        let here = rows(include_str!("policy.rs"), "//! ");
        let readme = rows(include_str!("../../../README.md"), "");
        assert_eq!(here.len(), 7);
        assert_eq!(readme, here, "README.md's table differs from policy.rs's: copy it over");
    }

    fn policy(mode: Mode) -> Policy {
        Policy::new(&tiny_model(), Profile::Default, mode, ThresholdOverride::default(), false).unwrap()
    }

    fn raw_with(set: &[(&str, f64)]) -> [f64; N_FEATURES] {
        let mut raw = [0.0; N_FEATURES];
        for (name, v) in set {
            raw[FEATURES.iter().position(|f| f.name == *name).unwrap()] = *v;
        }
        raw
    }

    fn denied_by(kinds: &[RuleKind]) -> RulesView {
        RulesView { conclusion: Some(RulesConclusion::Deny), denied_by: kinds.iter().map(|&k| 1 << k as u32).sum() }
    }

    const ALLOWED: RulesView = RulesView { conclusion: Some(RulesConclusion::Allow), denied_by: 0 };
    const LOW: Scores = [0.1, 0.1, 0.1];

    #[test]
    fn escalation_needs_score_and_evidence() {
        let p = policy(Mode::Live);
        let high_bot = [0.95, 0.1, 0.1];
        let v = p.decide(&high_bot, &raw_with(&[("context.session_age_s", 3.0)]), &ALLOWED);
        assert_eq!((v.live, v.basis), (Conclusion::Allow, Basis::Rules), "a high score without evidence changes nothing");
        let v = p.decide(&high_bot, &raw_with(&[("ua.http_library", 1.0)]), &ALLOWED);
        assert_eq!((v.live, v.basis), (Conclusion::Deny, Basis::Escalated));
        assert_eq!(FEATURES[v.evidence()[0] as usize].name, "ua.http_library");
        let v = p.decide(&[0.6, 0.1, 0.1], &raw_with(&[("ua.http_library", 1.0)]), &ALLOWED);
        assert_eq!(v.live, Conclusion::Challenge);
        let v = p.decide(&LOW, &raw_with(&[("ua.http_library", 1.0)]), &ALLOWED);
        assert_eq!(v.live, Conclusion::Allow, "evidence without a score changes nothing");
        let googlebot = raw_with(&[("ua.known_crawler", 1.0), ("rules.bot_allowed_named", 1.0)]);
        assert_eq!(p.decide(&high_bot, &googlebot, &ALLOWED).live, Conclusion::Allow, "a bot the app's rule allowed by name");
        let api = Policy::new(&tiny_model(), Profile::Api, Mode::Live, ThresholdOverride::default(), false).unwrap();
        let sdk = raw_with(&[("ua.http_library", 1.0)]);
        assert_eq!(api.decide(&high_bot, &sdk, &ALLOWED).live, Conclusion::Allow, "an API's clients are programs");
        let server_fetch = raw_with(&[("headers.library_defaults", 1.0)]);
        assert_eq!(api.decide(&high_bot, &server_fetch, &ALLOWED).live, Conclusion::Allow, "an app's server-side fetch with its visitor's user agent");
        let headless = raw_with(&[("ua.http_library", 1.0), ("headers.headless_hints", 1.0)]);
        assert_eq!(api.decide(&high_bot, &headless, &ALLOWED).live, Conclusion::Deny, "other evidence still counts there");
        let app = raw_with(&[("ua.http_library", 1.0), ("ua.known_crawler", 1.0)]);
        assert_eq!(api.decide(&high_bot, &app, &ALLOWED).live, Conclusion::Allow, "a crawler list's okhttp is an Android app's stack");
        assert_eq!(p.decide(&high_bot, &app, &ALLOWED).live, Conclusion::Deny, "off the api profile it still counts");
        let crawler = raw_with(&[("ua.known_crawler", 1.0)]);
        assert_eq!(api.decide(&high_bot, &crawler, &ALLOWED).live, Conclusion::Deny, "a crawler that names no library");
    }

    #[test]
    fn a_header_inconsistency_alone_only_challenges() {
        let p = policy(Mode::Live);
        let high_bot = [0.99, 0.0, 0.0];
        for f in ["headers.hints_mismatch", "headers.library_defaults"] {
            assert_eq!(p.decide(&high_bot, &raw_with(&[(f, 1.0)]), &ALLOWED).live, Conclusion::Challenge, "{f}");
            let with_tool = raw_with(&[(f, 1.0), ("ua.automation", 1.0)]);
            assert_eq!(p.decide(&high_bot, &with_tool, &ALLOWED).live, Conclusion::Deny, "{f} and a tool's name");
        }
    }

    #[test]
    fn a_half_confirmed_payload_is_challenged_never_denied() {
        let p = policy(Mode::Live);
        let near_miss = raw_with(&[("payload.suspicious", 0.69), ("payload.probe", 0.69)]);
        let v = p.decide(&LOW, &near_miss, &ALLOWED);
        assert_eq!((v.live, v.basis), (Conclusion::Challenge, Basis::Escalated));
        assert_eq!(FEATURES[v.evidence()[0] as usize].name, "payload.probe");
        let quoted_code = raw_with(&[("payload.suspicious", 0.69)]);
        assert_eq!(p.decide(&LOW, &quoted_code, &ALLOWED).live, Conclusion::Allow, "a support message quoting code");
        assert_eq!(p.decide(&[0.1, 0.99, 0.1], &near_miss, &ALLOWED).live, Conclusion::Challenge, "no score makes it a denial");
        let api = Policy::new(&tiny_model(), Profile::Api, Mode::Live, ThresholdOverride::default(), false).unwrap();
        assert_eq!(api.decide(&LOW, &near_miss, &ALLOWED).live, Conclusion::Allow, "an API client cannot answer a challenge");
        let crawler = raw_with(&[("payload.probe", 0.69), ("rules.bot_allowed_named", 1.0)]);
        assert_eq!(p.decide(&LOW, &crawler, &ALLOWED).live, Conclusion::Allow, "a crawler the app allowed follows links with quotes in them");
    }

    #[test]
    fn unreadable_denials_are_kept_unless_opted_in() {
        let p = policy(Mode::Live);
        let human = raw_with(&[("memory.good_outcomes", 3.0), ("context.account_age_days", 30.0)]);
        for rules in [RulesView { conclusion: Some(RulesConclusion::Deny), denied_by: 0 }, denied_by(&[RuleKind::Filter]), denied_by(&[RuleKind::SensitiveInfo]), denied_by(&[RuleKind::RateLimit, RuleKind::Unknown])] {
            let v = p.decide(&LOW, &human, &rules);
            assert_eq!((v.live, v.basis), (Conclusion::Deny, Basis::KeptUnreadable), "{rules:?}");
        }
        let opted = Policy { lift_unreadable: true, ..p };
        assert_eq!(opted.decide(&LOW, &human, &denied_by(&[RuleKind::Filter])).live, Conclusion::Allow);
    }

    #[test]
    fn judged_denials_are_lifted_only_on_server_side_evidence() {
        let p = policy(Mode::Live);
        let rate = denied_by(&[RuleKind::RateLimit]);
        let v = p.decide(&LOW, &raw_with(&[]), &rate);
        assert_eq!((v.live, v.basis), (Conclusion::Deny, Basis::KeptNoEvidence));
        let regular = raw_with(&[("context.logged_in", 1.0), ("context.account_age_days", 400.0)]);
        let v = p.decide(&LOW, &regular, &rate);
        assert_eq!((v.live, v.basis), (Conclusion::Allow, Basis::Lifted));
        assert_eq!(v.evidence().iter().map(|&j| FEATURES[j as usize].name).collect::<Vec<_>>(), ["context.logged_in", "context.account_age_days"]);
        let failing = raw_with(&[("context.logged_in", 1.0), ("context.account_age_days", 400.0), ("context.failed_logins", 3.0)]);
        let v = p.decide(&[0.1, 0.1, 0.6], &failing, &rate);
        assert_eq!(v.live, Conclusion::Challenge, "a threat at its challenge threshold, with its evidence, lifts only to CHALLENGE");
        let v = p.decide(&[0.1, 0.1, 0.6], &regular, &rate);
        assert_eq!(v.live, Conclusion::Allow, "with a week-old account, a score alone (a VPN's data-centre ip) challenges no one");
        let session = raw_with(&[("context.session_age_s", 900.0), ("context.pages_seen", 6.0)]);
        assert_eq!(p.decide(&[0.6, 0.1, 0.1], &session, &rate).live, Conclusion::Challenge, "a session alone: the doubt still challenges");
        let v = p.decide(&[0.1, 0.1, 0.95], &regular, &rate);
        assert_eq!((v.live, v.basis), (Conclusion::Deny, Basis::Rules));
        let tampered = raw_with(&[("context.logged_in", 1.0), ("context.account_age_days", 400.0), ("context.implausible", 1.0)]);
        assert_eq!(p.decide(&LOW, &tampered, &rate).basis, Basis::KeptNoEvidence, "implausible context is no evidence");
        let browsing = raw_with(&[("context.session_age_s", 900.0), ("context.pages_seen", 6.0)]);
        assert_eq!(p.decide(&LOW, &browsing, &rate).live, Conclusion::Allow);
        assert_eq!(p.decide(&LOW, &browsing, &denied_by(&[RuleKind::Bot])).live, Conclusion::Allow);
        assert_eq!(p.decide(&LOW, &browsing, &denied_by(&[RuleKind::Email])).live, Conclusion::Deny, "an email verdict needs the account");
        let arriving = raw_with(&[("context.session_age_s", 75.0)]);
        assert_eq!(p.decide(&LOW, &arriving, &rate).live, Conclusion::Allow, "a session a minute old behind a busy ip");
        assert_eq!(p.decide(&LOW, &arriving, &denied_by(&[RuleKind::Bot])).live, Conclusion::Deny, "is not enough against a bot verdict");
        assert_eq!(p.decide(&LOW, &arriving, &denied_by(&[RuleKind::RateLimit, RuleKind::Bot])).live, Conclusion::Deny, "the strictest cause decides");
        let two_pages = raw_with(&[("context.session_age_s", 20.0), ("context.pages_seen", 2.0)]);
        assert_eq!(p.decide(&LOW, &two_pages, &rate).live, Conclusion::Allow, "a session the server has served two pages");
        assert_eq!(p.decide(&LOW, &two_pages, &denied_by(&[RuleKind::Bot])).live, Conclusion::Deny, "is not a browsing session against a bot verdict");
    }

    #[test]
    fn declared_bots_and_confirmed_payloads_are_never_lifted() {
        let p = policy(Mode::Live);
        let human = raw_with(&[("memory.good_outcomes", 9.0), ("context.account_age_days", 30.0), ("ua.known_crawler", 1.0)]);
        let v = p.decide(&LOW, &human, &denied_by(&[RuleKind::Bot]));
        assert_eq!((v.live, v.basis), (Conclusion::Deny, Basis::KeptDeclaredBot));
        let payload = raw_with(&[("memory.good_outcomes", 9.0), ("context.account_age_days", 30.0), ("payload.xss", 1.0)]);
        let v = p.decide(&LOW, &payload, &denied_by(&[RuleKind::Shield]));
        assert_eq!((v.live, v.basis), (Conclusion::Deny, Basis::KeptPayload));
        let benign = raw_with(&[("memory.good_outcomes", 9.0), ("context.account_age_days", 30.0), ("payload.values", 3.0)]);
        assert_eq!(p.decide(&LOW, &benign, &denied_by(&[RuleKind::Shield])).live, Conclusion::Allow);
        let unseen = raw_with(&[("memory.good_outcomes", 9.0), ("context.account_age_days", 30.0)]);
        assert_eq!(p.decide(&LOW, &unseen, &denied_by(&[RuleKind::Shield])).basis, Basis::KeptNoEvidence, "no text, nothing found benign");
        let near_miss = raw_with(&[("memory.good_outcomes", 9.0), ("context.account_age_days", 30.0), ("payload.values", 3.0), ("payload.suspicious", 1.0)]);
        let v = p.decide(&LOW, &near_miss, &denied_by(&[RuleKind::Shield]));
        assert_eq!((v.live, v.basis), (Conclusion::Deny, Basis::KeptPayload), "a suspicious value keeps the shield's denial");
        assert_eq!(FEATURES[v.evidence()[0] as usize].name, "payload.suspicious");
        let v = p.decide(&LOW, &near_miss, &denied_by(&[RuleKind::RateLimit]));
        assert_eq!(v.live, Conclusion::Allow, "only the shield's denial rests on the payload");
        let unread = raw_with(&[("memory.good_outcomes", 9.0), ("context.account_age_days", 30.0), ("payload.values", 3.0), ("payload.incomplete", 1.0)]);
        assert_eq!(p.decide(&LOW, &unread, &denied_by(&[RuleKind::Shield])).basis, Basis::KeptNoEvidence, "text it did not read is not text it found clean");
        let fresh = raw_with(&[("memory.good_outcomes", 9.0), ("context.account_age_days", 0.0), ("context.logged_in", 1.0), ("payload.values", 3.0)]);
        assert_eq!(p.decide(&LOW, &fresh, &denied_by(&[RuleKind::Shield])).basis, Basis::KeptNoEvidence, "an account opened today vouches for nothing");
    }

    #[test]
    fn a_denial_the_attack_head_doubts_is_kept_not_challenged() {
        let p = policy(Mode::Live);
        let person = raw_with(&[("memory.good_outcomes", 9.0), ("context.account_age_days", 30.0), ("payload.values", 3.0)]);
        let rate = denied_by(&[RuleKind::RateLimit]);
        let mismatched = raw_with(&[("memory.good_outcomes", 9.0), ("context.account_age_days", 30.0), ("payload.values", 3.0), ("headers.hints_mismatch", 1.0)]);
        assert_eq!(p.decide(&[0.6, 0.1, 0.1], &mismatched, &rate).live, Conclusion::Challenge, "a bot doubt with its evidence: a challenge");
        assert_eq!(p.decide(&[0.6, 0.1, 0.1], &person, &rate).live, Conclusion::Allow, "a bot score alone: no challenge");
        let v = p.decide(&[0.1, 0.6, 0.1], &person, &rate);
        assert_eq!((v.live, v.basis), (Conclusion::Deny, Basis::Rules), "an attack doubt: the denial stands");
        assert_eq!(p.decide(&LOW, &person, &rate).live, Conclusion::Allow);
        let shield = denied_by(&[RuleKind::Shield]);
        let v = p.decide(&[0.1, 0.6, 0.1], &person, &shield);
        assert_eq!((v.live, v.basis), (Conclusion::Allow, Basis::Lifted), "a clean text and an account: the shield's own doubt is not counted twice");
        let visitor = raw_with(&[("context.session_age_s", 600.0), ("context.pages_seen", 5.0), ("payload.values", 3.0)]);
        assert_eq!(p.decide(&LOW, &visitor, &rate).live, Conclusion::Allow, "a session vouches against a rate limit");
        assert_eq!(p.decide(&LOW, &visitor, &shield).basis, Basis::KeptNoEvidence, "only an account vouches against the shield");
    }

    #[test]
    fn dry_run_allows_but_remembers() {
        let p = policy(Mode::DryRun);
        let v = p.decide(&[0.99, 0.0, 0.0], &raw_with(&[("ua.automation", 1.0)]), &ALLOWED);
        assert_eq!((v.conclusion, v.live), (Conclusion::Allow, Conclusion::Deny));
    }

    #[test]
    fn overrides_are_checked() {
        let m = tiny_model();
        let bad = ThresholdOverride { challenge: Some(0.8), deny: Some(0.3) };
        let e = Policy::new(&m, Profile::Default, Mode::Live, bad, false).unwrap_err().to_string();
        assert!(e.starts_with("thresholds must be challenge ≤ deny"), "{e}");
        let e = Policy::new(&m, Profile::Default, Mode::Live, ThresholdOverride { deny: Some(1.5), ..Default::default() }, false).unwrap_err();
        assert_eq!(e.to_string(), "thresholds.deny must be a number between 0 and 1, but is 1.5");
        assert!(Profile::parse("shop").unwrap_err().to_string().contains("'shop'"));
        assert!(Policy::new(&m, Profile::Checkout, Mode::Live, ThresholdOverride::default(), false).is_err(), "tiny model has no checkout thresholds");
    }
}
