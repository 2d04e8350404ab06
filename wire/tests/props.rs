//! Property tests of the JSON readers (`from_json`): whatever a client sends, a reader
//! answers without a panic, and a refusal names a field of its type (or `body`); what
//! a well-behaved client sends is accepted as sent.
//!
//! `PROPTEST_CASES` raises the number of cases (256 by default; scripts/fuzz.sh runs
//! many more).

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use shopdesk_wire::agents::{AccountChange, CannedInput, Handover, NewAgent, Presence, SignIn};
use shopdesk_wire::chat::{
    ArticleRef, Handoff, ReadUpTo, Resume, Say, MAX_HISTORY, MAX_HISTORY_ITEM, MAX_MESSAGE,
    MAX_NAME,
};
use shopdesk_wire::{FeedbackEvent, FeedbackKind, Invalid, MAX_COMMENT, MAX_ID};

/// A reader, and the fields a refusal may name.
struct Reader {
    name: &'static str,
    read: fn(&[u8]) -> Result<(), Invalid>,
    fields: &'static [&'static str],
}

const READERS: &[Reader] = &[
    Reader {
        name: "FeedbackEvent",
        read: |b| FeedbackEvent::from_json(b).map(drop),
        fields: &[
            "id",
            "kind",
            "score",
            "comment",
            "survey_id",
            "article_id",
            "conversation_id",
            "page_url",
            "locale",
            "visitor_id",
            "context",
            "created_at",
        ],
    },
    Reader {
        name: "Handoff",
        read: |b| Handoff::from_json(b).map(drop),
        fields: &[
            "page_url",
            "page_title",
            "locale",
            "searched",
            "read",
            "identity",
            "context",
            "visitor_id",
            "name",
            "email",
            "time_zone",
            "transcript",
            "suggested",
            "start_key",
        ],
    },
    Reader {
        name: "Say",
        read: |b| Say::from_json(b).map(drop),
        fields: &["id", "body"],
    },
    Reader {
        name: "Resume",
        read: |b| Resume::from_json(b).map(drop),
        fields: &["link"],
    },
    Reader {
        name: "ReadUpTo",
        read: |b| ReadUpTo::from_json(b).map(drop),
        fields: &["seq"],
    },
    Reader {
        name: "SignIn",
        read: |b| SignIn::from_json(b).map(drop),
        fields: &["email", "password"],
    },
    Reader {
        name: "Presence",
        read: |b| Presence::from_json(b).map(drop),
        fields: &["away"],
    },
    Reader {
        name: "Handover",
        read: |b| Handover::from_json(b).map(drop),
        fields: &["to"],
    },
    Reader {
        name: "NewAgent",
        read: |b| NewAgent::from_json(b).map(drop),
        fields: &["name", "email", "role", "password"],
    },
    Reader {
        name: "AccountChange",
        read: |b| AccountChange::from_json(b).map(drop),
        fields: &["email", "disabled", "password"],
    },
    Reader {
        name: "CannedInput",
        read: |b| CannedInput::from_json(b).map(drop),
        fields: &["shortcut", "body"],
    },
];

/// Runs every reader on `body`: no panic, and a refusal names one of its fields.
fn every_reader_answers(body: &[u8]) -> Result<(), TestCaseError> {
    for reader in READERS {
        if let Err(e) = (reader.read)(body) {
            let named = e.field == "body"
                || reader.fields.iter().any(|f| {
                    e.field == *f
                        || e.field.starts_with(&format!("{f}."))
                        || e.field.starts_with(&format!("{f}["))
                });
            prop_assert!(
                named && !e.problem.is_empty(),
                "{}: `{}` is not a field: {e}\nbody: {}",
                reader.name,
                e.field,
                String::from_utf8_lossy(body)
            );
        }
    }
    Ok(())
}

/// Any JSON value, with object keys often the readers' own field names.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        uuid().prop_map(Value::String),
        "https?://[a-z.]{0,12}/?".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::vec((key(), inner), 0..8)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

fn key() -> impl Strategy<Value = String> {
    let fields: Vec<&'static str> = READERS.iter().flat_map(|r| r.fields).copied().collect();
    prop_oneof![
        3 => proptest::sample::select(fields).prop_map(String::from),
        1 => any::<String>(),
    ]
}

/// An object with some of `reader`'s fields, holding anything.
fn object_of(reader: &'static Reader) -> impl Strategy<Value = Value> {
    proptest::collection::vec(
        (proptest::sample::select(reader.fields), json_value()),
        0..reader.fields.len() + 2,
    )
    .prop_map(|entries| {
        Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<Map<_, _>>(),
        )
    })
}

fn uuid() -> impl Strategy<Value = String> {
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
}

/// Text of 1 to `max` characters that are not control characters.
fn text(max: usize) -> impl Strategy<Value = String> {
    let short = proptest::string::string_regex(&format!("\\PC{{1,{}}}", max.min(40))).unwrap();
    prop_oneof![
        8 => short,
        1 => Just("é".repeat(max)),
    ]
}

fn url() -> impl Strategy<Value = String> {
    "(https?|HTTPS?)://[a-z0-9]{1,10}\\.example(/\\PC{0,40})?"
}

fn email() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9._%+'-]{1,30}@([a-z0-9äöü]([a-z0-9-]{0,8}[a-z0-9])?\\.){1,3}[a-z]{2,6}"
}

fn context() -> impl Strategy<Value = Option<Value>> {
    proptest::option::of(
        proptest::collection::btree_map("[a-z]{1,8}", "\\PC{0,20}", 0..6).prop_map(|m| json!(m)),
    )
}

/// An RFC 3339 time, with or without fractions, in UTC or at an offset.
fn rfc3339() -> impl Strategy<Value = String> {
    (
        (1970u32..=9999, 1u32..=12, 1u32..=28),
        (0u32..=23, 0u32..=59, 0u32..=59),
        proptest::option::of("[0-9]{1,9}"),
        prop_oneof![
            Just("Z".to_string()),
            Just("z".to_string()),
            ("[+-]", 0u32..=23, 0u32..=59).prop_map(|(s, h, m)| format!("{s}{h:02}:{m:02}")),
        ],
        prop_oneof![Just('T'), Just('t')],
    )
        .prop_map(|((y, mo, d), (h, mi, s), frac, offset, t)| {
            let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
            format!("{y:04}-{mo:02}-{d:02}{t}{h:02}:{mi:02}:{s:02}{frac}{offset}")
        })
}

fn feedback_event() -> impl Strategy<Value = FeedbackEvent> {
    let kind = prop_oneof![
        Just(FeedbackKind::Csat),
        Just(FeedbackKind::Nps),
        Just(FeedbackKind::Ces),
        Just(FeedbackKind::Article),
    ];
    let id = || proptest::option::of(text(MAX_ID));
    (
        (uuid(), kind, any::<prop::sample::Index>()),
        (proptest::option::of(text(MAX_COMMENT)), id(), id(), id()),
        (
            proptest::option::of(url()),
            proptest::option::of("[a-zA-Z0-9_-]{1,35}"),
        ),
        (id(), context(), rfc3339()),
    )
        .prop_map(
            |(
                (id, kind, score),
                (comment, survey_id, article_id, conversation_id),
                (page_url, locale),
                (visitor_id, context, created_at),
            )| {
                let range = kind.range();
                let scores: Vec<i64> = range.collect();
                FeedbackEvent {
                    id,
                    kind,
                    score: *score.get(&scores),
                    comment,
                    survey_id,
                    article_id: match kind {
                        FeedbackKind::Article => Some(article_id.unwrap_or("a".into())),
                        _ => article_id,
                    },
                    conversation_id,
                    page_url,
                    locale,
                    visitor_id,
                    context,
                    created_at,
                }
            },
        )
}

fn article_refs() -> impl Strategy<Value = Vec<ArticleRef>> {
    proptest::collection::vec(
        (text(MAX_ID), text(MAX_HISTORY_ITEM)).prop_map(|(id, title)| ArticleRef { id, title }),
        0..=MAX_HISTORY,
    )
}

fn handoff() -> impl Strategy<Value = Handoff> {
    let opt = |max| proptest::option::of(text(max));
    (
        (proptest::option::of(url()), opt(MAX_HISTORY_ITEM), opt(35)),
        (
            proptest::collection::vec(text(MAX_HISTORY_ITEM), 0..=MAX_HISTORY),
            article_refs(),
            article_refs(),
        ),
        (context(), context(), opt(MAX_ID), opt(MAX_NAME)),
        (
            proptest::option::of(email()),
            opt(64),
            any::<bool>(),
            opt(MAX_ID),
        ),
    )
        .prop_map(
            |(
                (page_url, page_title, locale),
                (searched, read, suggested),
                (identity, context, visitor_id, name),
                (email, time_zone, transcript, start_key),
            )| Handoff {
                page_url,
                page_title,
                locale,
                searched,
                read,
                identity,
                context,
                visitor_id,
                name,
                transcript: transcript && email.is_some(),
                email,
                time_zone,
                suggested,
                start_key,
                // The server's word, whatever a client sends: not generated.
                verified: None,
            },
        )
}

/// Text with something in it besides spaces, up to `max` characters.
fn words(max: usize) -> impl Strategy<Value = String> {
    let words = text(max - 4).prop_filter("not only spaces", |t| !t.trim().is_empty());
    (" {0,2}", words, " {0,2}").prop_map(|(a, t, b)| format!("{a}{t}{b}"))
}

/// Letters a shortcut may hold, the unusual ones more often than chance would pick them
/// (letters whose lower case is longer, or another letter).
fn shortcut() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        6 => proptest::char::ranges(vec!['a'..='z', 'A'..='Z', '0'..='9'].into()),
        1 => Just('-'),
        1 => Just('_'),
        1 => "\\p{L}".prop_map(|s| s.chars().next().unwrap()),
        1 => proptest::sample::select(vec!['İ', 'ẞ', 'Σ', 'ǅ', 'Ω', 'K']),
    ];
    (
        proptest::option::of(Just("/")),
        proptest::collection::vec(c, 1..=32),
        " {0,2}",
    )
        .prop_map(|(slash, chars, pad)| {
            format!(
                "{pad}{}{}{pad}",
                slash.unwrap_or(""),
                String::from_iter(chars)
            )
        })
}

proptest! {
    // A failing case is kept beside this file (`props.proptest-regressions`) and tried
    // first on the next run.
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
        )),
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_bytes_are_answered(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        every_reader_answers(&bytes)?;
    }

    #[test]
    fn any_text_is_answered(text in any::<String>()) {
        every_reader_answers(text.as_bytes())?;
        every_reader_answers(format!("{{{text}").as_bytes())?;
    }

    #[test]
    fn any_json_value_is_answered(value in json_value()) {
        every_reader_answers(value.to_string().as_bytes())?;
    }

    #[test]
    fn objects_of_a_readers_fields_are_answered(
        value in (0..READERS.len()).prop_flat_map(|i| object_of(&READERS[i]))
    ) {
        every_reader_answers(value.to_string().as_bytes())?;
    }

    #[test]
    fn broken_json_is_answered(event in feedback_event(), cut in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut body = serde_json::to_vec(&event).unwrap();
        let at = cut.index(body.len());
        every_reader_answers(&body[..at])?;
        body[at] = byte;
        every_reader_answers(&body)?;
    }

    #[test]
    fn valid_feedback_is_accepted_as_sent(event in feedback_event()) {
        let body = serde_json::to_vec(&event).unwrap();
        let read = FeedbackEvent::from_json(&body);
        prop_assert_eq!(read.as_ref(), Ok(&event), "{}", String::from_utf8_lossy(&body));
        prop_assert!(event.created_millis().is_some());
    }

    #[test]
    fn valid_handoffs_are_accepted_as_sent(handoff in handoff()) {
        let body = serde_json::to_vec(&handoff).unwrap();
        let read = Handoff::from_json(&body);
        prop_assert_eq!(read.as_ref(), Ok(&handoff), "{}", String::from_utf8_lossy(&body));
    }

    #[test]
    fn valid_messages_and_sign_ins_are_accepted_as_sent(
        id in uuid(),
        body in words(MAX_MESSAGE),
        email in words(80),
        password in text(200),
        seq in 1i64..,
        link in text(512),
    ) {
        let say = Say { id, body };
        prop_assert_eq!(Say::from_json(&serde_json::to_vec(&say).unwrap()), Ok(say));
        let sign_in = SignIn { email, password };
        prop_assert_eq!(SignIn::from_json(&serde_json::to_vec(&sign_in).unwrap()), Ok(sign_in));
        prop_assert_eq!(ReadUpTo::from_json(format!("{{\"seq\": {seq}}}").as_bytes()), Ok(ReadUpTo { seq }));
        let resume = Resume { link };
        prop_assert_eq!(Resume::from_json(&serde_json::to_vec(&resume).unwrap()), Ok(resume));
    }

    #[test]
    fn valid_agent_requests_are_accepted_as_sent(
        away in any::<bool>(),
        to in proptest::option::of(text(MAX_ID)),
        name in text(100),
        email in email(),
        role in proptest::option::of(prop_oneof![Just("admin"), Just("agent")]),
        password in text(200),
        change in (proptest::option::of(any::<bool>()), proptest::option::of(text(200)))
            .prop_filter("says what changes", |(d, p)| d.is_some() || p.is_some()),
    ) {
        fn round_trip<T>(value: T, read: fn(&[u8]) -> Result<T, Invalid>) -> Result<(), TestCaseError>
        where
            T: serde::Serialize + PartialEq + std::fmt::Debug,
        {
            let body = serde_json::to_vec(&value).unwrap();
            prop_assert_eq!(read(&body), Ok(value));
            Ok(())
        }
        round_trip(Presence { away }, Presence::from_json)?;
        round_trip(Handover { to }, Handover::from_json)?;
        let role = role.map(String::from);
        round_trip(NewAgent { name, email: email.clone(), role, password }, NewAgent::from_json)?;
        let (disabled, password) = change;
        round_trip(AccountChange { email, disabled, password }, AccountChange::from_json)?;
    }

    #[test]
    fn valid_canned_replies_are_accepted_and_read_back_the_same(
        shortcut in shortcut(),
        body in words(MAX_MESSAGE),
    ) {
        let sent = serde_json::to_vec(&json!({"shortcut": shortcut, "body": body})).unwrap();
        let read = CannedInput::from_json(&sent);
        prop_assert!(read.is_ok(), "{shortcut:?}: {read:?}");
        let read = read.unwrap();
        prop_assert_eq!(&read.body, body.trim());
        // What the server stores reads back as itself.
        let again = CannedInput::from_json(&serde_json::to_vec(&read).unwrap());
        prop_assert_eq!(again, Ok(read));
    }
}
