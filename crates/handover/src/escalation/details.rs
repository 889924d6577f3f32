//! What the escalation gathers from the Lex event: the customer's name and subject, and the
//! contact-center parameters the web page passed in a session attribute.

use std::collections::BTreeMap;

use super::settings::DetailSource;
use crate::lex::LexEvent;

/// The most parameters the page may pass.
pub const MAX_PARAMETERS: usize = 25;
/// The longest parameter name, in characters.
pub const MAX_PARAMETER_NAME: usize = 64;
/// The longest parameter value, in characters.
pub const MAX_PARAMETER_VALUE: usize = 1024;
/// The largest parameters attribute, in bytes.
pub const MAX_PARAMETERS_BYTES: usize = 4096;

/// A detail's value: from the slot if filled, else from the session attribute, trimmed;
/// `None` if neither has text.
pub fn detail<'a>(event: &'a LexEvent, source: &DetailSource) -> Option<&'a str> {
    event
        .slot_value(&source.slot)
        .or_else(|| event.session_attribute(&source.attribute))
        .map(str::trim)
        .filter(|value| !value.is_empty())
}

/// Why the parameters attribute was refused. The messages never quote values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidParameters {
    /// Over [`MAX_PARAMETERS_BYTES`].
    #[error("the parameters attribute is {0} bytes, over the {MAX_PARAMETERS_BYTES}-byte limit")]
    TooLarge(usize),
    /// Not a JSON object.
    #[error("the parameters attribute is not a JSON object")]
    NotAnObject,
    /// Over [`MAX_PARAMETERS`] entries.
    #[error("the parameters attribute has {0} entries, over the limit of {MAX_PARAMETERS}")]
    TooMany(usize),
    /// A name that is empty, too long or not made of letters, digits, `-` and `_`.
    #[error("parameter name {0:?} is not 1 to {MAX_PARAMETER_NAME} letters, digits, '-' or '_'")]
    BadName(String),
    /// A value that is not a string.
    #[error("parameter {0:?} is not a string")]
    NotAString(String),
    /// A value over [`MAX_PARAMETER_VALUE`] characters.
    #[error("parameter {0:?} is longer than {MAX_PARAMETER_VALUE} characters")]
    TooLong(String),
}

/// The contact-center parameters in `raw` (a JSON object of string to string), validated.
/// Names are restricted to what both Talkdesk and Amazon Connect accept.
pub fn parameters(raw: Option<&str>) -> Result<BTreeMap<String, String>, InvalidParameters> {
    let Some(raw) = raw.filter(|raw| !raw.trim().is_empty()) else {
        return Ok(BTreeMap::new());
    };
    if raw.len() > MAX_PARAMETERS_BYTES {
        return Err(InvalidParameters::TooLarge(raw.len()));
    }
    let Ok(serde_json::Value::Object(object)) = serde_json::from_str(raw) else {
        return Err(InvalidParameters::NotAnObject);
    };
    if object.len() > MAX_PARAMETERS {
        return Err(InvalidParameters::TooMany(object.len()));
    }
    object
        .into_iter()
        .map(|(name, value)| {
            let well_named = (1..=MAX_PARAMETER_NAME).contains(&name.chars().count())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !well_named {
                return Err(InvalidParameters::BadName(name));
            }
            match value {
                serde_json::Value::String(text) if text.chars().count() > MAX_PARAMETER_VALUE => {
                    Err(InvalidParameters::TooLong(name))
                }
                serde_json::Value::String(text) => Ok((name, text)),
                _ => Err(InvalidParameters::NotAString(name)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_or_blank_parameters_are_none() {
        assert_eq!(parameters(None), Ok(BTreeMap::new()));
        assert_eq!(parameters(Some("  ")), Ok(BTreeMap::new()));
    }

    #[test]
    fn string_parameters_are_accepted() {
        let parsed = parameters(Some(r#"{"account_id":"42","plan-tier":"gold"}"#)).unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed["plan-tier"], "gold");
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        assert_eq!(parameters(Some("[1]")), Err(InvalidParameters::NotAnObject));
        assert_eq!(
            parameters(Some("{oops")),
            Err(InvalidParameters::NotAnObject)
        );
        assert_eq!(
            parameters(Some(r#"{"n": 1}"#)),
            Err(InvalidParameters::NotAString("n".into()))
        );
        assert_eq!(
            parameters(Some(r#"{"has space": "x"}"#)),
            Err(InvalidParameters::BadName("has space".into()))
        );
        let long = format!(r#"{{"v": "{}"}}"#, "x".repeat(MAX_PARAMETER_VALUE + 1));
        assert_eq!(
            parameters(Some(&long)),
            Err(InvalidParameters::TooLong("v".into()))
        );
        let many: Vec<String> = (0..=MAX_PARAMETERS)
            .map(|i| format!(r#""k{i}":"v""#))
            .collect();
        let many = format!("{{{}}}", many.join(","));
        assert_eq!(
            parameters(Some(&many)),
            Err(InvalidParameters::TooMany(MAX_PARAMETERS + 1))
        );
        let huge = format!(r#"{{"v": "{}"}}"#, "x".repeat(MAX_PARAMETERS_BYTES));
        assert!(matches!(
            parameters(Some(&huge)),
            Err(InvalidParameters::TooLarge(_))
        ));
    }

    #[test]
    fn refusals_never_quote_values() {
        let secretish = r#"{"card": 4111111111111111}"#;
        let message = parameters(Some(secretish)).unwrap_err().to_string();
        assert!(!message.contains("4111"), "{message}");
    }
}
