//! Faults the simulated Talkdesk can be switched into, to see what a customer sees when
//! Talkdesk misbehaves: Send a Message answering late, throttled, failing, or refusing a
//! conversation it has closed.

use std::str::FromStr;
use std::time::Duration;

/// How Send a Message misbehaves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fault {
    /// It works.
    #[default]
    None,
    /// It stores the message but answers after [`SLOW_ANSWER`], past the client's 5 s timeout.
    Slow,
    /// It answers 429 with `Retry-After: 1`, storing nothing.
    Throttled,
    /// It stores the message, then answers 500 (whether a failing Talkdesk stored it cannot be
    /// told, so the simulator takes the worse reading).
    ServerError,
    /// It answers 409: the conversation is closed on Talkdesk's side.
    Closed,
}

/// How late a [`Fault::Slow`] Talkdesk answers.
pub const SLOW_ANSWER: Duration = Duration::from_secs(6);

impl Fault {
    /// The names accepted on the command line and by `PUT /simulator/fault`.
    pub const NAMES: &[&str] = &["none", "slow", "throttled", "server-error", "closed"];
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "none" => Ok(Fault::None),
            "slow" => Ok(Fault::Slow),
            "throttled" => Ok(Fault::Throttled),
            "server-error" => Ok(Fault::ServerError),
            "closed" => Ok(Fault::Closed),
            other => Err(format!(
                "unknown Talkdesk fault {other:?}: one of {}",
                Fault::NAMES.join(", ")
            )),
        }
    }
}
