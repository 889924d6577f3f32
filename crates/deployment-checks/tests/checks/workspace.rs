//! template.yaml against the workspace: see the crate's documentation.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use crate::template::{at, keys, read, resources, root, template, text};
use conversation_store::dynamodb::table::{
    CREATED_AT, PARTITION_KEY, PROVIDER_INDEX, PROVIDER_REF, TTL_ATTRIBUTE,
};
use saphyr::YamlOwned;

/// Variables read without a default, whatever the documentation says.
const REQUIRED: [&str; 3] = [
    "CONVERSATION_TABLE",
    "CONNECTIONS_ENDPOINT",
    "TALKDESK_OAUTH_BASE",
];

/// A workspace crate: its directory name, package name, source and workspace dependencies.
struct Crate {
    dir: String,
    package: String,
    sources: String,
    dependencies: BTreeSet<String>,
    is_lambda: bool,
}

fn workspace() -> BTreeMap<String, Crate> {
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
        let mut sources = String::new();
        collect_sources(&dir.join("src"), &mut sources);
        found.insert(
            package.clone(),
            Crate {
                dir: dir.file_name().unwrap().to_string_lossy().into_owned(),
                package,
                sources,
                dependencies: normal_dependencies(&manifest),
                is_lambda,
            },
        );
    }
    found
}

fn collect_sources(dir: &Path, into: &mut String) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("a source entry").path();
        if path.is_dir() {
            collect_sources(&path, into);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            into.push_str(&read(&path));
        }
    }
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

/// The names under `[dependencies]` (not dev- or build-dependencies).
fn normal_dependencies(manifest: &str) -> BTreeSet<String> {
    let mut in_dependencies = false;
    let mut names = BTreeSet::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
        } else if in_dependencies && !line.is_empty() && !line.starts_with('#') {
            let name = line.split(['=', '.', ' ']).next().unwrap_or_default();
            names.insert(name.to_owned());
        }
    }
    names
}

/// The sources of `package` and of every workspace crate it depends on, directly or not.
fn sources_with_dependencies(workspace: &BTreeMap<String, Crate>, package: &str) -> String {
    let mut seen = BTreeSet::new();
    let mut stack = vec![package.to_owned()];
    let mut sources = String::new();
    while let Some(name) = stack.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(krate) = workspace.get(&name) {
            sources.push_str(&krate.sources);
            stack.extend(krate.dependencies.iter().cloned());
        }
    }
    sources
}

/// Variables whose table row in the documentation says `required` as the default.
fn required_in_the_docs() -> BTreeSet<String> {
    documentation()
        .lines()
        .filter_map(|line| {
            let cells: Vec<_> = line
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            let [name, .., default] = cells.as_slice() else {
                return None;
            };
            let name = name.strip_prefix('`')?.strip_suffix('`')?;
            let is_variable = name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            (*default == "required" && is_variable).then(|| name.to_owned())
        })
        .collect()
}

/// What the template says about one function, Globals included.
struct Function {
    code_uri: String,
    build_method: Option<String>,
    binary: Option<String>,
    runtime: Option<String>,
    handler: Option<String>,
    variables: BTreeSet<String>,
}

fn functions(template: &YamlOwned) -> BTreeMap<String, Function> {
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
fn normalized(code_uri: &str) -> String {
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
fn every_function_sets_the_variables_its_crate_needs_and_only_variables_that_are_read() {
    let workspace = workspace();
    let functions = functions(&template());
    let mut required: BTreeSet<String> = REQUIRED.iter().map(|name| name.to_string()).collect();
    required.extend(required_in_the_docs());
    let all_sources: String = workspace
        .values()
        .map(|krate| krate.sources.as_str())
        .collect();
    for (id, function) in &functions {
        let dir = normalized(&function.code_uri);
        let Some(krate) = workspace
            .values()
            .find(|krate| format!("crates/{}", krate.dir) == dir)
        else {
            continue; // reported by the other test
        };
        let sources = sources_with_dependencies(&workspace, &krate.package);
        let missing: Vec<_> = required
            .iter()
            .filter(|name| sources.contains(&format!("\"{name}\"")))
            .filter(|name| !function.variables.contains(*name))
            .collect();
        assert!(
            missing.is_empty(),
            "{id} ({dir}) reads {missing:?}, which have no default, but its Environment does not \
             set them"
        );
        let unread: Vec<_> = function
            .variables
            .iter()
            .filter(|name| !all_sources.contains(&format!("\"{name}\"")))
            .collect();
        assert!(
            unread.is_empty(),
            "{id} sets {unread:?}, which no workspace crate reads: a typo?"
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
        owned(&[(PARTITION_KEY, "S"), (PROVIDER_REF, "S"), (CREATED_AT, "N")]),
        "{id}: the attribute definitions"
    );
    let indexes = at(properties, &["GlobalSecondaryIndexes"])
        .and_then(YamlOwned::as_sequence)
        .expect("the table's GlobalSecondaryIndexes");
    let index = indexes
        .iter()
        .find(|index| text(index, &["IndexName"]) == Some(PROVIDER_INDEX))
        .unwrap_or_else(|| panic!("{id} has no index {PROVIDER_INDEX}"));
    let index_keys: BTreeMap<String, String> = at(index, &["KeySchema"])
        .and_then(YamlOwned::as_sequence)
        .into_iter()
        .flatten()
        .map(|key| {
            (
                text(key, &["AttributeName"]).unwrap_or_default().to_owned(),
                text(key, &["KeyType"]).unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        index_keys,
        owned(&[(PROVIDER_REF, "HASH"), (CREATED_AT, "RANGE")]),
        "{id}: {PROVIDER_INDEX}'s keys"
    );
    assert_eq!(
        text(index, &["Projection", "ProjectionType"]),
        Some("ALL"),
        "{id}: {PROVIDER_INDEX} projects every attribute"
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

/// The README and every page of `docs/`.
fn documentation() -> String {
    let mut pages = vec![root().join("README.md")];
    let docs = std::fs::read_dir(root().join("docs")).expect("docs/ is readable");
    pages.extend(
        docs.map(|entry| entry.expect("a docs/ entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "md")),
    );
    pages.iter().map(|page| read(page)).collect()
}
