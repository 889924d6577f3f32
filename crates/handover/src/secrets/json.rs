//! Parsing a JSON secret without ever quoting its value.

use serde::de::DeserializeOwned;
use serde_json::error::Category;

use super::SecretError;

/// The secret `name`'s value `text` parsed as JSON into `T`.
///
/// A failure is [`SecretError::Malformed`] whose problem never quotes the value: serde_json's
/// own messages can (`invalid type: string "…", expected u16`), so only "missing field" is
/// passed on, as its field name comes from `T` and not from the value; every other mismatch
/// is described generically, and a syntax error by its position only.
pub fn parse_json<T: DeserializeOwned>(name: &str, text: &str) -> Result<T, SecretError> {
    serde_json::from_str(text).map_err(|error| SecretError::Malformed {
        name: name.to_owned(),
        problem: problem(&error),
    })
}

fn problem(error: &serde_json::Error) -> String {
    match error.classify() {
        Category::Syntax | Category::Eof => format!(
            "not valid JSON (line {}, column {})",
            error.line(),
            error.column()
        ),
        Category::Data | Category::Io => match missing_field(error) {
            Some(field) => format!("missing field `{field}`"),
            None => "not a JSON object with the expected fields and types".to_owned(),
        },
    }
}

/// The field named by a "missing field `name`" error.
fn missing_field(error: &serde_json::Error) -> Option<String> {
    let message = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    let message = message.strip_suffix(&position).unwrap_or(&message);
    message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
        .filter(|field| !field.contains('`'))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Credentials {
        client_id: String,
        client_secret: String,
        #[serde(default)]
        port: Option<u16>,
    }

    #[test]
    fn parses_a_well_formed_value() {
        let parsed: Credentials =
            parse_json("a", r#"{"client_id": "id", "client_secret": "s3cr3t"}"#).unwrap();
        assert_eq!(
            parsed,
            Credentials {
                client_id: "id".into(),
                client_secret: "s3cr3t".into(),
                port: None,
            }
        );
    }

    #[test]
    fn malformed_values_are_described_without_quoting_them() {
        let generic = "not a JSON object with the expected fields and types";
        let cases = [
            ("hunter2 is not JSON", "not valid JSON (line 1, column 1)"),
            (
                r#"{"client_id": "hunter2"#,
                "not valid JSON (line 1, column 22)",
            ),
            (
                r#"{"client_id": "hunter2"}"#,
                "missing field `client_secret`",
            ),
            (
                r#"{"client_id": "a", "client_secret": "b", "port": "hunter2"}"#,
                generic,
            ),
            (
                r#"{"client_id": "a", "client_secret": "b", "port": 7654321}"#,
                generic,
            ),
            (r#"["hunter2"]"#, generic),
        ];
        for (value, problem) in cases {
            let error = parse_json::<Credentials>("talkdesk/keys", value).unwrap_err();
            assert_eq!(
                error,
                SecretError::Malformed {
                    name: "talkdesk/keys".into(),
                    problem: problem.into()
                },
                "{value}"
            );
            let shown = error.to_string();
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(!shown.contains("7654321"), "{shown}");
        }
    }
}
