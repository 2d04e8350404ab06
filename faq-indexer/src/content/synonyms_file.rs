//! `synonyms.yaml` at the top of a content folder: per locale, lines of words or phrases
//! that mean the same, applied when the index is built (`faq_core::synonyms`).
//!
//! ```yaml
//! en:
//!   - refund = money back = reimbursement
//!   - parcel = package
//! de:
//!   - Rückerstattung = Geld zurück
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use faq_core::Locale;

use super::{files, yaml_aliases, Limits};
use crate::diagnostics::Report;

/// The file's name in a content folder.
pub(crate) const FILE: &str = "synonyms.yaml";

/// One line of the file: what it lists, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    pub members: Vec<String>,
    pub path: PathBuf,
    pub line: usize,
}

/// Every locale's groups, from the `synonyms.yaml` of each folder in `inputs`.
pub(crate) type Lists = BTreeMap<Locale, Vec<Group>>;

/// Reads the `synonyms.yaml` of every folder in `inputs` that has one; problems go to
/// `report` at their line.
pub(crate) fn load(inputs: &[PathBuf], limits: &Limits, report: &mut Report) -> Lists {
    let mut lists = Lists::new();
    for input in inputs.iter().filter(|i| i.is_dir()) {
        let path = input.join(FILE);
        if !path.is_file() {
            continue;
        }
        match files::read(&path, files::Kind::Markdown, limits) {
            Ok(bytes) => parse(&path, &bytes, &mut lists, report),
            Err(message) => report.error(&path, 1, message),
        }
    }
    lists
}

fn parse(path: &Path, bytes: &[u8], lists: &mut Lists, report: &mut Report) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        report.error(path, 1, "file is not UTF-8 text; save it as UTF-8");
        return;
    };
    let scan = yaml_aliases::scan(text);
    if let Some(mark) = scan.marks.first() {
        report.error(
            path,
            mark.line,
            "synonyms use a YAML anchor or alias; write every line out",
        );
        return;
    }
    if let Some(e) = scan.error {
        report.error(path, e.line, format!("bad YAML: {}", e.message));
        return;
    }
    let read: BTreeMap<String, Vec<String>> = match serde_norway::from_str(text) {
        Ok(read) => read,
        Err(e) => {
            let line = e.location().map_or(1, |l| l.line());
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg);
            report.error(
                path,
                line,
                format!(
                    "{msg}; write a list per locale, e.g. `en:` then `  - refund = money back`"
                ),
            );
            return;
        }
    };
    let lines: Vec<&str> = text.lines().collect();
    for (key, entries) in read {
        let key_line = (0..lines.len())
            .find(|&i| lines[i].trim_start().starts_with(&format!("{key}:")))
            .unwrap_or(0);
        let locale = match key.parse::<Locale>() {
            Ok(locale) => locale,
            Err(e) => {
                report.error(path, key_line + 1, e.to_string());
                continue;
            }
        };
        // A locale's lines come after its key, in order.
        let mut from = key_line;
        let squeeze = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        for entry in entries {
            let wanted = squeeze(&entry);
            let line = (from..lines.len())
                .find(|&i| squeeze(lines[i]).contains(&wanted))
                .unwrap_or(key_line);
            from = line + 1;
            let members: Vec<String> = entry
                .split('=')
                .map(|m| m.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|m| !m.is_empty())
                .collect();
            if members.len() < 2 {
                report.error(
                    path,
                    line + 1,
                    format!(
                        "\"{entry}\" lists one word; write two or more that mean the same, separated by `=` (refund = money back)"
                    ),
                );
                continue;
            }
            lists.entry(locale).or_default().push(Group {
                members,
                path: path.to_path_buf(),
                line: line + 1,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Lists, Vec<String>) {
        let mut lists = Lists::new();
        let mut report = Report::default();
        parse(
            Path::new("synonyms.yaml"),
            text.as_bytes(),
            &mut lists,
            &mut report,
        );
        let said = report.sorted().iter().map(|d| d.to_string()).collect();
        (lists, said)
    }

    #[test]
    fn groups_per_locale_at_their_lines() {
        let (lists, said) = read(
            "en:\n  - refund = money back =  reimbursement\n  - parcel=package\nde:\n  - Rückerstattung = Geld zurück\n",
        );
        assert!(said.is_empty(), "{said:?}");
        let en = &lists[&Locale::En];
        assert_eq!(en[0].members, ["refund", "money back", "reimbursement"]);
        assert_eq!((en[0].line, en[1].line), (2, 3));
        assert_eq!(en[1].members, ["parcel", "package"]);
        assert_eq!(lists[&Locale::De][0].line, 5);
    }

    #[test]
    fn mistakes_are_named_at_their_line() {
        let (_, said) = read("en:\n  - refund = money back\n  - refund\nxx:\n  - a = b\n");
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(
            said[0].starts_with("synonyms.yaml:3: error") && said[0].contains("`=`"),
            "{said:?}"
        );
        assert!(said[1].starts_with("synonyms.yaml:4: error"), "{said:?}");
        let (_, said) = read("en: [a = b\n");
        assert!(said[0].contains("error"), "{said:?}");
        let (_, said) = read("en: &x\n  - a = b\nde: *x\n");
        assert!(said[0].contains("alias"), "{said:?}");
    }
}
