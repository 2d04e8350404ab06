//! The widget's interface text, per language.
//!
//! Compiled in rather than fetched: the launcher must show its button and panel
//! frame in the shopper's language before anything else loads, and the whole catalogue
//! is a few kilobytes. FAQ content has its own languages (see `faq-core`); this is only
//! the widget's own words.

mod catalogue;
mod conversation;

pub use catalogue::{CATALOGUES, SHELLS};
pub use conversation::CONVERSATIONS;

/// Reading direction of a language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    Ltr,
    Rtl,
}

impl Dir {
    /// The HTML `dir` attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            Dir::Ltr => "ltr",
            Dir::Rtl => "rtl",
        }
    }
}

/// How a language picks the form of a counted word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plural {
    /// One form for 1, another for everything else (English, German, Spanish).
    OneOther,
    /// One form for 0 and 1 (French).
    ZeroOneOther,
    /// Russian: 1, 21, 31…; 2-4, 22-24…; everything else.
    Slavic,
    /// A single form: the text is written so the number needs no agreement.
    Invariant,
}

/// What the launcher says (its button and the panel's frame), in one language.
#[derive(Debug)]
pub struct Shell {
    /// Primary language subtag: `en`, `de`, …
    pub code: &'static str,
    pub dir: Dir,
    pub launcher: &'static str,
    pub greeting: &'static str,
    pub close: &'static str,
    pub search_label: &'static str,
    pub placeholder: &'static str,
    pub hint: &'static str,
    pub loading: &'static str,
    pub failed: &'static str,
}

impl Shell {
    /// The launcher's words for a language tag such as `de-AT`, `pt-BR` or `ar`;
    /// English when the language has none.
    pub fn for_tag(tag: &str) -> &'static Shell {
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        SHELLS
            .iter()
            .find(|s| s.code.eq_ignore_ascii_case(primary))
            .unwrap_or(&SHELLS[0])
    }
}

/// Everything else the widget says, in one language. `{n}`, `{query}` and `{language}`
/// are filled in by the helper methods.
#[derive(Debug)]
pub struct Text {
    pub shell: &'static Shell,
    pub plural: Plural,
    /// `{query}` is what the shopper typed.
    pub no_results: &'static str,
    /// Result counts: one, few (Slavic only), other; `{n}` is the count.
    pub answers: [&'static str; 3],
    pub results_label: &'static str,
    pub back: &'static str,
    /// `{language}` is the language the articles are shown in, in this language.
    pub fallback: &'static str,
    pub suggested: &'static str,
    pub popular: &'static str,
    pub helpful: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub comment_label: &'static str,
    pub send: &'static str,
    pub thanks: &'static str,
    pub survey: SurveyText,
    pub chat: ChatText,
    /// Names of the FAQ languages, for the fallback note: en, de, fr, es, ru.
    pub languages: [&'static str; 5],
}

/// The CSAT, NPS and CES survey cards.
#[derive(Debug)]
pub struct SurveyText {
    /// Names the card for screen readers.
    pub label: &'static str,
    pub nps: &'static str,
    /// NPS follow-up.
    pub reason: &'static str,
    pub csat: &'static str,
    /// CSAT after a live chat: about the help, not the shopping.
    pub csat_chat: &'static str,
    /// A statement the shopper agrees with or not (1-7).
    pub ces: &'static str,
    /// What the lowest and highest answers mean.
    pub nps_ends: [&'static str; 2],
    pub csat_ends: [&'static str; 2],
    pub ces_ends: [&'static str; 2],
    pub dismiss: &'static str,
    pub skip: &'static str,
}

/// The panel's way to a person (the conversation's own words are [`ConversationText`]).
#[derive(Debug)]
pub struct ChatText {
    /// The button that hands the shopper over from the FAQ to a person.
    pub offer: &'static str,
    /// Shown until an agent answers.
    pub waiting: &'static str,
    pub unavailable: &'static str,
    pub back: &'static str,
    /// "Talk to a person" when nobody can answer live.
    pub leave: &'static str,
}

/// The live chat view, in the chat module (see `conversation.rs`).
#[derive(Debug)]
pub struct ConversationText {
    pub code: &'static str,
    pub title: &'static str,
    pub message_label: &'static str,
    pub placeholder: &'static str,
    pub send: &'static str,
    pub end: &'static str,
    pub ended: &'static str,
    /// Shown until an agent answers.
    pub waiting: &'static str,
    /// No agent is connected: the message waits.
    pub no_agents: &'static str,
    /// An agent took the conversation and has not answered yet; `{name}` is theirs.
    pub assigned: &'static str,
    /// The server closed the chat after the shopper went quiet.
    pub ended_idle: &'static str,
    /// The agent is typing; `{name}` is theirs.
    pub typing: &'static str,
    /// Under the shopper's latest message an agent has read.
    pub seen: &'static str,
    pub sending: &'static str,
    pub retrying: &'static str,
    /// A message the server refused for good, or that could not be sent at all.
    pub not_sent: &'static str,
    /// Sends the messages that were not sent.
    pub retry: &'static str,
    pub unavailable: &'static str,
    /// Who wrote a message, for screen readers and beside each bubble.
    pub you: &'static str,
    pub agent: &'static str,
    pub back: &'static str,
    pub again: &'static str,
    /// The chat's title when nobody can answer live.
    pub leave_title: &'static str,
    /// Said when the merchant set no away message.
    pub away: &'static str,
    /// `{when}`: the next opening, in the shopper's time zone and language.
    pub back_at: &'static str,
    pub by_email: &'static str,
    /// After a message left for later; `{email}` is where the answer goes.
    pub left: &'static str,
    pub name_label: &'static str,
    pub email_label: &'static str,
    /// After the label of a field the shopper may leave empty.
    pub optional: &'static str,
    pub name_missing: &'static str,
    pub email_missing: &'static str,
    pub email_invalid: &'static str,
    /// The checkbox asking for the conversation by email when it ends.
    pub transcript: &'static str,
    /// Above the articles found for the first message.
    pub suggestions: &'static str,
    pub link_expired: &'static str,
    pub link_invalid: &'static str,
    /// Who reads the conversation, one line before the first message.
    pub readers: &'static str,
    /// The link to the merchant's privacy page (`chat.privacyUrl`).
    pub privacy: &'static str,
    /// The expandable summary of what the agent receives with the first message.
    pub shared_title: &'static str,
    pub shared_nothing: &'static str,
    /// `{item}`: the button that takes an item out.
    pub unshare: &'static str,
    pub shared_searched: &'static str,
    pub shared_read: &'static str,
    pub shared_page: &'static str,
    pub shared_identity: &'static str,
    pub shared_context: &'static str,
    /// A verified shopper's earlier conversations.
    pub earlier: &'static str,
}

impl ConversationText {
    /// The chat's words for a language tag, as [`Shell::for_tag`] picks the language.
    pub fn for_tag(tag: &str) -> &'static ConversationText {
        let code = Shell::for_tag(tag).code;
        CONVERSATIONS
            .iter()
            .find(|t| t.code == code)
            .unwrap_or(&CONVERSATIONS[0])
    }
}

impl Text {
    /// The catalogue for a language tag, as [`Shell::for_tag`] picks it.
    pub fn for_tag(tag: &str) -> &'static Text {
        let shell = Shell::for_tag(tag);
        CATALOGUES
            .iter()
            .find(|t| std::ptr::eq(t.shell, shell))
            .unwrap_or(&CATALOGUES[0])
    }

    /// "3 answers", in this language.
    pub fn answers(&self, n: usize) -> String {
        let form = match self.plural {
            Plural::OneOther => usize::from(n != 1) * 2,
            Plural::ZeroOneOther => usize::from(n > 1) * 2,
            Plural::Invariant => 2,
            Plural::Slavic => {
                let (d, h) = (n % 10, n % 100);
                if d == 1 && h != 11 {
                    0
                } else if (2..=4).contains(&d) && !(12..=14).contains(&h) {
                    1
                } else {
                    2
                }
            }
        };
        self.answers[form].replace("{n}", &n.to_string())
    }

    pub fn no_results(&self, query: &str) -> String {
        self.no_results.replace("{query}", query)
    }

    /// The note shown when articles are not in the shopper's language; `faq_locale` is
    /// the code of the language they are in.
    pub fn fallback(&self, faq_locale: &str) -> String {
        let i = ["en", "de", "fr", "es", "ru"]
            .iter()
            .position(|c| *c == faq_locale);
        let name = i.map_or(faq_locale, |i| self.languages[i]);
        self.fallback.replace("{language}", name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_pick_their_language_and_unknown_ones_fall_back_to_english() {
        assert_eq!(Text::for_tag("de-AT").shell.code, "de");
        assert_eq!(Text::for_tag("FR").shell.code, "fr");
        assert_eq!(Text::for_tag("ar-EG").shell.dir, Dir::Rtl);
        assert_eq!(Text::for_tag("pt-BR").shell.code, "en");
        assert_eq!(Text::for_tag("").shell.code, "en");
        assert_eq!(Shell::for_tag("ru_RU").code, "ru");
    }

    #[test]
    fn counts_agree_with_the_number() {
        let en = Text::for_tag("en");
        assert_eq!(en.answers(1), "1 answer");
        assert_eq!(en.answers(3), "3 answers");
        let ru = Text::for_tag("ru");
        assert_eq!(ru.answers(1), "1 ответ");
        assert_eq!(ru.answers(3), "3 ответа");
        assert_eq!(ru.answers(5), "5 ответов");
        assert_eq!(ru.answers(11), "11 ответов");
        assert_eq!(ru.answers(21), "21 ответ");
        assert_eq!(Text::for_tag("fr").answers(0), "0 réponse");
    }

    #[test]
    fn every_catalogue_is_complete_and_keeps_its_placeholders() {
        for (t, shell) in CATALOGUES.iter().zip(&SHELLS) {
            assert!(std::ptr::eq(t.shell, shell));
            let s = t.shell;
            let all = [
                s.launcher,
                s.greeting,
                s.close,
                s.search_label,
                s.placeholder,
                s.hint,
                s.loading,
                s.failed,
                t.no_results,
                t.results_label,
                t.back,
                t.fallback,
                t.suggested,
                t.popular,
                t.helpful,
                t.yes,
                t.no,
                t.comment_label,
                t.send,
                t.thanks,
                t.survey.label,
                t.survey.nps,
                t.survey.reason,
                t.survey.csat,
                t.survey.csat_chat,
                t.survey.ces,
                t.survey.dismiss,
                t.survey.skip,
                t.chat.offer,
                t.chat.waiting,
                t.chat.unavailable,
                t.chat.back,
                t.chat.leave,
            ];
            let ends = [t.survey.nps_ends, t.survey.csat_ends, t.survey.ces_ends];
            assert!(
                ends.iter().flatten().all(|w| !w.trim().is_empty()),
                "{}",
                s.code
            );
            assert!(all.iter().all(|w| !w.trim().is_empty()), "{}", s.code);
            assert!(t.no_results.contains("{query}"), "{}", s.code);
            assert!(t.fallback.contains("{language}"), "{}", s.code);
            assert!(t.answers.iter().all(|a| a.contains("{n}")), "{}", s.code);
            let c = ConversationText::for_tag(s.code);
            assert_eq!(c.code, s.code);
            let words = [
                c.title,
                c.message_label,
                c.placeholder,
                c.send,
                c.end,
                c.ended,
                c.waiting,
                c.no_agents,
                c.assigned,
                c.ended_idle,
                c.typing,
                c.seen,
                c.sending,
                c.retrying,
                c.not_sent,
                c.retry,
                c.unavailable,
                c.you,
                c.agent,
                c.back,
                c.again,
                c.leave_title,
                c.away,
                c.back_at,
                c.by_email,
                c.left,
                c.name_label,
                c.email_label,
                c.optional,
                c.name_missing,
                c.email_missing,
                c.email_invalid,
                c.transcript,
                c.suggestions,
                c.link_expired,
                c.link_invalid,
            ];
            assert!(words.iter().all(|w| !w.trim().is_empty()), "{}", s.code);
            assert!(c.assigned.contains("{name}"), "{}", s.code);
            assert!(c.typing.contains("{name}"), "{}", s.code);
            assert!(c.back_at.contains("{when}"), "{}", s.code);
            assert!(c.left.contains("{email}"), "{}", s.code);
        }
        let codes: Vec<_> = SHELLS.iter().map(|s| s.code).collect();
        assert_eq!(codes, ["en", "de", "fr", "es", "ru", "ar"]);
    }
}
