//! Front matter may not use YAML anchors (`&name`) or aliases (`*name`).
//!
//! Articles never need them, and aliases are how a few hundred bytes of YAML expand to
//! gigabytes ("billion laughs"). serde_norway stops the classic bomb (nested anchors,
//! each aliased nine times) with its repetition limit, but that limit counts aliases,
//! not what they expand to: one anchor of 100,000 values aliased 100,000 times stays
//! under it, and a 500 KB file of that shape ran for over a minute and took 7.8 GB before
//! it was stopped. So the text is scanned for anchors and aliases before it is parsed
//! ([`find`]), and in case the scan misses one, a first parse counts values and stops
//! at a budget no alias-free text can reach ([`expands_beyond`]).
//!
//! `&` and `*` are YAML syntax only where a value begins: `title: Fish & chips` and
//! `title: 20% off *today*` are plain text, `title: *today* only` is an alias. The scan
//! follows the YAML rules for where a value begins (outside quotes, comments, block
//! scalars and the middle of plain text), and errs towards missing a case, which the
//! budget then catches, rather than refusing text that is fine.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess};
use serde::de::{VariantAccess, Visitor};

/// An anchor or alias in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Mark<'a> {
    /// `*name` rather than `&name`.
    pub alias: bool,
    /// As written, up to the next space or flow indicator (`*bold*` gives `bold*`).
    pub name: &'a str,
    /// 1-based line in the text scanned.
    pub line: usize,
}

/// Every anchor and alias in `yaml`, in order.
pub(super) fn find(yaml: &str) -> Vec<Mark<'_>> {
    let mut scan = Scan {
        text: yaml,
        b: yaml.as_bytes(),
        i: 0,
        line: 1,
        line_start: 0,
        flow: 0,
        node_start: true,
        owner: None,
        token_col: 0,
        plain_open: false,
        block: None,
        line_done: false,
        marks: Vec::new(),
    };
    scan.run();
    scan.marks
}

/// A block scalar (`|` or `>`) being skipped.
#[derive(Debug, Clone, Copy)]
struct Block {
    /// Its content must be indented more than this (the owning key or `-`).
    parent: Option<usize>,
    /// Set by the indentation indicator (`|2`), or by its first non-blank line.
    indent: Option<usize>,
}

struct Scan<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    line: usize,
    line_start: usize,
    /// Depth of `[` and `{`.
    flow: usize,
    /// A value may begin at the next token.
    node_start: bool,
    /// Column of the innermost block key or `-` (what a value's lines must be indented
    /// past).
    owner: Option<usize>,
    /// Column where the latest scalar began (it becomes the owner if a `:` follows).
    token_col: usize,
    /// The previous line ended inside plain text, which may go on in the next line.
    plain_open: bool,
    block: Option<Block>,
    /// The start of the current line was looked at (indentation, block scalars).
    line_done: bool,
    marks: Vec<Mark<'a>>,
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_flow_indicator(b: u8) -> bool {
    matches!(b, b',' | b'[' | b']' | b'{' | b'}')
}

impl Scan<'_> {
    fn peek(&self, at: usize) -> Option<u8> {
        self.b.get(at).copied()
    }

    /// `-`, `?` or `:` at `i` is an indicator (followed by a blank or the end).
    fn indicator_at(&self, i: usize) -> bool {
        match self.peek(i + 1) {
            None => true,
            Some(next) => is_blank(next) || (self.flow > 0 && is_flow_indicator(next)),
        }
    }

    fn newline(&mut self) {
        self.i += 1;
        self.line += 1;
        self.line_start = self.i;
        self.line_done = false;
    }

    fn run(&mut self) {
        while self.i < self.b.len() {
            if self.i == self.line_start && !self.line_done {
                self.line_done = true;
                if self.start_line() {
                    continue;
                }
            }
            let c = self.b[self.i];
            match c {
                b'\n' => self.newline(),
                b' ' | b'\t' | b'\r' => self.i += 1,
                b'#' => self.skip_to_line_end(),
                b'\'' => {
                    self.token_col = self.i - self.line_start;
                    self.single_quoted();
                    self.node_start = false;
                }
                b'"' => {
                    self.token_col = self.i - self.line_start;
                    self.double_quoted();
                    self.node_start = false;
                }
                b'*' | b'&' if self.node_start => {
                    self.token_col = self.i - self.line_start;
                    let start = self.i + 1;
                    let mut end = start;
                    while end < self.b.len() && !is_blank(self.b[end]) {
                        if is_flow_indicator(self.b[end]) {
                            break;
                        }
                        end += 1;
                    }
                    self.marks.push(Mark {
                        alias: c == b'*',
                        name: &self.text[start..end],
                        line: self.line,
                    });
                    self.i = end;
                    // An anchor comes before its value; an alias is the value.
                    self.node_start = c == b'&';
                }
                b'!' if self.node_start => {
                    // A tag, before its value.
                    while self.i < self.b.len() && !is_blank(self.b[self.i]) {
                        self.i += 1;
                    }
                }
                b'|' | b'>' if self.node_start && self.flow == 0 => {
                    let mut block = Block {
                        parent: self.owner,
                        indent: None,
                    };
                    let header_end = self.b[self.i..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(self.b.len(), |n| self.i + n);
                    if let Some(d) = self.b[self.i + 1..header_end]
                        .iter()
                        .take_while(|b| !is_blank(**b))
                        .find(|b| (b'1'..=b'9').contains(b))
                    {
                        let step = usize::from(d - b'0');
                        block.indent = Some(self.owner.map_or(step, |o| o + step));
                    }
                    self.block = Some(block);
                    self.i = header_end;
                }
                b'-' | b'?' | b':' if self.indicator_at(self.i) => {
                    if self.flow == 0 {
                        let col = self.i - self.line_start;
                        self.owner = Some(if c == b':' { self.token_col } else { col });
                    }
                    self.node_start = true;
                    self.i += 1;
                }
                b'[' | b'{' => {
                    self.flow += 1;
                    self.node_start = true;
                    self.i += 1;
                }
                b']' | b'}' => {
                    self.flow = self.flow.saturating_sub(1);
                    self.node_start = false;
                    self.i += 1;
                }
                b',' if self.flow > 0 => {
                    self.node_start = true;
                    self.i += 1;
                }
                _ => {
                    self.token_col = self.i - self.line_start;
                    self.plain();
                    self.node_start = false;
                }
            }
        }
    }

    /// At the start of a line: skips what belongs to a block scalar or continues plain
    /// text; returns whether the position moved (the loop then looks again).
    fn start_line(&mut self) -> bool {
        let rest = &self.b[self.i..];
        let indent = rest.iter().take_while(|&&b| b == b' ').count();
        let blank = rest[indent..]
            .iter()
            .take_while(|&&b| b != b'\n')
            .all(|&b| is_blank(b));
        if let Some(block) = &mut self.block {
            let past_parent = block.parent.is_none_or(|p| indent > p);
            if blank {
                self.skip_line();
                return true;
            }
            if block.indent.is_none() && past_parent {
                block.indent = Some(indent);
            }
            if past_parent && block.indent.is_some_and(|i| indent >= i) {
                self.skip_line();
                return true;
            }
            self.block = None;
        }
        if self.flow > 0 || blank {
            return false;
        }
        let first = rest.get(indent).copied();
        let continues =
            self.plain_open && self.owner.is_none_or(|o| indent > o) && first != Some(b'#');
        self.plain_open = false;
        self.i += indent;
        if continues {
            self.plain();
            self.node_start = false;
        } else {
            self.node_start = true;
        }
        true
    }

    fn skip_line(&mut self) {
        self.skip_to_line_end();
        if self.i < self.b.len() {
            self.newline();
        }
    }

    fn skip_to_line_end(&mut self) {
        while self.i < self.b.len() && self.b[self.i] != b'\n' {
            self.i += 1;
        }
    }

    /// Plain text, up to `: `, ` #`, a flow indicator inside `[...]`/`{...}`, or (outside
    /// them) the end of the line, after which it may go on (see [`Self::start_line`]).
    fn plain(&mut self) {
        while self.i < self.b.len() {
            let c = self.b[self.i];
            let ends = match c {
                b'\n' if self.flow == 0 => {
                    self.plain_open = true;
                    true
                }
                b'\n' => {
                    self.newline();
                    continue;
                }
                b':' => self.indicator_at(self.i),
                b'#' => self.i > 0 && is_blank(self.b[self.i - 1]),
                _ => self.flow > 0 && is_flow_indicator(c),
            };
            if ends {
                return;
            }
            self.i += 1;
        }
    }

    /// `'...'`, where `''` is a quote.
    fn single_quoted(&mut self) {
        self.i += 1;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'\'' if self.peek(self.i + 1) == Some(b'\'') => self.i += 2,
                b'\'' => {
                    self.i += 1;
                    return;
                }
                b'\n' => self.newline(),
                _ => self.i += 1,
            }
        }
    }

    /// `"..."`, with backslash escapes.
    fn double_quoted(&mut self) {
        self.i += 1;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'\\' if self.peek(self.i + 1) == Some(b'\n') => {
                    self.i += 1;
                    self.newline();
                }
                b'\\' => self.i += 2,
                b'"' => {
                    self.i += 1;
                    return;
                }
                b'\n' => self.newline(),
                _ => self.i += 1,
            }
        }
        self.i = self.i.min(self.b.len());
    }
}

/// Whether `yaml` holds more than `budget` values once its aliases are expanded (the
/// parse stops there). Without aliases a text holds fewer values than it has bytes.
/// Other YAML errors are left to the real parse.
pub(super) fn expands_beyond(yaml: &str, budget: usize) -> bool {
    let count = Count {
        seen: &Cell::new(0),
        budget,
        over: &Cell::new(false),
    };
    let over = count.over;
    match count.deserialize(serde_norway::Deserializer::from_str(yaml)) {
        // serde_norway's own limit on aliases (see the top of this file).
        Err(e) => over.get() || e.to_string().starts_with("repetition limit exceeded"),
        Ok(()) => false,
    }
}

/// The budget for a text of `len` bytes: far above what it can hold without aliases
/// (about one value per byte), far below what an alias bomb expands to.
pub(super) fn budget(len: usize) -> usize {
    len.saturating_mul(4).saturating_add(1024)
}

/// Visits every value, counting, and gives up past the budget.
#[derive(Clone, Copy)]
struct Count<'c> {
    seen: &'c Cell<usize>,
    budget: usize,
    over: &'c Cell<bool>,
}

impl Count<'_> {
    fn tick<E: de::Error>(self) -> Result<(), E> {
        self.seen.set(self.seen.get() + 1);
        if self.seen.get() > self.budget {
            self.over.set(true);
            return Err(E::custom("front matter expands beyond its budget"));
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Count<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Count<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.tick()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.tick()
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<(), E> {
        self.tick()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.tick()
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<(), E> {
        self.tick()
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.tick()
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.tick()
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<(), E> {
        self.tick()
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.tick()
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.tick()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.deserialize(d)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.tick()?;
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.tick()?;
        while map.next_key_seed(self)?.is_some() {
            map.next_value_seed(self)?;
        }
        Ok(())
    }

    /// A tagged value (`!name value`).
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        self.tick()?;
        let ((), variant) = data.variant_seed(self)?;
        variant.newtype_variant_seed(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(yaml: &str) -> Vec<String> {
        find(yaml)
            .iter()
            .map(|m| format!("{}{}@{}", if m.alias { '*' } else { '&' }, m.name, m.line))
            .collect()
    }

    #[test]
    fn anchors_and_aliases_where_a_value_begins_are_found() {
        assert_eq!(names("a: &x 1\nb: *x\n"), ["&x@1", "*x@2"]);
        assert_eq!(names("list:\n  - *x\n  -  &y [1]\n"), ["*x@2", "&y@3"]);
        assert_eq!(names("t: [*a, *b,\n  *c]\n"), ["*a@1", "*b@1", "*c@2"]);
        assert_eq!(names("t: {k: *a, *b : v}\n"), ["*a@1", "*b@1"]);
        assert_eq!(names("*k : v\n"), ["*k@1"]);
        assert_eq!(names("<<: *base\n"), ["*base@1"]);
        assert_eq!(names("t: !!str &a x\n"), ["&a@1"]);
        assert_eq!(names("t:\n  *x\n"), ["*x@2"]);
        assert_eq!(names("title: *bold* news\n"), ["*bold*@1"]);
        assert_eq!(names("q: |\n  text\nr: *x\n"), ["*x@3"]);
        assert_eq!(names("- q: |\n    text\n  r: *x\n"), ["*x@3"]);
        assert_eq!(names("a: 'it''s'\nb: *x\n"), ["*x@2"]);
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
        ] {
            assert_eq!(names(yaml), Vec::<String>::new(), "{yaml}");
        }
    }

    #[test]
    fn a_bomb_expands_beyond_its_budget_and_plain_text_does_not() {
        let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 9].join(", ");
            bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        assert!(expands_beyond(&bomb, budget(bomb.len())));
        let n = 3000;
        let quadratic = format!(
            "x: &x [{}]\ny: [{}]\n",
            vec!["1"; n].join(","),
            vec!["*x"; n].join(",")
        );
        let started = std::time::Instant::now();
        assert!(expands_beyond(&quadratic, budget(quadratic.len())));
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());

        let dense = format!(
            "t: [{}]\nm: {{{}}}\n",
            vec!["1"; 500].join(","),
            "a,".repeat(500)
        );
        assert!(!expands_beyond(&dense, budget(dense.len())));
        assert!(!expands_beyond("t: !custom [1, 2]\n", budget(20)));
        assert!(!expands_beyond("not: [valid", budget(20)));
    }
}
