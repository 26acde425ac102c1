//! Serialized objects sent for an app to deserialize: PHP's `serialize()` format and Java object
//! streams.
//!
//! Input: a value (normalized for PHP, original case for Java's base64) and a scratch buffer.
//! Output: confirmed or suspicious.
//!
//! PHP: an object (`O:8:"stdClass":1:{…}`, also `O:+8:` and `C:` for `Serializable` classes),
//! anywhere in the value, whose declared name length matches the name: that exactness is what
//! prose never has, and an object is what `unserialize()` turns into a gadget chain; an object
//! inside an array seen before it (`a:2:{i:0;O:11:"Monolog\Handler":0:{}…}`, PHPGGC's wrapping)
//! with the shape of one whatever its name length. Arrays without objects
//! (`a:2:{i:0;…}`) are only suspicious: some apps keep serialized arrays in cookies
//! (CodeIgniter 2 sessions did), and an array alone builds no object.
//!
//! Streams: a value of [`MIN_STREAM`] bytes or more that is base64 of a PHP object (`Tzo…`) is
//! decoded and judged the same way; one that is a Java object stream, as base64 (`rO0AB…`) or
//! hex (`aced0005…`), is decoded (its first [`MAX_DECODED`] bytes) and confirmed when it names a
//! class of a known gadget chain or probe (ysoserial's Commons Collections, Spring, Groovy,
//! Hibernate, JDK, URLDNS…); any other Java stream is suspicious, since JSF view states without
//! encryption are such streams and arrive with every postback of those apps.

use super::classes;
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use std::sync::OnceLock;

/// Bytes of a serialized stream decoded and searched.
pub const MAX_DECODED: usize = 6 * 1024;

/// Class names of gadget chains and probes, as Java writes them in a stream.
const GADGETS: &[&str] = &[
    "org.apache.commons.collections.functors", "org.apache.commons.collections4.functors",
    "org.apache.commons.collections.keyvalue.TiedMapEntry", "org.apache.commons.collections.map.LazyMap",
    "org.apache.commons.collections4.map.LazyMap", "org.apache.commons.collections4.comparators.TransformingComparator",
    "org.apache.commons.beanutils.BeanComparator", "org.apache.commons.fileupload.disk.DiskFileItem",
    "sun.reflect.annotation.AnnotationInvocationHandler", "TemplatesImpl", "javax.management.BadAttributeValueExpException",
    "javax.management.openmbean.TabularDataSupport", "org.springframework.core.SerializableTypeWrapper",
    "org.springframework.beans.factory.ObjectFactory", "org.springframework.aop.framework.JdkDynamicAopProxy",
    "org.springframework.transaction.jta.JtaTransactionManager", "org.codehaus.groovy.runtime",
    "org.hibernate.engine.spi.TypedValue", "org.hibernate.tuple.component", "java.rmi.server.RemoteObjectInvocationHandler",
    "sun.rmi.server.UnicastRef", "java.rmi.registry", "com.sun.rowset.JdbcRowSetImpl", "com.sun.syndication.feed.impl",
    "com.rometools.rome.feed.impl", "com.mchange.v2.c3p0", "bsh.XThis", "bsh.Interpreter", "clojure.inspector",
    "clojure.core", "org.mozilla.javascript", "org.python.core", "ysoserial", "java.lang.Runtime", "java.lang.ProcessBuilder",
    "java.net.URL", "java.net.InetAddress", "javax.script.ScriptEngineManager", "com.vaadin.data.util",
    "net.sf.json.JSONObject", "org.apache.myfaces.view.facelets.el", "org.jboss.interceptor", "org.apache.wicket.util.upload",
    "java.beans.EventHandler", "com.sun.jndi", "javax.naming.Reference", "org.apache.click.control",
];

fn gadgets() -> &'static AhoCorasick {
    static G: OnceLock<AhoCorasick> = OnceLock::new();
    G.get_or_init(|| AhoCorasick::builder().kind(Some(AhoCorasickKind::DFA)).build(GADGETS).expect("static gadget list builds"))
}

fn base64_value(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        // A `+` that a query's decoding turned into a blank is still a `+`.
        b'+' | b'-' | b' ' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// Decodes the base64 (standard or URL-safe) at the start of `s` into `out`, up to the first
/// byte that is not base64 or [`MAX_DECODED`] bytes.
fn base64(s: &[u8], out: &mut Vec<u8>) {
    base64_upto(s, MAX_DECODED, out);
}

/// Decodes the base64 at the start of `s` into `out`, up to the first byte that is not base64 or
/// `max` bytes.
pub(super) fn base64_upto(s: &[u8], max: usize, out: &mut Vec<u8>) {
    out.clear();
    let (mut acc, mut bits) = (0u32, 0);
    for &b in s.iter().take(max / 3 * 4) {
        let Some(v) = base64_value(b) else { break };
        acc = acc << 6 | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    classes::tick(out.len() * 4 / 3);
}

/// Decodes the hex digits at the start of `s` into `out`, up to [`MAX_DECODED`] bytes.
fn hex(s: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let digit = |b: u8| (b as char).to_digit(16);
    for pair in s.chunks_exact(2).take(MAX_DECODED) {
        let (Some(h), Some(l)) = (digit(pair[0]), digit(pair[1])) else { break };
        out.push((h << 4 | l) as u8);
    }
    classes::tick(out.len() * 2);
}

/// A Java object stream, as base64 or hex, starting `raw` (original case). Returns (confirmed,
/// suspicious).
pub fn java(raw: &[u8], buf: &mut Vec<u8>) -> (bool, bool) {
    let t = raw.trim_ascii_start();
    let t = t.strip_prefix(b"\"").unwrap_or(t);
    if t.starts_with(b"rO0AB") {
        base64(t, buf);
    } else if t.len() >= 8 && t[..8].eq_ignore_ascii_case(b"aced0005") {
        hex(t, buf);
    } else {
        return (false, false);
    }
    if !buf.starts_with(&[0xAC, 0xED, 0x00, 0x05]) {
        return (false, false);
    }
    classes::tick(buf.len());
    (gadgets().is_match(buf.as_slice()), true)
}

/// Shortest value judged as a serialized stream: a gadget chain is hundreds of bytes, and this is
/// the length from which the byte-class pass takes its vectorized path, so that the prefilter's
/// test of it is the same branch the CPU has just seen.
pub const MIN_STREAM: usize = 48;

/// Whether a value starts like a serialized stream in base64 or hex (for the prefilter: these
/// values may hold no special character at all). One word compared three ways, without branches
/// on the bytes: the prefilter runs on every value.
#[inline(always)]
pub fn starts_like_stream(raw: &[u8]) -> bool {
    if raw.len() < MIN_STREAM {
        return false;
    }
    let w = u64::from_le_bytes(raw[..8].try_into().unwrap_or_default());
    let java = w & 0xFF_FFFF_FFFF == u64::from_le_bytes(*b"rO0AB\0\0\0");
    let php = w & 0xFF_FFFF == u64::from_le_bytes(*b"Tzo\0\0\0\0\0");
    // Lower-cased: digits do not change under `| 0x20`.
    let hex = w | 0x2020_2020_2020_2020 == u64::from_le_bytes(*b"aced0005");
    java | php | hex
}

/// The PHP object or array whose type letter is at `s[at]` (`O`, `C` or `a`, any case). Returns
/// (an object with an exact name length, an array).
fn php_at(s: &[u8], at: usize) -> (bool, bool) {
    let kind = s[at].to_ascii_lowercase();
    let mut i = at + 2;
    if s.get(i) == Some(&b'+') {
        i += 1;
    }
    let digits = s[i..].iter().take(5).take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits == 5 || s.get(i + digits) != Some(&b':') {
        return (false, false);
    }
    let n: usize = std::str::from_utf8(&s[i..i + digits]).ok().and_then(|d| d.parse().ok()).unwrap_or(0);
    i += digits + 1;
    if kind == b'a' {
        let array = s.get(i) == Some(&b'{') && matches!(s.get(i + 1..i + 3), Some(b"i:" | b"s:" | b"I:" | b"S:"));
        return (false, array);
    }
    if s.get(i) != Some(&b'"') || n == 0 || n > 256 {
        return (false, false);
    }
    // The name runs to the next quote: exactly `n` bytes of a class name.
    let name = &s[i + 1..];
    let Some(end) = classes::find_byte(b'"', &name[..name.len().min(n + 1)]) else { return (false, false) };
    classes::tick(end);
    let valid = end == n && name[..n].iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'\\');
    let rest = &name[end..];
    let count = rest.get(2..).map_or(0, |r| r.iter().take(6).take_while(|b| b.is_ascii_digit()).count());
    (valid && rest.starts_with(b"\":") && count > 0 && rest.get(2 + count) == Some(&b':') && rest.get(3 + count) == Some(&b'{'), false)
}

/// An object with the shape of one (`O:11:"Monolog\Handler":0:{`) whatever its declared name
/// length, at `s[at]`: judged only as an element of a serialized array, whose structure prose
/// never has.
fn loose_object_at(s: &[u8], at: usize) -> bool {
    let mut i = at + 2;
    let digits = s[i..].iter().take(4).take_while(|b| b.is_ascii_digit()).count();
    if !matches!(s[at], b'o' | b'O') || digits == 0 || s.get(i + digits) != Some(&b':') || s.get(i + digits + 1) != Some(&b'"') {
        return false;
    }
    i += digits + 2;
    let name = s[i..].iter().take(257).take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'\\').count();
    classes::tick(name);
    let rest = &s[i + name..];
    let count = rest.get(2..).map_or(0, |r| r.iter().take(6).take_while(|b| b.is_ascii_digit()).count());
    name > 0 && rest.starts_with(b"\":") && count > 0 && rest.get(2 + count) == Some(&b':') && rest.get(3 + count) == Some(&b'{')
}

/// Serialized PHP in `s`. Returns (confirmed, suspicious).
pub fn php(s: &[u8]) -> (bool, bool) {
    let mut suspicious = false;
    for colon in memchr::memchr_iter(b':', s) {
        classes::tick(1);
        if colon == 0 || !matches!(s[colon - 1], b'o' | b'O' | b'c' | b'C' | b'a' | b'A') {
            continue;
        }
        let at = colon - 1;
        if at > 0 && (s[at - 1].is_ascii_alphanumeric() || s[at - 1] == b'_') {
            continue;
        }
        let (object, array) = php_at(s, at);
        // An object as an element of an array seen before it (`a:2:{i:0;O:…`): PHPGGC's
        // wrapping, confirmed even when its name length is off by the escaping it went through.
        if object || (suspicious && at > 0 && matches!(s[at - 1], b';' | b'{') && loose_object_at(s, at)) {
            return (true, true);
        }
        suspicious |= array;
    }
    (false, suspicious)
}

/// A value that is base64 of a serialized PHP object (`Tzo…`, original case). Returns
/// (confirmed, suspicious).
pub fn php_base64(raw: &[u8], buf: &mut Vec<u8>) -> (bool, bool) {
    if !raw.starts_with(b"Tzo") {
        return (false, false);
    }
    base64(raw, buf);
    let decoded = std::mem::take(buf);
    let verdict = php(&decoded);
    *buf = decoded;
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(bytes: &[u8]) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for c in bytes.chunks(3) {
            let n = c.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
            for k in 0..=c.len() {
                out.push(A[(n >> (18 - 6 * k) & 63) as usize] as char);
            }
        }
        out
    }

    /// A stream as `ObjectOutputStream` starts it: magic, version, then a class descriptor.
    fn stream(class: &str) -> Vec<u8> {
        let mut v = vec![0xAC, 0xED, 0x00, 0x05, 0x73, 0x72, 0x00, class.len() as u8];
        v.extend_from_slice(class.as_bytes());
        v.extend_from_slice(&[0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0, 0x02, 0x00, 0x00]);
        v
    }

    #[test]
    fn php_objects_with_exact_names_are_confirmed_and_arrays_suspicious() {
        for p in [
            "O:8:\"stdClass\":1:{s:1:\"a\";s:1:\"b\";}",
            "o:8:\"stdclass\":0:{}",
            "a:2:{i:0;s:1:\"x\";i:1;O:4:\"Evil\":1:{s:3:\"cmd\";s:2:\"id\";}}",
            "O:+8:\"stdClass\":0:{}",
            "C:11:\"ArrayObject\":21:{x:i:0;a:0:{};m:a:0:{}}",
            "O:32:\"Monolog\\Handler\\SyslogUdpHandler\":1:{s:9:\"\\0*\\0socket\";N;}",
        ] {
            assert_eq!(php(p.as_bytes()), (true, true), "{p}");
        }
        assert_eq!(php(b"a:2:{i:0;s:1:\"a\";i:1;s:1:\"b\";}"), (false, true));
        for t in ["O:8:\"stdClas\":1:{}", "Score O:8 at halftime", "Ratio 2:1, a:b, c:d", "O:5:\"a b c\":1:{}", "10:30 {meeting}"] {
            assert!(!php(t.as_bytes()).0, "{t}");
        }
        let encoded = b64(b"O:8:\"stdClass\":0:{}");
        assert!(encoded.starts_with("Tzo"));
        assert!(php_base64(encoded.as_bytes(), &mut Vec::new()).0);
    }

    #[test]
    fn java_streams_with_gadgets_are_confirmed_and_others_suspicious() {
        let mut buf = Vec::new();
        let cc = b64(&stream("sun.reflect.annotation.AnnotationInvocationHandler"));
        assert!(cc.starts_with("rO0AB"), "{cc}");
        assert_eq!(java(cc.as_bytes(), &mut buf), (true, true));
        let hex: String = stream("org.apache.commons.collections.functors.InvokerTransformer").iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(java(hex.as_bytes(), &mut buf), (true, true));
        let plain = b64(&stream("java.util.HashMap"));
        assert_eq!(java(plain.as_bytes(), &mut buf), (false, true), "a stream without a gadget");
        assert!(!java(b"rO0ABX", &mut buf).0, "a stream cut before its class");
        for t in ["rOwAB", "aced 0005", "acedemic", "ro0abxnyabfqyxzhlnv0awwusgfzae1hca"] {
            assert_eq!(java(t.as_bytes(), &mut buf), (false, false), "{t}");
        }
        let long = |head: &str| format!("{head}{}", "A".repeat(MIN_STREAM));
        assert!(starts_like_stream(long("rO0ABXNy").as_bytes()) && starts_like_stream(long("ACED0005").as_bytes()) && starts_like_stream(long("Tzo4").as_bytes()));
        assert!(!starts_like_stream(long("random").as_bytes()) && !starts_like_stream(b"rO0ABXNy"));
    }
}
