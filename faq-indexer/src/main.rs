//! `faq-indexer`: the content editor's tool. It checks FAQ articles, builds the static
//! search index the widget downloads, searches a built index exactly as the widget
//! does, and reports what shoppers could not find (`gaps`).
//!
//! Exit codes: 0 success (warnings allowed), 1 the content has errors, 2 anything else
//! (bad arguments, unreadable index, I/O).

mod bytes;
mod content;
mod diagnostics;
mod gaps;
mod output;
mod search_cmd;
mod watch;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Result};
use clap::{Parser, Subcommand};
use faq_core::synonyms::Synonyms;
use faq_core::{indexing, Locale};

use crate::diagnostics::Report;
use crate::output::Built;

#[derive(Debug, Parser)]
#[command(
    name = "faq-indexer",
    version,
    about = "Build and test the Shopdesk FAQ search index"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// What `build` and `check` read.
#[derive(Debug, clap::Args)]
struct ContentArgs {
    /// Folders of Markdown articles and/or CSV files.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Locale of articles that do not name one.
    #[arg(long, default_value = "en")]
    default_locale: Locale,
    /// Largest Markdown article file, in bytes or with KiB/MiB; a larger one is refused.
    #[arg(long, default_value = "1MiB", value_parser = bytes::parse)]
    max_file_bytes: u64,
    /// Largest CSV file, in bytes or with KiB/MiB; a larger one is refused.
    #[arg(long, default_value = "64MiB", value_parser = bytes::parse)]
    max_csv_bytes: u64,
}

impl ContentArgs {
    fn limits(&self) -> content::Limits {
        content::Limits {
            markdown: self.max_file_bytes,
            csv: self.max_csv_bytes,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate articles and write one index per locale into --out.
    Build {
        #[command(flatten)]
        content: ContentArgs,
        /// Output folder, published as static files next to the widget.
        #[arg(long)]
        out: PathBuf,
        /// Skip the brotli/gzip copies written beside each bundle (for throwaway
        /// indexes: quality 11 takes a while on very large bundles).
        #[arg(long)]
        no_precompress: bool,
        /// Keep running and build again whenever the content changes; a broken edit
        /// keeps the last good index.
        #[arg(long)]
        watch: bool,
    },
    /// Validate articles only; exit code 1 when there are errors.
    Check {
        #[command(flatten)]
        content: ContentArgs,
    },
    /// Search a built index with the widget's own search code.
    Search {
        /// Output folder of `faq-indexer build`.
        #[arg(long)]
        index: PathBuf,
        #[arg(long, default_value = "en")]
        locale: Locale,
        /// Results per query.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// One JSON line per query: {"query": ..., "results": [{"id", "title", "score"}]}.
        #[arg(long)]
        json: bool,
        /// A file with one query per line, instead of <QUERY>.
        #[arg(long, conflicts_with = "query")]
        queries: Option<PathBuf>,
        #[arg(required_unless_present = "queries")]
        query: Option<String>,
    },
    /// What shoppers could not find: searches without results, searches and articles
    /// followed by asking a person, articles voted not helpful, and the self-service
    /// rate, from a running shopdesk-server.
    Gaps {
        /// The server's address, such as https://help.example.com.
        #[arg(long, env = "SHOPDESK_SERVER")]
        server: String,
        /// The server's admin token (`--admin-token` of shopdesk-server).
        #[arg(long, env = "SHOPDESK_ADMIN_TOKEN", hide_env_values = true)]
        token: String,
        /// First day, `2026-11-01` (UTC) or an RFC 3339 time; default: 30 days ago.
        #[arg(long)]
        from: Option<String>,
        /// Day after the last, `2026-12-01`; default: now.
        #[arg(long)]
        to: Option<String>,
        /// Only this language (`en`, `de`, ...).
        #[arg(long)]
        locale: Option<String>,
        /// Rows per list.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=500))]
        top: u32,
        /// One row per finding as CSV, for a spreadsheet.
        #[arg(long, conflicts_with = "json")]
        csv: bool,
        /// The server's JSON report.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Check { content } => {
            let mut report = Report::default();
            let drafts = content::load(
                &content.inputs,
                content.default_locale,
                &content.limits(),
                &mut report,
            );
            let lists =
                content::synonyms_file::load(&content.inputs, &content.limits(), &mut report);
            let count = drafts.len();
            unused_synonyms(&content::finish(drafts), &lists, &mut report);
            let ok = print_report(&report);
            if ok {
                eprintln!("{count} articles OK");
            }
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Build {
            content,
            out,
            no_precompress,
            watch,
        } => {
            let siblings = if no_precompress {
                output::Siblings::Skip
            } else {
                output::Siblings::Write
            };
            if watch {
                let watched = watch::Watched::new(&content.inputs, &out)?;
                watch::run(&watched, || build(&content, &out, siblings))
            } else {
                build(&content, &out, siblings)
            }
        }
        Command::Search {
            index,
            locale,
            limit,
            json,
            queries,
            query,
        } => {
            let queries = match (queries, query) {
                (Some(file), _) => search_cmd::read_queries(&file)?,
                (None, Some(q)) => vec![q],
                (None, None) => bail!("give a query, or --queries <file>"),
            };
            let engine = search_cmd::open(&index, locale)?;
            search_cmd::run(&engine, &queries, limit, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Gaps {
            server,
            token,
            from,
            to,
            locale,
            top,
            csv,
            json,
        } => {
            let request = gaps::Request {
                server,
                token,
                from,
                to,
                locale,
                top,
            };
            let format = match (csv, json) {
                (true, _) => gaps::Format::Csv,
                (_, true) => gaps::Format::Json,
                _ => gaps::Format::Text,
            };
            let (json, report) = gaps::fetch(&request)?;
            print!("{}", gaps::render(&report, &json, format)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The member lists of `locale`'s synonym groups.
fn groups_of(lists: &content::synonyms_file::Lists, locale: Locale) -> Vec<Vec<String>> {
    lists
        .get(&locale)
        .map(|groups| groups.iter().map(|g| g.members.clone()).collect())
        .unwrap_or_default()
}

/// Warns about synonym groups no article of their locale uses: they never apply, most
/// likely because none of their words is the one the articles use.
fn unused_synonyms(
    articles: &[faq_core::Article],
    lists: &content::synonyms_file::Lists,
    report: &mut Report,
) {
    for (locale, groups) in lists {
        let mut synonyms = Synonyms::new(*locale, &groups_of(lists, *locale));
        let in_locale: Vec<faq_core::Article> = articles
            .iter()
            .filter(|a| a.locale == *locale)
            .cloned()
            .collect();
        for g in synonyms.unused(&in_locale) {
            let group = &groups[g];
            report.warning(
                &group.path,
                group.line,
                format!(
                    "no {locale} article uses any of \"{}\", so these synonyms never apply; add the word the articles use",
                    group.members.join("\", \"")
                ),
            );
        }
    }
}

/// Prints findings to stderr; returns whether there were no errors.
fn print_report(report: &Report) -> bool {
    for d in report.sorted() {
        eprintln!("{d}");
    }
    let (errors, warnings) = (report.errors(), report.warnings());
    if errors > 0 {
        eprintln!("{errors} error(s), {warnings} warning(s): fix the errors above and run again");
    } else if warnings > 0 {
        eprintln!("{warnings} warning(s)");
    }
    errors == 0
}

fn build(
    content: &ContentArgs,
    out: &std::path::Path,
    siblings: output::Siblings,
) -> Result<ExitCode> {
    let started = Instant::now();
    let mut report = Report::default();
    let drafts = content::load(
        &content.inputs,
        content.default_locale,
        &content.limits(),
        &mut report,
    );
    let lists = content::synonyms_file::load(&content.inputs, &content.limits(), &mut report);
    if !print_report(&report) {
        eprintln!("nothing was written to {}", out.display());
        return Ok(ExitCode::from(1));
    }
    if drafts.is_empty() {
        bail!("no articles found in the inputs; nothing was written");
    }
    let articles = content::finish(drafts);
    let mut by_locale = std::collections::BTreeMap::<Locale, Vec<_>>::new();
    for a in articles {
        by_locale.entry(a.locale).or_default().push(a);
    }
    for (locale, articles) in &mut by_locale {
        let mut synonyms = Synonyms::new(*locale, &groups_of(&lists, *locale));
        if !synonyms.is_empty() {
            for a in articles.iter_mut() {
                a.synonyms = synonyms.expansions(a);
            }
        }
    }
    let mut built = Vec::new();
    for (locale, articles) in &by_locale {
        built.push(Built {
            locale: *locale,
            articles: articles.len() as u32,
            bytes: indexing::build_bundle(*locale, articles)?,
        });
    }
    let manifest = output::publish(out, &built, siblings)?;
    let total: u32 = built.iter().map(|b| b.articles).sum();
    eprintln!(
        "Indexed {total} articles in {:.2} s into {}",
        started.elapsed().as_secs_f64(),
        out.display()
    );
    for (locale, entry) in &manifest.locales {
        eprintln!(
            "  {locale}  {:>6} articles  {:>10}  {}",
            entry.articles,
            bytes::human(entry.bytes),
            entry.file
        );
    }
    Ok(ExitCode::SUCCESS)
}
