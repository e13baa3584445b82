//! `/api/v1/users/me/tokens`: personal access tokens (`hgr_…`): shown once, stored as a hash,
//! limited to their scopes, never able to manage account security, and dead once revoked or
//! expired.

use hangar_tests::accounts::{
    PASSWORD, call, count, create_pat, execute, expect_status, get_me, get_with, lit, make_admin,
    pat_secret, register_and_login, rows_json, set_status, user_row,
};
use hangar_tests::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

const TOKENS: &str = "/api/v1/users/me/tokens";

fn token_path(id: impl std::fmt::Display) -> String {
    format!("{TOKENS}/{id}")
}

fn id_str(created: &Value) -> String {
    created["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {created}"))
        .to_owned()
}

#[tokio::test]
async fn a_new_token_is_shown_once_and_stored_only_as_a_hash() {
    // Arrange
    let app = spawn_app().await;
    let (id, access, _) = register_and_login(&app, "jean.dupont@example.fr").await;

    // Act
    let res = call(
        &app,
        Method::POST,
        TOKENS,
        Some(&access),
        Some(&json!({
            "name": "price-watch script",
            "scopes": ["account", "listings:read", "account"],
            "expires_in_days": 30,
        })),
    )
    .await;

    // Assert: the answer.
    assert_eq!(res.status().as_u16(), 201);
    assert_eq!(
        res.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let created: Value = res.json().await.unwrap_or_default();
    let token = pat_secret(&created);
    assert!(token.starts_with("hgr_"), "{token}");
    assert_eq!(token.len(), 4 + 43, "{token}");
    assert_eq!(created["prefix"], token[..10], "{created}");
    assert_eq!(created["name"], "price-watch script");
    assert_eq!(created["scopes"], json!(["account", "listings:read"]));
    assert_eq!(created["last_used_at"], Value::Null);
    let expires: chrono::DateTime<chrono::Utc> = created["expires_at"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("expires_at in {created}"));
    let days = (expires - chrono::Utc::now()).num_hours() as f64 / 24.0;
    assert!((29.9..=30.0).contains(&days), "{days} days");

    // Assert: the row holds the SHA-256 of the token and never the token.
    let rows = rows_json(
        &app,
        &format!(
            "SELECT t.*, octet_length(token_hash) AS hash_len, \
             token_hash = sha256(convert_to({}, 'UTF8')) AS hash_matches \
             FROM personal_access_tokens t",
            lit(&token)
        ),
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["user_id"], id.to_string());
    assert_eq!(rows[0]["hash_len"], 32);
    assert_eq!(rows[0]["hash_matches"], true);
    let stored = rows[0].to_string();
    assert!(!stored.contains(&token), "{stored}");
    assert!(!stored.contains(&token[4..]), "{stored}");

    // Assert: the list never shows it again.
    let res = get_with(&app, TOKENS, &access).await;
    assert_eq!(res.status().as_u16(), 200);
    let text = res.text().await.unwrap_or_default();
    assert!(!text.contains(&token[4..]), "{text}");
    let list: Value = serde_json::from_str(&text).unwrap_or_default();
    let items = list["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["id"], created["id"]);
    assert!(items[0].get("token").is_none(), "{list}");
}

#[tokio::test]
async fn a_token_works_within_its_scopes_and_records_its_use() {
    // Arrange
    let app = spawn_app().await;
    let (id, access, _) = register_and_login(&app, "jean.dupont@example.fr").await;
    let with_account = create_pat(&app, &access, &["account"]).await;
    let without = create_pat(&app, &access, &["listings:read", "messages"]).await;
    let (with_account_token, without_token) = (pat_secret(&with_account), pat_secret(&without));

    // Act and assert: `account` reads and edits the profile.
    let me = expect_status(get_me(&app, &with_account_token).await, 200, "account").await;
    assert_eq!(me["id"], id.to_string());
    let me = expect_status(
        call(
            &app,
            Method::PATCH,
            "/api/v1/users/me",
            Some(&with_account_token),
            Some(&json!({"display_name": "Jean D."})),
        )
        .await,
        200,
        "patch with account",
    )
    .await;
    assert_eq!(me["display_name"], "Jean D.");
    let used = rows_json(
        &app,
        &format!(
            "SELECT last_used_at FROM personal_access_tokens WHERE id = '{}'",
            id_str(&with_account)
        ),
    );
    assert!(used[0]["last_used_at"].is_string(), "{used:?}");

    // Without `account`: 403 on every account route, and no change.
    for (method, path, body) in [
        (Method::GET, "/api/v1/users/me", None),
        (Method::GET, "/api/v1/users/me/export", None),
        (
            Method::PATCH,
            "/api/v1/users/me",
            Some(json!({"display_name": "Pirate"})),
        ),
    ] {
        let res = call(
            &app,
            method.clone(),
            path,
            Some(&without_token),
            body.as_ref(),
        )
        .await;
        TestApp::expect_problem(res, 403, "forbidden").await;
    }
    assert_eq!(
        user_row(&app, "jean.dupont@example.fr").unwrap_or_default()["display_name"],
        "Jean D."
    );
}

#[tokio::test]
async fn a_token_cannot_manage_account_security() {
    // Arrange: an administrator's token with every scope.
    let app = spawn_app().await;
    let (id, access, _) = register_and_login(&app, "jean.dupont@example.fr").await;
    make_admin(&app, "jean.dupont@example.fr");
    let created = create_pat(
        &app,
        &access,
        &["account", "listings:read", "listings:write", "messages"],
    )
    .await;
    let pat = pat_secret(&created);
    let victim = Uuid::now_v7();
    let user_before = user_row(&app, "jean.dupont@example.fr");
    let tokens_before = rows_json(&app, "SELECT id, revoked_at FROM personal_access_tokens");
    let cases: Vec<(Method, String, Option<Value>, &str)> = vec![
        (
            Method::POST,
            TOKENS.to_owned(),
            Some(json!({"name": "minted by a token", "scopes": ["account"]})),
            "create a token",
        ),
        (Method::GET, TOKENS.to_owned(), None, "list tokens"),
        (
            Method::DELETE,
            token_path(id_str(&created)),
            None,
            "revoke a token",
        ),
        (
            Method::POST,
            "/api/v1/users/me/password".to_owned(),
            Some(
                json!({"current_password": PASSWORD, "new_password": "Un mot de passe choisi par un voleur"}),
            ),
            "change the password",
        ),
        (
            Method::DELETE,
            "/api/v1/users/me".to_owned(),
            Some(json!({"password": PASSWORD})),
            "delete the account",
        ),
        (
            Method::POST,
            "/api/v1/auth/logout-all".to_owned(),
            None,
            "log out everywhere",
        ),
        (
            Method::GET,
            "/api/v1/admin/users".to_owned(),
            None,
            "administration",
        ),
        (
            Method::POST,
            format!("/api/v1/admin/users/{victim}/suspend"),
            Some(json!({"reason": "suspended by a token"})),
            "suspend someone",
        ),
    ];

    for (method, path, body, why) in &cases {
        // Act
        let res = call(&app, method.clone(), path, Some(&pat), body.as_ref()).await;

        // Assert
        assert_eq!(res.status().as_u16(), 403, "{why}");
        TestApp::expect_problem(res, 403, "forbidden").await;
    }
    assert_eq!(user_row(&app, "jean.dupont@example.fr"), user_before);
    assert_eq!(
        rows_json(&app, "SELECT id, revoked_at FROM personal_access_tokens"),
        tokens_before
    );
    assert_eq!(
        count(
            &app,
            &format!("refresh_tokens WHERE user_id = '{id}' AND revoked_at IS NULL")
        ),
        1
    );
    expect_status(get_me(&app, &pat).await, 200, "the token still works").await;
}

#[tokio::test]
async fn a_revoked_token_stops_working_at_once() {
    // Arrange
    let app = spawn_app().await;
    let (_, access, _) = register_and_login(&app, "jean.dupont@example.fr").await;
    let created = create_pat(&app, &access, &["account"]).await;
    let pat = pat_secret(&created);
    expect_status(get_me(&app, &pat).await, 200, "before").await;

    // Act
    let res = call(
        &app,
        Method::DELETE,
        &token_path(id_str(&created)),
        Some(&access),
        None,
    )
    .await;

    // Assert
    assert_eq!(res.status().as_u16(), 204);
    let res = get_me(&app, &pat).await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
    let list = expect_status(get_with(&app, TOKENS, &access).await, 200, "list").await;
    assert_eq!(list["items"], json!([]));
    assert_eq!(
        count(&app, "personal_access_tokens WHERE revoked_at IS NOT NULL"),
        1
    );
    let res = call(
        &app,
        Method::DELETE,
        &token_path(id_str(&created)),
        Some(&access),
        None,
    )
    .await;
    TestApp::expect_problem(res, 404, "not-found").await;
    let res = call(
        &app,
        Method::DELETE,
        &token_path("not-a-uuid"),
        Some(&access),
        None,
    )
    .await;
    TestApp::expect_problem(res, 400, "bad-request").await;
}

#[tokio::test]
async fn revoking_another_users_token_is_not_found_and_leaves_it_alive() {
    // Arrange
    let app = spawn_app().await;
    let (_, access_a, _) = register_and_login(&app, "alice@example.fr").await;
    let (_, access_b, _) = register_and_login(&app, "bob@example.fr").await;
    let created = create_pat(&app, &access_a, &["account"]).await;

    // Act
    let res = call(
        &app,
        Method::DELETE,
        &token_path(id_str(&created)),
        Some(&access_b),
        None,
    )
    .await;

    // Assert: the same answer as for a token that does not exist.
    let problem = TestApp::expect_problem(res, 404, "not-found").await;
    let res = call(
        &app,
        Method::DELETE,
        &token_path(Uuid::now_v7()),
        Some(&access_b),
        None,
    )
    .await;
    let unknown = TestApp::expect_problem(res, 404, "not-found").await;
    assert_eq!(problem["detail"], unknown["detail"]);
    assert_eq!(
        count(&app, "personal_access_tokens WHERE revoked_at IS NULL"),
        1
    );
    let me = expect_status(get_me(&app, &pat_secret(&created)).await, 200, "A's token").await;
    assert_eq!(me["email"], "alice@example.fr");
}

#[tokio::test]
async fn expired_unknown_and_suspended_users_tokens_are_refused() {
    // Arrange
    let app = spawn_app().await;
    let (_, access, _) = register_and_login(&app, "jean.dupont@example.fr").await;
    let expired = create_pat(&app, &access, &["account"]).await;
    execute(
        &app,
        &format!(
            "UPDATE personal_access_tokens SET expires_at = now() - interval '1 second' WHERE id = '{}'",
            id_str(&expired)
        ),
    );
    let live = pat_secret(&create_pat(&app, &access, &["account"]).await);
    expect_status(get_me(&app, &live).await, 200, "control").await;
    let unknown = format!("hgr_{}", "A".repeat(43));

    // Act and assert
    for (token, why) in [
        (pat_secret(&expired), "expired"),
        (unknown, "unknown"),
        ("hgr_".to_owned(), "prefix only"),
    ] {
        let res = get_me(&app, &token).await;
        assert_eq!(res.status().as_u16(), 401, "{why}");
        TestApp::expect_problem(res, 401, "unauthorized").await;
    }
    set_status(&app, "jean.dupont@example.fr", "suspended");
    let res = get_me(&app, &live).await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
}

#[tokio::test]
async fn token_creation_refuses_bad_input_and_writes_nothing() {
    let app = spawn_app().await;
    let (_, access, _) = register_and_login(&app, "jean.dupont@example.fr").await;
    let cases = [
        (
            json!({"name": "x", "scopes": ["admin"]}),
            "scopes",
            "unknown scope",
        ),
        (
            json!({"name": "x", "scopes": ["Account"]}),
            "scopes",
            "scopes are case-sensitive",
        ),
        (json!({"name": "x", "scopes": []}), "scopes", "no scope"),
        (
            json!({"name": "x", "scopes": ["account", "account", "account", "account", "account"]}),
            "scopes",
            "five scopes",
        ),
        (json!({"name": "x"}), "scopes", "missing scopes"),
        (
            json!({"name": "", "scopes": ["account"]}),
            "name",
            "empty name",
        ),
        (
            json!({"name": "x".repeat(81), "scopes": ["account"]}),
            "name",
            "81 characters",
        ),
        (
            json!({"name": "two\nlines", "scopes": ["account"]}),
            "name",
            "newline in the name",
        ),
        (
            json!({"name": "x", "scopes": ["account"], "expires_in_days": 0}),
            "expires_in_days",
            "zero days",
        ),
        (
            json!({"name": "x", "scopes": ["account"], "expires_in_days": 366}),
            "expires_in_days",
            "over a year",
        ),
        (
            json!({"name": "x", "scopes": ["account"], "expires_in_days": -1}),
            "expires_in_days",
            "negative",
        ),
        (
            json!({"name": "x", "scopes": ["account"], "token": "hgr_mine"}),
            "token",
            "a chosen token",
        ),
        (
            json!({"name": "x", "scopes": ["account"], "user_id": Uuid::now_v7()}),
            "user_id",
            "for someone else",
        ),
    ];
    for (body, field, why) in cases {
        let res = call(&app, Method::POST, TOKENS, Some(&access), Some(&body)).await;
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        let errors = problem["errors"].as_object().cloned().unwrap_or_default();
        assert!(
            errors.keys().any(|k| k.starts_with(field)),
            "{why}: errors.{field} expected in {problem}"
        );
    }
    assert_eq!(count(&app, "personal_access_tokens"), 0);
    let res = call(
        &app,
        Method::POST,
        TOKENS,
        None,
        Some(&json!({"name": "x", "scopes": ["account"]})),
    )
    .await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
}

#[tokio::test]
async fn a_user_holds_at_most_fifty_live_tokens() {
    let app = spawn_app().await;
    let (_, access, _) = register_and_login(&app, "jean.dupont@example.fr").await;
    let mut first = None;
    for _ in 0..50 {
        let created = create_pat(&app, &access, &["listings:read"]).await;
        first.get_or_insert(id_str(&created));
    }

    let res = call(
        &app,
        Method::POST,
        TOKENS,
        Some(&access),
        Some(&json!({"name": "one too many", "scopes": ["account"]})),
    )
    .await;

    TestApp::expect_problem(res, 409, "conflict").await;
    assert_eq!(count(&app, "personal_access_tokens"), 50);
    // Revoking one makes room.
    let first = first.unwrap_or_default();
    let res = call(
        &app,
        Method::DELETE,
        &token_path(first),
        Some(&access),
        None,
    )
    .await;
    assert_eq!(res.status().as_u16(), 204);
    create_pat(&app, &access, &["account"]).await;
}

#[tokio::test]
async fn tokens_killed_by_a_suspension_stay_dead_after_reinstatement() {
    // POST /admin/users/{id}/suspend: "every session and token dies at once"; reinstate: "old
    // sessions stay dead". A personal access token is a token: lifting the suspension (say,
    // once the owner got a hijacked account back) must not bring the old ones back to life.
    let app = spawn_app().await;
    let (id, access, _) = register_and_login(&app, "jean.dupont@example.fr").await;
    let pat = pat_secret(&create_pat(&app, &access, &["account"]).await);
    let (_, admin, _) = register_and_login(&app, "admin@hangar.test").await;
    make_admin(&app, "admin@hangar.test");
    let res = call(
        &app,
        Method::POST,
        &format!("/api/v1/admin/users/{id}/suspend"),
        Some(&admin),
        Some(&json!({"reason": "Account hijacked"})),
    )
    .await;
    expect_status(res, 200, "suspend").await;
    let res = get_me(&app, &pat).await;
    TestApp::expect_problem(res, 401, "unauthorized").await;

    let res = call(
        &app,
        Method::POST,
        &format!("/api/v1/admin/users/{id}/reinstate"),
        Some(&admin),
        None,
    )
    .await;
    expect_status(res, 200, "reinstate").await;

    let res = get_me(&app, &pat).await;
    assert_eq!(
        res.status().as_u16(),
        401,
        "a personal access token came back to life after the reinstatement"
    );
}
