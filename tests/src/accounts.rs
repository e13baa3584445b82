//! Helpers for the account tests: registering and logging in over HTTP, reading what the
//! service wrote in PostgreSQL (rows, queued mails), changing rows behind its back (roles,
//! statuses, expiry dates), and forging access tokens.
//!
//! Password hashing is slow on purpose (Argon2id), so tests register and log in only the
//! users they need; [`insert_user`] writes extra rows directly when a test needs many.

use diesel::RunQueryDsl;
use diesel::sql_types::{Nullable, Text};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::TestApp;

/// A password zxcvbn accepts.
pub const PASSWORD: &str = "Vol de nuit au-dessus de la Beauce";
/// Another one, for changes and resets.
pub const NEW_PASSWORD: &str = "Terre des hommes, escale à Port-Étienne en 1927";
/// The test settings' secret, issuer and the API's audience.
pub const JWT_SECRET: &str = "test-secret-that-is-long-enough-0123456789";
pub const ISSUER: &str = "http://hangar.test";
pub const AUDIENCE: &str = "hangar-api";

/// The body of a valid private registration for `email`.
pub fn registration(email: &str) -> Value {
    json!({
        "email": email,
        "password": PASSWORD,
        "display_name": "Jean Dupont",
        "account_type": "private",
    })
}

/// `Authorization: Bearer <token>`.
pub fn bearer(req: RequestBuilder, token: &str) -> RequestBuilder {
    req.header("authorization", format!("Bearer {token}"))
}

/// Sends `req`, panicking with `what` if the request could not be sent at all.
pub async fn send(req: RequestBuilder, what: &str) -> Response {
    req.send()
        .await
        .unwrap_or_else(|e| panic!("{what}: request failed: {e}"))
}

/// The JSON body of a response, panicking with `what` if it is not JSON.
pub async fn json_body(res: Response, what: &str) -> Value {
    res.json()
        .await
        .unwrap_or_else(|e| panic!("{what}: body is not JSON: {e}"))
}

/// `method path` with a JSON body and, optionally, a bearer token.
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Response {
    let mut req = app.client.request(method.clone(), app.url(path));
    if let Some(token) = token {
        req = bearer(req, token);
    }
    if let Some(body) = body {
        req = req.json(body);
    }
    send(req, &format!("{method} {path}")).await
}

pub async fn post(app: &TestApp, path: &str, body: &Value) -> Response {
    call(app, Method::POST, path, None, Some(body)).await
}

/// `GET path` with a bearer token.
pub async fn get_with(app: &TestApp, path: &str, token: &str) -> Response {
    call(app, Method::GET, path, Some(token), None).await
}

/// `GET /api/v1/users/me` with a bearer token.
pub async fn get_me(app: &TestApp, token: &str) -> Response {
    get_with(app, "/api/v1/users/me", token).await
}

/// Asserts the status of `res`, with `what` and the body in the message.
pub async fn expect_status(res: Response, status: u16, what: &str) -> Value {
    let got = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    assert_eq!(got, status, "{what}: {text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    }
}

/// Registers `body`, asserting 201; returns the account (`Me`).
pub async fn register_body(app: &TestApp, body: &Value) -> Value {
    let res = post(app, "/api/v1/auth/register", body).await;
    expect_status(res, 201, &format!("register {body}")).await
}

/// Registers a private account for `email` with [`PASSWORD`]; returns the account (`Me`).
pub async fn register(app: &TestApp, email: &str) -> Value {
    register_body(app, &registration(email)).await
}

/// The id of a registered account, from its `Me`.
pub fn id_of(me: &Value) -> Uuid {
    me["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no id in {me}"))
}

/// The UUID a JSON string holds (an `id` field, say).
pub fn uuid_of(v: &Value) -> Uuid {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a uuid: {v}"))
}

/// `POST /api/v1/auth/login` with body delivery.
pub async fn login_response(app: &TestApp, email: &str, password: &str) -> Response {
    post(
        app,
        "/api/v1/auth/login",
        &json!({"email": email, "password": password}),
    )
    .await
}

/// Logs in, asserting 200; returns `(access_token, refresh_token)`.
pub async fn login(app: &TestApp, email: &str, password: &str) -> (String, String) {
    let res = login_response(app, email, password).await;
    let body = expect_status(res, 200, &format!("login {email}")).await;
    pair(&body)
}

/// `(access_token, refresh_token)` of a token response.
pub fn pair(body: &Value) -> (String, String) {
    let access = body["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no access_token in {body}"))
        .to_owned();
    let refresh = body["refresh_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no refresh_token in {body}"))
        .to_owned();
    (access, refresh)
}

/// Registers and logs in; returns `(id, access, refresh)`.
pub async fn register_and_login(app: &TestApp, email: &str) -> (Uuid, String, String) {
    let me = register(app, email).await;
    let (access, refresh) = login(app, email, PASSWORD).await;
    (id_of(&me), access, refresh)
}

/// `POST /api/v1/auth/refresh` with the token in the body.
pub async fn refresh_response(app: &TestApp, refresh_token: &str) -> Response {
    post(
        app,
        "/api/v1/auth/refresh",
        &json!({"refresh_token": refresh_token}),
    )
    .await
}

/// Asserts that `access` is refused at `/users/me` (401) and `refresh` at `/auth/refresh`.
pub async fn assert_session_dead(app: &TestApp, access: &str, refresh: &str, why: &str) {
    let res = get_me(app, access).await;
    assert_eq!(res.status().as_u16(), 401, "{why}: access token");
    let res = refresh_response(app, refresh).await;
    assert_eq!(res.status().as_u16(), 401, "{why}: refresh token");
}

/// The value of the `name` cookie set by `res`, with the whole `Set-Cookie` line.
pub fn set_cookie(res: &Response, name: &str) -> Option<(String, String)> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|line| {
            let (pair, _) = line.split_once(';').unwrap_or((line, ""));
            let (n, value) = pair.split_once('=')?;
            (n.trim() == name).then(|| (value.trim().to_owned(), line.to_owned()))
        })
}

/// Quotes a string as an SQL literal.
pub fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[derive(diesel::QueryableByName)]
struct TextRow {
    #[diesel(sql_type = Nullable<Text>)]
    value: Option<String>,
}

/// Runs `sql`, which must select one text column named `value`; returns every row.
pub fn query(app: &TestApp, sql: &str) -> Vec<Option<String>> {
    let mut conn = app.db.connect();
    diesel::sql_query(sql)
        .load::<TextRow>(&mut conn)
        .unwrap_or_else(|e| panic!("`{sql}`: {e}"))
        .into_iter()
        .map(|r| r.value)
        .collect()
}

/// The single text value `sql` selects (as `value`), or `None` for SQL NULL.
pub fn query_one(app: &TestApp, sql: &str) -> Option<String> {
    let rows = query(app, sql);
    assert_eq!(rows.len(), 1, "`{sql}` should select one row: {rows:?}");
    rows.into_iter().next().flatten()
}

/// `SELECT count(*) …`: pass the part after `FROM`.
pub fn count(app: &TestApp, from_where: &str) -> i64 {
    query_one(
        app,
        &format!("SELECT count(*)::text AS value FROM {from_where}"),
    )
    .and_then(|s| s.parse().ok())
    .unwrap_or_else(|| panic!("count of {from_where}"))
}

/// Runs a statement; returns the number of rows it touched.
pub fn execute(app: &TestApp, sql: &str) -> usize {
    let mut conn = app.db.connect();
    diesel::sql_query(sql)
        .execute(&mut conn)
        .unwrap_or_else(|e| panic!("`{sql}`: {e}"))
}

/// Rows as JSON objects: `select` is a query, each row of which becomes one object.
pub fn rows_json(app: &TestApp, select: &str) -> Vec<Value> {
    query(
        app,
        &format!("SELECT row_to_json(r)::text AS value FROM ({select}) r"),
    )
    .into_iter()
    .map(|v| {
        serde_json::from_str(&v.unwrap_or_default())
            .unwrap_or_else(|e| panic!("row of `{select}`: {e}"))
    })
    .collect()
}

/// The `users` row with this (normalised) email, as JSON; `None` if there is none.
pub fn user_row(app: &TestApp, email: &str) -> Option<Value> {
    rows_json(
        app,
        &format!("SELECT * FROM users WHERE email = {}", lit(email)),
    )
    .into_iter()
    .next()
}

/// The `users` row with this id, as JSON.
pub fn user_row_by_id(app: &TestApp, id: Uuid) -> Value {
    rows_json(app, &format!("SELECT * FROM users WHERE id = '{id}'"))
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no users row {id}"))
}

/// Sets a user's role behind the API's back.
pub fn set_role(app: &TestApp, email: &str, role: &str) {
    let n = execute(
        app,
        &format!(
            "UPDATE users SET role = {} WHERE email = {}",
            lit(role),
            lit(email)
        ),
    );
    assert_eq!(n, 1, "no user {email}");
}

pub fn make_admin(app: &TestApp, email: &str) {
    set_role(app, email, "admin");
}

/// Sets a user's status (`active`, `suspended`) behind the API's back.
pub fn set_status(app: &TestApp, email: &str, status: &str) {
    let n = execute(
        app,
        &format!(
            "UPDATE users SET status = {} WHERE email = {}",
            lit(status),
            lit(email)
        ),
    );
    assert_eq!(n, 1, "no user {email}");
}

/// Sets the language a user's mails are written in (`fr`, `en`) behind the API's back.
pub fn set_locale(app: &TestApp, email: &str, locale: &str) {
    let n = execute(
        app,
        &format!(
            "UPDATE users SET locale = {} WHERE email = {}",
            lit(locale),
            lit(email)
        ),
    );
    assert_eq!(n, 1, "no user {email}");
}

/// Inserts an account directly (no password hashing, no mail): for tests that need many rows
/// and never log them in. Returns its id.
pub fn insert_user(app: &TestApp, email: &str, display_name: &str, role: &str) -> Uuid {
    let id = Uuid::now_v7();
    execute(
        app,
        &format!(
            "INSERT INTO users (id, email, password_hash, display_name, account_type, role) \
             VALUES ('{id}', {}, '!', {}, 'private', {})",
            lit(email),
            lit(display_name),
            lit(role)
        ),
    );
    id
}

/// The bodies of the mails queued for `to`, oldest first.
pub fn mails_to(app: &TestApp, to: &str) -> Vec<String> {
    query(
        app,
        &format!(
            "SELECT body_text AS value FROM outbox WHERE to_address = {} ORDER BY created_at, id",
            lit(to)
        ),
    )
    .into_iter()
    .flatten()
    .collect()
}

/// The token of the latest mail to `to` whose link goes to `purpose_path` (`/verify-email` or
/// `/reset-password`): the `?token=` value of `http://hangar.test<purpose_path>?token=…`.
pub fn token_from_outbox(app: &TestApp, to: &str, purpose_path: &str) -> String {
    let marker = format!("{ISSUER}{purpose_path}?token=");
    mails_to(app, to)
        .iter()
        .rev()
        .find_map(|body| {
            let start = body.find(&marker)? + marker.len();
            let token: String = body[start..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            (!token.is_empty()).then_some(token)
        })
        .unwrap_or_else(|| panic!("no mail to {to} with a {purpose_path} link"))
}

/// Base64url without padding (JWT segments).
pub fn b64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let index = (n >> (18 - 6 * i)) & 0x3f;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out
}

/// Valid access-token claims for `user` at token version `tv`, with `overrides` applied
/// (a `null` override removes the claim).
pub fn claims(user: Uuid, tv: i32, overrides: Value) -> Value {
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({
        "sub": user, "exp": now + 600, "iat": now, "nbf": now,
        "iss": ISSUER, "aud": AUDIENCE, "jti": Uuid::now_v7(),
        "role": "user", "tv": tv,
    });
    if let (Some(map), Some(o)) = (claims.as_object_mut(), overrides.as_object()) {
        for (k, v) in o {
            if v.is_null() {
                map.remove(k);
            } else {
                map.insert(k.clone(), v.clone());
            }
        }
    }
    claims
}

/// Signs `claims` with `alg` and `secret`.
pub fn forge(alg: jsonwebtoken::Algorithm, claims: &Value, secret: &str) -> String {
    let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes())
        .unwrap_or_else(|e| panic!("encoding key: {e}"));
    jsonwebtoken::encode(&jsonwebtoken::Header::new(alg), claims, &key)
        .unwrap_or_else(|e| panic!("signing {claims}: {e}"))
}

/// An unsigned token (`alg: none`) carrying `claims`.
pub fn forge_unsigned(claims: &Value) -> String {
    format!(
        "{}.{}.",
        b64url(br#"{"alg":"none","typ":"JWT"}"#),
        b64url(claims.to_string().as_bytes())
    )
}

/// Creates a personal access token with a session token; returns the creation answer.
pub async fn create_pat(app: &TestApp, access: &str, scopes: &[&str]) -> Value {
    let res = call(
        app,
        Method::POST,
        "/api/v1/users/me/tokens",
        Some(access),
        Some(&json!({"name": "price-watch script", "scopes": scopes})),
    )
    .await;
    expect_status(res, 201, "create a personal access token").await
}

/// The `token` of a PAT creation answer.
pub fn pat_secret(created: &Value) -> String {
    created["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token in {created}"))
        .to_owned()
}
