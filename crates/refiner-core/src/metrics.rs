//! Metrics for evaluating models: ROC AUC, expected calibration error, curves, rates at thresholds.

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

/// Cumulative (true positives, false positives) after each distinct score, highest first.
fn sweep(scores: &[f32], labels: &[bool]) -> Vec<(usize, usize)> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let (mut tp, mut fp, mut out) = (0, 0, Vec::new());
    for (i, &k) in idx.iter().enumerate() {
        if labels[k] {
            tp += 1;
        } else {
            fp += 1;
        }
        if i + 1 == idx.len() || scores[idx[i + 1]] != scores[k] {
            out.push((tp, fp));
        }
    }
    out
}

/// Keeps at most `max` evenly spaced points, always the last.
fn thin(points: Vec<(f64, f64)>, max: usize) -> Vec<(f64, f64)> {
    if points.len() <= max {
        return points;
    }
    let step = points.len().div_ceil(max);
    let last = *points.last().expect("non-empty");
    let mut out: Vec<_> = points.into_iter().step_by(step).collect();
    out.push(last);
    out
}

/// ROC curve as (false-positive rate, true-positive rate) from (0, 0) to (1, 1), at most `max` points.
pub fn roc_curve(scores: &[f32], labels: &[bool], max: usize) -> Vec<(f64, f64)> {
    let pos = labels.iter().filter(|&&y| y).count().max(1) as f64;
    let neg = (labels.len() - labels.iter().filter(|&&y| y).count()).max(1) as f64;
    let mut pts = vec![(0.0, 0.0)];
    pts.extend(sweep(scores, labels).into_iter().map(|(tp, fp)| (fp as f64 / neg, tp as f64 / pos)));
    thin(pts, max)
}

/// Precision-recall curve as (recall, precision), at most `max` points.
pub fn pr_curve(scores: &[f32], labels: &[bool], max: usize) -> Vec<(f64, f64)> {
    let pos = labels.iter().filter(|&&y| y).count().max(1) as f64;
    let pts = sweep(scores, labels).into_iter().map(|(tp, fp)| (tp as f64 / pos, tp as f64 / (tp + fp) as f64)).collect();
    thin(pts, max)
}

/// Counts of `values` in `bins` equal-width bins over [0, 1].
pub fn histogram(values: impl IntoIterator<Item = f32>, bins: usize) -> Vec<u64> {
    let mut h = vec![0u64; bins];
    for v in values {
        if v.is_finite() {
            h[((v.clamp(0.0, 1.0) * bins as f32) as usize).min(bins - 1)] += 1;
        }
    }
    h
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

    #[test]
    fn curves_by_hand() {
        // Scores 0.9 (pos), 0.8 (neg), 0.7 (pos), 0.1 (neg).
        let (s, y) = ([0.9, 0.8, 0.7, 0.1], [true, false, true, false]);
        assert_eq!(roc_curve(&s, &y, 100), vec![(0.0, 0.0), (0.0, 0.5), (0.5, 0.5), (0.5, 1.0), (1.0, 1.0)]);
        let pr = pr_curve(&s, &y, 100);
        assert_eq!(pr[0], (0.5, 1.0));
        assert_eq!(pr[2], (1.0, 2.0 / 3.0));
        assert_eq!(roc_curve(&s, &y, 3).len(), 4, "thinned, last point kept");
        assert_eq!(histogram([0.0, 0.05, 0.5, 1.0, f32::NAN], 10), vec![2, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
    }
}
