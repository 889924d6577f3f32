//! Starting a stack: taken ports, and the handlers' settings and secrets given to it.

use std::collections::BTreeMap;

use local_stack::{LocalStack, Options, Ports, StartError};

use crate::support::{Customer, replies, start_with, stop};

/// Every port free but one, given.
type PortsWith = fn(u16) -> Ports;

#[tokio::test]
async fn a_taken_port_is_named() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = taken.local_addr().expect("its address").port();
    let cases: [(&str, PortsWith); 2] = [
        ("callback API", |port| Ports {
            callback: port,
            ..Ports::default()
        }),
        ("simulated Amazon Connect", |port| Ports {
            connect: port,
            ..Ports::default()
        }),
    ];
    for (expected, ports) in cases {
        let options = Options {
            ports: ports(port),
            ..Options::default()
        };
        match LocalStack::start(options).await {
            Err(StartError::Bind {
                server,
                port: asked,
                ..
            }) => {
                assert_eq!(server, expected);
                assert_eq!(asked, port);
            }
            Err(other) => panic!("expected a bind error, got: {other}"),
            Ok(_) => panic!("the stack started on a port that was taken"),
        }
    }
}

#[tokio::test]
async fn the_handlers_read_their_settings_and_secrets_from_the_options() {
    let options = Options {
        environment: BTreeMap::from([(
            "ESCALATION_MESSAGE".to_owned(),
            "An agent will be with you shortly.".to_owned(),
        )]),
        secrets: BTreeMap::from([(
            "dev/handover/callback-api-key".to_owned(),
            "a-fixed-callback-key".to_owned(),
        )]),
        ..Options::default()
    };
    let stack = start_with(options).await;
    assert_eq!(stack.callback_api_key(), "a-fixed-callback-key");
    let mut customer = Customer::new(&stack);
    customer
        .attributes
        .insert("customer_name".into(), "Eve".into());
    customer
        .attributes
        .insert("subject".into(), "Warranty".into());
    let handed_over = customer.say("representative").await;
    assert_eq!(
        replies(&handed_over),
        ["An agent will be with you shortly."]
    );
    stop(stack).await;
}
