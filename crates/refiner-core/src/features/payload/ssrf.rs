//! Server-side request forgery: a URL the server should never fetch.
//!
//! Input: a normalized value and its byte classes. Output: confirmed or suspicious. Each URL
//! (`scheme://` or a leading `//`) is parsed for its host, after the last `@` of its authority.
//! Bad targets: schemes only an SSRF uses (`file`, `gopher`, `dict`, `ldap`, `tftp`, `jar`,
//! `netdoc`), loopback, unspecified, private, link-local and carrier-grade NAT addresses (the
//! cloud metadata services live at 169.254.169.254 and 100.100.100.200), metadata host names,
//! `localhost` and names that resolve to it (`*.localhost`, `localtest.me`, `127.0.0.1.nip.io`).
//! IPv4 hosts are read as `inet_aton` reads them, so decimal (`2130706433`), hex (`0x7f.1`),
//! octal (`0177.0.0.1`) and short (`127.1`) forms resolve too; IPv6 hosts by the standard parser,
//! IPv4-mapped ones included. Confirmed when such a URL is the value (an ordinary site's URL, or a
//! bad one inside prose, is not); suspicious when it is inside text, or when a public address is
//! written in a non-canonical numeric form.

use super::classes::{self, Mask};
use std::net::{Ipv4Addr, Ipv6Addr};

/// URLs looked at per value.
const MAX_URLS: usize = 8;

const BAD_SCHEMES: &[&[u8]] = &[b"file", b"gopher", b"dict", b"ldap", b"ldaps", b"tftp", b"jar:http", b"netdoc", b"sftp", b"expect"];
const FETCH_SCHEMES: &[&[u8]] = &[b"http", b"https", b"ftp", b"ws", b"wss", b""];
const BAD_HOSTS: &[&[u8]] = &[
    b"localhost", b"localhost.localdomain", b"ip6-localhost", b"ip6-loopback", b"metadata", b"metadata.google.internal",
    b"metadata.goog", b"instance-data", b"instance-data.ec2.internal", b"kubernetes.default", b"kubernetes.default.svc",
    b"localtest.me", b"lvh.me", b"vcap.me", b"0",
];
const BAD_SUFFIXES: &[&[u8]] = &[b".localhost", b".internal", b".localtest.me", b".lvh.me"];
const REBIND_SUFFIXES: &[&[u8]] = &[b".nip.io", b".xip.io", b".sslip.io"];

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

fn bad_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified() || o[0] == 0 || (o[0] == 100 && (o[1] & 0xC0) == 64)
}

fn bad_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return bad_v4(v4);
    }
    let s0 = ip.segments()[0];
    ip.is_loopback() || ip.is_unspecified() || (s0 & 0xfe00) == 0xfc00 || (s0 & 0xffc0) == 0xfe80
}

/// Classifies a URL's host. Returns (bad, odd: a public address in a non-canonical form).
fn host_verdict(host: &[u8]) -> (bool, bool) {
    if let Some(inner) = host.strip_prefix(b"[").and_then(|h| h.strip_suffix(b"]")) {
        let inner = inner.split(|&b| b == b'%').next().unwrap_or(inner);
        let ip = std::str::from_utf8(inner).ok().and_then(|s| s.parse::<Ipv6Addr>().ok());
        return (ip.is_some_and(bad_v6), false);
    }
    let host = host.strip_suffix(b".").unwrap_or(host);
    if let Some((ip, canonical)) = aton(host) {
        return (bad_v4(ip), !canonical);
    }
    if BAD_HOSTS.contains(&host) || BAD_SUFFIXES.iter().any(|s| host.ends_with(s)) {
        return (true, false);
    }
    // `127.0.0.1.nip.io` and `10-0-0-1.sslip.io` resolve to the address they spell.
    if let Some(sfx) = REBIND_SUFFIXES.iter().find(|s| host.ends_with(s)) {
        let name = &host[..host.len() - sfx.len()];
        let label_start = name.iter().rposition(|b| !(b.is_ascii_digit() || *b == b'.' || *b == b'-')).map_or(0, |k| k + 1);
        let label = name[label_start..].strip_prefix(b".").unwrap_or(&name[label_start..]);
        let mut spelled = [0u8; 64];
        if label.len() > spelled.len() {
            return (false, false);
        }
        for (d, &b) in spelled.iter_mut().zip(label) {
            *d = if b == b'-' { b'.' } else { b };
        }
        return (aton(&spelled[..label.len()]).is_some_and(|(ip, _)| bad_v4(ip)), false);
    }
    (false, false)
}

/// Judges the URL whose `://` (or leading `//`) is at `s[sep]`; `scheme` precedes it.
fn url_verdict(scheme: &[u8], s: &[u8], sep: usize) -> (bool, bool) {
    let auth_start = sep + if scheme.is_empty() && s[sep..].starts_with(b"//") { 2 } else { 3 };
    if BAD_SCHEMES.iter().any(|b| scheme.ends_with(b)) {
        // `file:` needs a path or host after it; the others are enough as they are.
        return (scheme != b"file" || s.get(auth_start).is_some_and(|b| *b == b'/' || b.is_ascii_alphanumeric()), true);
    }
    if !FETCH_SCHEMES.contains(&scheme) {
        return (false, false);
    }
    let rest = &s[auth_start.min(s.len())..];
    let auth_len = rest.iter().position(|b| matches!(b, b'/' | b'?' | b'#' | b'\\' | b' ' | b'\n' | b'"' | b'\'' | b'<' | b'>')).unwrap_or(rest.len());
    let auth = &rest[..auth_len];
    classes::tick(auth_len);
    let host_port = auth.iter().rposition(|&b| b == b'@').map_or(auth, |k| &auth[k + 1..]);
    let host = if host_port.first() == Some(&b'[') {
        host_port.iter().position(|&b| b == b']').map_or(host_port, |k| &host_port[..=k])
    } else {
        host_port.split(|&b| b == b':').next().unwrap_or(host_port)
    };
    if host.is_empty() {
        return (false, false);
    }
    host_verdict(host)
}

/// Looks for an SSRF target in a normalized value. Returns (confirmed, suspicious).
pub fn detect(s: &[u8], mask: Mask) -> (bool, bool) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ssrf(s: &str) -> (bool, bool) {
        let l = s.to_ascii_lowercase();
        detect(l.as_bytes(), classes::mask(l.as_bytes()))
    }

    #[test]
    fn internal_targets_and_odd_schemes_are_confirmed() {
        for p in [
            "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://127.0.0.1:8080/admin",
            "http://localhost/",
            "https://2130706433/",
            "http://0x7f.1/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://[::1]:80/",
            "http://[::ffff:127.0.0.1]/",
            "http://10.0.0.5/internal",
            "http://192.168.1.1/",
            "http://100.100.100.200/latest/meta-data/",
            "http://evil.example@127.0.0.1/",
            "file:///etc/passwd",
            "gopher://127.0.0.1:6379/_INFO",
            "dict://localhost:11211/stats",
            "//169.254.169.254/",
            "http://127.0.0.1.nip.io/",
            "http://0/",
        ] {
            assert!(ssrf(p).0, "{p}");
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
        assert_eq!(ssrf("http://134744072/"), (false, true), "8.8.8.8 as a decimal is odd, not internal");
    }
}
