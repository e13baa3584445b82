//! What searches keep in memory between requests, each entry for a bounded time.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::Facet;

/// Entries one cache holds; it is emptied when full (the keys are few in practice: browse
/// pages ask the same questions all day).
const CAPACITY: usize = 2_000;

/// How long category subtrees and the table size are kept (other replicas' category changes
/// show after this).
pub const MEMO_TTL: Duration = Duration::from_secs(60);

/// Values by key, each valid for the `max_age` its reader asks for.
pub struct TtlCache<V> {
    entries: Mutex<HashMap<String, (Instant, V)>>,
}

impl<V> Default for TtlCache<V> {
    fn default() -> Self {
        TtlCache {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<V: Clone> TtlCache<V> {
    /// The value for `key` if it is younger than `max_age`, else what `load` gives (kept).
    pub fn get_or_load<E>(
        &self,
        key: &str,
        max_age: Duration,
        load: impl FnOnce() -> Result<V, E>,
    ) -> Result<V, E> {
        if let Ok(entries) = self.entries.lock()
            && let Some((at, value)) = entries.get(key)
            && at.elapsed() < max_age
        {
            return Ok(value.clone());
        }
        let value = load()?;
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(key.to_owned(), (Instant::now(), value.clone()));
        }
        Ok(value)
    }

    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

/// (facet, value, count) rows.
pub type FacetCounts = Vec<(Facet, String, i64)>;

/// The search caches of one process.
#[derive(Default)]
pub struct SearchCaches {
    /// Facets summed from the aggregate, until its next refresh is due (they cannot change
    /// before it).
    pub facets: TtlCache<FacetCounts>,
    /// Browse totals from the aggregate, likewise.
    pub totals: TtlCache<i64>,
    /// Category subtrees by slug: [`MEMO_TTL`], and cleared when this process writes a
    /// category.
    pub subtrees: TtlCache<Vec<Uuid>>,
    /// Rows in `listings` (one key): [`MEMO_TTL`].
    pub table_rows: TtlCache<f64>,
    /// Compiled tsqueries by query text: [`MEMO_TTL`] (a make added since is corrected to
    /// after it).
    pub tsqueries: TtlCache<String>,
    /// The planner's estimates by search: [`ESTIMATE_TTL`] (an estimate already).
    pub estimates: TtlCache<i64>,
    /// Airfields' coordinates by ICAO code (`None`: unknown): [`MEMO_TTL`]. Reference data,
    /// loaded from the bundled list at start-up; a radius search asks for its airfield on
    /// every page.
    pub airfields: TtlCache<Option<(f64, f64)>>,
}

/// How long a planner's estimate of a search's matches is kept.
pub const ESTIMATE_TTL: Duration = Duration::from_secs(10);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_kept_for_their_age_and_reloaded_after() {
        let cache = TtlCache::<i64>::default();
        let load = |n| move || Ok::<_, ()>(n);
        assert_eq!(
            cache.get_or_load("k", Duration::from_secs(60), load(1)),
            Ok(1)
        );
        assert_eq!(
            cache.get_or_load("k", Duration::from_secs(60), load(2)),
            Ok(1),
            "kept"
        );
        assert_eq!(
            cache.get_or_load("k", Duration::ZERO, load(3)),
            Ok(3),
            "too old"
        );
        cache.clear();
        assert_eq!(
            cache.get_or_load("k", Duration::from_secs(60), load(4)),
            Ok(4),
            "cleared"
        );
        assert_eq!(
            cache.get_or_load("k", Duration::from_secs(60), || Err(())),
            Ok(4)
        );
    }
}
