//! Criterion benches of the refine pipeline's stages on one realistic input: feature extraction
//! (and the payload analysis within it), the forward pass, the explanation, the whole refine with
//! memory off and on, and memory alone.
//!   cargo bench -p refiner-core --bench pipeline

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use refiner_core::decision::RawInput;
use refiner_core::explain::{explain, ExplainBuffers, Reason, MAX_REASONS};
use refiner_core::features::{extract_into, FeatureVector, Scratch};
use refiner_core::memory::{Event, KeyHasher, Memory, Snapshot, DEFAULT_MAX_BYTES};
use refiner_core::model::{Activations, Model};
use refiner_core::{Refiner, RefinerConfig};
use std::sync::Arc;

// Close to the request of `npm run bench` (benches/bench.mjs); examples/refine_loop.rs loops over it too.
const INPUT: &str = include_str!("input.json");

fn stages(c: &mut Criterion) {
    let model = Arc::new(Model::from_bytes(include_bytes!("../../../models/default.rfm")).unwrap());
    let owned = RawInput::from_json(&serde_json::from_str(INPUT).unwrap()).unwrap();
    let input = owned.view();
    let mut scratch = Scratch::default();
    let mut fv = FeatureVector::default();
    let none = Snapshot::default();
    // Filled before any bench runs: a filtered run (`-- forward`) must not time all-zero features.
    extract_into(&input, &none, &mut scratch, &mut fv);
    c.bench_function("features", |b| b.iter(|| extract_into(black_box(&input), &none, &mut scratch, &mut fv)));
    // What each call from JS does first: split the packed texts and find the headers.
    c.bench_function("features from the packed input", |b| {
        b.iter(|| extract_into(&RawInput::from_joined(black_box(&owned.nums), black_box(owned.joined())).unwrap(), &none, &mut scratch, &mut fv))
    });
    let mut act = Activations::new(&model);
    model.score(&fv.values, &mut act);
    c.bench_function("forward pass", |b| b.iter(|| model.score(black_box(&fv.values), &mut act)));
    let refiner = Refiner::new(model.clone(), &RefinerConfig::default()).unwrap();
    let mut ws = refiner.workspace();
    let outcome = refiner.refine(&input, &mut ws);
    let (mut buf, mut reasons) = (ExplainBuffers::new(&model), [Reason::default(); MAX_REASONS]);
    c.bench_function("explanation", |b| b.iter(|| explain(&model, black_box(&act), &fv, &outcome.verdict, &mut buf, &mut reasons)));
    c.bench_function("whole refine, memory off", |b| b.iter(|| refiner.refine(black_box(&input), &mut ws)));
    let memory = Arc::new(Memory::new(DEFAULT_MAX_BYTES, KeyHasher::random()).unwrap());
    let keys = memory.hasher().keys(&input);
    c.bench_function("memory: hash the keys", |b| b.iter(|| memory.hasher().keys(black_box(&input))));
    c.bench_function("memory: record 6 keys", |b| b.iter(|| memory.record(black_box(&keys), 1.764e9, Event::Request { rules_denied: false })));
    let with_memory = Refiner::new(model.clone(), &RefinerConfig { memory: Some(memory.clone()), ..Default::default() }).unwrap();
    // What `refine()` in JS runs: the explanation waits until `reasons` is read.
    c.bench_function("whole refine, memory on", |b| b.iter(|| with_memory.refine(black_box(&input), &mut ws)));
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(std::time::Duration::from_secs(2)).warm_up_time(std::time::Duration::from_millis(500));
    targets = stages
}
criterion_main!(benches);
