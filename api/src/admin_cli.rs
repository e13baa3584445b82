//! `api create-admin`: the only way to grant the admin role without an admin.

use diesel::Connection;
use diesel::pg::PgConnection;
use uuid::Uuid;

use crate::auth::password;
use crate::db::users;
use crate::domain::normalise_email;

/// Promotes the account with `email` to admin, or creates it (verified, with the password
/// `read_password` returns). Returns a line for the operator.
pub fn create_admin(
    conn: &mut PgConnection,
    email: &str,
    name: &str,
    read_password: impl FnOnce() -> Result<String, String>,
) -> Result<String, String> {
    let email = normalise_email(email);
    if !validator::ValidateEmail::validate_email(&email) {
        return Err(format!("`{email}` is not a valid email address"));
    }
    let existing = users::find_by_email(conn, &email).map_err(|e| e.to_string())?;
    if let Some(user) = existing.filter(|u| u.status != "deleted") {
        conn.transaction(|conn| {
            users::set_role(conn, user.id, "admin")?;
            users::bump_token_version(conn, user.id)
        })
        .map_err(|e| e.to_string())?;
        return Ok(format!("{email} ({}) is now an administrator", user.id));
    }
    let password = read_password()?;
    if let Err(err) = password::check_strength("password", &password, &[&email, name]) {
        let problem = err.problem();
        let reasons: Vec<String> = problem.errors.into_values().flatten().collect();
        return Err(format!("password refused: {}", reasons.join("; ")));
    }
    let hash = password::hash_sync(&password).map_err(|e| e.to_string())?;
    let new = users::NewUser {
        id: Uuid::now_v7(),
        email: email.clone(),
        password_hash: hash,
        display_name: name.trim().to_owned(),
        locale: "fr".to_owned(),
        account_type: "private".to_owned(),
        company_name: None,
        company_registration: None,
        phone: None,
        role: "admin".to_owned(),
    };
    let user = conn
        .transaction(|conn| {
            let user = users::insert(conn, &new)?;
            users::mark_email_verified(conn, user.id)?;
            Ok::<_, diesel::result::Error>(user)
        })
        .map_err(|e| e.to_string())?;
    Ok(format!("created administrator {email} ({})", user.id))
}
