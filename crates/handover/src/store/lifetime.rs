//! How long records live: every write sets the expiry to now plus the lifetime.
//!
//! `$disconnect` is best effort and customers walk away, so nothing relies on explicit
//! deletion: DynamoDB's TTL removes what is left, and reads ignore what has expired but not
//! yet been removed (DynamoDB deletes expired items lazily, within days).
//!
//! Activity that changes nothing else (a message relayed either way) refreshes a conversation
//! only once a quarter of its lifetime has passed since its last write, not on every message:
//! a write saved per message, for a record that lives at least three quarters of its lifetime
//! after the last message instead of all of it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The default lifetime of a record after its last activity.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// When a record written at `now` expires: `now + lifetime`, rounded up to a whole second
/// because DynamoDB's TTL attribute holds whole seconds.
pub fn expiry(now: SystemTime, lifetime: Duration) -> SystemTime {
    let exact = now + lifetime;
    let since_epoch = exact.duration_since(UNIX_EPOCH).unwrap_or_default();
    let whole = since_epoch.as_secs() + u64::from(since_epoch.subsec_nanos() > 0);
    UNIX_EPOCH + Duration::from_secs(whole)
}

/// Whether a record expiring at `expires_at` is gone at `now`.
pub fn is_expired(expires_at: SystemTime, now: SystemTime) -> bool {
    expires_at <= now
}

/// The part of a record's lifetime that must pass after a write before activity refreshes it.
const REFRESH_AFTER: u32 = 4;

/// Whether a record last written at `updated_at`, expiring at `expires_at`, is due a refresh
/// at `now`: once a quarter of its lifetime (the span from its last write to its expiry) has
/// passed. A clock that went back counts as no time passed.
pub fn is_due_refresh(updated_at: SystemTime, expires_at: SystemTime, now: SystemTime) -> bool {
    let lifetime = expires_at.duration_since(updated_at).unwrap_or_default();
    let since_write = now.duration_since(updated_at).unwrap_or_default();
    since_write >= lifetime / REFRESH_AFTER
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_rounds_up_to_whole_seconds() {
        let now = UNIX_EPOCH + Duration::from_millis(1_000_500);
        assert_eq!(
            expiry(now, Duration::from_secs(60)),
            UNIX_EPOCH + Duration::from_secs(1_061)
        );
        let whole = UNIX_EPOCH + Duration::from_secs(1_000);
        assert_eq!(
            expiry(whole, DEFAULT_LIFETIME),
            UNIX_EPOCH + Duration::from_secs(1_000 + 86_400)
        );
    }

    #[test]
    fn a_record_is_gone_from_its_expiry_on() {
        let at = UNIX_EPOCH + Duration::from_secs(100);
        assert!(!is_expired(at, at - Duration::from_millis(1)));
        assert!(is_expired(at, at));
    }

    #[test]
    fn a_record_is_refreshed_once_a_quarter_of_its_lifetime_has_passed() {
        let written = UNIX_EPOCH + Duration::from_secs(1_000);
        let expires = expiry(written, DEFAULT_LIFETIME);
        let quarter = DEFAULT_LIFETIME / 4;
        assert!(!is_due_refresh(written, expires, written));
        assert!(!is_due_refresh(
            written,
            expires,
            written + quarter - Duration::from_secs(1)
        ));
        assert!(is_due_refresh(written, expires, written + quarter));
        assert!(!is_due_refresh(
            written,
            expires,
            written - Duration::from_secs(60)
        ));
    }
}
