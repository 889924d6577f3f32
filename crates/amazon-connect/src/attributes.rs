//! The contact attributes of a chat: the handover's context parameters, checked against
//! Amazon Connect's rules before any call so that every problem is named at once.

use std::collections::BTreeMap;
use std::fmt;

/// The most the attributes' keys and values may hold together, in UTF-8 bytes.
pub const MAX_ATTRIBUTES_BYTES: usize = 32_768;

/// Context parameters Amazon Connect would refuse as contact attributes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct InvalidAttributes {
    /// Keys with characters other than ASCII letters, digits, `-` and `_` (or empty).
    pub bad_keys: Vec<String>,
    /// The size of all keys and values, when over [`MAX_ATTRIBUTES_BYTES`].
    pub too_large: Option<usize>,
}

impl fmt::Display for InvalidAttributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut problems = Vec::new();
        if !self.bad_keys.is_empty() {
            problems.push(format!(
                "keys may hold only letters, digits, `-` and `_`: {:?}",
                self.bad_keys
            ));
        }
        if let Some(size) = self.too_large {
            problems.push(format!(
                "keys and values hold {size} bytes, more than {MAX_ATTRIBUTES_BYTES}"
            ));
        }
        write!(f, "invalid contact attributes: {}", problems.join("; "))
    }
}

/// Checks `parameters` as contact attributes.
pub fn check(parameters: &BTreeMap<String, String>) -> Result<(), InvalidAttributes> {
    let bad_keys: Vec<String> = parameters
        .keys()
        .filter(|key| {
            key.is_empty()
                || !key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .cloned()
        .collect();
    let size: usize = parameters
        .iter()
        .map(|(key, value)| key.len() + value.len())
        .sum();
    let too_large = (size > MAX_ATTRIBUTES_BYTES).then_some(size);
    if bad_keys.is_empty() && too_large.is_none() {
        Ok(())
    } else {
        Err(InvalidAttributes {
            bad_keys,
            too_large,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parameters(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn letters_digits_dashes_and_underscores_pass() {
        assert_eq!(
            check(&parameters(&[
                ("customer_name", "Zoë"),
                ("order-1234", "x")
            ])),
            Ok(())
        );
    }

    #[test]
    fn every_violation_is_named() {
        let big = "x".repeat(MAX_ATTRIBUTES_BYTES);
        let err = check(&parameters(&[
            ("page url", "a"),
            ("", "b"),
            ("ok", &big),
            ("a.b", "c"),
        ]))
        .unwrap_err();
        assert_eq!(err.bad_keys, ["", "a.b", "page url"]);
        assert_eq!(err.too_large, Some(MAX_ATTRIBUTES_BYTES + 16));
        let text = err.to_string();
        assert!(
            text.contains("\"page url\"") && text.contains("32784 bytes"),
            "{text}"
        );
    }

    #[test]
    fn the_limit_counts_utf8_bytes() {
        let value = "é".repeat(MAX_ATTRIBUTES_BYTES / 2 - 1);
        assert_eq!(check(&parameters(&[("k", &value)])), Ok(()));
        let value = "é".repeat(MAX_ATTRIBUTES_BYTES / 2);
        assert!(check(&parameters(&[("k", &value)])).is_err());
    }
}
