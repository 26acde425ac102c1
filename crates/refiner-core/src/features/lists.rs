//! Public domain and user-agent lists, embedded at build time (sources and licenses: docs/DATA.md).

use regex::RegexSet;
use std::sync::OnceLock;

/// A set of domains stored as sorted little-endian 32-bit hashes (see build.rs).
pub struct DomainSet(&'static [u8]);

pub static DISPOSABLE: DomainSet = DomainSet(include_bytes!(concat!(env!("OUT_DIR"), "/disposable-domains.bin")));
pub static DISPOSABLE_WILDCARDS: DomainSet = DomainSet(include_bytes!(concat!(env!("OUT_DIR"), "/disposable-wildcards.bin")));
pub static FREE_PROVIDERS: DomainSet = DomainSet(include_bytes!(concat!(env!("OUT_DIR"), "/free-providers.bin")));

impl DomainSet {
    fn at(&self, i: usize) -> u32 {
        let mut b = [0u8; 4];
        b.copy_from_slice(&self.0[i * 4..i * 4 + 4]);
        u32::from_le_bytes(b)
    }

    fn contains_hash(&self, h: u32) -> bool {
        let (mut lo, mut hi) = (0, self.0.len() / 4);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.at(mid).cmp(&h) {
                std::cmp::Ordering::Equal => return true,
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
            }
        }
        false
    }

    /// `domain` must already be lowercase.
    pub fn contains(&self, domain: &str) -> bool {
        self.contains_hash((xxhash_rust::xxh3::xxh3_64(domain.as_bytes()) >> 32) as u32)
    }

    /// True when `domain` or one of its parent domains is in the set.
    pub fn contains_or_parent(&self, domain: &str) -> bool {
        let mut d = domain;
        loop {
            if self.contains(d) {
                return true;
            }
            match d.find('.') {
                Some(i) if d[i + 1..].contains('.') => d = &d[i + 1..],
                _ => return false,
            }
        }
    }
}

/// The crawler-user-agents patterns as one linear-time set, compiled on first use.
pub fn crawler_patterns() -> &'static RegexSet {
    static SET: OnceLock<RegexSet> = OnceLock::new();
    SET.get_or_init(|| {
        let patterns = include_str!("../../data/crawler-patterns.txt")
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        RegexSet::new(patterns).expect("crawler-patterns.txt is checked by a test to compile")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_loaded_and_searchable() {
        assert!(DISPOSABLE.contains("mailinator.com"));
        assert!(!DISPOSABLE.contains("gmail.com"));
        assert!(FREE_PROVIDERS.contains("gmail.com"));
        assert!(!FREE_PROVIDERS.contains("example-corp-4711.com"));
        assert!(DISPOSABLE.contains_or_parent("inbox.mailinator.com"));
        assert!(!DISPOSABLE.contains_or_parent("com"));
    }

    #[test]
    fn crawler_patterns_compile_and_match_real_crawlers() {
        let set = crawler_patterns();
        assert!(set.len() > 1000);
        assert!(set.is_match("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"));
        assert!(!set.is_match("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"));
    }
}
