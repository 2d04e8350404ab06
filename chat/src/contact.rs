//! Who the shopper is, asked before the first message: which fields the form shows
//! (the merchant's `chat.preChat`, minus what `identify` already said; the email
//! always when nobody can answer live, since the answer will come by email), the checks
//! before anything is sent, and what goes into the handoff. Pure, tested natively.

use shopdesk_settings::chat::{Ask, PreChat};
use shopdesk_wire::chat::{ArticleRef, Availability, Earlier, MAX_NAME};

use crate::sharing::{Additions, Shared};

/// Everything about the chat before its first message goes, as one value: one reactive
/// cell holds it (each signal type costs the chat module code of its own).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Opening {
    /// Whether a person answers now, once the server said.
    pub availability: Option<Availability>,
    /// Why the link from an email opened nothing.
    pub link_trouble: Option<LinkTrouble>,
    pub typed: Typed,
    /// What keeps the form from going, in the order of the fields.
    pub problems: Vec<Problem>,
    /// Articles for the message being written.
    pub found: Vec<Suggestion>,
    /// The suggestion whose answer is shown.
    pub open: Option<String>,
    /// What was searched last (a burst of keystrokes searches once).
    pub asked: String,
    /// Suggestions the shopper opened, for the handoff.
    pub opened: Vec<ArticleRef>,
    /// Who the shopper said they are, checked at the first message.
    pub contact: Contact,
    /// What goes to the agent with the first message, as shown (`sharing.rs`).
    pub shared: Option<Shared>,
    /// A verified shopper's earlier conversations (asked once the chat opens).
    pub earlier: Vec<Earlier>,
}

/// Why the link from an email did not reopen its conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkTrouble {
    Expired,
    Invalid,
}

/// An article the panel's search found for the message being written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Suggestion {
    pub id: String,
    pub title: String,
    /// Sanitized by faq-indexer at build time.
    pub html: String,
}

impl Opening {
    /// Nobody answers live (the server said so): the shopper leaves a message.
    pub(crate) fn leaving(&self) -> bool {
        self.availability
            .as_ref()
            .is_some_and(|a| !a.live && !a.off)
    }

    /// Shows or hides suggestion `id`'s answer; the article, if it was opened now for
    /// the first time (the agent will know, the merchant hears of it).
    pub(crate) fn toggle(&mut self, id: &str) -> Option<ArticleRef> {
        if self.open.as_deref() == Some(id) {
            self.open = None;
            return None;
        }
        self.open = Some(id.to_string());
        let found = self.found.iter().find(|s| s.id == id)?;
        if self.opened.iter().any(|a| a.id == id) {
            return None;
        }
        let article = ArticleRef {
            id: found.id.clone(),
            title: found.title.clone(),
        };
        self.opened.push(article.clone());
        Some(article)
    }

    /// A new chat after one ended: nothing of the last one's form stays.
    pub(crate) fn restart(&mut self) {
        *self = Opening::default();
    }
}

/// A field of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Name,
    Email,
}

/// Why the form cannot be sent yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Problem {
    Missing(Field),
    NotAnEmail,
}

impl Problem {
    pub(crate) fn field(self) -> Field {
        match self {
            Problem::Missing(f) => f,
            Problem::NotAnEmail => Field::Email,
        }
    }
}

/// What the merchant's `identify` said about the shopper.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Known {
    pub name: Option<String>,
    pub email: Option<String>,
}

impl Known {
    /// From the handoff the panel built (its `identity`); an email that is not one is
    /// not known.
    pub(crate) fn from(name: Option<String>, email: Option<String>) -> Self {
        let usable = |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        Known {
            name: usable(name).filter(|n| n.chars().count() <= MAX_NAME),
            email: usable(email).filter(|e| shopdesk_wire::is_email(e)),
        }
    }
}

/// The form's fields: `None` not shown, `Some(required)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Form {
    pub name: Option<bool>,
    pub email: Option<bool>,
}

/// What the shopper typed into the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Typed {
    pub name: String,
    pub email: String,
    /// "Email me a copy of this conversation".
    pub transcript: bool,
}

/// The contact that goes with the first message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Contact {
    pub name: Option<String>,
    pub email: Option<String>,
    pub transcript: bool,
}

impl Form {
    /// The fields to show: as the merchant asks, not those `identify` filled, and the
    /// email (required) when the shopper is leaving a message.
    pub(crate) fn new(asks: PreChat, known: &Known, leave_message: bool) -> Self {
        let field = |ask: Ask, known: bool| match (ask, known) {
            (_, true) | (Ask::Off, _) => None,
            (Ask::Optional, _) => Some(false),
            (Ask::Required, _) => Some(true),
        };
        let email = if leave_message && known.email.is_none() {
            Some(true)
        } else {
            field(asks.email, known.email.is_some())
        };
        Form {
            name: field(asks.name, known.name.is_some()),
            email,
        }
    }

    /// Checks what was typed; the contact to send, or every problem in the order the
    /// fields are shown.
    pub(crate) fn check(&self, typed: &Typed, known: &Known) -> Result<Contact, Vec<Problem>> {
        let mut problems = Vec::new();
        let name = typed.name.trim();
        let email = typed.email.trim();
        if self.name == Some(true) && name.is_empty() {
            problems.push(Problem::Missing(Field::Name));
        }
        if self.email.is_some() {
            if email.is_empty() {
                if self.email == Some(true) {
                    problems.push(Problem::Missing(Field::Email));
                }
            } else if !shopdesk_wire::is_email(email) {
                problems.push(Problem::NotAnEmail);
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let given = |shown: Option<bool>, value: &str, known: &Option<String>| match shown {
            Some(_) if !value.is_empty() => Some(value.to_string()),
            _ => known.clone(),
        };
        let name: Option<String> =
            given(self.name, name, &known.name).map(|n| n.chars().take(MAX_NAME).collect());
        let email = given(self.email, email, &known.email);
        Ok(Contact {
            transcript: typed.transcript && email.is_some(),
            name,
            email,
        })
    }
}

impl Opening {
    /// What the chat adds to the handoff of the first message: the contact, the
    /// browser's time zone, the articles opened from the suggestions, the start's key.
    pub(crate) fn additions(&self, time_zone: Option<&str>, start_key: &str) -> Additions {
        let keep = self.opened.len().min(shopdesk_wire::chat::MAX_HISTORY);
        Additions {
            name: self.contact.name.clone(),
            email: self.contact.email.clone(),
            transcript: self.contact.transcript && self.contact.email.is_some(),
            time_zone: time_zone
                .filter(|z| !z.is_empty() && z.len() <= 64)
                .map(str::to_string),
            suggested: self.opened[..keep].to_vec(),
            start_key: start_key.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asks(name: Ask, email: Ask) -> PreChat {
        PreChat { name, email }
    }

    #[test]
    fn fields_follow_the_settings_and_skip_what_identify_said() {
        let none = Known::default();
        assert_eq!(
            Form::new(PreChat::default(), &none, false),
            Form {
                name: None,
                email: None
            }
        );
        assert_eq!(
            Form::new(asks(Ask::Optional, Ask::Required), &none, false),
            Form {
                name: Some(false),
                email: Some(true)
            }
        );
        let known = Known {
            name: Some("Ben".into()),
            email: Some("ben@example.com".into()),
        };
        assert_eq!(
            Form::new(asks(Ask::Required, Ask::Required), &known, true),
            Form {
                name: None,
                email: None
            },
            "nothing asked twice, even to leave a message"
        );
    }

    #[test]
    fn leaving_a_message_always_asks_for_the_email() {
        let f = Form::new(asks(Ask::Off, Ask::Off), &Known::default(), true);
        assert_eq!(f.email, Some(true));
        let typed = Typed {
            email: "  ".into(),
            ..Typed::default()
        };
        assert_eq!(
            f.check(&typed, &Known::default()),
            Err(vec![Problem::Missing(Field::Email)])
        );
    }

    #[test]
    fn problems_come_in_the_order_of_the_fields() {
        let f = Form::new(asks(Ask::Required, Ask::Optional), &Known::default(), false);
        let typed = Typed {
            name: "".into(),
            email: "ben@example".into(),
            transcript: true,
        };
        assert_eq!(
            f.check(&typed, &Known::default()),
            Err(vec![Problem::Missing(Field::Name), Problem::NotAnEmail])
        );
        let fine = Typed {
            name: " Ben ".into(),
            email: "".into(),
            transcript: true,
        };
        assert_eq!(
            f.check(&fine, &Known::default()),
            Ok(Contact {
                name: Some("Ben".into()),
                email: None,
                transcript: false,
            }),
            "an optional email left empty: no transcript to send"
        );
    }

    #[test]
    fn an_opened_suggestion_is_told_once_and_toggles() {
        let mut o = Opening {
            found: vec![Suggestion {
                id: "track".into(),
                title: "Where is my order?".into(),
                html: "<p>…</p>".into(),
            }],
            ..Opening::default()
        };
        assert_eq!(
            o.toggle("track").map(|a| a.title),
            Some("Where is my order?".into())
        );
        assert_eq!(o.open.as_deref(), Some("track"));
        assert_eq!(o.toggle("track"), None, "closed again");
        assert_eq!(o.open, None);
        assert_eq!(o.toggle("track"), None, "opened before: told once");
        assert_eq!(o.opened.len(), 1);
        assert!(!o.leaving(), "until the server says, the chat is live");
        o.availability = Some(Availability {
            live: false,
            in_hours: false,
            agents_online: 0,
            next_open: None,
            away_message: None,
            off: false,
        });
        assert!(o.leaving());
    }

    #[test]
    fn the_handoff_carries_what_was_typed_or_known() {
        let known = Known::from(Some(" Ben Lee ".into()), Some("not-an-email".into()));
        assert_eq!(known.name.as_deref(), Some("Ben Lee"));
        assert_eq!(
            known.email, None,
            "a broken email from identify is asked for"
        );
        let f = Form::new(asks(Ask::Required, Ask::Required), &known, false);
        assert_eq!(f.name, None);
        let contact = f
            .check(
                &Typed {
                    name: String::new(),
                    email: "ben@example.com".into(),
                    transcript: true,
                },
                &known,
            )
            .unwrap();
        let read = ArticleRef {
            id: "returns".into(),
            title: "Returns".into(),
        };
        let opening = Opening {
            contact,
            opened: vec![read],
            ..Opening::default()
        };
        let adds = opening.additions(Some("Europe/Berlin"), "k-1");
        assert_eq!(adds.name.as_deref(), Some("Ben Lee"));
        assert_eq!(adds.email.as_deref(), Some("ben@example.com"));
        assert!(adds.transcript);
        assert_eq!(adds.time_zone.as_deref(), Some("Europe/Berlin"));
        assert_eq!(adds.suggested.len(), 1);
        assert_eq!(adds.start_key, "k-1");
        // No email, no transcript; a time zone that is no name is left out.
        let bare = Opening::default().additions(Some(""), "k-2");
        assert!(!bare.transcript && bare.email.is_none() && bare.time_zone.is_none());
    }
}
