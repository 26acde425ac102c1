//! Evaluation: how a refiner does on a labeled corpus, against the rules alone.
//!
//! [`evaluate`] runs every row through the model and the policy of its route's profile, exactly
//! as `refine` would, and compares the outcome with the rules' own conclusion; the measures
//! (AUC, calibration error, curves) are in [`crate::metrics`].

mod report;

pub(crate) use report::score_rows;
pub use report::{evaluate, Evaluation, HeadReport, Overrides, ProfileReport, ScenarioReport, SourceReport, HIST_BINS};
