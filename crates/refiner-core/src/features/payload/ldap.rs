//! LDAP filter injection: a value that closes the filter an app wrote it into and opens a boolean
//! group of its own.
//!
//! Input: a normalized value (lower-case) and its byte classes. Output: confirmed or suspicious.
//! An app builds a filter as `(uid=` + input + `)` (RFC 4515: `filter = "(" filtercomp ")"`,
//! `filtercomp = and / or / not / item`, `and = "&" filterlist`, an item `attr [~<>]= value` or
//! an extensible `attr[:dn][:rule]:=value`, and `(`, `)`, `*`, `\` escaped in a value). A value
//! can only add filters by breaking out: a `)` that closes more than the value opened (the app's
//! parenthesis) right after a value character or another `)` (`admin)`, `*)`, `*))`; not `:)`),
//! or a `*` wildcard right before a `(`, which no well-formed value has (a `(` in a value is
//! written `\28`). Confirmed:
//! - a breakout, then `(`, an operator (`|`, `&`, `!`) and `(` an attribute test: `*)(|(objectclass=*))`,
//!   `x)(|(uid=*)(userpassword=*))`, `*(|(mail=*))`, `*)(uid=*))(|(uid=*` (the app's `)` ends the
//!   last test, so a test may also end the value);
//! - the absolute true and false filters (RFC 4526: `(&)`, `(|)`) right after a breakout that
//!   follows a plain value (`admin)(&)`): the value is then one blank-free token of name
//!   characters, so an emoticon before them (`:)(&)`) is not one.
//!
//! Suspicious: a group of attribute tests without a breakout (`(&(objectclass=user)(|(cn=a)(cn=b)))`,
//! a filter pasted into an admin's search: its parentheses balance), and a breakout followed by a
//! single test (`admin)(uid=*`). Parentheses in prose, math and code (`(a|b)`, `f(x)=(|x|)`,
//! `print(x)(|(a==b))`, regexes like `(a|(b=c))`) have no breakout before an operator group, or
//! no attribute test in it, and are not looked at further.

use super::classes::{self, Mask};

/// Bytes of an attribute description and of an assertion value read per test.
const ATTR_MAX: usize = 64;
const VALUE_MAX: usize = 256;

/// Whether `b` may be part of the plain value a breakout follows (`admin`, `j.doe@x.org`, `*`).
fn value_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'*' | b'@' | b'.' | b'_' | b'-' | b'+') || b >= 0x80
}

/// Whether an attribute test (`attr[;option…]` then `=`, `~=`, `>=`, `<=`, or an extensible
/// `[:dn][:rule]:=`; then a value up to a `)` or the end of `s`) starts at `s[at]`.
fn attribute_test(s: &[u8], at: usize) -> bool {
    let rest = &s[at.min(s.len())..];
    let name_byte = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b';' | b'.');
    let name = rest.iter().take(ATTR_MAX).take_while(|b| name_byte(b)).count();
    classes::tick(name + 1);
    // A descriptor starts with a letter, a numeric OID with a digit.
    if name == 0 || !rest[0].is_ascii_alphanumeric() {
        return false;
    }
    let mut i = name;
    // Extensible match: `:dn`, a matching rule, then `:=`.
    while rest.get(i) == Some(&b':') && rest.get(i + 1) != Some(&b'=') {
        let part = rest[i + 1..].iter().take(ATTR_MAX).take_while(|b| name_byte(b)).count();
        classes::tick(part + 1);
        if part == 0 {
            return false;
        }
        i += 1 + part;
    }
    i += match (rest.get(i), rest.get(i + 1)) {
        (Some(b'='), _) => 1,
        (Some(b'~' | b'<' | b'>' | b':'), Some(b'=')) => 2,
        _ => return false,
    };
    let value = rest[i..].iter().take(VALUE_MAX).take_while(|&&b| b != b'(' && b != b')').count();
    classes::tick(value);
    i + value == rest.len() || rest[i + value] == b')'
}

/// Looks for LDAP filter injection in a normalized value. Returns (confirmed, suspicious).
pub fn detect(s: &[u8], mask: Mask) -> (bool, bool) {
    if mask & classes::PAREN == 0 || mask & (classes::EQ | classes::AMP | classes::PIPE) == 0 {
        return (false, false);
    }
    // The plain value a breakout may follow (for `admin)(&)`): where it ends.
    let head = s.iter().take_while(|&&b| value_byte(b)).count();
    classes::tick(head + s.len());
    let mut suspicious = false;
    // Parentheses opened minus closed so far: below 0, a `)` closed the app's filter.
    let mut depth: i64 = 0;
    let mut i = 0;
    while let Some(k) = memchr::memchr2(b'(', b')', &s[i..]) {
        let at = i + k;
        i = at + 1;
        if s[at] == b')' {
            depth -= 1;
            continue;
        }
        let prev = at.checked_sub(1).map(|p| s[p]);
        // A value may end in a blank (`John Smith )`) or a `$` (an AD machine account, `pc01$`).
        let closes = at >= 2 && (value_byte(s[at - 2]) || matches!(s[at - 2], b')' | b' ' | b'$'));
        // A wildcard as the value, not a product (`price*(|(qty=1))`).
        let wildcard = prev == Some(b'*') && (at < 2 || !s[at - 2].is_ascii_alphanumeric());
        let breakout = wildcard || (prev == Some(b')') && depth < 0 && closes);
        depth += 1;
        match (s.get(at + 1), s.get(at + 2)) {
            (Some(b'|' | b'&' | b'!'), Some(b'(')) if attribute_test(s, at + 3) => {
                if breakout {
                    return (true, true);
                }
                suspicious = true;
            }
            (Some(b'|' | b'&'), Some(b')')) if breakout && prev == Some(b')') && head > 0 && at - 1 == head => return (true, true),
            _ => suspicious |= breakout && prev == Some(b')') && attribute_test(s, at + 1),
        }
    }
    (false, suspicious)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ldap(s: &str) -> (bool, bool) {
        let lower = s.to_ascii_lowercase();
        detect(lower.as_bytes(), classes::mask(lower.as_bytes()))
    }

    #[test]
    fn breakouts_into_boolean_groups_are_confirmed() {
        for p in [
            "*)(|(objectclass=*))",
            "*(|(mail=*))",
            "admin)(&)",
            "admin*)(|)",
            "x)(|(uid=*)(userPassword=*))",
            "*)(uid=*))(|(uid=*",
            "*)(objectClass=*))(&(objectClass=void",
            "jdoe)(!(memberOf=cn=admins,dc=example,dc=org))",
            "*)(|(cn;lang-en~=adm*)(2.5.4.3>=a))",
            "x)(|(cn:caseExactMatch:=Admin))",
            "x)(|(cn:dn:2.5.13.5:=Admin))",
            "a@b.org)(|(mail=*",
            "john )(|(uid=*))",
            "pc01$)(|(uid=*))",
        ] {
            assert!(ldap(p).0, "{p}");
        }
    }

    #[test]
    fn parentheses_in_prose_math_and_code_stay_unconfirmed() {
        for t in [
            "(a|b)",
            "f(x)=(|x|)",
            "price*(|(qty=1))",
            "I'm happy :)(&) you?",
            ":)(|(a=b))",
            "(&) ",
            "(a|(b=c))",
            "/^(a|(b=c))$/",
            "print(x)(|(a==b))",
            "if (a) (!(b = c))",
            "(1+2)*(3+4) = 21",
            "x*(|y|) = |x*y|",
            "anna.smith@example.com",
            "https://example.com/search?q=(a|b)&page=2",
            "Call me (555) 123-4567 (&) ask for Bob",
            "admin)(&x)",
            "admin )(&)",
        ] {
            assert!(!ldap(t).0, "{t}");
        }
    }

    #[test]
    fn pasted_filters_and_single_tests_after_a_breakout_are_suspicious() {
        assert_eq!(ldap("(&(objectClass=user)(|(cn=a)(cn=b)))"), (false, true), "a well-formed filter: its parentheses balance");
        assert_eq!(ldap("(|(mail=anna@example.com)(uid=anna))"), (false, true));
        assert_eq!(ldap("admin)(uid=*"), (false, true));
        assert_eq!(ldap("(a|b) and (c)"), (false, false));
    }

    #[test]
    fn the_scan_is_linear_on_repeated_groups() {
        for unit in [")(|(a=", ")(&)", "*(|(", "((((", "))))(|(a=b", "x:"] {
            let text = unit.repeat(16 * 1024 / unit.len());
            classes::take_work();
            let _ = detect(text.as_bytes(), classes::mask(text.as_bytes()));
            assert!(classes::take_work() < 40 * text.len() as u64, "{unit:?}");
        }
    }
}
