//! `refiner`: train, evaluate, calibrate and inspect request-refiner models from Rust; the same
//! command line as `npx request-refiner` (refiner-tools' `cli`).

fn main() -> std::process::ExitCode {
    let code = refiner_tools::cli::main("refiner", std::env::args());
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}
