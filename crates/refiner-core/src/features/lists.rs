//! Public domain and user-agent lists, embedded at build time (sources and licenses: docs/DATA.md).

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use regex::RegexSet;
use std::sync::OnceLock;

/// A set of domains stored as sorted 32-bit hashes, with the index of where each run of hashes
/// sharing their top bits starts; each entry keeps only the little-endian bytes below those bits
/// (see build.rs).
pub struct DomainSet {
    hashes: &'static [u8],
    starts: &'static [u8],
}

macro_rules! domain_set {
    ($name:literal) => {
        DomainSet {
            hashes: include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".bin")),
            starts: include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".idx")),
        }
    };
}

pub static DISPOSABLE: DomainSet = domain_set!("disposable-domains");
pub static DISPOSABLE_WILDCARDS: DomainSet = domain_set!("disposable-wildcards");
pub static FREE_PROVIDERS: DomainSet = domain_set!("free-providers");

/// The `i`-th little-endian integer of `width` bytes in `bytes`.
fn le_at(bytes: &[u8], i: usize, width: usize) -> u32 {
    let mut b = [0u8; 4];
    b[..width].copy_from_slice(&bytes[i * width..(i + 1) * width]);
    u32::from_le_bytes(b)
}

/// A domain's key in every set; `domain` must already be lowercase.
pub fn domain_hash(domain: &str) -> u32 {
    (xxhash_rust::xxh3::xxh3_64(domain.as_bytes()) >> 32) as u32
}

impl DomainSet {
    /// The hash bits a run's index holds, and the bytes each entry keeps below them (build.rs).
    fn layout(&self) -> (u32, usize) {
        let bits = (self.starts.len() / 4 - 1).ilog2();
        (bits, (32 - bits as usize).div_ceil(8))
    }

    /// Where the run of hashes with `run`'s top bits starts.
    fn start(&self, run: usize) -> usize {
        le_at(self.starts, run, 4) as usize
    }

    pub fn contains_hash(&self, h: u32) -> bool {
        let (bits, width) = self.layout();
        let run = (u64::from(h) >> (32 - bits)) as usize;
        // Within a run the top bits are equal, so the kept low bytes order and identify a hash.
        let want = h & (u32::MAX >> (32 - 8 * width));
        let (mut lo, mut hi) = (self.start(run), self.start(run + 1));
        while lo < hi {
            let mid = (lo + hi) / 2;
            match le_at(self.hashes, mid, width).cmp(&want) {
                std::cmp::Ordering::Equal => return true,
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
            }
        }
        false
    }
}

/// True when `domain` or one of its parent domains is in one of `sets`. `hash` is
/// `domain_hash(domain)`, which the caller also looks up elsewhere; each parent is hashed once.
pub fn listed_with_parents(sets: &[&DomainSet], domain: &str, hash: u32) -> bool {
    let (mut d, mut h) = (domain, hash);
    loop {
        if sets.iter().any(|s| s.contains_hash(h)) {
            return true;
        }
        match d.find('.') {
            Some(i) if d[i + 1..].contains('.') => {
                d = &d[i + 1..];
                h = domain_hash(d);
            }
            _ => return false,
        }
    }
}

/// The crawler-user-agents patterns, linear-time: the plain strings among them as one
/// Aho–Corasick automaton, the others as a `RegexSet` (split by build.rs).
pub struct CrawlerPatterns {
    literals: AhoCorasick,
    regexes: RegexSet,
}

impl CrawlerPatterns {
    pub fn is_match(&self, ua: &str) -> bool {
        self.literals.is_match(ua) || self.regexes.is_match(ua)
    }
}

const CRAWLER_LITERALS: &str = include_str!(concat!(env!("OUT_DIR"), "/crawler-literals.txt"));
const CRAWLER_REGEXES: &str = include_str!(concat!(env!("OUT_DIR"), "/crawler-regexes.txt"));

/// The crawler-user-agents patterns, compiled on first use (a few ms, at a process's first refine).
pub fn crawler_patterns() -> &'static CrawlerPatterns {
    static SET: OnceLock<CrawlerPatterns> = OnceLock::new();
    SET.get_or_init(|| CrawlerPatterns {
        // An NFA builds in a fraction of a DFA's time; user agents are analyzed once per cache miss.
        literals: AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(CRAWLER_LITERALS.lines())
            .expect("literal patterns build"),
        regexes: RegexSet::new(CRAWLER_REGEXES.lines()).expect("build.rs checked that they compile"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    impl DomainSet {
        fn contains(&self, domain: &str) -> bool {
            self.contains_hash(domain_hash(domain))
        }

        /// The full hashes: each run's top bits, then its entries' bytes below them.
        fn all(&self) -> Vec<u32> {
            let (bits, width) = self.layout();
            (0..1usize << bits)
                .flat_map(|run| (self.start(run)..self.start(run + 1)).map(move |i| (run, i)))
                .map(|(run, i)| ((run as u64) << (32 - bits)) as u32 | (le_at(self.hashes, i, width) & (u32::MAX >> bits)))
                .collect()
        }
    }

    #[test]
    fn the_index_finds_what_a_full_search_finds() {
        for set in [&DISPOSABLE, &DISPOSABLE_WILDCARDS, &FREE_PROVIDERS] {
            let all = set.all();
            assert!(all.is_sorted() && all.len() > 300);
            assert!(all.iter().all(|&h| set.contains_hash(h)));
            // Neighbours of every member, and the ends of the hash range.
            let probes = all.iter().flat_map(|&h| [h.wrapping_sub(1), h.wrapping_add(1)]).chain([0, u32::MAX]);
            for h in probes {
                assert_eq!(set.contains_hash(h), all.binary_search(&h).is_ok(), "{h:#x}");
            }
        }
    }

    #[test]
    fn lists_are_loaded_and_searchable() {
        assert!(DISPOSABLE.contains("mailinator.com"));
        assert!(!DISPOSABLE.contains("gmail.com"));
        assert!(FREE_PROVIDERS.contains("gmail.com"));
        assert!(!FREE_PROVIDERS.contains("example-corp-4711.com"));
        let listed = |sets: &[&DomainSet], d: &str| listed_with_parents(sets, d, domain_hash(d));
        assert!(listed(&[&DISPOSABLE], "inbox.mailinator.com"));
        assert!(!listed(&[&DISPOSABLE, &DISPOSABLE_WILDCARDS], "com"));
    }

    #[test]
    fn crawler_patterns_compile_and_match_real_crawlers() {
        let set = crawler_patterns();
        assert!(set.literals.patterns_len() > 1000 && set.regexes.len() > 10);
        assert!(set.is_match("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"));
        assert!(!set.is_match("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"));
    }

    #[test]
    fn split_patterns_match_what_one_regex_set_matches() {
        let lines: Vec<_> = include_str!("../../data/crawler-patterns.txt").lines().filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
        let whole = RegexSet::new(&lines).expect("compiles");
        let split = crawler_patterns();
        // Each pattern's text with its escapes dropped, alone and inside a browser's user agent,
        // in other case; and agents no pattern names.
        let texts = lines.iter().map(|l| l.replace('\\', "")).flat_map(|t| {
            [t.clone(), format!("Mozilla/5.0 (compatible; {t}; +https://example.com)"), t.to_lowercase(), t.to_uppercase()]
        });
        let others = ["", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "curl/8.5.0", "Wget/1.21", "AdsBot-Google-Mobile"];
        let mut matched = 0;
        for t in texts.chain(others.map(String::from)) {
            assert_eq!(split.is_match(&t), whole.is_match(&t), "{t:?}");
            matched += usize::from(whole.is_match(&t));
        }
        assert!(matched > 3000, "the texts exercise the patterns: {matched}");
    }
}
