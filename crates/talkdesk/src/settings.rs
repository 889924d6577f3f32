//! The Talkdesk side of a deployment, read from the environment by every Lambda that talks to
//! Talkdesk.

use handover::settings::{SettingError, Variable, text, url_or_host};

use crate::TalkdeskConfig;
use crate::config::{DEFAULT_IDEMPOTENCY_HEADER, US_API_BASE};
use crate::contact_center::{DEFAULT_CLIENT_SECRET, DEFAULT_TOUCHPOINT_SECRET, SecretNames};

/// The OAuth host (the reference deployment's `TDAUTHHOST`), e.g.
/// `https://acme.talkdeskid.com`; a bare host gets `https://`.
pub const TALKDESK_OAUTH_BASE: Variable = Variable::required("TALKDESK_OAUTH_BASE");
/// The API base (US, EU or Canada host).
pub const TALKDESK_API_BASE: Variable = Variable::with_default("TALKDESK_API_BASE", US_API_BASE);
const TALKDESK_TOUCHPOINT_SECRET: Variable =
    Variable::with_default("TALKDESK_TOUCHPOINT_SECRET", DEFAULT_TOUCHPOINT_SECRET);
const TALKDESK_CLIENT_SECRET: Variable =
    Variable::with_default("TALKDESK_CLIENT_SECRET", DEFAULT_CLIENT_SECRET);
const TALKDESK_IDEMPOTENCY_HEADER: Variable =
    Variable::with_default("TALKDESK_IDEMPOTENCY_HEADER", DEFAULT_IDEMPOTENCY_HEADER);

/// Where Talkdesk is and where its secrets are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TalkdeskSettings {
    /// The client's configuration.
    pub client: TalkdeskConfig,
    /// The secrets' names.
    pub secrets: SecretNames,
}

impl TalkdeskSettings {
    /// The variables read, as listed in `docs/lex-code-hook.md`.
    pub const VARIABLES: &[Variable] = &[
        TALKDESK_OAUTH_BASE,
        TALKDESK_API_BASE,
        TALKDESK_TOUCHPOINT_SECRET,
        TALKDESK_CLIENT_SECRET,
        TALKDESK_IDEMPOTENCY_HEADER,
    ];

    /// Reads the settings through `var` (normally the process environment).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        let mut client = TalkdeskConfig::with_base_urls(
            url_or_host(&var, &TALKDESK_API_BASE)?,
            url_or_host(&var, &TALKDESK_OAUTH_BASE)?,
        );
        client.idempotency_header = text(&var, &TALKDESK_IDEMPOTENCY_HEADER)?;
        let secrets = SecretNames {
            touchpoint: text(&var, &TALKDESK_TOUCHPOINT_SECRET)?,
            client_keys: text(&var, &TALKDESK_CLIENT_SECRET)?,
        };
        Ok(Self { client, secrets })
    }
}

#[cfg(test)]
mod tests {
    use handover::settings::Problem;

    use super::*;

    #[test]
    fn the_oauth_host_is_required_and_the_api_defaults_to_the_us() {
        for unset in [None, Some(" ")] {
            assert_eq!(
                TalkdeskSettings::from_vars(|_| unset.map(str::to_owned)),
                Err(TALKDESK_OAUTH_BASE.error(Problem::NotSet))
            );
        }
        let settings = TalkdeskSettings::from_vars(|name| {
            (name == TALKDESK_OAUTH_BASE.name).then(|| "acme.talkdeskid.com".to_owned())
        })
        .unwrap();
        assert_eq!(settings.client.oauth_base, "https://acme.talkdeskid.com");
        assert_eq!(settings.client.api_base, "https://api.talkdeskapp.com");
        assert_eq!(settings.secrets, SecretNames::default());
    }

    #[test]
    fn every_setting_can_be_overridden() {
        let settings = TalkdeskSettings::from_vars(|name| {
            Some(
                match name {
                    "TALKDESK_OAUTH_BASE" => "http://127.0.0.1:9000/",
                    "TALKDESK_API_BASE" => "https://api.talkdeskapp.eu",
                    "TALKDESK_TOUCHPOINT_SECRET" => "prod/touchpoint",
                    "TALKDESK_CLIENT_SECRET" => "prod/client",
                    "TALKDESK_IDEMPOTENCY_HEADER" => "idempotency-key",
                    _ => return None,
                }
                .to_owned(),
            )
        })
        .unwrap();
        assert_eq!(settings.client.oauth_base, "http://127.0.0.1:9000");
        assert_eq!(settings.client.api_base, "https://api.talkdeskapp.eu");
        assert_eq!(settings.client.idempotency_header, "idempotency-key");
        assert_eq!(settings.secrets.touchpoint, "prod/touchpoint");
        assert_eq!(settings.secrets.client_keys, "prod/client");
    }
}
