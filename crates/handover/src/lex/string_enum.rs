//! Lex string fields with a known set of values.
//!
//! Lex has added values to these sets over time (`Waiting` and `FulfillmentInProgress`
//! are later additions to the intent states), so each enum keeps a value it does not know
//! in `Other` and writes it back verbatim: an event from a newer Lex still parses, and a
//! Delegate response returns the intent exactly as it came.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! lex_string_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $($(#[$variant_meta:meta])* $variant:ident = $wire:literal,)+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)+
            /// A value this crate does not know yet, kept as Lex spelled it.
            Other(String),
        }

        impl $name {
            /// The value as Lex spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Other(value) => value,
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                Ok(match value.as_str() {
                    $($wire => Self::$variant,)+
                    _ => Self::Other(value),
                })
            }
        }
    };
}

lex_string_enum! {
    /// Where an intent is in its lifecycle (`sessionState.intent.state`).
    IntentState {
        /// The fulfillment code hook succeeded.
        Fulfilled = "Fulfilled",
        /// The intent could not be fulfilled.
        Failed = "Failed",
        /// Lex is still eliciting slots.
        InProgress = "InProgress",
        /// Every required slot is filled; fulfillment comes next.
        ReadyForFulfillment = "ReadyForFulfillment",
        /// Lex is waiting for the user to resume the conversation.
        Waiting = "Waiting",
        /// A long-running fulfillment is under way.
        FulfillmentInProgress = "FulfillmentInProgress",
    }
}

lex_string_enum! {
    /// Whether the user confirmed the intent (`intent.confirmationState`).
    ConfirmationState {
        /// No confirmation was asked for or given.
        None = "None",
        /// The user confirmed.
        Confirmed = "Confirmed",
        /// The user declined.
        Denied = "Denied",
    }
}

lex_string_enum! {
    /// What Lex does next (`sessionState.dialogAction.type`).
    DialogActionType {
        /// End the intent; Lex replies with the response's messages.
        Close = "Close",
        /// Ask the user to confirm the intent.
        ConfirmIntent = "ConfirmIntent",
        /// Let Lex choose the next step from the bot's configuration.
        Delegate = "Delegate",
        /// Ask the user what they want.
        ElicitIntent = "ElicitIntent",
        /// Ask the user for the value of `slotToElicit`.
        ElicitSlot = "ElicitSlot",
    }
}

lex_string_enum! {
    /// How a slot holds its value (`slot.shape`).
    SlotShape {
        /// One value, in `value`.
        Scalar = "Scalar",
        /// Several values, in `values`.
        List = "List",
        /// Sub-slots, in `subSlots`.
        Composite = "Composite",
    }
}

lex_string_enum! {
    /// The overall sentiment Amazon Comprehend detected in the user's utterance.
    Sentiment {
        /// A positive utterance.
        Positive = "POSITIVE",
        /// A negative utterance: often a reason to bring in a human.
        Negative = "NEGATIVE",
        /// Neither positive nor negative.
        Neutral = "NEUTRAL",
        /// Both positive and negative.
        Mixed = "MIXED",
    }
}

lex_string_enum! {
    /// The format of a response message's content.
    MessageContentType {
        /// Plain text.
        PlainText = "PlainText",
        /// Application-defined content, passed to the client as is.
        CustomPayload = "CustomPayload",
        /// Speech Synthesis Markup Language, for voice.
        Ssml = "SSML",
        /// A card with an image and buttons, in `imageResponseCard`.
        ImageResponseCard = "ImageResponseCard",
    }
}
