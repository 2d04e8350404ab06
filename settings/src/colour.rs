//! Brand colours and WCAG contrast: merchants pick any colour, and the widget must stay
//! readable on it (WCAG 2.1 AA: 4.5:1 for text).

use std::fmt;

use serde::{Deserialize, Deserializer};

/// An opaque sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

pub const WHITE: Rgb = Rgb(255, 255, 255);
pub const BLACK: Rgb = Rgb(0, 0, 0);
/// The widget's dark text colour.
pub const INK: Rgb = Rgb(0x14, 0x20, 0x2b);

/// Contrast WCAG AA asks of normal text.
pub const AA_TEXT: f64 = 4.5;

impl Rgb {
    /// Reads `#rgb`, `#rrggbb` or `rgb(r, g, b)`.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim().to_ascii_lowercase();
        if let Some(hex) = t.strip_prefix('#') {
            let digit = |i: usize| u8::from_str_radix(hex.get(i..i + 1)?, 16).ok();
            let pair = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
            return match hex.len() {
                3 => Some(Rgb(digit(0)? * 17, digit(1)? * 17, digit(2)? * 17)),
                6 => Some(Rgb(pair(0)?, pair(2)?, pair(4)?)),
                _ => None,
            };
        }
        let inner = t.strip_prefix("rgb(")?.strip_suffix(')')?;
        let parts: Vec<u8> = inner
            .split(',')
            .map(|p| p.trim().parse::<u8>().ok())
            .collect::<Option<_>>()?;
        match parts[..] {
            [r, g, b] => Some(Rgb(r, g, b)),
            _ => None,
        }
    }

    /// Relative luminance, as WCAG defines it.
    pub fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    /// WCAG contrast ratio between two colours, 1 to 21.
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// The text colour to put on this background: white where it reaches AA, else the
    /// widget's ink, else black (any colour reaches at least 4.58:1 with white or black).
    pub fn text_on(self) -> Rgb {
        [WHITE, INK]
            .into_iter()
            .find(|&t| self.contrast(t) >= AA_TEXT)
            .unwrap_or(if self.contrast(WHITE) >= self.contrast(BLACK) {
                WHITE
            } else {
                BLACK
            })
    }

    /// This colour darkened (or lightened, on a dark `background`) just enough to reach
    /// AA contrast as text on `background`: links and accents in the brand colour stay
    /// recognisable and readable.
    pub fn readable_on(self, background: Rgb) -> Rgb {
        let towards = if background.luminance() > 0.5 {
            BLACK
        } else {
            WHITE
        };
        let mut c = self;
        for step in 1..=20 {
            if c.contrast(background) >= AA_TEXT {
                break;
            }
            c = self.mix(towards, f64::from(step) / 20.0);
        }
        c
    }

    fn mix(self, other: Rgb, t: f64) -> Rgb {
        let m = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
        Rgb(m(self.0, other.0), m(self.1, other.1), m(self.2, other.2))
    }
}

impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

impl<'de> Deserialize<'de> for Rgb {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Rgb::parse(&text).ok_or_else(|| serde::de::Error::custom("not a colour"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_css_colour_forms() {
        assert_eq!(Rgb::parse("#0F5F59"), Some(Rgb(0x0f, 0x5f, 0x59)));
        assert_eq!(Rgb::parse("#fa0"), Some(Rgb(0xff, 0xaa, 0x00)));
        assert_eq!(Rgb::parse("rgb(1, 2, 3)"), Some(Rgb(1, 2, 3)));
        for bad in ["red", "#12345", "rgb(1,2)", "rgb(300,0,0)", "#ggg", ""] {
            assert_eq!(Rgb::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn contrast_matches_wcag_reference_values() {
        assert!((WHITE.contrast(Rgb(0, 0, 0)) - 21.0).abs() < 1e-9);
        // #767676 on white is the classic 4.54:1.
        assert!((Rgb(0x76, 0x76, 0x76).contrast(WHITE) - 4.54).abs() < 0.01);
    }

    #[test]
    fn text_on_a_brand_colour_is_always_readable_or_the_best_there_is() {
        assert_eq!(Rgb(0x0f, 0x5f, 0x59).text_on(), WHITE);
        assert_eq!(Rgb(0xff, 0xd7, 0x00).text_on(), INK); // gold: white would be 1.4:1
        for c in [
            Rgb(0xff, 0xd7, 0x00),
            Rgb(0x33, 0x99, 0xff),
            Rgb(0x80, 0x80, 0x80),
        ] {
            assert!(c.contrast(c.text_on()) >= AA_TEXT, "{c}");
        }
    }

    #[test]
    fn a_light_brand_colour_is_darkened_for_text_on_white() {
        let gold = Rgb(0xff, 0xd7, 0x00);
        let readable = gold.readable_on(WHITE);
        assert!(readable.contrast(WHITE) >= AA_TEXT, "{readable}");
        let dark = Rgb(0x0f, 0x5f, 0x59);
        assert_eq!(dark.readable_on(WHITE), dark);
    }
}
