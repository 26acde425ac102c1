//! The one mapping from core errors to JS errors.

use napi::{Error, Status};
use refiner_core::RefinerError;

/// Caller errors become `InvalidArg` (the JS layer rethrows them as RangeError), the rest
/// `GenericFailure`; the message is the core's, which names what was wrong.
pub fn to_napi_error(e: RefinerError) -> Error {
    let status = if e.is_caller_error() { Status::InvalidArg } else { Status::GenericFailure };
    Error::new(status, e.to_string())
}
