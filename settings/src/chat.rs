//! `chat`: what the chat asks before the first message. Kept as written by the
//! launcher (as `surveys` is) and read by the chat module, the only one that uses it.

use serde::Deserialize;

use crate::{named, Problem, Raw};

/// Whether the chat asks for a field before the first message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ask {
    #[default]
    Off,
    Optional,
    Required,
}

/// `chat.preChat`: the name and email fields. A field `identify` already filled is
/// never asked; "Leave a message" always asks for the email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PreChat {
    pub name: Ask,
    pub email: Ask,
}

const ASK_EXPECTED: &str = "\"off\", \"optional\" or \"required\"";
const CHAT_EXPECTED: &str = "an object such as {\"preChat\": {\"email\": \"required\"}}";
const CHAT_KEYS: &str = "one of the chat keys preChat";
const PRE_CHAT_KEYS: &str =
    "an object with the keys name and email, such as {\"email\": \"required\"}";

/// The `chat` setting, and a problem per unusable field (the default is used there).
pub fn read(raw: &Raw) -> (PreChat, Vec<Problem>) {
    let mut pre_chat = PreChat::default();
    let mut problems = Vec::new();
    let mut problem = |key: &str, expected: &'static str, got: &Raw| {
        problems.push(Problem {
            key: key.to_string(),
            attribute: false,
            expected: Some(expected),
            got: got.clone(),
        })
    };
    let fields = match raw {
        Raw::Null => return (pre_chat, problems),
        Raw::Map(fields) => fields,
        other => {
            problem("chat", CHAT_EXPECTED, other);
            return (pre_chat, problems);
        }
    };
    for (key, value) in fields {
        match (key.as_str(), value) {
            ("preChat", Raw::Map(asks)) => {
                for (field, ask) in asks {
                    let slot = match field.as_str() {
                        "name" => &mut pre_chat.name,
                        "email" => &mut pre_chat.email,
                        _ => {
                            problem(&format!("chat.preChat.{field}"), PRE_CHAT_KEYS, ask);
                            continue;
                        }
                    };
                    match named(ask, ASK_EXPECTED) {
                        Ok(a) => *slot = a,
                        Err(expected) => problem(&format!("chat.preChat.{field}"), expected, ask),
                    }
                }
            }
            ("preChat", other) => problem("chat.preChat", PRE_CHAT_KEYS, other),
            (_, other) => problem(&format!("chat.{key}"), CHAT_KEYS, other),
        }
    }
    (pre_chat, problems)
}

/// The console warning for a problem [`read`] found: like [`Problem::message`], without
/// what only other keys need (so the chat module does not carry every key's checks).
pub fn warning(problem: &Problem) -> String {
    let mut m = String::from("[shopdesk] setting `");
    m += &problem.key;
    m += "` must be ";
    m += problem.expected.unwrap_or("something else");
    m += "; got ";
    m += &problem.got.shown();
    m += "; using the default";
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(json: serde_json::Value) -> Raw {
        fn convert(v: &serde_json::Value) -> Raw {
            match v {
                serde_json::Value::Null => Raw::Null,
                serde_json::Value::Bool(b) => Raw::Bool(*b),
                serde_json::Value::Number(n) => Raw::Num(n.as_f64().unwrap()),
                serde_json::Value::String(s) => Raw::Str(s.clone()),
                serde_json::Value::Array(a) => Raw::List(a.iter().map(convert).collect()),
                serde_json::Value::Object(o) => {
                    Raw::Map(o.iter().map(|(k, v)| (k.clone(), convert(v))).collect())
                }
            }
        }
        convert(&json)
    }

    #[test]
    fn each_field_is_off_optional_or_required() {
        let (p, problems) = read(&raw(
            serde_json::json!({"preChat": {"name": "optional", "email": "required"}}),
        ));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            p,
            PreChat {
                name: Ask::Optional,
                email: Ask::Required
            }
        );
        assert_eq!(read(&Raw::Null).0, PreChat::default());
    }

    #[test]
    fn bad_values_keep_the_default_and_say_what_is_expected() {
        let (p, problems) = read(&raw(serde_json::json!({
            "preChat": {"name": "yes", "phone": "required", "email": "optional"},
            "prechat": {}
        })));
        assert_eq!(p.name, Ask::Off);
        assert_eq!(p.email, Ask::Optional, "the good field still applies");
        let keys: Vec<_> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            ["chat.preChat.name", "chat.preChat.phone", "chat.prechat"]
        );
        assert!(problems[0]
            .message()
            .contains("\"off\", \"optional\" or \"required\""));
        assert_eq!(
            warning(&problems[0]),
            problems[0].message(),
            "the same words"
        );
        let (_, problems) = read(&Raw::Str("required".into()));
        assert!(problems[0].message().contains("preChat"), "{problems:?}");
    }
}
