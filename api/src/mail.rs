//! Transactional mail: the texts (French and English) and their queuing in the outbox.

use diesel::QueryResult;
use diesel::pg::PgConnection;

use crate::db::outbox;
use crate::domain::Locale;

/// A link into the web app, where the page calls the API with the token.
fn link(base_url: &str, path: &str, token: &str) -> String {
    format!("{base_url}{path}?token={token}")
}

pub fn queue_verify_email(
    conn: &mut PgConnection,
    base_url: &str,
    to: &str,
    name: &str,
    locale: Locale,
    token: &str,
) -> QueryResult<uuid::Uuid> {
    let url = link(base_url, "/verify-email", token);
    let (subject, body) = match locale {
        Locale::Fr => (
            "Confirmez votre adresse email Hangar".to_owned(),
            format!(
                "Bonjour {name},\n\nConfirmez votre adresse email pour publier vos annonces sur Hangar :\n{url}\n\n\
                 Depuis un script : curl -X POST {base_url}/api/v1/auth/verify-email -H 'Content-Type: application/json' \
                 -d '{{\"token\":\"{token}\"}}'\n\nCe lien est valable 48 heures. Si vous n'avez pas créé de compte, ignorez ce message.\n\n-- Hangar\n"
            ),
        ),
        Locale::En => (
            "Confirm your Hangar email address".to_owned(),
            format!(
                "Hello {name},\n\nConfirm your email address to publish your listings on Hangar:\n{url}\n\n\
                 From a script: curl -X POST {base_url}/api/v1/auth/verify-email -H 'Content-Type: application/json' \
                 -d '{{\"token\":\"{token}\"}}'\n\nThis link is valid for 48 hours. If you did not create an account, ignore this message.\n\n-- Hangar\n"
            ),
        ),
    };
    outbox::queue(conn, to, subject, body)
}

pub fn queue_password_reset(
    conn: &mut PgConnection,
    base_url: &str,
    to: &str,
    name: &str,
    locale: Locale,
    token: &str,
) -> QueryResult<uuid::Uuid> {
    let url = link(base_url, "/reset-password", token);
    let (subject, body) = match locale {
        Locale::Fr => (
            "Réinitialisation de votre mot de passe Hangar".to_owned(),
            format!(
                "Bonjour {name},\n\nPour choisir un nouveau mot de passe, ouvrez ce lien (valable une heure, une seule fois) :\n{url}\n\n\
                 Toutes vos sessions seront fermées. Si vous n'avez rien demandé, ignorez ce message : votre mot de passe ne change pas.\n\n-- Hangar\n"
            ),
        ),
        Locale::En => (
            "Reset your Hangar password".to_owned(),
            format!(
                "Hello {name},\n\nTo choose a new password, open this link (valid for one hour, once):\n{url}\n\n\
                 All your sessions will be signed out. If you did not ask for this, ignore this message: your password stays the same.\n\n-- Hangar\n"
            ),
        ),
    };
    outbox::queue(conn, to, subject, body)
}
