//! SQL injection: libinjection's tokenizer, folding and fingerprint list, through the pure-Rust
//! port `libinjectionrs` (BSD-3-Clause), on bounded windows of the value.
//!
//! Input: a decoded value and its byte classes. Output: confirmed (libinjection matched a window),
//! suspicious (a window's fingerprint has a UNION, an expression or a T-SQL word), or nothing.
//!
//! Why the port and not an own tokenizer: libinjection's value is its 9,000-fingerprint list, tuned
//! for years against real traffic; a new tokenizer would have to reproduce its token classes and
//! folding rules exactly to reuse that list, and any drift silently changes detection. The port
//! passes the C library's test files, and here (see the module's measurements) it ran 8.3 M
//! random inputs biased toward SQL and HTML metacharacters, plus the proptests of this module,
//! without a panic, and its time stays linear in the input length on adversarial inputs (64 KB of
//! quotes, nested and MySQL comments, dashes, `$`, brackets, `q'[` strings). Two costs remain, both
//! bounded here: on token-dense input that keeps folding (`<<<<…`, `<a <a …`, `&#&#…`) it spends up
//! to ~350 ns per byte, and it allocates a small `String` per keyword lookup. So it only sees
//! values that hold a character SQL needs, each window is at most [`WINDOW`] bytes, and a request
//! may feed it at most [`BUDGET`] bytes in all (worst case ≈ 0.7 ms per request here).
//! Calls run under `catch_unwind` as well, so that a panic the fuzzing missed costs one value's
//! detection, not the request.
//!
//! Windows: the value's start (libinjection fingerprints the first five folded tokens, so an
//! injection after ordinary text is missed from there), then the value from each of its first
//! [`QUOTE_WINDOWS`] quotes, where a breakout would start, then the value with SQL comments taken
//! out when it has `/*` (`UNION/**/SELECT`, `/*!50000UNION*/`), which counts as obfuscation.
//! A value with control bytes, or made a third of `%`s, is read as the database (or classic ASP)
//! reads it first: the bytes as blanks, the `%`s dropped.

use super::classes::{self, Mask};
use super::quotes::{self, Dialect};
use super::{decode, sqlwords};
use libinjectionrs::{SqliFlags, SqliState};

/// Longest window handed to libinjection: its fingerprint is five folded tokens, and on
/// token-dense text every byte costs (up to ~350 ns here).
pub const WINDOW: usize = 256;
/// Windows that start at a quote, after the one at the value's start.
pub const QUOTE_WINDOWS: usize = 3;
/// Quotes read for breakouts, per value.
const QUOTES_READ: usize = 64;
/// Bytes libinjection may see per request.
pub const BUDGET: usize = 2048;

/// What the SQLi detector concluded about a value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    pub confirmed: bool,
    pub suspicious: bool,
    /// Confirmed only once SQL comments were taken out.
    pub obfuscated: bool,
    /// The budget ran out before every window was looked at.
    pub truncated: bool,
    /// A near miss people's text never opens with ([`sqlwords::hint`]): worth a challenge.
    pub probe: bool,
}

/// Whether `text` is an opaque token (a session id, a signature, a form token: base64 or
/// base64url words joined by dots, `=` only as padding, 16 bytes or more). With no quote, blank,
/// parenthesis or comparison it can at most subtract or comment (`0-k4DG…--p7…`, which
/// libinjection reads as `1-n--`), so a random one is no injection.
fn token(text: &[u8]) -> bool {
    let body = text.strip_suffix(b"==").or_else(|| text.strip_suffix(b"=")).unwrap_or(text);
    text.len() >= 16 && body.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'+' | b'/' | b'~'))
}

/// Byte classes without which a value cannot change an SQL statement's structure.
fn worth_it(text: &[u8], mask: Mask) -> bool {
    mask & (classes::QUOTE | classes::BACKTICK) != 0 || structural(text, mask)
}

/// SQL structure outside strings: a comparison, a call or group, a statement end, a comment, a
/// list after `UNION`.
fn structural(text: &[u8], mask: Mask) -> bool {
    use classes::{COMMA, DASH, EQ, HASH, PAREN, SEMI, STAR};
    mask & (EQ | PAREN | SEMI | HASH) != 0
        || (mask & DASH != 0 && classes::contains(text, b"--"))
        || (mask & STAR != 0 && classes::contains(text, b"/*"))
        || (mask & COMMA != 0 && classes::contains_ignore_case(text, b"union"))
        || (classes::contains_ignore_case(text, b"union") && classes::contains_ignore_case(text, b"select"))
}

/// Fingerprints libinjection lists that, here, mostly matched code and prose: those that start
/// with a bare word, a function, a keyword, a T-SQL word or a parenthesis (an injection starts
/// with the value it extends: a number, a string end, an operator), and a lone `sos`.
fn weak(fp: &[u8; 8]) -> bool {
    matches!(fp[0], b'n' | b'f' | b'k' | b'T' | b'(' | b't' | b'E') || fp.starts_with(b"sos\0")
}

/// Runs libinjection on one window, charging the budget; a window longer than what is left is
/// cut to it. Returns (matched with a fingerprint that is not [`weak`], matched, cut).
fn window(w: &[u8], budget: &mut usize) -> (bool, bool, bool) {
    let len = w.len().min(WINDOW);
    let cut = len.min(*budget);
    *budget -= cut;
    if cut == 0 {
        return (false, false, len > 0);
    }
    let w = &w[..cut];
    // libinjection's own steps are not counted: its time was measured linear (module doc), and
    // the budget bounds the bytes it sees.
    classes::tick(cut);
    let run = std::panic::catch_unwind(|| {
        let mut state = SqliState::new(w, SqliFlags::FLAG_NONE);
        let hit = state.detect();
        (hit, state.fingerprint)
    });
    let (hit, fp) = run.unwrap_or((false, [0; 8]));
    (hit && !weak(&fp), hit, cut < len)
}

/// Forms libinjection's fingerprints miss that confirm a value which breaks out or starts like an
/// injection (see `sqlwords`): an attack artifact, a stacked or joined statement, a time delay.
fn gated_forms(norm: &[u8], mask: Mask) -> bool {
    sqlwords::artifact(norm)
        || sqlwords::number_stacks_statement(norm)
        || memchr::memchr2_iter(b'\'', b'"', norm).take(64).any(|i| sqlwords::stacks_statement(norm, i))
        || (mask & classes::PAREN != 0 && (sqlwords::time_delay(norm) || sqlwords::literal_probe(norm, true)))
}

/// Looks for SQL injection in `text` (a decoded value, original case; `norm` is its
/// normalization).
pub fn detect(text: &[u8], norm: &[u8], mask: Mask, budget: &mut usize, buf: &mut Vec<u8>) -> Verdict {
    // SQL Server and MySQL read control bytes as blanks (`1%0Eand%04…`, sqlmap's
    // space2mssqlblank), and classic ASP drops a `%` that starts no escape (`%S%E%L%E%C%T`, its
    // `percentage`); text has neither. Judged again without them, as obfuscation.
    let asp = mask & classes::PERCENT != 0 && memchr::memchr_iter(b'%', text).count() * 3 >= text.len();
    if mask & classes::CTRL != 0 || asp {
        // NULs are dropped, as `decode::normalize` drops them (`sel\0ect`).
        let blanks: Vec<u8> = text
            .iter()
            .filter(|&&b| b != 0 && !(asp && b == b'%'))
            .map(|&b| if b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') || b == 0x7F { b' ' } else { b })
            .collect();
        let mut n = Vec::with_capacity(blanks.len());
        decode::normalize(&blanks, &mut n);
        let v = detect(&blanks, &n, classes::mask(&blanks), budget, buf);
        return Verdict { obfuscated: v.confirmed, ..v };
    }
    let mut v = Verdict::default();
    if text.is_empty() {
        return v;
    }
    // Forms only SQL writes, wherever they are, also with comments for blanks (`union/**/select`).
    let union = classes::contains(norm, b"union");
    // sqlmap's probes are in parentheses (a question about `case when 1=1 then …` is not); one
    // that compares by `like` or `regexp` is read past the gate (`gated_forms`): user agents have
    // parentheses and no comparison.
    let compares = mask & classes::PAREN != 0 && mask & (classes::EQ | classes::LT | classes::GT) != 0;
    let forms = |s: &[u8]| (union && sqlwords::union_select(s)) || (compares && sqlwords::literal_probe(s, false));
    let commented = |buf: &mut Vec<u8>| {
        mask & classes::STAR != 0 && decode::sql_comments(text, buf) && {
            buf.make_ascii_lowercase();
            forms(buf)
        }
    };
    let quoted = mask & classes::QUOTE != 0;
    let fragment = sqlwords::statement_fragment(norm)
        || forms(norm)
        || (mask & classes::PAREN != 0 && sqlwords::delay_in_query(norm))
        || (quoted && (sqlwords::implicit_conversion(norm) || (mask & classes::COMMA != 0 && sqlwords::literal_list(norm)) || (mask & classes::PAREN != 0 && sqlwords::error_probe(norm))))
        || commented(buf);
    if mask & classes::DOLLAR != 0 {
        (v.confirmed, v.suspicious) = sqlwords::nosql_operator(norm);
        if v.confirmed {
            return v;
        }
    }
    // A user name closed and the query cut by a comment (`admin'-- -`): a password can end so
    // too (`Summer2024'#`), so a challenge, not a denial.
    if quoted && !fragment && sqlwords::comment_truncation(norm) {
        v.suspicious = true;
        v.probe = true;
    }
    let gated = (fragment || worth_it(text, mask)) && !token(text);
    // A short value is read for hints whatever its marks (`exec xp_cmdshell`).
    if gated || norm.len() <= sqlwords::HINTED {
        let (hinted, probe) = sqlwords::hint(norm);
        v.suspicious |= hinted;
        v.probe |= probe;
    }
    if !gated {
        return v;
    }
    // Forms libinjection's fingerprints miss, each an injection on its own (see `sqlwords`).
    let condition = mask & classes::EQ != 0 || classes::contains(norm, b" like ");
    if fragment || (condition && sqlwords::literal_condition(norm)) {
        v.confirmed = true;
        v.suspicious = true;
        return v;
    }
    // A quote that ends a string the value opened leaves code as code and prose do after their
    // own strings, so it counts when SQL's own words break out after it (not an operator), with a
    // query after it, or once the value broke out before it.
    // Read once: whether any breaks out, and where libinjection's windows start (the value's start
    // has its own window, so one more than they need).
    let mut broke = false;
    let (mut starts, mut found) = ([0usize; QUOTE_WINDOWS + 1], 0);
    // Only a quote that SQL follows can break out (`breaks_out`): most values with quotes have
    // none, and then the quotes need no reading as the parser reads them.
    if memchr::memchr2_iter(b'\'', b'"', text).take(QUOTES_READ).any(|i| sqlwords::breaks_out(text, i)) {
        quotes::breakouts::<QUOTES_READ>(text, b"'\"", Dialect::Sql, |i, apps| {
            let out = sqlwords::breaks_out(text, i) && (apps || broke || sqlwords::sql_words_after(text, i) || sqlwords::sql_follows(text, i));
            broke |= out;
            if out {
                starts[found] = i;
                found += 1;
            }
            found == starts.len()
        });
    }
    let broke_out = found > 0;
    // A quote that breaks out, or a value that starts as an unquoted injection does and has SQL
    // structure and SQL words: anything else is prose (or ASCII art, which costs libinjection
    // the most).
    if !broke_out && (!sqlwords::starts_like_injection(norm) || !structural(text, mask) || !sqlwords::has_evidence(norm)) {
        return v;
    }
    if gated_forms(norm, mask) {
        v.confirmed = true;
        v.suspicious = true;
        return v;
    }
    let mut check = |w: &[u8], v: &mut Verdict| {
        let (strong, hit, cut) = window(w, budget);
        v.truncated |= cut;
        v.suspicious |= hit;
        strong
    };
    if check(text, &mut v) {
        v.confirmed = true;
        return v;
    }
    for &i in starts[..found].iter().filter(|&&i| i > 0).take(QUOTE_WINDOWS) {
        if check(&text[i..], &mut v) {
            v.confirmed = true;
            return v;
        }
    }
    // Comments as blanks (`'/**/or/**/select/**/*`): the same forms, and libinjection again.
    if mask & classes::STAR != 0 && decode::sql_comments(text, buf) {
        buf.make_ascii_lowercase();
        if sqlwords::literal_condition(buf) || sqlwords::statement_fragment(buf) || gated_forms(buf, mask) || check(buf, &mut v) {
            v.confirmed = true;
            v.obfuscated = true;
        }
    }
    // A value that passed the gate (a quote breaking out into SQL, or an unquoted injection's
    // start and words) when the request's budget is spent counts as one: otherwise a few decoys
    // would spend it and hide the payload behind them. No benign source comes near the budget.
    v.confirmed |= v.truncated;
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqli(s: &str) -> Verdict {
        let mut budget = BUDGET;
        let mut norm = Vec::new();
        decode::normalize(s.as_bytes(), &mut norm);
        detect(s.as_bytes(), &norm, classes::mask(s.as_bytes()), &mut budget, &mut Vec::new())
    }

    /// sqlmap's space2mssqlblank and percentage: control bytes the database reads as blanks,
    /// `%`s classic ASP drops.
    #[test]
    fn control_bytes_are_blanks_and_asp_drops_lone_percents() {
        for s in ["x'\x0eor\x0e'a'='a", "1\x0eunion\x0eselect\x0epassword,2\x0efrom\x0eusers", "1)\x0e;declare\x04@a\x0bnvarchar(4000);set\x04@a=(select\x0e'q')--"] {
            let v = sqli(s);
            assert!(v.confirmed && v.obfuscated, "{s:?}");
        }
        assert!(!sqli("hello\x0eworld's\x0e(best)").confirmed);
        let v = sqli("%1%'%) %O%R %N%O%T %8%6%8%5%=%8%6%9%6  %A%N%D %(%'%p%x%S%F%'%=%'%W%l%P%v");
        assert!(v.confirmed && v.obfuscated);
        assert!(!sqli("50% off, 20% more, 10%").confirmed);
        // Padding does not hide them, and NULs are still dropped.
        assert!(sqli(&format!("x'\x0eor\x0e'a'='a{}", "\x0e".repeat(1100))).confirmed);
        assert!(sqli("x' o\0r 1=1-- ").confirmed);
    }

    #[test]
    fn random_tokens_are_no_injection() {
        // Two of 100,000 random session ids and signatures were confirmed before the token rule.
        for t in ["0-k4DGfoX--p7dLqZoa_LAif1HG_nGLl.LPIVBstfW1pFtWCPDcOlsBQfqFUaNMOgp3vIW2Yl/0k", "4--wUCbSrWJKLmjgdtbRH1Z1nY-V25Re.WkOwAeBoPf0PAOO+/z9oavWhB0UwCz9pVPSoWSoI2Zc"] {
            assert!(!sqli(t).confirmed, "{t}");
        }
        assert!(sqli("1-sleep(5)--").confirmed || sqli("1 or sleep(5)--").confirmed);
    }

    #[test]
    fn classic_payloads_are_confirmed() {
        for p in [
            "1' OR '1'='1",
            ".1 union select 1,2,3--",
            "' or 1=1--",
            "admin'--",
            "1 UNION SELECT NULL,username,password FROM users--",
            "-1 UNION SELECT username,password FROM users",
            "1; DROP TABLE users",
            "1' AND SLEEP(5)#",
            "1) AND 1=CONVERT(int,@@version)--",
            "-1' UNION ALL SELECT 1,2,3-- -",
            "1' WAITFOR DELAY '0:0:5'--",
        ] {
            assert!(sqli(p).confirmed, "{p}");
        }
    }

    #[test]
    fn comments_as_blanks_hide_no_form() {
        for p in ["'/**/or/**/select/**/*/**/from/**/users", ";/**/insert/**/into/**/t/**/values(1)"] {
            let v = sqli(p);
            assert!(v.confirmed && v.obfuscated, "{p}: {v:?}");
        }
    }

    #[test]
    fn an_injection_after_text_is_found_from_its_quote() {
        assert!(sqli("great product, loved it' UNION SELECT password FROM users--").confirmed);
    }

    #[test]
    fn comment_split_keywords_are_confirmed_as_obfuscated_when_only_that_finds_them() {
        let v = sqli("1/*!50000UnIoN*//*!50000SeLeCt*/1,2,3");
        assert!(v.confirmed, "{v:?}");
    }

    #[test]
    fn ordinary_text_stays_unconfirmed() {
        for t in [
            "O'Brien",
            "D'Angelo's pizza",
            "select your size",
            "drop table tennis",
            "1=1 in the docs",
            "Qu'est-ce que c'est ? L'homme d'affaires",
            "anna.smith42@gmail.com",
            "https://shop.example/product?id=42",
            "Mary-Jane Watson",
            "Hello (again)",
        ] {
            assert!(!sqli(t).confirmed, "{t}");
        }
    }

    #[test]
    fn the_budget_bounds_the_work_and_says_so() {
        let mut budget = 100;
        let quotes = "x' or 1=1 ".repeat(1000);
        let v = detect(quotes.as_bytes(), quotes.as_bytes(), classes::QUOTE, &mut budget, &mut Vec::new());
        assert!(v.truncated);
        assert_eq!(budget, 0);
    }

    #[test]
    fn decoys_that_spend_the_budget_do_not_hide_the_payload_behind_them() {
        let mut budget = BUDGET;
        let decoy = format!("x'={}", "b".repeat(300));
        let payload = "1' AND 6189=9968  AND 'oEox'='qbUf";
        let mut norm = Vec::new();
        let mut last = Verdict::default();
        for text in std::iter::repeat_n(decoy.as_str(), 8).chain([payload]) {
            decode::normalize(text.as_bytes(), &mut norm);
            last = detect(text.as_bytes(), &norm, classes::mask(text.as_bytes()), &mut budget, &mut Vec::new());
        }
        assert_eq!(budget, 0, "the decoys spent it");
        assert!(last.confirmed, "{last:?}");
    }
}
