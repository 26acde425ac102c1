//! A payload-scan loop for instruction counts (callgrind), as `refine_loop` is for a refine: the
//! payload bench's benign 1 KB JSON form body, or that form repeated to 64 KB, or the pipeline
//! bench's user agent as a header value.
//!   cargo build -p refiner-core --release --example payload_loop
//!   valgrind --tool=callgrind target/release/examples/payload_loop 1kb 1000
//! Instructions per scan: the difference of two runs (100 and 1100 scans) over 1000.

use refiner_core::features::payload::{scan, PayloadInput, Scratch};
use std::hint::black_box;

/// The payload bench's form (benches/payload.rs), 1,010 bytes.
const FORM: &str = r#"{"firstName":"Mary","lastName":"O'Brien","email":"mary.obrien42@example.com","phone":"+1 (555) 014-2368","address":{"line1":"1428 Elm Street","line2":"Apt. 3B","city":"Springfield","state":"IL","zip":"62704","country":"US"},"company":"D'Angelo & Sons, Inc.","website":"https://www.dangelo-sons.example/about","birthDate":"1987-04-12","newsletter":true,"marketing":false,"plan":"pro-annual","seats":12,"coupon":"SPRING-2024","cart":[{"sku":"TSHIRT-BLK-M","qty":2,"price":19.99},{"sku":"MUG-WHT","qty":1,"price":8.5}],"note":"Please leave the parcel at the back door, next to the blue bin. If nobody's home, ring the neighbour at no. 12 - she's expecting it. Thanks a lot!","referral":"friend","locale":"en-US","timezone":"America/Chicago","consent":{"terms":true,"privacy":true,"version":"2024-03"},"device":"web","utm":{"source":"newsletter","medium":"email","campaign":"spring_sale"},"password":"correct horse battery staple","giftMessage":"Happy birthday, Sam! With love from all of us at no. 7","gift":true}"#;

const UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

fn main() {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_else(|| "1kb".into());
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let body64 = format!("[{}]", vec![FORM; 65].join(","));
    let input = match what.as_str() {
        "1kb" => PayloadInput { body: FORM, ..PayloadInput::default() },
        "64kb" => PayloadInput { body: &body64, ..PayloadInput::default() },
        "ua" => PayloadInput { headers: UA, ..PayloadInput::default() },
        other => panic!("unknown input {other:?}: 1kb, 64kb or ua"),
    };
    let mut scratch = Scratch::default();
    let mut values = 0u64;
    for _ in 0..n {
        values += u64::from(scan(black_box(&input), &mut scratch).values);
    }
    println!("{values}");
}
