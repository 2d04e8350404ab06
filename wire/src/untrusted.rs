//! Text shoppers wrote (comments, search queries), made safe for where admins read it:
//! a terminal and a spreadsheet. The server's reports and `faq-indexer gaps` both use it.

/// A text cell a spreadsheet will not run: shoppers write comments, and a comment
/// such as `=HYPERLINK(…)` or `@SUM(…)` would be a formula when an admin opens the
/// export. Cells starting with a formula character get a leading `'` (OWASP's advice),
/// which spreadsheets show as text.
pub fn spreadsheet_safe(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// What shoppers wrote, safe to print on a terminal: control characters (escape
/// sequences could rewrite the screen or the window title) and bidirectional overrides
/// (which could make text read differently) are dropped, line breaks become spaces.
pub fn printable(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if c.is_control() => None,
            '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => None,
            c => Some(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_text_in_a_spreadsheet() {
        for formula in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(spreadsheet_safe(formula.into()), format!("'{formula}"));
        }
        for plain in ["great shop", "", "1-2", "a=b"] {
            assert_eq!(spreadsheet_safe(plain.into()), plain);
        }
    }

    #[test]
    fn printed_text_has_no_escape_sequences_or_bidi_overrides() {
        assert_eq!(
            printable("ok\u{1b}]0;owned\u{7}\u{1b}[2J line\nnext \u{202e}gnp.exe"),
            "ok]0;owned[2J line next gnp.exe"
        );
        assert_eq!(printable("Grüße 👋"), "Grüße 👋");
    }
}
