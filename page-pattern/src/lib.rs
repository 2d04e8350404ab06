//! URL patterns for store pages: where an FAQ article is suggested (`pages` in its front
//! matter, checked by `faq-indexer`, matched by the widget) and where a merchant hides
//! the widget (its `hideOn` setting). One crate so all of them read a pattern the same way.
//!
//! Deliberately small: `*` matches any run of characters (slashes included) and `?`
//! one character. Patterns are matched against the page path without query string.
//! Character classes and alternatives are rejected rather than half-supported, so an
//! editor never writes a pattern that silently matches nothing.

use thiserror::Error;

/// Why a pattern cannot be used; the message says what to change.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("bad URL pattern `{pattern}`: {reason}")]
pub struct PatternError {
    pub pattern: String,
    pub reason: Reason,
}

/// What is wrong with a pattern. An enum rather than text: the widget checks patterns on
/// every store page load, and only formats the explanation when it prints one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Reason {
    #[error("it is empty")]
    Empty,
    #[error("it must start with `/` (a path such as `/checkout*`) or `*`")]
    NotAPath,
    #[error("it contains white space")]
    WhiteSpace,
    #[error("`{0}` is not supported; only `*` and `?` are, so list several patterns instead")]
    Unsupported(char),
    #[error("it contains `#`; patterns match the path only")]
    Fragment,
}

impl PatternError {
    /// The same words as `Display`, joined without `core::fmt`: the launcher, which
    /// every store page downloads, prints them, and formatting machinery costs it bytes.
    pub fn explain(&self) -> String {
        let mut m = String::from("bad URL pattern `");
        m += &self.pattern;
        m += "`: ";
        match self.reason {
            Reason::Empty => m += "it is empty",
            Reason::NotAPath => m += "it must start with `/` (a path such as `/checkout*`) or `*`",
            Reason::WhiteSpace => m += "it contains white space",
            Reason::Unsupported(c) => {
                m.push('`');
                m.push(c);
                m += "` is not supported; only `*` and `?` are, so list several patterns instead";
            }
            Reason::Fragment => m += "it contains `#`; patterns match the path only",
        }
        m
    }
}

/// A validated URL pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlPattern {
    pattern: String,
}

impl UrlPattern {
    /// Validates `pattern`, explaining what to change when it is not usable.
    pub fn parse(pattern: &str) -> Result<Self, PatternError> {
        match Self::check(pattern) {
            Some(reason) => Err(PatternError {
                pattern: pattern.to_string(),
                reason,
            }),
            None => Ok(Self {
                pattern: pattern.to_string(),
            }),
        }
    }

    /// What is wrong with `pattern`, if anything.
    fn check(pattern: &str) -> Option<Reason> {
        match pattern.bytes().next() {
            None => return Some(Reason::Empty),
            Some(b'/' | b'*') => {}
            Some(_) => return Some(Reason::NotAPath),
        }
        pattern.chars().find_map(|c| match c {
            '[' | ']' | '{' | '}' => Some(Reason::Unsupported(c)),
            '#' => Some(Reason::Fragment),
            c if c.is_whitespace() => Some(Reason::WhiteSpace),
            _ => None,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Whether `path` (a URL path such as `/checkout/payment`) matches.
    pub fn matches(&self, path: &str) -> bool {
        wildcard(self.pattern.as_bytes(), path.as_bytes())
    }
}

/// Iterative wildcard matching with single-star backtracking: linear in practice,
/// never exponential. Works on bytes; `?` therefore matches one byte, which only
/// differs from "one character" for non-ASCII paths, which browsers percent-encode.
fn wildcard(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, si));
            pi += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        UrlPattern::parse(p).unwrap().matches(s)
    }

    #[test]
    fn explanations_read_as_the_error_messages() {
        for bad in ["", "checkout", "/a b", "/[a]", "/a#b"] {
            let e = UrlPattern::parse(bad).unwrap_err();
            assert_eq!(e.explain(), e.to_string());
        }
    }

    #[test]
    fn matches_prefixes_and_segments() {
        assert!(m("/checkout*", "/checkout"));
        assert!(m("/checkout*", "/checkout/payment"));
        assert!(!m("/checkout*", "/cart"));
        assert!(m("/products/*/reviews", "/products/rain-jacket/reviews"));
        assert!(m("*", "/anything"));
        assert!(m("/order-?", "/order-1"));
        assert!(!m("/order-?", "/order-12"));
        assert!(m("/a**b", "/axxb"));
    }

    #[test]
    fn explains_unusable_patterns() {
        let cases = [
            ("", Reason::Empty),
            ("checkout", Reason::NotAPath),
            ("/a b", Reason::WhiteSpace),
            ("/[ab]", Reason::Unsupported('[')),
            ("/{a,b}", Reason::Unsupported('{')),
            ("/x#y", Reason::Fragment),
        ];
        for (bad, reason) in cases {
            let err = UrlPattern::parse(bad).unwrap_err();
            assert_eq!(err.reason, reason, "{bad}");
            let text = err.to_string();
            assert!(text.starts_with("bad URL pattern"), "{bad}: {text}");
        }
        assert!(UrlPattern::parse("/[x]")
            .unwrap_err()
            .to_string()
            .contains("`[` is not supported"));
    }
}
