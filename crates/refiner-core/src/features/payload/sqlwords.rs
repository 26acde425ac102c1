//! SQL evidence in a value, without tokenizing it: what decides whether libinjection is worth
//! running at all, and two rules for what libinjection's fingerprints miss.
//!
//! Input: a normalized value (lower-case, blanks folded). Output: whether it has SQL evidence
//! (a keyword of injections or a comment opener), whether a quote in it is followed by what
//! breaks out of a string (`' or`, `')--`, `'; drop`, `'=`…), and two confirmations:
//! an artifact only attacks use (`xp_cmdshell`, `pg_sleep(`, `information_schema.`,
//! `into outfile`…) next to a breakout character, and a tautology that starts the value
//! (`or 1=1--`, `and 'a'='a`), the form lists give for numeric parameters.

use super::classes;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::sync::OnceLock;

/// Words and marks of injected SQL (normalized: lower-case). The first two, `or` and `and`, only
/// count before what an injected condition starts with (see [`condition_start`]): prose and user
/// agents (`(KHTML, like Gecko)`) have plenty of the bare words. Under 64 patterns, so the
/// automaton gets a SIMD prefilter.
const EVIDENCE: &[&str] = &[
    " or ", " and ", "union", "select", "having", "order by", "group by", "sleep(", "benchmark(", "waitfor", "procedure ",
    "drop ", "insert ", "delete ", "update ", "exec ", "execute ", "declare ", "shutdown", "--", "#", "/*", "@@", "||",
    "&&", ")or", ")and", " xor ", "char(", "concat(", "ascii(", "substr", "cast(", "convert(", "version(", "database(",
    "user(", "extractvalue(", "updatexml(", "if(", "iif(", "elt(", "0x",
];

/// What an injected condition after `or`/`and` starts with: a number, a quote, a group, a
/// variable, a negation, or a boolean.
fn condition_start(s: &[u8]) -> bool {
    matches!(s.first(), Some(b'0'..=b'9' | b'\'' | b'"' | b'(' | b'@' | b'!' | b'-')) || s.starts_with(b"not ") || s.starts_with(b"true") || s.starts_with(b"false")
}

/// Artifacts of attacks: function and object names no form text holds.
const ARTIFACTS: &[&str] = &[
    "xp_cmdshell", "xp_regread", "xp_dirtree", "xp_fileexist", "sp_oacreate", "sp_executesql", "sp_password",
    "utl_http.request", "utl_inaddr", "dbms_pipe.receive_message", "dbms_lock.sleep", "pg_sleep(", "waitfor delay '",
    "benchmark(", "load_file(", "into outfile", "into dumpfile", "@@version", "information_schema.", "sysobjects",
    "extractvalue(", "updatexml(", "sysibm.sys", "all_users", "pg_catalog", "mysql.user", "msysaccessobjects",
    "randomblob(", "sqlite_master", "exp(~(", "geometrycollection(", "multipoint(",
];

fn evidence() -> &'static AhoCorasick {
    static E: OnceLock<AhoCorasick> = OnceLock::new();
    E.get_or_init(|| AhoCorasick::builder().match_kind(MatchKind::LeftmostFirst).build(EVIDENCE).expect("static list builds"))
}

fn artifacts() -> &'static AhoCorasick {
    static A: OnceLock<AhoCorasick> = OnceLock::new();
    A.get_or_init(|| AhoCorasick::builder().kind(Some(AhoCorasickKind::DFA)).match_kind(MatchKind::LeftmostFirst).build(ARTIFACTS).expect("static list builds"))
}

/// Whether the normalized value has a keyword or mark of injected SQL.
pub fn has_evidence(norm: &[u8]) -> bool {
    classes::tick(norm.len());
    evidence().find_iter(norm).any(|m| m.pattern().as_usize() > 1 || condition_start(&norm[m.end()..]))
}

/// The bytes after `s[i..]`'s blanks, at most 16, lower-cased into `buf`.
fn next_token(s: &[u8], i: usize, buf: &mut [u8; 16]) -> usize {
    let j = i + s[i.min(s.len())..].iter().take(8).take_while(|b| b.is_ascii_whitespace()).count();
    let rest = &s[j.min(s.len())..];
    let n = rest.len().min(buf.len());
    for (d, b) in buf.iter_mut().zip(&rest[..n]) {
        *d = b.to_ascii_lowercase();
    }
    n
}

/// Whether only blanks, `-` and `+` follow `s[i]` up to the end of the value or line.
fn comment_ends_line(s: &[u8], i: usize) -> bool {
    s[i.min(s.len())..].iter().take(16).find(|&&b| !matches!(b, b' ' | b'\t' | b'-' | b'+' | b'\r')).is_none_or(|&b| b == b'\n')
}

/// Whether `t` starts a condition (see [`condition_start`]) or a function call (`sleep(`).
fn condition_or_call(t: &[u8]) -> bool {
    let ident = t.iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
    condition_start(t) || (ident > 0 && t.get(ident) == Some(&b'('))
}

/// Whether what follows the quote at `s[q]` breaks out of the string: blanks and closers, then a
/// comment, a comparison, a concatenation, a statement end before a statement, or an SQL word
/// used as SQL (`or 1`, `and sleep(`, `union select`, `order by`, `limit 1`…): prose has the
/// words (`" is`, `' and the`) but not what comes after them.
pub fn breaks_out(s: &[u8], q: usize) -> bool {
    classes::tick(48);
    let mut j = q + 1;
    while j < s.len() && j - q < 8 && matches!(s[j], b' ' | b')' | b'\t' | b'\n' | b'\r' | b'"' | b'\'' | b'`') {
        j += 1;
    }
    let mut t = [0u8; 16];
    match s.get(j) {
        None => false,
        Some(b'=') => true,
        // A comment that ends the line: `admin'--`, `x'#`, `' -- -`; not `"…"\n-- Author`.
        Some(b'#') => comment_ends_line(s, j + 1),
        Some(b'-') if s[j..].starts_with(b"--") => comment_ends_line(s, j + 2),
        Some(b'|') => s.get(j + 1) == Some(&b'|'),
        Some(b'&') => s.get(j + 1) == Some(&b'&'),
        Some(b'!') => s.get(j + 1) == Some(&b'='),
        Some(b'<' | b'>' | b'+') => {
            let n = next_token(s, j + 1, &mut t);
            matches!(t.first(), Some(b'>' | b'=')) || condition_or_call(&t[..n])
        }
        Some(b'/') => s[j..].starts_with(b"/*"),
        Some(b';') => {
            let n = next_token(s, j + 1, &mut t);
            let t = &t[..n];
            n == 0 || [&b"select"[..], b"drop", b"insert", b"update", b"delete", b"exec", b"declare", b"shutdown", b"waitfor", b"create", b"alter", b"truncate", b"--", b"#", b"/*", b"if", b"begin", b"set "]
                .iter()
                .any(|k| t.starts_with(k))
        }
        Some(b) if b.is_ascii_alphabetic() => {
            let n = next_token(s, j, &mut t);
            let word_len = t[..n].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
            let mut after = [0u8; 16];
            let m = next_token(s, j + word_len, &mut after);
            let next = &after[..m];
            match &t[..word_len] {
                b"or" | b"and" | b"xor" | b"div" | b"like" | b"rlike" | b"regexp" | b"having" => condition_or_call(next),
                b"union" => next.starts_with(b"select") || next.starts_with(b"all") || next.starts_with(b"(") || next.starts_with(b"distinct"),
                b"order" | b"group" => next.starts_with(b"by"),
                b"limit" => next.first().is_some_and(u8::is_ascii_digit),
                b"is" => next.starts_with(b"null") || next.starts_with(b"not"),
                b"in" => next.starts_with(b"("),
                b"between" => condition_start(next),
                b"procedure" => next.starts_with(b"analyse"),
                b"into" => next.starts_with(b"outfile") || next.starts_with(b"dumpfile") || next.starts_with(b"@"),
                b"waitfor" => next.starts_with(b"delay") || next.starts_with(b"time"),
                _ => false,
            }
        }
        Some(_) => false,
    }
}

/// Whether a value starts the way an injection into a number, an identifier list or a
/// statement does: a digit, a sign, a parenthesis, a quote, a variable, a statement keyword, or
/// `and`/`or`/`xor`/`not` before a condition (prose starts with "And he…" too).
pub fn starts_like_injection(norm: &[u8]) -> bool {
    let mut t = [0u8; 16];
    let n = next_token(norm, 0, &mut t);
    let t = &t[..n];
    let word = |k: &[u8]| t.starts_with(k) && !t.get(k.len()).is_some_and(u8::is_ascii_alphanumeric);
    if matches!(t.first(), Some(b'0'..=b'9' | b'-' | b'+' | b'(' | b'@' | b')' | b'\'' | b'"' | b'`' | b';' | b'%')) {
        return true;
    }
    if [&b"select"[..], b"union", b"having", b"exec", b"declare", b"drop", b"insert", b"update", b"delete", b"waitfor", b"procedure"].iter().any(|k| word(k))
        || t.starts_with(b"order by")
        || t.starts_with(b"group by")
    {
        return true;
    }
    const LOGIC: [&[u8]; 6] = [b"and", b"or", b"xor", b"not", b"&&", b"||"];
    let Some(k) = LOGIC.iter().find(|k| word(k)) else { return false };
    let mut after = [0u8; 16];
    let m = next_token(norm, norm.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(0) + k.len(), &mut after);
    condition_or_call(&after[..m])
}

/// An attack artifact next to a character that ends a string or a statement.
pub fn artifact(norm: &[u8]) -> bool {
    classes::tick(norm.len());
    artifacts().is_match(norm)
        && (norm.iter().any(|&b| matches!(b, b'\'' | b'"' | b';' | b')' | b'#'))
            || classes::contains(norm, b"--")
            || classes::contains(norm, b"/*"))
}

/// One operand of a tautology: digits, a word, or a quoted string; returns it and where it ends.
fn operand(s: &[u8], i: usize) -> Option<(&[u8], usize)> {
    match s.get(i)? {
        // The app's query closes the last quote: `' or 'a'='a`.
        &q @ (b'\'' | b'"') => {
            // An unterminated quote runs to the value's end (and nothing follows it).
            let end = classes::find_byte(q, &s[i + 1..]).map_or(s.len(), |k| i + 1 + k);
            Some((&s[i + 1..end], (end + 1).min(s.len())))
        }
        b if b.is_ascii_alphanumeric() => {
            let n = s[i..].iter().take(16).take_while(|b| b.is_ascii_alphanumeric()).count();
            Some((&s[i..i + n], i + n))
        }
        _ => None,
    }
}

/// A value that starts with `or`/`and`/`||` and a tautology (`or 1=1`, `and 'a'='a'`).
pub fn leading_tautology(norm: &[u8]) -> bool {
    let start = norm.iter().position(|&b| !matches!(b, b' ' | b'\'' | b'"' | b')')).unwrap_or(norm.len());
    let s = &norm[start..];
    let after = [&b"or "[..], b"and ", b"|| ", b"||", b"&& "].iter().find(|w| s.starts_with(w)).map(|w| w.len());
    let Some(mut i) = after else { return false };
    i += s[i..].iter().take_while(|&&b| b == b' ').count();
    let Some((a, end)) = operand(s, i) else { return false };
    let mut j = end + s[end..].iter().take_while(|&&b| b == b' ').count();
    if s.get(j) != Some(&b'=') {
        return false;
    }
    j += 1;
    j += s[j..].iter().take_while(|&&b| b == b' ').count();
    operand(s, j).is_some_and(|(b, _)| a == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_needs_sql_words_or_marks() {
        assert!(has_evidence(b"1 union select 2"));
        assert!(has_evidence(b"admin'--"));
        assert!(!has_evidence(b"o'brien"));
        assert!(!has_evidence(b"qu'est-ce que c'est"));
        assert!(!has_evidence(b"mozilla/5.0 (khtml, like gecko) and more"));
        assert!(has_evidence(b"1 or 1=1"));
        assert!(has_evidence(b"x and (select 1)"));
    }

    #[test]
    fn breakouts_follow_the_quote() {
        let s = b"x' or 1=1";
        assert!(breaks_out(s, 1));
        assert!(breaks_out(b"1')--", 1));
        assert!(breaks_out(b"a';drop", 1));
        assert!(!breaks_out(b"can't stop", 3));
        assert!(!breaks_out(b"the boys' orange", 8));
        assert!(!breaks_out(b"\"This\" is what", 5));
        assert!(!breaks_out(b"'hi'; she said", 3));
        assert!(!breaks_out(b"it's' and the", 4));
        assert!(breaks_out(b"x' and sleep(5)", 1));
        assert!(breaks_out(b"x' union all select", 1));
        assert!(breaks_out(b"x'; drop table t", 1));
        assert!(breaks_out(b"x') order by 3--", 1));
        assert!(breaks_out(b"x'||(select 1)||'", 1));
        assert!(breaks_out(b"x'+char(65)+'", 1));
        assert!(!breaks_out(b".--'''\n\t\t | |", 3));
    }

    #[test]
    fn artifacts_need_a_breakout_character() {
        assert!(artifact(b"'; exec master..xp_cmdshell 'dir'"));
        assert!(artifact(b"1 and pg_sleep(5)--"));
        assert!(!artifact(b"what is information_schema. used for"));
    }

    #[test]
    fn injections_start_unlike_prose() {
        assert!(starts_like_injection(b"1 or 1=1"));
        assert!(starts_like_injection(b"and 1=1--"));
        assert!(starts_like_injection(b"union select 1"));
        assert!(!starts_like_injection(b"and he climbed with the lad"));
        assert!(!starts_like_injection(b"or else (he said)"));
        assert!(!starts_like_injection(b"orders ship monday"));
    }

    #[test]
    fn leading_tautologies() {
        assert!(leading_tautology(b"or 1=1--"));
        assert!(leading_tautology(b"' or 'a'='a"));
        assert!(leading_tautology(b"and 0 = 0 #"));
        assert!(!leading_tautology(b"or 1=2"));
        // An unterminated quote as the first operand ends the value (this read past it once).
        assert!(!leading_tautology(b"or 'x") && !leading_tautology(b"or \"update") && !leading_tautology(b"and 'a"));
        assert!(!leading_tautology(b"order 1=1"));
        assert!(!leading_tautology(b"or else"));
    }
}
