//! One key's history in 64 bytes: time-decayed counters and a windowed distinct-count sketch.
//!
//! The same arithmetic runs in Redis (`lib/store/record.lua`), which stores the fields of
//! [`Record::fields`] and returns them for [`Record::from_fields`]; a test keeps the two equal.

use bytemuck::{Pod, Zeroable};

/// What a record counts, each decaying exponentially with its own time constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(usize)]
pub enum Counter {
    Requests1m,
    Requests1h,
    LoginFailures,
    PaymentFailures,
    Denials,
    GoodOutcomes,
    Chargebacks,
}

pub const N_COUNTERS: usize = 7;

/// Names of the counters, in [`Counter`] order, as the JS layer shows them.
pub const COUNTER_NAMES: [&str; N_COUNTERS] = ["requests1m", "requests1h", "loginFailures", "paymentFailures", "denials", "goodOutcomes", "chargebacks"];

/// Time constant of each [`Counter`], in seconds: a count of n events spread over much less than
/// τ reads as ≈ n, and fades to n/e after τ of silence.
pub const TAU_S: [f32; N_COUNTERS] = [60.0, 3600.0, 3600.0, 3600.0, 3600.0, 7.0 * 86400.0, 90.0 * 86400.0];

/// The distinct-count sketch keeps two generations of this length and reads their union: it
/// counts what was seen in the last 30 to 60 minutes.
pub const GENERATION_S: u32 = 1800;

/// What happened to a key. `Request` is recorded by every refine; the rest come from `observe`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A refined request; `rules_denied` when the rules concluded DENY.
    Request { rules_denied: bool },
    LoginFailed,
    LoginOk,
    PaymentDeclined,
    PaymentOk,
    SignupConfirmed,
    Chargeback,
}

/// Names of the outcome events `observe` accepts, in code order (code = index + 1; 0 is a request).
pub const EVENTS: &[&str] = &["login_failed", "login_ok", "payment_declined", "payment_ok", "signup_confirmed", "chargeback"];

impl Event {
    /// The event named `name` (one of [`EVENTS`]).
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "login_failed" => Self::LoginFailed,
            "login_ok" => Self::LoginOk,
            "payment_declined" => Self::PaymentDeclined,
            "payment_ok" => Self::PaymentOk,
            "signup_confirmed" => Self::SignupConfirmed,
            "chargeback" => Self::Chargeback,
            _ => return None,
        })
    }

    /// Code shared with the Redis script: 0 request, 1 denied request, then 2 + index in [`EVENTS`].
    pub fn code(self) -> u8 {
        match self {
            Self::Request { rules_denied } => u8::from(rules_denied),
            Self::LoginFailed => 2,
            Self::LoginOk => 3,
            Self::PaymentDeclined => 4,
            Self::PaymentOk => 5,
            Self::SignupConfirmed => 6,
            Self::Chargeback => 7,
        }
    }

    /// Every event in [`Event::code`] order.
    pub const BY_CODE: [Event; 8] = [
        Self::Request { rules_denied: false },
        Self::Request { rules_denied: true },
        Self::LoginFailed,
        Self::LoginOk,
        Self::PaymentDeclined,
        Self::PaymentOk,
        Self::SignupConfirmed,
        Self::Chargeback,
    ];

    /// The counters this event adds one to.
    pub fn counters(self) -> &'static [Counter] {
        use Counter::*;
        match self {
            Self::Request { rules_denied: false } => &[Requests1m, Requests1h],
            Self::Request { rules_denied: true } => &[Requests1m, Requests1h, Denials],
            Self::LoginFailed => &[LoginFailures],
            Self::PaymentDeclined => &[PaymentFailures],
            Self::LoginOk | Self::PaymentOk | Self::SignupConfirmed => &[GoodOutcomes],
            Self::Chargeback => &[Chargebacks],
        }
    }
}

/// One key's state. All-zero is the empty slot (`key` 0 is never a real key).
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
#[repr(C, align(64))]
pub struct Record {
    pub key: u64,
    /// Unix seconds of the first and the latest event.
    first: u32,
    last: u32,
    /// Generation (unix seconds / [`GENERATION_S`]) of `sketch[0]`.
    generation: u32,
    counters: [f32; N_COUNTERS],
    /// Linear-counting bitmaps of the current and the previous generation.
    sketch: [u64; 2],
}

const _: () = assert!(std::mem::size_of::<Record>() == 64);

/// Number of values in [`Record::fields`].
pub const RECORD_FIELDS: usize = 3 + N_COUNTERS + 4;

/// What memory knew about one key just before the current event.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Entry {
    pub known: bool,
    /// Seconds since the key was first seen.
    pub age_s: f32,
    pub counters: [f32; N_COUNTERS],
    /// Distinct members (accounts, devices or ips, by key kind) in the last 30–60 minutes.
    pub distinct: f32,
}

impl Entry {
    pub fn get(&self, c: Counter) -> f32 {
        self.counters[c as usize]
    }
}

/// Linear counting over 64 bits: exact for 1, within a few percent up to ~40, saturating at ~266.
fn estimate_distinct(bits: u64) -> f32 {
    let zeros = bits.count_zeros();
    if zeros == 0 {
        return 64.0 * 64f32.ln();
    }
    -64.0 * (zeros as f32 / 64.0).ln()
}

impl Record {
    /// The state at `now` (unix seconds), without changing it.
    pub fn entry(&self, now: u32) -> Entry {
        if self.key == 0 {
            return Entry::default();
        }
        let [current, previous] = self.sketch_at(now / GENERATION_S);
        Entry { known: true, age_s: now.saturating_sub(self.first) as f32, counters: self.counters_at(now), distinct: estimate_distinct(current | previous) }
    }

    /// The counters decayed to `now`.
    fn counters_at(&self, now: u32) -> [f32; N_COUNTERS] {
        let dt = now.saturating_sub(self.last) as f32;
        let mut counters = self.counters;
        if dt > 0.0 {
            // Counters that share a time constant are neighbours in TAU_S: one exp per constant.
            let mut factor = (f32::NAN, 1.0);
            for (c, tau) in counters.iter_mut().zip(TAU_S) {
                if tau != factor.0 {
                    factor = (tau, (-dt / tau).exp());
                }
                *c *= factor.1;
            }
        }
        counters
    }

    /// The sketch's current and previous generation as they are in `generation`: older ones
    /// have left the window.
    fn sketch_at(&self, generation: u32) -> [u64; 2] {
        match generation.saturating_sub(self.generation) {
            0 => self.sketch,
            1 => [0, self.sketch[0]],
            _ => [0, 0],
        }
    }

    /// Records `event` at `now` for `key`, adding `member` (a bit index < 64) to the sketch;
    /// returns what was known before, as [`Record::entry`] would (decaying the counters once).
    /// Time never runs backwards here: an event older than the latest one counts at the latest time.
    pub fn record(&mut self, key: u64, now: u32, event: Event, member: Option<u8>) -> Entry {
        let known = self.key == key;
        if !known {
            *self = Record { key, first: now, last: now, generation: now / GENERATION_S, ..Record::zeroed() };
        }
        let at = now.max(self.last);
        self.counters = self.counters_at(at);
        self.last = at;
        let generation = at / GENERATION_S;
        self.sketch = self.sketch_at(generation);
        self.generation = generation;
        // Brought to `at` ≥ `now` already, so the entry at `now` decays and rotates nothing more.
        let before = if known { self.entry(now) } else { Entry::default() };
        for &c in event.counters() {
            self.counters[c as usize] += 1.0;
        }
        if let Some(bit) = member {
            self.sketch[0] |= 1 << (bit & 63);
        }
        before
    }

    /// How cold the record is at `now`: its hourly request rate, decayed (lower is colder).
    pub fn heat(&self, now: u32) -> f32 {
        if self.key == 0 {
            return f32::NEG_INFINITY;
        }
        let dt = now.saturating_sub(self.last) as f32;
        self.counters[Counter::Requests1h as usize] * (-dt / TAU_S[Counter::Requests1h as usize]).exp()
    }

    /// The stored fields as the Redis script keeps them: first, last, generation, the counters,
    /// then each bitmap as two 32-bit halves (Lua numbers are doubles and its `bit` library is 32-bit).
    pub fn fields(&self) -> [f64; RECORD_FIELDS] {
        let mut f = [0.0; RECORD_FIELDS];
        f[0] = f64::from(self.first);
        f[1] = f64::from(self.last);
        f[2] = f64::from(self.generation);
        for (d, c) in f[3..3 + N_COUNTERS].iter_mut().zip(self.counters) {
            *d = f64::from(c);
        }
        let halves = [self.sketch[0] as u32, (self.sketch[0] >> 32) as u32, self.sketch[1] as u32, (self.sketch[1] >> 32) as u32];
        for (d, h) in f[3 + N_COUNTERS..].iter_mut().zip(halves) {
            *d = f64::from(h);
        }
        f
    }

    /// The inverse of [`Record::fields`]; `first` 0 means the key was never seen. Values come
    /// from outside (Redis), so they are clamped to what a record can hold.
    pub fn from_fields(key: u64, f: &[f64]) -> Record {
        let int = |v: f64| if v.is_finite() { v.clamp(0.0, u32::MAX as f64) as u32 } else { 0 };
        if f.len() != RECORD_FIELDS || int(f[0]) == 0 {
            return Record::zeroed();
        }
        let mut counters = [0f32; N_COUNTERS];
        for (c, v) in counters.iter_mut().zip(&f[3..3 + N_COUNTERS]) {
            *c = if v.is_finite() { v.max(0.0) as f32 } else { 0.0 };
        }
        let h = |i: usize| u64::from(int(f[3 + N_COUNTERS + i]));
        Record { key, first: int(f[0]), last: int(f[1]), generation: int(f[2]), counters, sketch: [h(0) | h(1) << 32, h(2) | h(3) << 32] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u32 = 1_764_000_000;

    #[test]
    fn counters_decay_with_their_time_constant() {
        let mut r = Record::zeroed();
        for _ in 0..10 {
            r.record(7, T0, Event::Request { rules_denied: false }, None);
        }
        let e = r.entry(T0);
        assert_eq!((e.get(Counter::Requests1m), e.get(Counter::Requests1h)), (10.0, 10.0));
        let later = r.entry(T0 + 60);
        assert!((later.get(Counter::Requests1m) - 10.0 / std::f32::consts::E).abs() < 1e-4);
        assert!((later.get(Counter::Requests1h) - 10.0 * (-60f32 / 3600.0).exp()).abs() < 1e-4);
        assert!(r.entry(T0 + 3600).get(Counter::Requests1m) < 1e-6, "a minute's burst is gone after an hour");
        assert_eq!(later.age_s, 60.0);
    }

    #[test]
    fn events_count_where_they_belong() {
        let mut r = Record::zeroed();
        r.record(7, T0, Event::Request { rules_denied: true }, None);
        r.record(7, T0, Event::LoginFailed, None);
        r.record(7, T0, Event::PaymentOk, None);
        r.record(7, T0, Event::SignupConfirmed, None);
        let e = r.entry(T0);
        assert_eq!(e.get(Counter::Denials), 1.0);
        assert_eq!(e.get(Counter::LoginFailures), 1.0);
        assert_eq!(e.get(Counter::GoodOutcomes), 2.0);
        assert_eq!(e.get(Counter::PaymentFailures), 0.0);
    }

    #[test]
    fn time_never_runs_backwards() {
        let mut r = Record::zeroed();
        r.record(7, T0 + 100, Event::Request { rules_denied: false }, None);
        r.record(7, T0, Event::Request { rules_denied: false }, None);
        assert_eq!(r.entry(T0 + 100).get(Counter::Requests1m), 2.0);
    }

    #[test]
    fn a_new_key_replaces_the_slot() {
        let mut r = Record::zeroed();
        r.record(7, T0, Event::LoginFailed, Some(3));
        r.record(8, T0 + 5, Event::Request { rules_denied: false }, None);
        let e = r.entry(T0 + 5);
        assert_eq!((e.get(Counter::LoginFailures), e.distinct, e.age_s), (0.0, 0.0, 0.0));
    }

    #[test]
    fn the_sketch_counts_distinct_members_in_a_sliding_window() {
        let mut r = Record::zeroed();
        for m in [1u8, 2, 2, 3, 1] {
            r.record(7, T0, Event::Request { rules_denied: false }, Some(m));
        }
        assert!((r.entry(T0).distinct - 3.0).abs() < 0.15, "{}", r.entry(T0).distinct);
        let next = (T0 / GENERATION_S + 1) * GENERATION_S;
        r.record(7, next, Event::Request { rules_denied: false }, Some(4));
        assert!((r.entry(next).distinct - 4.0).abs() < 0.3, "the previous generation still counts");
        assert!(r.entry(next + GENERATION_S).distinct < 1.1, "only the newest member is left");
        assert_eq!(r.entry(next + 2 * GENERATION_S).distinct, 0.0);
        let mut full = Record::zeroed();
        for m in 0..64 {
            full.record(7, T0, Event::Request { rules_denied: false }, Some(m));
        }
        assert!(full.entry(T0).distinct > 200.0, "a saturated sketch reads as many, not as none");
    }

    #[test]
    fn the_linear_count_is_close_for_small_sets() {
        for n in [1u32, 5, 10, 20] {
            let expected: f32 = (0..n).map(|i| 64.0 / (64.0 - i as f32)).sum::<f32>();
            let mut bits = 0u64;
            for m in 0..n {
                bits |= 1 << m;
            }
            let est = estimate_distinct(bits);
            assert!((est - n as f32).abs() <= (expected - n as f32).abs() + 0.1 * n as f32, "{n}: {est}");
        }
    }

    #[test]
    fn codes_index_by_code() {
        for (i, e) in Event::BY_CODE.iter().enumerate() {
            assert_eq!(usize::from(e.code()), i);
        }
        for name in EVENTS {
            assert_eq!(Event::BY_CODE[usize::from(Event::parse(name).unwrap().code())], Event::parse(name).unwrap());
        }
    }

    #[test]
    fn fields_round_trip() {
        let mut r = Record::zeroed();
        r.record(9, T0, Event::Request { rules_denied: true }, Some(63));
        r.record(9, T0 + 3, Event::PaymentDeclined, Some(1));
        assert_eq!(Record::from_fields(9, &r.fields()), r);
        assert_eq!(Record::from_fields(9, &[0.0; RECORD_FIELDS]), Record::zeroed(), "never seen");
        let hostile = [1e300, f64::INFINITY, -5.0, 1e300, f64::NAN, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let _ = Record::from_fields(9, &hostile).entry(T0);
    }
}
