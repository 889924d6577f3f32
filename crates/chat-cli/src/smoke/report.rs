//! What the smoke test reports: each step as it finishes, with ✓ or ✗ and its time, and a
//! summary.

use std::io::Write;
use std::time::Duration;

/// One step's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepResult {
    /// What the step checks.
    pub name: &'static str,
    /// `Ok` with an optional detail, or why it failed.
    pub outcome: Result<Option<String>, String>,
    /// How long it took.
    pub elapsed: Duration,
}

impl StepResult {
    /// Whether the step passed.
    pub fn passed(&self) -> bool {
        self.outcome.is_ok()
    }
}

/// A whole run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The run's unique id, in the subject and the messages.
    pub run_id: String,
    /// The steps run, in order; the run stops at the first failure.
    pub steps: Vec<StepResult>,
    /// No agent side was configured, so only the customer's side ran.
    pub agent_skipped: bool,
}

impl Report {
    /// Whether every step ran passed (and there was at least one).
    pub fn passed(&self) -> bool {
        !self.steps.is_empty() && self.steps.iter().all(StepResult::passed)
    }

    /// The closing lines.
    pub fn summary(&self) -> String {
        let total: Duration = self.steps.iter().map(|step| step.elapsed).sum();
        let passed = self.steps.iter().filter(|step| step.passed()).count();
        let time = format!("{:.1} s", total.as_secs_f64());
        match (self.passed(), self.agent_skipped) {
            (true, false) => format!("All {passed} steps passed in {time} (run {}).", self.run_id),
            (true, true) => format!(
                "The customer's side passed: {passed} steps in {time} (run {}). The agent's side \
                 was skipped: pass --api-key (the callback API's x-api-key) to act as the agent too.",
                self.run_id
            ),
            (false, _) => format!(
                "FAILED: {passed} of {} steps passed before the failure (run {}).",
                self.steps.len(),
                self.run_id
            ),
        }
    }
}

/// Told of each step as it finishes.
pub trait Progress {
    /// A step finished.
    fn step(&mut self, step: &StepResult);
}

/// Prints each step as one line.
pub struct Printer<W> {
    out: W,
}

impl<W: Write> Printer<W> {
    /// A printer writing to `out`.
    pub fn new(out: W) -> Self {
        Self { out }
    }
}

impl<W: Write> Progress for Printer<W> {
    fn step(&mut self, step: &StepResult) {
        // A closed terminal leaves no one to tell; the exit code still says it.
        let _ = writeln!(self.out, "{}", line(step));
        let _ = self.out.flush();
    }
}

/// `✓ name: detail (12 ms)` or `✗ name (12 ms): why`.
pub fn line(step: &StepResult) -> String {
    let millis = step.elapsed.as_millis();
    match &step.outcome {
        Ok(None) => format!("✓ {} ({millis} ms)", step.name),
        Ok(Some(detail)) => format!("✓ {}: {detail} ({millis} ms)", step.name),
        Err(why) => format!("✗ {} ({millis} ms): {why}", step.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(outcome: Result<Option<String>, String>) -> StepResult {
        StepResult {
            name: "the customer sends a message",
            outcome,
            elapsed: Duration::from_millis(12),
        }
    }

    #[test]
    fn lines_show_the_mark_the_detail_and_the_time() {
        assert_eq!(
            line(&step(Ok(None))),
            "✓ the customer sends a message (12 ms)"
        );
        assert_eq!(
            line(&step(Ok(Some("1 frame".into())))),
            "✓ the customer sends a message: 1 frame (12 ms)"
        );
        assert_eq!(
            line(&step(Err("closed".into()))),
            "✗ the customer sends a message (12 ms): closed"
        );
    }

    #[test]
    fn one_failed_step_fails_the_run() {
        let mut report = Report {
            run_id: "r1".into(),
            steps: vec![step(Ok(None)), step(Ok(None))],
            agent_skipped: false,
        };
        assert!(report.passed());
        assert!(
            report.summary().starts_with("All 2 steps passed"),
            "{}",
            report.summary()
        );
        report.steps.push(step(Err("closed".into())));
        assert!(!report.passed());
        assert!(
            report.summary().starts_with("FAILED: 2 of 3"),
            "{}",
            report.summary()
        );
        report.steps.clear();
        assert!(!report.passed(), "a run with no step did not pass");
    }
}
