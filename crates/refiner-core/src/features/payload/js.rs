//! JavaScript contexts for the XSS detector: what a value does once it is inside a script.
//!
//! Input: a normalized value. Output: whether it breaks out of a JS string (a quote, a template
//! literal's backtick too, then closing brackets, an operator and a sink: `';alert(1)//`,
//! ``` `+window[`al`+`ert`](1)+` ```), calls a sink right inside a template literal's `${`, or is
//! one dialog call as a whole (`alert(1)`, ``prompt`1` ``); and [`sink_at`], which the tag and
//! CSS scans use too.

use super::classes;

/// Sinks that only a payload calls or indexes (with what follows each checked by [`sink_at`]):
/// right inside a template literal's `${`, or as the value of an unknown `on…=` attribute.
const CALL_SINKS: &[&[u8]] = &[b"alert", b"prompt", b"confirm", b"eval", b"top[", b"self[", b"window[", b"parent[", b"this[", b"frames[", b"globalthis["];

/// Quotes looked at for a JS string breakout per value.
const MAX_QUOTES: usize = 256;

/// JS sinks that, after a string breakout, run or leak something, with what must follow each:
/// a call, a tagged template, a property or an index. Generic names (`self`, `top`, `this`) only
/// count indexed, as payloads use them (`top['al'+'ert']`); in code they are followed by a dot.
const SINKS: &[(&[u8], &[u8])] = &[
    (b"alert", b"(`"), (b"prompt", b"(`"), (b"confirm", b"(`"), (b"eval", b"(`"), (b"settimeout", b"(`"),
    (b"setinterval", b"(`"), (b"fetch", b"(`"), (b"import", b"("), (b"atob", b"("), (b"function", b"("),
    (b"document", b".["), (b"window", b".["), (b"location", b"=.["), (b"top", b"["), (b"self", b"["),
    (b"parent", b"["), (b"this", b"["), (b"globalthis", b"["), (b"frames", b"["), (b"constructor", b".(["),
    (b"string.fromcharcode", b"("), (b"xmlhttprequest", b"("), (b"navigator", b"."), (b"new function", b"("),
];

/// Whether a sink of [`SINKS`] starts at `s[j..]`, with what must follow it.
pub fn sink_at(s: &[u8], j: usize) -> bool {
    classes::tick(SINKS.len());
    let sink = SINKS.iter().find(|(w, _)| s[j.min(s.len())..].starts_with(w));
    sink.is_some_and(|(w, next)| s.get(j + w.len()).is_some_and(|b| next.contains(b)))
}

/// Whether a dialog or `eval` call, or an indexed global (`window[`al`+`ert`]`), starts at
/// `s[j..]`: what payloads write, where code reads properties (`document.title`).
pub fn call_sink_at(s: &[u8], j: usize) -> bool {
    CALL_SINKS.iter().any(|w| s[j.min(s.len())..].starts_with(w)) && sink_at(s, j)
}

/// A quote (a template literal's backtick too), closing brackets, an operator, then a sink: a
/// breakout from a JS string.
pub fn string_breakout(s: &[u8]) -> bool {
    // The first quotes only: a value with thousands is not a JS string breakout worth the time.
    for q in memchr::memchr3_iter(b'\'', b'"', b'`', s).take(MAX_QUOTES) {
        classes::tick(SINKS.len());
        let mut j = q + 1;
        while j < s.len() && matches!(s[j], b')' | b']' | b'}' | b' ') {
            j += 1;
        }
        if !matches!(s.get(j), Some(b';' | b'+' | b'-' | b'*' | b'|' | b'&' | b',' | b'^' | b'\n')) {
            continue;
        }
        j += 1;
        while j < s.len() && matches!(s[j], b' ' | b'(' | b'\n' | b'&' | b'|') {
            j += 1;
        }
        if sink_at(s, j) {
            return true;
        }
    }
    false
}

/// A sink right inside a template literal's `${`.
pub fn template_breakout(s: &[u8]) -> bool {
    // Inside a template literal, a dialog or `eval` call or a global indexed
    // (`${alert(1)}`, `${top['al'+'ert'](1)}`); a property (`${window.location.origin}`) or
    // a `fetch(` is what code writes there.
    let mut from = 0;
    for _ in 0..MAX_QUOTES {
        let Some(k) = classes::find(&s[from..], b"${") else { break };
        let mut j = from + k + 2;
        j += s[j..].iter().take(8).take_while(|&&b| b == b' ' || b == b'(').count();
        if call_sink_at(s, j) {
            return true;
        }
        from = j;
    }
    false
}

/// The whole value is one call of a dialog (`alert(1)`, ``prompt`1` ``, `confirm(document.domain)`),
/// as a value pasted into script unquoted would be; blanks inside it make it text.
pub fn dialog_call(s: &[u8]) -> bool {
    let t = s.trim_ascii();
    let t = t.strip_suffix(b"//").unwrap_or(t);
    let t = t.strip_suffix(b";").unwrap_or(t);
    [&b"alert"[..], b"prompt", b"confirm"].iter().any(|w| {
        t.strip_prefix(*w).is_some_and(|rest| {
            let closed = match rest.first() {
                Some(b'(') => rest.ends_with(b")"),
                Some(b'`') => rest.len() >= 2 && rest.ends_with(b"`"),
                _ => false,
            };
            closed && rest.len() <= 64 && !rest.iter().any(|&b| is_blank(b))
        })
    })
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\t' | b'\r' | 0x0C)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breakouts_template_calls_and_whole_dialogs() {
        assert!(string_breakout(b"';alert(1)//") && string_breakout(b"`+window[`al`+`ert`](1)+`"));
        assert!(!string_breakout(b"it's; alert the team") && !string_breakout(b"use `x`; then go"));
        assert!(template_breakout(b"${alert(1)}") && template_breakout(b"${ top['al'+'ert'](1)}"));
        assert!(!template_breakout(b"${window.location.origin}") && !template_breakout(b"${fetch(url)}"));
        assert!(dialog_call(b"prompt`1`") && dialog_call(b" alert(document.domain);//"));
        assert!(!dialog_call(b"alert(the team)") && !dialog_call(b"print('x')") && !dialog_call(b"alert"));
    }
}
