//! `favorites` rows. `listings.favourite_count` follows them by trigger.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::listings::Listing;
use crate::db::schema::{favorites, listings};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = favorites, check_for_backend(diesel::pg::Pg))]
pub struct FavoriteRow {
    pub user_id: Uuid,
    pub listing_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub saved_amount: Option<i64>,
    pub saved_currency: String,
    pub alert_amount: Option<i64>,
    pub alert_currency: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = favorites)]
struct NewFavorite<'a> {
    user_id: Uuid,
    listing_id: Uuid,
    saved_amount: Option<i64>,
    saved_currency: &'a str,
    alert_amount: Option<i64>,
    alert_currency: &'a str,
}

pub fn find(
    conn: &mut PgConnection,
    user: Uuid,
    listing: Uuid,
) -> QueryResult<Option<FavoriteRow>> {
    favorites::table
        .find((user, listing))
        .select(FavoriteRow::as_select())
        .first(conn)
        .optional()
}

/// Saves `listing` for `user` at its current price; `false` when it was saved already.
pub fn insert(conn: &mut PgConnection, user: Uuid, listing: &Listing) -> QueryResult<bool> {
    let currency = listing.currency.trim();
    diesel::insert_into(favorites::table)
        .values(&NewFavorite {
            user_id: user,
            listing_id: listing.id,
            saved_amount: listing.price_amount,
            saved_currency: currency,
            alert_amount: listing.price_amount,
            alert_currency: currency,
        })
        .on_conflict_do_nothing()
        .execute(conn)
        .map(|n| n == 1)
}

pub fn delete(conn: &mut PgConnection, user: Uuid, listing: Uuid) -> QueryResult<usize> {
    diesel::delete(favorites::table.find((user, listing))).execute(conn)
}

pub fn count_for_user(conn: &mut PgConnection, user: Uuid) -> QueryResult<i64> {
    favorites::table
        .filter(favorites::user_id.eq(user))
        .count()
        .get_result(conn)
}

/// A user's favourites with their listings, most recently saved first, after the keyset
/// (created_at, listing_id).
pub fn page(
    conn: &mut PgConnection,
    user: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<(FavoriteRow, Listing)>> {
    let mut query = favorites::table
        .inner_join(listings::table)
        .filter(favorites::user_id.eq(user))
        .into_boxed();
    if let Some((created_at, id)) = after {
        query = query.filter(
            favorites::created_at
                .lt(created_at)
                .or(favorites::created_at
                    .eq(created_at)
                    .and(favorites::listing_id.lt(id))),
        );
    }
    query
        .order((favorites::created_at.desc(), favorites::listing_id.desc()))
        .limit(limit)
        .select((FavoriteRow::as_select(), Listing::as_select()))
        .load(conn)
}

/// Every favourite of `user`, oldest first (for the account export).
pub fn all_of(conn: &mut PgConnection, user: Uuid) -> QueryResult<Vec<FavoriteRow>> {
    favorites::table
        .filter(favorites::user_id.eq(user))
        .order((favorites::created_at.asc(), favorites::listing_id.asc()))
        .select(FavoriteRow::as_select())
        .load(conn)
}
