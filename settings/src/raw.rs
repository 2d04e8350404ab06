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
        let mut s = String::new();
        self.write(&mut s);
        if let Some((cut, _)) = s.char_indices().nth(60) {
            s.truncate(cut);
            s.push('…');
        }
        s
    }

    /// Writes the value JSON-like, with `push_str` rather than `format!` (see `decimal`).
    fn write(&self, out: &mut String) {
        match self {
            Raw::Null => out.push_str("null"),
            Raw::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Raw::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => {
                if *n < 0.0 {
                    out.push('-');
                }
                out.push_str(&decimal(n.abs() as u64));
            }
            Raw::Num(_) => out.push_str("a fractional number"),
            Raw::Str(s) => {
                out.push('"');
                out.push_str(s);
                out.push('"');
            }
            Raw::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Raw::Map(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(k);
                    out.push_str(": ");
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// A whole number in decimal, written without the standard formatting machinery, which
/// code on the page-load path (the launcher) does not carry.
pub fn decimal(mut n: u64) -> String {
    let mut reversed = Vec::new();
    loop {
        reversed.push(char::from(b'0' + (n % 10) as u8));
        n /= 10;
        if n == 0 {
            break;
        }
    }
    reversed.iter().rev().collect()
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
        assert_eq!(Raw::Num(-12.0).shown(), "-12");
        assert_eq!(Raw::Num(0.5).shown(), "a fractional number");
        let long = Raw::Str("x".repeat(100)).shown();
        assert_eq!(long.chars().count(), 61);
        assert!(long.ends_with('…'));
        let list = Raw::List(vec![Raw::Bool(true), Raw::Null]);
        assert_eq!(list.shown(), "[true, null]");
    }

    #[test]
    fn decimals() {
        assert_eq!(decimal(0), "0");
        assert_eq!(decimal(7), "7");
        assert_eq!(decimal(u64::MAX), u64::MAX.to_string());
    }
}
