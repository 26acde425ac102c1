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

/// Thresholds per profile at its target false-positive rates (see [`thresholds_at`]).
pub fn profile_thresholds(data: &Dataset, rows: &[usize], probs: &Array2<f32>) -> Vec<(Profile, HeadThresholds)> {
    Profile::ALL.iter().map(|&p| (p, thresholds_at(data, rows, probs, p, p.target_fpr()))).collect()
}

/// Thresholds for `profile` that let through at most (deny, challenge) rates of the legitimate
/// rows of `rows` (its own route's when there are enough), the budget split evenly across heads,
/// never below the floors. `probs` holds one row of calibrated scores per entry of `rows`.
pub fn thresholds_at(data: &Dataset, rows: &[usize], probs: &Array2<f32>, profile: Profile, (deny_rate, challenge_rate): (f64, f64)) -> HeadThresholds {
    let legit_of = |route: Option<u8>| -> Vec<usize> {
        (0..rows.len()).filter(|&r| data.is_legit(rows[r]) && route.is_none_or(|c| data.routes[rows[r]] == c)).collect()
    };
    let route_code = profile.route().and_then(|r| ROUTES.iter().position(|x| *x == r)).map(|c| c as u8);
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
    HeadThresholds { challenge, deny }
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

    /// Legitimate scores from one distribution: thresholds fitted on one draw hold their target
    /// false-positive rate on another draw, within sampling error.
    #[test]
    fn thresholds_hit_the_target_rate_on_held_out_data() {
        use rand::{Rng, SeedableRng};
        let draw = |seed: u64, n: usize| {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            // Skewed toward 0 like a model's scores on legitimate traffic.
            Array2::from_shape_fn((n, N_HEADS), |_| rng.random::<f32>().powi(3))
        };
        let n = 200_000;
        let data = Dataset { x: Array2::zeros((n, 1)), y: Array2::zeros((n, N_HEADS)), routes: vec![0; n], rules_conclusion: vec![0; n], scenarios: vec![String::new(); n] };
        let rows: Vec<usize> = (0..n).collect();
        let target = (0.01, 0.05);
        let t = thresholds_at(&data, &rows, &draw(1, n), Profile::Default, target);
        let held_out = draw(2, n);
        let rate = |th: &[f32; N_HEADS]| (0..n).filter(|&i| (0..N_HEADS).any(|k| held_out[[i, k]] >= th[k])).count() as f64 / n as f64;
        let (deny, challenge) = (rate(&t.deny), rate(&t.challenge));
        assert!((deny - target.0).abs() < 0.0015, "deny rate {deny}");
        assert!((challenge - target.1).abs() < 0.004, "challenge rate {challenge}");
    }
}
