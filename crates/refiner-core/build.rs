//! Turns the domain lists in data/ into sorted arrays of 32-bit hashes (the high half of xxh3,
//! stored in 3 or 4 bytes per domain) with an index of where each hash prefix starts, embedded by
//! `features::lists`: a quarter of the text, searchable without any start-up work. With 122k
//! domains, an unlisted domain matches by chance with probability 122k / 2^32 ≈ 3e-5, a rate far
//! below the lists' own errors. Also splits the crawler patterns (see `split_crawler_patterns`).
use regex_syntax::hir::{print::Printer, Hir, HirKind, Literal};
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
        // Where each run of hashes sharing their top `bits` bits starts (2^bits + 1 entries, ~16
        // hashes per run): a lookup searches one run, 4 steps, instead of all 122k, 17 steps.
        let bits = (hashes.len() / 16).max(1).ilog2();
        let starts: Vec<u32> = (0..=1u64 << bits)
            .map(|b| hashes.partition_point(|&h| u64::from(h) >> (32 - bits) < b) as u32)
            .collect();
        write_u32s(&Path::new(&out).join(format!("{name}.idx")), &starts);
        // A run's index holds its hashes' top bits, so each entry keeps only the bytes below them
        // (3 of 4 for the large lists: 120 KB less in every binary, the same hashes); the width
        // is the one `features::lists::DomainSet` derives from the index's length.
        let width = (32 - bits as usize).div_ceil(8);
        let bytes: Vec<u8> = hashes.iter().flat_map(|h| h.to_le_bytes().into_iter().take(width)).collect();
        let bin = Path::new(&out).join(format!("{name}.bin"));
        fs::write(&bin, bytes).unwrap_or_else(|e| panic!("{}: {e}", bin.display()));
    }
    split_crawler_patterns(Path::new(&out));
}

/// Splits the crawler-user-agents patterns into the plain strings among them (1,464 of 1,500),
/// one per line, and the others, for `features::lists`: one `RegexSet` of all of them took ~16 ms
/// to build at a process's first refine, and telling them apart there cost ~5 ms more. The others
/// are written as `regex_syntax` parsed them (see `spelled_out`), so the addon's regex needs no
/// Unicode tables.
fn split_crawler_patterns(out: &Path) {
    let src = "data/crawler-patterns.txt";
    println!("cargo:rerun-if-changed={src}");
    let text = fs::read_to_string(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    let (mut literals, mut regexes) = (String::new(), String::new());
    for p in text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        // The parser, not a character scan, says what is a plain string (`Googlebot\/` is).
        let hir = regex_syntax::parse(p).unwrap_or_else(|e| panic!("{src}: {p:?} does not compile: {e}"));
        match hir.kind() {
            HirKind::Literal(Literal(bytes)) => {
                let literal = std::str::from_utf8(bytes).expect("a literal of a UTF-8 pattern is UTF-8");
                assert!(!literal.contains('\n'), "{src}: {p:?} matches a line break");
                literals += literal;
                literals.push('\n');
            }
            _ => {
                regexes += &spelled_out(p, &hir);
                regexes.push('\n');
            }
        }
    }
    fs::write(out.join("crawler-literals.txt"), literals).expect("write crawler literals");
    fs::write(out.join("crawler-regexes.txt"), regexes).expect("write crawler regexes");
}

/// A pattern as its parsed form printed back: every class as its ranges (`\d` as the Unicode
/// digits, `[\s\S]` as every scalar value), each character that is not printable ASCII as `\x{…}`.
/// It parses to the same `Hir`, so it matches the same texts, without the Unicode Perl-class,
/// case-folding and property-name tables that parsing `\d`, `\s`, `\w` or `(?i)` needs: the
/// addon's regex leaves those features out (0.24 MB with their relocations).
fn spelled_out(p: &str, hir: &Hir) -> String {
    let mut printed = String::new();
    Printer::new().print(hir, &mut printed).expect("printing to a String");
    let mut out = String::new();
    for c in printed.chars() {
        if c.is_ascii_graphic() || c == ' ' {
            out.push(c);
        } else {
            out += &format!("\\x{{{:X}}}", u32::from(c));
        }
    }
    assert_eq!(regex_syntax::parse(&out).as_ref(), Ok(hir), "{p:?} printed as {out:?} parses to another Hir");
    // The printer escapes only punctuation; any other escape (a word boundary `\b`, say) would need
    // a Unicode table at run time.
    let mut chars = out.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let e = chars.next().expect("an escape is complete");
            assert!(e.is_ascii_punctuation() || "xAz".contains(e), "{p:?} printed as {out:?} needs Unicode tables (\\{e})");
        }
    }
    out
}

fn write_u32s(path: &Path, values: &[u32]) {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}
