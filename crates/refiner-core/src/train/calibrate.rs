//! Probability calibration (Platt) and per-profile thresholds from held-out data.

use super::Dataset;
use crate::metrics::threshold_at_rate;
use crate::model::{HeadThresholds, N_HEADS};
use crate::policy::{may_deny, may_escalate, Conclusion, Profile};
use ndarray::Array2;

/// Never deny below this calibrated probability of a threat, whatever the target rate allows:
/// a threshold fitted on a clean validation set would otherwise sit too low for unseen traffic.
pub const DENY_FLOOR: f32 = 0.5;
/// Never challenge below this probability.
pub const CHALLENGE_FLOOR: f32 = 0.2;
/// Legitimate requests with a threat's evidence a route needs to set that threat's thresholds
/// alone; with fewer, every route's are used; with fewer in all, the floors stand.
const MIN_ROWS: usize = 200;

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

/// Thresholds per profile at its target rates (see [`thresholds_at`]).
pub fn profile_thresholds(data: &Dataset, rows: &[usize], probs: &Array2<f32>) -> Vec<(Profile, HeadThresholds)> {
    use strum::VariantArray;
    Profile::VARIANTS.iter().map(|&p| (p, thresholds_at(data, rows, probs, p, p.target_fpr()))).collect()
}

/// Thresholds for `profile`: for each threat, among the legitimate rows of `rows` the rules let
/// through and the policy may escalate on it (they carry its evidence), the score above which only
/// the (deny, challenge) share of them lies, never below the floors. `probs` holds one row of
/// calibrated scores per entry of `rows`. These are the legitimate requests a threshold can turn
/// away; those the rules denied (a support message that tripped the WAF carries the shield's
/// evidence) are judged by the lifting rules instead, and fitting among them would raise every
/// threshold.
///
/// The rows are the profile's own route's when there are enough; else every route's, each with the
/// evidence its own route's profile reads (an API's mobile app on `okhttp` is evidence on no route
/// but the API's, where the api profile does not count it: it is a request no threshold turns
/// away, and counting it would set the others' thresholds by the API's own clients).
pub fn thresholds_at(data: &Dataset, rows: &[usize], probs: &Array2<f32>, profile: Profile, (deny_rate, challenge_rate): (f64, f64)) -> HeadThresholds {
    let own = profile.route() as u8;
    // A deny threshold turns away only requests with evidence that may deny (`may`); a challenge
    // threshold, any with evidence (a user-agent switcher's client hints only challenge).
    let head = |k: usize, rate: f64, floor: f32, may: fn(&[f64; crate::features::N_FEATURES], usize, Profile) -> bool| {
        let with_evidence = |pooled: bool| -> Vec<f32> {
            (0..rows.len())
                .filter(|&r| {
                    let row = rows[r];
                    let route = data.routes[row];
                    data.is_legit(row)
                        && Conclusion::of_rules(data.rules[row].conclusion) == Conclusion::Allow
                        && (pooled || route == own)
                        && may(&data.raw_row(row), k, if route == own { profile } else { profile_of(route) })
                })
                .map(|r| probs[[r, k]])
                .collect()
        };
        let mut scores = with_evidence(false);
        if scores.len() < MIN_ROWS {
            scores = with_evidence(true);
        }
        // Legitimate requests almost never carry this evidence (a confirmed payload): a quantile
        // of a handful of rows would be set by their single oddest one, so the floor stands and
        // the calibrated probability decides.
        if scores.len() < MIN_ROWS { floor } else { threshold_at_rate(&scores, rate).max(floor) }
    };
    let deny: [f32; N_HEADS] = std::array::from_fn(|k| head(k, deny_rate, DENY_FLOOR, may_deny));
    let challenge = std::array::from_fn(|k| head(k, challenge_rate, CHALLENGE_FLOOR, may_escalate).min(deny[k]));
    HeadThresholds { challenge, deny }
}

/// The profile whose thresholds judge a request of this `context.route` code.
fn profile_of(route: u8) -> Profile {
    use strum::VariantArray;
    Profile::VARIANTS.iter().copied().find(|p| p.route() as u8 == route).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{index_of, N_FEATURES};

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

    /// `n` rows of scores per head, skewed toward 0 like a model's on legitimate traffic.
    fn legit_scores(seed: u64, n: usize) -> Array2<f32> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        Array2::from_shape_fn((n, N_HEADS), |_| rng.random::<f32>().powi(3))
    }

    /// The share of `scores`' bot column at or above `threshold`.
    fn bot_rate(scores: &Array2<f32>, threshold: f32) -> f64 {
        scores.column(0).iter().filter(|&&p| p >= threshold).count() as f64 / scores.nrows() as f64
    }

    /// Legitimate scores from one distribution, on rows the rules allowed with bot evidence:
    /// thresholds fitted on one draw hold their target rate on another draw, within sampling
    /// error; rows without evidence, and rows the rules denied, do not move them.
    #[test]
    fn thresholds_hit_the_target_rate_among_rows_with_evidence() {
        use crate::decision::{RuleKind, RulesConclusion};
        use crate::policy::RulesView;
        let third = 100_000;
        let n = 3 * third;
        let mut raw = Array2::zeros((n, N_FEATURES));
        let allowed = RulesView { conclusion: Some(RulesConclusion::Allow), denied_by: 0 };
        let denied = RulesView { conclusion: Some(RulesConclusion::Deny), denied_by: 1 << RuleKind::Bot as u32 };
        let mut rules = vec![allowed; n];
        let mut probs = legit_scores(1, n);
        for i in 0..n {
            if i < third || i >= 2 * third {
                raw[[i, index_of("ua.http_library")]] = 1.0;
            }
            if i >= third {
                probs[[i, 0]] = 0.99;
            }
            if i >= 2 * third {
                rules[i] = denied;
            }
        }
        let data = Dataset { raw, y: Array2::zeros((n, N_HEADS)), routes: vec![0; n], rules, ..Default::default() };
        let rows: Vec<usize> = (0..n).collect();
        let target = (0.01, 0.05);
        let t = thresholds_at(&data, &rows, &probs, Profile::Default, target);
        let held_out = legit_scores(2, third);
        let (deny, challenge) = (bot_rate(&held_out, t.deny[0]), bot_rate(&held_out, t.challenge[0]));
        assert!((deny - target.0).abs() < 0.002, "deny rate {deny}");
        assert!((challenge - target.1).abs() < 0.005, "challenge rate {challenge}");
        assert_eq!(t.deny[1], DENY_FLOOR, "no row has attack evidence: the floor");
    }

    /// A profile with no legitimate evidence rows on its own route fits its thresholds among every
    /// route's, each read by its own route's profile, and not at the floors: an API's own clients
    /// (`okhttp`, which the api profile does not count) do not move them, and neither do
    /// challenge-only rows (a user-agent switcher's hints) the deny threshold, only the challenge.
    #[test]
    fn pooled_routes_fit_thresholds_among_the_rows_their_profiles_judge() {
        use crate::decision::{RulesConclusion, Route};
        use crate::policy::RulesView;
        let part = 100_000;
        let n = 3 * part;
        let mut raw = Array2::zeros((n, N_FEATURES));
        let mut routes = vec![Route::Other as u8; n];
        let mut probs = legit_scores(3, n);
        for i in 0..n {
            match i / part {
                // Deniable bot evidence on the default profile's route, scores as drawn.
                0 => raw[[i, index_of("headers.hints_without_chromium")]] = 1.0,
                // An API's mobile app: evidence under every profile but the api one, its route's.
                1 => {
                    raw[[i, index_of("ua.http_library")]] = 1.0;
                    raw[[i, index_of("ua.known_crawler")]] = 1.0;
                    routes[i] = Route::Api as u8;
                    probs[[i, 0]] = 0.99;
                }
                // A user-agent switcher: challenge-only evidence, scoring high.
                _ => {
                    raw[[i, index_of("headers.hints_mismatch")]] = 1.0;
                    probs[[i, 0]] = 0.99;
                }
            }
        }
        let allowed = RulesView { conclusion: Some(RulesConclusion::Allow), denied_by: 0 };
        let data = Dataset { raw, y: Array2::zeros((n, N_HEADS)), routes, rules: vec![allowed; n], ..Default::default() };
        let rows: Vec<usize> = (0..n).collect();
        let target = (0.01, 0.05);
        let held_out = legit_scores(4, part);
        let rate = |th: f32| bot_rate(&held_out, th);
        for profile in [Profile::Signup, Profile::Api] {
            let t = thresholds_at(&data, &rows, &probs, profile, target);
            assert!(t.deny[0] > DENY_FLOOR && t.challenge[0] > CHALLENGE_FLOOR, "{profile:?} fell back to the floors: {t:?}");
            let deny = rate(t.deny[0]);
            assert!((deny - target.0).abs() < 0.002, "{profile:?}: deny rate {deny} among the deniable rows");
            // Half the challenge-only rows are switchers at 0.99: the challenge threshold sits
            // among them, capped by the deny threshold.
            assert_eq!(t.challenge[0], t.deny[0], "{profile:?}");
        }
        // Without the switchers, the challenge threshold holds its own rate.
        let t = thresholds_at(&data, &rows[..2 * part], &probs.slice(ndarray::s![..2 * part, ..]).to_owned(), Profile::Signup, target);
        let challenge = rate(t.challenge[0]);
        assert!((challenge - target.1).abs() < 0.005, "challenge rate {challenge}");
    }
}
