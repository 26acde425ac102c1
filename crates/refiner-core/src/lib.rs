//! refiner-core: the request-refiner pipeline, free of any Node dependency.
//!
//! Data flows one way: [`decision`] (what the caller passed) and [`memory`] (what its keys did
//! before) → [`features`] → [`model`] →
//! [`policy`] → [`explain`], run in that order by [`refiner::Refiner`]. [`train`] builds models
//! from labeled corpora and [`eval`] measures them.

pub mod decision;
pub mod error;
pub mod eval;
pub mod explain;
pub mod features;
pub mod memory;
pub mod model;
pub mod policy;
pub mod refiner;
pub mod train;

pub use error::{RefinerError, Result};
pub use refiner::{FailMode, Outcome, Refiner, RefinerConfig, Workspace};
