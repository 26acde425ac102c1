//! The command line of `refiner` (crates/refiner-cli) and `npx request-refiner` (the addon), from
//! one clap declaration: both parse the same arguments, print the same help and run the same
//! commands.

use crate::commands::{calibrate_command, eval_command, export_command, inspect_command, train_command};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use refiner_core::train::{Progress, TrainParams};
use std::path::PathBuf;

/// The command line of `refiner` and `npx request-refiner`, declared once.
#[derive(Parser)]
#[command(version, about = "Train, evaluate, calibrate and inspect request-refiner models (corpus format: docs/DATA.md)")]
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
        /// Hidden units of each threat's head.
        #[arg(long, default_value_t = TrainParams::default().hidden_per_head)]
        hidden_per_head: usize,
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
        /// Of the legitimate requests that carry evidence of a threat, the share that threat may deny.
        #[arg(long)]
        target_fpr: f64,
        /// The share it may challenge (default: 5× the deny rate, at most 0.5).
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
        Command::Train { corpus, out, seed, name, hidden_per_head, max_epochs, skip_bad } => {
            let params = TrainParams { seed, name, hidden_per_head, max_epochs, ..Default::default() };
            print!("{}", train_command(&corpus, &out, params, skip_bad, &Bar::new())?);
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

/// Training's progress bar on stderr (hidden when stderr is not a terminal).
struct Bar(ProgressBar);

impl Bar {
    fn new() -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(ProgressStyle::with_template("training {bar:40} {pos}/{len} batches, {elapsed}").expect("static template"));
        Self(bar)
    }
}

impl Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }
    fn advance(&self, steps: u64) {
        self.0.inc(steps);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// Parses `args` (the program name first) and runs the command; returns the exit code: 0, 1 when
/// the command failed, 2 for a usage error (after printing clap's message).
pub fn main(name: &'static str, args: impl IntoIterator<Item = String>) -> i32 {
    let cli = match Cli::command_for(name).try_get_matches_from(args).and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m)) {
        Ok(cli) => cli,
        Err(e) => {
            let code = e.exit_code();
            let _ = e.print();
            return code;
        }
    };
    match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{name}: {e}");
            1
        }
    }
}

impl Cli {
    fn command_for(name: &'static str) -> clap::Command {
        <Cli as clap::CommandFactory>::command().name(name).bin_name(name)
    }
}
