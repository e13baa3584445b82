//! Structured attributes of a listing, one type per attribute group of its category
//! (`aircraft`, `engine`, `propeller`, `avionics`, `part`, `hangar`, `share`, `service`,
//! `equipment`). Strict: unknown keys are refused, values are range-checked, and rules that
//! span fields (SMOH ≤ hours since new, empty mass < MTOW…) are checked together, so a seller
//! learns every mistake in one answer.
//!
//! The listings issue stores the searchable ones in typed columns and the rest as `jsonb`
//! (see `notes/design.md`); this module owns the shape.

use chrono::{Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::domain::registration;
use crate::error::FieldErrors;
use crate::extract::validation_errors;

/// Fuels of light aviation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum Fuel {
    #[serde(rename = "100LL")]
    Avgas100Ll,
    #[serde(rename = "UL91")]
    Ul91,
    #[serde(rename = "mogas")]
    Mogas,
    #[serde(rename = "jet-a1")]
    JetA1,
    #[serde(rename = "electric")]
    Electric,
}

/// Damage history, as buyers ask it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Damage {
    None,
    Repaired,
}

fn year_of_manufacture(year: i32) -> Result<(), ValidationError> {
    let max = Utc::now().year() + 1;
    if (1903..=max).contains(&year) {
        Ok(())
    } else {
        Err(ValidationError::new("range")
            .with_message(format!("must be between 1903 and {max}").into()))
    }
}

fn plausible_date(date: &NaiveDate) -> Result<(), ValidationError> {
    if (1950..=2100).contains(&date.year()) {
        Ok(())
    } else {
        Err(ValidationError::new("range")
            .with_message("must be a date between 1950 and 2100".into()))
    }
}

fn registration_format(value: &str) -> Result<(), ValidationError> {
    registration::check(&registration::normalise(value))
        .map_err(|hint| ValidationError::new("registration").with_message(hint.into()))
}

fn list_items(items: &[String]) -> Result<(), ValidationError> {
    if items
        .iter()
        .all(|i| (1..=100).contains(&i.trim().chars().count()))
    {
        Ok(())
    } else {
        Err(ValidationError::new("length")
            .with_message("each item must be 1 to 100 characters".into()))
    }
}

/// An aeroplane, ULM, glider, helicopter or gyroplane.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "make": "Robin", "model": "DR400", "variant": "140B", "year": 1978,
    "registration": "F-GABC", "ttaf_hours": 6540.5, "engine_make": "Lycoming",
    "engine_model": "O-320-E2A", "engine_hours_since_new": 5200.0, "engine_smoh": 850.0,
    "engine_tbo_hours": 2000.0, "seats": 4, "mtow_kg": 1000, "empty_mass_kg": 590,
    "fuel": "100LL", "ifr": false, "avionics": ["Garmin GNS 430", "Trig TT21"],
    "elt": true, "damage": "none", "hangared": true, "logbooks_complete": true
}))]
pub struct AircraftAttributes {
    #[validate(length(min = 1, max = 60))]
    #[schema(min_length = 1, max_length = 60)]
    pub make: String,
    #[validate(length(min = 1, max = 60))]
    #[schema(min_length = 1, max_length = 60)]
    pub model: String,
    #[validate(length(min = 1, max = 60))]
    #[schema(min_length = 1, max_length = 60)]
    pub variant: Option<String>,
    /// Year of manufacture (1903 to next year).
    #[validate(custom(function = "year_of_manufacture"))]
    pub year: Option<i32>,
    #[validate(length(min = 1, max = 40))]
    #[schema(min_length = 1, max_length = 40)]
    pub serial_number: Option<String>,
    /// Checked against its nationality's format (F-GABC, D-EABC, N172SP, 49-ABC…).
    #[validate(custom(function = "registration_format"))]
    pub registration: Option<String>,
    /// Total time airframe, hours.
    #[validate(range(min = 0.0, max = 100000.0))]
    #[schema(minimum = 0.0, maximum = 100000.0)]
    pub ttaf_hours: Option<f64>,
    #[validate(length(min = 1, max = 60))]
    #[schema(min_length = 1, max_length = 60)]
    pub engine_make: Option<String>,
    #[validate(length(min = 1, max = 60))]
    #[schema(min_length = 1, max_length = 60)]
    pub engine_model: Option<String>,
    #[validate(range(min = 0.0, max = 100000.0))]
    #[schema(minimum = 0.0, maximum = 100000.0)]
    pub engine_hours_since_new: Option<f64>,
    /// Hours since major overhaul.
    #[validate(range(min = 0.0, max = 100000.0))]
    #[schema(minimum = 0.0, maximum = 100000.0)]
    pub engine_smoh: Option<f64>,
    /// Time between overhauls recommended by the manufacturer, hours.
    #[validate(range(min = 1.0, max = 20000.0))]
    #[schema(minimum = 1.0, maximum = 20000.0)]
    pub engine_tbo_hours: Option<f64>,
    #[validate(custom(function = "plausible_date"))]
    pub engine_overhaul_date: Option<NaiveDate>,
    #[validate(length(min = 1, max = 80))]
    #[schema(min_length = 1, max_length = 80)]
    pub propeller_type: Option<String>,
    #[validate(range(min = 0.0, max = 100000.0))]
    #[schema(minimum = 0.0, maximum = 100000.0)]
    pub propeller_hours_since_overhaul: Option<f64>,
    #[validate(range(min = 1, max = 20))]
    #[schema(minimum = 1, maximum = 20)]
    pub seats: Option<i16>,
    /// Maximum take-off mass, kg.
    #[validate(range(min = 50, max = 10000))]
    #[schema(minimum = 50, maximum = 10000)]
    pub mtow_kg: Option<i32>,
    #[validate(range(min = 30, max = 10000))]
    #[schema(minimum = 30, maximum = 10000)]
    pub empty_mass_kg: Option<i32>,
    pub fuel: Option<Fuel>,
    #[serde(default)]
    pub ifr: bool,
    /// Installed avionics, one item each (at most 50).
    #[serde(default)]
    #[validate(length(max = 50), custom(function = "list_items"))]
    #[schema(max_items = 50)]
    pub avionics: Vec<String>,
    /// Emergency locator transmitter fitted.
    pub elt: Option<bool>,
    /// Airworthiness review (ARC / CEN) valid until.
    #[validate(custom(function = "plausible_date"))]
    pub arc_expiry: Option<NaiveDate>,
    #[validate(custom(function = "plausible_date"))]
    pub last_annual_inspection: Option<NaiveDate>,
    pub damage: Option<Damage>,
    /// Required when `damage` is `repaired`.
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub damage_details: Option<String>,
    pub hangared: Option<bool>,
    pub logbooks_complete: Option<bool>,
    /// Ballistic parachute (ULMs).
    pub parachute_system: Option<bool>,
}

impl AircraftAttributes {
    /// Hours left before the engine's overhaul is due (the French "potentiel").
    pub fn hours_to_tbo(&self) -> Option<f64> {
        match (
            self.engine_tbo_hours,
            self.engine_smoh.or(self.engine_hours_since_new),
        ) {
            (Some(tbo), Some(used)) => Some(tbo - used),
            _ => None,
        }
    }

    fn cross_check(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        let mut add = |field: &str, message: &str| {
            errors
                .entry(field.to_owned())
                .or_default()
                .push(message.to_owned());
        };
        if let (Some(smoh), Some(total)) = (self.engine_smoh, self.engine_hours_since_new)
            && smoh > total
        {
            add("engine_smoh", "cannot exceed the engine's hours since new");
        }
        if let (Some(empty), Some(mtow)) = (self.empty_mass_kg, self.mtow_kg)
            && empty >= mtow
        {
            add(
                "empty_mass_kg",
                "must be less than the maximum take-off mass",
            );
        }
        if self.damage == Some(Damage::Repaired) && self.damage_details.is_none() {
            add("damage_details", "is required when the damage was repaired");
        }
        if self.damage != Some(Damage::Repaired) && self.damage_details.is_some() {
            add("damage_details", "is only for repaired damage");
        }
        errors
    }
}

/// How an engine changes hands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EngineSale {
    Outright,
    Exchange,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EngineAttributes {
    #[validate(length(min = 1, max = 60))]
    #[schema(min_length = 1, max_length = 60)]
    pub make: String,
    #[validate(length(min = 1, max = 60))]
    #[schema(min_length = 1, max_length = 60)]
    pub model: String,
    #[validate(length(min = 1, max = 40))]
    #[schema(min_length = 1, max_length = 40)]
    pub serial_number: Option<String>,
    #[validate(range(min = 1, max = 2000))]
    #[schema(minimum = 1, maximum = 2000)]
    pub power_hp: Option<i32>,
    #[validate(range(min = 0.0, max = 100000.0))]
    #[schema(minimum = 0.0, maximum = 100000.0)]
    pub hours_since_new: Option<f64>,
    #[validate(range(min = 0.0, max = 100000.0))]
    #[schema(minimum = 0.0, maximum = 100000.0)]
    pub smoh: Option<f64>,
    #[validate(range(min = 1.0, max = 20000.0))]
    #[schema(minimum = 1.0, maximum = 20000.0)]
    pub tbo_hours: Option<f64>,
    #[validate(custom(function = "plausible_date"))]
    pub overhaul_date: Option<NaiveDate>,
    #[validate(length(min = 1, max = 120))]
    #[schema(min_length = 1, max_length = 120)]
    pub overhaul_shop: Option<String>,
    pub sale: Option<EngineSale>,
}

/// Propeller pitch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Pitch {
    Fixed,
    GroundAdjustable,
    Variable,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PropellerAttributes {
    #[validate(length(min = 1, max = 60))]
    #[schema(min_length = 1, max_length = 60)]
    pub make: String,
    #[validate(length(min = 1, max = 60))]
    #[schema(min_length = 1, max_length = 60)]
    pub model: Option<String>,
    pub pitch: Option<Pitch>,
    #[validate(range(min = 2, max = 8))]
    #[schema(minimum = 2, maximum = 8)]
    pub blades: Option<i16>,
    #[validate(range(min = 0.0, max = 100000.0))]
    #[schema(minimum = 0.0, maximum = 100000.0)]
    pub hours_since_overhaul: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AvionicsAttributes {
    #[validate(length(min = 1, max = 60))]
    #[schema(min_length = 1, max_length = 60)]
    pub brand: String,
    #[validate(length(min = 1, max = 60))]
    #[schema(min_length = 1, max_length = 60)]
    pub model: String,
    /// Certified equipment (`false`: experimental / non-certified).
    pub certified: Option<bool>,
    /// Technical standard order, e.g. TSO-C112e.
    #[validate(length(min = 1, max = 40))]
    #[schema(min_length = 1, max_length = 40)]
    pub tso: Option<String>,
    pub with_tray: Option<bool>,
}

/// State of a part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartCondition {
    New,
    Overhauled,
    Serviceable,
    AsRemoved,
}

/// Airworthiness release document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseCertificate {
    EasaForm1,
    Faa8130_3,
    None,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartAttributes {
    #[validate(length(min = 1, max = 60))]
    #[schema(min_length = 1, max_length = 60)]
    pub part_number: String,
    #[validate(length(min = 1, max = 60))]
    #[schema(min_length = 1, max_length = 60)]
    pub manufacturer: Option<String>,
    #[validate(range(min = 1, max = 10000))]
    #[schema(minimum = 1, maximum = 10000)]
    pub quantity: Option<i32>,
    pub condition: Option<PartCondition>,
    pub release_certificate: Option<ReleaseCertificate>,
    /// Aircraft or engine types it fits (at most 30).
    #[serde(default)]
    #[validate(length(max = 30), custom(function = "list_items"))]
    #[schema(max_items = 30)]
    pub compatible_types: Vec<String>,
}

/// Hangar space: for sale or for rent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HangarOffer {
    Sale,
    MonthlyRent,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HangarAttributes {
    /// ICAO code of the airfield.
    #[validate(length(equal = 4))]
    pub airfield_icao: Option<String>,
    #[validate(range(min = 1.0, max = 200.0))]
    #[schema(minimum = 1.0, maximum = 200.0)]
    pub width_m: Option<f64>,
    #[validate(range(min = 1.0, max = 200.0))]
    #[schema(minimum = 1.0, maximum = 200.0)]
    pub depth_m: Option<f64>,
    #[validate(range(min = 1.0, max = 30.0))]
    #[schema(minimum = 1.0, maximum = 30.0)]
    pub door_height_m: Option<f64>,
    pub offer: HangarOffer,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareAttributes {
    /// Share of the aircraft sold, as `numerator/denominator` (e.g. `1/4`).
    #[validate(custom(function = "fraction"))]
    #[schema(example = "1/4")]
    pub fraction: String,
    #[validate(length(equal = 4))]
    pub base_airfield_icao: Option<String>,
    /// Monthly fixed cost, in minor units of the listing's currency.
    #[validate(range(min = 0, max = 10_000_000))]
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub monthly_fixed_cost: Option<i64>,
    /// Hourly wet rate, in minor units of the listing's currency.
    #[validate(range(min = 0, max = 1_000_000))]
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub hourly_wet_rate: Option<i64>,
}

fn fraction(value: &str) -> Result<(), ValidationError> {
    let bad =
        || ValidationError::new("fraction").with_message("must be a fraction such as 1/4".into());
    let (n, d) = value.split_once('/').ok_or_else(bad)?;
    let (n, d): (u32, u32) = (
        n.trim().parse().map_err(|_| bad())?,
        d.trim().parse().map_err(|_| bad())?,
    );
    if n >= 1 && d >= 2 && n < d && d <= 100 {
        Ok(())
    } else {
        Err(bad())
    }
}

/// Services and pilot equipment: a kind and free key/value details.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FreeAttributes {
    /// What it is, e.g. "ferry flight", "headset".
    #[validate(length(min = 1, max = 60))]
    #[schema(min_length = 1, max_length = 60)]
    pub kind: String,
    /// Other details, at most 20 entries of short text.
    #[serde(default)]
    #[validate(custom(function = "details"))]
    pub details: std::collections::BTreeMap<String, String>,
}

fn details(map: &std::collections::BTreeMap<String, String>) -> Result<(), ValidationError> {
    let ok = map.len() <= 20
        && map
            .iter()
            .all(|(k, v)| (1..=40).contains(&k.chars().count()) && v.chars().count() <= 200);
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("details").with_message(
            "at most 20 entries, keys of 1 to 40 characters, values up to 200".into(),
        ))
    }
}

/// The attributes of one listing. Their shape is set by the `attribute_group` of the
/// listing's category (`GET /categories/{slug}`): the variants follow the order of
/// `AttributeGroup` (aircraft, engine, propeller, avionics, part, equipment, hangar, share,
/// service); `equipment` and `service` share `FreeAttributes`. The JSON carries no tag, so
/// read the group from the category rather than guessing it from the fields.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Attributes {
    Aircraft(Box<AircraftAttributes>),
    Engine(EngineAttributes),
    Propeller(PropellerAttributes),
    Avionics(AvionicsAttributes),
    Part(PartAttributes),
    Equipment(FreeAttributes),
    Hangar(HangarAttributes),
    Share(ShareAttributes),
    Service(FreeAttributes),
}

fn no_cross_check<T>(_: &T) -> FieldErrors {
    FieldErrors::new()
}

/// Reads `value` as the attributes of `group`; field errors are keyed `attributes.<field>`.
pub fn parse(group: &str, value: serde_json::Value) -> Result<Attributes, FieldErrors> {
    fn typed<T: serde::de::DeserializeOwned + Validate>(
        value: serde_json::Value,
        extra: impl Fn(&T) -> FieldErrors,
    ) -> Result<T, FieldErrors> {
        let parsed: T = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let message = e.into_inner().to_string();
            let field = if path == "." {
                "attributes".to_owned()
            } else {
                format!("attributes.{path}")
            };
            let mut errors = FieldErrors::new();
            errors.insert(field, vec![message]);
            errors
        })?;
        let mut errors: FieldErrors = match parsed.validate() {
            Ok(()) => FieldErrors::new(),
            Err(e) => validation_errors(&e),
        };
        errors.extend(extra(&parsed));
        if errors.is_empty() {
            Ok(parsed)
        } else {
            Err(errors
                .into_iter()
                .map(|(k, v)| (format!("attributes.{k}"), v))
                .collect())
        }
    }
    match group {
        "aircraft" => {
            typed(value, AircraftAttributes::cross_check).map(|a| Attributes::Aircraft(Box::new(a)))
        }
        "engine" => typed(value, |e: &EngineAttributes| {
            let mut errors = FieldErrors::new();
            if let (Some(smoh), Some(total)) = (e.smoh, e.hours_since_new)
                && smoh > total
            {
                errors.insert(
                    "smoh".into(),
                    vec!["cannot exceed the hours since new".into()],
                );
            }
            errors
        })
        .map(Attributes::Engine),
        "propeller" => {
            typed::<PropellerAttributes>(value, no_cross_check).map(Attributes::Propeller)
        }
        "avionics" => typed::<AvionicsAttributes>(value, no_cross_check).map(Attributes::Avionics),
        "part" => typed::<PartAttributes>(value, no_cross_check).map(Attributes::Part),
        "hangar" => typed::<HangarAttributes>(value, no_cross_check).map(Attributes::Hangar),
        "share" => typed::<ShareAttributes>(value, no_cross_check).map(Attributes::Share),
        "service" => typed::<FreeAttributes>(value, no_cross_check).map(Attributes::Service),
        "equipment" => typed::<FreeAttributes>(value, no_cross_check).map(Attributes::Equipment),
        other => {
            let mut errors = FieldErrors::new();
            errors.insert(
                "category".into(),
                vec![format!("has an unknown attribute group `{other}`")],
            );
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dr400() -> serde_json::Value {
        json!({
            "make": "Robin", "model": "DR400", "variant": "140B", "year": 1978,
            "registration": "F-GABC", "ttaf_hours": 6540.5, "engine_make": "Lycoming",
            "engine_model": "O-320-E2A", "engine_hours_since_new": 5200.0, "engine_smoh": 850.0,
            "engine_tbo_hours": 2000.0, "seats": 4, "mtow_kg": 1000, "empty_mass_kg": 590,
            "fuel": "100LL", "ifr": false, "avionics": ["Garmin GNS 430"], "damage": "none"
        })
    }

    fn with(mut base: serde_json::Value, key: &str, value: serde_json::Value) -> serde_json::Value {
        if let Some(map) = base.as_object_mut() {
            map.insert(key.to_owned(), value);
        }
        base
    }

    #[test]
    fn a_complete_aircraft_parses_and_computes_hours_to_tbo() {
        match parse("aircraft", dr400()) {
            Ok(Attributes::Aircraft(a)) => assert_eq!(a.hours_to_tbo(), Some(1150.0)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn invalid_attributes_name_each_field() {
        let next_year_plus_two = Utc::now().year() + 2;
        let cases: Vec<(serde_json::Value, &str, &str)> = vec![
            (
                with(dr400(), "ttaf_hours", json!(-1.0)),
                "attributes.ttaf_hours",
                "negative hours",
            ),
            (
                with(dr400(), "year", json!(1850)),
                "attributes.year",
                "year 1850",
            ),
            (
                with(dr400(), "year", json!(next_year_plus_two)),
                "attributes.year",
                "year after next",
            ),
            (
                with(dr400(), "engine_smoh", json!(6000.0)),
                "attributes.engine_smoh",
                "SMOH above hours since new",
            ),
            (
                with(dr400(), "registration", json!("F-123")),
                "attributes.registration",
                "French registration with digits",
            ),
            (
                with(dr400(), "colour", json!("blue")),
                "attributes.colour",
                "unknown attribute key",
            ),
            (
                with(dr400(), "empty_mass_kg", json!(1200)),
                "attributes.empty_mass_kg",
                "empty above MTOW",
            ),
            (
                with(dr400(), "damage", json!("repaired")),
                "attributes.damage_details",
                "repaired without details",
            ),
            (
                with(dr400(), "fuel", json!("diesel")),
                "attributes.fuel",
                "unknown fuel",
            ),
            (
                with(dr400(), "seats", json!(0)),
                "attributes.seats",
                "no seat",
            ),
        ];
        for (value, field, why) in cases {
            let errors = parse("aircraft", value).err().unwrap_or_default();
            assert!(errors.contains_key(field), "{why}: {errors:?}");
        }
    }

    #[test]
    fn attributes_of_another_group_are_refused() {
        let errors = parse("engine", dr400()).err().unwrap_or_default();
        assert!(
            !errors.is_empty(),
            "aircraft attributes are not an engine's"
        );
        let errors = parse("rocket", json!({})).err().unwrap_or_default();
        assert!(errors.contains_key("category"));
    }

    #[test]
    fn other_groups() {
        assert!(parse("engine", json!({"make": "Rotax", "model": "912 ULS", "hours_since_new": 800.0, "smoh": 900.0})).is_err());
        assert!(
            parse(
                "share",
                json!({"fraction": "1/4", "monthly_fixed_cost": 15000})
            )
            .is_ok()
        );
        assert!(parse("share", json!({"fraction": "5/4"})).is_err());
        assert!(parse("hangar", json!({"offer": "monthly_rent", "width_m": 12.0})).is_ok());
        assert!(
            parse(
                "part",
                json!({"part_number": "LW-12345", "release_certificate": "easa_form1"})
            )
            .is_ok()
        );
        assert!(
            parse(
                "service",
                json!({"kind": "ferry flight", "details": {"range": "Europe"}})
            )
            .is_ok()
        );
    }
}
