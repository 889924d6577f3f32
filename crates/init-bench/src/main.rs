//! The cold start benchmark (`scripts/bench-init`): starts every Lambda binary as AWS Lambda
//! would, behind a Lambda Runtime API emulator on 127.0.0.1, hands it one sample event from
//! `events/` and kills it, round after round with the order rotated, and prints per binary the
//! median (min–max) of:
//!
//! - init: process start to its first `GET .../runtime/invocation/next`;
//! - cold start: process start to its first answer (`.../response` or `.../error`);
//! - peak RSS (`VmHWM`, read just before the kill), how much of the resident set is mapped
//!   from files (`RssFile`: the binary and libraries) at that moment, and the binary's size.
//!
//! The baseline is `echo-lambda`, a bare `lambda_runtime` function built with the same profile.
//! The functions' AWS SDK calls go to the AWS emulator at `AWS_ENDPOINT_URL` (which must be on
//! loopback, with the table, queues and callback key secret that `scripts/bench-init` creates),
//! their Talkdesk calls to a fake served here. It is a benchmark: it fails only when a binary
//! cannot be measured, never on a figure.
//!
//! Usage: `init-bench [ROUNDS]` (15 by default), from the directory holding the binaries.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::net::TcpListener;

const DEFAULT_ROUNDS: usize = 15;
/// Longer than any of the functions needs against local fakes: a binary that has not answered
/// by then is stuck, not slow. Its init still counts; its cold start is reported as missing.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);
/// The invocation's deadline as the runtime sees it: Lambda's default function timeout.
const INVOCATION_DEADLINE: Duration = Duration::from_secs(3);
const POLL_INTERVAL: Duration = Duration::from_millis(2);
const BASELINE: &str = "echo-lambda";
/// The goal the ratio is checked against: no function's init above 1.5 times the baseline's.
const INIT_GOAL_RATIO: f64 = 1.5;
const REGION: &str = "us-east-1";
const ACCOUNT: &str = "123456789012";
/// The names `scripts/bench-init` creates in the AWS emulator.
const TABLE: &str = "init-bench-conversations";
const CALLBACK_API_KEY_SECRET: &str = "init-bench/callback-api-key";
const KEEP_ALIVE_QUEUE: &str = "init-bench-keep-alive";
const CUSTOMER_MESSAGE_QUEUE: &str = "init-bench-customer-messages.fifo";
/// Named but never read by the sample events: reading a secret is not part of init.
const TALKDESK_CLIENT_SECRET: &str = "init-bench/talkdesk-client";
const TALKDESK_TOUCHPOINT_SECRET: &str = "init-bench/talkdesk-touchpoint";
const REFERENCE_KEY_SECRET: &str = "init-bench/reference-key";

/// A binary measured, and the sample event it is handed.
struct Binary {
    name: &'static str,
    event: &'static str,
}

const BINARIES: [Binary; 7] = [
    Binary {
        name: BASELINE,
        event: "lex-dialog-hook.json",
    },
    Binary {
        name: "lex-fulfillment",
        event: "lex-dialog-hook.json",
    },
    Binary {
        name: "websocket",
        event: "websocket-message.json",
    },
    Binary {
        name: "agent-callback",
        event: "callback-message-created.json",
    },
    Binary {
        name: "customer-relay",
        event: "customer-relay.json",
    },
    Binary {
        name: "keep-alive",
        event: "keep-alive.json",
    },
    Binary {
        name: "connect-events",
        event: "connect-agent-message.json",
    },
];

/// Where the functions' dependencies are, all on loopback.
struct Endpoints {
    aws: String,
    talkdesk: String,
}

impl Endpoints {
    /// The environment Lambda gives every function, then the one `binary` gets from
    /// template.yaml (with Talkdesk as the contact center, and Amazon Connect for
    /// connect-events), pointed at the local fakes.
    fn environment(&self, binary: &str, runtime_api: &str) -> Vec<(&'static str, String)> {
        let queue_url = |name: &str| format!("{}/{ACCOUNT}/{name}", self.aws);
        let mut variables = vec![
            ("AWS_LAMBDA_RUNTIME_API", runtime_api.to_owned()),
            ("AWS_LAMBDA_FUNCTION_NAME", binary.to_owned()),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128".to_owned()),
            ("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{binary}")),
            ("AWS_LAMBDA_LOG_STREAM_NAME", "init-bench".to_owned()),
            ("AWS_REGION", REGION.to_owned()),
            ("AWS_DEFAULT_REGION", REGION.to_owned()),
            ("AWS_ACCESS_KEY_ID", "test".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
            ("AWS_SESSION_TOKEN", "test".to_owned()),
            ("AWS_ENDPOINT_URL", self.aws.clone()),
            // Nothing of the machine's own AWS configuration, and no instance metadata.
            ("AWS_CONFIG_FILE", "/dev/null".to_owned()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".to_owned()),
            ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
            ("PATH", "/usr/bin:/bin".to_owned()),
            ("LANG", "en_US.UTF-8".to_owned()),
            ("TZ", ":UTC".to_owned()),
        ];
        if binary == BASELINE {
            return variables;
        }
        variables.extend([
            ("CONVERSATION_TABLE", TABLE.to_owned()),
            ("METRICS_NAMESPACE", "InitBench".to_owned()),
        ]);
        let talkdesk = [
            ("CONTACT_CENTERS", "talkdesk".to_owned()),
            ("TALKDESK_OAUTH_BASE", self.talkdesk.clone()),
            ("TALKDESK_API_BASE", self.talkdesk.clone()),
            ("TALKDESK_CLIENT_SECRET", TALKDESK_CLIENT_SECRET.to_owned()),
        ];
        let connections = ("CONNECTIONS_ENDPOINT", self.aws.clone());
        match binary {
            "lex-fulfillment" => {
                variables.extend(talkdesk);
                variables.extend([
                    (
                        "TALKDESK_TOUCHPOINT_SECRET",
                        TALKDESK_TOUCHPOINT_SECRET.to_owned(),
                    ),
                    ("REFERENCE_KEY_SECRET", REFERENCE_KEY_SECRET.to_owned()),
                    ("ESCALATION_INTENT", "TalkToAgent".to_owned()),
                ]);
            }
            "websocket" => {
                variables.extend(talkdesk);
                variables.extend([
                    ("REFERENCE_KEY_SECRET", REFERENCE_KEY_SECRET.to_owned()),
                    connections,
                    ("KEEP_ALIVE_QUEUE_URL", queue_url(KEEP_ALIVE_QUEUE)),
                    (
                        "CUSTOMER_MESSAGE_QUEUE_URL",
                        queue_url(CUSTOMER_MESSAGE_QUEUE),
                    ),
                ]);
            }
            "customer-relay" => {
                variables.extend(talkdesk);
                variables.push(connections);
            }
            "agent-callback" => variables.extend([
                connections,
                (
                    "CALLBACK_API_KEY_SECRET",
                    CALLBACK_API_KEY_SECRET.to_owned(),
                ),
            ]),
            "keep-alive" => variables.extend([
                connections,
                ("KEEP_ALIVE_QUEUE_URL", queue_url(KEEP_ALIVE_QUEUE)),
            ]),
            "connect-events" => variables.extend([
                connections,
                (
                    "AMAZON_CONNECT_INSTANCE_ID",
                    "init-bench-instance".to_owned(),
                ),
                (
                    "AMAZON_CONNECT_CONTACT_FLOW_ID",
                    "init-bench-flow".to_owned(),
                ),
                (
                    "AMAZON_CONNECT_STREAMING_TOPIC_ARN",
                    format!("arn:aws:sns:{REGION}:{ACCOUNT}:init-bench-chat-events"),
                ),
            ]),
            other => unreachable!("{other} is not in BINARIES"),
        }
        variables
    }
}

/// How the binary answered its event.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    Response,
    Error,
}

/// What the Runtime API has seen of the process being measured.
#[derive(Default)]
struct Invocation {
    function_name: String,
    request_id: String,
    /// Taken by the first `next`: one event per process, as for a cold start.
    event: Option<Bytes>,
    first_next: Option<Instant>,
    answer: Option<(Instant, Answer)>,
    /// The `errorType` of an answer that was an error, for the report.
    error_type: Option<String>,
    init_error: Option<String>,
}

struct RuntimeApi {
    current: Mutex<Invocation>,
}

impl RuntimeApi {
    fn current(&self) -> MutexGuard<'_, Invocation> {
        self.current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn answer(&self, request_id: &str, answer: Answer, body: &Bytes) {
        let arrived = Instant::now();
        let mut current = self.current();
        if current.request_id == request_id && current.answer.is_none() {
            current.answer = Some((arrived, answer));
            if answer == Answer::Error {
                current.error_type = error_field(body, "errorType");
            }
        }
    }
}

/// A field of a Runtime API error body (`{"errorType": ..., "errorMessage": ...}`).
fn error_field(body: &Bytes, field: &str) -> Option<String> {
    let error: Value = serde_json::from_slice(body).ok()?;
    error.get(field)?.as_str().map(str::to_owned)
}

async fn next_invocation(State(api): State<Arc<RuntimeApi>>) -> Response {
    let arrived = Instant::now();
    let handed = {
        let mut current = api.current();
        current.first_next.get_or_insert(arrived);
        let event = current.event.take();
        event.map(|event| {
            (
                current.request_id.clone(),
                current.function_name.clone(),
                event,
            )
        })
    };
    let Some((request_id, function_name, event)) = handed else {
        // After its one event the process waits here, as between invocations, until killed.
        return std::future::pending().await;
    };
    let deadline = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        + INVOCATION_DEADLINE;
    (
        [
            ("content-type", "application/json".to_owned()),
            ("lambda-runtime-aws-request-id", request_id),
            (
                "lambda-runtime-deadline-ms",
                deadline.as_millis().to_string(),
            ),
            (
                "lambda-runtime-invoked-function-arn",
                format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function_name}"),
            ),
            (
                "lambda-runtime-trace-id",
                "Root=1-00000000-000000000000000000000000;Sampled=0".to_owned(),
            ),
        ],
        event,
    )
        .into_response()
}

async fn invocation_response(
    State(api): State<Arc<RuntimeApi>>,
    UrlPath(request_id): UrlPath<String>,
    body: Bytes,
) -> StatusCode {
    api.answer(&request_id, Answer::Response, &body);
    StatusCode::ACCEPTED
}

async fn invocation_error(
    State(api): State<Arc<RuntimeApi>>,
    UrlPath(request_id): UrlPath<String>,
    body: Bytes,
) -> StatusCode {
    api.answer(&request_id, Answer::Error, &body);
    StatusCode::ACCEPTED
}

async fn init_error(State(api): State<Arc<RuntimeApi>>, body: Bytes) -> StatusCode {
    let message = error_field(&body, "errorMessage").unwrap_or_else(|| "no message".into());
    api.current().init_error.get_or_insert(message);
    StatusCode::ACCEPTED
}

/// Talkdesk, answering at once: a token for the token request, and an empty success for
/// anything else.
fn fake_talkdesk() -> Router {
    Router::new()
        .route(
            "/oauth/token",
            post(|| async {
                axum::Json(json!({
                    "access_token": "init-bench-token",
                    "token_type": "Bearer",
                    "expires_in": 3600,
                }))
            }),
        )
        .fallback(|| async { axum::Json(json!({})) })
}

/// Serves `router` on a free loopback port; returns `host:port` and the server's task.
async fn serve(router: Router) -> Result<(String, tokio::task::JoinHandle<()>), String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|err| format!("could not listen on 127.0.0.1: {err}"))?;
    let address = listener
        .local_addr()
        .map_err(|err| format!("no local address: {err}"))?;
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((address.to_string(), server))
}

/// One run of one binary.
struct Sample {
    init: Duration,
    /// None when it was handed its event but did not answer in time.
    cold_start: Option<Duration>,
    peak_rss_kib: u64,
    /// Resident pages mapped from files (the binary and the libraries) when it was killed.
    file_rss_kib: u64,
    answer: Option<Answer>,
    error_type: Option<String>,
}

/// The Runtime API of one process.
fn runtime_api(api: Arc<RuntimeApi>) -> Router {
    Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next_invocation))
        .route(
            "/2018-06-01/runtime/invocation/{request_id}/response",
            post(invocation_response),
        )
        .route(
            "/2018-06-01/runtime/invocation/{request_id}/error",
            post(invocation_error),
        )
        .route("/2018-06-01/runtime/init/error", post(init_error))
        .with_state(api)
}

/// Starts `binary`, waits for its answer, reads its peak RSS and kills it. Each process gets
/// a Runtime API of its own, on its own port: a `next` the previous process sent just before
/// it was killed must not take this one's event.
async fn run_once(
    path: &Path,
    event: Bytes,
    endpoints: &Endpoints,
    log: &Path,
) -> Result<Sample, String> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let api = Arc::new(RuntimeApi {
        current: Mutex::new(Invocation {
            function_name: name.to_string(),
            request_id: "init-bench-invocation".to_owned(),
            event: Some(event),
            ..Invocation::default()
        }),
    });
    let (address, server) = serve(runtime_api(Arc::clone(&api))).await?;
    let sample = measure(&api, path, endpoints.environment(&name, &address), log).await;
    server.abort();
    sample
}

async fn measure(
    api: &RuntimeApi,
    path: &Path,
    environment: Vec<(&'static str, String)>,
    log: &Path,
) -> Result<Sample, String> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let output = File::create(log).map_err(|err| format!("{}: {err}", log.display()))?;
    let errors = output
        .try_clone()
        .map_err(|err| format!("{}: {err}", log.display()))?;
    let mut command = Command::new(path);
    command
        .env_clear()
        .envs(environment)
        .stdin(Stdio::null())
        .stdout(output)
        .stderr(errors);
    let started = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|err| format!("could not start {}: {err}", path.display()))?;
    let waited = wait_for_answer(api, &mut child).await;
    let status = fs::read_to_string(format!("/proc/{}/status", child.id()))
        .map_err(|err| format!("could not read its /proc status: {err}"));
    let _ = child.kill();
    let _ = child.wait();
    let failed = |why: String| {
        let output = fs::read_to_string(log).unwrap_or_default();
        let tail: Vec<&str> = output.lines().rev().take(10).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!(
            "{name} could not be measured: {why}; the end of its output ({}):\n{}",
            log.display(),
            tail.join("\n")
        )
    };
    waited.map_err(&failed)?;
    let current = api.current();
    let status = status.map_err(&failed)?;
    let Some(first_next) = current.first_next else {
        return Err(failed("no event asked for".into()));
    };
    Ok(Sample {
        init: first_next - started,
        cold_start: current.answer.map(|(answered, _)| answered - started),
        peak_rss_kib: status_kib(&status, "VmHWM").map_err(&failed)?,
        file_rss_kib: status_kib(&status, "RssFile").map_err(&failed)?,
        answer: current.answer.map(|(_, answer)| answer),
        error_type: current.error_type.clone(),
    })
}

/// Ok once answered, or once the timeout has passed after it was handed its event: its init
/// counts, and the missing answer is reported.
async fn wait_for_answer(api: &RuntimeApi, child: &mut Child) -> Result<(), String> {
    let since = Instant::now();
    loop {
        {
            let current = api.current();
            if let Some(message) = &current.init_error {
                return Err(format!("it reported an init error: {message}"));
            }
            if current.answer.is_some() {
                return Ok(());
            }
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("it exited ({status}) before answering"));
        }
        if since.elapsed() > ANSWER_TIMEOUT {
            let handed = api.current().event.is_none();
            return if handed {
                Ok(())
            } else {
                Err(format!("no event asked for within {ANSWER_TIMEOUT:?}"))
            };
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// The `field` of a process's /proc `status` (`VmHWM`, its peak resident set; `RssFile`), in
/// KiB.
fn status_kib(status: &str, field: &str) -> Result<u64, String> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("no {field} in its /proc status"))
}

/// Whether `url` (`http://host:port...`) names this machine.
fn is_loopback(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let host = authority
        .rsplit_once(':')
        .map_or(authority, |(host, _port)| host);
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if !values.len().is_multiple_of(2) {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    }
}

/// `median (min–max)` of `values`, in milliseconds.
fn spread_ms(values: &mut [f64]) -> (f64, String) {
    let middle = median(values);
    let text = format!(
        "{middle:.1} ms ({:.1}–{:.1})",
        values[0],
        values[values.len() - 1]
    );
    (middle, text)
}

fn report(samples: &[Vec<Sample>], sizes: &[u64]) {
    let millis = |duration: Duration| duration.as_secs_f64() * 1000.0;
    let init_medians: Vec<f64> = samples
        .iter()
        .map(|runs| median(&mut runs.iter().map(|run| millis(run.init)).collect::<Vec<_>>()))
        .collect();
    let baseline = init_medians[0];
    println!(
        "| binary | init median (min–max) | × echo | cold start median (min–max) | peak RSS median | of it file-backed | size | answer |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut over_goal = Vec::new();
    for ((binary, runs), size) in BINARIES.iter().zip(samples).zip(sizes) {
        let (init, init_text) =
            spread_ms(&mut runs.iter().map(|run| millis(run.init)).collect::<Vec<_>>());
        let mut cold_starts: Vec<f64> = runs
            .iter()
            .filter_map(|run| run.cold_start.map(millis))
            .collect();
        let cold_text = if cold_starts.is_empty() {
            "no answer".to_owned()
        } else {
            spread_ms(&mut cold_starts).1
        };
        let peak_rss = median(
            &mut runs
                .iter()
                .map(|run| run.peak_rss_kib as f64 / 1024.0)
                .collect::<Vec<_>>(),
        );
        let file_rss = median(
            &mut runs
                .iter()
                .map(|run| run.file_rss_kib as f64 / 1024.0)
                .collect::<Vec<_>>(),
        );
        let ratio = init / baseline;
        if binary.name != BASELINE && ratio > INIT_GOAL_RATIO {
            over_goal.push(binary.name);
        }
        println!(
            "| {} | {init_text} | {ratio:.2} | {cold_text} | {peak_rss:.1} MiB | {file_rss:.1} MiB | {:.1} MiB | {} |",
            binary.name,
            *size as f64 / (1024.0 * 1024.0),
            answers(runs),
        );
    }
    if over_goal.is_empty() {
        println!("\nGoal (every function's init ≤ {INIT_GOAL_RATIO}× echo's): met.");
    } else {
        println!(
            "\nGoal (every function's init ≤ {INIT_GOAL_RATIO}× echo's): not met by {}.",
            over_goal.join(", ")
        );
    }
}

/// How the runs answered: `response`, or the error types with their counts.
fn answers(runs: &[Sample]) -> String {
    let mut kinds: Vec<(String, usize)> = Vec::new();
    for run in runs {
        let kind = match (run.answer, &run.error_type) {
            (Some(Answer::Response), _) => "response".to_owned(),
            (Some(Answer::Error), Some(error_type)) => format!("error {error_type}"),
            (Some(Answer::Error), None) => "error".to_owned(),
            (None, _) => format!("no answer within {ANSWER_TIMEOUT:?}"),
        };
        match kinds.iter_mut().find(|(seen, _)| *seen == kind) {
            Some((_, count)) => *count += 1,
            None => kinds.push((kind, 1)),
        }
    }
    if let [(kind, _)] = kinds.as_slice() {
        return kind.clone();
    }
    let counted: Vec<String> = kinds
        .iter()
        .map(|(kind, count)| format!("{kind} ×{count}"))
        .collect();
    counted.join(", ")
}

async fn bench(rounds: usize) -> Result<(), String> {
    let aws = std::env::var("AWS_ENDPOINT_URL").map_err(|_| {
        "AWS_ENDPOINT_URL is not set: it must name the AWS emulator (scripts/bench-init starts it)"
            .to_owned()
    })?;
    if !is_loopback(&aws) {
        return Err(format!(
            "AWS_ENDPOINT_URL ({aws}) is not on loopback: the functions must call nothing outside this machine"
        ));
    }
    let binaries_dir: PathBuf = std::env::current_exe()
        .map_err(|err| format!("where is this binary: {err}"))?
        .parent()
        .map(Path::to_path_buf)
        .ok_or("this binary has no directory")?;
    let events_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events");
    let logs_dir = binaries_dir.join("init-bench-logs");
    fs::create_dir_all(&logs_dir).map_err(|err| format!("{}: {err}", logs_dir.display()))?;

    let mut paths = Vec::new();
    let mut events = Vec::new();
    let mut sizes = Vec::new();
    for binary in &BINARIES {
        let path = binaries_dir.join(binary.name);
        let size = fs::metadata(&path)
            .map_err(|err| format!("{}: {err} (build it first)", path.display()))?
            .len();
        let event_path = events_dir.join(binary.event);
        let event =
            fs::read(&event_path).map_err(|err| format!("{}: {err}", event_path.display()))?;
        paths.push(path);
        events.push(Bytes::from(event));
        sizes.push(size);
    }

    let (talkdesk, _talkdesk_server) = serve(fake_talkdesk()).await?;
    let endpoints = Endpoints {
        aws,
        talkdesk: format!("http://{talkdesk}"),
    };

    let mut samples: Vec<Vec<Sample>> = BINARIES.iter().map(|_| Vec::new()).collect();
    for round in 0..rounds {
        eprintln!("round {}/{rounds}", round + 1);
        for offset in 0..BINARIES.len() {
            let index = (round + offset) % BINARIES.len();
            let binary = &BINARIES[index];
            let sample = run_once(
                &paths[index],
                events[index].clone(),
                &endpoints,
                &logs_dir.join(format!("{}.log", binary.name)),
            )
            .await?;
            samples[index].push(sample);
        }
    }
    report(&samples, &sizes);
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let rounds = match std::env::args()
        .nth(1)
        .map(|rounds| rounds.parse::<usize>())
    {
        None => DEFAULT_ROUNDS,
        Some(Ok(rounds)) if rounds > 0 => rounds,
        Some(_) => {
            eprintln!(
                "usage: init-bench [ROUNDS] (a positive number; {DEFAULT_ROUNDS} by default)"
            );
            return ExitCode::from(2);
        }
    };
    match bench(rounds).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("error: {why}");
            ExitCode::FAILURE
        }
    }
}
