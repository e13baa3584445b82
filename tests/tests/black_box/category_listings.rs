//! The catalogue and listings together: listing counts in the category tree, and deleting a
//! category that holds listings.

use diesel::RunQueryDsl;
use hangar_tests::TestApp;
use hangar_tests::listings::{create_ok, dr400, member, published, seller, with};
use hangar_tests::spawn_app;
use serde_json::{Value, json};

fn find<'a>(nodes: &'a Value, slug: &str) -> Option<&'a Value> {
    for node in nodes.as_array()? {
        if node["slug"] == slug {
            return Some(node);
        }
        if let Some(found) = find(&node["children"], slug) {
            return Some(found);
        }
    }
    None
}

#[tokio::test]
async fn the_tree_counts_public_listings_with_their_descendants() {
    let app = spawn_app().await;
    let owner = seller(&app, "vendeur@example.fr");
    published(&app, &owner.token).await;
    published(&app, &owner.token).await;
    // A draft does not count.
    create_ok(&app, &owner.token, &dr400()).await;

    let tree: Value = app
        .get("/api/v1/categories")
        .await
        .json()
        .await
        .unwrap_or_default();

    let count = |slug: &str| find(&tree["items"], slug).map(|n| n["listing_count"].clone());
    assert_eq!(count("single-engine-piston"), Some(json!(2)));
    assert_eq!(
        count("aircraft"),
        Some(json!(2)),
        "the parent includes its children"
    );
    assert_eq!(count("engines"), Some(json!(0)));
}

#[tokio::test]
async fn a_category_holding_listings_is_deleted_only_with_move_to() {
    let app = spawn_app().await;
    let owner = seller(&app, "vendeur@example.fr");
    let moderator = member(&app, "moderateur@example.fr", "moderator", true);
    let listing = create_ok(
        &app,
        &owner.token,
        &with(dr400(), "/category", json!("aerobatic")),
    )
    .await;
    let delete = |query: &'static str| {
        app.client
            .delete(app.url(&format!("/api/v1/categories/aerobatic{query}")))
            .bearer_auth(&moderator.token)
            .send()
    };

    // Refused while it holds a listing; nothing moves.
    let res = delete("").await.unwrap_or_else(|e| panic!("{e}"));
    let body = TestApp::expect_problem(res, 409, "conflict").await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("1 listings"),
        "{body}"
    );

    // With move_to, the listing moves in the same transaction.
    let res = delete("?move_to=single-engine-piston")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.status().as_u16(), 204);
    #[derive(diesel::QueryableByName)]
    struct Slug {
        #[diesel(sql_type = diesel::sql_types::Text)]
        slug: String,
    }
    let rows: Vec<Slug> = diesel::sql_query(format!(
        "SELECT c.slug FROM listings l JOIN categories c ON c.id = l.category_id WHERE l.id = '{listing}'"
    ))
    .load(&mut app.db.connect())
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        rows.first().map(|r| r.slug.as_str()),
        Some("single-engine-piston")
    );
    assert_eq!(
        app.get("/api/v1/categories/aerobatic")
            .await
            .status()
            .as_u16(),
        404
    );
}
