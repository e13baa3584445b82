//! The authorization matrix: every route of the served OpenAPI document × every kind of
//! caller, with the status each must get, and proof that denied calls neither read nor wrote
//! anything they should not.
//!
//! One [`Row`] per route (a route may have several, e.g. a draft and a published listing):
//! method, path template, the ids to put in it (from the [`World`], a fixture of objects built
//! over HTTP: a seller with a draft, published and reserved listings, one with a photo; a
//! buyer with a conversation, a favourite, a saved search and a report; the seller's
//! notification and personal access token; a throw-away category), an optional body, the
//! scope a personal access token needs, whose object it is, and the expected status for each
//! [`Actor`]. The helpers [`public`], [`owned`], [`moderated`], [`mine`], [`session`],
//! [`moderators`] and [`admins`] give the common patterns; `.but(actor, status)` changes one
//! cell.
//!
//! For every cell the test also asserts that
//! - nothing was written whenever the call was denied, failed, or was a read (a trigger on
//!   every table of the test's database logs the rows written, see [`WRITE_LOG`]);
//! - an error is a problem document;
//! - no response to a denied call, and no response at all to an anonymous visitor, an
//!   unrelated member or a suspended account, contains the world's private data (the draft's
//!   title, the message, the saved search's name, the report's comment, the token's name,
//!   the members' email addresses).
//!
//! After calls that succeeded in changing something, the part of the world they changed is
//! made anew ([`After`], [`Part`]), so every cell runs against the same state. A route served
//! without a row here fails the test, naming the `METHOD /path` to add.

use std::collections::{BTreeSet, HashMap};

use diesel::{Connection, RunQueryDsl};
use hangar_api::domain::Scope;
use hangar_tests::TestApp;
use hangar_tests::accounts::{NEW_PASSWORD, PASSWORD, json_body, lit, send};
use hangar_tests::listings::{Member, SEP, dr400, header, request, session_token, step};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    /// No credentials.
    Anonymous,
    /// A verified member with no relation to the object.
    Other,
    /// The object's owner (the row's `owner`), with a session.
    Owner,
    Moderator,
    Admin,
    /// The row's principal (its owner, or the moderator/admin a role route is for), suspended,
    /// calling with the session it had.
    Suspended,
    /// A personal access token of the principal carrying only the row's scope (every scope when
    /// the row needs none).
    TokenWith,
    /// A personal access token of the principal carrying every scope but the row's.
    TokenWithout,
}

const ACTORS: [Actor; 8] = [
    Actor::Anonymous,
    Actor::Other,
    Actor::Owner,
    Actor::Moderator,
    Actor::Admin,
    Actor::Suspended,
    Actor::TokenWith,
    Actor::TokenWithout,
];

/// A member of the world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Seller,
    Buyer,
    Moderator,
    Admin,
}

/// The expected status per actor, in [`ACTORS`] order.
#[derive(Debug, Clone, Copy)]
struct Expect([u16; 8]);

impl Expect {
    /// The same, but `actor` gets `status`.
    fn but(mut self, actor: Actor, status: u16) -> Self {
        let i = ACTORS.iter().position(|a| *a == actor).unwrap_or_default();
        self.0[i] = status;
        self
    }

    fn of(&self, actor: Actor) -> u16 {
        let i = ACTORS.iter().position(|a| *a == actor).unwrap_or_default();
        self.0[i]
    }
}

/// Anyone, with or without credentials.
fn public(ok: u16) -> Expect {
    Expect([ok; 8])
}

/// The owner's object: others get 404 as if it did not exist (moderators too).
fn owned(ok: u16) -> Expect {
    Expect([401, 404, ok, 404, 404, 401, ok, 403])
}

/// A listing: its seller, or a moderator (and so an admin); others get 404.
fn moderated(ok: u16) -> Expect {
    Expect([401, 404, ok, ok, ok, 401, ok, 403])
}

/// Every member acting on their own account (`/users/me…`, creating things).
fn mine(ok: u16) -> Expect {
    Expect([401, ok, ok, ok, ok, 401, ok, 403])
}

/// Account security: every member, with a logged-in session only.
fn session(ok: u16) -> Expect {
    Expect([401, ok, ok, ok, ok, 401, 403, 403])
}

/// Moderators and admins, with a session.
fn moderators(ok: u16) -> Expect {
    Expect([401, 403, 403, ok, ok, 401, 403, 403])
}

/// Admins, with a session.
fn admins(ok: u16) -> Expect {
    Expect([401, 403, 403, 403, ok, 401, 403, 403])
}

type Ids = fn(&World) -> Vec<String>;
type Json = fn(&World) -> Value;

#[derive(Clone, Copy)]
enum Body {
    None,
    Json(Json),
    /// A JPEG as `multipart/form-data` (photo uploads).
    Photo,
}

/// One route, one object, one expectation per actor.
struct Row {
    method: Method,
    /// The path template exactly as in the OpenAPI document.
    path: &'static str,
    /// The values of the template's `{…}` parameters, in order.
    ids: Ids,
    /// Appended to the path (query strings).
    query: &'static str,
    body: Body,
    /// Whose object it is (the `Owner` column).
    owner: Who,
    /// Who is suspended, and whose tokens are used, when not the owner.
    principal: Option<Who>,
    scope: Option<Scope>,
    /// Send the object's `If-Match` (listing edits).
    if_match: bool,
    /// What a successful call does to the world.
    after: After,
    /// The answer is the caller's own data whoever calls (a login returns the account).
    own_data: bool,
    expect: Expect,
}

/// When a row's successful writes are undone, and what is made anew then.
#[derive(Clone, Copy, PartialEq, Eq)]
enum After {
    /// Never: a success leaves everything the next cells need (creating, idempotent changes).
    Keeps,
    /// Once the row is done (each actor's success leaves the others' cells unaffected).
    Row(Part),
    /// After each success: the next actor would find the object changed (deleted, moved on
    /// in its lifecycle, resolved).
    Cell(Part),
}

/// A part of the world that can be made anew alone (cheaper than the whole).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    World,
    Draft,
    Listing,
    Reserved,
    SavedSearch,
    Report,
    Category,
    Favorite,
    /// The members admins act on.
    Targets,
}

fn no_ids(_: &World) -> Vec<String> {
    Vec::new()
}

fn row(method: Method, path: &'static str, expect: Expect) -> Row {
    let after = if method == Method::GET {
        After::Keeps
    } else {
        After::Row(Part::World)
    };
    Row {
        method,
        path,
        ids: no_ids,
        query: "",
        body: Body::None,
        owner: Who::Seller,
        principal: None,
        scope: None,
        if_match: false,
        after,
        own_data: false,
        expect,
    }
}

fn get(path: &'static str, expect: Expect) -> Row {
    row(Method::GET, path, expect)
}
fn post(path: &'static str, expect: Expect) -> Row {
    row(Method::POST, path, expect)
}
fn put(path: &'static str, expect: Expect) -> Row {
    row(Method::PUT, path, expect)
}
fn patch(path: &'static str, expect: Expect) -> Row {
    row(Method::PATCH, path, expect)
}
fn delete(path: &'static str, expect: Expect) -> Row {
    row(Method::DELETE, path, expect)
}

impl Row {
    fn at(mut self, ids: Ids) -> Self {
        self.ids = ids;
        self
    }
    fn query(mut self, query: &'static str) -> Self {
        self.query = query;
        self
    }
    fn json(mut self, body: Json) -> Self {
        self.body = Body::Json(body);
        self
    }
    fn photo(mut self) -> Self {
        self.body = Body::Photo;
        self
    }
    fn of(mut self, owner: Who) -> Self {
        self.owner = owner;
        self
    }
    fn for_(mut self, principal: Who) -> Self {
        self.principal = Some(principal);
        self
    }
    fn scope(mut self, scope: Scope) -> Self {
        self.scope = Some(scope);
        self
    }
    fn if_match(mut self) -> Self {
        self.if_match = true;
        self
    }
    fn keeps(mut self) -> Self {
        self.after = After::Keeps;
        self
    }
    /// After each success, make `part` anew.
    fn fresh(mut self, part: Part) -> Self {
        self.after = After::Cell(part);
        self
    }
    /// Once the row is done, make `part` anew (instead of the whole world).
    fn then(mut self, part: Part) -> Self {
        self.after = After::Row(part);
        self
    }
    fn own_data(mut self) -> Self {
        self.own_data = true;
        self
    }
    fn name(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
    fn principal(&self) -> Who {
        self.principal.unwrap_or(self.owner)
    }
}

/// The matrix. Add a row for every new route (the test names the missing ones). Kept as a
/// table, one route per line or two, so rustfmt leaves it alone.
#[rustfmt::skip]
fn matrix() -> Vec<Row> {
    use Actor::{Anonymous, Owner, Suspended, TokenWith, TokenWithout};
    use Scope::*;
    use Who::*;
    use Part::{Category, Draft, Favorite, Listing, Report, Reserved, SavedSearch, Targets};
    vec![
        // Service and reference data.
        get("/api/v1", public(200)),
        get("/healthz", public(200)),
        get("/readyz", public(200)),
        get("/api/v1/airfields", public(200)).query("?q=toussus"),
        get("/api/v1/airfields/{icao}", public(200)).at(|_| vec!["LFPN".into()]),
        get("/api/v1/makes", public(200)),
        get("/api/v1/makes/{make}/models", public(200)).at(|_| vec!["robin".into()]),
        // Sign-up, login and the flows mailed links start: whoever calls.
        post("/api/v1/auth/register", public(201)).json(|_| {
            json!({"email": format!("inscrit-{}@example.fr", Uuid::now_v7().simple()),
                   "password": PASSWORD, "display_name": "Jean Dupont", "account_type": "private"})
        }).keeps(),
        post("/api/v1/auth/login", public(200).but(Suspended, 403))
            .json(|w| json!({"email": w.seller.email, "password": PASSWORD}))
            .keeps().own_data(),
        post("/api/v1/auth/refresh", public(401)).json(|_| json!({"refresh_token": "not-a-refresh-token"})),
        post("/api/v1/auth/logout", public(204)).json(|_| json!({"refresh_token": "not-a-refresh-token"})),
        post("/api/v1/auth/password/forgot", public(202)).json(|w| json!({"email": w.seller.email})).keeps(),
        post("/api/v1/auth/password/reset", public(422))
            .json(|_| json!({"token": "not-a-reset-token", "new_password": NEW_PASSWORD})),
        post("/api/v1/auth/verify-email", public(422)).json(|_| json!({"token": "not-a-verification-token"})),
        post("/api/v1/unsubscribe", public(400)).json(|_| json!({"token": "not-an-unsubscribe-token"})),
        get("/api/v1/unsubscribe/one-click", public(303)).query("?token=not-an-unsubscribe-token"),
        // Without the RFC 8058 form body (the unsubscribe tests send it).
        post("/api/v1/unsubscribe/one-click", public(415)).query("?token=not-an-unsubscribe-token"),
        // Account security: sessions only.
        post("/api/v1/auth/logout-all", session(204)),
        post("/api/v1/auth/verify-email/resend", mine(409)).scope(Account),
        post("/api/v1/users/me/password", session(200))
            .json(|_| json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})),
        delete("/api/v1/users/me", session(204)).json(|_| json!({"password": PASSWORD})).fresh(Part::World),
        get("/api/v1/users/me/tokens", session(200)),
        post("/api/v1/users/me/tokens", session(201))
            .json(|_| json!({"name": "matrice", "scopes": ["account"]})).keeps(),
        delete("/api/v1/users/me/tokens/{id}", owned(204).but(TokenWith, 403)).keeps().at(|w| vec![w.token.to_string()]),
        // The account and what it holds.
        get("/api/v1/users/me", mine(200)).scope(Account),
        patch("/api/v1/users/me", mine(200)).scope(Account).json(|_| json!({"display_name": "Jean D."})).keeps(),
        get("/api/v1/users/me/export", mine(200)).of(Buyer).scope(Account),
        get("/api/v1/users/me/listings", mine(200)).scope(ListingsRead),
        get("/api/v1/users/me/favorites", mine(200)).of(Buyer).scope(Account),
        get("/api/v1/users/me/notifications", mine(200)).scope(Account),
        post("/api/v1/users/me/notifications/read-all", mine(200)).scope(Account).keeps(),
        post("/api/v1/users/me/notifications/{id}/read", owned(200)).scope(Account).keeps()
            .at(|w| vec![w.notification.to_string()]),
        get("/api/v1/users/me/saved-searches", mine(200)).of(Buyer).scope(Account),
        post("/api/v1/users/me/saved-searches", mine(201)).of(Buyer).scope(Account)
            .json(|_| json!({"name": "Robin", "query": {"q": "robin"}, "frequency": "daily"})).keeps(),
        get("/api/v1/users/me/saved-searches/{id}", owned(200)).of(Buyer).scope(Account)
            .at(|w| vec![w.saved_search.to_string()]),
        patch("/api/v1/users/me/saved-searches/{id}", owned(200)).of(Buyer).scope(Account)
            .at(|w| vec![w.saved_search.to_string()]).json(|_| json!({"frequency": "weekly"})).keeps(),
        delete("/api/v1/users/me/saved-searches/{id}", owned(204)).of(Buyer).scope(Account).fresh(SavedSearch)
            .at(|w| vec![w.saved_search.to_string()]),
        // Public profiles: gone while suspended.
        get("/api/v1/users/{id}", public(200).but(Suspended, 404)).at(|w| vec![w.seller.id.to_string()]),
        get("/api/v1/users/{id}/listings", public(200).but(Suspended, 404)).at(|w| vec![w.seller.id.to_string()]),
        // Listings.
        get("/api/v1/listings", public(200)),
        post("/api/v1/listings", mine(201)).scope(ListingsWrite).json(|_| dr400()).keeps(),
        get("/api/v1/listings/{id}", public(200).but(Suspended, 404)).at(|w| vec![w.published.to_string()]),
        get("/api/v1/listings/{id}", moderated(200).but(Anonymous, 404).but(Suspended, 404).but(TokenWithout, 404))
            .scope(ListingsRead).at(|w| vec![w.draft.to_string()]),
        get("/api/v1/listings/{id}/similar", public(200).but(Suspended, 404)).at(|w| vec![w.published.to_string()]),
        patch("/api/v1/listings/{id}", moderated(200)).scope(ListingsWrite).if_match().fresh(Draft)
            .at(|w| vec![w.draft.to_string()]).json(|_| json!({"title": "Robin DR400-140B, moteur 850 h"})),
        delete("/api/v1/listings/{id}", moderated(204)).scope(ListingsWrite).if_match().fresh(Draft).at(|w| vec![w.draft.to_string()]),
        // Lifecycle steps are the seller's alone (moderators hide and unhide, audited).
        post("/api/v1/listings/{id}/publish", owned(200)).scope(ListingsWrite).fresh(Draft).at(|w| vec![w.draft.to_string()]),
        post("/api/v1/listings/{id}/reserve", owned(200)).scope(ListingsWrite).fresh(Listing).at(|w| vec![w.listing.to_string()]),
        post("/api/v1/listings/{id}/release", owned(200)).scope(ListingsWrite).fresh(Reserved).at(|w| vec![w.reserved.to_string()]),
        post("/api/v1/listings/{id}/sold", owned(200)).scope(ListingsWrite).fresh(Listing).at(|w| vec![w.listing.to_string()]),
        post("/api/v1/listings/{id}/withdraw", owned(200)).scope(ListingsWrite).fresh(Listing).at(|w| vec![w.listing.to_string()]),
        post("/api/v1/listings/{id}/renew", owned(200)).scope(ListingsWrite).fresh(Listing).at(|w| vec![w.listing.to_string()]),
        post("/api/v1/listings/{id}/photos", moderated(201)).scope(ListingsWrite).photo().keeps().at(|w| vec![w.draft.to_string()]),
        patch("/api/v1/listings/{id}/photos", moderated(200)).scope(ListingsWrite).at(|w| vec![w.listing.to_string()])
            .json(|w| json!({"order": [w.photo]})).keeps(),
        delete("/api/v1/listings/{id}/photos/{photo_id}", moderated(204)).scope(ListingsWrite).fresh(Listing)
            .at(|w| vec![w.listing.to_string(), w.photo.to_string()]),
        // A buyer's dealings with a listing.
        // The seller may not write to or report their own listing (422); the buyer's token finds
        // the conversation it has (200) and the report it made (409).
        post("/api/v1/listings/{id}/conversations", mine(201).but(Owner, 422).but(TokenWith, 200))
            .for_(Buyer).scope(Messages).keeps()
            .at(|w| vec![w.published.to_string()]).json(|_| json!({"body": "Toujours disponible ?"})),
        post("/api/v1/listings/{id}/reports", mine(201).but(Owner, 422).but(TokenWith, 409)).for_(Buyer).scope(Account)
            .at(|w| vec![w.published.to_string()]).json(|_| json!({"reason": "duplicate"})).keeps(),
        get("/api/v1/users/me/reports", mine(200)).of(Buyer).scope(Account),
        post("/api/v1/users/me/reports/{id}/withdraw", owned(204)).of(Buyer).scope(Account).fresh(Report)
            .at(|w| vec![w.report.to_string()]),
        get("/api/v1/listings/{id}/favorite", owned(200)).of(Buyer).scope(Account).at(|w| vec![w.published.to_string()]),
        put("/api/v1/listings/{id}/favorite", mine(201).but(Owner, 200).but(TokenWith, 200)).of(Buyer).scope(Account).keeps().at(|w| vec![w.published.to_string()]),
        delete("/api/v1/listings/{id}/favorite", mine(204)).of(Buyer).scope(Account).then(Favorite).at(|w| vec![w.published.to_string()]),
        // Conversations: their two parties only (the buyer here).
        get("/api/v1/users/me/conversations", mine(200)).of(Buyer).scope(Messages),
        get("/api/v1/conversations/{id}", owned(200)).of(Buyer).scope(Messages).at(|w| vec![w.conversation.to_string()]),
        get("/api/v1/conversations/{id}/messages", owned(200)).of(Buyer).scope(Messages)
            .at(|w| vec![w.conversation.to_string()]),
        post("/api/v1/conversations/{id}/messages", owned(201)).of(Buyer).scope(Messages)
            .at(|w| vec![w.conversation.to_string()]).json(|_| json!({"body": "Je passe samedi."})).keeps(),
        post("/api/v1/conversations/{id}/read", owned(200)).of(Buyer).scope(Messages).keeps()
            .at(|w| vec![w.conversation.to_string()]),
        // Blocking then unblocking (the next row) leaves the conversation as it was.
        post("/api/v1/conversations/{id}/block", owned(200)).of(Buyer).scope(Messages).keeps()
            .at(|w| vec![w.conversation.to_string()]),
        delete("/api/v1/conversations/{id}/block", owned(200)).of(Buyer).scope(Messages).keeps()
            .at(|w| vec![w.conversation.to_string()]),
        // The catalogue: read by all, changed by moderators (the order of the top level by admins).
        get("/api/v1/categories", public(200)),
        get("/api/v1/categories/{slug}", public(200)).at(|_| vec![SEP.into()]),
        // Inactive categories: moderators (with any credential).
        get("/api/v1/categories", moderators(200).but(TokenWith, 200).but(TokenWithout, 200))
            .for_(Moderator).query("?include_inactive=true"),
        get("/api/v1/categories/{slug}", moderators(200).but(TokenWith, 200).but(TokenWithout, 200))
            .for_(Moderator).query("?include_inactive=true").at(|_| vec![SEP.into()]),
        post("/api/v1/categories", moderators(201)).for_(Moderator).json(|_| {
            json!({"slug": format!("matrice-{}", &Uuid::now_v7().simple().to_string()[20..]),
                   "name_fr": "Matrice", "name_en": "Matrix", "attribute_group": "aircraft", "parent": "aircraft"})
        }).keeps(),
        patch("/api/v1/categories/{slug}", moderators(200)).for_(Moderator)
            .at(|w| vec![w.category.clone()]).json(|_| json!({"name_en": "Matrix, renamed"})).keeps(),
        delete("/api/v1/categories/{slug}", moderators(204)).for_(Moderator).fresh(Category).at(|w| vec![w.category.clone()]),
        put("/api/v1/categories/{slug}/children/order", moderators(200)).for_(Moderator)
            .at(|w| vec![w.parent.clone()]).json(|w| json!({"children": w.children})).keeps(),
        put("/api/v1/categories/order", admins(200)).for_(Admin).json(|w| json!({"children": w.top_level})).keeps(),
        // Moderation.
        get("/api/v1/moderation/reports", moderators(200)).for_(Moderator),
        post("/api/v1/moderation/reports/{id}/resolve", moderators(200)).for_(Moderator).fresh(Report)
            .at(|w| vec![w.report.to_string()]).json(|_| json!({"action": "dismiss", "note": "Rien à redire."})),
        get("/api/v1/moderation/audit", moderators(200)).for_(Moderator),
        // Pre-moderation is off in this world: nothing is pending or hidden, so the deciding
        // moderator gets 409 (the decision rows of `premoderation.rs` test the successes).
        get("/api/v1/moderation/pending", moderators(200)).for_(Moderator),
        post("/api/v1/moderation/listings/{id}/approve", moderators(409)).for_(Moderator)
            .at(|w| vec![w.listing.to_string()]),
        post("/api/v1/moderation/listings/{id}/reject", moderators(409)).for_(Moderator)
            .at(|w| vec![w.listing.to_string()]).json(|_| json!({"note": "Photos d'un autre appareil."})),
        post("/api/v1/moderation/listings/{id}/unhide", moderators(409)).for_(Moderator)
            .at(|w| vec![w.listing.to_string()]).json(|_| json!({"note": "Vérifié avec le vendeur."})),
        // Administration.
        get("/api/v1/admin/users", admins(200)).for_(Admin),
        post("/api/v1/admin/users/{id}/suspend", admins(200)).for_(Admin).then(Targets)
            .at(|w| vec![w.target.to_string()]).json(|_| json!({"reason": "Annonces frauduleuses répétées"})),
        post("/api/v1/admin/users/{id}/reinstate", admins(200)).for_(Admin).then(Targets).at(|w| vec![w.banned.to_string()]),
        put("/api/v1/admin/users/{id}/role", admins(200)).for_(Admin).then(Targets)
            .at(|w| vec![w.target.to_string()]).json(|_| json!({"role": "moderator"})),
    ]
}

/// The objects every cell acts on; rebuilt (all new) after a call that changed them.
struct World {
    /// Makes this world's names and secrets unique.
    tag: String,
    seller: Member,
    buyer: Member,
    other: Member,
    moderator: Member,
    admin: Member,
    /// A member admins act on, and one already suspended.
    target: Uuid,
    banned: Uuid,
    /// The seller's listings: a draft (with its `ETag`), the published one the buyer deals
    /// with, another published one with a photo for the lifecycle steps, a reserved one.
    draft: Uuid,
    draft_etag: String,
    published: Uuid,
    listing: Uuid,
    photo: Uuid,
    reserved: Uuid,
    /// The buyer's, on the published listing.
    conversation: Uuid,
    saved_search: Uuid,
    report: Uuid,
    /// The seller's (the buyer's first message).
    notification: Uuid,
    /// The seller's personal access token.
    token: Uuid,
    /// A throw-away category (a child of `aircraft`, never the parent reordered); the seed's
    /// top level; a parent and its children.
    category: String,
    top_level: Vec<String>,
    parent: String,
    children: Vec<String>,
    /// Text that only its owner (and, for reports, moderators) may ever see.
    secrets: Vec<String>,
    /// Personal access tokens made so far: (holder, scopes) → token.
    pats: HashMap<(Uuid, String), String>,
}

impl World {
    fn member(&self, who: Who) -> &Member {
        match who {
            Who::Seller => &self.seller,
            Who::Buyer => &self.buyer,
            Who::Moderator => &self.moderator,
            Who::Admin => &self.admin,
        }
    }
}

/// What is built once per test app.
struct Kit {
    /// An Argon2 hash of [`PASSWORD`], shared by the world's members (hashing is slow).
    hash: String,
    /// A small JPEG.
    jpeg: Vec<u8>,
    /// The categories' top level, and a parent with its children (seed data, never reordered).
    top_level: Vec<String>,
    parent: String,
    children: Vec<String>,
    conn: diesel::PgConnection,
}

fn uuid_at(body: &Value, pointer: &str) -> Uuid {
    body.pointer(pointer)
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no uuid at {pointer} in {body}"))
}

fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, 90])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .unwrap_or_else(|e| panic!("jpeg: {e}"));
    out
}

/// Installs, in the test's own database, a trigger on every table but the reference data that
/// logs each row written into `authz_writes`, leaving out what reads or the view-count flush
/// legitimately touch (a token's `last_used_at`, a listing's `view_count`, `updated_at`).
const WRITE_LOG: &str = r#"
CREATE UNLOGGED TABLE authz_writes (id bigserial PRIMARY KEY, tbl text NOT NULL, op text NOT NULL);
CREATE FUNCTION authz_log_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'view_count' - 'last_used_at' - 'updated_at')
                          = (to_jsonb(OLD) - 'view_count' - 'last_used_at' - 'updated_at') THEN
        RETURN NULL;
    END IF;
    INSERT INTO authz_writes (tbl, op) VALUES (TG_TABLE_NAME, TG_OP);
    RETURN NULL;
END $$;
DO $$
DECLARE t text;
BEGIN
    FOR t IN SELECT table_name FROM information_schema.tables
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
             AND table_name NOT IN ('authz_writes', 'airfields', 'reference_data', 'makes',
                                    'models', '__diesel_schema_migrations')
    LOOP
        EXECUTE format('CREATE TRIGGER authz_log AFTER INSERT OR UPDATE OR DELETE ON %I
                        FOR EACH ROW EXECUTE FUNCTION authz_log_write()', t);
    END LOOP;
END $$;
"#;

#[derive(diesel::QueryableByName)]
struct Digest {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}

impl Kit {
    /// The rows written since the last call (`INSERT listings, UPDATE users`), and forgets them.
    fn writes(&mut self) -> String {
        diesel::sql_query(
            "WITH w AS (DELETE FROM authz_writes RETURNING tbl, op) \
             SELECT coalesce(string_agg(DISTINCT op || ' ' || tbl, ', '), '') AS value FROM w",
        )
        .get_result::<Digest>(&mut self.conn)
        .unwrap_or_else(|e| panic!("writes: {e}"))
        .value
    }

    fn text(&mut self, sql: &str) -> String {
        diesel::sql_query(sql)
            .get_result::<Digest>(&mut self.conn)
            .unwrap_or_else(|e| panic!("`{sql}`: {e}"))
            .value
    }

    fn exec(&mut self, sql: &str) {
        diesel::sql_query(sql)
            .execute(&mut self.conn)
            .unwrap_or_else(|e| panic!("`{sql}`: {e}"));
    }
}

/// A verified member with a real password ([`PASSWORD`]) and a session.
fn person(kit: &mut Kit, tag: &str, name: &str, role: &str, status: &str) -> Member {
    let id = Uuid::now_v7();
    let email = format!("{name}-{tag}@example.fr");
    let hash = kit.hash.clone();
    kit.exec(
        &format!(
            "INSERT INTO users (id, email, password_hash, display_name, account_type, role, status, \
             email_verified_at, suspended_at) VALUES ('{id}', {}, {}, 'Jean Dupont', 'private', {}, {}, now(), {})",
            lit(&email),
            lit(&hash),
            lit(role),
            lit(status),
            if status == "suspended" { "now()" } else { "NULL" },
        ),
    );
    Member {
        id,
        token: session_token(id),
        email,
    }
}

/// `method path` with a token and a JSON body, asserting `status`; the body.
async fn ok(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
    status: u16,
) -> Value {
    let res = request(app, method.clone(), path, Some(token), None, body).await;
    let got = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    assert_eq!(got, status, "building the world: {method} {path}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn upload(
    app: &TestApp,
    listing: Uuid,
    token: Option<&str>,
    jpeg: &[u8],
) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(jpeg.to_vec())
        .file_name("photo.jpg")
        .mime_str("image/jpeg")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut req = app
        .client
        .post(app.url(&format!("/api/v1/listings/{listing}/photos")))
        .multipart(reqwest::multipart::Form::new().part("file", part));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    send(req, "photo upload").await
}

fn secret_title(tag: &str) -> String {
    format!("Brouillon confidentiel {tag}")
}
fn secret_message(tag: &str) -> String {
    format!("Message confidentiel {tag}")
}
fn secret_search(tag: &str) -> String {
    format!("Recherche confidentielle {tag}")
}
fn secret_comment(tag: &str) -> String {
    format!("Signalement confidentiel {tag}")
}
fn secret_token(tag: &str) -> String {
    format!("Jeton confidentiel {tag}")
}

const LISTINGS: &str = "/api/v1/listings";

/// A draft of `seller` with the world's secret title; its id and `ETag`.
async fn new_draft(app: &TestApp, seller: &Member, tag: &str) -> (Uuid, String) {
    let mut body = dr400();
    body["title"] = json!(secret_title(tag));
    let res = request(
        app,
        Method::POST,
        LISTINGS,
        Some(&seller.token),
        None,
        Some(&body),
    )
    .await;
    assert_eq!(res.status().as_u16(), 201, "creating the draft");
    let etag = header(&res, "etag").unwrap_or_default();
    (uuid_at(&json_body(res, "draft").await, "/id"), etag)
}

/// A listing of `seller` put in `status` behind the API's back, with a photo if asked.
async fn new_listing(
    app: &TestApp,
    kit: &mut Kit,
    seller: &Member,
    status: &str,
    photo: bool,
) -> (Uuid, Uuid) {
    let id = uuid_at(
        &ok(
            app,
            Method::POST,
            LISTINGS,
            &seller.token,
            Some(&dr400()),
            201,
        )
        .await,
        "/id",
    );
    let photo = if photo {
        let res = upload(app, id, Some(&seller.token), &kit.jpeg).await;
        uuid_at(&json_body(res, "photo").await, "/id")
    } else {
        Uuid::nil()
    };
    kit.exec(&format!(
        "UPDATE listings SET status = {}, published_at = now(), \
         expires_at = now() + interval '60 days' WHERE id = '{id}'",
        lit(status)
    ));
    (id, photo)
}

async fn new_saved_search(app: &TestApp, buyer: &Member, tag: &str) -> Uuid {
    let body = json!({"name": secret_search(tag), "query": {"q": "dr400"}, "frequency": "daily"});
    uuid_at(
        &ok(
            app,
            Method::POST,
            "/api/v1/users/me/saved-searches",
            &buyer.token,
            Some(&body),
            201,
        )
        .await,
        "/id",
    )
}

async fn new_report(app: &TestApp, buyer: &Member, listing: Uuid, tag: &str) -> Uuid {
    let body = json!({"reason": "other", "comment": secret_comment(tag)});
    let path = format!("{LISTINGS}/{listing}/reports");
    uuid_at(
        &ok(app, Method::POST, &path, &buyer.token, Some(&body), 201).await,
        "/id",
    )
}

async fn new_category(app: &TestApp, admin: &Member) -> String {
    let slug = format!("matrice-{}", &Uuid::now_v7().simple().to_string()[20..]);
    let body = json!({"slug": slug, "name_fr": "Matrice", "name_en": "Matrix",
                      "attribute_group": "aircraft", "parent": "aircraft"});
    ok(
        app,
        Method::POST,
        "/api/v1/categories",
        &admin.token,
        Some(&body),
        201,
    )
    .await;
    slug
}

async fn favorite(app: &TestApp, buyer: &Member, listing: Uuid) {
    let path = format!("{LISTINGS}/{listing}/favorite");
    let res = request(app, Method::PUT, &path, Some(&buyer.token), None, None).await;
    assert!(
        matches!(res.status().as_u16(), 200 | 201),
        "favourite: {}",
        res.status()
    );
}

/// Makes `part` of the world anew after calls that changed it.
async fn renew(app: &TestApp, kit: &mut Kit, w: &mut World, part: Part) {
    match part {
        Part::World => *w = build_world(app, kit).await,
        Part::Draft => (w.draft, w.draft_etag) = new_draft(app, &w.seller, &w.tag).await,
        Part::Listing => {
            (w.listing, w.photo) = new_listing(app, kit, &w.seller, "published", true).await
        }
        Part::Reserved => w.reserved = new_listing(app, kit, &w.seller, "reserved", false).await.0,
        Part::SavedSearch => w.saved_search = new_saved_search(app, &w.buyer, &w.tag).await,
        Part::Report => w.report = new_report(app, &w.buyer, w.published, &w.tag).await,
        Part::Category => w.category = new_category(app, &w.admin).await,
        Part::Favorite => favorite(app, &w.buyer, w.published).await,
        Part::Targets => kit.exec(&format!(
            "UPDATE users SET status = CASE WHEN id = '{}' THEN 'suspended' ELSE 'active' END, \
             suspended_at = CASE WHEN id = '{}' THEN now() END, role = 'user' \
             WHERE id IN ('{}', '{}')",
            w.banned, w.banned, w.banned, w.target
        )),
    }
}

async fn build_world(app: &TestApp, kit: &mut Kit) -> World {
    let tag = Uuid::now_v7().simple().to_string()[16..].to_owned();
    let seller = person(kit, &tag, "vendeur", "user", "active");
    let buyer = person(kit, &tag, "acheteur", "user", "active");
    let other = person(kit, &tag, "autre", "user", "active");
    let moderator = person(kit, &tag, "moderateur", "moderator", "active");
    let admin = person(kit, &tag, "admin", "admin", "active");
    let target = person(kit, &tag, "cible", "user", "active").id;
    let banned = person(kit, &tag, "banni", "user", "suspended").id;

    let (draft, draft_etag) = new_draft(app, &seller, &tag).await;
    // Published through the API (the listing events, the search index as sellers get them).
    let published = uuid_at(
        &ok(
            app,
            Method::POST,
            LISTINGS,
            &seller.token,
            Some(&dr400()),
            201,
        )
        .await,
        "/id",
    );
    let res = step(app, published, "publish", &seller.token).await;
    assert_eq!(res.status().as_u16(), 200, "publishing");
    let (listing, photo) = new_listing(app, kit, &seller, "published", true).await;
    let (reserved, _) = new_listing(app, kit, &seller, "reserved", false).await;

    let started = ok(
        app,
        Method::POST,
        &format!("{LISTINGS}/{published}/conversations"),
        &buyer.token,
        Some(&json!({"body": secret_message(&tag)})),
        201,
    )
    .await;
    let conversation = uuid_at(&started, "/conversation/id");
    favorite(app, &buyer, published).await;
    let saved_search = new_saved_search(app, &buyer, &tag).await;
    let report = new_report(app, &buyer, published, &tag).await;
    let notification: Uuid = kit
        .text(&format!(
            "SELECT id::text AS value FROM notifications WHERE user_id = '{}' LIMIT 1",
            seller.id
        ))
        .parse()
        .unwrap_or_else(|e| panic!("the seller's notification: {e}"));
    let created = ok(
        app,
        Method::POST,
        "/api/v1/users/me/tokens",
        &seller.token,
        Some(&json!({"name": secret_token(&tag), "scopes": ["account"]})),
        201,
    )
    .await;
    let token = uuid_at(&created, "/id");
    let category = new_category(app, &admin).await;

    World {
        secrets: vec![
            secret_title(&tag),
            secret_message(&tag),
            secret_search(&tag),
            secret_comment(&tag),
            secret_token(&tag),
            seller.email.clone(),
            buyer.email.clone(),
        ],
        tag,
        seller,
        buyer,
        other,
        moderator,
        admin,
        target,
        banned,
        draft,
        draft_etag,
        published,
        listing,
        photo,
        reserved,
        conversation,
        saved_search,
        report,
        notification,
        token,
        category,
        top_level: kit.top_level.clone(),
        parent: kit.parent.clone(),
        children: kit.children.clone(),
        pats: HashMap::new(),
    }
}

/// A personal access token of `holder` with `scopes`, written directly (as the API stores it).
fn pat(kit: &mut Kit, world: &mut World, holder: Uuid, scopes: &[Scope]) -> String {
    let key = (
        holder,
        scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    );
    if let Some(token) = world.pats.get(&key) {
        return token.clone();
    }
    let (secret, _) = hangar_api::auth::tokens::random_token();
    let token = format!("{}{secret}", hangar_api::auth::tokens::PAT_PREFIX);
    let stored = hangar_api::auth::tokens::hash_token(&token);
    let hex: String = stored.iter().map(|b| format!("{b:02x}")).collect();
    let scopes_sql: Vec<String> = scopes.iter().map(|s| lit(s.as_str())).collect();
    kit.exec(&format!(
        "INSERT INTO personal_access_tokens (id, user_id, name, prefix, token_hash, scopes) \
         VALUES ('{}', '{holder}', 'matrice', {}, decode('{hex}', 'hex'), ARRAY[{}]::text[])",
        Uuid::now_v7(),
        lit(&token[..8]),
        scopes_sql.join(", ")
    ));
    world.pats.insert(key, token.clone());
    token
}

/// What one cell did.
struct Outcome {
    status: u16,
    /// The call changed something the world relies on.
    changed: bool,
    failures: Vec<String>,
}

async fn run_cell(
    app: &TestApp,
    kit: &mut Kit,
    world: &mut World,
    row: &Row,
    actor: Actor,
) -> Outcome {
    let principal = world.member(row.principal()).id;
    let token = match actor {
        Actor::Anonymous => None,
        Actor::Other => Some(world.other.token.clone()),
        Actor::Owner => Some(world.member(row.owner).token.clone()),
        Actor::Moderator => Some(world.moderator.token.clone()),
        Actor::Admin => Some(world.admin.token.clone()),
        Actor::Suspended => {
            kit.exec(&format!(
                "UPDATE users SET status = 'suspended', suspended_at = now() WHERE id = '{principal}'"
            ));
            Some(world.member(row.principal()).token.clone())
        }
        Actor::TokenWith => {
            let scopes: Vec<Scope> = match row.scope {
                Some(s) => vec![s],
                None => Scope::ALL.to_vec(),
            };
            Some(pat(kit, world, principal, &scopes))
        }
        Actor::TokenWithout => {
            let scopes: Vec<Scope> = Scope::ALL
                .iter()
                .copied()
                .filter(|s| Some(*s) != row.scope)
                .collect();
            Some(pat(kit, world, principal, &scopes))
        }
    };
    let mut path = row.path.to_owned();
    for value in (row.ids)(world) {
        let Some(start) = path.find('{') else { break };
        let end = path[start..]
            .find('}')
            .map_or(path.len(), |e| start + e + 1);
        path.replace_range(start..end, &value);
    }
    path.push_str(row.query);
    kit.writes();
    let res = match row.body {
        Body::Photo => upload(app, world.draft, token.as_deref(), &kit.jpeg).await,
        Body::Json(body) => {
            let body = body(world);
            let tag = row.if_match.then(|| world.draft_etag.clone());
            request(
                app,
                row.method.clone(),
                &path,
                token.as_deref(),
                tag.as_deref(),
                Some(&body),
            )
            .await
        }
        Body::None => {
            let tag = row.if_match.then(|| world.draft_etag.clone());
            request(
                app,
                row.method.clone(),
                &path,
                token.as_deref(),
                tag.as_deref(),
                None,
            )
            .await
        }
    };
    let status = res.status().as_u16();
    let content_type = header(&res, "content-type").unwrap_or_default();
    let text = res.text().await.unwrap_or_default();
    let writes = kit.writes();
    if actor == Actor::Suspended {
        kit.exec(&format!(
            "UPDATE users SET status = 'active', suspended_at = NULL WHERE id = '{principal}'"
        ));
    }

    let cell = format!("{} {path} as {actor:?}", row.method);
    let mut failures = Vec::new();
    let expected = row.expect.of(actor);
    if status != expected {
        failures.push(format!(
            "{cell}: expected {expected}, got {status}: {}",
            clip(&text)
        ));
    }
    let success = (200..300).contains(&status);
    let read = row.method == Method::GET;
    if (!success || read) && !writes.is_empty() {
        failures.push(format!(
            "{cell}: answered {status} but wrote to the database: {writes}"
        ));
    }
    // Redirects (the one-click unsubscribe's GET) are answers, not errors.
    if status >= 400 && content_type != "application/problem+json" {
        failures.push(format!(
            "{cell}: error {status} is not a problem document ({content_type})"
        ));
    }
    let outsider =
        !row.own_data && matches!(actor, Actor::Anonymous | Actor::Other | Actor::Suspended);
    if !success || outsider {
        for secret in &world.secrets {
            if text.contains(secret.as_str()) {
                failures.push(format!(
                    "{cell}: answered {status} with private data `{secret}`"
                ));
            }
        }
    }
    Outcome {
        status,
        changed: success && !read,
        failures,
    }
}

fn clip(text: &str) -> String {
    text.chars().take(300).collect()
}

fn slugs(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .filter_map(|c| c["slug"].as_str().map(str::to_owned))
        .collect()
}

/// The category `slug` anywhere in a tree.
fn find_category(items: &[Value], slug: &str) -> Value {
    items
        .iter()
        .find_map(|c| {
            if c["slug"] == slug {
                Some(c.clone())
            } else {
                let children = c["children"].as_array().cloned().unwrap_or_default();
                let found = find_category(&children, slug);
                (!found.is_null()).then_some(found)
            }
        })
        .unwrap_or(Value::Null)
}

/// `METHOD /path` of every operation the served OpenAPI document lists.
async fn served_routes(app: &TestApp) -> BTreeSet<String> {
    let spec = json_body(app.get("/api/v1/openapi.json").await, "openapi.json").await;
    let mut routes = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().cloned().unwrap_or_default() {
        for method in [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ] {
            if item.get(method).is_some() {
                routes.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    assert!(
        routes.len() > 50,
        "the served spec lists too few routes: {routes:?}"
    );
    routes
}

#[tokio::test]
async fn every_route_answers_every_kind_of_caller_as_the_matrix_says() {
    let app = hangar_tests::spawn_app_with(&[
        // Nothing in the background writes while cells compare the database before and after.
        ("ALERTS_INTERVAL_MS", "3600000"),
        ("FACETS_REFRESH_MS", "3600000"),
        ("OUTBOX_POLL_MS", "3600000"),
    ])
    .await;
    let rows = matrix();

    // Every served route has a row, and every row a served route.
    let served = served_routes(&app).await;
    let covered: BTreeSet<String> = rows.iter().map(Row::name).collect();
    let missing: Vec<&String> = served.difference(&covered).collect();
    let stale: Vec<&String> = covered.difference(&served).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the authorization matrix (add one to `matrix()` in \
         tests/tests/black_box/authz_matrix.rs): {missing:#?}"
    );
    assert!(
        stale.is_empty(),
        "matrix rows for routes the API does not serve: {stale:#?}"
    );

    let tree = json_body(app.get("/api/v1/categories").await, "tree").await;
    let top = tree["items"].as_array().cloned().unwrap_or_default();
    let parent = "gliders";
    let mut kit = Kit {
        hash: hangar_api::auth::password::hash_sync(PASSWORD)
            .unwrap_or_else(|e| panic!("hash: {e:?}")),
        jpeg: jpeg(),
        top_level: slugs(&top),
        parent: parent.to_owned(),
        children: slugs(
            &find_category(&top, parent)["children"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        ),
        conn: diesel::PgConnection::establish(&app.db.url).unwrap_or_else(|e| panic!("{e}")),
    };
    assert!(kit.top_level.len() > 2 && kit.children.len() > 2, "{tree}");
    diesel::connection::SimpleConnection::batch_execute(&mut kit.conn, WRITE_LOG)
        .unwrap_or_else(|e| panic!("installing the write log: {e}"));
    let mut world = build_world(&app, &mut kit).await;
    // The write log sees the API's writes.
    let built = kit.writes();
    assert!(
        built.contains("INSERT listings") && built.contains("INSERT messages"),
        "{built}"
    );
    let mut failures = Vec::new();
    let mut rebuilds = 0;
    for row in &rows {
        let mut got = Vec::new();
        let mut row_failures = Vec::new();
        let mut changed = false;
        for actor in ACTORS {
            let outcome = run_cell(&app, &mut kit, &mut world, row, actor).await;
            got.push(outcome.status);
            row_failures.extend(outcome.failures);
            changed |= outcome.changed;
            if let (true, After::Cell(part)) = (changed, row.after) {
                renew(&app, &mut kit, &mut world, part).await;
                rebuilds += 1;
                changed = false;
            }
        }
        if let (true, After::Row(part)) = (changed, row.after) {
            renew(&app, &mut kit, &mut world, part).await;
            rebuilds += 1;
        }
        if !row_failures.is_empty() {
            row_failures.push(format!("{}: got {got:?} for {ACTORS:?}", row.name()));
            failures.extend(row_failures);
        }
    }
    assert!(
        failures.is_empty(),
        "{} authorization matrix failures ({rebuilds} rebuilds):\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The world was rebuilt at least once per successful change, and each left the members
    // it started with.
    assert!(
        rebuilds > 10,
        "only {rebuilds} rebuilds: did the writes succeed?"
    );
}
