//! The catalogue: categories, makes and models, airfields.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::db::airfields::Airfield as AirfieldRow;
use crate::db::categories::Category;
use crate::db::makes::{Make as MakeRow, Model as ModelRow};
use crate::domain::{AttributeGroup, MakeKind};
use crate::error::{ApiError, FieldErrors};
use crate::extract::CrossCheck;

/// Category slugs: 2–60 lower-case letters, digits and single dashes (`single-engine-piston`).
pub fn category_slug(value: &str) -> Result<(), ValidationError> {
    let ok = (2..=60).contains(&value.len())
        && value.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("slug").with_message(
            "must be 2 to 60 lower-case letters, digits and single dashes, e.g. single-engine-piston"
                .into(),
        ))
    }
}

/// Category names: 2–80 characters once trimmed, on one line.
pub fn category_name(value: &str) -> Result<(), ValidationError> {
    let len = value.trim().chars().count();
    if !(2..=80).contains(&len) {
        return Err(
            ValidationError::new("length").with_message("must be 2 to 80 characters".into())
        );
    }
    super::single_line(value)
}

/// ISO 3166-1 alpha-2 country codes, any case (`FR`, `fr`).
pub fn country_code(value: &str) -> Result<(), ValidationError> {
    if value.len() == 2 && value.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(())
    } else {
        Err(ValidationError::new("country")
            .with_message("must be a two-letter ISO country code, e.g. FR".into()))
    }
}

/// A category without its subtree.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategorySummary {
    pub id: Uuid,
    /// Stable key, used in URLs.
    #[schema(example = "single-engine-piston")]
    pub slug: String,
    #[schema(example = "Monomoteurs à pistons")]
    pub name_fr: String,
    #[schema(example = "Single-engine piston")]
    pub name_en: String,
    pub attribute_group: AttributeGroup,
    /// Order among its siblings, smallest first.
    pub position: i32,
    /// Inactive categories are hidden from the public; only moderators see them.
    pub active: bool,
}

impl TryFrom<&Category> for CategorySummary {
    type Error = ApiError;
    fn try_from(c: &Category) -> Result<Self, ApiError> {
        Ok(CategorySummary {
            id: c.id,
            slug: c.slug.clone(),
            name_fr: c.name_fr.clone(),
            name_en: c.name_en.clone(),
            attribute_group: c.attribute_group.parse().map_err(ApiError::internal)?,
            position: c.position,
            active: c.active,
        })
    }
}

/// A category and its subtree.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryNode {
    #[serde(flatten)]
    pub category: CategorySummary,
    /// Published and reserved listings in this category and all its subcategories.
    pub listing_count: i64,
    /// Subcategories, in display order.
    #[schema(no_recursion)]
    pub children: Vec<CategoryNode>,
}

/// The whole category tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryTree {
    /// Top-level categories, in display order, each with its subtree.
    pub items: Vec<CategoryNode>,
}

/// One category with its place in the tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryDetail {
    #[serde(flatten)]
    pub category: CategorySummary,
    /// The parent's slug; absent for a top-level category.
    #[schema(example = "aircraft")]
    pub parent: Option<String>,
    /// The ancestors from the top of the tree down to the parent (a breadcrumb).
    pub path: Vec<CategorySummary>,
    /// Direct subcategories, in display order.
    pub children: Vec<CategorySummary>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Options of the category reads.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CategoryQuery {
    /// Also show inactive categories (moderators and administrators only: 401 without a
    /// login, 403 for other members).
    pub include_inactive: Option<bool>,
}

/// A new category.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCategory {
    /// Permanent key, used in URLs: 2–60 lower-case letters, digits and single dashes.
    #[validate(custom(function = "category_slug"))]
    #[schema(min_length = 2, max_length = 60, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    #[schema(example = "floatplanes")]
    pub slug: String,
    #[validate(custom(function = "category_name"))]
    #[schema(min_length = 2, max_length = 80)]
    #[schema(example = "Hydravions")]
    pub name_fr: String,
    #[validate(custom(function = "category_name"))]
    #[schema(min_length = 2, max_length = 80)]
    #[schema(example = "Floatplanes & amphibians")]
    pub name_en: String,
    pub attribute_group: AttributeGroup,
    /// The parent's slug; omit for a top-level category. The new category goes last among
    /// its siblings.
    #[validate(length(max = 60))]
    #[schema(max_length = 60)]
    #[schema(example = "aircraft")]
    pub parent: Option<String>,
    /// Defaults to true.
    pub active: Option<bool>,
}

impl CrossCheck for CreateCategory {}

/// Changes to a category; omitted fields stay as they are. The slug never changes.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCategory {
    #[validate(custom(function = "category_name"))]
    #[schema(min_length = 2, max_length = 80)]
    pub name_fr: Option<String>,
    #[validate(custom(function = "category_name"))]
    #[schema(min_length = 2, max_length = 80)]
    pub name_en: Option<String>,
    pub attribute_group: Option<AttributeGroup>,
    /// False hides the category and its whole subtree from the public.
    pub active: Option<bool>,
    /// Move under this category (by slug; it goes last among its new siblings), or `null` to
    /// make it top-level. Moving a category under itself or one of its descendants is a 422.
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>, example = "aircraft")]
    pub parent: Option<Option<String>>,
}

impl CrossCheck for UpdateCategory {
    fn cross_check(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        if let Some(Some(parent)) = &self.parent
            && parent.len() > 60
        {
            errors.insert(
                "parent".into(),
                vec!["must be at most 60 characters".into()],
            );
        }
        errors
    }
}

/// The new order of a category's children.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChildrenOrder {
    /// Slugs of every current child, each once, in the new order.
    #[validate(length(max = 500))]
    #[schema(max_items = 500)]
    #[schema(example = json!(["single-engine-piston", "multi-engine-piston", "aerobatic"]))]
    pub children: Vec<String>,
}

impl CrossCheck for ChildrenOrder {}

/// Options of a category deletion.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeleteCategoryQuery {
    /// Slug of the category that receives the subcategories (required when there are some).
    #[validate(length(min = 1, max = 60))]
    #[param(min_length = 1, max_length = 60)]
    pub move_to: Option<String>,
}

/// Autocomplete of makes.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MakeQuery {
    /// What the user typed: accents, case and punctuation do not matter, small typos are
    /// forgiven ("cesna" finds Cessna). Omit it to list makes by name.
    #[validate(length(max = 100))]
    #[param(max_length = 100)]
    #[param(example = "robin")]
    pub q: Option<String>,
    /// Only makes that build this kind.
    pub kind: Option<MakeKind>,
    /// 1–50 (default 10).
    #[validate(range(min = 1, max = 50))]
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<u32>,
}

/// Autocomplete of a make's models.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ModelQuery {
    /// What the user typed; spaces and dashes in designations do not matter ("dr400",
    /// "DR 400"). Omit it to list the make's models.
    #[validate(length(max = 100))]
    #[param(max_length = 100)]
    #[param(example = "dr4")]
    pub q: Option<String>,
    /// 1–50 (default 10).
    #[validate(range(min = 1, max = 50))]
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<u32>,
}

/// A manufacturer of aircraft, engines, propellers or avionics.
#[derive(Debug, Serialize, ToSchema)]
pub struct Make {
    pub id: Uuid,
    #[schema(example = "Robin")]
    pub name: String,
    #[schema(example = "robin")]
    pub slug: String,
    /// What it builds.
    pub kinds: Vec<MakeKind>,
    /// ISO country code of the maker.
    #[schema(example = "FR")]
    pub country: Option<String>,
}

impl TryFrom<MakeRow> for Make {
    type Error = ApiError;
    fn try_from(m: MakeRow) -> Result<Self, ApiError> {
        Ok(Make {
            id: m.id,
            name: m.name,
            slug: m.slug,
            kinds: m
                .kinds
                .iter()
                .map(|k| k.parse())
                .collect::<Result<_, _>>()
                .map_err(ApiError::internal)?,
            country: m.country,
        })
    }
}

/// Makes, best match first.
#[derive(Debug, Serialize, ToSchema)]
pub struct MakeList {
    pub items: Vec<Make>,
}

/// A model of a make.
#[derive(Debug, Serialize, ToSchema)]
pub struct Model {
    pub id: Uuid,
    pub make_id: Uuid,
    #[schema(example = "DR400-140B Major")]
    pub name: String,
}

impl From<ModelRow> for Model {
    fn from(m: ModelRow) -> Self {
        Model {
            id: m.id,
            make_id: m.make_id,
            name: m.name,
        }
    }
}

/// Models of a make, best match first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelList {
    pub make: Make,
    pub items: Vec<Model>,
}

/// Airfield search.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AirfieldQuery {
    /// ICAO or IATA code, name or city; accents and case do not matter ("angers", "LFJR",
    /// "marcé"). The exact ICAO code comes first. Omit it to list by ICAO code.
    #[validate(length(max = 100))]
    #[param(max_length = 100)]
    #[param(example = "toussus")]
    pub q: Option<String>,
    /// Only airfields of this country (ISO code).
    #[validate(custom(function = "country_code"))]
    #[param(pattern = "^[A-Za-z]{2}$")]
    #[param(example = "FR")]
    pub country: Option<String>,
    /// 1–50 (default 10).
    #[validate(range(min = 1, max = 50))]
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<u32>,
}

/// An airfield.
#[derive(Debug, Serialize, ToSchema)]
pub struct Airfield {
    #[schema(example = "LFPN")]
    pub icao: String,
    #[schema(example = "TNF")]
    pub iata: Option<String>,
    #[schema(example = "Toussus-le-Noble Airport")]
    pub name: String,
    #[schema(example = "Toussus-le-Noble")]
    pub city: Option<String>,
    /// Region or state.
    #[schema(example = "Ile-de-France")]
    pub subdivision: Option<String>,
    /// ISO country code.
    #[schema(example = "FR")]
    pub country: String,
    #[schema(example = 538)]
    pub elevation_ft: Option<i32>,
    /// Latitude, WGS84 degrees.
    #[schema(example = 48.7519)]
    pub lat: f64,
    /// Longitude, WGS84 degrees.
    #[schema(example = 2.10619)]
    pub lon: f64,
    /// IANA time zone.
    #[schema(example = "Europe/Paris")]
    pub tz: Option<String>,
}

impl From<AirfieldRow> for Airfield {
    fn from(a: AirfieldRow) -> Self {
        Airfield {
            icao: a.icao,
            iata: a.iata,
            name: a.name,
            city: a.city,
            subdivision: a.subdivision,
            country: a.country,
            elevation_ft: a.elevation_ft,
            lat: a.lat,
            lon: a.lon,
            tz: a.tz,
        }
    }
}

/// Airfields, best match first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AirfieldList {
    pub items: Vec<Airfield>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for ok in ["aircraft", "single-engine-piston", "ulm-3-axis", "a1"] {
            assert!(category_slug(ok).is_ok(), "{ok}");
        }
        for bad in [
            "a",
            "Aircraft",
            "-aircraft",
            "aircraft-",
            "single--engine",
            "hélices",
            "with space",
            &"a".repeat(61),
        ] {
            assert!(category_slug(bad).is_err(), "{bad}");
        }
    }
}
