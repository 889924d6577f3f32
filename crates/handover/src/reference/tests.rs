use super::*;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
const OTHER_SECRET: &[u8] = b"fedcba9876543210fedcba9876543210";
const KEY: &str = "3f2b8c1d9e7a4b6c8d0e1f2a3b4c5d6e";
const EXPIRES_AT: u64 = 1_800_000_000;
const BEFORE_EXPIRY: u64 = EXPIRES_AT - 60;

fn signer() -> ReferenceSigner {
    ReferenceSigner::new(SECRET).unwrap()
}

fn signed() -> String {
    signer().sign(KEY, EXPIRES_AT).unwrap()
}

/// `reference` with its field at `index` (0 = version … 3 = tag) replaced by `edit`.
fn with_field(reference: &str, index: usize, edit: impl FnOnce(&str) -> String) -> String {
    let mut fields: Vec<String> = reference.split('.').map(str::to_owned).collect();
    fields[index] = edit(&fields[index]);
    fields.join(".")
}

/// `text` with the character at `index` swapped for another of the base64url alphabet.
fn with_char_changed(text: &str, index: usize) -> String {
    let mut bytes = text.as_bytes().to_vec();
    bytes[index] = if bytes[index] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

#[test]
fn round_trip() {
    let reference = signed();
    assert_eq!(
        reference,
        format!("v1.{KEY}.{EXPIRES_AT}.{}", &reference[47..])
    );
    assert_eq!(
        signer().verify(&reference, BEFORE_EXPIRY),
        Ok(VerifiedReference {
            conversation_key: ConversationKey::parse(KEY).unwrap(),
            expires_at: EXPIRES_AT,
        })
    );
}

#[test]
fn signing_is_deterministic_and_bound_to_the_secret() {
    assert_eq!(signed(), signed());
    let other = ReferenceSigner::new(OTHER_SECRET).unwrap();
    assert_ne!(other.sign(KEY, EXPIRES_AT).unwrap(), signed());
}

#[test]
fn tampered_key_expiry_or_tag_is_a_bad_signature() {
    let reference = signed();
    let tampered = [
        with_field(&reference, 1, |key| with_char_changed(key, 0)),
        with_field(&reference, 1, |_| "another-conversation".to_owned()),
        with_field(&reference, 2, |_| (EXPIRES_AT + 3600).to_string()),
        with_field(&reference, 3, |tag| with_char_changed(tag, 20)),
    ];
    for reference in tampered {
        assert_eq!(
            signer().verify(&reference, BEFORE_EXPIRY),
            Err(ReferenceError::BadSignature),
            "{reference}"
        );
    }
}

#[test]
fn valid_up_to_and_including_the_expiry_second() {
    let reference = signed();
    assert!(signer().verify(&reference, EXPIRES_AT).is_ok());
    assert_eq!(
        signer().verify(&reference, EXPIRES_AT + 1),
        Err(ReferenceError::Expired)
    );
}

#[test]
fn expiry_at_the_end_of_time_never_expires() {
    let reference = signer().sign(KEY, u64::MAX).unwrap();
    assert!(signer().verify(&reference, u64::MAX).is_ok());
}

#[test]
fn expired_is_reported_only_for_a_valid_signature() {
    let reference = signed();
    let forged = with_field(&reference, 3, |tag| with_char_changed(tag, 5));
    assert_eq!(
        signer().verify(&forged, EXPIRES_AT + 1),
        Err(ReferenceError::BadSignature)
    );
}

#[test]
fn another_secret_is_a_bad_signature() {
    let other = ReferenceSigner::new(OTHER_SECRET).unwrap();
    assert_eq!(
        other.verify(&signed(), BEFORE_EXPIRY),
        Err(ReferenceError::BadSignature)
    );
}

#[test]
fn truncated_references_are_malformed() {
    let reference = signed();
    for len in [0, 1, 2, 3, 10, 35, 36, 46, 47, 48, 60, reference.len() - 1] {
        assert_eq!(
            signer().verify(&reference[..len], BEFORE_EXPIRY),
            Err(ReferenceError::Malformed),
            "first {len} bytes"
        );
    }
}

#[test]
fn oversized_reference_is_refused_before_parsing() {
    let reference = format!("{}.{}", signed(), "x".repeat(MAX_REFERENCE_LEN));
    assert_eq!(
        signer().verify(&reference, BEFORE_EXPIRY),
        Err(ReferenceError::Oversized)
    );
}

#[test]
fn values_that_are_not_references_are_malformed() {
    let reference = signed();
    let not_references = [
        String::new(),
        "undefined".to_owned(),
        "null".to_owned(),
        KEY.to_owned(),
        "3e9b6c2a-5f1d-4c8e-9a7b-0d1e2f3a4b5c".to_owned(),
        with_field(&reference, 0, |_| "v2".to_owned()),
        with_field(&reference, 1, |_| String::new()),
        with_field(&reference, 1, |_| "has space".to_owned()),
        with_field(&reference, 2, |expiry| format!("0{expiry}")),
        with_field(&reference, 2, |expiry| format!("+{expiry}")),
        with_field(&reference, 2, |_| "99999999999999999999".to_owned()),
        with_field(&reference, 3, |tag| tag.replace(|_: char| true, "=")),
        format!("{reference}="),
        format!("v1.extra.{}", &reference[3..]),
    ];
    for not_a_reference in not_references {
        assert_eq!(
            signer().verify(&not_a_reference, BEFORE_EXPIRY),
            Err(ReferenceError::Malformed),
            "{not_a_reference:?}"
        );
    }
}

#[test]
fn sign_refuses_invalid_conversation_keys() {
    let too_long = "k".repeat(MAX_CONVERSATION_KEY_LEN + 1);
    for key in [
        "",
        "with.dot",
        "with space",
        "é",
        "a/b",
        "a?b",
        too_long.as_str(),
    ] {
        assert_eq!(
            signer().sign(key, EXPIRES_AT),
            Err(ReferenceError::InvalidConversationKey),
            "{key:?}"
        );
    }
}

#[test]
fn longest_reference_fits_the_limit() {
    let key = "K".repeat(MAX_CONVERSATION_KEY_LEN);
    let reference = signer().sign(&key, u64::MAX).unwrap();
    assert_eq!(reference.len(), MAX_REFERENCE_LEN);
    assert!("conversationId:".len() + reference.len() <= 123);
    assert!(signer().verify(&reference, 0).is_ok());
}

#[test]
fn references_are_url_safe() {
    let keys = [
        "a",
        "A-Z_0-9",
        KEY,
        "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
    ];
    for key in keys {
        for expires_at in [0, 1, EXPIRES_AT, u64::MAX] {
            let reference = signer().sign(key, expires_at).unwrap();
            assert!(
                reference
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || b"._-".contains(&byte)),
                "{reference}"
            );
        }
    }
}

#[test]
fn short_secret_is_refused() {
    assert_eq!(
        ReferenceSigner::new(&SECRET[..MIN_SECRET_LEN - 1]).unwrap_err(),
        ReferenceError::SecretTooShort {
            actual: MIN_SECRET_LEN - 1
        }
    );
}

#[test]
fn debug_and_errors_reveal_neither_secret_nor_reference() {
    let debug = format!("{:?}", signer());
    assert!(!debug.contains("0123456789abcdef"), "{debug}");
    assert!(!debug.contains("48, 49, 50"), "{debug}");

    let reference = signed();
    let errors = [
        signer().verify(&reference, EXPIRES_AT + 1).unwrap_err(),
        signer()
            .verify(&with_field(&reference, 2, |_| "1".to_owned()), 0)
            .unwrap_err(),
        signer().verify(&reference[..50], 0).unwrap_err(),
    ];
    for error in errors {
        let message = error.to_string();
        assert!(!message.contains(KEY), "{message}");
        assert!(!message.contains(&reference[47..]), "{message}");
    }
}
