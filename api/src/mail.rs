//! Transactional mail: the texts (French and English) and their queuing in the outbox.

use diesel::QueryResult;
use diesel::pg::PgConnection;

use crate::db::outbox;
use crate::domain::{AlertFrequency, Locale};

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

/// A mail to a seller about one of their listings, in their language: who gets it, and the
/// listing it is about.
pub struct ListingMail<'a> {
    pub base_url: &'a str,
    pub to: &'a str,
    pub name: &'a str,
    pub locale: Locale,
    pub listing: uuid::Uuid,
    pub title: &'a str,
}

impl ListingMail<'_> {
    /// The listing's page in the web app.
    fn url(&self) -> String {
        format!("{}/listings/{}", self.base_url, self.listing)
    }

    /// Queues the subject and text of the seller's language, the text between the greeting
    /// and the signature every listing mail shares.
    fn queue(
        &self,
        conn: &mut PgConnection,
        fr: (String, String),
        en: (String, String),
    ) -> QueryResult<uuid::Uuid> {
        let name = self.name;
        let (subject, body) = match self.locale {
            Locale::Fr => (fr.0, format!("Bonjour {name},\n\n{}\n\n-- Hangar\n", fr.1)),
            Locale::En => (en.0, format!("Hello {name},\n\n{}\n\n-- Hangar\n", en.1)),
        };
        outbox::queue(conn, self.to, subject, body)
    }
}

/// The listing expires on `date` (within days): renew it to keep it online.
pub fn queue_expiry_reminder(
    conn: &mut PgConnection,
    mail: &ListingMail,
    date: &str,
) -> QueryResult<uuid::Uuid> {
    let (title, url) = (mail.title, mail.url());
    mail.queue(
        conn,
        (
            format!("Votre annonce « {title} » expire le {date}"),
            format!(
                "Votre annonce « {title} » expire le {date}. Pour la garder en ligne 60 jours de plus, \
                 renouvelez-la depuis « Mes annonces » :\n{url}"
            ),
        ),
        (
            format!("Your listing \"{title}\" expires on {date}"),
            format!(
                "Your listing \"{title}\" expires on {date}. To keep it online for another 60 days, \
                 renew it from \"My listings\":\n{url}"
            ),
        ),
    )
}

/// A moderator took one of the seller's listings off the site.
pub fn queue_listing_hidden(
    conn: &mut PgConnection,
    mail: &ListingMail,
) -> QueryResult<uuid::Uuid> {
    let (title, url) = (mail.title, mail.url());
    mail.queue(
        conn,
        (
            format!("Votre annonce « {title} » a été masquée"),
            format!(
                "À la suite de signalements, un modérateur a masqué votre annonce « {title} » : \
                 elle n'apparaît plus dans les recherches et seuls vous et l'équipe de modération la voyez encore.\n{url}\n\n\
                 Si vous pensez qu'il s'agit d'une erreur, écrivez à l'équipe Hangar."
            ),
        ),
        (
            format!("Your listing \"{title}\" was hidden"),
            format!(
                "Following reports, a moderator hid your listing \"{title}\": \
                 it no longer appears in searches, and only you and the moderators can still see it.\n{url}\n\n\
                 If you think this is a mistake, write to the Hangar team."
            ),
        ),
    )
}

/// A moderator refused to publish one of the seller's listings, and says why.
pub fn queue_listing_rejected(
    conn: &mut PgConnection,
    mail: &ListingMail,
    note: &str,
) -> QueryResult<uuid::Uuid> {
    let (title, url) = (mail.title, mail.url());
    let quoted = note
        .lines()
        .map(|l| format!("> {l}"))
        .collect::<Vec<_>>()
        .join("\n");
    mail.queue(
        conn,
        (
            format!("Votre annonce « {title} » n'a pas été publiée"),
            format!(
                "Un modérateur a relu votre annonce « {title} » et ne l'a pas publiée, pour la raison suivante :\n\n{quoted}\n\n\
                 Vous pouvez la modifier puis la soumettre à nouveau depuis « Mes annonces » :\n{url}"
            ),
        ),
        (
            format!("Your listing \"{title}\" was not published"),
            format!(
                "A moderator reviewed your listing \"{title}\" and did not publish it, for this reason:\n\n{quoted}\n\n\
                 You can edit it and submit it again from \"My listings\":\n{url}"
            ),
        ),
    )
}

/// A moderator put back one of the seller's listings they had hidden.
pub fn queue_listing_restored(
    conn: &mut PgConnection,
    mail: &ListingMail,
) -> QueryResult<uuid::Uuid> {
    let (title, url) = (mail.title, mail.url());
    mail.queue(
        conn,
        (
            format!("Votre annonce « {title} » est rétablie"),
            format!(
                "Un modérateur a rétabli votre annonce « {title} », qu'il avait masquée : \
                 elle retrouve l'état qu'elle avait avant (expirée si sa date de fin est passée entre-temps).\n{url}"
            ),
        ),
        (
            format!("Your listing \"{title}\" is back"),
            format!(
                "A moderator restored your listing \"{title}\", which they had hidden: \
                 it is back as it was before (expired if its end date passed meanwhile).\n{url}"
            ),
        ),
    )
}

/// A new message in a conversation: who wrote, about which listing, the text (cut at 1,000
/// characters) and a link to the conversation.
#[allow(clippy::too_many_arguments)]
pub fn queue_new_message(
    conn: &mut PgConnection,
    base_url: &str,
    to: &str,
    name: &str,
    locale: Locale,
    sender: &str,
    listing_title: &str,
    conversation: uuid::Uuid,
    text: &str,
) -> QueryResult<uuid::Uuid> {
    let url = format!("{base_url}/messages/{conversation}");
    let mut excerpt: String = text.chars().take(1_000).collect();
    if excerpt.len() < text.len() {
        excerpt.push('…');
    }
    let quoted = excerpt
        .lines()
        .map(|l| format!("> {l}"))
        .collect::<Vec<_>>()
        .join("\n");
    let (subject, body) = match locale {
        Locale::Fr => (
            format!("Nouveau message de {sender} : « {listing_title} »"),
            format!(
                "Bonjour {name},\n\n{sender} vous a écrit à propos de « {listing_title} » :\n\n{quoted}\n\n\
                 Répondez depuis votre messagerie Hangar (votre adresse n'est jamais transmise) :\n{url}\n\n\
                 Vous ne recevrez pas d'autre e-mail pour cette conversation avant de l'avoir lue ou pendant 15 minutes. \
                 Pour ne plus être prévenu par e-mail des messages, décochez « Messages » dans vos préférences.\n\n-- Hangar\n"
            ),
        ),
        Locale::En => (
            format!("New message from {sender}: \"{listing_title}\""),
            format!(
                "Hello {name},\n\n{sender} wrote to you about \"{listing_title}\":\n\n{quoted}\n\n\
                 Reply from your Hangar messages (your address is never shared):\n{url}\n\n\
                 You will get no other email about this conversation until you read it or for 15 minutes. \
                 To stop message emails, turn off \"Messages\" in your preferences.\n\n-- Hangar\n"
            ),
        ),
    };
    outbox::queue(conn, to, subject, body)
}

/// A listing in an alert digest.
#[derive(Debug, Clone)]
pub struct DigestItem {
    pub title: String,
    /// Minor units; `None` when the price is on request.
    pub amount: Option<i64>,
    pub currency: String,
    /// Price drops: the price before.
    pub previous_amount: Option<i64>,
    pub url: String,
}

/// A part of a digest: the new listings of one saved search (`search_name`), or the price
/// drops of favourites (`None`).
#[derive(Debug, Clone)]
pub struct DigestSection {
    pub search_name: Option<String>,
    pub items: Vec<DigestItem>,
    /// Items left out of `items`.
    pub more: usize,
    /// Turns this saved search off.
    pub unsubscribe_url: Option<String>,
}

/// `6500000` EUR as `65 000 EUR` (French) or `65,000 EUR` (English), with cents when there
/// are some.
pub fn format_money(amount: i64, currency: &str, locale: Locale) -> String {
    let (group, decimal) = match locale {
        Locale::Fr => (' ', ','),
        Locale::En => (',', '.'),
    };
    let units = (amount / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push(group);
        }
        grouped.push(c);
    }
    let cents = amount % 100;
    if cents != 0 {
        grouped.push(decimal);
        grouped.push_str(&format!("{cents:02}"));
    }
    format!("{grouped} {currency}")
}

fn price_text(amount: Option<i64>, currency: &str, locale: Locale) -> String {
    match (amount, locale) {
        (Some(a), _) => format_money(a, currency, locale),
        (None, Locale::Fr) => "prix sur demande".to_owned(),
        (None, Locale::En) => "price on request".to_owned(),
    }
}

/// One digest of alerts: the new listings of the member's saved searches of one frequency
/// and (in daily digests) the price drops of their favourites, with an unsubscribe link per
/// saved search and one for every alert mail; `one_click_url` goes to the `List-Unsubscribe`
/// header (RFC 8058).
#[allow(clippy::too_many_arguments)]
pub fn queue_alert_digest(
    conn: &mut PgConnection,
    base_url: &str,
    to: &str,
    name: &str,
    locale: Locale,
    frequency: AlertFrequency,
    sections: &[DigestSection],
    unsubscribe_all_url: &str,
    one_click_url: &str,
) -> QueryResult<uuid::Uuid> {
    let count = |drops: bool| -> usize {
        sections
            .iter()
            .filter(|s| s.search_name.is_none() == drops)
            .map(|s| s.items.len() + s.more)
            .sum()
    };
    let (matches, drops) = (count(false), count(true));
    let plural = |n: usize| if n > 1 { "s" } else { "" };
    let subject = match locale {
        Locale::Fr => {
            let m = format!("{matches} nouvelle{0} annonce{0}", plural(matches));
            let d = format!("{drops} baisse{} de prix", plural(drops));
            match (matches, drops) {
                (_, 0) => format!("Hangar : {m} pour vos recherches"),
                (0, _) => format!("Hangar : {d} sur vos favoris"),
                _ => format!("Hangar : {m} et {d}"),
            }
        }
        Locale::En => {
            let m = format!("{matches} new listing{}", plural(matches));
            let d = format!("{drops} price drop{}", plural(drops));
            match (matches, drops) {
                (_, 0) => format!("Hangar: {m} for your saved searches"),
                (0, _) => format!("Hangar: {d} on your favourites"),
                _ => format!("Hangar: {m} and {d}"),
            }
        }
    };
    let mut body = match locale {
        Locale::Fr => format!("Bonjour {name},\n\n"),
        Locale::En => format!("Hello {name},\n\n"),
    };
    body.push_str(match (frequency, locale) {
        (AlertFrequency::Daily, Locale::Fr) => "Votre résumé du jour.\n\n",
        (AlertFrequency::Daily, Locale::En) => "Your daily summary.\n\n",
        (AlertFrequency::Weekly, Locale::Fr) => "Votre résumé de la semaine.\n\n",
        (AlertFrequency::Weekly, Locale::En) => "Your weekly summary.\n\n",
        _ => "",
    });
    for section in sections {
        body.push_str(&match (&section.search_name, locale) {
            (Some(search), Locale::Fr) => format!("Nouvelles annonces pour « {search} » :\n"),
            (Some(search), Locale::En) => format!("New listings for \"{search}\":\n"),
            (None, Locale::Fr) => "Baisses de prix sur vos favoris :\n".to_owned(),
            (None, Locale::En) => "Price drops on your favourites:\n".to_owned(),
        });
        for item in &section.items {
            let now = price_text(item.amount, &item.currency, locale);
            let price = match item.previous_amount {
                Some(before) => format!("{} → {now}", format_money(before, &item.currency, locale)),
                None => now,
            };
            body.push_str(&format!("- {} — {price}\n  {}\n", item.title, item.url));
        }
        if section.more > 0 {
            body.push_str(&match locale {
                Locale::Fr => format!("… et {} autre{}.\n", section.more, plural(section.more)),
                Locale::En => format!("… and {} more.\n", section.more),
            });
        }
        if let Some(url) = &section.unsubscribe_url {
            body.push_str(&match locale {
                Locale::Fr => format!("Ne plus recevoir d'alertes pour cette recherche :\n{url}\n"),
                Locale::En => format!("Stop alerts for this search:\n{url}\n"),
            });
        }
        body.push('\n');
    }
    body.push_str(&match locale {
        Locale::Fr => format!(
            "Toutes vos notifications : {base_url}/notifications\n\
             Ne plus recevoir aucun e-mail d'alerte :\n{unsubscribe_all_url}\n\n-- Hangar\n"
        ),
        Locale::En => format!(
            "All your notifications: {base_url}/notifications\n\
             Stop every alert email:\n{unsubscribe_all_url}\n\n-- Hangar\n"
        ),
    });
    outbox::queue_with_unsubscribe(conn, to, subject, body, Some(one_click_url))
}

/// Delivers the outbox: every `interval`, leases due mails, sends them over SMTP (or, without
/// `SMTP_URL` in development, writes them to the log) and records the outcome. Failed mails
/// are retried with exponential backoff; several API replicas can run senders side by side.
pub struct Sender {
    pool: crate::db::PgPool,
    transport: Option<lettre::SmtpTransport>,
    from: lettre::message::Mailbox,
    log_instead: bool,
}

/// Mails taken per round.
const BATCH: i64 = 20;

impl Sender {
    pub fn new(
        pool: crate::db::PgPool,
        settings: &crate::config::Settings,
    ) -> Result<Self, String> {
        let transport = match &settings.mail.smtp_url {
            Some(url) => Some(
                lettre::SmtpTransport::from_url(url)
                    .map_err(|e| format!("SMTP_URL is invalid: {e}"))?
                    .timeout(Some(std::time::Duration::from_secs(10)))
                    .build(),
            ),
            None => None,
        };
        let from = settings
            .mail
            .from
            .parse()
            .map_err(|e| format!("MAIL_FROM is invalid: {e}"))?;
        let log_instead =
            transport.is_none() && settings.environment == crate::config::Environment::Development;
        if transport.is_none() && !log_instead {
            log::warn!("SMTP_URL is not set: mail stays queued in the outbox until it is");
        }
        Ok(Sender {
            pool,
            transport,
            from,
            log_instead,
        })
    }

    /// One round; returns how many mails were delivered.
    pub async fn run_once(&self) -> Result<usize, crate::error::ApiError> {
        if self.transport.is_none() && !self.log_instead {
            return Ok(0);
        }
        let due = crate::db::run(&self.pool, |conn| {
            outbox::lease_due(conn, BATCH, chrono::Duration::minutes(5))
        })
        .await?;
        let mut delivered = 0;
        for mail in due {
            let outcome = self.deliver(&mail).await;
            let id = mail.id;
            match outcome {
                Ok(()) => {
                    crate::db::run(&self.pool, move |conn| outbox::mark_sent(conn, id)).await?;
                    delivered += 1;
                }
                Err(error) => {
                    log::warn!(
                        "mail {id} to {} failed (attempt {}): {error}",
                        mail.to_address,
                        mail.attempts + 1
                    );
                    let attempts = mail.attempts;
                    crate::db::run(&self.pool, move |conn| {
                        outbox::mark_failed(conn, id, attempts, &error)
                    })
                    .await?;
                }
            }
        }
        Ok(delivered)
    }

    async fn deliver(&self, mail: &outbox::Mail) -> Result<(), String> {
        if self.log_instead {
            log::info!(
                "mail (development, not sent) to {}\nSubject: {}\n\n{}",
                mail.to_address,
                mail.subject,
                mail.body_text
            );
            return Ok(());
        }
        let to: lettre::message::Mailbox = mail
            .to_address
            .parse()
            .map_err(|e| format!("bad address: {e}"))?;
        let mut builder = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .header(lettre::message::header::ContentType::TEXT_PLAIN);
        if let Some(url) = &mail.list_unsubscribe {
            // RFC 2369 and RFC 8058: the mail client's own unsubscribe button, one click.
            use lettre::message::header::{HeaderName, HeaderValue};
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        let message = builder
            .body(mail.body_text.clone())
            .map_err(|e| format!("cannot build the message: {e}"))?;
        let transport = self.transport.clone().ok_or("no SMTP transport")?;
        actix_web::web::block(move || lettre::Transport::send(&transport, &message).map(|_| ()))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())
    }

    /// Runs rounds every `interval` until the task is aborted.
    pub fn spawn(self, interval: std::time::Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                if let Err(err) = self.run_once().await {
                    log::warn!("outbox round failed: {err}");
                }
            }
        })
    }
}
