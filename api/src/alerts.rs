//! Alerts: saved searches matched against newly published listings, price drops of
//! favourites, the notifications they write, the mail digests that carry those notifications,
//! and the signed, single-use unsubscribe links in the digests.
//!
//! [`run`] is one round of the alerts job (see [`crate::jobs::alerts`]). Every step is
//! idempotent and safe to run on several replicas at once: a match is recorded once in
//! `saved_search_matches` (its primary key), a price drop moves `favorites.alert_amount` with a
//! conditional update, and a digest first claims its notifications with a conditional update.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::Settings;
use crate::db::notifications::{self as notes, NewNotification, NotificationRow};
use crate::db::saved_searches::SavedSearchRow;
use crate::db::schema::{
    alert_digests, favorites, listings, notifications, saved_search_matches, saved_searches,
    unsubscribe_links, users,
};
use crate::domain::{AlertFrequency, Locale, NotificationKind};
use crate::dto::notifications::SavedSearchRef;
use crate::dto::saved_searches::Unsubscribed;
use crate::dto::search::{SearchHit, SearchQuery};
use crate::error::{ApiError, FieldErrors};
use crate::extract::parse_query;
use crate::mail::{self, DigestItem, DigestSection};
use crate::search::Sort;
use crate::search::run::{self, SearchContext};

/// Listings published this long before a search's last check are looked at again, so one
/// whose transaction committed late is not missed (matches are recorded once anyway).
fn overlap() -> Duration {
    Duration::minutes(5)
}

/// A daily or weekly digest may go this much before its period is over, so the job's own
/// schedule does not push every digest back by one round.
fn slack() -> Duration {
    Duration::minutes(5)
}

/// Saved searches looked at per round (the least recently checked first).
const SEARCHES_PER_ROUND: i64 = 1_000;
/// New listings read per page, and pages per saved search and round.
const PAGE_SIZE: i64 = 50;
const MAX_PAGES: usize = 4;
/// Favourites' price changes handled per round.
const DROPS_PER_ROUND: i64 = 5_000;
/// Listings shown per section of a digest (the rest are counted).
const ITEMS_PER_SECTION: usize = 20;
/// How long an unsubscribe link works.
fn link_lifetime() -> Duration {
    Duration::days(365)
}

/// What the alerts job needs: where links point, the search machinery, the link key.
pub struct Alerts {
    pub base_url: String,
    pub search: SearchContext,
    key: UnsubscribeKey,
}

impl Alerts {
    pub fn new(settings: &Settings, search: SearchContext) -> Result<Self, ApiError> {
        Ok(Alerts {
            base_url: settings.public_base_url.clone(),
            search,
            key: UnsubscribeKey::new(&settings.jwt_secret)?,
        })
    }

    /// With search caches of its own (for running the job outside the server, e.g. in tests).
    pub fn from_settings(settings: &Settings) -> Result<Self, ApiError> {
        Alerts::new(
            settings,
            SearchContext {
                settings: settings.search.clone(),
                caches: Default::default(),
                index: None,
            },
        )
    }

    /// The web app's page that follows an unsubscribe link (it asks the API with the token).
    pub fn page_url(&self, token: &str) -> String {
        format!("{}/unsubscribe?token={token}", self.base_url)
    }

    /// The API's URL for a mail client's one-click unsubscribe (RFC 8058): `POST` with the form
    /// body `List-Unsubscribe=One-Click`, no login.
    pub fn one_click_url(&self, token: &str) -> String {
        format!(
            "{}/api/v1/unsubscribe/one-click?token={token}",
            self.base_url
        )
    }

    /// The signed token of unsubscribe link `id` (see [`UnsubscribeKey`]).
    pub fn sign_link(&self, id: Uuid) -> Result<String, ApiError> {
        self.key.sign(id)
    }
}

/// Signs unsubscribe links: the token is the link's id (32 hex digits) followed by an
/// HMAC-SHA256 of it (43 base64url characters), under a key derived from `JWT_SECRET` for this
/// purpose only. The row it names says what the link does and whether it was used.
struct UnsubscribeKey {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

const TOKEN_ID_LEN: usize = 32;
const TOKEN_LEN: usize = TOKEN_ID_LEN + 43;

impl UnsubscribeKey {
    fn new(secret: &str) -> Result<Self, ApiError> {
        let derived = Sha256::new()
            .chain_update(b"hangar: unsubscribe links, v1\0")
            .chain_update(secret.as_bytes())
            .finalize();
        Ok(UnsubscribeKey {
            encoding: EncodingKey::from_secret(&derived).map_err(ApiError::internal)?,
            decoding: DecodingKey::from_secret(&derived).map_err(ApiError::internal)?,
        })
    }

    fn message(id: Uuid) -> Vec<u8> {
        format!("hangar:unsubscribe:{}", id.simple()).into_bytes()
    }

    fn sign(&self, id: Uuid) -> Result<String, ApiError> {
        let mac = jsonwebtoken::crypto::sign(&Self::message(id), &self.encoding, Algorithm::HS256)
            .map_err(ApiError::internal)?;
        Ok(format!("{}{mac}", id.simple()))
    }

    /// The link id of a genuine token; `None` for anything else.
    fn verify(&self, token: &str) -> Option<Uuid> {
        if token.len() != TOKEN_LEN || !token.is_ascii() {
            return None;
        }
        let (id_text, mac) = token.split_at(TOKEN_ID_LEN);
        let id = Uuid::try_parse(id_text).ok()?;
        // Only the canonical spelling (lower-case hex) is a token.
        if id.simple().to_string() != id_text {
            return None;
        }
        jsonwebtoken::crypto::verify(mac, &Self::message(id), &self.decoding, Algorithm::HS256)
            .ok()
            .filter(|genuine| *genuine)
            .map(|_| id)
    }
}

// ---------------------------------------------------------------------------------------------
// Saved search parameters

/// The parameters as a query string for `GET /api/v1/listings`, in key order.
pub fn query_string(params: &Map<String, Value>) -> String {
    let mut keys: Vec<&String> = params.keys().collect();
    keys.sort();
    let mut out = form_urlencoded::Serializer::new(String::new());
    for key in keys {
        let value = match &params[key] {
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            _ => continue,
        };
        out.append_pair(key, &value);
    }
    out.finish()
}

/// Errors of the search parameters, named as fields of the saved search (`query.price_max`).
fn in_query(err: ApiError) -> ApiError {
    match err {
        ApiError::Validation { errors, .. } => ApiError::validation(
            errors
                .into_iter()
                .map(|(field, messages)| {
                    let field = if field == "query" {
                        field
                    } else {
                        format!("query.{field}")
                    };
                    (field, messages)
                })
                .collect(),
        ),
        other => other,
    }
}

/// Largest stored parameter object, as JSON.
const MAX_QUERY_BYTES: usize = 2_000;

/// Checks saved search parameters exactly as `GET /api/v1/listings` checks its query string
/// (the same parsing, [`run::prepare`], then [`run::execute`] for what needs the database:
/// category, airfield, combinations), and returns them without `null`s. `cursor` is refused:
/// it is a position in a list of results, not part of a search.
pub fn check_query(
    conn: &mut PgConnection,
    ctx: &SearchContext,
    params: &Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let mut errors = FieldErrors::new();
    let mut clean = Map::new();
    for (key, value) in params {
        let field = format!("query.{key}");
        match value {
            Value::Null => continue,
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                clean.insert(key.clone(), value.clone());
            }
            Value::Array(_) | Value::Object(_) => {
                errors.insert(
                    field.clone(),
                    vec!["must be a string, a number or a boolean".into()],
                );
            }
        }
        if key == "cursor" {
            errors.insert(
                field,
                vec!["is a position in a list of results, not part of a search".into()],
            );
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    if serde_json::to_string(&clean).map_or(0, |s| s.len()) > MAX_QUERY_BYTES {
        return Err(ApiError::field(
            "query",
            format!("must be at most {MAX_QUERY_BYTES} bytes as JSON"),
        ));
    }
    let text = query_string(&clean);
    // What the endpoint checks before the database, with the parameters as given…
    run::prepare(parse_query::<SearchQuery>(&text).map_err(in_query)?).map_err(in_query)?;
    // …and what it checks against it, on a one-result page.
    let mut probe = parse_query::<SearchQuery>(&text).map_err(in_query)?;
    probe.limit = Some(1);
    probe.facets = None;
    run::execute(conn, ctx, run::prepare(probe).map_err(in_query)?).map_err(in_query)?;
    Ok(clean)
}

// ---------------------------------------------------------------------------------------------
// The job

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AlertsRound {
    /// New (saved search, listing) matches, each notified.
    pub new_matches: usize,
    /// Price drops of favourites notified.
    pub price_drops: usize,
    /// Digest mails queued.
    pub digests: usize,
}

/// One round: match saved searches, notice price drops, queue the digests that are due.
pub fn run(
    conn: &mut PgConnection,
    alerts: &Alerts,
    now: DateTime<Utc>,
) -> Result<AlertsRound, ApiError> {
    Ok(AlertsRound {
        new_matches: match_saved_searches(conn, alerts, now)?,
        price_drops: price_drops(conn)?,
        digests: send_digests(conn, alerts, now)?,
    })
}

fn match_saved_searches(
    conn: &mut PgConnection,
    alerts: &Alerts,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let searches: Vec<(SavedSearchRow, bool)> = saved_searches::table
        .inner_join(users::table)
        .filter(saved_searches::frequency.ne(AlertFrequency::Off.as_str()))
        .filter(users::status.eq("active"))
        .order(saved_searches::checked_until.asc())
        .limit(SEARCHES_PER_ROUND)
        .select((SavedSearchRow::as_select(), users::notify_saved_searches))
        .load(conn)?;
    let mut total = 0;
    for (search, mail) in searches {
        match match_one(conn, alerts, &search, mail, now) {
            Ok(n) => total += n,
            // The stored parameters no longer hold (a category was removed…): the member sees
            // it when opening the search; the others go on.
            Err(ApiError::Validation { errors, .. }) => {
                log::warn!("saved search {} no longer runs: {errors:?}", search.id);
            }
            Err(other) => return Err(other),
        }
    }
    Ok(total)
}

/// Listings matching `params` published after `since`, newest first.
fn new_listings(
    conn: &mut PgConnection,
    ctx: &SearchContext,
    params: &Map<String, Value>,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<SearchHit>, ApiError> {
    let text = query_string(params);
    // Lets the search's own date filter skip older listings.
    let days = ((now - since).num_hours() / 24 + 1).clamp(1, 365);
    let mut found = Vec::new();
    let mut cursor = None;
    for _ in 0..MAX_PAGES {
        let mut q = parse_query::<SearchQuery>(&text)?;
        q.sort = Some(Sort::Newest);
        q.limit = Some(PAGE_SIZE);
        q.facets = None;
        q.cursor = cursor.take();
        q.posted_within_days = Some(q.posted_within_days.map_or(days, |d| d.min(days)));
        let page = run::execute(conn, ctx, run::prepare(q)?)?;
        let mut reached_older = false;
        for hit in page.items {
            if hit.listing.published_at.is_some_and(|at| at > since) {
                found.push(hit);
            } else {
                reached_older = true;
            }
        }
        match page.next_cursor {
            Some(next) if !reached_older => cursor = Some(next),
            _ => break,
        }
    }
    Ok(found)
}

fn match_one(
    conn: &mut PgConnection,
    alerts: &Alerts,
    search: &SavedSearchRow,
    mail: bool,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let since = search.match_from.max(search.checked_until - overlap());
    let params = search.query.as_object().cloned().unwrap_or_default();
    let hits = new_listings(conn, &alerts.search, &params, since, now)?;
    let digest = mail.then_some(search.frequency.as_str());
    conn.transaction(|conn| {
        let ids: Vec<Uuid> = hits.iter().map(|h| h.listing.id).collect();
        let own: Vec<Uuid> = listings::table
            .filter(listings::id.eq_any(&ids))
            .filter(listings::seller_id.eq(search.user_id))
            .select(listings::id)
            .load(conn)?;
        let mut notified = 0;
        // Oldest first, so the notifications read in publication order.
        for hit in hits.iter().rev().filter(|h| !own.contains(&h.listing.id)) {
            let recorded = diesel::insert_into(saved_search_matches::table)
                .values((
                    saved_search_matches::saved_search_id.eq(search.id),
                    saved_search_matches::listing_id.eq(hit.listing.id),
                ))
                .on_conflict_do_nothing()
                .execute(conn)?;
            if recorded == 0 {
                continue;
            }
            notes::insert(
                conn,
                &NewNotification {
                    id: Uuid::now_v7(),
                    user_id: search.user_id,
                    kind: NotificationKind::NewMatch.as_str(),
                    listing_id: Some(hit.listing.id),
                    saved_search_id: Some(search.id),
                    data: json!({
                        "title": hit.listing.title,
                        "amount": hit.listing.price.amount,
                        "currency": hit.listing.price.currency,
                    }),
                    digest,
                },
            )?;
            notified += 1;
        }
        diesel::update(
            saved_searches::table
                .find(search.id)
                .filter(saved_searches::checked_until.lt(now)),
        )
        .set(saved_searches::checked_until.eq(now))
        .execute(conn)?;
        Ok(notified)
    })
}

#[derive(QueryableByName)]
struct PriceChange {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    user_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    listing_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    price: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    currency: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    alert_amount: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Text)]
    alert_currency: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    title: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    mail: bool,
}

/// Favourites whose public listing is now priced below the lowest price their member was
/// told about: one `price_drop` notification each (in the daily digest). A favourite saved
/// "on request", or whose listing changed currency, takes the current price as its new
/// reference without a notification.
fn price_drops(conn: &mut PgConnection) -> Result<usize, ApiError> {
    let changes: Vec<PriceChange> = diesel::sql_query(
        "SELECT f.user_id, f.listing_id, l.price_amount AS price, l.currency::text AS currency, \
         f.alert_amount, f.alert_currency::text AS alert_currency, l.title, \
         (u.notify_saved_searches AND u.email_verified_at IS NOT NULL) AS mail \
         FROM favorites f \
         JOIN listings l ON l.id = f.listing_id \
         JOIN users s ON s.id = l.seller_id \
         JOIN users u ON u.id = f.user_id \
         WHERE l.status IN ('published', 'reserved') AND s.status = 'active' \
         AND u.status = 'active' AND f.user_id <> l.seller_id AND l.price_amount IS NOT NULL \
         AND (f.alert_amount IS NULL OR f.alert_currency <> l.currency OR l.price_amount < f.alert_amount) \
         LIMIT $1",
    )
    .bind::<diesel::sql_types::BigInt, _>(DROPS_PER_ROUND)
    .load(conn)?;
    let mut notified = 0;
    for change in changes {
        let key = favorites::table.find((change.user_id, change.listing_id));
        let Some(previous) = change
            .alert_amount
            .filter(|_| change.alert_currency == change.currency)
        else {
            diesel::update(key)
                .set((
                    favorites::alert_amount.eq(change.price),
                    favorites::alert_currency.eq(&change.currency),
                ))
                .execute(conn)?;
            continue;
        };
        notified += conn.transaction(|conn| {
            let moved = diesel::update(
                key.filter(favorites::alert_amount.gt(change.price))
                    .filter(favorites::alert_currency.eq(&change.currency)),
            )
            .set(favorites::alert_amount.eq(change.price))
            .execute(conn)?;
            if moved == 0 {
                return Ok::<_, diesel::result::Error>(0);
            }
            notes::insert(
                conn,
                &NewNotification {
                    id: Uuid::now_v7(),
                    user_id: change.user_id,
                    kind: NotificationKind::PriceDrop.as_str(),
                    listing_id: Some(change.listing_id),
                    saved_search_id: None,
                    data: json!({
                        "title": change.title,
                        "amount": change.price,
                        "currency": change.currency,
                        "previous_amount": previous,
                    }),
                    digest: change.mail.then_some(AlertFrequency::Daily.as_str()),
                },
            )?;
            Ok(1)
        })?;
    }
    Ok(notified)
}

/// Whether a digest of `frequency` last sent at `last` may go at `now`.
fn due(frequency: AlertFrequency, last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    let period = match frequency {
        AlertFrequency::Instant => return true,
        AlertFrequency::Daily => Duration::days(1),
        AlertFrequency::Weekly => Duration::days(7),
        AlertFrequency::Off => return false,
    };
    last.is_none_or(|at| at + period - slack() <= now)
}

fn send_digests(
    conn: &mut PgConnection,
    alerts: &Alerts,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let pending: Vec<(Uuid, Option<String>)> = notifications::table
        .filter(notifications::digest.is_not_null())
        .filter(notifications::emailed_at.is_null())
        .select((notifications::user_id, notifications::digest))
        .distinct()
        .load(conn)?;
    let mut sent = 0;
    for (user, digest) in pending {
        let Some(frequency) = digest.and_then(|d| d.parse::<AlertFrequency>().ok()) else {
            continue;
        };
        let last: Option<DateTime<Utc>> = alert_digests::table
            .find((user, frequency.as_str()))
            .select(alert_digests::last_sent_at)
            .first(conn)
            .optional()?;
        if due(frequency, last, now) && send_digest(conn, alerts, user, frequency, now)? {
            sent += 1;
        }
    }
    Ok(sent)
}

/// What a notification carries (`notifications.data`).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NotificationData {
    pub title: Option<String>,
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub previous_amount: Option<i64>,
    pub expires_at: Option<DateTime<Utc>>,
    /// A moderator's note for the member (`listing_rejected`).
    pub note: Option<String>,
}

impl NotificationData {
    pub fn of(row: &NotificationRow) -> NotificationData {
        serde_json::from_value(row.data.clone()).unwrap_or_default()
    }
}

/// Claims the member's pending notifications of `frequency` and mails them as one digest.
/// Returns whether a mail was queued: nothing is sent when the member turned alert mail off,
/// or when every claimed notification belongs to a search since switched to another
/// frequency, turned off or deleted (those stay in the app).
fn send_digest(
    conn: &mut PgConnection,
    alerts: &Alerts,
    user: Uuid,
    frequency: AlertFrequency,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    conn.transaction(|conn| {
        let mut claimed: Vec<NotificationRow> = diesel::update(
            notifications::table
                .filter(notifications::user_id.eq(user))
                .filter(notifications::digest.eq(frequency.as_str()))
                .filter(notifications::emailed_at.is_null()),
        )
        .set(notifications::emailed_at.eq(now))
        .returning(NotificationRow::as_returning())
        .get_results(conn)?;
        if claimed.is_empty() {
            return Ok(false);
        }
        claimed.sort_by_key(|n| (n.created_at, n.id));
        let Some(member) = crate::db::users::find(conn, user)? else {
            return Ok(false);
        };
        if !member.is_active()
            || !member.notify_saved_searches
            || member.email_verified_at.is_none()
        {
            return Ok(false);
        }
        let searches: BTreeMap<Uuid, SavedSearchRow> = crate::db::saved_searches::list(conn, user)?
            .into_iter()
            .filter(|s| s.frequency == frequency.as_str())
            .map(|s| (s.id, s))
            .collect();
        let item = |n: &NotificationRow| {
            let data = NotificationData::of(n);
            DigestItem {
                title: data.title.unwrap_or_default(),
                amount: data.amount,
                currency: data.currency.unwrap_or_default(),
                previous_amount: data.previous_amount,
                url: format!(
                    "{}/listings/{}",
                    alerts.base_url,
                    n.listing_id.unwrap_or_default()
                ),
            }
        };
        let mut by_search: BTreeMap<Uuid, Vec<DigestItem>> = BTreeMap::new();
        let mut drops = Vec::new();
        for n in &claimed {
            match n.kind.parse::<NotificationKind>() {
                Ok(NotificationKind::NewMatch) => {
                    if let Some(id) = n.saved_search_id.filter(|id| searches.contains_key(id)) {
                        by_search.entry(id).or_default().push(item(n));
                    }
                }
                Ok(NotificationKind::PriceDrop) => drops.push(item(n)),
                _ => {}
            }
        }
        if by_search.is_empty() && drops.is_empty() {
            return Ok(false);
        }
        let mut sections = Vec::new();
        let mut ordered: Vec<(&SavedSearchRow, Vec<DigestItem>)> = by_search
            .into_iter()
            .filter_map(|(id, items)| searches.get(&id).map(|s| (s, items)))
            .collect();
        ordered.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        for (search, mut items) in ordered {
            let more = items.len().saturating_sub(ITEMS_PER_SECTION);
            items.truncate(ITEMS_PER_SECTION);
            let link = alerts.page_url(&new_link(conn, alerts, user, Some(search.id), now)?);
            sections.push(DigestSection {
                search_name: Some(search.name.clone()),
                items,
                more,
                unsubscribe_url: Some(link),
            });
        }
        if !drops.is_empty() {
            let more = drops.len().saturating_sub(ITEMS_PER_SECTION);
            drops.truncate(ITEMS_PER_SECTION);
            sections.push(DigestSection {
                search_name: None,
                items: drops,
                more,
                unsubscribe_url: None,
            });
        }
        // One link for every alert mail: the page in the body, and the API's one-click URL
        // in `List-Unsubscribe` (RFC 8058) for the mail client's own button. Either uses it.
        let all = new_link(conn, alerts, user, None, now)?;
        let locale = member.locale.parse().unwrap_or(Locale::Fr);
        mail::queue_alert_digest(
            conn,
            &alerts.base_url,
            &member.email,
            &member.display_name,
            locale,
            frequency,
            &sections,
            &alerts.page_url(&all),
            &alerts.one_click_url(&all),
        )?;
        diesel::insert_into(alert_digests::table)
            .values((
                alert_digests::user_id.eq(user),
                alert_digests::frequency.eq(frequency.as_str()),
                alert_digests::last_sent_at.eq(now),
            ))
            .on_conflict((alert_digests::user_id, alert_digests::frequency))
            .do_update()
            .set(alert_digests::last_sent_at.eq(now))
            .execute(conn)?;
        Ok(true)
    })
}

/// A new unsubscribe link, for one saved search or (`None`) for every alert mail: its signed
/// token.
fn new_link(
    conn: &mut PgConnection,
    alerts: &Alerts,
    user: Uuid,
    saved_search: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<String, ApiError> {
    let id = Uuid::now_v7();
    diesel::insert_into(unsubscribe_links::table)
        .values((
            unsubscribe_links::id.eq(id),
            unsubscribe_links::user_id.eq(user),
            unsubscribe_links::scope.eq(if saved_search.is_some() {
                "saved_search"
            } else {
                "all_alerts"
            }),
            unsubscribe_links::saved_search_id.eq(saved_search),
            unsubscribe_links::expires_at.eq(now + link_lifetime()),
        ))
        .execute(conn)?;
    alerts.sign_link(id)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = unsubscribe_links, check_for_backend(diesel::pg::Pg))]
struct LinkRow {
    user_id: Uuid,
    scope: String,
    saved_search_id: Option<Uuid>,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
}

/// Follows an unsubscribe link: a genuine, unused, unexpired token turns off its saved search
/// (or every alert mail) and is used up. Anything else is a 400, with nothing changed.
pub fn unsubscribe(
    conn: &mut PgConnection,
    alerts: &Alerts,
    token: &str,
) -> Result<Unsubscribed, ApiError> {
    let id = alerts.key.verify(token.trim()).ok_or_else(|| {
        ApiError::BadRequest(
            "This unsubscribe link is not valid (it was altered or cut short): use it exactly as it is in the mail."
                .into(),
        )
    })?;
    conn.transaction(|conn| {
        let link = unsubscribe_links::table
            .find(id)
            .select(LinkRow::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .filter(|l| l.used_at.is_none() && l.expires_at > Utc::now());
        let Some(LinkRow {
            user_id: user,
            scope,
            saved_search_id: search,
            ..
        }) = link
        else {
            return Err(ApiError::BadRequest(
                "This unsubscribe link was already used or has expired. Change your alerts from your account instead."
                    .into(),
            ));
        };
        diesel::update(unsubscribe_links::table.find(id))
            .set(unsubscribe_links::used_at.eq(diesel::dsl::now))
            .execute(conn)?;
        let saved_search = match search {
            Some(search) => {
                let name: String = diesel::update(
                    saved_searches::table
                        .find(search)
                        .filter(saved_searches::user_id.eq(user)),
                )
                .set(saved_searches::frequency.eq(AlertFrequency::Off.as_str()))
                .returning(saved_searches::name)
                .get_result(conn)?;
                Some(SavedSearchRef { id: search, name })
            }
            None => {
                diesel::update(users::table.find(user))
                    .set(users::notify_saved_searches.eq(false))
                    .execute(conn)?;
                None
            }
        };
        Ok(Unsubscribed {
            scope,
            saved_search,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsubscribe_tokens_verify_only_as_signed() -> Result<(), ApiError> {
        let key = UnsubscribeKey::new("a secret long enough for the tests, 0123456789")?;
        let other = UnsubscribeKey::new("another secret long enough for the tests, 0123")?;
        let id = Uuid::now_v7();
        let token = key.sign(id)?;
        assert_eq!(token.len(), TOKEN_LEN, "{token}");
        assert_eq!(key.verify(&token), Some(id));
        assert_eq!(other.verify(&token), None, "another key");
        let mut flipped = token.clone().into_bytes();
        flipped[40] = if flipped[40] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap_or_default();
        let cases = [
            (flipped.as_str(), "a changed MAC"),
            (&token[..TOKEN_LEN - 1], "cut short"),
            ("", "empty"),
        ];
        for (bad, why) in cases {
            assert_eq!(key.verify(bad), None, "{why}");
        }
        let other_id = format!("{}{}", Uuid::now_v7().simple(), &token[TOKEN_ID_LEN..]);
        assert_eq!(key.verify(&other_id), None, "another id");
        let upper = format!(
            "{}{}",
            id.simple().to_string().to_uppercase(),
            &token[TOKEN_ID_LEN..]
        );
        assert_eq!(key.verify(&upper), None, "non-canonical id");
        Ok(())
    }

    #[test]
    fn digests_are_due_once_per_period() {
        let now = Utc::now();
        use AlertFrequency::*;
        let cases = [
            (Instant, Some(now), true),
            (Daily, None, true),
            (Daily, Some(now - Duration::hours(2)), false),
            (Daily, Some(now - Duration::hours(24)), true),
            (
                Daily,
                Some(now - Duration::hours(24) + Duration::minutes(3)),
                true,
            ),
            (Weekly, Some(now - Duration::days(6)), false),
            (Weekly, Some(now - Duration::days(7)), true),
            (Off, None, false),
        ];
        for (frequency, last, expected) in cases {
            assert_eq!(due(frequency, last, now), expected, "{frequency} {last:?}");
        }
    }

    #[test]
    fn query_strings_are_canonical() {
        let params = json!({"radius_km": 150, "q": "dr 400 & co", "ifr": true, "near": "LFPN"});
        let params = params.as_object().cloned().unwrap_or_default();
        assert_eq!(
            query_string(&params),
            "ifr=true&near=LFPN&q=dr+400+%26+co&radius_km=150"
        );
    }
}
