//! Validation findings, each pointing at a file and line and saying what to fix.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Severity {
    Error,
    Warning,
}

/// One finding about the content.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Diagnostic {
    pub path: PathBuf,
    pub line: usize,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}: {label}: {}",
            self.path.display(),
            self.line,
            self.message
        )
    }
}

/// Collects findings while content is loaded and checked.
#[derive(Debug, Default)]
pub(crate) struct Report {
    items: Vec<Diagnostic>,
}

impl Report {
    pub(crate) fn error(&mut self, path: &Path, line: usize, message: impl Into<String>) {
        self.push(path, line, Severity::Error, message.into());
    }

    pub(crate) fn warning(&mut self, path: &Path, line: usize, message: impl Into<String>) {
        self.push(path, line, Severity::Warning, message.into());
    }

    fn push(&mut self, path: &Path, line: usize, severity: Severity, message: String) {
        self.items.push(Diagnostic {
            path: path.to_path_buf(),
            line: line.max(1),
            severity,
            message,
        });
    }

    pub(crate) fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    pub(crate) fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, s: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == s).count()
    }

    /// Findings in file and line order, so output is stable and easy to follow.
    pub(crate) fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<_> = self.items.iter().collect();
        v.sort();
        v
    }
}
