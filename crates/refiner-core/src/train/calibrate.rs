//! Probability calibration (Platt) and per-profile thresholds from held-out data.

use super::Dataset;
use crate::decision::ROUTES;
use crate::eval::threshold_at_rate;
use crate::model::{HeadThresholds, N_HEADS};
use crate::policy::Profile;
use ndarray::Array2;

/// Never deny below this calibrated probability of a threat, whatever the target rate allows:
/// a threshold fitted on a clean validation set would otherwise sit too low for unseen traffic.
pub const DENY_FLOOR: f32 = 0.5;
/// Never challenge below this probability.
pub const CHALLENGE_FLOOR: f32 = 0.2;
/// A route's own legitimate samples set its thresholds only when this many of them are expected
/// above the deny threshold; fewer and the rate cannot be estimated, so all legitimate samples are used.
const MIN_EXPECTED_FALSE_POSITIVES: f64 = 10.0;

/// Fits p = σ(a·logit + b) by Newton's method on the log-loss, with Platt's smoothed targets
/// (which keep a separable head from collapsing to 0/1 probabilities).
pub fn fit_platt(logits: &[f32], labels: &[bool]) -> [f32; 2] {
    let pos = labels.iter().filter(|&&y| y).count() as f64;
    let neg = labels.len() as f64 - pos;
    let (t_pos, t_neg) = ((pos + 1.0) / (pos + 2.0), 1.0 / (neg + 2.0));
    let (mut a, mut b) = (1.0f64, 0.0f64);
    for _ in 0..100 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-9, 0.0, 1e-9);
        for (&l, &y) in logits.iter().zip(labels) {
            let l = f64::from(l);
            let p = 1.0 / (1.0 + (-(a * l + b)).exp());
            let d = p - if y { t_pos } else { t_neg };
            let w = (p * (1.0 - p)).max(1e-12);
            ga += d * l;
            gb += d;
            haa += w * l * l;
            hab += w * l;
            hbb += w;
        }
        let det = haa * hbb - hab * hab;
        if det.abs() < 1e-18 {
            break;
        }
        let (da, db) = ((hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det);
        a -= da;
        b -= db;
        if da.abs() < 1e-9 && db.abs() < 1e-9 {
            break;
        }
    }
    [a as f32, b as f32]
}

/// Thresholds per profile at its target false-positive rates on the legitimate rows of `rows`
/// (its own route's when there are enough), the budget split evenly across heads.
pub fn profile_thresholds(data: &Dataset, rows: &[usize], probs: &Array2<f32>) -> Vec<(Profile, HeadThresholds)> {
    Profile::ALL
        .iter()
        .map(|&profile| {
            let legit_of = |route: Option<u8>| -> Vec<usize> {
                (0..rows.len()).filter(|&r| data.is_legit(rows[r]) && route.is_none_or(|c| data.routes[rows[r]] == c)).collect()
            };
            let route_code = profile.route().and_then(|r| ROUTES.iter().position(|x| *x == r)).map(|c| c as u8);
            let (deny_rate, challenge_rate) = profile.target_fpr();
            let mut legit = legit_of(route_code);
            if (legit.len() as f64) * deny_rate / (N_HEADS as f64) < MIN_EXPECTED_FALSE_POSITIVES {
                legit = legit_of(None);
            }
            let head = |k: usize, rate: f64, floor: f32| {
                let scores: Vec<f32> = legit.iter().map(|&r| probs[[r, k]]).collect();
                threshold_at_rate(&scores, rate / N_HEADS as f64).max(floor)
            };
            let deny: [f32; N_HEADS] = std::array::from_fn(|k| head(k, deny_rate, DENY_FLOOR));
            let challenge = std::array::from_fn(|k| head(k, challenge_rate, CHALLENGE_FLOOR).min(deny[k]));
            (profile, HeadThresholds { challenge, deny })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platt_recovers_a_known_scaling() {
        // Labels drawn so that P(y) = σ(2·l − 1) exactly in expectation, on a grid.
        let mut logits = Vec::new();
        let mut labels = Vec::new();
        for i in 0..200 {
            let l = i as f32 / 25.0 - 4.0;
            let p = 1.0 / (1.0 + (-(2.0 * l - 1.0)).exp());
            let positives = (p * 10.0).round() as usize;
            for j in 0..10 {
                logits.push(l);
                labels.push(j < positives);
            }
        }
        let [a, b] = fit_platt(&logits, &labels);
        assert!((a - 2.0).abs() < 0.15 && (b + 1.0).abs() < 0.15, "a={a} b={b}");
    }
}
