//! Each choice of the `ContactCenters` parameter against the stack it deploys: the resources of
//! the chosen contact centers and none of the other's, nothing left referring to a resource
//! the choice did not create, and every function reading the contact centers' settings
//! successfully from the environment the stack gives it.

use std::collections::{BTreeMap, BTreeSet};

use contact_centers::ContactCenterSettings;
use handover::conversation::Provider;
use saphyr::YamlOwned;

use crate::intrinsics::Stack;
use crate::template::{at, intrinsic, is_ref, references, template, text, untagged};

/// The parameters a deployment of either contact center must give, with valid values.
const DEPLOYER_VALUES: [(&str, &str); 3] = [
    ("TalkdeskAuthHost", "https://acme.talkdeskid.com"),
    ("ConnectInstanceId", "instance-1"),
    ("ConnectContactFlowId", "flow-1"),
];

fn allowed_choices(template: &YamlOwned) -> Vec<String> {
    let values = at(template, &["Parameters", "ContactCenters", "AllowedValues"])
        .and_then(YamlOwned::as_sequence)
        .expect("template.yaml: ContactCenters has AllowedValues");
    values
        .iter()
        .map(|value| value.as_str().expect("a text").to_owned())
        .collect()
}

fn parameter(name: &str, parameters: &BTreeMap<String, String>, template: &YamlOwned) -> String {
    parameters.get(name).cloned().unwrap_or_else(|| {
        text(template, &["Parameters", name, "Default"])
            .unwrap_or_else(|| panic!("parameter {name} has no default and no test value"))
            .to_owned()
    })
}

/// The value of each of the template's conditions, for these parameters.
fn conditions(
    template: &YamlOwned,
    parameters: &BTreeMap<String, String>,
) -> BTreeMap<String, bool> {
    let defined = at(template, &["Conditions"])
        .and_then(YamlOwned::as_mapping)
        .expect("template.yaml has Conditions");
    defined
        .iter()
        .map(|(name, condition)| {
            let name = name.as_str().expect("a condition name").to_owned();
            let value = holds(condition, template, parameters);
            (name, value)
        })
        .collect()
}

fn holds(
    condition: &YamlOwned,
    template: &YamlOwned,
    parameters: &BTreeMap<String, String>,
) -> bool {
    let operand = |node: &YamlOwned| match intrinsic(node) {
        Some(("Ref", name)) => parameter(name.as_str().expect("a name"), parameters, template),
        _ => untagged(node).as_str().expect("a text").to_owned(),
    };
    let (function, argument) = intrinsic(condition).expect("a condition function");
    let arguments = argument
        .as_sequence()
        .map(Vec::as_slice)
        .unwrap_or_default();
    match (function, arguments) {
        ("Equals", [left, right]) => operand(left) == operand(right),
        ("Not", [inner]) => !holds(inner, template, parameters),
        ("And", all) => all.iter().all(|inner| holds(inner, template, parameters)),
        ("Or", any) => any.iter().any(|inner| holds(inner, template, parameters)),
        ("Condition", _) => {
            let name = argument.as_str().expect("a condition name");
            let inner = at(template, &["Conditions", name]).expect("a defined condition");
            holds(inner, template, parameters)
        }
        other => panic!("a condition this check cannot evaluate: {other:?}"),
    }
}

/// `node` as CloudFormation creates it: each `Fn::If` replaced by its branch, and
/// `AWS::NoValue` left out. `None` when the node itself is left out.
fn as_created(node: &YamlOwned, conditions: &BTreeMap<String, bool>) -> Option<YamlOwned> {
    if let Some(("If", argument)) = intrinsic(node) {
        let [condition, then, otherwise] = argument
            .as_sequence()
            .map(Vec::as_slice)
            .unwrap_or_default()
        else {
            panic!("Fn::If takes three arguments: {argument:?}");
        };
        let name = condition.as_str().expect("a condition name");
        let chosen = conditions
            .get(name)
            .unwrap_or_else(|| panic!("no condition {name}"));
        return as_created(if *chosen { then } else { otherwise }, conditions);
    }
    if is_ref(node, "AWS::NoValue") {
        return None;
    }
    Some(match node {
        YamlOwned::Tagged(tag, inner) => {
            YamlOwned::Tagged(tag.clone(), Box::new(as_created(inner, conditions)?))
        }
        YamlOwned::Sequence(items) => YamlOwned::Sequence(
            items
                .iter()
                .filter_map(|item| as_created(item, conditions))
                .collect(),
        ),
        YamlOwned::Mapping(mapping) => YamlOwned::Mapping(
            mapping
                .iter()
                .filter_map(|(key, value)| Some((key.clone(), as_created(value, conditions)?)))
                .collect(),
        ),
        other => other.clone(),
    })
}

/// The resources a stack with these conditions creates, as created.
fn created(
    template: &YamlOwned,
    conditions: &BTreeMap<String, bool>,
) -> BTreeMap<String, YamlOwned> {
    at(template, &["Resources"])
        .and_then(YamlOwned::as_mapping)
        .expect("template.yaml has Resources")
        .iter()
        .filter(|(_, resource)| {
            text(resource, &["Condition"]).is_none_or(|condition| conditions[condition])
        })
        .map(|(id, resource)| {
            let id = id.as_str().expect("a logical id").to_owned();
            let resource = as_created(resource, conditions).expect("a resource");
            (id, resource)
        })
        .collect()
}

fn parameter_names(template: &YamlOwned, prefix: &str) -> BTreeSet<String> {
    at(template, &["Parameters"])
        .and_then(YamlOwned::as_mapping)
        .expect("template.yaml has Parameters")
        .keys()
        .filter_map(|name| name.as_str())
        .filter(|name| name.starts_with(prefix))
        .map(str::to_owned)
        .collect()
}

#[test]
fn each_choice_of_contact_centers_creates_its_own_resources_and_none_of_the_others() {
    let template = template();
    let all_parameters = parameter_names(&template, "");
    let talkdesk_parameters = parameter_names(&template, "Talkdesk");
    let connect_parameters = parameter_names(&template, "Connect");
    assert!(!talkdesk_parameters.is_empty() && !connect_parameters.is_empty());
    for choice in allowed_choices(&template) {
        let mut parameters: BTreeMap<String, String> = DEPLOYER_VALUES
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        parameters.insert("ContactCenters".to_owned(), choice.clone());
        let conditions = conditions(&template, &parameters);
        let resources = created(&template, &conditions);
        let talkdesk = choice.split(',').any(|name| name == "talkdesk");
        let connect = choice.split(',').any(|name| name == "amazon-connect");

        let mut referred = BTreeSet::new();
        for (id, resource) in &resources {
            for name in references(resource) {
                // SAM's `!Ref Api.Stage` names its API's stage.
                let name = name.split('.').next().unwrap_or_default().to_owned();
                assert!(
                    resources.contains_key(&name)
                        || all_parameters.contains(&name)
                        || name.starts_with("AWS::"),
                    "ContactCenters={choice}: {id} refers to {name}, which that stack does not create"
                );
                referred.insert(name);
            }
        }
        let uses = |names: &BTreeSet<String>| names.iter().any(|name| referred.contains(name));
        assert_eq!(
            uses(&talkdesk_parameters),
            talkdesk,
            "ContactCenters={choice}: the Talkdesk parameters are used by the stack's resources \
             exactly when Talkdesk is chosen"
        );
        assert_eq!(
            uses(&connect_parameters),
            connect,
            "ContactCenters={choice}: the Connect parameters are used by the stack's resources \
             exactly when Amazon Connect is chosen"
        );
        for (function, needed) in [
            ("AgentCallbackFunction", talkdesk),
            ("CallbackApi", talkdesk),
            ("ConnectEventsFunction", connect),
            ("ConnectChatTopic", connect),
        ] {
            assert_eq!(
                resources.contains_key(function),
                needed,
                "ContactCenters={choice}: {function}"
            );
        }
    }
}

#[test]
fn every_function_reads_the_chosen_contact_centers_from_the_environment_the_stack_gives_it() {
    let template = template();
    let reads_contact_centers = ContactCenterSettings::variables();
    for choice in allowed_choices(&template) {
        let mut stack = Stack::new(
            &template,
            "handover",
            "0a1b2c3d-0000-4000-8000-000000000000",
        );
        let mut parameters = BTreeMap::new();
        for (name, value) in DEPLOYER_VALUES
            .into_iter()
            .chain([("ContactCenters", choice.as_str())])
        {
            stack = stack.with(name, value);
            parameters.insert(name.to_owned(), value.to_owned());
        }
        let conditions = conditions(&template, &parameters);
        let expected: Vec<Provider> = choice
            .split(',')
            .map(|name| name.parse().expect("a provider name"))
            .collect();
        let mut checked = 0;
        for (id, resource) in created(&template, &conditions) {
            if text(&resource, &["Type"]) != Some("AWS::Serverless::Function") {
                continue;
            }
            let environment = at(&resource, &["Properties", "Environment", "Variables"]);
            let value = |name: &str| {
                let node = environment.and_then(|variables| at(variables, &[name]))?;
                // A resource's name or ARN is known once deployed: any text stands in for it.
                Some(
                    stack
                        .text(node)
                        .unwrap_or_else(|_| format!("deployed-{name}")),
                )
            };
            if value("CONTACT_CENTERS").is_none() {
                continue;
            }
            let settings = ContactCenterSettings::from_vars(value).unwrap_or_else(|err| {
                panic!("ContactCenters={choice}: {id} cannot read its contact centers: {err}")
            });
            let enabled: Vec<Provider> = std::iter::once(&settings.escalation)
                .chain(&settings.others)
                .map(|provider| provider.provider())
                .collect();
            assert_eq!(enabled, expected, "ContactCenters={choice}: {id}");
            for variable in &reads_contact_centers {
                let is_talkdesk = variable.name.starts_with("TALKDESK_");
                let is_connect = variable.name.starts_with("AMAZON_CONNECT_");
                let enabled = |provider| expected.contains(&provider);
                if (is_talkdesk && !enabled(Provider::Talkdesk))
                    || (is_connect && !enabled(Provider::AmazonConnect))
                {
                    assert!(
                        value(variable.name).is_none(),
                        "ContactCenters={choice}: {id} gets {}, of a contact center not chosen",
                        variable.name
                    );
                }
            }
            checked += 1;
        }
        assert!(
            checked >= 3,
            "ContactCenters={choice}: only {checked} functions read CONTACT_CENTERS (the code \
             hook, the WebSocket API and the customer relay should)"
        );
    }
}
