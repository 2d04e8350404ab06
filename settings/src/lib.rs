//! The merchant's settings for the widget, read once from the page into one typed value.
//!
//! Merchants configure the widget with `data-*` attributes on the script tag and/or a
//! `window.shopdeskSettings` object set before it (the object wins where both set a
//! key). Whatever they write, the widget must start: every unknown key and every bad
//! value becomes one [`Problem`] (shown as one console warning naming the key and what
//! is expected) and that key keeps its default.
//!
//! The launcher and the widget both read the same page values with this crate (the
//! widget silently: the launcher has already warned), so they agree on every setting.

mod colour;
mod js;
mod raw;

use page_pattern::UrlPattern;
use serde::de::value::StringDeserializer;
use serde::de::DeserializeOwned;
use serde::Deserialize;

pub use colour::{Rgb, AA_TEXT, BLACK, INK, WHITE};
pub use js::{from_js, read_js};
pub use raw::{Invalid, Raw};

/// Every setting, with its default where the merchant set nothing usable.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Folder of the widget's files; by default the folder `shopdesk.js` came from.
    pub asset_url: Option<String>,
    /// Folder of the FAQ index (`faq-manifest.json`); default `<asset folder>/faq/`.
    pub index_url: Option<String>,
    /// Language tag; default: the page's `<html lang>`, then the browser's language.
    pub locale: Option<String>,
    pub position: Position,
    pub offset: Offset,
    pub brand_color: Rgb,
    /// Launcher text; default from the language catalogue ("Help").
    pub launcher_label: Option<String>,
    pub launcher_icon: Icon,
    /// Panel heading; default from the language catalogue ("How can we help?").
    pub greeting: Option<String>,
    pub z_index: i32,
    /// URL patterns (`/checkout/success*`) of pages where the widget stays hidden.
    pub hide_on: Vec<String>,
    /// Where feedback events are POSTed; without one, no feedback is asked for.
    pub feedback_endpoint: Option<String>,
    pub chat_endpoint: Option<String>,
    pub color_scheme: ColorScheme,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            asset_url: None,
            index_url: None,
            locale: None,
            position: Position::BottomRight,
            offset: Offset { x: 20, y: 20 },
            brand_color: Rgb(0x0f, 0x5f, 0x59),
            launcher_label: None,
            launcher_icon: Icon::Chat,
            greeting: None,
            z_index: 2_147_483_000,
            hide_on: Vec::new(),
            feedback_endpoint: None,
            chat_endpoint: None,
            color_scheme: ColorScheme::Auto,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Position {
    BottomRight,
    BottomLeft,
}

/// Distance of the launcher from the page corner, in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offset {
    pub x: u16,
    pub y: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Icon {
    Chat,
    Help,
    Question,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ColorScheme {
    Auto,
    Light,
    Dark,
}

/// A setting that was not used, and why; shown to the merchant as a console warning.
///
/// The text is only built by [`Problem::message`]: the launcher (on every page load)
/// reads settings without printing, and the widget prints, so the page-load module
/// carries none of the wording.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub key: String,
    /// Set through a `data-*` attribute (else `window.shopdeskSettings`).
    pub attribute: bool,
    /// What the key expects; `None` for an unknown key.
    pub expected: Option<String>,
    /// The value as written, for bad values.
    pub got: Raw,
}

impl Problem {
    /// The console warning: names the key and what is expected.
    pub fn message(&self) -> String {
        let key = &self.key;
        match &self.expected {
            Some(expected) => format!(
                "[shopdesk] setting `{key}` must be {expected}; got {}; using the default",
                self.got.shown()
            ),
            None => {
                let written = if self.attribute {
                    format!("data-{}", kebab(key))
                } else {
                    format!("`{key}` in shopdeskSettings")
                };
                let hint = KEYS
                    .iter()
                    .map(|k| {
                        (
                            distance(&key.to_ascii_lowercase(), &k.to_ascii_lowercase()),
                            k,
                        )
                    })
                    .min()
                    .filter(|(d, _)| *d <= 2)
                    .map(|(_, k)| format!("did you mean `{k}`? "))
                    .unwrap_or_default();
                format!(
                    "[shopdesk] unknown setting {written}; {hint}known settings: {}",
                    KEYS.join(", ")
                )
            }
        }
    }
}

/// Every key a merchant may set, as written in `window.shopdeskSettings`; `data-*`
/// attributes use the same names in kebab case (`data-brand-color`).
pub const KEYS: &[&str] = &[
    "assetUrl",
    "indexUrl",
    "locale",
    "position",
    "offset",
    "brandColor",
    "launcherLabel",
    "launcherIcon",
    "greeting",
    "zIndex",
    "hideOn",
    "feedbackEndpoint",
    "chatEndpoint",
    "colorScheme",
];

/// Longest label or greeting: they must fit a button and a heading.
const MAX_TEXT: usize = 80;
const MAX_OFFSET: u16 = 400;

impl Settings {
    /// Reads the settings from the script tag's `data-*` attributes (camel-cased keys,
    /// as `HTMLElement.dataset` gives them, with string values) and from
    /// `window.shopdeskSettings`, the latter winning.
    pub fn read(attributes: &[(String, String)], object: &[(String, Raw)]) -> (Self, Vec<Problem>) {
        let mut settings = Settings::default();
        let mut problems = Vec::new();
        let from_attributes = attributes
            .iter()
            .map(|(key, text)| (key.as_str(), from_attribute(key, text), true));
        let from_object = object.iter().map(|(k, v)| (k.as_str(), v.clone(), false));
        for (key, value, attribute) in from_attributes.chain(from_object) {
            if !KEYS.contains(&key) {
                problems.push(Problem {
                    key: key.to_string(),
                    attribute,
                    expected: None,
                    got: Raw::Null,
                });
                continue;
            }
            if value == Raw::Null {
                continue;
            }
            let got = value.clone();
            if let Err(expected) = settings.set(key, value) {
                problems.push(Problem {
                    key: key.to_string(),
                    attribute,
                    expected: Some(expected),
                    got,
                });
            }
        }
        (settings, problems)
    }

    /// Sets one key, or says what it expects.
    fn set(&mut self, key: &str, value: Raw) -> Result<(), String> {
        match key {
            "assetUrl" => self.asset_url = Some(url(value, true)?),
            "indexUrl" => self.index_url = Some(url(value, true)?),
            "feedbackEndpoint" => self.feedback_endpoint = Some(url(value, false)?),
            "chatEndpoint" => self.chat_endpoint = Some(url(value, false)?),
            "locale" => {
                let expected = "a language tag such as \"de\" or \"pt-BR\"";
                let tag = string(value, expected)?;
                let ok = !tag.is_empty()
                    && tag.len() <= 35
                    && tag
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if !ok {
                    return Err(expected.into());
                }
                self.locale = Some(tag);
            }
            "position" => self.position = named(value, "\"bottom-right\" or \"bottom-left\"")?,
            "offset" => {
                let expected =
                    format!("a number of pixels (0-{MAX_OFFSET}) or {{\"x\": 20, \"y\": 20}}");
                let px = |v: &Raw| whole(v, 0, MAX_OFFSET.into()).map(|n| n as u16);
                self.offset = match &value {
                    Raw::Num(_) => px(&value).map(|n| Offset { x: n, y: n }),
                    Raw::Map(fields) => match &fields[..] {
                        [(kx, x), (ky, y)] if kx == "x" && ky == "y" => {
                            px(x).zip(px(y)).map(|(x, y)| Offset { x, y })
                        }
                        [(ky, y), (kx, x)] if kx == "x" && ky == "y" => {
                            px(x).zip(px(y)).map(|(x, y)| Offset { x, y })
                        }
                        _ => None,
                    },
                    _ => None,
                }
                .ok_or(expected)?;
            }
            "brandColor" => {
                let expected = "a colour as \"#0f5f59\", \"#fa0\" or \"rgb(15, 95, 89)\"";
                self.brand_color = Rgb::parse(&string(value, expected)?).ok_or(expected)?;
            }
            "launcherLabel" => self.launcher_label = Some(text(value)?),
            "greeting" => self.greeting = Some(text(value)?),
            "launcherIcon" => {
                self.launcher_icon = named(value, "\"chat\", \"help\", \"question\" or \"none\"")?
            }
            "zIndex" => {
                let expected = "a whole number from 0 to 2147483647";
                self.z_index = whole(&value, 0, i32::MAX.into()).ok_or(expected)? as i32;
            }
            "hideOn" => {
                let expected = "a list of URL patterns such as [\"/checkout/success*\"]";
                let patterns: Vec<String> = match value {
                    Raw::Str(one) => vec![one],
                    Raw::List(items) => items
                        .into_iter()
                        .map(|i| string(i, expected))
                        .collect::<Result<_, _>>()?,
                    _ => return Err(expected.into()),
                };
                for p in &patterns {
                    UrlPattern::parse(p).map_err(|e| format!("{expected} ({e})"))?;
                }
                self.hide_on = patterns;
            }
            "colorScheme" => self.color_scheme = named(value, "\"auto\", \"light\" or \"dark\"")?,
            _ => return Err("a known setting".into()),
        }
        Ok(())
    }

    /// Whether the widget stays hidden on the page at `path`.
    pub fn hidden_on(&self, path: &str) -> bool {
        self.hide_on
            .iter()
            .filter_map(|p| UrlPattern::parse(p).ok())
            .any(|p| p.matches(path))
    }
}

/// One of a fixed set of names, read by serde from the enum's own (kebab-case) names.
fn named<T: DeserializeOwned>(value: Raw, expected: &str) -> Result<T, String> {
    let name = string(value, expected)?;
    T::deserialize(StringDeserializer::<Invalid>::new(name)).map_err(|_| expected.to_string())
}

fn string(value: Raw, expected: &str) -> Result<String, String> {
    match value {
        Raw::Str(s) => Ok(s),
        _ => Err(expected.to_string()),
    }
}

/// A whole number in `min..=max`.
fn whole(value: &Raw, min: i64, max: i64) -> Option<i64> {
    match *value {
        Raw::Num(n) if n.fract() == 0.0 && n >= min as f64 && n <= max as f64 => Some(n as i64),
        _ => None,
    }
}

fn text(value: Raw) -> Result<String, String> {
    let expected = format!("text of 1 to {MAX_TEXT} characters");
    let t = string(value, &expected)?;
    let t = t.trim().to_string();
    if t.is_empty() || t.chars().count() > MAX_TEXT {
        return Err(expected);
    }
    Ok(t)
}

/// An http(s) URL, or a path on the store's own site. `folder` URLs get a trailing
/// slash so files resolve inside them.
fn url(value: Raw, folder: bool) -> Result<String, String> {
    let expected = "an https:// URL or a path starting with /";
    let mut u = string(value, expected)?;
    u = u.trim().to_string();
    let lower = u.to_ascii_lowercase();
    let ok = (lower.starts_with("https://") || lower.starts_with("http://") || u.starts_with('/'))
        && !u.chars().any(char::is_whitespace);
    if !ok {
        return Err(expected.into());
    }
    if folder && !u.ends_with('/') {
        u.push('/');
    }
    Ok(u)
}

/// `data-*` values are always strings; read numbers, lists and offsets out of them.
fn from_attribute(key: &str, text: &str) -> Raw {
    let t = text.trim();
    let number = |p: &str| p.parse::<i64>().ok().map(|n| Raw::Num(n as f64));
    match key {
        "zIndex" => number(t).unwrap_or_else(|| Raw::Str(t.into())),
        "offset" => {
            let parts: Vec<&str> = t.split([',', ' ']).filter(|p| !p.is_empty()).collect();
            let nums: Option<Vec<Raw>> = parts.iter().map(|p| number(p)).collect();
            match nums {
                Some(mut n) if n.len() == 1 => n.remove(0),
                Some(n) if n.len() == 2 => {
                    let mut n = n.into_iter();
                    Raw::Map(vec![
                        ("x".into(), n.next().unwrap_or(Raw::Null)),
                        ("y".into(), n.next().unwrap_or(Raw::Null)),
                    ])
                }
                _ => Raw::Str(t.into()),
            }
        }
        "hideOn" => Raw::List(
            t.split([',', ' '])
                .filter(|p| !p.is_empty())
                .map(|p| Raw::Str(p.into()))
                .collect(),
        ),
        _ => Raw::Str(t.into()),
    }
}

fn kebab(camel: &str) -> String {
    let mut out = String::new();
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Edit distance, for "did you mean" on short keys.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for j in 0..b.len() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != b[j]))
                .min(row[j] + 1)
                .min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn raw(v: Value) -> Raw {
        match v {
            Value::Null => Raw::Null,
            Value::Bool(b) => Raw::Bool(b),
            Value::Number(n) => Raw::Num(n.as_f64().unwrap()),
            Value::String(s) => Raw::Str(s),
            Value::Array(a) => Raw::List(a.into_iter().map(raw).collect()),
            Value::Object(o) => Raw::Map(o.into_iter().map(|(k, v)| (k, raw(v))).collect()),
        }
    }

    fn read(attributes: Value, object: Value) -> (Settings, Vec<Problem>) {
        let attributes: Vec<(String, String)> = attributes
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        let Raw::Map(object) = raw(object) else {
            panic!("settings must be an object")
        };
        Settings::read(&attributes, &object)
    }

    #[test]
    fn nothing_set_gives_the_defaults() {
        let (s, problems) = read(json!({}), json!({}));
        assert_eq!(s, Settings::default());
        assert!(problems.is_empty());
    }

    #[test]
    fn attributes_are_read_as_the_types_they_stand_for() {
        let (s, problems) = read(
            json!({"position": "bottom-left", "zIndex": "50", "offset": "8 30",
                   "hideOn": "/checkout/success*, /account*", "brandColor": "#fa0",
                   "colorScheme": "dark", "launcherIcon": "question", "locale": "de-AT"}),
            json!({}),
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.position, Position::BottomLeft);
        assert_eq!(s.z_index, 50);
        assert_eq!(s.offset, Offset { x: 8, y: 30 });
        assert_eq!(s.hide_on, ["/checkout/success*", "/account*"]);
        assert_eq!(s.brand_color, Rgb(0xff, 0xaa, 0));
        assert_eq!(s.color_scheme, ColorScheme::Dark);
        assert_eq!(s.launcher_icon, Icon::Question);
        assert_eq!(s.locale.as_deref(), Some("de-AT"));
        assert!(s.hidden_on("/checkout/success/123") && !s.hidden_on("/checkout"));
    }

    #[test]
    fn the_settings_object_wins_over_attributes() {
        let (s, _) = read(
            json!({"position": "bottom-left"}),
            json!({"position": "bottom-right", "offset": 12}),
        );
        assert_eq!(s.position, Position::BottomRight);
        assert_eq!(s.offset, Offset { x: 12, y: 12 });
    }

    #[test]
    fn bad_values_keep_the_default_with_one_problem_naming_key_and_expectation() {
        let (s, problems) = read(
            json!({"zIndex": "very high"}),
            json!({"position": "top", "brandColor": "blue-ish", "offset": {"x": 5000, "y": 1},
                   "hideOn": ["checkout"], "feedbackEndpoint": "javascript:alert(1)",
                   "launcherLabel": "", "greeting": 42}),
        );
        assert_eq!(s, Settings::default());
        let mut keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "brandColor",
                "feedbackEndpoint",
                "greeting",
                "hideOn",
                "launcherLabel",
                "offset",
                "position",
                "zIndex"
            ]
        );
        let about = |key: &str| {
            problems
                .iter()
                .find(|p| p.key == key)
                .unwrap()
                .message()
                .clone()
        };
        let position = about("position");
        assert!(
            position.contains("`position`")
                && position.contains("\"bottom-right\" or \"bottom-left\"")
                && position.contains("\"top\""),
            "{position}"
        );
        let hide = about("hideOn");
        assert!(hide.contains("must start with `/`"), "{hide}");
    }

    #[test]
    fn unknown_keys_are_named_with_a_suggestion() {
        let (_, problems) = read(json!({"postion": "x"}), json!({"brandColour": "#000"}));
        assert_eq!(problems.len(), 2);
        assert!(
            problems[0].message().contains("data-postion")
                && problems[0].message().contains("did you mean `position`"),
            "{}",
            problems[0].message()
        );
        assert!(
            problems[1]
                .message()
                .contains("`brandColour` in shopdeskSettings")
                && problems[1].message().contains("`brandColor`")
        );
    }

    #[test]
    fn urls_are_checked_and_folders_end_with_a_slash() {
        let (s, problems) = read(
            json!({}),
            json!({"assetUrl": "https://cdn.example.com/shopdesk", "indexUrl": "/help/faq/", "feedbackEndpoint": "https://api.example.com/v1/feedback"}),
        );
        assert!(problems.is_empty());
        assert_eq!(
            s.asset_url.as_deref(),
            Some("https://cdn.example.com/shopdesk/")
        );
        assert_eq!(s.index_url.as_deref(), Some("/help/faq/"));
        assert_eq!(
            s.feedback_endpoint.as_deref(),
            Some("https://api.example.com/v1/feedback")
        );
    }
}
