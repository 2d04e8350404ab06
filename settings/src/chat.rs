//! `chat`: what the chat asks before the first message, and the merchant's privacy
//! page it links. Kept as written by the launcher (as `surveys` is) and read by the
//! chat module, the only one that uses it.

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
const CHAT_KEYS: &str = "one of the chat keys preChat, privacyUrl";
const PRIVACY_EXPECTED: &str =
    "the address of the shop's privacy page, such as \"https://shop.example/privacy\"";

/// The `chat` setting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChatSettings {
    pub pre_chat: PreChat,
    /// Linked beside "who reads this chat" (an http(s) address).
    pub privacy_url: Option<String>,
}
const PRE_CHAT_KEYS: &str =
    "an object with the keys name and email, such as {\"email\": \"required\"}";

/// The `chat` setting, and a problem per unusable field (the default is used there).
pub fn read(raw: &Raw) -> (ChatSettings, Vec<Problem>) {
    let mut settings = ChatSettings::default();
    let pre_chat = &mut settings.pre_chat;
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
        Raw::Null => return (settings, problems),
        Raw::Map(fields) => fields,
        other => {
            problem("chat", CHAT_EXPECTED, other);
            return (settings, problems);
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
            ("privacyUrl", Raw::Str(url))
                if url.starts_with("https://") || url.starts_with("http://") =>
            {
                settings.privacy_url = Some(url.clone());
            }
            ("privacyUrl", other) => problem("chat.privacyUrl", PRIVACY_EXPECTED, other),
            (_, other) => problem(&format!("chat.{key}"), CHAT_KEYS, other),
        }
    }
    (settings, problems)
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
            p.pre_chat,
            PreChat {
                name: Ask::Optional,
                email: Ask::Required
            }
        );
        assert_eq!(read(&Raw::Null).0, ChatSettings::default());
    }

    #[test]
    fn bad_values_keep_the_default_and_say_what_is_expected() {
        let (p, problems) = read(&raw(serde_json::json!({
            "preChat": {"name": "yes", "phone": "required", "email": "optional"},
            "prechat": {}
        })));
        assert_eq!(p.pre_chat.name, Ask::Off);
        assert_eq!(
            p.pre_chat.email,
            Ask::Optional,
            "the good field still applies"
        );
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

    #[test]
    fn the_privacy_page_is_a_web_address() {
        let (s, problems) = read(&raw(
            serde_json::json!({"privacyUrl": "https://shop.example/privacy"}),
        ));
        assert!(problems.is_empty());
        assert_eq!(
            s.privacy_url.as_deref(),
            Some("https://shop.example/privacy")
        );
        for bad in [
            serde_json::json!("javascript:alert(1)"),
            serde_json::json!(7),
        ] {
            let (s, problems) = read(&raw(serde_json::json!({ "privacyUrl": bad })));
            assert_eq!(s.privacy_url, None);
            assert_eq!(problems[0].key, "chat.privacyUrl");
        }
    }
}
