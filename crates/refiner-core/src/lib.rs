//! refiner-core: the request-refiner pipeline, free of any Node dependency.
//!
//! Data flows one way: [`decision`] (what the caller passed) → [`features`] → [`model`] →
//! [`policy`] → [`explain`], orchestrated by [`refiner::Refiner`]. [`train`] builds models.

pub mod decision;
pub mod error;
pub mod features;

pub use error::{RefinerError, Result};
