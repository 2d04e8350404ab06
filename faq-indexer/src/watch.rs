//! `faq-indexer build --watch`: builds again whenever the content changes, so an editor
//! sees an edit in the widget moments after saving it.
//!
//! - An editor's save is several file events (a temporary file, a rename, the write):
//!   they are gathered for [`SETTLE`] and build once.
//! - A broken edit leaves the last good index where it is: `build` checks everything
//!   before it writes anything, and writes the manifest last.
//! - The output folder may sit inside the content folder; its own writes are not
//!   changes. Neither are editors' swap and backup files nor hidden folders (`.git`),
//!   nor reads and metadata changes (reading a file just written updates its access
//!   time, which would make every build start another).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, Result};
use notify_debouncer_full::notify::event::{EventKind, ModifyKind};
use notify_debouncer_full::notify::RecursiveMode;
use notify_debouncer_full::{new_debouncer, DebounceEventResult, DebouncedEvent};

/// How long file events are gathered before building.
pub(crate) const SETTLE: Duration = Duration::from_millis(250);

/// What is watched: the content folders and files, and the output to ignore.
#[derive(Debug, Clone)]
pub(crate) struct Watched {
    inputs: Vec<PathBuf>,
    out: PathBuf,
}

impl Watched {
    /// `inputs` and `out` as given; made absolute, because file events name absolute
    /// paths.
    pub(crate) fn new(inputs: &[PathBuf], out: &Path) -> Result<Self> {
        let absolute = |p: &Path| -> Result<PathBuf> {
            let p = std::path::absolute(p)
                .with_context(|| format!("cannot resolve {}", p.display()))?;
            // Resolved like the events' paths (a temporary folder may be a symlink).
            Ok(p.canonicalize().unwrap_or(p))
        };
        Ok(Self {
            inputs: inputs.iter().map(|p| absolute(p)).collect::<Result<_>>()?,
            out: absolute(out)?,
        })
    }

    /// The first path `event` changed that may change the index.
    fn changed<'a>(&self, event: &'a DebouncedEvent) -> Option<&'a Path> {
        let writes = match event.kind {
            EventKind::Create(_) | EventKind::Remove(_) | EventKind::Any => true,
            EventKind::Modify(ModifyKind::Metadata(_)) => false,
            EventKind::Modify(_) => true,
            EventKind::Access(_) | EventKind::Other => false,
        };
        let path = event.paths.iter().find(|p| self.matters(p));
        path.filter(|_| writes).map(PathBuf::as_path)
    }

    /// Whether an event on `path` may change the index.
    pub(crate) fn matters(&self, path: &Path) -> bool {
        if path.starts_with(&self.out) {
            return false;
        }
        let Some(input) = self.inputs.iter().find(|i| path.starts_with(i)) else {
            return false;
        };
        let inside = path.strip_prefix(input).unwrap_or(path);
        // Hidden files and folders (`.git`, `.article.md.swp`) and editors' backups
        // (`article.md~`, `#article.md#`) are never content.
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let hidden = inside
            .components()
            .any(|c| c.as_os_str().to_str().is_some_and(|c| c.starts_with('.')));
        !(hidden || name.ends_with('~') || name.starts_with('#'))
    }

    /// Where to listen: each folder recursively; a file through its folder, since
    /// editors replace a file rather than write into it.
    fn roots(&self) -> Vec<(PathBuf, RecursiveMode)> {
        self.inputs
            .iter()
            .map(|input| match input.parent() {
                Some(parent) if input.is_file() => {
                    (parent.to_path_buf(), RecursiveMode::NonRecursive)
                }
                _ => (input.clone(), RecursiveMode::Recursive),
            })
            .collect()
    }
}

/// Runs `build` now and after every change that matters, until the process is stopped.
pub(crate) fn run(
    watched: &Watched,
    mut build: impl FnMut() -> Result<ExitCode>,
) -> Result<ExitCode> {
    let (events, changes) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer =
        new_debouncer(SETTLE, None, events).context("cannot watch the content for changes")?;
    for (root, mode) in watched.roots() {
        debouncer
            .watch(&root, mode)
            .with_context(|| format!("cannot watch {} for changes", root.display()))?;
    }
    once(&mut build, watched);
    for batch in changes {
        match batch {
            Ok(batch) => {
                if let Some(changed) = batch.iter().find_map(|e| watched.changed(e)) {
                    eprintln!("\n{} changed: building again", changed.display());
                    once(&mut build, watched);
                }
            }
            Err(errors) => {
                for e in errors {
                    eprintln!("warning: watching the content: {e}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One build; whatever happens, watching goes on.
fn once(build: &mut impl FnMut() -> Result<ExitCode>, watched: &Watched) {
    let good = match build() {
        Ok(code) => code == ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            false
        }
    };
    if !good {
        eprintln!(
            "the last good index in {} is unchanged; fix the above and save again",
            watched.out.display()
        );
    }
    eprintln!("watching for changes (Ctrl-C stops)");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_matters_and_the_output_and_editor_files_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let faq = dir.path().join("faq");
        std::fs::create_dir(&faq).unwrap();
        let watched = Watched::new(std::slice::from_ref(&faq), &faq.join("out")).unwrap();
        let root = &watched.inputs[0];
        assert!(watched.matters(&root.join("returns.md")));
        assert!(watched.matters(&root.join("de/returns.md")));
        for ignored in [
            "out/faq-manifest.json",
            ".git/index",
            ".returns.md.swp",
            "returns.md~",
            "#returns.md#",
        ] {
            assert!(!watched.matters(&root.join(ignored)), "{ignored}");
        }
        assert!(!watched.matters(&dir.path().canonicalize().unwrap().join("elsewhere.md")));
    }

    #[test]
    fn only_writes_are_changes() {
        use notify_debouncer_full::notify::event::{
            AccessKind, CreateKind, DataChange, MetadataKind,
        };
        use notify_debouncer_full::notify::Event;
        let dir = tempfile::tempdir().unwrap();
        let watched = Watched::new(&[dir.path().to_path_buf()], &dir.path().join("out")).unwrap();
        let article = watched.inputs[0].join("returns.md");
        let event = |kind| {
            DebouncedEvent::new(
                Event::new(kind).add_path(article.clone()),
                std::time::Instant::now(),
            )
        };
        for kind in [
            EventKind::Create(CreateKind::File),
            EventKind::Modify(ModifyKind::Data(DataChange::Content)),
            EventKind::Remove(notify_debouncer_full::notify::event::RemoveKind::File),
        ] {
            assert_eq!(
                watched.changed(&event(kind)),
                Some(article.as_path()),
                "{kind:?}"
            );
        }
        for kind in [
            EventKind::Access(AccessKind::Read),
            EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)),
        ] {
            assert_eq!(watched.changed(&event(kind)), None, "{kind:?}");
        }
    }

    #[test]
    fn a_csv_file_is_watched_through_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("faq.csv");
        std::fs::write(&csv, "id,title,body\n").unwrap();
        let watched = Watched::new(&[csv], &dir.path().join("out")).unwrap();
        let roots = watched.roots();
        assert_eq!(roots.len(), 1);
        assert_eq!(roots[0].0, dir.path().canonicalize().unwrap());
        assert!(matches!(roots[0].1, RecursiveMode::NonRecursive));
        let folder = dir.path().canonicalize().unwrap();
        assert!(watched.matters(&folder.join("faq.csv")));
        assert!(!watched.matters(&folder.join("other.csv")));
    }
}
