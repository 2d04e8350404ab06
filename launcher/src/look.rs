//! The merchant's look and the shopper's language, applied before the launcher is
//! shown so nothing changes under the shopper's eyes: corner, offset, stacking order,
//! brand colour with readable text and accents, colour scheme, icon, and the frame's
//! words.
//!
//! Everything goes into CSS custom properties on the host element (set through the
//! CSSOM, which a strict `style-src` allows) that `style.css` reads; no stylesheet text
//! is built here.

use shopdesk_i18n::Shell as Words;
use shopdesk_settings::{decimal, ColorScheme, Icon, Position, Rgb, Settings};
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlElement};

/// The lightest and darkest panel backgrounds text sits on in each scheme
/// (`--sd-hover` in `style.css`): accents are made readable on these, and so on every
/// lighter (or darker) surface too.
const LIGHT_BACKGROUND: Rgb = Rgb(0xf1, 0xf5, 0xf8);
const DARK_BACKGROUND: Rgb = Rgb(0x26, 0x30, 0x3b);

/// Launcher icons, drawn on a 24 px grid.
const HELP_ICON: &str = "M20.66 7A10 10 0 0 1 20.66 17L16.33 14.5A5 5 0 0 0 16.33 9.5ZM17 20.66A10 10 0 0 1 7 20.66L9.5 16.33A5 5 0 0 0 14.5 16.33ZM3.34 17A10 10 0 0 1 3.34 7L7.67 9.5A5 5 0 0 0 7.67 14.5ZM7 3.34A10 10 0 0 1 17 3.34L14.5 7.67A5 5 0 0 0 9.5 7.67Z";
const QUESTION_ICON: &str = "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18zM9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .8-1 1.5v.7M12 16.6v.4";

pub(crate) fn apply(
    host: &HtmlElement,
    root: &Element,
    settings: &Settings,
    words: &Words,
    locale: &str,
) -> Result<(), JsValue> {
    for (name, value) in properties(settings) {
        host.style().set_property(name, &value)?;
    }

    root.set_attribute("dir", words.dir.as_str())?;
    root.set_attribute("lang", locale)?;
    let set = |selector: &str, attribute: Option<&str>, value: &str| -> Result<(), JsValue> {
        if let Some(e) = root.query_selector(selector)? {
            match attribute {
                Some(name) => e.set_attribute(name, value)?,
                None => e.set_text_content(Some(value)),
            }
        }
        Ok(())
    };
    let label = settings.launcher_label.as_deref().unwrap_or(words.launcher);
    set(".sd-launcher-label", None, label)?;
    let greeting = settings.greeting.as_deref().unwrap_or(words.greeting);
    set(".sd-heading", None, greeting)?;
    set(".sd-close", Some("aria-label"), words.close)?;
    set(".sd-input", Some("aria-label"), words.search_label)?;
    set(".sd-input", Some("placeholder"), words.placeholder)?;
    set(".sd-status", None, words.hint)?;

    let icon = match settings.launcher_icon {
        Icon::Chat => return Ok(()),
        Icon::Help => HELP_ICON,
        Icon::Question => QUESTION_ICON,
        Icon::None => "",
    };
    if let Some(svg) = root.query_selector(".sd-icon")? {
        if icon.is_empty() {
            svg.remove();
        } else {
            svg.set_attribute(
                "data-icon",
                if icon == HELP_ICON {
                    "help"
                } else {
                    "question"
                },
            )?;
            set(".sd-icon path", Some("d"), icon)?;
        }
    }
    Ok(())
}

/// The custom properties `style.css` reads, from the settings.
fn properties(settings: &Settings) -> Vec<(&'static str, String)> {
    let (near, far) = match settings.position {
        Position::BottomRight => ("--sd-right", "--sd-left"),
        Position::BottomLeft => ("--sd-left", "--sd-right"),
    };
    let brand = settings.brand_color;
    let mut properties = vec![
        (near, decimal(settings.offset.x.into()) + "px"),
        (far, "auto".to_string()),
        ("--sd-bottom", decimal(settings.offset.y.into()) + "px"),
        ("--sd-z", decimal(settings.z_index.unsigned_abs().into())),
        ("--sd-brand", brand.hex()),
        ("--sd-brand-text", brand.text_on().hex()),
        (
            "--sd-accent-light",
            brand.readable_on(LIGHT_BACKGROUND).hex(),
        ),
        ("--sd-accent-dark", brand.readable_on(DARK_BACKGROUND).hex()),
    ];
    let scheme = match settings.color_scheme {
        ColorScheme::Auto => "light dark",
        ColorScheme::Light => "light",
        ColorScheme::Dark => "dark",
    };
    properties.push(("--sd-scheme", scheme.to_string()));
    if settings.position == Position::BottomLeft {
        properties.push(("--sd-align", "flex-start".to_string()));
    }
    properties
}

#[cfg(test)]
mod tests {
    use super::*;
    use shopdesk_settings::{Offset, AA_TEXT, WHITE};

    fn get<'a>(p: &'a [(&str, String)], name: &str) -> Option<&'a str> {
        p.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    #[test]
    fn corner_offset_and_stacking_become_properties() {
        let s = Settings {
            position: Position::BottomLeft,
            offset: Offset { x: 8, y: 30 },
            z_index: 50,
            ..Settings::default()
        };
        let p = properties(&s);
        assert_eq!(get(&p, "--sd-left"), Some("8px"));
        assert_eq!(get(&p, "--sd-right"), Some("auto"));
        assert_eq!(get(&p, "--sd-bottom"), Some("30px"));
        assert_eq!(get(&p, "--sd-z"), Some("50"));
        assert_eq!(get(&p, "--sd-align"), Some("flex-start"));
        let d = properties(&Settings::default());
        assert_eq!(get(&d, "--sd-right"), Some("20px"));
        assert_eq!(get(&d, "--sd-z"), Some("2147483000"));
        assert_eq!(get(&d, "--sd-scheme"), Some("light dark"));
        assert_eq!(get(&d, "--sd-align"), None);
    }

    #[test]
    fn any_brand_colour_gets_readable_text_and_accents() {
        for brand in [
            Rgb(0xff, 0xd7, 0x00),
            Rgb(0, 0, 0),
            WHITE,
            Rgb(0x0f, 0x5f, 0x59),
            Rgb(0x77, 0x77, 0x77),
            Rgb(0xe9, 0x1e, 0x63),
        ] {
            let p = properties(&Settings {
                brand_color: brand,
                ..Settings::default()
            });
            let colour = |name| Rgb::parse(get(&p, name).unwrap()).unwrap();
            assert_eq!(colour("--sd-brand"), brand);
            assert!(
                colour("--sd-brand-text").contrast(brand) >= AA_TEXT,
                "{brand}"
            );
            for (accent, backgrounds) in [
                ("--sd-accent-light", [LIGHT_BACKGROUND, WHITE]),
                ("--sd-accent-dark", [DARK_BACKGROUND, Rgb(0x1b, 0x22, 0x2b)]),
            ] {
                for bg in backgrounds {
                    assert!(
                        colour(accent).contrast(bg) >= AA_TEXT,
                        "{brand} {accent} on {bg}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_backgrounds_checked_are_the_stylesheets() {
        let css = include_str!("style.css");
        for colour in [LIGHT_BACKGROUND, DARK_BACKGROUND, Rgb(0x1b, 0x22, 0x2b)] {
            assert!(css.contains(&colour.hex()), "{colour} is not in style.css");
        }
    }
}
