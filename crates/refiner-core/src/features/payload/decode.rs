//! Decoding and normalization of one value, each pass linear and never longer than its input.
//!
//! Input: the bytes of a value. Output, into a caller's buffer: the value percent-decoded once
//! ([`percent`], the level an app applies itself), decoded to a fixed point of at most
//! [`MAX_ROUNDS`] rounds of every encoding an attacker stacks ([`deep`]: `%XX`, `%uXXXX`, HTML
//! character references, `\xHH`/`\uXXXX` escapes, UTF-7, IIS's lenient hex, overlong UTF-8, full-width ASCII), normalized
//! for matching ([`normalize`]: NULs dropped, ASCII lower-cased, runs of blanks folded), or with
//! SQL comments taken out ([`sql_comments`]).

use super::classes::{self, Mask};

/// Rounds of [`deep`] decoding at most: double and triple encoding, and no more.
pub const MAX_ROUNDS: usize = 3;

fn hex(b: u8) -> Option<u32> {
    match b {
        b'0'..=b'9' => Some(u32::from(b - b'0')),
        b'a'..=b'f' => Some(u32::from(b - b'a' + 10)),
        b'A'..=b'F' => Some(u32::from(b - b'A' + 10)),
        _ => None,
    }
}

/// The value of the `n` hex digits at `s[at..]`, if they are all hex digits.
fn hex_n(s: &[u8], at: usize, n: usize) -> Option<u32> {
    let digits = s.get(at..at + n)?;
    digits.iter().try_fold(0, |acc, &b| Some(acc << 4 | hex(b)?))
}

/// Look-alikes that "best fit" decoders (IIS, Windows code pages) turn into ASCII separators.
const BEST_FIT: &[(u32, u8)] = &[(0x2215, b'/'), (0x2044, b'/'), (0x2216, b'\\'), (0xFE68, b'\\'), (0x2024, b'.'), (0x02BC, b'\''), (0x2032, b'\'')];

/// Appends the UTF-8 encoding of code point `c` (a best-fit look-alike as its ASCII), or U+FFFD
/// when `c` is not a scalar value.
fn push_char(out: &mut Vec<u8>, c: u32) {
    if let Some(&(_, ascii)) = BEST_FIT.iter().find(|&&(u, _)| u == c) {
        return out.push(ascii);
    }
    let ch = char::from_u32(c).filter(|&ch| ch != '\0').unwrap_or('\u{FFFD}');
    let mut buf = [0; 4];
    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
}

/// Percent-decodes `src` into `out` (cleared first): `%XX`, and `+` as a space when `plus` (query
/// strings and form bodies). Malformed escapes stay as they are. Returns whether anything changed.
pub fn percent(src: &[u8], plus: bool, out: &mut Vec<u8>) -> bool {
    classes::tick(src.len());
    out.clear();
    let mut changed = false;
    let mut i = 0;
    while i < src.len() {
        let b = src[i];
        if b == b'%' {
            if let Some(v) = hex_n(src, i + 1, 2) {
                out.push(v as u8);
                i += 3;
                changed = true;
                continue;
            }
        } else if b == b'+' && plus {
            out.push(b' ');
            i += 1;
            changed = true;
            continue;
        }
        out.push(b);
        i += 1;
    }
    changed
}

/// Named character references worth knowing: those that spell markup, quotes and separators.
/// The first four also match without the `;`, as HTML's legacy references do.
const ENTITIES: &[(&[u8], u8)] = &[
    (b"amp", b'&'), (b"lt", b'<'), (b"gt", b'>'), (b"quot", b'"'),
    (b"apos", b'\''), (b"colon", b':'), (b"sol", b'/'), (b"bsol", b'\\'), (b"lpar", b'('),
    (b"rpar", b')'), (b"semi", b';'), (b"tab", b'\t'), (b"newline", b'\n'), (b"nbsp", b' '),
    (b"comma", b','), (b"period", b'.'), (b"excl", b'!'), (b"num", b'#'), (b"dollar", b'$'),
    (b"percnt", b'%'), (b"plus", b'+'), (b"equals", b'='), (b"lsqb", b'['), (b"rsqb", b']'),
    (b"lcub", b'{'), (b"rcub", b'}'), (b"grave", b'`'), (b"ast", b'*'), (b"quest", b'?'),
    (b"commat", b'@'), (b"lowbar", b'_'), (b"vert", b'|'), (b"verbar", b'|'), (b"hat", b'^'),
];

/// Decodes the character reference at `s[0] == b'&'`: (code point, bytes consumed).
fn entity(s: &[u8]) -> Option<(u32, usize)> {
    if s.get(1) == Some(&b'#') {
        let (radix, start) = if matches!(s.get(2), Some(b'x' | b'X')) { (16, 3) } else { (10, 2) };
        // At most 10 digits: enough for any zero-padded code point, and the work stays bounded.
        let digits = s[start..].iter().take(10).take_while(|b| if radix == 16 { b.is_ascii_hexdigit() } else { b.is_ascii_digit() }).count();
        if digits == 0 {
            return None;
        }
        let v = s[start..start + digits].iter().fold(0u64, |acc, &b| acc * radix + u64::from(hex(b).unwrap_or(0)));
        let end = start + digits;
        let used = if s.get(end) == Some(&b';') { end + 1 } else { end };
        return Some((u32::try_from(v).unwrap_or(0xFFFD), used));
    }
    let name_len = s[1..].iter().take(8).take_while(|b| b.is_ascii_alphabetic()).count();
    let name = &s[1..1 + name_len];
    let semi = s.get(1 + name_len) == Some(&b';');
    ENTITIES.iter().enumerate().find_map(|(k, &(n, c))| {
        if semi && name.eq_ignore_ascii_case(n) {
            Some((u32::from(c), name_len + 2))
        } else if k < 4 && name.len() >= n.len() && name[..n.len()].eq_ignore_ascii_case(n) {
            Some((u32::from(c), n.len() + 1))
        } else {
            None
        }
    })
}

/// IIS's lenient hex, which read any letter as a digit (`g` as 16): `%bg%qf` is C0 AF, the
/// overlong `/` of `..%bg%qf`. Only a pair that makes an overlong lead and continuation byte,
/// with a non-hex letter in it, is read so (`50%off%sale` stays text); returns the two bytes.
fn iis_pair(s: &[u8]) -> Option<[u8; 2]> {
    let digit = |c: u8| match c.to_ascii_lowercase() {
        c @ b'0'..=b'9' => Some(u32::from(c - b'0')),
        c @ b'a'..=b'z' => Some(u32::from(c - b'a') + 10),
        _ => None,
    };
    let byte = |at: usize| Some((digit(*s.get(at + 1)?)? * 16 + digit(*s.get(at + 2)?)?) as u8);
    let lenient = s.get(1..3).zip(s.get(4..6)).is_some_and(|(a, b)| a.iter().chain(b).any(|c| !c.is_ascii_hexdigit()));
    let (lead, cont) = (byte(0)?, byte(3)?);
    (s.get(3) == Some(&b'%') && lenient && matches!(lead, 0xC0 | 0xC1) && (0x80..=0xBF).contains(&cont)).then_some([lead, cont])
}

/// Whether `s` holds an encoding no browser or URL library writes: overlong UTF-8 (raw or `%c0`,
/// `%c1`, `%e0%80`), `%uXXXX` escapes or IIS's lenient hex, also once more encoded (`%25c0`).
/// `encodeURIComponent('../x')` or `('..\\x')`, and a redirect that encodes it again
/// (`..%252Fx`, `..%255Cx`), write none of them.
pub fn exotic(s: &[u8]) -> bool {
    let escapes = memchr::memchr_iter(b'%', s).take(256).any(|i| {
        let e = s[i + 1..].strip_prefix(b"25").unwrap_or(&s[i + 1..]);
        let e = &e[..e.len().min(5)];
        let lower = |k: usize| e.get(k).map(u8::to_ascii_lowercase);
        (lower(0) == Some(b'u') && e.len() == 5 && e[1..].iter().all(u8::is_ascii_hexdigit))
            || matches!((lower(0), lower(1)), (Some(b'c'), Some(b'0' | b'1')))
            || (lower(0) == Some(b'e') && lower(1) == Some(b'0') && e.get(2) == Some(&b'%'))
            || iis_pair(&s[i..]).is_some()
    });
    escapes || memchr::memchr2(0xC0, 0xC1, s).is_some()
}

/// A UTF-7 run at `s[0]` (`+ADw-` is `<`: base64 of UTF-16 between `+` and `-`, which old
/// browsers read in a page with no charset), pushed to `out` when every unit it holds is
/// printable ASCII and its padding bits are zero; returns its length. A `+` in text (`C++ABC-`)
/// rarely meets both.
fn utf7(s: &[u8], out: &mut Vec<u8>) -> Option<usize> {
    let n = s[1..].iter().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/')).count();
    let dash = s.get(1 + n) == Some(&b'-');
    if n < 3 || !(dash || 1 + n == s.len()) {
        return None;
    }
    let start = out.len();
    let (mut bits, mut held) = (0u32, 0);
    for &c in &s[1..=n] {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            _ => 63,
        };
        bits = bits << 6 | u32::from(v);
        held += 6;
        if held >= 16 {
            held -= 16;
            let unit = bits >> held;
            bits &= (1 << held) - 1;
            if !(0x20..0x7F).contains(&unit) {
                out.truncate(start);
                return None;
            }
            out.push(unit as u8);
        }
    }
    if out.len() == start || bits != 0 {
        out.truncate(start);
        return None;
    }
    Some(n + 1 + usize::from(dash))
}

/// One round of every encoding: `%XX`, `%uXXXX`, character references, `\xHH`, `\uXXXX`,
/// `\u{…}`, UTF-7, IIS's lenient hex, overlong UTF-8 and full-width ASCII. Returns whether anything
/// changed.
fn round(src: &[u8], out: &mut Vec<u8>) -> bool {
    classes::tick(src.len());
    out.clear();
    let mut changed = false;
    let mut i = 0;
    while i < src.len() {
        // Copy the run of bytes no encoding starts with in one go.
        let run = src[i..].iter().position(|&b| matches!(b, b'%' | b'&' | b'\\' | b'+' | 0xC0 | 0xC1 | 0xE0 | 0xEF)).unwrap_or(src.len() - i);
        out.extend_from_slice(&src[i..i + run]);
        i += run;
        if i == src.len() {
            break;
        }
        let b = src[i];
        let decoded = match b {
            b'%' if matches!(src.get(i + 1), Some(b'u' | b'U')) => hex_n(src, i + 2, 4).map(|v| (v, 6)),
            b'%' => {
                // A `%XX` byte is pushed raw, so `%c0%af` stays a byte pair the next round folds.
                if let Some(v) = hex_n(src, i + 1, 2) {
                    out.push(v as u8);
                    i += 3;
                    changed = true;
                    continue;
                }
                if let Some(pair) = iis_pair(&src[i..]) {
                    out.extend_from_slice(&pair);
                    i += 6;
                    changed = true;
                    continue;
                }
                None
            }
            b'+' => {
                if let Some(n) = utf7(&src[i..], out) {
                    i += n;
                    changed = true;
                    continue;
                }
                None
            }
            b'&' => entity(&src[i..]),
            b'\\' => match src.get(i + 1) {
                Some(b'x' | b'X') => hex_n(src, i + 2, 2).map(|v| (v, 4)),
                Some(b'u') if src.get(i + 2) == Some(&b'{') => {
                    let n = src[i + 3..].iter().take(7).take_while(|b| b.is_ascii_hexdigit()).count();
                    (src.get(i + 3 + n) == Some(&b'}') && n > 0).then(|| (hex_n(src, i + 3, n).unwrap_or(0xFFFD), n + 4))
                }
                Some(b'u') => hex_n(src, i + 2, 4).map(|v| (v, 6)),
                _ => None,
            },
            // Overlong two-byte forms of ASCII (`%c0%af` is '/'); decoders that never checked the
            // continuation byte also read `%c0%2e` as '.'. C0 and C1 start no valid UTF-8.
            0xC0 | 0xC1 => match src.get(i + 1) {
                Some(&c @ 0x00..=0x7F) => Some((u32::from(c), 2)),
                Some(&c @ 0x80..=0xBF) => Some((u32::from(b & 0x1) << 6 | u32::from(c & 0x3F), 2)),
                _ => None,
            },
            // Overlong three-byte forms of ASCII.
            0xE0 if matches!(src.get(i + 1), Some(0x80..=0x81)) && matches!(src.get(i + 2), Some(0x80..=0xBF)) => {
                Some((u32::from(src[i + 1] & 0x3F) << 6 | u32::from(src[i + 2] & 0x3F), 3))
            }
            // Full-width ASCII, U+FF01..U+FF5E (EF BC 81 .. EF BD 9E) is U+0021..U+007E.
            0xEF => match (src.get(i + 1), src.get(i + 2)) {
                (Some(0xBC), Some(&c @ 0x81..=0xBF)) => Some((u32::from(c) - 0x60, 3)),
                (Some(0xBD), Some(&c @ 0x80..=0x9E)) => Some((u32::from(c) - 0x20, 3)),
                _ => None,
            },
            _ => None,
        };
        match decoded {
            Some((v, n)) => {
                push_char(out, v);
                i += n;
                changed = true;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    changed
}

/// Whether an encoding [`round`] undoes may start in `src`: `%` before a hex digit or `u`, `&`
/// before `#` or a letter, `\` before `x` or `u`, or a byte that starts overlong or full-width
/// UTF-8. Cheaper than a round, and false for most values that merely hold a `%` or `&`.
fn may_be_encoded(src: &[u8]) -> bool {
    let starts = memchr::memchr3_iter(b'%', b'&', b'\\', src).any(|i| match (src[i], src.get(i + 1)) {
        (b'%', Some(&c)) => c.is_ascii_alphanumeric(),
        (b'&', Some(&c)) => c == b'#' || c.is_ascii_alphabetic(),
        (b'\\', Some(&c)) => matches!(c, b'x' | b'X' | b'u'),
        _ => false,
    });
    let utf7 = memchr::memchr_iter(b'+', src).any(|i| src.get(i + 1) == Some(&b'A'));
    starts || utf7 || memchr::memchr3(0xC0, 0xC1, 0xEF, src).is_some() || memchr::memchr(0xE0, src).is_some()
}

/// Decodes `src` to a fixed point of at most [`MAX_ROUNDS`] rounds; the result is in `out`
/// (`tmp` is scratch). Returns the rounds that changed something (0: `src` had no encoding).
pub fn deep(src: &[u8], out: &mut Vec<u8>, tmp: &mut Vec<u8>) -> usize {
    if !may_be_encoded(src) || !round(src, out) {
        return 0;
    }
    let mut rounds = 1;
    while rounds < MAX_ROUNDS {
        if !round(out, tmp) {
            break;
        }
        std::mem::swap(out, tmp);
        rounds += 1;
    }
    rounds
}

/// Shortest and longest body value read as base64 text: a payload is tens to hundreds of bytes,
/// an image or a file thousands.
pub const BASE64_MIN: usize = 16;
pub const BASE64_MAX: usize = 4096;

/// Whether `s` is one base64 word (standard or URL-safe, padded or not, [`BASE64_MIN`] to
/// [`BASE64_MAX`] bytes) that decodes to text: valid UTF-8 without control characters other than
/// tab and line breaks, which random bytes (images, keys, tokens, hashes) almost never are. The
/// text is left in `out`. A JWT has dots and a UUID or a hex digest decodes to bytes, so neither
/// is text; a long word of letters rarely decodes to valid UTF-8.
pub fn base64_text(s: &[u8], mask: Mask, out: &mut Vec<u8>) -> bool {
    use super::classes::{DASH, EQ, PLUS, SLASH};
    if mask & !(SLASH | EQ | PLUS | DASH) != 0 {
        return false;
    }
    let Some(body) = base64_word(s) else { return false };
    super::serial::base64_upto(body, BASE64_MAX, out);
    out.len() >= BASE64_MIN * 3 / 4
        && std::str::from_utf8(out).is_ok()
        && !out.iter().any(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7F)
}

/// `s` without its padding when it has the shape [`base64_text`] decodes: one word of
/// [`BASE64_MIN`] to [`BASE64_MAX`] bytes of the standard or URL-safe alphabet, not letters only.
pub fn base64_word(s: &[u8]) -> Option<&[u8]> {
    if s.len() < BASE64_MIN || s.len() > BASE64_MAX {
        return None;
    }
    let body = s.strip_suffix(b"==").or_else(|| s.strip_suffix(b"=")).unwrap_or(s);
    classes::tick(s.len());
    if body.len() % 4 == 1 || !body.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_')) {
        return None;
    }
    // A word of letters only (`Rechtsschutzversicherungsgesellschaften`) is a word.
    (!body.iter().all(u8::is_ascii_alphabetic)).then_some(body)
}

/// `data:` URIs read per value, and bytes of media type (with its parameters) read per URI.
const DATA_URIS: usize = 4;
const DATA_MEDIA_MAX: usize = 128;

/// Decodes the first `data:[mediatype];base64,…` URI of `s` (any case, anywhere: a whole value,
/// or one an `href`, `src` or query holds) whose content is text into `out`: its base64 (the
/// standard or URL-safe alphabet, as `serial::base64_upto`, the decoder `serial` and `xss` use:
/// the crate has no base64 dependency) up to [`BASE64_MAX`] decoded bytes, cut at the first byte
/// that is no text (invalid UTF-8, a control character but tab and line breaks), which is where
/// the URI ends in a value that goes on; judged text when at least [`BASE64_MIN`] × 3/4 bytes
/// and half of what was decoded are. Images, audio, video and fonts are not decoded (an `<img>`'s
/// data URL is a picture; `xss` reads an SVG's itself) unless their text starts with `<`, nor any URI after the first
/// [`DATA_URIS`], nor a `data:` that ends a longer scheme (`metadata:`). Returns whether `out` holds such text.
pub fn data_uri_text(s: &[u8], out: &mut Vec<u8>) -> bool {
    let mut from = 0;
    for _ in 0..DATA_URIS {
        let Some(k) = classes::find_ignore_case(&s[from..], b"data:") else { return false };
        let media = from + k + b"data:".len();
        let scheme_part = from + k > 0 && (s[from + k - 1].is_ascii_alphanumeric() || matches!(s[from + k - 1], b'+' | b'-' | b'.'));
        from = media;
        if scheme_part {
            continue;
        }
        let Some(comma) = s[media..].iter().take(DATA_MEDIA_MAX).position(|&b| b == b',') else { continue };
        classes::tick(comma);
        let head = &s[media..media + comma];
        let binary = [&b"image/"[..], b"audio/", b"video/", b"font/"].iter().any(|t| head.len() >= t.len() && head[..t.len()].eq_ignore_ascii_case(t));
        // PHP's `data:` wrapper runs what the text holds whatever the type says: a picture's base64
        // never starts with `P` (`<`), markup and PHP's always do.
        let markup = s.get(media + comma + 1) == Some(&b'P');
        if (binary && !markup) || head.len() < 7 || !head[head.len() - 7..].eq_ignore_ascii_case(b";base64") {
            continue;
        }
        super::serial::base64_upto(&s[media + comma + 1..], BASE64_MAX, out);
        let decoded = out.len();
        let valid = match std::str::from_utf8(out) {
            Ok(_) => decoded,
            Err(e) => e.valid_up_to(),
        };
        let text = out[..valid].iter().position(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7F).unwrap_or(valid);
        if text >= BASE64_MIN * 3 / 4 && text * 2 >= decoded {
            out.truncate(text);
            return true;
        }
    }
    false
}

/// Normalizes `src` into `out` for matching: NULs dropped, ASCII lower-cased, and, when the value
/// has a NUL, tab, CR, VT or FF, each run of blanks (those and spaces) folded to one space; runs of
/// plain spaces stay, which the detectors allow for. Newlines stay: shells split on them.
pub fn normalize(src: &[u8], out: &mut Vec<u8>) {
    classes::tick(src.len());
    out.clear();
    // Most values have nothing to drop or fold: a copy and a vectorized lower-casing.
    let folds = memchr::memchr3(b'\t', b'\r', 0, src).is_some() || memchr::memchr2(0x0B, 0x0C, src).is_some();
    if !folds {
        out.extend_from_slice(src);
        out.make_ascii_lowercase();
        return;
    }
    let mut blank = false;
    for &b in src {
        match b {
            0 => {}
            b' ' | b'\t' | b'\r' | 0x0B | 0x0C => {
                if !blank {
                    out.push(b' ');
                }
                blank = true;
                continue;
            }
            _ => out.push(b.to_ascii_lowercase()),
        }
        blank = false;
    }
}

/// Replaces SQL comments with a space, keeping the body of MySQL's executable comments
/// (`/*!50000select*/` is `select`). Returns whether there was any.
pub fn sql_comments(src: &[u8], out: &mut Vec<u8>) -> bool {
    classes::tick(src.len());
    out.clear();
    let mut changed = false;
    let mut i = 0;
    while i < src.len() {
        if src[i] == b'/' && src.get(i + 1) == Some(&b'*') {
            changed = true;
            out.push(b' ');
            if src.get(i + 2) == Some(&b'!') {
                // Executable comment: drop the marker and version, keep the body.
                i += 3 + src[i + 3..].iter().take(6).take_while(|b| b.is_ascii_digit()).count();
                continue;
            }
            match classes::find(&src[i + 2..], b"*/") {
                Some(end) => i += 2 + end + 2,
                None => i = src.len(),
            }
        } else if src[i] == b'*' && src.get(i + 1) == Some(&b'/') {
            changed = true;
            out.push(b' ');
            i += 2;
        } else {
            out.push(src[i]);
            i += 1;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deep_str(s: &str) -> (String, usize) {
        let (mut out, mut tmp) = (Vec::new(), Vec::new());
        let n = deep(s.as_bytes(), &mut out, &mut tmp);
        let out = if n == 0 { s.as_bytes().to_vec() } else { out };
        (String::from_utf8_lossy(&out).into_owned(), n)
    }

    #[test]
    fn percent_decodes_once_with_plus_as_space_for_queries() {
        let mut out = Vec::new();
        assert!(percent(b"%27+OR+1%3D1", true, &mut out));
        assert_eq!(out, b"' OR 1=1");
        assert!(!percent(b"a+b", false, &mut out) && out == b"a+b");
        assert!(percent(b"%2527", false, &mut out));
        assert_eq!(out, b"%27", "one level only");
        percent(b"100%zz%4", false, &mut out);
        assert_eq!(out, b"100%zz%4", "malformed escapes stay");
    }

    #[test]
    fn deep_reaches_a_fixed_point_within_three_rounds() {
        assert_eq!(deep_str("%252527"), ("'".into(), 3));
        assert_eq!(deep_str("%25252527").1, 3, "a fourth level is left encoded");
        assert_eq!(deep_str("plain text").1, 0);
        assert_eq!(deep_str("%u003cscript%u003e").0, "<script>");
        assert_eq!(deep_str("\\x3cimg\\u0020src=x\\u{3e}").0, "<img src=x>");
    }

    #[test]
    fn entities_with_and_without_semicolons() {
        assert_eq!(deep_str("&lt;a href=&quot;javascript&colon;alert&lpar;1&rpar;&quot;&gt;").0, "<a href=\"javascript:alert(1)\">");
        assert_eq!(deep_str("&#106&#0000097&#x76;&#X61;").0, "java");
        assert_eq!(deep_str("&ltscript&gt").0, "<script>");
        assert_eq!(deep_str("AT&T and R&D").0, "AT&T and R&D", "unknown names stay");
        assert_eq!(deep_str("&#0;").0, "\u{FFFD}");
        assert_eq!(deep_str("&#9999999999;").0, "\u{FFFD}");
    }

    #[test]
    fn base64_words_that_decode_to_text_are_read_and_others_are_not() {
        let mut out = Vec::new();
        let b64 = |s: &str| base64_text(s.as_bytes(), classes::mask(s.as_bytes()), &mut Vec::new());
        assert!(base64_text(b"PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", classes::mask(b"PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="), &mut out));
        assert_eq!(out, b"<script>alert(1)</script>");
        assert!(b64("eyJhbGciOiJIUzI1NiJ9") && b64("c2VsZWN0IDEgZnJvbSBkdWFs"), "JSON, SQL");
        for t in [
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
            "550e8400-e29b-41d4-a716-446655440000",
            "d41d8cd98f00b204e9800998ecf8427e",
            "Rechtsschutzversicherungsgesellschaften",
            "hello world this is text",
            "dGV4dA==",
        ] {
            assert!(!b64(t), "{t}");
        }
    }

    #[test]
    fn data_uris_with_base64_text_are_decoded_and_pictures_are_not() {
        let mut out = Vec::new();
        let data = |s: &str, out: &mut Vec<u8>| data_uri_text(s.as_bytes(), out);
        assert!(data("data:;base64,PD9waHAgZWNobyAndzRwMXQxJywnX2V2YWwnOyA/Pg==", &mut out));
        assert_eq!(out, b"<?php echo 'w4p1t1','_eval'; ?>");
        assert!(data("<a href=\"DATA:text/html;charset=utf-8;BASE64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>", &mut out));
        assert_eq!(out, b"<script>alert(1)</script>", "cut where the URI ends");
        assert!(data("see data:x, then data:text/plain;base64,aGVsbG8gd29ybGQsIGhlbGxvIQ", &mut out), "the second URI");
        assert!(data("data:image/png;base64,PD9waHAgZWNobyAndzRwMXQxJywnX2V2YWwnOyA/Pg==", &mut out), "PHP behind a picture's type");
        for t in [
            "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
            "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
            "data:application/octet-stream;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
            "data:text/plain,hello%20world",
            "data:;base64,aGk=",
            "the data: it is base64, mostly",
            "metadata:;base64,PD9waHAgZWNobyAndzRwMXQxJywnX2V2YWwnOyA/Pg==",
        ] {
            assert!(!data(t, &mut out), "{t}");
        }
    }

    #[test]
    fn utf7_runs_of_printable_ascii_decode() {
        assert_eq!(deep_str("+ADw-script+AD4-alert(1)+ADw-/script+AD4-").0, "<script>alert(1)</script>");
        assert_eq!(deep_str("%2BADwAPg-").0, "<>");
        assert_eq!(deep_str("+ADwAcwBjAHIAaQBwAHQAPgBhAGwAZQByAHQAKAAxACkAPAAvAHMAYwByAGkAcAB0AD4-").0, "<script>alert(1)</script>");
        assert_eq!(deep_str("x+ADwAcwBjAHIAaQBwAHQAPg").0, "x<script>");
        for t in ["C++ABC-def", "A+AB- blood", "+ACK-", "1+AAAA-2", "x+Abc"] {
            assert_eq!(deep_str(t).0, t, "{t}");
        }
    }

    #[test]
    fn exotic_encodings_are_what_no_library_writes() {
        for e in ["..%c0%af", "..%C1%9C", "..%u2215", "..%25u2215", "..%25c0%25af", "..%bg%qf", "..%e0%80%af"] {
            assert!(exotic(e.as_bytes()), "{e}");
        }
        assert!(exotic(b"..\xc0\xaf"));
        for t in ["..%2Fdashboard", "..%252Fsettings", "%2e%2e%2f", "50%off", "caf%C3%A9", "%E2%82%AC", "..%5Creports%5Cq1.xlsx", "..%255Creports", "..%2Fdashboard?ref=%user"] {
            assert!(!exotic(t.as_bytes()), "{t}");
        }
    }

    #[test]
    fn overlong_utf8_and_fullwidth_fold_to_ascii() {
        assert_eq!(deep_str("..%c0%af..%c0%afetc").0, "../../etc");
        assert_eq!(deep_str("..%e0%80%afetc").0, "../etc");
        assert_eq!(deep_str("%c0%2e%c0%2e%c0%5c").0, "..\\");
        assert_eq!(deep_str("..%u2215..%u2216").0, "../..\\");
        assert_eq!(deep_str("..%bg%qf..%bg%qfetc").0, "../../etc");
        for t in ["50%off%sale", "100%go%od", "%zz%zz"] {
            assert_eq!(deep_str(t).0, t, "{t}");
        }
        assert_eq!(deep_str("\u{FF1C}script\u{FF1E}").0, "<script>");
    }

    #[test]
    fn normalize_lowercases_drops_nuls_and_folds_blanks() {
        let mut out = Vec::new();
        normalize(b"SeL\0eCT \t\r  *\nFROM", &mut out);
        assert_eq!(out, b"select *\nfrom");
        normalize(b"Two  Spaces", &mut out);
        assert_eq!(out, b"two  spaces");
    }

    #[test]
    fn sql_comments_become_spaces_and_executable_ones_keep_their_body() {
        let mut out = Vec::new();
        assert!(sql_comments(b"1/**/UNION/*!50000SELECT*/1", &mut out));
        assert_eq!(out, b"1 UNION SELECT 1");
        assert!(!sql_comments(b"a * b / c", &mut out));
        assert!(sql_comments(b"x/* unterminated", &mut out));
        assert_eq!(out, b"x ");
    }
}
