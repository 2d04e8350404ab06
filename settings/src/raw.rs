//! Settings values as the page gives them.
//!
//! The launcher is on every store page, so it carries no JSON parser and no generic
//! deserializer: it copies the JavaScript values into [`Raw`], and each setting is read
//! out of that by a small typed accessor (names of enum values by serde, from the
//! enums' own definitions). The serde error type ignores serde's messages (the settings
//! code says what a key expects itself), which keeps number formatting and its tables
//! out of the page-load module.

use std::fmt;

use serde::de;

/// A JSON-like value from a `data-*` attribute or `window.shopdeskSettings`.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<Raw>),
    Map(Vec<(String, Raw)>),
}

impl Raw {
    /// The value as the merchant wrote it, short, for warnings.
    pub fn shown(&self) -> String {
        let s = match self {
            Raw::Null => "null".to_string(),
            Raw::Bool(b) => if *b { "true" } else { "false" }.to_string(),
            Raw::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => (*n as i64).to_string(),
            Raw::Num(_) => "a fractional number".to_string(),
            Raw::Str(s) => format!("\"{s}\""),
            Raw::List(items) => {
                let inner: Vec<String> = items.iter().map(Raw::shown).collect();
                format!("[{}]", inner.join(", "))
            }
            Raw::Map(entries) => {
                let inner: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.shown()))
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }
        };
        if s.chars().count() > 60 {
            format!("{}…", s.chars().take(60).collect::<String>())
        } else {
            s
        }
    }
}

/// "Not what this key expects"; the settings code supplies the explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invalid;

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid setting value")
    }
}

impl std::error::Error for Invalid {}

impl de::Error for Invalid {
    fn custom<T: fmt::Display>(_message: T) -> Self {
        Invalid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_shown_as_written() {
        assert_eq!(Raw::Str("top".into()).shown(), "\"top\"");
        assert_eq!(Raw::Num(5000.0).shown(), "5000");
        let m = Raw::Map(vec![("x".into(), Raw::Num(1.0))]);
        assert_eq!(m.shown(), "{x: 1}");
    }
}
