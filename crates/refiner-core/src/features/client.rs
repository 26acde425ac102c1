//! Client presentation: does the header set fit the browser the user agent claims to be?
//!
//! A script that borrows a browser's user agent keeps its library's header set (python-requests
//! sends four headers, no `accept-language`, no fetch metadata); a headless browser names itself
//! in its client hints; a patched user agent disagrees with the client hints the browser still
//! sends. Each check is made only when the app passed the whole header set, which names the host
//! (`host`, or HTTP/2's `:authority`), so an app that hands over a subset of headers (the user
//! agent, a language) is not read as a script. A client that omits the host (HTTP/1.0) escapes
//! these checks, not the user-agent ones.
//!
//! The checks the schema counts as evidence are inconsistencies no real browser shows, in the real
//! captures of `data/clients/` and in the header sets of the npm package `header-generator` alike:
//! Safari's fetch metadata and Linux Chromium's client hints (which header-generator omits) are not
//! required. What a real browser omits somewhere is only a signal: fetch metadata, client hints
//! and `br` (browsers send them only to secure origins, so a site on plain HTTP gets none; a proxy
//! may strip them), and four headers or fewer.

use super::ua::UaInfo;
use crate::decision::{Header, Headers};

/// Which inconsistencies the header set shows; all false when they cannot be judged.
#[derive(Debug, Default, Clone, Copy)]
pub struct Presentation {
    /// The app passed more headers than the user agent: presence checks mean something.
    pub judged: bool,
    pub missing_user_agent: bool,
    pub missing_accept: bool,
    /// A browser user agent without `accept-language`: every browser sends one.
    pub missing_accept_language: bool,
    /// A browser that sends fetch metadata (Chromium ≥ 76, Firefox ≥ 90) did not.
    pub missing_fetch_metadata: bool,
    /// A Chromium ≥ 89 user agent on Windows, macOS or Android without `sec-ch-ua`.
    pub chromium_without_hints: bool,
    /// `sec-ch-ua` from a user agent that is not Chromium.
    pub hints_without_chromium: bool,
    /// `sec-ch-ua`'s major version, `sec-ch-ua-mobile` or `sec-ch-ua-platform` disagrees with the
    /// user agent, or `sec-ch-ua` carries a brand list older than the version claims.
    pub hints_mismatch: bool,
    /// `sec-ch-ua` names HeadlessChrome.
    pub headless_hints: bool,
    /// A browser user agent with at most four headers (browsers send six or more).
    pub few_headers: bool,
    /// A modern browser's `accept-encoding` without `br`.
    pub encoding_without_br: bool,
    /// A browser user agent with a header as only HTTP libraries send it: `accept-language: *`
    /// (undici, Deno), or `sec-fetch-mode` without `sec-fetch-site` and `sec-fetch-dest` (undici);
    /// a browser sends a language list, and its fetch metadata whole.
    pub library_defaults: bool,
}

impl Presentation {
    /// Any inconsistency.
    pub fn any(&self) -> bool {
        self.missing_user_agent
            || self.missing_accept_language
            || self.missing_fetch_metadata
            || self.chromium_without_hints
            || self.hints_without_chromium
            || self.hints_mismatch
            || self.headless_hints
            || self.few_headers
            || self.encoding_without_br
            || self.library_defaults
    }
}

/// The browser a user agent claims, with its major version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Claimed {
    Chromium(u32),
    Firefox(u32),
    /// Safari's `Version/x.y`, as major·100 + minor.
    Safari(u32),
    Other,
}

/// The number after `token` in `s` (the major version), if any.
fn version_after(s: &str, token: &str) -> Option<u32> {
    let rest = &s[s.find(token)? + token.len()..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    rest[..digits.min(6)].parse().ok()
}

fn claimed(ua: &str, info: &UaInfo) -> Claimed {
    if !info.browser_like {
        return Claimed::Other;
    }
    if info.chromium {
        // iOS Chrome (CriOS) is WebKit underneath: no client hints, no Chromium fetch metadata.
        if ua.contains("CriOS/") {
            return version_after(ua, "Version/").map_or(Claimed::Other, |v| Claimed::Safari(v * 100));
        }
        return version_after(ua, "Chrome/").map_or(Claimed::Other, Claimed::Chromium);
    }
    if let Some(v) = version_after(ua, "Firefox/") {
        return Claimed::Firefox(v);
    }
    if ua.contains("Safari/") {
        if let Some(major) = version_after(ua, "Version/") {
            let minor = ua.find("Version/").and_then(|i| version_after(&ua[i..], ".")).unwrap_or(0);
            return Claimed::Safari(major * 100 + minor.min(99));
        }
    }
    Claimed::Other
}

/// The major version `sec-ch-ua` gives for its Chromium brand (`"Chromium";v="131"`).
fn hinted_major(sec_ch_ua: &str) -> Option<u32> {
    let at = sec_ch_ua.find("\"Chromium\";v=\"").or_else(|| sec_ch_ua.find("\"Google Chrome\";v=\""))?;
    version_after(&sec_ch_ua[at..], ";v=\"")
}

/// The platform a user agent names, as `sec-ch-ua-platform` spells it (without its quotes).
fn ua_platform(ua: &str) -> Option<&'static str> {
    if ua.contains("Windows NT") {
        Some("Windows")
    } else if ua.contains("Android") {
        Some("Android")
    } else if ua.contains("CrOS") {
        Some("Chrome OS")
    } else if ua.contains("Macintosh") {
        Some("macOS")
    } else if ua.contains("Linux") {
        Some("Linux")
    } else {
        None
    }
}

/// User-agent tokens of browsers whose user agent names an older Chrome than their engine.
const OLDER_CHROME: &[&str] = &["UCBrowser/", "MiuiBrowser/", "HuaweiBrowser/", "; wv)"];

/// Whether `sec-ch-ua-platform`'s `hint` names the platform `ua` (as [`ua_platform`] spells it).
/// Android's "desktop site" sends a Linux desktop user agent, Huawei's browser names HarmonyOS
/// for an Android user agent, and Chrome OS is spelled both ways.
fn same_platform(ua: &str, hint: &str) -> bool {
    let hint = hint.trim().trim_matches('"');
    hint.eq_ignore_ascii_case(ua)
        || (ua == "Linux" && hint.eq_ignore_ascii_case("Android"))
        || (ua == "Android" && hint.eq_ignore_ascii_case("HarmonyOS"))
        || (ua == "Chrome OS" && hint.eq_ignore_ascii_case("ChromeOS"))
}

/// Judges the header set against the user agent (see the module doc).
pub fn analyze(h: &Headers<'_>, ua: &UaInfo) -> Presentation {
    let ua_text = h.get(Header::UserAgent);
    // Every request a server receives names its host; a set without one is a subset the app chose.
    let judged = h.has(Header::Host) || h.has(Header::Authority);
    if !judged {
        return Presentation::default();
    }
    let browser = claimed(ua_text, ua);
    let is_browser = browser != Claimed::Other;
    let fetch_metadata = match browser {
        Claimed::Chromium(v) => v >= 76,
        Claimed::Firefox(v) => v >= 90,
        Claimed::Safari(_) | Claimed::Other => false,
    };
    let hints = h.get(Header::SecChUa);
    let mobile_hint = h.get(Header::SecChUaMobile);
    let ua_mobile = ua_text.contains("Mobile");
    let platform_hint = h.get(Header::SecChUaPlatform);
    let platform = ua_platform(ua_text);
    let hints_mismatch = match browser {
        Claimed::Chromium(v) if h.has(Header::SecChUa) => {
            // A user agent that names another version than the engine is patched, unless it is a
            // browser that names an older Chrome than it runs (UC, MIUI, Huawei's, WebViews).
            hinted_major(hints).is_some_and(|m| m < v || (m > v && !OLDER_CHROME.iter().any(|t| ua_text.contains(t))))
                || (mobile_hint == "?1" && !ua_mobile && platform_hint != "\"Android\"")
                || (mobile_hint == "?0" && ua_mobile)
                || (h.has(Header::SecChUaPlatform) && platform.is_some_and(|p| !same_platform(p, platform_hint)))
                // Chromium 89–103 sent this grease brand; a newer version with it is forged.
                || (v >= 110 && hints.contains("\" Not A;Brand\""))
        }
        _ => false,
    };
    let encoding = h.get(Header::AcceptEncoding);
    Presentation {
        judged,
        missing_user_agent: !h.has(Header::UserAgent) || ua.missing,
        missing_accept: !h.has(Header::Accept),
        missing_accept_language: is_browser && !h.has(Header::AcceptLanguage),
        missing_fetch_metadata: fetch_metadata && !h.has(Header::SecFetchMode) && !h.has(Header::SecFetchSite),
        chromium_without_hints: matches!(browser, Claimed::Chromium(v) if v >= 89) && platform != Some("Linux") && platform.is_some() && !h.has(Header::SecChUa),
        hints_without_chromium: h.has(Header::SecChUa) && !matches!(browser, Claimed::Chromium(_)) && !hints.is_empty(),
        hints_mismatch,
        headless_hints: hints.contains("HeadlessChrome"),
        few_headers: is_browser && h.count <= 4,
        encoding_without_br: is_browser && h.has(Header::AcceptEncoding) && !encoding.contains("br") && encoding.trim() != "identity",
        library_defaults: is_browser
            && (h.get(Header::AcceptLanguage).trim() == "*" || (h.has(Header::SecFetchMode) && !h.has(Header::SecFetchSite) && !h.has(Header::SecFetchDest))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::ua;

    const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    const SAFARI: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15";

    fn judge(pairs: &[(&str, &str)]) -> Presentation {
        let region = pairs.iter().flat_map(|(n, v)| [*n, *v]).collect::<Vec<_>>().join("\0");
        let h = Headers::parse(&region, pairs.len());
        let info = ua::analyze(h.get(Header::UserAgent));
        analyze(&h, &info)
    }

    fn chrome_navigation(ua: &str) -> Vec<(&str, &str)> {
        vec![
            ("host", "shop.example"),
            ("sec-ch-ua", "\"Google Chrome\";v=\"131\", \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\""),
            ("sec-ch-ua-mobile", "?0"),
            ("sec-ch-ua-platform", "\"Windows\""),
            ("upgrade-insecure-requests", "1"),
            ("user-agent", ua),
            ("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"),
            ("sec-fetch-site", "none"),
            ("sec-fetch-mode", "navigate"),
            ("sec-fetch-user", "?1"),
            ("sec-fetch-dest", "document"),
            ("accept-encoding", "gzip, deflate, br, zstd"),
            ("accept-language", "en-US,en;q=0.9"),
        ]
    }

    #[test]
    fn real_browser_header_sets_are_consistent() {
        assert!(!judge(&chrome_navigation(CHROME)).any());
        let firefox = [
            ("host", "shop.example"),
            ("user-agent", FIREFOX),
            ("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            ("accept-language", "en-US,en;q=0.5"),
            ("accept-encoding", "gzip, deflate, br, zstd"),
            ("connection", "keep-alive"),
            ("upgrade-insecure-requests", "1"),
            ("sec-fetch-dest", "document"),
            ("sec-fetch-mode", "navigate"),
            ("sec-fetch-site", "none"),
        ];
        assert!(!judge(&firefox).any());
        // header-generator's Safari: five headers, no host, no fetch metadata.
        let safari = [("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"), ("user-agent", SAFARI), ("accept-encoding", "gzip, deflate, br"), ("accept-language", "en-US"), ("connection", "keep-alive")];
        assert!(!judge(&safari).any(), "no Safari check that header-generator's sets fail");
        let linux_ua = CHROME.replace("Windows NT 10.0; Win64; x64", "X11; Linux x86_64");
        let mut linux = chrome_navigation(&linux_ua);
        linux.retain(|(n, _)| !n.starts_with("sec-ch-ua"));
        assert!(!judge(&linux).any(), "nor Linux Chromium without client hints");
    }

    #[test]
    fn a_library_behind_a_browser_user_agent_is_seen() {
        let spoofed = judge(&[("host", "x"), ("user-agent", CHROME), ("accept-encoding", "gzip, deflate"), ("accept", "*/*"), ("connection", "keep-alive")]);
        assert!(spoofed.missing_accept_language && spoofed.missing_fetch_metadata && spoofed.chromium_without_hints && spoofed.encoding_without_br);
        assert!(judge(&[("host", "x"), ("user-agent", CHROME), ("accept", "*/*")]).few_headers, "curl with a Chrome user agent");
    }

    #[test]
    fn patched_and_headless_chromium_are_seen() {
        let mut patched = chrome_navigation(CHROME);
        patched[1].1 = "\"Chromium\";v=\"120\", \"Not_A Brand\";v=\"24\"";
        assert!(judge(&patched).hints_mismatch);
        let mut headless = chrome_navigation(CHROME);
        headless[1].1 = "\"HeadlessChrome\";v=\"131\", \"Chromium\";v=\"131\"";
        assert!(judge(&headless).headless_hints);
        let mut mobile = chrome_navigation(CHROME);
        mobile[2].1 = "?1";
        assert!(judge(&mobile).hints_mismatch, "a mobile hint from a desktop user agent");
        let mut platform = chrome_navigation(CHROME);
        platform[3].1 = "\"Linux\"";
        assert!(judge(&platform).hints_mismatch, "chromium --user-agent: the hints still say Linux");
        let mut stealth = chrome_navigation(CHROME);
        stealth[1].1 = "\" Not A;Brand\";v=\"99\", \"Chromium\";v=\"131\", \"Google Chrome\";v=\"131\"";
        assert!(judge(&stealth).hints_mismatch, "puppeteer-extra-stealth's brand list from Chromium 90");
    }

    #[test]
    fn library_defaults_behind_a_browser_user_agent_are_seen() {
        let undici = judge(&[("host", "x"), ("connection", "keep-alive"), ("user-agent", CHROME), ("accept", "*/*"), ("accept-language", "*"), ("sec-fetch-mode", "cors"), ("accept-encoding", "gzip, deflate")]);
        assert!(undici.library_defaults);
        let mut deno = chrome_navigation(CHROME);
        deno.retain(|(n, _)| !n.starts_with("sec-") && *n != "accept-language");
        deno.push(("accept-language", "*"));
        assert!(judge(&deno).library_defaults);
        let mut fetch = chrome_navigation(CHROME);
        fetch.retain(|(n, _)| *n != "sec-fetch-user");
        assert!(!judge(&fetch).any(), "a script's fetch: site, mode and dest without user");
        let linux_ua = CHROME.replace("Windows NT 10.0; Win64; x64", "X11; Linux x86_64");
        let mut desktop_site = chrome_navigation(&linux_ua);
        desktop_site[3].1 = "\"Android\"";
        assert!(!judge(&desktop_site).any(), "Android Chrome asking for the desktop site");
        desktop_site[2].1 = "?1";
        assert!(!judge(&desktop_site).any(), "the same on a phone");
        let cros_ua = CHROME.replace("Windows NT 10.0; Win64; x64", "X11; CrOS x86_64 14541.0.0");
        let mut chromeos = chrome_navigation(&cros_ua);
        chromeos[3].1 = "\"ChromeOS\"";
        assert!(!judge(&chromeos).any(), "Chrome OS spelled without its blank");
        let older_ua = CHROME.replace("Chrome/131", "Chrome/120");
        let mut older = chrome_navigation(&older_ua);
        older[1].1 = "\"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"";
        assert!(judge(&older).hints_mismatch, "headless Chromium given an older Chrome's user agent");
        let uc_ua = older_ua.replace("Safari/537.36", "UCBrowser/13.4.0.1306 Mobile Safari/537.36");
        older[5].1 = &uc_ua;
        older[2].1 = "?1";
        assert!(!judge(&older).hints_mismatch, "UC names an older Chrome than it runs");
    }

    /// Every real browser's capture in `data/clients/` passes every check the schema counts as
    /// evidence; the libraries that borrow a browser's user agent fail one.
    #[test]
    fn the_real_captures_agree() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/clients");
        let mut browsers = 0;
        for entry in std::fs::read_dir(dir).expect("data/clients") {
            let path = entry.expect("entry").path();
            if path.file_name().is_some_and(|f| f == "index.json") {
                continue;
            }
            let c: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
            let pairs: Vec<(&str, &str)> = c["headers"].as_array().expect("headers").iter().map(|p| (p[0].as_str().unwrap_or(""), p[1].as_str().unwrap_or(""))).collect();
            let p = judge(&pairs);
            let evidence = p.missing_user_agent || p.missing_accept_language || p.hints_without_chromium || p.hints_mismatch || p.headless_hints || p.library_defaults;
            match (c["kind"].as_str(), c["client"].as_str()) {
                (Some("browser"), _) => {
                    browsers += 1;
                    assert!(!evidence, "{path:?}: {p:?}");
                }
                (_, Some("node-fetch-builtin" | "deno-fetch")) if c["variant"] == "spoofed-ua" => assert!(p.library_defaults, "{path:?}"),
                _ => {}
            }
        }
        assert!(browsers >= 6, "{browsers} browser captures");
    }

    #[test]
    fn a_subset_of_headers_is_not_judged() {
        assert!(!judge(&[("user-agent", CHROME)]).judged);
        assert!(!judge(&[]).judged);
        let picked = judge(&[("user-agent", CHROME), ("accept", "text/html"), ("accept-language", "en")]);
        assert!(!picked.judged && !picked.any(), "an app that passes the headers it cares about");
        let no_ua = judge(&[("accept", "*/*"), ("host", "x")]);
        assert!(no_ua.judged && no_ua.missing_user_agent);
        let h2 = judge(&[(":authority", "x"), ("user-agent", CHROME), ("accept", "*/*")]);
        assert!(h2.judged && h2.missing_accept_language, "HTTP/2's pseudo-header names the host");
    }
}
