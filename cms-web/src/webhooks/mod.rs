//! The webhook delivery worker: runs beside the HTTP server on every node and
//! sends what `cms_core::webhooks` recorded in the outbox.
//!
//! Every second it claims due deliveries (a conditional update per row, so with
//! several nodes each delivery goes to one of them) and POSTs them, at most
//! [`MAX_IN_FLIGHT`] at once per node, each with a [`TIMEOUT`]. It never runs on
//! a request: an editor's save only writes the outbox rows. The outcome of each
//! attempt is recorded; failures are retried with backoff, then given up.

pub mod signing;

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use cms_core::webhooks::{self, Job, Outcome};

use crate::state::AppState;

/// Deliveries one node sends at once.
pub const MAX_IN_FLIGHT: usize = 4;
/// Longest wait for a receiver's answer (connecting included).
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claimed delivery stays reserved for the claiming node; well above
/// [`TIMEOUT`], so only a node that died loses its claim.
pub const LEASE_SECS: i64 = 60;
/// How often the worker looks for due deliveries.
pub const POLL: Duration = Duration::from_secs(1);
/// Pruning the delivery log every this many polls (ten minutes).
const PRUNE_EVERY: u64 = 600;
/// Most of a failing receiver's answer kept in the log.
const MAX_ANSWER_BYTES: usize = 300;

/// The HTTP client for deliveries: https through rustls, no redirects followed
/// (a 3xx counts as a failure, so a hook cannot be bounced elsewhere).
pub fn client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Gazette-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Starts the worker on the current actix system (call from inside it).
pub fn spawn(state: AppState) {
    let client = match client() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhooks: cannot build the HTTP client; deliveries stay queued");
            return;
        }
    };
    actix_rt::spawn(async move {
        let in_flight = Rc::new(Cell::new(0usize));
        let mut interval = actix_rt::time::interval(POLL);
        let mut tick: u64 = 0;
        loop {
            interval.tick().await;
            if tick.is_multiple_of(PRUNE_EVERY) {
                match state.db(webhooks::prune).await {
                    Ok(n) if n > 0 => {
                        tracing::info!(deleted = n, "webhooks: pruned the delivery log")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "webhooks: pruning the log failed"),
                }
            }
            tick = tick.wrapping_add(1);
            run_once(&state, &client, &in_flight).await;
        }
    });
}

/// Claims what fits in the free slots and starts sending it.
async fn run_once(state: &AppState, client: &reqwest::Client, in_flight: &Rc<Cell<usize>>) {
    let free = MAX_IN_FLIGHT.saturating_sub(in_flight.get());
    if free == 0 {
        return;
    }
    let lease = chrono::Duration::seconds(LEASE_SECS);
    let jobs = match state
        .db(move |conn| webhooks::claim_due(conn, free, lease))
        .await
    {
        Ok(jobs) => jobs,
        Err(e) => {
            tracing::warn!(error = %e, "webhooks: claiming due deliveries failed");
            return;
        }
    };
    for job in jobs {
        in_flight.set(in_flight.get() + 1);
        let (state, client, in_flight) = (state.clone(), client.clone(), in_flight.clone());
        actix_rt::spawn(async move {
            let outcome = send(&client, &job).await;
            log_outcome(&job, &outcome);
            let base = Duration::from_millis(state.config.webhook_retry_base_ms);
            let (j, o) = (job.clone(), outcome);
            match state.db(move |conn| webhooks::record_attempt(conn, &j, &o, base)).await {
                Ok(true) => {}
                Ok(false) => tracing::info!(
                    delivery = job.delivery_id,
                    "webhooks: claim expired before the result was recorded; another node retries it"
                ),
                Err(e) => tracing::warn!(error = %e, delivery = job.delivery_id, "webhooks: recording an attempt failed"),
            }
            in_flight.set(in_flight.get().saturating_sub(1));
        });
    }
}

fn log_outcome(job: &Job, outcome: &Outcome) {
    match outcome {
        Outcome::Delivered { status } => tracing::info!(
            webhook = job.webhook_id, delivery = job.delivery_id, event = %job.event,
            attempt = job.attempt, status, "webhook delivered"
        ),
        Outcome::Failed { error, .. } => tracing::warn!(
            webhook = job.webhook_id, delivery = job.delivery_id, event = %job.event,
            attempt = job.attempt, error = %error, "webhook delivery failed"
        ),
    }
}

/// One attempt: POST the stored payload, signed now.
pub async fn send(client: &reqwest::Client, job: &Job) -> Outcome {
    let t = chrono::Utc::now().timestamp();
    let request = client
        .post(&job.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("Gazette-Event", &job.event)
        .header("Gazette-Delivery", &job.uuid)
        .header(
            "Gazette-Signature",
            signing::header_value(&job.secret, t, job.payload.as_bytes()),
        )
        .body(job.payload.clone());
    match request.send().await {
        Ok(resp) if resp.status().is_success() => Outcome::Delivered {
            status: resp.status().as_u16(),
        },
        Ok(resp) => {
            let status = resp.status().as_u16();
            let answer = answer_start(resp).await;
            let error = if answer.is_empty() {
                format!("HTTP {status}")
            } else {
                format!("HTTP {status}: {answer}")
            };
            Outcome::Failed {
                status: Some(status),
                error,
            }
        }
        Err(e) => Outcome::Failed {
            status: None,
            error: describe(&e),
        },
    }
}

/// The first bytes of a failing receiver's answer, for the log.
async fn answer_start(mut resp: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < MAX_ANSWER_BYTES {
        match resp.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    bytes.truncate(MAX_ANSWER_BYTES);
    String::from_utf8_lossy(&bytes)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A transport error in words an administrator can act on.
fn describe(e: &reqwest::Error) -> String {
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        causes.push(s.to_string());
        source = s.source();
    }
    let detail = causes.last().cloned().unwrap_or_else(|| e.to_string());
    if e.is_timeout() {
        format!("No answer within {} s ({detail})", TIMEOUT.as_secs())
    } else if e.is_connect() {
        format!("Could not connect: {detail}")
    } else {
        format!("Request failed: {detail}")
    }
}
