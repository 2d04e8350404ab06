//! The merchant's settings for the widget, read once from the page into one typed value.
//!
//! Merchants configure the widget with `data-*` attributes on the script tag and/or a
//! `window.shopdeskSettings` object set before it (the object wins where both set a
//! key). Whatever they write, the widget must start: every unknown key and every bad
//! value becomes one [`Problem`] (shown as one console warning naming the key and what
//! is expected) and that key keeps its default.
//!
//! The launcher parses; the widget receives the result as JSON, so both read the same
//! type.

mod colour;

use page_pattern::UrlPattern;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use colour::{Rgb, AA_TEXT, BLACK, INK, WHITE};

/// Every setting, with its default where the merchant set nothing usable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Position {
    BottomRight,
    BottomLeft,
}

/// Distance of the launcher from the page corner, in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Offset {
    pub x: u16,
    pub y: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Icon {
    Chat,
    Help,
    Question,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ColorScheme {
    Auto,
    Light,
    Dark,
}

/// A setting that was not used, and why; shown to the merchant as a console warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub key: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
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
    /// `window.shopdeskSettings` (any JSON values), the latter winning.
    pub fn read(
        attributes: &Map<String, Value>,
        object: &Map<String, Value>,
    ) -> (Self, Vec<Problem>) {
        let mut settings = Settings::default();
        let mut problems = Vec::new();
        let from_attributes = attributes.iter().map(|(key, value)| {
            let value = match value {
                Value::String(text) => from_attribute(key, text),
                other => other.clone(),
            };
            (key.as_str(), value, true)
        });
        let from_object = object.iter().map(|(k, v)| (k.as_str(), v.clone(), false));
        for (key, value, attribute) in from_attributes.chain(from_object) {
            if !KEYS.contains(&key) {
                problems.push(unknown(key, attribute));
                continue;
            }
            if value.is_null() {
                continue;
            }
            if let Err(expected) = settings.set(key, value.clone()) {
                problems.push(Problem {
                    key: key.to_string(),
                    message: format!(
                        "[shopdesk] setting `{key}` must be {expected}; got {}; using the default",
                        shown(&value)
                    ),
                });
            }
        }
        (settings, problems)
    }

    /// Sets one key, or says what it expects.
    fn set(&mut self, key: &str, value: Value) -> Result<(), String> {
        match key {
            "assetUrl" => self.asset_url = Some(url(value, true)?),
            "indexUrl" => self.index_url = Some(url(value, true)?),
            "feedbackEndpoint" => self.feedback_endpoint = Some(url(value, false)?),
            "chatEndpoint" => self.chat_endpoint = Some(url(value, false)?),
            "locale" => {
                let tag: String = typed(value, "a language tag such as \"de\" or \"pt-BR\"")?;
                let ok = !tag.is_empty()
                    && tag.len() <= 35
                    && tag
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if !ok {
                    return Err("a language tag such as \"de\" or \"pt-BR\"".into());
                }
                self.locale = Some(tag);
            }
            "position" => self.position = typed(value, "\"bottom-right\" or \"bottom-left\"")?,
            "offset" => {
                let expected =
                    format!("a number of pixels (0-{MAX_OFFSET}) or {{\"x\": 20, \"y\": 20}}");
                let offset = match value {
                    Value::Number(_) => {
                        let n: u16 = typed(value, &expected)?;
                        Offset { x: n, y: n }
                    }
                    other => typed(other, &expected)?,
                };
                if offset.x > MAX_OFFSET || offset.y > MAX_OFFSET {
                    return Err(expected);
                }
                self.offset = offset;
            }
            "brandColor" => {
                self.brand_color = typed(
                    value,
                    "a colour as \"#0f5f59\", \"#fa0\" or \"rgb(15, 95, 89)\"",
                )?
            }
            "launcherLabel" => self.launcher_label = Some(text(value)?),
            "greeting" => self.greeting = Some(text(value)?),
            "launcherIcon" => {
                self.launcher_icon = typed(value, "\"chat\", \"help\", \"question\" or \"none\"")?
            }
            "zIndex" => {
                let expected = "a whole number from 0 to 2147483647";
                let z: i32 = typed(value, expected)?;
                if z < 0 {
                    return Err(expected.into());
                }
                self.z_index = z;
            }
            "hideOn" => {
                let expected = "a list of URL patterns such as [\"/checkout/success*\"]";
                let patterns: Vec<String> = match value {
                    Value::String(one) => vec![one],
                    other => typed(other, expected)?,
                };
                for p in &patterns {
                    UrlPattern::parse(p).map_err(|e| format!("{expected} ({e})"))?;
                }
                self.hide_on = patterns;
            }
            "colorScheme" => self.color_scheme = typed(value, "\"auto\", \"light\" or \"dark\"")?,
            _ => unreachable!("keys are checked against KEYS first"),
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

fn typed<T: DeserializeOwned>(value: Value, expected: &str) -> Result<T, String> {
    serde_json::from_value(value).map_err(|_| expected.to_string())
}

fn text(value: Value) -> Result<String, String> {
    let expected = format!("text of 1 to {MAX_TEXT} characters");
    let t: String = typed(value, &expected)?;
    let t = t.trim().to_string();
    if t.is_empty() || t.chars().count() > MAX_TEXT {
        return Err(expected);
    }
    Ok(t)
}

/// An http(s) URL, or a path on the store's own site. `folder` URLs get a trailing
/// slash so files resolve inside them.
fn url(value: Value, folder: bool) -> Result<String, String> {
    let expected = "an https:// URL or a path starting with /";
    let mut u: String = typed(value, expected)?;
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
fn from_attribute(key: &str, text: &str) -> Value {
    let t = text.trim();
    match key {
        "zIndex" => t
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(t)),
        "offset" => {
            let parts: Vec<&str> = t.split([',', ' ']).filter(|p| !p.is_empty()).collect();
            let nums: Option<Vec<u64>> = parts.iter().map(|p| p.parse().ok()).collect();
            match nums.as_deref() {
                Some([n]) => Value::from(*n),
                Some([x, y]) => serde_json::json!({ "x": x, "y": y }),
                _ => Value::from(t),
            }
        }
        "hideOn" => Value::Array(
            t.split([',', ' '])
                .filter(|p| !p.is_empty())
                .map(Value::from)
                .collect(),
        ),
        _ => Value::from(t),
    }
}

fn unknown(key: &str, attribute: bool) -> Problem {
    let written = if attribute {
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
    Problem {
        key: key.to_string(),
        message: format!(
            "[shopdesk] unknown setting {written}; {hint}known settings: {}",
            KEYS.join(", ")
        ),
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

/// A value as the merchant wrote it, cut short.
fn shown(value: &Value) -> String {
    let s = value.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
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
    use serde_json::json;

    fn read(attributes: Value, object: Value) -> (Settings, Vec<Problem>) {
        let m = |v: Value| v.as_object().cloned().unwrap_or_default();
        Settings::read(&m(attributes), &m(object))
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
                .message
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
            problems[0].message.contains("data-postion")
                && problems[0].message.contains("did you mean `position`"),
            "{}",
            problems[0].message
        );
        assert!(
            problems[1]
                .message
                .contains("`brandColour` in shopdeskSettings")
                && problems[1].message.contains("`brandColor`")
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

    #[test]
    fn settings_travel_to_the_widget_as_json_unchanged() {
        let (s, _) = read(
            json!({}),
            json!({"brandColor": "#123456", "position": "bottom-left", "hideOn": ["/a*"]}),
        );
        let back: Settings = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }
}
