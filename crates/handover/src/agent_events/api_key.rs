//! Checking the callback's API key without leaking it through timing.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// How a presented API key compares with the expected one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiKeyCheck {
    /// No key, or an empty one, was presented (answer 401).
    Missing,
    /// A key was presented and it is not the expected one (answer 403).
    Wrong,
    /// The presented key is the expected one.
    Ok,
}

/// Compares `presented` with `expected` in constant time.
///
/// Both are hashed with SHA-256 first and the digests compared with `subtle`, so the time
/// taken reveals neither a matching prefix nor the expected key's length. An empty `expected`
/// key matches nothing: a missing secret must never open the callback.
pub fn api_key_matches(presented: Option<&str>, expected: &str) -> ApiKeyCheck {
    let Some(presented) = presented.filter(|key| !key.is_empty()) else {
        return ApiKeyCheck::Missing;
    };
    let same = Sha256::digest(presented.as_bytes())
        .as_slice()
        .ct_eq(Sha256::digest(expected.as_bytes()).as_slice());
    if bool::from(same) && !expected.is_empty() {
        ApiKeyCheck::Ok
    } else {
        ApiKeyCheck::Wrong
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_missing_wrong_or_right() {
        let expected = "k-0123456789abcdef";
        assert_eq!(api_key_matches(None, expected), ApiKeyCheck::Missing);
        assert_eq!(api_key_matches(Some(""), expected), ApiKeyCheck::Missing);
        assert_eq!(
            api_key_matches(Some("k-0123456789abcdeF"), expected),
            ApiKeyCheck::Wrong
        );
        assert_eq!(
            api_key_matches(Some("k-0123"), expected),
            ApiKeyCheck::Wrong
        );
        assert_eq!(api_key_matches(Some(expected), expected), ApiKeyCheck::Ok);
    }

    #[test]
    fn an_empty_expected_key_matches_nothing() {
        assert_eq!(api_key_matches(Some("anything"), ""), ApiKeyCheck::Wrong);
        assert_eq!(api_key_matches(None, ""), ApiKeyCheck::Missing);
    }
}
