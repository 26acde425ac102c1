//! What the user agent claims to be, with linear-time matchers only.

use super::lists::crawler_patterns;
use aho_corasick::AhoCorasick;
use std::sync::OnceLock;

/// What the user agent claims to be.
#[derive(Debug, Default, Clone)]
pub struct UaInfo {
    pub missing: bool,
    pub length: f64,
    /// Matches one of the crawler-user-agents patterns.
    pub crawler_pattern: bool,
    /// Names an HTTP client library or command-line tool.
    pub http_library: bool,
    /// Names a headless browser or automation framework.
    pub automation: bool,
    /// Contains a generic robot word (bot, crawler, spider…) even if no list knows it.
    pub bot_token: bool,
    /// Shaped like a mainstream browser: `Mozilla/5.0 (` + engine + browser token.
    pub browser_like: bool,
    /// Claims a Chromium-based browser (the ones that send `sec-ch-ua`).
    pub chromium: bool,
    /// Names a service that calls apps back (a payment processor's or a SaaS's webhooks): a
    /// program, but one an app integrates on purpose, so its name is no evidence of a bot.
    pub integration: bool,
}

impl UaInfo {
    /// The user agent declares a program, not a person's browser: a crawler, an HTTP library, an
    /// automation framework, a robot word, or a webhook sender. An app's bot rule denying it is
    /// policy, never lifted.
    pub fn self_declared(&self) -> bool {
        self.crawler_pattern || self.http_library || self.automation || self.bot_token || self.integration
    }
}

pub(crate) const HTTP_LIBRARIES: &[&str] = &[
    "curl/", "wget/", "python-requests", "python-urllib", "python-httpx", "aiohttp", "httpx/", "go-http-client",
    "java/", "okhttp", "apache-httpclient", "axios/", "node-fetch", "undici", "got (", "libwww-perl", "lwp::",
    "guzzlehttp", "php/", "ruby", "faraday", "httpie", "postmanruntime", "insomnia", "scrapy", "dart:io",
    "reqwest", "http.rb", "powershell", "winhttp", "restsharp", "jakarta", "httpclient", "mechanize", "colly",
    "java-http-client", "urllib3", "bun/", "deno/", "lynx/", "w3m/",
];
/// Whole user agents some runtimes send (Node's fetch says only "node"): too short to match inside others.
pub(crate) const EXACT_LIBRARIES: &[&str] = &["node", "undici", "ruby", "php", "java"];
// Not `electron/`: Slack, Discord, Teams and VS Code are Electron apps people use.
pub(crate) const AUTOMATION: &[&str] = &[
    "headlesschrome", "phantomjs", "puppeteer", "playwright", "selenium", "webdriver", "slimerjs", "htmlunit",
    "nightmare", "cypress", "zombie.js",
];
/// How webhook senders' user agents start, as their documentation gives them.
pub(crate) const INTEGRATIONS: &[&str] = &[
    "Stripe/", "GitHub-Hookshot/", "Shopify-Captain-Hook", "PayPal/", "TwilioProxy/", "mailgun/", "SendGrid Event API",
    "Zapier", "Slackbot 1.0 (+https://api.slack.com/robots)", "Svix-Webhooks/", "Bitbucket-Webhooks/", "GitLab/",
    "Atlassian Webhook HTTP Client", "Mandrill-Webhook/", "Postmark", "Square Connect", "Paddle",
];
pub(crate) const BOT_WORDS: &[&str] = &["bot", "crawl", "spider", "scrap", "slurp", "fetcher", "monitor", "scanner", "archiver", "preview"];
pub(crate) const BROWSERS: &[&str] = &["chrome/", "firefox/", "safari/", "edg/", "opr/", "crios/", "fxios/", "samsungbrowser/"];
pub(crate) const ENGINES: &[&str] = &["applewebkit/", "gecko/", "trident/"];
pub(crate) const CHROMIUM: &[&str] = &["chrome/", "chromium/", "edg/", "opr/", "crios/"];

fn matcher(cell: &'static OnceLock<AhoCorasick>, words: &[&str]) -> &'static AhoCorasick {
    cell.get_or_init(|| {
        AhoCorasick::builder().ascii_case_insensitive(true).build(words).expect("static word list builds")
    })
}

macro_rules! words {
    ($name:ident, $list:expr) => {
        fn $name() -> &'static AhoCorasick {
            static CELL: OnceLock<AhoCorasick> = OnceLock::new();
            matcher(&CELL, $list)
        }
    };
}
words!(http_libraries, HTTP_LIBRARIES);
words!(automation, AUTOMATION);
words!(bot_words, BOT_WORDS);
words!(browsers, BROWSERS);
words!(engines, ENGINES);
words!(chromium, CHROMIUM);

/// Classifies `ua`.
pub fn analyze(ua: &str) -> UaInfo {
    let ua = ua.trim();
    if ua.is_empty() {
        return UaInfo { missing: true, ..Default::default() };
    }
    let browser_like = ua.starts_with("Mozilla/5.0 (") && one_product_list(ua) && engines().is_match(ua) && browsers().is_match(ua);
    // A browser's first parenthesis names its platform and, on Android, the phone's model: a
    // robot word there is a brand (CUBOT), not a declaration.
    let platform_end = if browser_like { ua.find(')').unwrap_or(0) } else { 0 };
    UaInfo {
        missing: false,
        length: ua.len() as f64,
        crawler_pattern: crawler_patterns().is_match(ua),
        http_library: http_libraries().is_match(ua) || EXACT_LIBRARIES.iter().any(|l| l.eq_ignore_ascii_case(ua)),
        automation: automation().is_match(ua),
        bot_token: bot_words().find_iter(ua).any(|m| m.start() > platform_end),
        browser_like,
        chromium: browser_like && chromium().is_match(ua),
        integration: INTEGRATIONS.iter().any(|p| ua.starts_with(p)),
    }
}

/// Whether `ua` is one user agent as RFC 9110 writes it: products and balanced (comments). A comma
/// outside a comment is a repeated header joined into one value, as a WHATWG `Headers` or a proxy
/// joins it (an open comment can swallow the comma, hence the balance); no browser sends either.
fn one_product_list(ua: &str) -> bool {
    let mut depth = 0usize;
    for b in ua.bytes() {
        match b {
            b'(' => depth += 1,
            b')' => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            b',' if depth == 0 => return false,
            _ => {}
        }
    }
    depth == 0
}

/// Analyses of recent user agents. Real traffic repeats a few hundred user agents, and the
/// crawler `RegexSet` costs ~1.5 µs on a browser's. Entries are compared byte for byte, so a
/// crafted hash collision cannot hand one client's result to another.
#[derive(Debug)]
pub struct UaCache {
    slots: Vec<(Vec<u8>, UaInfo)>,
}

const CACHE_SLOTS: usize = 256;
/// Longer user agents are analyzed every time: rare in real traffic, and they would bloat the cache.
const CACHE_MAX_LEN: usize = 256;

impl Default for UaCache {
    fn default() -> Self {
        Self { slots: vec![(Vec::new(), UaInfo::default()); CACHE_SLOTS] }
    }
}

/// [`analyze`], remembering the answer.
pub fn analyze_cached(ua: &str, cache: &mut UaCache) -> UaInfo {
    let key = ua.trim().as_bytes();
    if key.is_empty() || key.len() > CACHE_MAX_LEN {
        return analyze(ua);
    }
    let slot = &mut cache.slots[(xxhash_rust::xxh3::xxh3_64(key) as usize) % CACHE_SLOTS];
    if slot.0 != key {
        slot.1 = analyze(ua);
        slot.0.clear();
        slot.0.extend_from_slice(key);
    }
    slot.1.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

    #[test]
    fn classifies_browsers_tools_and_bots() {
        let c = analyze(CHROME);
        assert!(c.browser_like && c.chromium && !c.crawler_pattern && !c.bot_token && !c.self_declared());
        let f = analyze(FIREFOX);
        assert!(f.browser_like && !f.chromium);
        assert!(analyze("python-requests/2.31.0").http_library);
        for ua in ["node", "Java-http-client/17.0.21.1", "Bun/1.4.5", "Deno/2.9.6", "python-urllib3/2.8.0"] {
            assert!(analyze(ua).http_library, "{ua}");
        }
        assert!(!analyze("nodes-of-the-world/1.0").http_library, "a whole-name entry matches only the whole user agent");
        assert!(analyze(&CHROME.replace("Chrome/", "HeadlessChrome/")).automation);
        let custom = analyze("MyCustomBot/1.0");
        assert!(custom.bot_token && !custom.browser_like && custom.self_declared());
        assert!(analyze("  ").missing);
    }

    #[test]
    fn phones_desktop_apps_and_webhook_senders_are_not_bots() {
        let cubot = analyze("Mozilla/5.0 (Linux; Android 13; CUBOT KINGKONG 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36");
        assert!(cubot.browser_like && !cubot.bot_token && !cubot.self_declared());
        let googlebot = analyze("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");
        assert!(googlebot.bot_token, "a robot word after the platform still counts");
        let slack = analyze("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.41.105 Chrome/131.0.6778.86 Electron/33.2.1 Safari/537.36");
        assert!(!slack.automation && !slack.self_declared());
        let stripe = analyze("Stripe/1.0 (+https://stripe.com/docs/webhooks)");
        assert!(stripe.integration && stripe.self_declared());
    }

    #[test]
    fn two_user_agents_joined_are_no_browser() {
        for joined in [format!("Mozilla/5.0 (compatible), {CHROME}"), format!("{CHROME}, {FIREFOX}"), format!("Mozilla/5.0 (compatible, {CHROME}"), format!("{CHROME})")] {
            let a = analyze(&joined);
            assert!(!a.browser_like && !a.chromium, "{joined}");
        }
        assert!(analyze("Mozilla/5.0 (Linux; U; Android 4.0.3; ko-kr; LG-L160L Build/IML74K) AppleWebkit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30").browser_like, "commas inside comments are a browser's");
    }

    #[test]
    fn pathological_input_is_linear() {
        let long = "a".repeat(8192) + "bot";
        assert!(analyze(&long).bot_token);
    }

    #[test]
    fn the_cache_answers_as_the_analysis_does() {
        let mut cache = UaCache::default();
        for ua in [CHROME, FIREFOX, "curl/8.5.0", "", "  ", "MyCustomBot/1.0", CHROME, "curl/8.5.0", &"x".repeat(300)] {
            let (a, b) = (analyze(ua), analyze_cached(ua, &mut cache));
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "{ua:?}");
        }
    }
}
