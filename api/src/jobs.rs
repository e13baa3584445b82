//! Background work of the API process: listing view counts, expiry and its reminder mail,
//! purges, and the alerts (saved searches, price drops, digests: [`alerts`]). Each round is idempotent, so several replicas may run it (the row updates are
//! conditional), and a failed round is simply retried at the next tick.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{Duration, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{listing_events, listings, notifications, unsubscribe_links, users};
use crate::db::{self, PgPool};
use crate::domain::Locale;

/// Views counted in memory and added to the rows in batches, so reading a listing never
/// writes its (hot) row.
#[derive(Default)]
pub struct ViewCounter {
    pending: Mutex<HashMap<Uuid, i64>>,
}

impl ViewCounter {
    pub fn count(&self, listing: Uuid) {
        if let Ok(mut pending) = self.pending.lock() {
            *pending.entry(listing).or_default() += 1;
        }
    }

    fn take(&self) -> Vec<(Uuid, i64)> {
        self.pending
            .lock()
            .map(|mut p| p.drain().collect())
            .unwrap_or_default()
    }

    /// Writes the pending counts; on failure they are put back for the next round.
    pub async fn flush(&self, pool: &PgPool) {
        let counts = self.take();
        if counts.is_empty() {
            return;
        }
        let batch = counts.clone();
        if let Err(err) = db::run(pool, move |conn| {
            crate::db::listings::add_views(conn, &batch)
        })
        .await
        {
            log::warn!("view counts not saved yet: {err}");
            if let Ok(mut pending) = self.pending.lock() {
                for (id, n) in counts {
                    *pending.entry(id).or_default() += n;
                }
            }
        }
    }
}

/// A listing due for its expiry reminder: id, title, expiry, and the seller's id, email, name,
/// locale.
type ReminderRow = (
    Uuid,
    String,
    Option<chrono::DateTime<Utc>>,
    Uuid,
    String,
    String,
    String,
);

/// Days before expiry when the seller is reminded.
const REMINDER_DAYS: i64 = 7;
/// Days a deleted listing is kept before it is purged.
const PURGE_AFTER_DAYS: i64 = 30;
/// Days notifications are kept.
const NOTIFICATIONS_KEPT_DAYS: i64 = 365;

/// Expires listings past their date (recording the event), reminds sellers whose listings
/// expire within a week (by mail and notification), purges listings deleted more than 30 days
/// ago, old idempotency keys, expired unsubscribe links and year-old notifications. Returns
/// (expired, reminded, purged listings).
pub fn maintenance(conn: &mut PgConnection, base_url: &str) -> QueryResult<(usize, usize, usize)> {
    conn.transaction(|conn| {
        let now = Utc::now();
        let expired: Vec<Uuid> = diesel::update(
            listings::table
                .filter(listings::status.eq("published"))
                .filter(listings::expires_at.lt(now)),
        )
        .set((
            listings::status.eq("expired"),
            listings::version.eq(listings::version + 1),
        ))
        .returning(listings::id)
        .get_results(conn)?;
        for id in &expired {
            diesel::insert_into(listing_events::table)
                .values((
                    listing_events::listing_id.eq(id),
                    listing_events::kind.eq("status"),
                    listing_events::from_status.eq("published"),
                    listing_events::to_status.eq("expired"),
                ))
                .execute(conn)?;
        }

        let due: Vec<ReminderRow> = listings::table
            .inner_join(users::table.on(users::id.eq(listings::seller_id)))
            .filter(listings::status.eq("published"))
            .filter(listings::expiry_reminder_sent_at.is_null())
            .filter(listings::expires_at.lt(now + Duration::days(REMINDER_DAYS)))
            .filter(users::status.eq("active"))
            .select((
                listings::id,
                listings::title,
                listings::expires_at,
                users::id,
                users::email,
                users::display_name,
                users::locale,
            ))
            .for_update()
            .skip_locked()
            .load(conn)?;
        for (id, title, expires_at, seller, email, name, locale) in &due {
            let locale = locale.parse().unwrap_or(Locale::Fr);
            let date = expires_at
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            crate::mail::queue_expiry_reminder(
                conn,
                &crate::mail::ListingMail {
                    base_url,
                    to: email,
                    name,
                    locale,
                    listing: *id,
                    title,
                },
                &date,
            )?;
            crate::db::notifications::insert(
                conn,
                &crate::db::notifications::NewNotification {
                    id: Uuid::now_v7(),
                    user_id: *seller,
                    kind: crate::domain::NotificationKind::ListingExpiring.as_str(),
                    listing_id: Some(*id),
                    saved_search_id: None,
                    data: serde_json::json!({ "title": title, "expires_at": expires_at }),
                    // The reminder mail above says it already.
                    digest: None,
                },
            )?;
            diesel::update(listings::table.find(id))
                .set(listings::expiry_reminder_sent_at.eq(now))
                .execute(conn)?;
        }

        let purged = diesel::delete(
            listings::table
                .filter(listings::status.eq("deleted"))
                .filter(listings::deleted_at.lt(now - Duration::days(PURGE_AFTER_DAYS))),
        )
        .execute(conn)?;
        crate::db::idempotency::purge_expired(conn)?;
        diesel::delete(unsubscribe_links::table.filter(unsubscribe_links::expires_at.lt(now)))
            .execute(conn)?;
        diesel::delete(
            notifications::table.filter(
                notifications::created_at.lt(now - Duration::days(NOTIFICATIONS_KEPT_DAYS)),
            ),
        )
        .execute(conn)?;
        Ok((expired.len(), due.len(), purged))
    })
}

/// What a turn of the facet refresh did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacetRefresh {
    Refreshed,
    /// Nothing the aggregate counts has changed since the last recount.
    Unchanged,
    /// Another process (a replica) holds the refresh: this one skips its turn.
    Busy,
}

/// Recomputes the search facet aggregate (`listing_facet_counts`) when a listing or a seller
/// changed something it counts (`refresh_listing_facet_counts()`, migration
/// `2026-11-29-000070`): a recount takes seconds of one core at a million listings, and an
/// idle site should not pay it every minute. Readers keep the previous contents until it
/// commits.
pub fn refresh_facets(conn: &mut PgConnection) -> QueryResult<FacetRefresh> {
    #[derive(diesel::QueryableByName)]
    struct Outcome {
        #[diesel(sql_type = diesel::sql_types::Text)]
        outcome: String,
    }
    conn.transaction(|conn| {
        // More than the pool's per-statement limit for requests.
        diesel::sql_query("SET LOCAL statement_timeout = '10min'").execute(conn)?;
        let outcome = diesel::sql_query("SELECT refresh_listing_facet_counts() AS outcome")
            .get_result::<Outcome>(conn)?
            .outcome;
        Ok(match outcome.as_str() {
            "refreshed" => FacetRefresh::Refreshed,
            "busy" => FacetRefresh::Busy,
            _ => FacetRefresh::Unchanged,
        })
    })
}

/// One round of the alerts job ([`crate::alerts::run`]): new listings matched against saved
/// searches, price drops of favourites, notifications, and the digest mails that are due.
/// Idempotent: running it again at once adds nothing.
pub fn alerts(
    conn: &mut PgConnection,
    alerts: &crate::alerts::Alerts,
) -> Result<crate::alerts::AlertsRound, crate::error::ApiError> {
    crate::alerts::run(conn, alerts, Utc::now())
}

/// How often each background task runs.
pub struct Schedule {
    pub views: std::time::Duration,
    pub maintenance: std::time::Duration,
    pub facets: std::time::Duration,
    pub alerts: std::time::Duration,
}

/// Runs view flushes, maintenance, the facet refresh and the alerts, each on its own schedule.
pub fn spawn(
    pool: PgPool,
    views: std::sync::Arc<ViewCounter>,
    alerts_context: std::sync::Arc<crate::alerts::Alerts>,
    base_url: String,
    every: Schedule,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut views_tick = tokio::time::interval(every.views);
        let mut maintenance_tick = tokio::time::interval(every.maintenance);
        let mut facets_tick =
            tokio::time::interval_at(tokio::time::Instant::now() + every.facets, every.facets);
        let mut alerts_tick =
            tokio::time::interval_at(tokio::time::Instant::now() + every.alerts, every.alerts);
        alerts_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        views_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        maintenance_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        facets_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = views_tick.tick() => views.flush(&pool).await,
                _ = facets_tick.tick() => {
                    let started = std::time::Instant::now();
                    match db::run(&pool, refresh_facets).await {
                        Ok(outcome) => log::debug!(
                            "facet aggregate: {outcome:?} in {:?}",
                            started.elapsed()
                        ),
                        Err(err) => log::warn!("facet aggregate refresh failed: {err}"),
                    }
                }
                _ = alerts_tick.tick() => {
                    let context = alerts_context.clone();
                    match db::run(&pool, move |conn| alerts(conn, &context)).await {
                        Ok(round) if round == crate::alerts::AlertsRound::default() => {}
                        Ok(round) => log::info!(
                            "alerts: {} new matches, {} price drops, {} digests",
                            round.new_matches, round.price_drops, round.digests
                        ),
                        Err(err) => log::warn!("alerts round failed: {err}"),
                    }
                }
                _ = maintenance_tick.tick() => {
                    let base = base_url.clone();
                    match db::run(&pool, move |conn| maintenance(conn, &base)).await {
                        Ok((0, 0, 0)) => {}
                        Ok((expired, reminded, purged)) => log::info!(
                            "listings: {expired} expired, {reminded} reminded, {purged} purged"
                        ),
                        Err(err) => log::warn!("maintenance round failed: {err}"),
                    }
                }
            }
        }
    })
}
