//! Which quotes of a value could end a string the app put it in.
//!
//! An app that builds SQL or a script from a value writes it between its own quotes, so the
//! value's first quote of that kind ends the app's string, its second opens a string of the
//! value's own, its third ends that one and so the app's string again… What follows an even
//! quote (the second, fourth…) is still the value's own text: code (`x === 'a' || y`,
//! `this.get('x');`) and quoted prose put operators there that an injection puts after a
//! breakout. The detectors ask more of what follows those.

/// Quotes in `s` of the kinds in `kinds` (at most `limit` of them), each with whether it would end
/// a string the app opened with the same quote: the first, third, fifth… of its kind. A
/// backslash-escaped quote is counted both ways: MySQL and JS read it as escaped, standard SQL
/// as a quote.
pub fn quotes<'a>(s: &'a [u8], kinds: &'static [u8], limit: usize) -> impl Iterator<Item = (usize, bool)> + 'a {
    let (mut all, mut unescaped) = ([0u32; 3], [0u32; 3]);
    let last = kinds[kinds.len() - 1];
    memchr::memchr3_iter(kinds[0], kinds[1], last, s).take(limit).map(move |i| {
        let kind = kinds.iter().position(|&k| k == s[i]).unwrap_or(0);
        let escaped = i > 0 && s[i - 1] == b'\\';
        let ends_apps = all[kind] % 2 == 0 || (!escaped && unescaped[kind] % 2 == 0);
        all[kind] += 1;
        unescaped[kind] += u32::from(!escaped);
        (i, ends_apps)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ends(s: &str) -> Vec<usize> {
        quotes(s.as_bytes(), b"'\"", 64).filter(|&(_, e)| e).map(|(i, _)| i).collect()
    }

    #[test]
    fn every_other_quote_of_a_kind_ends_the_apps_string() {
        assert_eq!(ends("x === 'a' || y"), vec![6]);
        assert_eq!(ends("1' or '1'='1"), vec![1, 8]);
        // Kinds are counted apart: an app quotes with one of them.
        assert_eq!(ends("\"a\" ' or 1=1"), vec![0, 4]);
        // MySQL reads `\'` as escaped, standard SQL does not: both readings count.
        assert_eq!(ends("\\' ' or 1=1"), vec![1, 3]);
    }
}
