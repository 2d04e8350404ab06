//! The store page's API, `window.shopdesk`, as one list: the loader queues these calls,
//! the launcher checks and forwards them, the widget's modules act on them. Each side
//! parses the name once into a [`Command`] and matches on that, so a call no side knows
//! is a typo reported in one place, and adding a call is a compile error everywhere it
//! must be handled. No dependencies: the launcher counts every byte of page load.

/// A call on `window.shopdesk` (the argument travels beside it, checked by whoever
/// acts on it), or one the launcher makes itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Open,
    Close,
    Toggle,
    /// Opens the panel and searches for the query.
    Search,
    /// Opens the panel on an article id.
    OpenArticle,
    /// Who the shopper is (for the chat handoff and surveys).
    Identify,
    /// What else helps support (cart, order id, …).
    SetContext,
    /// Offers a survey (by id or kind) now, within the frequency caps.
    ShowSurvey,
    /// The shopper's answer to the store's consent question, for search analytics
    /// under `consentRequired`.
    Consent,
    /// Removes the widget, its listeners and everything it stored.
    Shutdown,
    /// Not a merchant call: the launcher tells the modules that the page's URL changed
    /// (single-page stores).
    Route,
    /// Not a merchant call: a live chat ended (`{ id, slot }`), and the surveys module
    /// may offer the merchant's `afterChat` survey in the chat's slot.
    AfterChat,
}

impl Command {
    /// The calls a merchant makes, as `shopdesk.<name>(…)`: the loader's `COMMANDS`
    /// and the methods of `Shopdesk.Api` in `shopdesk.d.ts` (besides `on`, `off` and
    /// `push`, which the loader answers itself).
    pub const MERCHANT: [Command; 10] = [
        Command::Open,
        Command::Close,
        Command::Toggle,
        Command::Search,
        Command::OpenArticle,
        Command::Identify,
        Command::SetContext,
        Command::ShowSurvey,
        Command::Consent,
        Command::Shutdown,
    ];

    /// The launcher's own words to the modules.
    pub const LAUNCHER: [Command; 2] = [Command::Route, Command::AfterChat];

    /// Whether merchants may call it (`shopdesk.<name>(…)`).
    pub fn is_merchant_call(self) -> bool {
        !Command::LAUNCHER.contains(&self)
    }

    pub fn name(self) -> &'static str {
        match self {
            Command::Open => "open",
            Command::Close => "close",
            Command::Toggle => "toggle",
            Command::Search => "search",
            Command::OpenArticle => "openArticle",
            Command::Identify => "identify",
            Command::SetContext => "setContext",
            Command::ShowSurvey => "showSurvey",
            Command::Consent => "consent",
            Command::Shutdown => "shutdown",
            Command::Route => "route",
            Command::AfterChat => "afterChat",
        }
    }

    /// Looked up through [`Command::name`], so each name is written (and downloaded with
    /// every store page) once.
    pub fn parse(name: &str) -> Option<Command> {
        let mut i = 0;
        while i < Command::MERCHANT.len() + Command::LAUNCHER.len() {
            let c = match Command::MERCHANT.get(i) {
                Some(c) => *c,
                None => Command::LAUNCHER[i - Command::MERCHANT.len()],
            };
            if c.name() == name {
                return Some(c);
            }
            i += 1;
        }
        None
    }

    /// Whether the call shows the panel (and so does nothing where the widget is
    /// hidden by `hideOn`).
    pub fn opens_panel(self) -> bool {
        matches!(
            self,
            Command::Open | Command::Toggle | Command::Search | Command::OpenArticle
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOADER: &str = include_str!("../../launcher/loader/shopdesk.js");
    const TYPES: &str = include_str!("../../launcher/loader/shopdesk.d.ts");

    fn merchant_names() -> Vec<&'static str> {
        Command::MERCHANT.iter().map(|c| c.name()).collect()
    }

    #[test]
    fn every_name_parses_back() {
        for c in Command::MERCHANT.iter().chain(&Command::LAUNCHER) {
            assert_eq!(Command::parse(c.name()), Some(*c));
        }
        assert_eq!(Command::parse("opne"), None);
        assert_eq!(
            Command::parse("Open"),
            None,
            "names are case-sensitive, as in JS"
        );
    }

    #[test]
    fn the_loader_queues_exactly_the_merchant_calls() {
        let line = LOADER
            .lines()
            .find(|l| l.trim_start().starts_with("var COMMANDS = ["))
            .expect("shopdesk.js declares `var COMMANDS = [...]`");
        let list = &line[line.find('[').unwrap() + 1..line.rfind(']').unwrap()];
        let names: Vec<&str> = list
            .split(',')
            .map(|n| n.trim().trim_matches('"'))
            .collect();
        assert_eq!(names, merchant_names());
    }

    #[test]
    fn shopdesk_d_ts_declares_exactly_the_merchant_calls() {
        let api = &TYPES[TYPES
            .find("interface Api {")
            .expect("Shopdesk.Api in shopdesk.d.ts")..];
        let api = &api[..api.find("\n    }").expect("the end of Shopdesk.Api")];
        let mut declared: Vec<&str> = api
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with("/**") && !l.starts_with('*'))
            .filter_map(|l| {
                let end = l.find(['(', '<'])?;
                let name = &l[..end];
                name.chars()
                    .all(|c| c.is_ascii_alphanumeric())
                    .then_some(name)
            })
            .filter(|n| !["on", "off", "push"].contains(n))
            .collect();
        let mut expected = merchant_names();
        declared.sort_unstable();
        expected.sort_unstable();
        assert_eq!(declared, expected);
    }
}
