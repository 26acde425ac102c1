//! Labeled corpora: one JSON object per line, in time order (format in docs/DATA.md).
//!
//! `{"at": ms, "decision": …, "request": …, "context": …, "labels": {"bot": bool, "attack": bool, "abuse": bool}, "scenario": "…", "source": "…"}`
//! and outcome events `{"at": ms, "event": "login_failed", "request": …, "context": …}`.
//! The lines are replayed through a behavioral memory as production would have seen them, so the
//! memory features of each sample are what was known when it arrived. A line without `at` is
//! taken as one second after the previous one.
//! A bad line is an error naming its line number, unless the caller asks to skip and count them.

use crate::decision::{Coded, OwnedInput, RawInput};
use crate::error::{RefinerError, Result};
use crate::features::{extract_into, FeatureVector, Scratch, FEATURES, N_FEATURES};
use crate::memory::{Event, KeyHasher, Memory, Snapshot, DEFAULT_MAX_BYTES};
use crate::model::{Threat, N_HEADS};
use crate::policy::RulesView;
use ndarray::Array2;
use rayon::prelude::*;
use serde_json::Value;
use std::fmt::Write as _;
use std::io::{BufRead, Write};

/// Feature matrix and labels of a corpus, plus what the policy and evaluation need per row.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    /// Rows × features, transformed values.
    pub x: Array2<f32>,
    /// Rows × features, raw values (what the policy reads).
    pub raw: Array2<f32>,
    /// Rows × heads, 0/1.
    pub y: Array2<f32>,
    /// `context.route` code per row.
    pub routes: Vec<u8>,
    /// What the rules said, per row.
    pub rules: Vec<RulesView>,
    pub scenarios: Vec<String>,
    /// Where a row's material came from (a payload list, a client capture…), for held-out reports.
    pub sources: Vec<String>,
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.x.nrows()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// True when the row is labeled with no threat.
    pub fn is_legit(&self, row: usize) -> bool {
        self.y.row(row).iter().all(|&v| v == 0.0)
    }

    /// Row `i`'s raw feature values, as the policy reads them.
    pub fn raw_row(&self, i: usize) -> [f64; N_FEATURES] {
        std::array::from_fn(|j| f64::from(self.raw[[i, j]]))
    }

    /// Writes the feature matrix as CSV (header from the schema), then the labels, the route
    /// and the rules' conclusion codes: what another learner needs to be compared on the same inputs.
    pub fn write_csv(&self, mut w: impl Write) -> std::io::Result<()> {
        let mut header: Vec<String> = FEATURES.iter().map(|f| f.name.to_string()).collect();
        header.extend(Threat::ALL.iter().map(|t| format!("label_{}", t.name())));
        header.extend(["route".to_string(), "rules_conclusion".to_string()]);
        writeln!(w, "{}", header.join(","))?;
        for i in 0..self.len() {
            let mut line = String::with_capacity(16 * N_FEATURES);
            for v in self.x.row(i).iter().chain(self.y.row(i).iter()) {
                write!(line, "{v},").expect("writing to a String");
            }
            writeln!(w, "{line}{},{}", self.routes[i], self.rules[i].conclusion.map_or(0.0, |c| c.code()))?;
        }
        Ok(())
    }
}

struct Row {
    features: FeatureVector,
    labels: [f32; N_HEADS],
    route: u8,
    rules: RulesView,
    scenario: String,
    source: String,
}

/// One line: a labeled sample, or an outcome the app reported.
enum Line {
    Sample { input: OwnedInput, labels: [f32; N_HEADS], scenario: String, source: String },
    Event { input: OwnedInput, event: Event },
}

fn parse_line(line: &str, number: usize) -> Result<Line> {
    let err = |message: String| RefinerError::Corpus { line: number, message };
    let v: Value = serde_json::from_str(line).map_err(|e| err(format!("invalid JSON: {e}")))?;
    let input = RawInput::from_json(&v).map_err(|e| err(e.to_string()))?;
    match v.get("event") {
        None | Some(Value::Null) => {}
        Some(Value::String(name)) => {
            let event = Event::parse(name).ok_or_else(|| err(format!("event must be one of {}", crate::memory::EVENTS.join(", "))))?;
            return Ok(Line::Event { input, event });
        }
        Some(_) => return Err(err("event must be a string".into())),
    }
    let labels_obj = v.get("labels").and_then(Value::as_object).ok_or_else(|| err("labels must be an object".into()))?;
    let mut labels = [0f32; N_HEADS];
    for (k, t) in Threat::ALL.iter().enumerate() {
        labels[k] = match labels_obj.get(t.name()) {
            Some(Value::Bool(b)) => f32::from(u8::from(*b)),
            _ => return Err(err(format!("labels.{} must be a boolean", t.name()))),
        };
    }
    let text = |key: &str| match v.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(err(format!("{key} must be a string"))),
    };
    Ok(Line::Sample { input, labels, scenario: text("scenario")?, source: text("source")? })
}

fn row(input: &OwnedInput, memory: &Snapshot, labels: [f32; N_HEADS], scenario: String, source: String, scratch: &mut Scratch) -> Row {
    let view = input.view();
    let mut features = FeatureVector::default();
    extract_into(&view, memory, scratch, &mut features);
    Row { features, labels, route: view.route() as u8, rules: RulesView::of(&view), scenario, source }
}

/// Replays lines through memory in order, as production records them.
struct Replay {
    memory: Memory,
    /// Unix seconds of the previous line.
    clock: f64,
}

impl Replay {
    fn new() -> Self {
        // Training sees what production's default memory would hold; the key only needs to be fixed.
        Self { memory: Memory::new(DEFAULT_MAX_BYTES, KeyHasher::from_secret(b"request-refiner corpus")).expect("default budget is valid"), clock: 1.7e9 }
    }

    fn record(&mut self, input: &OwnedInput, event: Option<Event>) -> Snapshot {
        let view = input.view();
        self.clock = view.at_s().unwrap_or(self.clock + 1.0);
        let event = event.unwrap_or_else(|| Event::request(&view));
        self.memory.record(&self.memory.hasher().keys(&view), self.clock, event)
    }
}

/// Lines parsed per parallel chunk: bounds memory while keeping both cores busy.
const CHUNK_LINES: usize = 20_000;

/// Reads a corpus. With `skip_bad`, bad lines are counted (second value) instead of failing.
pub fn read_corpus(reader: impl BufRead, skip_bad: bool) -> Result<(Dataset, usize)> {
    let mut rows: Vec<Row> = Vec::new();
    let mut skipped = 0;
    let mut replay = Replay::new();
    let mut lines = reader.lines().enumerate();
    loop {
        let mut chunk = Vec::with_capacity(CHUNK_LINES);
        for (i, line) in lines.by_ref().take(CHUNK_LINES) {
            let line = line.map_err(|e| RefinerError::Corpus { line: i + 1, message: e.to_string() })?;
            if !line.trim().is_empty() {
                chunk.push((i + 1, line));
            }
        }
        if chunk.is_empty() {
            break;
        }
        // Parsing and feature extraction run in parallel; memory is replayed in line order between them.
        let parsed: Vec<Result<Line>> = chunk.par_iter().map(|(n, l)| parse_line(l, *n)).collect();
        let mut samples = Vec::with_capacity(parsed.len());
        for line in parsed {
            match line {
                Ok(Line::Event { input, event }) => {
                    replay.record(&input, Some(event));
                }
                Ok(Line::Sample { input, labels, scenario, source }) => {
                    let memory = replay.record(&input, None);
                    samples.push((input, memory, labels, scenario, source));
                }
                Err(_) if skip_bad => skipped += 1,
                Err(e) => return Err(e),
            }
        }
        rows.par_extend(samples.into_par_iter().map_init(Scratch::default, |scratch, (input, memory, labels, scenario, source)| row(&input, &memory, labels, scenario, source, scratch)));
    }
    let n = rows.len();
    let mut ds = Dataset { x: Array2::zeros((n, N_FEATURES)), raw: Array2::zeros((n, N_FEATURES)), y: Array2::zeros((n, N_HEADS)), ..Default::default() };
    for (i, row) in rows.into_iter().enumerate() {
        ds.x.row_mut(i).assign(&ndarray::ArrayView1::from(&row.features.values));
        ds.raw.row_mut(i).iter_mut().zip(row.features.raw).for_each(|(d, r)| *d = r as f32);
        ds.y.row_mut(i).assign(&ndarray::ArrayView1::from(&row.labels));
        ds.routes.push(row.route);
        ds.rules.push(row.rules);
        ds.scenarios.push(row.scenario);
        ds.sources.push(row.source);
    }
    Ok((ds, skipped))
}

/// Reads a corpus file (see [`read_corpus`]).
pub fn load_corpus(path: &std::path::Path, skip_bad: bool) -> Result<(Dataset, usize)> {
    let f = std::fs::File::open(path).map_err(|source| RefinerError::Io { path: path.display().to_string(), source })?;
    read_corpus(std::io::BufReader::new(f), skip_bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"request":{"headers":{"user-agent":"curl/8"}},"labels":{"bot":true,"attack":false,"abuse":false},"scenario":"tool"}"#;

    #[test]
    fn bad_lines_name_their_number() {
        let cases = [
            ("{not json", "corpus line 2: invalid JSON"),
            (r#"{"labels":{"bot":true,"attack":false}}"#, "corpus line 2: labels.abuse must be a boolean"),
            (r#"{"labels":{"bot":1,"attack":false,"abuse":false}}"#, "corpus line 2: labels.bot must be a boolean"),
            (r#"{"context":{"cartValue":"9"},"labels":{"bot":false,"attack":false,"abuse":false}}"#, "corpus line 2: context.cartValue must be"),
            (r#"{"decision":{}}"#, "corpus line 2: labels must be an object"),
            (r#"{"event":"logged_in"}"#, "corpus line 2: event must be one of login_failed,"),
            (r#"{"at":-3,"labels":{"bot":true,"attack":false,"abuse":false}}"#, "corpus line 2: at must be a time"),
        ];
        for (bad, msg) in cases {
            let text = format!("{GOOD}\n{bad}\n{GOOD}\n");
            let e = read_corpus(text.as_bytes(), false).unwrap_err().to_string();
            assert!(e.starts_with(msg), "{e}");
            let (ds, skipped) = read_corpus(text.as_bytes(), true).unwrap();
            assert_eq!((ds.len(), skipped), (2, 1));
        }
    }

    #[test]
    fn memory_features_replay_the_lines_in_order() {
        let idx = |name: &str| FEATURES.iter().position(|f| f.name == name).unwrap();
        let sample = |at: u64| format!(r#"{{"at":{at},"request":{{"ip":"203.0.113.9"}},"context":{{"accountId":"u1"}},"labels":{{"bot":false,"attack":false,"abuse":false}}}}"#);
        let event = r#"{"at":1764000001000,"event":"login_failed","request":{"ip":"203.0.113.9"}}"#;
        let text = [sample(1_764_000_000_000), event.to_string(), sample(1_764_000_002_000), sample(1_764_003_600_000)].join("\n");
        let (ds, _) = read_corpus(text.as_bytes(), false).unwrap();
        assert_eq!(ds.len(), 3, "events are recorded, not samples");
        let at = |row: usize, name: &str| ds.raw[[row, idx(name)]];
        assert_eq!(at(0, "memory.ip_requests_1m"), 0.0);
        assert!((at(1, "memory.ip_requests_1m") - 1.0).abs() < 0.1, "the first request, two seconds before");
        assert!((at(1, "memory.login_failures") - 1.0).abs() < 0.01);
        assert!(at(2, "memory.ip_requests_1m") < 0.01, "an hour later the minute's count is gone");
        assert!(at(2, "memory.ip_requests_1h") > 0.5, "but not the hour's");
    }

    #[test]
    fn reads_labels_and_scenarios() {
        let (ds, _) = read_corpus(format!("{GOOD}\n\n{GOOD}").as_bytes(), false).unwrap();
        assert_eq!(ds.len(), 2);
        assert_eq!(ds.y.row(0).to_vec(), vec![1.0, 0.0, 0.0]);
        assert_eq!(ds.scenarios[1], "tool");
        assert_eq!(ds.sources[1], "");
        assert!(!ds.is_legit(0));
        let mut csv = Vec::new();
        ds.write_csv(&mut csv).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        let columns = N_FEATURES + N_HEADS + 2;
        assert!(lines.iter().all(|l| l.split(',').count() == columns), "{csv}");
        assert!(lines[0].ends_with("label_bot,label_attack,label_abuse,route,rules_conclusion"));
    }
}
