//! The customer side of the relay in process: the in-memory store on a manual clock, a
//! recording contact center and connection poster, and the reference signing key in a map of
//! secrets. Shared by the domain's relay tests and the WebSocket Lambda's entry-point tests.

use std::sync::Arc;
use std::time::Duration;

use conversation_store::MemoryStore;
use handover::clock::ManualClock;
use handover::contact_center::{ContactCenter, ContactCenters};
use handover::conversation::{Conversation, ConversationKey, Provider};
use handover::keep_alive::KeepAlive;
use handover::reference::{DEFAULT_KEY_SECRET, ReferenceSigner};
use handover::relay::ordered::{OrderedRelay, QueuedRecord};
use handover::relay::{CustomerRelay, OrderedSettings, RelaySettings};
use handover::store::Conversations;
use tokio::time::Instant;

use crate::conversations::store_conversation;
use crate::fakes::{
    FakeContactCenter, MapSecrets, RecordingMessageQueue, RecordingPoster, RecordingQueue,
};

/// Where the rig's clock starts (Unix seconds).
pub const START: u64 = 1_800_000_000;

/// The key that signs the rig's references, under [`DEFAULT_KEY_SECRET`].
pub const SIGNING_KEY: &str = "0123456789abcdef0123456789abcdef-test-key";

/// A relay and everything it acts on.
pub struct RelayRig {
    /// The relay under test.
    pub relay: CustomerRelay,
    /// Its store.
    pub store: Arc<MemoryStore>,
    /// The fake contact center (Talkdesk's unless [`RelayRig::with_fake_as`] said otherwise).
    pub contact_center: Arc<FakeContactCenter>,
    /// Every frame and close.
    pub poster: Arc<RecordingPoster>,
    /// The store's and the relay's clock.
    pub clock: Arc<ManualClock>,
    /// Where the relay schedules keep-alives, every [`KEEP_ALIVE_INTERVAL`].
    pub keep_alives: Arc<RecordingQueue>,
    /// Where `onMessage` queues customer messages.
    pub messages: Arc<RecordingMessageQueue>,
    /// What the customer-relay function does with them, over the same ports.
    pub ordered: OrderedRelay,
}

/// How often the rig's relay schedules keep-alives.
pub const KEEP_ALIVE_INTERVAL: Duration = Duration::from_secs(240);

impl RelayRig {
    /// A relay over one fake contact center acting as Talkdesk.
    pub fn new() -> Self {
        Self::with_fake_as(Provider::Talkdesk, [])
    }

    /// A relay over the fake contact center acting as `provider`, and `others`.
    pub fn with_fake_as(
        provider: Provider,
        others: impl IntoIterator<Item = Arc<dyn ContactCenter>>,
    ) -> Self {
        let contact_center = Arc::new(FakeContactCenter::acting_as(provider));
        let contact_centers = ContactCenters::new(contact_center.clone(), others)
            .expect("each contact center acts for its own provider");
        let clock = Arc::new(ManualClock::at(START));
        let store = Arc::new(MemoryStore::new().with_clock(clock.clone()));
        let poster = Arc::new(RecordingPoster::default());
        let keep_alives = Arc::new(RecordingQueue::default());
        let keep_alive = KeepAlive::new(
            store.clone(),
            poster.clone(),
            keep_alives.clone(),
            KEEP_ALIVE_INTERVAL,
        );
        let messages = Arc::new(RecordingMessageQueue::default());
        let ordered = OrderedRelay::new(
            store.clone(),
            contact_centers.clone(),
            poster.clone(),
            OrderedSettings::default(),
        )
        .with_clock(clock.clone());
        let relay = CustomerRelay::new(
            store.clone(),
            contact_centers,
            poster.clone(),
            Arc::new(MapSecrets::with(DEFAULT_KEY_SECRET, SIGNING_KEY)),
            messages.clone(),
            RelaySettings::default(),
        )
        .with_clock(clock.clone())
        .with_keep_alive(Arc::new(keep_alive));
        Self {
            relay,
            store,
            contact_center,
            poster,
            clock,
            keep_alives,
            messages,
            ordered,
        }
    }

    /// The customer-relay function handles what `onMessage` queued so far, as one batch of
    /// first deliveries; answers the records to deliver again.
    pub async fn deliver(&self) -> Vec<String> {
        self.deliver_records(self.messages.drain()).await
    }

    /// The customer-relay function handles `records` as one batch.
    pub async fn deliver_records(&self, records: Vec<QueuedRecord>) -> Vec<String> {
        let deadline = Instant::now() + std::time::Duration::from_secs(10);
        self.ordered.relay_batch(records, deadline).await
    }

    /// The conversation `key` as the store holds it now; it must be there.
    pub async fn stored(&self, key: &ConversationKey) -> Conversation {
        let stored = self.store.conversation(key).await;
        stored.unwrap().expect("the conversation is stored")
    }

    /// A stored Talkdesk conversation (`td-<random>`) and a reference to it valid for an
    /// hour.
    pub async fn conversation(&self) -> (Conversation, String) {
        let id = format!("td-{}", ConversationKey::generate());
        self.conversation_of(Provider::Talkdesk, &id).await
    }

    /// A stored conversation `provider` knows as `provider_conversation_id`, and a reference
    /// to it valid for an hour.
    pub async fn conversation_of(
        &self,
        provider: Provider,
        provider_conversation_id: &str,
    ) -> (Conversation, String) {
        let conversation =
            store_conversation(&*self.store, provider, provider_conversation_id).await;
        let reference = reference_to(&conversation.key, START + 3_600);
        (conversation, reference)
    }

    /// A Talkdesk conversation whose customer is connected on `connection_id`.
    pub async fn connected(&self, connection_id: &str) -> Conversation {
        let (conversation, reference) = self.conversation().await;
        self.connect(connection_id, &reference).await;
        conversation
    }

    /// Connects `connection_id` with `reference`, which must be accepted.
    pub async fn connect(&self, connection_id: &str, reference: &str) {
        if let Err(refusal) = self.relay.connect(connection_id, Some(reference)).await {
            panic!("the relay refused a valid reference: {refusal}");
        }
    }
}

impl Default for RelayRig {
    fn default() -> Self {
        Self::new()
    }
}

/// A reference to `key` signed with [`SIGNING_KEY`], expiring at `expires_at` (Unix seconds).
pub fn reference_to(key: &ConversationKey, expires_at: u64) -> String {
    let signer = ReferenceSigner::new(SIGNING_KEY.as_bytes()).expect("the test key is long enough");
    signer
        .sign(key.as_str(), expires_at)
        .expect("a generated key signs")
}
