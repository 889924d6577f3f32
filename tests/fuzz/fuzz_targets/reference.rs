//! The signed conversation reference (`handover::reference`): what the code hook signs and the
//! WebSocket function verifies at `$connect`. The input is the expiry and the time of the check
//! (8 bytes each, big-endian), where to change one character and to what (1 byte each), then a
//! conversation key, a newline, and text presented as a reference.
//!
//! A reference it signs is short, URL-safe, and verifies to its key and expiry until then and
//! as expired after; changed in any one character, or checked with another secret, it never
//! verifies; and any text that verifies is exactly what signing its key and expiry gives (one
//! spelling per reference).
#![no_main]

use handover::conversation::ConversationKey;
use handover::reference::{MAX_REFERENCE_LEN, ReferenceError, ReferenceSigner, VerifiedReference};
use libfuzzer_sys::fuzz_target;

const SECRET: &[u8; 32] = b"fuzz-reference-secret-0123456789";

fn number(bytes: &[u8]) -> u64 {
    u64::from_be_bytes(bytes.try_into().expect("8 bytes"))
}

fuzz_target!(|data: &[u8]| {
    let Some((header, text)) = data.split_at_checked(18) else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let (expires_at, now) = (number(&header[..8]), number(&header[8..16]));
    let (tamper_at, tamper_with) = (usize::from(header[16]), char::from(header[17]));
    let (conversation_key, presented) = text.split_once('\n').unwrap_or((text, ""));
    let signer = ReferenceSigner::new(SECRET).expect("32 bytes is long enough");

    if let Ok(verified) = signer.verify(presented, now) {
        let signed = signer.sign(verified.conversation_key.as_str(), verified.expires_at);
        assert_eq!(
            signed.as_deref(),
            Ok(presented),
            "a second spelling verified"
        );
    }

    let signed = signer.sign(conversation_key, expires_at);
    let Ok(reference) = signed else {
        assert_eq!(signed, Err(ReferenceError::InvalidConversationKey));
        assert!(ConversationKey::parse(conversation_key).is_err());
        return;
    };
    assert!(reference.len() <= MAX_REFERENCE_LEN);
    let url_safe = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
    assert!(reference.chars().all(url_safe), "not URL-safe: {reference}");

    let verified = signer.verify(&reference, now);
    if now <= expires_at {
        let expected = VerifiedReference {
            conversation_key: ConversationKey::parse(conversation_key).expect("it was signed"),
            expires_at,
        };
        assert_eq!(verified, Ok(expected));
    } else {
        assert_eq!(verified, Err(ReferenceError::Expired));
    }

    let mut tampered: Vec<char> = reference.chars().collect();
    let at = tamper_at % tampered.len();
    if tampered[at] != tamper_with {
        tampered[at] = tamper_with;
        let tampered: String = tampered.into_iter().collect();
        let verified = signer.verify(&tampered, now);
        assert!(
            matches!(
                verified,
                Err(ReferenceError::Malformed
                    | ReferenceError::BadSignature
                    | ReferenceError::Oversized)
            ),
            "a tampered reference gave {verified:?}"
        );
    }

    let mut other_secret = *SECRET;
    other_secret[0] ^= 1;
    let other = ReferenceSigner::new(&other_secret).expect("32 bytes is long enough");
    assert_eq!(
        other.verify(&reference, now),
        Err(ReferenceError::BadSignature)
    );
});
