//! Splitting a request's locations into the values an app reads one by one.
//!
//! Input: the texts of [`PayloadInput`](super::PayloadInput). Output: calls of a sink with each
//! value, how the app decodes it ([`Decode`]), its [`Location`], and the families to look for.
//! The path gives its segments (and, when it has dot segments, itself for traversal); the query
//! its keys and values; body fields are parsed further when they are JSON, a form or multipart
//! text, at most [`MAX_DEPTH`] levels down; header values and cookies are split on their
//! separators. Malformed input never fails: what does not parse is scanned as one value.

use super::{classes, Location};

/// Body fields, and header values, are joined with the ASCII unit separator.
pub const FIELD_SEPARATOR: u8 = 0x1f;
/// Levels of nested parsing (a JSON string holding JSON, a multipart part holding a form…).
pub const MAX_DEPTH: usize = 3;

/// How an app decodes a value before it uses it: the one level of decoding that is not obfuscation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decode {
    /// Used as is (header values, body fields the JS layer already parsed, JSON strings).
    None,
    /// Percent-decoded (path segments, cookies).
    Percent,
    /// Percent-decoded with `+` as a space (query strings and form bodies).
    PercentPlus,
}

/// Which detectors a value needs: all, or only traversal (a whole path, seen across segments).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    TraversalOnly,
}

/// Where the values go: generic rather than `dyn`, so the per-value prefilter inlines into the
/// splitting loops.
pub trait Sink: FnMut(&[u8], Decode, Location, Scope) {}
impl<F: FnMut(&[u8], Decode, Location, Scope) + ?Sized> Sink for F {}

/// A JSON string inside a field: its bytes, and whether it has escapes to undo.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: u32,
    end: u32,
    escaped: bool,
}

/// Buffers for one level of nested parsing.
#[derive(Debug, Default)]
struct Level {
    unescaped: Vec<u8>,
    spans: Vec<Span>,
}

/// Reused buffers, one set per nesting level.
#[derive(Debug)]
pub struct SplitBuffers {
    levels: Vec<Level>,
}

impl Default for SplitBuffers {
    fn default() -> Self {
        Self { levels: (0..MAX_DEPTH).map(|_| Level::default()).collect() }
    }
}

/// The request target: each path segment, the whole path again for traversal when it has `..`,
/// and each query key and value. A `#fragment` is not part of the request.
pub fn path<S: Sink + ?Sized>(target: &[u8], sink: &mut S) {
    let target = match classes::find_byte(b'#', target) {
        Some(i) => &target[..i],
        None => target,
    };
    let (path, query) = match classes::find_byte(b'?', target) {
        Some(i) => (&target[..i], Some(&target[i + 1..])),
        None => (target, None),
    };
    let mut dot_segments = false;
    for segment in pieces(path, b'/').filter(|s| !s.is_empty()) {
        dot_segments |= dot_segment(segment);
        sink(segment, Decode::Percent, Location::Path, Scope::All);
    }
    // A traversal spread over segments (`/a/../../etc/passwd`, `/%2e%2e/%2e%2e/x`) is seen by no
    // segment alone; one inside a segment (`..%2f..%2fetc`) is, and is not counted twice.
    if dot_segments {
        sink(path, Decode::Percent, Location::Path, Scope::TraversalOnly);
    }
    if let Some(query) = query {
        pairs(query, b'&', Decode::PercentPlus, Location::Query, sink);
    }
}

/// The pieces of `text` between `sep` bytes, found with `memchr` (a byte-wise split is a
/// measurable share of a scan).
fn pieces(text: &[u8], sep: u8) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    let mut ends = memchr::memchr_iter(sep, text).chain(std::iter::once(text.len()));
    std::iter::from_fn(move || {
        let end = ends.next()?;
        let piece = &text[start..end];
        start = end + 1;
        Some(piece)
    })
}

/// A segment of only dots, two or more, literal or `%2e`, maybe with a `;` after (`..;`).
fn dot_segment(segment: &[u8]) -> bool {
    let mut dots = 0;
    let mut i = 0;
    while i < segment.len() {
        if segment[i] == b'.' {
            i += 1;
        } else if segment[i..].len() >= 3 && segment[i..i + 3].eq_ignore_ascii_case(b"%2e") {
            i += 3;
        } else {
            break;
        }
        dots += 1;
    }
    dots >= 2 && (i == segment.len() || segment[i] == b';')
}

/// `key=value` pairs separated by `sep`; both key and value are values.
fn pairs<S: Sink + ?Sized>(text: &[u8], sep: u8, decode: Decode, location: Location, sink: &mut S) {
    for pair in pieces(text, sep) {
        let pair = pair.trim_ascii();
        if pair.is_empty() {
            continue;
        }
        match classes::find_byte(b'=', pair) {
            Some(i) => {
                sink(&pair[..i], decode, location, Scope::All);
                if i + 1 < pair.len() {
                    sink(&pair[i + 1..], decode, location, Scope::All);
                }
            }
            None => sink(pair, decode, location, Scope::All),
        }
    }
}

/// Header values joined with [`FIELD_SEPARATOR`]. Referers and forwarded URLs arrive
/// percent-encoded, so one level of percent-decoding is what the app sees too.
pub fn headers<S: Sink + ?Sized>(text: &[u8], sink: &mut S) {
    for value in pieces(text, FIELD_SEPARATOR).filter(|v| !v.is_empty()) {
        sink(value, Decode::Percent, Location::Header, Scope::All);
    }
}

/// Raw Cookie header values (joined with [`FIELD_SEPARATOR`] when there are several).
pub fn cookies<S: Sink + ?Sized>(text: &[u8], sink: &mut S) {
    for header in pieces(text, FIELD_SEPARATOR) {
        pairs(header, b';', Decode::Percent, Location::Cookie, sink);
    }
}

/// Body fields joined with [`FIELD_SEPARATOR`]; each is parsed further when it is structured.
pub fn body<S: Sink + ?Sized>(text: &[u8], bufs: &mut SplitBuffers, sink: &mut S) {
    for field in pieces(text, FIELD_SEPARATOR).filter(|v| !v.is_empty()) {
        structured(field, Decode::None, 0, &mut bufs.levels, sink);
    }
}

/// Scans `field` as JSON, multipart or form text when it is one, else as a single value.
fn structured<S: Sink + ?Sized>(field: &[u8], decode: Decode, depth: usize, levels: &mut [Level], sink: &mut S) {
    let trimmed = field.trim_ascii();
    let Some((level, deeper)) = levels.split_first_mut() else {
        return sink(field, decode, Location::Body, Scope::All);
    };
    let handled = match trimmed.first() {
        Some(b'{' | b'[') => json(trimmed, depth, level, deeper, sink),
        Some(b'-') => multipart(trimmed, depth, deeper, sink),
        _ if looks_urlencoded(trimmed) => {
            pairs(trimmed, b'&', Decode::PercentPlus, Location::Body, sink);
            true
        }
        _ => false,
    };
    if !handled {
        sink(field, decode, Location::Body, Scope::All);
    }
}

/// `k=v&k2=v2` with keys of form characters, and no raw blanks: a form would have encoded them.
fn looks_urlencoded(s: &[u8]) -> bool {
    classes::tick(s.len());
    let Some(eq) = classes::find_byte(b'=', s) else { return false };
    eq > 0
        && s[..eq].iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'[' | b']' | b'%'))
        && !s.iter().any(|&b| b.is_ascii_whitespace())
}

/// Walks JSON text: every string (key or value) is a value, and one that is itself structured is
/// parsed further. Returns false, having emitted nothing, when `s` is not JSON.
fn json<S: Sink + ?Sized>(s: &[u8], depth: usize, level: &mut Level, deeper: &mut [Level], sink: &mut S) -> bool {
    if !json_spans(s, &mut level.spans) {
        return false;
    }
    for span in &level.spans {
        let raw = &s[span.start as usize..span.end as usize];
        let value = if span.escaped {
            unescape_json(raw, &mut level.unescaped);
            level.unescaped.as_slice()
        } else {
            raw
        };
        // Only a string that starts like JSON or multipart, or has a `=`, can be structured.
        let nested = matches!(value.first(), Some(b'{' | b'[' | b'-' | b' ' | b'\n')) || value.contains(&b'=');
        if nested && depth + 1 < MAX_DEPTH && !deeper.is_empty() && value.len() > 2 {
            structured(value, Decode::None, depth + 1, deeper, sink);
        } else {
            sink(value, Decode::None, Location::Body, Scope::All);
        }
    }
    true
}

/// Collects the strings of JSON text `s` into `spans`; false when `s` is not JSON (a byte outside
/// strings that JSON does not allow, unbalanced brackets, or an unterminated string).
fn json_spans(s: &[u8], spans: &mut Vec<Span>) -> bool {
    classes::tick(s.len());
    spans.clear();
    let mut depth = 0usize;
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'"' => {
                let start = i + 1;
                let mut j = start;
                let mut escaped = false;
                loop {
                    match string_end(&s[j..]) {
                        None => return false,
                        Some(k) if s[j + k] == b'\\' => {
                            escaped = true;
                            j += k + 2;
                            if j > s.len() {
                                return false;
                            }
                        }
                        Some(k) => {
                            j += k;
                            break;
                        }
                    }
                }
                spans.push(Span { start: start as u32, end: j as u32, escaped });
                i = j + 1;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            b',' | b':' | b' ' | b'\t' | b'\n' | b'\r' | b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E' => {}
            b'a' | b'f' | b'l' | b'n' | b'r' | b's' | b't' | b'u' => {}
            _ => return false,
        }
        i += 1;
    }
    depth == 0
}

/// The first `"` or `\` in `s`: a plain loop over the first bytes (most JSON strings are short,
/// and a `memchr` call costs more than it saves there), then `memchr2`.
#[inline]
fn string_end(s: &[u8]) -> Option<usize> {
    let head = s.len().min(24);
    match s[..head].iter().position(|&b| b == b'"' || b == b'\\') {
        Some(k) => Some(k),
        None => memchr::memchr2(b'"', b'\\', &s[head..]).map(|k| head + k),
    }
}

/// Undoes JSON string escapes; `\uXXXX` pairs become UTF-8, lone surrogates U+FFFD.
fn unescape_json(raw: &[u8], out: &mut Vec<u8>) {
    classes::tick(raw.len());
    out.clear();
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b != b'\\' || i + 1 >= raw.len() {
            out.push(b);
            i += 1;
            continue;
        }
        let (c, used) = match raw[i + 1] {
            b'n' => ('\n' as u32, 2),
            b't' => ('\t' as u32, 2),
            b'r' => ('\r' as u32, 2),
            b'b' => (8, 2),
            b'f' => (12, 2),
            b'u' => match hex4(raw, i + 2) {
                Some(hi @ 0xD800..=0xDBFF) => match (raw.get(i + 6..i + 8), hex4(raw, i + 8)) {
                    (Some(b"\\u"), Some(lo @ 0xDC00..=0xDFFF)) => (0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00), 12),
                    _ => (0xFFFD, 6),
                },
                Some(c) => (c, 6),
                None => (u32::from(b'u'), 2),
            },
            other => (u32::from(other), 2),
        };
        let ch = char::from_u32(c).unwrap_or('\u{FFFD}');
        let mut buf = [0; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
        i += used;
    }
}

fn hex4(s: &[u8], at: usize) -> Option<u32> {
    let d = s.get(at..at + 4)?;
    std::str::from_utf8(d).ok().and_then(|h| u32::from_str_radix(h, 16).ok())
}

/// Multipart text: each part's `name` and `filename` and its body (parsed further). False when
/// `s` does not start with a boundary line followed by part headers.
fn multipart<S: Sink + ?Sized>(s: &[u8], depth: usize, deeper: &mut [Level], sink: &mut S) -> bool {
    let Some(line_end) = classes::find_byte(b'\n', s) else { return false };
    let boundary = s[..line_end].trim_ascii_end();
    if boundary.len() < 3 || !boundary.starts_with(b"--") || boundary.iter().any(|b| b.is_ascii_whitespace()) {
        return false;
    }
    classes::tick(s.len());
    let head = &s[line_end + 1..s.len().min(line_end + 1 + 256)];
    if !head.to_ascii_lowercase().starts_with(b"content-") {
        return false;
    }
    let finder = memchr::memmem::Finder::new(boundary);
    let mut rest = &s[line_end + 1..];
    loop {
        let end = finder.find(rest).unwrap_or(rest.len());
        part(&rest[..end], depth, deeper, sink);
        if end >= rest.len() {
            break;
        }
        rest = &rest[end + boundary.len()..];
        if rest.starts_with(b"--") {
            break;
        }
    }
    true
}

/// One multipart part: headers, a blank line, the body.
fn part<S: Sink + ?Sized>(p: &[u8], depth: usize, deeper: &mut [Level], sink: &mut S) {
    classes::tick(p.len());
    let (head, body) = match memchr::memmem::find(p, b"\r\n\r\n") {
        Some(i) => (&p[..i], &p[i + 4..]),
        None => match memchr::memmem::find(p, b"\n\n") {
            Some(i) => (&p[..i], &p[i + 2..]),
            None => (p, &[][..]),
        },
    };
    for key in [&b"name=\""[..], b"filename=\""] {
        let mut from = 0;
        while let Some(i) = memchr::memmem::find(&head[from..], key) {
            let start = from + i + key.len();
            // `name="` also matches inside `filename="`: only take it at a word start.
            if key[0] == b'n' && start > key.len() && head[start - key.len() - 1] == b'e' {
                from = start;
                continue;
            }
            let end = classes::find_byte(b'"', &head[start..]).map_or(head.len(), |j| start + j);
            sink(&head[start..end], Decode::None, Location::Body, Scope::All);
            from = end;
        }
    }
    let body = body.strip_suffix(b"\r\n").or_else(|| body.strip_suffix(b"\n")).unwrap_or(body);
    if !body.is_empty() {
        structured(body, Decode::None, depth + 1, deeper, sink);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Collected = Vec<(String, Decode, Location, Scope)>;
    type Collector<'a> = dyn FnMut(&[u8], Decode, Location, Scope) + 'a;

    fn collect(f: impl FnOnce(&mut Collector<'_>)) -> Collected {
        let mut v = Vec::new();
        f(&mut |b: &[u8], d, l, s| v.push((String::from_utf8_lossy(b).into_owned(), d, l, s)));
        v
    }

    fn texts(f: impl FnOnce(&mut Collector<'_>)) -> Vec<String> {
        collect(f).into_iter().map(|t| t.0).collect()
    }

    #[test]
    fn path_gives_segments_query_pairs_and_the_whole_path_for_dot_segments() {
        let v = collect(|s| path(b"/a/../b%2F?x=1&y=&&z#frag", s));
        let t: Vec<_> = v.iter().map(|t| (t.0.as_str(), t.2, t.3)).collect();
        assert_eq!(
            t,
            [
                ("a", Location::Path, Scope::All),
                ("..", Location::Path, Scope::All),
                ("b%2F", Location::Path, Scope::All),
                ("/a/../b%2F", Location::Path, Scope::TraversalOnly),
                ("x", Location::Query, Scope::All),
                ("1", Location::Query, Scope::All),
                ("y", Location::Query, Scope::All),
                ("z", Location::Query, Scope::All),
            ]
        );
        assert_eq!(v[4].1, Decode::PercentPlus);
    }

    #[test]
    fn only_dot_segments_send_the_whole_path_to_traversal() {
        let whole = |p: &[u8]| collect(|s| path(p, s)).iter().any(|t| t.3 == Scope::TraversalOnly);
        assert!(whole(b"/a/%2E%2e/..;/x"));
        assert!(!whole(b"/a/..%2f..%2fetc/passwd"));
        assert!(!whole(b"/v1.2/a...b"));
    }

    #[test]
    fn pieces_split_like_slice_split() {
        for (text, sep) in [(&b"a/b//c/"[..], b'/'), (b"", b'/'), (b"/", b'/'), (b"abc", b'/')] {
            let ours: Vec<_> = pieces(text, sep).collect();
            let std: Vec<_> = text.split(|&b| b == sep).collect();
            assert_eq!(ours, std);
        }
    }

    #[test]
    fn cookies_and_headers_split_on_their_separators() {
        assert_eq!(texts(|s| cookies(b"sid=abc; theme=dark;x\x1fb=2", s)), ["sid", "abc", "theme", "dark", "x", "b", "2"]);
        assert_eq!(texts(|s| headers(b"https://r.example/?q=1\x1fcurl/8", s)), ["https://r.example/?q=1", "curl/8"]);
    }

    #[test]
    fn json_fields_give_every_string_unescaped() {
        let mut bufs = SplitBuffers::default();
        let v = texts(|s| body(br#"{"name":"O\u0027Brien","tags":["a\"b",1,true,null],"n":{"x":"\ud83d\ude00"}}"#, &mut bufs, s));
        assert_eq!(v, ["name", "O'Brien", "tags", "a\"b", "n", "x", "😀"]);
    }

    #[test]
    fn json_nested_twenty_deep_and_json_inside_a_string() {
        let mut bufs = SplitBuffers::default();
        let deep = format!("{}\"v\"{}", "[".repeat(20), "]".repeat(20));
        assert_eq!(texts(|s| body(deep.as_bytes(), &mut bufs, s)), ["v"]);
        let inner = texts(|s| body(br#"{"payload":"{\"q\":\"x=1\"}"}"#, &mut bufs, s));
        assert_eq!(inner, ["payload", "q", "x", "1"], "a string that is a form is split too");
    }

    #[test]
    fn malformed_json_is_one_value() {
        let mut bufs = SplitBuffers::default();
        for bad in [&br#"{"a":"b""#[..], b"{{7*7}}", b"[1,2", b"{\"a\":\"b\"}}", b"{\"a\\", b"[\"\\"] {
            assert_eq!(texts(|s| body(bad, &mut bufs, s)), [String::from_utf8_lossy(bad)], "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn urlencoded_fields_are_split_and_percent_decoded_later() {
        let mut bufs = SplitBuffers::default();
        let v = collect(|s| body(b"user=anna&comment=hi%27+or+1%3D1\x1fplain text=no", &mut bufs, s));
        let t: Vec<_> = v.iter().map(|t| (t.0.as_str(), t.1)).collect();
        assert_eq!(t, [("user", Decode::PercentPlus), ("anna", Decode::PercentPlus), ("comment", Decode::PercentPlus), ("hi%27+or+1%3D1", Decode::PercentPlus), ("plain text=no", Decode::None)]);
    }

    #[test]
    fn multipart_gives_names_filenames_and_bodies() {
        let mut bufs = SplitBuffers::default();
        let m = b"--XyZ\r\nContent-Disposition: form-data; name=\"bio\"\r\n\r\nhello\r\n--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"../../x.php\"\r\nContent-Type: text/plain\r\n\r\n{\"k\":\"v\"}\r\n--XyZ--\r\n";
        assert_eq!(texts(|s| body(m, &mut bufs, s)), ["bio", "hello", "f", "../../x.php", "k", "v"]);
        assert_eq!(texts(|s| body(b"--not multipart", &mut bufs, s)), ["--not multipart"]);
        assert_eq!(texts(|s| body(b"--B\ncontent-type: x\n\n", &mut bufs, s)).len(), 0);
    }
}
