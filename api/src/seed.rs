//! Reference data bundled with the binary and loaded into the database: the airfields of
//! `data/airfields/airports.csv` (the airportsdata package, MIT, see `data/airfields/LICENSE`).
//!
//! Categories, makes and models are small and seeded by their migration; the 28,000 airfields
//! are loaded here with `COPY`, in one transaction (TRUNCATE + COPY + the digest in
//! `reference_data`), and only when the digest of the bundled file differs from the one
//! recorded: start-up costs one query when nothing changed. The API runs it after the
//! migrations (`Application::build`, `api migrate`); the test harness runs it once on its
//! template database.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use diesel::pg::PgConnection;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::airfields::NewAirfield;
use crate::db::schema::{airfields, reference_data};

/// The bundled airfields file.
pub const AIRFIELDS_CSV: &str = include_str!("../../data/airfields/airports.csv");

/// Name of the airfields row in `reference_data`.
pub const AIRFIELDS: &str = "airfields";

/// Part of the digest: bump it when the parsing or skip rules change, so databases loaded
/// with the old rules are reloaded even though the file did not change.
const AIRFIELDS_LOADER_VERSION: &str = "airfields-loader-1";

/// Serialises loaders of several API processes starting together ("HANGRF").
const SEED_LOCK_KEY: i64 = 0x4841_4e47_5246;

/// The columns the file must start with, in this order.
const EXPECTED_HEADER: [&str; 10] = [
    "icao",
    "iata",
    "name",
    "city",
    "subd",
    "country",
    "elevation",
    "lat",
    "lon",
    "tz",
];

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("bundled reference data is unusable: {0}")]
    Data(String),
    #[error("loading reference data failed: {0}")]
    Database(#[from] diesel::result::Error),
}

/// What [`reference_data`] did with a data set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The recorded digest matched: nothing was written.
    Unchanged,
    Loaded {
        rows: usize,
        skipped: usize,
        elapsed: Duration,
    },
}

/// Hex SHA-256 of the loader version and the bundled file: what `reference_data.sha256`
/// holds once the file is loaded. Computed once per process.
pub fn airfields_digest() -> &'static str {
    static DIGEST: OnceLock<String> = OnceLock::new();
    DIGEST.get_or_init(|| {
        let mut hasher = Sha256::new();
        hasher.update(AIRFIELDS_LOADER_VERSION.as_bytes());
        hasher.update(b"\n");
        hasher.update(AIRFIELDS_CSV.as_bytes());
        hex(&hasher.finalize())
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Loads every bundled data set whose digest changed. Idempotent; safe to run from several
/// processes at once (they take turns on an advisory lock, and the later ones find the
/// digest up to date).
pub fn reference_data(conn: &mut PgConnection) -> Result<Outcome, SeedError> {
    load_airfields(conn, AIRFIELDS_CSV, airfields_digest())
}

/// Loads `csv` into `airfields` unless `digest` is already recorded.
pub fn load_airfields(
    conn: &mut PgConnection,
    csv: &str,
    digest: &str,
) -> Result<Outcome, SeedError> {
    let started = Instant::now();
    conn.transaction(|conn| {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({SEED_LOCK_KEY})"))
            .execute(conn)?;
        let recorded: Option<String> = reference_data::table
            .find(AIRFIELDS)
            .select(reference_data::sha256)
            .first(conn)
            .optional()?;
        if recorded.as_deref() == Some(digest) {
            log::debug!("airfields are up to date ({digest})");
            return Ok(Outcome::Unchanged);
        }
        let parsed = parse_airfields(csv)?;
        // TRUNCATE, not DELETE: the table is replaced as a whole, and COPY into a table
        // truncated in the same transaction is PostgreSQL's fastest path. Nothing may
        // reference `airfields` by foreign key (a TRUNCATE would refuse): listings copy the
        // ICAO code and coordinates they need instead.
        diesel::sql_query("TRUNCATE airfields").execute(conn)?;
        let rows = diesel::copy_from(airfields::table)
            .from_insertable(&parsed.rows)
            .execute(conn)?;
        // Fresh statistics, so the very first searches plan with the trigram index.
        diesel::sql_query("ANALYZE airfields").execute(conn)?;
        let rows_loaded = i32::try_from(rows).unwrap_or(i32::MAX);
        let rows_skipped = i32::try_from(parsed.skipped_total()).unwrap_or(i32::MAX);
        diesel::insert_into(reference_data::table)
            .values((
                reference_data::name.eq(AIRFIELDS),
                reference_data::sha256.eq(digest),
                reference_data::rows_loaded.eq(rows_loaded),
                reference_data::rows_skipped.eq(rows_skipped),
            ))
            .on_conflict(reference_data::name)
            .do_update()
            .set((
                reference_data::sha256.eq(digest),
                reference_data::rows_loaded.eq(rows_loaded),
                reference_data::rows_skipped.eq(rows_skipped),
                reference_data::loaded_at.eq(diesel::dsl::now),
            ))
            .execute(conn)?;
        let elapsed = started.elapsed();
        log::info!(
            "airfields: loaded {rows} rows in {} ms, skipped {} ({})",
            elapsed.as_millis(),
            parsed.skipped_total(),
            parsed.skipped_summary()
        );
        Ok(Outcome::Loaded {
            rows,
            skipped: parsed.skipped_total(),
            elapsed,
        })
    })
}

/// Why a line of the file was not loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Skip {
    /// No ICAO code: the table is keyed by it.
    NoIcao,
    /// Not four upper-case letters or digits (e.g. `_AYM`, placeholders of the source).
    InvalidIcao,
    /// The same ICAO code again (the first line wins).
    DuplicateIcao,
    /// Missing name, or a country that is not two upper-case letters.
    MissingField,
    /// Latitude or longitude missing, unreadable or out of range.
    InvalidPosition,
    /// Not the number of columns of the header.
    Malformed,
}

impl Skip {
    fn describe(self) -> &'static str {
        match self {
            Skip::NoIcao => "without an ICAO code",
            Skip::InvalidIcao => "with an ICAO code that is not 4 upper-case letters or digits",
            Skip::DuplicateIcao => "with a duplicate ICAO code",
            Skip::MissingField => "without a name or a valid country",
            Skip::InvalidPosition => "without a valid position",
            Skip::Malformed => "malformed",
        }
    }
}

/// The rows to load and what was skipped, by reason.
#[derive(Debug, Default)]
pub struct ParsedAirfields {
    pub rows: Vec<NewAirfield>,
    pub skipped: BTreeMap<Skip, usize>,
}

impl ParsedAirfields {
    pub fn skipped_total(&self) -> usize {
        self.skipped.values().sum()
    }

    fn skipped_summary(&self) -> String {
        if self.skipped.is_empty() {
            return "none".to_owned();
        }
        self.skipped
            .iter()
            .map(|(reason, n)| format!("{n} {}", reason.describe()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Parses the airportsdata CSV (RFC 4180: comma-separated, `"` quoting with `""` inside).
/// The header must start with [`EXPECTED_HEADER`]; extra trailing columns (`lid`) are
/// ignored. Lines that cannot be keyed or placed are skipped and counted, never fatal.
pub fn parse_airfields(csv: &str) -> Result<ParsedAirfields, SeedError> {
    let mut records = CsvRecords::new(csv);
    let header = records
        .next()
        .ok_or_else(|| SeedError::Data("the airfields file is empty".into()))?;
    if header.len() < EXPECTED_HEADER.len()
        || header
            .iter()
            .zip(EXPECTED_HEADER)
            .any(|(got, want)| got != want)
    {
        return Err(SeedError::Data(format!(
            "unexpected airfields header {header:?}; expected it to start with {EXPECTED_HEADER:?}"
        )));
    }
    let width = header.len();
    let mut parsed = ParsedAirfields::default();
    let mut seen = HashSet::new();
    for record in records {
        match airfield(&record, width) {
            Ok(row) if !seen.insert(row.icao.clone()) => {
                *parsed.skipped.entry(Skip::DuplicateIcao).or_default() += 1;
            }
            Ok(row) => parsed.rows.push(row),
            Err(reason) => *parsed.skipped.entry(reason).or_default() += 1,
        }
    }
    Ok(parsed)
}

fn airfield(record: &[String], width: usize) -> Result<NewAirfield, Skip> {
    if record.len() != width {
        return Err(Skip::Malformed);
    }
    let field = |i: usize| record[i].trim();
    let optional = |i: usize| Some(field(i)).filter(|v| !v.is_empty()).map(str::to_owned);
    let icao = field(0);
    if icao.is_empty() {
        return Err(Skip::NoIcao);
    }
    if !is_icao(icao) {
        return Err(Skip::InvalidIcao);
    }
    let name = field(2);
    let country = field(5);
    if name.is_empty()
        || name.chars().count() > 200
        || country.len() != 2
        || !country.bytes().all(|b| b.is_ascii_uppercase())
    {
        return Err(Skip::MissingField);
    }
    let lat: f64 = field(7).parse().map_err(|_| Skip::InvalidPosition)?;
    let lon: f64 = field(8).parse().map_err(|_| Skip::InvalidPosition)?;
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(Skip::InvalidPosition);
    }
    // Some elevations have decimals ("221.7"); implausible ones are dropped, not the row.
    let elevation_ft = field(6)
        .parse::<f64>()
        .ok()
        .filter(|e| (-1500.0..=30000.0).contains(e))
        .map(|e| e.round() as i32);
    let iata = optional(1).filter(|c| c.len() == 3 && c.bytes().all(is_code_byte));
    Ok(NewAirfield {
        icao: icao.to_owned(),
        iata,
        name: name.to_owned(),
        city: optional(3),
        subdivision: optional(4),
        country: country.to_owned(),
        elevation_ft,
        lat,
        lon,
        tz: optional(9),
    })
}

fn is_code_byte(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

/// Four upper-case ASCII letters or digits.
pub fn is_icao(code: &str) -> bool {
    code.len() == 4 && code.bytes().all(is_code_byte)
}

/// Iterator over the records of an RFC 4180 CSV text. Quoted fields may hold commas, quotes
/// (doubled) and line breaks; `\r\n` and `\n` both end a record; blank lines are skipped.
struct CsvRecords<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
}

impl<'a> CsvRecords<'a> {
    fn new(text: &'a str) -> Self {
        CsvRecords {
            chars: text
                .strip_prefix('\u{feff}')
                .unwrap_or(text)
                .chars()
                .peekable(),
        }
    }
}

impl Iterator for CsvRecords<'_> {
    type Item = Vec<String>;

    fn next(&mut self) -> Option<Vec<String>> {
        loop {
            self.chars.peek()?;
            let mut record = Vec::new();
            let mut field = String::new();
            let mut quoted = false;
            while let Some(c) = self.chars.next() {
                match c {
                    '"' if quoted => {
                        if self.chars.peek() == Some(&'"') {
                            self.chars.next();
                            field.push('"');
                        } else {
                            quoted = false;
                        }
                    }
                    '"' if field.is_empty() => quoted = true,
                    ',' if !quoted => record.push(std::mem::take(&mut field)),
                    '\r' if !quoted && self.chars.peek() == Some(&'\n') => {}
                    '\n' if !quoted => break,
                    c => field.push(c),
                }
            }
            record.push(field);
            if record.len() == 1 && record[0].is_empty() {
                continue; // a blank line
            }
            return Some(record);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "\"icao\",\"iata\",\"name\",\"city\",\"subd\",\"country\",\"elevation\",\"lat\",\"lon\",\"tz\",\"lid\"\n";

    fn parse(body: &str) -> ParsedAirfields {
        parse_airfields(&format!("{HEADER}{body}"))
            .unwrap_or_else(|e| panic!("parsing failed: {e}"))
    }

    #[test]
    fn reads_quoted_fields_and_optional_columns() {
        let parsed = parse(concat!(
            "\"LFJR\",\"ANE\",\"Angers-Loire Airport\",\"Angers/Marce\",\"Pays-de-la-Loire\",\"FR\",194,47.5603,-0.31222,\"Europe/Paris\",\"\"\r\n",
            "\"K2H2\",\"\",\"Fly \"\"N\"\" K, Airport\",\"\",\"\",\"US\",221.7,34.1,-84.2,\"\",\"2H2\"\n",
            "\n",
        ));
        assert!(parsed.skipped.is_empty(), "{:?}", parsed.skipped);
        assert_eq!(parsed.rows.len(), 2);
        let lfjr = &parsed.rows[0];
        assert_eq!(lfjr.icao, "LFJR");
        assert_eq!(lfjr.iata.as_deref(), Some("ANE"));
        assert_eq!(lfjr.city.as_deref(), Some("Angers/Marce"));
        assert_eq!(lfjr.elevation_ft, Some(194));
        assert_eq!((lfjr.lat, lfjr.lon), (47.5603, -0.31222));
        assert_eq!(lfjr.tz.as_deref(), Some("Europe/Paris"));
        let other = &parsed.rows[1];
        assert_eq!(
            other.name, "Fly \"N\" K, Airport",
            "quotes and commas inside quotes"
        );
        assert_eq!(other.iata, None, "empty IATA is NULL");
        assert_eq!(other.city, None);
        assert_eq!(other.tz, None);
        assert_eq!(
            other.elevation_ft,
            Some(222),
            "decimal elevations are rounded"
        );
    }

    #[test]
    fn skip_rules() {
        let cases = [
            (
                "\"\",\"AYM\",\"No code\",\"\",\"\",\"AE\",0,24.4,54.6,\"\",\"\"",
                Skip::NoIcao,
                "no ICAO",
            ),
            (
                "\"_AYM\",\"AYM\",\"Yas\",\"\",\"\",\"AE\",0,24.4,54.6,\"\",\"\"",
                Skip::InvalidIcao,
                "underscore",
            ),
            (
                "\"lfpn\",\"\",\"Lower\",\"\",\"\",\"FR\",0,48.7,2.1,\"\",\"\"",
                Skip::InvalidIcao,
                "lower case",
            ),
            (
                "\"LFPNX\",\"\",\"Five\",\"\",\"\",\"FR\",0,48.7,2.1,\"\",\"\"",
                Skip::InvalidIcao,
                "five characters",
            ),
            (
                "\"LFPN\",\"\",\"\",\"\",\"\",\"FR\",0,48.7,2.1,\"\",\"\"",
                Skip::MissingField,
                "no name",
            ),
            (
                "\"LFPN\",\"\",\"Toussus\",\"\",\"\",\"fr\",0,48.7,2.1,\"\",\"\"",
                Skip::MissingField,
                "bad country",
            ),
            (
                "\"LFPN\",\"\",\"Toussus\",\"\",\"\",\"FR\",0,98.7,2.1,\"\",\"\"",
                Skip::InvalidPosition,
                "latitude out of range",
            ),
            (
                "\"LFPN\",\"\",\"Toussus\",\"\",\"\",\"FR\",0,,2.1,\"\",\"\"",
                Skip::InvalidPosition,
                "no latitude",
            ),
            (
                "\"LFPN\",\"\",\"Toussus\",\"\",\"\",\"FR\",0,48.7",
                Skip::Malformed,
                "short line",
            ),
        ];
        for (line, reason, why) in cases {
            let parsed = parse(&format!("{line}\n"));
            assert!(parsed.rows.is_empty(), "{why}");
            assert_eq!(
                parsed.skipped.get(&reason),
                Some(&1),
                "{why}: {:?}",
                parsed.skipped
            );
        }
        let parsed = parse(concat!(
            "\"LFPN\",\"TNF\",\"Toussus\",\"\",\"\",\"FR\",538,48.75,2.10,\"Europe/Paris\",\"\"\n",
            "\"LFPN\",\"\",\"Toussus again\",\"\",\"\",\"FR\",538,48.75,2.10,\"\",\"\"\n",
            "\"LFAC\",\"CQF\",\"Calais\",\"\",\"\",\"FR\",99999,50.96,1.95,\"\",\"\"\n",
        ));
        assert_eq!(parsed.rows.len(), 2);
        assert_eq!(
            parsed.rows[0].name, "Toussus",
            "the first of two duplicates wins"
        );
        assert_eq!(parsed.skipped.get(&Skip::DuplicateIcao), Some(&1));
        assert_eq!(
            parsed.rows[1].elevation_ft, None,
            "implausible elevation dropped, row kept"
        );
    }

    #[test]
    fn a_foreign_header_is_refused() {
        assert!(parse_airfields("code,name\nLFPN,Toussus\n").is_err());
        assert!(parse_airfields("").is_err());
    }

    #[test]
    fn the_bundled_file_parses() {
        let parsed = parse_airfields(AIRFIELDS_CSV).unwrap_or_else(|e| panic!("{e}"));
        let total = AIRFIELDS_CSV.lines().count() - 1;
        assert_eq!(parsed.rows.len() + parsed.skipped_total(), total);
        assert!(parsed.rows.len() > 28_000, "{}", parsed.rows.len());
        assert!(parsed.rows.iter().any(|a| a.icao == "LFJR"));
        assert!(parsed.rows.iter().all(|a| is_icao(&a.icao)));
        assert_eq!(airfields_digest().len(), 64);
    }
}
