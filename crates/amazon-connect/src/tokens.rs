//! The participant's tokens, kept in the conversation's `provider_data`, and the connection
//! token's renewal. The tokens are secrets: they are never logged, and no error holds them.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The participant token: renews the connection token for the chat's whole life.
pub const PARTICIPANT_TOKEN: &str = "participant_token";
/// The connection token: what messages and the disconnect are sent with.
pub const CONNECTION_TOKEN: &str = "connection_token";
/// When the connection token expires (RFC 3339, as Amazon Connect gives it).
pub const CONNECTION_EXPIRY: &str = "connection_expiry";
/// The customer participant's id.
pub const PARTICIPANT_ID: &str = "participant_id";

/// How long before its expiry a connection token is renewed rather than used.
const RENEWAL_MARGIN: Duration = Duration::from_secs(60);

/// The stored connection token, unless it is missing, unreadable or about to expire at `now`.
pub fn usable_connection_token(data: &BTreeMap<String, String>, now: SystemTime) -> Option<&str> {
    let expiry = OffsetDateTime::parse(data.get(CONNECTION_EXPIRY)?, &Rfc3339).ok()?;
    let usable = SystemTime::from(expiry) > now + RENEWAL_MARGIN;
    usable
        .then(|| data.get(CONNECTION_TOKEN).map(String::as_str))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(expiry: &str) -> BTreeMap<String, String> {
        BTreeMap::from([
            (CONNECTION_TOKEN.to_owned(), "connection".to_owned()),
            (CONNECTION_EXPIRY.to_owned(), expiry.to_owned()),
        ])
    }

    #[test]
    fn a_token_is_used_until_a_minute_before_it_expires() {
        let expiry = OffsetDateTime::parse("2026-12-03T10:00:00Z", &Rfc3339).unwrap();
        let expiry = SystemTime::from(expiry);
        let data = data("2026-12-03T10:00:00Z");
        let early = expiry - Duration::from_secs(61);
        assert_eq!(usable_connection_token(&data, early), Some("connection"));
        let late = expiry - Duration::from_secs(60);
        assert_eq!(usable_connection_token(&data, late), None);
        assert_eq!(usable_connection_token(&self::data("soon"), early), None);
        assert_eq!(usable_connection_token(&BTreeMap::new(), early), None);
    }
}
