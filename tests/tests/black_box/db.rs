//! The database layer against real PostgreSQL: session settings on pooled connections and
//! the mapping of PostgreSQL's errors to problem documents.

use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use diesel::sql_types::Text;
use hangar_api::error::ApiError;
use hangar_tests::{TestDatabase, test_settings};

#[derive(diesel::QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    value: String,
}

#[tokio::test]
async fn pooled_connections_carry_the_statement_timeout() {
    let db = TestDatabase::create();
    let settings = test_settings(&db.url, &[("DATABASE_STATEMENT_TIMEOUT_MS", "1500")]);
    let pool = hangar_api::db::build_pool(&settings.database);

    let values = hangar_api::db::run(&pool, |conn| {
        let timeout: Setting =
            diesel::sql_query("SELECT current_setting('statement_timeout') AS value")
                .get_result(conn)?;
        let zone: Setting =
            diesel::sql_query("SELECT current_setting('TimeZone') AS value").get_result(conn)?;
        Ok::<_, diesel::result::Error>((timeout.value, zone.value))
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(values, ("1500ms".to_owned(), "UTC".to_owned()));
}

#[tokio::test]
async fn postgres_errors_become_the_right_problems() {
    let db = TestDatabase::create();
    db.connect()
        .batch_execute(
            "CREATE TABLE t (id int PRIMARY KEY, email text UNIQUE, hours numeric CHECK (hours >= 0));
             INSERT INTO t VALUES (1, 'a@example.com', 1);",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let settings = test_settings(&db.url, &[("DATABASE_STATEMENT_TIMEOUT_MS", "200")]);
    let pool = hangar_api::db::build_pool(&settings.database);
    let cases: &[(&str, u16, &str)] = &[
        (
            "INSERT INTO t VALUES (2, 'a@example.com', 1)",
            409,
            "unique conflict",
        ),
        (
            "INSERT INTO t VALUES (3, 'b@example.com', -5)",
            422,
            "check constraint",
        ),
        ("SELECT pg_sleep(2)", 503, "statement timeout"),
        ("SELEC 1", 500, "a bug in our SQL"),
    ];
    for (sql, status, why) in cases {
        let sql = sql.to_string();
        let err = hangar_api::db::run(&pool, move |conn| diesel::sql_query(sql).execute(conn))
            .await
            .expect_err(why);
        assert_eq!(
            actix_web::ResponseError::status_code(&err).as_u16(),
            *status,
            "{why}: {err}"
        );
        let problem = err.problem();
        assert!(
            !problem.detail.contains("SELEC"),
            "{why}: SQL leaked: {}",
            problem.detail
        );
    }

    // Nothing was written by the refused statements.
    let count: Vec<Setting> = diesel::sql_query("SELECT count(*)::text AS value FROM t")
        .load(&mut db.connect())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(count.first().map(|c| c.value.as_str()), Some("1"));
}

#[tokio::test]
async fn an_unreachable_database_is_a_503() {
    let settings = test_settings(
        "postgres://postgres@127.0.0.1:1/none",
        &[("DATABASE_CONNECT_TIMEOUT_MS", "200")],
    );
    let pool = hangar_api::db::build_pool(&settings.database);

    let err = hangar_api::db::run(&pool, hangar_api::db::ping)
        .await
        .expect_err("no server");

    assert!(matches!(err, ApiError::Unavailable(_)), "{err}");
}
