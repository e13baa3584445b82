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
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{
    BigInt, Bool, Bytea, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::index::SegmentId;
use tantivy::indexer::NoMergePolicy;
use tantivy::postings::Postings;
use tantivy::query::{AllQuery, BooleanQuery, EmptyQuery, Occur, Query, TermQuery, Weight};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{PreTokenizedString, Token};
use tantivy::{
    DocAddress, DocId, DocSet, Index, IndexReader, IndexSettings, IndexSortByField, IndexWriter,
    Order, ReloadPolicy, Score, Searcher, SegmentOrdinal, SegmentReader, TERMINATED,
    TantivyDocument, Term,
};
use uuid::Uuid;

use super::Filters;
use super::query::from_where;
use super::rank::{self, Occurrence, RankQuery};
use super::sql::{Bind, Sql};
use super::tsquery_text::{self, Node};

/// The building writer's memory budget (split between its threads); segments are flushed
/// beyond it.
const WRITER_MEMORY: usize = 128_000_000;
/// The catch-up writer's memory budget.
const CATCH_UP_MEMORY: usize = 32_000_000;
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
    /// [`PUBLIC`] (published or reserved) or [`SOLD`].
    visibility: Field,
    sold: Field,
    /// The category id's halves.
    category_hi: Field,
    category_lo: Field,
    price: Field,
    make: Field,
    country: Field,
    year: Field,
    lexemes: Field,
}

/// Position in the newest-first order: published_at (µs; none first, as PostgreSQL's
/// `DESC` puts NULL first) then the id's two halves (uuid order is byte order).
type Key = (i64, u64, u64);

/// A match: its place in that order and its document.
type Found = (Key, DocAddress);

/// A listing the index found, and its document.
type Match = (Uuid, DocAddress);

/// The matches of a relevance search, newest first, and their ranks when the index has them.
pub type Ranked = (Vec<Uuid>, Option<Vec<f32>>);

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
    /// `search_document` in PostgreSQL's binary form (`tsvectorsend`): lexemes with
    /// positions and weights, read without the text form's quoting.
    #[diesel(sql_type = Bytea)]
    document: Vec<u8>,
    #[diesel(sql_type = Bool)]
    seller_active: bool,
}

const ROW_COLUMNS: &str = "l.id, l.search_changed::text::int8 AS changed, l.status, \
    l.published_at, l.sold_at, l.category_id, l.price_amount, l.make, \
    rtrim(l.country::text) AS country, l.year, tsvectorsend(l.search_document) AS document, \
    u.status = 'active' AS seller_active";

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
    /// Whether each segment is in newest-first order (checked once per segment).
    sorted: Mutex<HashMap<SegmentId, bool>>,
}

impl SearchIndex {
    /// Builds the index from every visible or sold listing.
    pub fn build(conn: &mut PgConnection) -> Result<SearchIndex, IndexError> {
        let started = std::time::Instant::now();
        let mut schema = Schema::builder();
        let lexeme_options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("raw")
                // Positions: relevance is ranked from them (`rank.rs`).
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        // Filters are fast fields (columns), checked per text match in publication order
        // (see `Newest`), where the inverted index would first gather every listing of every
        // price or category in them; make and country are terms, matched with the text.
        let fields = Fields {
            id: schema.add_text_field("id", STRING),
            id_hi: schema.add_u64_field("id_hi", FAST),
            id_lo: schema.add_u64_field("id_lo", FAST),
            published: schema.add_i64_field("published", FAST),
            visibility: schema.add_u64_field("visibility", FAST),
            sold: schema.add_i64_field("sold", FAST),
            category_hi: schema.add_u64_field("category_hi", FAST),
            category_lo: schema.add_u64_field("category_lo", FAST),
            price: schema.add_i64_field("price", FAST),
            make: schema.add_text_field("make", STRING),
            country: schema.add_text_field("country", STRING),
            year: schema.add_i64_field("year", FAST),
            lexemes: schema.add_text_field("lexemes", lexeme_options),
        };
        // Every segment sorted newest first: a search reads each segment's matches from the
        // newest and stops when older ones cannot enter its results.
        let index = Index::builder()
            .schema(schema.build())
            .settings(IndexSettings {
                sort_by_field: Some(IndexSortByField {
                    field: "published".to_owned(),
                    order: Order::Desc,
                }),
                ..IndexSettings::default()
            })
            .create_in_ram()?;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let mut writer: IndexWriter = index.writer_with_num_threads(threads, WRITER_MEMORY)?;
        writer.set_merge_policy(Box::new(NoMergePolicy));
        // Read before the listings: whatever changes while they are read is read again.
        let watermark = horizon(conn)?;
        let mut last = Uuid::nil();
        let mut count = 0usize;
        loop {
            let rows: Vec<Row> = Sql::new(
                &format!(
                    "SELECT {ROW_COLUMNS} FROM listings l JOIN users u ON u.id = l.seller_id \
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
        // One segment before the first search: a search reads up to n matches in every
        // segment, and merging later would take the CPU searches need. Then a one-thread
        // writer for the catch-ups.
        let segments = index.searchable_segment_ids()?;
        if segments.len() > 1 {
            writer.merge(&segments).wait()?;
        }
        writer.wait_merging_threads()?;
        let writer: IndexWriter = index.writer_with_num_threads(1, CATCH_UP_MEMORY)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        log::info!(
            "search index: {count} listings in {} ms ({} segments merged)",
            started.elapsed().as_millis(),
            segments.len()
        );
        Ok(SearchIndex {
            reader,
            fields,
            sync: Mutex::new(SyncState {
                writer,
                watermark,
                applied: HashMap::new(),
            }),
            sorted: Mutex::new(HashMap::new()),
        })
    }

    /// Applies the changes committed since the last look; returns how many listings changed.
    pub fn catch_up(&self, conn: &mut PgConnection) -> Result<usize, IndexError> {
        #[derive(QueryableByName)]
        struct Changed {
            #[diesel(embed)]
            listing: Row,
            #[diesel(sql_type = BigInt)]
            horizon: i64,
        }
        let mut state = self.sync.lock().map_err(|_| IndexError::Poisoned)?;
        // One statement, usually answered from the index on `search_changed` with no row.
        // Without a row, the watermark stays: nothing was missed, nothing is read again.
        let changes: Vec<Changed> = Sql::new(
            &format!(
                "SELECT {ROW_COLUMNS}, pg_snapshot_xmin(pg_current_snapshot())::text::int8 AS horizon \
                 FROM listings l JOIN users u ON u.id = l.seller_id \
                 WHERE l.search_changed >= CAST(CAST(? AS text) AS xid8)"
            ),
            vec![Bind::Text(state.watermark.to_string())],
        )
        .load(conn)?;
        let horizon = changes.iter().map(|c| c.horizon).min();
        let rows: Vec<Row> = changes.into_iter().map(|c| c.listing).collect();
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
            // Forget the order of segments merged away.
            let live: Vec<SegmentId> = self
                .reader
                .searcher()
                .segment_readers()
                .iter()
                .map(SegmentReader::segment_id)
                .collect();
            if let Ok(mut sorted) = self.sorted.lock() {
                sorted.retain(|id, _| live.contains(id));
            }
        }
        // Changes below the horizon are final and read; those above will be read again.
        if let Some(horizon) = horizon {
            state.watermark = state.watermark.max(horizon);
        }
        let watermark = state.watermark;
        state.applied.retain(|_, at| *at >= watermark);
        Ok(changed)
    }

    /// The ids of the `n` newest listings that match `f` (after `after` in the newest-first
    /// order), newest first — the listings PostgreSQL's walk would find, checked by it —
    /// or `None` when the index cannot answer this search (filters it does not hold).
    /// Catches up first unless `caught_up` (one catch-up per request, however many lookups).
    pub fn newest(
        &self,
        conn: &mut PgConnection,
        f: &Filters,
        after: Option<(Option<DateTime<Utc>>, Uuid)>,
        n: usize,
        caught_up: &mut bool,
    ) -> Result<Option<Vec<Uuid>>, IndexError> {
        Ok(self
            .lookup(conn, f, after, n, caught_up)?
            .map(|(_, found)| found.into_iter().map(|(id, _)| id).collect()))
    }

    /// The `n` newest matches of `f`, as [`Self::newest`], each with its `ts_rank_cd` when
    /// the index can compute it (a plain query: [`RankQuery::new`]; else PostgreSQL ranks).
    pub fn relevance(
        &self,
        conn: &mut PgConnection,
        f: &Filters,
        n: usize,
        caught_up: &mut bool,
    ) -> Result<Option<Ranked>, IndexError> {
        let Some((searcher, found)) = self.lookup(conn, f, None, n, caught_up)? else {
            return Ok(None);
        };
        let query = f
            .tsquery
            .as_deref()
            .and_then(tsquery_text::parse)
            .and_then(|node| RankQuery::new(&node));
        let ranks = match query {
            Some(q) => {
                let docs: Vec<DocAddress> = found.iter().map(|(_, at)| *at).collect();
                Some(self.rank(&searcher, &q, &docs)?)
            }
            None => None,
        };
        Ok(Some((found.into_iter().map(|(id, _)| id).collect(), ranks)))
    }

    /// `ts_rank_cd` of each document, from the positions of the query's lexemes in it.
    fn rank(
        &self,
        searcher: &Searcher,
        q: &RankQuery,
        docs: &[DocAddress],
    ) -> Result<Vec<f32>, IndexError> {
        let mut occurrences: Vec<Vec<Occurrence>> = vec![Vec::new(); docs.len()];
        // By segment, in document order: each lexeme's postings are read forward once.
        let mut order: Vec<usize> = (0..docs.len()).collect();
        order.sort_by_key(|&i| (docs[i].segment_ord, docs[i].doc_id));
        let mut positions = Vec::new();
        for group in order.chunk_by(|&a, &b| docs[a].segment_ord == docs[b].segment_ord) {
            let Some(&first) = group.first() else {
                continue;
            };
            let inverted = searcher
                .segment_reader(docs[first].segment_ord)
                .inverted_index(self.fields.lexemes)?;
            for (lexeme, text) in q.lexemes.iter().enumerate() {
                let term = Term::from_field_text(self.fields.lexemes, text);
                let Some(mut postings) = inverted
                    .read_postings(&term, IndexRecordOption::WithFreqsAndPositions)
                    .map_err(tantivy::TantivyError::from)?
                else {
                    continue;
                };
                for &i in group {
                    let doc = docs[i].doc_id;
                    let mut at = postings.doc();
                    if at < doc {
                        at = postings.seek(doc);
                    }
                    if at != doc {
                        continue;
                    }
                    positions.clear();
                    postings.positions(&mut positions);
                    // `position × 4 + weight class` (see `document`); 0: no position.
                    occurrences[i].extend(positions.iter().filter(|p| **p >= 4).map(|p| {
                        Occurrence {
                            pos: u16::try_from(p / 4).unwrap_or(u16::MAX),
                            weight: (p % 4) as u8,
                            lexeme: lexeme as u16,
                        }
                    }));
                }
            }
        }
        Ok(occurrences.iter_mut().map(|o| q.cover_density(o)).collect())
    }

    /// [`Self::newest`] with each match's document, and the searcher they are in.
    fn lookup(
        &self,
        conn: &mut PgConnection,
        f: &Filters,
        after: Option<(Option<DateTime<Utc>>, Uuid)>,
        n: usize,
        caught_up: &mut bool,
    ) -> Result<Option<(Searcher, Vec<Match>)>, IndexError> {
        let Some((query, filter, exact)) = self.query(f, Utc::now()) else {
            return Ok(None);
        };
        if !*caught_up {
            self.catch_up(conn)?;
            *caught_up = true;
        }
        let searcher = self.reader.searcher();
        let mut before = after.map(|(t, id)| key_of(t, id));
        let mut found: Vec<Match> = Vec::with_capacity(n);
        for _ in 0..MAX_ROUNDS {
            let want = n - found.len();
            // Checked candidates are asked with a margin: PostgreSQL may turn a few down.
            let ask = if exact { want } else { want + want / 8 + 8 };
            let matches = searcher.search(
                &query,
                &Newest {
                    n: ask,
                    before,
                    filter: filter.clone(),
                    sorted: &self.sorted,
                },
            )?;
            let hits: Vec<Match> = matches
                .iter()
                .map(|((_, hi, lo), at)| (Uuid::from_u64_pair(*hi, *lo), *at))
                .collect();
            if exact {
                return Ok(Some((searcher, hits)));
            }
            if !hits.is_empty() {
                let ids: Vec<Uuid> = hits.iter().map(|(id, _)| *id).collect();
                let confirmed = confirm(conn, f, &ids)?;
                found.extend(hits.into_iter().filter(|(id, _)| confirmed.contains(id)));
            }
            if found.len() >= n || matches.len() < ask {
                found.truncate(n);
                return Ok(Some((searcher, found)));
            }
            before = matches.last().map(|(key, _)| *key);
        }
        Ok(None)
    }

    /// The index's query for `f` (the text, make and country), the filters checked on its
    /// matches, and whether their matches are exactly the search's (else they are wider,
    /// never narrower, and PostgreSQL checks them). `None` when `f` filters on what the
    /// index does not hold, or has no text.
    fn query(&self, f: &Filters, now: DateTime<Utc>) -> Option<(Box<dyn Query>, DocFilter, bool)> {
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
        if let Some(m) = make {
            must.push(term(fl.make, &m.to_ascii_lowercase()));
        }
        if let Some(c) = country {
            must.push(term(fl.country, c));
        }
        let filter = DocFilter {
            // A minute wider than PostgreSQL's `now() - 30 days`, which checks it exactly.
            sold_since: include_sold
                .then(|| (now - Duration::days(30) - Duration::minutes(1)).timestamp_micros()),
            categories: categories
                .as_ref()
                .map(|ids| ids.iter().map(Uuid::as_u64_pair).collect()),
            price: (*price_min, *price_max),
            year: (year_min.map(i64::from), year_max.map(i64::from)),
            published_min: posted_after.map(|t| t.timestamp_micros()),
        };
        let query: Box<dyn Query> = match must.len() {
            0 => Box::new(AllQuery),
            1 => must.remove(0),
            _ => Box::new(BooleanQuery::intersection(must)),
        };
        // Exact: what PostgreSQL would find, as of the last catch-up. A phrase or a weight is
        // wider here, a make is lower-cased by PostgreSQL's rules, and "sold within 30 days"
        // is computed by this clock: PostgreSQL then checks the candidates.
        let exact = text.plain() && make.is_none() && !*include_sold;
        Some((query, filter, exact))
    }
}

/// The document of a listing the index holds (visible or sold, of an active seller), `None`
/// for the others.
fn document(fl: &Fields, row: &Row) -> Option<TantivyDocument> {
    if !row.seller_active {
        return None;
    }
    let visibility = match row.status.as_str() {
        "published" | "reserved" => PUBLIC,
        "sold" => SOLD,
        _ => return None,
    };
    let mut doc = TantivyDocument::default();
    let (hi, lo) = row.id.as_u64_pair();
    doc.add_text(fl.id, row.id.to_string());
    doc.add_u64(fl.id_hi, hi);
    doc.add_u64(fl.id_lo, lo);
    doc.add_i64(fl.published, key_of(row.published_at, row.id).0);
    doc.add_u64(fl.visibility, visibility);
    if let Some(t) = row.sold_at {
        doc.add_i64(fl.sold, t.timestamp_micros());
    }
    let (category_hi, category_lo) = row.category_id.as_u64_pair();
    doc.add_u64(fl.category_hi, category_hi);
    doc.add_u64(fl.category_lo, category_lo);
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
    let Some(entries) = rank::read_tsvector(&row.document) else {
        log::warn!(
            "search index: listing {} has an unreadable search document",
            row.id
        );
        return None;
    };
    // Each occurrence at `position × 4 + weight class`, so the index gives both back for
    // ranking; a lexeme without positions at 0 (matched, never ranked, as PostgreSQL does).
    let mut tokens = Vec::new();
    let at = |(pos, weight): (u16, u8)| usize::from(pos) * 4 + usize::from(weight);
    for (lexeme, positions) in entries {
        // The lexeme's own string goes to its last token: one copy fewer per lexeme (most
        // have one position), at start-up for a million listings.
        match positions.split_last() {
            None => tokens.push(token(lexeme, 0)),
            Some((last, others)) => {
                for p in others {
                    tokens.push(token(lexeme.clone(), at(*p)));
                }
                tokens.push(token(lexeme, at(*last)));
            }
        }
    }
    doc.add_pre_tokenized_text(
        fl.lexemes,
        PreTokenizedString {
            text: String::new(),
            tokens,
        },
    );
    Some(doc)
}

fn token(lexeme: String, position: usize) -> Token {
    Token {
        offset_from: 0,
        offset_to: 0,
        position,
        text: lexeme,
        position_length: 1,
    }
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

const PUBLIC: u64 = 0;
const SOLD: u64 = 1;

/// The filters checked on each text match, from its fast fields.
#[derive(Clone, Debug)]
struct DocFilter {
    /// Sold listings too, sold since then (µs); `None`: published and reserved only.
    sold_since: Option<i64>,
    categories: Option<Vec<(u64, u64)>>,
    price: (Option<i64>, Option<i64>),
    year: (Option<i64>, Option<i64>),
    published_min: Option<i64>,
}

fn within(value: Option<i64>, (min, max): (Option<i64>, Option<i64>)) -> bool {
    if min.is_none() && max.is_none() {
        return true;
    }
    value.is_some_and(|v| min.is_none_or(|m| v >= m) && max.is_none_or(|m| v <= m))
}

/// Collects the `n` newest matches (largest keys) below `before` that pass `filter`.
///
/// Segments are sorted newest first (the index's `sort_by_field`), so each is read from its
/// first match after `before` (found by bisecting its publication column) and left as soon
/// as a match is older than the oldest of `n` kept: "dr400 hangaré" reads 300 matches, not
/// the 17,000 the words have. A segment found unsorted (checked once per segment) is read
/// whole, which is slower and still right.
struct Newest<'a> {
    n: usize,
    before: Option<Key>,
    filter: DocFilter,
    sorted: &'a Mutex<HashMap<SegmentId, bool>>,
}

struct NewestInSegment {
    published: Column<i64>,
    hi: Column<u64>,
    lo: Column<u64>,
    visibility: Column<u64>,
    sold: Column<i64>,
    category_hi: Column<u64>,
    category_lo: Column<u64>,
    price: Column<i64>,
    year: Column<i64>,
    n: usize,
    before: Option<Key>,
    filter: DocFilter,
    segment: SegmentOrdinal,
    /// The newest so far, oldest on top.
    heap: BinaryHeap<Reverse<(Key, DocId)>>,
}

impl NewestInSegment {
    fn passes(&self, doc: DocId, published: i64) -> bool {
        let f = &self.filter;
        let visible = match self.visibility.first(doc) {
            Some(PUBLIC) => true,
            Some(SOLD) => f
                .sold_since
                .is_some_and(|since| self.sold.first(doc).is_some_and(|at| at >= since)),
            _ => false,
        };
        visible
            && f.published_min.is_none_or(|min| published >= min)
            && f.categories.as_ref().is_none_or(|set| {
                let category = (
                    self.category_hi.first(doc).unwrap_or_default(),
                    self.category_lo.first(doc).unwrap_or_default(),
                );
                set.contains(&category)
            })
            && within(self.price.first(doc), f.price)
            && within(self.year.first(doc), f.year)
    }

    /// Whether the newest-first walk of a sorted segment may stop at a match published then.
    fn full_and_older(&self, published: i64) -> bool {
        self.heap.len() >= self.n
            && self
                .heap
                .peek()
                .is_some_and(|Reverse((oldest, _))| published < oldest.0)
    }

    /// Keeps the match `doc` if it is after the cursor, passes the filters and is among the
    /// `n` newest so far.
    fn offer(&mut self, doc: DocId, published: i64) {
        let key = (
            published,
            self.hi.first(doc).unwrap_or_default(),
            self.lo.first(doc).unwrap_or_default(),
        );
        if self.before.is_none_or(|b| key < b) && self.passes(doc, published) {
            self.keep((key, doc));
        }
    }

    fn keep(&mut self, found: (Key, DocId)) {
        if self.heap.len() < self.n {
            self.heap.push(Reverse(found));
        } else if self
            .heap
            .peek()
            .is_some_and(|Reverse((oldest, _))| found.0 > *oldest)
        {
            self.heap.pop();
            self.heap.push(Reverse(found));
        }
    }
}

/// Whether the segment's documents are in newest-first order.
fn newest_first(published: &Column<i64>, max_doc: DocId) -> bool {
    let mut previous = i64::MAX;
    for doc in 0..max_doc {
        let Some(p) = published.first(doc) else {
            return false;
        };
        if p > previous {
            return false;
        }
        previous = p;
    }
    true
}

impl Collector for Newest<'_> {
    type Fruit = Vec<Found>;
    type Child = NewestInSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<NewestInSegment> {
        let fast = reader.fast_fields();
        // A segment none of whose listings has a value (no sold one, say) has no column.
        let max_doc = reader.max_doc();
        let i64s = |name: &str| -> tantivy::Result<Column<i64>> {
            Ok(fast
                .column_opt(name)?
                .unwrap_or_else(|| Column::build_empty_column(max_doc)))
        };
        let u64s = |name: &str| -> tantivy::Result<Column<u64>> {
            Ok(fast
                .column_opt(name)?
                .unwrap_or_else(|| Column::build_empty_column(max_doc)))
        };
        Ok(NewestInSegment {
            published: i64s("published")?,
            hi: u64s("id_hi")?,
            lo: u64s("id_lo")?,
            visibility: u64s("visibility")?,
            sold: i64s("sold")?,
            category_hi: u64s("category_hi")?,
            category_lo: u64s("category_lo")?,
            price: i64s("price")?,
            year: i64s("year")?,
            n: self.n,
            before: self.before,
            filter: self.filter.clone(),
            segment,
            heap: BinaryHeap::with_capacity(self.n + 1),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Found>>) -> tantivy::Result<Vec<Found>> {
        let mut all: Vec<Found> = fruits.into_iter().flatten().collect();
        all.sort_unstable_by_key(|found| Reverse(found.0));
        all.truncate(self.n);
        Ok(all)
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Vec<Found>> {
        let mut seg = self.for_segment(segment, reader)?;
        if seg.n == 0 {
            return Ok(Vec::new());
        }
        let sorted = {
            let mut known = self
                .sorted
                .lock()
                .map_err(|_| tantivy::TantivyError::InternalError("lock poisoned".into()))?;
            *known
                .entry(reader.segment_id())
                .or_insert_with(|| newest_first(&seg.published, reader.max_doc()))
        };
        let alive = reader.alive_bitset();
        let mut scorer = weight.scorer(reader, 1.0)?;
        let mut doc = scorer.doc();
        if sorted && let Some(before) = seg.before {
            // The first document not newer than the cursor.
            let (mut lo, mut hi) = (0, reader.max_doc());
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if seg.published.first(mid).unwrap_or(i64::MAX) > before.0 {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            if lo > doc {
                doc = scorer.seek(lo);
            }
        }
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                let published = seg.published.first(doc).unwrap_or(i64::MAX);
                if sorted && seg.full_and_older(published) {
                    break;
                }
                seg.offer(doc, published);
            }
            doc = scorer.advance();
        }
        Ok(seg.harvest())
    }
}

impl SegmentCollector for NewestInSegment {
    type Fruit = Vec<Found>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let published = self.published.first(doc).unwrap_or(i64::MAX);
        self.offer(doc, published);
    }

    fn harvest(self) -> Vec<Found> {
        let segment = self.segment;
        self.heap
            .into_iter()
            .map(|Reverse((key, doc))| (key, DocAddress::new(segment, doc)))
            .collect()
    }
}
