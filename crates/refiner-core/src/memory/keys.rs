//! The keys a request is remembered under, as keyed hashes: no raw ip, email or id is ever stored.

use crate::decision::{Header, RawInput};
use siphasher::sip::SipHasher13;
use siphasher::sip128::{Hasher128, SipHasher13 as SipHasher13x128};
use std::hash::Hasher;
use std::net::IpAddr;

/// What a record is about (see [`Kind::describe`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(usize)]
pub enum Kind {
    Ip,
    Network,
    Device,
    Account,
    Session,
    EmailDomain,
}

pub const N_KINDS: usize = 6;

impl Kind {
    pub const ALL: [Kind; N_KINDS] = [Self::Ip, Self::Network, Self::Device, Self::Account, Self::Session, Self::EmailDomain];

    pub fn name(self) -> &'static str {
        ["ip", "network", "device", "account", "session", "email_domain"][self as usize]
    }

    /// What the key is made of, and what its sketch counts.
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            Self::Ip => ("request.ip (IPv4-mapped IPv6 as IPv4)", "accounts"),
            Self::Network => ("the ip's /24 (IPv4) or /64 (IPv6) network", "accounts"),
            Self::Device => ("context.fingerprint, else Arcjet's, else the IPv4 address or IPv6 /64 + user agent + sec-ch-ua + accept-language", "accounts"),
            Self::Account => ("context.accountId, else request.email (case-insensitive)", "devices"),
            Self::Session => ("context.sessionId", "ips"),
            Self::EmailDomain => ("the domain of request.email", "accounts"),
        }
    }
}

/// The hashed keys of one request (0: the input does not give that key) and the member each
/// kind's sketch adds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Keys {
    pub key: [u64; N_KINDS],
    /// Bit index (0–63) of the member added to each kind's sketch.
    pub member: [Option<u8>; N_KINDS],
}

/// SipHash-1-3 under a 128-bit key: a random one per process, or one derived from a secret that
/// processes sharing a store agree on.
#[derive(Clone, Copy)]
pub struct KeyHasher {
    k0: u64,
    k1: u64,
}

impl std::fmt::Debug for KeyHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyHasher(<secret>)")
    }
}

impl KeyHasher {
    /// A key from the operating system's random source.
    pub fn random() -> Self {
        let mut bytes = [0u8; 16];
        // Without an OS random source the process cannot keep secrets at all; a time-seeded key
        // still keeps stored keys from matching another process's.
        if getrandom::fill(&mut bytes).is_err() {
            let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            bytes = (t.as_nanos() ^ (std::process::id() as u128) << 64).to_le_bytes();
        }
        Self { k0: u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")), k1: u64::from_le_bytes(bytes[8..].try_into().expect("8 bytes")) }
    }

    /// The key every process given the same `secret` derives.
    pub fn from_secret(secret: &[u8]) -> Self {
        let mut h = SipHasher13x128::new_with_keys(0x7265_7175_6573_742d, 0x7265_6669_6e65_7221);
        h.write(secret);
        let h = h.finish128();
        Self { k0: h.h1, k1: h.h2 }
    }

    fn hash(&self, kind: u8, parts: &[&[u8]]) -> u64 {
        let mut h = SipHasher13::new_with_keys(self.k0, self.k1);
        h.write_u8(kind);
        for p in parts {
            h.write(p);
            h.write_u8(0xff);
        }
        h.finish() | 1
    }

    /// The keys of `input` (see [`Kind`] for what each one is made of).
    pub fn keys(&self, input: &RawInput<'_>) -> Keys {
        let t = &input.texts;
        let mut keys = Keys::default();
        let mut set = |kind: Kind, parts: &[&[u8]]| -> u64 {
            let k = self.hash(kind as u8, parts);
            keys.key[kind as usize] = k;
            k
        };
        let ip = t.ip.trim();
        let octets = ip.parse::<IpAddr>().ok().map(Octets::of);
        let (ip_key, network, device_scope) = match &octets {
            Some(o) => (o.ip(), o.network(), o.device_scope()),
            None => (ip.as_bytes(), &[][..], ip.as_bytes()),
        };
        let ip_hash = if ip.is_empty() { 0 } else { set(Kind::Ip, &[ip_key]) };
        if !network.is_empty() {
            set(Kind::Network, &[network]);
        }
        let device = if !t.fingerprint.is_empty() {
            set(Kind::Device, &[b"fp", t.fingerprint.as_bytes()])
        } else if !input.headers.get(Header::UserAgent).is_empty() {
            let h = &input.headers;
            set(Kind::Device, &[device_scope, h.get(Header::UserAgent).as_bytes(), h.get(Header::SecChUa).as_bytes(), h.get(Header::AcceptLanguage).as_bytes()])
        } else {
            0
        };
        let email = t.email.trim();
        let at = email.rfind('@');
        let mut lower = Lowercase::default();
        let account = if !t.account_id.is_empty() {
            set(Kind::Account, &[b"id", t.account_id.as_bytes()])
        } else if at.is_some() {
            set(Kind::Account, &[b"email", lower.of(email)])
        } else {
            0
        };
        if !t.session_id.is_empty() {
            set(Kind::Session, &[t.session_id.as_bytes()]);
        }
        if let Some(at) = at {
            let domain = lower.of(&email[at + 1..]);
            if !domain.is_empty() {
                set(Kind::EmailDomain, &[domain]);
            }
        }
        // Members are taken from the high bits, independent of the low bits that place records.
        let bit = |h: u64| (h != 0).then_some((h >> 58) as u8);
        for kind in [Kind::Ip, Kind::Network, Kind::Device, Kind::EmailDomain] {
            keys.member[kind as usize] = bit(account);
        }
        keys.member[Kind::Account as usize] = bit(device);
        keys.member[Kind::Session as usize] = bit(ip_hash);
        keys
    }
}

/// The canonical bytes of an address and of its network (/24 or /64), on the stack: IPv4-mapped
/// IPv6 counts as IPv4.
struct Octets {
    bytes: [u8; 16],
    len: usize,
}

impl Octets {
    fn of(addr: IpAddr) -> Self {
        let mut bytes = [0; 16];
        let len = match addr {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => return Self::of(IpAddr::V4(v4)),
                None => {
                    bytes = v6.octets();
                    16
                }
            },
            IpAddr::V4(v4) => {
                bytes[..4].copy_from_slice(&v4.octets());
                4
            }
        };
        Self { bytes, len }
    }

    fn ip(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    fn network(&self) -> &[u8] {
        &self.bytes[..if self.len == 4 { 3 } else { 8 }]
    }

    /// Where one device's requests come from: an IPv6 /64 is one household or phone, but an IPv4
    /// /24 holds strangers (a carrier's NAT pool, a campus), who must not share a device key.
    fn device_scope(&self) -> &[u8] {
        if self.len == 4 { self.ip() } else { self.network() }
    }
}

/// ASCII-lowercased copies of short texts (emails, domains) on the stack; longer ones allocate.
struct Lowercase {
    buf: [u8; 256],
    long: Vec<u8>,
}

impl Default for Lowercase {
    fn default() -> Self {
        Self { buf: [0; 256], long: Vec::new() }
    }
}

impl Lowercase {
    fn of(&mut self, s: &str) -> &[u8] {
        let s = s.as_bytes();
        let out = if s.len() <= self.buf.len() {
            &mut self.buf[..s.len()]
        } else {
            self.long.resize(s.len(), 0);
            &mut self.long[..]
        };
        for (o, &c) in out.iter_mut().zip(s) {
            *o = c.to_ascii_lowercase();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::OwnedInput;
    use serde_json::json;

    fn keys(h: &KeyHasher, v: serde_json::Value) -> Keys {
        let o: OwnedInput = RawInput::from_json(&v).unwrap();
        h.keys(&o.view())
    }

    #[test]
    fn keys_follow_the_input() {
        let h = KeyHasher::from_secret(b"test");
        let a = keys(&h, json!({"request": {"ip": "203.0.113.9", "email": "Ann@Example.com", "headers": {"user-agent": "Mozilla/5.0"}}, "context": {"sessionId": "s1"}}));
        let b = keys(&h, json!({"request": {"ip": "203.0.113.77", "email": "ann@example.com", "headers": {"user-agent": "Mozilla/5.0"}}}));
        let k = |x: &Keys, kind: Kind| x.key[kind as usize];
        assert_ne!(k(&a, Kind::Ip), k(&b, Kind::Ip));
        assert_eq!(k(&a, Kind::Network), k(&b, Kind::Network), "same /24");
        assert_eq!(k(&a, Kind::Account), k(&b, Kind::Account), "emails compare without case");
        assert_ne!(k(&a, Kind::Device), k(&b, Kind::Device), "the same browser build on another address of a /24 is a stranger");
        let same_home = keys(&h, json!({"request": {"ip": "2001:db8:1:2::77", "headers": {"user-agent": "Mozilla/5.0"}}}));
        let same_home_b = keys(&h, json!({"request": {"ip": "2001:db8:1:2::5", "headers": {"user-agent": "Mozilla/5.0"}}}));
        assert_eq!(k(&same_home, Kind::Device), k(&same_home_b, Kind::Device), "one IPv6 /64 is one home");
        assert_eq!(k(&b, Kind::Session), 0);
        assert_ne!(k(&a, Kind::EmailDomain), 0);
        assert_eq!(a.member[Kind::Ip as usize], a.member[Kind::Network as usize]);
        let mapped = keys(&h, json!({"request": {"ip": "::ffff:203.0.113.9"}}));
        assert_eq!(k(&mapped, Kind::Ip), k(&a, Kind::Ip), "IPv4-mapped IPv6 is the IPv4 address");
        let v6 = keys(&h, json!({"request": {"ip": "2001:db8:1:2::5"}}));
        let v6b = keys(&h, json!({"request": {"ip": "2001:db8:1:2:ffff::9"}}));
        assert_eq!(k(&v6, Kind::Network), k(&v6b, Kind::Network), "same /64");
        let none = keys(&h, json!({}));
        assert_eq!(none, Keys::default(), "no input, no keys");
    }

    #[test]
    fn ids_and_fingerprints_take_precedence() {
        let h = KeyHasher::from_secret(b"test");
        let by_id = keys(&h, json!({"request": {"email": "a@b.c"}, "context": {"accountId": "u1"}}));
        let by_email = keys(&h, json!({"request": {"email": "a@b.c"}}));
        assert_ne!(by_id.key[Kind::Account as usize], by_email.key[Kind::Account as usize]);
        let app = keys(&h, json!({"request": {"headers": {"user-agent": "x"}}, "context": {"fingerprint": "dev-1"}}));
        let arcjet = keys(&h, json!({"decision": {"results": [{"fingerprint": "dev-1"}]}}));
        assert_eq!(app.key[Kind::Device as usize], arcjet.key[Kind::Device as usize]);
    }

    #[test]
    fn the_secret_decides_the_hashes() {
        let v = json!({"request": {"ip": "203.0.113.9"}});
        let (a, b) = (keys(&KeyHasher::from_secret(b"one"), v.clone()), keys(&KeyHasher::from_secret(b"two"), v.clone()));
        assert_ne!(a.key[0], b.key[0]);
        assert_eq!(a, keys(&KeyHasher::from_secret(b"one"), v.clone()));
        assert_ne!(keys(&KeyHasher::random(), v.clone()).key[0], keys(&KeyHasher::random(), v).key[0]);
    }
}
