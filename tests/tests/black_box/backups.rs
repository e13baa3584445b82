//! `scripts/backup` and `scripts/restore`: what the API wrote (listings, photos, messages) comes
//! back whole when the API runs on the restored database and media directory, after the
//! originals are gone.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hangar_tests::alerts::call_ok;
use hangar_tests::listings::{Member, listing_path, member, published, seller};
use hangar_tests::{TestApp, TestDatabase, repo_root, spawn_app_on, spawn_app_with};
use image::ImageEncoder;
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use uuid::Uuid;

fn jpeg(width: u32, height: u32, shade: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, shade])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .unwrap_or_else(|e| panic!("{e}"));
    out
}

async fn upload(app: &TestApp, listing: Uuid, owner: &Member, shade: u8) {
    let part = Part::bytes(jpeg(640, 480, shade))
        .file_name("photo.jpg")
        .mime_str("image/jpeg")
        .unwrap_or_else(|e| panic!("{e}"));
    let res = app
        .client
        .post(app.url(&format!("/api/v1/listings/{listing}/photos")))
        .bearer_auth(&owner.token)
        .multipart(Form::new().part("file", part))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.status().as_u16(), 201, "upload");
}

/// Runs `scripts/<name>` with `args` and the environment given (and nothing else of ours).
fn script(name: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(repo_root().join("scripts").join(name))
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("MEDIA_DIR")
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("scripts/{name}: {e}"))
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Everything a client sees of the data: each listing (as its seller), the bytes of every
/// photo file it links to, the conversation and its messages for both parties.
async fn snapshot(
    app: &TestApp,
    seller: &Member,
    buyer: &Member,
    listings: &[Uuid],
    conversation: Uuid,
) -> (Vec<Value>, BTreeMap<String, Vec<u8>>, Vec<Value>) {
    let mut views = Vec::new();
    let mut files = BTreeMap::new();
    for id in listings {
        let view = call_ok(
            app,
            Method::GET,
            &listing_path(*id),
            &seller.token,
            None,
            200,
        )
        .await;
        for photo in view["photos"].as_array().cloned().unwrap_or_default() {
            for url in photo["urls"]
                .as_object()
                .cloned()
                .unwrap_or_default()
                .values()
            {
                let url = url.as_str().unwrap_or_default().to_owned();
                let res = app.get(&url).await;
                assert_eq!(res.status().as_u16(), 200, "{url}");
                let bytes = res.bytes().await.unwrap_or_default().to_vec();
                files.insert(url, bytes);
            }
        }
        views.push(json!({
            "id": view["id"], "title": view["title"], "status": view["status"],
            "price": view["price"], "photos": view["photos"], "attributes": view["attributes"],
            "seller": view["seller"],
        }));
    }
    let path = format!("/api/v1/conversations/{conversation}/messages");
    let mut talk = Vec::new();
    for who in [buyer, seller] {
        talk.push(call_ok(app, Method::GET, &path, &who.token, None, 200).await);
    }
    (views, files, talk)
}

/// A temporary directory removed on drop, even when the test fails.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn a_backup_restores_listings_photos_and_messages() {
    // Arrange: two listings with photos and a conversation, made through the API.
    let guard =
        Scratch(std::env::temp_dir().join(format!("hangar-backup-{}", Uuid::new_v4().simple())));
    let scratch = guard.0.clone();
    let media = scratch.join("media");
    let media_arg = media.display().to_string();
    let app = spawn_app_with(&[("MEDIA_DIR", &media_arg)]).await;
    let owner = seller(&app, "vendeur@example.fr");
    let buyer = member(&app, "acheteur@example.fr", "user", true);
    let first = published(&app, &owner.token).await;
    let second = published(&app, &owner.token).await;
    upload(&app, first, &owner, 10).await;
    upload(&app, first, &owner, 120).await;
    upload(&app, second, &owner, 240).await;
    let started = call_ok(
        &app,
        Method::POST,
        &format!("/api/v1/listings/{first}/conversations"),
        &buyer.token,
        Some(&json!({"body": "Bonjour, toujours disponible ?"})),
        201,
    )
    .await;
    let conversation: Uuid = started["conversation"]["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{started}"));
    for (who, body) in [
        (&owner, "Oui, venez à LFPN samedi."),
        (&buyer, "Parfait, à samedi 10 h."),
    ] {
        call_ok(
            &app,
            Method::POST,
            &format!("/api/v1/conversations/{conversation}/messages"),
            &who.token,
            Some(&json!({ "body": body })),
            201,
        )
        .await;
    }
    let listings = [first, second];
    let before = snapshot(&app, &owner, &buyer, &listings, conversation).await;
    assert_eq!(
        before.1.len(),
        6,
        "three photos, each at 320 px and its own 640 px"
    );
    assert_eq!(before.2[0]["items"].as_array().map(Vec::len), Some(3));

    // Act: back up.
    let out_dir = scratch.join("backups").display().to_string();
    let backup = script(
        "backup",
        &["--out", &out_dir],
        &[("DATABASE_URL", &app.db.url), ("MEDIA_DIR", &media_arg)],
    );
    assert!(backup.status.success(), "backup: {}", text(&backup));
    let stdout = String::from_utf8_lossy(&backup.stdout);
    let dir = PathBuf::from(stdout.lines().last().unwrap_or_default().trim());
    for f in ["database.dump", "media.tar", "SHA256SUMS", "backup.txt"] {
        assert!(dir.join(f).is_file(), "{} in {}", f, dir.display());
    }
    let dir_arg = dir.display().to_string();

    // The originals go away: the database, the photos, the service.
    let server = app.db.url.clone();
    drop(app);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let _ = std::fs::remove_dir_all(&media);

    // Act: restore into a new database and media directory.
    let name = format!("hangar_test_restored_{}", Uuid::new_v4().simple());
    let restored_db = TestDatabase::adopt(&name);
    let restored_media = scratch.join("restored-media");
    let restored_media_arg = restored_media.display().to_string();
    let args = [
        dir_arg.as_str(),
        "--database",
        &name,
        "--media-dir",
        &restored_media_arg,
    ];
    let restore = script("restore", &args, &[("DATABASE_URL", &server)]);
    assert!(restore.status.success(), "restore: {}", text(&restore));

    // Assert: a second restore onto the same targets is refused without --force.
    let again = script("restore", &args, &[("DATABASE_URL", &server)]);
    assert!(!again.status.success(), "must not overwrite");
    assert!(
        text(&again).contains("--force"),
        "says how: {}",
        text(&again)
    );

    // Assert: the API on the restored data serves the same listings, photo files and messages.
    let restored = spawn_app_on(restored_db, &[("MEDIA_DIR", &restored_media_arg)]).await;
    let after = snapshot(&restored, &owner, &buyer, &listings, conversation).await;
    assert_eq!(after.0, before.0, "listings");
    assert_eq!(
        after.1.keys().collect::<Vec<_>>(),
        before.1.keys().collect::<Vec<_>>(),
        "photo files"
    );
    assert!(after.1 == before.1, "photo bytes differ");
    assert_eq!(after.2, before.2, "messages");
    drop(restored);
    drop(guard);
    assert!(!Path::new(&scratch).exists(), "scratch files removed");
}
