//! SQL text with numbered placeholders and their values, built piece by piece, and run
//! through diesel. The same statement can be written out with its values as literals
//! (`api search-sql`), so the benchmark gives PostgreSQL exactly what the API sends.

use std::cell::RefCell;

use chrono::{DateTime, SecondsFormat, Utc};
use diesel::deserialize::QueryableByName;
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{
    Array, BigInt, Bool, Double, Float, Integer, Text, Timestamptz, Untyped, Uuid as SqlUuid,
};
use uuid::Uuid;

/// A value bound to a placeholder.
#[derive(Debug, Clone)]
pub enum Bind {
    Text(String),
    Texts(Vec<String>),
    Int(i32),
    BigInt(i64),
    Double(f64),
    Bool(bool),
    Uuids(Vec<Uuid>),
    Doubles(Vec<f64>),
    Uuid(Uuid),
    Time(DateTime<Utc>),
    Float(f32),
}

impl Bind {
    /// The value as a typed SQL literal: what PostgreSQL plans with when it is bound.
    fn literal(&self) -> String {
        fn quote(text: &str) -> String {
            format!("'{}'", text.replace('\'', "''"))
        }
        fn array(items: impl Iterator<Item = String>) -> String {
            let quoted: Vec<String> = items
                .map(|i| format!("\"{}\"", i.replace('\\', "\\\\").replace('"', "\\\"")))
                .collect();
            quote(&format!("{{{}}}", quoted.join(",")))
        }
        match self {
            Bind::Text(v) => format!("{}::text", quote(v)),
            Bind::Texts(v) => format!("{}::text[]", array(v.iter().cloned())),
            Bind::Int(v) => format!("'{v}'::int4"),
            Bind::BigInt(v) => format!("'{v}'::int8"),
            Bind::Double(v) => format!("'{v:?}'::float8"),
            Bind::Bool(v) => format!("{v}"),
            Bind::Uuids(v) => format!("{}::uuid[]", array(v.iter().map(Uuid::to_string))),
            Bind::Doubles(v) => format!("{}::float8[]", array(v.iter().map(|d| format!("{d:?}")))),
            Bind::Uuid(v) => format!("'{v}'::uuid"),
            Bind::Time(v) => format!(
                "'{}'::timestamptz",
                v.to_rfc3339_opts(SecondsFormat::Micros, true)
            ),
            Bind::Float(v) => format!("'{v:?}'::float4"),
        }
    }
}

/// SQL text with numbered placeholders and their values.
#[derive(Debug, Default, Clone)]
pub struct Sql {
    pub text: String,
    pub binds: Vec<Bind>,
    /// Where each placeholder (`$1`, `$2`…) starts in `text`: diesel writes placeholders
    /// itself, so the text is handed to it in the pieces between them.
    marks: Vec<usize>,
}

thread_local! {
    /// Statements recorded by [`capture`] on this thread (literal SQL).
    static CAPTURED: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// Runs `f`, returning what it returned and every [`Sql`] statement it ran, as literal SQL.
pub fn capture<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
    CAPTURED.with(|c| *c.borrow_mut() = Some(Vec::new()));
    let out = f();
    let statements = CAPTURED.with(|c| c.borrow_mut().take()).unwrap_or_default();
    (out, statements)
}

impl Sql {
    pub fn new(fragment: &str, binds: Vec<Bind>) -> Sql {
        let mut sql = Sql::default();
        sql.push(fragment, binds);
        sql
    }

    /// Appends `fragment`, where each `?` is the next of `binds`.
    pub fn push(&mut self, fragment: &str, binds: Vec<Bind>) -> &mut Self {
        let mut it = binds.into_iter();
        for ch in fragment.chars() {
            if ch == '?' {
                if let Some(b) = it.next() {
                    self.binds.push(b);
                    self.marks.push(self.text.len());
                    self.text.push_str(&format!("${}", self.binds.len()));
                }
            } else {
                self.text.push(ch);
            }
        }
        self
    }

    /// The statement with its values written in.
    pub fn literal(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 64);
        let mut chars = self.text.chars().peekable();
        while let Some(ch) = chars.next() {
            if ch == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
                let mut n = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    n.push(*d);
                    chars.next();
                }
                match n.parse::<usize>().ok().and_then(|i| self.binds.get(i - 1)) {
                    Some(b) => out.push_str(&b.literal()),
                    None => {
                        out.push('$');
                        out.push_str(&n);
                    }
                }
            } else {
                out.push(ch);
            }
        }
        out
    }

    /// Runs the statement and loads its rows.
    pub fn load<U>(&self, conn: &mut PgConnection) -> QueryResult<Vec<U>>
    where
        U: QueryableByName<Pg> + 'static,
    {
        self.run(conn, false)
    }

    /// Runs the statement as a prepared statement the connection keeps (diesel's statement
    /// cache, keyed by the text): parsed once per connection, and planned once when
    /// PostgreSQL finds a generic plan as good as the custom ones. Only for statements whose
    /// plan does not depend on the values (a walk's does: its estimates come from them).
    pub fn load_prepared<U>(&self, conn: &mut PgConnection) -> QueryResult<Vec<U>>
    where
        U: QueryableByName<Pg> + 'static,
    {
        self.run(conn, true)
    }

    fn run<U>(&self, conn: &mut PgConnection, cache: bool) -> QueryResult<Vec<U>>
    where
        U: QueryableByName<Pg> + 'static,
    {
        self.record();
        Statement { sql: self, cache }.load(conn)
    }

    fn record(&self) {
        CAPTURED.with(|c| {
            if let Some(list) = c.borrow_mut().as_mut() {
                list.push(self.literal());
            }
        });
    }
}

/// [`Sql`] as a diesel query; `cache`: kept prepared by the connection (diesel's
/// `sql_query` never is).
struct Statement<'a> {
    sql: &'a Sql,
    cache: bool,
}

impl QueryFragment<Pg> for Statement<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        if !self.cache {
            out.unsafe_to_cache_prepared();
        }
        let text = self.sql.text.as_str();
        let mut at = 0;
        for (i, (b, &mark)) in self.sql.binds.iter().zip(&self.sql.marks).enumerate() {
            out.push_sql(&text[at..mark]);
            // Past `$<i + 1>`: diesel writes its own.
            at = mark + 1 + (i + 1).to_string().len();
            match b {
                Bind::Text(v) => out.push_bind_param::<Text, _>(v)?,
                Bind::Texts(v) => out.push_bind_param::<Array<Text>, _>(v)?,
                Bind::Int(v) => out.push_bind_param::<Integer, _>(v)?,
                Bind::BigInt(v) => out.push_bind_param::<BigInt, _>(v)?,
                Bind::Double(v) => out.push_bind_param::<Double, _>(v)?,
                Bind::Bool(v) => out.push_bind_param::<Bool, _>(v)?,
                Bind::Uuids(v) => out.push_bind_param::<Array<SqlUuid>, _>(v)?,
                Bind::Doubles(v) => out.push_bind_param::<Array<Double>, _>(v)?,
                Bind::Uuid(v) => out.push_bind_param::<SqlUuid, _>(v)?,
                Bind::Time(v) => out.push_bind_param::<Timestamptz, _>(v)?,
                Bind::Float(v) => out.push_bind_param::<Float, _>(v)?,
            }
        }
        out.push_sql(&text[at..]);
        Ok(())
    }
}

impl QueryId for Statement<'_> {
    type QueryId = ();
    // No static id: diesel's cache then keys the statement by its text and bind types.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Statement<'_> {
    type SqlType = Untyped;
}

impl RunQueryDsl<PgConnection> for Statement<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut sql = Sql::default();
        sql.push("a = ? AND b = ?", vec![Bind::Int(1), Bind::Int(2)]);
        sql.push(" AND c = ?", vec![Bind::Int(3)]);
        assert_eq!(sql.text, "a = $1 AND b = $2 AND c = $3");
    }

    #[test]
    fn literals_are_quoted_and_typed() {
        let sql = Sql::new(
            "a = ? AND b = ANY(?) AND c = ? AND d = ? AND e = ?",
            vec![
                Bind::Text("l'hélice".into()),
                Bind::Texts(vec!["x\"y".into(), "z\\".into()]),
                Bind::BigInt(12),
                Bind::Double(1.5),
                Bind::Bool(true),
            ],
        );
        assert_eq!(
            sql.literal(),
            r#"a = 'l''hélice'::text AND b = ANY('{"x\"y","z\\"}'::text[]) AND c = '12'::int8 AND d = '1.5'::float8 AND e = true"#
        );
        // Ten or more placeholders: $10 is not $1 followed by 0.
        let many = Sql::new(&"?,".repeat(10), (1..=10).map(Bind::Int).collect());
        assert!(
            many.literal().ends_with("'9'::int4,'10'::int4,"),
            "{}",
            many.literal()
        );
    }
}
