//! Reading `template.yaml` with its CloudFormation tags (`!Ref`, `!Sub`, ...) kept.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use saphyr::{LoadableYamlNode, ScalarOwned, YamlOwned};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root")
}

/// A file's text; panics with its path if it cannot be read.
pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

/// `template.yaml`, parsed.
pub fn template() -> YamlOwned {
    let path = root().join("template.yaml");
    parse(&read(&path)).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// One YAML document.
pub fn parse(text: &str) -> Result<YamlOwned, String> {
    let mut documents = YamlOwned::load_from_str(text).map_err(|err| format!("not YAML: {err}"))?;
    match documents.len() {
        1 => Ok(documents.remove(0)),
        n => Err(format!("{n} YAML documents instead of one")),
    }
}

/// The node under `keys`, looking through CloudFormation tags on the way; the node itself keeps
/// its tag (`!Ref x` stays a reference).
pub fn at<'a>(node: &'a YamlOwned, keys: &[&str]) -> Option<&'a YamlOwned> {
    keys.iter()
        .try_fold(node, |node, key| untagged(node).as_mapping_get(key))
}

/// The node a tag is applied to, or the node itself.
pub fn untagged(node: &YamlOwned) -> &YamlOwned {
    node.get_tagged_node().unwrap_or(node)
}

/// The string under `keys`, tagged or not.
pub fn text<'a>(node: &'a YamlOwned, keys: &[&str]) -> Option<&'a str> {
    at(node, keys).map(untagged).and_then(YamlOwned::as_str)
}

/// The string keys of a mapping; none for anything else.
pub fn keys(node: Option<&YamlOwned>) -> BTreeSet<String> {
    node.and_then(YamlOwned::as_mapping)
        .map(|mapping| {
            mapping
                .keys()
                .filter_map(|key| key.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The template's resources of `kind`, by logical id.
pub fn resources<'a>(template: &'a YamlOwned, kind: &str) -> BTreeMap<String, &'a YamlOwned> {
    at(template, &["Resources"])
        .and_then(YamlOwned::as_mapping)
        .expect("template.yaml has Resources")
        .iter()
        .filter(|(_, resource)| text(resource, &["Type"]) == Some(kind))
        .map(|(id, resource)| (id.as_str().expect("a logical id").to_owned(), resource))
        .collect()
}

/// The resource with this logical id.
pub fn resource<'a>(template: &'a YamlOwned, id: &str) -> Option<&'a YamlOwned> {
    at(template, &["Resources", id])
}

/// The intrinsic function a node calls, `!Ref x` or `{"Ref": x}` alike: its name without
/// `Fn::` and its argument.
pub fn intrinsic(node: &YamlOwned) -> Option<(&str, &YamlOwned)> {
    if let YamlOwned::Tagged(tag, argument) = node {
        return (tag.handle == "!").then_some((tag.suffix.as_str(), argument.as_ref()));
    }
    let mapping = node.as_mapping()?;
    let (name, argument) = mapping.iter().next().filter(|_| mapping.len() == 1)?;
    match name.as_str()? {
        "Ref" => Some(("Ref", argument)),
        name => name.strip_prefix("Fn::").map(|name| (name, argument)),
    }
}

/// Whether `node` is `!Ref name`.
pub fn is_ref(node: &YamlOwned, name: &str) -> bool {
    matches!(intrinsic(node), Some(("Ref", argument)) if argument.as_str() == Some(name))
}

/// Every name that `node` refers to: `!Ref x`, `!GetAtt x.y`, and `${x}` or `${x.y}` in a
/// `!Sub` (not the names that a `!Sub` defines itself).
pub fn references(node: &YamlOwned) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    collect_references(node, &mut found);
    found
}

fn collect_references(node: &YamlOwned, found: &mut BTreeSet<String>) {
    match intrinsic(node) {
        Some(("Ref", argument)) => {
            found.extend(argument.as_str().map(str::to_owned));
        }
        Some(("GetAtt", argument)) => {
            let target = match argument.as_sequence() {
                Some(parts) => parts.first().and_then(YamlOwned::as_str),
                None => argument.as_str().and_then(|text| text.split('.').next()),
            };
            found.extend(target.map(str::to_owned));
        }
        Some(("Sub", argument)) => {
            let (format, variables) = match argument.as_sequence() {
                Some(parts) => (parts.first(), parts.get(1)),
                None => (Some(argument), None),
            };
            let defined = keys(variables);
            for name in format
                .and_then(YamlOwned::as_str)
                .map(placeholders)
                .unwrap_or_default()
            {
                let target = name.split('.').next().unwrap_or_default().to_owned();
                if !defined.contains(&target) {
                    found.insert(target);
                }
            }
            if let Some(variables) = variables {
                collect_references(variables, found);
            }
        }
        Some((_, argument)) => collect_references(argument, found),
        None => match node {
            YamlOwned::Sequence(items) => {
                items
                    .iter()
                    .for_each(|item| collect_references(item, found));
            }
            YamlOwned::Mapping(mapping) => {
                mapping
                    .values()
                    .for_each(|value| collect_references(value, found));
            }
            _ => {}
        },
    }
}

/// The `${...}` placeholders of a `!Sub` format, without the `${!...}` literals.
pub fn placeholders(format: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        if !after.starts_with('!') {
            names.push(after[..end].trim().to_owned());
        }
        rest = &after[end + 1..];
    }
    names
}

/// A text form of a node that changes whenever its meaning does, and only then: mapping keys
/// in order, tags and scalar types kept, comments and layout gone.
pub fn canonical(node: &YamlOwned) -> String {
    match node {
        YamlOwned::Tagged(tag, inner) => {
            format!("{}{}({})", tag.handle, tag.suffix, canonical(inner))
        }
        YamlOwned::Mapping(mapping) => {
            let mut entries: Vec<String> = mapping
                .iter()
                .map(|(key, value)| format!("{}:{}", canonical(key), canonical(value)))
                .collect();
            entries.sort();
            format!("{{{}}}", entries.join(","))
        }
        YamlOwned::Sequence(items) => {
            let items: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", items.join(","))
        }
        YamlOwned::Value(ScalarOwned::String(text)) | YamlOwned::Representation(text, _, _) => {
            serde_json::to_string(text).expect("a string serialises")
        }
        YamlOwned::Value(ScalarOwned::Integer(number)) => number.to_string(),
        YamlOwned::Value(ScalarOwned::FloatingPoint(number)) => format!("{:?}", number.0),
        YamlOwned::Value(ScalarOwned::Boolean(value)) => value.to_string(),
        YamlOwned::Value(ScalarOwned::Null) => "null".to_owned(),
        YamlOwned::Alias(_) | YamlOwned::BadValue => panic!("unexpected YAML node {node:?}"),
    }
}

/// Eight uppercase hex digits that change whenever one of these resources' type or properties
/// do: the logical-id suffix that makes CloudFormation create a new snapshot resource (a
/// deployment, a bot version) exactly when what it snapshots has changed.
pub fn digest(template: &YamlOwned, ids: &BTreeSet<String>) -> String {
    let mut text = String::new();
    for id in ids {
        let resource = resource(template, id).unwrap_or_else(|| panic!("no resource {id}"));
        let kind = at(resource, &["Type"]).map(canonical).unwrap_or_default();
        let properties = at(resource, &["Properties"])
            .map(canonical)
            .unwrap_or_default();
        text.push_str(&format!("{id}={kind}{properties};"));
    }
    // FNV-1a: stable across Rust and crate versions, unlike std's hasher.
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{:08X}", (hash ^ (hash >> 32)) as u32)
}

/// A logical id with its digest suffix (eight uppercase hex digits) removed, if it has one.
pub fn without_digest(id: &str) -> &str {
    let split = id.len().saturating_sub(8);
    match id.get(split..) {
        Some(suffix)
            if split > 0
                && suffix
                    .bytes()
                    .all(|byte| byte.is_ascii_digit() || (b'A'..=b'F').contains(&byte)) =>
        {
            &id[..split]
        }
        _ => id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_kept_and_seen_through() {
        let document = parse("a: !Ref Table\nb: !GetAtt [Table, Arn]\n").expect("YAML");
        assert!(at(&document, &["a"]).unwrap().is_tag_node());
        assert_eq!(text(&document, &["a"]), Some("Table"));
        assert!(untagged(at(&document, &["b"]).unwrap()).is_sequence());
    }

    #[test]
    fn references_are_found_in_every_form() {
        let document = parse(
            "a: !Ref One\n\
             b: !GetAtt Two.Arn\n\
             c: !GetAtt [Three, Arn]\n\
             d: !Sub '${Four}/${Five.Arn}/${!Literal}/${AWS::Region}/${Own}'\n\
             e: !Sub ['${Own}', {Own: !Ref Six}]\n\
             f: {'Fn::Join': ['', [{Ref: Seven}]]}\n",
        )
        .expect("YAML");
        let found: Vec<String> = references(&document).into_iter().collect();
        assert_eq!(
            found,
            [
                "AWS::Region",
                "Five",
                "Four",
                "One",
                "Own",
                "Seven",
                "Six",
                "Three",
                "Two"
            ]
        );
    }

    #[test]
    fn the_canonical_form_ignores_layout_and_key_order_but_not_values_or_tags() {
        let one = parse("a: !Ref X\nb: [1, true, 'x']  # comment\n").expect("YAML");
        let same = parse("b:\n  - 1\n  - true\n  - x\na: !Ref X\n").expect("YAML");
        let other_tag = parse("a: !Sub X\nb: [1, true, x]\n").expect("YAML");
        let other_type = parse("a: !Ref X\nb: [1, 'true', x]\n").expect("YAML");
        assert_eq!(canonical(&one), canonical(&same));
        assert_ne!(canonical(&one), canonical(&other_tag));
        assert_ne!(canonical(&one), canonical(&other_type));
    }

    #[test]
    fn a_digest_suffix_is_recognised() {
        assert_eq!(without_digest("Deployment0A1B2C3D"), "Deployment");
        assert_eq!(without_digest("Deployment"), "Deployment");
        assert_eq!(without_digest("DeploymentXA1B2C3D"), "DeploymentXA1B2C3D");
        assert_eq!(without_digest("0A1B2C3D"), "0A1B2C3D");
    }
}
