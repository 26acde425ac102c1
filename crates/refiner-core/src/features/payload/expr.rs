//! Java expression languages an app may evaluate: OGNL (Struts), SpEL (Spring) and EL (JSF,
//! JSP).
//!
//! Input: a normalized value and its byte classes. Output: confirmed or suspicious. Confirmed:
//! - OGNL syntax that only expressions have: a static member (`@java.lang.Runtime@getRuntime()`,
//!   `@ognl.OgnlContext@DEFAULT_MEMBER_ACCESS`), `#_memberAccess` used as code (`=`, `[`, `?`,
//!   `)` after it), or a `%{…}` whose body starts with a variable or a static member
//!   (`%{(#_='multipart/form-data')…}`, `%{#a=…}`) or is digit arithmetic (`%{7*7}`);
//! - an expression delimiter (`${`, `#{`, `*{`, `%{`) whose body reaches Java's reflection or
//!   process API (`T(java.lang.Runtime)`, `getClassLoader`, `forName(`, `ProcessBuilder`,
//!   `new java.…`) or starts with an OGNL variable (`${(#…`, `${#context[…`);
//! - a value that starts as such an expression without delimiters (`T(java.lang.Runtime)…`,
//!   `new java.lang.ProcessBuilder(…)`).
//!
//! Bare mentions (a stack trace's `java.lang.Runtime.exec`, a question about `ProcessBuilder`)
//! are suspicious only, as are `${…}` placeholders and Ruby's `%{…}` strings.

use super::classes::{self, Mask};
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use std::sync::OnceLock;

/// Delimited bodies looked at per opener and value.
const MAX_BODIES: usize = 32;
/// Bytes of a body looked at.
const MAX_BODY: usize = 256;

/// What, inside an expression, reaches Java's reflection or process API.
const JAVA: &[&str] = &[
    "java.lang.", "javax.script", "getruntime()", "processbuilder", "t(java.", "forname(", "getclassloader",
    "scriptenginemanager", "new java.", "#_memberaccess", "ognlcontext", "getdeclaredmethod", "newinstance(",
    ".getclass().forname",
];

/// Calls whose mention in text is suspicious, each up to its `(`.
const MENTIONS: &[&[u8]] = &[b"processbuilder", b"getruntime", b"runtime.exec", b"forname", b"getclassloader", b"scriptenginemanager", b"getdeclaredmethod"];

/// OGNL variables that Struts payloads set or read.
const OGNL_VARIABLES: &[&[u8]] = &[b"_memberaccess", b"context[", b"context.", b"_=", b"dm=", b"ct=", b"cmd=", b"res=", b"req=", b"a="];

fn java() -> &'static AhoCorasick {
    static J: OnceLock<AhoCorasick> = OnceLock::new();
    J.get_or_init(|| AhoCorasick::builder().kind(Some(AhoCorasickKind::DFA)).build(JAVA).expect("static list builds"))
}

fn ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// Top-level packages of the classes OGNL payloads reach.
const PACKAGES: &[&[u8]] = &[b"java.", b"javax.", b"jakarta.", b"ognl.", b"org.", b"com.", b"sun.", b"jdk.", b"freemarker.", b"groovy."];

/// An OGNL static member at `s[at] == b'@'`: `@pkg.Class@member`, the package one of
/// [`PACKAGES`] and the member a call or a constant (`@java.lang.Runtime@getRuntime()`,
/// `@ognl.OgnlContext@DEFAULT_MEMBER_ACCESS`), not a mistyped address (`a@b.com@gmail.com`).
fn static_member(s: &[u8], at: usize) -> bool {
    let class = s[at + 1..].iter().take(96).take_while(|&&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'$').count();
    let name = &s[at + 1..at + 1 + class];
    if !PACKAGES.iter().any(|p| name.starts_with(p)) || s.get(at + 1 + class) != Some(&b'@') {
        return false;
    }
    let m = at + 2 + class;
    let member = s[m..].iter().take(64).take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_').count();
    classes::tick(class + member);
    member > 0 && ident_start(s[m]) && (s.get(m + member) == Some(&b'(') || s[m..m + member].contains(&b'_'))
}

/// A body that starts with an OGNL variable (`(#x`, `#context[`, `#_memberAccess`, and after
/// `%{` any `#x`), or a static member.
fn ognl_start(body: &[u8], percent: bool) -> bool {
    let t = body.trim_ascii_start();
    let (paren, b) = match t.strip_prefix(b"(") {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    match b.first() {
        // `#{` after `(` or `%{` is Ruby's interpolation, not a variable.
        Some(b'#') if b.get(1) != Some(&b'{') => paren || (percent && b.get(1).is_some_and(|&c| ident_start(c))) || OGNL_VARIABLES.iter().any(|v| b[1..].starts_with(v)),
        Some(b'@') => static_member(b, 0),
        _ => false,
    }
}

fn arithmetic(body: &[u8]) -> bool {
    let b = body.trim_ascii();
    b.len() <= 16 && b.windows(3).any(|w| w[0].is_ascii_digit() && matches!(w[1], b'*' | b'+' | b'-' | b'/') && w[2].is_ascii_digit())
        && b.iter().all(|c| c.is_ascii_digit() || b" *+-/()".contains(c))
}

/// Looks for expression-language injection in a normalized value. Returns (confirmed,
/// suspicious).
pub fn detect(s: &[u8], mask: Mask) -> (bool, bool) {
    use classes::{AT, BRACE, HASH, PAREN};
    if mask & (AT | HASH | BRACE | PAREN) == 0 {
        return (false, false);
    }
    if mask & AT != 0 && memchr::memchr_iter(b'@', s).take(256).any(|i| static_member(s, i)) {
        return (true, true);
    }
    if mask & HASH != 0 {
        let mut from = 0;
        // Found from its `_`: `#` is everywhere in a value of `&#…` references.
        while let Some(k) = classes::find(&s[from..], b"_memberaccess") {
            let at = from + k;
            let after = at + 13;
            from = after;
            if at == 0 || s[at - 1] != b'#' {
                continue;
            }
            let j = after + s[after..].iter().take(8).take_while(|&&b| b == b' ').count();
            if matches!(s.get(j), Some(b'=' | b'[' | b'?' | b')')) {
                return (true, true);
            }
        }
    }
    let head = s.trim_ascii_start();
    if [&b"t(java."[..], b"new java.lang.", b"''.getclass().forname("].iter().any(|p| head.starts_with(p)) {
        return (true, true);
    }
    let mut suspicious = false;
    if mask & BRACE != 0 {
        for open in [&b"%{"[..], b"${", b"#{", b"*{"] {
            let mut from = 0;
            for _ in 0..MAX_BODIES {
                let Some(k) = classes::find(&s[from..], open) else { break };
                let start = from + k + 2;
                let limit = s.len().min(start + MAX_BODY);
                let end = classes::find_byte(b'}', &s[start..limit]).map_or(limit, |e| start + e);
                let body = &s[start..end];
                classes::tick(2 * body.len());
                let percent = open == b"%{";
                if ognl_start(body, percent) || java().is_match(body) || (percent && arithmetic(body)) {
                    return (true, true);
                }
                from = end.max(start);
            }
        }
    }
    // A mention: a call of the reflection or process API (`ProcessBuilder(`, `getRuntime()`,
    // `Runtime.exec(`), found from the value's parentheses.
    if mask & PAREN != 0 {
        let mention = |i: usize| MENTIONS.iter().any(|w| s[..i].ends_with(w));
        suspicious |= memchr::memchr_iter(b'(', s).take(64).any(mention);
        classes::tick(s.len());
    }
    (false, suspicious)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(s: &str) -> (bool, bool) {
        let l = s.to_ascii_lowercase();
        detect(l.as_bytes(), classes::mask(l.as_bytes()))
    }

    #[test]
    fn ognl_spel_and_el_payloads_are_confirmed() {
        for p in [
            "%{(#_='multipart/form-data').(#dm=@ognl.OgnlContext@DEFAULT_MEMBER_ACCESS).(#cmd='id')}",
            "${(#_memberAccess[\"allowStaticMethodAccess\"]=true,#a=@java.lang.Runtime@getRuntime().exec('id').getInputStream())}",
            "method:#_memberAccess=@ognl.OgnlContext@DEFAULT_MEMBER_ACCESS,#res=@org.apache.struts2.ServletActionContext@getResponse()",
            "redirect:${#context[\"xwork.MethodAccessor.denyMethodExecution\"]=false}",
            "%{#a=(new java.lang.ProcessBuilder(new java.lang.String[]{'id'})).start()}",
            "%{7*7}",
            "#{request.getClass().getClassLoader()}",
            "${T(java.lang.Runtime).getRuntime().exec('id')}",
            "*{T(org.apache.commons.io.IOUtils).toString(T(java.lang.Runtime).getRuntime().exec('id').getInputStream())}",
            "#{''.getClass().forName('java.lang.Runtime').getMethods()[6].invoke(null)}",
            "T(java.lang.Runtime).getRuntime().exec(\"id\")",
            "new java.lang.ProcessBuilder({'id'}).start()",
            "@java.lang.Runtime@getRuntime().exec('id')",
        ] {
            assert!(el(p).0, "{p}");
        }
    }

    #[test]
    fn mentions_placeholders_and_other_braces_stay_unconfirmed() {
        for t in [
            "at java.lang.Runtime.exec(Runtime.java:347)",
            "Why does ProcessBuilder hang when I call getRuntime().exec(cmd)?",
            "curl -w '%{http_code}' https://example.com",
            "%{Hello #{name}}",
            "echo ${#arr[@]}",
            "Hello ${user.name}, #{count} items",
            "mail anna@example.com or @bob",
            "anna.smith@company.com@outlook.com",
            "bob@org.example@gmail.com",
            "${#dates.format(today)} and ${#request.getParameter('q')}",
            "see @java.lang.Deprecated on the method",
            "#_memberAccess is what the exploit set",
            "{\"$set\": {\"a\": 1}}",
        ] {
            assert!(!el(t).0, "{t}");
        }
        assert_eq!(el("at java.lang.Runtime.exec(Runtime.java:347)"), (false, true));
    }
}
