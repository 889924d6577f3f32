//! The Amazon Connect side of a deployment, read from the environment by every Lambda that
//! talks to Amazon Connect. Credentials are never configured here: the calls are signed with
//! the function's role, from the shared AWS configuration.

use handover::settings::{SettingError, Variable, choice, optional_text, text, url};

/// The Amazon Connect instance's id (not its ARN).
pub const AMAZON_CONNECT_INSTANCE_ID: Variable = Variable::required("AMAZON_CONNECT_INSTANCE_ID");
/// The contact flow that routes the chat to a queue of agents.
pub const AMAZON_CONNECT_CONTACT_FLOW_ID: Variable =
    Variable::required("AMAZON_CONNECT_CONTACT_FLOW_ID");
/// The standard SNS topic Amazon Connect streams the chat's messages and events to.
pub const AMAZON_CONNECT_STREAMING_TOPIC_ARN: Variable =
    Variable::required("AMAZON_CONNECT_STREAMING_TOPIC_ARN");
/// The Amazon Connect service's endpoint, instead of the region's.
pub const AMAZON_CONNECT_ENDPOINT: Variable = Variable::optional("AMAZON_CONNECT_ENDPOINT");
/// The participant service's endpoint, instead of the region's.
pub const AMAZON_CONNECT_PARTICIPANT_ENDPOINT: Variable =
    Variable::optional("AMAZON_CONNECT_PARTICIPANT_ENDPOINT");
/// Whether the bot conversation is sent to the agent as the chat's first messages.
pub const AMAZON_CONNECT_SEND_TRANSCRIPT: Variable =
    Variable::with_default("AMAZON_CONNECT_SEND_TRANSCRIPT", "on");

/// Where the chats go and how they are streamed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmazonConnectSettings {
    /// The instance's id.
    pub instance_id: String,
    /// The contact flow's id.
    pub contact_flow_id: String,
    /// The SNS topic the chat is streamed to.
    pub streaming_topic_arn: String,
    /// The Amazon Connect endpoint, when not the region's.
    pub connect_endpoint: Option<String>,
    /// The participant service's endpoint, when not the region's.
    pub participant_endpoint: Option<String>,
    /// Whether the bot transcript is sent to the agent.
    pub send_transcript: bool,
}

impl AmazonConnectSettings {
    /// The variables read, as listed in `docs/amazon-connect.md`. All are read only when Amazon
    /// Connect is enabled; the first three are then required.
    pub const VARIABLES: &[Variable] = &[
        AMAZON_CONNECT_INSTANCE_ID,
        AMAZON_CONNECT_CONTACT_FLOW_ID,
        AMAZON_CONNECT_STREAMING_TOPIC_ARN,
        AMAZON_CONNECT_ENDPOINT,
        AMAZON_CONNECT_PARTICIPANT_ENDPOINT,
        AMAZON_CONNECT_SEND_TRANSCRIPT,
    ];

    /// Reads the settings through `var` (normally the process environment).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        let var = &var;
        let endpoint = |variable: &Variable| match optional_text(var, variable)? {
            Some(_) => url(var, variable).map(Some),
            None => Ok(None),
        };
        let needed = |variable: &Variable| text(var, variable).map(|value| value.trim().to_owned());
        Ok(Self {
            instance_id: needed(&AMAZON_CONNECT_INSTANCE_ID)?,
            contact_flow_id: needed(&AMAZON_CONNECT_CONTACT_FLOW_ID)?,
            streaming_topic_arn: needed(&AMAZON_CONNECT_STREAMING_TOPIC_ARN)?,
            connect_endpoint: endpoint(&AMAZON_CONNECT_ENDPOINT)?,
            participant_endpoint: endpoint(&AMAZON_CONNECT_PARTICIPANT_ENDPOINT)?,
            send_transcript: choice(
                var,
                &AMAZON_CONNECT_SEND_TRANSCRIPT,
                &[("on", true), ("off", false)],
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use handover::settings::Problem;

    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<AmazonConnectSettings, SettingError> {
        AmazonConnectSettings::from_vars(|name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    const NEEDED: [(&str, &str); 3] = [
        ("AMAZON_CONNECT_INSTANCE_ID", "instance-1"),
        ("AMAZON_CONNECT_CONTACT_FLOW_ID", "flow-1"),
        (
            "AMAZON_CONNECT_STREAMING_TOPIC_ARN",
            "arn:aws:sns:eu-west-1:123456789012:chat",
        ),
    ];

    #[test]
    fn instance_flow_and_topic_are_needed_and_the_rest_has_defaults() {
        let settings = read(&NEEDED).unwrap();
        assert_eq!(settings.instance_id, "instance-1");
        assert_eq!(settings.contact_flow_id, "flow-1");
        assert_eq!(settings.connect_endpoint, None);
        assert_eq!(settings.participant_endpoint, None);
        assert!(settings.send_transcript);
        for missing in 0..NEEDED.len() {
            let mut pairs = NEEDED.to_vec();
            let (name, _) = pairs.remove(missing);
            assert_eq!(read(&pairs).unwrap_err().variable, name);
            assert_eq!(read(&pairs).unwrap_err().problem, Problem::NotSet);
        }
    }

    #[test]
    fn endpoints_and_the_transcript_can_be_set() {
        let mut pairs = NEEDED.to_vec();
        pairs.extend([
            ("AMAZON_CONNECT_ENDPOINT", "http://127.0.0.1:9000/"),
            (
                "AMAZON_CONNECT_PARTICIPANT_ENDPOINT",
                "http://127.0.0.1:9001",
            ),
            ("AMAZON_CONNECT_SEND_TRANSCRIPT", "off"),
        ]);
        let settings = read(&pairs).unwrap();
        assert_eq!(
            settings.connect_endpoint.as_deref(),
            Some("http://127.0.0.1:9000")
        );
        assert_eq!(
            settings.participant_endpoint.as_deref(),
            Some("http://127.0.0.1:9001")
        );
        assert!(!settings.send_transcript);
        pairs.push(("AMAZON_CONNECT_ENDPOINT", "connect.local"));
        pairs.swap_remove(3);
        assert_eq!(
            read(&pairs).unwrap_err().variable,
            "AMAZON_CONNECT_ENDPOINT"
        );
    }
}
