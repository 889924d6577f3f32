//! What an escalation needs to know about the bot and the deployment, read from the
//! environment with defaults that suit the bot in the deployment template.

use std::time::Duration;

use crate::reference;
use crate::settings::{
    SettingError, Variable, choice, positive_integer, seconds, text, whole_number,
};
use crate::transcript::{DEFAULT_MAX_ENTRIES, TranscriptLimits};

const ESCALATION_INTENT: Variable = Variable::with_default("ESCALATION_INTENT", "TalkToAgent");
const CUSTOMER_NAME_SLOT: Variable = Variable::with_default("CUSTOMER_NAME_SLOT", "CustomerName");
const CUSTOMER_NAME_ATTRIBUTE: Variable =
    Variable::with_default("CUSTOMER_NAME_ATTRIBUTE", "customer_name");
const CUSTOMER_NAME_PROMPT: Variable = Variable::with_default(
    "CUSTOMER_NAME_PROMPT",
    "Before I connect you, what is your name?",
);
const CUSTOMER_NAME_DEFAULT: Variable = Variable::with_default("CUSTOMER_NAME_DEFAULT", "Customer");
const SUBJECT_SLOT: Variable = Variable::with_default("SUBJECT_SLOT", "Subject");
const SUBJECT_ATTRIBUTE: Variable = Variable::with_default("SUBJECT_ATTRIBUTE", "subject");
const SUBJECT_PROMPT: Variable = Variable::with_default(
    "SUBJECT_PROMPT",
    "What would you like to talk to an agent about?",
);
const SUBJECT_DEFAULT: Variable =
    Variable::with_default("SUBJECT_DEFAULT", "Chat handed over by the bot");
const MAX_DETAIL_PROMPTS: Variable = Variable::with_default_number("MAX_DETAIL_PROMPTS", 2);
const MISSING_DETAILS: Variable = Variable::with_default("MISSING_DETAILS", "default");
const CONTACT_CENTER_PARAMETERS_ATTRIBUTE: Variable = Variable::with_default(
    "CONTACT_CENTER_PARAMETERS_ATTRIBUTE",
    "contact_center_parameters",
);
const ESCALATION_MESSAGE: Variable = Variable::with_default(
    "ESCALATION_MESSAGE",
    "Connecting you to an agent. Please wait.",
);
const ESCALATION_FAILED_MESSAGE: Variable = Variable::with_default(
    "ESCALATION_FAILED_MESSAGE",
    "Sorry, no agent can be reached right now. Please try again in a few minutes.",
);
const NO_AGENT_MESSAGE: Variable = Variable::with_default(
    "NO_AGENT_MESSAGE",
    "Sorry, no agent is free right now. I can keep helping you here, or you can ask for an agent again in a few minutes.",
);
const MISSING_DETAILS_MESSAGE: Variable = Variable::with_default(
    "MISSING_DETAILS_MESSAGE",
    "Sorry, I need your name and what you would like to talk about before I can connect you to an agent.",
);
const INVALID_PARAMETERS_MESSAGE: Variable = Variable::with_default(
    "INVALID_PARAMETERS_MESSAGE",
    "Sorry, this chat cannot be handed to an agent: the page sent contact-center parameters that are not valid.",
);
/// How long a reference lets the web client join and rejoin the chat: longer than API
/// Gateway's 2-hour connection cap, so that a customer whose window it closed can reconnect.
pub const REFERENCE_TTL_SECONDS: Variable =
    Variable::with_default_number("REFERENCE_TTL_SECONDS", 4 * 60 * 60);
const TRANSCRIPT_MAX_ENTRIES: Variable =
    Variable::with_default_number("TRANSCRIPT_MAX_ENTRIES", DEFAULT_MAX_ENTRIES as u64);

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
    /// Told to the customer when the contact center has no agent capacity for a new chat.
    pub no_agent_message: String,
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

impl Default for EscalationSettings {
    fn default() -> Self {
        Self::from_vars(|_| None).expect("the escalation's defaults are valid")
    }
}

impl EscalationSettings {
    /// The variables read, as listed in `docs/lex-code-hook.md`.
    pub const VARIABLES: &[Variable] = &[
        ESCALATION_INTENT,
        CUSTOMER_NAME_SLOT,
        CUSTOMER_NAME_ATTRIBUTE,
        CUSTOMER_NAME_PROMPT,
        CUSTOMER_NAME_DEFAULT,
        SUBJECT_SLOT,
        SUBJECT_ATTRIBUTE,
        SUBJECT_PROMPT,
        SUBJECT_DEFAULT,
        MAX_DETAIL_PROMPTS,
        MISSING_DETAILS,
        CONTACT_CENTER_PARAMETERS_ATTRIBUTE,
        ESCALATION_MESSAGE,
        ESCALATION_FAILED_MESSAGE,
        NO_AGENT_MESSAGE,
        MISSING_DETAILS_MESSAGE,
        INVALID_PARAMETERS_MESSAGE,
        reference::KEY_SECRET,
        REFERENCE_TTL_SECONDS,
        TRANSCRIPT_MAX_ENTRIES,
    ];

    /// The settings read through `var` (normally the process environment), each variable
    /// overriding its default.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        let var = &var;
        Ok(Self {
            escalation_intent: text(var, &ESCALATION_INTENT)?,
            customer_name: DetailSource {
                slot: text(var, &CUSTOMER_NAME_SLOT)?,
                attribute: text(var, &CUSTOMER_NAME_ATTRIBUTE)?,
                prompt: text(var, &CUSTOMER_NAME_PROMPT)?,
                default: text(var, &CUSTOMER_NAME_DEFAULT)?,
            },
            subject: DetailSource {
                slot: text(var, &SUBJECT_SLOT)?,
                attribute: text(var, &SUBJECT_ATTRIBUTE)?,
                prompt: text(var, &SUBJECT_PROMPT)?,
                default: text(var, &SUBJECT_DEFAULT)?,
            },
            max_detail_prompts: whole_number(var, &MAX_DETAIL_PROMPTS)?,
            when_details_missing: choice(
                var,
                &MISSING_DETAILS,
                &[
                    ("default", MissingDetails::Default),
                    ("fail", MissingDetails::Fail),
                ],
            )?,
            parameters_attribute: text(var, &CONTACT_CENTER_PARAMETERS_ATTRIBUTE)?,
            connecting_message: text(var, &ESCALATION_MESSAGE)?,
            failure_message: text(var, &ESCALATION_FAILED_MESSAGE)?,
            no_agent_message: text(var, &NO_AGENT_MESSAGE)?,
            missing_details_message: text(var, &MISSING_DETAILS_MESSAGE)?,
            invalid_parameters_message: text(var, &INVALID_PARAMETERS_MESSAGE)?,
            reference_key_secret: text(var, &reference::KEY_SECRET)?,
            reference_lifetime: seconds(var, &REFERENCE_TTL_SECONDS)?,
            transcript_limits: TranscriptLimits {
                max_entries: positive_integer(var, &TRANSCRIPT_MAX_ENTRIES)?,
                ..TranscriptLimits::default()
            },
        })
    }
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
                .variable
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

    #[test]
    fn defaults_suit_the_template_s_bot() {
        let settings = EscalationSettings::default();
        assert_eq!(settings.escalation_intent, "TalkToAgent");
        assert_eq!(settings.customer_name.slot, "CustomerName");
        assert_eq!(settings.max_detail_prompts, 2);
        assert_eq!(settings.when_details_missing, MissingDetails::Default);
        assert_eq!(settings.reference_key_secret, reference::DEFAULT_KEY_SECRET);
        assert_eq!(settings.reference_lifetime, Duration::from_secs(14_400));
        assert_eq!(settings.transcript_limits, TranscriptLimits::default());
    }

    #[test]
    fn a_chat_can_be_rejoined_after_the_connection_cap_closed_it() {
        let settings = EscalationSettings::default();
        // A reference counts from the hand-over, when the first connection opens. After the
        // cap closes it the customer reconnects by hand, whenever they notice: leave them as
        // long again.
        assert!(
            settings.reference_lifetime >= crate::keep_alive::CONNECTION_CAP * 2,
            "a reference of {:?} expires before a customer whose connection the {:?} cap \
             closed can reconnect",
            settings.reference_lifetime,
            crate::keep_alive::CONNECTION_CAP
        );
    }

    #[test]
    fn blank_values_keep_their_defaults() {
        let blank = EscalationSettings::from_vars(|_| Some(" ".into())).unwrap();
        assert_eq!(blank, EscalationSettings::default());
    }
}
