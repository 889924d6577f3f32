//! The live chat's handshake: refusals answer their status without showing the reference, and
//! `wss://` goes through TLS (the TLS set-up is there, even where the handshake cannot succeed).

use chat_cli::live_chat::{LiveChat, LiveChatError};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::time::timeout;

use crate::support::{WAIT, start, stop};

#[tokio::test]
async fn a_refused_reference_answers_the_status_and_is_never_shown() {
    let stack = start().await;
    let forged = "v1.3f6c1e0d9a8b4c7d.1795262400.3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let refused = timeout(WAIT, LiveChat::connect(&stack.urls().websocket, forged))
        .await
        .expect("the handshake finishes");
    match refused {
        Err(err @ LiveChatError::Refused { status: 403, .. }) => {
            assert!(!err.to_string().contains(forged), "{err}");
        }
        Err(other) => panic!("expected a 403 refusal, got: {other}"),
        Ok(_) => panic!("a forged reference was accepted"),
    }
    stop(stack).await;
}

#[tokio::test]
async fn wss_urls_go_through_tls() {
    // A server that is not TLS: the handshake must fail as an error, not a panic.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let port = listener.local_addr().expect("its address").port();
    tokio::spawn(async move {
        if let Ok((mut socket, _)) = listener.accept().await {
            let _ = socket.write_all(b"not TLS\r\n\r\n").await;
        }
    });
    let reference = "v1.key.1795262400.tag";
    let endpoint = format!("wss://127.0.0.1:{port}/prod");
    let failed = timeout(WAIT, LiveChat::connect(&endpoint, reference))
        .await
        .expect("the handshake finishes");
    match failed {
        Err(err @ LiveChatError::Unreachable { .. }) => {
            let text = err.to_string();
            assert!(text.contains(&endpoint), "{text}");
            // Without TLS support tungstenite refuses `wss://` as a URL error before connecting.
            assert!(!text.contains("URL error"), "{text}");
            assert!(!text.contains(reference), "{text}");
        }
        Err(other) => panic!("expected a TLS failure, got: {other}"),
        Ok(_) => panic!("a plain TCP server passed for TLS"),
    }
}
