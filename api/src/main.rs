//! The `api` binary: parses settings and starts the service, or runs a sub-command.
//!
//! - `api` / `api serve`: migrate, then serve until SIGINT/SIGTERM (graceful, exit 0).
//! - `api migrate`: apply pending migrations, load the bundled reference data, and exit.
//! - `api openapi`: print the OpenAPI document (the committed `openapi/openapi.json`).
//! - `api search-sql [--index] QUERY`: run the search `GET /api/v1/listings?QUERY` and print
//!   every SQL statement it sent, with its values written in (the benchmark feeds them to
//!   pgbench). With `--index`, through the in-process full-text index as the service does
//!   (built first); without, as PostgreSQL alone answers it.
//! - `api seed --demo`: create demo sellers and ~300 listings with photos (once; local use).
//! - `api create-admin --email E [--name N]`: make E an administrator (creating the account,
//!   with the password read from standard input, if it does not exist). The only way to get
//!   the first admin: no HTTP request can grant the role.

use std::process::ExitCode;

use hangar_api::{Application, Settings, db, openapi, telemetry};

const USAGE: &str = "usage: api [serve | migrate | openapi | search-sql [--index] QUERY | seed --demo | create-admin --email EMAIL [--name NAME]]";

fn main() -> ExitCode {
    let command = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "serve".to_owned());
    match command.as_str() {
        "openapi" => print_openapi(),
        "migrate" => with_settings(migrate),
        "serve" => with_settings(serve),
        "create-admin" => with_settings(create_admin),
        "search-sql" => with_settings(search_sql),
        "seed" if std::env::args().nth(2).as_deref() == Some("--demo") => with_settings(seed_demo),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("unknown command `{other}`; {USAGE}");
            ExitCode::from(2)
        }
    }
}

fn with_settings(run: fn(Settings) -> ExitCode) -> ExitCode {
    telemetry::init_logging();
    match Settings::from_env() {
        Ok(settings) => run(settings),
        Err(err) => {
            eprintln!("{err}");
            ExitCode::from(78) // EX_CONFIG
        }
    }
}

fn print_openapi() -> ExitCode {
    match openapi::to_committed_json(&openapi::spec()) {
        Ok(json) => {
            print!("{json}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("cannot serialise the OpenAPI document: {err}");
            ExitCode::FAILURE
        }
    }
}

fn search_sql(settings: Settings) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(2).collect();
    let with_index = args.iter().any(|a| a == "--index");
    let query = args
        .iter()
        .find(|a| *a != "--index")
        .cloned()
        .unwrap_or_default();
    let query = query.trim_start_matches('?');
    let result = hangar_api::search::run::prepare_query(query).and_then(|prepared| {
        let mut conn =
            db::connect(&settings.database.url).map_err(hangar_api::error::ApiError::internal)?;
        // Built before the capture: its statements are the start-up's, not the search's.
        let index = if with_index {
            let built = hangar_api::search::index::SearchIndex::build(&mut conn)
                .map_err(hangar_api::error::ApiError::internal)?;
            Some(std::sync::Arc::new(built))
        } else {
            None
        };
        let (outcome, statements) = hangar_api::search::sql::capture(|| {
            let ctx = hangar_api::search::run::SearchContext {
                settings: settings.search.clone(),
                caches: Default::default(),
                index,
            };
            hangar_api::search::run::execute(&mut conn, &ctx, prepared)
        });
        outcome.map(|_| statements)
    });
    match result {
        Ok(statements) => {
            for statement in statements {
                println!("{statement};");
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("{err}");
            ExitCode::from(2)
        }
    }
}

fn migrate(settings: Settings) -> ExitCode {
    let result = db::connect(&settings.database.url).and_then(|mut conn| {
        let applied = db::migrate(&mut conn)?;
        if applied.is_empty() {
            log::info!("database is up to date");
        }
        for version in applied {
            log::info!("applied migration {version}");
        }
        hangar_api::seed::reference_data(&mut conn).map_err(|e| e.to_string())
    });
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(err) => {
            log::error!("{err}");
            ExitCode::FAILURE
        }
    }
}

fn serve(settings: Settings) -> ExitCode {
    let system = actix_web::rt::System::new();
    let result = system.block_on(async move {
        let app = Application::build(settings)
            .await
            .map_err(|e| e.to_string())?;
        app.run_until_stopped().await.map_err(|e| e.to_string())?;
        Ok::<_, String>(())
    });
    match result {
        Ok(()) => {
            log::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(err) => {
            log::error!("{err}");
            ExitCode::FAILURE
        }
    }
}

fn create_admin(settings: Settings) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(2).collect();
    let value_of = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let Some(email) = value_of("--email") else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let name = value_of("--name").unwrap_or_else(|| "Administrator".to_owned());
    let result = db::connect(&settings.database.url).and_then(|mut conn| {
        hangar_api::admin_cli::create_admin(&mut conn, &email, &name, || {
            // The password comes from standard input (one line), never from the command line.
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
            Ok(line.trim_end_matches(['\r', '\n']).to_owned())
        })
    });
    match result {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("{err}");
            ExitCode::FAILURE
        }
    }
}

fn seed_demo(settings: Settings) -> ExitCode {
    let result = db::connect(&settings.database.url).and_then(|mut conn| {
        std::fs::create_dir_all(&settings.media_dir).map_err(|e| e.to_string())?;
        hangar_api::demo::seed(&mut conn, &settings.media_dir)
    });
    match result {
        Ok(0) => {
            log::info!("demo data already present");
            ExitCode::SUCCESS
        }
        Ok(n) => {
            log::info!(
                "created {n} demo listings; demo sellers seller0@demo.hangar.test … seller9@demo.hangar.test, password: {}",
                hangar_api::demo::DEMO_PASSWORD
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            log::error!("demo seed failed: {err}");
            ExitCode::FAILURE
        }
    }
}
