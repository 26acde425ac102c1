//! Test-only fault injection, compiled in with the cargo feature `fault-injection` (which no
//! released package enables): with `REQUEST_REFINER_FAULT=panic` in the environment, every refine
//! panics inside the core call, so the tests can check that the panic is caught at the boundary
//! and the configured fail mode answers.

#[cfg(feature = "fault-injection")]
pub fn inject() {
    if std::env::var_os("REQUEST_REFINER_FAULT").is_some_and(|v| v == "panic") {
        panic!("fault injected by REQUEST_REFINER_FAULT=panic");
    }
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub fn inject() {}
