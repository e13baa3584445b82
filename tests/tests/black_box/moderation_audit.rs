//! Staff acting on another member's listing through the listing routes (edit, delete, add,
//! reorder and remove photos) leaves a row in the audit log, with who did it, what, and the
//! listing and its seller as target; a seller's own changes (a moderator's on their own
//! listings included) and refused attempts leave none.

use hangar_tests::TestApp;
use hangar_tests::accounts::{count, expect_status};
use hangar_tests::alerts::call_ok;
use hangar_tests::listings::{Member, listing_path, member, published, read, request, seller};
use hangar_tests::spawn_app;
use image::ImageEncoder;
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use uuid::Uuid;

const AUDIT: &str = "/api/v1/moderation/audit";

/// Method, path, `If-Match`, body, the status expected.
type Case<'a> = (Method, String, Option<&'a str>, Option<Value>, u16);

fn photos_path(listing: Uuid) -> String {
    format!("/api/v1/listings/{listing}/photos")
}

fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .write_image(img.as_raw(), 64, 48, image::ExtendedColorType::Rgb8)
        .unwrap_or_else(|e| panic!("{e}"));
    out
}

/// Uploads a photo as `who`, asserting 201; returns its id.
async fn add_photo(app: &TestApp, listing: Uuid, who: &Member) -> String {
    let part = Part::bytes(jpeg())
        .file_name("dr400.jpg")
        .mime_str("image/jpeg")
        .unwrap_or_else(|e| panic!("{e}"));
    let res = app
        .client
        .post(app.url(&photos_path(listing)))
        .bearer_auth(&who.token)
        .multipart(Form::new().part("file", part))
        .send()
        .await
        .unwrap_or_else(|e| panic!("upload: {e}"));
    let body = expect_status(res, 201, "photo upload").await;
    body["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no photo id in {body}"))
        .to_owned()
}

/// Every change the listing routes allow on a listing with one photo already: add a second
/// photo, put it first, remove the other, edit the title, delete the listing; each as `who`.
async fn change_everything(app: &TestApp, listing: Uuid, first_photo: &str, who: &Member) {
    let second = add_photo(app, listing, who).await;
    call_ok(
        app,
        Method::PATCH,
        &photos_path(listing),
        &who.token,
        Some(&json!({ "order": [second, first_photo] })),
        200,
    )
    .await;
    call_ok(
        app,
        Method::DELETE,
        &format!("{}/{first_photo}", photos_path(listing)),
        &who.token,
        None,
        204,
    )
    .await;
    let (_, _, etag) = read(app, listing, Some(&who.token)).await;
    let res = request(
        app,
        Method::PATCH,
        &listing_path(listing),
        Some(&who.token),
        etag.as_deref(),
        Some(&json!({ "title": "Robin DR400-140B (annonce corrigée)" })),
    )
    .await;
    let edited = expect_status(res, 200, "edit").await;
    let version = edited["version"].to_string();
    let res = request(
        app,
        Method::DELETE,
        &listing_path(listing),
        Some(&who.token),
        Some(&format!("\"{version}\"")),
        None,
    )
    .await;
    expect_status(res, 204, "delete").await;
}

async fn audit_of(app: &TestApp, listing: Uuid, reader: &Member) -> Vec<Value> {
    let page = call_ok(
        app,
        Method::GET,
        &format!("{AUDIT}?target={listing}"),
        &reader.token,
        None,
        200,
    )
    .await;
    page["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_moderators_changes_to_a_members_listing_are_audited() {
    // Arrange: a seller's published listing with a photo of theirs.
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let moderator = member(&app, "moderateur@example.fr", "moderator", true);
    let listing = published(&app, &seller.token).await;
    let first = add_photo(&app, listing, &seller).await;

    // Act
    change_everything(&app, listing, &first, &moderator).await;

    // Assert: one entry per change, newest first, the moderator as actor, the listing and
    // its seller as target, no note, no reports.
    let items = audit_of(&app, listing, &moderator).await;
    let actions: Vec<&str> = items.iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(
        actions,
        [
            "listing_deleted",
            "listing_edited",
            "photo_removed",
            "photos_reordered",
            "photo_added"
        ],
        "{items:?}"
    );
    for entry in &items {
        assert_eq!(entry["moderator_id"], moderator.id.to_string(), "{entry}");
        assert_eq!(entry["listing_id"], listing.to_string(), "{entry}");
        assert_eq!(entry["target_user_id"], seller.id.to_string(), "{entry}");
        assert_eq!(entry["note"], Value::Null, "{entry}");
        assert_eq!(entry["reports"], 0, "{entry}");
    }
    // The moderator filter finds them too.
    let by_moderator = call_ok(
        &app,
        Method::GET,
        &format!("{AUDIT}?moderator={}", moderator.id),
        &moderator.token,
        None,
        200,
    )
    .await;
    assert_eq!(by_moderator["items"].as_array().map(Vec::len), Some(5));
}

#[tokio::test]
async fn an_administrators_changes_to_a_members_listing_are_audited_as_theirs() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let admin = member(&app, "admin@example.fr", "admin", true);
    let listing = published(&app, &seller.token).await;
    let first = add_photo(&app, listing, &seller).await;

    // Act
    change_everything(&app, listing, &first, &admin).await;

    // Assert
    let items = audit_of(&app, listing, &admin).await;
    assert_eq!(items.len(), 5, "{items:?}");
    assert!(
        items
            .iter()
            .all(|e| e["moderator_id"] == admin.id.to_string()
                && e["target_user_id"] == seller.id.to_string()),
        "{items:?}"
    );
}

#[tokio::test]
async fn a_sellers_own_changes_write_no_audit_row() {
    // Arrange: a member's listing, and a moderator's own listing.
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let moderator = member(&app, "moderateur@example.fr", "moderator", true);
    let theirs = published(&app, &seller.token).await;
    let mine = published(&app, &moderator.token).await;
    let their_photo = add_photo(&app, theirs, &seller).await;
    let my_photo = add_photo(&app, mine, &moderator).await;

    // Act: each changes everything on their own listing.
    change_everything(&app, theirs, &their_photo, &seller).await;
    change_everything(&app, mine, &my_photo, &moderator).await;

    // Assert: the changes happened, and the audit log has nothing.
    assert_eq!(read(&app, theirs, Some(&moderator.token)).await.0, 404);
    assert_eq!(read(&app, mine, Some(&moderator.token)).await.0, 404);
    assert_eq!(count(&app, "moderation_audit"), 0);
    assert!(audit_of(&app, theirs, &moderator).await.is_empty());
}

#[tokio::test]
async fn refused_staff_changes_write_no_audit_row() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let moderator = member(&app, "moderateur@example.fr", "moderator", true);
    let listing = published(&app, &seller.token).await;
    let path = listing_path(listing);
    let edit = json!({ "title": "Robin DR400-140B (annonce corrigée)" });

    // Act / Assert: a stale ETag, an invalid edit, a photo that is not there, a photo order
    // that is not the listing's: refused, and nothing audited.
    let cases: [Case; 5] = [
        (Method::PATCH, path.clone(), Some("\"7\""), Some(edit), 412),
        (
            Method::PATCH,
            path.clone(),
            Some("\"1\""),
            Some(json!({ "title": "" })),
            422,
        ),
        (Method::DELETE, path.clone(), Some("\"7\""), None, 412),
        (
            Method::DELETE,
            format!("{}/{}", photos_path(listing), Uuid::now_v7()),
            None,
            None,
            404,
        ),
        (
            Method::PATCH,
            photos_path(listing),
            None,
            Some(json!({ "order": [Uuid::now_v7()] })),
            422,
        ),
    ];
    for (method, path, if_match, body, status) in cases {
        let what = format!("{method} {path}");
        let res = request(
            &app,
            method,
            &path,
            Some(&moderator.token),
            if_match,
            body.as_ref(),
        )
        .await;
        expect_status(res, status, &what).await;
        assert_eq!(count(&app, "moderation_audit"), 0, "{what}");
    }
    assert_eq!(read(&app, listing, None).await.0, 200, "still there");
}
