//! Behavioral memory: what each ip, network, device, account, session and email domain did
//! recently, as time-decayed counters and distinct-count sketches.
//!
//! Input: the [`Keys`] of a request and an [`Event`]. Output: a [`Snapshot`] of what was known
//! before the event, which the features read. The table has a fixed byte budget, allocated once:
//! it is set-associative (a key can live in one of [`WAYS`] slots) and a new key evicts the
//! coldest record of its set, so a flood of new keys displaces other new keys first. Shards, each
//! behind its own lock, let refines on several threads (and several refiners) share one memory.

mod keys;
mod record;

pub use keys::{KeyHasher, Keys, Kind, N_KINDS};
pub use record::{Counter, Entry, Event, Record, COUNTER_NAMES, EVENTS, GENERATION_S, N_COUNTERS, RECORD_FIELDS, TAU_S};

use crate::decision::{RawInput, RulesConclusion};
use crate::error::{RefinerError, Result};
use memmap2::MmapMut;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Default byte budget of a memory.
pub const DEFAULT_MAX_BYTES: usize = 32 << 20;
/// Slots a key may occupy; eviction chooses among them.
pub const WAYS: usize = 8;
const SHARDS: usize = 64;
const RECORD_BYTES: usize = std::mem::size_of::<Record>();
const SHARD_BYTES: usize = std::mem::size_of::<Shard>();
/// The smallest budget (one set per shard needs about 34 KB).
pub const MIN_MAX_BYTES: usize = 64 << 10;
const _: () = assert!(MIN_MAX_BYTES >= std::mem::size_of::<Memory>() + SHARDS * (SHARD_BYTES + WAYS * RECORD_BYTES));

/// Numbers per entry in [`Snapshot::write`]: known, age, distinct, then the counters.
pub const ENTRY_FIELDS: usize = 3 + N_COUNTERS;
/// Numbers a whole snapshot is written as.
pub const SNAPSHOT_WIDTH: usize = N_KINDS * ENTRY_FIELDS;

/// What memory knew about each key of a request, in [`Kind`] order.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Snapshot {
    pub entries: [Entry; N_KINDS],
}

impl Snapshot {
    pub fn get(&self, kind: Kind) -> &Entry {
        &self.entries[kind as usize]
    }

    /// Writes the snapshot as [`SNAPSHOT_WIDTH`] numbers (see [`Snapshot::read`]).
    pub fn write(&self, dst: &mut [f64]) {
        for (e, d) in self.entries.iter().zip(dst.chunks_exact_mut(ENTRY_FIELDS)) {
            d[0] = f64::from(u8::from(e.known));
            d[1] = f64::from(e.age_s);
            d[2] = f64::from(e.distinct);
            for (x, c) in d[3..].iter_mut().zip(e.counters) {
                *x = f64::from(c);
            }
        }
    }

    /// The inverse of [`Snapshot::write`]: explanations re-run a refine with what memory knew then.
    pub fn read(src: &[f64]) -> Snapshot {
        let mut snap = Snapshot::default();
        for (e, s) in snap.entries.iter_mut().zip(src.chunks_exact(ENTRY_FIELDS)) {
            *e = Entry { known: s[0] > 0.0, age_s: s[1] as f32, distinct: s[2] as f32, counters: std::array::from_fn(|i| s[3 + i] as f32) };
        }
        snap
    }

    /// What a shared store knew: `fields` holds [`RECORD_FIELDS`] numbers per [`Kind`] in
    /// [`Record::fields`] form, read at `now` (unix seconds).
    pub fn from_records(keys: &Keys, fields: &[f64], now: f64) -> Snapshot {
        let now = unix_seconds(now);
        let mut snap = Snapshot::default();
        for ((e, &key), f) in snap.entries.iter_mut().zip(&keys.key).zip(fields.chunks_exact(RECORD_FIELDS)) {
            if key != 0 {
                *e = Record::from_fields(key, f).entry(now);
            }
        }
        snap
    }

    /// The largest value of `counter` over `kinds`.
    pub fn max(&self, counter: Counter, kinds: &[Kind]) -> f32 {
        kinds.iter().map(|&k| self.get(k).get(counter)).fold(0.0, f32::max)
    }
}

/// A bounded, shared behavioral memory.
pub struct Memory {
    /// Each shard's records live in an anonymous mapping of their own: the OS hands out zero
    /// pages as keys arrive, so an idle 32 MB memory costs no resident memory (a heap allocation
    /// may be zeroed eagerly by the allocator).
    shards: Box<[Shard]>,
    sets: usize,
    hasher: KeyHasher,
}

struct Shard {
    records: Mutex<MmapMut>,
    /// Where the mapping starts (it never moves), for prefetching without the lock (x86-64 only).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    base: usize,
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memory").field("capacity", &self.capacity()).field("bytes", &self.bytes()).finish()
    }
}

impl Memory {
    /// A memory that never holds more than `max_bytes`, keyed by `hasher`.
    pub fn new(max_bytes: usize, hasher: KeyHasher) -> Result<Self> {
        if max_bytes < MIN_MAX_BYTES {
            return Err(RefinerError::InvalidOption { option: "memory.maxBytes", expected: "at least 65536 (64 KB)", actual: max_bytes.to_string() });
        }
        let per_shard = (max_bytes - std::mem::size_of::<Memory>()) / SHARDS - SHARD_BYTES;
        let sets = per_shard / (WAYS * RECORD_BYTES);
        let shards = (0..SHARDS)
            .map(|_| MmapMut::map_anon(sets * WAYS * RECORD_BYTES).map(|m| Shard { base: m.as_ptr() as usize, records: Mutex::new(m) }))
            .collect::<std::io::Result<_>>()
            .map_err(|source| RefinerError::Io { path: "memory (anonymous mapping)".into(), source })?;
        Ok(Self { shards, sets, hasher })
    }

    pub fn hasher(&self) -> &KeyHasher {
        &self.hasher
    }

    /// Records it can hold.
    pub fn capacity(&self) -> usize {
        SHARDS * self.sets * WAYS
    }

    /// Bytes it holds, whatever it stores: at most the budget it was built with.
    pub fn bytes(&self) -> usize {
        std::mem::size_of::<Memory>() + SHARDS * SHARD_BYTES + self.capacity() * RECORD_BYTES
    }

    /// Records in use (a full scan; for statistics and tests).
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| records(&mut lock(&s.records)).iter().filter(|r| r.key != 0).count()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn set_of(&self, key: u64) -> (&Shard, usize) {
        let shard = &self.shards[(key >> 58) as usize % SHARDS];
        let set = ((key >> 16) as usize % self.sets) * WAYS;
        (shard, set)
    }

    /// Runs `visit(kind index, key, its set)` for every key the request has, each under its
    /// shard's lock, and collects the entries it returns.
    fn visit(&self, keys: &Keys, mut visit: impl FnMut(usize, u64, &mut [Record]) -> Entry) -> Snapshot {
        self.prefetch(keys);
        let mut snap = Snapshot::default();
        for (k, &key) in keys.key.iter().enumerate() {
            if key != 0 {
                let (shard, set) = self.set_of(key);
                snap.entries[k] = visit(k, key, &mut records(&mut lock(&shard.records))[set..set + WAYS]);
            }
        }
        snap
    }

    /// Starts loading the sets of `keys` into cache at once: with many clients they are cold, and
    /// visiting them one after another would wait for each miss in turn.
    fn prefetch(&self, keys: &Keys) {
        #[cfg(target_arch = "x86_64")]
        for &key in keys.key.iter().filter(|&&k| k != 0) {
            let (shard, set) = self.set_of(key);
            let start = shard.base + set * RECORD_BYTES;
            for line in (0..WAYS * RECORD_BYTES).step_by(64) {
                // SAFETY: a prefetch reads nothing the program sees; the address is in the shard's mapping.
                unsafe { std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((start + line) as *const i8) };
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = keys;
    }

    /// Records `event` at `now` (unix seconds) under every key; returns what was known before.
    pub fn record(&self, keys: &Keys, now: f64, event: Event) -> Snapshot {
        let now = unix_seconds(now);
        self.visit(keys, |k, key, ways| {
            let slot = ways.iter().position(|r| r.key == key).unwrap_or_else(|| coldest(ways, now));
            ways[slot].record(key, now, event, keys.member[k])
        })
    }

    /// What is known under `keys` at `now`, without recording anything.
    pub fn peek(&self, keys: &Keys, now: f64) -> Snapshot {
        let now = unix_seconds(now);
        self.visit(keys, |_, key, ways| ways.iter().find(|r| r.key == key).map_or_else(Entry::default, |r| r.entry(now)))
    }
}

fn lock(shard: &Mutex<MmapMut>) -> MutexGuard<'_, MmapMut> {
    // Records are plain numbers, valid whatever a panicking holder left half-written.
    shard.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A shard's mapping as records (page-aligned, a whole number of records, every bit pattern valid).
fn records(map: &mut MmapMut) -> &mut [Record] {
    bytemuck::cast_slice_mut(&mut map[..])
}

/// The empty slot, else the one with the least decayed hourly activity.
fn coldest(ways: &[Record], now: u32) -> usize {
    let mut best = (0, f32::INFINITY);
    for (i, r) in ways.iter().enumerate() {
        if r.key == 0 {
            return i;
        }
        let heat = r.heat(now);
        if heat < best.1 {
            best = (i, heat);
        }
    }
    best.0
}

impl Event {
    /// What refining `input` records: a request, denied when the rules concluded DENY.
    pub fn request(input: &RawInput<'_>) -> Self {
        Self::Request { rules_denied: input.rules_conclusion() == Some(RulesConclusion::Deny) }
    }
}

/// When `input` happened, in unix seconds: its `at`, else now.
pub fn time_of(input: &RawInput<'_>) -> f64 {
    input.at_s().unwrap_or_else(now_s)
}

/// Seconds as the records store them.
pub fn unix_seconds(now: f64) -> u32 {
    if now.is_finite() {
        now.clamp(1.0, u32::MAX as f64) as u32
    } else {
        1
    }
}

/// The current time in unix seconds.
pub fn now_s() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: f64 = 1_764_000_000.0;
    const REQUEST: Event = Event::Request { rules_denied: false };

    fn ip_keys(i: u64) -> Keys {
        let mut k = Keys::default();
        // Spread like real hashes.
        k.key[0] = (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5555) | 1;
        k
    }

    #[test]
    fn a_snapshot_is_what_was_known_before() {
        let m = Memory::new(1 << 20, KeyHasher::random()).unwrap();
        let k = ip_keys(1);
        assert!(!m.record(&k, T0, REQUEST).get(Kind::Ip).known);
        let second = m.record(&k, T0 + 1.0, REQUEST);
        assert!(second.get(Kind::Ip).known);
        assert!((second.get(Kind::Ip).get(Counter::Requests1m) - (-1f32 / 60.0).exp()).abs() < 1e-5);
        assert_eq!(m.peek(&k, T0 + 1.0).get(Kind::Ip).counters[1], second.get(Kind::Ip).counters[1] + 1.0);
        assert_eq!(m.len(), 1);
    }

    #[test]
    fn the_budget_holds_for_a_million_keys_and_hot_keys_survive() {
        let budget = 4 << 20;
        let m = Memory::new(budget, KeyHasher::random()).unwrap();
        assert!(m.bytes() <= budget && m.bytes() > budget * 9 / 10, "{} of {budget}", m.bytes());
        let hot: Vec<Keys> = (0..100).map(|i| ip_keys(u64::MAX - i)).collect();
        for _ in 0..20 {
            for k in &hot {
                m.record(k, T0, REQUEST);
            }
        }
        for i in 0..1_000_000 {
            m.record(&ip_keys(i), T0 + 10.0, REQUEST);
            if i % 10_000 == 0 {
                for k in &hot {
                    m.record(k, T0 + 10.0, REQUEST);
                }
            }
        }
        assert_eq!(m.len(), m.capacity(), "full, and no larger");
        assert!(m.bytes() <= budget);
        let kept = hot.iter().filter(|k| m.peek(k, T0 + 10.0).get(Kind::Ip).known).count();
        assert_eq!(kept, hot.len(), "a flood of one-time keys evicts one-time keys, not busy ones");
    }

    #[test]
    fn snapshots_travel_as_numbers() {
        let m = Memory::new(1 << 20, KeyHasher::random()).unwrap();
        let k = ip_keys(3);
        m.record(&k, T0, Event::LoginFailed);
        let snap = m.record(&k, T0 + 7.0, REQUEST);
        let mut buf = [0.0; SNAPSHOT_WIDTH];
        snap.write(&mut buf);
        assert_eq!(Snapshot::read(&buf), snap);
    }

    #[test]
    fn tiny_budgets_are_refused() {
        let e = Memory::new(1000, KeyHasher::random()).unwrap_err().to_string();
        assert!(e.starts_with("memory.maxBytes must be at least"), "{e}");
        assert!(Memory::new(MIN_MAX_BYTES, KeyHasher::random()).unwrap().bytes() <= MIN_MAX_BYTES);
    }

    #[test]
    fn concurrent_records_lose_no_increment() {
        let m = Memory::new(1 << 20, KeyHasher::random()).unwrap();
        let k = ip_keys(42);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..10_000 {
                        m.record(&k, T0, REQUEST);
                    }
                });
            }
        });
        assert_eq!(m.peek(&k, T0).get(Kind::Ip).get(Counter::Requests1h), 40_000.0);
    }
}
