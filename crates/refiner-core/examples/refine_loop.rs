//! A refine loop over the pipeline bench's input, for instruction counts (callgrind):
//!   cargo build -p refiner-core --release --example refine_loop
//!   valgrind --tool=callgrind target/release/examples/refine_loop 2000

use refiner_core::decision::RawInput;
use refiner_core::memory::{KeyHasher, Memory, DEFAULT_MAX_BYTES};
use refiner_core::model::Model;
use refiner_core::{Refiner, RefinerConfig};
use std::hint::black_box;
use std::sync::Arc;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let model = Arc::new(Model::from_bytes(include_bytes!("../../../models/default.rfm")).unwrap());
    let owned = RawInput::from_json(&serde_json::from_str(include_str!("../benches/input.json")).unwrap()).unwrap();
    let memory = Arc::new(Memory::new(DEFAULT_MAX_BYTES, KeyHasher::from_secret(b"a fixed secret for equal counts")).unwrap());
    let refiner = Refiner::new(model, &RefinerConfig { memory: Some(memory), ..Default::default() }).unwrap();
    let mut ws = refiner.workspace();
    let mut sum = 0.0;
    for _ in 0..n {
        let input = RawInput::from_joined(black_box(&owned.nums), black_box(owned.joined())).unwrap();
        sum += refiner.refine(&input, &mut ws).verdict.score;
    }
    println!("{sum}");
}
