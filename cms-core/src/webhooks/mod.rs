//! Webhooks: administrators register URLs that Gazette tells about article events.
//!
//! It is an outbox. An event is written as `webhook_deliveries` rows (one per
//! enabled webhook subscribed to it) *in the same transaction* as the change it
//! reports — [`article_saved`], [`article_deleted`] and [`article_event`] are called
//! from `articles::save`, `articles::delete` and `articles::publish_due` — so every
//! interface (admin panel, Admin API, scheduler) records it, exactly once, and only
//! if the change commits. A background worker in `cms-web` then claims due rows
//! with a conditional update ([`claim_due`], safe with several nodes), POSTs them
//! and records the outcome ([`record_attempt`]): retried with backoff, then given
//! up as `failed`. Work stays bounded: at most [`MAX_PENDING_PER_WEBHOOK`] waiting
//! deliveries per webhook (the oldest are `dropped` beyond that), at most
//! [`MAX_WEBHOOKS`] webhooks, and the log is pruned ([`prune`]).

use std::collections::HashMap;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use rand::RngCore;
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::articles::{Article, Status};
use crate::db::DbConnection;
use crate::error::{CoreError, CoreResult, FieldErrors};
use crate::roles;
use crate::schema::{webhook_deliveries as deliveries, webhooks};
use crate::settings;
use crate::time::{now, truncate};
use crate::tokens::random_token;
use crate::users::{self, User};
use crate::with_backend;

mod delivery;
mod outbox;
pub use delivery::*;
pub use outbox::*;

/// Deliveries that may wait per webhook; beyond it the oldest waiting ones are dropped.
pub const MAX_PENDING_PER_WEBHOOK: i64 = 1000;
/// Attempts before a delivery is given up as `failed`.
pub const MAX_ATTEMPTS: i32 = 8;
/// Deliveries of one webhook in flight at once, counted across all nodes, so one
/// slow receiver cannot occupy every worker slot. (Nodes claiming at the very
/// same instant may each reach it: a bound on work, not a strict lock.)
pub const MAX_IN_FLIGHT_PER_WEBHOOK: i64 = 2;
/// How many webhooks a site may have (each event writes one row per webhook).
pub const MAX_WEBHOOKS: i64 = 20;
/// Finished deliveries kept in each webhook's log …
pub const KEEP_LOG_PER_WEBHOOK: i64 = 200;
/// … and for at most this many days.
pub const KEEP_LOG_DAYS: i64 = 30;
/// A webhook is disabled automatically after this many failed attempts in a row …
pub const AUTO_DISABLE_FAILURES: i32 = 50;
/// … spread over at least this many hours (a short outage never disables it).
pub const AUTO_DISABLE_HOURS: i64 = 24;
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_URL_LEN: usize = 2_000;
/// Prefix that makes a webhook secret recognisable.
pub const SECRET_PREFIX: &str = "whsec_";
/// Longest error message kept in the log.
const MAX_ERROR_CHARS: usize = 500;

/// What a webhook can be told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Event {
    /// An article goes live: published now, or a scheduled article's time comes.
    ArticlePublished,
    /// A live article is saved and stays live.
    ArticleUpdated,
    /// A live article is taken down (back to draft, or archived).
    ArticleUnpublished,
    /// An article is deleted, whatever its status.
    ArticleDeleted,
    /// A test delivery sent from the admin panel to one webhook.
    Ping,
}

impl Event {
    /// The events a webhook can subscribe to (`ping` is always allowed).
    pub const SUBSCRIBABLE: [Event; 4] = [
        Event::ArticlePublished,
        Event::ArticleUpdated,
        Event::ArticleUnpublished,
        Event::ArticleDeleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Event::ArticlePublished => "article.published",
            Event::ArticleUpdated => "article.updated",
            Event::ArticleUnpublished => "article.unpublished",
            Event::ArticleDeleted => "article.deleted",
            Event::Ping => "ping",
        }
    }

    pub fn parse(s: &str) -> Option<Event> {
        Event::SUBSCRIBABLE
            .into_iter()
            .chain([Event::Ping])
            .find(|e| e.as_str() == s.trim())
    }

    /// One line for the admin form.
    pub fn description(self) -> &'static str {
        match self {
            Event::ArticlePublished => {
                "An article goes live: published now, or a scheduled article's time comes."
            }
            Event::ArticleUpdated => "A live article is saved and stays live.",
            Event::ArticleUnpublished => "A live article is unpublished or archived.",
            Event::ArticleDeleted => "An article is deleted (whatever its status).",
            Event::Ping => "A test delivery sent from this page.",
        }
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Waiting for its (next) attempt, or being attempted.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed; Gazette gave up.
    Failed,
    /// Dropped unsent because too many deliveries were waiting.
    Dropped,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Dropped => "dropped",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "Pending",
            DeliveryStatus::Delivered => "Delivered",
            DeliveryStatus::Failed => "Failed",
            DeliveryStatus::Dropped => "Dropped",
        }
    }
    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        [
            DeliveryStatus::Pending,
            DeliveryStatus::Delivered,
            DeliveryStatus::Failed,
            DeliveryStatus::Dropped,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = webhooks)]
pub struct Webhook {
    pub id: i32,
    pub name: String,
    pub url: String,
    #[serde(skip)]
    pub secret: String,
    /// Comma-separated event names; see [`Webhook::events`].
    #[diesel(column_name = events)]
    pub events_raw: String,
    pub enabled: bool,
    pub consecutive_failures: i32,
    pub failing_since: Option<NaiveDateTime>,
    pub auto_disabled_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Webhook {
    pub fn events(&self) -> Vec<Event> {
        self.events_raw
            .split(',')
            .filter_map(Event::parse)
            .collect()
    }
    pub fn subscribes(&self, event: Event) -> bool {
        subscribes(&self.events_raw, event)
    }
}

fn subscribes(events_raw: &str, event: Event) -> bool {
    events_raw.split(',').any(|e| e.trim() == event.as_str())
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = deliveries)]
pub struct Delivery {
    pub id: i32,
    pub webhook_id: i32,
    /// The payload's `id` and the `Gazette-Delivery` header.
    pub uuid: String,
    pub event: String,
    /// The exact JSON body that is sent (and signed) on every attempt.
    pub payload: String,
    #[diesel(column_name = status)]
    pub status_name: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
}

impl Delivery {
    pub fn status(&self) -> DeliveryStatus {
        DeliveryStatus::parse(&self.status_name).unwrap_or(DeliveryStatus::Pending)
    }
    /// Being attempted by some node right now.
    pub fn in_flight_at(&self, t: NaiveDateTime) -> bool {
        self.status() == DeliveryStatus::Pending && self.locked_until.is_some_and(|l| l >= t)
    }
    /// Whether an administrator may send it again now (failed or dropped), or
    /// sooner than its backoff (pending, not in flight).
    pub fn can_retry_at(&self, t: NaiveDateTime) -> bool {
        match self.status() {
            DeliveryStatus::Failed | DeliveryStatus::Dropped => true,
            DeliveryStatus::Pending => !self.in_flight_at(t),
            DeliveryStatus::Delivered => false,
        }
    }
}

/// The webhook form as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookInput {
    pub name: String,
    pub url: String,
    /// Event names (`article.published`, …).
    pub events: Vec<String>,
    pub enabled: bool,
}

fn require_admin(actor: &User) -> CoreResult<()> {
    if roles::can_manage_settings(actor) {
        Ok(())
    } else {
        Err(CoreError::Forbidden(
            "only administrators manage webhooks".into(),
        ))
    }
}

/// A new signing secret.
fn new_secret() -> String {
    format!("{SECRET_PREFIX}{}", random_token())
}

/// A random (version 4) UUID.
fn new_uuid() -> String {
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// RFC 3339 in UTC, whole seconds (`2026-11-29T10:00:00Z`).
fn iso(t: NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Trims the input, checks it and puts the events in canonical order.
fn validate(input: &mut WebhookInput) -> FieldErrors {
    let mut errors = FieldErrors::default();
    input.name = input.name.trim().to_owned();
    input.url = input.url.trim().to_owned();
    if input.name.is_empty() {
        errors.add(
            "name",
            "Name the webhook, e.g. after the service it notifies.",
        );
    } else if input.name.chars().count() > MAX_NAME_CHARS {
        errors.add("name", format!("Use at most {MAX_NAME_CHARS} characters."));
    }
    let ok = input.url.len() <= MAX_URL_LEN
        && url::Url::parse(&input.url)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !ok {
        errors.add(
            "url",
            "Enter a full web address starting with https:// or http://",
        );
    }
    let mut chosen = Vec::new();
    for raw in &input.events {
        match Event::parse(raw).filter(|e| Event::SUBSCRIBABLE.contains(e)) {
            Some(e) => chosen.push(e),
            None => errors.add("events", format!("Unknown event “{}”.", raw.trim())),
        }
    }
    input.events = Event::SUBSCRIBABLE
        .into_iter()
        .filter(|e| chosen.contains(e))
        .map(|e| e.as_str().to_owned())
        .collect();
    if input.events.is_empty() && errors.get("events").is_none() {
        errors.add("events", "Choose at least one event.");
    }
    errors
}

pub fn list_all(conn: &mut DbConnection, actor: &User) -> CoreResult<Vec<Webhook>> {
    require_admin(actor)?;
    Ok(webhooks::table
        .order(webhooks::id.asc())
        .select(Webhook::as_select())
        .load(conn)?)
}

/// A webhook with what the list page shows about its deliveries.
#[derive(Debug, Clone)]
pub struct WebhookSummary {
    pub webhook: Webhook,
    /// Deliveries waiting (or in flight).
    pub pending: i64,
    /// The most recent delivery, if any.
    pub last: Option<Delivery>,
}

pub fn list(conn: &mut DbConnection, actor: &User) -> CoreResult<Vec<WebhookSummary>> {
    let hooks = list_all(conn, actor)?;
    let mut out = Vec::with_capacity(hooks.len());
    for webhook in hooks {
        let pending = pending_count(conn, webhook.id)?;
        let last = deliveries::table
            .filter(deliveries::webhook_id.eq(webhook.id))
            .order(deliveries::id.desc())
            .select(Delivery::as_select())
            .first(conn)
            .optional()?;
        out.push(WebhookSummary {
            webhook,
            pending,
            last,
        });
    }
    Ok(out)
}

pub fn find(conn: &mut DbConnection, actor: &User, id: i32) -> CoreResult<Webhook> {
    require_admin(actor)?;
    Ok(webhooks::table
        .find(id)
        .select(Webhook::as_select())
        .first(conn)?)
}

pub fn create(conn: &mut DbConnection, actor: &User, input: WebhookInput) -> CoreResult<Webhook> {
    require_admin(actor)?;
    let mut input = input;
    let mut errors = validate(&mut input);
    conn.transaction(|conn| {
        let existing: i64 = webhooks::table.count().get_result(conn)?;
        if existing >= MAX_WEBHOOKS {
            errors.add(
                "name",
                format!("A site can have at most {MAX_WEBHOOKS} webhooks; delete one you no longer need."),
            );
        }
        errors.into_result()?;
        let t = now();
        let values = (
            webhooks::name.eq(&input.name),
            webhooks::url.eq(&input.url),
            webhooks::secret.eq(new_secret()),
            webhooks::events.eq(input.events.join(",")),
            webhooks::enabled.eq(input.enabled),
            webhooks::consecutive_failures.eq(0),
            webhooks::created_at.eq(t),
            webhooks::updated_at.eq(t),
        );
        let id = with_backend!(conn, |c| diesel::insert_into(webhooks::table)
            .values(values)
            .returning(webhooks::id)
            .get_result::<i32>(c))?;
        find(conn, actor, id)
    })
}

/// Saves the form. Enabling a disabled webhook starts its failure count afresh.
pub fn update(
    conn: &mut DbConnection,
    actor: &User,
    id: i32,
    input: WebhookInput,
) -> CoreResult<Webhook> {
    require_admin(actor)?;
    let mut input = input;
    let errors = validate(&mut input);
    conn.transaction(|conn| {
        let current = find(conn, actor, id)?;
        errors.into_result()?;
        let restart = input.enabled && !current.enabled;
        let (failures, since) = if restart {
            (0, None)
        } else {
            (current.consecutive_failures, current.failing_since)
        };
        diesel::update(webhooks::table.find(id))
            .set((
                webhooks::name.eq(&input.name),
                webhooks::url.eq(&input.url),
                webhooks::events.eq(input.events.join(",")),
                webhooks::enabled.eq(input.enabled),
                webhooks::consecutive_failures.eq(failures),
                webhooks::failing_since.eq(since),
                // The administrator has now chosen; the automatic note no longer applies.
                webhooks::auto_disabled_at.eq(None::<NaiveDateTime>),
                webhooks::updated_at.eq(now()),
            ))
            .execute(conn)?;
        find(conn, actor, id)
    })
}

/// Deletes the webhook and its delivery log.
pub fn delete(conn: &mut DbConnection, actor: &User, id: i32) -> CoreResult<Webhook> {
    require_admin(actor)?;
    conn.transaction(|conn| {
        let hook = find(conn, actor, id)?;
        diesel::delete(deliveries::table.filter(deliveries::webhook_id.eq(id))).execute(conn)?;
        diesel::delete(webhooks::table.find(id)).execute(conn)?;
        Ok(hook)
    })
}

/// Replaces the signing secret; deliveries sent from now on use the new one.
pub fn regenerate_secret(conn: &mut DbConnection, actor: &User, id: i32) -> CoreResult<Webhook> {
    require_admin(actor)?;
    let n = diesel::update(webhooks::table.find(id))
        .set((
            webhooks::secret.eq(new_secret()),
            webhooks::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(CoreError::NotFound);
    }
    find(conn, actor, id)
}

/// Queues a `ping` to this one webhook (whatever its events). A disabled
/// webhook's ping waits until it is enabled again.
pub fn ping(conn: &mut DbConnection, actor: &User, id: i32) -> CoreResult<Delivery> {
    conn.transaction(|conn| {
        let hook = find(conn, actor, id)?;
        let mut data = Map::new();
        data.insert(
            "webhook".into(),
            json!({"id": hook.id, "name": hook.name, "url": hook.url}),
        );
        let t = now();
        let did = insert_delivery(conn, hook.id, Event::Ping, &data, t)?;
        enforce_cap(conn, hook.id, t)?;
        delivery(conn, hook.id, did)
    })
}

/// One delivery of one webhook (`NotFound` if it belongs to another).
fn delivery(conn: &mut DbConnection, webhook_id: i32, id: i32) -> CoreResult<Delivery> {
    Ok(deliveries::table
        .filter(deliveries::id.eq(id))
        .filter(deliveries::webhook_id.eq(webhook_id))
        .select(Delivery::as_select())
        .first(conn)?)
}

/// The newest `limit` deliveries of a webhook, newest first.
pub fn deliveries(
    conn: &mut DbConnection,
    actor: &User,
    webhook_id: i32,
    limit: i64,
) -> CoreResult<Vec<Delivery>> {
    find(conn, actor, webhook_id)?;
    Ok(deliveries::table
        .filter(deliveries::webhook_id.eq(webhook_id))
        .order(deliveries::id.desc())
        .limit(limit)
        .select(Delivery::as_select())
        .load(conn)?)
}

/// How many of a webhook's deliveries are in each status.
pub fn status_counts(
    conn: &mut DbConnection,
    actor: &User,
    webhook_id: i32,
) -> CoreResult<HashMap<String, i64>> {
    find(conn, actor, webhook_id)?;
    let rows: Vec<(String, i64)> = deliveries::table
        .filter(deliveries::webhook_id.eq(webhook_id))
        .group_by(deliveries::status)
        .select((deliveries::status, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Sends a failed or dropped delivery again, or a waiting one without waiting
/// for its backoff. `Conflict` if it was delivered or is being sent right now.
pub fn retry(
    conn: &mut DbConnection,
    actor: &User,
    webhook_id: i32,
    delivery_id: i32,
) -> CoreResult<Delivery> {
    require_admin(actor)?;
    conn.transaction(|conn| {
        let t = now();
        let d = delivery(conn, webhook_id, delivery_id)?;
        if !d.can_retry_at(t) {
            return Err(CoreError::Conflict(match d.status() {
                DeliveryStatus::Delivered => "this delivery has already been delivered".into(),
                _ => "this delivery is being sent right now".into(),
            }));
        }
        let n = diesel::update(
            deliveries::table
                .filter(deliveries::id.eq(d.id))
                .filter(deliveries::status.eq(&d.status_name))
                .filter(deliveries::attempts.eq(d.attempts))
                .filter(
                    deliveries::locked_until
                        .is_null()
                        .or(deliveries::locked_until.lt(t)),
                ),
        )
        .set((
            deliveries::status.eq(DeliveryStatus::Pending.as_str()),
            deliveries::next_attempt_at.eq(t),
            deliveries::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
        if n == 0 {
            return Err(CoreError::Conflict(
                "this delivery changed meanwhile; reload the log".into(),
            ));
        }
        enforce_cap(conn, webhook_id, t)?;
        delivery(conn, webhook_id, d.id)
    })
}

// ---------------------------------------------------------------------------
// The outbox: recording events inside the caller's transaction.

#[cfg(test)]
mod tests;
