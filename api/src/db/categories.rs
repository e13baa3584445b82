//! `categories` rows: the tree listings are filed under.
//!
//! Every change to the tree's shape (create, move, reorder, delete) runs in a transaction that
//! first takes [`lock_tree`], so two moderators cannot build a cycle or interleave positions
//! between them; a trigger refuses cycles as the last line of defence.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Integer, Nullable, Uuid as SqlUuid};
use uuid::Uuid;

use crate::db::schema::categories;

/// Transaction-level advisory lock key for tree changes ("HANGCT").
const TREE_LOCK_KEY: i64 = 0x4841_4e47_4354;

/// Guard against a corrupted (cyclic) tree in the recursive queries.
const MAX_DEPTH: i32 = 64;

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = categories, check_for_backend(diesel::pg::Pg))]
pub struct Category {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub slug: String,
    pub position: i32,
    pub name_fr: String,
    pub name_en: String,
    pub attribute_group: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = categories)]
pub struct NewCategory {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub slug: String,
    pub position: i32,
    pub name_fr: String,
    pub name_en: String,
    pub attribute_group: String,
    pub active: bool,
}

/// A partial update: `None` leaves a column alone; `parent_id: Some(None)` makes a root.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = categories)]
pub struct CategoryChanges {
    pub parent_id: Option<Option<Uuid>>,
    pub position: Option<i32>,
    pub name_fr: Option<String>,
    pub name_en: Option<String>,
    pub attribute_group: Option<String>,
    pub active: Option<bool>,
}

/// Serialises changes to the tree's shape until the end of the current transaction.
pub fn lock_tree(conn: &mut PgConnection) -> QueryResult<()> {
    diesel::sql_query(format!("SELECT pg_advisory_xact_lock({TREE_LOCK_KEY})"))
        .execute(conn)
        .map(|_| ())
}

/// Every category, siblings in display order: one query for the whole tree.
pub fn list_all(conn: &mut PgConnection) -> QueryResult<Vec<Category>> {
    categories::table
        .select(Category::as_select())
        .order((categories::position, categories::slug))
        .load(conn)
}

pub fn find_by_slug(conn: &mut PgConnection, slug: &str) -> QueryResult<Option<Category>> {
    categories::table
        .filter(categories::slug.eq(slug))
        .select(Category::as_select())
        .first(conn)
        .optional()
}

/// Direct children in display order.
pub fn children(conn: &mut PgConnection, id: Uuid) -> QueryResult<Vec<Category>> {
    categories::table
        .filter(categories::parent_id.eq(id))
        .select(Category::as_select())
        .order((categories::position, categories::slug))
        .load(conn)
}

/// The top-level categories in display order.
pub fn roots(conn: &mut PgConnection) -> QueryResult<Vec<Category>> {
    categories::table
        .filter(categories::parent_id.is_null())
        .select(Category::as_select())
        .order((categories::position, categories::slug))
        .load(conn)
}

/// The ancestors of a category, root first, without the category itself (the breadcrumb).
pub fn ancestors(conn: &mut PgConnection, id: Uuid) -> QueryResult<Vec<Category>> {
    diesel::sql_query(
        "WITH RECURSIVE up AS (
             SELECT c.*, 0 AS depth FROM categories c WHERE c.id = $1
             UNION ALL
             SELECT p.*, up.depth + 1 FROM categories p JOIN up ON p.id = up.parent_id
             WHERE up.depth < $2
         )
         SELECT id, parent_id, slug, position, name_fr, name_en, attribute_group, active,
                created_at, updated_at
         FROM up WHERE depth > 0 ORDER BY depth DESC",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Integer, _>(MAX_DEPTH)
    .load(conn)
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = Bool)]
    found: bool,
}

/// Whether `candidate` is `ancestor` itself or lies anywhere below it: walks up from
/// `candidate` with a recursive CTE. Moving `ancestor` under such a candidate would make a
/// cycle.
pub fn is_self_or_descendant(
    conn: &mut PgConnection,
    ancestor: Uuid,
    candidate: Uuid,
) -> QueryResult<bool> {
    diesel::sql_query(
        "WITH RECURSIVE up AS (
             SELECT c.id, c.parent_id, 0 AS depth FROM categories c WHERE c.id = $1
             UNION ALL
             SELECT c.id, c.parent_id, up.depth + 1 FROM categories c JOIN up ON c.id = up.parent_id
             WHERE up.depth < $3
         )
         SELECT EXISTS (SELECT 1 FROM up WHERE up.id = $2) AS found",
    )
    .bind::<SqlUuid, _>(candidate)
    .bind::<SqlUuid, _>(ancestor)
    .bind::<Integer, _>(MAX_DEPTH)
    .get_result::<Found>(conn)
    .map(|f| f.found)
}

#[derive(QueryableByName)]
struct Next {
    #[diesel(sql_type = Integer)]
    position: i32,
}

/// The position after the last child of `parent` (of the roots for `None`).
pub fn next_position(conn: &mut PgConnection, parent: Option<Uuid>) -> QueryResult<i32> {
    diesel::sql_query(
        "SELECT coalesce(max(position) + 1, 0) AS position FROM categories
         WHERE parent_id IS NOT DISTINCT FROM $1",
    )
    .bind::<Nullable<SqlUuid>, _>(parent)
    .get_result::<Next>(conn)
    .map(|n| n.position)
}

pub fn insert(conn: &mut PgConnection, new: &NewCategory) -> QueryResult<Category> {
    diesel::insert_into(categories::table)
        .values(new)
        .returning(Category::as_returning())
        .get_result(conn)
}

pub fn update(
    conn: &mut PgConnection,
    id: Uuid,
    changes: &CategoryChanges,
) -> QueryResult<Category> {
    diesel::update(categories::table.find(id))
        .set(changes)
        .returning(Category::as_returning())
        .get_result(conn)
}

/// Moves every child of `from` to the end of `to`'s children, keeping their order.
pub fn move_children(conn: &mut PgConnection, from: Uuid, to: Uuid) -> QueryResult<usize> {
    let base = next_position(conn, Some(to))?;
    diesel::sql_query(
        "UPDATE categories c SET parent_id = $2, position = $3 + s.rank
         FROM (SELECT id, (row_number() OVER (ORDER BY position, slug) - 1)::int AS rank
               FROM categories WHERE parent_id = $1) s
         WHERE c.id = s.id",
    )
    .bind::<SqlUuid, _>(from)
    .bind::<SqlUuid, _>(to)
    .bind::<Integer, _>(base)
    .execute(conn)
}

/// Positions 0, 1, 2… in the order of `ids`.
pub fn set_order(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE categories c SET position = (v.ord - 1)::int
         FROM unnest($1::uuid[]) WITH ORDINALITY AS v (id, ord)
         WHERE c.id = v.id",
    )
    .bind::<Array<SqlUuid>, _>(ids)
    .execute(conn)
}

pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(categories::table.find(id)).execute(conn)
}
