//! The authorization matrix: every route of the served OpenAPI document × every kind of
//! caller, with the status each must get, and proof that denied calls neither read nor wrote
//! anything they should not.
//!
//! One [`Row`] per route (a route may have several, e.g. a draft and a published listing):
//! method, path template, the ids to put in it (from the [`World`], a fixture of objects built
//! over HTTP: a seller with a draft, published and reserved listings, one with a photo, one
//! waiting for review and one a moderator hid; a buyer with a conversation, a favourite, saved
//! searches and a report; the seller's notification and personal access token; a throw-away
//! category; a newcomer who has not verified their address; and the single-use credentials
//! as members get them: the seller's reset token and the newcomer's verification token from
//! their mails, the seller's refresh token from a login, the buyer's unsubscribe links from an
//! alert digest), an optional body, the scope a personal access token needs, whose object it
//! is, and the expected status for each [`Actor`]. The helpers [`public`], [`owned`],
//! [`moderated`], [`not_public`], [`mine`], [`session`], [`moderators`] and [`admins`] give
//! the common patterns; `.but(actor, status)` changes one cell.
//!
//! For every cell the test also asserts that
//! - nothing was written whenever the call was denied, failed, or was a read (a trigger on
//!   every table of the test's database logs the rows written, see [`WRITE_LOG`]), and that a
//!   success wrote what the row says (`.writes(…)`);
//! - a single-use call sent again right after its success is refused (`.once(…)`), and a
//!   success did what it should to the right account only (`.check(…)`: a reset token changes
//!   its owner's password whoever presents it, never the caller's);
//! - an error is a problem document;
//! - no response to a denied call, and no response at all to an anonymous visitor, an
//!   unrelated member or a suspended account, contains the world's private data (the draft's
//!   title, the message, the saved search's name, the report's comment, the token's name,
//!   the members' email addresses, the single-use credentials).
//!
//! After calls that succeeded in changing something, the part of the world they changed is
//! made anew ([`After`], [`Part`]), so every cell runs against the same state. A route served
//! without a row here fails the test, naming the `METHOD /path` to add.

use std::collections::{BTreeSet, HashMap};

use diesel::{Connection, RunQueryDsl};
use hangar_api::domain::Scope;
use hangar_tests::TestApp;
use hangar_tests::accounts::{NEW_PASSWORD, PASSWORD, json_body, lit, send};
use hangar_tests::alerts::run_alerts;
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
    /// A member who has not verified their email address yet.
    Newcomer,
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

/// A buyer's dealings with a listing the public cannot see: 404 for everyone, moderators
/// included (they act on it as moderators only); its seller gets `own`.
fn not_public(own: u16) -> Expect {
    Expect([401, 404, own, 404, 404, 401, 404, 403])
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
type Query = fn(&World) -> String;
/// What a successful call must have done, checked in the database (and the answer's body):
/// `Err` says what is wrong.
type Check = fn(&mut Kit, &World, &Value) -> Result<(), String>;

#[derive(Clone, Copy)]
enum Body {
    None,
    Json(Json),
    /// A JPEG as `multipart/form-data` (photo uploads).
    Photo,
    /// `List-Unsubscribe=One-Click`, URL-encoded, as a mail client sends it (RFC 8058).
    OneClick,
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
    /// Appended after `query`, from the world (a mailed token).
    query_at: Option<Query>,
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
    /// What every success must write (`UPDATE listings, INSERT moderation_audit`): each item
    /// must be in the write log.
    writes: &'static str,
    /// What a denial may write (instead of nothing): a refused refresh of a suspended account
    /// revokes its login.
    denied_writes: &'static str,
    /// Single use: the same call sent again right after a success gets this status and may
    /// write only this.
    once: Option<(u16, &'static str)>,
    /// Run after every success (and after the repeated call of `once`).
    check: Option<Check>,
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
    /// The seller's listing waiting for review, and their hidden one.
    Pending,
    Hidden,
    /// The seller's reset token (with their password and sessions as they were).
    Reset,
    /// The seller's refresh token.
    Session,
    /// The newcomer's verification token.
    Verify,
    /// The buyer's unsubscribe links (their alert mail turned back on).
    Alerts,
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
        query_at: None,
        body: Body::None,
        owner: Who::Seller,
        principal: None,
        scope: None,
        if_match: false,
        after,
        own_data: false,
        writes: "",
        denied_writes: "",
        once: None,
        check: None,
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
    fn query_at(mut self, query: Query) -> Self {
        self.query_at = Some(query);
        self
    }
    fn one_click(mut self) -> Self {
        self.body = Body::OneClick;
        self
    }
    fn writes(mut self, writes: &'static str) -> Self {
        self.writes = writes;
        self
    }
    fn denied_writes(mut self, writes: &'static str) -> Self {
        self.denied_writes = writes;
        self
    }
    fn once(mut self, status: u16, writes: &'static str) -> Self {
        self.once = Some((status, writes));
        self
    }
    fn check(mut self, check: Check) -> Self {
        self.check = Some(check);
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
    use Part::{Alerts, Category, Draft, Favorite, Hidden, Listing, Pending, Report, Reserved, Reset, SavedSearch, Session,
               Targets, Verify};
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
        // Voids the world's reset token (a new one is mailed).
        post("/api/v1/auth/password/forgot", public(202)).json(|w| json!({"email": w.seller.email})).then(Reset),
        post("/api/v1/auth/password/reset", public(422))
            .json(|_| json!({"token": "not-a-reset-token", "new_password": NEW_PASSWORD})),
        post("/api/v1/auth/verify-email", public(422)).json(|_| json!({"token": "not-a-verification-token"})),
        post("/api/v1/unsubscribe", public(400)).json(|_| json!({"token": "not-an-unsubscribe-token"})),
        get("/api/v1/unsubscribe/one-click", public(303)).query("?token=not-an-unsubscribe-token"),
        // Without the RFC 8058 form body (the unsubscribe tests send it).
        post("/api/v1/unsubscribe/one-click", public(415)).query("?token=not-an-unsubscribe-token"),
        // The same flows with genuine tokens, got as members get them (the mail's link, a login's
        // refresh token). The token is the credential, whatever else the caller sends: it acts
        // for the account it was issued to, never for the caller's (the checks), and once.
        post("/api/v1/auth/password/reset", public(204).but(Suspended, 422))
            .json(|w| json!({"token": w.reset_token, "new_password": NEW_PASSWORD})).fresh(Reset)
            .writes("UPDATE users, UPDATE email_tokens, UPDATE refresh_tokens").once(422, "").check(reset_the_sellers_password_only),
        // A genuine token of the other purpose.
        post("/api/v1/auth/password/reset", public(422)).of(Newcomer)
            .json(|w| json!({"token": w.verify_token, "new_password": NEW_PASSWORD})),
        post("/api/v1/auth/verify-email", public(204)).of(Newcomer).json(|w| json!({"token": w.verify_token})).fresh(Verify)
            .writes("UPDATE users, UPDATE email_tokens").once(422, "").check(verified_the_newcomer_only),
        post("/api/v1/auth/verify-email", public(422)).json(|w| json!({"token": w.reset_token})),
        // Refused for a suspended account, whose login it then ends.
        post("/api/v1/auth/refresh", public(200).but(Suspended, 401)).json(|w| json!({"refresh_token": w.refresh_token}))
            .own_data().fresh(Session).writes("INSERT refresh_tokens, UPDATE refresh_tokens").denied_writes("UPDATE refresh_tokens")
            .once(401, "UPDATE refresh_tokens").check(refreshed_the_seller_once),
        post("/api/v1/auth/logout", public(204)).json(|w| json!({"refresh_token": w.refresh_token})).fresh(Session)
            .writes("UPDATE refresh_tokens").once(204, "").check(ended_the_sellers_login),
        // The buyer's alert digest: the link of one search, and the one for every alert mail.
        post("/api/v1/unsubscribe", public(200)).of(Buyer).json(|w| json!({"token": w.unsubscribe_search})).fresh(Alerts)
            .writes("UPDATE saved_searches, UPDATE unsubscribe_links").once(400, "").check(turned_off_the_search_only),
        get("/api/v1/unsubscribe/one-click", public(303)).of(Buyer).query("?token=").query_at(|w| w.unsubscribe_all.clone()),
        post("/api/v1/unsubscribe/one-click", public(200)).of(Buyer).query("?token=").query_at(|w| w.unsubscribe_all.clone())
            .one_click().fresh(Alerts).writes("UPDATE users, UPDATE unsubscribe_links").once(400, "")
            .check(turned_off_the_buyers_alert_mail_only),
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
        // Waiting for review, or hidden by a moderator: as private as a draft.
        get("/api/v1/listings/{id}", moderated(200).but(Anonymous, 404).but(Suspended, 404).but(TokenWithout, 404))
            .scope(ListingsRead).at(|w| vec![w.pending.to_string()]),
        get("/api/v1/listings/{id}", moderated(200).but(Anonymous, 404).but(Suspended, 404).but(TokenWithout, 404))
            .scope(ListingsRead).at(|w| vec![w.hidden.to_string()]),
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
        // Not on a listing the public cannot see (moderators deal with it as moderators only).
        post("/api/v1/listings/{id}/conversations", not_public(422)).for_(Buyer).scope(Messages)
            .at(|w| vec![w.hidden.to_string()]).json(|_| json!({"body": "Toujours disponible ?"})),
        post("/api/v1/listings/{id}/reports", not_public(422)).for_(Buyer).scope(Account)
            .at(|w| vec![w.pending.to_string()]).json(|_| json!({"reason": "duplicate"})),
        put("/api/v1/listings/{id}/favorite", not_public(404)).of(Buyer).scope(Account)
            .at(|w| vec![w.pending.to_string()]),
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
        // The seller's listing waiting for review and their hidden one, made anew after each
        // decision; the seller may not decide on their own. Decided once: then 409.
        get("/api/v1/moderation/pending", moderators(200)).for_(Moderator),
        post("/api/v1/moderation/listings/{id}/approve", moderators(200)).for_(Moderator).fresh(Pending)
            .at(|w| vec![w.pending.to_string()]).writes("UPDATE listings, INSERT moderation_audit").once(409, "")
            .check(|k, w, _| listing_is(k, w.pending, "published")),
        post("/api/v1/moderation/listings/{id}/reject", moderators(200)).for_(Moderator).fresh(Pending)
            .at(|w| vec![w.pending.to_string()]).json(|_| json!({"note": "Photos d'un autre appareil."}))
            .writes("UPDATE listings, INSERT moderation_audit, INSERT notifications, INSERT outbox").once(409, "")
            .check(|k, w, _| listing_is(k, w.pending, "rejected")),
        post("/api/v1/moderation/listings/{id}/unhide", moderators(200)).for_(Moderator).fresh(Hidden)
            .at(|w| vec![w.hidden.to_string()]).json(|_| json!({"note": "Vérifié avec le vendeur."}))
            .writes("UPDATE listings, INSERT moderation_audit, INSERT notifications, INSERT outbox").once(409, "")
            .check(|k, w, _| listing_is(k, w.hidden, "published")),
        // A published listing is neither waiting for review nor hidden.
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
    /// Registered, not verified yet.
    newcomer: Member,
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
    /// The seller's listing waiting for review, and the one a moderator hid.
    pending: Uuid,
    hidden: Uuid,
    /// Single-use credentials as their mails and the login give them: the seller's password
    /// reset token and refresh token, the newcomer's verification token, the buyer's
    /// unsubscribe tokens (the link of `alert_search`, and the one for every alert mail).
    reset_token: String,
    refresh_token: String,
    verify_token: String,
    alert_search: Uuid,
    unsubscribe_search: String,
    unsubscribe_all: String,
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
            Who::Newcomer => &self.newcomer,
        }
    }

    /// What no denial, and no answer to an outsider, may contain: the private text, and the
    /// credentials as they are now.
    fn secrets(&self) -> impl Iterator<Item = &str> {
        self.secrets.iter().map(String::as_str).chain([
            self.reset_token.as_str(),
            self.refresh_token.as_str(),
            self.verify_token.as_str(),
            self.unsubscribe_search.as_str(),
            self.unsubscribe_all.as_str(),
        ])
    }

    /// The members every cell may act as, but the already suspended one.
    fn members(&self) -> [&Member; 6] {
        [
            &self.seller,
            &self.buyer,
            &self.other,
            &self.moderator,
            &self.admin,
            &self.newcomer,
        ]
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
        Part::Pending => w.pending = held_listing(app, kit, &w.seller, "pending_review").await,
        Part::Hidden => w.hidden = held_listing(app, kit, &w.seller, "hidden").await,
        Part::Reset => {
            // The reset changed the password and ended every session and access token.
            kit.exec(&format!(
                "UPDATE users SET password_hash = {}, token_version = 0 WHERE id = '{}'",
                lit(&kit.hash),
                w.seller.id
            ));
            w.reset_token = reset_token(app, kit, &w.seller).await;
            w.refresh_token = refresh_token(app, &w.seller).await;
        }
        Part::Session => w.refresh_token = refresh_token(app, &w.seller).await,
        Part::Verify => {
            kit.exec(&format!(
                "UPDATE users SET email_verified_at = NULL WHERE id = '{}'",
                w.newcomer.id
            ));
            w.verify_token = verification_token(app, kit, &w.newcomer).await;
        }
        Part::Alerts => {
            kit.exec(&format!(
                "UPDATE saved_searches SET frequency = 'instant' WHERE id = '{}'",
                w.alert_search
            ));
            kit.exec(&format!(
                "UPDATE users SET notify_saved_searches = true WHERE id = '{}'",
                w.buyer.id
            ));
            (w.unsubscribe_search, w.unsubscribe_all) =
                unsubscribe_tokens(app, kit, &w.seller, &w.buyer, &w.tag).await;
        }
    }
}

async fn build_world(app: &TestApp, kit: &mut Kit) -> World {
    let tag = Uuid::now_v7().simple().to_string()[16..].to_owned();
    let seller = person(kit, &tag, "vendeur", "user", "active");
    let buyer = person(kit, &tag, "acheteur", "user", "active");
    let other = person(kit, &tag, "autre", "user", "active");
    let moderator = person(kit, &tag, "moderateur", "moderator", "active");
    let admin = person(kit, &tag, "admin", "admin", "active");
    let newcomer = person(kit, &tag, "nouveau", "user", "active");
    kit.exec(&format!(
        "UPDATE users SET email_verified_at = NULL WHERE id = '{}'",
        newcomer.id
    ));
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
    let pending = held_listing(app, kit, &seller, "pending_review").await;
    let hidden = held_listing(app, kit, &seller, "hidden").await;
    let reset_token = reset_token(app, kit, &seller).await;
    let refresh_token = refresh_token(app, &seller).await;
    let verify_token = verification_token(app, kit, &newcomer).await;

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
    let alert =
        json!({"name": alert_name(&tag), "query": {"q": alert_word(&tag)}, "frequency": "instant"});
    let alert_search = uuid_at(
        &ok(
            app,
            Method::POST,
            "/api/v1/users/me/saved-searches",
            &buyer.token,
            Some(&alert),
            201,
        )
        .await,
        "/id",
    );
    let (unsubscribe_search, unsubscribe_all) =
        unsubscribe_tokens(app, kit, &seller, &buyer, &tag).await;

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
        newcomer,
        target,
        banned,
        draft,
        draft_etag,
        published,
        listing,
        photo,
        reserved,
        pending,
        hidden,
        reset_token,
        refresh_token,
        verify_token,
        alert_search,
        unsubscribe_search,
        unsubscribe_all,
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
    if let Some(query) = row.query_at {
        path.push_str(&query(world));
    }
    kit.writes();
    let res = send_cell(app, kit, world, row, &path, token.as_deref()).await;
    let status = res.status().as_u16();
    let content_type = header(&res, "content-type").unwrap_or_default();
    let text = res.text().await.unwrap_or_default();
    let writes = kit.writes();

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
    let allowed = if success { "" } else { row.denied_writes };
    if (!success || read) && !within(&writes, allowed) {
        failures.push(format!(
            "{cell}: answered {status} but wrote to the database: {writes}"
        ));
    }
    if success && !read {
        let missing = missing(&writes, row.writes);
        if !missing.is_empty() {
            failures.push(format!(
                "{cell}: answered {status} but did not write {missing:?} (wrote: {writes})"
            ));
        }
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
        for secret in world.secrets() {
            if text.contains(secret) {
                failures.push(format!(
                    "{cell}: answered {status} with private data `{secret}`"
                ));
            }
        }
    }
    if success {
        if let Some((again, may_write)) = row.once {
            let res = send_cell(app, kit, world, row, &path, token.as_deref()).await;
            let got = res.status().as_u16();
            let text = res.text().await.unwrap_or_default();
            let wrote = kit.writes();
            if got != again {
                failures.push(format!(
                    "{cell}, sent again: expected {again}, got {got}: {}",
                    clip(&text)
                ));
            }
            if !within(&wrote, may_write) {
                failures.push(format!(
                    "{cell}, sent again: answered {got} but wrote to the database: {wrote}"
                ));
            }
        }
        if let Some(check) = row.check {
            let body = serde_json::from_str(&text).unwrap_or(Value::Null);
            if let Err(e) = check(kit, world, &body) {
                failures.push(format!("{cell}: {e}"));
            }
        }
    }
    if actor == Actor::Suspended {
        kit.exec(&format!(
            "UPDATE users SET status = 'active', suspended_at = NULL WHERE id = '{principal}'"
        ));
    }
    Outcome {
        status,
        // A denial that wrote what it may (a revoked login) changed the world too.
        changed: !read && (success || !writes.is_empty()),
        failures,
    }
}

/// The items (`UPDATE users`) of a write log digest.
fn items(digest: &str) -> impl Iterator<Item = &str> {
    digest.split(", ").filter(|i| !i.is_empty())
}

/// Whether every write of `writes` is one of `allowed`.
fn within(writes: &str, allowed: &str) -> bool {
    items(writes).all(|w| items(allowed).any(|a| a == w))
}

/// The writes of `required` that `writes` lacks.
fn missing<'a>(writes: &str, required: &'a str) -> Vec<&'a str> {
    items(required)
        .filter(|r| !items(writes).any(|w| w == *r))
        .collect()
}

/// Sends the cell's request: `path` (filled in) with `token` and the row's body.
async fn send_cell(
    app: &TestApp,
    kit: &Kit,
    world: &World,
    row: &Row,
    path: &str,
    token: Option<&str>,
) -> reqwest::Response {
    let tag = row.if_match.then(|| world.draft_etag.clone());
    match row.body {
        Body::Photo => upload(app, world.draft, token, &kit.jpeg).await,
        Body::OneClick => {
            let mut req = app
                .client
                .request(row.method.clone(), app.url(path))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("List-Unsubscribe=One-Click");
            if let Some(token) = token {
                req = req.bearer_auth(token);
            }
            send(req, path).await
        }
        Body::Json(body) => {
            let body = body(world);
            request(
                app,
                row.method.clone(),
                path,
                token,
                tag.as_deref(),
                Some(&body),
            )
            .await
        }
        Body::None => request(app, row.method.clone(), path, token, tag.as_deref(), None).await,
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

/// A listing of `seller` waiting for review (`pending_review`) or hidden by a moderator while
/// it was published (`hidden`), put there behind the API's back: pre-moderation is off in this
/// world, and `premoderation.rs` and `moderation.rs` test the ways in.
async fn held_listing(app: &TestApp, kit: &mut Kit, seller: &Member, status: &str) -> Uuid {
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
    let set = if status == "hidden" {
        "status = 'hidden', hidden_from = 'published', published_at = now(), \
         expires_at = now() + interval '60 days'"
    } else {
        "status = 'pending_review', submitted_at = now()"
    };
    kit.exec(&format!("UPDATE listings SET {set} WHERE id = '{id}'"));
    id
}

/// The token after `marker` (`/reset-password?token=`) in `text`.
fn token_after(text: &str, marker: &str) -> Option<String> {
    let start = text.find(marker)? + marker.len();
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect();
    (!token.is_empty()).then_some(token)
}

/// The token of the latest mail to `to` with a link to the web app's `page`.
fn mailed_token(kit: &mut Kit, to: &str, page: &str) -> String {
    let marker = format!("{page}?token=");
    let body = kit.text(&format!(
        "SELECT body_text AS value FROM outbox WHERE to_address = {} AND strpos(body_text, {}) > 0 \
         ORDER BY created_at DESC, id DESC LIMIT 1",
        lit(to),
        lit(&marker)
    ));
    token_after(&body, &marker)
        .unwrap_or_else(|| panic!("no {page} link in the mail to {to}: {body}"))
}

/// The seller's password reset token, from the mail `POST /auth/password/forgot` sends.
async fn reset_token(app: &TestApp, kit: &mut Kit, seller: &Member) -> String {
    let body = json!({"email": seller.email});
    let path = "/api/v1/auth/password/forgot";
    let res = request(app, Method::POST, path, None, None, Some(&body)).await;
    assert_eq!(res.status().as_u16(), 202, "asking for a reset mail");
    mailed_token(kit, &seller.email, "/reset-password")
}

/// A refresh token of a new login of `member`.
async fn refresh_token(app: &TestApp, member: &Member) -> String {
    let body = json!({"email": member.email, "password": PASSWORD});
    let path = "/api/v1/auth/login";
    let login = json_body(
        request(app, Method::POST, path, None, None, Some(&body)).await,
        "login",
    )
    .await;
    login["refresh_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no refresh token in {login}"))
        .to_owned()
}

/// The newcomer's verification token, from the mail `POST /auth/verify-email/resend` sends.
async fn verification_token(app: &TestApp, kit: &mut Kit, newcomer: &Member) -> String {
    let path = "/api/v1/auth/verify-email/resend";
    let res = request(app, Method::POST, path, Some(&newcomer.token), None, None).await;
    assert_eq!(res.status().as_u16(), 202, "asking for a verification mail");
    mailed_token(kit, &newcomer.email, "/verify-email")
}

fn alert_word(tag: &str) -> String {
    format!("alerte{tag}")
}
fn alert_name(tag: &str) -> String {
    format!("Alerte {tag}")
}

/// The buyer's unsubscribe tokens from the digest of a new listing matching their instant
/// search (one alerts round): the link of that search, and the one for every alert mail
/// (`List-Unsubscribe`, the one-click URL).
async fn unsubscribe_tokens(
    app: &TestApp,
    kit: &mut Kit,
    seller: &Member,
    buyer: &Member,
    tag: &str,
) -> (String, String) {
    let mut body = dr400();
    body["title"] = json!(format!("Robin DR400-140B {}", alert_word(tag)));
    let id = uuid_at(
        &ok(app, Method::POST, LISTINGS, &seller.token, Some(&body), 201).await,
        "/id",
    );
    let res = step(app, id, "publish", &seller.token).await;
    assert_eq!(res.status().as_u16(), 200, "publishing for the alert");
    run_alerts(app);
    let mail = kit.text(&format!(
        "SELECT body_text || E'\\n' || coalesce(list_unsubscribe, '') AS value FROM outbox \
         WHERE to_address = {} AND strpos(body_text, {}) > 0 ORDER BY created_at DESC, id DESC LIMIT 1",
        lit(&buyer.email),
        lit(&alert_name(tag))
    ));
    // The search's section comes first; the link for every alert mail ends the mail.
    let search = token_after(&mail, "/unsubscribe?token=");
    let all = token_after(&mail, "/unsubscribe/one-click?token=");
    match (search, all) {
        (Some(search), Some(all)) if search != all => (search, all),
        _ => panic!("no unsubscribe links in the digest: {mail}"),
    }
}

fn listing_is(kit: &mut Kit, id: Uuid, status: &str) -> Result<(), String> {
    let now = kit.text(&format!(
        "SELECT status AS value FROM listings WHERE id = '{id}'"
    ));
    (now == status)
        .then_some(())
        .ok_or_else(|| format!("listing {id} is {now}, not {status}"))
}

/// The members' ids as an SQL list.
fn sql_ids(members: &[&Member]) -> String {
    members
        .iter()
        .map(|m| format!("'{}'", m.id))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The emails of the members of `w` (see [`World::members`]) for whom `condition` holds.
fn members_where(kit: &mut Kit, w: &World, condition: &str) -> String {
    kit.text(&format!(
        "SELECT coalesce(string_agg(email, ', ' ORDER BY email), '') AS value FROM users \
         WHERE id IN ({}) AND ({condition})",
        sql_ids(&w.members())
    ))
}

fn reset_the_sellers_password_only(kit: &mut Kit, w: &World, _: &Value) -> Result<(), String> {
    let changed = members_where(
        kit,
        w,
        &format!("password_hash <> {}", lit(&kit.hash.clone())),
    );
    let logged_out = members_where(kit, w, "token_version <> 0");
    if changed == w.seller.email && logged_out == w.seller.email {
        Ok(())
    } else {
        Err(format!(
            "the reset changed the passwords of [{changed}] and ended the sessions of \
             [{logged_out}], not only the seller's"
        ))
    }
}

fn verified_the_newcomer_only(kit: &mut Kit, w: &World, _: &Value) -> Result<(), String> {
    // Everyone else was verified already: the newcomer must be now, and nothing else changed
    // (the write log says which tables; this says which account).
    let unverified = members_where(kit, w, "email_verified_at IS NULL");
    unverified
        .is_empty()
        .then_some(())
        .ok_or_else(|| format!("still unverified: {unverified}"))
}

/// The live tokens of the login the world's refresh token belongs to.
fn live_in_family(kit: &mut Kit, w: &World) -> String {
    let hash: String = hangar_api::auth::tokens::hash_token(&w.refresh_token)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    kit.text(&format!(
        "SELECT count(*)::text AS value FROM refresh_tokens WHERE revoked_at IS NULL AND family_id = \
         (SELECT family_id FROM refresh_tokens WHERE token_hash = decode('{hash}', 'hex'))"
    ))
}

fn refreshed_the_seller_once(kit: &mut Kit, w: &World, body: &Value) -> Result<(), String> {
    if body["user"]["id"] != json!(w.seller.id.to_string()) {
        return Err(format!("the new tokens are not the seller's: {body}"));
    }
    // Presenting the spent token again ended the login, the new token included.
    match live_in_family(kit, w).as_str() {
        "0" => Ok(()),
        live => Err(format!(
            "{live} tokens of the login still live after a reuse"
        )),
    }
}

fn ended_the_sellers_login(kit: &mut Kit, w: &World, _: &Value) -> Result<(), String> {
    match live_in_family(kit, w).as_str() {
        "0" => Ok(()),
        live => Err(format!("{live} tokens of the login still live")),
    }
}

fn turned_off_the_search_only(kit: &mut Kit, w: &World, _: &Value) -> Result<(), String> {
    let off = kit.text(&format!(
        "SELECT coalesce(string_agg(id::text, ', '), '') AS value FROM saved_searches \
         WHERE frequency = 'off' AND id IN ('{}', '{}')",
        w.alert_search, w.saved_search
    ));
    let muted = members_where(kit, w, "NOT notify_saved_searches");
    if off == w.alert_search.to_string() && muted.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "searches off: [{off}], alert mail off for [{muted}]: only the alert search should be"
        ))
    }
}

fn turned_off_the_buyers_alert_mail_only(
    kit: &mut Kit,
    w: &World,
    _: &Value,
) -> Result<(), String> {
    let muted = members_where(kit, w, "NOT notify_saved_searches");
    let off = kit.text(&format!(
        "SELECT count(*)::text AS value FROM saved_searches WHERE frequency = 'off' AND id = '{}'",
        w.alert_search
    ));
    if muted == w.buyer.email && off == "0" {
        Ok(())
    } else {
        Err(format!(
            "alert mail off for [{muted}], {off} searches off: only the buyer's mail should be"
        ))
    }
}
