//! `refiner`: train and inspect request-refiner models from Rust (the JS CLI wraps the same core).

use clap::{Parser, Subcommand};
use refiner_core::model::{Model, Threat};
use refiner_core::train::{load_corpus, train, TrainParams};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "refiner", version, about = "Train and inspect request-refiner models")]
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
        #[arg(long, default_value_t = 7)]
        seed: u64,
        #[arg(long, default_value = "model")]
        name: String,
        #[arg(long, default_value_t = 32)]
        hidden: usize,
        #[arg(long, default_value_t = 30)]
        max_epochs: usize,
        /// Count and skip malformed lines instead of stopping at the first.
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
            let (data, skipped) = load_corpus(&corpus, skip_bad)?;
            if skipped > 0 {
                eprintln!("skipped {skipped} malformed lines");
            }
            let corpus_name = corpus.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            let params = TrainParams { seed, name, hidden, max_epochs, corpus: corpus_name, ..Default::default() };
            let started = std::time::Instant::now();
            let model = train(&data, &params)?;
            model.save(&out)?;
            eprintln!("trained {} on {} samples in {:.1?}: {} ({} bytes)", model.version(), data.len(), started.elapsed(), out.display(), model.to_bytes().len());
            print_metrics(&model);
        }
        Command::Inspect { model } => {
            let m = Model::load(&model)?;
            println!("version       {}", m.version());
            println!("format        {}", refiner_core::model::FORMAT_VERSION);
            println!("schema        {:016x} ({} features)", refiner_core::features::schema_hash(), refiner_core::features::N_FEATURES);
            println!("hidden        {}", m.hidden_size());
            println!("trained       seed {} on {} ({} train / {} held out), {} epochs", m.meta.seed, m.meta.corpus, m.meta.train_samples, m.meta.validation_samples, m.meta.epochs);
            print_metrics(&m);
        }
    }
    Ok(())
}

fn print_metrics(m: &Model) {
    for (k, v) in &m.meta.metrics {
        println!("metric        {k} = {v:.4}");
    }
    let heads: Vec<_> = Threat::ALL.iter().map(|t| t.name()).collect();
    println!("thresholds    (challenge / deny for {})", heads.join(", "));
    for p in m.profiles() {
        let t = m.thresholds(p).expect("listed profile");
        let pairs: Vec<_> = (0..heads.len()).map(|k| format!("{:.3}/{:.3}", t.challenge[k], t.deny[k])).collect();
        println!("  {p:<10}  {}", pairs.join("  "));
    }
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
