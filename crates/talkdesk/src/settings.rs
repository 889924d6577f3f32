//! The Talkdesk side of a deployment, read from the environment by every Lambda that talks to
//! Talkdesk.

use crate::TalkdeskConfig;
use crate::config::US_API_BASE;
use crate::contact_center::SecretNames;

/// The OAuth host variable: the reference deployment's `TDAUTHHOST`.
pub const OAUTH_BASE_VAR: &str = "TALKDESK_OAUTH_BASE";
/// The API base variable (US, EU or Canada host).
pub const API_BASE_VAR: &str = "TALKDESK_API_BASE";

/// Where Talkdesk is and where its secrets are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TalkdeskSettings {
    /// The client's configuration.
    pub client: TalkdeskConfig,
    /// The secrets' names.
    pub secrets: SecretNames,
}

/// A missing Talkdesk setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{OAUTH_BASE_VAR} is not set: it is the Talkdesk OAuth host of the account, e.g. https://acme.talkdeskid.com"
)]
pub struct MissingOAuthBase;

impl TalkdeskSettings {
    /// Reads `TALKDESK_OAUTH_BASE` (required; a bare host gets `https://`),
    /// `TALKDESK_API_BASE` (default: the US API), `TALKDESK_TOUCHPOINT_SECRET`,
    /// `TALKDESK_CLIENT_SECRET` and `TALKDESK_IDEMPOTENCY_HEADER` through `var`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, MissingOAuthBase> {
        let set = |name: &str| var(name).filter(|value| !value.trim().is_empty());
        let oauth_base = set(OAUTH_BASE_VAR)
            .map(with_scheme)
            .ok_or(MissingOAuthBase)?;
        let api_base = set(API_BASE_VAR).map_or_else(|| US_API_BASE.to_owned(), with_scheme);
        let mut client = TalkdeskConfig::with_base_urls(api_base, oauth_base);
        if let Some(header) = set("TALKDESK_IDEMPOTENCY_HEADER") {
            client.idempotency_header = header;
        }
        let mut secrets = SecretNames::default();
        if let Some(name) = set("TALKDESK_TOUCHPOINT_SECRET") {
            secrets.touchpoint = name;
        }
        if let Some(name) = set("TALKDESK_CLIENT_SECRET") {
            secrets.client_keys = name;
        }
        Ok(Self { client, secrets })
    }
}

fn with_scheme(base: String) -> String {
    let base = base.trim().trim_end_matches('/');
    if base.contains("://") {
        base.to_owned()
    } else {
        format!("https://{base}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oauth_host_is_required_and_the_api_defaults_to_the_us() {
        assert_eq!(TalkdeskSettings::from_vars(|_| None), Err(MissingOAuthBase));
        let settings = TalkdeskSettings::from_vars(|name| {
            (name == OAUTH_BASE_VAR).then(|| "acme.talkdeskid.com".to_owned())
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
                    OAUTH_BASE_VAR => "http://127.0.0.1:9000/",
                    API_BASE_VAR => "https://api.talkdeskapp.eu",
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
