//! `/api/v1/admin`: the user list (filters, keyset pagination), suspension, reinstatement and
//! roles; for administrators only.

use hangar_tests::accounts::{
    PASSWORD, assert_session_dead, call, count, execute, expect_status, get_me, get_with,
    insert_user, login, login_response, make_admin, register_and_login, rows_json, set_role,
    user_row, user_row_by_id,
};
use hangar_tests::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

const USERS: &str = "/api/v1/admin/users";

fn suspend_path(id: impl std::fmt::Display) -> String {
    format!("{USERS}/{id}/suspend")
}

fn reinstate_path(id: impl std::fmt::Display) -> String {
    format!("{USERS}/{id}/reinstate")
}

fn role_path(id: impl std::fmt::Display) -> String {
    format!("{USERS}/{id}/role")
}

fn suspension() -> Value {
    json!({"reason": "Repeated scam listings"})
}

/// Registers and logs in an administrator; returns `(id, access)`.
async fn admin(app: &TestApp) -> (Uuid, String) {
    let (id, access, _) = register_and_login(app, "admin@hangar.test").await;
    make_admin(app, "admin@hangar.test");
    (id, access)
}

/// The emails of a page of the user list.
fn emails(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {page}"))
        .iter()
        .map(|u| u["email"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn list(app: &TestApp, access: &str, query: &str) -> Value {
    let res = get_with(app, &format!("{USERS}{query}"), access).await;
    expect_status(res, 200, &format!("list {query}")).await
}

#[tokio::test]
async fn only_administrators_administer() {
    // Arrange: a user, a moderator and a target.
    let app = spawn_app().await;
    let (user_id, user, _) = register_and_login(&app, "user@example.fr").await;
    let (_, moderator, _) = register_and_login(&app, "moderator@example.fr").await;
    set_role(&app, "moderator@example.fr", "moderator");
    let target = insert_user(&app, "target@example.fr", "Target", "user");
    let before = rows_json(&app, "SELECT * FROM users ORDER BY id");
    let calls = |id: Uuid| {
        vec![
            (Method::GET, USERS.to_owned(), None, "list"),
            (
                Method::POST,
                suspend_path(id),
                Some(suspension()),
                "suspend",
            ),
            (Method::POST, reinstate_path(id), None, "reinstate"),
            (
                Method::PUT,
                role_path(id),
                Some(json!({"role": "admin"})),
                "set a role",
            ),
        ]
    };

    for (caller, token) in [("user", &user), ("moderator", &moderator)] {
        for (method, path, body, what) in calls(target).into_iter().chain([(
            Method::PUT,
            role_path(user_id),
            Some(json!({"role": "admin"})),
            "promote oneself... or a friend",
        )]) {
            // Act
            let res = call(&app, method, &path, Some(token), body.as_ref()).await;

            // Assert
            assert_eq!(res.status().as_u16(), 403, "{caller}: {what}");
            TestApp::expect_problem(res, 403, "forbidden").await;
        }
    }
    for (method, path, body, what) in calls(target) {
        let res = call(&app, method, &path, None, body.as_ref()).await;
        assert_eq!(res.status().as_u16(), 401, "anonymous: {what}");
        TestApp::expect_problem(res, 401, "unauthorized").await;
    }
    assert_eq!(
        rows_json(&app, "SELECT * FROM users ORDER BY id"),
        before,
        "nothing changed"
    );
}

#[tokio::test]
async fn the_user_list_filters_by_text_role_and_status() {
    // Arrange
    let app = spawn_app().await;
    let (_, access) = admin(&app).await;
    insert_user(&app, "alice@example.fr", "Alice Martin", "user");
    insert_user(&app, "bob@aero-club.fr", "Bob", "moderator");
    insert_user(&app, "carol@example.fr", "Carol 100%_sure", "user");
    execute(
        &app,
        "UPDATE users SET status = 'suspended', suspended_at = now() WHERE email = 'carol@example.fr'",
    );
    let cases = [
        ("", 4, "no filter"),
        ("?q=ALICE", 1, "email, any case"),
        ("?q=martin", 1, "display name"),
        ("?q=example.fr", 2, "part of the domain"),
        ("?q=%25", 1, "a literal %"),
        ("?q=_", 1, "a literal _"),
        ("?q=nobody", 0, "no match"),
        ("?role=moderator", 1, "role"),
        ("?role=admin", 1, "the administrator"),
        ("?status=suspended", 1, "status"),
        ("?role=user&status=active", 1, "role and status"),
        ("?q=example.fr&status=active", 1, "text and status"),
    ];

    for (query, expected, why) in cases {
        // Act
        let page = list(&app, &access, query).await;

        // Assert
        assert_eq!(
            page["items"].as_array().map(Vec::len),
            Some(expected),
            "{why}: {page}"
        );
        assert_eq!(page["total_estimate"], expected, "{why}: {page}");
    }
    let page = list(&app, &access, "?status=suspended").await;
    let carol = &page["items"][0];
    assert_eq!(carol["email"], "carol@example.fr");
    assert_eq!(carol["status"], "suspended");
    assert!(carol["suspended_at"].is_string(), "{carol}");
    let text = page.to_string();
    for secret in ["password", "token_version", "argon2"] {
        assert!(!text.contains(secret), "`{secret}` in {text}");
    }
}

#[tokio::test]
async fn the_user_list_pages_with_a_keyset_cursor() {
    // Arrange: five accounts created at the same instant, so only the id breaks ties.
    let app = spawn_app().await;
    let (_, access) = admin(&app).await;
    for i in 1..=4 {
        insert_user(
            &app,
            &format!("member{i}@example.fr"),
            &format!("Member {i}"),
            "user",
        );
    }
    execute(
        &app,
        "UPDATE users SET created_at = '2026-11-28 12:00:00.123456+00'",
    );
    let all: Vec<String> = hangar_tests::accounts::query(
        &app,
        "SELECT email AS value FROM users ORDER BY created_at DESC, id DESC",
    )
    .into_iter()
    .flatten()
    .collect();

    // Act: follow the cursors.
    let mut pages = Vec::new();
    let mut query = "?limit=2".to_owned();
    loop {
        let page = list(&app, &access, &query).await;
        assert_eq!(page["total_estimate"], 5, "{page}");
        let cursor = page["next_cursor"].as_str().map(str::to_owned);
        pages.push(page);
        match cursor {
            Some(c) => query = format!("?limit=2&cursor={c}"),
            None => break,
        }
        assert!(pages.len() < 5, "the cursor never ends");
    }

    // Assert: 2 + 2 + 1, in order, no overlap, nothing missed.
    let sizes: Vec<usize> = pages.iter().map(|p| emails(p).len()).collect();
    assert_eq!(sizes, [2, 2, 1]);
    let seen: Vec<String> = pages.iter().flat_map(emails).collect();
    assert_eq!(seen, all);
    // The same with a filter.
    let page = list(&app, &access, "?limit=3&q=member").await;
    assert_eq!(emails(&page).len(), 3);
    let cursor = page["next_cursor"].as_str().unwrap_or_default().to_owned();
    let rest = list(&app, &access, &format!("?limit=3&q=member&cursor={cursor}")).await;
    assert_eq!(emails(&rest).len(), 1, "{rest}");
    // The API description says `next_cursor` is absent on the last page.
    let last = pages.last().cloned().unwrap_or_default();
    assert!(
        last.get("next_cursor").is_none(),
        "`next_cursor` should be absent on the last page: {last}"
    );
}

#[tokio::test]
async fn the_user_list_refuses_bad_parameters() {
    let app = spawn_app().await;
    let (_, access) = admin(&app).await;
    // `None`: a value serde cannot read (see the next test for the name it should get).
    let cases = [
        ("?sort=email", Some("sort"), "unknown parameter"),
        (
            "?limit=20&offset=40",
            Some("offset"),
            "offset paging does not exist",
        ),
        ("?limit=0", Some("limit"), "limit 0"),
        ("?limit=101", Some("limit"), "limit 101"),
        ("?limit=-1", None, "negative limit"),
        ("?limit=ten", None, "limit not a number"),
        ("?cursor=!!!", Some("cursor"), "garbage cursor"),
        (
            "?cursor=bm90IGEgY3Vyc29y",
            Some("cursor"),
            "base64 that is not a cursor",
        ),
        ("?role=superuser", None, "unknown role"),
        ("?status=gone", None, "unknown status"),
        ("?q=", Some("q"), "empty search"),
    ];
    for (query, field, why) in cases {
        let res = get_with(&app, &format!("{USERS}{query}"), &access).await;
        assert_eq!(res.status().as_u16(), 422, "{why}");
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        let errors = problem["errors"].as_object().cloned().unwrap_or_default();
        assert!(!errors.is_empty(), "{why}: {problem}");
        if let Some(field) = field {
            assert!(
                errors.contains_key(field),
                "{why}: errors.{field} expected in {problem}"
            );
        }
    }
}

#[tokio::test]
async fn malformed_list_parameters_are_named_in_the_errors() {
    // api/src/extract.rs: "Query strings: unknown or malformed parameters are a 422 naming the
    // parameter". A value of the wrong type must name its parameter, as an unknown one does.
    let app = spawn_app().await;
    let (_, access) = admin(&app).await;
    let cases = [
        ("?limit=ten", "limit"),
        ("?limit=-1", "limit"),
        ("?role=superuser", "role"),
        ("?status=gone", "status"),
    ];
    for (query, field) in cases {
        let res = get_with(&app, &format!("{USERS}{query}"), &access).await;
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        assert!(
            problem["errors"][field].is_array(),
            "{query}: errors.{field} expected in {problem}"
        );
    }
}

#[tokio::test]
async fn suspension_ends_every_session_at_once_and_reinstatement_lets_the_user_back() {
    // Arrange
    let app = spawn_app().await;
    let (admin_id, admin_token) = admin(&app).await;
    let (id, access, refresh) = register_and_login(&app, "jean.dupont@example.fr").await;
    expect_status(
        app.get(&format!("/api/v1/users/{id}")).await,
        200,
        "profile",
    )
    .await;

    // Act
    let res = call(
        &app,
        Method::POST,
        &suspend_path(id),
        Some(&admin_token),
        Some(&suspension()),
    )
    .await;

    // Assert
    let body = expect_status(res, 200, "suspend").await;
    assert_eq!(body["status"], "suspended");
    assert!(body["suspended_at"].is_string(), "{body}");
    let row = user_row_by_id(&app, id);
    assert_eq!(row["status"], "suspended");
    assert_eq!(row["token_version"], 1);
    assert_eq!(
        count(
            &app,
            &format!("refresh_tokens WHERE user_id = '{id}' AND revoked_at IS NULL")
        ),
        0
    );
    assert_session_dead(&app, &access, &refresh, "suspended").await;
    let res = login_response(&app, "jean.dupont@example.fr", PASSWORD).await;
    TestApp::expect_problem(res, 403, "forbidden").await;
    let res = app.get(&format!("/api/v1/users/{id}")).await;
    TestApp::expect_problem(res, 404, "not-found").await;

    // Act: reinstate.
    let res = call(
        &app,
        Method::POST,
        &reinstate_path(id),
        Some(&admin_token),
        None,
    )
    .await;

    // Assert
    let body = expect_status(res, 200, "reinstate").await;
    assert_eq!(body["status"], "active");
    assert_eq!(body["suspended_at"], Value::Null);
    let (new_access, _) = login(&app, "jean.dupont@example.fr", PASSWORD).await;
    expect_status(get_me(&app, &new_access).await, 200, "back").await;
    expect_status(
        app.get(&format!("/api/v1/users/{id}")).await,
        200,
        "profile",
    )
    .await;
    assert_session_dead(&app, &access, &refresh, "old sessions stay dead").await;

    // Both actions are in the moderation audit log, the suspension with its reason.
    let logged = rows_json(
        &app,
        &format!(
            "SELECT action, note, moderator_id = '{admin_id}' AS by_admin, listing_id FROM moderation_audit \
             WHERE target_user_id = '{id}' ORDER BY created_at, id"
        ),
    );
    assert_eq!(
        logged,
        vec![
            json!({"action": "suspend_user", "note": "Repeated scam listings", "by_admin": true, "listing_id": null}),
            json!({"action": "reinstate_user", "note": null, "by_admin": true, "listing_id": null}),
        ]
    );
}

#[tokio::test]
async fn administrators_cannot_suspend_or_demote_themselves() {
    let app = spawn_app().await;
    let (id, access) = admin(&app).await;
    let before = user_row(&app, "admin@hangar.test");

    let res = call(
        &app,
        Method::POST,
        &suspend_path(id),
        Some(&access),
        Some(&suspension()),
    )
    .await;
    TestApp::expect_problem(res, 409, "conflict").await;
    let res = call(
        &app,
        Method::PUT,
        &role_path(id),
        Some(&access),
        Some(&json!({"role": "user"})),
    )
    .await;
    TestApp::expect_problem(res, 409, "conflict").await;

    assert_eq!(user_row(&app, "admin@hangar.test"), before);
    expect_status(get_with(&app, USERS, &access).await, 200, "still admin").await;
}

#[tokio::test]
async fn a_role_change_ends_the_users_sessions() {
    // Arrange
    let app = spawn_app().await;
    let (_, admin_token) = admin(&app).await;
    let (id, access, refresh) = register_and_login(&app, "jean.dupont@example.fr").await;

    // Act
    let res = call(
        &app,
        Method::PUT,
        &role_path(id),
        Some(&admin_token),
        Some(&json!({"role": "moderator"})),
    )
    .await;

    // Assert
    let body = expect_status(res, 200, "set role").await;
    assert_eq!(body["role"], "moderator");
    assert_eq!(user_row_by_id(&app, id)["role"], "moderator");
    assert_session_dead(&app, &access, &refresh, "after the role change").await;
    let (access, _) = login(&app, "jean.dupont@example.fr", PASSWORD).await;
    let me = expect_status(get_me(&app, &access).await, 200, "new session").await;
    assert_eq!(me["role"], "moderator");
    // A moderator is still no administrator.
    let res = get_with(&app, USERS, &access).await;
    TestApp::expect_problem(res, 403, "forbidden").await;
    // The change is in the moderation audit log.
    assert_eq!(
        count(
            &app,
            &format!(
                "moderation_audit WHERE action = 'change_role' AND target_user_id = '{id}' \
                 AND note = 'Role: user → moderator.'"
            )
        ),
        1
    );
}

/// Method, path, body, expected status and problem slug, and why.
type Case = (
    Method,
    String,
    Option<Value>,
    u16,
    &'static str,
    &'static str,
);

#[tokio::test]
async fn admin_actions_refuse_unknown_accounts_roles_and_bad_bodies() {
    let app = spawn_app().await;
    let (_, access) = admin(&app).await;
    let target = insert_user(&app, "target@example.fr", "Target", "user");
    let unknown = Uuid::now_v7();
    let before = user_row(&app, "target@example.fr");
    let cases: Vec<Case> = vec![
        (
            Method::POST,
            suspend_path(unknown),
            Some(suspension()),
            404,
            "not-found",
            "suspend unknown",
        ),
        (
            Method::POST,
            reinstate_path(unknown),
            None,
            404,
            "not-found",
            "reinstate unknown",
        ),
        (
            Method::PUT,
            role_path(unknown),
            Some(json!({"role": "moderator"})),
            404,
            "not-found",
            "role of unknown",
        ),
        (
            Method::PUT,
            role_path(target),
            Some(json!({"role": "superuser"})),
            422,
            "validation",
            "unknown role",
        ),
        (
            Method::PUT,
            role_path(target),
            Some(json!({"role": "admin", "status": "active"})),
            422,
            "validation",
            "unknown field",
        ),
        (
            Method::POST,
            suspend_path(target),
            Some(json!({})),
            422,
            "validation",
            "no reason",
        ),
        (
            Method::POST,
            suspend_path(target),
            Some(json!({"reason": "no"})),
            422,
            "validation",
            "a 2-character reason",
        ),
        (
            Method::POST,
            suspend_path(target),
            Some(json!({"reason": "Repeated\u{0}scam listings"})),
            422,
            "validation",
            "a NUL in the reason (PostgreSQL text cannot hold it: it was a 500)",
        ),
        (
            Method::POST,
            suspend_path("not-a-uuid"),
            Some(suspension()),
            400,
            "bad-request",
            "not a UUID",
        ),
    ];
    for (method, path, body, status, slug, why) in cases {
        let res = call(&app, method, &path, Some(&access), body.as_ref()).await;
        assert_eq!(res.status().as_u16(), status, "{why}");
        TestApp::expect_problem(res, status, slug).await;
    }
    assert_eq!(user_row(&app, "target@example.fr"), before);
    assert_eq!(count(&app, "moderation_audit"), 0);
}

#[tokio::test]
async fn suspending_a_deleted_account_is_a_conflict_as_documented() {
    // The API description gives 409 for "your own account, or a deleted one".
    let app = spawn_app().await;
    let (_, access) = admin(&app).await;
    let deleted = insert_user(&app, "gone@example.fr", "Deleted member", "user");
    execute(
        &app,
        &format!("UPDATE users SET status = 'deleted', deleted_at = now() WHERE id = '{deleted}'"),
    );

    let res = call(
        &app,
        Method::POST,
        &suspend_path(deleted),
        Some(&access),
        Some(&suspension()),
    )
    .await;

    TestApp::expect_problem(res, 409, "conflict").await;
    assert_eq!(user_row_by_id(&app, deleted)["status"], "deleted");
}
