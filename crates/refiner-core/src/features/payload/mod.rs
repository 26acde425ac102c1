//! Payload analysis: which attack families a request's values carry, and where.
//!
//! Input: a [`PayloadInput`] (the request target, body fields, echoed header values and cookies,
//! as the JS layer hands them over). Output: a [`PayloadFindings`], a small `Copy` summary: per
//! [`Family`], how many values were confirmed payloads, in which [`Location`]s, how many were only
//! suspicious, and whether a confirmation needed decoding beyond the one level an app applies.
//!
//! Pipeline per value ([`scan::Scanner`]): the location is split into values ([`split`]), each
//! value decoded one level ([`decode`]), a byte-class prefilter skips values that hold none of the
//! characters any detector needs (most do not), the detectors run on the value, and if it still
//! holds encodings they run again on its fixed-point decoding (at most 3 rounds) to find
//! obfuscated payloads. Every step is linear in the value's length, and the libinjection calls,
//! the only part whose constant is large on adversarial input, share a per-request byte budget.
//!
//! Detectors: SQL injection ([`sqli`], libinjection's tokenizer and fingerprints through the
//! `libinjectionrs` port), XSS ([`xss`], own, HTML-context aware), command injection ([`shell`]),
//! path traversal and local file inclusion ([`traversal`]), template injection and log4shell
//! lookups ([`template`]), SSRF ([`ssrf`]) and PHP/code injection ([`code`]).
//!
//! Measured on real material (`scripts/material/payloads.py`, then
//! `cargo run -p refiner-core --release --example payload_report -- target/material`); the tables
//! are in [`report`](self#measurements).
//!
//! # Measurements
//!
//! See the bottom of this header (filled in from the report run).

mod classes;
mod code;
mod decode;
mod scan;
mod shell;
mod split;
mod sqli;
mod sqlwords;
mod ssrf;
mod template;
mod traversal;
mod xss;

pub use scan::{scan, scan_value, PayloadInput, Scratch};
pub use split::Decode;

/// Declares a named enum with `ALL`, `COUNT`, `name()` and `index()`, so the feature schema can
/// derive its names from the variants instead of re-listing them.
macro_rules! named_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[doc = $doc:literal])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        $vis enum $name { $($(#[doc = $doc])* $variant,)* }

        impl $name {
            /// Every variant, in declaration (and index) order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            /// Number of variants.
            pub const COUNT: usize = Self::ALL.len();

            /// Lower-case name, for feature names and reports.
            pub const fn name(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            /// Position in [`Self::ALL`].
            pub const fn index(self) -> usize {
                self as usize
            }
        }
    };
}

named_enum! {
    /// An attack family a detector confirms.
    pub enum Family {
        /// SQL injection (libinjection fingerprints).
        Sqli = "sqli",
        /// Cross-site scripting: markup, event handlers, script URLs, JS string breakouts.
        Xss = "xss",
        /// OS command injection: a shell separator or substitution followed by a command.
        Command = "command",
        /// Path traversal and local file inclusion.
        Traversal = "traversal",
        /// Server-side template injection.
        Template = "template",
        /// Log4shell: a `${jndi:…}` lookup, also behind `${lower:…}`-style obfuscation.
        Jndi = "jndi",
        /// Server-side request forgery: URLs to loopback, metadata, private hosts or odd schemes.
        Ssrf = "ssrf",
        /// PHP or other code injection (`<?php`, `system(`, `$_GET`…).
        Code = "code",
    }
}

named_enum! {
    /// Where in the request a value was found.
    pub enum Location {
        /// A segment of the request path.
        Path = "path",
        /// A query-string key or value.
        Query = "query",
        /// A body field, or a value parsed out of one.
        Body = "body",
        /// An echoed or logged header value.
        Header = "header",
        /// A cookie name or value.
        Cookie = "cookie",
    }
}

impl Location {
    /// This location's bit in [`PayloadFindings::locations`].
    pub const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// What the scan of one request found. `Copy` and small, so features read it by value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PayloadFindings {
    /// Per [`Family`] (by [`Family::index`]): values confirmed as a payload of that family.
    pub confirmed: [u16; Family::COUNT],
    /// Per [`Family`]: bitmask of the [`Location::bit`]s where it was confirmed.
    pub locations: [u8; Family::COUNT],
    /// Per [`Family`]: values with a weak signal of that family that were not confirmed.
    pub suspicious: [u16; Family::COUNT],
    /// A confirmation needed decoding beyond the one level the app applies itself (double
    /// percent-encoding, entities, `\x` escapes, `%u`, overlong UTF-8, SQL comment splitting…).
    pub obfuscated: bool,
    /// Values scanned (saturating).
    pub values: u16,
    /// The per-request work budget ran out, so some values were only partly analyzed.
    pub truncated: bool,
}

impl PayloadFindings {
    /// Values confirmed as `family`.
    pub fn confirmed(&self, family: Family) -> u16 {
        self.confirmed[family.index()]
    }

    /// Whether `family` was confirmed in `location`.
    pub fn confirmed_in(&self, family: Family, location: Location) -> bool {
        self.locations[family.index()] & location.bit() != 0
    }

    /// Values suspicious of `family` but not confirmed.
    pub fn suspicious(&self, family: Family) -> u16 {
        self.suspicious[family.index()]
    }

    /// Total confirmed values over all families.
    pub fn any_confirmed(&self) -> bool {
        self.confirmed.iter().any(|&n| n > 0)
    }
}

/// What the detectors found in one value: a bit per [`Family`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Hits {
    pub confirmed: u16,
    pub suspicious: u16,
}

impl Hits {
    pub fn confirm(&mut self, f: Family) {
        self.confirmed |= 1 << f as u16;
    }

    pub fn suspect(&mut self, f: Family) {
        self.suspicious |= 1 << f as u16;
    }

    pub fn has(&self, f: Family) -> bool {
        self.confirmed & (1 << f as u16) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_indices_follow_declaration_order() {
        assert_eq!(Family::COUNT, 8);
        assert_eq!(Location::COUNT, 5);
        for (i, f) in Family::ALL.iter().enumerate() {
            assert_eq!(f.index(), i);
        }
        assert_eq!(Family::Jndi.name(), "jndi");
        assert_eq!(Location::Cookie.bit(), 16);
    }

    #[test]
    fn findings_accessors_read_the_arrays() {
        let mut f = PayloadFindings::default();
        assert!(!f.any_confirmed());
        f.confirmed[Family::Xss.index()] = 2;
        f.locations[Family::Xss.index()] = Location::Query.bit();
        assert_eq!(f.confirmed(Family::Xss), 2);
        assert!(f.confirmed_in(Family::Xss, Location::Query));
        assert!(!f.confirmed_in(Family::Xss, Location::Body));
        assert!(f.any_confirmed());
    }
}
