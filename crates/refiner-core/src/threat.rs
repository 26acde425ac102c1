//! The threats the refiner scores: one model head each, and the bit a feature uses to say which
//! heads read it. A leaf: both the features and the model name threats.

/// The threats the model scores, one output head each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Threat {
    /// Unwanted automated clients: scrapers, headless browsers, scripted sign-ups.
    Bot,
    /// Attacks on the application: injection probes, traversal, exploitation.
    Attack,
    /// Abuse of the business: credential stuffing, card testing, fake accounts.
    Abuse,
}

impl Threat {
    pub const ALL: [Threat; 3] = [Self::Bot, Self::Attack, Self::Abuse];

    pub fn name(self) -> &'static str {
        match self {
            Self::Bot => "bot",
            Self::Attack => "attack",
            Self::Abuse => "abuse",
        }
    }

    /// This threat's bit in a feature's `heads`.
    pub const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// Number of threats (model heads).
pub const N_HEADS: usize = Threat::ALL.len();
