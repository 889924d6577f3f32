//! One request to the callback API: authenticate, route, parse, act, answer.

use std::sync::Arc;

use crate::talkdesk_event::{CallbackEvent, EventType};
use aws_adapters::lambda::deadline;
use handover::agent_events::{AgentEventError, AgentEvents, ApiKeyCheck, api_key_matches};
use handover::errors::chain;
use handover::secrets::SecretSource;
use lambda_http::http::{Method, Response};
use lambda_http::{Body, Request, RequestExt};
use tokio::time::timeout_at;
use tracing::{error, info, warn};

use crate::reply::{Refusal, handled};

/// The header Talkdesk Connections sends the API key in.
pub const API_KEY_HEADER: &str = "x-api-key";

/// The callback: the agent events behind an API key.
pub struct Callback {
    events: AgentEvents,
    secrets: Arc<dyn SecretSource>,
    api_key_secret: String,
}

impl Callback {
    /// A callback acting through `events`, accepting the API key held by the secret
    /// `api_key_secret` of `secrets` (which should cache: it is asked on every request).
    pub fn new(
        events: AgentEvents,
        secrets: Arc<dyn SecretSource>,
        api_key_secret: impl Into<String>,
    ) -> Self {
        Self {
            events,
            secrets,
            api_key_secret: api_key_secret.into(),
        }
    }

    /// Answers one request, by the invocation's deadline when it runs in Lambda (a request
    /// that runs out of time is answered 503, which Talkdesk retries, rather than left to the
    /// function's timeout). The API key is checked first, so a caller without it learns
    /// nothing, not even which paths exist; then the route, then the body.
    pub async fn handle(&self, request: Request) -> Response<Body> {
        let answer = match request.lambda_context_ref().map(deadline) {
            Some(deadline) => timeout_at(deadline, self.answer(&request))
                .await
                .unwrap_or_else(|_| {
                    error!(
                        path = request.uri().path(),
                        "ran out of time handling an agent event"
                    );
                    Err(Refusal::Unavailable)
                }),
            None => self.answer(&request).await,
        };
        match answer {
            Ok(response) => response,
            Err(refusal) => {
                // Unavailability was logged with its cause where it happened.
                if !matches!(refusal, Refusal::Unavailable) {
                    warn!(
                        path = request.uri().path(),
                        error = refusal.code(),
                        "request refused"
                    );
                }
                refusal.response()
            }
        }
    }

    async fn answer(&self, request: &Request) -> Result<Response<Body>, Refusal> {
        self.authenticate(request).await?;
        let route = route(request.uri().path()).ok_or(Refusal::NoSuchRoute)?;
        if request.method() != Method::POST {
            return Err(Refusal::MethodNotAllowed);
        }
        let event = CallbackEvent::parse(route, request.body())
            .map_err(Refusal::InvalidBody)?
            .into_agent_event();
        match self.events.handle(&event).await {
            Ok(outcome) => Ok(handled(outcome)),
            // A retry overlapping an attempt still delivering: retryable, and not a fault.
            Err(AgentEventError::InProgress) => {
                info!(event = %route, "agent event in progress elsewhere; asked for a retry");
                Err(Refusal::Unavailable)
            }
            Err(err) => {
                error!(event = %route, error = %chain(&err), "could not handle an agent event");
                Err(Refusal::Unavailable)
            }
        }
    }

    async fn authenticate(&self, request: &Request) -> Result<(), Refusal> {
        let Some(presented) = request.headers().get(API_KEY_HEADER) else {
            return Err(Refusal::MissingApiKey);
        };
        let expected = self
            .secrets
            .secret_string(&self.api_key_secret)
            .await
            .map_err(|err| {
                error!(error = %chain(&err), "cannot check API keys: the key could not be read");
                Refusal::Unavailable
            })?;
        // A key pasted with a trailing newline is still the key.
        let expected = expected.trim();
        if expected.is_empty() {
            error!(secret = %self.api_key_secret, "cannot check API keys: the key is empty");
            return Err(Refusal::Unavailable);
        }
        // A header that is not visible ASCII cannot be the key, which is.
        let check = match presented.to_str() {
            Ok(presented) => api_key_matches(Some(presented), expected),
            Err(_) => ApiKeyCheck::Wrong,
        };
        match check {
            ApiKeyCheck::Ok => Ok(()),
            ApiKeyCheck::Missing => Err(Refusal::MissingApiKey),
            ApiKeyCheck::Wrong => Err(Refusal::WrongApiKey),
        }
    }
}

/// The event a path is for, by its last segment, so that any stage or base path in front of
/// `/talkdesk/<event>` works.
pub fn route(path: &str) -> Option<EventType> {
    let last = path.trim_end_matches('/').rsplit('/').next()?;
    EventType::from_name(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_found_by_their_last_segment() {
        let cases = [
            ("/talkdesk/message_created", Some(EventType::MessageCreated)),
            (
                "/prod/talkdesk/conversation_started",
                Some(EventType::ConversationStarted),
            ),
            (
                "/callbacks/v1/talkdesk/conversation_ended/",
                Some(EventType::ConversationEnded),
            ),
            ("/talkdesk", None),
            ("/", None),
            ("", None),
            ("/talkdesk/message_created/extra", None),
        ];
        for (path, expected) in cases {
            assert_eq!(route(path), expected, "{path}");
        }
    }
}
