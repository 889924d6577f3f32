//! Signed conversation references.
//!
//! When the bot hands a user over to an agent, the fulfillment Lambda puts a reference to
//! the new conversation in the session attribute [`SESSION_ATTRIBUTE`]. The web client
//! later opens the chat WebSocket with `?conversationId=<reference>` and may close it with
//! the reason `conversationId:<reference>`. The reference is signed so that only the
//! bot's own answer lets someone join: neither the contact center's id for the chat nor
//! our conversation key alone is enough.
//!
//! # Format
//!
//! `v1.<conversation key>.<expiry>.<tag>`, where
//! - the conversation key is 1 to 40 characters from `A-Z a-z 0-9 _ -`;
//! - the expiry is the last valid second, in decimal Unix seconds without leading zeros;
//! - the tag is HMAC-SHA256 over `v1.<conversation key>.<expiry>`, in unpadded base64url.
//!
//! Every character is URL-safe, so the web client can put the reference in a query string
//! without encoding it. The longest reference (a 40-character key and an expiry of
//! `u64::MAX`) is 2 + 1 + 40 + 1 + 20 + 1 + 43 = 108 bytes, which keeps the close reason
//! `conversationId:<reference>` within the 123 bytes a WebSocket close frame allows.
//! Nothing is encrypted: the key and the expiry are readable, only their integrity is
//! protected. The version prefix lets a later format coexist during a rollout.

use std::fmt;

use crate::conversation::ConversationKey;
use crate::secrets::{SecretError, SecretSource};
use crate::settings::Variable;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use thiserror::Error;

/// The Lex session attribute that carries the reference to the web client.
pub const SESSION_ATTRIBUTE: &str = "talkdesk_conversation_id";

/// The longest reference, in bytes.
pub const MAX_REFERENCE_LEN: usize = 108;

/// The longest conversation key, in characters.
pub const MAX_CONVERSATION_KEY_LEN: usize = crate::conversation::MAX_KEY_LEN;

/// The shortest signing secret accepted, in bytes: as long as the HMAC-SHA256 output.
pub const MIN_SECRET_LEN: usize = 32;

/// The default name of the secret holding the signing key: one value for the code hook that
/// signs and the relay that verifies, so the two can never drift apart.
pub const DEFAULT_KEY_SECRET: &str = "dev/handover/reference-key";

/// The variable naming the secret that holds the signing key, read by the code hook and the
/// relay alike.
pub const KEY_SECRET: Variable = Variable::with_default("REFERENCE_KEY_SECRET", DEFAULT_KEY_SECRET);

const VERSION: &str = "v1";

/// The length of an unpadded base64url HMAC-SHA256 tag.
const ENCODED_TAG_LEN: usize = 43;

/// The number of decimal digits in `u64::MAX`.
const MAX_EXPIRY_DIGITS: usize = 20;

type HmacSha256 = Hmac<Sha256>;

/// Why a reference could not be signed or verified. The messages never include the
/// reference or the secret.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReferenceError {
    /// The signing secret is too short to be safe.
    #[error(
        "the conversation reference secret is {actual} bytes long; use at least {MIN_SECRET_LEN} random bytes"
    )]
    SecretTooShort {
        /// The length of the secret given.
        actual: usize,
    },
    /// The conversation key cannot be put in a reference.
    #[error(
        "a conversation key must be 1 to {MAX_CONVERSATION_KEY_LEN} characters from A-Z, a-z, 0-9, '_' and '-'"
    )]
    InvalidConversationKey,
    /// The reference is longer than any this module produces.
    #[error("the conversation reference is longer than {MAX_REFERENCE_LEN} bytes")]
    Oversized,
    /// The reference does not have the `v1.<key>.<expiry>.<tag>` form.
    #[error(
        "the conversation reference is malformed; use the value of the `{SESSION_ATTRIBUTE}` session attribute unchanged"
    )]
    Malformed,
    /// The tag does not match: the reference was altered or signed with another secret.
    #[error(
        "the conversation reference signature does not match; it was altered or signed with another secret"
    )]
    BadSignature,
    /// The reference is past its expiry; the user has to ask the bot for an agent again.
    #[error("the conversation reference has expired; ask the bot for an agent again")]
    Expired,
}

/// What a valid reference vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedReference {
    /// Our key for the conversation.
    pub conversation_key: ConversationKey,
    /// The last second, in Unix seconds, at which the reference is valid.
    pub expires_at: u64,
}

/// Signs and verifies references with one secret.
#[derive(Clone)]
pub struct ReferenceSigner {
    /// The HMAC already keyed with the secret; cloned for each tag.
    keyed_mac: HmacSha256,
}

impl fmt::Debug for ReferenceSigner {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("ReferenceSigner")
            .finish_non_exhaustive()
    }
}

impl ReferenceSigner {
    /// A signer for `secret`, which must be at least [`MIN_SECRET_LEN`] random bytes.
    pub fn new(secret: &[u8]) -> Result<Self, ReferenceError> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(ReferenceError::SecretTooShort {
                actual: secret.len(),
            });
        }
        let keyed_mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
        Ok(Self { keyed_mac })
    }

    /// A reference to `conversation_key` that is valid up to and including the second
    /// `expires_at` (Unix seconds).
    pub fn sign(&self, conversation_key: &str, expires_at: u64) -> Result<String, ReferenceError> {
        if ConversationKey::parse(conversation_key).is_err() {
            return Err(ReferenceError::InvalidConversationKey);
        }
        let signed = format!("{VERSION}.{conversation_key}.{expires_at}");
        let tag = self.mac_of(&signed).finalize().into_bytes();
        Ok(format!("{signed}.{}", URL_SAFE_NO_PAD.encode(tag)))
    }

    /// Checks `reference` at `now` (Unix seconds): it is valid while `now <= expires_at`.
    /// The signature is checked before the expiry, so [`ReferenceError::Expired`] is only
    /// ever reported for a reference this secret signed.
    pub fn verify(&self, reference: &str, now: u64) -> Result<VerifiedReference, ReferenceError> {
        if reference.len() > MAX_REFERENCE_LEN {
            return Err(ReferenceError::Oversized);
        }
        let (signed, encoded_tag) = reference
            .rsplit_once('.')
            .ok_or(ReferenceError::Malformed)?;
        let mut fields = signed.split('.');
        let (Some(VERSION), Some(conversation_key), Some(expiry), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(ReferenceError::Malformed);
        };
        let conversation_key =
            ConversationKey::parse(conversation_key).map_err(|_| ReferenceError::Malformed)?;
        if encoded_tag.len() != ENCODED_TAG_LEN {
            return Err(ReferenceError::Malformed);
        }
        let expires_at = parse_expiry(expiry).ok_or(ReferenceError::Malformed)?;
        // The strict decoder rejects non-zero trailing bits, so each tag has one spelling.
        let tag = URL_SAFE_NO_PAD
            .decode(encoded_tag)
            .map_err(|_| ReferenceError::Malformed)?;

        // verify_slice compares in constant time.
        self.mac_of(signed)
            .verify_slice(&tag)
            .map_err(|_| ReferenceError::BadSignature)?;
        if now > expires_at {
            return Err(ReferenceError::Expired);
        }
        Ok(VerifiedReference {
            conversation_key,
            expires_at,
        })
    }

    fn mac_of(&self, signed: &str) -> HmacSha256 {
        self.keyed_mac.clone().chain_update(signed)
    }
}

/// Parses the canonical decimal form `sign` writes, so that each expiry has one spelling.
fn parse_expiry(expiry: &str) -> Option<u64> {
    let canonical = (1..=MAX_EXPIRY_DIGITS).contains(&expiry.len())
        && expiry.bytes().all(|byte| byte.is_ascii_digit())
        && (expiry == "0" || !expiry.starts_with('0'));
    if canonical { expiry.parse().ok() } else { None }
}

/// Why the reference signing key could not be had. Names the secret, never its value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SigningKeyError {
    /// The secret could not be read.
    #[error("the reference signing key could not be read")]
    Unreadable(#[from] SecretError),
    /// The secret's text is not a key a signer takes.
    #[error("secret {name} is not a usable reference signing key")]
    Unusable {
        /// The secret's name.
        name: String,
        /// What is wrong with its value.
        #[source]
        problem: ReferenceError,
    },
}

/// The signer whose key is the text of secret `name` (read through `secrets`, which should
/// cache).
pub async fn load_signer(
    secrets: &dyn SecretSource,
    name: &str,
) -> Result<ReferenceSigner, SigningKeyError> {
    let key = secrets.secret_string(name).await?;
    ReferenceSigner::new(key.as_bytes()).map_err(|problem| SigningKeyError::Unusable {
        name: name.to_owned(),
        problem,
    })
}

#[cfg(test)]
mod tests;
