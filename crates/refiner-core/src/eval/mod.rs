//! Evaluation: how a model does on a labeled corpus, against the rules alone.
//!
//! [`metrics`] holds the measures (AUC, calibration error, curves); [`evaluate`] runs every row
//! through the model and the policy of its route's profile, as `refine` would, and compares the
//! outcome with the rules' own conclusion.

mod metrics;
mod report;

pub use metrics::{auc, ece, histogram, pr_curve, roc_curve, threshold_at_rate};
pub(crate) use report::score_rows;
pub use report::{evaluate, Evaluation, HeadReport, Overrides, ProfileReport, ScenarioReport, HIST_BINS};
