//! `/api/v1/users`: your own account (read, edit, password, export, deletion), public
//! profiles, and that no user reaches another's data.

use hangar_tests::accounts::{
    NEW_PASSWORD, PASSWORD, assert_session_dead, call, count, create_pat, execute, expect_status,
    get_me, get_with, id_of, login, login_response, pat_secret, register, register_and_login,
    register_body, registration, rows_json, user_row, user_row_by_id,
};
use hangar_tests::{TestApp, spawn_app};
use reqwest::{Method, Response};
use serde_json::{Value, json};
use uuid::Uuid;

const ME: &str = "/api/v1/users/me";
const PASSWORD_PATH: &str = "/api/v1/users/me/password";
const EXPORT: &str = "/api/v1/users/me/export";

async fn patch_me(app: &TestApp, token: &str, body: &Value) -> Response {
    call(app, Method::PATCH, ME, Some(token), Some(body)).await
}

/// A user row without the columns every write touches.
fn stable_row(app: &TestApp, email: &str) -> Value {
    let mut row = user_row(app, email).unwrap_or_else(|| panic!("no user {email}"));
    if let Some(map) = row.as_object_mut() {
        map.remove("updated_at");
    }
    row
}

fn profile_path(id: impl std::fmt::Display) -> String {
    format!("/api/v1/users/{id}")
}

// ---------------------------------------------------------------------------------------------
// Reading and editing your account

#[tokio::test]
async fn me_returns_your_own_account_and_no_secrets() {
    let app = spawn_app().await;
    let mut body = registration("jean.dupont@example.fr");
    body["phone"] = json!("06 12 34 56 78");
    let me = register_body(&app, &body).await;
    let (access, _) = login(&app, "jean.dupont@example.fr", PASSWORD).await;

    let res = get_me(&app, &access).await;

    assert_eq!(res.status().as_u16(), 200);
    let text = res.text().await.unwrap_or_default();
    let got: Value = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(got["id"], me["id"]);
    assert_eq!(got["email"], "jean.dupont@example.fr");
    assert_eq!(got["phone"], "06 12 34 56 78");
    assert_eq!(got["show_phone"], false);
    assert_eq!(
        got["notifications"],
        json!({"messages": true, "saved_searches": true, "newsletter": false})
    );
    for secret in ["password", "argon2", "token_version", "status"] {
        assert!(!text.contains(secret), "`{secret}` in {text}");
    }
}

#[tokio::test]
async fn patch_me_edits_the_profile_and_clears_with_null() {
    // Arrange
    let app = spawn_app().await;
    let (_, access, _) = register_and_login(&app, "jean.dupont@example.fr").await;

    // Act
    let res = patch_me(
        &app,
        &access,
        &json!({
            "display_name": "  Jean-Pierre Dupont ",
            "locale": "en",
            "phone": "+33 6 98 76 54 32",
            "show_phone": true,
            "notifications": {"messages": false, "saved_searches": false, "newsletter": true},
        }),
    )
    .await;

    // Assert
    let me = expect_status(res, 200, "patch").await;
    assert_eq!(me["display_name"], "Jean-Pierre Dupont");
    assert_eq!(me["locale"], "en");
    assert_eq!(me["phone"], "+33 6 98 76 54 32");
    assert_eq!(me["show_phone"], true);
    assert_eq!(
        me["notifications"],
        json!({"messages": false, "saved_searches": false, "newsletter": true})
    );
    let row = user_row(&app, "jean.dupont@example.fr").unwrap_or_default();
    assert_eq!(row["display_name"], "Jean-Pierre Dupont");
    assert_eq!(row["locale"], "en");
    assert_eq!(row["phone"], "+33 6 98 76 54 32");
    assert_eq!(row["show_phone"], true);
    assert_eq!(row["notify_messages"], false);
    assert_eq!(row["notify_saved_searches"], false);
    assert_eq!(row["notify_newsletter"], true);

    // `null` clears the phone; omitted fields stay.
    let me = expect_status(
        patch_me(&app, &access, &json!({"phone": null})).await,
        200,
        "clear the phone",
    )
    .await;
    assert_eq!(me["phone"], Value::Null);
    assert_eq!(me["display_name"], "Jean-Pierre Dupont");
    assert_eq!(me["locale"], "en");
    let row = user_row(&app, "jean.dupont@example.fr").unwrap_or_default();
    assert_eq!(row["phone"], Value::Null);
    // An empty patch changes nothing.
    let before = stable_row(&app, "jean.dupont@example.fr");
    expect_status(patch_me(&app, &access, &json!({})).await, 200, "empty").await;
    assert_eq!(stable_row(&app, "jean.dupont@example.fr"), before);
}

#[tokio::test]
async fn patch_me_switches_between_private_and_professional() {
    // Arrange
    let app = spawn_app().await;
    let (id, access, _) = register_and_login(&app, "jean.dupont@example.fr").await;
    let before = stable_row(&app, "jean.dupont@example.fr");

    // Professional needs a company name.
    let res = patch_me(&app, &access, &json!({"account_type": "professional"})).await;
    let problem = TestApp::expect_problem(res, 422, "validation").await;
    assert!(problem["errors"]["company_name"].is_array(), "{problem}");
    let res = patch_me(
        &app,
        &access,
        &json!({"account_type": "professional", "company_name": null}),
    )
    .await;
    TestApp::expect_problem(res, 422, "validation").await;
    assert_eq!(stable_row(&app, "jean.dupont@example.fr"), before);

    // With one, it works, and the profile shows the badge.
    let me = expect_status(
        patch_me(
            &app,
            &access,
            &json!({
                "account_type": "professional",
                "company_name": "Aéro Services Chartres",
                "company_registration": "812 345 678 00012",
            }),
        )
        .await,
        200,
        "to professional",
    )
    .await;
    assert_eq!(me["account_type"], "professional");
    assert_eq!(me["company_name"], "Aéro Services Chartres");
    let profile = expect_status(app.get(&profile_path(id)).await, 200, "profile").await;
    assert_eq!(profile["professional"], true);
    // Other edits keep the company; dropping the name of a professional is refused.
    let me = expect_status(
        patch_me(&app, &access, &json!({"display_name": "Jean D."})).await,
        200,
        "rename",
    )
    .await;
    assert_eq!(me["company_name"], "Aéro Services Chartres");
    let res = patch_me(&app, &access, &json!({"company_name": null})).await;
    TestApp::expect_problem(res, 422, "validation").await;

    // A private account cannot keep a company…
    let res = patch_me(
        &app,
        &access,
        &json!({"account_type": "private", "company_name": "Aéro Services Chartres"}),
    )
    .await;
    TestApp::expect_problem(res, 422, "validation").await;
    // …and switching to private clears it.
    let me = expect_status(
        patch_me(&app, &access, &json!({"account_type": "private"})).await,
        200,
        "to private",
    )
    .await;
    assert_eq!(me["account_type"], "private");
    assert_eq!(me["company_name"], Value::Null);
    assert_eq!(me["company_registration"], Value::Null);
    let row = user_row(&app, "jean.dupont@example.fr").unwrap_or_default();
    assert_eq!(row["account_type"], "private");
    assert_eq!(row["company_name"], Value::Null);
    assert_eq!(row["company_registration"], Value::Null);
}

#[tokio::test]
async fn patch_me_refuses_unknown_fields_and_bad_values_and_changes_nothing() {
    // Arrange
    let app = spawn_app().await;
    let (_, access, _) = register_and_login(&app, "jean.dupont@example.fr").await;
    let before = stable_row(&app, "jean.dupont@example.fr");
    let cases = [
        (
            json!({"email": "thief@example.fr"}),
            "email",
            "email is not editable here",
        ),
        (json!({"role": "admin"}), "role", "role is not editable"),
        (
            json!({"status": "active"}),
            "status",
            "status is not editable",
        ),
        (
            json!({"token_version": 0}),
            "token_version",
            "security data",
        ),
        (
            json!({"password": NEW_PASSWORD}),
            "password",
            "password has its own route",
        ),
        (
            json!({"display_name": "Jean", "email_verified": true}),
            "email_verified",
            "a valid change with an unknown field",
        ),
        (json!({"display_name": "J"}), "display_name", "1 character"),
        (json!({"phone": "call me"}), "phone", "bad phone"),
        (json!({"locale": "de"}), "locale", "unsupported locale"),
        (json!({"show_phone": "yes"}), "show_phone", "wrong type"),
        (
            json!({"notifications": {"messages": false}}),
            "notifications",
            "partial notification preferences",
        ),
        (
            json!({"notifications": {"messages": false, "saved_searches": true, "newsletter": false, "sms": true}}),
            "notifications",
            "unknown notification",
        ),
    ];

    for (body, field, why) in cases {
        // Act
        let res = patch_me(&app, &access, &body).await;

        // Assert
        assert_eq!(res.status().as_u16(), 422, "{why}");
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        let errors = problem["errors"].as_object().cloned().unwrap_or_default();
        assert!(
            errors.keys().any(|k| k.starts_with(field)),
            "{why}: errors.{field} expected in {problem}"
        );
        assert_eq!(
            stable_row(&app, "jean.dupont@example.fr"),
            before,
            "{why}: nothing changed"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Password change

#[tokio::test]
async fn change_password_refuses_a_wrong_current_password_and_a_weak_new_one() {
    // Arrange
    let app = spawn_app().await;
    let (_, access, refresh) = register_and_login(&app, "jean.dupont@example.fr").await;
    let before = stable_row(&app, "jean.dupont@example.fr");
    let cases = [
        (
            json!({"current_password": "Vol de jour sur la Beauce", "new_password": NEW_PASSWORD}),
            "current_password",
            "wrong current password",
        ),
        (
            json!({"current_password": PASSWORD, "new_password": "password123"}),
            "new_password",
            "common password",
        ),
        (
            json!({"current_password": PASSWORD, "new_password": "jean.dupont@example.fr"}),
            "new_password",
            "own email",
        ),
        (
            json!({"current_password": PASSWORD, "new_password": "court"}),
            "new_password",
            "too short",
        ),
        (
            json!({"current_password": PASSWORD}),
            "new_password",
            "no new password",
        ),
    ];

    for (body, field, why) in cases {
        // Act
        let res = call(
            &app,
            Method::POST,
            PASSWORD_PATH,
            Some(&access),
            Some(&body),
        )
        .await;

        // Assert
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        assert!(problem["errors"][field].is_array(), "{why}: {problem}");
    }
    assert_eq!(stable_row(&app, "jean.dupont@example.fr"), before);
    expect_status(get_me(&app, &access).await, 200, "the session lives on").await;
    assert_eq!(
        count(&app, "refresh_tokens WHERE revoked_at IS NULL"),
        1,
        "{refresh} not revoked"
    );
    login(&app, "jean.dupont@example.fr", PASSWORD).await;
}

#[tokio::test]
async fn change_password_gives_a_new_session_and_ends_every_other() {
    // Arrange: two sessions.
    let app = spawn_app().await;
    let (_, access_a, refresh_a) = register_and_login(&app, "jean.dupont@example.fr").await;
    let (access_b, refresh_b) = login(&app, "jean.dupont@example.fr", PASSWORD).await;

    // Act
    let res = call(
        &app,
        Method::POST,
        PASSWORD_PATH,
        Some(&access_a),
        Some(&json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})),
    )
    .await;

    // Assert: a fresh pair that works.
    let body = expect_status(res, 200, "change password").await;
    let (access, refresh) = hangar_tests::accounts::pair(&body);
    expect_status(get_me(&app, &access).await, 200, "new access token").await;
    // Every earlier token is dead, the caller's included.
    assert_session_dead(&app, &access_a, &refresh_a, "the caller's old session").await;
    assert_session_dead(&app, &access_b, &refresh_b, "the other session").await;
    let row = user_row(&app, "jean.dupont@example.fr").unwrap_or_default();
    assert_eq!(row["token_version"], 1);
    assert!(
        row["password_hash"]
            .as_str()
            .is_some_and(|h| h.starts_with("$argon2id$")),
        "{row}"
    );
    let res = login_response(&app, "jean.dupont@example.fr", PASSWORD).await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
    login(&app, "jean.dupont@example.fr", NEW_PASSWORD).await;
    expect_status(
        hangar_tests::accounts::refresh_response(&app, &refresh).await,
        200,
        "the new refresh token works",
    )
    .await;
}

/// RFC 6265 §5.1.4: does a cookie with `Path=cookie_path` go with a request for `path`?
fn path_matches(path: &str, cookie_path: &str) -> bool {
    path == cookie_path
        || (path.starts_with(cookie_path)
            && (cookie_path.ends_with('/') || path[cookie_path.len()..].starts_with('/')))
}

#[tokio::test]
async fn change_password_from_a_browser_session_keeps_the_refresh_token_in_a_cookie() {
    // The browser app logs in with `"token_delivery": "cookie"`: its refresh token lives in an
    // HttpOnly cookie that scripts never see. When it changes the password, the old cookie's
    // family is revoked, so the new refresh token must come back as a cookie too, not in the
    // JSON body (which the app does not keep and scripts could read). This test sends what a
    // browser sends: the cookie only where its Path attribute lets it go.
    let app = spawn_app().await;
    register(&app, "jean.dupont@example.fr").await;
    let res = call(
        &app,
        Method::POST,
        "/api/v1/auth/login",
        None,
        Some(&json!({"email": "jean.dupont@example.fr", "password": PASSWORD, "token_delivery": "cookie"})),
    )
    .await;
    let (cookie, line) = hangar_tests::accounts::set_cookie(&res, "hangar_refresh")
        .unwrap_or_else(|| panic!("no cookie"));
    let cookie_path = line
        .split(';')
        .filter_map(|a| a.trim().split_once('='))
        .find(|(k, _)| k.eq_ignore_ascii_case("path"))
        .map(|(_, v)| v.to_owned())
        .unwrap_or_else(|| "/".to_owned());
    let access = expect_status(res, 200, "login").await["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    // Act: what the browser sends.
    let mut req = hangar_tests::accounts::bearer(app.client.post(app.url(PASSWORD_PATH)), &access)
        .json(&json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "token_delivery": "cookie"}));
    if path_matches(PASSWORD_PATH, &cookie_path) {
        req = req.header("cookie", format!("hangar_refresh={cookie}"));
    }
    let res = hangar_tests::accounts::send(req, "change password").await;

    // Assert
    assert_eq!(res.status().as_u16(), 200);
    let renewed = hangar_tests::accounts::set_cookie(&res, "hangar_refresh");
    let body: Value = res.json().await.unwrap_or_default();
    assert!(
        body.get("refresh_token").is_none(),
        "the refresh token of a cookie session must not be in the body: {body}"
    );
    let (renewed, _) = renewed.unwrap_or_else(|| {
        panic!("no new hangar_refresh cookie: the browser session ends at the next refresh")
    });
    let res = hangar_tests::accounts::send(
        app.client
            .post(app.url("/api/v1/auth/refresh"))
            .header("cookie", format!("hangar_refresh={renewed}"))
            .json(&json!({})),
        "refresh with the renewed cookie",
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
}

// ---------------------------------------------------------------------------------------------
// Export and deletion

#[tokio::test]
async fn export_holds_the_account_sessions_and_tokens_but_never_a_secret() {
    // Arrange
    let app = spawn_app().await;
    let (id, access, refresh) = register_and_login(&app, "jean.dupont@example.fr").await;
    let created = create_pat(&app, &access, &["listings:read"]).await;
    let pat = pat_secret(&created);

    // Act
    let res = get_with(&app, EXPORT, &access).await;

    // Assert
    assert_eq!(res.status().as_u16(), 200);
    let disposition = res
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let text = res.text().await.unwrap_or_default();
    let export: Value = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(export["account"]["id"], id.to_string(), "{export}");
    assert_eq!(export["account"]["email"], "jean.dupont@example.fr");
    assert_eq!(
        export["sessions"].as_array().map(Vec::len),
        Some(1),
        "{export}"
    );
    let tokens = export["access_tokens"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(tokens.len(), 1, "{export}");
    assert_eq!(tokens[0]["id"], created["id"]);
    assert_eq!(tokens[0]["scopes"], json!(["listings:read"]));
    let hashes: Vec<String> = hangar_tests::accounts::query(
        &app,
        "SELECT encode(token_hash, 'hex') AS value FROM refresh_tokens \
         UNION ALL SELECT encode(token_hash, 'hex') FROM personal_access_tokens \
         UNION ALL SELECT password_hash FROM users",
    )
    .into_iter()
    .flatten()
    .collect();
    for secret in hashes.iter().map(String::as_str).chain([
        pat.as_str(),
        refresh.as_str(),
        access.as_str(),
        "token_hash",
        "password",
    ]) {
        assert!(!text.contains(secret), "`{secret}` in the export");
    }
}

#[tokio::test]
async fn export_holds_the_members_listings_of_every_status_and_their_reports() {
    // Arrange: a seller with a published listing and a draft; they report someone's listing.
    let app = spawn_app().await;
    let seller = hangar_tests::listings::seller(&app, "vendeur@example.fr");
    let other = hangar_tests::listings::seller(&app, "autre@example.fr");
    let published = hangar_tests::listings::published(&app, &seller.token).await;
    let draft = hangar_tests::listings::draft(&app, &seller.token).await;
    let theirs = hangar_tests::listings::published(&app, &other.token).await;
    let res = call(
        &app,
        Method::POST,
        &format!("/api/v1/listings/{theirs}/reports"),
        Some(&seller.token),
        Some(&json!({"reason": "scam", "comment": "Prix trop bas pour être vrai"})),
    )
    .await;
    expect_status(res, 201, "report").await;

    // Act
    let res = get_with(&app, EXPORT, &seller.token).await;

    // Assert: both listings, oldest first, as their page shows them to the seller; the
    // report as "my reports" shows it; nothing of the other member's listing but its title.
    assert_eq!(res.status().as_u16(), 200);
    let export: Value = res.json().await.unwrap_or_default();
    let listings = export["listings"].as_array().cloned().unwrap_or_default();
    let ids: Vec<&str> = listings.iter().filter_map(|l| l["id"].as_str()).collect();
    assert_eq!(
        ids,
        vec![published.to_string(), draft.to_string()],
        "{export}"
    );
    assert_eq!(listings[0]["status"], "published");
    assert_eq!(listings[1]["status"], "draft");
    for listing in &listings {
        assert!(
            listing["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty()),
            "{listing}"
        );
        assert!(listing["price_history"].is_array(), "{listing}");
        assert_eq!(listing["seller"]["id"], seller.id.to_string());
        // Read for all listings at once, each exactly as its own page shows it.
        let id = listing["id"].as_str().unwrap_or_default();
        let res = get_with(&app, &format!("/api/v1/listings/{id}"), &seller.token).await;
        let page: Value = res.json().await.unwrap_or_default();
        assert_eq!(&page, listing, "the export's listing {id} is not its page");
    }
    let reports = export["reports"].as_array().cloned().unwrap_or_default();
    assert_eq!(reports.len(), 1, "{export}");
    assert_eq!(reports[0]["listing_id"], theirs.to_string());
    assert_eq!(reports[0]["reason"], "scam");
    assert_eq!(reports[0]["comment"], "Prix trop bas pour être vrai");
    assert_eq!(reports[0]["status"], "open");
    assert!(
        !listings.iter().any(|l| l["id"] == theirs.to_string()),
        "another member's listing in the export"
    );
}

#[tokio::test]
async fn delete_me_with_a_wrong_password_changes_nothing() {
    let app = spawn_app().await;
    let (_, access, _) = register_and_login(&app, "jean.dupont@example.fr").await;
    let before = stable_row(&app, "jean.dupont@example.fr");

    let res = call(
        &app,
        Method::DELETE,
        ME,
        Some(&access),
        Some(&json!({"password": "Vol de jour sur la Beauce"})),
    )
    .await;

    let problem = TestApp::expect_problem(res, 422, "validation").await;
    assert!(problem["errors"]["password"].is_array(), "{problem}");
    assert_eq!(stable_row(&app, "jean.dupont@example.fr"), before);
    expect_status(get_me(&app, &access).await, 200, "still logged in").await;
    let res = call(&app, Method::DELETE, ME, Some(&access), Some(&json!({}))).await;
    TestApp::expect_problem(res, 422, "validation").await;
    assert_eq!(count(&app, "users WHERE status = 'active'"), 1);
}

#[tokio::test]
async fn delete_me_erases_personal_data_and_every_credential() {
    // Arrange: a professional with a phone, two sessions and a token.
    let app = spawn_app().await;
    let mut body = registration("jean.dupont@example.fr");
    body["account_type"] = json!("professional");
    body["company_name"] = json!("Aéro Services Chartres");
    body["company_registration"] = json!("812 345 678 00012");
    body["phone"] = json!("+33 6 12 34 56 78");
    let id = id_of(&register_body(&app, &body).await);
    let (access, refresh) = login(&app, "jean.dupont@example.fr", PASSWORD).await;
    let (other_access, other_refresh) = login(&app, "jean.dupont@example.fr", PASSWORD).await;
    let pat = pat_secret(&create_pat(&app, &access, &["account"]).await);

    // Act
    let res = call(
        &app,
        Method::DELETE,
        ME,
        Some(&access),
        Some(&json!({"password": PASSWORD})),
    )
    .await;

    // Assert: the row is anonymised.
    assert_eq!(res.status().as_u16(), 204);
    let row = user_row_by_id(&app, id);
    assert_eq!(
        row["email"],
        format!("deleted-{id}@deleted.invalid"),
        "{row}"
    );
    assert_eq!(row["status"], "deleted");
    for column in [
        "phone",
        "company_name",
        "company_registration",
        "email_verified_at",
    ] {
        assert_eq!(row[column], Value::Null, "{column}: {row}");
    }
    assert_ne!(row["display_name"], "Jean Dupont");
    assert!(
        !row["password_hash"]
            .as_str()
            .unwrap_or_default()
            .starts_with("$argon2"),
        "{row}"
    );
    assert!(row["deleted_at"].is_string(), "{row}");
    assert_eq!(count(&app, "users WHERE email LIKE 'jean.dupont%'"), 0);
    // Credentials and queued mails are gone.
    for table in ["refresh_tokens", "personal_access_tokens", "email_tokens"] {
        assert_eq!(
            count(&app, &format!("{table} WHERE user_id = '{id}'")),
            0,
            "{table}"
        );
    }
    assert_eq!(
        count(&app, "outbox WHERE to_address = 'jean.dupont@example.fr'"),
        0
    );
    // Nothing works any more.
    assert_session_dead(&app, &access, &refresh, "the deleting session").await;
    assert_session_dead(&app, &other_access, &other_refresh, "another session").await;
    let res = get_me(&app, &pat).await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
    let res = login_response(&app, "jean.dupont@example.fr", PASSWORD).await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
    let res = app.get(&profile_path(id)).await;
    TestApp::expect_problem(res, 404, "not-found").await;
    // The address is free again.
    register(&app, "jean.dupont@example.fr").await;
}

// ---------------------------------------------------------------------------------------------
// Public profiles

#[tokio::test]
async fn public_profiles_show_no_private_data() {
    // Arrange: a private member with a hidden phone, and a professional.
    let app = spawn_app().await;
    let mut body = registration("jean.dupont@example.fr");
    body["phone"] = json!("06 12 34 56 78");
    let private = id_of(&register_body(&app, &body).await);
    let mut body = registration("contact@aero-services.fr");
    body["display_name"] = json!("Aéro Services");
    body["account_type"] = json!("professional");
    body["company_name"] = json!("Aéro Services Chartres");
    body["company_registration"] = json!("812 345 678 00012");
    body["phone"] = json!("02 37 00 00 00");
    let pro = id_of(&register_body(&app, &body).await);

    // Act
    let res = app.get(&profile_path(private)).await;

    // Assert
    assert_eq!(res.status().as_u16(), 200);
    let text = res.text().await.unwrap_or_default();
    let profile: Value = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(profile["id"], private.to_string());
    assert_eq!(profile["display_name"], "Jean Dupont");
    assert_eq!(profile["professional"], false);
    assert_eq!(profile["phone"], Value::Null, "hidden phone: {profile}");
    assert!(profile["member_since"].is_string(), "{profile}");
    for secret in [
        "jean.dupont",
        "example.fr",
        "email",
        "password",
        "argon2",
        "token_version",
        "06 12 34 56 78",
        "notifications",
        "role",
    ] {
        assert!(!text.contains(secret), "`{secret}` in {text}");
    }

    // The phone appears once the member chooses to show it.
    execute(
        &app,
        &format!("UPDATE users SET show_phone = true WHERE id = '{private}'"),
    );
    let profile = expect_status(app.get(&profile_path(private)).await, 200, "shown").await;
    assert_eq!(profile["phone"], "06 12 34 56 78");

    // The professional badge and company.
    let res = app.get(&profile_path(pro)).await;
    let text = res.text().await.unwrap_or_default();
    let profile: Value = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(profile["professional"], true, "{profile}");
    assert_eq!(profile["account_type"], "professional");
    assert_eq!(profile["company_name"], "Aéro Services Chartres");
    assert_eq!(profile["phone"], Value::Null);
    assert!(!text.contains("contact@"), "{text}");
}

#[tokio::test]
async fn public_profiles_of_unknown_suspended_or_malformed_ids_are_refused() {
    let app = spawn_app().await;
    let id = id_of(&register(&app, "jean.dupont@example.fr").await);
    hangar_tests::accounts::set_status(&app, "jean.dupont@example.fr", "suspended");
    let cases = [
        (profile_path(Uuid::now_v7()), 404, "not-found", "unknown id"),
        (profile_path(id), 404, "not-found", "suspended member"),
        (profile_path("not-a-uuid"), 400, "bad-request", "not a UUID"),
        (profile_path("123"), 400, "bad-request", "a number"),
    ];
    for (path, status, slug, why) in cases {
        let res = app.get(&path).await;
        let problem = TestApp::expect_problem(res, status, slug).await;
        assert!(!problem.to_string().contains("jean"), "{why}: {problem}");
    }
}

// ---------------------------------------------------------------------------------------------
// Cross-user authorization

#[tokio::test]
async fn one_user_never_reads_or_changes_another_users_data() {
    // Arrange: A with a token and a profile; B logged in.
    let app = spawn_app().await;
    let (a, access_a, _) = register_and_login(&app, "alice@example.fr").await;
    let pat_a = create_pat(&app, &access_a, &["account"]).await;
    let mut body = registration("bob@example.fr");
    body["display_name"] = json!("Bob Martin");
    let b = id_of(&register_body(&app, &body).await);
    let (access_b, _) = login(&app, "bob@example.fr", PASSWORD).await;
    let a_before = stable_row(&app, "alice@example.fr");
    let a_tokens_before = rows_json(
        &app,
        &format!("SELECT * FROM personal_access_tokens WHERE user_id = '{a}'"),
    );

    // Act and assert: every `me` route acts on B.
    let me = expect_status(get_me(&app, &access_b).await, 200, "B's me").await;
    assert_eq!(me["id"], b.to_string());
    let me = expect_status(
        patch_me(&app, &access_b, &json!({"display_name": "Bob M."})).await,
        200,
        "B's patch",
    )
    .await;
    assert_eq!(me["id"], b.to_string());
    let export = expect_status(get_with(&app, EXPORT, &access_b).await, 200, "export").await;
    assert_eq!(export["account"]["id"], b.to_string());
    assert_eq!(export["access_tokens"], json!([]), "{export}");
    let list = expect_status(
        get_with(&app, "/api/v1/users/me/tokens", &access_b).await,
        200,
        "B's tokens",
    )
    .await;
    assert_eq!(list["items"], json!([]), "{list}");
    // B cannot revoke A's token, nor reach A through the id of A's account.
    let res = call(
        &app,
        Method::DELETE,
        &format!(
            "/api/v1/users/me/tokens/{}",
            pat_a["id"].as_str().unwrap_or_default()
        ),
        Some(&access_b),
        None,
    )
    .await;
    TestApp::expect_problem(res, 404, "not-found").await;
    for (method, path) in [
        (Method::PATCH, format!("/api/v1/users/{a}")),
        (Method::DELETE, format!("/api/v1/users/{a}")),
        (Method::GET, format!("/api/v1/users/{a}/export")),
        (Method::GET, format!("/api/v1/users/{a}/tokens")),
    ] {
        let res = call(
            &app,
            method.clone(),
            &path,
            Some(&access_b),
            Some(&json!({"display_name": "Hacked", "password": PASSWORD})),
        )
        .await;
        let status = res.status().as_u16();
        assert!(status == 404 || status == 405, "{method} {path}: {status}");
    }
    // A public profile shows nothing private even to a logged-in member.
    let profile = expect_status(
        get_with(&app, &profile_path(a), &access_b).await,
        200,
        "A's profile",
    )
    .await;
    assert!(profile.get("email").is_none(), "{profile}");

    // A's rows are untouched; A's token still works.
    assert_eq!(stable_row(&app, "alice@example.fr"), a_before);
    assert_eq!(
        rows_json(
            &app,
            &format!("SELECT * FROM personal_access_tokens WHERE user_id = '{a}'"),
        ),
        a_tokens_before
    );
    let me = expect_status(get_me(&app, &pat_secret(&pat_a)).await, 200, "A's token").await;
    assert_eq!(me["id"], a.to_string());
    assert_eq!(
        user_row(&app, "bob@example.fr").unwrap_or_default()["display_name"],
        "Bob M."
    );
}
