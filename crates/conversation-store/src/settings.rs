//! The store's configuration, read from the environment by every Lambda.

use std::time::Duration;

use handover::settings::{SettingError, Variable, seconds, text};
use handover::store::lifetime::DEFAULT_LIFETIME;

/// The variable naming the DynamoDB table.
pub const CONVERSATION_TABLE: Variable = Variable::required("CONVERSATION_TABLE");
/// The variable giving the records' lifetime after their last write, in seconds.
pub const CONVERSATION_TTL_SECONDS: Variable =
    Variable::with_default_number("CONVERSATION_TTL_SECONDS", DEFAULT_LIFETIME.as_secs());

/// Where the store lives and how long its records last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSettings {
    /// The DynamoDB table name.
    pub table: String,
    /// How long a record lives after its last write.
    pub lifetime: Duration,
}

impl StoreSettings {
    /// The variables read, as listed in `docs/conversation-store.md`.
    pub const VARIABLES: &[Variable] = &[CONVERSATION_TABLE, CONVERSATION_TTL_SECONDS];

    /// Reads the settings through `var` (normally `|name| std::env::var(name).ok()`).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        Ok(Self {
            table: text(&var, &CONVERSATION_TABLE)?,
            lifetime: seconds(&var, &CONVERSATION_TTL_SECONDS)?,
        })
    }

    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Self, SettingError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }
}

#[cfg(test)]
mod tests {
    use handover::settings::Problem;

    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        }
    }

    const TABLE: &str = CONVERSATION_TABLE.name;
    const LIFETIME: &str = CONVERSATION_TTL_SECONDS.name;

    #[test]
    fn the_table_is_required_and_the_lifetime_defaults_to_a_day() {
        for pairs in [&[][..], &[(TABLE, " ")]] {
            assert_eq!(
                StoreSettings::from_vars(vars(pairs)),
                Err(CONVERSATION_TABLE.error(Problem::NotSet))
            );
        }
        assert_eq!(
            StoreSettings::from_vars(vars(&[(TABLE, "conversations")])),
            Ok(StoreSettings {
                table: "conversations".into(),
                lifetime: Duration::from_secs(86_400)
            })
        );
    }

    #[test]
    fn the_lifetime_is_whole_positive_seconds_and_blank_means_a_day() {
        let with = |lifetime| StoreSettings::from_vars(vars(&[(TABLE, "t"), (LIFETIME, lifetime)]));
        assert_eq!(with("7200").unwrap().lifetime, Duration::from_secs(7_200));
        assert_eq!(with(" ").unwrap().lifetime, DEFAULT_LIFETIME);
        for bad in ["0", "-5", "1.5", "a day"] {
            assert_eq!(
                with(bad),
                Err(CONVERSATION_TTL_SECONDS.invalid("a positive whole number of seconds", bad)),
                "{bad:?}"
            );
        }
    }
}
