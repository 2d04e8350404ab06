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
    pub reason: String,
}

/// A validated URL pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlPattern {
    pattern: String,
}

impl UrlPattern {
    /// Validates `pattern`, explaining what to change when it is not usable.
    pub fn parse(pattern: &str) -> Result<Self, PatternError> {
        let bad = |reason: &str| PatternError {
            pattern: pattern.to_string(),
            reason: reason.to_string(),
        };
        if pattern.is_empty() {
            return Err(bad("it is empty"));
        }
        if !pattern.starts_with('/') && !pattern.starts_with('*') {
            return Err(bad(
                "it must start with `/` (a path such as `/checkout*`) or `*`",
            ));
        }
        if pattern.chars().any(char::is_whitespace) {
            return Err(bad("it contains white space"));
        }
        if let Some(c) = pattern.chars().find(|c| "[]{}".contains(*c)) {
            return Err(bad(&format!(
                "`{c}` is not supported; only `*` and `?` are, so list several patterns instead"
            )));
        }
        if pattern.contains('#') {
            return Err(bad("it contains `#`; patterns match the path only"));
        }
        Ok(Self {
            pattern: pattern.to_string(),
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
        for bad in ["", "checkout", "/a b", "/[ab]", "/{a,b}", "/x#y"] {
            let err = UrlPattern::parse(bad).unwrap_err().to_string();
            assert!(err.contains("bad URL pattern"), "{bad}: {err}");
        }
    }
}
