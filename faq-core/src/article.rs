//! The article record as the index stores it.

use serde::{Deserialize, Serialize};

use crate::Locale;

/// One FAQ article, validated and rendered, ready to index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub id: String,
    pub title: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub questions: Vec<String>,
    /// URL glob patterns (see [`crate::pattern`]).
    pub pages: Vec<String>,
    pub locale: Locale,
    /// Sanitized HTML of the answer.
    pub html: String,
    /// Plain text of the answer, for ranking and snippets.
    pub text: String,
    /// Synonyms of words it uses that it does not use itself (`crate::synonyms`):
    /// indexed like tags, never shown.
    #[serde(default)]
    pub synonyms: Vec<String>,
}
