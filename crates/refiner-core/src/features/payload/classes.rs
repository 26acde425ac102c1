//! Byte classes: one table lookup per byte gives the set of special characters a value holds,
//! which is all the prefilters need to skip the detectors for ordinary text.
//!
//! Input: bytes. Output: a [`Mask`] of the classes present.

/// A set of byte classes (bits below).
pub type Mask = u32;

pub const QUOTE: Mask = 1 << 0; // ' "
pub const BACKTICK: Mask = 1 << 1;
pub const LT: Mask = 1 << 2;
pub const GT: Mask = 1 << 3;
pub const SEMI: Mask = 1 << 4;
pub const PIPE: Mask = 1 << 5;
pub const AMP: Mask = 1 << 6;
pub const DOLLAR: Mask = 1 << 7;
pub const BRACE: Mask = 1 << 8; // { }
pub const PAREN: Mask = 1 << 9; // ( )
pub const PERCENT: Mask = 1 << 10;
pub const BACKSLASH: Mask = 1 << 11;
pub const DOT: Mask = 1 << 12;
pub const SLASH: Mask = 1 << 13;
pub const COLON: Mask = 1 << 14;
pub const EQ: Mask = 1 << 15;
pub const HASH: Mask = 1 << 16;
pub const DASH: Mask = 1 << 17;
pub const STAR: Mask = 1 << 18;
pub const NEWLINE: Mask = 1 << 19; // \n \r
pub const CTRL: Mask = 1 << 20; // other C0 controls but tab, and DEL
pub const HIGH: Mask = 1 << 21; // ≥ 0x80
pub const PLUS: Mask = 1 << 22;
pub const COMMA: Mask = 1 << 23;
pub const BRACKET: Mask = 1 << 24; // [ ]
pub const QUESTION: Mask = 1 << 25;
pub const AT: Mask = 1 << 26;

/// Classes without which no detector can confirm anything; [`mask`] returns 0 for bytes that
/// hold none of them (nor a byte that starts overlong or full-width UTF-8).
pub const TRIGGERS: Mask = !(DOT | DASH | COMMA | AT | PLUS | QUESTION | HIGH);

/// Classes that may start an encoding the deep decoder undoes.
pub const ENCODED: Mask = PERCENT | AMP | BACKSLASH | CTRL | HIGH | PLUS;

const fn class_of(b: u8) -> Mask {
    match b {
        b'\'' | b'"' => QUOTE,
        b'`' => BACKTICK,
        b'<' => LT,
        b'>' => GT,
        b';' => SEMI,
        b'|' => PIPE,
        b'&' => AMP,
        b'$' => DOLLAR,
        b'{' | b'}' => BRACE,
        b'(' | b')' => PAREN,
        b'%' => PERCENT,
        b'\\' => BACKSLASH,
        b'.' => DOT,
        b'/' => SLASH,
        b':' => COLON,
        b'=' => EQ,
        b'#' => HASH,
        b'-' => DASH,
        b'*' => STAR,
        b'\n' | b'\r' => NEWLINE,
        b'+' => PLUS,
        b',' => COMMA,
        b'[' | b']' => BRACKET,
        b'?' => QUESTION,
        b'@' => AT,
        b'\t' => 0,
        0..=0x1f | 0x7f => CTRL,
        0x80..=0xff => HIGH,
        _ => 0,
    }
}

static TABLE: [Mask; 256] = {
    let mut t = [0; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = class_of(i as u8);
        i += 1;
    }
    t
};

/// The classes of one byte.
#[inline(always)]
pub fn of(b: u8) -> Mask {
    TABLE[b as usize]
}

/// Whether `b` is in a class [`TRIGGERS`] holds, is a `-` or `,` (`--` comments and
/// `UNION SELECT a,b` need them), or starts overlong or full-width UTF-8: written as comparisons,
/// so that [`mask`]'s fast path vectorizes.
#[inline(always)]
fn special(b: u8) -> bool {
    // Branch-free range tests: `"#$%&'()*` `,-` `/`, `:;<=>`, `[\]`, `` ` ``, `{|}`, controls.
    let control = (b < 0x20) & (b != b'\t') | (b == 0x7F);
    let punct = (b.wrapping_sub(0x22) <= 0x0D) & (b != b'+') & (b != b'.');
    let relations = b.wrapping_sub(0x3A) <= 4;
    let brackets = (b.wrapping_sub(0x5B) <= 2) | (b == b'`') | (b.wrapping_sub(0x7B) <= 2);
    let utf8 = (b.wrapping_sub(0xC0) <= 1) | (b == 0xE0) | (b == 0xEF);
    control | punct | relations | brackets | utf8
}

/// The union of the classes of `bytes`; for longer values without any [`special`] byte 0 at once,
/// found by a vectorized pass, since most values are such.
#[inline]
pub fn mask(bytes: &[u8]) -> Mask {
    tick(bytes.len());
    // The vectorized test pays off from a few dozen bytes; shorter values go to the table.
    if bytes.len() >= VECTORIZED && !any_special(bytes) {
        return 0;
    }
    // Four independent accumulators: the loop is then bound by loads, not by the OR chain.
    let mut acc = [0 as Mask; 4];
    let mut chunks = bytes.chunks_exact(4);
    for c in &mut chunks {
        acc[0] |= of(c[0]);
        acc[1] |= of(c[1]);
        acc[2] |= of(c[2]);
        acc[3] |= of(c[3]);
    }
    for &b in chunks.remainder() {
        acc[0] |= of(b);
    }
    acc[0] | acc[1] | acc[2] | acc[3]
}

/// Whether `bytes` hold a [`special`] byte: 32 bytes at a time, vectorized, stopping at the first
/// block with one (a value with special bytes then goes to the table at once).
#[inline(always)]
fn any_special(bytes: &[u8]) -> bool {
    // A fold, not `any`: it vectorizes.
    let has = |block: &[u8]| block.iter().fold(false, |acc, &b| acc | special(b));
    let mut blocks = bytes.chunks_exact(32);
    blocks.any(has) || has(blocks.remainder())
}

/// Length from which [`mask`] first looks for a [`special`] byte.
const VECTORIZED: usize = 48;

/// What [`mask`] returns for `bytes`, given `union`, the union of [`of`] over them (which a walk
/// that reads every byte anyway gathers): `union`, but 0 for a value of [`VECTORIZED`] bytes or
/// more without a [`special`] byte. Only non-ASCII bytes (some are special) need the bytes again.
#[inline]
pub fn mask_of_union(bytes: &[u8], union: Mask) -> Mask {
    if bytes.len() < VECTORIZED || union & (TRIGGERS | DASH | COMMA) != 0 {
        // The table decides, or a special byte is there.
        union
    } else if union & HIGH == 0 {
        0
    } else {
        mask(bytes)
    }
}

#[cfg(test)]
thread_local! {
    static WORK: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts `n` steps of work: bytes a pass reads, candidates a loop tries. Only tests keep the
/// count (the linear-time test bounds it); elsewhere this is nothing.
#[inline(always)]
pub fn tick(n: usize) {
    #[cfg(test)]
    WORK.with(|w| w.set(w.get() + n as u64));
    #[cfg(not(test))]
    let _ = n;
}

/// The work counted on this thread since the last call.
#[cfg(test)]
pub fn take_work() -> u64 {
    WORK.with(|w| w.replace(0))
}

/// Position of `needle` (short, non-empty) in `hay`: a `memchr` for the needle's rarest byte
/// ([`anchor_of`]), then an inline compare. Faster than building a `memmem` searcher for the
/// short values and needles here, and still linear: needles are at most a few dozen bytes.
#[inline(always)]
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    // Inlined so that the anchor of a literal needle is found at compile time.
    find_from_anchor(hay, needle, anchor_of(needle))
}

/// [`find`] with the needle's anchor known.
#[inline]
fn find_from_anchor(hay: &[u8], needle: &[u8], anchor: usize) -> Option<usize> {
    let a = needle[anchor];
    // Candidates for the anchor stop where the needle would run past the end.
    let end = (hay.len() + 1).checked_sub(needle.len())? + anchor;
    let mut from = anchor;
    while let Some(k) = find_byte(a, &hay[from..end]) {
        tick(k + needle.len());
        let at = from + k - anchor;
        let last = needle.len() - 1;
        if hay[at + last] == needle[last] && needle.iter().zip(&hay[at..]).all(|(x, y)| x == y) {
            return Some(at);
        }
        from += k + 1;
    }
    None
}

/// The needle's byte `find` looks for: the one with the lowest [`RANK`], the first of equals.
/// One pass, no closures: this runs on every call whose needle is not a literal.
#[inline(always)]
fn anchor_of(needle: &[u8]) -> usize {
    let (mut best, mut best_rank) = (0, u8::MAX);
    for (i, &b) in needle.iter().enumerate() {
        let rank = RANK[b as usize];
        if rank < best_rank || i == 0 {
            (best, best_rank) = (i, rank);
        }
    }
    best
}

/// How common a byte is in the values searched (lower-cased text, URLs, user agents): punctuation
/// that is not common in text first, then the rarest letters, common punctuation from the rarest
/// (a user agent has twice as many `.` as `(`), digits, the other letters from the rarest
/// (`" like "` anchored on its blank or `e` would stop at every word), the blank last.
static RANK: [u8; 256] = {
    let mut t = [0; 256];
    // English letter frequencies, rarest first; an upper-case letter ranks as its lower case.
    let letters = b"zqxjkvbpygfwmucldrhsnioate";
    let mut i = 0;
    while i < letters.len() {
        // The six rarest rank before any common punctuation, the rest after the digits.
        let rank = if i < 6 { 1 + i } else { 64 + i } as u8;
        t[letters[i] as usize] = rank;
        t[letters[i].to_ascii_uppercase() as usize] = rank;
        i += 1;
    }
    let common = b"()\"'=:,-/.";
    let mut i = 0;
    while i < common.len() {
        t[common[i] as usize] = 16 + i as u8;
        i += 1;
    }
    let mut d = b'0';
    while d <= b'9' {
        t[d as usize] = 32;
        d += 1;
    }
    t[b' ' as usize] = 255;
    t
};

/// Whether `s` is a number: one or more ASCII digits and nothing else.
pub fn digits(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(u8::is_ascii_digit)
}

/// Whether `s[at..]` starts with `word` and the next byte does not continue an identifier.
pub fn starts_word(s: &[u8], at: usize, word: &[u8]) -> bool {
    s.get(at..).is_some_and(|r| r.starts_with(word)) && !s.get(at + word.len()).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

/// Position of byte `b` in `s`.
#[inline]
pub fn find_byte(b: u8, s: &[u8]) -> Option<usize> {
    // The first bytes a word at a time, with no call and no setup: dense hits (an adversary's
    // `${${${…`) end there, and so do short slices; `memchr` for the rest.
    let head = s.len().min(HEAD);
    if head < 8 {
        // `head` is then all of `s`.
        return s[..head].iter().position(|&x| x == b);
    }
    let pattern = u64::from(b) * LOW_BITS;
    let mut i = 0;
    while i + 8 <= head {
        if let Some(k) = byte_in_word(word_at(s, i) ^ pattern) {
            return Some(i + k);
        }
        i += 8;
    }
    // The last word overlaps bytes already read, which hold no `b`: a hit in it is at `i` or later.
    if i < head {
        if let Some(k) = byte_in_word(word_at(s, head - 8) ^ pattern) {
            return Some(head - 8 + k);
        }
    }
    memchr_from(b, s, head)
}

/// Bytes [`find_byte`] reads a word at a time before it calls `memchr`.
const HEAD: usize = 32;
const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The eight bytes of `s` from `at`, the first in the low bits.
#[inline(always)]
fn word_at(s: &[u8], at: usize) -> u64 {
    let mut w = [0; 8];
    w.copy_from_slice(&s[at..at + 8]);
    u64::from_le_bytes(w)
}

/// The high bit of each zero byte of `w`, and maybe of bytes above one: a borrow only runs
/// upwards, from a zero byte, so the lowest flagged byte is the first zero.
#[inline(always)]
fn zero_bytes(w: u64) -> u64 {
    w.wrapping_sub(LOW_BITS) & !w & HIGH_BITS
}

/// Position of the first zero byte of `w`.
#[inline(always)]
fn byte_in_word(w: u64) -> Option<usize> {
    let zeros = zero_bytes(w);
    (zeros != 0).then(|| zeros.trailing_zeros() as usize / 8)
}

#[inline]
fn memchr_from(b: u8, s: &[u8], from: usize) -> Option<usize> {
    if from < s.len() {
        memchr::memchr(b, &s[from..]).map(|k| from + k)
    } else {
        None
    }
}

/// Position of `word` (lower-case ASCII, non-empty) in `hay`, in any case.
pub fn find_ignore_case(hay: &[u8], word: &[u8]) -> Option<usize> {
    let (lo, up) = (word[0], word[0].to_ascii_uppercase());
    memchr::memchr2_iter(lo, up, hay).find(|&i| {
        tick(1);
        hay[i..].len() >= word.len() && hay[i..i + word.len()].eq_ignore_ascii_case(word)
    })
}

/// Whether `hay` contains `word` (lower-case ASCII) in any case.
pub fn contains_ignore_case(hay: &[u8], word: &[u8]) -> bool {
    tick(hay.len());
    word.is_empty() || find_ignore_case(hay, word).is_some()
}

/// Whether `hay` contains `needle`.
#[inline]
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_has_no_classes_but_punctuation_does() {
        assert_eq!(mask(b"Hello world 42 Anna"), 0);
        let plain = b"anna.smith42@example.com hi? +1 ~_!^ and some more words";
        assert!(plain.len() >= 48);
        assert_eq!(mask(plain), 0, "no trigger: the fast path says 0");
        assert_eq!(mask(&plain[..20]) & TRIGGERS, 0, "short: the table, without triggers");
        for b in 0..=255u8 {
            let expected = class_of(b) & TRIGGERS != 0 || matches!(b, b'-' | b',' | 0xC0 | 0xC1 | 0xE0 | 0xEF);
            assert_eq!(special(b), expected, "byte {b:#x}");
        }
        assert_eq!(mask(b"O'Brien"), QUOTE);
        assert_eq!(mask(b"a;b|c"), SEMI | PIPE);
        assert_eq!(mask("café".as_bytes()), HIGH, "short: the table sees the non-ASCII bytes");
        assert_eq!(mask("\u{FF1C}".as_bytes()), HIGH);
        assert_eq!(mask(b"\0\t"), CTRL);
        assert_eq!(mask(b"1+2=3%"), PLUS | EQ | PERCENT);
    }

    #[test]
    fn find_agrees_with_a_naive_search() {
        // Short and long haystacks (the word-at-a-time head and `memchr`), needles anchored first,
        // inside and last, with repeats, near misses and bytes whose zero-byte flags spill over
        // (0x00, 0x01, 0x80).
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let alphabet = [b'a', b'b', b'.', b'/', b'k', 0x00, 0x01, 0x80, 0xFF, b' '];
        for round in 0..20_000 {
            let len = if round % 10 == 0 { 200 + next(200) as usize } else { next(70) as usize };
            let hay: Vec<u8> = (0..len).map(|_| alphabet[next(alphabet.len() as u64) as usize]).collect();
            let n = 1 + next(6) as usize;
            let needle: Vec<u8> = if len >= n && next(2) == 0 {
                let at = next((len - n + 1) as u64) as usize;
                hay[at..at + n].to_vec()
            } else {
                (0..n).map(|_| alphabet[next(alphabet.len() as u64) as usize]).collect()
            };
            let naive = hay.windows(n).position(|w| w == needle.as_slice());
            assert_eq!(find(&hay, &needle), naive, "{hay:?} {needle:?}");
        }
        assert_eq!(find(b"..x..", b".."), Some(0));
        assert_eq!(find(b"abc", b"c"), Some(2));
    }

    #[test]
    fn mask_of_union_is_mask() {
        let texts: [&[u8]; 8] = [
            b"short, with a comma",
            b"anna.smith42@example.com hi? +1 ~_!^ and some more words",
            b"anna.smith42@example.com hi? +1 ~_!^ and some more words, and a comma",
            b"anna.smith42@example.com hi? +1 ~_!^ and some more words and a -",
            "caf\u{e9} cr\u{e8}me br\u{fb}l\u{e9}e for everybody at the table tonight".as_bytes(),
            "full-width \u{ff1c} in a long enough line of text for the fast path".as_bytes(),
            b"a long enough line of text for the fast path with an overlong byte: \xc0\x80",
            b"",
        ];
        for t in texts {
            let union = t.iter().fold(0, |m, &b| m | of(b));
            assert_eq!(mask_of_union(t, union), mask(t), "{}", String::from_utf8_lossy(t));
        }
    }

    #[test]
    fn find_locates_short_needles() {
        assert_eq!(find(b"abcabd", b"abd"), Some(3));
        assert_eq!(find(b"ab", b"abc"), None);
        assert_eq!(find(b"....", b".."), Some(0));
        assert_eq!(find(b"x document.cookie", b"document.cookie"), Some(2));
        assert_eq!(find(b".cookie document.cookie", b"document.cookie"), Some(8));
        assert_eq!(find(b"a on b", b" on"), Some(1));
        assert_eq!(find(b"", b"x"), None);
        assert!(contains(b"x /* y", b"/*"));
    }

    #[test]
    fn find_byte_agrees_with_position_at_every_length_and_place() {
        let mut s: Vec<u8> = (0..100u8).map(|i| b'a' + i % 26).collect();
        for len in 0..s.len() {
            for b in [b'a', b'z', b'q', b'\x80', 0, b'k'] {
                assert_eq!(find_byte(b, &s[..len]), s[..len].iter().position(|&x| x == b), "{b} in {len}");
            }
        }
        // A byte below another one's borrow: `0x01` after a hit must not hide or fake a hit.
        s[40] = 0x01;
        s[41] = 0x00;
        for len in 0..s.len() {
            for b in [0x00, 0x01, 0x80, 0xFF] {
                assert_eq!(find_byte(b, &s[..len]), s[..len].iter().position(|&x| x == b), "{b} in {len}");
                assert_eq!(find_byte(b, &s[3..len.max(3)]), s[3..len.max(3)].iter().position(|&x| x == b), "{b} from 3 in {len}");
            }
        }
    }
}
