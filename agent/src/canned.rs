//! Canned replies in the reply box: typing `/` and a few letters offers the shop's
//! replies whose shortcut (or text) matches; choosing one puts its text where the `/word`
//! was. Pure, so the matching and the insertion are tested natively.

use shopdesk_wire::agents::CannedReply;

/// Most replies offered at once.
const OFFERED: usize = 8;

/// The word after `/` the agent is typing at the end of `draft`, if they are: a `/` at
/// the start or after a space, and no space since.
pub(crate) fn query(draft: &str) -> Option<&str> {
    let start = draft.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    draft[start..].strip_prefix('/')
}

/// The replies `query` asks for, best first: shortcuts that start with it, then
/// shortcuts that contain it, then replies whose text does.
pub(crate) fn matching<'a>(replies: &'a [CannedReply], query: &str) -> Vec<&'a CannedReply> {
    let q = query.to_lowercase();
    let rank = |r: &CannedReply| {
        if r.shortcut.starts_with(&q) {
            Some(0)
        } else if r.shortcut.contains(&q) {
            Some(1)
        } else if r.body.to_lowercase().contains(&q) {
            Some(2)
        } else {
            None
        }
    };
    let mut found: Vec<(u8, &CannedReply)> = replies
        .iter()
        .filter_map(|r| rank(r).map(|k| (k, r)))
        .collect();
    found.sort_by(|(a, x), (b, y)| (a, &x.shortcut).cmp(&(b, &y.shortcut)));
    found.into_iter().take(OFFERED).map(|(_, r)| r).collect()
}

/// `draft` with the `/word` being typed replaced by `reply`'s text.
pub(crate) fn insert(draft: &str, reply: &CannedReply) -> String {
    let start = draft.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    format!("{}{}", &draft[..start], reply.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(shortcut: &str, body: &str) -> CannedReply {
        CannedReply {
            id: shortcut.into(),
            shortcut: shortcut.into(),
            body: body.into(),
        }
    }

    #[test]
    fn a_slash_word_at_the_end_asks_for_replies() {
        assert_eq!(query("/ret"), Some("ret"));
        assert_eq!(query("/"), Some(""));
        assert_eq!(query("Hi Noor! /ship"), Some("ship"));
        assert_eq!(query("Hi Noor!\n/ship"), Some("ship"));
        assert_eq!(query("/ship "), None, "a space ends it");
        assert_eq!(query("and/or"), None, "a slash inside a word is text");
        assert_eq!(query(""), None);
    }

    #[test]
    fn shortcuts_that_start_with_the_word_come_first() {
        let all = [
            reply("returns", "Returns are free within 30 days."),
            reply("refund-time", "Refunds take 3-5 days."),
            reply("shipping", "We ship in 24 h; returns by post."),
            reply("free-returns", "Free returns, always."),
        ];
        let found: Vec<_> = matching(&all, "RET")
            .iter()
            .map(|r| r.shortcut.as_str())
            .collect();
        assert_eq!(found, ["returns", "free-returns", "shipping"]);
        assert_eq!(matching(&all, "").len(), 4, "a bare / offers everything");
        assert!(matching(&all, "klarna").is_empty());
    }

    #[test]
    fn choosing_replaces_only_the_slash_word() {
        let r = reply("returns", "Returns are free within 30 days.");
        assert_eq!(insert("/ret", &r), "Returns are free within 30 days.");
        assert_eq!(
            insert("Hi Noor! /ret", &r),
            "Hi Noor! Returns are free within 30 days."
        );
    }
}
