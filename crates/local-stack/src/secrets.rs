//! The secrets the handlers read, kept in memory in place of AWS Secrets Manager: generated at
//! start-up (random keys from the system's random source, and Talkdesk client credentials and
//! a touchpoint that the simulated Talkdesk is given too), or given by name, for instance from
//! a file so that the callback's API key stays the same across restarts.

use std::collections::BTreeMap;
use std::path::Path;

use async_trait::async_trait;
use handover::secrets::{SecretError, SecretSource, parse_json};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::error::StartError;
use crate::settings::LambdaConfigs;

/// Secret values by name.
pub(crate) struct LocalSecrets {
    values: BTreeMap<String, String>,
}

#[async_trait]
impl SecretSource for LocalSecrets {
    async fn secret_string(&self, name: &str) -> Result<String, SecretError> {
        self.values
            .get(name)
            .cloned()
            .ok_or_else(|| SecretError::NotFound { name: name.into() })
    }
}

/// The Talkdesk account the secrets describe, which the simulated Talkdesk must accept.
pub(crate) struct TalkdeskAccount {
    /// The OAuth client id.
    pub client_id: String,
    /// The OAuth client secret.
    pub client_secret: String,
    /// The Digital Connect touchpoint.
    pub touchpoint_id: String,
}

/// Everything the stack takes from its secrets.
pub(crate) struct Secrets {
    /// What the handlers read.
    pub source: LocalSecrets,
    /// The Talkdesk account in them.
    pub account: TalkdeskAccount,
    /// The callback's API key, which Talkdesk (simulated or by hand) sends in `x-api-key`.
    pub callback_api_key: String,
}

#[derive(Deserialize)]
struct ClientKeys {
    client_id: String,
    client_secret: String,
}

#[derive(Deserialize)]
struct Touchpoint {
    touchpoint_id: String,
}

/// The secrets under the names `configs` use: `given` ones, and generated ones for the rest.
pub(crate) fn prepare(
    configs: &LambdaConfigs,
    given: BTreeMap<String, String>,
) -> Result<Secrets, StartError> {
    let reference_key = &configs.code_hook.escalation.reference_key_secret;
    let api_key = &configs.callback.api_key_secret;
    let mut values: BTreeMap<String, String> = [
        (reference_key.clone(), random_hex(2)),
        (api_key.clone(), random_hex(1)),
    ]
    .into_iter()
    .collect();
    let talkdesk = configs.code_hook.contact_centers.talkdesk();
    if let Some(talkdesk) = talkdesk {
        values.extend([
            (
                talkdesk.secrets.touchpoint.clone(),
                json!({"touchpoint_id": format!("tp-{}", random_hex(1))}).to_string(),
            ),
            (
                talkdesk.secrets.client_keys.clone(),
                json!({"client_id": "local-stack", "client_secret": random_hex(2)}).to_string(),
            ),
        ]);
    }
    values.extend(given);

    let account = match talkdesk {
        Some(talkdesk) => {
            let names = &talkdesk.secrets;
            let invalid = |err: SecretError| StartError::Secrets(err.to_string());
            let keys: ClientKeys =
                parse_json(&names.client_keys, &values[&names.client_keys]).map_err(invalid)?;
            let touchpoint: Touchpoint =
                parse_json(&names.touchpoint, &values[&names.touchpoint]).map_err(invalid)?;
            TalkdeskAccount {
                client_id: keys.client_id,
                client_secret: keys.client_secret,
                touchpoint_id: touchpoint.touchpoint_id,
            }
        }
        // Talkdesk is not enabled: the simulated one still runs, with an account no
        // handler has the keys of.
        None => TalkdeskAccount {
            client_id: "local-stack".into(),
            client_secret: random_hex(2),
            touchpoint_id: format!("tp-{}", random_hex(1)),
        },
    };
    let callback_api_key = values[api_key].trim().to_owned();
    if callback_api_key.is_empty() {
        return Err(StartError::Secrets(format!("secret {api_key} is empty")));
    }
    Ok(Secrets {
        source: LocalSecrets { values },
        account,
        callback_api_key,
    })
}

/// Reads a secrets file: a JSON object of secret name to value, where a value is a string or
/// a JSON object (kept as its JSON text, as Secrets Manager keeps JSON secrets). Errors name
/// the file and the secret, never a value.
pub fn read_secrets_file(path: &Path) -> Result<BTreeMap<String, String>, StartError> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|err| {
        StartError::Secrets(format!("cannot read the secrets file {shown}: {err}"))
    })?;
    let Ok(Value::Object(entries)) = serde_json::from_str::<Value>(&text) else {
        return Err(StartError::Secrets(format!(
            "the secrets file {shown} is not a JSON object of secret name to value"
        )));
    };
    entries
        .into_iter()
        .map(|(name, value)| match value {
            Value::String(text) => Ok((name, text)),
            Value::Object(_) => Ok((name, value.to_string())),
            _ => Err(StartError::Secrets(format!(
                "secret {name} in {shown} is neither a string nor a JSON object"
            ))),
        })
        .collect()
}

/// `uuids` × 32 hex digits from version 4 UUIDs, which come from the system's random source.
fn random_hex(uuids: usize) -> String {
    (0..uuids)
        .map(|_| Uuid::new_v4().simple().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Addresses;
    use talkdesk::SecretNames;

    fn configs() -> LambdaConfigs {
        let instance = crate::connect::ConnectInstance::default();
        let addresses = Addresses {
            table: None,
            talkdesk: "http://127.0.0.1:1",
            connections: "http://127.0.0.1:2/local",
            connect: "http://127.0.0.1:3",
            connect_instance: &instance,
            contact_centers: "talkdesk",
        };
        LambdaConfigs::read(&BTreeMap::new(), &addresses).unwrap()
    }

    #[tokio::test]
    async fn every_secret_the_handlers_read_is_generated() {
        let configs = configs();
        let secrets = prepare(&configs, BTreeMap::new()).unwrap();
        let read = |name: String| {
            let source = &secrets.source;
            async move { source.secret_string(&name).await.unwrap() }
        };
        let reference_key = read(configs.code_hook.escalation.reference_key_secret.clone()).await;
        assert!(reference_key.len() >= 32, "the reference key is too short");
        let api_key = read(configs.callback.api_key_secret.clone()).await;
        assert_eq!(api_key, secrets.callback_api_key);
        let keys = read(talkdesk_secrets(&configs).client_keys.clone()).await;
        assert!(keys.contains(&secrets.account.client_secret));
        let again = prepare(&configs, BTreeMap::new()).unwrap();
        assert_ne!(
            again.callback_api_key, secrets.callback_api_key,
            "keys must be random"
        );
    }

    fn talkdesk_secrets(configs: &LambdaConfigs) -> &SecretNames {
        &configs
            .code_hook
            .contact_centers
            .talkdesk()
            .unwrap()
            .secrets
    }

    #[test]
    fn given_secrets_replace_generated_ones_and_describe_the_account() {
        let configs = configs();
        let given = BTreeMap::from([
            (
                talkdesk_secrets(&configs).client_keys.clone(),
                r#"{"client_id":"acme","client_secret":"s3cret"}"#.to_owned(),
            ),
            (
                configs.callback.api_key_secret.clone(),
                "fixed-key\n".to_owned(),
            ),
        ]);
        let secrets = prepare(&configs, given).unwrap();
        assert_eq!(secrets.account.client_id, "acme");
        assert_eq!(secrets.account.client_secret, "s3cret");
        assert_eq!(secrets.callback_api_key, "fixed-key");
    }

    #[test]
    fn a_malformed_secret_is_named_without_its_value() {
        let configs = configs();
        let name = talkdesk_secrets(&configs).touchpoint.clone();
        let given = BTreeMap::from([(name.clone(), r#"{"touchpoint":"hunter2"}"#.to_owned())]);
        let Err(err) = prepare(&configs, given) else {
            panic!("a malformed touchpoint secret was accepted");
        };
        let shown = err.to_string();
        assert!(shown.contains(&name), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn a_secrets_file_takes_strings_and_objects() {
        let path =
            std::env::temp_dir().join(format!("local-stack-secrets-{}.json", Uuid::new_v4()));
        std::fs::write(
            &path,
            r#"{"plain": "text", "json": {"touchpoint_id": "tp-1"}, "bad": true}"#,
        )
        .unwrap();
        let err = read_secrets_file(&path).unwrap_err().to_string();
        assert!(err.contains("secret bad"), "{err}");
        assert!(!err.contains("true"), "{err}");
        std::fs::write(
            &path,
            r#"{"plain": "text", "json": {"touchpoint_id": "tp-1"}}"#,
        )
        .unwrap();
        let values = read_secrets_file(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(values["plain"], "text");
        assert_eq!(values["json"], r#"{"touchpoint_id":"tp-1"}"#);
    }
}
