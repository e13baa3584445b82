//! Helpers for the listing tests: valid bodies, members without the cost of Argon2, the
//! listing endpoints over HTTP, and the `listings` / `listing_events` rows as typed structs.
//!
//! Members are inserted in SQL and given a session access token signed with the test
//! settings' secret: exactly what `POST /auth/login` hands out, minus the password hashing
//! that would make a test with a seller, a buyer and a moderator cost seconds.

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Double, Integer, Jsonb, Nullable, SmallInt, Text, Timestamptz};
use diesel::{QueryableByName, RunQueryDsl};
use reqwest::{Method, Response};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::TestApp;
use crate::accounts::{JWT_SECRET, claims, execute, forge, insert_user, lit, send};

/// The collection.
pub const LISTINGS: &str = "/api/v1/listings";
/// A seller's own listings.
pub const MY_LISTINGS: &str = "/api/v1/users/me/listings";
/// The seed's category for single-engine piston aeroplanes (attribute group `aircraft`).
pub const SEP: &str = "single-engine-piston";
/// The seed's category for piston engines (attribute group `engine`).
pub const PISTON_ENGINES: &str = "piston-engines";
/// Asking price of [`dr400`]: 65,000.00 EUR in minor units.
pub const PRICE: i64 = 6_500_000;

/// `/api/v1/listings/{id}`.
pub fn listing_path(id: Uuid) -> String {
    format!("{LISTINGS}/{id}")
}

/// `/api/v1/listings/{id}/{step}` (`publish`, `reserve`, `release`, `sold`, `withdraw`,
/// `renew`).
pub fn step_path(id: Uuid, step: &str) -> String {
    format!("{LISTINGS}/{id}/{step}")
}

/// The attributes of a Robin DR400-140B, F-GABC: 850 h since overhaul of a 2,000 h TBO
/// (1,150 h to TBO).
pub fn dr400_attributes() -> Value {
    json!({
        "make": "Robin", "model": "DR400", "variant": "140B", "year": 1978,
        "registration": "F-GABC", "ttaf_hours": 6540.5, "engine_make": "Lycoming",
        "engine_model": "O-320-E2A", "engine_hours_since_new": 5200.0, "engine_smoh": 850.0,
        "engine_tbo_hours": 2000.0, "seats": 4, "mtow_kg": 1000, "empty_mass_kg": 590,
        "fuel": "100LL", "ifr": false, "avionics": ["Garmin GNS 430", "Trig TT21"],
        "damage": "none"
    })
}

/// A valid draft: the DR400 at Toussus-le-Noble (LFPN), 65,000 EUR negotiable.
pub fn dr400() -> Value {
    json!({
        "category": SEP,
        "title": "Robin DR400-140B, moteur 850 h, hangarée",
        "description": "Robin DR400-140B de 1978, entretenue en atelier agréé, toujours hangarée. \
                        Moteur Lycoming O-320 à 850 h depuis révision générale.",
        "price": {"amount": PRICE, "currency": "EUR", "kind": "negotiable"},
        "condition": "used",
        "location": {"airfield_icao": "LFPN"},
        "attributes": dr400_attributes(),
    })
}

/// `body` with the value at the JSON pointer `pointer` (e.g. `/attributes/year`) set, its
/// parent objects created as needed.
pub fn with(mut body: Value, pointer: &str, value: Value) -> Value {
    let (parent, key) = pointer
        .rsplit_once('/')
        .unwrap_or_else(|| panic!("not a JSON pointer: {pointer}"));
    let mut target = &mut body;
    for part in parent.split('/').filter(|p| !p.is_empty()) {
        if !target[part].is_object() {
            target[part] = json!({});
        }
        target = &mut target[part];
    }
    match target.as_object_mut() {
        Some(map) => {
            map.insert(key.to_owned(), value);
        }
        None => panic!("{pointer}: parent is not an object"),
    }
    body
}

/// `body` without the value at the JSON pointer `pointer`.
pub fn without(mut body: Value, pointer: &str) -> Value {
    let (parent, key) = pointer
        .rsplit_once('/')
        .unwrap_or_else(|| panic!("not a JSON pointer: {pointer}"));
    if let Some(map) = body.pointer_mut(parent).and_then(Value::as_object_mut) {
        map.remove(key);
    }
    body
}

/// A member the tests act as.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: Uuid,
    pub email: String,
    /// A session access token (bearer).
    pub token: String,
}

/// A session access token for `user`, as login issues them (token version 0).
pub fn session_token(user: Uuid) -> String {
    forge(
        jsonwebtoken::Algorithm::HS256,
        &claims(user, 0, json!({})),
        JWT_SECRET,
    )
}

/// A private member with `role` (`user`, `moderator`, `admin`), email verified or not.
pub fn member(app: &TestApp, email: &str, role: &str, verified: bool) -> Member {
    let id = insert_user(app, email, "Jean Dupont", role);
    if verified {
        verify_email(app, id);
    }
    Member {
        id,
        email: email.to_owned(),
        token: session_token(id),
    }
}

/// A verified private seller.
pub fn seller(app: &TestApp, email: &str) -> Member {
    member(app, email, "user", true)
}

/// A verified private member who buys: `acheteur@example.fr`.
pub fn buyer(app: &TestApp) -> Member {
    member(app, "acheteur@example.fr", "user", true)
}

/// A verified moderator.
pub fn moderator(app: &TestApp, email: &str) -> Member {
    member(app, email, "moderator", true)
}

/// A verified professional seller (a company).
pub fn professional(app: &TestApp, email: &str) -> Member {
    let id = Uuid::now_v7();
    execute(
        app,
        &format!(
            "INSERT INTO users (id, email, password_hash, display_name, account_type, \
             company_name, email_verified_at) \
             VALUES ('{id}', {}, '!', 'Aéro Services', 'professional', 'Aéro Services SARL', now())",
            lit(email)
        ),
    );
    Member {
        id,
        email: email.to_owned(),
        token: session_token(id),
    }
}

/// Marks the email of `user` verified, as following the mailed link does.
pub fn verify_email(app: &TestApp, user: Uuid) {
    let n = execute(
        app,
        &format!("UPDATE users SET email_verified_at = now() WHERE id = '{user}'"),
    );
    assert_eq!(n, 1, "no user {user}");
}

/// `method path` with an optional bearer token, `If-Match` and JSON body.
pub async fn request(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    if_match: Option<&str>,
    body: Option<&Value>,
) -> Response {
    let mut req = app.client.request(method.clone(), app.url(path));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(tag) = if_match {
        req = req.header("if-match", tag);
    }
    if let Some(body) = body {
        req = req.json(body);
    }
    send(req, &format!("{method} {path}")).await
}

/// A response header as text.
pub fn header(res: &Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Status, JSON body (`Null` when empty) and `ETag` of a response.
pub async fn parts(res: Response) -> (u16, Value, Option<String>) {
    let status = res.status().as_u16();
    let etag = header(&res, "etag");
    let text = res.text().await.unwrap_or_default();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body, etag)
}

/// Asserts that the problem document `problem` has exactly one message for `field`; `why`
/// names the case in the failure.
pub fn assert_one_message(problem: &Value, field: &str, why: &str) {
    let messages = problem["errors"][field]
        .as_array()
        .unwrap_or_else(|| panic!("{why}: no message for {field}: {problem}"));
    assert_eq!(messages.len(), 1, "{why}: {problem}");
}

/// `POST /api/v1/listings`: status, body and `ETag`.
pub async fn create(app: &TestApp, token: &str, body: &Value) -> (u16, Value, Option<String>) {
    parts(request(app, Method::POST, LISTINGS, Some(token), None, Some(body)).await).await
}

/// The `id` of a listing body.
pub fn id_of(listing: &Value) -> Uuid {
    listing["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no id in {listing}"))
}

/// Creates `body`, asserting 201; returns the listing's id.
pub async fn create_ok(app: &TestApp, token: &str, body: &Value) -> Uuid {
    let (status, created, _) = create(app, token, body).await;
    assert_eq!(status, 201, "create: {created}");
    id_of(&created)
}

/// Creates a DR400 draft, asserting 201; returns its id.
pub async fn draft(app: &TestApp, token: &str) -> Uuid {
    create_ok(app, token, &dr400()).await
}

/// Creates a published DR400 (the seller must be verified); returns its id.
pub async fn published(app: &TestApp, token: &str) -> Uuid {
    create_ok(app, token, &with(dr400(), "/publish", json!(true))).await
}

/// A verified private seller, `vendeur@example.fr`, with a published DR400: returns the
/// seller and the listing's id.
pub async fn seller_with_listing(app: &TestApp) -> (Member, Uuid) {
    let seller = seller(app, "vendeur@example.fr");
    let listing = published(app, &seller.token).await;
    (seller, listing)
}

/// The two parties of most tests on one listing.
#[derive(Debug, Clone)]
pub struct SellerAndBuyer {
    /// `vendeur@example.fr`, verified.
    pub seller: Member,
    /// `acheteur@example.fr`, verified.
    pub buyer: Member,
    /// The seller's published DR400.
    pub listing: Uuid,
}

/// [`seller_with_listing`] and a [`buyer`].
pub async fn seller_and_buyer(app: &TestApp) -> SellerAndBuyer {
    let (seller, listing) = seller_with_listing(app).await;
    SellerAndBuyer {
        seller,
        buyer: buyer(app),
        listing,
    }
}

/// `GET /api/v1/listings/{id}`, anonymous or with a token: status, body, `ETag`.
pub async fn read(app: &TestApp, id: Uuid, token: Option<&str>) -> (u16, Value, Option<String>) {
    parts(request(app, Method::GET, &listing_path(id), token, None, None).await).await
}

/// `POST /api/v1/listings/{id}/{step}` without `If-Match`.
pub async fn step(app: &TestApp, id: Uuid, step: &str, token: &str) -> Response {
    request(
        app,
        Method::POST,
        &step_path(id, step),
        Some(token),
        None,
        None,
    )
    .await
}

/// Puts a listing in `status` behind the API's back, with the timestamps that status has
/// (published and expiry dates, sale date), as the lifecycle or the expiry job would.
pub fn force_status(app: &TestApp, id: Uuid, status: &str) {
    let timestamps = match status {
        "draft" => "published_at = NULL, expires_at = NULL, sold_at = NULL",
        "published" | "reserved" => {
            "published_at = now(), expires_at = now() + interval '60 days', sold_at = NULL"
        }
        "sold" => {
            "published_at = now() - interval '1 day', expires_at = now() + interval '59 days', \
             sold_at = now()"
        }
        "expired" => {
            "published_at = now() - interval '61 days', expires_at = now() - interval '1 day', \
             sold_at = NULL"
        }
        "withdrawn" => {
            "published_at = now() - interval '1 day', expires_at = now() + interval '59 days', \
             sold_at = NULL"
        }
        other => panic!("force_status: no timestamps for {other}"),
    };
    let n = execute(
        app,
        &format!(
            "UPDATE listings SET status = {}, {timestamps} WHERE id = '{id}'",
            lit(status)
        ),
    );
    assert_eq!(n, 1, "no listing {id}");
}

/// The columns of a `listings` row the tests look at.
#[derive(Debug, Clone, QueryableByName)]
pub struct ListingRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub seller_id: Uuid,
    #[diesel(sql_type = Text)]
    pub category: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub price_amount: Option<i64>,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = Text)]
    pub price_kind: String,
    #[diesel(sql_type = Nullable<diesel::sql_types::Bool>)]
    pub vat_included: Option<bool>,
    #[diesel(sql_type = Nullable<Text>)]
    pub airfield_icao: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub country: Option<String>,
    #[diesel(sql_type = Nullable<Double>)]
    pub lat: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub lon: Option<f64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub make: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub model: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub year: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    pub registration: Option<String>,
    #[diesel(sql_type = Nullable<Double>)]
    pub ttaf_hours: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub engine_hours: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub smoh_hours: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub tbo_hours: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub hours_to_tbo: Option<f64>,
    #[diesel(sql_type = Nullable<SmallInt>)]
    pub seats: Option<i16>,
    #[diesel(sql_type = Nullable<Text>)]
    pub fuel: Option<String>,
    #[diesel(sql_type = Jsonb)]
    pub attributes: Value,
    #[diesel(sql_type = Integer)]
    pub version: i32,
    #[diesel(sql_type = BigInt)]
    pub view_count: i64,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub published_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub expires_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub sold_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub deleted_at: Option<DateTime<Utc>>,
}

const LISTING_COLUMNS: &str = "l.id, l.seller_id, c.slug AS category, l.status, l.title, \
     l.price_amount, l.currency::text AS currency, l.price_kind, l.vat_included, \
     l.airfield_icao::text AS airfield_icao, l.country::text AS country, l.lat, l.lon, l.make, \
     l.model, l.year, l.registration, l.ttaf_hours, l.engine_hours, l.smoh_hours, l.tbo_hours, \
     l.hours_to_tbo, l.seats, l.fuel, l.attributes, l.version, l.view_count, l.created_at, \
     l.updated_at, l.published_at, l.expires_at, l.sold_at, l.deleted_at";

/// The `listings` rows matching `condition` (on `l`, the listing), oldest first.
pub fn listing_rows(app: &TestApp, condition: &str) -> Vec<ListingRow> {
    let sql = format!(
        "SELECT {LISTING_COLUMNS} FROM listings l JOIN categories c ON c.id = l.category_id \
         WHERE {condition} ORDER BY l.created_at, l.id"
    );
    diesel::sql_query(&sql)
        .load(&mut app.db.connect())
        .unwrap_or_else(|e| panic!("`{sql}`: {e}"))
}

/// The row of listing `id`.
pub fn listing_row(app: &TestApp, id: Uuid) -> ListingRow {
    listing_rows(app, &format!("l.id = '{id}'"))
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no listings row {id}"))
}

/// How many `listings` rows there are, whatever their status.
pub fn listing_count(app: &TestApp) -> usize {
    listing_rows(app, "true").len()
}

/// A `listing_events` row.
#[derive(Debug, Clone, QueryableByName)]
pub struct EventRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub listing_id: Uuid,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    pub actor_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub from_status: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub to_status: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub price_amount: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub currency: Option<String>,
    #[diesel(sql_type = Jsonb)]
    pub details: Value,
}

/// The events matching `condition`, in the order they were recorded.
pub fn event_rows(app: &TestApp, condition: &str) -> Vec<EventRow> {
    let sql = format!(
        "SELECT listing_id, actor_id, kind, from_status, to_status, price_amount, \
         currency::text AS currency, details FROM listing_events WHERE {condition} ORDER BY id"
    );
    diesel::sql_query(&sql)
        .load(&mut app.db.connect())
        .unwrap_or_else(|e| panic!("`{sql}`: {e}"))
}

/// The events of listing `id`, in order.
pub fn events(app: &TestApp, id: Uuid) -> Vec<EventRow> {
    event_rows(app, &format!("listing_id = '{id}'"))
}

#[derive(QueryableByName)]
struct Coordinates {
    #[diesel(sql_type = Double)]
    lat: f64,
    #[diesel(sql_type = Double)]
    lon: f64,
}

/// The coordinates the reference data gives an airfield.
pub fn airfield_coordinates(app: &TestApp, icao: &str) -> (f64, f64) {
    let sql = format!("SELECT lat, lon FROM airfields WHERE icao = {}", lit(icao));
    let c: Coordinates = diesel::sql_query(&sql)
        .get_result(&mut app.db.connect())
        .unwrap_or_else(|e| panic!("`{sql}`: {e}"));
    (c.lat, c.lon)
}

/// A timestamp of a JSON body.
pub fn time_of(body: &Value, field: &str) -> DateTime<Utc> {
    body[field]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no timestamp {field} in {body}"))
}

/// Asserts `at` is within a minute of `now + days`.
pub fn assert_about_days_from_now(at: DateTime<Utc>, days: i64, what: &str) {
    let expected = Utc::now() + chrono::Duration::days(days);
    let off = (at - expected).num_seconds().abs();
    assert!(
        off < 60,
        "{what}: {at} should be about {expected} (now + {days} days)"
    );
}
