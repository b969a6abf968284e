//! The outbox side: an article change becomes delivery rows, in the same
//! transaction, one per subscribed webhook, within each webhook's cap.

use super::*;

/// Ids of the enabled webhooks subscribed to `event`.
pub(super) fn subscribers(conn: &mut DbConnection, event: Event) -> CoreResult<Vec<i32>> {
    let rows: Vec<(i32, String)> = webhooks::table
        .filter(webhooks::enabled.eq(true))
        .select((webhooks::id, webhooks::events))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, events)| subscribes(events, event))
        .map(|(id, _)| id)
        .collect())
}

/// Writes one pending delivery: `{"event", "id", "occurred_at", …data}`.
pub(super) fn insert_delivery(
    conn: &mut DbConnection,
    webhook_id: i32,
    event: Event,
    data: &Map<String, Value>,
    t: NaiveDateTime,
) -> CoreResult<i32> {
    let uuid = new_uuid();
    let mut body = Map::new();
    body.insert("event".into(), event.as_str().into());
    body.insert("id".into(), uuid.clone().into());
    body.insert("occurred_at".into(), iso(t).into());
    for (k, v) in data {
        body.insert(k.clone(), v.clone());
    }
    let values = (
        deliveries::webhook_id.eq(webhook_id),
        deliveries::uuid.eq(uuid),
        deliveries::event.eq(event.as_str()),
        deliveries::payload.eq(Value::Object(body).to_string()),
        deliveries::status.eq(DeliveryStatus::Pending.as_str()),
        deliveries::attempts.eq(0),
        deliveries::next_attempt_at.eq(t),
        deliveries::created_at.eq(t),
    );
    Ok(with_backend!(conn, |c| diesel::insert_into(
        deliveries::table
    )
    .values(values)
    .returning(deliveries::id)
    .get_result::<i32>(c))?)
}

pub(super) fn pending_count(conn: &mut DbConnection, webhook_id: i32) -> CoreResult<i64> {
    Ok(deliveries::table
        .filter(deliveries::webhook_id.eq(webhook_id))
        .filter(deliveries::status.eq(DeliveryStatus::Pending.as_str()))
        .count()
        .get_result(conn)?)
}

/// Keeps at most [`MAX_PENDING_PER_WEBHOOK`] waiting deliveries: the oldest
/// beyond that are marked `dropped` (deliveries in flight are left alone).
pub(super) fn enforce_cap(
    conn: &mut DbConnection,
    webhook_id: i32,
    t: NaiveDateTime,
) -> CoreResult<usize> {
    let excess = pending_count(conn, webhook_id)? - MAX_PENDING_PER_WEBHOOK;
    if excess <= 0 {
        return Ok(0);
    }
    let oldest: Vec<i32> = deliveries::table
        .filter(deliveries::webhook_id.eq(webhook_id))
        .filter(deliveries::status.eq(DeliveryStatus::Pending.as_str()))
        .filter(
            deliveries::locked_until
                .is_null()
                .or(deliveries::locked_until.lt(t)),
        )
        .order(deliveries::id.asc())
        .limit(excess)
        .select(deliveries::id)
        .load(conn)?;
    let n = diesel::update(
        deliveries::table
            .filter(deliveries::id.eq_any(&oldest))
            .filter(deliveries::status.eq(DeliveryStatus::Pending.as_str())),
    )
    .set((
        deliveries::status.eq(DeliveryStatus::Dropped.as_str()),
        deliveries::locked_until.eq(None::<NaiveDateTime>),
        deliveries::last_error.eq(format!(
            "Dropped unsent: more than {MAX_PENDING_PER_WEBHOOK} deliveries were waiting for this webhook."
        )),
    ))
    .execute(conn)?;
    if n > 0 {
        tracing::warn!(
            webhook = webhook_id,
            dropped = n,
            "webhook queue full: dropped the oldest deliveries"
        );
    }
    Ok(n)
}

/// Records `event` for every enabled webhook subscribed to it, with `data`
/// merged into the payload next to `event`, `id` and `occurred_at`. Call it
/// inside the transaction that makes the change. Returns the deliveries written.
pub fn enqueue(
    conn: &mut DbConnection,
    event: Event,
    data: &Map<String, Value>,
) -> CoreResult<usize> {
    let hooks = subscribers(conn, event)?;
    enqueue_to(conn, &hooks, event, data)
}

pub(super) fn enqueue_to(
    conn: &mut DbConnection,
    hooks: &[i32],
    event: Event,
    data: &Map<String, Value>,
) -> CoreResult<usize> {
    let t = now();
    for &hook in hooks {
        insert_delivery(conn, hook, event, data, t)?;
        enforce_cap(conn, hook, t)?;
    }
    Ok(hooks.len())
}

/// The `article` object of an event's payload.
pub(super) fn article_data(conn: &mut DbConnection, a: &Article) -> CoreResult<Map<String, Value>> {
    let site = settings::load(conn)?;
    let author = users::find(conn, a.author_id).ok();
    let mut data = Map::new();
    data.insert(
        "article".into(),
        json!({
            "id": a.id,
            "title": a.title,
            "slug": a.slug,
            "status": a.status().as_str(),
            "url": format!("{}/articles/{}", site.base_url.trim_end_matches('/'), a.slug),
            "published_at": a.published_at.map(iso),
            "updated_at": iso(a.updated_at),
            "author": {
                "id": a.author_id,
                "name": author.map(|u| u.display_name),
            },
        }),
    );
    Ok(data)
}

/// Records an article event (nothing is read or written when no webhook wants it).
pub fn article_event(
    conn: &mut DbConnection,
    event: Event,
    article: &Article,
) -> CoreResult<usize> {
    let hooks = subscribers(conn, event)?;
    if hooks.is_empty() {
        return Ok(0);
    }
    let data = article_data(conn, article)?;
    enqueue_to(conn, &hooks, event, &data)
}

/// Live, for webhooks: published and due. A scheduled article goes live when the
/// scheduler publishes it (`article.published` from `publish_due`), so each
/// article's going live is reported once.
pub(super) fn is_live(a: &Article, t: NaiveDateTime) -> bool {
    live(a.status(), a.published_at, t)
}

pub(super) fn live(status: Status, published_at: Option<NaiveDateTime>, t: NaiveDateTime) -> bool {
    status == Status::Published && published_at.is_some_and(|p| p <= t)
}

/// Into live → published; live → live → updated; live → not live →
/// unpublished; never live → nothing.
pub(super) fn transition(was_live: bool, is_live: bool) -> Option<Event> {
    match (was_live, is_live) {
        (false, true) => Some(Event::ArticlePublished),
        (true, true) => Some(Event::ArticleUpdated),
        (true, false) => Some(Event::ArticleUnpublished),
        (false, false) => None,
    }
}

/// The event a save leads to, if any (see [`transition`]; drafts and
/// schedules lead to none).
pub fn event_for_save(
    before: Option<&Article>,
    after: &Article,
    t: NaiveDateTime,
) -> Option<Event> {
    transition(before.is_some_and(|a| is_live(a, t)), is_live(after, t))
}

/// Called by `articles::save` inside its transaction.
pub fn article_saved(
    conn: &mut DbConnection,
    before: Option<&Article>,
    after: &Article,
) -> CoreResult<()> {
    if let Some(event) = event_for_save(before, after, now()) {
        article_event(conn, event, after)?;
    }
    Ok(())
}

/// Called by `articles::delete` inside its transaction, with the deleted row.
pub fn article_deleted(conn: &mut DbConnection, article: &Article) -> CoreResult<()> {
    article_event(conn, Event::ArticleDeleted, article).map(|_| ())
}

// ---------------------------------------------------------------------------
// Delivery: what the worker claims, and what it records.
