//! What an escalation needs to know about the bot and the deployment, read from the
//! environment with defaults that suit the bot in the deployment template.

use std::time::Duration;

use crate::transcript::TranscriptLimits;

/// Where a customer detail comes from: a slot of the escalation intent, else a session
/// attribute (which the web page can set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DetailSource {
    /// The slot's name.
    pub slot: String,
    /// The session attribute's name.
    pub attribute: String,
    /// What the bot asks when the detail is missing and the intent has the slot.
    pub prompt: String,
    /// What the agent is given when the detail stays missing and [`MissingDetails::Default`]
    /// applies.
    pub default: String,
}

/// What to do when the customer's name or subject is still missing after asking (or when it
/// cannot be asked for: the intent has no such slot).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MissingDetails {
    /// Hand over with the detail's default.
    Default,
    /// Fail the escalation with [`EscalationSettings::missing_details_message`].
    Fail,
}

/// The escalation's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscalationSettings {
    /// The intent that hands the customer over to an agent.
    pub escalation_intent: String,
    /// Where the customer's name comes from.
    pub customer_name: DetailSource,
    /// Where the subject comes from.
    pub subject: DetailSource,
    /// How often each detail is asked for (with `ElicitSlot`) before the escalation goes on
    /// without it; 0 never asks.
    pub max_detail_prompts: u32,
    /// What to do when either is still missing.
    pub when_details_missing: MissingDetails,
    /// The session attribute holding contact-center parameters, a JSON object of strings.
    pub parameters_attribute: String,
    /// Told to the customer when the handover has started.
    pub connecting_message: String,
    /// Told to the customer when the contact center could not be reached.
    pub failure_message: String,
    /// Told to the customer when the name or subject is missing and will not be asked for.
    pub missing_details_message: String,
    /// Told to the customer when the page sent unusable contact-center parameters.
    pub invalid_parameters_message: String,
    /// The secret holding the key that signs conversation references.
    pub reference_key_secret: String,
    /// How long the web client may use a reference to join (and rejoin) the chat.
    pub reference_lifetime: Duration,
    /// How much of the bot conversation is kept for the agent.
    pub transcript_limits: TranscriptLimits,
}

/// A setting that is present but unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name} {problem}")]
pub struct SettingError {
    /// The variable.
    pub name: &'static str,
    /// What is wrong with it.
    pub problem: &'static str,
}

impl Default for EscalationSettings {
    fn default() -> Self {
        Self {
            escalation_intent: "TalkToAgent".into(),
            customer_name: DetailSource {
                slot: "CustomerName".into(),
                attribute: "customer_name".into(),
                prompt: "Before I connect you, what is your name?".into(),
                default: "Customer".into(),
            },
            subject: DetailSource {
                slot: "Subject".into(),
                attribute: "subject".into(),
                prompt: "What would you like to talk to an agent about?".into(),
                default: "Chat handed over by the bot".into(),
            },
            max_detail_prompts: 2,
            when_details_missing: MissingDetails::Default,
            parameters_attribute: "contact_center_parameters".into(),
            connecting_message: "Connecting you to an agent. Please wait.".into(),
            failure_message: "Sorry, no agent can be reached right now. Please try again in a few minutes.".into(),
            missing_details_message: "Sorry, I need your name and what you would like to talk about before I can connect you to an agent.".into(),
            invalid_parameters_message: "Sorry, this chat cannot be handed to an agent: the page sent contact-center parameters that are not valid.".into(),
            reference_key_secret: crate::reference::DEFAULT_KEY_SECRET.into(),
            reference_lifetime: Duration::from_secs(2 * 60 * 60),
            transcript_limits: TranscriptLimits::default(),
        }
    }
}

impl EscalationSettings {
    /// The settings read through `var` (normally the process environment), each variable
    /// overriding its default. The variables are listed in `docs/lex-code-hook.md`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        let mut settings = Self::default();
        let text = |name: &str, field: &mut String| {
            if let Some(value) = var(name).filter(|value| !value.trim().is_empty()) {
                *field = value;
            }
        };
        text("ESCALATION_INTENT", &mut settings.escalation_intent);
        text("CUSTOMER_NAME_SLOT", &mut settings.customer_name.slot);
        text(
            "CUSTOMER_NAME_ATTRIBUTE",
            &mut settings.customer_name.attribute,
        );
        text("CUSTOMER_NAME_PROMPT", &mut settings.customer_name.prompt);
        text("CUSTOMER_NAME_DEFAULT", &mut settings.customer_name.default);
        text("SUBJECT_SLOT", &mut settings.subject.slot);
        text("SUBJECT_ATTRIBUTE", &mut settings.subject.attribute);
        text("SUBJECT_PROMPT", &mut settings.subject.prompt);
        text("SUBJECT_DEFAULT", &mut settings.subject.default);
        text(
            "CONTACT_CENTER_PARAMETERS_ATTRIBUTE",
            &mut settings.parameters_attribute,
        );
        text("ESCALATION_MESSAGE", &mut settings.connecting_message);
        text("ESCALATION_FAILED_MESSAGE", &mut settings.failure_message);
        text(
            "MISSING_DETAILS_MESSAGE",
            &mut settings.missing_details_message,
        );
        text(
            "INVALID_PARAMETERS_MESSAGE",
            &mut settings.invalid_parameters_message,
        );
        text("REFERENCE_KEY_SECRET", &mut settings.reference_key_secret);
        if let Some(policy) = var("MISSING_DETAILS") {
            settings.when_details_missing = match policy.trim() {
                "default" => MissingDetails::Default,
                "fail" => MissingDetails::Fail,
                _ => {
                    return Err(SettingError {
                        name: "MISSING_DETAILS",
                        problem: "must be `default` or `fail`",
                    });
                }
            };
        }
        if let Some(prompts) = whole_number(&var, "MAX_DETAIL_PROMPTS")? {
            settings.max_detail_prompts = u32::try_from(prompts).map_err(|_| SettingError {
                name: "MAX_DETAIL_PROMPTS",
                problem: "is too large",
            })?;
        }
        if let Some(seconds) = positive(&var, "REFERENCE_TTL_SECONDS")? {
            settings.reference_lifetime = Duration::from_secs(seconds);
        }
        if let Some(entries) = positive(&var, "TRANSCRIPT_MAX_ENTRIES")? {
            settings.transcript_limits.max_entries = entries as usize;
        }
        Ok(settings)
    }
}

fn positive(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<u64>, SettingError> {
    match whole_number(var, name)? {
        Some(0) => Err(SettingError {
            name,
            problem: "must be a positive whole number",
        }),
        value => Ok(value),
    }
}

fn whole_number(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<u64>, SettingError> {
    let Some(text) = var(name) else {
        return Ok(None);
    };
    text.trim()
        .parse::<u64>()
        .map(Some)
        .map_err(|_| SettingError {
            name,
            problem: "must be a whole number",
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_override_defaults() {
        let settings = EscalationSettings::from_vars(|name| match name {
            "ESCALATION_INTENT" => Some("Handover".into()),
            "MISSING_DETAILS" => Some("fail".into()),
            "MAX_DETAIL_PROMPTS" => Some("0".into()),
            "SUBJECT_DEFAULT" => Some("Web chat".into()),
            "REFERENCE_TTL_SECONDS" => Some("600".into()),
            "SUBJECT_SLOT" => Some("  ".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(settings.escalation_intent, "Handover");
        assert_eq!(settings.when_details_missing, MissingDetails::Fail);
        assert_eq!(settings.max_detail_prompts, 0);
        assert_eq!(settings.subject.default, "Web chat");
        assert_eq!(settings.customer_name.default, "Customer");
        assert_eq!(settings.reference_lifetime, Duration::from_secs(600));
        assert_eq!(
            settings.subject.slot, "Subject",
            "a blank value keeps the default"
        );
    }

    #[test]
    fn unusable_values_are_named() {
        let bad = |name: &'static str, value: &'static str| {
            EscalationSettings::from_vars(move |asked| (asked == name).then(|| value.to_owned()))
                .unwrap_err()
                .name
        };
        assert_eq!(bad("MISSING_DETAILS", "elicit"), "MISSING_DETAILS");
        assert_eq!(bad("MAX_DETAIL_PROMPTS", "-1"), "MAX_DETAIL_PROMPTS");
        assert_eq!(
            bad("MAX_DETAIL_PROMPTS", "99999999999"),
            "MAX_DETAIL_PROMPTS"
        );
        assert_eq!(bad("REFERENCE_TTL_SECONDS", "0"), "REFERENCE_TTL_SECONDS");
        assert_eq!(
            bad("TRANSCRIPT_MAX_ENTRIES", "many"),
            "TRANSCRIPT_MAX_ENTRIES"
        );
    }
}
