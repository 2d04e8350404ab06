//! Finding the Markdown articles of a content folder without leaving it.
//!
//! - A symlink is followed only when its target, resolved on disk, lies inside the
//!   content folder. One that leads outside is skipped with a warning: the index is
//!   published, and a link to a private file must not end up in it.
//! - Each folder and file is read once, however many links lead to it: the real tree
//!   first, so an article is known by its own path, then links to what it did not
//!   reach. A link to something read already is skipped with a warning; this also ends
//!   symlink loops.
//! - Anything that is neither a regular file nor a folder (a FIFO, a socket, a device)
//!   is skipped with a warning, never opened: opening a FIFO waits for a writer.
//! - Hidden files and folders (`.git`, `.drafts`) are not read.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::diagnostics::Report;

/// A Markdown file to read: its path as the editor knows it (for findings and the
/// default id), and the real file behind it (what is read).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Found {
    pub shown: PathBuf,
    pub real: PathBuf,
}

/// The `.md` files under `input`, in path order.
pub(super) fn markdown_files(input: &Path, report: &mut Report) -> Vec<Found> {
    let root = match fs::canonicalize(input) {
        Ok(root) => root,
        Err(e) => {
            report.error(input, 1, format!("cannot read folder: {e}"));
            return Vec::new();
        }
    };
    let mut walk = Walk {
        root: root.clone(),
        shown_root: input.to_path_buf(),
        dirs: BTreeSet::new(),
        files: BTreeSet::new(),
        found: Vec::new(),
        links: Vec::new(),
    };
    walk.dir(input, &root, report);
    // Links last, in the order they were met; following one may meet more.
    let mut next = 0;
    while let Some(link) = walk.links.get(next).cloned() {
        next += 1;
        walk.follow(link, report);
    }
    let mut found = walk.found;
    found.sort();
    found
}

struct Walk {
    /// The content folder, resolved, and as given.
    root: PathBuf,
    shown_root: PathBuf,
    /// Resolved folders and files read so far.
    dirs: BTreeSet<PathBuf>,
    files: BTreeSet<PathBuf>,
    found: Vec<Found>,
    /// Symlinks inside the folder, still to follow.
    links: Vec<Link>,
}

#[derive(Clone)]
struct Link {
    shown: PathBuf,
    target: PathBuf,
    dir: bool,
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"))
}

impl Walk {
    /// Reads the folder `real` (resolved), known to the editor as `shown`.
    fn dir(&mut self, shown: &Path, real: &Path, report: &mut Report) {
        if !self.dirs.insert(real.to_path_buf()) {
            return;
        }
        let entries = match fs::read_dir(real) {
            Ok(entries) => entries,
            Err(e) => {
                report.error(shown, 1, format!("cannot read folder: {e}"));
                return;
            }
        };
        let mut entries: Vec<_> = entries
            .flatten()
            .filter_map(|e| Some((e.file_name(), e.file_type().ok()?)))
            .filter(|(name, _)| !name.to_string_lossy().starts_with('.'))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, file_type) in entries {
            let (shown, real) = (shown.join(&name), real.join(&name));
            if file_type.is_dir() {
                self.dir(&shown, &real, report);
            } else if file_type.is_symlink() {
                self.link(shown, &real, report);
            } else if !is_markdown(&shown) {
                continue;
            } else if file_type.is_file() {
                self.files.insert(real.clone());
                self.found.push(Found { shown, real });
            } else {
                report.warning(&shown, 1, super::files::NOT_REGULAR);
            }
        }
    }

    /// Resolves a symlink met in the tree (`real`: in a resolved folder): queued when it
    /// stays inside the content folder.
    fn link(&mut self, shown: PathBuf, real: &Path, report: &mut Report) {
        let target = match fs::canonicalize(real) {
            Ok(target) => target,
            Err(e) => {
                // A dangling link or a loop of links; only an article's name is news.
                if is_markdown(&shown) {
                    report.warning(
                        &shown,
                        1,
                        format!(
                            "symlink cannot be followed ({e}), so it is skipped; fix or delete it"
                        ),
                    );
                }
                return;
            }
        };
        let Ok(meta) = fs::metadata(&target) else {
            return;
        };
        let dir = meta.is_dir();
        if !dir && !is_markdown(&shown) {
            return;
        }
        if !target.starts_with(&self.root) {
            report.warning(
                &shown,
                1,
                format!(
                    "symlink to `{}`, outside the content folder `{}`, is skipped; copy the {} into the folder instead",
                    target.display(),
                    self.root.display(),
                    if dir { "articles" } else { "article" }
                ),
            );
            return;
        }
        if !dir && !meta.is_file() {
            report.warning(&shown, 1, super::files::NOT_REGULAR);
            return;
        }
        self.links.push(Link { shown, target, dir });
    }

    fn follow(&mut self, link: Link, report: &mut Report) {
        let seen = if link.dir {
            self.dirs.contains(&link.target)
        } else {
            self.files.contains(&link.target)
        };
        if seen {
            // Named as the editor knows the folder, like every path in the findings.
            let target = match link.target.strip_prefix(&self.root) {
                Ok(inside) => self.shown_root.join(inside),
                Err(_) => link.target.clone(),
            };
            report.warning(
                &link.shown,
                1,
                format!(
                    "symlink to `{}`, which is read already, is skipped",
                    target.display()
                ),
            );
        } else if link.dir {
            self.dir(&link.shown, &link.target, report);
        } else {
            self.files.insert(link.target.clone());
            self.found.push(Found {
                shown: link.shown,
                real: link.target,
            });
        }
    }
}
