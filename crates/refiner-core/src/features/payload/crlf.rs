//! Header and response splitting (CRLF injection): a line break in a value that an app may put
//! in a response header (a redirect's `Location`, a cookie, a log line), followed by a header or
//! a second message.
//!
//! Input: a decoded value in its original case (normalization folds CR into a blank), its byte
//! classes, its [`Location`], and whether its line breaks all came from the deep decoding.
//! Output: confirmed or suspicious.
//!
//! A line break is CR, LF or CRLF, or U+560A or U+560D (`嘊`, `嘍`), which a Latin-1 header
//! writer (old Node.js among them) cuts to LF and CR (in a body, the body rules below keep a
//! Chinese text's `嘍` at most suspicious). The line after it is judged:
//! - strong: a status or request line (`HTTP/1.1 200 OK`, `GET /admin HTTP/1.1`), a header that
//!   only HTTP has (`Set-Cookie`, `Content-Length`, `X-…`, `Access-Control-…`…) or one with an
//!   everyday name whose value has its HTTP grammar (`Location: https://…` or `/…`, not
//!   `Location: the park`; `Host: a.example`; `Bcc: x@y.example`); outside bodies, also an empty
//!   line then markup (`\r\n\r\n<script>`);
//! - generic: any other `name: value` line (`Note: bring ID`).
//!
//! Multi-line text is everyday content in a body field (a message, an address, a form's textarea
//! percent-encoded), and there a line like `Note: bring ID` or even `Location: https://maps…` is
//! not evidence. So a body line break counts only after a line that is empty or a URL, path or
//! e-mail address (a redirect target or address field in which a newline never belongs): a strong
//! line there is confirmed, and is otherwise suspicious; a generic line there is suspicious and is
//! otherwise nothing. Where a newline never belongs (path segments, cookies) any header line is
//! confirmed. Query strings and header values sit in between (share links carry text with
//! newlines, `?text=Party tonight%0ALocation: https://maps…`, and a referer carries such a
//! query): a strong line is confirmed unless the line before it is text with blanks, and a
//! generic one only when the value starts with the break. Behind HTTP's own CRLF (share texts
//! break lines with LF) and outside a page URL, more is confirmed: a header only HTTP has
//! (`Set-Cookie`, `Content-Length`, a status line) after any text, an everyday one with its
//! grammar after a redirect target that a blank made look like text (`/home x\r\nRefresh: 0;…`),
//! and a value that is a URL followed by header lines and nothing else (a scanner's probe names
//! its own header). A header value that is no page URL (a user agent) carries no share text: a
//! strong line there is confirmed after text too. A body value whose breaks all came from the
//! deep decoding (it held `%0d%0a`, not newlines) is judged as a query value.

use super::classes::{self, Mask};
use super::Location;

/// Line breaks looked at per value (each costs at most its two lines, so this only caps the
/// constant).
const MAX_BREAKS: usize = 1024;
/// Longest line before a break still judged a URL or token (longer ones are text).
const MAX_BEFORE: usize = 512;

/// What the line after a break looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Line {
    /// A status or request line, or a header only HTTP has (`Set-Cookie`, `Content-Length`).
    Http,
    /// An everyday name with its HTTP grammar (`Location: https://…`, `Bcc: x@y.example`).
    Strong,
    Generic,
    Other,
}

impl Line {
    fn strong(self) -> bool {
        matches!(self, Self::Http | Self::Strong)
    }
}

/// What the line before a break looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Before {
    /// Nothing: the value starts with the break (blanks aside).
    Empty,
    /// A URL, path or e-mail address: one blank-free token with `://`, a leading `/` or an `@`.
    Url,
    /// Any other blank-free token.
    Token,
    /// Text with blanks, or a blank line inside the value (a paragraph break).
    Text,
}

/// A line break at `s[i]`: its length, or 0.
#[inline]
fn break_at(s: &[u8], i: usize, unicode: bool) -> usize {
    match s.get(i) {
        Some(b'\r' | b'\n') => 1,
        Some(0xE5) if unicode && s.get(i + 1) == Some(&0x98) && matches!(s.get(i + 2), Some(0x8A | 0x8D)) => 3,
        _ => 0,
    }
}

/// Whether `s` holds U+560A or U+560D.
pub fn has_unicode_break(s: &[u8]) -> bool {
    // By its lead byte, which text outside CJK never has (a two-byte `memmem` searcher costs its
    // setup on every value with a non-ASCII byte).
    memchr::memchr_iter(0xE5, s).any(|i| s.get(i + 1) == Some(&0x98) && matches!(s.get(i + 2), Some(0x8A | 0x8D)))
}

fn classify_before(line: &[u8], at_start: bool) -> Before {
    let line = line.trim_ascii();
    if line.is_empty() {
        return if at_start { Before::Empty } else { Before::Text };
    }
    if line.len() > MAX_BEFORE || line.iter().any(|&b| b == b' ' || b == b'\t') {
        return Before::Text;
    }
    classes::tick(line.len());
    if line.starts_with(b"/") || classes::contains(line, b"://") || line.contains(&b'@') || line[..line.len().min(4)].eq_ignore_ascii_case(b"www.") {
        Before::Url
    } else {
        Before::Token
    }
}

fn tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'^' | b'`' | b'|' | b'~')
}

/// Whether `v` starts with a URI scheme and its colon, or a `/`.
fn url_like(v: &[u8]) -> bool {
    let n = v.iter().take(24).take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-')).count();
    v.starts_with(b"/") || (n > 1 && v[0].is_ascii_alphabetic() && v.get(n) == Some(&b':'))
}

/// A blank-free `token` followed by `sep`.
fn token_then(v: &[u8], sep: u8) -> bool {
    let n = v.iter().take(64).take_while(|&&b| tchar(b)).count();
    n > 0 && v.get(n) == Some(&sep)
}

/// An e-mail address among the first words of `v`.
fn has_address(v: &[u8]) -> bool {
    v.split(|&b| b == b' ' || b == b',').take(8).any(|w| {
        let w = w.strip_prefix(b"<").unwrap_or(w);
        w.iter().position(|&b| b == b'@').is_some_and(|k| k > 0 && k + 1 < w.len())
    })
}

/// Judges a header `name` (lower-case) and its `value`.
fn header(name: &[u8], value: &[u8]) -> Line {
    let http = match name {
        b"set-cookie" | b"set-cookie2" | b"cookie" => token_then(value, b'='),
        b"content-type" => token_then(value, b'/'),
        b"content-length" => classes::digits(value),
        b"transfer-encoding" | b"content-security-policy" | b"content-disposition" | b"content-encoding" | b"cache-control"
        | b"strict-transport-security" | b"www-authenticate" | b"proxy-authenticate" | b"authorization"
        | b"proxy-authorization" | b"user-agent" | b"referer" | b"last-modified" | b"if-modified-since" | b"if-none-match"
        | b"keep-alive" | b"etag" | b"x-xss-protection" | b"x-frame-options" | b"x-forwarded-for" | b"x-forwarded-host"
        | b"clear-site-data" | b"alt-svc" | b"permissions-policy" | b"content-language" => true,
        _ => name.starts_with(b"access-control-") || (name.len() > 2 && name.starts_with(b"x-") && name[2].is_ascii_alphabetic()),
    };
    let strong = match name {
        b"location" | b"content-location" => url_like(value),
        b"refresh" => value.first().is_some_and(u8::is_ascii_digit),
        b"host" => value.iter().all(|&b| tchar(b) || matches!(b, b':' | b'[' | b']')) && (value.contains(&b'.') || value.contains(&b':') || value == b"localhost"),
        b"connection" => value.eq_ignore_ascii_case(b"close") || value.eq_ignore_ascii_case(b"keep-alive"),
        b"to" | b"cc" | b"bcc" | b"from" | b"reply-to" | b"sender" => has_address(value),
        // `Link: <https://evil.example/x.css>; rel=stylesheet` loads a stylesheet.
        b"link" => value.starts_with(b"<") && classes::contains_ignore_case(value, b"rel="),
        _ => false,
    };
    if http {
        Line::Http
    } else if strong {
        Line::Strong
    } else {
        Line::Generic
    }
}

/// Judges the line that starts at `s[i..]` (up to the next break).
fn line_after(s: &[u8], i: usize, unicode: bool) -> Line {
    let rest = &s[i..];
    let len = rest.iter().take(256).position(|&b| b == b'\r' || b == b'\n' || (unicode && b == 0xE5)).unwrap_or(rest.len().min(256));
    classes::tick(len);
    let line = &rest[..len];
    // A status line (`HTTP/1.1 200`) or a request line (`GET /x HTTP/1.1`).
    let status = |l: &[u8]| {
        l.len() >= 10 && l[..5].eq_ignore_ascii_case(b"http/") && l[5].is_ascii_digit() && l.iter().skip(6).position(|&b| b == b' ').is_some_and(|k| {
            let code = &l[6 + k + 1..];
            code.len() >= 3 && code[..3].iter().all(u8::is_ascii_digit)
        })
    };
    if status(line) {
        return Line::Http;
    }
    let method = line.iter().take(8).take_while(|b| b.is_ascii_uppercase()).count();
    if method >= 3 && line.get(method) == Some(&b' ') && line.get(method + 1) == Some(&b'/') {
        let tail = line.trim_ascii_end();
        if tail.len() >= 8 && tail[tail.len() - 8..tail.len() - 3].eq_ignore_ascii_case(b"http/") {
            return Line::Http;
        }
    }
    let n = line.iter().take(41).take_while(|&&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_').count();
    if !(2..=40).contains(&n) || !line[0].is_ascii_alphabetic() || line.get(n) != Some(&b':') {
        return Line::Other;
    }
    let value = line[n + 1..].trim_ascii();
    let mut name = [0u8; 40];
    for (d, s) in name.iter_mut().zip(&line[..n]) {
        *d = s.to_ascii_lowercase();
    }
    let name = &name[..n];
    // `https://…`, `mailto:…`, `myapp://open` are URLs, not headers.
    if value.is_empty() || matches!(name, b"http" | b"https" | b"ftp" | b"mailto" | b"tel" | b"javascript" | b"data" | b"file") {
        return Line::Other;
    }
    match header(name, value) {
        Line::Generic if value.starts_with(b"//") => Line::Other,
        line => line,
    }
}

/// Looks for header splitting in a decoded value (original case). `decoded_breaks`: every line
/// break in `s` came from the deep decoding. Returns (confirmed, suspicious).
pub fn detect(s: &[u8], mask: Mask, location: Location, decoded_breaks: bool, page_url: bool) -> (bool, bool) {
    if mask & (classes::NEWLINE | classes::HIGH) == 0 {
        return (false, false);
    }
    let unicode = mask & classes::HIGH != 0 && has_unicode_break(s);
    if mask & classes::NEWLINE == 0 && !unicode {
        return (false, false);
    }
    // Where a newline never belongs, any header line counts; where it may start text that is
    // not a header, a strong one; in bodies, only after an empty or URL-like line.
    let anywhere = matches!(location, Location::Path | Location::Cookie);
    let strict = location != Location::Body || decoded_breaks;
    // Where text with a line break is at home: a query (share links), a page URL's query (a
    // referer) and a body; a header value that is no URL (a user agent) holds no text that ends
    // in a header line.
    let texty = matches!(location, Location::Query | Location::Body) || page_url;
    let mut suspicious = false;
    let mut headers = false;
    // A redirect target, then CRLF and header lines and nothing else (`https://a.example\r\nX:
    // 1`, a scanner's probe with its own header name), in a query or a header value that is no
    // page URL: share texts break lines with a lone LF (`${url}\nPrice: $19.99`), and the ones a
    // referer or a body carries are the app's own.
    let mut url_then_headers = (matches!(location, Location::Query | Location::Header) && !page_url && !decoded_breaks).then_some(None);
    let mut line_start = 0;
    let mut i = 0;
    for _ in 0..MAX_BREAKS {
        let next = if unicode {
            s[i..].iter().position(|&b| b == b'\r' || b == b'\n' || b == 0xE5)
        } else {
            memchr::memchr2(b'\r', b'\n', &s[i..])
        };
        let Some(k) = next else { break };
        classes::tick(k);
        let at = i + k;
        let len = break_at(s, at, unicode);
        if len == 0 {
            i = at + 1;
            continue;
        }
        // The run of breaks: CRLF is one, two or more make an empty line.
        let mut j = at;
        let mut lines = 0;
        while let n @ 1.. = break_at(s, j, unicode) {
            lines += usize::from(!(s[j] == b'\n' && j > at && s[j - 1] == b'\r'));
            j += n;
        }
        classes::tick(j - at);
        let before = classify_before(&s[line_start..at], line_start == 0);
        let mut line = line_after(s, j, unicode);
        // A second message: an empty line, then markup, after header lines, a URL (a redirect
        // target) or at the value's start; not between the lines of an HTML page.
        let body_follows = lines >= 2 && s.get(j) == Some(&b'<') && s.get(j + 1).is_some_and(u8::is_ascii_alphabetic);
        if strict && body_follows && (headers || matches!(before, Before::Empty | Before::Url)) {
            line = Line::Http;
        }
        headers |= line != Line::Other;
        let crlf = s[at..j] == *b"\r\n";
        if let Some(so_far) = url_then_headers.as_mut().filter(|_| j < s.len()) {
            let first = *so_far.get_or_insert_with(|| {
                let url = s[..at].trim_ascii();
                before == Before::Url && mask & classes::CTRL == 0 && (url.starts_with(b"/") || classes::contains(url, b"://"))
            });
            *so_far = Some(first && crlf && line != Line::Other);
        }
        // A header only HTTP has (`en US\r\nSet-Cookie: sid=evil`, `x y\r\nContent-Length: 0`),
        // or an everyday one with its grammar after a redirect target that a blank made look like
        // text (`/home x\r\nRefresh: 0;url=…`), behind HTTP's own CRLF: share texts break lines
        // with LF, and a textarea's CRLF text does not write such lines.
        let line_before = s[line_start..at].trim_ascii_start();
        let target = line_before.starts_with(b"/") || (url_like(line_before) && classes::contains(&line_before[..line_before.len().min(24)], b"://"));
        let http_after = crlf && !page_url && (line == Line::Http || (line == Line::Strong && target));
        let (confirmed, weak) = match (line, strict) {
            (Line::Other, _) => (false, false),
            (_, true) if line.strong() => (anywhere || !texty || before != Before::Text || http_after, true),
            (_, false) if line.strong() => (matches!(before, Before::Empty | Before::Url), true),
            (_, true) => (anywhere || before == Before::Empty, true),
            (_, false) => (false, matches!(before, Before::Empty | Before::Url)),
        };
        if confirmed {
            return (true, true);
        }
        suspicious |= weak;
        line_start = j;
        i = j;
    }
    (url_then_headers == Some(Some(true)), suspicious)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crlf(s: &str, location: Location) -> (bool, bool) {
        detect(s.as_bytes(), classes::mask(s.as_bytes()), location, false, location == Location::Header)
    }

    #[test]
    fn a_header_after_a_break_is_confirmed_where_no_newline_belongs() {
        for (p, location) in [
            ("\r\nSet-Cookie: crlf=injection", Location::Query),
            ("en\r\nSet-Cookie:sid=evil; Path=/", Location::Query),
            ("/home\r\nLocation: https://attacker.example/", Location::Query),
            ("x\nX-Injected: 1", Location::Query),
            ("\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<script>alert(1)</script>", Location::Query),
            ("\r\nInjected: yes", Location::Query),
            ("https://a.example/\r\n\r\n<svg onload=alert(1)>", Location::Header),
            ("a\rSet-Cookie: x=1", Location::Header),
            ("page\r\nFoo: bar", Location::Path),
            ("v\nAnything: at all", Location::Cookie),
            ("x\u{560D}\u{560A}Set-Cookie: crlf=1", Location::Query),
            ("x\r\nGET /admin HTTP/1.1\r\nHost: 127.0.0.1", Location::Query),
            ("a@b.example\nBcc: victim@c.example", Location::Query),
            ("http://www.google.fr\r\nwapiti: 3.0.4 version", Location::Query),
            ("/next\r\nfoo: bar\r\nbaz: 1\r\n", Location::Query),
            ("/home\tx\r\nSet-Cookie: sid=evil", Location::Query),
            ("x y\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK", Location::Query),
            ("en\r\nLink: <https://evil.example/x.css>;rel=stylesheet", Location::Query),
            ("en\r\nClear-Site-Data: \"cookies\"", Location::Query),
            ("en US\r\nSet-Cookie: sid=evil", Location::Query),
            ("/home x\r\nRefresh: 0;url=https://evil.example", Location::Query),
        ] {
            assert!(crlf(p, location).0, "{p:?} in {location:?}");
        }
    }

    #[test]
    fn in_bodies_only_after_a_url_or_nothing() {
        for p in ["https://shop.example/cart\r\nSet-Cookie: sid=x", "/account\nLocation: //evil.example", "\r\nHTTP/1.1 302 Found", "anna@example.com\nBcc: all@example.com"] {
            assert!(crlf(p, Location::Body).0, "{p:?}");
        }
        // The same breaks, when the deep decoding made them, count as in a query.
        assert!(detect(b"en\r\nSet-Cookie: a=b", classes::NEWLINE, Location::Body, true, false).0);
    }

    #[test]
    fn multi_line_text_is_not_confirmed() {
        for t in [
            "Hello,\nNote: bring ID",
            "Hi,\nLocation: https://maps.example/abc\nTime: 5pm",
            "Please deliver after 5pm.\r\nNote: the bell is broken",
            "Headers:\nSet-Cookie: sid=abc; HttpOnly",
            "Line one\n\n<b>bold</b>",
            "Q: What is it?\nA: Nothing.",
            "Dear team,\r\n\r\nThanks!\r\nAnna",
            "Intro\n    \nSet-Cookie: a=b is what the server sent",
            "Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: bad",
        ] {
            assert!(!crlf(t, Location::Body).0, "{t:?}");
        }
        assert_eq!(crlf("Hi,\nLocation: https://maps.example/abc", Location::Body), (false, true));
        assert_eq!(crlf("Hello,\nNote: bring ID", Location::Body), (false, false));
    }

    #[test]
    fn share_texts_urls_and_times_in_queries_stay_unconfirmed() {
        for t in [
            "Hello\nJoin: https://chat.example/x",
            "Party tonight\nLocation: the old mill",
            "line one\nhttps://example.com/x",
            "Meeting\n10:30 room 4",
            "see\nmailto:a@b.example",
            "C:\\Users\nD:\\data",
            "ssl_accept($ssl);\n    \nNet::SSLeay::accept($ssl);",
            "<head>\n</head>\n\n<body class=\"x\">",
            "Party tonight!\nLocation: https://maps.example/x",
            "Sale today\r\nSet-Cookie: nothing to see",
            "https://meet.example/abc\nTime: 5pm\nSee you there",
            "https://shop.example/p/123\nPrice: $19.99",
            "https://zoom.us/j/98765432100?pwd=abc\nPasscode: 123456",
            "/products/123\nSize: M\nColor: Red",
            "Party tonight\nTime: 5pm\nLocation: https://maps.example/x",
            "https://x.example check this\nLocation: https://maps.example/x",
            "Version: 1.2.3\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
            "type: line\nx-axis: month\ny-axis: sales",
            "Steps: click save\nContent-Type: text/csv",
            "Party tonight\r\nLocation: https://maps.example/x",
        ] {
            assert!(!crlf(t, Location::Query).0, "{t:?}");
            assert!(!crlf(t, Location::Header).0, "{t:?}");
        }
        assert!(!crlf("Paris 嘍\nNote: x", Location::Body).0);
    }

    #[test]
    fn header_values_that_are_no_urls_confirm_a_strong_line_after_text() {
        let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0 Safari/537.36 \r\nSet-Cookie: admin=1";
        assert!(detect(ua.as_bytes(), classes::mask(ua.as_bytes()), Location::Header, false, false).0);
        assert!(!detect(ua.as_bytes(), classes::mask(ua.as_bytes()), Location::Header, false, true).0, "a referer's share text");
        let generic = "Mozilla/5.0 (X11; Linux) Firefox/133.0\r\nNote: hi";
        assert!(!detect(generic.as_bytes(), classes::mask(generic.as_bytes()), Location::Header, false, false).0);
    }

    #[test]
    fn unicode_breaks_in_bodies_follow_the_body_rules() {
        for p in ["\u{560A}\u{560D}Set-Cookie: x=1", "https://shop.example/\u{560D}\u{560A}Location: https://evil.example/"] {
            assert!(crlf(p, Location::Body).0, "{p:?}");
        }
        for t in ["他們都是嘍囉\nX-Men: 好看", "好嘍\u{560A}Set-Cookie 是什麼", "嘍囉們: 出發", "大家好嘍\nLocation: https://maps.example/x"] {
            assert!(!crlf(t, Location::Body).0, "{t:?}");
        }
    }
}
