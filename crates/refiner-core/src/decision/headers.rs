//! The request's headers, as the packer passes them: every name/value pair in arrival order, in
//! whatever case the client or framework used. [`Headers`] finds the ones the features read (each
//! declared once in [`Header`]); the payload scanner walks all of them.

use super::texts::{NulFields, MAX_HEADER_PAIRS};
use std::sync::OnceLock;
use strum::{EnumCount, IntoStaticStr, VariantArray};

/// Headers whose presence or value a feature reads, named as on the wire (lowercase).
#[derive(Clone, Copy, Debug, PartialEq, Eq, IntoStaticStr, VariantArray, EnumCount)]
#[strum(serialize_all = "kebab-case")]
pub enum Header {
    UserAgent,
    SecChUa,
    SecChUaMobile,
    SecChUaPlatform,
    Accept,
    AcceptLanguage,
    AcceptEncoding,
    SecFetchMode,
    SecFetchSite,
    SecFetchDest,
    SecFetchUser,
    UpgradeInsecureRequests,
    Referer,
    Cookie,
    Connection,
    Te,
    Priority,
    Origin,
    ContentType,
    XRequestedWith,
    From,
    Host,
    /// HTTP/2's host, as Node's http2 compatibility API passes it.
    #[strum(serialize = ":authority")]
    Authority,
}

impl Header {
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The header called `name` (any case), if a feature reads it.
    pub fn lookup(name: &str) -> Option<Header> {
        // Bucketed by length: a header name is compared with the one to four known names of its
        // length instead of all of them, each as one fixed-size lowercased array (two vector
        // compares): `eq_ignore_ascii_case` folded both sides byte by byte, ~1,900 instructions
        // for a browser's nine headers.
        static BY_LEN: OnceLock<Vec<Vec<(Folded, Header)>>> = OnceLock::new();
        let by_len = BY_LEN.get_or_init(|| {
            let mut t = vec![Vec::new(); 1 + Header::VARIANTS.iter().map(|h| h.name().len()).max().unwrap_or(0)];
            for &h in Header::VARIANTS {
                t[h.name().len()].push((fold(h.name()).expect("a known header name fits"), h));
            }
            t
        });
        let known = by_len.get(name.len())?;
        let name = fold(name)?;
        known.iter().find(|(k, _)| *k == name).map(|&(_, h)| h)
    }
}

/// A header name ASCII-lowercased and zero-padded to a fixed size (the longest known name is 25
/// bytes), so that lowercasing and comparing vectorize; None when longer.
type Folded = [u8; 32];

fn fold(name: &str) -> Option<Folded> {
    let mut f = [0; 32];
    f.get_mut(..name.len())?.copy_from_slice(name.as_bytes());
    f.make_ascii_lowercase();
    Some(f)
}

/// The headers of one request: the values features read, and how many there were.
#[derive(Clone, Copy, Debug)]
pub struct Headers<'a> {
    values: [&'a str; Header::COUNT],
    present: u32,
    repeated: u32,
    /// Which known header each pair read is, in arrival order, so that the payload scan does not
    /// look the names up again.
    kinds: [Option<Header>; MAX_HEADER_PAIRS],
    /// Pairs given, known or not.
    pub count: usize,
}

const _: () = assert!(Header::COUNT <= 32, "presence is a u32 bit set");

impl Default for Headers<'_> {
    fn default() -> Self {
        Self { values: [""; Header::COUNT], present: 0, repeated: 0, kinds: [None; MAX_HEADER_PAIRS], count: 0 }
    }
}

impl<'a> Headers<'a> {
    /// Reads `pairs` name/value pairs from `region` (`name\0value\0name\0value`), at most
    /// [`MAX_HEADER_PAIRS`]; the first of repeated names wins.
    pub fn parse(region: &'a str, pairs: usize) -> Self {
        let mut h = Headers { count: pairs, ..Default::default() };
        for (i, (name, value)) in header_pairs(region, pairs.min(MAX_HEADER_PAIRS)).enumerate() {
            let kind = Header::lookup(name);
            h.kinds[i] = kind;
            if let Some(k) = kind {
                let bit = 1 << k as u32;
                if h.present & bit == 0 {
                    h.present |= bit;
                    h.values[k as usize] = value;
                } else {
                    h.repeated |= bit;
                }
            }
        }
        h
    }

    pub fn has(&self, h: Header) -> bool {
        self.present & (1 << h as u32) != 0
    }

    /// Whether `h` was given more than once (its first value is the one read).
    pub fn repeated(&self, h: Header) -> bool {
        self.repeated & (1 << h as u32) != 0
    }

    /// The value of `h`, "" when absent.
    pub fn get(&self, h: Header) -> &'a str {
        self.values[h as usize]
    }

    /// Which known header each pair read is, in arrival order (see [`Texts::header_pairs`](super::Texts::header_pairs)).
    pub fn kinds(&self) -> &[Option<Header>] {
        &self.kinds[..self.count.min(MAX_HEADER_PAIRS)]
    }
}

/// The name/value pairs of a header region (see [`Headers::parse`]).
pub fn header_pairs(region: &str, pairs: usize) -> impl Iterator<Item = (&str, &str)> {
    let mut fields = NulFields::new(region, if pairs == 0 { 0 } else { 2 * pairs });
    std::iter::from_fn(move || Some((fields.next()?, fields.next().unwrap_or(""))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_known_headers_in_any_case_first_wins() {
        let region = ["User-Agent", "curl/8", "X-Custom", "1", "ACCEPT", "*/*", "accept", "text/html", "sec-ch-ua", ""].join("\0");
        let h = Headers::parse(&region, 5);
        assert_eq!(h.count, 5);
        assert_eq!(h.kinds(), [Some(Header::UserAgent), None, Some(Header::Accept), Some(Header::Accept), Some(Header::SecChUa)]);
        assert_eq!(h.get(Header::UserAgent), "curl/8");
        assert_eq!(h.get(Header::Accept), "*/*");
        assert!(h.has(Header::SecChUa), "an empty value is still present");
        assert!(!h.has(Header::Referer));
        assert_eq!(Header::lookup("Sec-Fetch-Mode"), Some(Header::SecFetchMode));
        assert_eq!(Header::lookup("x-forwarded-for"), None);
        assert_eq!(Header::UpgradeInsecureRequests.name(), "upgrade-insecure-requests");
    }

    #[test]
    fn no_pairs_reads_nothing() {
        let h = Headers::parse("", 0);
        assert_eq!((h.count, h.present), (0, 0));
        assert_eq!(header_pairs("", 0).count(), 0);
    }
}
