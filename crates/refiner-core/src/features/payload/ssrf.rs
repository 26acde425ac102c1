//! Server-side request forgery: a URL the server should never fetch.
//!
//! Input: a normalized value and its byte classes. Output: confirmed or suspicious. Each URL
//! (`scheme://` or a leading `//`) is parsed for its host, after the last `@` of its authority,
//! and judged as one of: an ordinary host; an internal one that developers use every day (plain
//! `localhost`, `127.0.0.1`, `[::1]`, private and carrier-grade NAT addresses: OAuth redirect URIs
//! of dev setups, webhooks to a LAN box), which is only suspicious; or a bad target, confirmed:
//! schemes only an SSRF uses (`gopher`, `dict`, `ldap`, `tftp`, `jar`, `netdoc`, and `file` when
//! it names a system path), cloud metadata services (all of 169.254.0.0/16, 100.100.100.200,
//! 192.0.0.192, `fd00:ec2::254`, `metadata.google.internal`, `instance-data`…), the unspecified
//! address, loopback written any way but the two everyday forms (`127.1`, `127.0.1.3`,
//! `0x7f.1`, `2130706433`, `0177.0.0.1`, `[::ffff:127.0.0.1]`, `[0:0:0:0:0:0:0:1]`), names that
//! resolve to loopback or a private address for anyone (`localtest.me`, `127.0.0.1.nip.io`), and
//! an internal host reached with a trick or at a service no browser talks to: credentials before
//! it (`http://good@127.0.0.1`), a malformed port (`localhost:+11211aaa`), a database, cache,
//! mail, SSH or orchestration port (`:6379`, `:22`, `:2375`…), or an admin path (`/admin`,
//! `/server-status`, `/latest/meta-data`…). IPv4 hosts are read as `inet_aton` reads them, IPv6
//! hosts by the standard parser. Confirmed when such a URL is the value (an ordinary site's URL,
//! or a bad one inside prose, is not); suspicious when it is inside text, when the host is only
//! internal, or when a public address is written in a non-canonical numeric form.

use super::classes::{self, Mask};
use std::net::{Ipv4Addr, Ipv6Addr};

/// URLs looked at per value.
const MAX_URLS: usize = 8;

const BAD_SCHEMES: &[&[u8]] = &[b"file", b"gopher", b"dict", b"ldap", b"ldaps", b"tftp", b"jar:http", b"jar:ftp", b"netdoc", b"sftp", b"expect"];
const FETCH_SCHEMES: &[&[u8]] = &[b"http", b"https", b"ftp", b"ws", b"wss", b""];
/// Names of metadata services, and of loopback that no one types for their own machine.
const BAD_HOSTS: &[&[u8]] = &[
    b"localhost.localdomain", b"ip6-localhost", b"ip6-loopback", b"metadata", b"metadata.google.internal", b"metadata.goog",
    b"instance-data", b"instance-data.ec2.internal", b"kubernetes.default", b"kubernetes.default.svc", b"rancher-metadata",
    b"localtest.me", b"lvh.me", b"vcap.me",
];
const BAD_SUFFIXES: &[&[u8]] = &[b".localtest.me", b".lvh.me", b".kubernetes.default.svc"];
/// Names of the developer's own machine or intranet: suspicious as they are.
const INTERNAL_SUFFIXES: &[&[u8]] = &[b".localhost", b".internal", b".local", b".lan", b".home.arpa"];
const REBIND_SUFFIXES: &[&[u8]] = &[b".nip.io", b".xip.io", b".sslip.io"];
/// Ports of services that speak no browser's HTTP (databases, caches, mail, SSH, container and
/// cluster APIs, admin consoles): an internal host at one is a probe, not a dev server.
const SERVICE_PORTS: &[u16] = &[
    21, 22, 23, 25, 110, 111, 135, 139, 143, 389, 445, 465, 587, 636, 873, 1080, 1099, 1433, 1521, 2049, 2375, 2376, 2379,
    2380, 3128, 3306, 4242, 4369, 5432, 5672, 5984, 6379, 6443, 7001, 7979, 8009, 8500, 8983, 9001, 9042, 9092, 9121, 9200,
    9300, 10250, 10255, 11211, 15672, 27017, 50070,
];
/// First path segments of internal admin and metadata endpoints.
const ADMIN_PATHS: &[&[u8]] = &[
    b"admin", b"%61dmin", b"server-status", b"jmx-console", b"manager", b"console", b"actuator", b"solr", b"_cat", b"_cluster",
    b"_nodes", b"jolokia", b"hystrix", b"latest", b"computemetadata", b"metadata", b"debug", b"containers", b"openstack",
];
/// System folders a `file:` URL may name (after its slashes, lower-case).
const SYSTEM_PATHS: &[&[u8]] = &[
    b"etc/", b"etc\\", b"proc/", b"root/", b"var/", b"home/", b"usr/", b"dev/", b"sys/", b"boot", b"tmp/", b"opt/", b"srv/",
    b"windows", b"winnt", b"c:/windows", b"c:\\windows", b"c:/winnt", b"c:/boot.ini", b"c:/inetpub", b"c:\\boot.ini",
    b"c:\\inetpub", b"inetpub",
];

/// How a URL's host is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Host {
    /// An ordinary host.
    Fine,
    /// A public address written in a non-canonical numeric form.
    Odd,
    /// The developer's own machine or LAN, written plainly: suspicious unless reached with a
    /// trick, at a service port or an admin path.
    Internal,
    /// Metadata, an obfuscated internal address, or a name that resolves to one.
    Bad,
}

/// One dotted part of an `inet_aton` address: decimal, `0x` hex or `0` octal.
fn aton_part(p: &[u8]) -> Option<u64> {
    let (digits, radix) = match p {
        [b'0', b'x', rest @ ..] => (rest, 16),
        [b'0', rest @ ..] if !rest.is_empty() => (rest, 8),
        _ => (p, 10),
    };
    if digits.is_empty() && radix == 16 {
        return Some(0);
    }
    if digits.is_empty() || digits.len() > 12 {
        return None;
    }
    digits.iter().try_fold(0u64, |acc, &b| {
        let d = (b as char).to_digit(radix)?;
        Some(acc * u64::from(radix) + u64::from(d))
    })
}

/// Reads `host` as `inet_aton` does: 1 to 4 parts, the last filling the remaining bytes. Also
/// says whether the form was non-canonical (not four decimal parts).
fn aton(host: &[u8]) -> Option<(Ipv4Addr, bool)> {
    let mut parts = [0u64; 4];
    let mut n = 0;
    let mut canonical = true;
    for p in host.split(|&b| b == b'.') {
        if n == 4 {
            return None;
        }
        parts[n] = aton_part(p)?;
        canonical &= !p.is_empty() && p.iter().all(u8::is_ascii_digit) && (p.len() == 1 || p[0] != b'0');
        n += 1;
    }
    let max_last = [0, 1 << 32, 1 << 24, 1 << 16, 1 << 8][n];
    if n == 0 || parts[n - 1] >= max_last || parts[..n - 1].iter().any(|&p| p > 255) {
        return None;
    }
    let mut v = parts[n - 1];
    for (k, &p) in parts[..n - 1].iter().enumerate() {
        v |= p << (24 - 8 * k);
    }
    Some((Ipv4Addr::from(v as u32), canonical && n == 4))
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified() || o[0] == 0 || (o[0] == 100 && (o[1] & 0xC0) == 64)
}

/// An IPv4 address written canonically: the everyday internal ones (`127.0.0.1`, private and
/// carrier-grade NAT) are [`Host::Internal`]; metadata (link-local, Alibaba's, Oracle's), the
/// unspecified network and the rest of 127/8 (`127.0.1.3`, a block-list bypass) are bad.
fn v4_host(ip: Ipv4Addr) -> Host {
    let o = ip.octets();
    if ip.is_link_local() || o == [100, 100, 100, 200] || o == [192, 0, 0, 192] || o[0] == 0 || (ip.is_loopback() && o != [127, 0, 0, 1]) {
        Host::Bad
    } else if internal_v4(ip) {
        Host::Internal
    } else {
        Host::Fine
    }
}

fn v6_host(ip: Ipv6Addr, text: &[u8]) -> Host {
    if let Some(v4) = ip.to_ipv4_mapped() {
        // `[::ffff:127.0.0.1]`, `[::ffff:a9fe:a9fe]`: only a filter bypass writes v4 so.
        return if internal_v4(v4) { Host::Bad } else { Host::Fine };
    }
    let s0 = ip.segments()[0];
    if ip.is_unspecified() || ip.segments() == [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254] {
        Host::Bad
    } else if ip.is_loopback() {
        // `[::1]` is RFC 8252's loopback redirect; `[0:0:0:0:0:0:0:1]`, `[0000::1]` are bypasses.
        if text == b"::1" { Host::Internal } else { Host::Bad }
    } else if (s0 & 0xfe00) == 0xfc00 || (s0 & 0xffc0) == 0xfe80 {
        Host::Internal
    } else {
        Host::Fine
    }
}

/// Longest host folded by [`fold_host`].
const MAX_FOLDED: usize = 128;

/// Folds what a URL parser's host mapping (UTS #46, NFKC) turns into ASCII: circled and
/// full-width digits and letters, and the ideographic full stops. Returns the folded length, or
/// `None` when `host` holds a non-ASCII character that is not one of these (an IDN).
fn fold_host(host: &[u8], out: &mut [u8; MAX_FOLDED]) -> Option<usize> {
    let mut n = 0;
    let mut i = 0;
    let mut push = |out: &mut [u8; MAX_FOLDED], b: u8| -> Option<()> {
        *out.get_mut(n)? = b;
        n += 1;
        Some(())
    };
    while i < host.len() {
        let b = host[i];
        if b < 0x80 {
            push(out, b)?;
            i += 1;
            continue;
        }
        let (c1, c2) = (*host.get(i + 1)?, *host.get(i + 2)?);
        match (b, c1, c2) {
            // ①..⑨, ⑩..⑳ (U+2460..U+2473), ⓪ (U+24EA).
            (0xE2, 0x91, 0xA0..=0xA8) => push(out, b'1' + (c2 - 0xA0))?,
            (0xE2, 0x91, 0xA9..=0xB3) => {
                let v = 10 + (c2 - 0xA9);
                push(out, b'0' + v / 10)?;
                push(out, b'0' + v % 10)?;
            }
            (0xE2, 0x93, 0xAA) => push(out, b'0')?,
            // Ⓐ..Ⓩ (U+24B6..U+24CF), ⓐ..ⓩ (U+24D0..U+24E9).
            (0xE2, 0x92, 0xB6..=0xBF) => push(out, b'a' + (c2 - 0xB6))?,
            (0xE2, 0x93, 0x80..=0x8F) => push(out, b'k' + (c2 - 0x80))?,
            (0xE2, 0x93, 0x90..=0xA9) => push(out, b'a' + (c2 - 0x90))?,
            // Full-width digits, letters and full stop; the halfwidth and ideographic full stops.
            (0xEF, 0xBC, 0x90..=0x99) => push(out, b'0' + (c2 - 0x90))?,
            (0xEF, 0xBC, 0xA1..=0xBA) => push(out, b'a' + (c2 - 0xA1))?,
            (0xEF, 0xBD, 0x81..=0x9A) => push(out, b'a' + (c2 - 0x81))?,
            (0xEF, 0xBC, 0x8E) | (0xEF, 0xBD, 0xA1) | (0xE3, 0x80, 0x82) => push(out, b'.')?,
            _ => return None,
        }
        i += 3;
    }
    classes::tick(host.len());
    Some(n)
}

/// Classifies a URL's host. One written with characters that a URL parser folds to ASCII
/// (`①②⑦.⓪.⓪.①`, `１２７．０．０．１`) is bad when the folded host is anything but an ordinary one:
/// no one types their own machine so.
fn host_verdict(host: &[u8]) -> Host {
    if host.iter().any(|&b| b >= 0x80) {
        let mut folded = [0u8; MAX_FOLDED];
        return match fold_host(host, &mut folded) {
            Some(n) if n > 0 && folded[..n].iter().all(|&b| b < 0x80) => match ascii_host_verdict(&folded[..n]) {
                Host::Fine => Host::Fine,
                _ => Host::Bad,
            },
            _ => Host::Fine,
        };
    }
    ascii_host_verdict(host)
}

/// Classifies a URL's host written in ASCII.
fn ascii_host_verdict(host: &[u8]) -> Host {
    if let Some(inner) = host.strip_prefix(b"[").and_then(|h| h.strip_suffix(b"]")) {
        let inner = inner.split(|&b| b == b'%').next().unwrap_or(inner);
        let ip = std::str::from_utf8(inner).ok().and_then(|s| s.parse::<Ipv6Addr>().ok());
        return ip.map_or(Host::Fine, |ip| v6_host(ip, inner));
    }
    let host = host.strip_suffix(b".").unwrap_or(host);
    if let Some((ip, canonical)) = aton(host) {
        return match (v4_host(ip), canonical) {
            (Host::Fine, false) => Host::Odd,
            (Host::Internal, false) => Host::Bad,
            (verdict, _) => verdict,
        };
    }
    if BAD_HOSTS.contains(&host) || BAD_SUFFIXES.iter().any(|s| host.ends_with(s)) {
        return Host::Bad;
    }
    if host == b"localhost" || INTERNAL_SUFFIXES.iter().any(|s| host.ends_with(s)) {
        return Host::Internal;
    }
    // `127.0.0.1.nip.io` and `10-0-0-1.sslip.io` resolve to the address they spell.
    if let Some(sfx) = REBIND_SUFFIXES.iter().find(|s| host.ends_with(s)) {
        let name = &host[..host.len() - sfx.len()];
        let label_start = name.iter().rposition(|b| !(b.is_ascii_digit() || *b == b'.' || *b == b'-')).map_or(0, |k| k + 1);
        let label = name[label_start..].strip_prefix(b".").unwrap_or(&name[label_start..]);
        let mut spelled = [0u8; 64];
        if label.len() > spelled.len() {
            return Host::Fine;
        }
        for (d, &b) in spelled.iter_mut().zip(label) {
            *d = if b == b'-' { b'.' } else { b };
        }
        return if aton(&spelled[..label.len()]).is_some_and(|(ip, _)| internal_v4(ip)) { Host::Bad } else { Host::Fine };
    }
    Host::Fine
}

/// An internal host is a probe when reached with credentials before it, at a malformed or
/// service port, or at an admin path. `port` is what follows the host's `:`, `path` what
/// follows the authority.
fn internal_probe(userinfo: bool, port: Option<&[u8]>, path: &[u8]) -> bool {
    let bad_port = port.is_some_and(|p| {
        let n = std::str::from_utf8(p).ok().filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())).and_then(|t| t.parse::<u16>().ok());
        match n {
            None => !p.is_empty(),
            Some(n) => (p.len() > 1 && p[0] == b'0') || SERVICE_PORTS.contains(&n),
        }
    });
    let first = path.strip_prefix(b"/").unwrap_or(&[]);
    let first = &first[..first.iter().position(|b| matches!(b, b'/' | b'?' | b'#' | b'\\')).unwrap_or(first.len())];
    userinfo || bad_port || ADMIN_PATHS.contains(&first)
}

/// A `file:` URL naming a system path (`file:///etc/passwd`, `file://localhost/c:/windows/…`,
/// `file://\/\/etc/passwd`) or another host (`file://attacker.example/share`, which Windows
/// fetches over SMB); not `file:///C:/Users/me/report.pdf`.
fn system_file(rest: &[u8]) -> bool {
    if rest.first().is_some_and(u8::is_ascii_alphanumeric) && !rest.starts_with(b"localhost") {
        return true;
    }
    let rest = &rest[rest.iter().take(16).take_while(|b| matches!(b, b'/' | b'\\')).count()..];
    let rest = rest.strip_prefix(b"localhost").unwrap_or(rest);
    let rest = &rest[rest.iter().take(16).take_while(|b| matches!(b, b'/' | b'\\')).count()..];
    SYSTEM_PATHS.iter().any(|p| rest.starts_with(p))
}

/// Judges the URL whose `://` (or leading `//`) is at `s[sep]`; `scheme` precedes it. Returns
/// (bad, suspicious).
fn url_verdict(scheme: &[u8], s: &[u8], sep: usize) -> (bool, bool) {
    let auth_start = sep + if scheme.is_empty() && s[sep..].starts_with(b"//") { 2 } else { 3 };
    let rest = &s[auth_start.min(s.len())..];
    if BAD_SCHEMES.iter().any(|b| scheme.ends_with(b)) {
        // `file:` counts when it names a system path; the others are enough as they are.
        return (scheme != b"file" || system_file(rest), true);
    }
    if !FETCH_SCHEMES.contains(&scheme) {
        return (false, false);
    }
    let auth_len = rest.iter().position(|b| matches!(b, b'/' | b'?' | b'#' | b'\\' | b' ' | b'\n' | b'"' | b'\'' | b'<' | b'>')).unwrap_or(rest.len());
    let auth = &rest[..auth_len];
    classes::tick(auth_len);
    let at = auth.iter().rposition(|&b| b == b'@');
    let host_port = at.map_or(auth, |k| &auth[k + 1..]);
    let (host, port) = if host_port.first() == Some(&b'[') {
        let end = host_port.iter().position(|&b| b == b']').map_or(host_port.len(), |k| k + 1);
        (&host_port[..end], host_port[end..].strip_prefix(b":"))
    } else {
        match classes::find_byte(b':', host_port) {
            Some(k) => (&host_port[..k], Some(&host_port[k + 1..])),
            None => (host_port, None),
        }
    };
    if host.is_empty() {
        return (false, false);
    }
    match host_verdict(host) {
        Host::Fine => (false, false),
        Host::Odd => (false, true),
        Host::Bad => (true, true),
        Host::Internal => (internal_probe(at.is_some(), port, &rest[auth_len..]), true),
    }
}

/// Looks for an SSRF target in a normalized value. Returns (confirmed, suspicious).
pub fn detect(s: &[u8], mask: Mask) -> (bool, bool) {
    if mask & classes::SLASH != 0 && schemeless_metadata(s) {
        return (true, true);
    }
    if mask & classes::COLON == 0 && !s.starts_with(b"//") {
        return (false, false);
    }
    let start = s.iter().position(|&b| !matches!(b, b' ' | b'"' | b'\'' | b'<')).unwrap_or(s.len());
    let mut suspicious = false;
    if s[start..].starts_with(b"//") {
        let (bad, odd) = url_verdict(b"", s, start);
        if bad {
            return (true, true);
        }
        suspicious |= odd;
    }
    let mut from = 0;
    for _ in 0..MAX_URLS {
        let Some(k) = classes::find(&s[from..], b"://") else { break };
        let sep = from + k;
        classes::tick(sep + 3 - from + 64);
        let scheme_start = s[..sep].iter().rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-' | b':'))).map_or(0, |p| p + 1);
        classes::tick(sep - scheme_start);
        let scheme = &s[scheme_start..sep];
        let (bad, odd) = url_verdict(scheme, s, sep);
        if bad && scheme_start == start {
            return (true, true);
        }
        suspicious |= bad || odd;
        from = sep + 3;
    }
    (false, suspicious)
}

/// Whether `s` starts with a metadata service's address or name (the prefilter's test).
pub fn starts_like_metadata(s: &[u8]) -> bool {
    [&b"169.254."[..], b"100.100.100.200", b"metadata.google.internal"].iter().any(|p| s.starts_with(p))
}

/// A metadata service's host then a path, with no scheme: an app that adds `http://` itself
/// fetches it (`169.254.169.254/latest/meta-data/`).
fn schemeless_metadata(s: &[u8]) -> bool {
    // The whole value is the address: "169.254.169.254/latest/meta-data/ returns 404" is a question.
    let s = s.trim_ascii();
    if s.contains(&b' ') {
        return false;
    }
    let host = s.iter().take(32).take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')).count();
    let path = &s[host..];
    // The services themselves, not the rest of link-local (a camera's `169.254.10.20/onvif/…`);
    // ECS's task endpoint only where it hands out credentials.
    match &s[..host] {
        b"169.254.169.254" | b"100.100.100.200" | b"metadata.google.internal" => path.len() > 1 && path[0] == b'/' && path[1].is_ascii_alphanumeric(),
        b"169.254.170.2" => path.starts_with(b"/v2/credentials"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metadata_host_and_path_without_a_scheme_is_confirmed() {
        for p in ["169.254.169.254/latest/meta-data/", "metadata.google.internal/computeMetadata/v1/", "100.100.100.200/latest/meta-data", "169.254.170.2/v2/credentials/x"] {
            assert_eq!(ssrf(p), (true, true), "{p}");
        }
        for t in ["169.254.169.254/latest/meta-data/ returns 404 from my ec2 box", "169.254.1.1", "169.254.0.1/ is my printer", "169.254.10.20/onvif/device_service", "169.254.170.2/v2/metadata", "metadata/config.json", "instance-data/x", "169.254.169.254"] {
            assert!(!ssrf(t).0, "{t}");
        }
    }

    fn ssrf(s: &str) -> (bool, bool) {
        let l = s.to_ascii_lowercase();
        detect(l.as_bytes(), classes::mask(l.as_bytes()))
    }

    #[test]
    fn metadata_obfuscated_loopback_probes_and_odd_schemes_are_confirmed() {
        for p in [
            "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            "http://169.254.170.2/v2/credentials/x",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://[fd00:ec2::254]/latest/meta-data/",
            "http://100.100.100.200/latest/meta-data/",
            "http://127.0.0.1:8080/admin",
            "http://localhost:6379/",
            "http://192.168.1.1:22",
            "http://10.0.0.5/server-status",
            "http://localhost:+11211aaa",
            "https://2130706433/",
            "http://0x7f.1/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://127.0.1.3/",
            "http://0.0.0.0:80",
            "http://[::]:80/",
            "http://[0:0:0:0:0:0:0:1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:a9fe:a9fe]/latest/meta-data/",
            "http://evil.example@127.0.0.1/",
            "http://good@192.168.1.20:8080/",
            "file:///etc/passwd",
            "file://\\/\\/etc/passwd",
            "file://attacker.example/share",
            "gopher://127.0.0.1:6379/_INFO",
            "gopher://attacker.example:70/_x",
            "dict://localhost:11211/stats",
            "jar:http://127.0.0.1!/",
            "//169.254.169.254/",
            "http://127.0.0.1.nip.io/",
            "http://localtest.me",
            "http://0/",
        ] {
            assert!(ssrf(p).0, "{p}");
        }
    }

    #[test]
    fn everyday_internal_urls_are_only_suspicious() {
        for t in [
            "http://localhost:3000/callback",
            "http://127.0.0.1:8080/cb",
            "http://[::1]:8400/oauth2/callback",
            "http://192.168.1.20:8080/hook",
            "http://localhost:3000/webhooks/stripe",
            "http://10.0.0.5/internal",
            "https://app.localhost:5173/",
            "http://build.corp.internal:8080/hooks/github",
            "http://100.101.102.103:3000/api/hook",
            "file:///C:/Users/me/Desktop/report.pdf",
        ] {
            assert_eq!(ssrf(t), (false, true), "{t}");
        }
    }

    #[test]
    fn hosts_a_url_parser_folds_to_ascii_are_confirmed_unless_ordinary() {
        for p in ["http://①②⑦.⓪.⓪.①/", "http://１２７．０．０．１/", "http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ/", "http://⑯⑨.②⑤④.⑯⑨.②⑤④/latest/", "http://127。0。0。1/"] {
            assert_eq!(ssrf(p), (true, true), "{p}");
        }
        for t in ["http://ⓔⓧⓐⓜⓟⓛⓔ.com/", "https://bücher.example/", "https://例子.测试/", "http://①②.example/"] {
            assert!(!ssrf(t).0, "{t}");
        }
    }

    #[test]
    fn ordinary_urls_and_prose_stay_unconfirmed() {
        for t in [
            "https://www.example.com/path?q=1",
            "http://8.8.8.8/",
            "see https://docs.example.org",
            "10:30 at the office",
            "ratio 1:2",
            "http://1.2.3.4.example.com/",
        ] {
            assert!(!ssrf(t).0, "{t}");
        }
        assert_eq!(ssrf("my dev server is http://localhost:3000"), (false, true));
        assert_eq!(ssrf("see http://169.254.169.254/ in the docs"), (false, true), "a bad URL inside prose");
        assert_eq!(ssrf("http://134744072/"), (false, true), "8.8.8.8 as a decimal is odd, not internal");
    }
}
