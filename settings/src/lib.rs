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

pub mod chat;
mod colour;
mod js;
mod raw;
pub mod surveys;

use page_pattern::UrlPattern;
use serde::de::value::StringDeserializer;
use serde::de::DeserializeOwned;
use serde::Deserialize;

pub use colour::{Rgb, AA_TEXT, BLACK, INK, WHITE};
pub use js::{from_js, read_js};
pub use raw::{decimal, Invalid, Raw};

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
    /// Pages where the widget stays hidden (`/checkout/success*`).
    pub hide_on: Vec<UrlPattern>,
    /// Where feedback events are POSTed; without one, no feedback is asked for.
    pub feedback_endpoint: Option<String>,
    pub chat_endpoint: Option<String>,
    pub color_scheme: ColorScheme,
    /// The merchant's surveys, as written: read by the widget module with
    /// [`surveys::read`] (the launcher, on every page load, only keeps them).
    pub surveys: Raw,
    /// Days between any two surveys shown to one shopper.
    pub survey_gap_days: u16,
    /// Search analytics on (the default) or off (`analytics: false`); they go beside
    /// the feedback endpoint ([`Settings::searches_endpoint`]).
    pub analytics: bool,
    /// Nothing is recorded until the page calls `shopdesk.consent(true)`.
    pub consent_required: bool,
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
            surveys: Raw::Null,
            survey_gap_days: 7,
            analytics: true,
            consent_required: false,
        }
    }
}

impl Settings {
    /// Where the widget posts search sessions, or `None` when analytics are off or
    /// there is nowhere to post: Shopdesk's own endpoint beside a feedback endpoint
    /// ending in `/feedback` (`…/v1/feedback` → `…/v1/searches`). A merchant's own
    /// feedback endpoint with another path gets nothing it did not ask for. (No
    /// setting of its own: each key costs every store page's download.)
    pub fn searches_endpoint(&self) -> Option<String> {
        if !self.analytics {
            return None;
        }
        let feedback = self.feedback_endpoint.as_deref()?;
        let base = feedback.strip_suffix("/feedback")?;
        Some(base.to_string() + "/searches")
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
/// Reading settings builds no text: the explanation is only put together by
/// [`Problem::message`], when it is printed. Settings are read on every store page load,
/// so the reading code stays free of string formatting.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub key: String,
    /// Set through a `data-*` attribute (else `window.shopdeskSettings`).
    pub attribute: bool,
    /// What the key expects; `None` for an unknown key.
    pub expected: Option<&'static str>,
    /// The value as written, for bad values.
    pub got: Raw,
}

impl Problem {
    /// The console warning: names the key and what is expected. Built with `push_str`:
    /// the launcher prints it on every page load with a bad setting.
    pub fn message(&self) -> String {
        let key = self.key.as_str();
        let mut m = String::from("[shopdesk] ");
        match self.expected {
            Some(expected) => {
                m += "setting `";
                m += key;
                m += "` must be ";
                m += expected;
                if let Some(e) = self.pattern_problem() {
                    m += " (";
                    m += &e.explain();
                    m += ")";
                }
                m += "; got ";
                m += &self.got.shown();
                m += "; using the default";
            }
            None => {
                m += "unknown setting ";
                if self.attribute {
                    m += "data-";
                    for c in key.chars() {
                        if c.is_ascii_uppercase() {
                            m.push('-');
                        }
                        m.push(c.to_ascii_lowercase());
                    }
                } else {
                    m += "`";
                    m += key;
                    m += "` in shopdeskSettings";
                }
                m += "; ";
                if let Some(k) = closest_key(key) {
                    m += "did you mean `";
                    m += k;
                    m += "`? ";
                }
                m += "known settings: ";
                for (i, k) in keys().enumerate() {
                    if i > 0 {
                        m += ", ";
                    }
                    m += k;
                }
            }
        }
        m
    }
}

/// The known key a misspelt one was probably meant to be (at most two edits away).
fn closest_key(key: &str) -> Option<&'static str> {
    let key = key.to_ascii_lowercase();
    let mut best: Option<(usize, &'static str)> = None;
    for k in keys() {
        let d = distance(&key, &k.to_ascii_lowercase());
        if d <= 2 && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, k));
        }
    }
    best.map(|(_, k)| k)
}

impl Problem {
    /// For a bad `hideOn`: what is wrong with its first unusable pattern.
    fn pattern_problem(&self) -> Option<page_pattern::PatternError> {
        if self.key != "hideOn" {
            return None;
        }
        let patterns = match &self.got {
            Raw::List(items) => items.as_slice(),
            one => std::slice::from_ref(one),
        };
        patterns.iter().find_map(|p| match p {
            Raw::Str(p) => UrlPattern::parse(p).err(),
            _ => None,
        })
    }
}

/// How a key's `data-*` attribute is read: attribute values are always text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attribute {
    Text,
    /// A whole number (`data-z-index="50"`).
    Number,
    /// One number, or two for x and y (`data-offset="8 30"`).
    Pixels,
    /// Items separated by commas or spaces (`data-hide-on="/a*, /b*"`).
    List,
}

/// One key a merchant may set: its name in `window.shopdeskSettings` (attributes use
/// it in kebab case, `data-brand-color`), how its attribute is read, and how a value
/// is checked and applied (or what the key expects). The one list of keys: reading,
/// the "unknown setting" warning and the test against `shopdesk.d.ts` all use it.
/// Defaults are [`Settings::default`]'s.
struct Key {
    name: &'static str,
    attribute: Attribute,
    apply: fn(&mut Settings, &Raw) -> Result<(), &'static str>,
}

const TABLE: [Key; 19] = [
    Key {
        name: "assetUrl",
        attribute: Attribute::Text,
        apply: |s, v| set(&mut s.asset_url, url(v, true).map(Some)),
    },
    Key {
        name: "indexUrl",
        attribute: Attribute::Text,
        apply: |s, v| set(&mut s.index_url, url(v, true).map(Some)),
    },
    Key {
        name: "locale",
        attribute: Attribute::Text,
        apply: |s, v| set(&mut s.locale, locale(v).map(Some)),
    },
    Key {
        name: "position",
        attribute: Attribute::Text,
        apply: |s, v| {
            set(
                &mut s.position,
                named(v, "\"bottom-right\" or \"bottom-left\""),
            )
        },
    },
    Key {
        name: "offset",
        attribute: Attribute::Pixels,
        apply: |s, v| set(&mut s.offset, offset(v)),
    },
    Key {
        name: "brandColor",
        attribute: Attribute::Text,
        apply: |s, v| {
            let expected = "a colour as \"#0f5f59\", \"#fa0\" or \"rgb(15, 95, 89)\"";
            set(
                &mut s.brand_color,
                Rgb::parse(string(v, expected)?).ok_or(expected),
            )
        },
    },
    Key {
        name: "launcherLabel",
        attribute: Attribute::Text,
        apply: |s, v| set(&mut s.launcher_label, text(v).map(Some)),
    },
    Key {
        name: "launcherIcon",
        attribute: Attribute::Text,
        apply: |s, v| {
            set(
                &mut s.launcher_icon,
                named(v, "\"chat\", \"help\", \"question\" or \"none\""),
            )
        },
    },
    Key {
        name: "greeting",
        attribute: Attribute::Text,
        apply: |s, v| set(&mut s.greeting, text(v).map(Some)),
    },
    Key {
        name: "zIndex",
        attribute: Attribute::Number,
        apply: |s, v| {
            let expected = "a whole number from 0 to 2147483647";
            set(
                &mut s.z_index,
                whole(v, 0, i32::MAX.into())
                    .map(|n| n as i32)
                    .ok_or(expected),
            )
        },
    },
    Key {
        name: "hideOn",
        attribute: Attribute::List,
        apply: |s, v| set(&mut s.hide_on, patterns(v)),
    },
    Key {
        name: "feedbackEndpoint",
        attribute: Attribute::Text,
        apply: |s, v| set(&mut s.feedback_endpoint, url(v, false).map(Some)),
    },
    Key {
        name: "chatEndpoint",
        attribute: Attribute::Text,
        apply: |s, v| set(&mut s.chat_endpoint, url(v, false).map(Some)),
    },
    Key {
        name: "chat",
        attribute: Attribute::Text,
        // Checked here, read by the chat module (`chat::read`), which alone uses it.
        apply: |_, v| match v {
            Raw::Map(_) => Ok(()),
            _ => Err("an object such as {\"preChat\": {\"email\": \"required\"}}"),
        },
    },
    Key {
        name: "colorScheme",
        attribute: Attribute::Text,
        apply: |s, v| {
            set(
                &mut s.color_scheme,
                named(v, "\"auto\", \"light\" or \"dark\""),
            )
        },
    },
    Key {
        name: "surveys",
        attribute: Attribute::Text,
        apply: |s, v| match v {
            Raw::List(_) => set(&mut s.surveys, Ok(v.clone())),
            _ => Err("a list of surveys such as [{\"kind\": \"nps\"}]"),
        },
    },
    Key {
        name: "surveyGapDays",
        attribute: Attribute::Number,
        apply: |s, v| {
            let expected = "a whole number of days from 0 to 3650";
            set(
                &mut s.survey_gap_days,
                whole(v, 0, 3650).map(|n| n as u16).ok_or(expected),
            )
        },
    },
    Key {
        name: "analytics",
        attribute: Attribute::Text,
        apply: |s, v| set(&mut s.analytics, flag(v).ok_or(FLAG_EXPECTED)),
    },
    Key {
        name: "consentRequired",
        attribute: Attribute::Text,
        apply: |s, v| set(&mut s.consent_required, flag(v).ok_or(FLAG_EXPECTED)),
    },
];

const FLAG_EXPECTED: &str = "true or false";

/// `true` or `false`, also as an attribute's text.
fn flag(value: &Raw) -> Option<bool> {
    match value {
        Raw::Bool(b) => Some(*b),
        Raw::Str(s) if s == "true" => Some(true),
        Raw::Str(s) if s == "false" => Some(false),
        _ => None,
    }
}

/// Puts a checked value in its place, or passes on what the key expects.
fn set<T>(slot: &mut T, value: Result<T, &'static str>) -> Result<(), &'static str> {
    *slot = value?;
    Ok(())
}

/// The key named `name`, if merchants may set it.
fn key(name: &str) -> Option<&'static Key> {
    TABLE.iter().find(|k| k.name == name)
}

/// Every key a merchant may set, as written in `window.shopdeskSettings`.
pub fn keys() -> impl Iterator<Item = &'static str> {
    TABLE.iter().map(|k| k.name)
}

/// Longest label or greeting: they must fit a button and a heading.
const MAX_TEXT: usize = 80;
const TEXT_EXPECTED: &str = "text of 1 to 80 characters";
const MAX_OFFSET: u16 = 400;
const OFFSET_EXPECTED: &str = "a number of pixels (0-400) or {\"x\": 20, \"y\": 20}";

impl Settings {
    /// Reads the settings from the script tag's `data-*` attributes (camel-cased keys,
    /// as `HTMLElement.dataset` gives them, with string values) and from
    /// `window.shopdeskSettings`, the latter winning.
    pub fn read(
        attributes: Vec<(String, String)>,
        object: Vec<(String, Raw)>,
    ) -> (Self, Vec<Problem>) {
        let mut settings = Settings::default();
        let mut problems = Vec::new();
        let from_attributes = attributes.into_iter().map(|(name, text)| {
            let value = match key(&name) {
                Some(k) => from_attribute(k.attribute, &text),
                None => Raw::Str(text),
            };
            (name, value, true)
        });
        let from_object = object.into_iter().map(|(name, value)| (name, value, false));
        for (name, got, attribute) in from_attributes.chain(from_object) {
            let expected = match (key(&name), &got) {
                (None, _) => None,
                (Some(_), Raw::Null) => continue,
                (Some(k), value) => match (k.apply)(&mut settings, value) {
                    Ok(()) => continue,
                    Err(expected) => Some(expected),
                },
            };
            problems.push(Problem {
                key: name,
                attribute,
                expected,
                got,
            });
        }
        (settings, problems)
    }

    /// Whether the widget stays hidden on the page at `path`.
    pub fn hidden_on(&self, path: &str) -> bool {
        self.hide_on.iter().any(|p| p.matches(path))
    }
}

fn locale(value: &Raw) -> Result<String, &'static str> {
    let expected = "a language tag such as \"de\" or \"pt-BR\"";
    let tag = string(value, expected)?;
    let ok = !tag.is_empty()
        && tag.len() <= 35
        && tag
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
    if !ok {
        return Err(expected);
    }
    Ok(tag.to_string())
}

fn offset(value: &Raw) -> Result<Offset, &'static str> {
    let px = |v: &Raw| whole(v, 0, MAX_OFFSET.into()).map(|n| n as u16);
    match value {
        Raw::Num(_) => px(value).map(|n| Offset { x: n, y: n }),
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
    .ok_or(OFFSET_EXPECTED)
}

fn patterns(value: &Raw) -> Result<Vec<UrlPattern>, &'static str> {
    let expected = "a list of URL patterns such as [\"/checkout/success*\"]";
    let patterns = match value {
        Raw::List(items) => items.as_slice(),
        one => std::slice::from_ref(one),
    };
    let mut hide_on = Vec::new();
    for p in patterns {
        hide_on.push(UrlPattern::parse(string(p, expected)?).map_err(|_| expected)?);
    }
    Ok(hide_on)
}

/// One of a fixed set of names, read by serde from the enum's own (kebab-case) names.
pub(crate) fn named<T: DeserializeOwned>(
    value: &Raw,
    expected: &'static str,
) -> Result<T, &'static str> {
    let name = string(value, expected)?.to_string();
    T::deserialize(StringDeserializer::<Invalid>::new(name)).map_err(|_| expected)
}

fn string<'a>(value: &'a Raw, expected: &'static str) -> Result<&'a str, &'static str> {
    match value {
        Raw::Str(s) => Ok(s),
        _ => Err(expected),
    }
}

/// A whole number in `min..=max`.
fn whole(value: &Raw, min: i64, max: i64) -> Option<i64> {
    match *value {
        Raw::Num(n) if n.fract() == 0.0 && n >= min as f64 && n <= max as f64 => Some(n as i64),
        _ => None,
    }
}

fn text(value: &Raw) -> Result<String, &'static str> {
    let t = string(value, TEXT_EXPECTED)?.trim();
    // `char_indices`, not `chars`: `Chars::nth` pulls in a fast character counter (~880
    // bytes of `.wasm`) that page load does not need for 80 characters.
    if t.is_empty() || t.char_indices().nth(MAX_TEXT).is_some() {
        return Err(TEXT_EXPECTED);
    }
    Ok(t.to_string())
}

/// An http(s) URL, or a path on the store's own site. `folder` URLs get a trailing
/// slash so files resolve inside them.
fn url(value: &Raw, folder: bool) -> Result<String, &'static str> {
    let expected = "an https:// URL or a path starting with /";
    let u = string(value, expected)?.trim();
    let scheme = |s: &str| {
        u.get(..s.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(s))
    };
    let ok = (scheme("https://") || scheme("http://") || u.starts_with('/'))
        && !u.chars().any(char::is_whitespace);
    if !ok {
        return Err(expected);
    }
    let mut u = u.to_string();
    if folder && !u.ends_with('/') {
        u.push('/');
    }
    Ok(u)
}

/// `data-*` values are always strings; read numbers, lists and offsets out of them.
///
/// Plain loops rather than iterator chains and `collect`: this runs on every store page
/// load, and each generic instantiation is bytes every shopper downloads.
fn from_attribute(kind: Attribute, text: &str) -> Raw {
    let t = text.trim();
    let words = t.split([',', ' ']).filter(|p| !p.is_empty());
    match kind {
        Attribute::Number => number(t).unwrap_or_else(|| Raw::Str(t.into())),
        Attribute::Pixels => {
            let mut nums = [Raw::Null, Raw::Null, Raw::Null];
            let mut count = 0;
            for word in words {
                match (nums.get_mut(count), number(word)) {
                    (Some(slot), Some(n)) => *slot = n,
                    _ => return Raw::Str(t.into()),
                }
                count += 1;
            }
            let [x, y, _] = nums;
            match count {
                1 => x,
                2 => Raw::Map(vec![("x".into(), x), ("y".into(), y)]),
                _ => Raw::Str(t.into()),
            }
        }
        Attribute::List => {
            let mut list = Vec::new();
            for word in words {
                list.push(Raw::Str(word.into()));
            }
            Raw::List(list)
        }
        Attribute::Text => Raw::Str(t.into()),
    }
}

fn number(text: &str) -> Option<Raw> {
    text.parse::<i64>().ok().map(|n| Raw::Num(n as f64))
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
pub(crate) mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// A settings value as the page would give it, from JSON.
    pub(crate) fn raw(v: Value) -> Raw {
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
        Settings::read(attributes, object)
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
        let hide_on: Vec<&str> = s.hide_on.iter().map(UrlPattern::as_str).collect();
        assert_eq!(hide_on, ["/checkout/success*", "/account*"]);
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
    fn shopdesk_d_ts_declares_exactly_these_settings() {
        let types = include_str!("../../launcher/loader/shopdesk.d.ts");
        let block = &types[types
            .find("interface Settings {")
            .expect("Shopdesk.Settings")..];
        let block = &block[..block.find("\n    }").expect("the end of Shopdesk.Settings")];
        let mut declared: Vec<&str> = block
            .lines()
            .filter_map(|l| l.trim().split_once("?:").map(|(name, _)| name))
            .collect();
        let mut ours: Vec<&str> = keys().collect();
        declared.sort_unstable();
        ours.sort_unstable();
        assert_eq!(declared, ours);
    }

    #[test]
    fn every_key_reads_from_its_attribute_and_the_object() {
        // One usable value per key, as an attribute would spell it.
        let attribute = |name: &str| match name {
            "assetUrl" | "indexUrl" => "/help/",
            "locale" => "de",
            "position" => "bottom-left",
            "offset" => "8 30",
            "brandColor" => "#123456",
            "launcherLabel" | "greeting" => "Hi",
            "launcherIcon" => "help",
            "zIndex" | "surveyGapDays" => "3",
            "hideOn" => "/a*, /b*",
            "feedbackEndpoint" | "chatEndpoint" => "/v1/x",
            "colorScheme" => "dark",
            "surveys" | "chat" => "",
            "analytics" => "false",
            "consentRequired" => "true",
            other => panic!("no example for `{other}`: add one"),
        };
        for k in TABLE
            .iter()
            .filter(|k| !matches!(k.name, "surveys" | "chat"))
        {
            let (s, problems) = read(json!({ k.name: attribute(k.name) }), json!({}));
            assert!(problems.is_empty(), "{}: {problems:?}", k.name);
            assert_ne!(s, Settings::default(), "{} changed nothing", k.name);
        }
    }

    #[test]
    fn search_sessions_go_beside_shopdesks_feedback_endpoint_unless_told_otherwise() {
        let endpoint = |attributes, object| read(attributes, object).0.searches_endpoint();
        assert_eq!(endpoint(json!({}), json!({})), None, "nowhere to post");
        let shopdesk = json!({"feedbackEndpoint": "https://help.example/v1/feedback"});
        assert_eq!(
            endpoint(shopdesk.clone(), json!({})).as_deref(),
            Some("https://help.example/v1/searches")
        );
        assert_eq!(
            endpoint(json!({"feedbackEndpoint": "/api/responses"}), json!({})),
            None,
            "a merchant's own endpoint is not guessed at"
        );
        assert_eq!(
            endpoint(shopdesk.clone(), json!({"analytics": false})),
            None
        );
        assert_eq!(
            endpoint(
                json!({"analytics": "false"}),
                json!({"feedbackEndpoint": "/v1/feedback"})
            ),
            None,
            "as an attribute"
        );
        let (s, problems) = read(json!({}), json!({"analytics": "off", "consentRequired": 1}));
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(s.analytics && !s.consent_required, "defaults kept");
        let (s, _) = read(json!({"consentRequired": "true"}), json!({}));
        assert!(s.consent_required);
    }

    #[test]
    fn expectations_name_the_limits_in_force() {
        assert!(OFFSET_EXPECTED.contains(&format!("0-{MAX_OFFSET}")));
        assert!(TEXT_EXPECTED.contains(&format!("1 to {MAX_TEXT}")));
        let (s, problems) = read(json!({}), json!({"launcherLabel": "x".repeat(MAX_TEXT)}));
        assert!(problems.is_empty() && s.launcher_label.is_some());
        let (_, problems) = read(
            json!({}),
            json!({"launcherLabel": "x".repeat(MAX_TEXT + 1)}),
        );
        assert_eq!(problems.len(), 1);
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
