//! Front matter may not use YAML anchors (`&name`) or aliases (`*name`).
//!
//! Articles never need them, and aliases are how a few hundred bytes of YAML expand to
//! gigabytes ("billion laughs"). serde_norway stops the classic bomb (nested anchors,
//! each aliased nine times) with its repetition limit, but that limit counts aliases,
//! not what they expand to: one anchor of 100,000 values aliased 100,000 times stays
//! under it, and a 500 KB file of that shape ran for over a minute and took 7.8 GB before
//! it was stopped. So the text first goes through a YAML event parser (saphyr-parser),
//! which reports each anchor and alias where it is written and never expands one: one
//! pass, linear in the text ([`scan`]).
//!
//! The parser decides what is YAML syntax: `title: Fish & chips` and
//! `title: 20% off *today*` are plain text, `title: *today* only` is an alias. Where it
//! stops at a syntax error, the rest was not scanned. Text without a `*` cannot hold
//! an alias, and is left to serde_norway, which reads a little that this parser does not
//! (`title:<tab>x`, `tags: [a -]`) and words its own errors. Any other text it cannot
//! parse is refused as it is ([`Scan::error`]). So serde_norway never reads an alias, and
//! needs no other guard.

use saphyr_parser::{Event, Marker, Parser};

/// What the parser found in front matter.
#[derive(Debug, Default)]
pub(super) struct Scan {
    /// Every anchor and alias, in order, up to the end or to `error`.
    pub marks: Vec<Mark>,
    /// Where the parser stopped, and why, when the text holds a `*` (one it did not
    /// reach, or held back as a possible key, may be an alias).
    pub error: Option<Invalid>,
}

/// An anchor or alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Mark {
    /// `*name` rather than `&name`.
    pub alias: bool,
    /// 1-based line in the text scanned.
    pub line: usize,
    /// Character index of the `&` or `*`, or of a tag written before the anchor.
    index: usize,
}

/// Text that is not YAML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Invalid {
    /// 1-based line in the text scanned.
    pub line: usize,
    /// The parser's words, e.g. "mapping values are not allowed in this context".
    pub message: String,
}

/// Every anchor and alias in `yaml`, up to the end or to a syntax error.
pub(super) fn scan(yaml: &str) -> Scan {
    let mut scan = Scan::default();
    let mark = |alias, at: &Marker| Mark {
        alias,
        line: at.line(),
        index: at.index(),
    };
    for event in Parser::new_from_str(yaml) {
        match event {
            Ok((Event::Alias(_), span)) => scan.marks.push(mark(true, &span.start)),
            // A node's span starts at its anchor (or at a tag before it).
            Ok((
                Event::Scalar(_, _, anchor, _)
                | Event::SequenceStart(anchor, _)
                | Event::MappingStart(anchor, _),
                span,
            )) if anchor > 0 => scan.marks.push(mark(false, &span.start)),
            Ok(_) => {}
            Err(e) => {
                let at = e.marker();
                // An alias of no anchor (`title: *New* policy`), or `&`/`*` with no
                // name, stops the parser right there: it is reported as what it looks
                // like, which says to quote it.
                match yaml.chars().nth(at.index()) {
                    Some('*') => scan.marks.push(mark(true, at)),
                    Some('&') => scan.marks.push(mark(false, at)),
                    _ => {}
                }
                if yaml.contains('*') {
                    scan.error = Some(Invalid {
                        line: at.line(),
                        message: e.info().to_string(),
                    });
                }
                break;
            }
        }
    }
    scan
}

impl Mark {
    /// The name as written in `yaml` (the text scanned): `*bold*` gives `bold*`.
    pub(super) fn name(self, yaml: &str) -> &str {
        let rest = yaml
            .char_indices()
            .nth(self.index)
            .map_or("", |(at, _)| &yaml[at..]);
        // `!!str &a x`: the node starts at its tag.
        let rest = match rest.strip_prefix('!') {
            Some(tagged) => tagged.trim_start_matches(|c: char| !c.is_whitespace()),
            None => rest,
        };
        let rest = rest.trim_start();
        let rest = rest.strip_prefix(['&', '*']).unwrap_or(rest);
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}'))
            .unwrap_or(rest.len());
        &rest[..end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(yaml: &str) -> Vec<String> {
        let scan = scan(yaml);
        scan.marks
            .iter()
            .map(|m| {
                let sign = if m.alias { '*' } else { '&' };
                format!("{sign}{}@{}", m.name(yaml), m.line)
            })
            .collect()
    }

    #[test]
    fn anchors_and_aliases_where_a_value_begins_are_found() {
        assert_eq!(names("a: &x 1\nb: *x\n"), ["&x@1", "*x@2"]);
        assert_eq!(
            names("x: &x 1\nlist:\n  - *x\n  -  &y [1]\n"),
            ["&x@1", "*x@3", "&y@4"]
        );
        assert_eq!(
            names("a: &a 1\nb: &b 2\nc: &c 3\nt: [*a, *b,\n  *c]\n"),
            ["&a@1", "&b@2", "&c@3", "*a@4", "*b@4", "*c@5"]
        );
        assert_eq!(
            names("a: &a 1\nb: &b 2\nt: {k: *a, *b : v}\n"),
            ["&a@1", "&b@2", "*a@3", "*b@3"]
        );
        assert_eq!(names("k: &k x\n*k : v\n"), ["&k@1", "*k@2"]);
        assert_eq!(
            names("base: &base {a: 1}\nt:\n  <<: *base\n"),
            ["&base@1", "*base@3"]
        );
        assert_eq!(names("t: !!str &a x\n"), ["&a@1"]);
        assert_eq!(names("t: &a !!str x\n"), ["&a@1"]);
        assert_eq!(names("x: &x 1\nt:\n  *x\n"), ["&x@1", "*x@3"]);
        assert_eq!(names("t: &m\n  k: v\n"), ["&m@1"]);
        assert_eq!(names("q: |\n  text\nr: *x\n"), ["*x@3"]);
        assert_eq!(names("- q: |\n    text\n  r: *x\n"), ["*x@3"]);
        assert_eq!(names("a: 'it''s'\nb: *x\n"), ["*x@2"]);
        // Not aliases of an anchor, nor names: the parser stops there, and they are
        // reported as what they look like.
        assert_eq!(names("title: *bold* news\n"), ["*bold*@1"]);
        assert_eq!(names("title: &Co returns\n"), ["&Co@1"]);
        assert_eq!(names("title: * item\n"), ["*@1"]);
        assert_eq!(names("title: é\ntags: [*ünïcode]\n"), ["*ünïcode@2"]);
    }

    #[test]
    fn the_same_characters_in_text_are_not_found() {
        for yaml in [
            "title: Fish & chips\n",
            "title: 20% off *today* & tomorrow\n",
            "title: R&D, C* and a*b\n",
            "title: \"*quoted* &too\"\n",
            "title: '*single* &quoted'\n",
            "title: \"multi\n  *line* quoted\"\n",
            "title: x # a *comment* &here\n",
            "# *comment* line\ntitle: x\n",
            "body: |\n  *bold* text\n  &amp;\n\n  - *item*\nnext: x\n",
            "body: >-\n    *folded*\n",
            "- |\n  *a*\n- >2\n   *b*\n",
            "title: a long title\n  that goes on *here*\n  & here\n",
            "title:\n  a value on its own line\n  *continued*\n",
            "tags: [a *b*, c & d]\n",
            "tags: [a,\n  b *c*]\n",
            "q: \"esc \\\" *x\"\n",
            "url: http://x/*y\n",
            "t: !custom [1, 2]\n",
        ] {
            let scan = scan(yaml);
            assert_eq!(scan.marks, [], "{yaml}");
            assert_eq!(scan.error, None, "{yaml}");
        }
    }

    #[test]
    fn text_that_is_not_yaml_is_refused_when_it_may_hold_an_alias() {
        let unclosed = scan("title: x *y*\ntags: [a\n");
        assert_eq!(unclosed.marks, []);
        let error = unclosed.error.unwrap();
        assert_eq!(error.line, 3, "{error:?}");
        assert!(error.message.contains("expected ',' or ']'"), "{error:?}");

        // What follows the error is not read: the text is refused as it is.
        let indented = scan("title: x\n  bad: indent\nall: &all [1]\ntags: *all\n");
        assert_eq!(indented.marks, []);
        assert_eq!(indented.error.map(|e| e.line), Some(2));

        // Without a `*` there is no alias to miss: serde_norway reads the text, or
        // explains in its own words why it cannot. It reads the last two; this parser
        // does not.
        for yaml in [
            "title: x\ntags: [a\n",
            "title:\tFish & chips\n",
            "tags: [Sale -, R&D]\n",
        ] {
            assert_eq!(scan(yaml).marks, [], "{yaml}");
            assert_eq!(scan(yaml).error, None, "{yaml}");
        }
        let tab = scan("title:\tNew *deals* & more\ntags: [a]\n")
            .error
            .unwrap();
        assert_eq!(tab.line, 1);
        assert!(tab.message.contains("':' must be followed by"), "{tab:?}");
    }

    #[test]
    fn bombs_are_counted_in_one_pass_without_expanding_them() {
        let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 9].join(", ");
            bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        bomb.push_str("tags: *a9\n");
        let marks = scan(&bomb).marks;
        assert_eq!(marks.iter().filter(|m| m.alias).count(), 82);
        assert_eq!(marks.iter().filter(|m| !m.alias).count(), 10);

        let n = 100_000;
        let quadratic = format!(
            "x: &x [{}]\ny: [{}]\n",
            vec!["1"; n].join(","),
            vec!["*x"; n].join(",")
        );
        let started = std::time::Instant::now();
        let scan = scan(&quadratic);
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
        assert_eq!(scan.error, None);
        assert_eq!(scan.marks.iter().filter(|m| m.alias).count(), n);
        assert_eq!(scan.marks[1].name(&quadratic), "x");
    }
}
