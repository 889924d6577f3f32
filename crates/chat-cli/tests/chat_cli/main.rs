//! The client's library driven against the local stack started in process: the smoke test end
//! to end, the interactive chat, a small load test, and the DynamoDB lookup against a stand-in
//! endpoint.

mod chat;
mod live_chat;
mod load;
mod smoke;
mod support;
mod table_lookup;
