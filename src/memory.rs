//! `Memory`: a behavioral memory that one or several JS Refiners share.

use crate::error::to_napi_error;
use napi::Result;
use napi_derive::napi;
use refiner_core::memory::{KeyHasher, Memory as CoreMemory, DEFAULT_MAX_BYTES};
use refiner_core::RefinerError;
use std::sync::Arc;

/// A bounded behavioral memory (see docs/FEATURES.md#memory-keys).
#[napi]
pub struct Memory {
    pub(crate) inner: Arc<CoreMemory>,
}

#[napi]
impl Memory {
    /// `maxBytes`: the budget (default 32 MB). `secret`: derive the key hashes from it, as every
    /// process sharing a store must; a random per-process key otherwise.
    #[napi(constructor)]
    pub fn new(max_bytes: Option<f64>, secret: Option<String>) -> Result<Self> {
        let max_bytes = match max_bytes {
            None => DEFAULT_MAX_BYTES,
            Some(b) if b.is_finite() && b >= 0.0 && b <= usize::MAX as f64 => b as usize,
            Some(b) => {
                return Err(to_napi_error(RefinerError::InvalidOption { option: "memory.maxBytes", expected: "a number of bytes", actual: b.to_string() }))
            }
        };
        let hasher = secret.map(|s| KeyHasher::from_secret(s.as_bytes())).unwrap_or_else(KeyHasher::random);
        Ok(Self { inner: Arc::new(CoreMemory::new(max_bytes, hasher).map_err(to_napi_error)?) })
    }

    /// Bytes held, whatever is stored: never more than `maxBytes`.
    #[napi(getter)]
    pub fn bytes(&self) -> f64 {
        self.inner.bytes() as f64
    }

    /// Records it can hold before it evicts the coldest.
    #[napi(getter)]
    pub fn capacity(&self) -> f64 {
        self.inner.capacity() as f64
    }

    /// Records in use (scans the whole table).
    #[napi]
    pub fn size(&self) -> f64 {
        self.inner.len() as f64
    }
}
