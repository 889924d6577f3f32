//! Each parser of one configuration value (`handover::settings` and the functions' own:
//! `secrets_refresh`, `connections_endpoint`, the keep-alive `interval`). The first byte picks
//! the parser, the second what applies when the variable is unset, the rest is the value (none:
//! unset). Each parser keeps the blank rule (a blank value is unset), names its variable in
//! every error, and returns only what its documentation promises.
#![no_main]

use std::time::Duration;

use aws_adapters::lambda::{CONNECTIONS_ENDPOINT, SECRETS_REFRESH_SECONDS};
use handover::keep_alive::{KEEP_ALIVE_SECONDS, MAX_INTERVAL};
use handover::settings::{self, Problem, SettingError, Variable, WhenUnset};
use libfuzzer_sys::fuzz_target;

const NAME: &str = "FUZZ_SETTING";
const CHOICES: [(&str, u8); 3] = [("off", 0), ("on", 1), ("amazon-connect", 2)];

fn variable(selector: u8) -> Variable {
    match selector % 4 {
        0 => Variable::required(NAME),
        1 => Variable::with_default(NAME, "https://example.com/"),
        2 => Variable::with_default_number(NAME, 240),
        _ => Variable::optional(NAME),
    }
}

/// What the variable comes to when the value is unset or blank.
fn when_unset(variable: &Variable) -> Result<Option<String>, SettingError> {
    match variable.when_unset {
        WhenUnset::Required => Err(variable.error(Problem::NotSet)),
        _ => Ok(variable.default().map(|default| default.into_owned())),
    }
}

fn url_without_trailing_slash(url: &str) -> bool {
    url.contains("://") && !url.ends_with('/')
}

fn check_error<T>(result: &Result<T, SettingError>, variable: &Variable) {
    if let Err(error) = result {
        assert_eq!(error.variable, variable.name);
        assert!(error.to_string().starts_with(variable.name));
    }
}

fn check_seconds(result: &Result<Duration, SettingError>, variable: &Variable) {
    check_error(result, variable);
    if let Ok(duration) = result {
        assert!(duration.as_secs() > 0);
    }
}

fn check_url(result: &Result<String, SettingError>, variable: &Variable) {
    check_error(result, variable);
    if let Ok(url) = result {
        assert!(
            url.starts_with("http://") || url.starts_with("https://"),
            "{url:?}"
        );
        assert!(url_without_trailing_slash(url), "{url:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let [parser, unset, value @ ..] = data else {
        return;
    };
    let Ok(value) = std::str::from_utf8(value) else {
        return;
    };
    let value = (!value.is_empty()).then(|| value.to_owned());
    // Whichever variable a parser reads, it gets the value.
    let var = |_: &str| value.clone();
    let variable = variable(*unset);
    let blank = value.as_deref().is_none_or(|value| value.trim().is_empty());

    let text = settings::optional_text(&var, &variable);
    check_error(&text, &variable);
    if blank {
        assert_eq!(text, when_unset(&variable));
    } else {
        assert_eq!(text, Ok(value.clone()), "text is used as given");
    }
    let given = text.ok().flatten();
    let trimmed = given.as_deref().map(str::trim);

    match parser % 9 {
        0 => {
            let text = settings::text(&var, &variable);
            check_error(&text, &variable);
            assert_eq!(text.ok(), given);
        }
        1 => {
            let number = settings::whole_number(&var, &variable);
            check_error(&number, &variable);
            if let Ok(number) = number {
                assert_eq!(trimmed.map(str::parse::<u32>), Some(Ok(number)));
            }
        }
        2 => {
            let number = settings::positive_integer::<usize>(&var, &variable);
            check_error(&number, &variable);
            assert!(number.is_err() || number.is_ok_and(|number| number > 0));
        }
        3 => check_seconds(&settings::seconds(&var, &variable), &variable),
        4 => check_url(&settings::url(&var, &variable), &variable),
        5 => {
            let url = settings::url_or_host(&var, &variable);
            check_error(&url, &variable);
            if let Ok(url) = url {
                assert!(url_without_trailing_slash(&url), "{url:?}");
            }
        }
        6 => {
            let choice = settings::choice(&var, &variable, &CHOICES);
            check_error(&choice, &variable);
            if let Ok(choice) = choice {
                let name = CHOICES
                    .iter()
                    .find(|(_, value)| *value == choice)
                    .unwrap()
                    .0;
                assert_eq!(trimmed, Some(name));
            }
        }
        7 => {
            check_seconds(
                &aws_adapters::lambda::secrets_refresh(var),
                &SECRETS_REFRESH_SECONDS,
            );
            check_url(
                &aws_adapters::lambda::connections_endpoint(var),
                &CONNECTIONS_ENDPOINT,
            );
        }
        _ => {
            let interval = handover::keep_alive::interval(&var);
            check_seconds(&interval, &KEEP_ALIVE_SECONDS);
            assert!(interval.is_err() || interval.is_ok_and(|interval| interval <= MAX_INTERVAL));
        }
    }
});
