//! The store contract, run unchanged against every backend: `memory::*` against the
//! in-process store, `dynamodb::*` against DynamoDB in the AWS emulator started by
//! `scripts/test`.

mod cases;

/// One `#[tokio::test]` per contract case, each on a fresh store built by `$harness`.
macro_rules! contract_suite {
    ($harness:path) => {
        contract_suite!(@cases $harness;
            create_and_look_up,
            creating_a_taken_key_is_refused,
            unknown_lookups_find_nothing,
            provider_lookup_tells_providers_apart_and_prefers_the_newest,
            the_provider_lookup_sees_every_change_at_once,
            an_older_conversation_s_changes_leave_its_provider_id_with_the_newer,
            provider_data_is_kept_as_given,
            kept_provider_data_replaces_the_old_everywhere_it_is_read,
            bind_and_look_up_by_connection,
            binding_again_is_idempotent,
            a_new_connection_replaces_the_old,
            binding_is_refused_for_unknown_or_ended_conversations,
            a_connection_serves_one_conversation,
            unbinding_forgets_the_connection,
            unbinding_a_replaced_connection_leaves_the_new_one,
            status_moves_forward_and_ends_once,
            the_connection_lookup_sees_status_changes,
            events_are_handled_once,
            a_released_event_is_claimed_again,
            a_claim_whose_holder_died_lapses_with_its_lease,
            every_write_refreshes_the_lifetime,
            expired_records_are_gone,
            concurrent_binds_leave_exactly_one_connection,
            bind_racing_end_never_binds_an_ended_conversation_unseen,
            one_connection_racing_for_two_conversations_gets_one,
            a_first_turn_creates_the_transcript,
            the_bot_reply_comes_before_the_customer_text,
            a_stale_account_of_the_last_turn_records_no_reply,
            transcripts_keep_within_their_limits,
            a_repeated_request_is_recorded_once,
            prompts_are_counted_until_an_escalation,
            an_escalation_hands_over_the_transcript_once,
            an_escalation_without_turns_is_recorded,
            sessions_have_their_own_transcripts,
            an_unknown_session_has_no_transcript,
            every_turn_refreshes_the_transcript_lifetime,
            an_expired_transcript_is_gone,
            concurrent_turns_lose_nothing,
            concurrent_invocations_of_one_turn_record_it_once,
            kept_messages_come_back_in_order_until_forgotten,
            a_message_is_kept_once_and_a_full_outbox_refuses,
            an_outbox_lives_as_long_as_its_last_change,
            concurrent_keeps_lose_nothing,
            unbinding_records_when_the_connection_went,
            an_ended_conversation_is_bound_only_for_its_farewell,
            a_farewell_to_an_open_conversation_binds_it_as_ever,
        );
    };
    (@cases $harness:path; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                crate::cases::$case($harness().await).await;
            }
        )+
    };
}

mod memory {
    use std::sync::Arc;

    use conversation_store::MemoryStore;
    use handover::clock::ManualClock;

    use crate::cases::{Harness, LIFETIME, START};

    async fn harness() -> Harness {
        let clock = Arc::new(ManualClock::at(START));
        let store = MemoryStore::new()
            .with_lifetime(LIFETIME)
            .with_clock(clock.clone());
        Harness {
            store: Arc::new(store),
            clock,
        }
    }

    contract_suite!(harness);
}

mod dynamodb {
    use std::sync::Arc;

    use conversation_store::DynamoDbStore;
    use handover::clock::ManualClock;

    use crate::cases::{Harness, LIFETIME, START};

    mod table_design;

    /// A client for the emulator and a table of its own, so that tests and runs never meet.
    async fn client_and_table() -> (aws_sdk_dynamodb::Client, String) {
        test_support::conversation_table(&test_support::emulator().await).await
    }

    async fn harness() -> Harness {
        let (client, table) = client_and_table().await;
        let clock = Arc::new(ManualClock::at(START));
        let store = DynamoDbStore::new(client, table)
            .with_lifetime(LIFETIME)
            .with_clock(clock.clone());
        Harness {
            store: Arc::new(store),
            clock,
        }
    }

    contract_suite!(harness);
}
