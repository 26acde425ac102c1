//! `refiner`: train, evaluate, calibrate and inspect request-refiner models from Rust. The JS CLI
//! `npx request-refiner` runs the same commands (refiner-tools) through the addon.

use clap::{Parser, Subcommand};
use refiner_core::train::TrainParams;
use refiner_tools::commands::{calibrate_command, eval_command, export_command, inspect_command, train_command};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "refiner", version, about = "Train, evaluate, calibrate and inspect request-refiner models")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the feature schema as Markdown (docs/FEATURES.md).
    Features,
    /// Train a model on a labeled JSONL corpus (format: docs/DATA.md).
    Train {
        corpus: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = TrainParams::default().seed)]
        seed: u64,
        #[arg(long, default_value_t = TrainParams::default().name)]
        name: String,
        #[arg(long, default_value_t = TrainParams::default().hidden)]
        hidden: usize,
        #[arg(long, default_value_t = TrainParams::default().max_epochs)]
        max_epochs: usize,
        /// Count and skip malformed lines instead of stopping at the first.
        #[arg(long)]
        skip_bad: bool,
    },
    /// Compare a model with the rules alone on a labeled corpus; optionally write an HTML report.
    Eval {
        model: PathBuf,
        corpus: PathBuf,
        /// Directory for report.html (plots) and evaluation.json.
        #[arg(long)]
        report: Option<PathBuf>,
        #[arg(long)]
        skip_bad: bool,
    },
    /// Set one profile's thresholds from a corpus's legitimate traffic and write them into the model.
    Calibrate {
        model: PathBuf,
        corpus: PathBuf,
        #[arg(long)]
        profile: String,
        /// Share of legitimate requests allowed to be denied.
        #[arg(long)]
        target_fpr: f64,
        /// Share allowed to be challenged (default: 5× the deny rate, at most 0.5).
        #[arg(long)]
        challenge_fpr: Option<f64>,
        /// Where to write the model (default: overwrite MODEL).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        skip_bad: bool,
    },
    /// Write a corpus's feature matrix and labels as CSV (to compare other learners).
    Export {
        corpus: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        skip_bad: bool,
    },
    /// Show a model file's version, schema, shapes, thresholds and training metadata.
    Inspect { model: PathBuf },
}

fn run(cli: Cli) -> refiner_core::Result<()> {
    match cli.command {
        Command::Features => print!("{}", refiner_core::features::features_markdown()),
        Command::Train { corpus, out, seed, name, hidden, max_epochs, skip_bad } => {
            let params = TrainParams { seed, name, hidden, max_epochs, ..Default::default() };
            print!("{}", train_command(&corpus, &out, params, skip_bad)?);
        }
        Command::Eval { model, corpus, report, skip_bad } => {
            let (_, table, page) = eval_command(&model, &corpus, report.as_deref(), skip_bad)?;
            print!("{table}");
            if let Some(page) = page {
                eprintln!("report: {}", page.display());
            }
        }
        Command::Calibrate { model, corpus, profile, target_fpr, challenge_fpr, out, skip_bad } => {
            eprint!("{}", calibrate_command(&model, &corpus, &profile, target_fpr, challenge_fpr, out.as_deref(), skip_bad)?);
        }
        Command::Export { corpus, out, skip_bad } => {
            let rows = export_command(&corpus, &out, skip_bad)?;
            eprintln!("{rows} rows → {}", out.display());
        }
        Command::Inspect { model } => print!("{}", inspect_command(&model)?),
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
