//! The in-process full-text index: which listings match a text search, newest first,
//! without visiting the listings that do not.
//!
//! PostgreSQL answers "the newest listings matching these words" by walking its newest-first
//! index and checking each listing's document: a search matching 2 % of the site checks
//! fifty listings per match (bench/README.md). This index (Tantivy, in RAM) holds, per
//! visible listing, the lexemes of its `search_document` (the very lexemes PostgreSQL
//! matches), and the values of the filters it can apply exactly (category, price, make,
//! country, year, publication and sale dates). It gives candidate ids in (published_at, id)
//! order; PostgreSQL then checks each candidate with the search's full WHERE clause, so a
//! stale or approximate candidate is dropped, never shown, and the answer is the one the
//! walk gives (tested in `search_index::`).
//!
//! It is built from PostgreSQL at start-up and catches up before every search it answers,
//! reading the listings changed since its last look (`listings.search_changed`, see the
//! migration `search_index`): a replica shows its own writes and everyone else's at once.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::ops::Bound;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{
    AllQuery, BooleanQuery, EmptyQuery, Occur, Query, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{
    DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentOrdinal, SegmentReader,
    TantivyDocument, Term,
};
use uuid::Uuid;

use super::Filters;
use super::query::from_where;
use super::sql::{Bind, Sql};
use super::tsquery_text::{self, Node};

/// The writer's memory budget (split between its threads); segments are flushed beyond it.
const WRITER_MEMORY: usize = 128_000_000;
/// Listings read per statement while building.
const BUILD_BATCH: i64 = 20_000;
/// Candidate rounds before a search gives up on the index and walks (a search whose other
/// filters PostgreSQL rejects most candidates of).
const MAX_ROUNDS: usize = 8;

/// Why the index could not be built or updated.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("index lock poisoned")]
    Poisoned,
}

struct Fields {
    /// The id as text, to delete a listing's document.
    id: Field,
    id_hi: Field,
    id_lo: Field,
    /// Microseconds since the epoch; the order of results.
    published: Field,
    /// `public` (published or reserved) or `sold`.
    visibility: Field,
    sold: Field,
    category: Field,
    price: Field,
    make: Field,
    country: Field,
    year: Field,
    lexemes: Field,
}

/// Position in the newest-first order: published_at (µs; none first, as PostgreSQL's
/// `DESC` puts NULL first) then the id's two halves (uuid order is byte order).
type Key = (i64, u64, u64);

fn key_of(published: Option<DateTime<Utc>>, id: Uuid) -> Key {
    let (hi, lo) = id.as_u64_pair();
    (published.map_or(i64::MAX, |t| t.timestamp_micros()), hi, lo)
}

/// What the index knows of a listing: one row of [`changes`].
#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = BigInt)]
    changed: i64,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    published_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    sold_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = SqlUuid)]
    category_id: Uuid,
    #[diesel(sql_type = Nullable<BigInt>)]
    price_amount: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    make: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    country: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    year: Option<i32>,
    #[diesel(sql_type = Array<Text>)]
    lexemes: Vec<String>,
}

const ROW_COLUMNS: &str = "l.id, l.search_changed::text::int8 AS changed, l.status, \
    l.published_at, l.sold_at, l.category_id, l.price_amount, l.make, \
    rtrim(l.country::text) AS country, l.year, tsvector_to_array(l.search_document) AS lexemes";

/// Every transaction below this one has ended (committed or not): what a read now sees of
/// them is final.
fn horizon(conn: &mut PgConnection) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct H {
        #[diesel(sql_type = BigInt)]
        horizon: i64,
    }
    let rows: Vec<H> = Sql::new(
        "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::int8 AS horizon",
        vec![],
    )
    .load(conn)?;
    Ok(rows.first().map_or(0, |h| h.horizon))
}

/// What catching up needs between searches.
struct SyncState {
    writer: IndexWriter,
    /// Changes by transactions from this one on may not all have been read.
    watermark: i64,
    /// Listings applied at their change at or above the watermark (read again next time).
    applied: HashMap<Uuid, i64>,
}

pub struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
    sync: Mutex<SyncState>,
}

impl SearchIndex {
    /// Builds the index from every visible or sold listing.
    pub fn build(conn: &mut PgConnection) -> Result<SearchIndex, IndexError> {
        let started = std::time::Instant::now();
        let mut schema = Schema::builder();
        let lexeme_options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("raw")
                .set_index_option(IndexRecordOption::Basic),
        );
        // Numbers are fast fields (columns) only: a range is then checked per candidate,
        // where the inverted index would first gather the listings of every price in it.
        let fields = Fields {
            id: schema.add_text_field("id", STRING),
            id_hi: schema.add_u64_field("id_hi", FAST),
            id_lo: schema.add_u64_field("id_lo", FAST),
            published: schema.add_i64_field("published", FAST),
            visibility: schema.add_text_field("visibility", STRING),
            sold: schema.add_i64_field("sold", FAST),
            category: schema.add_text_field("category", STRING),
            price: schema.add_i64_field("price", FAST),
            make: schema.add_text_field("make", STRING),
            country: schema.add_text_field("country", STRING),
            year: schema.add_i64_field("year", FAST),
            lexemes: schema.add_text_field("lexemes", lexeme_options),
        };
        let index = Index::create_in_ram(schema.build());
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let mut writer: IndexWriter = index.writer_with_num_threads(threads, WRITER_MEMORY)?;
        // Read before the listings: whatever changes while they are read is read again.
        let watermark = horizon(conn)?;
        let mut last = Uuid::nil();
        let mut count = 0usize;
        loop {
            let rows: Vec<Row> = Sql::new(
                &format!(
                    "SELECT {ROW_COLUMNS} FROM listings l \
                     WHERE l.status IN ('published', 'reserved', 'sold') AND l.id > ? \
                     ORDER BY l.id LIMIT ?"
                ),
                vec![Bind::Uuid(last), Bind::BigInt(BUILD_BATCH)],
            )
            .load(conn)?;
            let Some(tail) = rows.last() else { break };
            last = tail.id;
            count += rows.len();
            for row in &rows {
                if let Some(doc) = document(&fields, row) {
                    writer.add_document(doc)?;
                }
            }
        }
        writer.commit()?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        log::info!(
            "search index: {count} listings in {} ms",
            started.elapsed().as_millis()
        );
        Ok(SearchIndex {
            reader,
            fields,
            sync: Mutex::new(SyncState {
                writer,
                watermark,
                applied: HashMap::new(),
            }),
        })
    }

    /// Applies the changes committed since the last look; returns how many listings changed.
    pub fn catch_up(&self, conn: &mut PgConnection) -> Result<usize, IndexError> {
        let mut state = self.sync.lock().map_err(|_| IndexError::Poisoned)?;
        let horizon = horizon(conn)?;
        let rows: Vec<Row> = Sql::new(
            &format!(
                "SELECT {ROW_COLUMNS} FROM listings l \
                 WHERE l.search_changed >= CAST(CAST(? AS text) AS xid8)"
            ),
            vec![Bind::Text(state.watermark.to_string())],
        )
        .load(conn)?;
        let mut changed = 0;
        for row in &rows {
            if state.applied.get(&row.id) == Some(&row.changed) {
                continue;
            }
            state
                .writer
                .delete_term(Term::from_field_text(self.fields.id, &row.id.to_string()));
            if let Some(doc) = document(&self.fields, row) {
                state.writer.add_document(doc)?;
            }
            state.applied.insert(row.id, row.changed);
            changed += 1;
        }
        if changed > 0 {
            state.writer.commit()?;
            self.reader.reload()?;
        }
        // Changes below the horizon are final and read; those above will be read again.
        state.watermark = state.watermark.max(horizon);
        let watermark = state.watermark;
        state.applied.retain(|_, at| *at >= watermark);
        Ok(changed)
    }

    /// The ids of the `n` newest listings that match `f` (after `after` in the newest-first
    /// order), newest first — the listings PostgreSQL's walk would find, checked by it —
    /// or `None` when the index cannot answer this search (filters it does not hold).
    pub fn newest(
        &self,
        conn: &mut PgConnection,
        f: &Filters,
        after: Option<(Option<DateTime<Utc>>, Uuid)>,
        n: usize,
    ) -> Result<Option<Vec<Uuid>>, IndexError> {
        let Some(query) = self.query(f, Utc::now()) else {
            return Ok(None);
        };
        self.catch_up(conn)?;
        let searcher = self.reader.searcher();
        let mut before = after.map(|(t, id)| key_of(t, id));
        let mut found: Vec<Uuid> = Vec::with_capacity(n);
        for _ in 0..MAX_ROUNDS {
            let want = n - found.len();
            let keys = searcher.search(&query, &Newest { n: want, before })?;
            if keys.is_empty() {
                return Ok(Some(found));
            }
            let ids: Vec<Uuid> = keys
                .iter()
                .map(|(_, hi, lo)| Uuid::from_u64_pair(*hi, *lo))
                .collect();
            let confirmed = confirm(conn, f, &ids)?;
            found.extend(ids.iter().filter(|id| confirmed.contains(id)));
            if found.len() >= n || keys.len() < want {
                return Ok(Some(found));
            }
            before = keys.last().copied();
        }
        Ok(None)
    }

    /// The index's query for `f`: the text and the filters it holds, all exact (or wider,
    /// never narrower: PostgreSQL checks the candidates). `None` when `f` filters on what the
    /// index does not hold, or has no text.
    fn query(&self, f: &Filters, now: DateTime<Utc>) -> Option<Box<dyn Query>> {
        let Filters {
            query: _,
            tsquery,
            categories,
            make,
            model,
            year_min,
            year_max,
            price_min,
            price_max,
            ttaf_max,
            smoh_max,
            hours_to_tbo_min,
            engine_hours_max,
            ifr,
            seats_min,
            fuel,
            condition,
            seller_type,
            country,
            has_photos,
            posted_after,
            near,
            radius_km: _,
            include_sold,
        } = f;
        let held_elsewhere = model.is_some()
            || ttaf_max.is_some()
            || smoh_max.is_some()
            || hours_to_tbo_min.is_some()
            || engine_hours_max.is_some()
            || ifr.is_some()
            || seats_min.is_some()
            || fuel.is_some()
            || condition.is_some()
            || seller_type.is_some()
            || has_photos.is_some()
            || near.is_some()
            // Lower-cased here as PostgreSQL's lower() does only for ASCII.
            || make.as_ref().is_some_and(|m| !m.is_ascii());
        if held_elsewhere {
            return None;
        }
        let text = tsquery_text::parse(tsquery.as_deref().filter(|t| !t.is_empty())?)?;
        let fl = &self.fields;
        let mut must: Vec<Box<dyn Query>> = Vec::new();
        match text_query(fl.lexemes, &text, true) {
            Words::All => {}
            Words::Nothing => must.push(Box::new(EmptyQuery)),
            Words::Query(q) => must.push(q),
        }
        let public: Box<dyn Query> = term(fl.visibility, "public");
        must.push(if *include_sold {
            // A minute wider than PostgreSQL's `now() - 30 days`, which checks it exactly.
            let since = (now - Duration::days(30) - Duration::minutes(1)).timestamp_micros();
            Box::new(BooleanQuery::union(vec![
                public,
                Box::new(BooleanQuery::intersection(vec![
                    term(fl.visibility, "sold"),
                    i64_range(fl.sold, Some(since), None),
                ])),
            ]))
        } else {
            public
        });
        if let Some(ids) = categories {
            must.push(Box::new(TermSetQuery::new(
                ids.iter()
                    .map(|id| Term::from_field_text(fl.category, &id.to_string())),
            )));
        }
        if price_min.is_some() || price_max.is_some() {
            must.push(i64_range(fl.price, *price_min, *price_max));
        }
        if year_min.is_some() || year_max.is_some() {
            must.push(i64_range(
                fl.year,
                year_min.map(i64::from),
                year_max.map(i64::from),
            ));
        }
        if let Some(m) = make {
            must.push(term(fl.make, &m.to_ascii_lowercase()));
        }
        if let Some(c) = country {
            must.push(term(fl.country, c));
        }
        if let Some(t) = posted_after {
            must.push(i64_range(fl.published, Some(t.timestamp_micros()), None));
        }
        Some(Box::new(BooleanQuery::intersection(must)))
    }
}

/// The document of a listing the index holds (visible or sold), `None` for the others.
fn document(fl: &Fields, row: &Row) -> Option<TantivyDocument> {
    let visibility = match row.status.as_str() {
        "published" | "reserved" => "public",
        "sold" => "sold",
        _ => return None,
    };
    let mut doc = TantivyDocument::default();
    let (hi, lo) = row.id.as_u64_pair();
    doc.add_text(fl.id, row.id.to_string());
    doc.add_u64(fl.id_hi, hi);
    doc.add_u64(fl.id_lo, lo);
    doc.add_i64(fl.published, key_of(row.published_at, row.id).0);
    doc.add_text(fl.visibility, visibility);
    if let Some(t) = row.sold_at {
        doc.add_i64(fl.sold, t.timestamp_micros());
    }
    doc.add_text(fl.category, row.category_id.to_string());
    if let Some(p) = row.price_amount {
        doc.add_i64(fl.price, p);
    }
    if let Some(m) = &row.make
        && m.is_ascii()
    {
        doc.add_text(fl.make, m.to_ascii_lowercase());
    }
    if let Some(c) = &row.country {
        doc.add_text(fl.country, c);
    }
    if let Some(y) = row.year {
        doc.add_i64(fl.year, i64::from(y));
    }
    for lexeme in &row.lexemes {
        doc.add_text(fl.lexemes, lexeme);
    }
    Some(doc)
}

/// Which of `ids` PostgreSQL finds with the search's whole WHERE clause.
fn confirm(conn: &mut PgConnection, f: &Filters, ids: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    let mut sql = Sql::new("SELECT l.id", vec![]);
    from_where(&mut sql, f, None);
    sql.push(" AND l.id = ANY(?)", vec![Bind::Uuids(ids.to_vec())]);
    Ok(sql.load::<Id>(conn)?.into_iter().map(|r| r.id).collect())
}

fn term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

fn i64_range(field: Field, min: Option<i64>, max: Option<i64>) -> Box<dyn Query> {
    let bound = |v: Option<i64>| match v {
        Some(v) => Bound::Included(Term::from_field_i64(field, v)),
        None => Bound::Unbounded,
    };
    Box::new(RangeQuery::new(bound(min), bound(max)))
}

/// A text query, or one of the two sets no query spells.
enum Words {
    All,
    Nothing,
    Query(Box<dyn Query>),
}

/// The tsquery as an index query over lexemes. `wide`: the result must hold every listing
/// the tsquery matches (it may hold more); otherwise (under a negation) it must hold only
/// such listings. Exact for lexemes, `&`, `|` and `!`; a phrase (`<->`) is its words' `&`
/// when wide, and nothing under a negation; a weight or prefix restriction likewise.
fn text_query(field: Field, node: &Node, wide: bool) -> Words {
    match node {
        Node::Lexeme {
            text,
            restricted: false,
        } => Words::Query(term_query(field, text)),
        Node::Lexeme {
            text,
            restricted: true,
        } => {
            if wide {
                Words::Query(term_query(field, text))
            } else {
                Words::Nothing
            }
        }
        Node::Phrase(parts) => {
            if wide {
                and(parts.iter().map(|p| text_query(field, p, wide)).collect())
            } else {
                Words::Nothing
            }
        }
        Node::And(parts) => and(parts.iter().map(|p| text_query(field, p, wide)).collect()),
        Node::Or(parts) => or(parts.iter().map(|p| text_query(field, p, wide)).collect()),
        Node::Not(inner) => match text_query(field, inner, !wide) {
            Words::All => Words::Nothing,
            Words::Nothing => Words::All,
            Words::Query(q) => Words::Query(Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery)),
                (Occur::MustNot, q),
            ]))),
        },
    }
}

fn term_query(field: Field, lexeme: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, lexeme),
        IndexRecordOption::Basic,
    ))
}

fn and(parts: Vec<Words>) -> Words {
    let mut queries = Vec::new();
    for part in parts {
        match part {
            Words::All => {}
            Words::Nothing => return Words::Nothing,
            Words::Query(q) => queries.push(q),
        }
    }
    match queries.len() {
        0 => Words::All,
        1 => Words::Query(queries.remove(0)),
        _ => Words::Query(Box::new(BooleanQuery::intersection(queries))),
    }
}

fn or(parts: Vec<Words>) -> Words {
    let mut queries = Vec::new();
    for part in parts {
        match part {
            Words::All => return Words::All,
            Words::Nothing => {}
            Words::Query(q) => queries.push(q),
        }
    }
    match queries.len() {
        0 => Words::Nothing,
        1 => Words::Query(queries.remove(0)),
        _ => Words::Query(Box::new(BooleanQuery::union(queries))),
    }
}

/// Collects the `n` largest keys below `before`: the newest matches after a position.
struct Newest {
    n: usize,
    before: Option<Key>,
}

struct NewestInSegment {
    published: Column<i64>,
    hi: Column<u64>,
    lo: Column<u64>,
    n: usize,
    before: Option<Key>,
    /// The newest so far, oldest on top.
    heap: BinaryHeap<Reverse<Key>>,
}

impl Collector for Newest {
    type Fruit = Vec<Key>;
    type Child = NewestInSegment;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<NewestInSegment> {
        let fast = reader.fast_fields();
        Ok(NewestInSegment {
            published: fast.i64("published")?,
            hi: fast.u64("id_hi")?,
            lo: fast.u64("id_lo")?,
            n: self.n,
            before: self.before,
            heap: BinaryHeap::with_capacity(self.n + 1),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Key>>) -> tantivy::Result<Vec<Key>> {
        let mut all: Vec<Key> = fruits.into_iter().flatten().collect();
        all.sort_unstable_by(|a, b| b.cmp(a));
        all.truncate(self.n);
        Ok(all)
    }
}

impl SegmentCollector for NewestInSegment {
    type Fruit = Vec<Key>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let key = (
            self.published.first(doc).unwrap_or(i64::MAX),
            self.hi.first(doc).unwrap_or_default(),
            self.lo.first(doc).unwrap_or_default(),
        );
        if self.before.is_some_and(|b| key >= b) {
            return;
        }
        if self.heap.len() < self.n {
            self.heap.push(Reverse(key));
        } else if self
            .heap
            .peek()
            .is_some_and(|Reverse(oldest)| key > *oldest)
        {
            self.heap.pop();
            self.heap.push(Reverse(key));
        }
    }

    fn harvest(self) -> Vec<Key> {
        self.heap.into_iter().map(|Reverse(k)| k).collect()
    }
}
