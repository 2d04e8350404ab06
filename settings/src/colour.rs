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
    /// Reads `#rgb`, `#rrggbb` or `rgb(r, g, b)` (any letter case). Byte loops: this
    /// runs on every store page load.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        if let [b'#', hex @ ..] = t.as_bytes() {
            let mut n = [0u8; 6];
            for (slot, &c) in n.iter_mut().zip(hex) {
                *slot = char::from(c).to_digit(16)? as u8;
            }
            return match hex.len() {
                3 => Some(Rgb(n[0] * 17, n[1] * 17, n[2] * 17)),
                6 => Some(Rgb(n[0] * 16 + n[1], n[2] * 16 + n[3], n[4] * 16 + n[5])),
                _ => None,
            };
        }
        let open = t
            .get(..4)
            .filter(|head| head.eq_ignore_ascii_case("rgb("))?;
        let inner = t.get(open.len()..)?.strip_suffix(')')?;
        let mut channels = [0u8; 3];
        let mut count = 0;
        for part in inner.split(',') {
            *channels.get_mut(count)? = part.trim().parse().ok()?;
            count += 1;
        }
        let [r, g, b] = channels;
        (count == 3).then_some(Rgb(r, g, b))
    }

    /// Relative luminance, as WCAG defines it.
    pub fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                pow_2_4((c + 0.055) / 1.055)
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

/// `x^2.4` for `x` in (0, 1] without `f64::powf`, whose libm code would be kilobytes of
/// the page-load module: `x²` times the fifth root of `x²`, found by Newton's method from
/// `√x` (below the root on this range, so the first step overshoots and the rest
/// converge monotonically); eight steps reach double precision.
fn pow_2_4(x: f64) -> f64 {
    let t = x * x;
    let mut y = x.sqrt();
    for _ in 0..8 {
        let y4 = y * y * y * y;
        y -= (y4 * y - t) / (5.0 * y4);
    }
    t * y
}

impl Rgb {
    /// `#rrggbb`, for CSS. Written out by hand: the launcher sets colours on every page
    /// load and carries no number formatting.
    pub fn hex(self) -> String {
        let mut out = String::with_capacity(7);
        out.push('#');
        for channel in [self.0, self.1, self.2] {
            for nibble in [channel >> 4, channel & 15] {
                out.push(char::from_digit(nibble.into(), 16).unwrap_or('0'));
            }
        }
        out
    }
}

impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
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
    fn the_transfer_power_is_exact() {
        for c in 11..=255u8 {
            let x = (f64::from(c) / 255.0 + 0.055) / 1.055;
            let (ours, libm) = (pow_2_4(x), x.powf(2.4));
            assert!((ours - libm).abs() < 1e-12, "{c}: {ours} vs {libm}");
        }
    }

    #[test]
    fn writes_css_hex() {
        assert_eq!(Rgb(0x0f, 0x5f, 0xa9).hex(), "#0f5fa9");
        assert_eq!(WHITE.to_string(), "#ffffff");
        assert_eq!(Rgb::parse(&Rgb(1, 200, 33).hex()), Some(Rgb(1, 200, 33)));
    }

    #[test]
    fn parses_css_colour_forms() {
        assert_eq!(Rgb::parse("#0F5F59"), Some(Rgb(0x0f, 0x5f, 0x59)));
        assert_eq!(Rgb::parse("#fa0"), Some(Rgb(0xff, 0xaa, 0x00)));
        assert_eq!(Rgb::parse("rgb(1, 2, 3)"), Some(Rgb(1, 2, 3)));
        assert_eq!(Rgb::parse(" RGB(1,2,3) "), Some(Rgb(1, 2, 3)));
        for bad in [
            "red",
            "#12345",
            "#1234567",
            "rgb(1,2)",
            "rgb(1,2,3,4)",
            "rgb(300,0,0)",
            "#ggg",
            "#",
            "",
            "rgb(",
            "rgb(1,2,3",
        ] {
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
