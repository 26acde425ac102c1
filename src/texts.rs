//! The packed texts (one `\0`-joined JS string) read into a buffer kept between calls: one
//! `napi_get_value_string_utf8` per refine, where napi-rs's `String` makes two (the first only to
//! measure) and a zeroed allocation.

use napi::JsString;
use napi::{check_status, sys, Error, JsValue, Result, Status};

/// Room for the texts of a usual request; it grows once for larger ones.
const INITIAL_BYTES: usize = 4096;

pub struct TextBuffer {
    bytes: Vec<u8>,
}

impl Default for TextBuffer {
    fn default() -> Self {
        Self { bytes: vec![0; INITIAL_BYTES] }
    }
}

impl TextBuffer {
    /// `s` as UTF-8 (lone surrogates become U+FFFD, as V8 writes them).
    pub fn read(&mut self, s: JsString<'_>) -> Result<&str> {
        let mut written = self.write(&s)?;
        // Filled to within a character (4 bytes) and the NUL of the end: the string may have been
        // cut before a character that did not fit, so size the buffer exactly.
        if written + 5 > self.bytes.len() {
            let len = s.utf8_len()?;
            if len > written {
                self.bytes.resize(len + 1, 0);
                written = self.write(&s)?;
            }
        }
        std::str::from_utf8(&self.bytes[..written]).map_err(|e| Error::new(Status::InvalidArg, format!("texts are not UTF-8: {e}")))
    }

    /// Writes as much of `s` as fits (V8 never writes part of a character) and a NUL; returns the
    /// bytes written before the NUL.
    fn write(&mut self, s: &JsString<'_>) -> Result<usize> {
        let mut written = 0;
        let v = s.value();
        // SAFETY: the buffer is `bytes.len()` long and napi writes at most that many bytes.
        check_status!(unsafe { sys::napi_get_value_string_utf8(v.env, v.value, self.bytes.as_mut_ptr().cast(), self.bytes.len(), &mut written) })?;
        Ok(written)
    }
}
