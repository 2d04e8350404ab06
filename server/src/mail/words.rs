//! The emails' words, in the widget's languages (the shopper's language comes with the
//! handoff). Kept on the server: the widget's own catalogue is downloaded by every
//! shopper and should not carry email text.

/// One language's words; `{agent}`, `{shop}`, `{name}`, `{date}` are filled in.
#[derive(Debug)]
pub(super) struct Words {
    pub code: &'static str,
    pub rtl: bool,
    pub reply_subject: &'static str,
    pub transcript_subject: &'static str,
    pub hello_name: &'static str,
    pub hello: &'static str,
    pub answered: &'static str,
    pub transcript_intro: &'static str,
    pub open_link: &'static str,
    pub link_until: &'static str,
    pub no_reply: &'static str,
    pub so_far: &'static str,
    pub you: &'static str,
    pub support: &'static str,
}

const ALL: [Words; 6] = [
    Words {
        code: "en",
        rtl: false,
        reply_subject: "{agent} answered your message",
        transcript_subject: "Your conversation with {shop}",
        hello_name: "Hello {name},",
        hello: "Hello,",
        answered: "{agent} from {shop} answered your message:",
        transcript_intro: "Here is your conversation with {shop}, as you asked.",
        open_link: "Continue the conversation",
        link_until: "The link works until {date}.",
        no_reply: "Replies to this email are not read: please answer in the chat.",
        so_far: "The conversation so far",
        you: "You",
        support: "Support",
    },
    Words {
        code: "de",
        rtl: false,
        reply_subject: "{agent} hat auf Ihre Nachricht geantwortet",
        transcript_subject: "Ihr Gespräch mit {shop}",
        hello_name: "Hallo {name},",
        hello: "Hallo,",
        answered: "{agent} von {shop} hat auf Ihre Nachricht geantwortet:",
        transcript_intro: "Hier ist Ihr Gespräch mit {shop}, wie gewünscht.",
        open_link: "Gespräch fortsetzen",
        link_until: "Der Link gilt bis {date}.",
        no_reply: "Antworten auf diese E-Mail werden nicht gelesen: Bitte antworten Sie im Chat.",
        so_far: "Das bisherige Gespräch",
        you: "Sie",
        support: "Support",
    },
    Words {
        code: "fr",
        rtl: false,
        reply_subject: "{agent} a répondu à votre message",
        transcript_subject: "Votre conversation avec {shop}",
        hello_name: "Bonjour {name},",
        hello: "Bonjour,",
        answered: "{agent} de {shop} a répondu à votre message :",
        transcript_intro: "Voici votre conversation avec {shop}, comme demandé.",
        open_link: "Continuer la conversation",
        link_until: "Le lien est valable jusqu'au {date}.",
        no_reply: "Les réponses à cet e-mail ne sont pas lues : répondez dans le chat.",
        so_far: "La conversation jusqu'ici",
        you: "Vous",
        support: "Support",
    },
    Words {
        code: "es",
        rtl: false,
        reply_subject: "{agent} ha respondido a tu mensaje",
        transcript_subject: "Tu conversación con {shop}",
        hello_name: "Hola, {name}:",
        hello: "Hola:",
        answered: "{agent}, de {shop}, ha respondido a tu mensaje:",
        transcript_intro: "Aquí tienes tu conversación con {shop}, como pediste.",
        open_link: "Continuar la conversación",
        link_until: "El enlace funciona hasta el {date}.",
        no_reply: "Las respuestas a este correo no se leen: responde en el chat.",
        so_far: "La conversación hasta ahora",
        you: "Tú",
        support: "Soporte",
    },
    Words {
        code: "ru",
        rtl: false,
        reply_subject: "{agent}: ответ на ваше сообщение",
        transcript_subject: "Ваш разговор с {shop}",
        hello_name: "Здравствуйте, {name}!",
        hello: "Здравствуйте!",
        answered: "{agent} ({shop}) ответил(а) на ваше сообщение:",
        transcript_intro: "Вот ваш разговор с {shop}, как вы просили.",
        open_link: "Продолжить разговор",
        link_until: "Ссылка действует до {date}.",
        no_reply: "Ответы на это письмо не читаются: пожалуйста, отвечайте в чате.",
        so_far: "Разговор до сих пор",
        you: "Вы",
        support: "Поддержка",
    },
    Words {
        code: "ar",
        rtl: true,
        reply_subject: "ردّ {agent} على رسالتك",
        transcript_subject: "محادثتك مع {shop}",
        hello_name: "مرحبًا {name}،",
        hello: "مرحبًا،",
        answered: "ردّ {agent} من {shop} على رسالتك:",
        transcript_intro: "إليك محادثتك مع {shop} كما طلبت.",
        open_link: "متابعة المحادثة",
        link_until: "يعمل الرابط حتى {date}.",
        no_reply: "لا تُقرأ الردود على هذه الرسالة: يُرجى الرد في المحادثة.",
        so_far: "المحادثة حتى الآن",
        you: "أنت",
        support: "الدعم",
    },
];

/// The words for a language tag (`de-AT` → German), English when unknown.
pub(super) fn words(locale: Option<&str>) -> &'static Words {
    let primary = locale
        .and_then(|l| l.split(['-', '_']).next())
        .unwrap_or("en")
        .to_ascii_lowercase();
    ALL.iter().find(|w| w.code == primary).unwrap_or(&ALL[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regional_tag_finds_its_language_and_an_unknown_one_english() {
        assert_eq!(words(Some("de-AT")).code, "de");
        assert_eq!(words(Some("pt-BR")).code, "en");
        assert_eq!(words(None).code, "en");
        assert!(words(Some("ar")).rtl);
    }

    #[test]
    fn every_language_fills_the_same_blanks() {
        for w in &ALL {
            assert!(w.reply_subject.contains("{agent}"), "{}", w.code);
            assert!(w.transcript_subject.contains("{shop}"), "{}", w.code);
            assert!(w.hello_name.contains("{name}"), "{}", w.code);
            assert!(w.answered.contains("{agent}") && w.answered.contains("{shop}"));
            assert!(w.link_until.contains("{date}"), "{}", w.code);
        }
    }
}
