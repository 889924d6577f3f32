//! The store's configuration, read from the environment by every Lambda.

use std::time::Duration;

use handover::store::lifetime::DEFAULT_LIFETIME;

/// The variable naming the DynamoDB table.
pub const TABLE_VAR: &str = "CONVERSATION_TABLE";
/// The variable giving the records' lifetime after their last write, in seconds.
pub const LIFETIME_VAR: &str = "CONVERSATION_TTL_SECONDS";

/// Where the store lives and how long its records last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSettings {
    /// The DynamoDB table name.
    pub table: String,
    /// How long a record lives after its last write.
    pub lifetime: Duration,
}

/// A setting that is missing or unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// The table variable is unset or empty.
    #[error("{TABLE_VAR} is not set: it names the DynamoDB table of conversations")]
    MissingTable,
    /// The lifetime is not a positive whole number of seconds.
    #[error("{LIFETIME_VAR} must be a positive whole number of seconds, got {0:?}")]
    BadLifetime(String),
}

impl StoreSettings {
    /// Reads the settings through `var` (normally `|name| std::env::var(name).ok()`).
    /// The lifetime defaults to 24 hours.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let table = var(TABLE_VAR)
            .filter(|table| !table.trim().is_empty())
            .ok_or(SettingsError::MissingTable)?;
        let lifetime = match var(LIFETIME_VAR) {
            None => DEFAULT_LIFETIME,
            Some(text) => match text.trim().parse::<u64>() {
                Ok(seconds) if seconds > 0 => Duration::from_secs(seconds),
                _ => return Err(SettingsError::BadLifetime(text)),
            },
        };
        Ok(Self { table, lifetime })
    }

    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        }
    }

    #[test]
    fn the_table_is_required_and_the_lifetime_defaults_to_a_day() {
        assert_eq!(
            StoreSettings::from_vars(vars(&[])),
            Err(SettingsError::MissingTable)
        );
        assert_eq!(
            StoreSettings::from_vars(vars(&[(TABLE_VAR, " ")])),
            Err(SettingsError::MissingTable)
        );
        assert_eq!(
            StoreSettings::from_vars(vars(&[(TABLE_VAR, "conversations")])),
            Ok(StoreSettings {
                table: "conversations".into(),
                lifetime: Duration::from_secs(86_400)
            })
        );
    }

    #[test]
    fn the_lifetime_is_whole_positive_seconds() {
        let with = |lifetime| {
            StoreSettings::from_vars(vars(&[(TABLE_VAR, "t"), (LIFETIME_VAR, lifetime)]))
        };
        assert_eq!(with("7200").unwrap().lifetime, Duration::from_secs(7_200));
        for bad in ["0", "-5", "1.5", "a day", ""] {
            assert_eq!(
                with(bad),
                Err(SettingsError::BadLifetime(bad.into())),
                "{bad:?}"
            );
        }
    }
}
