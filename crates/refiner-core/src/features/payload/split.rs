//! Splitting a request's locations into the values an app reads one by one.
//!
//! Input: the texts of [`PayloadInput`](super::PayloadInput). Output: calls of a sink with each
//! value, how the app decodes it ([`Decode`]), its [`Location`], and the families to look for.
//! The path gives its segments (and, when it has dot segments, itself for traversal); the query
//! its keys and values; body fields are parsed further ([`body`](super::body)); header values and
//! cookies are split on their separators.

use super::{classes, Location};

/// Body fields, and header values, are joined with the ASCII unit separator.
pub const FIELD_SEPARATOR: u8 = 0x1f;

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

/// Which detectors a value needs: all, only traversal (a whole path, seen across segments), or
/// all but SSRF (the page the browser was on, in a Referer or Origin: a loopback or private host
/// there is where the user was, a developer's machine or an intranet, not where the app is sent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    TraversalOnly,
    PageUrl,
}

/// Where the values go: generic rather than `dyn`, so the per-value prefilter inlines into the
/// splitting loops.
pub trait Sink: FnMut(&[u8], Decode, Location, Scope) {}
impl<F: FnMut(&[u8], Decode, Location, Scope) + ?Sized> Sink for F {}

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
pub(super) fn pieces(text: &[u8], sep: u8) -> impl Iterator<Item = &[u8]> {
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
pub(super) fn pairs<S: Sink + ?Sized>(text: &[u8], sep: u8, decode: Decode, location: Location, sink: &mut S) {
    for pair in pieces(text, sep) {
        let pair = pair.trim_ascii();
        if pair.is_empty() {
            continue;
        }
        match classes::find_byte(b'=', pair) {
            Some(i) => {
                sink(&pair[..i], decode, location, Scope::All);
                let value = &pair[i + 1..];
                // A cookie value may be DQUOTEd (RFC 6265); cookie parsers drop the quotes.
                let value = match value {
                    [b'"', inner @ .., b'"'] if location == Location::Cookie => inner,
                    _ => value,
                };
                if !value.is_empty() {
                    sink(value, decode, location, Scope::All);
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    type Collected = Vec<(String, Decode, Location, Scope)>;
    type Collector<'a> = dyn FnMut(&[u8], Decode, Location, Scope) + 'a;

    pub(in super::super) fn collect(f: impl FnOnce(&mut Collector<'_>)) -> Collected {
        let mut v = Vec::new();
        f(&mut |b: &[u8], d, l, s| v.push((String::from_utf8_lossy(b).into_owned(), d, l, s)));
        v
    }

    pub(in super::super) fn texts(f: impl FnOnce(&mut Collector<'_>)) -> Vec<String> {
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
        assert_eq!(texts(|s| cookies(b"q=\"1%27%20or%20%271\"; e=\"\"", s)), ["q", "1%27%20or%20%271", "e"], "quotes dropped as cookie parsers do");
        assert_eq!(texts(|s| headers(b"https://r.example/?q=1\x1fcurl/8", s)), ["https://r.example/?q=1", "curl/8"]);
    }
}
