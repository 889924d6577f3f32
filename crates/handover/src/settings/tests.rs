use super::*;

const REQUIRED: Variable = Variable::required("REQUIRED");
const WITH_DEFAULT: Variable = Variable::with_default("WITH_DEFAULT", "fallback");
const NUMBER: Variable = Variable::with_default_number("NUMBER", 7);
const OFF: Variable = Variable::optional("OFF");

/// `var` answering `value` for every variable.
fn every(value: &'static str) -> impl Fn(&str) -> Option<String> {
    move |_| Some(value.to_owned())
}

fn unset(_: &str) -> Option<String> {
    None
}

fn invalid(variable: &Variable, expected: &str, got: &str) -> SettingError {
    variable.invalid(expected, got)
}

#[test]
fn blank_counts_as_unset_for_every_kind_of_variable() {
    for blank in [
        unset as fn(&str) -> Option<String>,
        |_| Some(String::new()),
        |_| Some(" \t\n".into()),
    ] {
        assert_eq!(
            text(&blank, &REQUIRED),
            Err(REQUIRED.error(Problem::NotSet))
        );
        assert_eq!(text(&blank, &WITH_DEFAULT).unwrap(), "fallback");
        assert_eq!(optional_text(&blank, &OFF), Ok(None));
        assert_eq!(positive_integer::<usize>(&blank, &NUMBER), Ok(7));
        assert_eq!(seconds(&blank, &NUMBER), Ok(Duration::from_secs(7)));
        assert_eq!(whole_number(&blank, &NUMBER), Ok(7));
        assert_eq!(url(&blank, &REQUIRED), Err(REQUIRED.error(Problem::NotSet)));
        assert_eq!(
            choice(&blank, &WITH_DEFAULT, &[("fallback", 1), ("other", 2)]),
            Ok(1)
        );
    }
}

#[test]
fn text_is_used_as_given() {
    assert_eq!(text(&every(" as given "), &REQUIRED).unwrap(), " as given ");
    assert_eq!(optional_text(&every("on"), &OFF), Ok(Some("on".to_owned())));
}

#[test]
fn numbers_are_trimmed_whole_and_positive_where_asked() {
    assert_eq!(positive_integer::<usize>(&every(" 12 "), &NUMBER), Ok(12));
    assert_eq!(seconds(&every("60"), &NUMBER), Ok(Duration::from_secs(60)));
    assert_eq!(whole_number(&every("0"), &NUMBER), Ok(0));
    for bad in ["0", "-5", "1.5", "a day"] {
        assert_eq!(
            positive_integer::<u64>(&every(bad), &NUMBER),
            Err(invalid(&NUMBER, "a positive whole number", bad)),
        );
        assert_eq!(
            seconds(&every(bad), &NUMBER),
            Err(invalid(&NUMBER, "a positive whole number of seconds", bad)),
        );
    }
    for bad in ["-1", "99999999999", "two"] {
        assert_eq!(
            whole_number(&every(bad), &NUMBER),
            Err(invalid(&NUMBER, "a whole number from 0 to 4294967295", bad)),
        );
    }
}

#[test]
fn urls_need_a_scheme_and_lose_a_trailing_slash() {
    assert_eq!(
        url(&every(" https://example.com/prod/ "), &REQUIRED).unwrap(),
        "https://example.com/prod"
    );
    assert_eq!(
        url(&every("http://127.0.0.1:9000"), &REQUIRED).unwrap(),
        "http://127.0.0.1:9000"
    );
    assert_eq!(
        url(&every("example.com/prod"), &REQUIRED),
        Err(invalid(
            &REQUIRED,
            "an http:// or https:// URL",
            "example.com/prod"
        ))
    );
    assert_eq!(
        url_or_host(&every("example.com/"), &REQUIRED).unwrap(),
        "https://example.com"
    );
    assert_eq!(
        url_or_host(&every("http://127.0.0.1:9000/"), &REQUIRED).unwrap(),
        "http://127.0.0.1:9000"
    );
}

/// Found by fuzzing (`setting_value`): `/` became `https://`, a URL with a trailing slash and no
/// host.
#[test]
fn a_url_or_host_of_only_slashes_is_refused() {
    for slashes in ["/", " // "] {
        assert_eq!(
            url_or_host(&every(slashes), &REQUIRED),
            Err(invalid(&REQUIRED, "a URL or a host name", slashes.trim()))
        );
    }
}

#[test]
fn a_choice_is_one_of_its_names() {
    let choices = [("default", 1), ("fail", 2)];
    assert_eq!(choice(&every(" fail "), &WITH_DEFAULT, &choices), Ok(2));
    assert_eq!(
        choice(&every("ask"), &WITH_DEFAULT, &choices),
        Err(invalid(&WITH_DEFAULT, "one of `default`, `fail`", "ask"))
    );
}

#[test]
fn messages_name_the_variable_and_the_problem() {
    const MAX: Variable = Variable::with_default_number("MAX_MESSAGE_CHARS", 1024);
    assert_eq!(
        positive_integer::<usize>(&every("abc"), &MAX)
            .unwrap_err()
            .to_string(),
        "MAX_MESSAGE_CHARS must be a positive whole number, got \"abc\""
    );
    assert_eq!(
        REQUIRED.error(Problem::NotSet).to_string(),
        "REQUIRED is not set"
    );
    assert_eq!(
        OFF.error(Problem::Unsupported { got: "x".into() })
            .to_string(),
        "OFF names x, which this version does not support yet"
    );
}

#[test]
fn a_variable_tells_whether_it_is_required_and_its_default() {
    assert!(REQUIRED.is_required());
    assert!(!OFF.is_required());
    assert_eq!(REQUIRED.default(), None);
    assert_eq!(OFF.default(), None);
    assert_eq!(WITH_DEFAULT.default().as_deref(), Some("fallback"));
    assert_eq!(NUMBER.default().as_deref(), Some("7"));
}
