//! `/api/v1/auth`: registration, login, access tokens, refresh-token rotation, logout, the
//! email flows (verification, password reset) and the rate limits, over HTTP, with what the
//! service wrote (or did not write) in PostgreSQL.

use std::time::{Duration, Instant};

use hangar_tests::accounts::{
    NEW_PASSWORD, PASSWORD, assert_session_dead, call, claims, count, execute, expect_status,
    forge, forge_unsigned, get_me, id_of, lit, login, login_response, mails_to, pair, post,
    query_one, refresh_response, register, register_and_login, registration, send, set_cookie,
    set_status, token_from_outbox, user_row,
};
use hangar_tests::{TestApp, spawn_app, spawn_app_with};
use jsonwebtoken::Algorithm;
use reqwest::{Method, Response};
use serde_json::{Value, json};

const REGISTER: &str = "/api/v1/auth/register";
const LOGIN: &str = "/api/v1/auth/login";
const REFRESH: &str = "/api/v1/auth/refresh";
const LOGOUT: &str = "/api/v1/auth/logout";
const LOGOUT_ALL: &str = "/api/v1/auth/logout-all";
const VERIFY: &str = "/api/v1/auth/verify-email";
const RESEND: &str = "/api/v1/auth/verify-email/resend";
const FORGOT: &str = "/api/v1/auth/password/forgot";
const RESET: &str = "/api/v1/auth/password/reset";

fn header(res: &Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// `registration(email)` with `changes` merged in (`null` removes a field).
fn registration_with(email: &str, changes: Value) -> Value {
    let mut body = registration(email);
    if let (Some(map), Some(changes)) = (body.as_object_mut(), changes.as_object()) {
        for (k, v) in changes {
            if v.is_null() {
                map.remove(k);
            } else {
                map.insert(k.clone(), v.clone());
            }
        }
    }
    body
}

/// Does the email token `token` exist, unused, for `purpose`?
fn email_token_is_live(app: &TestApp, token: &str, purpose: &str) -> bool {
    count(
        app,
        &format!(
            "email_tokens WHERE token_hash = sha256(convert_to({}, 'UTF8')) \
             AND purpose = {} AND used_at IS NULL AND expires_at > now()",
            lit(token),
            lit(purpose)
        ),
    ) == 1
}

// ---------------------------------------------------------------------------------------------
// Registration

#[tokio::test]
async fn register_creates_an_account_with_an_argon2id_hash_and_queues_a_verification_mail() {
    // Arrange
    let app = spawn_app().await;
    let body = registration_with(
        "Jean.Dupont@Example.FR",
        json!({"display_name": "  Jean Dupont  ", "phone": "+33 6 12 34 56 78"}),
    );

    // Act
    let res = post(&app, REGISTER, &body).await;

    // Assert: the answer.
    assert_eq!(res.status().as_u16(), 201);
    assert_eq!(
        header(&res, "location").as_deref(),
        Some("/api/v1/users/me")
    );
    let text = res.text().await.unwrap_or_default();
    let me: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(me["email"], "jean.dupont@example.fr", "{me}");
    assert_eq!(me["display_name"], "Jean Dupont", "trimmed: {me}");
    assert_eq!(me["email_verified"], false, "{me}");
    assert_eq!(me["role"], "user", "{me}");
    assert_eq!(me["account_type"], "private", "{me}");
    assert_eq!(me["phone"], "+33 6 12 34 56 78", "{me}");
    for secret in ["password", "hash", "argon2", "token_version", PASSWORD] {
        assert!(!text.contains(secret), "`{secret}` in the answer: {text}");
    }

    // Assert: the row, with the normalised email and an Argon2id hash of the password.
    let row = user_row(&app, "jean.dupont@example.fr")
        .unwrap_or_else(|| panic!("no row with the lower-case email"));
    assert_eq!(row["id"], me["id"]);
    let hash = row["password_hash"].as_str().unwrap_or_default();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(PASSWORD), "{hash}");
    assert_eq!(row["status"], "active");
    assert_eq!(row["role"], "user");
    assert_eq!(row["token_version"], 0);
    assert_eq!(row["email_verified_at"], Value::Null);
    assert_eq!(count(&app, "users"), 1);

    // Assert: one verification mail, whose token is stored only as a hash.
    let mails = mails_to(&app, "jean.dupont@example.fr");
    assert_eq!(mails.len(), 1, "{mails:?}");
    let token = token_from_outbox(&app, "jean.dupont@example.fr", "/verify-email");
    assert!(email_token_is_live(&app, &token, "verify_email"));
    assert_eq!(count(&app, "email_tokens"), 1);
}

#[tokio::test]
async fn register_takes_the_locale_from_accept_language_unless_given() {
    let app = spawn_app().await;
    let cases = [
        (
            "en@example.fr",
            Some("en-GB,en;q=0.9"),
            json!({}),
            "en",
            "English browser",
        ),
        ("fr@example.fr", None, json!({}), "fr", "no header: French"),
        (
            "given@example.fr",
            Some("en-GB"),
            json!({"locale": "fr"}),
            "fr",
            "an explicit locale wins",
        ),
    ];
    for (email, accept, changes, locale, why) in cases {
        let mut req = app
            .client
            .post(app.url(REGISTER))
            .json(&registration_with(email, changes));
        if let Some(accept) = accept {
            req = req.header("accept-language", accept);
        }
        let me = expect_status(send(req, why).await, 201, why).await;
        assert_eq!(me["locale"], locale, "{why}");
        let subject = query_one(
            &app,
            &format!(
                "SELECT subject AS value FROM outbox WHERE to_address = {}",
                lit(email)
            ),
        )
        .unwrap_or_default();
        let english = subject.starts_with("Confirm your");
        assert_eq!(english, locale == "en", "{why}: mail subject {subject:?}");
    }
}

#[tokio::test]
async fn register_refuses_bad_input_and_writes_nothing() {
    // Arrange
    let app = spawn_app().await;
    let email = "jean.dupont@example.fr";
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            registration_with(email, json!({"role": "admin"})),
            "role",
            "a role cannot be chosen",
        ),
        (
            registration_with(email, json!({"is_admin": true})),
            "is_admin",
            "unknown field",
        ),
        (
            registration_with(email, json!({"email_verified": true})),
            "email_verified",
            "cannot claim a verified address",
        ),
        (
            registration_with(email, json!({"password": "password123"})),
            "password",
            "common password",
        ),
        (
            registration_with(email, json!({"password": email})),
            "password",
            "the user's own email as password",
        ),
        (
            registration_with(email, json!({"password": "Jean Dupont 1"})),
            "password",
            "the user's own name as password",
        ),
        (
            registration_with(email, json!({"password": "Vol-de-n1"})),
            "password",
            "9 characters",
        ),
        (
            registration_with(email, json!({"password": "Vol de nuit ".repeat(11)})),
            "password",
            "132 characters",
        ),
        (
            registration_with("not-an-email", json!({})),
            "email",
            "not an email",
        ),
        (registration_with("jean@", json!({})), "email", "no domain"),
        (
            registration_with(&format!("{}@example.fr", "a".repeat(250)), json!({})),
            "email",
            "longer than 254",
        ),
        (
            registration_with(email, json!({"display_name": "J"})),
            "display_name",
            "display name of 1 character",
        ),
        (
            registration_with(email, json!({"display_name": "  J  "})),
            "display_name",
            "display name of 1 character once trimmed",
        ),
        (
            registration_with(email, json!({"display_name": "x".repeat(61)})),
            "display_name",
            "display name of 61 characters",
        ),
        (
            registration_with(email, json!({"account_type": "professional"})),
            "company_name",
            "professional without company",
        ),
        (
            registration_with(
                email,
                json!({"account_type": "professional", "company_name": "   "}),
            ),
            "company_name",
            "professional with a blank company",
        ),
        (
            registration_with(email, json!({"company_name": "Aéro Services"})),
            "company_name",
            "private with a company",
        ),
        (
            registration_with(email, json!({"company_registration": "812 345 678"})),
            "company_registration",
            "private with a registration number",
        ),
        (
            registration_with(email, json!({"phone": "call me"})),
            "phone",
            "phone with letters",
        ),
        (
            registration_with(email, json!({"phone": "12345"})),
            "phone",
            "phone of 5 digits",
        ),
        (
            registration_with(email, json!({"phone": "06 12\n34 56 78"})),
            "phone",
            "phone with a line break inside",
        ),
        (
            registration_with(email, json!({"account_type": "company"})),
            "account_type",
            "unknown account type",
        ),
        (
            registration_with(email, json!({"locale": "de"})),
            "locale",
            "unsupported locale",
        ),
        (
            registration_with(email, json!({"email": 42})),
            "email",
            "email as a number",
        ),
        (
            registration_with(email, json!({"password": ["Vol de nuit"]})),
            "password",
            "password as an array",
        ),
        (
            registration_with(email, json!({"phone": 612345678})),
            "phone",
            "phone as a number",
        ),
        (
            registration_with(email, json!({"password": null})),
            "password",
            "no password",
        ),
    ];

    for (body, field, why) in &cases {
        // Act
        let res = post(&app, REGISTER, body).await;

        // Assert
        assert_eq!(res.status().as_u16(), 422, "{why}");
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        assert!(
            problem["errors"][*field]
                .as_array()
                .is_some_and(|m| !m.is_empty()),
            "{why}: errors.{field} expected in {problem}"
        );
    }
    assert_eq!(count(&app, "users"), 0, "no account was written");
    assert_eq!(count(&app, "outbox"), 0, "no mail was queued");
    assert_eq!(count(&app, "email_tokens"), 0, "no token was issued");
}

#[tokio::test]
async fn valid_json_of_the_wrong_type_for_an_enum_field_is_a_422_naming_the_field() {
    // "valid JSON of the wrong shape (unknown or missing field, wrong type) → 422 naming the
    // field" (api/src/extract.rs): a number or a boolean where an enum string is expected is
    // valid JSON of the wrong type, like a number where a string is expected.
    let app = spawn_app().await;
    let cases = [
        (
            REGISTER,
            registration_with("jean@example.fr", json!({"account_type": 1})),
            "account_type",
        ),
        (
            REGISTER,
            registration_with("jean@example.fr", json!({"locale": true})),
            "locale",
        ),
        (
            LOGIN,
            json!({"email": "jean@example.fr", "password": PASSWORD, "token_delivery": 1}),
            "token_delivery",
        ),
    ];
    for (path, body, field) in cases {
        let res = post(&app, path, &body).await;
        let status = res.status().as_u16();
        let text = res.text().await.unwrap_or_default();
        assert_eq!(status, 422, "{path} {body}: {text}");
        let problem: Value = serde_json::from_str(&text).unwrap_or_default();
        assert!(problem["errors"][field].is_array(), "{body}: {problem}");
    }
    assert_eq!(count(&app, "users"), 0);
}

#[tokio::test]
async fn company_fields_too_short_once_trimmed_are_named_in_the_errors() {
    // A one-character company name padded with spaces passes the length rule (checked before
    // trimming), is then trimmed to one character and hits the database's CHECK: the answer
    // must still name the field, like every other validation error, on registration and on
    // profile edits alike.
    let app = spawn_app().await;
    let (_, access, _) = register_and_login(&app, "jean.dupont@example.fr").await;
    let before = user_row(&app, "jean.dupont@example.fr");
    let cases = [
        (
            Method::POST,
            REGISTER,
            registration_with(
                "pro@example.fr",
                json!({"account_type": "professional", "company_name": " X "}),
            ),
            "company_name",
        ),
        (
            Method::POST,
            REGISTER,
            registration_with(
                "pro@example.fr",
                json!({"account_type": "professional", "company_name": "Aéro Services", "company_registration": " 8 "}),
            ),
            "company_registration",
        ),
        (
            Method::PATCH,
            "/api/v1/users/me",
            json!({"account_type": "professional", "company_name": " X "}),
            "company_name",
        ),
    ];
    let mut failures = Vec::new();
    for (method, path, body, field) in cases {
        let token = (method == Method::PATCH).then_some(access.as_str());
        let res = call(&app, method.clone(), path, token, Some(&body)).await;
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        if !problem["errors"][field].is_array() {
            failures.push(format!(
                "{method} {path} {body}: errors.{field} expected in {problem}"
            ));
        }
    }
    assert_eq!(count(&app, "users"), 1, "no account was written");
    assert_eq!(
        user_row(&app, "jean.dupont@example.fr"),
        before,
        "nothing changed"
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test]
async fn register_refuses_an_email_taken_with_another_case() {
    // Arrange
    let app = spawn_app().await;
    register(&app, "jean.dupont@example.fr").await;

    // Act
    let res = post(
        &app,
        REGISTER,
        &registration_with(
            "Jean.DUPONT@example.fr",
            json!({"display_name": "Autre Jean"}),
        ),
    )
    .await;

    // Assert
    let problem = TestApp::expect_problem(res, 409, "conflict").await;
    assert!(problem["errors"]["email"].is_array(), "{problem}");
    assert_eq!(count(&app, "users"), 1);
    assert_eq!(
        count(&app, "outbox"),
        1,
        "no mail for the refused registration"
    );
    let row = user_row(&app, "jean.dupont@example.fr").unwrap_or_default();
    assert_eq!(
        row["display_name"], "Jean Dupont",
        "the first account is intact"
    );
}

// ---------------------------------------------------------------------------------------------
// Login

#[tokio::test]
async fn login_returns_a_token_pair_whatever_the_case_of_the_email() {
    // Arrange
    let app = spawn_app().await;
    let me = register(&app, "jean.dupont@example.fr").await;

    // Act
    let res = login_response(&app, "  JEAN.Dupont@example.fr ", PASSWORD).await;

    // Assert
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(header(&res, "cache-control").as_deref(), Some("no-store"));
    assert!(set_cookie(&res, "hangar_refresh").is_none(), "no cookie");
    let body: Value = res.json().await.unwrap_or_default();
    assert_eq!(body["token_type"], "Bearer", "{body}");
    assert_eq!(body["expires_in"], 900, "{body}");
    assert_eq!(body["refresh_expires_in"], 2_592_000, "{body}");
    assert_eq!(body["user"]["id"], me["id"], "{body}");
    let (access, refresh) = pair(&body);
    assert_eq!(access.split('.').count(), 3, "a JWT: {access}");
    let res = get_me(&app, &access).await;
    let got = expect_status(res, 200, "the access token works").await;
    assert_eq!(got["id"], me["id"]);
    // One session row, holding only the SHA-256 of the refresh token.
    assert_eq!(
        count(
            &app,
            &format!(
                "refresh_tokens WHERE user_id = '{}' AND token_hash = sha256(convert_to({}, 'UTF8')) \
                 AND revoked_at IS NULL AND expires_at > now() + interval '29 days'",
                id_of(&me),
                lit(&refresh)
            )
        ),
        1
    );
}

#[tokio::test]
async fn login_with_cookie_delivery_keeps_the_refresh_token_out_of_the_body() {
    let app = spawn_app().await;
    register(&app, "jean.dupont@example.fr").await;

    let res = post(
        &app,
        LOGIN,
        &json!({"email": "jean.dupont@example.fr", "password": PASSWORD, "token_delivery": "cookie"}),
    )
    .await;

    assert_eq!(res.status().as_u16(), 200);
    let (value, line) = set_cookie(&res, "hangar_refresh")
        .unwrap_or_else(|| panic!("no hangar_refresh cookie: {:?}", res.headers()));
    assert_eq!(value.len(), 43, "a 256-bit token: {line}");
    let attributes: Vec<String> = line
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    for expected in ["httponly", "secure", "samesite=strict", "path=/api/v1/auth"] {
        assert!(
            attributes.iter().any(|a| a == expected),
            "`{expected}` missing from {line}"
        );
    }
    let body: Value = res.json().await.unwrap_or_default();
    assert!(body.get("refresh_token").is_none(), "{body}");
    assert!(body["access_token"].is_string(), "{body}");
    assert!(
        !body.to_string().contains(&value),
        "the cookie is not echoed"
    );
}

#[tokio::test]
async fn an_spa_on_another_site_gets_a_samesite_none_cookie_when_configured() {
    let app = hangar_tests::spawn_app_with(&[("REFRESH_COOKIE_SAMESITE", "none")]).await;
    register(&app, "jean.dupont@example.fr").await;

    let res = post(
        &app,
        LOGIN,
        &json!({"email": "jean.dupont@example.fr", "password": PASSWORD, "token_delivery": "cookie"}),
    )
    .await;

    assert_eq!(res.status().as_u16(), 200);
    let (_, line) = set_cookie(&res, "hangar_refresh")
        .unwrap_or_else(|| panic!("no hangar_refresh cookie: {:?}", res.headers()));
    let line = line.to_ascii_lowercase();
    for expected in ["samesite=none", "secure", "httponly"] {
        assert!(line.contains(expected), "`{expected}` missing from {line}");
    }
}

#[tokio::test]
async fn login_does_not_tell_an_unknown_email_from_a_wrong_password() {
    // Arrange
    let app = spawn_app().await;
    register(&app, "jean.dupont@example.fr").await;

    // Act
    let unknown = login_response(&app, "nobody@example.fr", PASSWORD).await;
    let wrong = login_response(&app, "jean.dupont@example.fr", "Vol de jour sur la Beauce").await;

    // Assert
    let unknown_auth = header(&unknown, "www-authenticate");
    let wrong_auth = header(&wrong, "www-authenticate");
    let mut a = TestApp::expect_problem(unknown, 401, "unauthorized").await;
    let mut b = TestApp::expect_problem(wrong, 401, "unauthorized").await;
    assert_ne!(a["request_id"], b["request_id"]);
    if let (Some(a), Some(b)) = (a.as_object_mut(), b.as_object_mut()) {
        a.remove("request_id");
        b.remove("request_id");
    }
    assert_eq!(a, b, "identical answers");
    assert_eq!(unknown_auth, wrong_auth);
    assert_eq!(count(&app, "refresh_tokens"), 0, "no session was opened");
}

#[tokio::test]
async fn login_of_a_suspended_account_is_forbidden_only_with_the_right_password() {
    let app = spawn_app().await;
    register(&app, "jean.dupont@example.fr").await;
    set_status(&app, "jean.dupont@example.fr", "suspended");

    let wrong = login_response(&app, "jean.dupont@example.fr", "Vol de jour sur la Beauce").await;
    TestApp::expect_problem(wrong, 401, "unauthorized").await;
    let right = login_response(&app, "jean.dupont@example.fr", PASSWORD).await;
    TestApp::expect_problem(right, 403, "forbidden").await;
    assert_eq!(count(&app, "refresh_tokens"), 0, "no session was opened");
}

#[tokio::test]
async fn login_refuses_malformed_bodies() {
    let app = spawn_app().await;
    let cases = [
        (json!({"email": "a@example.fr"}), "password", "no password"),
        (
            json!({"email": "a@example.fr", "password": "x", "remember": true}),
            "remember",
            "unknown field",
        ),
        (
            json!({"email": "a@example.fr", "password": "x", "token_delivery": "header"}),
            "token_delivery",
            "unknown delivery",
        ),
        (
            json!({"email": "", "password": "x"}),
            "email",
            "empty email",
        ),
    ];
    for (body, field, why) in cases {
        let res = post(&app, LOGIN, &body).await;
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        assert!(problem["errors"][field].is_array(), "{why}: {problem}");
    }
}

// ---------------------------------------------------------------------------------------------
// Access tokens

#[tokio::test]
async fn forged_expired_and_foreign_access_tokens_are_refused() {
    // Arrange: a real user and session, and a forging control that the service accepts.
    let app = spawn_app().await;
    let (id, _access, refresh) = register_and_login(&app, "jean.dupont@example.fr").await;
    let secret = hangar_tests::accounts::JWT_SECRET;
    let now = chrono::Utc::now().timestamp();
    let control = forge(Algorithm::HS256, &claims(id, 0, json!({})), secret);
    let res = get_me(&app, &control).await;
    expect_status(res, 200, "a correctly signed token (control)").await;

    let with = |overrides: Value| claims(id, 0, overrides);
    let cases: Vec<(Option<String>, &str)> = vec![
        (
            Some(format!("Bearer {}", forge_unsigned(&with(json!({}))))),
            "alg: none",
        ),
        (
            Some(format!(
                "Bearer {}",
                forge(Algorithm::HS512, &with(json!({})), secret)
            )),
            "signed with HS512",
        ),
        (
            Some(format!(
                "Bearer {}",
                forge(
                    Algorithm::HS256,
                    &with(json!({})),
                    "another-secret-that-is-long-enough-0123456789"
                )
            )),
            "signed with another key",
        ),
        (
            Some(format!(
                "Bearer {}",
                forge(
                    Algorithm::HS256,
                    &with(json!({"exp": now - 120, "iat": now - 1020, "nbf": now - 1020})),
                    secret
                )
            )),
            "expired two minutes ago (past the leeway)",
        ),
        (
            Some(format!(
                "Bearer {}",
                forge(Algorithm::HS256, &with(json!({"nbf": now + 3600})), secret)
            )),
            "not valid before an hour from now",
        ),
        (
            Some(format!(
                "Bearer {}",
                forge(
                    Algorithm::HS256,
                    &with(json!({"iss": "https://evil.test"})),
                    secret
                )
            )),
            "wrong issuer",
        ),
        (
            Some(format!(
                "Bearer {}",
                forge(Algorithm::HS256, &with(json!({"aud": "other-api"})), secret)
            )),
            "wrong audience",
        ),
        (
            Some(format!(
                "Bearer {}",
                forge(
                    Algorithm::HS256,
                    &with(json!({"exp": (now + 600).to_string()})),
                    secret
                )
            )),
            "exp as a string",
        ),
        (
            Some(format!(
                "Bearer {}",
                forge(Algorithm::HS256, &with(json!({"exp": null})), secret)
            )),
            "no exp",
        ),
        (
            Some(format!(
                "Bearer {}",
                forge(Algorithm::HS256, &with(json!({"tv": 1})), secret)
            )),
            "a token version the account does not have",
        ),
        (
            Some(format!(
                "Bearer {}",
                forge(
                    Algorithm::HS256,
                    &with(json!({"sub": uuid::Uuid::now_v7()})),
                    secret
                )
            )),
            "an account that does not exist",
        ),
        (Some(format!("Bearer {refresh}")), "a refresh token"),
        (Some("Bearer not.a.jwt".to_owned()), "garbage"),
        (Some("Bearer ".to_owned()), "empty bearer"),
        (
            Some(format!("Bearer {}", "a".repeat(5000))),
            "5000 characters",
        ),
        (Some(format!("Token {control}")), "another scheme"),
        (
            Some(format!(
                "Basic {}",
                hangar_tests::accounts::b64url(
                    format!("jean.dupont@example.fr:{PASSWORD}").as_bytes()
                )
            )),
            "Basic with the right password",
        ),
        (Some(control.clone()), "no scheme"),
        (None, "no Authorization header"),
    ];

    for (authorization, why) in cases {
        // Act
        let mut req = app.client.get(app.url("/api/v1/users/me"));
        if let Some(value) = &authorization {
            req = req.header("authorization", value);
        }
        let res = send(req, why).await;

        // Assert
        let challenge = header(&res, "www-authenticate").unwrap_or_default();
        assert!(
            challenge.starts_with("Bearer"),
            "{why}: WWW-Authenticate {challenge:?}"
        );
        let problem = TestApp::expect_problem(res, 401, "unauthorized").await;
        assert!(
            !problem["detail"]
                .as_str()
                .unwrap_or_default()
                .contains(secret)
        );
    }
}

#[tokio::test]
async fn access_tokens_of_a_suspended_account_are_refused() {
    let app = spawn_app().await;
    let (_, access, refresh) = register_and_login(&app, "jean.dupont@example.fr").await;
    set_status(&app, "jean.dupont@example.fr", "suspended");
    assert_session_dead(&app, &access, &refresh, "suspended in SQL").await;
}

// ---------------------------------------------------------------------------------------------
// Refresh, logout

#[tokio::test]
async fn refresh_rotates_the_refresh_token_and_refuses_the_old_one() {
    // Arrange
    let app = spawn_app().await;
    let (id, _, first) = register_and_login(&app, "jean.dupont@example.fr").await;

    // Act
    let res = refresh_response(&app, &first).await;

    // Assert: a new pair, which works.
    let body = expect_status(res, 200, "refresh").await;
    let (access, second) = pair(&body);
    assert_ne!(first, second);
    assert_eq!(body["user"]["id"], id.to_string());
    expect_status(get_me(&app, &access).await, 200, "new access token").await;
    // The first row is revoked and points at its successor, in the same family.
    let rows = hangar_tests::accounts::rows_json(
        &app,
        &format!(
            "SELECT id, family_id, revoked_at, replaced_by, \
             token_hash = sha256(convert_to({}, 'UTF8')) AS is_first \
             FROM refresh_tokens WHERE user_id = '{id}' ORDER BY created_at",
            lit(&first)
        ),
    );
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0]["is_first"], true);
    assert!(rows[0]["revoked_at"].is_string(), "{rows:?}");
    assert_eq!(rows[0]["replaced_by"], rows[1]["id"]);
    assert_eq!(rows[0]["family_id"], rows[1]["family_id"]);
    assert_eq!(rows[1]["revoked_at"], Value::Null);

    // The old token is refused…
    let res = refresh_response(&app, &first).await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
}

#[tokio::test]
async fn two_concurrent_refreshes_with_one_token_rotate_it_once() {
    // Arrange
    let app = spawn_app().await;
    let (id, _, refresh) = register_and_login(&app, "jean.dupont@example.fr").await;

    // Act: the same token twice at once (a double click, two tabs, or a thief racing).
    let (a, b) = tokio::join!(
        refresh_response(&app, &refresh),
        refresh_response(&app, &refresh)
    );

    // Assert: one rotation, one refusal; never two live successors.
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 401]);
    assert_eq!(
        count(&app, &format!("refresh_tokens WHERE user_id = '{id}'")),
        2,
        "exactly one successor was issued"
    );
    assert_eq!(
        count(
            &app,
            &format!("refresh_tokens WHERE user_id = '{id}' AND revoked_at IS NULL")
        ),
        0,
        "the replay revoked the family"
    );
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_revokes_the_whole_family() {
    // Arrange: two sessions; the first one rotated twice.
    let app = spawn_app().await;
    let (id, _, first) = register_and_login(&app, "jean.dupont@example.fr").await;
    let (_, other_session) = login(&app, "jean.dupont@example.fr", PASSWORD).await;
    let (_, second) = pair(&expect_status(refresh_response(&app, &first).await, 200, "1st").await);
    let (_, newest) = pair(&expect_status(refresh_response(&app, &second).await, 200, "2nd").await);

    // Act: a thief replays the first token.
    let res = refresh_response(&app, &first).await;

    // Assert: refused, and the legitimate newest token is dead too.
    TestApp::expect_problem(res, 401, "unauthorized").await;
    let res = refresh_response(&app, &newest).await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
    let family = query_one(
        &app,
        &format!(
            "SELECT family_id::text AS value FROM refresh_tokens \
             WHERE token_hash = sha256(convert_to({}, 'UTF8'))",
            lit(&first)
        ),
    )
    .unwrap_or_default();
    assert_eq!(
        count(
            &app,
            &format!("refresh_tokens WHERE family_id = '{family}'")
        ),
        3
    );
    assert_eq!(
        count(
            &app,
            &format!("refresh_tokens WHERE family_id = '{family}' AND revoked_at IS NULL")
        ),
        0,
        "every token of the family is revoked"
    );
    // The other login is another family: untouched.
    assert_eq!(
        count(
            &app,
            &format!("refresh_tokens WHERE user_id = '{id}' AND revoked_at IS NULL")
        ),
        1
    );
    expect_status(
        refresh_response(&app, &other_session).await,
        200,
        "the other session still refreshes",
    )
    .await;
}

#[tokio::test]
async fn refresh_through_the_cookie_returns_a_new_cookie() {
    // Arrange
    let app = spawn_app().await;
    register(&app, "jean.dupont@example.fr").await;
    let res = post(
        &app,
        LOGIN,
        &json!({"email": "jean.dupont@example.fr", "password": PASSWORD, "token_delivery": "cookie"}),
    )
    .await;
    let (first, _) = set_cookie(&res, "hangar_refresh").unwrap_or_default();
    let with_cookie = |path: &str, value: &str| {
        app.client
            .post(app.url(path))
            .header("cookie", format!("hangar_refresh={value}"))
            .json(&json!({}))
    };

    // Act
    let res = send(with_cookie(REFRESH, &first), "refresh by cookie").await;

    // Assert
    assert_eq!(res.status().as_u16(), 200);
    let (second, line) = set_cookie(&res, "hangar_refresh")
        .unwrap_or_else(|| panic!("no new cookie: {:?}", res.headers()));
    assert_ne!(first, second);
    assert!(line.to_ascii_lowercase().contains("httponly"), "{line}");
    let body: Value = res.json().await.unwrap_or_default();
    assert!(body.get("refresh_token").is_none(), "{body}");
    assert!(body["access_token"].is_string(), "{body}");
    let res = send(with_cookie(REFRESH, &first), "old cookie").await;
    TestApp::expect_problem(res, 401, "unauthorized").await;

    // Logging out with the cookie clears it. (The replay above revoked the family, so log in
    // again first.)
    let res = post(
        &app,
        LOGIN,
        &json!({"email": "jean.dupont@example.fr", "password": PASSWORD, "token_delivery": "cookie"}),
    )
    .await;
    let (third, _) = set_cookie(&res, "hangar_refresh").unwrap_or_default();
    let res = send(with_cookie(LOGOUT, &third), "logout by cookie").await;
    assert_eq!(res.status().as_u16(), 204);
    let (cleared, line) = set_cookie(&res, "hangar_refresh")
        .unwrap_or_else(|| panic!("the cookie is not cleared: {:?}", res.headers()));
    assert!(cleared.is_empty(), "{line}");
    assert!(line.to_ascii_lowercase().contains("max-age=0"), "{line}");
    let res = send(with_cookie(REFRESH, &third), "after logout").await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
}

#[tokio::test]
async fn an_expired_refresh_token_is_refused() {
    let app = spawn_app().await;
    let (id, _, refresh) = register_and_login(&app, "jean.dupont@example.fr").await;
    execute(
        &app,
        &format!(
            "UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = '{id}'"
        ),
    );

    let res = refresh_response(&app, &refresh).await;

    TestApp::expect_problem(res, 401, "unauthorized").await;
    assert_eq!(count(&app, "refresh_tokens"), 1, "no new token was issued");
}

#[tokio::test]
async fn refresh_refuses_unknown_and_missing_tokens() {
    let app = spawn_app().await;
    let cases = [
        (json!({"refresh_token": "x".repeat(43)}), "unknown token"),
        (json!({}), "no token and no cookie"),
    ];
    for (body, why) in cases {
        let res = post(&app, REFRESH, &body).await;
        let problem = TestApp::expect_problem(res, 401, "unauthorized").await;
        assert!(problem["errors"].as_object().is_some(), "{why}");
    }
    let res = post(&app, REFRESH, &json!({"refresh_token": "x", "user": "me"})).await;
    TestApp::expect_problem(res, 422, "validation").await;
}

#[tokio::test]
async fn logout_revokes_the_session_family() {
    // Arrange: a session rotated once, and another session.
    let app = spawn_app().await;
    let (id, _, first) = register_and_login(&app, "jean.dupont@example.fr").await;
    let (_, other) = login(&app, "jean.dupont@example.fr", PASSWORD).await;
    let (_, current) =
        pair(&expect_status(refresh_response(&app, &first).await, 200, "rotate").await);

    // Act
    let res = post(&app, LOGOUT, &json!({"refresh_token": current})).await;

    // Assert
    assert_eq!(res.status().as_u16(), 204);
    let res = refresh_response(&app, &current).await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
    assert_eq!(
        count(
            &app,
            &format!("refresh_tokens WHERE user_id = '{id}' AND revoked_at IS NULL")
        ),
        1,
        "only the other session is left"
    );
    expect_status(refresh_response(&app, &other).await, 200, "other session").await;
    // Unknown tokens get the same answer.
    let res = post(&app, LOGOUT, &json!({"refresh_token": "unknown"})).await;
    assert_eq!(res.status().as_u16(), 204);
}

#[tokio::test]
async fn logout_all_kills_every_access_and_refresh_token() {
    // Arrange: two sessions.
    let app = spawn_app().await;
    let (id, access_a, refresh_a) = register_and_login(&app, "jean.dupont@example.fr").await;
    let (access_b, refresh_b) = login(&app, "jean.dupont@example.fr", PASSWORD).await;

    // Act
    let res = call(&app, Method::POST, LOGOUT_ALL, Some(&access_a), None).await;

    // Assert
    assert_eq!(res.status().as_u16(), 204);
    assert_eq!(
        user_row(&app, "jean.dupont@example.fr").unwrap_or_default()["token_version"],
        1
    );
    assert_eq!(
        count(
            &app,
            &format!("refresh_tokens WHERE user_id = '{id}' AND revoked_at IS NULL")
        ),
        0
    );
    assert_session_dead(&app, &access_a, &refresh_a, "the caller's session").await;
    assert_session_dead(&app, &access_b, &refresh_b, "the other session").await;
    // A new login works and carries the new version.
    let (access, _) = login(&app, "jean.dupont@example.fr", PASSWORD).await;
    expect_status(get_me(&app, &access).await, 200, "new session").await;
    // Anonymous callers cannot do it.
    let res = call(&app, Method::POST, LOGOUT_ALL, None, None).await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
}

// ---------------------------------------------------------------------------------------------
// Email verification

#[tokio::test]
async fn verify_email_with_the_mailed_token_marks_the_address_verified_once() {
    // Arrange
    let app = spawn_app().await;
    register(&app, "jean.dupont@example.fr").await;
    let token = token_from_outbox(&app, "jean.dupont@example.fr", "/verify-email");

    // Act
    let res = post(&app, VERIFY, &json!({"token": token})).await;

    // Assert
    assert_eq!(res.status().as_u16(), 204);
    let row = user_row(&app, "jean.dupont@example.fr").unwrap_or_default();
    assert!(row["email_verified_at"].is_string(), "{row}");
    let res = login_response(&app, "jean.dupont@example.fr", PASSWORD).await;
    let body = expect_status(res, 200, "login").await;
    assert_eq!(body["user"]["email_verified"], true);
    // The token works once.
    let res = post(&app, VERIFY, &json!({"token": token})).await;
    let problem = TestApp::expect_problem(res, 422, "validation").await;
    assert!(problem["errors"]["token"].is_array(), "{problem}");
    // Nothing left to verify.
    let (access, _) = pair(&body);
    let res = call(&app, Method::POST, RESEND, Some(&access), None).await;
    TestApp::expect_problem(res, 409, "conflict").await;
    assert_eq!(
        mails_to(&app, "jean.dupont@example.fr").len(),
        1,
        "no new mail"
    );
}

#[tokio::test]
async fn verify_email_refuses_garbage_and_tokens_of_another_purpose() {
    let app = spawn_app().await;
    register(&app, "jean.dupont@example.fr").await;
    let res = post(&app, FORGOT, &json!({"email": "jean.dupont@example.fr"})).await;
    assert_eq!(res.status().as_u16(), 202);
    let reset_token = token_from_outbox(&app, "jean.dupont@example.fr", "/reset-password");
    let cases = [
        (json!({"token": "garbage"}), "garbage"),
        (
            json!({"token": "x".repeat(43)}),
            "a well-formed unknown token",
        ),
        (json!({"token": reset_token}), "a password-reset token"),
        (json!({"token": ""}), "empty"),
    ];
    for (body, why) in cases {
        let res = post(&app, VERIFY, &body).await;
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        assert!(problem["errors"]["token"].is_array(), "{why}: {problem}");
    }
    let row = user_row(&app, "jean.dupont@example.fr").unwrap_or_default();
    assert_eq!(row["email_verified_at"], Value::Null);
    assert!(
        email_token_is_live(&app, &reset_token, "reset_password"),
        "the reset token was not burnt"
    );
}

#[tokio::test]
async fn resend_verification_sends_a_new_link_and_voids_the_old_one() {
    let app = spawn_app().await;
    let (_, access, _) = register_and_login(&app, "jean.dupont@example.fr").await;
    let old = token_from_outbox(&app, "jean.dupont@example.fr", "/verify-email");

    let res = call(&app, Method::POST, RESEND, Some(&access), None).await;

    assert_eq!(res.status().as_u16(), 202);
    assert_eq!(mails_to(&app, "jean.dupont@example.fr").len(), 2);
    let new = token_from_outbox(&app, "jean.dupont@example.fr", "/verify-email");
    assert_ne!(old, new);
    let res = post(&app, VERIFY, &json!({"token": old})).await;
    TestApp::expect_problem(res, 422, "validation").await;
    let res = post(&app, VERIFY, &json!({"token": new})).await;
    assert_eq!(res.status().as_u16(), 204);
    let res = call(&app, Method::POST, RESEND, None, None).await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
}

// ---------------------------------------------------------------------------------------------
// Password reset

#[tokio::test]
async fn forgot_password_answers_alike_for_known_and_unknown_addresses() {
    let app = spawn_app().await;
    register(&app, "jean.dupont@example.fr").await;

    let known = post(&app, FORGOT, &json!({"email": "Jean.Dupont@example.fr"})).await;
    let unknown = post(&app, FORGOT, &json!({"email": "nobody@example.fr"})).await;

    assert_eq!(known.status().as_u16(), 202);
    assert_eq!(unknown.status().as_u16(), 202);
    let known_body = known.text().await.unwrap_or_default();
    let unknown_body = unknown.text().await.unwrap_or_default();
    assert_eq!(known_body, unknown_body);
    assert_eq!(
        count(&app, "outbox WHERE to_address = 'nobody@example.fr'"),
        0
    );
    assert_eq!(
        count(
            &app,
            "outbox WHERE to_address = 'jean.dupont@example.fr' AND body_text LIKE '%/reset-password?token=%'"
        ),
        1
    );
    let token = token_from_outbox(&app, "jean.dupont@example.fr", "/reset-password");
    assert!(email_token_is_live(&app, &token, "reset_password"));
    assert_eq!(
        count(
            &app,
            "email_tokens WHERE purpose = 'reset_password' \
             AND expires_at BETWEEN now() + interval '59 minutes' AND now() + interval '61 minutes'"
        ),
        1,
        "a reset link lasts one hour"
    );
    let res = post(&app, FORGOT, &json!({"email": "not-an-email"})).await;
    TestApp::expect_problem(res, 422, "validation").await;
}

#[tokio::test]
async fn reset_password_with_the_mailed_token_ends_every_session() {
    // Arrange: a logged-in user who forgot their password.
    let app = spawn_app().await;
    let (_, access, refresh) = register_and_login(&app, "jean.dupont@example.fr").await;
    post(&app, FORGOT, &json!({"email": "jean.dupont@example.fr"})).await;
    let token = token_from_outbox(&app, "jean.dupont@example.fr", "/reset-password");

    // Act
    let res = post(
        &app,
        RESET,
        &json!({"token": token, "new_password": NEW_PASSWORD}),
    )
    .await;

    // Assert
    assert_eq!(res.status().as_u16(), 204);
    assert_session_dead(&app, &access, &refresh, "session before the reset").await;
    let res = login_response(&app, "jean.dupont@example.fr", PASSWORD).await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
    login(&app, "jean.dupont@example.fr", NEW_PASSWORD).await;
    let res = post(
        &app,
        RESET,
        &json!({"token": token, "new_password": "Un autre mot de passe pour la Patagonie"}),
    )
    .await;
    let problem = TestApp::expect_problem(res, 422, "validation").await;
    assert!(problem["errors"]["token"].is_array(), "{problem}");
}

#[tokio::test]
async fn reset_password_with_a_weak_password_keeps_the_token_usable() {
    let app = spawn_app().await;
    register(&app, "jean.dupont@example.fr").await;
    post(&app, FORGOT, &json!({"email": "jean.dupont@example.fr"})).await;
    let token = token_from_outbox(&app, "jean.dupont@example.fr", "/reset-password");
    let hash_before =
        user_row(&app, "jean.dupont@example.fr").unwrap_or_default()["password_hash"].clone();

    for (weak, why) in [
        ("password123", "common"),
        ("jean.dupont@example.fr", "own email"),
        ("court", "short"),
    ] {
        let res = post(&app, RESET, &json!({"token": token, "new_password": weak})).await;
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        assert!(
            problem["errors"]["new_password"].is_array(),
            "{why}: {problem}"
        );
    }
    assert_eq!(
        user_row(&app, "jean.dupont@example.fr").unwrap_or_default()["password_hash"],
        hash_before
    );
    assert!(email_token_is_live(&app, &token, "reset_password"));

    let res = post(
        &app,
        RESET,
        &json!({"token": token, "new_password": NEW_PASSWORD}),
    )
    .await;
    assert_eq!(res.status().as_u16(), 204);
}

#[tokio::test]
async fn an_expired_reset_token_is_refused() {
    let app = spawn_app().await;
    register(&app, "jean.dupont@example.fr").await;
    post(&app, FORGOT, &json!({"email": "jean.dupont@example.fr"})).await;
    let token = token_from_outbox(&app, "jean.dupont@example.fr", "/reset-password");
    let hash_before =
        user_row(&app, "jean.dupont@example.fr").unwrap_or_default()["password_hash"].clone();
    execute(
        &app,
        "UPDATE email_tokens SET expires_at = now() - interval '1 second' WHERE purpose = 'reset_password'",
    );

    let res = post(
        &app,
        RESET,
        &json!({"token": token, "new_password": NEW_PASSWORD}),
    )
    .await;

    let problem = TestApp::expect_problem(res, 422, "validation").await;
    assert!(problem["errors"]["token"].is_array(), "{problem}");
    assert_eq!(
        user_row(&app, "jean.dupont@example.fr").unwrap_or_default()["password_hash"],
        hash_before
    );
}

// ---------------------------------------------------------------------------------------------
// Rate limits (3 attempts a minute per account and action, 6 per client address)

/// A login attempt for `email` with an optional `X-Forwarded-For`; returns the status, and
/// checks 429s in full.
async fn attempt(app: &TestApp, email: &str, forwarded_for: Option<&str>) -> u16 {
    let mut req = app
        .client
        .post(app.url(LOGIN))
        .json(&json!({"email": email, "password": PASSWORD}));
    if let Some(xff) = forwarded_for {
        req = req.header("x-forwarded-for", xff);
    }
    let res = send(req, email).await;
    let status = res.status().as_u16();
    if status == 429 {
        let retry_after: u64 = header(&res, "retry-after")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("429 without a numeric Retry-After: {:?}", res.headers()));
        assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
        TestApp::expect_problem(res, 429, "too-many-requests").await;
    }
    status
}

/// The rate limiter refills one per-address slot every 10 s: the sequences below must run
/// well within that for their counts to be exact.
fn assert_quick(started: Instant) {
    assert!(
        started.elapsed() < Duration::from_secs(9),
        "the attempts took {:?}; the limiter may have refilled",
        started.elapsed()
    );
}

#[tokio::test]
async fn login_is_limited_per_account_and_then_per_address() {
    let app = spawn_app_with(&[("RATE_LIMIT_AUTH_PER_MINUTE", "3")]).await;
    let started = Instant::now();

    // Three attempts for one account go through (and fail on the password); the 4th is cut.
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(attempt(&app, "a@example.fr", None).await);
    }
    assert_eq!(statuses, [401, 401, 401, 429], "same email");
    // Another account from the same address gets the rest of the address's 6.
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(attempt(&app, "B@example.fr", None).await);
    }
    assert_eq!(statuses, [401, 401, 429], "another email, same address");
    assert_eq!(
        attempt(&app, "c@example.fr", None).await,
        429,
        "address spent"
    );
    assert_quick(started);
    // Other actions have their own budget.
    let res = post(&app, FORGOT, &json!({"email": "d@example.fr"})).await;
    assert_eq!(res.status().as_u16(), 202);
}

/// A password-reset request for `email` with an optional `X-Forwarded-For`. Its allowed path
/// costs no password hashing, so a sequence of them runs far within the limiter's 10 s refill:
/// the address tests use it (the client address is worked out alike for every action).
async fn forgot_attempt(app: &TestApp, email: &str, forwarded_for: Option<&str>) -> u16 {
    let mut req = app
        .client
        .post(app.url(FORGOT))
        .json(&json!({"email": email}));
    if let Some(xff) = forwarded_for {
        req = req.header("x-forwarded-for", xff);
    }
    let res = send(req, email).await;
    let status = res.status().as_u16();
    if status == 429 {
        assert!(header(&res, "retry-after").is_some(), "{:?}", res.headers());
        TestApp::expect_problem(res, 429, "too-many-requests").await;
    }
    status
}

#[tokio::test]
async fn x_forwarded_for_is_ignored_from_untrusted_peers() {
    let app = spawn_app_with(&[("RATE_LIMIT_AUTH_PER_MINUTE", "3")]).await;
    let started = Instant::now();
    let mut statuses = Vec::new();
    for i in 0..7 {
        let email = format!("user{i}@example.fr");
        let xff = format!("198.51.100.{i}");
        statuses.push(forgot_attempt(&app, &email, Some(&xff)).await);
    }
    assert_eq!(
        statuses,
        [202, 202, 202, 202, 202, 202, 429],
        "a new X-Forwarded-For each time does not reset the address's budget"
    );
    assert_quick(started);
}

#[tokio::test]
async fn x_forwarded_for_from_a_trusted_proxy_gives_each_client_its_budget() {
    let app = spawn_app_with(&[
        ("RATE_LIMIT_AUTH_PER_MINUTE", "3"),
        ("TRUSTED_PROXIES", "127.0.0.1"),
    ])
    .await;
    let started = Instant::now();
    let mut statuses = Vec::new();
    for i in 0..7 {
        let email = format!("user{i}@example.fr");
        statuses.push(forgot_attempt(&app, &email, Some("198.51.100.1")).await);
    }
    // The right-most address that is not a trusted proxy is the client; spoofed entries to
    // its left change nothing.
    let spoofed = forgot_attempt(&app, "spoof@example.fr", Some("6.6.6.6, 198.51.100.1")).await;
    let other = forgot_attempt(&app, "other@example.fr", Some("6.6.6.6, 198.51.100.2")).await;
    let proxy_itself = forgot_attempt(&app, "proxy@example.fr", None).await;
    let login_other = attempt(&app, "login@example.fr", Some("198.51.100.1")).await;
    assert_quick(started);
    assert_eq!(
        statuses,
        [202, 202, 202, 202, 202, 202, 429],
        "one client behind the proxy"
    );
    assert_eq!(spoofed, 429, "a spoofed left-most entry does not help");
    assert_eq!(
        other, 202,
        "another client behind the proxy has its own budget"
    );
    assert_eq!(
        proxy_itself, 202,
        "requests without the header count for the proxy"
    );
    assert_eq!(login_other, 401, "login has its own budget");
}
