//! The `.rfm` model file: little-endian, versioned, checksummed.
//!
//! ```text
//! magic "RFMODEL\0" · u32 format version · u64 feature-schema hash
//! u32 inputs · u32 hidden · u32 heads
//! f32[inputs] lo · f32[inputs] hi · f32[inputs] mean · f32[inputs] 1/std
//! f32[hidden·inputs] W1 · f32[hidden] b1 · f32[heads·hidden] W2 · f32[heads·inputs] V · f32[heads] b2
//! f32[heads·2] Platt (a, b)
//! u32 profiles · per profile: u8 name length, name, f32[heads] challenge, f32[heads] deny
//! u32 metadata length · metadata JSON
//! u32 CRC-32 of everything before it
//! ```
//! Every size is checked against the schema and bounds before anything is allocated, so a
//! hostile header cannot make the reader allocate more than the file's own length; the weights
//! must then keep every promise of [`super::structure`].

use super::{structure, HeadThresholds, Model, Weights, N_HEADS};
use crate::error::{RefinerError, Result};
use crate::features::{schema_hash, N_FEATURES};
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

pub const MAGIC: &[u8; 8] = b"RFMODEL\0";
pub const FORMAT_VERSION: u32 = 2;
/// Largest hidden layer a file may declare.
pub const MAX_HIDDEN: usize = 1024;
const MAX_PROFILES: usize = 64;
const MAX_META: usize = 1 << 20;

/// Free-form facts about how a model was made, stored as JSON in the file.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct ModelMeta {
    pub name: String,
    pub seed: u64,
    pub train_samples: usize,
    pub validation_samples: usize,
    pub epochs: usize,
    pub corpus: String,
    /// Validation metrics by name (AUC per head, loss…).
    pub metrics: std::collections::BTreeMap<String, f64>,
}

fn bad(msg: impl Into<String>) -> RefinerError {
    RefinerError::ModelFormat(msg.into())
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len()).ok_or_else(|| {
            bad(format!("truncated: {what} needs {n} bytes at offset {} but the file has {}", self.pos, self.buf.len()))
        })?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self, what: &str) -> Result<u8> {
        Ok(self.take(1, what)?[0])
    }
    fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4, what)?.try_into().expect("4 bytes")))
    }
    fn u64(&mut self, what: &str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take(8, what)?.try_into().expect("8 bytes")))
    }
    fn f32s(&mut self, n: usize, what: &str) -> Result<Vec<f32>> {
        let bytes = self.take(n.checked_mul(4).ok_or_else(|| bad(format!("{what}: size overflow")))?, what)?;
        let v: Vec<f32> = bytes.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes"))).collect();
        if let Some(i) = v.iter().position(|x| !x.is_finite()) {
            return Err(bad(format!("{what}[{i}] is not a finite number")));
        }
        Ok(v)
    }
}

impl Model {
    pub(super) fn version_of(&self, bytes: &[u8]) -> String {
        let crc = u32::from_le_bytes(bytes[bytes.len() - 4..].try_into().expect("crc"));
        format!("{}@{crc:08x}", if self.meta.name.is_empty() { "model" } else { &self.meta.name })
    }

    /// Serializes the model (the inverse of [`Model::from_bytes`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&schema_hash().to_le_bytes());
        for n in [N_FEATURES, self.hidden_size(), N_HEADS] {
            out.extend_from_slice(&(n as u32).to_le_bytes());
        }
        let mut put = |xs: &mut dyn Iterator<Item = f32>| xs.for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
        let w = &self.w;
        for a in [&w.lo, &w.hi, &w.mean, &w.inv_std] {
            put(&mut a.iter().copied());
        }
        put(&mut w.w1.iter().copied());
        put(&mut w.b1.iter().copied());
        put(&mut w.w2.iter().copied());
        put(&mut w.v.iter().copied());
        put(&mut w.b2.iter().copied());
        put(&mut self.calibration.iter().flatten().copied());
        out.extend_from_slice(&(self.thresholds.len() as u32).to_le_bytes());
        for (name, t) in &self.thresholds {
            out.push(name.len() as u8);
            out.extend_from_slice(name.as_bytes());
            for x in t.challenge.iter().chain(&t.deny) {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
        let meta = serde_json::to_vec(&self.meta).expect("metadata serializes");
        out.extend_from_slice(&(meta.len() as u32).to_le_bytes());
        out.extend_from_slice(&meta);
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// Parses and validates a model file; every failure names what was wrong.
    pub fn from_bytes(buf: &[u8]) -> Result<Model> {
        if buf.len() < MAGIC.len() || &buf[..MAGIC.len()] != MAGIC {
            return Err(bad("not a request-refiner model (wrong magic bytes)"));
        }
        if buf.len() < MAGIC.len() + 4 + 4 {
            return Err(bad(format!("truncated: {} bytes", buf.len())));
        }
        let (body, crc) = buf.split_at(buf.len() - 4);
        let stored = u32::from_le_bytes(crc.try_into().expect("4 bytes"));
        let computed = crc32fast::hash(body);
        let mut r = Reader { buf: body, pos: MAGIC.len() };
        let version = r.u32("format version")?;
        if version != FORMAT_VERSION {
            return Err(bad(format!("format version {version} is not supported (this build reads version {FORMAT_VERSION})")));
        }
        if stored != computed {
            return Err(RefinerError::Checksum { stored, computed });
        }
        let found = r.u64("schema hash")?;
        if found != schema_hash() {
            return Err(RefinerError::SchemaMismatch { expected: schema_hash(), found });
        }
        let inputs = r.u32("input count")? as usize;
        let hidden = r.u32("hidden size")? as usize;
        let heads = r.u32("head count")? as usize;
        if inputs != N_FEATURES {
            return Err(bad(format!("model has {inputs} inputs but the schema has {N_FEATURES} features")));
        }
        if hidden == 0 || hidden > MAX_HIDDEN {
            return Err(bad(format!("hidden size {hidden} is outside 1..={MAX_HIDDEN}")));
        }
        if heads != N_HEADS {
            return Err(bad(format!("model has {heads} heads but this build scores {N_HEADS} threats")));
        }
        let w = Weights {
            lo: Array1::from(r.f32s(inputs, "lo")?),
            hi: Array1::from(r.f32s(inputs, "hi")?),
            mean: Array1::from(r.f32s(inputs, "mean")?),
            inv_std: Array1::from(r.f32s(inputs, "1/std")?),
            w1: Array2::from_shape_vec((hidden, inputs), r.f32s(hidden * inputs, "W1")?).expect("shape checked"),
            b1: Array1::from(r.f32s(hidden, "b1")?),
            w2: Array2::from_shape_vec((heads, hidden), r.f32s(heads * hidden, "W2")?).expect("shape checked"),
            v: Array2::from_shape_vec((heads, inputs), r.f32s(heads * inputs, "V")?).expect("shape checked"),
            b2: Array1::from(r.f32s(heads, "b2")?),
        };
        let cal = r.f32s(heads * 2, "calibration")?;
        let calibration = std::array::from_fn(|k| [cal[2 * k], cal[2 * k + 1]]);
        let n_profiles = r.u32("profile count")? as usize;
        if n_profiles > MAX_PROFILES {
            return Err(bad(format!("{n_profiles} profiles is more than {MAX_PROFILES}")));
        }
        let mut thresholds = Vec::with_capacity(n_profiles);
        for _ in 0..n_profiles {
            let len = r.u8("profile name length")? as usize;
            let name = std::str::from_utf8(r.take(len, "profile name")?).map_err(|_| bad("profile name is not UTF-8"))?.to_owned();
            let t = r.f32s(2 * heads, "thresholds")?;
            let t = HeadThresholds { challenge: std::array::from_fn(|k| t[k]), deny: std::array::from_fn(|k| t[heads + k]) };
            for k in 0..heads {
                if !(0.0..=1.0).contains(&t.challenge[k]) || !(0.0..=1.0).contains(&t.deny[k]) || t.challenge[k] > t.deny[k] {
                    return Err(bad(format!("profile {name}: thresholds must satisfy 0 ≤ challenge ≤ deny ≤ 1")));
                }
            }
            thresholds.push((name, t));
        }
        let meta_len = r.u32("metadata length")? as usize;
        if meta_len > MAX_META {
            return Err(bad(format!("metadata of {meta_len} bytes is more than {MAX_META}")));
        }
        let meta: ModelMeta = serde_json::from_slice(r.take(meta_len, "metadata")?).map_err(|e| bad(format!("metadata: {e}")))?;
        if r.pos != body.len() {
            return Err(bad(format!("{} unexpected bytes after the metadata", body.len() - r.pos)));
        }
        if w.inv_std.iter().any(|&s| s <= 0.0) {
            return Err(bad("1/std must be positive"));
        }
        structure::check(&w, &calibration)?;
        // The version of the bytes as read (their checksum), whatever writing them again would give.
        let mut m = Model::from_parts(w, calibration, thresholds, meta);
        m.version = m.version_of(buf);
        Ok(m)
    }

    /// Reads a model file; refuses anything but a regular file (no FIFOs or devices).
    pub fn load(path: &std::path::Path) -> Result<Model> {
        let io = |source| RefinerError::Io { path: path.display().to_string(), source };
        let md = std::fs::metadata(path).map_err(io)?;
        if !md.is_file() {
            return Err(bad(format!("{} is not a regular file", path.display())));
        }
        Model::from_bytes(&std::fs::read(path).map_err(io)?)
    }

    /// Writes the model file.
    pub fn save(&self, path: &std::path::Path) -> Result<()> {
        std::fs::write(path, self.to_bytes()).map_err(|source| RefinerError::Io { path: path.display().to_string(), source })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::tiny_model;
    use super::*;

    #[test]
    fn round_trips() {
        let m = tiny_model();
        let bytes = m.to_bytes();
        let back = Model::from_bytes(&bytes).unwrap();
        assert_eq!(back.to_bytes(), bytes);
        assert_eq!(back.version(), m.version());
        assert_eq!(back.meta.name, "tiny");
    }

    #[test]
    fn every_truncation_is_an_error() {
        let bytes = tiny_model().to_bytes();
        for n in 0..bytes.len() {
            assert!(Model::from_bytes(&bytes[..n]).is_err(), "truncated at {n} was accepted");
        }
    }

    #[test]
    fn every_bit_flip_is_an_error() {
        let bytes = tiny_model().to_bytes();
        for i in (0..bytes.len()).step_by(7) {
            let mut b = bytes.clone();
            b[i] ^= 0x10;
            assert!(Model::from_bytes(&b).is_err(), "flip at {i} was accepted");
        }
    }

    /// Rewrites the checksum so the test reaches the check after it.
    fn resealed(mut b: Vec<u8>) -> Vec<u8> {
        let n = b.len() - 4;
        let crc = crc32fast::hash(&b[..n]);
        b[n..].copy_from_slice(&crc.to_le_bytes());
        b
    }

    #[test]
    fn clear_errors_for_wrong_schema_shape_and_values() {
        let bytes = tiny_model().to_bytes();
        let mut wrong_schema = bytes.clone();
        wrong_schema[12] ^= 1;
        let e = Model::from_bytes(&resealed(wrong_schema)).unwrap_err().to_string();
        assert!(e.contains("feature schema"), "{e}");

        let mut bomb = bytes.clone();
        bomb[24..28].copy_from_slice(&u32::MAX.to_le_bytes());
        let e = Model::from_bytes(&resealed(bomb)).unwrap_err().to_string();
        assert!(e.contains("hidden size"), "{e}");

        let mut nan = bytes.clone();
        nan[32..36].copy_from_slice(&f32::NAN.to_le_bytes());
        let e = Model::from_bytes(&resealed(nan)).unwrap_err().to_string();
        assert!(e.contains("not a finite number"), "{e}");

        let e = Model::from_bytes(b"GIF89a..........").unwrap_err().to_string();
        assert!(e.contains("magic"), "{e}");
        let mut v1 = bytes.clone();
        v1[8] = 1;
        assert!(Model::from_bytes(&v1).unwrap_err().to_string().contains("format version 1"));

        // A weight that breaks a structural promise, under a valid checksum.
        let m = tiny_model();
        let mut w = m.w.clone();
        w.w2[[0, 0]] = -1.0;
        let broken = Model::from_parts(w, m.calibration, m.thresholds.clone(), m.meta.clone()).to_bytes();
        let e = Model::from_bytes(&broken).unwrap_err().to_string();
        assert!(e.contains("output weight -1"), "{e}");
    }
}
