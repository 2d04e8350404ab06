//! Who the shopper is, asked before the first message: which fields the form shows
//! (the merchant's `chat.preChat`, minus what `identify` already said; the email
//! always when nobody can answer live, since the answer will come by email), the checks
//! before anything is sent, and what goes into the handoff. Pure, tested natively.

use shopdesk_settings::chat::{Ask, PreChat};
use shopdesk_wire::chat::{ArticleRef, Handoff, MAX_NAME};

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
    pub(crate) fn from(handoff: &Handoff) -> Self {
        let field = |name: &str| {
            handoff
                .identity
                .as_ref()
                .and_then(|i| i.get(name))
                .and_then(|v| v.as_str())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        Known {
            name: field("name").filter(|n| n.chars().count() <= MAX_NAME),
            email: field("email").filter(|e| shopdesk_wire::is_email(e)),
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

    /// Whether the transcript checkbox makes sense: there is (or will be) an address.
    pub(crate) fn offers_transcript(&self, known: &Known) -> bool {
        self.email.is_some() || known.email.is_some()
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

impl Contact {
    /// Adds the contact, the shopper's time zone and the suggested articles they opened
    /// to the panel's handoff.
    pub(crate) fn complete(
        &self,
        handoff: &mut Handoff,
        time_zone: Option<String>,
        suggested: &[ArticleRef],
    ) {
        handoff.name = self.name.clone().or(handoff.name.take());
        handoff.email = self.email.clone().or(handoff.email.take());
        handoff.transcript = self.transcript && handoff.email.is_some();
        handoff.time_zone = time_zone.filter(|z| !z.is_empty() && z.len() <= 64);
        for article in suggested {
            if !handoff.suggested.iter().any(|a| a.id == article.id)
                && handoff.suggested.len() < shopdesk_wire::chat::MAX_HISTORY
            {
                handoff.suggested.push(article.clone());
            }
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
    fn the_handoff_carries_what_was_typed_or_known() {
        let known = Known::from(&Handoff {
            identity: Some(serde_json::json!({"name": "Ben Lee", "email": "not-an-email"})),
            ..Handoff::default()
        });
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
        let mut handoff = Handoff::default();
        let read = ArticleRef {
            id: "returns".into(),
            title: "Returns".into(),
        };
        contact.complete(
            &mut handoff,
            Some("Europe/Berlin".into()),
            &[read.clone(), read],
        );
        assert_eq!(handoff.name.as_deref(), Some("Ben Lee"));
        assert_eq!(handoff.email.as_deref(), Some("ben@example.com"));
        assert!(handoff.transcript);
        assert_eq!(handoff.time_zone.as_deref(), Some("Europe/Berlin"));
        assert_eq!(handoff.suggested.len(), 1, "an article opened twice is one");
        assert!(handoff.check().is_ok());
    }
}
