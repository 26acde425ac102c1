#![deny(clippy::all)]
//! N-API bindings of request-refiner: JS values in, refiner-core calls, JS values out.
//! The public API (`Refiner`, `refine`) is the thin JS layer in `index.js` over these.

#[cfg(feature = "bench-exports")]
mod bench;
mod engine;
mod error;
mod fault;
mod memory;
mod schema;
mod texts;
mod tools;
