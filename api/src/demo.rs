//! `api seed --demo`: a believable marketplace for local use and demos: demo sellers (private
//! and professional, verified), ~300 listings across the categories with real makes and
//! models, plausible hours and prices, French and English texts, located at real airfields,
//! with generated photos. Deterministic (fixed random seed) and idempotent: it does nothing
//! when the demo sellers exist.

use chrono::{Duration, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::db::listings::{self as rows, ListingContent, NewEvent, Photo};
use crate::db::schema::{airfields, categories, listings as listings_table, users};
use crate::db::users::{self as user_rows, NewUser};

/// Password of every demo account (they are only for local use).
pub const DEMO_PASSWORD: &str = "Hangar demo: vol de nuit sur la Beauce";
const DEMO_DOMAIN: &str = "demo.hangar.test";
const LISTINGS: usize = 300;

/// make, model, typical years, typical price in euros, engine TBO, category slug.
type AircraftKind = (
    &'static str,
    &'static str,
    (i32, i32),
    (i64, i64),
    f64,
    &'static str,
);
/// category slug, make, model, typical price in euros, attribute group.
type OtherKind = (
    &'static str,
    &'static str,
    &'static str,
    (i64, i64),
    &'static str,
);

const AIRCRAFT: &[AircraftKind] = &[
    (
        "Robin",
        "DR400",
        (1972, 2010),
        (45_000, 140_000),
        2000.0,
        "single-engine-piston",
    ),
    (
        "Robin",
        "HR200",
        (1973, 1990),
        (35_000, 70_000),
        2000.0,
        "single-engine-piston",
    ),
    (
        "Cessna",
        "172",
        (1965, 2015),
        (55_000, 250_000),
        2000.0,
        "single-engine-piston",
    ),
    (
        "Cessna",
        "152",
        (1978, 1985),
        (35_000, 75_000),
        2400.0,
        "single-engine-piston",
    ),
    (
        "Piper",
        "PA-28",
        (1964, 2005),
        (45_000, 160_000),
        2000.0,
        "single-engine-piston",
    ),
    (
        "Piper",
        "PA-18",
        (1950, 1983),
        (60_000, 120_000),
        2000.0,
        "single-engine-piston",
    ),
    (
        "Jodel",
        "D112",
        (1950, 1975),
        (15_000, 35_000),
        1800.0,
        "vintage-warbirds",
    ),
    (
        "Socata",
        "TB10",
        (1977, 2000),
        (55_000, 110_000),
        2000.0,
        "single-engine-piston",
    ),
    (
        "Diamond",
        "DA40",
        (2001, 2020),
        (180_000, 400_000),
        2000.0,
        "single-engine-piston",
    ),
    (
        "Cirrus",
        "SR22",
        (2002, 2022),
        (280_000, 800_000),
        2200.0,
        "single-engine-piston",
    ),
    (
        "Mudry",
        "CAP 10",
        (1970, 2005),
        (60_000, 150_000),
        2000.0,
        "aerobatic",
    ),
    (
        "Extra",
        "300",
        (1990, 2015),
        (180_000, 380_000),
        1400.0,
        "aerobatic",
    ),
    (
        "Piper",
        "PA-34",
        (1972, 2000),
        (120_000, 260_000),
        2000.0,
        "multi-engine-piston",
    ),
    (
        "Tecnam",
        "P2008",
        (2010, 2022),
        (150_000, 260_000),
        2000.0,
        "light-sport",
    ),
    (
        "Ikarus",
        "C42",
        (2000, 2022),
        (45_000, 110_000),
        2000.0,
        "ulm-3-axis",
    ),
    (
        "Aeropro",
        "Eurofox",
        (2005, 2022),
        (55_000, 110_000),
        2000.0,
        "ulm-3-axis",
    ),
    (
        "Pipistrel",
        "Virus",
        (2008, 2022),
        (90_000, 180_000),
        2000.0,
        "ulm-3-axis",
    ),
    (
        "Best Off",
        "Nynja",
        (2008, 2022),
        (60_000, 100_000),
        2000.0,
        "ulm-3-axis",
    ),
    (
        "Magni",
        "M24",
        (2012, 2022),
        (80_000, 140_000),
        2000.0,
        "ulm-gyroplanes",
    ),
    (
        "AutoGyro",
        "Cavalon",
        (2011, 2022),
        (90_000, 170_000),
        2000.0,
        "ulm-gyroplanes",
    ),
    (
        "Schleicher",
        "ASK 21",
        (1980, 2015),
        (40_000, 110_000),
        3000.0,
        "sailplanes",
    ),
    (
        "Schempp-Hirth",
        "Discus",
        (1985, 2010),
        (35_000, 80_000),
        3000.0,
        "sailplanes",
    ),
    (
        "Robinson",
        "R44",
        (1995, 2020),
        (180_000, 450_000),
        2200.0,
        "piston-helicopters",
    ),
    (
        "Guimbal",
        "Cabri G2",
        (2008, 2022),
        (250_000, 420_000),
        2200.0,
        "piston-helicopters",
    ),
];

const OTHER: &[OtherKind] = &[
    (
        "piston-engines",
        "Lycoming",
        "O-320-E2D",
        (8_000, 28_000),
        "engine",
    ),
    (
        "piston-engines",
        "Continental",
        "O-200-A",
        (6_000, 20_000),
        "engine",
    ),
    ("ulm-engines", "Rotax", "912 ULS", (9_000, 22_000), "engine"),
    (
        "fixed-pitch-propellers",
        "Sensenich",
        "74DM6",
        (900, 3_500),
        "propeller",
    ),
    (
        "variable-pitch-propellers",
        "MT-Propeller",
        "MTV-12",
        (4_000, 12_000),
        "propeller",
    ),
    (
        "radios-transponders",
        "Trig",
        "TT21",
        (1_200, 2_600),
        "avionics",
    ),
    (
        "gps-navigators",
        "Garmin",
        "GNS 430W",
        (3_000, 7_500),
        "avionics",
    ),
    (
        "efis-displays",
        "Dynon",
        "SkyView HDX",
        (4_000, 11_000),
        "avionics",
    ),
    ("headsets", "Bose", "A20", (500, 1_100), "equipment"),
    (
        "parachutes",
        "Parasport",
        "Parachute dorsal",
        (600, 1_800),
        "equipment",
    ),
    (
        "engine-parts",
        "Lycoming",
        "Cylindre LW-12416",
        (800, 2_500),
        "part",
    ),
    ("hangar-space", "", "Place de hangar", (100, 450), "hangar"),
    ("shares", "Robin", "DR400", (8_000, 25_000), "share"),
    ("ferry-flights", "", "Convoyage", (300, 2_500), "service"),
    (
        "maintenance",
        "",
        "Visite 50 h / 100 h",
        (400, 1_800),
        "service",
    ),
];

/// Well-known airfields the demo listings are spread over.
const AIRFIELDS: &[&str] = &[
    "LFPN", "LFPT", "LFFE", "LFJR", "LFBO", "LFLY", "LFRN", "LFMN", "LFOH", "LFCH", "LFGA", "LFQQ",
    "LFRS", "LFBZ", "LSZB", "LSGG", "EBAW", "EDNY", "EGBJ", "LEMD", "LIPB",
];

/// Whether the demo data is there.
pub fn present(conn: &mut PgConnection) -> QueryResult<bool> {
    let n: i64 = users::table
        .filter(users::email.like(format!("%@{DEMO_DOMAIN}")))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// A photo-like image: a sky gradient, ground, a runway and a simple silhouette.
fn picture(rng: &mut StdRng) -> Vec<u8> {
    use image::{ImageEncoder, Rgb, RgbImage};
    let (w, h) = (960u32, 640u32);
    let sky_top = [
        rng.random_range(40..90u8),
        rng.random_range(90..150u8),
        rng.random_range(180..240u8),
    ];
    let ground = [
        rng.random_range(50..90u8),
        rng.random_range(100..150u8),
        rng.random_range(40..80u8),
    ];
    let body = [
        rng.random_range(150..255u8),
        rng.random_range(150..255u8),
        rng.random_range(150..255u8),
    ];
    let (cx, cy) = (
        rng.random_range(250..700) as i64,
        rng.random_range(180..330) as i64,
    );
    let img = RgbImage::from_fn(w, h, |x, y| {
        let (xi, yi) = (x as i64, y as i64);
        // Fuselage and wing of a high-wing aeroplane seen from the side.
        let fuselage =
            (xi - cx).abs() < 180 && (yi - cy).abs() < 22 - ((xi - cx).abs() / 12).min(14);
        let wing = (xi - cx - 20).abs() < 150 && (yi - (cy - 30)).abs() < 6;
        let tail = (xi - (cx - 170)).abs() < 14 && yi > cy - 70 && yi < cy;
        if fuselage || wing || tail {
            return Rgb(body);
        }
        if y > h * 2 / 3 {
            let runway = (yi - (h as i64 * 5 / 6)).abs() < 18;
            return Rgb(if runway { [70, 70, 75] } else { ground });
        }
        let t = y as f32 / (h as f32 * 0.66);
        Rgb([
            (sky_top[0] as f32 + t * 120.0).min(255.0) as u8,
            (sky_top[1] as f32 + t * 80.0).min(255.0) as u8,
            (sky_top[2] as f32 + t * 15.0).min(255.0) as u8,
        ])
    });
    let mut out = Vec::new();
    let _ = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85).write_image(
        img.as_raw(),
        w,
        h,
        image::ExtendedColorType::Rgb8,
    );
    out
}

/// Creates the demo sellers and listings; returns how many listings were created (0 when the
/// demo data was there already).
pub fn seed(conn: &mut PgConnection, media_dir: &std::path::Path) -> Result<usize, String> {
    seed_with(conn, media_dir, LISTINGS, 16)
}

/// [`seed`] with a chosen number of listings and of distinct pictures (tests use few).
pub fn seed_with(
    conn: &mut PgConnection,
    media_dir: &std::path::Path,
    listings: usize,
    pictures: usize,
) -> Result<usize, String> {
    let err = |e: diesel::result::Error| e.to_string();
    if present(conn).map_err(err)? {
        return Ok(0);
    }
    let mut rng = StdRng::seed_from_u64(0x4841_4e47);
    // A small pool of pictures shared by the listings (content-addressed: stored once each).
    let mut pool = Vec::new();
    for _ in 0..pictures.max(1) {
        let processed = crate::media::process(&picture(&mut rng)).map_err(|e| e.to_string())?;
        crate::media::store(media_dir, &processed).map_err(|e| e.to_string())?;
        pool.push(processed);
    }
    let hash = crate::auth::password::hash_sync(DEMO_PASSWORD).map_err(|e| e.to_string())?;
    let sellers: Vec<(&str, &str, Option<&str>)> = vec![
        ("Aéroclub de Chartres", "private", None),
        ("Jean Dupont", "private", None),
        ("Marie Lefèvre", "private", None),
        ("Peter Schmidt", "private", None),
        ("Emma Wilson", "private", None),
        ("Luca Rossi", "private", None),
        (
            "Aéro Services Chartres",
            "professional",
            Some("Aéro Services Chartres SARL"),
        ),
        (
            "Alpine Aircraft Sales",
            "professional",
            Some("Alpine Aircraft Sales AG"),
        ),
        ("ULM Occitanie", "professional", Some("ULM Occitanie SAS")),
        (
            "Avionique Loire",
            "professional",
            Some("Avionique Loire SARL"),
        ),
    ];
    let airfields_found: Vec<String> = airfields::table
        .filter(airfields::icao.eq_any(AIRFIELDS))
        .select(airfields::icao)
        .load(conn)
        .map_err(err)?;
    let categories_found: Vec<(uuid::Uuid, String)> = categories::table
        .select((categories::id, categories::slug))
        .load(conn)
        .map_err(err)?;
    let category = |slug: &str| {
        categories_found
            .iter()
            .find(|(_, s)| s == slug)
            .map(|(id, _)| *id)
    };
    conn.transaction(|conn| {
        let mut ids = Vec::new();
        for (i, (name, kind, company)) in sellers.iter().enumerate() {
            let user = user_rows::insert(
                conn,
                &NewUser {
                    id: Uuid::now_v7(),
                    email: format!("seller{i}@{DEMO_DOMAIN}"),
                    password_hash: hash.clone(),
                    display_name: (*name).to_owned(),
                    locale: if i % 3 == 2 { "en" } else { "fr" }.to_owned(),
                    account_type: (*kind).to_owned(),
                    company_name: company.map(str::to_owned),
                    company_registration: company.map(|_| format!("{} {:03} {:03} 000{}", 800 + i, i * 7, i * 13, i)),
                    phone: Some(format!("+33 6 {:02} {:02} {:02} {:02}", 10 + i, 20 + i, 30 + i, 40 + i)),
                    role: "user".to_owned(),
                },
            )?;
            user_rows::mark_email_verified(conn, user.id)?;
            ids.push((user.id, *kind == "professional"));
        }
        let mut created = 0;
        for n in 0..listings {
            let (seller, pro) = ids[rng.random_range(0..ids.len())];
            let airfield = airfields_found.get(rng.random_range(0..airfields_found.len().max(1))).cloned();
            let english = rng.random_bool(0.3);
            let (slug, content_fields) = if rng.random_bool(0.7) {
                let (make, model, years, prices, tbo, slug) = AIRCRAFT[rng.random_range(0..AIRCRAFT.len())];
                let year = rng.random_range(years.0..=years.1);
                let age = (2026 - year).max(1) as f64;
                let ttaf = (age * rng.random_range(40.0..140.0_f64)).round();
                let engine_total = (ttaf * rng.random_range(0.5..1.0_f64)).round();
                let smoh = (engine_total.min(tbo) * rng.random_range(0.05..0.95_f64)).round();
                let price = rng.random_range(prices.0..=prices.1) / 500 * 500;
                let letters: String = (0..4).map(|_| rng.random_range(b'A'..=b'Z') as char).collect();
                let registration = format!("F-{letters}");
                let attrs = serde_json::json!({
                    "make": make, "model": model, "year": year, "registration": registration,
                    "ttaf_hours": ttaf, "engine_hours_since_new": engine_total, "engine_smoh": smoh,
                    "engine_tbo_hours": tbo, "seats": if slug.starts_with("ulm") || slug == "sailplanes" { 2 } else { 4 },
                    "fuel": if slug.starts_with("ulm") { "UL91" } else { "100LL" }, "ifr": rng.random_bool(0.3),
                    "damage": "none", "hangared": rng.random_bool(0.7), "logbooks_complete": true
                });
                let title = if english {
                    format!("{make} {model} ({year}), {smoh:.0} h SMOH, well maintained")
                } else {
                    format!("{make} {model} de {year}, moteur {smoh:.0} h, très bien entretenu")
                };
                let description = if english {
                    format!(
                        "{make} {model} built in {year}, {ttaf:.0} hours total time.\nEngine {smoh:.0} hours since overhaul, TBO {tbo:.0} h.\nAnnual inspection done, logbooks complete. Viewing at the airfield on appointment."
                    )
                } else {
                    format!(
                        "{make} {model} de {year}, {ttaf:.0} heures de cellule.\nMoteur {smoh:.0} h depuis révision, TBO {tbo:.0} h.\nVisite annuelle faite, documents complets. Visible sur l'aérodrome sur rendez-vous."
                    )
                };
                (slug, (title, description, price * 100, attrs, Some((make, model, year, ttaf, engine_total, smoh, tbo))))
            } else {
                let (slug, make, model, prices, group) = OTHER[rng.random_range(0..OTHER.len())];
                let price = rng.random_range(prices.0..=prices.1);
                let attrs = match group {
                    "engine" => serde_json::json!({"make": make, "model": model, "hours_since_new": 1800.0, "smoh": rng.random_range(0..1500) as f64, "tbo_hours": 2000.0, "sale": "outright"}),
                    "propeller" => serde_json::json!({"make": make, "model": model, "pitch": "fixed", "blades": 2}),
                    "avionics" => serde_json::json!({"brand": make, "model": model, "certified": true, "with_tray": true}),
                    "part" => serde_json::json!({"part_number": model, "manufacturer": make, "quantity": 1, "condition": "overhauled", "release_certificate": "easa_form1"}),
                    "hangar" => serde_json::json!({"airfield_icao": airfield.clone().unwrap_or_else(|| "LFPN".into()), "width_m": 12.0, "depth_m": 9.0, "door_height_m": 3.0, "offer": "monthly_rent"}),
                    "share" => serde_json::json!({"fraction": "1/4", "base_airfield_icao": airfield.clone().unwrap_or_else(|| "LFPN".into()), "monthly_fixed_cost": 15000, "hourly_wet_rate": 16000}),
                    _ => serde_json::json!({"kind": model, "details": {"zone": "Europe"}}),
                };
                let title = if english { format!("{make} {model} for sale").trim().to_owned() } else { format!("{model} {make} à vendre").trim().to_owned() };
                let title = if title.chars().count() < 5 { format!("{title} – annonce") } else { title };
                let description = if english {
                    format!("{make} {model} in good condition. Documents available, shipping possible across Europe. Contact me for details.")
                } else {
                    format!("{make} {model} en bon état. Documents disponibles, envoi possible partout en Europe. Contactez-moi pour plus de détails.")
                };
                (slug, (title, description, price * 100, attrs, None))
            };
            let Some(category_id) = category(slug) else { continue };
            let (title, description, price, attributes, aircraft) = content_fields;
            let group_of = categories::table
                .find(category_id)
                .select(categories::attribute_group)
                .first::<String>(conn)?;
            let Ok(parsed) = crate::domain::attributes::parse(&group_of, attributes.clone()) else { continue };
            let _ = parsed;
            let (lat, lon, country): (Option<f64>, Option<f64>, Option<String>) = match &airfield {
                Some(icao) => airfields::table
                    .find(icao)
                    .select((airfields::lat, airfields::lon, airfields::country))
                    .first::<(f64, f64, String)>(conn)
                    .optional()?
                    .map(|(a, b, c)| (Some(a), Some(b), Some(c)))
                    .unwrap_or((None, None, None)),
                None => (None, None, None),
            };
            let content = ListingContent {
                category_id,
                title: title.chars().take(120).collect(),
                description,
                price_amount: Some(price),
                currency: "EUR".into(),
                price_kind: if rng.random_bool(0.6) { "negotiable" } else { "fixed" }.into(),
                vat_included: pro.then_some(true),
                condition: "used".into(),
                airfield_icao: airfield.clone(),
                city: None,
                postcode: None,
                country,
                lat,
                lon,
                show_phone: rng.random_bool(0.5),
                make: aircraft.map(|a| a.0.to_owned()),
                model: aircraft.map(|a| a.1.to_owned()),
                year: aircraft.map(|a| a.2),
                registration: attributes.get("registration").and_then(|v| v.as_str()).map(str::to_owned),
                ttaf_hours: aircraft.map(|a| a.3),
                engine_hours: aircraft.map(|a| a.4),
                smoh_hours: aircraft.map(|a| a.5),
                tbo_hours: aircraft.map(|a| a.6),
                seats: attributes.get("seats").and_then(|v| v.as_i64()).map(|s| s as i16),
                ifr: attributes.get("ifr").and_then(|v| v.as_bool()),
                fuel: attributes.get("fuel").and_then(|v| v.as_str()).map(str::to_owned),
                attributes,
            };
            let id = Uuid::now_v7();
            let publish = n % 10 != 0;
            let initial = if publish {
                rows::Initial::Published
            } else {
                rows::Initial::Draft
            };
            let listing = rows::insert(conn, id, seller, initial, &content)?;
            // Spread the publication dates over the last two months.
            let age = Duration::hours(rng.random_range(1..24 * 55));
            diesel::update(listings_table::table.find(id))
                .set((
                    listings_table::created_at.eq(Utc::now() - age),
                    listings_table::published_at.eq(publish.then(|| Utc::now() - age)),
                    listings_table::expires_at.eq(publish.then(|| Utc::now() - age + Duration::days(rows::PUBLICATION_DAYS))),
                ))
                .execute(conn)?;
            rows::record(
                conn,
                &NewEvent {
                    listing_id: id,
                    actor_id: Some(seller),
                    kind: "created",
                    from_status: None,
                    to_status: Some(listing.status.clone()),
                    price_amount: listing.price_amount,
                    currency: Some("EUR".into()),
                    details: serde_json::json!({"demo": true}),
                },
            )?;
            for position in 0..rng.random_range(1..=4) {
                let picture = &pool[rng.random_range(0..pool.len())];
                rows::add_photo(
                    conn,
                    &Photo {
                        id: Uuid::now_v7(),
                        listing_id: id,
                        position,
                        sha256: picture.sha256.clone(),
                        width: picture.width as i32,
                        height: picture.height as i32,
                        widths: picture.variants.iter().map(|v| v.width as i32).collect(),
                        created_at: Utc::now(),
                    },
                )?;
            }
            created += 1;
        }
        Ok::<_, diesel::result::Error>(created)
    })
    .map_err(err)
}
