//! Verified identities: the merchant's backend signs the shopper's customer id, and
//! only a signed id is believed.
//!
//! `shopdesk.identify({id, email, name, signature})` reaches the server inside the
//! handoff; `signature` is HMAC-SHA256 of `id` under the secret the merchant shares
//! with this server (`identity_secret`), in hex. A matching signature (compared in
//! constant time) marks the identity verified, which agents see, and which lets the
//! shopper see their earlier conversations from any device. Anything else is shown
//! to agents as the page said it, marked unverified, or refused outright with
//! `require_verified_identity`. The signature itself is never stored.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// The shop's identity settings.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Verifier {
    /// The secret the merchant's backend signs ids with; none: nothing is verified.
    pub secret: Option<String>,
    /// Refuse identities that are not verified.
    pub required: bool,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("secret", &self.secret.as_ref().map(|_| "…"))
            .field("required", &self.required)
            .finish()
    }
}

/// What an identity turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checked {
    /// No identity given.
    Anonymous,
    /// Signed: the merchant's backend vouches for this customer id.
    Verified(String),
    /// Given, but not (correctly) signed.
    Unverified,
}

/// Why an identity was refused (with `require_verified_identity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Unsigned,
    Forged,
}

impl Refused {
    pub fn message(self) -> &'static str {
        match self {
            Refused::Unsigned => {
                "this shop verifies identities: identify({id, signature}) with signature = hex HMAC-SHA256(secret, id), computed by the shop's server"
            }
            Refused::Forged => {
                "the identity's signature does not match its id; compute it on the shop's server with the shared secret"
            }
        }
    }
}

/// The id as signed: a string as it is, a number as JSON writes it.
fn id_of(identity: &Value) -> Option<String> {
    match identity.get("id")? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Verifier {
    /// Checks `identity` (the handoff's), taking its `signature` out whatever the
    /// outcome: it is a credential, and agents have no use for it.
    pub fn check(&self, identity: Option<&mut Value>) -> Result<Checked, Refused> {
        let Some(identity) = identity.and_then(Value::as_object_mut) else {
            return Ok(Checked::Anonymous);
        };
        let signature = identity.remove("signature");
        let value = Value::Object(identity.clone());
        let id = id_of(&value);
        let signed = match (
            &self.secret,
            &id,
            signature.as_ref().and_then(Value::as_str),
        ) {
            (Some(secret), Some(id), Some(signature)) => Some(self.matches(secret, id, signature)),
            _ => None,
        };
        match (signed, id) {
            (Some(true), Some(id)) => Ok(Checked::Verified(id)),
            (Some(false), _) if self.required => Err(Refused::Forged),
            (None, _) if self.required => Err(Refused::Unsigned),
            _ => Ok(Checked::Unverified),
        }
    }

    /// Whether `signature` is the HMAC of `id`, compared in constant time.
    fn matches(&self, secret: &str, id: &str, signature: &str) -> bool {
        let Some(given) = unhex(signature.trim()) else {
            return false;
        };
        let mut mac =
            Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
        mac.update(id.as_bytes());
        mac.verify_slice(&given).is_ok()
    }

    /// Whether `id` and `signature` prove a customer (for their history).
    pub fn proves(&self, id: &str, signature: &str) -> bool {
        self.secret
            .as_deref()
            .is_some_and(|secret| !id.is_empty() && self.matches(secret, id, signature))
    }
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    (0..64)
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// The signature a merchant's backend computes (for tests and the README's examples).
pub fn sign(secret: &str, id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(id.as_bytes());
    crate::access::hex(&mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SECRET: &str = "shop-identity-secret-0123";

    fn verifier(required: bool) -> Verifier {
        Verifier {
            secret: Some(SECRET.into()),
            required,
        }
    }

    #[test]
    fn a_signed_id_is_verified_and_the_signature_is_not_kept() {
        let mut identity =
            json!({"id": "cus_42", "email": "ana@x.example", "signature": sign(SECRET, "cus_42")});
        assert_eq!(
            verifier(false).check(Some(&mut identity)),
            Ok(Checked::Verified("cus_42".into()))
        );
        assert_eq!(identity, json!({"id": "cus_42", "email": "ana@x.example"}));
        // Numbers are signed as JSON writes them; upper-case hex is hex.
        let mut numeric = json!({"id": 42, "signature": sign(SECRET, "42").to_uppercase()});
        assert_eq!(
            verifier(true).check(Some(&mut numeric)),
            Ok(Checked::Verified("42".into()))
        );
        // The value README's examples print for secret "secret" and id "cus_42".
        assert_eq!(
            sign("secret", "cus_42"),
            "eaf7a25bd60c07808d5b40ad3d7b5d11d0a795ab74932201869f395df88550b8"
        );
    }

    #[test]
    fn forged_missing_or_unverifiable_signatures_are_unverified_or_refused() {
        let forged = || json!({"id": "cus_42", "signature": sign(SECRET, "cus_43")});
        let unsigned = || json!({"id": "cus_42", "name": "Ana"});
        assert_eq!(
            verifier(false).check(Some(&mut forged())),
            Ok(Checked::Unverified)
        );
        assert_eq!(
            verifier(false).check(Some(&mut unsigned())),
            Ok(Checked::Unverified)
        );
        assert_eq!(
            verifier(true).check(Some(&mut forged())),
            Err(Refused::Forged)
        );
        assert_eq!(
            verifier(true).check(Some(&mut unsigned())),
            Err(Refused::Unsigned)
        );
        let mut other_secret = json!({"id": "cus_42", "signature": sign("another", "cus_42")});
        assert_eq!(
            verifier(false).check(Some(&mut other_secret)),
            Ok(Checked::Unverified)
        );
        let mut junk = json!({"id": "cus_42", "signature": "zz"});
        assert_eq!(
            verifier(false).check(Some(&mut junk)),
            Ok(Checked::Unverified)
        );
        // Without a secret nothing is verified, even a "right" signature.
        let none = Verifier::default();
        let mut signed = json!({"id": "cus_42", "signature": sign(SECRET, "cus_42")});
        assert_eq!(none.check(Some(&mut signed)), Ok(Checked::Unverified));
        assert_eq!(none.check(None), Ok(Checked::Anonymous));
        assert_eq!(verifier(true).check(None), Ok(Checked::Anonymous));
    }

    #[test]
    fn history_needs_a_proof() {
        let v = verifier(false);
        assert!(v.proves("cus_42", &sign(SECRET, "cus_42")));
        assert!(!v.proves("cus_43", &sign(SECRET, "cus_42")));
        assert!(!v.proves("", &sign(SECRET, "")));
        assert!(!Verifier::default().proves("cus_42", &sign(SECRET, "cus_42")));
    }
}
