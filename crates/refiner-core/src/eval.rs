//! Metrics for evaluating models: ROC AUC, expected calibration error, rates at thresholds.

/// Area under the ROC curve; ties share rank. None when a class is absent.
pub fn auc(scores: &[f32], labels: &[bool]) -> Option<f64> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let (mut rank_sum, mut pos) = (0.0, 0usize);
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && scores[idx[j + 1]] == scores[idx[i]] {
            j += 1;
        }
        let avg_rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            if labels[k] {
                rank_sum += avg_rank;
                pos += 1;
            }
        }
        i = j + 1;
    }
    let neg = scores.len() - pos;
    if pos == 0 || neg == 0 {
        return None;
    }
    let (p, n) = (pos as f64, neg as f64);
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

/// Expected calibration error over `bins` equal-width probability bins.
pub fn ece(probs: &[f32], labels: &[bool], bins: usize) -> f64 {
    let mut count = vec![0usize; bins];
    let mut conf = vec![0f64; bins];
    let mut hits = vec![0f64; bins];
    for (&p, &y) in probs.iter().zip(labels) {
        let b = ((p as f64 * bins as f64) as usize).min(bins - 1);
        count[b] += 1;
        conf[b] += p as f64;
        hits[b] += f64::from(u8::from(y));
    }
    let n = probs.len().max(1) as f64;
    (0..bins).filter(|&b| count[b] > 0).map(|b| (conf[b] - hits[b]).abs() / n).sum()
}

/// The smallest threshold t such that at most `rate` of `scores` are ≥ t (exactly, on this sample).
pub fn threshold_at_rate(scores: &[f32], rate: f64) -> f32 {
    if scores.is_empty() {
        return 1.0;
    }
    let mut s = scores.to_vec();
    s.sort_by(|a, b| b.total_cmp(a));
    let allowed = (rate * s.len() as f64).floor() as usize;
    if allowed >= s.len() {
        return 0.0;
    }
    // Just above the first score that must not pass.
    let t = s[allowed];
    f32::from_bits(t.to_bits() + 1).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_by_hand() {
        assert_eq!(auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]), Some(0.75));
        assert_eq!(auc(&[0.5, 0.5], &[false, true]), Some(0.5));
        assert_eq!(auc(&[0.2, 0.3], &[true, true]), None);
    }

    #[test]
    fn ece_by_hand() {
        // Bin [0.2,0.3): confidence 0.25, hit rate 0 → 0.25·2/4; bin [0.9,1): 0.9 vs 1 → 0.1·2/4.
        let e = ece(&[0.25, 0.25, 0.9, 0.9], &[false, false, true, true], 10);
        assert!((e - (0.5 * 0.25 + 0.5 * 0.1)).abs() < 1e-6, "{e}");
    }

    #[test]
    fn threshold_lets_through_at_most_the_rate() {
        let s: Vec<f32> = (0..1000).map(|i| i as f32 / 1000.0).collect();
        let t = threshold_at_rate(&s, 0.01);
        let passing = s.iter().filter(|&&x| x >= t).count();
        assert_eq!(passing, 10);
    }
}
