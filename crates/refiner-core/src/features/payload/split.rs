//! Splitting a request's locations into the values an app reads one by one.
//!
//! Input: the texts of [`PayloadInput`](super::PayloadInput). Output: calls of a sink with each
//! value, how the app decodes it ([`Decode`]), its [`Location`], and the families to look for.
//! The path gives its segments (and, when it has dot segments, itself for traversal, and, when a
//! segment has a character outside the unreserved set, what follows from there on, as a wildcard
//! route hands it to the app); the query its keys and values; body fields are parsed further ([`body`](super::body)); header values and
//! cookies are split on their separators.

use super::classes::{self, Mask};
use super::Location;

/// Body fields, and header values, are joined with the ASCII unit separator.
pub const FIELD_SEPARATOR: u8 = 0x1f;

/// How an app decodes a value before it uses it: the one level of decoding that is not obfuscation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decode {
    /// Used as is (header values, body fields the JS layer already parsed, JSON strings).
    None,
    /// Percent-decoded (cookies, header values).
    Percent,
    /// Percent-decoded with `+` as a space (query strings, form bodies, path segments).
    PercentPlus,
}

/// Which detectors a value needs: all, only traversal (a whole path, seen across segments), all
/// but SSRF (the page the browser was on, in a Referer or Origin: a loopback or private host
/// there is where the user was, a developer's machine or an intranet, not where the app is sent),
/// as that but with what they confirm counted as suspicious (a query value of this site's page
/// in a Referer), or all on the rest of a path from a segment on, counting only what its
/// segments did not find.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    TraversalOnly,
    PageUrl,
    OwnPage,
    Joined,
}

/// Where the values go: generic rather than `dyn`, so the per-value prefilter inlines into the
/// splitting loops. The last argument is the value's [`classes::mask`] when the splitter already
/// has it (a JSON string: the walk that finds its end reads its classes too), else `None`.
pub trait Sink: FnMut(&[u8], Decode, Location, Scope, Option<Mask>) {}
impl<F: FnMut(&[u8], Decode, Location, Scope, Option<Mask>) + ?Sized> Sink for F {}

/// The request target: each path segment, the whole path again for traversal when it has `..`,
/// and each query key and value. A `#fragment` is not part of the request.
///
/// A payload with a `/` in it (`<svg/onload=…>`, `1/**/UNION/**/SELECT`, `..%2f..%2fetc/passwd`,
/// `javascript://%0aalert(1)`) is cut by the segments, while a wildcard route (`/files/*`, a
/// catch-all, a 404 page echoing the URL) hands the app the rest of the path whole. So from the
/// first segment with a byte outside the unreserved set (`A-Z a-z 0-9 - . _ ~`), the rest of the
/// path is a value too, and so is the rest from the segment before it (a payload that starts with
/// an id: `1/**/UNION…`): two values at most, each scanned once.
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
    // Offsets of the first segment with a reserved byte and of the one before it.
    let (mut special, mut before, mut previous) = (None, None, None);
    for segment in pieces(path, b'/').filter(|s| !s.is_empty()) {
        dot_segments |= dot_segment(segment);
        // `+` read as a blank, as WAFs and Java's URLDecoder read it: a path has no other use for
        // it that a detector cares about, and scanners send `'+or+1=1` there.
        sink(segment, Decode::PercentPlus, Location::Path, Scope::All, None);
        let at = segment.as_ptr() as usize - path.as_ptr() as usize;
        if special.is_none() && segment.iter().any(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))) {
            special = Some(at);
            before = previous;
        }
        previous = Some(at);
    }
    if let Some(at) = special {
        classes::tick(path.len() - at);
        if classes::find_byte(b'/', &path[at..]).is_some() {
            sink(&path[at..], Decode::PercentPlus, Location::Path, Scope::Joined, None);
        }
        if let Some(b) = before {
            sink(&path[b..], Decode::PercentPlus, Location::Path, Scope::Joined, None);
        }
    }
    // A traversal spread over segments (`/a/../../etc/passwd`, `/%2e%2e/%2e%2e/x`) is seen by no
    // segment alone; one inside a segment (`..%2f..%2fetc`) is, and is not counted twice.
    if dot_segments {
        sink(path, Decode::Percent, Location::Path, Scope::TraversalOnly, None);
    }
    if let Some(query) = query {
        pairs(query, b'&', Decode::PercentPlus, Location::Query, sink);
    }
}

/// The authority and request target of a URL (`https://host/a/b?x=1` → `host`, `/a/b?x=1`;
/// a relative one has no authority), if it has a path.
pub fn page_target(url: &[u8]) -> Option<(&[u8], &[u8])> {
    let after_scheme = classes::find(url, b"://").map_or(0, |i| i + 3);
    let at = classes::find_byte(b'/', &url[after_scheme..])? + after_scheme;
    (after_scheme > 0 || at == 0).then_some((&url[after_scheme..at], &url[at..]))
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

/// Whether `name` could be a field's name: letters, digits and the marks names and their
/// bracket syntax use (`user[email]`, `user%5Bemail%5D`, `a.b-c_d`), no blank, quote or group.
fn field_name(name: &[u8]) -> bool {
    let mut i = 0;
    while i < name.len() {
        let b = name[i];
        if b == b'%' {
            let hex = name.get(i + 1..i + 3).unwrap_or_default();
            if ![&b"5b"[..], b"5d", b"2e", b"5f", b"2d", b"40"].iter().any(|h| hex.eq_ignore_ascii_case(h)) {
                return false;
            }
            i += 3;
        } else if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'[' | b']' | b'$' | b':' | b'@' | b',') || b >= 0x80 {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

/// `key=value` pairs separated by `sep`; both key and value are values, and a pair whose key is
/// no [`field_name`] is one value too.
pub(super) fn pairs<S: Sink + ?Sized>(text: &[u8], sep: u8, decode: Decode, location: Location, sink: &mut S) {
    for pair in pieces(text, sep) {
        let pair = pair.trim_ascii();
        if pair.is_empty() {
            continue;
        }
        match classes::find_byte(b'=', pair) {
            Some(i) => {
                sink(&pair[..i], decode, location, Scope::All, None);
                // A name no form or parser makes (`1%20or%201=1`, `x')or('a`) is a value that
                // holds an `=`, cut at it: read whole too.
                if !field_name(&pair[..i]) {
                    sink(pair, decode, location, Scope::All, None);
                }
                let value = &pair[i + 1..];
                // A cookie value may be DQUOTEd (RFC 6265); cookie parsers drop the quotes.
                let value = match value {
                    [b'"', inner @ .., b'"'] if location == Location::Cookie => inner,
                    _ => value,
                };
                if !value.is_empty() {
                    sink(value, decode, location, Scope::All, None);
                }
            }
            None => sink(pair, decode, location, Scope::All, None),
        }
    }
}

/// Header values joined with [`FIELD_SEPARATOR`]. Referers and forwarded URLs arrive
/// percent-encoded, so one level of percent-decoding is what the app sees too.
pub fn headers<S: Sink + ?Sized>(text: &[u8], sink: &mut S) {
    for value in pieces(text, FIELD_SEPARATOR).filter(|v| !v.is_empty()) {
        sink(value, Decode::Percent, Location::Header, Scope::All, None);
    }
}

/// Raw Cookie header values (joined with [`FIELD_SEPARATOR`] when there are several). PHP's
/// `$_COOKIE` reads `+` as a blank (urldecode), as CRS does; JavaScript's cookie parsers keep it.
pub fn cookies<S: Sink + ?Sized>(text: &[u8], sink: &mut S) {
    for header in pieces(text, FIELD_SEPARATOR) {
        pairs(header, b';', Decode::PercentPlus, Location::Cookie, sink);
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    type Collected = Vec<(String, Decode, Location, Scope)>;
    type Collector<'a> = dyn FnMut(&[u8], Decode, Location, Scope, Option<Mask>) + 'a;

    pub(in super::super) fn collect(f: impl FnOnce(&mut Collector<'_>)) -> Collected {
        let mut v = Vec::new();
        f(&mut |b: &[u8], d, l, s, _| v.push((String::from_utf8_lossy(b).into_owned(), d, l, s)));
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
                ("../b%2F", Location::Path, Scope::Joined),
                ("/a/../b%2F", Location::Path, Scope::TraversalOnly),
                ("x", Location::Query, Scope::All),
                ("1", Location::Query, Scope::All),
                ("y", Location::Query, Scope::All),
                ("z", Location::Query, Scope::All),
            ]
        );
        assert_eq!(v[5].1, Decode::PercentPlus);
    }

    #[test]
    fn the_rest_of_the_path_from_the_first_reserved_byte_is_a_value_too() {
        let joined = |p: &[u8]| collect(|s| path(p, s)).into_iter().filter(|t| t.3 == Scope::Joined).map(|t| t.0).collect::<Vec<_>>();
        assert_eq!(joined(b"/products/1/**/UNION/**/SELECT?x=1"), ["**/UNION/**/SELECT", "1/**/UNION/**/SELECT"]);
        assert_eq!(joined(b"/go/javascript://%0aalert(1)"), ["javascript://%0aalert(1)", "go/javascript://%0aalert(1)"]);
        assert_eq!(joined(b"/x/%3Cb%3E"), ["x/%3Cb%3E"], "one segment after: only the rest from the one before");
        assert!(joined(b"/api/v1.2/users/42/orders_2024-05-01").is_empty());
    }

    #[test]
    fn only_dot_segments_send_the_whole_path_to_traversal() {
        let whole = |p: &[u8]| collect(|s| path(p, s)).iter().any(|t| t.3 == Scope::TraversalOnly);
        assert!(whole(b"/a/%2E%2e/..;/x"));
        assert!(!whole(b"/a/..%2f..%2fetc/passwd"));
        assert!(!whole(b"/v1.2/a...b"));
    }

    #[test]
    fn a_page_url_gives_its_target() {
        assert_eq!(page_target(b"https://shop.example/a/b?x=1#f"), Some((&b"shop.example"[..], &b"/a/b?x=1#f"[..])));
        assert_eq!(page_target(b"https://shop.example"), None);
        assert_eq!(page_target(b"/relative?x=1"), Some((&b""[..], &b"/relative?x=1"[..])));
        assert_eq!(page_target(b"android-app://com.google.android.gm/"), Some((&b"com.google.android.gm"[..], &b"/"[..])));
        assert_eq!(page_target(b"no url at all"), None);
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

    #[test]
    fn a_pair_whose_name_no_form_makes_is_read_whole_too() {
        let pairs_of = |t: &[u8]| texts(|s| pairs(t, b'&', Decode::PercentPlus, Location::Body, s));
        assert_eq!(pairs_of(b"1%20or%201=1&a=1"), ["1%20or%201", "1%20or%201=1", "1", "a", "1"]);
        assert_eq!(pairs_of(b"x')or('a=a"), ["x')or('a", "x')or('a=a", "a"]);
        for name in [&b"user%5Bemail%5D"[..], b"a.b-c_d", b"items[0][sku]", b"AMCV_1%40AdobeOrg", b"\xd0\xb8\xd0\xbc\xd1\x8f"] {
            assert!(field_name(name), "{}", String::from_utf8_lossy(name));
        }
    }
}
