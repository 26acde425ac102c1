//! Path traversal and local file inclusion.
//!
//! Input: a normalized value (lower-case, decoded as far as the caller went). Output: confirmed or
//! suspicious. The value is first put in path form: `\` becomes `/`, runs of `/` and `/./` fold,
//! and `..;/` (a Tomcat bypass) is `../`. Then a step is a run of two or more dots before a `/`
//! at a segment start (`....//` survives a filter that deletes `../` once, so it counts too).
//! Confirmed: three steps or more, or one step and a sensitive target after it (`/etc/passwd`,
//! `win.ini`, `WEB-INF/web.xml`, `.env`…), or a value that is a sensitive absolute path or a PHP
//! stream wrapper (`/etc/passwd`, `c:\windows\win.ini`, `php://filter/…`). A target is a whole
//! name: a file target ends the name (`etc/passwd`, not `etc/passwd.example`, a sample config a
//! repository keeps), a folder target ends in `/`, and either starts a path component.
//! Suspicious: one or two steps, or a sensitive target in a value with steps or a leading
//! absolute path. Values with neither (prose that mentions `/etc/hosts`) are not looked at.
//!
//! A NUL after a file name (`shell.php\0.jpg`) truncates it for the file API: confirmed.
//!
//! NTFS alternate data streams: a file name then `::$DATA` (or `:stream:$TYPE`), as IIS and other
//! Windows servers used to hand `index.asp::$DATA` to the file API, which opens the file's
//! unnamed data stream and serves the source (and `admin::$INDEX_ALLOCATION` opens a folder past
//! a rule on its name). Confirmed when the stream type is one NTFS defines (`$DATA`,
//! `$INDEX_ALLOCATION`, `$BITMAP`, `$ATTRIBUTE_LIST`…) and it ends the name (the value's end, or
//! `.`, `/`, `\`, or what ends a path: trailing blanks, `;`, `?`, `#`). The name before it must look like
//! a file when the type is named like a word, with an extension or as a path segment
//! (`/admin::$data`), since `Config::$data`, `self::$file_name` and `Model::$bitmap` are PHP's
//! static properties; the other types (`$INDEX_ALLOCATION`), which no code names, need any name.

use super::classes::{self, Mask};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::sync::OnceLock;

/// Files and folders worth reading, in path form (lower-case, `/` separators).
const TARGETS: &[&str] = &[
    "etc/passwd", "etc/shadow", "etc/hosts", "etc/group", "etc/issue", "etc/hostname", "etc/motd", "etc/crontab",
    "etc/sudoers", "etc/profile", "etc/environment", "proc/self/", "proc/version", "proc/cpuinfo", "proc/net/",
    "win.ini", "boot.ini", "system.ini", "windows/system32", "winnt/", "system32/", "web-inf/", "meta-inf/",
    ".htaccess", ".htpasswd", "/.env", ".git/", ".ssh/", "id_rsa", "authorized_keys", "wp-config.php", "config.php",
    "configuration.php", "localsettings.php", "settings.py", "database.yml", "web.config", "applicationhost.config",
    "php.ini", "httpd.conf", "apache2/", "nginx/", "var/log/", "var/www/", "autoexec.bat", "inetpub/",
    "bash_history", "etc/", "boot/", "root/", ".aws/credentials", "docker/", "shadow",
];

/// Folders that are sensitive only at the root, so only right after the last step: `../etc/…`,
/// not `../shared/config/etc/…`.
const ROOT_FOLDERS: &[&str] = &["etc/", "boot/", "root/", "docker/", "nginx/", "apache2/", "var/log/", "var/www/", "winnt/", "system32/", "inetpub/"];

/// Absolute paths and wrappers that, as a whole value, ask for a file (in path form: `php://` is
/// `php:/`).
const ABSOLUTE: &[&[u8]] = &[
    b"/etc/", b"/proc/", b"/var/log/", b"/root/", b"/windows/", b"c:/windows", b"c:/boot.ini", b"c:/inetpub",
    b"c:/winnt", b"php:/filter", b"php:/input", b"expect:/", b"zip:/", b"phar:/", b"data:/text/plain",
    b"file:/etc/", b"file:/c:/", b"/boot.ini", b"/winnt/",
];

fn targets() -> &'static AhoCorasick {
    static T: OnceLock<AhoCorasick> = OnceLock::new();
    // Longest first, so `etc/passwd` is judged as itself and not as the folder `etc/`.
    T.get_or_init(|| {
        AhoCorasick::builder().kind(Some(AhoCorasickKind::DFA)).match_kind(MatchKind::LeftmostLongest).build(TARGETS).expect("static target list builds")
    })
}

/// Whether a target in [`TARGETS`] starts a path component of `p[from..]` and, for a file, ends
/// its name (a `.` then a letter or digit continues it: `passwd.example`, `hosts.bak`); a
/// [`ROOT_FOLDERS`] one only right after the last step, which ends at `last`. `nul`: the value
/// had a control byte, so a NUL that ends the name for the file API (`win.ini%00index.html`) may
/// have been dropped before this.
fn whole_target(p: &[u8], from: usize, last: usize, nul: bool) -> bool {
    classes::tick(p.len() - from);
    let name = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-');
    let anchor = last + usize::from(p.get(last) == Some(&b'/'));
    targets().find_iter(&p[from..]).any(|m| {
        let (start, end) = (from + m.start(), from + m.end());
        if ROOT_FOLDERS.contains(&TARGETS[m.pattern().as_usize()]) && start != anchor {
            return false;
        }
        let starts = start == 0 || !name(p[start - 1]) || p[start] == b'/';
        let ends = nul
            || p[end - 1] == b'/'
            || match p.get(end) {
                None => true,
                Some(&b) if name(b) => false,
                Some(b'.') => !p.get(end + 1).is_some_and(|&b| b.is_ascii_alphanumeric()),
                Some(_) => true,
            };
        starts && ends
    })
}

/// How long the run of dots, slashes and their `0x2e`/`0x2f`/`0x5c` spellings is that starts `s`.
fn junk_steps(s: &[u8]) -> usize {
    let mut i = 0;
    while i < s.len() {
        if [&b"0x2e"[..], b"0x2f", b"0x5c"].iter().any(|h| s[i..].starts_with(h)) {
            i += 4;
        } else if matches!(s[i], b'.' | b'/' | b'\\') {
            i += 1;
        } else {
            break;
        }
    }
    classes::tick(i);
    i
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

/// Steps up (`../`) in path form, where the first one ends and where the last one does.
fn steps(p: &[u8]) -> (usize, Option<usize>, usize) {
    let (mut n, mut first, mut last) = (0, None, 0);
    let mut i = 0;
    while let Some(k) = classes::find(&p[i..], b"..") {
        let at = i + k;
        let dots = p[at..].iter().take_while(|&&b| b == b'.').count();
        classes::tick(dots);
        let end = at + dots;
        let boundary = at == 0 || matches!(p[at - 1], b'/' | b'=' | b' ' | b'"' | b'\'' | b':');
        // Dots that end the value step up only in a path: prose ends a sentence with them.
        if boundary && (p.get(end) == Some(&b'/') || (end == p.len() && p.contains(&b'/'))) {
            n += 1;
            first.get_or_insert(end);
            last = end;
        }
        i = end;
    }
    (n, first, last)
}

/// NTFS attribute types (lower-case, without the `$`) a stream name may end with
/// (`file:stream:$TYPE`); `$DATA` is the one that holds a file's content.
const NTFS_TYPES: &[&[u8]] = &[
    b"data", b"index_allocation", b"bitmap", b"attribute_list", b"file_name", b"index_root", b"object_id",
    b"reparse_point", b"ea", b"ea_information", b"logged_utility_stream", b"security_descriptor",
    b"standard_information", b"volume_information", b"volume_name",
];

/// Whether `s` (normalized) names an NTFS stream of a file: a file-name-like token, `:`, an
/// optional stream name, `:$` and a type in [`NTFS_TYPES`] that ends the name (see the module).
fn ntfs_stream(s: &[u8]) -> bool {
    let name = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'~' | b'$' | b'@');
    let mut from = 0;
    while let Some(k) = classes::find(&s[from..], b":$") {
        let colon = from + k;
        from = colon + 2;
        let ty_len = s[from..].iter().take(24).take_while(|&&b| b.is_ascii_lowercase() || b == b'_').count();
        classes::tick(ty_len);
        let ty = &s[from..from + ty_len];
        // Windows drops a name's trailing blanks: `index.php::$DATA%20` reads the same stream.
        let ends = match s.get(from + ty_len) {
            None | Some(b'.' | b'/' | b'\\' | b';' | b'?' | b'#') => true,
            Some(b' ') => s[from + ty_len..].iter().all(|&b| b == b' '),
            _ => false,
        };
        if !NTFS_TYPES.contains(&ty) || !ends {
            continue;
        }
        // Back over the stream name (`:$i30:$index_allocation`, `::$data`) to the file's colon.
        let stream = s[..colon].iter().rev().take(64).take_while(|&&b| name(b)).count();
        let Some(file_end) = colon.checked_sub(stream + 1).filter(|&c| s[c] == b':') else { continue };
        let file_len = s[..file_end].iter().rev().take(255).take_while(|&&b| name(b) && b != b'$').count();
        classes::tick(stream + file_len);
        let file = &s[file_end - file_len..file_end];
        // A segment after `/` only: `\App\User::$data` is a PHP namespace.
        let segment = file_end > file_len && s[file_end - file_len - 1] == b'/';
        let extension = file.iter().rposition(|&b| b == b'.').is_some_and(|d| d > 0 && d + 1 < file.len() && file[d + 1..].iter().all(u8::is_ascii_alphanumeric));
        // The types named like words are PHP properties too (`self::$file_name`, `Model::$bitmap`).
        let wordlike = [&b"data"[..], b"bitmap", b"file_name", b"object_id", b"ea", b"volume_name"].contains(&ty);
        if file.iter().any(u8::is_ascii_alphanumeric) && (!wordlike || segment || extension) {
            return true;
        }
    }
    false
}

/// Extensions of the files a truncated name reaches for: scripts a server runs, and its
/// configuration.
const TRUNCATED: &[&[u8]] = &[
    b"php", b"php3", b"php4", b"php5", b"php7", b"pht", b"phtml", b"phar", b"inc", b"asp", b"asa", b"aspx", b"jsp", b"jspx",
    b"cgi", b"pl", b"py", b"rb", b"sh", b"ini", b"conf", b"config", b"htaccess", b"htpasswd",
];

/// Whether a NUL ends a script's or configuration's file name in `text` (the value before
/// normalization drops NULs), before more of the name (`avatar.php\0.jpg`) or at the end of a
/// path or URL (`http://x.example/e.php\0`, `../config.ini\0`). C's file API stops at it, so an
/// app that appends or checks an extension opens the name before it. Text never holds a NUL; a
/// native client's C string ends in one, or a padded field in several, after a name of its own
/// (`sales.py\0`, `jan@wp.pl\0`, `1.2.3\0\0\0`).
pub fn nul_truncation(text: &[u8]) -> bool {
    memchr::memchr_iter(0, text).take(8).any(|i| {
        let ext = text[..i].iter().rev().take(9).take_while(|b| b.is_ascii_alphanumeric()).count();
        let named = i > ext + 1 && text[i - ext - 1] == b'.' && {
            let b = text[i - ext - 2];
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'/')
        };
        named && TRUNCATED.iter().any(|e| text[i - ext..i].eq_ignore_ascii_case(e)) && {
            let token = &text[text[..i].iter().rposition(|&b| b == b' ').map_or(0, |k| k + 1)..i];
            let more = text[i..].iter().any(|&b| b != 0);
            !token.contains(&b'@') && (more || token.contains(&b'/') || token.contains(&b'\\'))
        }
    })
}

/// Looks for traversal in a normalized value; `buf` is scratch. Returns (confirmed, suspicious).
pub fn detect(s: &[u8], mask: Mask, buf: &mut Vec<u8>) -> (bool, bool) {
    if mask & (classes::DOT | classes::SLASH | classes::BACKSLASH | classes::COLON) == 0 {
        return (false, false);
    }
    if mask & classes::DOLLAR != 0 && ntfs_stream(s) {
        return (true, true);
    }
    let has_dots = classes::contains(s, b"..");
    let start = s.iter().position(|&b| b != b' ' && b != b'"' && b != b'\'').unwrap_or(s.len());
    let head = &s[start..];
    let absolute = matches!(head.first(), Some(b'/' | b'\\'))
        || [&b"c:"[..], b"php:", b"expect:", b"zip:", b"phar:", b"data:", b"file:"].iter().any(|p| head.starts_with(p));
    if !has_dots && !absolute {
        // Scanners' steps no server decodes (`0x2e0x2e0x2f`, `.\./`) before a file worth
        // reading: a near miss.
        let junk = junk_steps(head);
        if junk < 4 {
            return (false, false);
        }
        path_form(&head[junk..], buf);
        return (false, whole_target(buf, 0, 0, mask & classes::CTRL != 0));
    }
    path_form(&s[start..], buf);
    let (n, first, last) = steps(buf);
    let target_after = |from: usize| whole_target(buf, from, last, mask & classes::CTRL != 0);
    if n >= 3 || first.is_some_and(target_after) || ABSOLUTE.iter().any(|a| buf.starts_with(a)) {
        return (true, true);
    }
    // A lone step is a near miss where a probe puts it, at the value's start (`..%c0%af`); inside
    // a value it is code's relative import (`from '../util'`).
    (false, (n > 0 && buf.starts_with(b"..")) || target_after(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ellipsis_is_no_step() {
        for t in ["I don't know ...", "it costs $5 ...", "eta'..."] {
            assert_eq!(trav(t), (false, false), "{t}");
        }
        assert!(!trav("/static/..").1);
        assert!(!trav("import { x } from '../util/x';").1, "a relative import");
        assert!(trav("..\\x").1, "a probe's lone step");
    }

    #[test]
    fn steps_no_server_decodes_before_a_target_are_a_near_miss() {
        for t in ["0x2e0x2e0x2f0x2e0x2e0x2f/etc/passwd", ".\\./.\\./.\\./etc/shadow", "./\\/././\\/.//etc/passwd", "0x2e0x2e\\0x2e0x2e\\/etc/passwd"] {
            assert_eq!(trav(t), (false, true), "{t}");
        }
        for t in ["0x2e0x2e0x2f/etc/passwd.example", "./etc/passwd", "0x2f0x2e ok"] {
            assert_eq!(trav(t), (false, false), "{t}");
        }
    }

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
            "../windows/win.ini\0index.html",
            "../../etc/passwd",
        ] {
            assert!(trav(p).0, "{p}");
        }
    }

    #[test]
    fn ordinary_paths_and_dots_stay_unconfirmed() {
        for t in ["../shared/config/etc/passwd.example", "src/../README.md", "../../lib/utils.js", "../shared/etc/nginx/site.conf", "../docs/readme.md", "Wait... what?", "v1.2.3", "/products/shoes", "see ../a and ../b", "https://example.com/a/b", "etc."] {
            assert!(!trav(t).0, "{t}");
        }
        assert_eq!(trav("edit your /etc/hosts file"), (false, false), "a path in prose is not even looked at");
        assert_eq!(trav("../docs/readme.md"), (false, true));
    }

    #[test]
    fn a_nul_after_a_file_name_truncates_it() {
        for p in ["avatar.php\0.jpg", "http://x.example/e.php\0", "c:\\boot.ini\0", "shell.PHP\0_thumb.jpg", "index.php\0\r\n", "/.htaccess\0", "../uploads/shell.php\0\0", "shell.pht\0.gif"] {
            assert!(nul_truncation(p.as_bytes()), "{p:?}");
        }
        for t in ["abc\0", "hello world\0", "\0", "a.b", "x. \0", "/hi\0", "1.2.3\0", "fw-2.1.0\0\0\0", "bob@example.com\0", "README.md\0", "photo.jpg\0\0", "sales.py\0", "deploy.sh\0\0", "jan@wp.pl\0", "kontakt@onet.pl\0x"] {
            assert!(!nul_truncation(t.as_bytes()), "{t:?}");
        }
    }

    #[test]
    fn ntfs_streams_of_a_file_are_confirmed() {
        for p in [
            "index.php::$DATA",
            "/site/index.asp::$data",
            "default.aspx::$DATA.",
            "web.config::$DATA/",
            "C:\\inetpub\\wwwroot\\global.asa::$DATA",
            "/admin::$DATA",
            "admin::$INDEX_ALLOCATION",
            "index.php::$DATA ",
            "index.php::$DATA?x=1",
            "/secret:$i30:$INDEX_ALLOCATION/file.txt",
            "report.doc:hidden.txt:$DATA",
        ] {
            assert!(trav(p).0, "{p}");
        }
    }

    #[test]
    fn static_members_and_stray_streams_stay_unconfirmed() {
        for t in [
            "Foo::$bar",
            "self::$data",
            "return static::$data;",
            "Config::$DATA",
            "$x = Registry::$data . 'x';",
            "\\App\\Models\\User::$data",
            "std::vector<int> v; a::$DATA_SIZE",
            "index.php::$DATAX",
            "index.php::$data is how IIS leaked source",
            "::$DATA",
            "price: $data",
            "$path = self::$file_name.'.php';",
            "return static::$object_id",
            "Model::$bitmap",
            "Foo::$ea",
        ] {
            assert!(!trav(t).0, "{t}");
        }
    }
}
