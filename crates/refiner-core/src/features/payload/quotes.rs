//! Which quotes of a value could leave the app's statement or script in code, read as its parser
//! reads them.
//!
//! An app that builds SQL or a script from a value writes it between its own quotes, so the
//! value's first quote of that kind ends the app's string and what follows is code, until a quote
//! opens a string of the value's own; the quote that ends that one leaves code again… Code
//! (`x === 'a' || y`, `this.get('x');`) and quoted prose put operators inside those strings of the
//! value's own, where an injection puts them after a breakout, so only quotes that leave code
//! count. Comments and strings of another kind hide quotes, as they do from the parser
//! (`x'-- '⏎ or sleep(2)#`, `x' "'x" or …`); a backslash escapes a quote only after an odd run of
//! them, and both readings count (MySQL and JS escape; standard SQL does not, and an app that
//! escapes quotes but not backslashes turns `\"` into a quote that ends its string). A quote that
//! ends a string the value opened itself (or any, with the value written bare, in a number's or
//! an expression's place) leaves code only as code and prose do after their own strings
//! (`'a' || b`, `"Homicide," or "Murder`): those are flagged, for the detectors to ask more of
//! what follows.

/// How the app's parser reads comments around the value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `--` and `#` to the line's end, and `/* */`.
    Sql,
    /// `//` to the line's end, and `/* */`.
    Js,
}

/// Quotes looked at at most, per value.
pub const MAX: usize = 256;

/// Calls `each` with the quotes of `kinds` in `s` (of its first `LIMIT`, at most [`MAX`]) after
/// which the app's parser is in code, in order, each with whether it ends one of the app's
/// strings (`true`) or only a string the value opened (`false`); stops, returning true, when
/// `each` does.
pub fn breakouts<const LIMIT: usize>(s: &[u8], kinds: &[u8], dialect: Dialect, mut each: impl FnMut(usize, bool) -> bool) -> bool {
    const { assert!(LIMIT <= MAX) };
    let last = kinds[kinds.len() - 1];
    // Sized by the caller's limit: the array is zeroed on every call.
    let mut at = [0u32; LIMIT];
    let mut n = 0;
    for i in memchr::memchr3_iter(kinds[0], kinds[1], last, s).take(LIMIT.min(MAX)) {
        at[n] = i as u32;
        n += 1;
    }
    let Some(&last_quote) = at[..n].last() else { return false };
    let at = &at[..n];
    let end = last_quote as usize + 1;
    let s = &s[..end];
    // Passes that would repeat another's reading are skipped: escapes only change one where a
    // backslash stands right before a quote; a pass inside a string of a kind the value never
    // writes stays there; no comment starts before the first one any pass finds.
    let escapes_matter = at.iter().any(|&q| q > 0 && s[q as usize - 1] == b'\\');
    let first_comment = comment(s, 0, end, dialect).unwrap_or(end);
    let mut ends = Ends::default();
    for escapes in [true, false] {
        if !escapes && !escapes_matter {
            break;
        }
        for &app in kinds {
            if at.iter().any(|&q| s[q as usize] == app) {
                lex(s, at, Some(app), dialect, escapes, first_comment, &mut ends);
            }
        }
        lex(s, at, None, dialect, escapes, first_comment, &mut ends);
    }
    let bit = |set: &[u64; MAX / 64], k: usize| set[k / 64] >> (k % 64) & 1 == 1;
    (0..n).any(|k| (bit(&ends.app, k) || bit(&ends.own, k)) && each(at[k] as usize, bit(&ends.app, k)))
}

/// Bits, by quote index: the quote ends one of the app's strings, or one the value opened.
#[derive(Default)]
struct Ends {
    app: [u64; MAX / 64],
    own: [u64; MAX / 64],
}

/// Reads `s` from inside a string of `app`'s quote (or in code, with `None`) and sets in `ends`
/// the bit of each quote (by its index in `at`) that leaves the parser in code; no comment starts
/// before `first_comment`.
fn lex(s: &[u8], at: &[u32], app: Option<u8>, dialect: Dialect, escapes: bool, first_comment: usize, ends: &mut Ends) {
    let escaped = |i: usize| escapes && s[..i].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1;
    // The quote of the string the parser is in, if any, and whether it is the app's.
    let mut string = app.map(|q| (q, true));
    let mut i = 0;
    let mut k = 0;
    while k < at.len() {
        let q = at[k] as usize;
        if let Some((open, apps)) = string {
            // SQL writes a quote inside a string as two.
            if dialect == Dialect::Sql && s[q] == open && s.get(q + 1) == Some(&open) {
                k += 2;
                continue;
            }
            if s[q] == open && !escaped(q) {
                string = None;
                let set = if apps { &mut ends.app } else { &mut ends.own };
                set[k / 64] |= 1 << (k % 64);
                i = q + 1;
            }
            k += 1;
            continue;
        }
        // In code: a comment before the next quote hides what it spans.
        match if q <= first_comment { None } else { comment(s, i, q, dialect) } {
            Some(from) => {
                let to = comment_end(s, from);
                i = to;
                while k < at.len() && (at[k] as usize) < to {
                    k += 1;
                }
            }
            None => {
                string = Some((s[q], false));
                i = q + 1;
                k += 1;
            }
        }
    }
}

/// Where the first comment in code `s[from..to]` starts (what follows `to` counts too: a comment's
/// second character or blank may be the quote's neighbour).
fn comment(s: &[u8], from: usize, to: usize, dialect: Dialect) -> Option<usize> {
    // MySQL takes `--` as a comment only before a blank (`x'--'' or 2>1#` is arithmetic there);
    // in JS, `//` after an operator or a backslash ends a regex literal (`-/\//-`), not a line.
    let js_line = |j: usize| j == 0 || matches!(s[j - 1], b' ' | b'\t' | b'\n' | b'\r' | b';' | b')' | b'}' | b']' | b'{' | b',');
    let starts = |j: usize| {
        matches!((s[j], s.get(j + 1), dialect), (b'/', Some(b'*'), _) | (b'#', _, Dialect::Sql))
            || (dialect == Dialect::Js && s[j..].starts_with(b"//") && js_line(j))
            || (dialect == Dialect::Sql && s[j..].starts_with(b"--") && s.get(j + 2).is_none_or(|&b| b <= b' '))
    };
    memchr::memchr3_iter(b'/', b'-', b'#', &s[from..to]).map(|j| from + j).find(|&j| starts(j))
}

/// Where the comment that starts at `s[from]` ends: after its `*/` or at its line's end (the
/// value's end if it has none).
fn comment_end(s: &[u8], from: usize) -> usize {
    let rest = &s[from.min(s.len())..];
    if rest.starts_with(b"/*") {
        memchr::memmem::find(&rest[2..], b"*/").map_or(s.len(), |k| from + 2 + k + 2)
    } else {
        // Postgres ends a line comment at a CR too.
        memchr::memchr2(b'\n', b'\r', rest).map_or(s.len(), |k| from + k + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all<const LIMIT: usize>(s: &str, kinds: &[u8], dialect: Dialect) -> Vec<(usize, bool)> {
        let mut found = Vec::new();
        breakouts::<LIMIT>(s.as_bytes(), kinds, dialect, |q, apps| {
            found.push((q, apps));
            false
        });
        found
    }

    fn code_after(s: &str) -> Vec<(usize, bool)> {
        all::<64>(s, b"'\"", Dialect::Sql)
    }

    #[test]
    fn quotes_that_leave_code_are_found_as_the_parser_reads_them() {
        // In a string: the first ends it; the second opens the value's own.
        assert_eq!(code_after("x === 'a' || y"), vec![(6, true), (8, false)]);
        // Written bare, the second closes a string the value opened: flagged as such.
        assert_eq!(code_after("'x'||(select 1)"), vec![(0, true), (2, false)]);
        // A comment hides its quote; the next line is code.
        assert!(code_after("x'-- '\n or sleep(2)#").contains(&(1, true)));
        // A string of the other kind hides a quote; the value opened it, so its end is flagged.
        assert!(code_after("x' \"'x\" or sleep(2)#").contains(&(6, false)));
        // An odd run of backslashes escapes (MySQL), an even one does not; standard SQL reads a
        // backslash as a character, so both count.
        assert!(code_after("\\'\\\\' or sleep(2)#").contains(&(4, true)));
        assert!(code_after("\\' or 1=1").contains(&(1, true)));
    }

    #[test]
    fn js_reads_its_own_comments_and_escapes() {
        let js = |s: &str| all::<64>(s, b"'\"`", Dialect::Js);
        assert!(js("\\'\\\\';fetch(1)//").contains(&(4, true)));
        // An app that escapes quotes but not backslashes: `\\'` ends its string.
        assert!(js("\\';alert(1)//").contains(&(1, true)));
        // Once the app's string is ended, a comment hides its quote.
        assert!(!js("';// it's").contains(&(6, true)));
    }
}

