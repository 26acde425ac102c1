//! Email shape: syntax, plus-addressing, randomness, and disposable or free-mail domains.

use super::lists::{domain_hash, listed_with_parents, DISPOSABLE, DISPOSABLE_WILDCARDS, FREE_PROVIDERS};
use std::sync::OnceLock;

/// What the address looks like; all zero when no address was given.
#[derive(Debug, Default, Clone)]
pub struct EmailInfo {
    pub present: bool,
    pub valid_syntax: bool,
    pub plus_addressing: bool,
    pub local_length: f64,
    /// Share of digits in the local part.
    pub local_digit_frac: f64,
    /// Shannon entropy of the local part in bits per character (random strings score high).
    pub local_entropy: f64,
    pub disposable: bool,
    /// A free-mail provider that is not disposable.
    pub free_provider: bool,
}

/// Longest domain name (RFC 1035); longer ones are invalid and not looked up.
const MAX_DOMAIN: usize = 253;

/// Analyzes `email`; domain lookups lowercase into a stack buffer, without allocating.
pub fn analyze(email: &str) -> EmailInfo {
    let email = email.trim();
    if email.is_empty() {
        return EmailInfo::default();
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return EmailInfo { present: true, ..Default::default() };
    };
    let valid_syntax = !local.is_empty()
        && local.len() <= 64
        && domain.len() <= MAX_DOMAIN
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && !local.contains(['@', ' ', '"', ',', '<', '>']);
    let mut info = EmailInfo {
        present: true,
        valid_syntax,
        plus_addressing: local.contains('+'),
        local_length: local.chars().count() as f64,
        local_digit_frac: digit_frac(local),
        local_entropy: entropy(local),
        ..Default::default()
    };
    if valid_syntax {
        let mut buf = [0u8; MAX_DOMAIN];
        let lower = &mut buf[..domain.len()];
        lower.copy_from_slice(domain.as_bytes());
        lower.make_ascii_lowercase();
        // Only ASCII bytes passed the syntax check, so this is valid UTF-8.
        let lower = std::str::from_utf8(lower).unwrap_or_default();
        let hash = domain_hash(lower);
        info.disposable = listed_with_parents(&[&DISPOSABLE, &DISPOSABLE_WILDCARDS], lower, hash);
        // The free-mail list also names some disposable services; disposable wins.
        info.free_provider = !info.disposable && FREE_PROVIDERS.contains_hash(hash);
    }
    info
}

fn digit_frac(s: &str) -> f64 {
    let (digits, total) = s.chars().fold((0u32, 0u32), |(d, t), c| (d + u32::from(c.is_ascii_digit()), t + 1));
    if total == 0 { 0.0 } else { f64::from(digits) / f64::from(total) }
}

fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 128];
    let mut total = 0u32;
    for b in s.bytes() {
        counts[usize::from(b & 0x7f)] += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    // H = log2 n − (1/n) Σ c·log2 c, with c·log2 c from a table: one logarithm per call, not one
    // per distinct character.
    static C_LOG_C: OnceLock<[f64; 256]> = OnceLock::new();
    let table = C_LOG_C.get_or_init(|| std::array::from_fn(|c| if c == 0 { 0.0 } else { c as f64 * (c as f64).log2() }));
    let c_log_c = |c: u32| table.get(c as usize).copied().unwrap_or_else(|| f64::from(c) * f64::from(c).log2());
    let n = f64::from(total);
    // Over the text's own characters, each counted once (its count zeroed when taken), not over
    // all 128 counts: a local part has a dozen distinct characters.
    let mut sum = 0.0;
    for b in s.bytes() {
        let c = std::mem::take(&mut counts[usize::from(b & 0x7f)]);
        if c > 0 {
            sum += c_log_c(c);
        }
    }
    (n.log2() - sum / n).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_disposable_and_free_domains() {
        let d = analyze("someone@Mailinator.com");
        assert!(d.valid_syntax && d.disposable && !d.free_provider);
        let f = analyze("mary.obrien+shop@gmail.com");
        assert!(f.free_provider && f.plus_addressing && !f.disposable);
        assert!(!analyze("not-an-email").valid_syntax);
        assert!(analyze("not-an-email").present);
    }

    #[test]
    fn random_local_parts_have_high_entropy_and_digits() {
        let random = analyze("x7k2q9zr4v@example.com");
        let human = analyze("anna@example.com");
        assert!(random.local_entropy > human.local_entropy);
        assert!(random.local_digit_frac > 0.3);
        assert_eq!(entropy("aaaa"), 0.0);
        assert!((entropy("ab") - 1.0).abs() < 1e-12);
        // log2 5 − (1/5)·2·log2 2: a repeated character counted once, wherever it recurs.
        assert!((entropy("hello") - (5f64.log2() - 0.4)).abs() < 1e-12);
    }
}
