//! The functions' environment variables against the lists the Lambda crates read them from,
//! and those lists against the configuration tables of `docs/`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use handover::settings::{Variable, WhenUnset};

use crate::template::{read, root, template};
use crate::workspace::{functions, normalized, workspace};

/// The variables a Lambda crate reads, from its own list.
fn read_by(package: &str) -> Vec<Variable> {
    match package {
        "lex-fulfillment" => lex_fulfillment::Config::variables(),
        "websocket" => websocket::Config::variables(),
        "agent-callback" => agent_callback::Config::variables(),
        "connect-events" => connect_events::Config::variables(),
        "keep-alive" => keep_alive::Config::variables(),
        "customer-relay" => customer_relay::Config::variables(),
        other => panic!("{other} is a Lambda crate: add its Config::variables() here"),
    }
}

/// Every variable any Lambda crate reads, by name.
fn read_by_any_lambda() -> BTreeMap<&'static str, Variable> {
    let workspace = workspace();
    let lambdas: Vec<_> = workspace.values().filter(|krate| krate.is_lambda).collect();
    assert!(!lambdas.is_empty(), "no Lambda crate found");
    lambdas
        .iter()
        .flat_map(|krate| read_by(&krate.package))
        .map(|variable| (variable.name, variable))
        .collect()
}

#[test]
fn every_function_sets_the_variables_its_crate_needs_and_only_variables_that_are_read() {
    let workspace = workspace();
    for (id, function) in &functions(&template()) {
        let dir = normalized(&function.code_uri);
        let Some(krate) = workspace
            .values()
            .find(|krate| format!("crates/{}", krate.dir) == dir)
        else {
            continue; // reported by the workspace check
        };
        let read = read_by(&krate.package);
        let missing: Vec<_> = read
            .iter()
            .filter(|variable| variable.is_required())
            .filter(|variable| !function.variables.contains(variable.name))
            .map(|variable| variable.name)
            .collect();
        assert!(
            missing.is_empty(),
            "{id} ({dir}) requires {missing:?}, but its Environment does not set them"
        );
        let unread: Vec<_> = function
            .variables
            .iter()
            .filter(|name| !read.iter().any(|variable| variable.name == name.as_str()))
            .collect();
        assert!(
            unread.is_empty(),
            "{id} sets {unread:?}, which {} does not read: a typo, or a setting of another \
             function?",
            krate.package
        );
    }
}

/// A row of a configuration table (`| variable | meaning | default |`) in `docs/`.
struct DocumentedRow {
    page: String,
    /// The variables the first column names.
    variables: Vec<String>,
    /// The last column.
    default: String,
}

fn configuration_tables() -> Vec<DocumentedRow> {
    let mut rows = Vec::new();
    for entry in fs::read_dir(root().join("docs")).expect("docs/ is readable") {
        let path = entry.expect("a docs/ entry").path();
        if path.extension().is_none_or(|ext| ext != "md") {
            continue;
        }
        let page = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut in_variable_table = false;
        let mut previous_was_row = false;
        for line in read(&path).lines().map(str::trim) {
            let is_row = line.starts_with('|');
            if !is_row {
                previous_was_row = false;
                continue;
            }
            let cells: Vec<_> = line.trim_matches('|').split('|').map(str::trim).collect();
            if !previous_was_row {
                in_variable_table = cells.first() == Some(&"variable");
            } else if in_variable_table && !cells[0].starts_with("---") {
                rows.push(DocumentedRow {
                    page: page.clone(),
                    variables: cells[0]
                        .split('`')
                        .skip(1)
                        .step_by(2)
                        .map(str::to_owned)
                        .collect(),
                    default: cells.last().copied().unwrap_or_default().to_owned(),
                });
            }
            previous_was_row = true;
        }
    }
    assert!(
        !rows.is_empty(),
        "docs/ has no `| variable | meaning | default |` table"
    );
    rows
}

/// Whether a row's default column says what applies when `variable` is unset: `required`, the
/// default's text (or `see <source file>`, for long messages), or anything but `required`.
fn documents_the_default(variable: &Variable, column: &str) -> bool {
    match variable.when_unset {
        WhenUnset::Required => column == "required",
        WhenUnset::Off => column != "required",
        WhenUnset::Default(_) | WhenUnset::DefaultNumber(_) => {
            let default = variable.default().unwrap_or_default();
            column.contains(default.as_ref()) || column.starts_with("see `crates/")
        }
    }
}

#[test]
fn every_variable_read_is_documented_with_its_default_and_every_documented_one_is_read() {
    let read = read_by_any_lambda();
    let rows = configuration_tables();
    for variable in read.values() {
        let documenting: Vec<_> = rows
            .iter()
            .filter(|row| row.variables.iter().any(|name| name == variable.name))
            .collect();
        assert!(
            !documenting.is_empty(),
            "{} is read but no configuration table of docs/ lists it",
            variable.name
        );
        for row in documenting {
            assert!(
                documents_the_default(variable, &row.default),
                "docs/{}: {} defaults to {:?}, but its row says {:?}",
                row.page,
                variable.name,
                variable.when_unset,
                row.default
            );
        }
    }
    let documented: BTreeSet<_> = rows.iter().flat_map(|row| &row.variables).collect();
    let unread: Vec<_> = documented
        .into_iter()
        .filter(|name| !read.contains_key(name.as_str()))
        .collect();
    assert!(
        unread.is_empty(),
        "docs/ lists {unread:?}, which no Lambda reads"
    );
}
