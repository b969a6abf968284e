//! The delivery side: claiming due rows (safe with several nodes), backoff,
//! recording each attempt, auto-disabling failing webhooks, pruning the log.

use super::*;

/// A claimed delivery: everything needed to send it, and the attempt number
/// that fences the result (see [`record_attempt`]).
#[derive(Debug, Clone)]
pub struct Job {
    pub delivery_id: i32,
    pub webhook_id: i32,
    pub uuid: String,
    pub event: String,
    pub payload: String,
    pub url: String,
    pub secret: String,
    /// This attempt's number (1 for the first).
    pub attempt: i32,
}

/// Claims up to `limit` due deliveries of enabled webhooks for `lease`.
///
/// Each row is claimed with `UPDATE … WHERE id = ? AND status = 'pending' AND
/// next_attempt_at <= now AND (locked_until IS NULL OR locked_until < now)`:
/// when several nodes run this at once each delivery goes to exactly one of
/// them. The claim counts the attempt, so a node that dies mid-send still uses
/// one up, and its lease runs out so another node can try again.
pub fn claim_due(
    conn: &mut DbConnection,
    limit: usize,
    lease: chrono::Duration,
) -> CoreResult<Vec<Job>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let t = now();
    let pending = DeliveryStatus::Pending.as_str();
    // In flight per webhook on every node.
    let mut busy: HashMap<i32, i64> = deliveries::table
        .filter(deliveries::status.eq(pending))
        .filter(deliveries::locked_until.ge(t))
        .group_by(deliveries::webhook_id)
        .select((deliveries::webhook_id, diesel::dsl::count_star()))
        .load::<(i32, i64)>(conn)?
        .into_iter()
        .collect();
    let candidates: Vec<(i32, i32)> = deliveries::table
        .inner_join(webhooks::table)
        .filter(webhooks::enabled.eq(true))
        .filter(deliveries::status.eq(pending))
        .filter(deliveries::next_attempt_at.le(t))
        .filter(
            deliveries::locked_until
                .is_null()
                .or(deliveries::locked_until.lt(t)),
        )
        .order((deliveries::next_attempt_at.asc(), deliveries::id.asc()))
        .limit((limit as i64).saturating_mul(4).saturating_add(16))
        .select((deliveries::id, deliveries::webhook_id))
        .load(conn)?;
    let mut jobs = Vec::new();
    for (id, webhook_id) in candidates {
        if jobs.len() >= limit {
            break;
        }
        let in_flight = busy.entry(webhook_id).or_insert(0);
        if *in_flight >= MAX_IN_FLIGHT_PER_WEBHOOK {
            continue;
        }
        let claimed = diesel::update(
            deliveries::table
                .filter(deliveries::id.eq(id))
                .filter(deliveries::status.eq(pending))
                .filter(deliveries::next_attempt_at.le(t))
                .filter(
                    deliveries::locked_until
                        .is_null()
                        .or(deliveries::locked_until.lt(t)),
                ),
        )
        .set((
            deliveries::locked_until.eq(Some(t + lease)),
            deliveries::attempts.eq(deliveries::attempts + 1),
            deliveries::last_attempt_at.eq(Some(t)),
        ))
        .execute(conn)?;
        if claimed != 1 {
            continue; // another node was quicker
        }
        *in_flight += 1;
        let (d, url, secret): (Delivery, String, String) = deliveries::table
            .inner_join(webhooks::table)
            .filter(deliveries::id.eq(id))
            .select((Delivery::as_select(), webhooks::url, webhooks::secret))
            .first(conn)?;
        jobs.push(Job {
            delivery_id: d.id,
            webhook_id: d.webhook_id,
            uuid: d.uuid,
            event: d.event,
            payload: d.payload,
            url,
            secret,
            attempt: d.attempts,
        });
    }
    Ok(jobs)
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver answered 2xx.
    Delivered { status: u16 },
    /// Any other answer (`status`), or none (connection refused, timeout, …).
    Failed { status: Option<u16>, error: String },
}

/// The wait after failed attempt number `attempt` (1-based): `base` × 1, 3,
/// 12, 60, 180, 360, 720 — 10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h with the
/// default 10 s base, about four hours from the first attempt to the eighth.
pub fn backoff(attempt: i32, base: std::time::Duration) -> std::time::Duration {
    const FACTORS: [u32; 7] = [1, 3, 12, 60, 180, 360, 720];
    let i = usize::try_from(attempt.max(1) - 1)
        .unwrap_or(0)
        .min(FACTORS.len() - 1);
    base.saturating_mul(FACTORS[i])
}

/// Whether a failure streak is long enough, in count and time, to disable a webhook.
pub fn should_auto_disable(failures: i32, failing_since: NaiveDateTime, t: NaiveDateTime) -> bool {
    failures >= AUTO_DISABLE_FAILURES
        && t - failing_since >= chrono::Duration::hours(AUTO_DISABLE_HOURS)
}

pub(super) fn clip(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        s.to_owned()
    } else {
        let mut c: String = s.chars().take(max_chars).collect();
        c.push('…');
        c
    }
}

/// Records an attempt's outcome: delivered; or failed and waiting for the next
/// attempt after [`backoff`]; or, after [`MAX_ATTEMPTS`], given up as `failed`.
/// Also keeps the webhook's failure streak (and disables it after a long one).
///
/// Fenced by the attempt number: if this node's lease ran out and another node
/// claimed the delivery again meanwhile, nothing is written and `false` returned.
pub fn record_attempt(
    conn: &mut DbConnection,
    job: &Job,
    outcome: &Outcome,
    retry_base: std::time::Duration,
) -> CoreResult<bool> {
    conn.transaction(|conn| {
        let t = now();
        let target = deliveries::table
            .filter(deliveries::id.eq(job.delivery_id))
            .filter(deliveries::status.eq(DeliveryStatus::Pending.as_str()))
            .filter(deliveries::attempts.eq(job.attempt));
        let n = match outcome {
            Outcome::Delivered { status } => diesel::update(target)
                .set((
                    deliveries::status.eq(DeliveryStatus::Delivered.as_str()),
                    deliveries::delivered_at.eq(Some(t)),
                    deliveries::last_status.eq(Some(i32::from(*status))),
                    deliveries::last_error.eq(None::<String>),
                    deliveries::locked_until.eq(None::<NaiveDateTime>),
                ))
                .execute(conn)?,
            Outcome::Failed { status, error } => {
                let give_up = job.attempt >= MAX_ATTEMPTS;
                let next = if give_up {
                    t
                } else {
                    let wait = chrono::Duration::from_std(backoff(job.attempt, retry_base))
                        .unwrap_or(chrono::Duration::hours(2));
                    truncate(Utc::now().naive_utc() + wait)
                };
                diesel::update(target)
                    .set((
                        deliveries::status.eq(if give_up {
                            DeliveryStatus::Failed.as_str()
                        } else {
                            DeliveryStatus::Pending.as_str()
                        }),
                        deliveries::next_attempt_at.eq(next),
                        deliveries::last_status.eq(status.map(i32::from)),
                        deliveries::last_error.eq(Some(clip(error, MAX_ERROR_CHARS))),
                        deliveries::locked_until.eq(None::<NaiveDateTime>),
                    ))
                    .execute(conn)?
            }
        };
        if n == 0 {
            return Ok(false);
        }
        let hook: Option<Webhook> = webhooks::table
            .find(job.webhook_id)
            .select(Webhook::as_select())
            .first(conn)
            .optional()?;
        let Some(hook) = hook else {
            return Ok(true);
        };
        match outcome {
            Outcome::Delivered { .. } => {
                if hook.consecutive_failures != 0 || hook.failing_since.is_some() {
                    diesel::update(webhooks::table.find(hook.id))
                        .set((
                            webhooks::consecutive_failures.eq(0),
                            webhooks::failing_since.eq(None::<NaiveDateTime>),
                        ))
                        .execute(conn)?;
                }
            }
            Outcome::Failed { .. } => {
                let failures = hook.consecutive_failures.saturating_add(1);
                let since = hook.failing_since.unwrap_or(t);
                let disable = hook.enabled && should_auto_disable(failures, since, t);
                diesel::update(webhooks::table.find(hook.id))
                    .set((
                        webhooks::consecutive_failures.eq(failures),
                        webhooks::failing_since.eq(Some(since)),
                    ))
                    .execute(conn)?;
                if disable {
                    diesel::update(webhooks::table.find(hook.id))
                        .set((
                            webhooks::enabled.eq(false),
                            webhooks::auto_disabled_at.eq(Some(t)),
                        ))
                        .execute(conn)?;
                    tracing::warn!(
                        webhook = hook.id,
                        failures,
                        "webhook disabled after failing for a day"
                    );
                }
            }
        }
        Ok(true)
    })
}

/// Trims the delivery log: per webhook the newest [`KEEP_LOG_PER_WEBHOOK`]
/// finished deliveries, none older than [`KEEP_LOG_DAYS`]. Waiting deliveries
/// are never pruned (the queue limit bounds them). Returns the rows deleted.
pub fn prune(conn: &mut DbConnection) -> CoreResult<usize> {
    let pending = DeliveryStatus::Pending.as_str();
    let mut deleted = diesel::delete(
        deliveries::table
            .filter(deliveries::status.ne(pending))
            .filter(deliveries::created_at.lt(now() - chrono::Duration::days(KEEP_LOG_DAYS))),
    )
    .execute(conn)?;
    let hooks: Vec<i32> = webhooks::table.select(webhooks::id).load(conn)?;
    for hook in hooks {
        let cutoff: Option<i32> = deliveries::table
            .filter(deliveries::webhook_id.eq(hook))
            .filter(deliveries::status.ne(pending))
            .order(deliveries::id.desc())
            .offset(KEEP_LOG_PER_WEBHOOK - 1)
            .select(deliveries::id)
            .first(conn)
            .optional()?;
        if let Some(cutoff) = cutoff {
            deleted += diesel::delete(
                deliveries::table
                    .filter(deliveries::webhook_id.eq(hook))
                    .filter(deliveries::status.ne(pending))
                    .filter(deliveries::id.lt(cutoff)),
            )
            .execute(conn)?;
        }
    }
    Ok(deleted)
}
