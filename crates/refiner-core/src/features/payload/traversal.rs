//! Path traversal and local file inclusion.
//!
//! Input: a normalized value (lower-case, decoded as far as the caller went). Output: confirmed or
//! suspicious. The value is first put in path form: `\` becomes `/`, runs of `/` and `/./` fold,
//! and `..;/` (a Tomcat bypass) is `../`. Then a step is a run of two or more dots before a `/`
//! at a segment start (`....//` survives a filter that deletes `../` once, so it counts too).
//! Confirmed: three steps or more, or one step and a sensitive target after it (`/etc/passwd`,
//! `win.ini`, `WEB-INF/web.xml`, `.env`…), or a value that is a sensitive absolute path or a PHP
//! stream wrapper (`/etc/passwd`, `c:\windows\win.ini`, `php://filter/…`). Suspicious: one or two
//! steps, or a sensitive target in a value with steps or a leading absolute path. Values with
//! neither (prose that mentions `/etc/hosts`) are not looked at.

use super::classes::{self, Mask};
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use std::sync::OnceLock;

/// Files and folders worth reading, in path form (lower-case, `/` separators).
const TARGETS: &[&str] = &[
    "etc/passwd", "etc/shadow", "etc/hosts", "etc/group", "etc/issue", "etc/hostname", "etc/motd", "etc/crontab",
    "etc/sudoers", "etc/profile", "etc/environment", "proc/self/", "proc/version", "proc/cpuinfo", "proc/net/",
    "win.ini", "boot.ini", "system.ini", "windows/system32", "winnt/", "system32/", "web-inf/", "meta-inf/",
    ".htaccess", ".htpasswd", "/.env", ".git/", ".ssh/", "id_rsa", "authorized_keys", "wp-config", "config.php",
    "configuration.php", "localsettings.php", "settings.py", "database.yml", "web.config", "applicationhost.config",
    "php.ini", "httpd.conf", "apache2/", "nginx/", "var/log/", "var/www/", "autoexec.bat", "inetpub/",
    "bash_history", "etc/", "boot/", "root/", ".aws/credentials", "docker/", "shadow",
];

/// Absolute paths and wrappers that, as a whole value, ask for a file (in path form: `php://` is
/// `php:/`).
const ABSOLUTE: &[&[u8]] = &[
    b"/etc/", b"/proc/", b"/var/log/", b"/root/", b"/windows/", b"c:/windows", b"c:/boot.ini", b"c:/inetpub",
    b"c:/winnt", b"php:/filter", b"php:/input", b"expect:/", b"zip:/", b"phar:/", b"data:/text/plain",
    b"file:/etc/", b"file:/c:/", b"/boot.ini", b"/winnt/",
];

fn targets() -> &'static AhoCorasick {
    static T: OnceLock<AhoCorasick> = OnceLock::new();
    T.get_or_init(|| AhoCorasick::builder().kind(Some(AhoCorasickKind::DFA)).build(TARGETS).expect("static target list builds"))
}

/// Puts `s` in path form into `out`: `\` as `/`, `//` and `/./` folded, `..;/` as `../`.
fn path_form(s: &[u8], out: &mut Vec<u8>) {
    classes::tick(s.len());
    out.clear();
    for &b in s {
        let b = if b == b'\\' { b'/' } else { b };
        if b == b'/' {
            if out.last() == Some(&b'/') {
                continue;
            }
            if out.ends_with(b"/.") && !out.ends_with(b"./.") {
                out.pop();
                continue;
            }
            if out.ends_with(b"..;") {
                out.pop();
            }
        }
        out.push(b);
    }
}

/// Steps up (`../`) in path form, and where the first one ends.
fn steps(p: &[u8]) -> (usize, Option<usize>) {
    let (mut n, mut first) = (0, None);
    let mut i = 0;
    while let Some(k) = classes::find(&p[i..], b"..") {
        let at = i + k;
        let dots = p[at..].iter().take_while(|&&b| b == b'.').count();
        classes::tick(dots);
        let end = at + dots;
        let boundary = at == 0 || matches!(p[at - 1], b'/' | b'=' | b' ' | b'"' | b'\'' | b':');
        if boundary && (p.get(end) == Some(&b'/') || end == p.len()) {
            n += 1;
            first.get_or_insert(end);
        }
        i = end;
    }
    (n, first)
}

/// Looks for traversal in a normalized value; `buf` is scratch. Returns (confirmed, suspicious).
pub fn detect(s: &[u8], mask: Mask, buf: &mut Vec<u8>) -> (bool, bool) {
    if mask & (classes::DOT | classes::SLASH | classes::BACKSLASH | classes::COLON) == 0 {
        return (false, false);
    }
    let has_dots = classes::contains(s, b"..");
    let start = s.iter().position(|&b| b != b' ' && b != b'"' && b != b'\'').unwrap_or(s.len());
    let head = &s[start..];
    let absolute = matches!(head.first(), Some(b'/' | b'\\'))
        || [&b"c:"[..], b"php:", b"expect:", b"zip:", b"phar:", b"data:", b"file:"].iter().any(|p| head.starts_with(p));
    if !has_dots && !absolute {
        return (false, false);
    }
    path_form(&s[start..], buf);
    let (n, first) = steps(buf);
    let target_after = |from: usize| {
        classes::tick(buf.len() - from);
        targets().find(&buf[from..]).is_some()
    };
    if n >= 3 || first.is_some_and(target_after) || ABSOLUTE.iter().any(|a| buf.starts_with(a)) {
        return (true, true);
    }
    (false, n > 0 || target_after(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trav(s: &str) -> (bool, bool) {
        let lower = s.to_ascii_lowercase();
        detect(lower.as_bytes(), classes::mask(lower.as_bytes()), &mut Vec::new())
    }

    #[test]
    fn traversals_are_confirmed() {
        for p in [
            "../../../../etc/passwd",
            "..\\..\\..\\windows\\win.ini",
            "../WEB-INF/web.xml",
            "....//....//....//etc/hosts",
            "..;/..;/..;/admin",
            "/etc/passwd",
            "C:\\Windows\\win.ini",
            "php://filter/convert.base64-encode/resource=index.php",
            "file=../.env",
            "..//..//..//",
        ] {
            assert!(trav(p).0, "{p}");
        }
    }

    #[test]
    fn ordinary_paths_and_dots_stay_unconfirmed() {
        for t in ["../docs/readme.md", "Wait... what?", "v1.2.3", "/products/shoes", "see ../a and ../b", "https://example.com/a/b", "etc."] {
            assert!(!trav(t).0, "{t}");
        }
        assert_eq!(trav("edit your /etc/hosts file"), (false, false), "a path in prose is not even looked at");
        assert_eq!(trav("../docs/readme.md"), (false, true));
    }
}
