//! The template's alarms against the metrics the functions emit.

use handover::metrics::COUNTS;

use crate::template::{resources, template, text, untagged};

#[test]
fn every_alarm_sums_a_metric_the_functions_count_in_the_stack_s_namespace() {
    let template = template();
    let alarms = resources(&template, "AWS::CloudWatch::Alarm");
    assert!(!alarms.is_empty(), "the template has alarms");
    for (id, alarm) in alarms {
        let queries = crate::template::at(alarm, &["Properties", "Metrics"])
            .and_then(|metrics| untagged(metrics).as_sequence())
            .unwrap_or_else(|| panic!("{id} has Metrics"));
        for query in queries {
            let expression = text(query, &["Expression"])
                .unwrap_or_else(|| panic!("{id}: a metric query with an Expression"));
            let metric = expression
                .strip_prefix("SELECT SUM(")
                .and_then(|rest| rest.split_once(')'))
                .map(|(metric, _)| metric)
                .unwrap_or_else(|| panic!("{id}: {expression:?} is not SELECT SUM(<metric>)"));
            assert!(
                COUNTS.contains(&metric),
                "{id} sums {metric}, which no function counts (handover::metrics::COUNTS)"
            );
            // The functions' METRICS_NAMESPACE is the stack's name.
            assert!(
                expression.contains("FROM SCHEMA(\"${AWS::StackName}\""),
                "{id}: {expression:?} does not read the stack's namespace"
            );
        }
    }
}
