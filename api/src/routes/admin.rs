//! `/api/v1/admin`: account administration, for the admin role only.

use actix_web::{get, post, put, web};
use chrono::{DateTime, Utc};
use diesel::Connection;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::db::moderation::{self as audit_rows, NewAudit};
use crate::db::{self, access_tokens, sessions, users};
use crate::domain::{AuditAction, Role};
use crate::dto::admin::{AdminUser, AdminUserPage, RoleRequest, SuspendRequest, UserListQuery};
use crate::error::{ApiError, FieldErrors, Problem};
use crate::extract::{ValidJson, ValidQuery};
use crate::startup::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_users)
        .service(suspend_user)
        .service(reinstate_user)
        .service(set_role);
}

/// Opaque keyset cursor: the last row's creation time and id (see `hangar_parse::cursor`).
pub(crate) fn encode_cursor(created_at: DateTime<Utc>, id: Uuid) -> String {
    hangar_parse::cursor::encode_list(created_at, id)
}

/// Keeps the first `limit` rows of a keyset page read with one row more (`limit + 1`) and
/// answers the `next_cursor`: the position (`key`) of the last row kept when there was more,
/// `None` on the last page (or when that row has no position).
pub(crate) fn next_page<T>(
    found: &mut Vec<T>,
    limit: i64,
    key: impl Fn(&T) -> Option<(DateTime<Utc>, Uuid)>,
) -> Option<String> {
    if found.len() as i64 <= limit {
        return None;
    }
    found.truncate(limit as usize);
    let (at, id) = found.last().and_then(key)?;
    Some(encode_cursor(at, id))
}

/// Reads a list's `cursor` parameter; a 422 for anything [`encode_cursor`] did not write.
pub(crate) fn decode_cursor(cursor: &str) -> Result<(DateTime<Utc>, Uuid), ApiError> {
    hangar_parse::cursor::decode_list(cursor)
        .ok_or_else(|| ApiError::field("cursor", "is not a cursor from this list"))
}

/// Accounts, newest first, filtered by text, role and status.
#[utoipa::path(
    tag = "admin",
    operation_id = "admin_list_users",
    security(("bearer" = [])),
    params(UserListQuery),
    responses(
        (status = 200, description = "A page of accounts.", body = AdminUserPage,
         links(
             ("admin_suspend_user" = (operation_id = "admin_suspend_user", parameters(("id" = "$response.body#/items/0/id")), description = "Suspend the newest account.")),
             ("admin_reinstate_user" = (operation_id = "admin_reinstate_user", parameters(("id" = "$response.body#/items/0/id")), description = "Reinstate it.")),
             ("admin_set_role" = (operation_id = "admin_set_role", parameters(("id" = "$response.body#/items/0/id")), description = "Change its role.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter, limit or cursor, or an unknown parameter.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    user: AuthUser,
    query: ValidQuery<UserListQuery>,
) -> Result<web::Json<AdminUserPage>, ApiError> {
    user.require_session()?;
    user.require_role(Role::Admin)?;
    let ValidQuery(query) = query;
    let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
    let limit = i64::from(query.limit.unwrap_or(20));
    let filter = users::UserFilter {
        text: query.q,
        role: query.role.map(|r| r.as_str().to_owned()),
        status: query.status.map(|s| s.as_str().to_owned()),
    };
    let (mut rows, total) = db::run(&state.pool, move |conn| {
        let rows = users::list(conn, &filter, after, limit + 1)?;
        let total = users::count(conn, &filter)?;
        Ok::<_, diesel::result::Error>((rows, total))
    })
    .await?;
    let next_cursor = next_page(&mut rows, limit, |u| Some((u.created_at, u.id)));
    Ok(web::Json(AdminUserPage {
        items: rows
            .into_iter()
            .map(AdminUser::try_from)
            .collect::<Result<_, _>>()?,
        next_cursor,
        total_estimate: total,
    }))
}

fn not_yourself(admin: &AuthUser, target: Uuid, what: &str) -> Result<(), ApiError> {
    if admin.id == target {
        Err(ApiError::Conflict {
            detail: format!("You cannot {what} your own account."),
            errors: FieldErrors::new(),
        })
    } else {
        Ok(())
    }
}

fn no_such_user() -> ApiError {
    ApiError::NotFound("No such account.".into())
}

/// Writes an administrator's account action to the moderation audit log.
fn audit(
    conn: &mut diesel::PgConnection,
    admin: Uuid,
    action: AuditAction,
    target: Uuid,
    note: Option<&str>,
) -> diesel::QueryResult<()> {
    audit_rows::audit(
        conn,
        &NewAudit {
            id: Uuid::now_v7(),
            moderator_id: admin,
            action: action.as_str(),
            listing_id: None,
            target_user_id: Some(target),
            reports: 0,
            note,
        },
    )
    .map(|_| ())
}

/// Suspends account `id` (inside the caller's transaction): its status, its sessions and
/// tokens. 404 for no such account, 409 for a deleted one. Shared with moderation.
pub(crate) fn suspend(conn: &mut diesel::PgConnection, id: Uuid) -> Result<users::User, ApiError> {
    match users::find(conn, id)? {
        None => return Err(no_such_user()),
        Some(u) if u.status == "deleted" => {
            return Err(ApiError::Conflict {
                detail: "This account is deleted.".into(),
                errors: FieldErrors::new(),
            });
        }
        Some(_) => {}
    }
    let user = users::set_status(conn, id, "suspended")?.ok_or_else(no_such_user)?;
    users::bump_token_version(conn, id)?;
    sessions::revoke_all_for_user(conn, id)?;
    // Tokens die for good: reinstatement does not bring them back.
    access_tokens::revoke_all_for_user(conn, id)?;
    Ok(user)
}

/// Suspend an account: the user cannot log in, every session and personal access token dies
/// at once (and stays dead after a reinstatement), and their public profile disappears. The
/// reason goes to the moderation audit log (`suspend_user`).
#[utoipa::path(
    tag = "admin",
    operation_id = "admin_suspend_user",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The account's id")),
    request_body = SuspendRequest,
    responses(
        (status = 200, description = "Suspended.", body = AdminUser,
         links(
             ("admin_reinstate_user" = (operation_id = "admin_reinstate_user", parameters(("id" = "$response.body#/id")), description = "Reinstate the account.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Your own account, or a deleted one.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/suspend")]
pub async fn suspend_user(
    state: web::Data<AppState>,
    admin: AuthUser,
    id: web::Path<Uuid>,
    body: ValidJson<SuspendRequest>,
) -> Result<web::Json<AdminUser>, ApiError> {
    admin.require_session()?;
    admin.require_role(Role::Admin)?;
    let id = id.into_inner();
    not_yourself(&admin, id, "suspend")?;
    let (me, reason) = (admin.id, body.0.reason.clone());
    let updated = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let user = suspend(conn, id)?;
            audit(conn, me, AuditAction::SuspendUser, id, Some(&reason))?;
            Ok::<_, ApiError>(user)
        })
    })
    .await?;
    log::info!(
        "admin {} suspended account {id}: {}",
        admin.id,
        body.0.reason
    );
    Ok(web::Json(AdminUser::try_from(updated)?))
}

/// Lift a suspension. The user logs in again; old sessions stay dead. Written to the
/// moderation audit log (`reinstate_user`).
#[utoipa::path(
    tag = "admin",
    operation_id = "admin_reinstate_user",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The account's id")),
    responses(
        (status = 200, description = "Active again.", body = AdminUser,
         links(
             ("admin_suspend_user" = (operation_id = "admin_suspend_user", parameters(("id" = "$response.body#/id")), description = "Suspend it again.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/reinstate")]
pub async fn reinstate_user(
    state: web::Data<AppState>,
    admin: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<AdminUser>, ApiError> {
    admin.require_session()?;
    admin.require_role(Role::Admin)?;
    let id = id.into_inner();
    let me = admin.id;
    let updated = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let Some(user) = users::set_status(conn, id, "active")? else {
                return Ok(None);
            };
            audit(conn, me, AuditAction::ReinstateUser, id, None)?;
            Ok::<_, diesel::result::Error>(Some(user))
        })
    })
    .await?
    .ok_or_else(no_such_user)?;
    log::info!("admin {} reinstated account {id}", admin.id);
    Ok(web::Json(AdminUser::try_from(updated)?))
}

/// Change an account's role. Its sessions end, so the new role applies at once. Written to
/// the moderation audit log (`change_role`, the note saying from which role to which).
#[utoipa::path(
    tag = "admin",
    operation_id = "admin_set_role",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The account's id")),
    request_body = RoleRequest,
    responses(
        (status = 200, description = "The account with its new role.", body = AdminUser),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Your own role.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown role.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/users/{id}/role")]
pub async fn set_role(
    state: web::Data<AppState>,
    admin: AuthUser,
    id: web::Path<Uuid>,
    body: ValidJson<RoleRequest>,
) -> Result<web::Json<AdminUser>, ApiError> {
    admin.require_session()?;
    admin.require_role(Role::Admin)?;
    let id = id.into_inner();
    not_yourself(&admin, id, "change the role of")?;
    let (role, me) = (body.0.role, admin.id);
    let updated = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let Some(before) = users::find(conn, id)? else {
                return Ok(None);
            };
            let Some(user) = users::set_role(conn, id, role.as_str())? else {
                return Ok(None);
            };
            let note = format!("Role: {} → {role}.", before.role);
            audit(conn, me, AuditAction::ChangeRole, id, Some(&note))?;
            users::bump_token_version(conn, id)?;
            sessions::revoke_all_for_user(conn, id)?;
            Ok::<_, diesel::result::Error>(Some(user))
        })
    })
    .await?
    .ok_or_else(no_such_user)?;
    log::info!("admin {} set the role of account {id} to {role}", admin.id);
    Ok(web::Json(AdminUser::try_from(updated)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let now =
            DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).unwrap_or_default();
        let id = Uuid::now_v7();
        let decoded = decode_cursor(&encode_cursor(now, id)).ok();
        assert_eq!(decoded, Some((now, id)));
        for bad in [
            "",
            "!!!",
            "bm90IGEgY3Vyc29y",
            &URL_SAFE_NO_PAD.encode("12|not-a-uuid"),
        ] {
            assert!(decode_cursor(bad).is_err(), "{bad}");
        }
    }
}
