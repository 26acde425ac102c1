//! Turns the domain lists in data/ into sorted arrays of 32-bit hashes (the high half of xxh3,
//! 4 bytes per domain) with an index of where each hash prefix starts, embedded by
//! `features::lists`: a quarter of the text, searchable without any start-up work. With 122k domains, an unlisted domain matches by chance with
//! probability 122k / 2^32 ≈ 3e-5, a rate far below the lists' own errors.
use std::{env, fs, path::Path};

fn main() {
    let out = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for name in ["disposable-domains", "disposable-wildcards", "free-providers"] {
        let src = format!("data/{name}.txt");
        println!("cargo:rerun-if-changed={src}");
        let text = fs::read_to_string(&src).unwrap_or_else(|e| panic!("{src}: {e}"));
        let mut hashes: Vec<u32> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| (xxhash_rust::xxh3::xxh3_64(l.to_ascii_lowercase().as_bytes()) >> 32) as u32)
            .collect();
        hashes.sort_unstable();
        hashes.dedup();
        write_u32s(&Path::new(&out).join(format!("{name}.bin")), &hashes);
        // Where each run of hashes sharing their top `bits` bits starts (2^bits + 1 entries, ~16
        // hashes per run): a lookup searches one run, 4 steps, instead of all 122k, 17 steps.
        let bits = (hashes.len() / 16).max(1).ilog2();
        let starts: Vec<u32> = (0..=1u64 << bits)
            .map(|b| hashes.partition_point(|&h| u64::from(h) >> (32 - bits) < b) as u32)
            .collect();
        write_u32s(&Path::new(&out).join(format!("{name}.idx")), &starts);
    }
}

fn write_u32s(path: &Path, values: &[u32]) {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    fs::write(path, bytes).expect("write hashed list");
}
