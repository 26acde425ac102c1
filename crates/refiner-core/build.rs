//! Turns the domain lists in data/ into sorted arrays of 32-bit hashes (the high half of xxh3,
//! 4 bytes per domain), embedded by `features::lists`: a quarter of the text, binary-searchable
//! without any start-up work. With 122k domains, an unlisted domain matches by chance with
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
        let bytes: Vec<u8> = hashes.iter().flat_map(|h| h.to_le_bytes()).collect();
        fs::write(Path::new(&out).join(format!("{name}.bin")), bytes).expect("write hashed list");
    }
}
