//! Criterion benches of payload analysis: a typical benign 1 KB JSON form body (as one raw JSON
//! text, and as the `\x1f`-joined fields the JS layer sends for a parsed body), the same body with
//! one payload, benign bodies of 1, 4, 16 and 64 KB as raw text and as parsed fields (linearity),
//! and 64 KB adversarial values.
//!   cargo bench -p refiner-core --bench payload

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use refiner_core::features::payload::{scan, PayloadInput, Scratch};

/// A signup-and-order form as a browser would post it: names with apostrophes, an address, a
/// phone, an email, a note in prose, a URL, a date, numbers and booleans. 1,010 bytes.
const FORM: &str = r#"{"firstName":"Mary","lastName":"O'Brien","email":"mary.obrien42@example.com","phone":"+1 (555) 014-2368","address":{"line1":"1428 Elm Street","line2":"Apt. 3B","city":"Springfield","state":"IL","zip":"62704","country":"US"},"company":"D'Angelo & Sons, Inc.","website":"https://www.dangelo-sons.example/about","birthDate":"1987-04-12","newsletter":true,"marketing":false,"plan":"pro-annual","seats":12,"coupon":"SPRING-2024","cart":[{"sku":"TSHIRT-BLK-M","qty":2,"price":19.99},{"sku":"MUG-WHT","qty":1,"price":8.5}],"note":"Please leave the parcel at the back door, next to the blue bin. If nobody's home, ring the neighbour at no. 12 - she's expecting it. Thanks a lot!","referral":"friend","locale":"en-US","timezone":"America/Chicago","consent":{"terms":true,"privacy":true,"version":"2024-03"},"device":"web","utm":{"source":"newsletter","medium":"email","campaign":"spring_sale"},"password":"correct horse battery staple","giftMessage":"Happy birthday, Sam! With love from all of us at no. 7","gift":true}"#;

/// The same form's string values and keys, `\x1f`-joined, as the JS layer sends a parsed body.
fn fields(json: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(json).expect("bench JSON parses");
    let mut out = Vec::new();
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| {
                out.push(k.clone());
                walk(x, out)
            }),
            _ => {}
        }
    }
    walk(&v, &mut out);
    out.join("\x1f")
}

/// `FORM` repeated as a JSON array to about `kb` KB.
fn body_of(kb: usize) -> String {
    let n = ((kb * 1024) as f64 / (FORM.len() + 1) as f64).round().max(1.0) as usize;
    format!("[{}]", vec![FORM; n].join(","))
}

fn input(body: &str) -> PayloadInput<'_> {
    PayloadInput {
        path: "/api/v1/orders?ref=newsletter&page=2",
        body,
        headers: "https://shop.example/checkout\x1fMozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        cookies: "sid=9f8e7d6c5b4a; theme=dark; cart=3",
    }
}

fn body_only(body: &str) -> PayloadInput<'_> {
    PayloadInput { body, ..PayloadInput::default() }
}

fn benches(c: &mut Criterion) {
    let mut scratch = Scratch::default();
    let joined = fields(FORM);
    assert!((1000..1100).contains(&FORM.len()), "FORM is {} bytes", FORM.len());
    let attacked = FORM.replace("Thanks a lot!", "Thanks' UNION SELECT password FROM users--");
    assert!(scan(&body_only(&attacked), &mut scratch).any_confirmed(), "the payload bench must hold a payload");
    assert!(!scan(&input(FORM), &mut scratch).any_confirmed(), "the benign bench must stay benign");

    c.bench_function("benign 1 KB JSON body (raw text)", |b| b.iter(|| scan(black_box(&body_only(FORM)), &mut scratch)));
    c.bench_function("benign 1 KB form (joined fields)", |b| b.iter(|| scan(black_box(&body_only(&joined)), &mut scratch)));
    c.bench_function("benign request: path, 1 KB body, headers, cookies", |b| b.iter(|| scan(black_box(&input(FORM)), &mut scratch)));
    c.bench_function("1 KB JSON body with one SQLi payload", |b| b.iter(|| scan(black_box(&body_only(&attacked)), &mut scratch)));

    let mut group = c.benchmark_group("benign JSON body by size");
    for kb in [1, 4, 16, 64] {
        let body = body_of(kb);
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(format!("{kb} KB")), &body, |b, body| b.iter(|| scan(black_box(&body_only(body)), &mut scratch)));
    }
    group.finish();

    // The same bodies as an app's JSON parser hands them over: the JS layer's joined fields.
    let mut group = c.benchmark_group("benign JSON body by size, parsed (joined fields)");
    for kb in [1, 4, 16, 64] {
        let joined = fields(&body_of(kb));
        group.throughput(Throughput::Bytes(joined.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(format!("{kb} KB")), &joined, |b, joined| b.iter(|| scan(black_box(&body_only(joined)), &mut scratch)));
    }
    group.finish();

    let mut group = c.benchmark_group("adversarial 64 KB value");
    group.sample_size(10);
    for (name, unit) in [
        ("quotes", "'"),
        ("lt-a", "<a "),
        ("entities", "&#"),
        ("comments", "/*"),
        ("quote-or", "' or "),
        ("dollar-brace", "${"),
        ("dots", "../"),
        ("header-lines", "\r\nX-A: b"),
        ("entity-decls", "<!ENTITY a SYSTEM 'x'>"),
        ("percent-brace-hash", "%{(#"),
        ("backticks", "`"),
    ] {
        let body: String = unit.repeat(64 * 1024 / unit.len());
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), &body, |b, body| b.iter(|| scan(black_box(&body_only(body)), &mut scratch)));
    }
    group.finish();
}

criterion_group!(payload, benches);
criterion_main!(payload);
