//! A stack update does what the deployment guide says: route and bot changes reach the stage and the
//! alias, and rotating the callback API key changes it everywhere at once.

use std::collections::BTreeSet;

use crate::intrinsics::Stack;
use crate::template::{
    at, digest, intrinsic, is_ref, references, resource, resources, template, text, without_digest,
};
use saphyr::YamlOwned;

/// What a WebSocket deployment snapshots: the API and these resources of it (not its stages,
/// deployments or domain mappings).
const DEPLOYED_WITH_THE_API: [&str; 6] = [
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::RouteResponse",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::IntegrationResponse",
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::ApiGatewayV2::Model",
];

/// The logical ids of `api` and of everything a deployment of it snapshots.
fn websocket_definition(template: &YamlOwned, api: &str) -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = DEPLOYED_WITH_THE_API
        .iter()
        .flat_map(|kind| resources(template, kind))
        .filter(|(_, resource)| {
            at(resource, &["Properties", "ApiId"]).is_some_and(|id| is_ref(id, api))
        })
        .map(|(id, _)| id)
        .collect();
    ids.insert(api.to_owned());
    ids
}

fn websocket_apis(template: &YamlOwned) -> Vec<String> {
    let apis: Vec<String> = resources(template, "AWS::ApiGatewayV2::Api")
        .into_iter()
        .filter(|(_, api)| text(api, &["Properties", "ProtocolType"]) == Some("WEBSOCKET"))
        .map(|(id, _)| id)
        .collect();
    assert!(!apis.is_empty(), "template.yaml has no WebSocket API");
    apis
}

/// The resources of `kind` whose `property` is `!Ref target`.
fn attached<'a>(
    template: &'a YamlOwned,
    kind: &str,
    property: &str,
    target: &str,
) -> Vec<(String, &'a YamlOwned)> {
    resources(template, kind)
        .into_iter()
        .filter(|(_, resource)| {
            at(resource, &["Properties", property]).is_some_and(|value| is_ref(value, target))
        })
        .collect()
}

/// Template parameters that `ids` refer to: a new value changes them on AWS but not the digest.
fn parameters_used(template: &YamlOwned, ids: &BTreeSet<String>) -> BTreeSet<String> {
    let parameters: BTreeSet<String> = at(template, &["Parameters"])
        .and_then(YamlOwned::as_mapping)
        .into_iter()
        .flatten()
        .filter_map(|(name, _)| name.as_str().map(str::to_owned))
        .collect();
    ids.iter()
        .flat_map(|id| references(resource(template, id).expect("a resource")))
        .filter(|name| parameters.contains(name))
        .collect()
}

/// A snapshot resource's logical id must end with the digest of what it snapshots.
fn assert_named_by_digest(id: &str, expected_digest: &str, what: &str, referrers: &str) {
    let expected = format!("{}{expected_digest}", without_digest(id));
    assert_eq!(
        id, expected,
        "{what} changed, but {id} did not: CloudFormation would keep the old snapshot. Rename \
         {id} to {expected} (and {referrers}) so that the update creates a new one"
    );
}

#[test]
fn every_change_to_the_websocket_routes_gets_a_new_deployment() {
    let template = template();
    for api in websocket_apis(&template) {
        let definition = websocket_definition(&template, &api);
        let routes: BTreeSet<String> =
            attached(&template, "AWS::ApiGatewayV2::Route", "ApiId", &api)
                .into_iter()
                .map(|(id, _)| id)
                .collect();
        assert!(!routes.is_empty(), "{api} has no routes");
        let used = parameters_used(&template, &definition);
        assert!(
            used.is_empty(),
            "{api}'s routes, integrations or the API itself use the parameters {used:?}: a new \
             value would change them without a new deployment"
        );

        let deployments = attached(&template, "AWS::ApiGatewayV2::Deployment", "ApiId", &api);
        let [(deployment_id, deployment)] = deployments.as_slice() else {
            panic!(
                "{api} needs exactly one AWS::ApiGatewayV2::Deployment, found {}",
                deployments.len()
            );
        };
        let depends_on: BTreeSet<String> = match at(deployment, &["DependsOn"]) {
            Some(YamlOwned::Sequence(items)) => items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect(),
            Some(item) => item.as_str().map(str::to_owned).into_iter().collect(),
            None => BTreeSet::new(),
        };
        let missing: Vec<_> = routes.difference(&depends_on).collect();
        assert!(
            missing.is_empty(),
            "{deployment_id} must DependsOn every route, or it may snapshot the API before \
             {missing:?} exist"
        );
        assert_named_by_digest(
            deployment_id,
            &digest(&template, &definition),
            &format!("{api}'s definition ({definition:?})"),
            "the stage's DeploymentId",
        );

        let stages = attached(&template, "AWS::ApiGatewayV2::Stage", "ApiId", &api);
        assert!(!stages.is_empty(), "{api} has no stage");
        for (stage_id, stage) in stages {
            assert!(
                at(stage, &["Properties", "DeploymentId"])
                    .is_some_and(|id| is_ref(id, deployment_id)),
                "{stage_id}: DeploymentId must be !Ref {deployment_id}"
            );
            assert_ne!(
                at(stage, &["Properties", "AutoDeploy"]).and_then(YamlOwned::as_bool),
                Some(true),
                "{stage_id}: AutoDeploy would deploy besides {deployment_id}, outside \
                 CloudFormation's control"
            );
        }
    }
}

#[test]
fn every_change_to_the_bot_gets_a_new_version_for_every_alias() {
    let template = template();
    let bots = resources(&template, "AWS::Lex::Bot");
    assert!(!bots.is_empty(), "template.yaml has no Lex bot");
    for bot_id in bots.keys() {
        let definition = BTreeSet::from([bot_id.clone()]);
        let used = parameters_used(&template, &definition);
        assert!(
            used.is_empty(),
            "{bot_id} uses the parameters {used:?}: a new value would change its DRAFT without \
             a new version, so its aliases would keep the old bot"
        );
        let versions = attached(&template, "AWS::Lex::BotVersion", "BotId", bot_id);
        let [(version_id, version)] = versions.as_slice() else {
            panic!(
                "{bot_id} needs exactly one AWS::Lex::BotVersion, found {}",
                versions.len()
            );
        };
        let sources: Vec<_> = at(version, &["Properties", "BotVersionLocaleSpecification"])
            .and_then(YamlOwned::as_sequence)
            .into_iter()
            .flatten()
            .map(|locale| text(locale, &["BotVersionLocaleDetails", "SourceBotVersion"]))
            .collect();
        assert!(
            !sources.is_empty() && sources.iter().all(|source| *source == Some("DRAFT")),
            "{version_id} must snapshot the DRAFT that the template defines, in every locale"
        );
        assert_named_by_digest(
            version_id,
            &digest(&template, &definition),
            &format!("{bot_id}'s definition"),
            "every alias's BotVersion",
        );

        let aliases = attached(&template, "AWS::Lex::BotAlias", "BotId", bot_id);
        assert!(!aliases.is_empty(), "{bot_id} has no alias");
        for (alias_id, alias) in aliases {
            let version = at(alias, &["Properties", "BotVersion"]).and_then(intrinsic);
            let target = match version {
                Some(("GetAtt", argument)) => argument.as_str().map(str::to_owned).or_else(|| {
                    let parts = argument.as_sequence()?;
                    Some(format!(
                        "{}.{}",
                        parts.first()?.as_str()?,
                        parts.get(1)?.as_str()?
                    ))
                }),
                _ => None,
            };
            assert_eq!(
                target.as_deref(),
                Some(format!("{version_id}.BotVersion").as_str()),
                "{alias_id}: BotVersion must be !GetAtt {version_id}.BotVersion"
            );
        }
    }
}

/// The digests above must notice a changed route and an added resource.
#[test]
fn the_digest_changes_with_the_definition() {
    let template = template();
    let api = websocket_apis(&template).remove(0);
    let definition = websocket_definition(&template, &api);
    let before = digest(&template, &definition);

    let route = attached(&template, "AWS::ApiGatewayV2::Route", "ApiId", &api)
        .remove(0)
        .0;
    let mut changed = template.clone();
    let route_key = changed
        .as_mapping_get_mut("Resources")
        .and_then(|resources| resources.as_mapping_get_mut(&route))
        .and_then(|route| route.as_mapping_get_mut("Properties"))
        .and_then(|properties| properties.as_mapping_get_mut("RouteKey"))
        .expect("a route's RouteKey");
    *route_key = YamlOwned::Value(saphyr::ScalarOwned::String("renamed".to_owned()));
    assert_ne!(
        digest(&changed, &definition),
        before,
        "renaming {route}'s RouteKey must change the digest"
    );

    let mut added = definition.clone();
    added.insert(
        resources(&template, "AWS::Logs::LogGroup")
            .into_keys()
            .next()
            .expect("a log group"),
    );
    assert_ne!(
        digest(&template, &added),
        before,
        "a new resource must change the digest"
    );
}

#[test]
fn rotating_the_callback_key_replaces_the_secret_and_the_gateway_key_together() {
    let template = template();
    let generation = "CallbackApiKeyGeneration";
    assert_eq!(
        text(&template, &["Parameters", generation, "Type"]),
        Some("Number"),
        "the parameter {generation} rotates the callback API key"
    );

    let keys = resources(&template, "AWS::ApiGateway::ApiKey");
    assert!(!keys.is_empty(), "template.yaml has no API Gateway API key");
    for (key_id, key) in keys {
        // The value comes from a secret, read when the key is created (Value is create-only).
        let value = at(key, &["Properties", "Value"]).expect("the key's Value");
        let secret_id = match intrinsic(value) {
            Some(("Sub", format)) => format.as_str().and_then(|format| {
                format
                    .strip_prefix("{{resolve:secretsmanager:${")?
                    .strip_suffix("}:SecretString}}")
                    .map(str::to_owned)
            }),
            _ => None,
        }
        .unwrap_or_else(|| {
            panic!(
                "{key_id}: Value must be !Sub \"{{{{resolve:secretsmanager:${{<secret>}}:SecretString}}}}\", \
                 so that the key's value is the secret's and a new secret replaces the key"
            )
        });
        let secret = resource(&template, &secret_id)
            .filter(|secret| text(secret, &["Type"]) == Some("AWS::SecretsManager::Secret"))
            .unwrap_or_else(|| panic!("{key_id}'s value must come from a secret of this stack"));

        // A new generation renames the secret (Name is create-only): a new secret, a new value.
        let name = at(secret, &["Properties", "Name"])
            .unwrap_or_else(|| panic!("{secret_id} needs a Name that follows {generation}"));
        let uuid = "0a1b2c3d-1111-4222-8333-444455556666";
        let name_now = Stack::new(&template, "lex-handover-dev", uuid)
            .text(name)
            .expect("the secret's name");
        let name_next = Stack::new(&template, "lex-handover-dev", uuid)
            .with(generation, "2")
            .text(name)
            .expect("the secret's name");
        assert_ne!(
            name_now, name_next,
            "{secret_id}: a new {generation} must rename (so replace) the secret"
        );
        let redeployed = Stack::new(
            &template,
            "lex-handover-dev",
            "99999999-1111-4222-8333-444455556666",
        )
        .text(name)
        .expect("the secret's name");
        assert_ne!(
            name_now, redeployed,
            "{secret_id}: a stack deployed again under the same name must not reuse the name \
             that Secrets Manager keeps for the deleted one's recovery window"
        );
        for name in [&name_now, &name_next] {
            assert!(
                name.len() <= 512
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c)),
                "{secret_id}: {name:?} is not a valid secret name"
            );
        }

        // The function reads the same secret, so a new one also gives it a new environment.
        let readers: Vec<String> = resources(&template, "AWS::Serverless::Function")
            .into_iter()
            .filter(|(_, function)| {
                at(function, &["Properties", "Environment", "Variables"])
                    .and_then(YamlOwned::as_mapping)
                    .is_some_and(|variables| {
                        variables.values().any(|value| is_ref(value, &secret_id))
                    })
            })
            .map(|(id, _)| id)
            .collect();
        assert!(
            !readers.is_empty(),
            "no function is given !Ref {secret_id}: the callback must check the key it names"
        );

        // Secrets Manager rotating it alone would leave API Gateway on the old value.
        let rotations = attached(
            &template,
            "AWS::SecretsManager::RotationSchedule",
            "SecretId",
            &secret_id,
        );
        assert!(
            rotations.is_empty(),
            "{secret_id} must not be rotated by Secrets Manager: {key_id} would keep the old value"
        );
    }
}
