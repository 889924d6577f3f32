//! Each function's whole configuration, read by its `Config::from_vars` as `from_env` reads the
//! environment. The input is `NAME=value` lines. A function's configuration never panics,
//! every error names a variable it lists, and a blank value reads as if it were unset.
#![no_main]

use std::collections::HashMap;
use std::fmt::Debug;

use handover::settings::{SettingError, Variable};
use libfuzzer_sys::fuzz_target;

/// Reads `vars` with `from_vars` and checks it against the function's listed `variables`.
fn check<T: Debug>(
    function: &str,
    variables: &[Variable],
    from_vars: fn(&dyn Fn(&str) -> Option<String>) -> Result<T, SettingError>,
    vars: &HashMap<&str, &str>,
) {
    let read = from_vars(&|name| vars.get(name).map(|value| (*value).to_owned()));
    if let Err(error) = &read {
        assert!(
            variables
                .iter()
                .any(|variable| variable.name == error.variable),
            "{function}: {} is not among its variables",
            error.variable
        );
    }
    let set: HashMap<&str, &str> = vars
        .iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(name, value)| (*name, *value))
        .collect();
    let without_blanks = from_vars(&|name| set.get(name).map(|value| (*value).to_owned()));
    assert_eq!(
        format!("{read:?}"),
        format!("{without_blanks:?}"),
        "{function}: a blank value does not read as unset"
    );
}

fuzz_target!(|text: &str| {
    let vars: HashMap<&str, &str> = text
        .lines()
        .filter_map(|line| line.split_once('='))
        .collect();
    check(
        "agent-callback",
        &agent_callback::Config::variables(),
        |var| agent_callback::Config::from_vars(var),
        &vars,
    );
    check(
        "connect-events",
        &connect_events::Config::variables(),
        |var| connect_events::Config::from_vars(var),
        &vars,
    );
    check(
        "customer-relay",
        &customer_relay::Config::variables(),
        |var| customer_relay::Config::from_vars(var),
        &vars,
    );
    check(
        "keep-alive",
        &keep_alive::Config::variables(),
        |var| keep_alive::Config::from_vars(var),
        &vars,
    );
    check(
        "lex-fulfillment",
        &lex_fulfillment::Config::variables(),
        |var| lex_fulfillment::Config::from_vars(var),
        &vars,
    );
    check(
        "websocket",
        &websocket::Config::variables(),
        |var| websocket::Config::from_vars(var),
        &vars,
    );
});
