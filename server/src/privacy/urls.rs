//! Page addresses without what follows the path.

/// `url` without its query string and fragment; anything that is not an absolute
/// http(s) URL is cut at the first `?` or `#` all the same.
pub fn without_query(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if matches!(parsed.scheme(), "http" | "https") => {
            parsed.set_query(None);
            parsed.set_fragment(None);
            // Credentials in a URL are never the shop's business either.
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        _ => url.split(['?', '#']).next().unwrap_or("").to_string(),
    }
}

/// `url` as it is kept: whole when `keep`, else [`without_query`].
pub fn kept(url: Option<String>, keep: bool) -> Option<String> {
    match (url, keep) {
        (Some(u), false) => Some(without_query(&u)),
        (url, _) => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_fragments_and_credentials_go_the_path_stays() {
        assert_eq!(
            without_query("https://shop.example/orders/42?email=ana%40x.example&token=abc#top"),
            "https://shop.example/orders/42"
        );
        assert_eq!(
            without_query("https://user:pw@shop.example:8443/a/b/"),
            "https://shop.example:8443/a/b/"
        );
        assert_eq!(without_query("/relative?x=1#y"), "/relative");
        assert_eq!(
            without_query("https://shop.example"),
            "https://shop.example/"
        );
        assert_eq!(
            kept(Some("https://s.example/?q=1".into()), true).as_deref(),
            Some("https://s.example/?q=1")
        );
        assert_eq!(
            kept(Some("https://s.example/?q=1".into()), false).as_deref(),
            Some("https://s.example/")
        );
        assert_eq!(kept(None, false), None);
    }
}
