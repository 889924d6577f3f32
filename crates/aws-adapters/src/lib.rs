//! The AWS SDK implementations of the `handover` domain's ports, kept out of the domain so
//! that it stays free of AWS types: secrets from AWS Secrets Manager, and the poster that sends
//! frames to customers' chat WebSockets through the API Gateway Management API, keep-alives
//! delayed on Amazon SQS; what every
//! Lambda reads from its invocation and environment the same way, and how it writes its logs and
//! metrics.

pub mod connections;
pub mod lambda;
mod lazy;
pub mod messages;
pub mod observability;
pub mod queue;
pub mod secrets;
pub mod tls;
