//! The one error type of refiner-core. Every message names the value that was wrong.

use std::borrow::Cow;
use thiserror::Error;

/// Everything that can go wrong in refiner-core.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RefinerError {
    /// A field of a decision, request or context had the wrong type or an impossible value.
    #[error("{path} must be {expected}")]
    InvalidInput { path: String, expected: Cow<'static, str> },

    /// An option given to a constructor or a tool was out of range.
    #[error("{option} must be {expected}, but is {actual}")]
    InvalidOption { option: &'static str, expected: &'static str, actual: String },

    /// A model file is not a model this build can use.
    #[error("invalid model file: {0}")]
    ModelFormat(String),

    /// A model file was trained for another feature schema.
    #[error("model was built for feature schema {found:016x} but this build uses {expected:016x}; retrain the model with this version")]
    SchemaMismatch { expected: u64, found: u64 },

    /// A model file's checksum does not match its contents.
    #[error("model checksum mismatch: stored {stored:08x}, computed {computed:08x} (the file is corrupted or truncated)")]
    Checksum { stored: u32, computed: u32 },

    /// A line of a training or evaluation corpus could not be used.
    #[error("corpus line {line}: {message}")]
    Corpus { line: usize, message: String },

    /// Training could not proceed (for example no positive example for a threat).
    #[error("training failed: {0}")]
    Training(String),

    /// A long job (training, evaluation) was stopped by its caller.
    #[error("the job was aborted")]
    Aborted,

    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io { path: String, #[source] source: std::io::Error },
}

impl RefinerError {
    /// True for errors caused by what the caller passed (maps to a JS TypeError/RangeError).
    pub fn is_caller_error(&self) -> bool {
        matches!(self, Self::InvalidInput { .. } | Self::InvalidOption { .. })
    }

    pub(crate) fn input(path: impl Into<String>, expected: impl Into<Cow<'static, str>>) -> Self {
        Self::InvalidInput { path: path.into(), expected: expected.into() }
    }
}

pub type Result<T, E = RefinerError> = std::result::Result<T, E>;
