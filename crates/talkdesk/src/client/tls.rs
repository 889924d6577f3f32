//! The roots of trust of the calls to Talkdesk: Mozilla's root program, compiled in.
//!
//! reqwest's default reads and parses the system's whole store when the client is built, on
//! every cold start. Talkdesk's servers present certificates of public certificate
//! authorities, which Mozilla's program lists as the system's store does, so the compiled-in
//! list trusts the same servers at no cost: its roots are ready-made trust anchors.

use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};

/// The TLS configuration of the Talkdesk client: Mozilla's roots, TLS 1.2 and 1.3, the crypto
/// provider the AWS SDK uses too.
pub(super) fn client_config() -> ClientConfig {
    let roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    ClientConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("aws-lc-rs supports the default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}
