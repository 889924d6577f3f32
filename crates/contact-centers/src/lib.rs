//! The contact centers a deployment enables, read from configuration and built once per
//! process: the one settings type and the one factory that every Lambda, the local stack and
//! the tests use.
//!
//! `CONTACT_CENTERS` lists the enabled contact centers by provider name, comma-separated
//! (default `talkdesk`). The first one takes new escalations; the others carry on the
//! conversations that were started with them (while a deployment moves from one contact center
//! to another, for instance). Each enabled contact center reads its own settings; a disabled
//! one reads none. Amazon Connect is called with the function's own AWS configuration (its
//! role's credentials), which the factory is given.

use std::sync::Arc;

use amazon_connect::{AmazonConnectContactCenter, AmazonConnectSettings};
use aws_config::SdkConfig;
use handover::contact_center::{ContactCenter, ContactCenters, DuplicateProvider};
use handover::conversation::Provider;
use handover::secrets::SecretSource;
use handover::settings::{SettingError, Variable, text};
use talkdesk::{TalkdeskContactCenter, TalkdeskSettings};

/// The variable listing the enabled contact centers.
pub const CONTACT_CENTERS: Variable = Variable::with_default("CONTACT_CENTERS", "talkdesk");

/// One enabled contact center and its settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderSettings {
    /// Talkdesk Digital Connect.
    Talkdesk(TalkdeskSettings),
    /// Amazon Connect chat.
    AmazonConnect(AmazonConnectSettings),
}

impl ProviderSettings {
    /// The provider these settings are for.
    pub fn provider(&self) -> Provider {
        match self {
            ProviderSettings::Talkdesk(_) => Provider::Talkdesk,
            ProviderSettings::AmazonConnect(_) => Provider::AmazonConnect,
        }
    }

    fn build(
        &self,
        secrets: Arc<dyn SecretSource>,
        aws: &SdkConfig,
    ) -> Result<Arc<dyn ContactCenter>, BuildError> {
        match self {
            ProviderSettings::Talkdesk(settings) => Ok(Arc::new(
                TalkdeskContactCenter::from_settings(settings, secrets)
                    .map_err(BuildError::Talkdesk)?,
            )),
            ProviderSettings::AmazonConnect(settings) => {
                Ok(Arc::new(AmazonConnectContactCenter::new(aws, settings)))
            }
        }
    }
}

/// The enabled contact centers: the one new escalations go to, and the others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactCenterSettings {
    /// The contact center new escalations go to.
    pub escalation: ProviderSettings,
    /// The others, which carry on the conversations started with them.
    pub others: Vec<ProviderSettings>,
}

/// Contact centers that could not be built from their settings.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The Talkdesk client refused its configuration.
    #[error("the Talkdesk settings are not usable")]
    Talkdesk(#[source] talkdesk::ConfigError),
    /// Two settings are for the same provider.
    #[error(transparent)]
    Duplicate(#[from] DuplicateProvider),
}

impl ContactCenterSettings {
    /// The variables read: `CONTACT_CENTERS` and every contact center's, whose required ones
    /// are required when it is enabled (Talkdesk is, by default).
    pub fn variables() -> Vec<Variable> {
        [
            &[CONTACT_CENTERS],
            TalkdeskSettings::VARIABLES,
            AmazonConnectSettings::VARIABLES,
        ]
        .concat()
    }

    /// Reads `CONTACT_CENTERS` and the settings of each enabled contact center through `var`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        let list = text(&var, &CONTACT_CENTERS)?;
        let bad_list = || {
            CONTACT_CENTERS.invalid(
                "a list of `talkdesk` and `amazon-connect`, comma-separated and each once",
                list.trim(),
            )
        };
        let mut enabled = Vec::new();
        for name in list.split(',') {
            let provider: Provider = name.trim().parse().map_err(|_| bad_list())?;
            if enabled
                .iter()
                .any(|settings: &ProviderSettings| settings.provider() == provider)
            {
                return Err(bad_list());
            }
            enabled.push(match provider {
                Provider::Talkdesk => {
                    ProviderSettings::Talkdesk(TalkdeskSettings::from_vars(&var)?)
                }
                Provider::AmazonConnect => {
                    ProviderSettings::AmazonConnect(AmazonConnectSettings::from_vars(&var)?)
                }
            });
        }
        let mut enabled = enabled.into_iter();
        let escalation = enabled.next().ok_or_else(bad_list)?;
        Ok(Self {
            escalation,
            others: enabled.collect(),
        })
    }

    /// Talkdesk's settings, if it is enabled.
    pub fn talkdesk(&self) -> Option<&TalkdeskSettings> {
        std::iter::once(&self.escalation)
            .chain(&self.others)
            .find_map(|settings| match settings {
                ProviderSettings::Talkdesk(talkdesk) => Some(talkdesk),
                ProviderSettings::AmazonConnect(_) => None,
            })
    }

    /// Builds the enabled contact centers, reading their credentials through `secrets`
    /// (which should cache), or calling AWS with `aws` (the function's configuration).
    pub fn build(
        &self,
        secrets: Arc<dyn SecretSource>,
        aws: &SdkConfig,
    ) -> Result<ContactCenters, BuildError> {
        let escalation = self.escalation.build(secrets.clone(), aws)?;
        let others = self
            .others
            .iter()
            .map(|settings| settings.build(secrets.clone(), aws))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ContactCenters::new(escalation, others)?)
    }
}

#[cfg(test)]
mod tests {
    use handover::settings::Problem;

    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<ContactCenterSettings, SettingError> {
        ContactCenterSettings::from_vars(|name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    const TALKDESK: (&str, &str) = ("TALKDESK_OAUTH_BASE", "acme.talkdeskid.com");

    #[test]
    fn talkdesk_is_enabled_by_default_and_blank_means_default() {
        for pairs in [vec![TALKDESK], vec![TALKDESK, (CONTACT_CENTERS.name, " ")]] {
            let settings = read(&pairs).unwrap();
            assert_eq!(settings.escalation.provider(), Provider::Talkdesk);
            assert!(settings.others.is_empty());
            let talkdesk = settings.talkdesk().expect("talkdesk settings");
            assert_eq!(talkdesk.client.oauth_base, "https://acme.talkdeskid.com");
        }
    }

    #[test]
    fn an_enabled_contact_center_needs_its_settings() {
        assert_eq!(
            read(&[(CONTACT_CENTERS.name, "talkdesk")]),
            Err(talkdesk::TALKDESK_OAUTH_BASE.error(Problem::NotSet))
        );
    }

    #[test]
    fn the_list_names_known_providers_once() {
        for list in ["genesys", "talkdesk,talkdesk", "talkdesk,", ","] {
            assert_eq!(
                read(&[TALKDESK, (CONTACT_CENTERS.name, list)]),
                Err(CONTACT_CENTERS.invalid(
                    "a list of `talkdesk` and `amazon-connect`, comma-separated and each once",
                    list
                )),
                "{list:?}"
            );
        }
        assert_eq!(
            read(&[TALKDESK, (CONTACT_CENTERS.name, "talkdesk, amazon-connect")]),
            Err(amazon_connect::AMAZON_CONNECT_INSTANCE_ID.error(Problem::NotSet))
        );
    }

    #[test]
    fn the_built_contact_centers_are_the_enabled_ones() {
        let settings = read(&[TALKDESK]).unwrap();
        let secrets = Arc::new(test_support::fakes::MapSecrets::default());
        let centers = settings
            .build(secrets, &test_support::connect::sdk_config())
            .unwrap();
        assert_eq!(centers.providers(), [Provider::Talkdesk]);
        assert_eq!(centers.escalation().provider(), Provider::Talkdesk);
        assert!(matches!(
            centers.of(Provider::AmazonConnect),
            Err(handover::contact_center::ContactCenterError::NotEnabled(
                Provider::AmazonConnect
            ))
        ));
    }

    #[tokio::test]
    async fn amazon_connect_is_built_from_its_variables() {
        let connect = test_support::connect::FakeConnect::start().await;
        let mut pairs: Vec<(&str, String)> = connect.vars().into();
        pairs.push((CONTACT_CENTERS.name, "amazon-connect,talkdesk".into()));
        pairs.push((TALKDESK.0, TALKDESK.1.into()));
        let settings = ContactCenterSettings::from_vars(|name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.clone())
        })
        .unwrap();
        let ProviderSettings::AmazonConnect(connect_settings) = &settings.escalation else {
            panic!("Amazon Connect takes the escalations: {settings:?}");
        };
        assert_eq!(connect_settings.instance_id, "instance-1");
        assert_eq!(
            connect_settings.connect_endpoint.as_deref(),
            Some(connect.uri().as_str())
        );
        assert!(settings.talkdesk().is_some());

        let secrets = Arc::new(test_support::fakes::MapSecrets::default());
        let centers = settings
            .build(secrets, &test_support::connect::sdk_config())
            .unwrap();
        assert_eq!(
            centers.providers(),
            [Provider::AmazonConnect, Provider::Talkdesk]
        );
        // Built pointed at the configured endpoints: a start reaches the fake.
        let request = handover::contact_center::HandoverRequest {
            customer_name: "Zoë".into(),
            subject: "Refund".into(),
            context_parameters: Default::default(),
            transcript: Vec::new(),
        };
        let started = centers
            .escalation()
            .start_conversation(
                &request,
                "k-factory",
                tokio::time::Instant::now() + std::time::Duration::from_secs(10),
            )
            .await
            .unwrap();
        assert_eq!(
            connect.calls_of("StartChatContact")[0].body["ContactFlowId"],
            "flow-1"
        );
        assert_eq!(started.provider_conversation_id, "contact-1");
    }
}
