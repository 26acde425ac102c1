//! Body fields parsed further: JSON text walked for its strings, `application/x-www-form-urlencoded`
//! fields split, `multipart/form-data` parts taken apart, each at most [`MAX_DEPTH`] levels down
//! (a JSON string holding JSON, a part holding a form…).
//!
//! Input: the `\x1f`-joined body fields. Output: calls of the sink with each value. Malformed
//! input never fails: what does not parse is scanned as one value, and every pass is linear.
//!
//! Multipart is read as busboy (multer) reads it: a delimiter counts only at a line start; the
//! text before the first delimiter (a preamble) is skipped by servers, but it is scanned here as
//! one value anyway, since the same text may reach an app unparsed; header names and parameter
//! names in any case (`CONTENT-DISPOSITION`, `NAME=`), parameters quoted or not (`name=q`),
//! `filename*=UTF-8''…` (RFC 5987, percent-decoded), and a boundary with blanks inside (quoted in
//! the Content-Type). Every part's body is scanned, files included, except a file that is binary
//! data (a photo, a PDF, an archive: see `binary`).

use super::split::{pairs, pieces, Decode, Scope, Sink, FIELD_SEPARATOR};
use super::classes::{self, Mask};
use super::Location;
use std::sync::OnceLock;

/// Levels of nested parsing.
pub const MAX_DEPTH: usize = 3;

/// A JSON string inside a field: its bytes, whether it has escapes to undo, and the byte classes
/// of its bytes (meaningful only when it has none).
#[derive(Clone, Copy, Debug)]
struct Span {
    start: u32,
    end: u32,
    escaped: bool,
    mask: Mask,
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

/// Body fields joined with [`FIELD_SEPARATOR`]; each is parsed further when it is structured.
pub fn fields<S: Sink + ?Sized>(text: &[u8], bufs: &mut SplitBuffers, sink: &mut S) {
    for field in pieces(text, FIELD_SEPARATOR) {
        field_of(field, bufs, sink);
    }
}

/// One body field, whatever bytes it holds (a raw body's `\x1f` is data, not a separator).
pub fn field_of<S: Sink + ?Sized>(field: &[u8], bufs: &mut SplitBuffers, sink: &mut S) {
    if !field.is_empty() {
        structured(field, Decode::None, 0, &mut bufs.levels, sink);
    }
}

/// Scans `field` as JSON, multipart or form text when it is one, else as a single value.
fn structured<S: Sink + ?Sized>(field: &[u8], decode: Decode, depth: usize, levels: &mut [Level], sink: &mut S) {
    // Body parsers drop a UTF-8 byte-order mark before they parse.
    let trimmed = field.trim_ascii();
    let trimmed = trimmed.strip_prefix("\u{feff}".as_bytes()).unwrap_or(trimmed).trim_ascii();
    let Some((level, deeper)) = levels.split_first_mut() else {
        return sink(field, decode, Location::Body, Scope::All, None);
    };
    let handled = match trimmed.first() {
        // A JSON text may be a lone string (`JSON.stringify(value)` sent as the body).
        Some(b'{' | b'[') => json(trimmed, depth, level, deeper, sink),
        Some(b'"') if trimmed.len() > 1 && trimmed.ends_with(b"\"") => {
            // A field of a parsed body that is itself a quoted text (`"-alert(1)-"`) is a value
            // with its quotes too, unless escapes make it JSON.
            let handled = json(trimmed, depth, level, deeper, sink);
            if handled && depth == 0 && !trimmed.contains(&b'\\') {
                sink(field, decode, Location::Body, Scope::All, None);
            }
            handled
        }
        Some(b'-') => multipart(trimmed, depth, deeper, sink),
        _ if looks_urlencoded(trimmed) => {
            pairs(trimmed, b'&', Decode::PercentPlus, Location::Body, sink);
            // One `name=value` is as likely a value of a parsed body (`{"id":"1%20or%201=1"}`),
            // which the app reads whole: split, its `=` would be lost.
            if !trimmed.contains(&b'&') {
                sink(field, decode, Location::Body, Scope::All, None);
            }
            true
        }
        _ if preamble_then_multipart(trimmed, decode, depth, deeper, sink) => true,
        _ => false,
    };
    if !handled {
        sink(field, decode, Location::Body, Scope::All, None);
    }
}

/// Multipart text after a preamble: the preamble is one value, then the parts. At most 8 line
/// starts with `--` are tried as the first delimiter.
fn preamble_then_multipart<S: Sink + ?Sized>(s: &[u8], decode: Decode, depth: usize, deeper: &mut [Level], sink: &mut S) -> bool {
    // One searcher for every field: building one per call cost more than the rest of a short
    // field's scan, and most fields that are not plain come here.
    static LINE_DASHES: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
    for at in LINE_DASHES.get_or_init(|| memchr::memmem::Finder::new(b"\n--")).find_iter(s).take(8) {
        if multipart(&s[at + 1..], depth, deeper, sink) {
            let preamble = s[..at].trim_ascii();
            if !preamble.is_empty() {
                sink(preamble, decode, Location::Body, Scope::All, None);
            }
            return true;
        }
    }
    false
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
/// parsed further. Returns false, having emitted nothing, when `s` is not JSON. A key of an object
/// that is another key's value is read with that key when it is a query operator, a prototype
/// holding an object, or any key of `__proto__`'s object, as `qs` writes them:
/// `{"password":{"$ne":null}}` is `password[$ne]`.
fn json<S: Sink + ?Sized>(s: &[u8], depth: usize, level: &mut Level, deeper: &mut [Level], sink: &mut S) -> bool {
    if !json_spans(s, &mut level.spans) {
        return false;
    }
    // The key (its span's bounds) that each open object is the value of; None for arrays and
    // objects that are no key's value. Read from the structure between strings, once.
    let mut owners: Vec<Option<(usize, usize)>> = Vec::new();
    let mut prev: Option<(usize, usize)> = None;
    let mut gap_start = 0;
    for span in &level.spans {
        let (start, end) = (span.start as usize, span.end as usize);
        let mut keyed = false;
        for &b in &s[gap_start..start - 1] {
            match b {
                b':' => keyed = true,
                b'{' => owners.push(if keyed { prev } else { None }),
                b'[' => owners.push(None),
                b'}' | b']' => drop(owners.pop()),
                b',' => keyed = false,
                _ => {}
            }
        }
        gap_start = end + 1;
        prev = Some((start, end));
        let raw = &s[start..end];
        let (value, mask) = if span.escaped {
            unescape_json(raw, &mut level.unescaped);
            (level.unescaped.as_slice(), classes::mask(&level.unescaped))
        } else {
            (raw, classes::mask_of_union(raw, span.mask))
        };
        // Only a string that starts like JSON or multipart, or has a `=`, can be structured.
        let nested = matches!(value.first(), Some(b'{' | b'[' | b'-' | b' ' | b'\n')) || mask & classes::EQ != 0;
        let owner = owners.last().copied().flatten().map(|(a, b)| &s[a..b]);
        let owned = owner.filter(|&o| {
            // What follows the string: a key's `:`, then its value's first byte.
            let mut next = s[end + 1..].iter().copied().filter(|b| !b.is_ascii_whitespace());
            next.next() == Some(b':') && (value.first() == Some(&b'$') || o == b"__proto__" || (value == b"prototype" && next.next() == Some(b'{')))
        });
        if nested && depth + 1 < MAX_DEPTH && !deeper.is_empty() && value.len() > 2 {
            structured(value, Decode::None, depth + 1, deeper, sink);
        } else if let Some(owner) = owned {
            let path = [owner, b"[", value, b"]"].concat();
            sink(&path, Decode::None, Location::Body, Scope::All, None);
        } else {
            sink(value, Decode::None, Location::Body, Scope::All, Some(mask));
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
                let (mut escaped, mut mask) = (false, 0);
                // One pass finds the string's end and gathers its classes, which the value's
                // prefilter would otherwise read again (those of an escaped string are not used:
                // it is unescaped and read then).
                loop {
                    let Some(&b) = s.get(j) else { return false };
                    let class = classes::of(b);
                    // Both ends of a string's plain run have a class: one test a byte.
                    if class & (classes::QUOTE | classes::BACKSLASH) != 0 {
                        if b == b'"' {
                            break;
                        }
                        if b == b'\\' {
                            escaped = true;
                            j += 1;
                        }
                    }
                    mask |= class;
                    j += 1;
                }
                spans.push(Span { start: start as u32, end: j as u32, escaped, mask });
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
    if boundary.len() < 3 || !boundary.starts_with(b"--") || boundary.iter().any(|&b| b.is_ascii_whitespace() && b != b' ') {
        return false;
    }
    let head = &s[line_end + 1..];
    if head.len() < 8 || !head[..8].eq_ignore_ascii_case(b"content-") {
        return false;
    }
    classes::tick(s.len());
    let finder = memchr::memmem::Finder::new(boundary);
    let mut rest = head;
    loop {
        // A delimiter only counts at a line start, as busboy looks for CRLF then `--boundary`.
        let mut from = 0;
        let end = loop {
            match finder.find(&rest[from..]) {
                Some(k) if from + k == 0 || rest[from + k - 1] == b'\n' => break from + k,
                Some(k) => from += k + 1,
                None => break rest.len(),
            }
        };
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
    let mut file = false;
    for line in pieces(head, b'\n') {
        const CD: &[u8] = b"content-disposition:";
        if line.len() > CD.len() && line[..CD.len()].eq_ignore_ascii_case(CD) {
            file |= disposition_params(&line[CD.len()..], sink);
        }
    }
    let body = body.strip_suffix(b"\r\n").or_else(|| body.strip_suffix(b"\n")).unwrap_or(body);
    // An uploaded photo, PDF or archive is stored, not read as text: its bytes would only make
    // chance matches (a quote, `--`, `or`), more of them the larger the file. A field without a
    // file name is scanned whatever it holds.
    if !(body.is_empty() || file && binary(body)) {
        structured(body, Decode::None, depth + 1, deeper, sink);
    }
}

/// Whether a Content-Type names a format apps store rather than parse as text: images (but SVG),
/// audio, video, fonts, PDFs and archives.
pub fn binary_media(content_type: &str) -> bool {
    const BINARY: &[&str] = &[
        "image/", "audio/", "video/", "font/", "application/octet-stream", "application/pdf", "application/zip", "application/gzip",
        "application/x-gzip", "application/x-tar", "application/x-bzip2", "application/x-xz", "application/x-7z-compressed",
        "application/vnd.rar", "application/x-rar-compressed", "application/wasm",
    ];
    let ct = content_type.trim_start().as_bytes();
    let starts = |p: &str| ct.len() >= p.len() && ct[..p.len()].eq_ignore_ascii_case(p.as_bytes());
    BINARY.iter().any(|p| starts(p)) && !starts("image/svg")
}

/// Whether `text` is binary data decoded as text: at least 1 in 64 of its bytes is a C0 control
/// other than tab, form feed and line breaks. Random or compressed bytes give ~1 in 9, whether
/// read as UTF-8 or Latin-1; text gives none, and JSON cannot hold one raw, so a JSON body padded
/// with U+FFFD to look binary is still read.
pub fn binary(text: &[u8]) -> bool {
    classes::tick(text.len());
    let marks = text.iter().filter(|&&b| matches!(b, 0x00..=0x08 | 0x0b | 0x0e..=0x1f | 0x7f)).count();
    marks >= 8 && marks * 64 >= text.len()
}

/// The `name`, `filename` and `filename*` parameters of a Content-Disposition value, quoted or
/// not, whatever their case; true when it names a file.
fn disposition_params<S: Sink + ?Sized>(v: &[u8], sink: &mut S) -> bool {
    let mut file = false;
    let mut i = 0;
    while i < v.len() {
        let Some(eq) = classes::find_byte(b'=', &v[i..]).map(|k| i + k) else { return file };
        let key_start = v[i..eq].iter().rposition(|&b| b == b';' || b == b' ').map_or(i, |k| i + k + 1);
        let key = v[key_start..eq].trim_ascii();
        let (value, next) = if v.get(eq + 1) == Some(&b'"') {
            let mut j = eq + 2;
            while j < v.len() && v[j] != b'"' {
                j += 1 + usize::from(v[j] == b'\\');
            }
            (&v[eq + 2..j.min(v.len())], j + 1)
        } else {
            let j = classes::find_byte(b';', &v[eq + 1..]).map_or(v.len(), |k| eq + 1 + k);
            (v[eq + 1..j].trim_ascii(), j)
        };
        classes::tick(next.min(v.len()) - i);
        file |= key.len() >= 8 && key[..8].eq_ignore_ascii_case(b"filename");
        if key.eq_ignore_ascii_case(b"name") || key.eq_ignore_ascii_case(b"filename") {
            sink(value, Decode::None, Location::Body, Scope::All, None);
        } else if key.eq_ignore_ascii_case(b"filename*") {
            // RFC 5987: charset'language'percent-encoded.
            let text = value.iter().rposition(|&b| b == b'\'').map_or(value, |k| &value[k + 1..]);
            sink(text, Decode::Percent, Location::Body, Scope::All, None);
        }
        i = next;
    }
    file
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::payload::split::tests::{collect, texts};

    #[test]
    fn json_fields_give_every_string_unescaped() {
        let mut bufs = SplitBuffers::default();
        let v = texts(|s| fields(br#"{"name":"O\u0027Brien","tags":["a\"b",1,true,null],"n":{"x":"\ud83d\ude00"}}"#, &mut bufs, s));
        assert_eq!(v, ["name", "O'Brien", "tags", "a\"b", "n", "x", "😀"]);
    }

    #[test]
    fn json_nested_twenty_deep_and_json_inside_a_string() {
        let mut bufs = SplitBuffers::default();
        let deep = format!("{}\"v\"{}", "[".repeat(20), "]".repeat(20));
        assert_eq!(texts(|s| fields(deep.as_bytes(), &mut bufs, s)), ["v"]);
        let inner = texts(|s| fields(br#"{"payload":"{\"q\":\"x=1\"}"}"#, &mut bufs, s));
        assert_eq!(inner, ["payload", "q", "x", "1", "x=1"], "a string that is a form is split too, and read whole when it is one pair");
        let form = texts(|s| fields(b"a=1&b=or%201=1", &mut bufs, s));
        assert_eq!(form, ["a", "1", "b", "or%201=1"], "a form of several pairs is only split");
    }

    #[test]
    fn a_lone_json_string_is_unescaped_and_quoted_sql_is_not() {
        let mut bufs = SplitBuffers::default();
        assert_eq!(texts(|s| fields(br#""1 AND (SELECT \"a\")""#, &mut bufs, s)), [r#"1 AND (SELECT "a")"#]);
        let sql = br#""x" or "1"="1""#;
        assert_eq!(texts(|s| fields(sql, &mut bufs, s)), [String::from_utf8_lossy(sql)], "not one JSON string: one value as sent");
        let quoted = br#""-alert(1)-""#;
        assert_eq!(texts(|s| fields(quoted, &mut bufs, s)), ["-alert(1)-", "\"-alert(1)-\""], "a quoted text is also a value with its quotes");
    }

    #[test]
    fn operator_and_prototype_keys_are_read_with_their_parent() {
        let mut bufs = SplitBuffers::default();
        let v = texts(|s| fields(br#"{"username":"admin","password":{"$ne":null},"a":{"constructor":{"prototype":{"x":1}}},"b":{"c":"$d"}}"#, &mut bufs, s));
        assert_eq!(v, ["username", "admin", "password", "password[$ne]", "a", "constructor", "constructor[prototype]", "x", "b", "c", "$d"]);
        let crm = texts(|s| fields(br#"{"constructor":{"name":"ACME","prototype":"Model B"}}"#, &mut bufs, s));
        assert_eq!(crm, ["constructor", "name", "ACME", "prototype", "Model B"]);
        let later = texts(|s| fields(br#"{"password" :                    {"$options":"s","$regex":".*"},"__proto__":{"isAdmin":true},"c":{"name":"x","prototype":{"y":1}}}"#, &mut bufs, s));
        assert_eq!(later, ["password", "password[$options]", "s", "password[$regex]", ".*", "__proto__", "__proto__[isAdmin]", "c", "name", "x", "c[prototype]", "y"]);
    }

    #[test]
    fn a_byte_order_mark_does_not_hide_json() {
        let mut bufs = SplitBuffers::default();
        assert_eq!(texts(|s| fields("\u{feff}{\"q\":\"1' or '1'='1\"}".as_bytes(), &mut bufs, s)), ["q", "1' or '1'='1"]);
    }

    #[test]
    fn malformed_json_is_one_value() {
        let mut bufs = SplitBuffers::default();
        for bad in [&br#"{"a":"b""#[..], b"{{7*7}}", b"[1,2", b"{\"a\":\"b\"}}", b"{\"a\\", b"[\"\\"] {
            assert_eq!(texts(|s| fields(bad, &mut bufs, s)), [String::from_utf8_lossy(bad)], "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn urlencoded_fields_are_split_and_percent_decoded_later() {
        let mut bufs = SplitBuffers::default();
        let v = collect(|s| fields(b"user=anna&comment=hi%27+or+1%3D1\x1fplain text=no", &mut bufs, s));
        let t: Vec<_> = v.iter().map(|t| (t.0.as_str(), t.1)).collect();
        assert_eq!(t, [("user", Decode::PercentPlus), ("anna", Decode::PercentPlus), ("comment", Decode::PercentPlus), ("hi%27+or+1%3D1", Decode::PercentPlus), ("plain text=no", Decode::None)]);
    }

    #[test]
    fn multipart_gives_names_filenames_and_bodies() {
        let mut bufs = SplitBuffers::default();
        let m = b"--XyZ\r\nContent-Disposition: form-data; name=\"bio\"\r\n\r\nhello\r\n--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"../../x.php\"\r\nContent-Type: text/plain\r\n\r\n{\"k\":\"v\"}\r\n--XyZ--\r\n";
        assert_eq!(texts(|s| fields(m, &mut bufs, s)), ["bio", "hello", "f", "../../x.php", "k", "v"]);
        assert_eq!(texts(|s| fields(b"--not multipart", &mut bufs, s)), ["--not multipart"]);
        assert_eq!(texts(|s| fields(b"--B\ncontent-type: x\n\n", &mut bufs, s)).len(), 0);
    }

    #[test]
    fn multipart_as_busboy_reads_it() {
        let mut bufs = SplitBuffers::default();
        let pre = b"This is a multi-part message in MIME format.\r\n--XyZ\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\n' or 1=1--\r\n--XyZ--\r\n";
        assert_eq!(texts(|s| fields(pre, &mut bufs, s)), ["q", "' or 1=1--", "This is a multi-part message in MIME format."]);
        let odd = b"--a b\nCONTENT-DISPOSITION: form-data; NAME=q; FILENAME*=UTF-8''%3Cscript%3E.txt\n\nx--a b inside\n--a b--\n";
        let v = collect(|s| fields(odd, &mut bufs, s));
        let t: Vec<_> = v.iter().map(|t| (t.0.as_str(), t.1)).collect();
        assert_eq!(t, [("q", Decode::None), ("%3Cscript%3E.txt", Decode::Percent), ("x--a b inside", Decode::None)]);
    }

    #[test]
    fn binary_files_are_not_read_as_text_but_fields_and_text_files_are() {
        let mut bufs = SplitBuffers::default();
        // A JPEG's bytes as busboy's caller may hand them over: UTF-8 decoded (U+FFFD) or Latin-1.
        let jpeg: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let file_of = |text: &[u8], bufs: &mut SplitBuffers| texts(|s| field_of(text, bufs, s));
        let as_utf8 = String::from_utf8_lossy(&jpeg).into_owned();
        let as_latin1: String = jpeg.iter().map(|&b| char::from(b)).collect();
        for file in [as_utf8, as_latin1] {
            let mut m = b"--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.jpg\"\r\n\r\n".to_vec();
            m.extend_from_slice(file.as_bytes());
            m.extend_from_slice(b"\r\n--B\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\nx\x01' or 1=1--\r\n--B--\r\n");
            assert_eq!(file_of(&m, &mut bufs), ["f", "a.jpg", "q", "x\u{1}' or 1=1--"], "a field is read whatever it holds");
        }
        let csv = b"--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.csv\"\r\n\r\nname,note\r\nx,' or 1=1--\r\n--B--\r\n";
        assert_eq!(file_of(csv, &mut bufs).len(), 3, "a text file is read");
    }
}
