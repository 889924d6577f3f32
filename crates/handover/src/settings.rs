//! Reading configuration from environment variables, the same way for every Lambda.
//!
//! Each variable is declared once, as a [`Variable`] with its name and what applies when it is
//! unset; the parsers below read it, and each settings type lists the variables it reads, so
//! that the deployment checks can compare them with the template and the documentation.
//!
//! **The blank rule:** a value that is empty or only whitespace counts as unset. The
//! variable's default applies, or, for a required variable, start-up fails with "is not set".
//!
//! Text is used as given; numbers, URLs and choices are trimmed before they are parsed. An
//! error names the variable and quotes the unusable value: no variable holds a secret value
//! (the `*_SECRET` variables hold the names of secrets, which are read from the secret store).

use std::borrow::Cow;
use std::str::FromStr;
use std::time::Duration;

/// An environment variable that configures a Lambda.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Variable {
    /// The variable's name.
    pub name: &'static str,
    /// What applies when it is unset or blank.
    pub when_unset: WhenUnset,
}

/// What applies when a variable is unset or blank.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhenUnset {
    /// Start-up fails: the variable is required.
    Required,
    /// This text, parsed as a set value would be.
    Default(&'static str),
    /// This number, for numeric settings.
    DefaultNumber(u64),
    /// The setting is off.
    Off,
}

impl Variable {
    /// A variable that must be set.
    pub const fn required(name: &'static str) -> Self {
        Self {
            name,
            when_unset: WhenUnset::Required,
        }
    }

    /// A variable whose unset value is `default`.
    pub const fn with_default(name: &'static str, default: &'static str) -> Self {
        Self {
            name,
            when_unset: WhenUnset::Default(default),
        }
    }

    /// A numeric variable whose unset value is `default`.
    pub const fn with_default_number(name: &'static str, default: u64) -> Self {
        Self {
            name,
            when_unset: WhenUnset::DefaultNumber(default),
        }
    }

    /// A variable whose setting is off when it is unset.
    pub const fn optional(name: &'static str) -> Self {
        Self {
            name,
            when_unset: WhenUnset::Off,
        }
    }

    /// Whether start-up fails without it.
    pub fn is_required(&self) -> bool {
        self.when_unset == WhenUnset::Required
    }

    /// The value that applies when it is unset, as it would be written in the variable.
    pub fn default(&self) -> Option<Cow<'static, str>> {
        match self.when_unset {
            WhenUnset::Default(text) => Some(Cow::Borrowed(text)),
            WhenUnset::DefaultNumber(number) => Some(Cow::Owned(number.to_string())),
            WhenUnset::Required | WhenUnset::Off => None,
        }
    }

    /// This variable's error for `problem`.
    pub fn error(&self, problem: Problem) -> SettingError {
        SettingError {
            variable: self.name,
            problem,
        }
    }

    /// This variable's error for a value that is not `expected`.
    pub fn invalid(&self, expected: impl Into<String>, got: &str) -> SettingError {
        self.error(Problem::Invalid {
            expected: expected.into(),
            got: got.to_owned(),
        })
    }
}

/// A setting that is missing or unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable} {problem}")]
pub struct SettingError {
    /// The variable's name.
    pub variable: &'static str,
    /// What is wrong with it.
    pub problem: Problem,
}

/// What is wrong with a setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// A required variable is unset or blank.
    #[error("is not set")]
    NotSet,
    /// The value is not of the expected kind.
    #[error("must be {expected}, got {got:?}")]
    Invalid {
        /// What the value must be, e.g. "a positive whole number".
        expected: String,
        /// The value, trimmed.
        got: String,
    },
    /// The value names something this version cannot do yet.
    #[error("names {got}, which this version does not support yet")]
    Unsupported {
        /// What it names.
        got: String,
    },
}

/// The text of `variable` read through `var`: the default when unset or blank, `None` when
/// unset and off.
pub fn optional_text(
    var: &impl Fn(&str) -> Option<String>,
    variable: &Variable,
) -> Result<Option<String>, SettingError> {
    match var(variable.name).filter(|value| !value.trim().is_empty()) {
        Some(value) => Ok(Some(value)),
        None if variable.is_required() => Err(variable.error(Problem::NotSet)),
        None => Ok(variable.default().map(Cow::into_owned)),
    }
}

/// The text of a required variable or of one with a default.
pub fn text(
    var: &impl Fn(&str) -> Option<String>,
    variable: &Variable,
) -> Result<String, SettingError> {
    optional_text(var, variable)?.ok_or_else(|| variable.error(Problem::NotSet))
}

/// A whole number, 0 included.
pub fn whole_number(
    var: &impl Fn(&str) -> Option<String>,
    variable: &Variable,
) -> Result<u32, SettingError> {
    let text = text(var, variable)?;
    text.trim().parse().map_err(|_| {
        variable.invalid(
            format!("a whole number from 0 to {}", u32::MAX),
            text.trim(),
        )
    })
}

/// A positive whole number.
pub fn positive_integer<T: FromStr + PartialOrd + From<u8>>(
    var: &impl Fn(&str) -> Option<String>,
    variable: &Variable,
) -> Result<T, SettingError> {
    positive(var, variable, "a positive whole number")
}

/// A positive whole number of seconds.
pub fn seconds(
    var: &impl Fn(&str) -> Option<String>,
    variable: &Variable,
) -> Result<Duration, SettingError> {
    positive(var, variable, "a positive whole number of seconds").map(Duration::from_secs)
}

fn positive<T: FromStr + PartialOrd + From<u8>>(
    var: &impl Fn(&str) -> Option<String>,
    variable: &Variable,
    expected: &str,
) -> Result<T, SettingError> {
    let text = text(var, variable)?;
    match text.trim().parse::<T>() {
        Ok(number) if number > T::from(0) => Ok(number),
        _ => Err(variable.invalid(expected, text.trim())),
    }
}

/// An `http://` or `https://` URL, without a trailing `/`.
pub fn url(
    var: &impl Fn(&str) -> Option<String>,
    variable: &Variable,
) -> Result<String, SettingError> {
    let text = text(var, variable)?;
    let url = text.trim().trim_end_matches('/');
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(url.to_owned())
    } else {
        Err(variable.invalid("an http:// or https:// URL", text.trim()))
    }
}

/// A URL, or a bare host that gets `https://`, without a trailing `/`.
pub fn url_or_host(
    var: &impl Fn(&str) -> Option<String>,
    variable: &Variable,
) -> Result<String, SettingError> {
    let text = text(var, variable)?;
    let base = text.trim().trim_end_matches('/');
    if base.is_empty() {
        return Err(variable.invalid("a URL or a host name", text.trim()));
    }
    Ok(if base.contains("://") {
        base.to_owned()
    } else {
        format!("https://{base}")
    })
}

/// One of `choices`, by name.
pub fn choice<T: Copy>(
    var: &impl Fn(&str) -> Option<String>,
    variable: &Variable,
    choices: &[(&str, T)],
) -> Result<T, SettingError> {
    let text = text(var, variable)?;
    choices
        .iter()
        .find(|(name, _)| *name == text.trim())
        .map(|(_, choice)| *choice)
        .ok_or_else(|| {
            let names: Vec<_> = choices
                .iter()
                .map(|(name, _)| format!("`{name}`"))
                .collect();
            variable.invalid(format!("one of {}", names.join(", ")), text.trim())
        })
}

#[cfg(test)]
mod tests;
