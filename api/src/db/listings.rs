//! `listings` rows, their events (audit trail and price history) and photos.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{listing_events, listing_photos, listings};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = listings, check_for_backend(diesel::pg::Pg))]
pub struct Listing {
    pub id: Uuid,
    pub seller_id: Uuid,
    pub category_id: Uuid,
    pub status: String,
    pub title: String,
    pub description: String,
    pub price_amount: Option<i64>,
    pub currency: String,
    pub price_kind: String,
    pub vat_included: Option<bool>,
    pub condition: String,
    pub airfield_icao: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    pub country: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub show_phone: bool,
    pub make: Option<String>,
    pub model: Option<String>,
    pub year: Option<i32>,
    pub registration: Option<String>,
    pub ttaf_hours: Option<f64>,
    pub engine_hours: Option<f64>,
    pub smoh_hours: Option<f64>,
    pub tbo_hours: Option<f64>,
    pub hours_to_tbo: Option<f64>,
    pub seats: Option<i16>,
    pub ifr: Option<bool>,
    pub fuel: Option<String>,
    pub attributes: serde_json::Value,
    pub version: i32,
    pub view_count: i64,
    pub favourite_count: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub sold_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub expiry_reminder_sent_at: Option<DateTime<Utc>>,
    /// When it last entered `pending_review` (pre-moderation's queue order).
    pub submitted_at: Option<DateTime<Utc>>,
    /// Why a moderator rejected it last, for its seller.
    pub rejection_note: Option<String>,
    /// The status it had when a moderator hid it.
    pub hidden_from: Option<String>,
}

/// The fields a seller writes (create, or full replacement on edit); the searchable
/// attribute columns are derived from `attributes` by the caller.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = listings, treat_none_as_null = true)]
pub struct ListingContent {
    pub category_id: Uuid,
    pub title: String,
    pub description: String,
    pub price_amount: Option<i64>,
    pub currency: String,
    pub price_kind: String,
    pub vat_included: Option<bool>,
    pub condition: String,
    pub airfield_icao: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    pub country: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub show_phone: bool,
    pub make: Option<String>,
    pub model: Option<String>,
    pub year: Option<i32>,
    pub registration: Option<String>,
    pub ttaf_hours: Option<f64>,
    pub engine_hours: Option<f64>,
    pub smoh_hours: Option<f64>,
    pub tbo_hours: Option<f64>,
    pub seats: Option<i16>,
    pub ifr: Option<bool>,
    pub fuel: Option<String>,
    pub attributes: serde_json::Value,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = listings)]
struct NewListing {
    id: Uuid,
    seller_id: Uuid,
    status: &'static str,
    published_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    submitted_at: Option<DateTime<Utc>>,
    #[diesel(embed)]
    content: ListingContent,
}

/// How long a publication lasts before it expires (the seller can renew).
pub const PUBLICATION_DAYS: i64 = 60;

/// What a new listing starts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Initial {
    Draft,
    Published,
    /// Published when a moderator approves it (pre-moderation).
    PendingReview,
}

pub fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    seller_id: Uuid,
    initial: Initial,
    content: &ListingContent,
) -> QueryResult<Listing> {
    let now = Utc::now();
    let publish = initial == Initial::Published;
    diesel::insert_into(listings::table)
        .values(&NewListing {
            id,
            seller_id,
            status: match initial {
                Initial::Draft => "draft",
                Initial::Published => "published",
                Initial::PendingReview => "pending_review",
            },
            published_at: publish.then_some(now),
            expires_at: publish.then(|| now + chrono::Duration::days(PUBLICATION_DAYS)),
            submitted_at: (initial == Initial::PendingReview).then_some(now),
            content: content.clone(),
        })
        .returning(Listing::as_returning())
        .get_result(conn)
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Listing>> {
    listings::table
        .find(id)
        .select(Listing::as_select())
        .first(conn)
        .optional()
}

/// Replaces the content if the row is still at `version`; `None` when it moved on.
pub fn update_content(
    conn: &mut PgConnection,
    id: Uuid,
    version: i32,
    content: &ListingContent,
) -> QueryResult<Option<Listing>> {
    diesel::update(
        listings::table
            .find(id)
            .filter(listings::version.eq(version)),
    )
    .set((content, listings::version.eq(listings::version + 1)))
    .returning(Listing::as_returning())
    .get_result(conn)
    .optional()
}

/// A status change and its timestamps, if the row is still at `version`.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = listings)]
pub struct StatusChange {
    pub status: Option<String>,
    pub published_at: Option<Option<DateTime<Utc>>>,
    pub expires_at: Option<Option<DateTime<Utc>>>,
    pub sold_at: Option<Option<DateTime<Utc>>>,
    pub deleted_at: Option<Option<DateTime<Utc>>>,
    pub expiry_reminder_sent_at: Option<Option<DateTime<Utc>>>,
    pub submitted_at: Option<Option<DateTime<Utc>>>,
    pub rejection_note: Option<Option<String>>,
    pub hidden_from: Option<Option<String>>,
}

pub fn change_status(
    conn: &mut PgConnection,
    id: Uuid,
    version: i32,
    change: &StatusChange,
) -> QueryResult<Option<Listing>> {
    diesel::update(
        listings::table
            .find(id)
            .filter(listings::version.eq(version)),
    )
    .set((change, listings::version.eq(listings::version + 1)))
    .returning(Listing::as_returning())
    .get_result(conn)
    .optional()
}

#[derive(Debug, Insertable)]
#[diesel(table_name = listing_events)]
pub struct NewEvent {
    pub listing_id: Uuid,
    pub actor_id: Option<Uuid>,
    pub kind: &'static str,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub price_amount: Option<i64>,
    pub currency: Option<String>,
    pub details: serde_json::Value,
}

impl NewEvent {
    /// A status change by `actor`.
    pub fn status(
        listing_id: Uuid,
        actor: Uuid,
        from: &str,
        to: Option<String>,
        details: serde_json::Value,
    ) -> Self {
        NewEvent {
            listing_id,
            actor_id: Some(actor),
            kind: "status",
            from_status: Some(from.to_owned()),
            to_status: to,
            price_amount: None,
            currency: None,
            details,
        }
    }
}

pub fn record(conn: &mut PgConnection, event: &NewEvent) -> QueryResult<usize> {
    diesel::insert_into(listing_events::table)
        .values(event)
        .execute(conn)
}

/// One price, from when it was set.
#[derive(Debug, Clone, Queryable)]
pub struct PricePoint {
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub at: DateTime<Utc>,
}

/// Every price each listing had (creation included): (listing, price), oldest first for each.
pub fn price_histories(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, PricePoint)>> {
    listing_events::table
        .filter(listing_events::listing_id.eq_any(ids))
        .filter(listing_events::kind.eq_any(["created", "price"]))
        .order((listing_events::listing_id, listing_events::id.asc()))
        .select((
            listing_events::listing_id,
            (
                listing_events::price_amount,
                listing_events::currency,
                listing_events::created_at,
            ),
        ))
        .load(conn)
}

/// A seller's listings, newest first, after the keyset (created_at, id).
pub fn by_seller(
    conn: &mut PgConnection,
    seller: Uuid,
    statuses: &[String],
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<Listing>> {
    let mut query = listings::table
        .filter(listings::seller_id.eq(seller))
        .filter(listings::status.eq_any(statuses))
        .into_boxed();
    if let Some((created_at, id)) = after {
        query = query.filter(
            listings::created_at
                .lt(created_at)
                .or(listings::created_at.eq(created_at).and(listings::id.lt(id))),
        );
    }
    query
        .order((listings::created_at.desc(), listings::id.desc()))
        .limit(limit)
        .select(Listing::as_select())
        .load(conn)
}

/// Every listing of a seller, whatever its status (deleted ones included: their rows are
/// kept), oldest first: the seller's data export.
pub fn all_of_seller(conn: &mut PgConnection, seller: Uuid) -> QueryResult<Vec<Listing>> {
    listings::table
        .filter(listings::seller_id.eq(seller))
        .order((listings::created_at.asc(), listings::id.asc()))
        .select(Listing::as_select())
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = listing_photos, check_for_backend(diesel::pg::Pg))]
pub struct Photo {
    pub id: Uuid,
    pub listing_id: Uuid,
    pub position: i32,
    pub sha256: String,
    pub width: i32,
    pub height: i32,
    pub widths: Vec<i32>,
    pub created_at: DateTime<Utc>,
}

pub fn photos(conn: &mut PgConnection, listing: Uuid) -> QueryResult<Vec<Photo>> {
    listing_photos::table
        .filter(listing_photos::listing_id.eq(listing))
        .order(listing_photos::position.asc())
        .select(Photo::as_select())
        .load(conn)
}

/// The photos of several listings at once, in position order for each.
pub fn photos_of(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<Photo>> {
    listing_photos::table
        .filter(listing_photos::listing_id.eq_any(ids))
        .order((listing_photos::listing_id, listing_photos::position.asc()))
        .select(Photo::as_select())
        .load(conn)
}

/// First photos of several listings at once (their covers), for lists.
pub fn covers(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<Photo>> {
    listing_photos::table
        .filter(listing_photos::listing_id.eq_any(ids))
        .filter(listing_photos::position.eq(0))
        .select(Photo::as_select())
        .load(conn)
}

pub fn add_photo(conn: &mut PgConnection, photo: &Photo) -> QueryResult<usize> {
    diesel::insert_into(listing_photos::table)
        .values(photo)
        .execute(conn)
}

pub fn delete_photo(conn: &mut PgConnection, listing: Uuid, photo: Uuid) -> QueryResult<usize> {
    diesel::delete(
        listing_photos::table
            .filter(listing_photos::listing_id.eq(listing))
            .filter(listing_photos::id.eq(photo)),
    )
    .execute(conn)
}

/// Renumbers the photos 0..n in the given order (all of the listing's photos, each once).
pub fn reorder_photos(conn: &mut PgConnection, listing: Uuid, order: &[Uuid]) -> QueryResult<()> {
    diesel::sql_query("SET CONSTRAINTS listing_photos_position_key DEFERRED").execute(conn)?;
    for (position, id) in order.iter().enumerate() {
        diesel::update(
            listing_photos::table
                .filter(listing_photos::listing_id.eq(listing))
                .filter(listing_photos::id.eq(id)),
        )
        .set(listing_photos::position.eq(position as i32))
        .execute(conn)?;
    }
    Ok(())
}

/// Adds buffered view counts.
pub fn add_views(conn: &mut PgConnection, counts: &[(Uuid, i64)]) -> QueryResult<()> {
    for (id, n) in counts {
        diesel::update(listings::table.find(id))
            .set(listings::view_count.eq(listings::view_count + n))
            .execute(conn)?;
    }
    Ok(())
}

/// Public (published or reserved) listings per category, for the category tree's counts.
pub fn public_counts_by_category(conn: &mut PgConnection) -> QueryResult<Vec<(Uuid, i64)>> {
    listings::table
        .filter(listings::status.eq_any(["published", "reserved"]))
        .group_by(listings::category_id)
        .select((listings::category_id, diesel::dsl::count_star()))
        .load(conn)
}

/// Listings of any status filed under a category (deleted ones included: they still refer
/// to it until purged).
pub fn count_in_category(conn: &mut PgConnection, category: Uuid) -> QueryResult<i64> {
    listings::table
        .filter(listings::category_id.eq(category))
        .count()
        .get_result(conn)
}

pub fn move_category(conn: &mut PgConnection, from: Uuid, to: Uuid) -> QueryResult<usize> {
    diesel::update(listings::table.filter(listings::category_id.eq(from)))
        .set(listings::category_id.eq(to))
        .execute(conn)
}

/// Takes every listing of a deleted account off the site (nothing of theirs stays readable).
pub fn withdraw_all_of(conn: &mut PgConnection, seller: Uuid) -> QueryResult<usize> {
    diesel::update(
        listings::table
            .filter(listings::seller_id.eq(seller))
            .filter(listings::status.ne_all(["deleted", "withdrawn"])),
    )
    .set((
        listings::status.eq("withdrawn"),
        listings::version.eq(listings::version + 1),
    ))
    .execute(conn)
}
