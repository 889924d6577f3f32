//! template.yaml against the workspace: see the crate's documentation.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use crate::template::{at, keys, read, resources, root, template, text};
use conversation_store::dynamodb::table::{PARTITION_KEY, TTL_ATTRIBUTE};
use saphyr::YamlOwned;

/// A workspace crate: its directory name, package name, and whether it is a Lambda.
pub(crate) struct Crate {
    pub dir: String,
    pub package: String,
    pub is_lambda: bool,
}

pub(crate) fn workspace() -> BTreeMap<String, Crate> {
    let crates = root().join("crates");
    let mut found = BTreeMap::new();
    for entry in fs::read_dir(&crates).expect("crates/") {
        let dir = entry.expect("a crates/ entry").path();
        let manifest_path = dir.join("Cargo.toml");
        if !manifest_path.is_file() {
            continue;
        }
        let manifest = read(&manifest_path);
        let package = package_name(&manifest)
            .unwrap_or_else(|| panic!("{} has no package name", manifest_path.display()));
        let main = dir.join("src/main.rs");
        let is_lambda = main.is_file() && {
            let main = read(&main);
            main.contains("lambda_runtime::run") || main.contains("lambda_http::run")
        };
        found.insert(
            package.clone(),
            Crate {
                dir: dir.file_name().unwrap().to_string_lossy().into_owned(),
                package,
                is_lambda,
            },
        );
    }
    found
}

/// `name = "..."` of the `[package]` table.
fn package_name(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package && let Some(value) = line.strip_prefix("name") {
            let value = value.trim_start().strip_prefix('=')?.trim();
            return Some(value.trim_matches('"').to_owned());
        }
    }
    None
}

/// What the template says about one function, Globals included.
pub(crate) struct Function {
    pub code_uri: String,
    build_method: Option<String>,
    binary: Option<String>,
    runtime: Option<String>,
    handler: Option<String>,
    pub variables: BTreeSet<String>,
}

pub(crate) fn functions(template: &YamlOwned) -> BTreeMap<String, Function> {
    let globals = at(template, &["Globals", "Function"]);
    let global = |key: &str| globals.and_then(|globals| text(globals, &[key]));
    let global_variables = keys(globals.and_then(|g| at(g, &["Environment", "Variables"])));
    resources(template, "AWS::Serverless::Function")
        .into_iter()
        .map(|(id, function)| {
            let property = |key: &str| {
                text(function, &["Properties", key])
                    .or_else(|| global(key))
                    .map(str::to_owned)
            };
            let mut variables = global_variables.clone();
            variables.extend(keys(at(
                function,
                &["Properties", "Environment", "Variables"],
            )));
            let found = Function {
                code_uri: property("CodeUri")
                    .unwrap_or_else(|| panic!("{id} has no CodeUri of its own")),
                build_method: text(function, &["Metadata", "BuildMethod"]).map(str::to_owned),
                binary: text(function, &["Metadata", "BuildProperties", "Binary"])
                    .map(str::to_owned),
                runtime: property("Runtime"),
                handler: property("Handler"),
                variables,
            };
            (id, found)
        })
        .collect()
}

/// `./crates/x/` and `crates/x` are the same directory.
pub(crate) fn normalized(code_uri: &str) -> String {
    code_uri
        .trim_start_matches("./")
        .trim_end_matches('/')
        .to_owned()
}

#[test]
fn the_functions_are_exactly_the_lambda_binaries_each_built_from_its_crate() {
    let workspace = workspace();
    let functions = functions(&template());
    let lambda_dirs: BTreeSet<String> = workspace
        .values()
        .filter(|krate| krate.is_lambda)
        .map(|krate| format!("crates/{}", krate.dir))
        .collect();
    assert!(
        !lambda_dirs.is_empty(),
        "no crate's src/main.rs runs a Lambda runtime: is the workspace where this test looks?"
    );
    let function_dirs: BTreeSet<String> = functions
        .values()
        .map(|function| normalized(&function.code_uri))
        .collect();
    assert_eq!(
        function_dirs, lambda_dirs,
        "template.yaml's function CodeUris (left) must be the Lambda crates (right): one \
         AWS::Serverless::Function per crate whose src/main.rs runs lambda_runtime or lambda_http"
    );
    assert_eq!(
        functions.len(),
        lambda_dirs.len(),
        "two functions are built from the same crate"
    );
    for (id, function) in &functions {
        let dir = normalized(&function.code_uri);
        let krate = workspace
            .values()
            .find(|krate| format!("crates/{}", krate.dir) == dir)
            .expect("checked above");
        assert_eq!(
            function.build_method.as_deref(),
            Some("rust-cargolambda"),
            "{id}: Metadata.BuildMethod"
        );
        assert_eq!(
            function.binary.as_deref(),
            Some(krate.package.as_str()),
            "{id}: Metadata.BuildProperties.Binary must name the crate's binary"
        );
        assert!(
            function
                .runtime
                .as_deref()
                .is_some_and(|runtime| runtime.starts_with("provided.")),
            "{id}: a Rust binary needs an OS-only runtime (provided.al2023), not {:?}",
            function.runtime
        );
        assert_eq!(
            function.handler.as_deref(),
            Some("bootstrap"),
            "{id}: Handler"
        );
    }
}

#[test]
fn the_table_is_the_one_the_store_expects() {
    let template = template();
    let tables = resources(&template, "AWS::DynamoDB::Table");
    let [(id, table)] = tables
        .into_iter()
        .collect::<Vec<_>>()
        .try_into()
        .unwrap_or_else(|tables: Vec<_>| {
            panic!("one DynamoDB table expected, found {}", tables.len())
        });
    let properties = at(table, &["Properties"]).expect("the table's Properties");
    let pairs = |keys: &[&str], name: &str, value: &str| -> BTreeMap<String, String> {
        at(properties, keys)
            .and_then(YamlOwned::as_sequence)
            .into_iter()
            .flatten()
            .map(|item| {
                (
                    text(item, &[name]).unwrap_or_default().to_owned(),
                    text(item, &[value]).unwrap_or_default().to_owned(),
                )
            })
            .collect()
    };
    let owned = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    };

    assert_eq!(
        pairs(&["KeySchema"], "AttributeName", "KeyType"),
        owned(&[(PARTITION_KEY, "HASH")]),
        "{id}: the key schema"
    );
    assert_eq!(
        pairs(&["AttributeDefinitions"], "AttributeName", "AttributeType"),
        owned(&[(PARTITION_KEY, "S")]),
        "{id}: the attribute definitions"
    );
    assert!(
        at(properties, &["GlobalSecondaryIndexes"]).is_none(),
        "{id}: the store reads no index"
    );
    assert_eq!(
        text(properties, &["TimeToLiveSpecification", "AttributeName"]),
        Some(TTL_ATTRIBUTE),
        "{id}: the TTL attribute"
    );
    assert_eq!(
        at(properties, &["TimeToLiveSpecification", "Enabled"]).and_then(YamlOwned::as_bool),
        Some(true),
        "{id}: TTL enabled"
    );
    assert_eq!(
        text(properties, &["BillingMode"]),
        Some("PAY_PER_REQUEST"),
        "{id}: on-demand billing"
    );
}
