//! Listing rules that sit between the HTTP layer and the rows: turning what a seller sends
//! into a row (category, attributes by group, airfield coordinates, searchable columns),
//! who may see what, the lifecycle, and the view a buyer reads.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::listings::{self as rows, Listing, ListingContent, Photo, StatusChange};
use crate::db::schema::{airfields, categories};
use crate::db::users::User;
use crate::domain::attributes::{self, Attributes};
use crate::domain::registration;
use crate::dto::listings::{
    Condition, ListingInput, ListingSummary, ListingView, Location, PhotoView, Price, PricePoint,
    SellerSummary,
};
use crate::error::{ApiError, FieldErrors};

/// How long a sold listing stays visible, marked sold.
pub const SOLD_VISIBLE_DAYS: i64 = 30;

fn field(field: &str, message: &str) -> ApiError {
    ApiError::field(field, message)
}

/// Reads a stored enum-like text back through serde, for the API types.
pub(crate) fn parse_text<T: serde::de::DeserializeOwned>(value: &str) -> Result<T, ApiError> {
    serde_json::from_value(serde_json::Value::String(value.to_owned())).map_err(ApiError::internal)
}

fn text_of<T: serde::Serialize>(value: &T) -> Result<String, ApiError> {
    match serde_json::to_value(value).map_err(ApiError::internal)? {
        serde_json::Value::String(s) => Ok(s),
        other => Err(ApiError::internal(format!("not a text enum: {other}"))),
    }
}

/// Validates the semantic parts of `input` against the database and builds the row content.
pub fn prepare(
    conn: &mut PgConnection,
    input: &ListingInput,
    seller: &User,
) -> Result<ListingContent, ApiError> {
    let category: Option<(Uuid, String, bool)> = categories::table
        .filter(categories::slug.eq(&input.category))
        .select((
            categories::id,
            categories::attribute_group,
            categories::active,
        ))
        .first(conn)
        .optional()?;
    let Some((category_id, group, true)) = category else {
        return Err(field(
            "category",
            "is not a category (see GET /api/v1/categories)",
        ));
    };
    let mut errors = FieldErrors::new();
    let parsed = match attributes::parse(&group, input.attributes.clone()) {
        Ok(a) => Some(a),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    if input.price.vat_included.is_some() && seller.account_type != "professional" {
        errors.insert(
            "price.vat_included".into(),
            vec!["is for professional sellers only".into()],
        );
    }
    let loc = &input.location;
    let mut location = (
        None,
        loc.city.clone(),
        loc.postcode.clone(),
        loc.country.clone(),
        loc.lat,
        loc.lon,
    );
    if let Some(icao) = &loc.airfield_icao {
        let icao = icao.trim().to_uppercase();
        let found: Option<(String, String, f64, f64)> = airfields::table
            .find(&icao)
            .select((
                airfields::icao,
                airfields::country,
                airfields::lat,
                airfields::lon,
            ))
            .first(conn)
            .optional()?;
        match found {
            Some((icao, country, lat, lon)) => {
                location = (
                    Some(icao),
                    loc.city.clone(),
                    loc.postcode.clone(),
                    Some(country),
                    Some(lat),
                    Some(lon),
                );
            }
            None => {
                errors.insert(
                    "location.airfield_icao".into(),
                    vec!["is not a known airfield".into()],
                );
            }
        }
    }
    if let Some(country) = &location.3
        && !(country.len() == 2 && country.chars().all(|c| c.is_ascii_uppercase()))
    {
        errors.insert(
            "location.country".into(),
            vec!["must be an ISO country code such as FR".into()],
        );
    }
    let Some(parsed) = parsed.filter(|_| errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };

    let mut content = ListingContent {
        category_id,
        title: input.title.clone(),
        description: input.description.clone(),
        price_amount: input.price.amount,
        currency: text_of(&input.price.currency)?,
        price_kind: text_of(&input.price.kind)?,
        vat_included: input.price.vat_included,
        condition: text_of(&input.condition)?,
        airfield_icao: location.0,
        city: location.1,
        postcode: location.2,
        country: location.3,
        lat: location.4,
        lon: location.5,
        show_phone: input.show_phone,
        make: None,
        model: None,
        year: None,
        registration: None,
        ttaf_hours: None,
        engine_hours: None,
        smoh_hours: None,
        tbo_hours: None,
        seats: None,
        ifr: None,
        fuel: None,
        attributes: serde_json::Value::Null,
    };
    let one_decimal = |h: Option<f64>| h.map(|v| (v * 10.0).round() / 10.0);
    let stored = match parsed {
        Attributes::Aircraft(mut a) => {
            a.registration = a.registration.as_deref().map(registration::normalise);
            content.make = Some(a.make.clone());
            content.model = Some(a.model.clone());
            content.year = a.year;
            content.registration = a.registration.clone();
            content.ttaf_hours = one_decimal(a.ttaf_hours);
            content.engine_hours = one_decimal(a.engine_hours_since_new);
            content.smoh_hours = one_decimal(a.engine_smoh);
            content.tbo_hours = one_decimal(a.engine_tbo_hours);
            content.seats = a.seats;
            content.ifr = Some(a.ifr);
            content.fuel = a.fuel.map(|f| text_of(&f)).transpose()?;
            serde_json::to_value(&a)
        }
        Attributes::Engine(e) => {
            content.make = Some(e.make.clone());
            content.model = Some(e.model.clone());
            content.engine_hours = one_decimal(e.hours_since_new);
            content.smoh_hours = one_decimal(e.smoh);
            content.tbo_hours = one_decimal(e.tbo_hours);
            serde_json::to_value(&e)
        }
        Attributes::Propeller(p) => {
            content.make = Some(p.make.clone());
            content.model = p.model.clone();
            serde_json::to_value(&p)
        }
        Attributes::Avionics(a) => {
            content.make = Some(a.brand.clone());
            content.model = Some(a.model.clone());
            serde_json::to_value(&a)
        }
        Attributes::Part(p) => {
            content.make = p.manufacturer.clone();
            serde_json::to_value(&p)
        }
        Attributes::Hangar(h) => serde_json::to_value(&h),
        Attributes::Share(s) => serde_json::to_value(&s),
        Attributes::Service(f) | Attributes::Equipment(f) => serde_json::to_value(&f),
    };
    // Unset optional attributes are left out rather than stored as nulls.
    let mut stored = stored.map_err(ApiError::internal)?;
    if let Some(map) = stored.as_object_mut() {
        map.retain(|_, v| !v.is_null());
    }
    content.attributes = stored;
    Ok(content)
}

/// The input a stored listing corresponds to, for merging partial updates.
pub fn input_of(conn: &mut PgConnection, listing: &Listing) -> Result<ListingInput, ApiError> {
    let category: String = categories::table
        .find(listing.category_id)
        .select(categories::slug)
        .first(conn)?;
    Ok(ListingInput {
        category,
        title: listing.title.clone(),
        description: listing.description.clone(),
        price: price_of(listing)?,
        condition: parse_text(&listing.condition)?,
        location: Location {
            airfield_icao: listing.airfield_icao.clone(),
            city: listing.city.clone(),
            postcode: listing.postcode.clone(),
            country: listing.country.clone(),
            lat: if listing.airfield_icao.is_some() {
                None
            } else {
                listing.lat
            },
            lon: if listing.airfield_icao.is_some() {
                None
            } else {
                listing.lon
            },
        },
        show_phone: listing.show_phone,
        attributes: listing.attributes.clone(),
        publish: false,
    })
}

fn price_of(listing: &Listing) -> Result<Price, ApiError> {
    Ok(Price {
        amount: listing.price_amount,
        currency: parse_text(listing.currency.trim())?,
        kind: parse_text(&listing.price_kind)?,
        vat_included: listing.vat_included,
    })
}

/// Whether `viewer` may read `listing`: anyone for public states, the seller and moderators
/// for the rest; deleted listings are gone for everyone.
/// Listings of suspended or deleted sellers are hidden from the public.
pub fn visible_to(listing: &Listing, seller_active: bool, viewer: Option<(Uuid, bool)>) -> bool {
    if listing.status == "deleted" {
        return false;
    }
    let public = seller_active
        && match listing.status.as_str() {
            "published" | "reserved" => true,
            "sold" => listing
                .sold_at
                .is_some_and(|at| at > Utc::now() - Duration::days(SOLD_VISIBLE_DAYS)),
            _ => false,
        };
    public || viewer.is_some_and(|(id, moderator)| moderator || id == listing.seller_id)
}

/// A lifecycle step a seller can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Publish,
    Reserve,
    Release,
    Sell,
    Withdraw,
    Renew,
}

impl Transition {
    pub fn name(self) -> &'static str {
        match self {
            Transition::Publish => "publish",
            Transition::Reserve => "reserve",
            Transition::Release => "release",
            Transition::Sell => "sell",
            Transition::Withdraw => "withdraw",
            Transition::Renew => "renew",
        }
    }

    /// The change from `from`, or `None` when the step does not apply.
    pub fn apply(self, from: &str) -> Option<StatusChange> {
        let now = Utc::now();
        let fresh_period = || Some(Some(now + Duration::days(rows::PUBLICATION_DAYS)));
        let to = |s: &str| Some(s.to_owned());
        match (self, from) {
            (Transition::Publish, "draft" | "withdrawn" | "rejected") => Some(StatusChange {
                status: to("published"),
                published_at: Some(Some(now)),
                expires_at: fresh_period(),
                expiry_reminder_sent_at: Some(None),
                rejection_note: Some(None),
                ..Default::default()
            }),
            (Transition::Renew, "published" | "expired") => Some(StatusChange {
                status: to("published"),
                expires_at: fresh_period(),
                expiry_reminder_sent_at: Some(None),
                ..Default::default()
            }),
            (Transition::Reserve, "published") => Some(StatusChange {
                status: to("reserved"),
                ..Default::default()
            }),
            (Transition::Release, "reserved") => Some(StatusChange {
                status: to("published"),
                ..Default::default()
            }),
            (Transition::Sell, "published" | "reserved") => Some(StatusChange {
                status: to("sold"),
                sold_at: Some(Some(now)),
                ..Default::default()
            }),
            (
                Transition::Withdraw,
                "draft" | "pending_review" | "rejected" | "published" | "reserved" | "expired",
            ) => Some(StatusChange {
                status: to("withdrawn"),
                ..Default::default()
            }),
            _ => None,
        }
    }
}

/// Whether pre-moderation holds this seller's publications: the setting is on, and the seller
/// is a plain member who never had a listing published (directly or approved).
pub fn held_for_review(
    conn: &mut PgConnection,
    premoderate: bool,
    seller: &User,
) -> QueryResult<bool> {
    if !premoderate || seller.role != crate::domain::Role::User.as_str() {
        return Ok(false);
    }
    use crate::db::schema::users;
    let first: Option<chrono::DateTime<Utc>> = users::table
        .find(seller.id)
        .select(users::first_published_at)
        .first(conn)?;
    Ok(first.is_none())
}

/// A publish step held for review: the listing waits in `pending_review` instead, with
/// nothing of a publication (date, expiry) until a moderator approves it.
pub fn held(from_publish: StatusChange) -> StatusChange {
    StatusChange {
        status: Some("pending_review".into()),
        submitted_at: Some(Some(Utc::now())),
        rejection_note: from_publish.rejection_note,
        ..Default::default()
    }
}

pub fn photo_view(photo: &Photo) -> PhotoView {
    let urls = photo
        .widths
        .iter()
        .map(|w| {
            let path = crate::media::relative_path(photo.sha256.trim(), *w as u32);
            (w.to_string(), format!("/media/{}", path.to_string_lossy()))
        })
        .collect();
    PhotoView {
        id: photo.id,
        position: photo.position,
        width: photo.width,
        height: photo.height,
        urls,
    }
}

/// What a buyer reads.
pub fn view(
    conn: &mut PgConnection,
    listing: Listing,
    seller: &User,
) -> Result<ListingView, ApiError> {
    views(conn, vec![listing], seller)?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal("a listing without its view"))
}

/// What a buyer reads of several listings of one seller, in three statements whatever their
/// number (the account export holds every listing of a professional seller).
pub fn views(
    conn: &mut PgConnection,
    listings: Vec<Listing>,
    seller: &User,
) -> Result<Vec<ListingView>, ApiError> {
    let ids: Vec<Uuid> = listings.iter().map(|l| l.id).collect();
    let category_ids: Vec<Uuid> = listings.iter().map(|l| l.category_id).collect();
    let slugs: Vec<(Uuid, String)> = categories::table
        .filter(categories::id.eq_any(&category_ids))
        .select((categories::id, categories::slug))
        .load(conn)?;
    let mut photos: HashMap<Uuid, Vec<Photo>> = HashMap::new();
    for photo in rows::photos_of(conn, &ids)? {
        photos.entry(photo.listing_id).or_default().push(photo);
    }
    let mut histories: HashMap<Uuid, Vec<rows::PricePoint>> = HashMap::new();
    for (id, point) in rows::price_histories(conn, &ids)? {
        histories.entry(id).or_default().push(point);
    }
    listings
        .into_iter()
        .map(|listing| {
            let category = slugs
                .iter()
                .find(|(id, _)| *id == listing.category_id)
                .map(|(_, slug)| slug.clone())
                .ok_or(diesel::result::Error::NotFound)?;
            let own = photos.remove(&listing.id).unwrap_or_default();
            let history = histories.remove(&listing.id).unwrap_or_default();
            view_of(listing, seller, category, &own, history)
        })
        .collect()
}

fn view_of(
    listing: Listing,
    seller: &User,
    category: String,
    photos: &[Photo],
    history: Vec<rows::PricePoint>,
) -> Result<ListingView, ApiError> {
    let price_dropped = match (
        history.iter().filter_map(|p| p.amount).max(),
        listing.price_amount,
    ) {
        (Some(highest), Some(now)) => now < highest,
        _ => false,
    };
    Ok(ListingView {
        id: listing.id,
        status: listing.status.clone(),
        category,
        title: listing.title.clone(),
        description: listing.description.clone(),
        price: price_of(&listing)?,
        condition: parse_text::<Condition>(&listing.condition)?,
        location: Location {
            airfield_icao: listing.airfield_icao.clone(),
            city: listing.city.clone(),
            postcode: listing.postcode.clone(),
            country: listing.country.clone(),
            lat: listing.lat,
            lon: listing.lon,
        },
        show_phone: listing.show_phone,
        attributes: listing.attributes.clone(),
        hours_to_tbo: listing.hours_to_tbo,
        seller: SellerSummary {
            id: seller.id,
            display_name: seller.display_name.clone(),
            professional: seller.account_type == "professional",
            company_name: seller.company_name.clone(),
            phone: if listing.show_phone {
                seller.phone.clone()
            } else {
                None
            },
        },
        photos: photos.iter().map(photo_view).collect(),
        price_history: history
            .into_iter()
            .map(|p| PricePoint {
                amount: p.amount,
                currency: p.currency.map(|c| c.trim().to_owned()),
                since: p.at,
            })
            .collect(),
        price_dropped,
        version: listing.version,
        view_count: listing.view_count,
        favourite_count: listing.favourite_count,
        created_at: listing.created_at,
        updated_at: listing.updated_at,
        published_at: listing.published_at,
        expires_at: listing.expires_at,
        sold_at: listing.sold_at,
        submitted_at: pending_since(&listing),
        rejection_note: rejection_note(&listing),
    })
}

fn pending_since(listing: &Listing) -> Option<chrono::DateTime<Utc>> {
    listing
        .submitted_at
        .filter(|_| listing.status == "pending_review")
}

fn rejection_note(listing: &Listing) -> Option<String> {
    listing
        .rejection_note
        .clone()
        .filter(|_| listing.status == "rejected")
}

/// Lists with their covers, in one query for the covers.
pub fn summaries(
    conn: &mut PgConnection,
    listings: Vec<Listing>,
) -> Result<Vec<ListingSummary>, ApiError> {
    let ids: Vec<Uuid> = listings.iter().map(|l| l.id).collect();
    let covers = rows::covers(conn, &ids)?;
    listings
        .into_iter()
        .map(|l| {
            Ok(ListingSummary {
                id: l.id,
                version: l.version,
                status: l.status.clone(),
                title: l.title.clone(),
                price: price_of(&l)?,
                airfield_icao: l.airfield_icao.clone(),
                city: l.city.clone(),
                cover: covers.iter().find(|p| p.listing_id == l.id).map(photo_view),
                created_at: l.created_at,
                published_at: l.published_at,
                expires_at: l.expires_at,
                submitted_at: pending_since(&l),
                rejection_note: rejection_note(&l),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_allows_only_the_documented_steps() {
        use Transition::*;
        let cases: &[(Transition, &str, Option<&str>)] = &[
            (Publish, "draft", Some("published")),
            (Publish, "published", None),
            (Reserve, "published", Some("reserved")),
            (Reserve, "draft", None),
            (Release, "reserved", Some("published")),
            (Sell, "reserved", Some("sold")),
            (Sell, "draft", None),
            (Withdraw, "sold", None),
            (Withdraw, "expired", Some("withdrawn")),
            (Withdraw, "pending_review", Some("withdrawn")),
            (Withdraw, "rejected", Some("withdrawn")),
            (Publish, "rejected", Some("published")),
            (Publish, "pending_review", None),
            (Publish, "hidden", None),
            (Renew, "pending_review", None),
            (Renew, "expired", Some("published")),
            (Renew, "sold", None),
        ];
        for (t, from, to) in cases {
            let got = t.apply(from).and_then(|c| c.status);
            assert_eq!(got.as_deref(), *to, "{} from {from}", t.name());
        }
    }
}
