//! Labeled corpora: one JSON object per line (format in docs/DATA.md).
//!
//! `{"decision": …, "request": …, "context": …, "labels": {"bot": bool, "attack": bool, "abuse": bool}, "scenario": "…"}`
//! A bad line is an error naming its line number, unless the caller asks to skip and count them.

use crate::decision::{RawInput, Slot};
use crate::error::{RefinerError, Result};
use crate::features::{extract_into, FeatureVector, Scratch, FEATURES, N_FEATURES};
use crate::model::{Threat, N_HEADS};
use ndarray::Array2;
use rayon::prelude::*;
use serde_json::Value;
use std::fmt::Write as _;
use std::io::{BufRead, Write};

/// Feature matrix and labels of a corpus, plus what evaluation needs per row.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    /// Rows × features, transformed values.
    pub x: Array2<f32>,
    /// Rows × heads, 0/1.
    pub y: Array2<f32>,
    /// `context.route` code per row.
    pub routes: Vec<u8>,
    /// The rules' conclusion code per row.
    pub rules_conclusion: Vec<u8>,
    pub scenarios: Vec<String>,
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
            writeln!(w, "{line}{},{}", self.routes[i], self.rules_conclusion[i])?;
        }
        Ok(())
    }
}

struct Row {
    features: [f32; N_FEATURES],
    labels: [f32; N_HEADS],
    route: u8,
    rules: u8,
    scenario: String,
}

fn parse_line(line: &str, number: usize, scratch: &mut Scratch) -> Result<Row> {
    let err = |message: String| RefinerError::Corpus { line: number, message };
    let v: Value = serde_json::from_str(line).map_err(|e| err(format!("invalid JSON: {e}")))?;
    let input = RawInput::from_json(&v).map_err(|e| err(e.to_string()))?;
    let labels_obj = v.get("labels").and_then(Value::as_object).ok_or_else(|| err("labels must be an object".into()))?;
    let mut labels = [0f32; N_HEADS];
    for (k, t) in Threat::ALL.iter().enumerate() {
        labels[k] = match labels_obj.get(t.name()) {
            Some(Value::Bool(b)) => f32::from(u8::from(*b)),
            _ => return Err(err(format!("labels.{} must be a boolean", t.name()))),
        };
    }
    let scenario = match v.get("scenario") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(err("scenario must be a string".into())),
    };
    let view = input.view();
    let mut fv = FeatureVector::default();
    extract_into(&view, scratch, &mut fv);
    Ok(Row { features: fv.values, labels, route: view.get(Slot::Route) as u8, rules: view.get(Slot::Conclusion) as u8, scenario })
}

/// Lines parsed per parallel chunk: bounds memory while keeping both cores busy.
const CHUNK_LINES: usize = 20_000;

/// Reads a corpus. With `skip_bad`, bad lines are counted (second value) instead of failing.
pub fn read_corpus(reader: impl BufRead, skip_bad: bool) -> Result<(Dataset, usize)> {
    let mut rows: Vec<Row> = Vec::new();
    let mut skipped = 0;
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
        let parsed: Vec<Result<Row>> = chunk.par_iter().map_init(Scratch::default, |scratch, (n, l)| parse_line(l, *n, scratch)).collect();
        for r in parsed {
            match r {
                Ok(row) => rows.push(row),
                Err(_) if skip_bad => skipped += 1,
                Err(e) => return Err(e),
            }
        }
    }
    let n = rows.len();
    let mut ds = Dataset { x: Array2::zeros((n, N_FEATURES)), y: Array2::zeros((n, N_HEADS)), ..Default::default() };
    for (i, row) in rows.into_iter().enumerate() {
        ds.x.row_mut(i).assign(&ndarray::ArrayView1::from(&row.features));
        ds.y.row_mut(i).assign(&ndarray::ArrayView1::from(&row.labels));
        ds.routes.push(row.route);
        ds.rules_conclusion.push(row.rules);
        ds.scenarios.push(row.scenario);
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
    fn reads_labels_and_scenarios() {
        let (ds, _) = read_corpus(format!("{GOOD}\n\n{GOOD}").as_bytes(), false).unwrap();
        assert_eq!(ds.len(), 2);
        assert_eq!(ds.y.row(0).to_vec(), vec![1.0, 0.0, 0.0]);
        assert_eq!(ds.scenarios[1], "tool");
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
