//! Listing photos over HTTP: what goes in (type from the bytes, size and pixel limits, 24 per
//! listing), what comes out (WebP without EXIF, immutable caching), and who may touch them.

use diesel::RunQueryDsl;
use hangar_tests::TestApp;
use hangar_tests::listings::{Member, draft, seller};
use hangar_tests::spawn_app;
use image::ImageEncoder;
use reqwest::multipart::{Form, Part};
use uuid::Uuid;

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .unwrap_or_else(|e| panic!("{e}"));
    out
}

/// The JPEG with an EXIF segment holding a GPS position, as a phone writes it.
fn with_gps_exif(jpeg: &[u8]) -> Vec<u8> {
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(0x8825u16.to_le_bytes()); // GPSInfo
    tiff.extend(4u16.to_le_bytes());
    tiff.extend(1u32.to_le_bytes());
    tiff.extend(26u32.to_le_bytes());
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(0x0001u16.to_le_bytes()); // GPSLatitudeRef = "N"
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(2u32.to_le_bytes());
    tiff.extend(b"N\0\0\0");
    tiff.extend(0u32.to_le_bytes());
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(&app1);
    out.extend(&jpeg[2..]);
    out
}

/// A PNG header announcing 60,000 × 60,000 pixels, and nothing else.
fn png_bomb() -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(60_000u32.to_be_bytes());
    ihdr.extend(60_000u32.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(13u32.to_be_bytes());
    out.extend(&ihdr);
    out.extend(crc32fast::hash(&ihdr).to_be_bytes());
    out
}

async fn upload(
    app: &TestApp,
    listing: Uuid,
    token: Option<&str>,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let part = Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str("image/jpeg")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut req = app
        .client
        .post(app.url(&format!("/api/v1/listings/{listing}/photos")))
        .multipart(Form::new().part("file", part));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.unwrap_or_else(|e| panic!("{e}"))
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn photo_rows(app: &TestApp, listing: Uuid) -> i64 {
    let rows: Vec<Count> = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM listing_photos WHERE listing_id = '{listing}'"
    ))
    .load(&mut app.db.connect())
    .unwrap_or_else(|e| panic!("{e}"));
    rows.first().map_or(0, |r| r.n)
}

async fn setup() -> (TestApp, Member, Uuid) {
    let app = spawn_app().await;
    let owner = seller(&app, "pilote@example.fr");
    let listing = draft(&app, &owner.token).await;
    (app, owner, listing)
}

#[tokio::test]
async fn an_upload_is_reencoded_without_exif_and_served_immutable() {
    let (app, owner, listing) = setup().await;
    let source = with_gps_exif(&jpeg(1200, 800));
    assert!(source.windows(4).any(|w| w == b"Exif"));

    let res = upload(&app, listing, Some(&owner.token), "IMG_0001.jpg", source).await;

    assert_eq!(res.status().as_u16(), 201);
    let photo: serde_json::Value = res.json().await.unwrap_or_default();
    assert_eq!(
        (
            photo["width"].as_i64(),
            photo["height"].as_i64(),
            photo["position"].as_i64()
        ),
        (Some(1200), Some(800), Some(0))
    );
    let urls = photo["urls"].as_object().cloned().unwrap_or_default();
    assert_eq!(
        urls.keys().cloned().collect::<Vec<_>>(),
        vec!["1200", "320", "800"]
    );
    for url in urls.values() {
        let res = app.get(url.as_str().unwrap_or_default()).await;
        assert_eq!(res.status().as_u16(), 200, "{url}");
        let header = |n: &str| {
            res.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        assert_eq!(header("content-type").as_deref(), Some("image/webp"));
        assert_eq!(
            header("cache-control").as_deref(),
            Some("public, max-age=31536000, immutable")
        );
        let bytes = res.bytes().await.unwrap_or_default();
        assert_eq!(&bytes[..4], b"RIFF");
        assert!(
            !bytes.windows(4).any(|w| w == b"EXIF" || w == b"Exif"),
            "{url} carries EXIF"
        );
    }
    assert_eq!(photo_rows(&app, listing), 1);
}

#[tokio::test]
async fn files_that_are_not_images_are_refused_whatever_their_name() {
    let (app, owner, listing) = setup().await;
    let cases: Vec<(Vec<u8>, u16, &str, &str)> = vec![
        (
            b"<html><body><script>alert(1)</script></body></html>".to_vec(),
            415,
            "unsupported-media-type",
            "HTML renamed .jpg",
        ),
        (
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(),
            415,
            "unsupported-media-type",
            "SVG renamed .jpg",
        ),
        (
            b"%PDF-1.7\n1 0 obj <<>> endobj\n".to_vec(),
            415,
            "unsupported-media-type",
            "PDF renamed .jpg",
        ),
        (png_bomb(), 422, "validation", "60,000 x 60,000 PNG header"),
        (
            jpeg(50, 50)[..120].to_vec(),
            422,
            "validation",
            "truncated JPEG",
        ),
        (
            vec![0xFF; 15 * 1024 * 1024 + 10],
            413,
            "payload-too-large",
            "over 15 MB",
        ),
    ];
    for (bytes, status, slug, why) in cases {
        let started = std::time::Instant::now();
        let res = upload(&app, listing, Some(&owner.token), "photo.jpg", bytes).await;
        let body = TestApp::expect_problem(res, status, slug).await;
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{why}: fast"
        );
        if status == 422 {
            assert!(body["errors"]["file"].is_array(), "{why}: {body}");
        }
        assert_eq!(photo_rows(&app, listing), 0, "{why}: nothing stored");
    }
    app.assert_healthy().await;
}

#[tokio::test]
async fn only_the_seller_uploads_and_a_listing_holds_24_photos() {
    let (app, owner, listing) = setup().await;
    let stranger = seller(&app, "autre@example.fr");

    let res = upload(
        &app,
        listing,
        Some(&stranger.token),
        "a.jpg",
        jpeg(400, 300),
    )
    .await;
    TestApp::expect_problem(res, 404, "not-found").await;
    let res = upload(&app, listing, None, "a.jpg", jpeg(400, 300)).await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
    assert_eq!(photo_rows(&app, listing), 0);

    // 24 photos already (rows written directly: the pipeline is tested above).
    let hash = "a".repeat(64);
    for position in 0..24 {
        diesel::sql_query(format!(
            "INSERT INTO listing_photos (id, listing_id, position, sha256, width, height, widths) \
             VALUES ('{}', '{listing}', {position}, '{hash}', 400, 300, '{{320,400}}')",
            Uuid::now_v7()
        ))
        .execute(&mut app.db.connect())
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let res = upload(
        &app,
        listing,
        Some(&owner.token),
        "25th.jpg",
        jpeg(400, 300),
    )
    .await;
    let body = TestApp::expect_problem(res, 422, "validation").await;
    assert!(
        body["errors"]["file"][0]
            .as_str()
            .unwrap_or_default()
            .contains("24"),
        "{body}"
    );
    assert_eq!(photo_rows(&app, listing), 24);
}

#[tokio::test]
async fn photos_are_reordered_and_deleted_by_their_seller() {
    let (app, owner, listing) = setup().await;
    let mut ids = Vec::new();
    for i in 0..3u32 {
        let res = upload(
            &app,
            listing,
            Some(&owner.token),
            "p.jpg",
            jpeg(300 + i * 10, 200),
        )
        .await;
        let photo: serde_json::Value = res.json().await.unwrap_or_default();
        ids.push(photo["id"].as_str().unwrap_or_default().to_owned());
    }
    let path = format!("/api/v1/listings/{listing}/photos");
    let reorder = |order: serde_json::Value, token: &str| {
        app.client
            .patch(app.url(&path))
            .bearer_auth(token)
            .json(&serde_json::json!({ "order": order }))
            .send()
    };

    // Not exactly the listing's photos.
    for (order, why) in [
        (serde_json::json!([ids[0], ids[1]]), "one missing"),
        (serde_json::json!([ids[0], ids[1], ids[1]]), "one twice"),
        (
            serde_json::json!([ids[0], ids[1], Uuid::now_v7()]),
            "a stranger's",
        ),
    ] {
        let res = reorder(order, &owner.token)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        TestApp::expect_problem(res, 422, "validation").await;
        let _ = why;
    }
    // Someone else's listing.
    let stranger = seller(&app, "autre@example.fr");
    let res = reorder(serde_json::json!([ids[2], ids[0], ids[1]]), &stranger.token)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    TestApp::expect_problem(res, 404, "not-found").await;

    // The last becomes the cover.
    let res = reorder(serde_json::json!([ids[2], ids[0], ids[1]]), &owner.token)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.status().as_u16(), 200);
    let list: serde_json::Value = res.json().await.unwrap_or_default();
    assert_eq!(list["items"][0]["id"], ids[2]);
    assert_eq!(list["items"][2]["position"], 2);

    // Delete the cover: the others move up.
    let res = app
        .client
        .delete(app.url(&format!("{path}/{}", ids[2])))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.status().as_u16(), 204);
    let view: serde_json::Value = app
        .client
        .get(app.url(&format!("/api/v1/listings/{listing}")))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default();
    let photos = view["photos"].as_array().cloned().unwrap_or_default();
    assert_eq!(photos.len(), 2);
    assert_eq!(photos[0]["id"], ids[0]);
    assert_eq!(photos[0]["position"], 0);
    assert_eq!(photo_rows(&app, listing), 2);
}
