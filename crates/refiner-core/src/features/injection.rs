//! Injection-token heuristics over the path, query and free text: counts of tokens typical of
//! SQL injection, XSS, path traversal and command injection, also after percent-decoding.
//! Aho–Corasick keeps it linear in the input length whatever the input.

use aho_corasick::{AhoCorasick, MatchKind};
use std::sync::OnceLock;

#[derive(Debug, Default, Clone)]
pub struct InjectionCounts {
    pub sqli: f64,
    pub xss: f64,
    pub traversal: f64,
    pub command: f64,
    /// Share of bytes in the body that are quote, bracket or operator characters.
    pub body_symbol_frac: f64,
}

/// Token, category (0 sqli, 1 xss, 2 traversal, 3 command).
/// Characters whose share of the body is `request.body_symbol_frac`.
pub(crate) const BODY_SYMBOLS: &[u8] = b"'\"<>;(){}=|&`$";

pub(crate) const TOKENS: &[(&str, u8)] = &[
    ("' or ", 0), ("\" or ", 0), ("or 1=1", 0), ("' --", 0), ("'--", 0), ("union select", 0), ("union all select", 0),
    ("select * from", 0), ("information_schema", 0), ("sleep(", 0), ("benchmark(", 0), ("waitfor delay", 0),
    ("drop table", 0), ("xp_cmdshell", 0), ("' and ", 0), ("load_file(", 0), ("into outfile", 0), ("pg_sleep", 0),
    ("@@version", 0), ("/**/", 0), ("extractvalue(", 0), ("updatexml(", 0), ("' or'", 0),
    ("<script", 1), ("</script", 1), ("javascript:", 1), ("onerror=", 1), ("onload=", 1), ("onmouseover=", 1),
    ("<img", 1), ("<svg", 1), ("<iframe", 1), ("alert(", 1), ("document.cookie", 1), ("fromcharcode", 1), ("<body", 1),
    ("../", 2), ("..\\", 2), ("/etc/passwd", 2), ("/etc/shadow", 2), ("boot.ini", 2), ("win.ini", 2), ("/proc/self", 2),
    (".htaccess", 2), ("web.config", 2), ("wp-config", 2), ("/.env", 2), ("/.git/", 2),
    ("; cat ", 3), ("| cat ", 3), ("$(", 3), ("`", 3), ("; ls", 3), ("| ls", 3), ("/bin/sh", 3), ("/bin/bash", 3),
    ("cmd.exe", 3), ("powershell", 3), ("wget http", 3), ("curl http", 3), ("nc -e", 3), ("${jndi:", 3), ("; id", 3),
    ("| id", 3), ("&& whoami", 3), ("; whoami", 3),
];

fn matcher() -> &'static AhoCorasick {
    static M: OnceLock<AhoCorasick> = OnceLock::new();
    M.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(TOKENS.iter().map(|t| t.0))
            .expect("static token list builds")
    })
}

fn count(text: &[u8], out: &mut InjectionCounts) {
    for m in matcher().find_iter(text) {
        match TOKENS[m.pattern().as_usize()].1 {
            0 => out.sqli += 1.0,
            1 => out.xss += 1.0,
            2 => out.traversal += 1.0,
            _ => out.command += 1.0,
        }
    }
}

/// Percent-decodes `s` (and `+` as space) into `buf`; false when nothing was encoded.
fn decode_into(s: &str, buf: &mut Vec<u8>) -> bool {
    if !s.contains(['%', '+']) {
        return false;
    }
    buf.clear();
    buf.extend(percent_encoding::percent_decode_str(s).map(|b| if b == b'+' { b' ' } else { b }));
    true
}

/// Scans the path (raw, and decoded if encoded) and the body text.
pub fn scan(path: &str, body: &str, buf: &mut Vec<u8>) -> InjectionCounts {
    let mut out = InjectionCounts::default();
    let path_bytes = if decode_into(path, buf) { buf.as_slice() } else { path.as_bytes() };
    count(path_bytes, &mut out);
    count(body.as_bytes(), &mut out);
    if !body.is_empty() {
        let symbols = body.bytes().filter(|b| BODY_SYMBOLS.contains(b)).count();
        out.body_symbol_frac = symbols as f64 / body.len() as f64;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tokens_raw_and_encoded() {
        let mut buf = Vec::new();
        let s = scan("/search?q=%27%20OR%201%3D1--", "", &mut buf);
        assert!(s.sqli >= 1.0, "{s:?}");
        let x = scan("/p", "<ScRiPt>alert(1)</script>", &mut buf);
        assert_eq!(x.xss, 3.0);
        let t = scan("/static/..%2F..%2Fetc%2Fpasswd", "", &mut buf);
        assert_eq!(t.traversal, 2.0, "../ twice; the / before etc is taken by the second ../");
        let clean = scan("/products/shoes?page=2", "Hi, my name is Mary O'Brien", &mut buf);
        assert_eq!((clean.sqli, clean.xss, clean.traversal, clean.command), (0.0, 0.0, 0.0, 0.0));
        assert!(clean.body_symbol_frac > 0.0);
    }
}
