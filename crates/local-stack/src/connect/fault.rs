//! Faults the simulated Amazon Connect can be switched into, to see what a customer sees when
//! Amazon Connect misbehaves: no agent capacity when a chat starts, and `SendMessage` answering
//! late, throttled or failing.

use std::str::FromStr;
use std::time::Duration;

/// How the simulated Amazon Connect misbehaves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ConnectFault {
    /// It works.
    #[default]
    None,
    /// `StartChatContact` answers 429 `LimitExceededException`: the instance's concurrent
    /// chats, waiting ones included, are used up.
    NoCapacity,
    /// `SendMessage` stores the message but answers 6 seconds later (`SLOW_ANSWER`).
    Slow,
    /// `SendMessage` answers 429 `ThrottlingException`, storing nothing.
    Throttled,
    /// `SendMessage` stores the message, then answers 500 `InternalServerException` (whether a
    /// failing service stored it cannot be told, so the simulator takes the worse reading).
    ServerError,
}

/// How late a [`ConnectFault::Slow`] `SendMessage` answers.
pub const SLOW_ANSWER: Duration = Duration::from_secs(6);

impl ConnectFault {
    /// The names accepted on the command line and by `PUT /simulator/fault`.
    pub const NAMES: &[&str] = &["none", "no-capacity", "slow", "throttled", "server-error"];
}

impl FromStr for ConnectFault {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "none" => Ok(ConnectFault::None),
            "no-capacity" => Ok(ConnectFault::NoCapacity),
            "slow" => Ok(ConnectFault::Slow),
            "throttled" => Ok(ConnectFault::Throttled),
            "server-error" => Ok(ConnectFault::ServerError),
            other => Err(format!(
                "unknown Amazon Connect fault {other:?}: one of {}",
                ConnectFault::NAMES.join(", ")
            )),
        }
    }
}
