//! Test-only fault injection, compiled in with the cargo feature `fault-injection` (which no
//! released package enables): with `REQUEST_REFINER_FAULT=panic` in the environment, every refine
//! panics inside the core call; with `REQUEST_REFINER_FAULT=panic:<path>`, only refines of requests
//! to that path do. The tests check that the panic is caught at the boundary, that the configured
//! fail mode answers, and that in a batch only the row that panicked fails.

use refiner_core::decision::RawInput;

#[cfg(feature = "fault-injection")]
pub fn inject(input: &RawInput<'_>) {
    let Some(fault) = std::env::var_os("REQUEST_REFINER_FAULT") else { return };
    let fault = fault.to_string_lossy();
    if fault == "panic" || fault.strip_prefix("panic:") == Some(input.texts.path) {
        panic!("fault injected by REQUEST_REFINER_FAULT={fault}");
    }
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub fn inject(_: &RawInput<'_>) {}
