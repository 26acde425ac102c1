//! refiner-core: the request-refiner pipeline, free of any Node dependency.
//!
//! Data flows one way: [`decision`] (what the caller passed) and [`memory`] (what its keys did
//! before) → [`features`] → [`model`] → [`policy`] → [`explain`], run in that order by
//! [`refiner::Refiner`]. [`dataset`] reads labeled corpora, [`train`] builds models from them and
//! [`eval`] measures them with [`metrics`]; [`threat`] names what the heads score.

pub mod dataset;
pub mod decision;
pub mod error;
pub mod eval;
pub mod explain;
pub mod features;
pub mod memory;
pub mod metrics;
pub mod model;
pub mod policy;
pub mod refiner;
pub mod threat;
pub mod train;

pub use error::{RefinerError, Result};
pub use refiner::{FailMode, Outcome, Refiner, RefinerConfig, Workspace};
