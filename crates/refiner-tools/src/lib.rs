//! refiner-tools: what the CLIs do (train, evaluate, calibrate, export, inspect) and what they
//! print, shared by the Rust `refiner` CLI and the addon's `npx request-refiner` so both behave alike.

pub mod cli;
pub mod commands;
mod html;
mod text;

pub use html::evaluation_html;
pub use text::{evaluation_table, model_summary};

use refiner_core::eval::Evaluation;
use std::path::{Path, PathBuf};

/// Writes `report.html` (and `evaluation.json`) into `dir`, creating it; returns the page's path.
pub fn write_report(e: &Evaluation, dir: &Path) -> refiner_core::Result<PathBuf> {
    let io = |source| refiner_core::RefinerError::Io { path: dir.display().to_string(), source };
    std::fs::create_dir_all(dir).map_err(io)?;
    let html = evaluation_html(e).map_err(|m| refiner_core::RefinerError::Io { path: dir.display().to_string(), source: std::io::Error::other(m) })?;
    let page = dir.join("report.html");
    std::fs::write(&page, html).map_err(io)?;
    let json = serde_json::to_string_pretty(e).expect("evaluation serializes");
    std::fs::write(dir.join("evaluation.json"), json).map_err(io)?;
    Ok(page)
}
