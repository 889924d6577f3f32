//! The certificates the functions trust on their AWS calls.
//!
//! AWS documents that its service endpoints (DynamoDB, Secrets Manager, SQS, the API Gateway
//! Management API, Amazon Connect among them) present certificates issued under Amazon Trust
//! Services' roots: Amazon Root CA 1 to 4, cross-signed by Starfield Services Root G2; that is
//! AWS's word, not checked here against every endpoint and partition. Compiled in, those
//! five spare every cold start reading and parsing the system's whole store (about 150
//! certificates). `AWS_TLS_ROOTS=system` goes back to the system's store, for a partition or a
//! proxy whose certificates come from elsewhere.

use aws_smithy_http_client::tls::rustls_provider::CryptoMode;
use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore};
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use handover::settings::{self, SettingError, Variable};

/// Which roots the AWS calls trust: `amazon` (compiled in) or `system`.
pub const AWS_TLS_ROOTS: Variable = Variable::with_default("AWS_TLS_ROOTS", "amazon");

/// Amazon Trust Services' roots, as Mozilla's root program lists them.
const AMAZON_TRUST_SERVICES: &[u8] = include_bytes!("../certs/amazon-trust-services.pem");

/// The roots the AWS calls trust.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsRoots {
    /// Amazon Trust Services' roots, compiled in.
    Amazon,
    /// The system's store, read when the first connection is made.
    System,
}

/// [`AWS_TLS_ROOTS`] read through `var`.
pub fn tls_roots(var: impl Fn(&str) -> Option<String>) -> Result<TlsRoots, SettingError> {
    settings::choice(
        &var,
        &AWS_TLS_ROOTS,
        &[("amazon", TlsRoots::Amazon), ("system", TlsRoots::System)],
    )
}

/// `loader` with an HTTP client that trusts `roots`. The SDK's own client (the system's
/// store, and a proxy from `HTTPS_PROXY`) is kept for [`TlsRoots::System`].
pub(crate) fn trusting(
    loader: aws_config::ConfigLoader,
    roots: TlsRoots,
) -> aws_config::ConfigLoader {
    match roots {
        TlsRoots::System => loader,
        TlsRoots::Amazon => {
            let trust = TrustStore::empty().with_pem_certificate(AMAZON_TRUST_SERVICES);
            let context = TlsContext::builder()
                .with_trust_store(trust)
                .build()
                .expect("a TLS context with a trust store builds");
            let client = aws_smithy_http_client::Builder::new()
                .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
                .tls_context(context)
                .build_https();
            loader.http_client(ConnectsOnFirstCall(client))
        }
    }
}

/// The SDK's hyper client without its start-up check. Every SDK client, when made, has the
/// HTTP client build a connector and drop it at once, so that the system's store is read at
/// start-up rather than on the first call. With the roots compiled in there is nothing to read
/// early: the check would only parse the roots for a connector nobody uses. The connector that
/// is used is built, and cached, on the first call, as before.
#[derive(Debug)]
struct ConnectsOnFirstCall(SharedHttpClient);

impl HttpClient for ConnectsOnFirstCall {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.0.http_connector(settings, components)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.0.connector_metadata()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;

    #[test]
    fn the_compiled_in_roots_are_mozilla_s_amazon_roots() {
        let certificates: Vec<_> = CertificateDer::pem_slice_iter(AMAZON_TRUST_SERVICES)
            .collect::<Result<_, _>>()
            .expect("the roots are PEM certificates");
        assert_eq!(certificates.len(), 5);
        for certificate in &certificates {
            let anchor = webpki::anchor_from_trusted_cert(certificate).expect("a root parses");
            let listed = webpki_roots::TLS_SERVER_ROOTS.iter().any(|root| {
                root.subject == anchor.subject
                    && root.subject_public_key_info == anchor.subject_public_key_info
            });
            assert!(
                listed,
                "{:?} is not in Mozilla's root program",
                anchor.subject
            );
        }
    }

    #[test]
    fn amazon_s_roots_are_the_default_and_the_system_s_can_be_chosen() {
        let var = |value: &'static str| {
            move |name: &str| (name == "AWS_TLS_ROOTS").then(|| value.to_owned())
        };
        assert_eq!(tls_roots(|_| None), Ok(TlsRoots::Amazon));
        assert_eq!(tls_roots(var("system")), Ok(TlsRoots::System));
        assert_eq!(tls_roots(var("amazon")), Ok(TlsRoots::Amazon));
        let refused = tls_roots(var("mozilla")).unwrap_err().to_string();
        assert!(refused.contains("AWS_TLS_ROOTS"), "{refused}");
    }
}
