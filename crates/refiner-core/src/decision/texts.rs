//! The strings of one request that need native analysis, crossing N-API as one `\0`-joined JS
//! string: the fixed fields declared once in [`TEXT_FIELDS`], then the header pairs and the body
//! fields, whose counts travel in the packed numbers ([`Slot::HeaderPairs`](super::Slot),
//! [`Slot::BodyFields`](super::Slot)). The JS packer replaces `\0` inside values, so a value
//! cannot spill into the next field.

use super::headers::{header_pairs, Headers};
use crate::error::{RefinerError, Result};

/// Longest fixed field or header value, in bytes, that analysis reads: Node's default limit for
/// the request line and all headers together, so no URL, cookie or header an app on Node receives
/// is cut before a payload at its end.
pub const MAX_TEXT_BYTES: usize = 16 << 10;
/// Most body bytes analysis reads: a larger body is sent as its head and its tail, half each,
/// and flagged ([`Slot::BodyOversized`](super::Slot)). Above the 100 KB Express's body parsers
/// accept by default, so a payload cannot hide in an unread middle of a body such an app parses;
/// Fastify accepts 1 MB, and there the middle of a larger body is unread (`payload.incomplete`).
pub const MAX_BODY_BYTES: usize = 128 << 10;
/// Most body nodes (values, keys and containers at any depth) the packer visits, half from the
/// start and half from the end, so a body's cost is bounded whatever its shape: as many as a
/// [`MAX_BODY_BYTES`] JSON text can hold (`0,` is two bytes), so that padding within the byte budget
/// cannot push a value out of reach.
pub const MAX_BODY_NODES: usize = 64 << 10;
/// Most header pairs analysis reads.
pub const MAX_HEADER_PAIRS: usize = 128;

/// One fixed text field: its name, where the packer reads it, and what it is.
#[derive(Clone, Copy, Debug)]
pub struct TextField {
    pub name: &'static str,
    /// The caller's property the packer reads (`request.path`, `context.accountId`…).
    pub source: &'static str,
    pub doc: &'static str,
}

macro_rules! texts {
    ($($field:ident = $name:literal from $source:literal, $doc:literal;)*) => {
        /// The fixed text fields, in the order they are joined.
        pub const TEXT_FIELDS: &[TextField] = &[$(TextField { name: $name, source: $source, doc: $doc },)*];

        /// The strings of one request; empty when absent.
        #[derive(Clone, Copy, Debug, Default)]
        pub struct Texts<'a> {
            $(#[doc = $doc] pub $field: &'a str,)*
            /// `header_pairs` name/value pairs, `\0`-joined (see [`Headers`]).
            pub header_region: &'a str,
            pub header_pairs: usize,
            /// `body_fields` strings of the body, `\0`-joined: each value or key of a parsed body,
            /// or a raw body (its head and tail when oversized).
            pub body_region: &'a str,
            pub body_fields: usize,
        }

        impl<'a> Texts<'a> {
            /// The next request's texts from `fields`, given its counts of header pairs and body
            /// fields (a batch's texts are one run of them).
            pub fn from_fields(fields: &mut NulFields<'a>, header_pairs: usize, body_fields: usize) -> Result<Self> {
                let missing = || RefinerError::input("texts", "the fixed fields, header pairs and body fields, joined by \\0");
                Ok(Texts {
                    $($field: clip(fields.next().ok_or_else(missing)?, MAX_TEXT_BYTES),)*
                    header_pairs,
                    header_region: fields.region(2 * header_pairs).ok_or_else(missing)?,
                    body_fields,
                    body_region: clip(fields.region(body_fields).ok_or_else(missing)?, MAX_BODY_BYTES + MAX_BODY_NODES),
                })
            }

            /// The fixed fields in [`TEXT_FIELDS`] order.
            pub fn fixed(&self) -> [&'a str; TEXT_FIELDS.len()] {
                [$(self.$field,)*]
            }
        }
    };
}

texts! {
    path = "path" from "request.path", "The request target as sent: path and query string, percent-encoded.";
    email = "email" from "request.email", "The email address the request carries (sign-up, login).";
    ip = "ip" from "request.ip", "The client's ip address.";
    account_id = "accountId" from "context.accountId", "The account's id (else the request's email identifies the account).";
    session_id = "sessionId" from "context.sessionId", "The session's id.";
    fingerprint = "fingerprint" from "context.fingerprint", "A device id (else Arcjet's rule-result fingerprint, else a hash of the IPv4 address or IPv6 /64, user agent, client hints and accept-language).";
}

impl<'a> Texts<'a> {
    /// Splits one request's `\0`-joined texts.
    pub fn from_joined(joined: &'a str, header_pairs: usize, body_fields: usize) -> Result<Self> {
        let mut fields = NulFields::new(joined, usize::MAX);
        let texts = Self::from_fields(&mut fields, header_pairs, body_fields)?;
        match fields.next() {
            None => Ok(texts),
            Some(_) => Err(RefinerError::input("texts", "no more fields than the counts say")),
        }
    }

    /// The header values the features read.
    pub fn headers(&self) -> Headers<'a> {
        Headers::parse(self.header_region, self.header_pairs)
    }

    /// Every header pair, in arrival order.
    pub fn header_pairs(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        header_pairs(self.header_region, self.header_pairs.min(MAX_HEADER_PAIRS)).map(|(n, v)| (n, clip(v, MAX_TEXT_BYTES)))
    }

    /// Every body field.
    pub fn body_fields(&self) -> NulFields<'a> {
        NulFields::new(self.body_region, self.body_fields)
    }
}

/// The `\0`-separated fields of a string, at most `limit` (the last keeps any further
/// separators), as `str::splitn` gives them. `memchr` finds each separator: `splitn`'s char
/// searcher compares through a `memcmp` call per candidate, ~10 ns a field.
pub struct NulFields<'a> {
    rest: Option<&'a str>,
    left: usize,
}

impl<'a> NulFields<'a> {
    pub fn new(joined: &'a str, limit: usize) -> Self {
        Self { rest: Some(joined), left: limit }
    }

    /// The next `n` fields as one slice, separators included (None when fewer are left). Zero
    /// fields are the empty slice and consume nothing.
    pub fn region(&mut self, n: usize) -> Option<&'a str> {
        if n == 0 {
            return Some("");
        }
        let s = self.rest?;
        // Counted in blocks (a region of thousands of body fields); field by field (a `memchr`
        // each) for a raw body's one or two fields, and for a region the limit ends.
        if self.left > n && n > 2 {
            self.left -= n;
            return match nth_nul(s.as_bytes(), n) {
                Ok(i) => {
                    self.rest = Some(&s[i + 1..]);
                    Some(&s[..i])
                }
                Err(nuls) if nuls + 1 == n => {
                    self.rest = None;
                    Some(s)
                }
                Err(_) => {
                    self.rest = None;
                    None
                }
            };
        }
        let start = s.as_ptr() as usize;
        let mut last = "";
        for _ in 0..n {
            last = self.next()?;
        }
        let end = last.as_ptr() as usize + last.len() - start;
        Some(&s[..end])
    }
}

/// Position of the `n`th (from 1) `\0` in `s`, else how many `s` holds: counted 64 bytes at a
/// time (a vectorized count), then found byte by byte in the block that holds it.
fn nth_nul(s: &[u8], n: usize) -> std::result::Result<usize, usize> {
    let mut seen = 0;
    for (k, block) in s.chunks(64).enumerate() {
        // Summed in bytes (at most 64), so that the count vectorizes 16 or 32 bytes a step.
        let here = usize::from(block.iter().fold(0u8, |acc, &b| acc + u8::from(b == 0)));
        if seen + here >= n {
            let i = block.iter().enumerate().filter(|(_, &b)| b == 0).nth(n - seen - 1).map_or(0, |(i, _)| i);
            return Ok(64 * k + i);
        }
        seen += here;
    }
    Err(seen)
}

/// Position of the first `\0` in `s`. Most fields are short: the first 32 bytes are read a word
/// at a time (a zero byte sets its high bit in `w - 0x01…01 & !w`), where a `memchr` call would
/// cost more than the field; `memchr` for the rest.
#[inline]
fn first_nul(s: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let head = &s[..s.len().min(32)];
    let mut words = head.chunks_exact(8);
    for (k, w) in (&mut words).enumerate() {
        let w = u64::from_le_bytes(w.try_into().unwrap_or_default());
        // Little-endian: the lowest flagged byte is the first zero (a borrow only flags bytes above it).
        let zero = w.wrapping_sub(ONES) & !w & HIGHS;
        if zero != 0 {
            return Some(8 * k + zero.trailing_zeros() as usize / 8);
        }
    }
    let tail = words.remainder();
    match tail.iter().position(|&b| b == 0) {
        Some(i) => Some(head.len() - tail.len() + i),
        None => memchr::memchr(0, &s[head.len()..]).map(|i| head.len() + i),
    }
}

impl<'a> Iterator for NulFields<'a> {
    type Item = &'a str;

    // Inlined into the loops over thousands of body fields, whose work per field is a few dozen
    // instructions: a call saved and restored more registers than that.
    #[inline(always)]
    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        self.left = self.left.checked_sub(1)?;
        // `\0` is one byte in UTF-8, so both sides of it are char boundaries.
        match first_nul(s.as_bytes()).filter(|_| self.left > 0) {
            Some(i) => {
                self.rest = Some(&s[i + 1..]);
                Some(&s[..i])
            }
            None => {
                self.rest = None;
                Some(s)
            }
        }
    }
}

/// Cuts `s` to at most `max` bytes on a char boundary.
pub fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Owned texts in the joined form, with their counts (read from JSON logs).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OwnedTexts {
    pub fixed: [String; TEXT_FIELDS.len()],
    pub header_pairs: Vec<(String, String)>,
    pub body_fields: Vec<String>,
}

impl OwnedTexts {
    /// The `\0`-joined form the JS packer makes: a `\0` inside a value becomes a space, as there,
    /// so that it cannot spill into the next field.
    pub fn joined(&self) -> String {
        let mut parts: Vec<&str> = self.fixed.iter().map(String::as_str).collect();
        for (n, v) in &self.header_pairs {
            parts.extend([n.as_str(), v.as_str()]);
        }
        parts.extend(self.body_fields.iter().map(String::as_str));
        let clean: Vec<std::borrow::Cow<'_, str>> = parts.iter().map(|p| if p.contains('\0') { p.replace('\0', " ").into() } else { (*p).into() }).collect();
        clean.join("\0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_regions_end_at_each_nul_whatever_its_offset() {
        // Separators at every offset of the word-at-a-time head and past it, runs of them, none.
        for len in 0..80 {
            for at in (0..len).step_by(3) {
                let mut s = "x".repeat(len);
                s.replace_range(at..=at, "\0");
                let bytes = s.as_bytes();
                assert_eq!(first_nul(bytes), bytes.iter().position(|&b| b == 0), "{len} {at}");
                let by_split: Vec<&str> = s.split('\0').collect();
                assert_eq!(NulFields::new(&s, usize::MAX).collect::<Vec<_>>(), by_split);
            }
        }
        let s = "a\0\0bb\0".repeat(40) + "tail";
        let by_split: Vec<&str> = s.split('\0').collect();
        for n in 1..=by_split.len() + 1 {
            let (mut bulk, mut one_by_one) = (NulFields::new(&s, usize::MAX), NulFields::new(&s, n));
            let expected = (n <= by_split.len()).then(|| by_split[..n].join("\0"));
            assert_eq!(bulk.region(n).map(str::to_string), expected, "{n}");
            // Within a limit the last field keeps the further separators, as `splitn`'s does.
            assert_eq!(one_by_one.region(n), (n <= by_split.len()).then_some(s.as_str()), "limit {n}");
            assert_eq!(bulk.collect::<Vec<_>>(), by_split.get(n..).map_or(vec![], <[&str]>::to_vec), "after {n}");
        }
    }

    #[test]
    fn splits_fixed_fields_then_regions() {
        let joined = ["/p?q=1", "a@b.c", "203.0.113.9", "u1", "s1", "", "user-agent", "curl/8", "accept", "*/*", "a", "b"].join("\0");
        let t = Texts::from_joined(&joined, 2, 2).unwrap();
        assert_eq!((t.path, t.email, t.ip, t.account_id, t.session_id, t.fingerprint), ("/p?q=1", "a@b.c", "203.0.113.9", "u1", "s1", ""));
        assert_eq!(t.header_pairs().collect::<Vec<_>>(), vec![("user-agent", "curl/8"), ("accept", "*/*")]);
        assert_eq!(t.body_fields().collect::<Vec<_>>(), vec!["a", "b"]);
        assert!(Texts::from_joined(&joined, 2, 1).is_err(), "a field left over");
        assert!(Texts::from_joined(&joined, 4, 0).is_err(), "too few fields");
        let bare = Texts::from_joined("\0\0\0\0\0", 0, 0).unwrap();
        assert_eq!((bare.header_region, bare.body_region), ("", ""));
    }

    #[test]
    fn a_batch_is_one_run_of_requests() {
        let a = ["/a", "", "", "", "", "", "h", "1"].join("\0");
        let b = ["/b", "", "", "", "", "", "x", "y"].join("\0");
        let joined = format!("{a}\0{b}");
        let mut fields = NulFields::new(&joined, usize::MAX);
        let ta = Texts::from_fields(&mut fields, 1, 0).unwrap();
        let tb = Texts::from_fields(&mut fields, 0, 2).unwrap();
        assert_eq!((ta.path, ta.header_region), ("/a", "h\x001"));
        assert_eq!((tb.path, tb.body_fields().collect::<Vec<_>>()), ("/b", vec!["x", "y"]));
        assert!(fields.next().is_none());
    }

    #[test]
    fn owned_texts_join_as_the_packer_does() {
        let o = OwnedTexts {
            fixed: ["/p".into(), String::new(), String::new(), String::new(), String::new(), String::new()],
            header_pairs: vec![("user-agent".into(), "x".into())],
            body_fields: vec!["v".into()],
        };
        let joined = o.joined();
        let t = Texts::from_joined(&joined, 1, 1).unwrap();
        assert_eq!((t.path, t.headers().count, t.body_region), ("/p", 1, "v"));
    }
}
