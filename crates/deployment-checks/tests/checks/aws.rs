//! What AWS would refuse, or silently do, with the template: throttles that drop customer
//! messages, a first deployment that fails, lost START/REPORT lines, aliases without the code
//! hook, bot names Lex refuses, callback methods without the API key.

use std::collections::BTreeSet;

use crate::intrinsics::Stack;
use crate::template::{at, intrinsic, is_ref, read, references, resources, root, template, text};
use saphyr::YamlOwned;

/// The lowest throttle a WebSocket stage or route may have (docs/deployment.md). A throttled
/// frame never reaches the function and the Lex Web UI ignores API Gateway's error frame, so a
/// limit may only be a runaway guard: 20 times the 50 requests/s that Talkdesk takes from a
/// whole account, so that it stops a runaway client and never a busy hour.
const WEBSOCKET_RATE_FLOOR: f64 = 1000.0;
const WEBSOCKET_BURST_FLOOR: i64 = 2000;

fn deployment_guide() -> String {
    read(&root().join("docs/deployment.md"))
}

fn number(node: &YamlOwned) -> Option<f64> {
    node.as_floating_point()
        .or_else(|| node.as_integer().map(|number| number as f64))
}

#[test]
fn no_websocket_stage_or_route_is_throttled_below_the_floor() {
    let template = template();
    let websocket_apis: BTreeSet<String> = resources(&template, "AWS::ApiGatewayV2::Api")
        .into_iter()
        .filter(|(_, api)| text(api, &["Properties", "ProtocolType"]) == Some("WEBSOCKET"))
        .map(|(id, _)| id)
        .collect();
    let stages: Vec<_> = resources(&template, "AWS::ApiGatewayV2::Stage")
        .into_iter()
        .filter(|(_, stage)| {
            websocket_apis
                .iter()
                .any(|api| at(stage, &["Properties", "ApiId"]).is_some_and(|id| is_ref(id, api)))
        })
        .collect();
    assert!(!stages.is_empty(), "template.yaml has no WebSocket stage");
    for (stage_id, stage) in stages {
        let mut settings = vec![(
            "DefaultRouteSettings".to_owned(),
            at(stage, &["Properties", "DefaultRouteSettings"]),
        )];
        if let Some(routes) =
            at(stage, &["Properties", "RouteSettings"]).and_then(YamlOwned::as_mapping)
        {
            settings.extend(routes.iter().map(|(route, value)| {
                (
                    format!("RouteSettings.{}", route.as_str().unwrap_or("?")),
                    Some(value),
                )
            }));
        }
        for (place, settings) in settings {
            let Some(settings) = settings else { continue };
            for (key, floor) in [
                ("ThrottlingRateLimit", WEBSOCKET_RATE_FLOOR),
                ("ThrottlingBurstLimit", WEBSOCKET_BURST_FLOOR as f64),
            ] {
                let Some(value) = at(settings, &[key]) else {
                    continue;
                };
                let value = number(value).unwrap_or_else(|| {
                    panic!(
                        "{stage_id}.{place}.{key} must be a number, so that its floor is checked"
                    )
                });
                assert!(
                    value >= floor,
                    "{stage_id}.{place}.{key} is {value}: below {floor}, API Gateway drops \
                     customer messages that the Lex Web UI never reports (docs/deployment.md)"
                );
            }
        }
    }
    let guide = deployment_guide();
    let floor = format!("{WEBSOCKET_RATE_FLOOR} requests/s (burst {WEBSOCKET_BURST_FLOOR})");
    assert!(
        guide.contains(&floor),
        "docs/deployment.md must document the WebSocket throttle floor as \"{floor}\""
    );
}

#[test]
fn api_gateways_logging_role_is_an_account_set_up_by_default() {
    let template = template();
    assert_eq!(
        text(
            &template,
            &["Parameters", "ApiGatewayCloudWatchRole", "Default"]
        ),
        Some("existing"),
        "creating the role in the stack can fail a first deployment (IAM propagation): the \
         default must be the one-time set-up that docs/deployment.md describes"
    );
    let samconfig = read(&root().join("samconfig.toml"));
    let overridden: Vec<&str> = samconfig
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#') && line.contains("ApiGatewayCloudWatchRole=create"))
        .collect();
    assert!(
        overridden.is_empty(),
        "samconfig.toml sets ApiGatewayCloudWatchRole=create: {overridden:?}"
    );
    let guide = deployment_guide();
    for needed in [
        "One-time account set-up",
        "aws apigateway update-account",
        "cloudwatchRoleArn",
    ] {
        assert!(
            guide.contains(needed),
            "docs/deployment.md must describe setting API Gateway's CloudWatch Logs role \
             (missing {needed:?})"
        );
    }
}

#[test]
fn every_function_keeps_lambdas_start_and_report_lines() {
    let template = template();
    let globals = at(&template, &["Globals", "Function", "LoggingConfig"]);
    let functions = resources(&template, "AWS::Serverless::Function");
    assert!(!functions.is_empty(), "template.yaml has no function");
    for (id, function) in functions {
        let setting = |key: &str| {
            text(function, &["Properties", "LoggingConfig", key])
                .or_else(|| globals.and_then(|globals| text(globals, &[key])))
        };
        // Without JSON there are no log levels: Lambda's own lines are always kept.
        if setting("LogFormat") != Some("JSON") {
            continue;
        }
        let level = setting("SystemLogLevel");
        assert!(
            matches!(level, Some("INFO" | "DEBUG")),
            "{id}: SystemLogLevel {level:?} drops Lambda's START and REPORT lines (duration, \
             init duration, memory used); use INFO"
        );
    }
}

/// `!GetAtt X.Arn` or `!GetAtt [X, Arn]`: X.
fn arn_of(node: &YamlOwned) -> Option<String> {
    match intrinsic(node)? {
        ("GetAtt", argument) => match argument.as_sequence().map(Vec::as_slice) {
            Some([resource, attribute]) if attribute.as_str() == Some("Arn") => {
                resource.as_str().map(str::to_owned)
            }
            Some(_) => None,
            None => argument.as_str()?.strip_suffix(".Arn").map(str::to_owned),
        },
        _ => None,
    }
}

#[test]
fn every_bot_alias_calls_the_code_hook_and_may_invoke_it() {
    let template = template();
    let bots = resources(&template, "AWS::Lex::Bot");
    assert!(!bots.is_empty(), "template.yaml has no Lex bot");
    let permissions = resources(&template, "AWS::Lambda::Permission");
    for (bot_id, bot) in bots {
        let locales: BTreeSet<&str> = at(bot, &["Properties", "BotLocales"])
            .and_then(YamlOwned::as_sequence)
            .into_iter()
            .flatten()
            .filter_map(|locale| text(locale, &["LocaleId"]))
            .collect();
        assert!(!locales.is_empty(), "{bot_id} has no locale");

        // Each alias: a name, its settings, and its resource (none for the test alias, whose
        // ARN the permission builds from the bot's id).
        let test_alias_arn = format!(
            "arn:${{AWS::Partition}}:lex:${{AWS::Region}}:${{AWS::AccountId}}:bot-alias/${{{bot_id}}}/TSTALIASID"
        );
        let is_test_alias_arn = |arn: &YamlOwned| match intrinsic(arn) {
            Some(("Sub", format)) => format.as_str() == Some(test_alias_arn.as_str()),
            _ => false,
        };
        let mut aliases = vec![(
            format!("{bot_id}.TestBotAliasSettings"),
            at(bot, &["Properties", "TestBotAliasSettings"]),
            None,
        )];
        for (alias_id, alias) in resources(&template, "AWS::Lex::BotAlias") {
            if at(alias, &["Properties", "BotId"]).is_some_and(|id| is_ref(id, &bot_id)) {
                aliases.push((alias_id.clone(), at(alias, &["Properties"]), Some(alias_id)));
            }
        }
        assert!(
            aliases.len() > 1,
            "{bot_id} has no alias besides the test alias"
        );

        let mut hooks = BTreeSet::new();
        for (alias, settings, resource) in aliases {
            let settings = settings.unwrap_or_else(|| {
                panic!("{alias} is missing: without it the alias calls no code hook")
            });
            for locale in &locales {
                let setting = at(settings, &["BotAliasLocaleSettings"])
                    .and_then(YamlOwned::as_sequence)
                    .into_iter()
                    .flatten()
                    .find(|setting| text(setting, &["LocaleId"]) == Some(locale))
                    .and_then(|setting| at(setting, &["BotAliasLocaleSetting"]))
                    .unwrap_or_else(|| panic!("{alias} has no settings for the locale {locale}"));
                assert_eq!(
                    at(setting, &["Enabled"]).and_then(YamlOwned::as_bool),
                    Some(true),
                    "{alias}: locale {locale} is not enabled"
                );
                let hook = at(setting, &["CodeHookSpecification", "LambdaCodeHook"])
                    .unwrap_or_else(|| panic!("{alias}: locale {locale} calls no code hook"));
                assert_eq!(
                    text(hook, &["CodeHookInterfaceVersion"]),
                    Some("1.0"),
                    "{alias}: CodeHookInterfaceVersion"
                );
                let function = at(hook, &["LambdaArn"])
                    .and_then(arn_of)
                    .unwrap_or_else(|| panic!("{alias}: LambdaArn must be !GetAtt <function>.Arn"));
                assert_eq!(
                    at(&template, &["Resources", &function, "Type"]).and_then(YamlOwned::as_str),
                    Some("AWS::Serverless::Function"),
                    "{alias}: {function} is not a function of the template"
                );
                hooks.insert(function.clone());

                let allowed = permissions.values().any(|permission| {
                    let property = |key: &str| at(permission, &["Properties", key]);
                    let names_function = property("FunctionName").is_some_and(|name| {
                        is_ref(name, &function)
                            || arn_of(name).as_deref() == Some(function.as_str())
                    });
                    let from_alias = property("SourceArn").is_some_and(|arn| match &resource {
                        Some(alias_id) => arn_of(arn).as_deref() == Some(alias_id.as_str()),
                        None => is_test_alias_arn(arn),
                    });
                    let text = |key: &str| text(permission, &["Properties", key]);
                    names_function
                        && from_alias
                        && text("Principal") == Some("lexv2.amazonaws.com")
                        && text("Action") == Some("lambda:InvokeFunction")
                });
                assert!(
                    allowed,
                    "no AWS::Lambda::Permission lets {alias} (lexv2.amazonaws.com) invoke \
                     {function}"
                );
            }
        }
        assert_eq!(
            hooks.len(),
            1,
            "{bot_id}'s aliases call different code hooks: {hooks:?}"
        );

        // The hook escalates on the intent its ESCALATION_INTENT names: it must be the bot's,
        // with the fulfillment hook on, in every locale.
        let function = hooks.first().expect("one hook");
        let escalation = text(
            &template,
            &[
                "Resources",
                function,
                "Properties",
                "Environment",
                "Variables",
                "ESCALATION_INTENT",
            ],
        );
        if let Some(escalation) = escalation {
            for locale in at(bot, &["Properties", "BotLocales"])
                .and_then(YamlOwned::as_sequence)
                .into_iter()
                .flatten()
            {
                let fulfilled = at(locale, &["Intents"])
                    .and_then(YamlOwned::as_sequence)
                    .into_iter()
                    .flatten()
                    .find(|intent| text(intent, &["Name"]) == Some(escalation))
                    .and_then(|intent| at(intent, &["FulfillmentCodeHook", "Enabled"]))
                    .and_then(YamlOwned::as_bool);
                assert_eq!(
                    fulfilled,
                    Some(true),
                    "{bot_id}: ESCALATION_INTENT {escalation} must be an intent of every locale, \
                     with its fulfillment code hook enabled"
                );
            }
        }
    }
}

/// Lex V2's bot name rule: `^([0-9a-zA-Z][_-]?)+$`, 1 to 100 characters.
fn is_lex_bot_name(name: &str) -> bool {
    let separator = |c: char| c == '-' || c == '_';
    (1..=100).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || separator(c))
        && !name.contains("--")
        && !name.contains("__")
        && !name.contains("-_")
        && !name.contains("_-")
}

#[test]
fn the_bot_name_fits_lexs_rule_whatever_the_stack_name() {
    // Stack names are a letter, then letters, digits and "-", up to 128 characters.
    let awkward = [
        "a".to_owned(),
        "lex-handover-dev".to_owned(),
        "Handover--Prod".to_owned(),
        "trailing-".to_owned(),
        "a".repeat(128),
        "a-".repeat(64),
    ];
    assert!(
        awkward
            .iter()
            .any(|stack| !is_lex_bot_name(&format!("{stack}-handover"))),
        "the sample stack names must include ones that Lex refuses in a bot name"
    );
    let template = template();
    let bots = resources(&template, "AWS::Lex::Bot");
    assert!(!bots.is_empty(), "template.yaml has no Lex bot");
    for (bot_id, bot) in bots {
        let name = at(bot, &["Properties", "Name"]).expect("the bot's Name");
        for stack in &awkward {
            for uuid in [
                "0a1b2c3d-1111-4222-8333-444455556666",
                "ffffffff-0000-4000-8000-000000000000",
            ] {
                let evaluated = Stack::new(&template, stack, uuid)
                    .text(name)
                    .unwrap_or_else(|err| {
                        panic!(
                            "{bot_id}: Name must be built from the stack and parameters only: {err}"
                        )
                    });
                assert!(
                    is_lex_bot_name(&evaluated),
                    "{bot_id}: in the stack {stack:?}, Name would be {evaluated:?}, which Lex \
                     refuses (^([0-9a-zA-Z][_-]?)+$, at most 100 characters)"
                );
            }
        }
    }
}

#[test]
fn every_callback_method_requires_the_api_key_of_a_usage_plan() {
    let template = template();
    let apis = resources(&template, "AWS::Serverless::Api");
    assert!(
        !apis.is_empty(),
        "template.yaml has no AWS::Serverless::Api"
    );
    for (api_id, api) in apis {
        assert_eq!(
            at(api, &["Properties", "Auth", "ApiKeyRequired"]).and_then(YamlOwned::as_bool),
            Some(true),
            "{api_id}: Auth.ApiKeyRequired must be true for every method"
        );
        let mut methods = 0;
        for (function_id, function) in resources(&template, "AWS::Serverless::Function") {
            let events = at(function, &["Properties", "Events"]).and_then(YamlOwned::as_mapping);
            for (event, definition) in events.into_iter().flatten() {
                let on_api = text(definition, &["Type"]) == Some("Api")
                    && at(definition, &["Properties", "RestApiId"])
                        .is_some_and(|id| is_ref(id, &api_id));
                if !on_api {
                    continue;
                }
                methods += 1;
                assert_ne!(
                    at(definition, &["Properties", "Auth", "ApiKeyRequired"])
                        .and_then(YamlOwned::as_bool),
                    Some(false),
                    "{function_id}.{}: a method without the API key",
                    event.as_str().unwrap_or("?")
                );
            }
        }
        assert!(methods > 0, "no function event is on {api_id}");

        // A required key is only accepted through a usage plan of the API's stage.
        let plans: Vec<String> = resources(&template, "AWS::ApiGateway::UsagePlan")
            .into_iter()
            .filter(|(_, plan)| {
                at(plan, &["Properties", "ApiStages"])
                    .and_then(YamlOwned::as_sequence)
                    .into_iter()
                    .flatten()
                    .any(|stage| at(stage, &["ApiId"]).is_some_and(|id| is_ref(id, &api_id)))
            })
            .map(|(id, _)| id)
            .collect();
        let keyed = resources(&template, "AWS::ApiGateway::UsagePlanKey")
            .into_values()
            .any(|key| {
                let plan = at(key, &["Properties", "UsagePlanId"])
                    .map(references)
                    .unwrap_or_default();
                plans.iter().any(|id| plan.contains(id))
            });
        assert!(
            keyed,
            "{api_id}: no usage plan of its stage has an API key, so API Gateway refuses every key"
        );
    }
}

/// The callback's answer tables, in `docs/agent-callback.md` and in `schemas/talkdesk/`, say what a caller
/// gets through API Gateway, which answers before the function.
#[test]
fn the_documented_callback_answers_are_what_api_gateway_returns() {
    let documents = [
        (
            "docs/agent-callback.md",
            read(&root().join("docs/agent-callback.md")),
        ),
        (
            "schemas/talkdesk/README.md",
            read(&root().join("schemas/talkdesk/README.md")),
        ),
    ];
    let gateway = [
        ("403", r#"{"message":"Forbidden"}"#),
        ("403", r#"{"message":"Missing Authentication Token"}"#),
        ("429", r#"{"message":"Too Many Requests"}"#),
        ("502", r#"{"message":"Internal server error"}"#),
        ("504", r#"{"message":"Endpoint request timed out"}"#),
    ];
    // Behind API Gateway the function never gives these: documented only as defence in depth.
    let function_only = ["missing_api_key", "\"not_found\"", "method_not_allowed"];
    for (document, text) in documents {
        let rows: Vec<&str> = text.lines().filter(|line| line.starts_with('|')).collect();
        for (status, body) in gateway {
            assert!(
                rows.iter()
                    .any(|row| row.contains(status) && row.contains(body)),
                "{document}: no answer row says API Gateway's {status} {body}"
            );
        }
        let depth = text.find("defence in depth").unwrap_or(text.len());
        for refusal in function_only {
            let promised = text.match_indices(refusal).any(|(at, _)| {
                at < depth
                    && text[..at]
                        .rsplit('\n')
                        .next()
                        .is_some_and(|line| line.starts_with('|'))
            });
            assert!(
                !promised,
                "{document}: {refusal} is in an answer table, but API Gateway answers those \
                 requests first; document it as defence in depth"
            );
        }
    }
}

#[test]
fn no_conversation_lifetime_the_template_accepts_is_shorter_than_a_reference() {
    let template = template();
    let minimum = at(
        &template,
        &["Parameters", "ConversationTtlSeconds", "MinValue"],
    )
    .and_then(number)
    .expect("ConversationTtlSeconds has a MinValue");
    let reference = handover::escalation::REFERENCE_TTL_SECONDS;
    let reference_lifetime = reference
        .default()
        .and_then(|default| default.parse::<f64>().ok())
        .expect("the reference lifetime has a numeric default");
    let functions = crate::workspace::functions(&template);
    let overridden: Vec<_> = functions
        .iter()
        .filter(|(_, function)| function.variables.contains(reference.name))
        .map(|(id, _)| id.clone())
        .collect();
    assert!(
        overridden.is_empty(),
        "{overridden:?} set {}: bound ConversationTtlSeconds by it instead",
        reference.name
    );
    assert!(
        minimum >= reference_lifetime,
        "ConversationTtlSeconds may be {minimum} s, shorter than a reference's \
         {reference_lifetime} s: the code hook would refuse to start, and a customer could hold \
         a reference to a conversation already deleted"
    );
}
