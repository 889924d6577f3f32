//! The AWS SDK implementations of the `handover` domain's ports, kept out of the domain so
//! that it stays free of AWS types: secrets from AWS Secrets Manager (and later the poster
//! that sends messages to chat WebSockets through the API Gateway Management API).

pub mod secrets;
