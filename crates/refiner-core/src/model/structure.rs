//! The promises every model keeps, whoever trained it: checked when a model is loaded (a file
//! that breaks one is refused, naming it) and enforced by the trainer after every step.
//!
//! - Each head reads only the features the schema gives it: hidden unit h belongs to head
//!   `h / (hidden / heads)` and its weights to other features are 0; so are the linear term's.
//! - Output weights are non-negative and only from a head's own units, and every weight from an
//!   evidence or raise feature is non-negative, with a positive calibration slope: neither ever
//!   lowers its threat.
//! - No feature moves a head's calibrated log-odds by more than its role's budget over its whole
//!   (clamped) range: `a_k·(|V_kj| + Σ_h W2_kh·|W1_hj|)·(hi_j − lo_j)·inv_std_j`, a bound on any
//!   change of that one input with the others held.

use super::{Threat, Weights, N_HEADS};
use crate::error::{RefinerError, Result};
use crate::features::FEATURES;

/// The head hidden unit `h` of `hidden` belongs to.
pub fn unit_head(h: usize, hidden: usize) -> usize {
    h / (hidden / N_HEADS).max(1)
}

/// Whether hidden unit `h` may read input `j`.
pub fn connects(h: usize, hidden: usize, j: usize) -> bool {
    FEATURES[j].feeds(Threat::ALL[unit_head(h, hidden).min(N_HEADS - 1)])
}

/// The most input `j` can move head `k`'s calibrated log-odds (see the module doc).
pub fn influence(w: &Weights, slope: f32, k: usize, j: usize) -> f32 {
    let hidden = w.w1.nrows();
    let through_units: f32 = (0..hidden).filter(|&h| unit_head(h, hidden) == k).map(|h| w.w2[[k, h]] * w.w1[[h, j]].abs()).sum();
    slope.abs() * (w.v[[k, j]].abs() + through_units) * (w.hi[j] - w.lo[j]) * w.inv_std[j]
}

/// Relative slack on the budgets for f32 rounding.
const SLACK: f32 = 1e-3;

fn broken(msg: String) -> RefinerError {
    RefinerError::ModelFormat(msg)
}

/// Checks every promise of the module doc; the error names the first one broken. The negated
/// comparisons are deliberate: they reject NaN as well.
#[allow(clippy::neg_cmp_op_on_partial_ord)]
pub fn check(w: &Weights, calibration: &[[f32; 2]; N_HEADS]) -> Result<()> {
    let hidden = w.w1.nrows();
    if !hidden.is_multiple_of(N_HEADS) {
        return Err(broken(format!("hidden size {hidden} is not a multiple of the {N_HEADS} heads")));
    }
    for (j, f) in FEATURES.iter().enumerate() {
        if !(w.lo[j] <= w.hi[j]) {
            return Err(broken(format!("{}: input range [{}, {}] is empty", f.name, w.lo[j], w.hi[j])));
        }
    }
    for h in 0..hidden {
        for (j, f) in FEATURES.iter().enumerate() {
            let x = w.w1[[h, j]];
            if !connects(h, hidden, j) && x != 0.0 {
                return Err(broken(format!("hidden unit {h} of the {} head reads {}, which that head does not", Threat::ALL[unit_head(h, hidden)].name(), f.name)));
            }
            if f.role.monotone() && x < 0.0 {
                return Err(broken(format!("{} may only raise its threats but has a negative weight {x} into hidden unit {h}", f.name)));
            }
        }
    }
    for (k, t) in Threat::ALL.iter().enumerate() {
        if !(calibration[k][0] > 0.0) {
            return Err(broken(format!("the {} head's calibration slope {} is not positive", t.name(), calibration[k][0])));
        }
        for h in 0..hidden {
            let x = w.w2[[k, h]];
            if x < 0.0 || (x != 0.0 && unit_head(h, hidden) != k) {
                return Err(broken(format!("the {} head's output weight {x} from hidden unit {h} is negative or from another head's unit", t.name())));
            }
        }
        for (j, f) in FEATURES.iter().enumerate() {
            let x = w.v[[k, j]];
            if (!f.feeds(*t) && x != 0.0) || (f.role.monotone() && x < 0.0) {
                return Err(broken(format!("the {} head's linear weight {x} on {} breaks the schema", t.name(), f.name)));
            }
            if f.feeds(*t) {
                let reach = influence(w, calibration[k][0], k, j);
                if reach > f.role.budget() * (1.0 + SLACK) {
                    return Err(broken(format!("{} can move the {} head's log-odds by {reach:.2}, more than its budget {}", f.name, t.name(), f.role.budget())));
                }
            }
        }
    }
    Ok(())
}

/// Brings `w` back within the promises after an optimizer step (the trainer's projection):
/// masks, signs, then each feature's reach scaled down to its budget at each head's calibration
/// slope (1 while training, the fitted slopes after calibration).
pub fn project(w: &mut Weights, slopes: &[f32]) {
    let hidden = w.w1.nrows();
    for h in 0..hidden {
        let k = unit_head(h, hidden);
        for (j, f) in FEATURES.iter().enumerate() {
            let x = &mut w.w1[[h, j]];
            if !connects(h, hidden, j) || (f.role.monotone() && *x < 0.0) {
                *x = 0.0;
            }
        }
        for kk in 0..N_HEADS {
            let x = &mut w.w2[[kk, h]];
            if kk != k || *x < 0.0 {
                *x = 0.0;
            }
        }
    }
    for (k, t) in Threat::ALL.iter().enumerate() {
        for (j, f) in FEATURES.iter().enumerate() {
            let x = &mut w.v[[k, j]];
            if !f.feeds(*t) || (f.role.monotone() && *x < 0.0) {
                *x = 0.0;
            }
        }
    }
    for (j, f) in FEATURES.iter().enumerate() {
        for (k, &slope) in slopes.iter().enumerate().take(N_HEADS) {
            if !f.feeds(Threat::ALL[k]) {
                continue;
            }
            let reach = influence(w, slope, k, j);
            let budget = f.role.budget() * (1.0 - SLACK);
            if reach > budget {
                let s = budget / reach;
                w.v[[k, j]] *= s;
                for h in (0..hidden).filter(|&h| unit_head(h, hidden) == k) {
                    w.w1[[h, j]] *= s;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{first_input, tiny_model};
    use super::*;

    #[test]
    fn the_tiny_model_keeps_the_promises() {
        let m = tiny_model();
        check(&m.w, &m.calibration).unwrap();
        assert_eq!(influence(&m.w, 1.0, 1, first_input(Threat::Attack)), 12.0, "w2 3 · w1 1 · range 4");
    }

    #[test]
    fn a_broken_promise_is_named() {
        let m = tiny_model();
        let attack_input = first_input(Threat::Attack);
        let mut cross = m.w.clone();
        cross.w1[[0, attack_input]] = 0.5;
        assert!(check(&cross, &m.calibration).unwrap_err().to_string().contains("of the bot head reads"));
        let mut negative = m.w.clone();
        negative.w2[[2, 2]] = -1.0;
        assert!(check(&negative, &m.calibration).unwrap_err().to_string().contains("abuse head's output weight"));
        let mut far = m.w.clone();
        far.w2[[1, 1]] = 30.0;
        let e = check(&far, &m.calibration).unwrap_err().to_string();
        assert!(e.contains("can move the attack head's log-odds by 120.00"), "{e}");
        let mut flipped = m.calibration;
        flipped[0][0] = -1.0;
        assert!(check(&m.w, &flipped).is_err());
    }

    #[test]
    fn projection_restores_every_promise() {
        let m = tiny_model();
        let mut w = m.w.clone();
        w.w1.fill(-0.7);
        w.w2.fill(5.0);
        w.v.fill(-2.0);
        project(&mut w, &[1.0; N_HEADS]);
        check(&w, &[[1.0, 0.0]; N_HEADS]).unwrap();
        project(&mut w, &[2.5; N_HEADS]);
        check(&w, &[[2.5, 0.0]; N_HEADS]).unwrap();
    }
}
