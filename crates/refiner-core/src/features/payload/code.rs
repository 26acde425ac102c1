//! PHP and other server-side code injection.
//!
//! Input: a normalized value and its byte classes. Output: confirmed or suspicious. Confirmed: a
//! PHP open tag with code after it (`<?php`, `<?=`), or a call of a function that runs commands
//! or code (`system(`, `passthru(`, `eval(`, `assert(`, `phpinfo(`, `os.popen(`,
//! `Runtime.getRuntime().exec(`, `require('child_process')`…) whose argument is a literal, a PHP
//! variable or a decoding call, where the value starts with it or a breakout precedes it
//! (`';system('id');//`, `".passthru('id')."`, `1;phpinfo()`, `{system('id')}`). The same call
//! inside code or prose (`result = os.system(cmd)`, a stack trace) is suspicious, as are PHP
//! superglobals (`$_GET[`) and `child_process` alone.

use super::classes::{self, Mask};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::sync::OnceLock;

/// Calls that run a command or code, each up to and including its `(`.
const CALLS: &[&str] = &[
    "system(", "exec(", "shell_exec(", "passthru(", "popen(", "proc_open(", "pcntl_exec(", "eval(", "assert(",
    "create_function(", "call_user_func(", "phpinfo(", "file_put_contents(", "include(", "require(", "include_once(",
    "require_once(", "os.system(", "os.popen(", "subprocess.call(", "subprocess.popen(", "subprocess.check_output(",
    "__import__(", "getruntime().exec(", "processbuilder(", "child_process').exec(", "execsync(", "spawnsync(",
    "new function(", "settimeout(", "base64_decode(", "str_rot13(", "gzinflate(", "preg_replace(",
];

/// Arguments of a call in [`CALLS`] that make it a payload rather than code that handles data.
fn payload_argument(s: &[u8], at: usize) -> bool {
    let j = at + s[at..].iter().take_while(|&&b| b == b' ').count();
    classes::tick(j - at);
    match s.get(j) {
        Some(b'\'' | b'"' | b'`' | b'$' | b')') => true,
        Some(_) => [&b"base64_decode("[..], b"chr(", b"str_rot13(", b"gzinflate(", b"$_"].iter().any(|p| s[j..].starts_with(p)),
        None => true,
    }
}

/// Whether the bytes before `at` end a string or statement the value was put in.
fn breakout_before(s: &[u8], at: usize) -> bool {
    let before = s[..at].trim_ascii_end();
    classes::tick(at - before.len());
    match before.last() {
        None => true,
        Some(b';' | b'\'' | b'"' | b'|' | b'&' | b'{' | b'`' | b'\n') => true,
        Some(b'.') => matches!(before.len().checked_sub(2).map(|k| before[k]), Some(b'\'' | b'"')),
        _ => false,
    }
}

fn calls() -> &'static AhoCorasick {
    static C: OnceLock<AhoCorasick> = OnceLock::new();
    C.get_or_init(|| AhoCorasick::builder().kind(Some(AhoCorasickKind::DFA)).match_kind(MatchKind::LeftmostLongest).build(CALLS).expect("static call list builds"))
}

/// Looks for code injection in a normalized value. Returns (confirmed, suspicious).
pub fn detect(s: &[u8], mask: Mask) -> (bool, bool) {
    if mask & (classes::PAREN | classes::QUESTION) == 0 {
        return (false, false);
    }
    if mask & classes::QUESTION != 0 && mask & classes::LT != 0 {
        for tag in [&b"<?php"[..], b"<?="] {
            if let Some(k) = classes::find(s, tag) {
                if s[k + tag.len()..].iter().any(|b| b.is_ascii_alphanumeric() || *b == b'$') {
                    return (true, true);
                }
            }
        }
    }
    // A call: an identifier byte right before a `(`.
    let called = |i: usize| i > 0 && (s[i - 1].is_ascii_alphanumeric() || s[i - 1] == b'_');
    if mask & classes::PAREN == 0 || !memchr::memchr_iter(b'(', s).any(called) {
        return (false, false);
    }
    let mut suspicious = false;
    classes::tick(s.len());
    for m in calls().find_iter(s) {
        classes::tick(32);
        // A call must be the whole name: `system(` is not inside `filesystem(` or `my_eval(`.
        if m.start() > 0 && (s[m.start() - 1].is_ascii_alphanumeric() || s[m.start() - 1] == b'_') {
            continue;
        }
        suspicious = true;
        let start = if s[..m.start()].ends_with(b"@") { m.start() - 1 } else { m.start() };
        if payload_argument(s, m.end()) && breakout_before(s, start) {
            return (true, true);
        }
    }
    let superglobal = |i: usize| [&b"get["[..], b"post[", b"request[", b"cookie[", b"server["].iter().any(|p| s[i + 2..].starts_with(p));
    suspicious |= mask & classes::DOLLAR != 0 && memchr::memchr_iter(b'$', s).any(|i| s.get(i + 1) == Some(&b'_') && superglobal(i));
    suspicious |= classes::contains(s, b"child_process");
    (false, suspicious)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> (bool, bool) {
        let l = s.to_ascii_lowercase();
        detect(l.as_bytes(), classes::mask(l.as_bytes()))
    }

    #[test]
    fn injected_code_is_confirmed() {
        for p in [
            "<?php system($_GET['c']); ?>",
            "<?= `id` ?>",
            "system('id')",
            "';system('id');//",
            "\".passthru('cat /etc/passwd').\"",
            "1;phpinfo()",
            "{${system('id')}}",
            "eval(base64_decode('ZWNobyAx'))",
            "@eval($_POST['x'])",
            "__import__('os').system('id')",
            "require('child_process').exec('id')",
        ] {
            assert!(code(p).0, "{p}");
        }
    }

    #[test]
    fn code_in_a_support_message_is_only_suspicious() {
        for t in [
            "    result = os.system(cmd)",
            "exec(code, namespace)",
            "I call filesystem() and my_eval() there",
            "Why does eval(x) fail?",
            "ast.literal_eval(node)",
            "What is <? in XML",
        ] {
            assert!(!code(t).0, "{t}");
        }
        assert_eq!(code("    result = os.system(cmd)"), (false, true));
    }
}
