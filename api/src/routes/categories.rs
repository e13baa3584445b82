//! `/api/v1/categories`: the tree listings are filed under. Anyone reads it; moderators and
//! administrators shape it, and only administrators reorder the top level (with a logged-in
//! session: personal access tokens cannot).

use std::collections::{HashMap, HashSet};

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use diesel::Connection;
use diesel::pg::PgConnection;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::db::categories::{self, Category, CategoryChanges, NewCategory};
use crate::db::{self};
use crate::domain::Role;
use crate::dto::catalogue::{
    CategoryDetail, CategoryNode, CategoryQuery, CategorySummary, CategoryTree, ChildrenOrder,
    CreateCategory, DeleteCategoryQuery, UpdateCategory,
};
use crate::error::{ApiError, FieldErrors, Problem};
use crate::extract::{ValidJson, ValidQuery};
use crate::routes::cache;
use crate::startup::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(tree)
        .service(create_category)
        .service(get_category)
        .service(update_category)
        .service(delete_category)
        .service(reorder_children)
        .service(reorder_top_level);
}

/// With `include_inactive=true` the caller must be a moderator (401 anonymous, 403 member).
async fn sees_inactive(
    req: &HttpRequest,
    include_inactive: Option<bool>,
) -> Result<bool, ApiError> {
    if include_inactive != Some(true) {
        return Ok(false);
    }
    let user = AuthUser::extract(req).await?;
    user.require_role(Role::Moderator)?;
    Ok(true)
}

/// Shaping the catalogue: moderators and administrators, from a logged-in session.
fn require_moderator(user: &AuthUser) -> Result<(), ApiError> {
    user.require_role(Role::Moderator)?;
    user.require_session()
}

fn no_such_category(slug: &str) -> ApiError {
    ApiError::NotFound(format!("No category `{slug}`."))
}

/// Nests the flat rows (already in display order) under their parents. Hidden categories
/// take their whole subtree with them.
fn build_tree(
    rows: &[Category],
    include_inactive: bool,
    counts: &HashMap<Uuid, i64>,
) -> Result<Vec<CategoryNode>, ApiError> {
    let mut by_parent: HashMap<Option<Uuid>, Vec<&Category>> = HashMap::new();
    for row in rows {
        if include_inactive || row.active {
            by_parent.entry(row.parent_id).or_default().push(row);
        }
    }
    // Only nodes reachable from the roots are visited, so even a corrupted (cyclic) tree
    // cannot loop here.
    fn nodes(
        parent: Option<Uuid>,
        by_parent: &HashMap<Option<Uuid>, Vec<&Category>>,
        counts: &HashMap<Uuid, i64>,
    ) -> Result<Vec<CategoryNode>, ApiError> {
        by_parent
            .get(&parent)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|c| {
                let children = nodes(Some(c.id), by_parent, counts)?;
                let below: i64 = children.iter().map(|n| n.listing_count).sum();
                Ok(CategoryNode {
                    category: CategorySummary::try_from(*c)?,
                    listing_count: counts.get(&c.id).copied().unwrap_or(0) + below,
                    children,
                })
            })
            .collect()
    }
    nodes(None, &by_parent, counts)
}

/// A category with its breadcrumb and children, as stored.
struct Loaded {
    category: Category,
    path: Vec<Category>,
    children: Vec<Category>,
}

fn load(conn: &mut PgConnection, slug: &str) -> Result<Loaded, ApiError> {
    let category = categories::find_by_slug(conn, slug)?.ok_or_else(|| no_such_category(slug))?;
    let path = categories::ancestors(conn, category.id)?;
    let children = categories::children(conn, category.id)?;
    Ok(Loaded {
        category,
        path,
        children,
    })
}

impl Loaded {
    /// `None` when the public may not see it (it or an ancestor is inactive).
    fn detail(&self, include_inactive: bool) -> Result<Option<CategoryDetail>, ApiError> {
        let visible = self.category.active && self.path.iter().all(|c| c.active);
        if !include_inactive && !visible {
            return Ok(None);
        }
        Ok(Some(CategoryDetail {
            category: CategorySummary::try_from(&self.category)?,
            parent: self.path.last().map(|p| p.slug.clone()),
            path: self
                .path
                .iter()
                .map(CategorySummary::try_from)
                .collect::<Result<_, _>>()?,
            children: self
                .children
                .iter()
                .filter(|c| include_inactive || c.active)
                .map(CategorySummary::try_from)
                .collect::<Result<_, _>>()?,
            created_at: self.category.created_at,
            updated_at: self.category.updated_at,
        }))
    }

    /// The moderators' view, after a change.
    fn full_detail(&self) -> Result<CategoryDetail, ApiError> {
        self.detail(true)?
            .ok_or_else(|| ApiError::internal("the full view hid a category"))
    }
}

/// The whole category tree in one document: top-level categories in display order, each
/// with its subcategories nested in `children`.
///
/// Inactive categories, and everything under them, are left out; moderators see them with
/// `include_inactive=true`. The answer carries an `ETag`: send it back as `If-None-Match`
/// to get a bodiless `304` while the tree has not changed. Public answers may be cached for
/// a minute.
#[utoipa::path(
    tag = "categories",
    operation_id = "get_category_tree",
    params(CategoryQuery),
    responses(
        (status = 200, description = "The tree.", body = CategoryTree,
         headers(
             ("ETag" = String, description = "Hash of the body; send it as `If-None-Match`."),
             ("Cache-Control" = String, description = "`public, max-age=60` (`private, no-cache` with inactive categories)."),
         ),
         links(
             ("get_category" = (operation_id = "get_category", parameters(("slug" = "$response.body#/items/0/slug")), description = "The first top-level category, with its breadcrumb and children.")),
         )),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag.",
         headers(("ETag" = String, description = "The current ETag."))),
        (status = 401, description = "`include_inactive=true` without a login.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`include_inactive=true` by a member who is not a moderator.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown or invalid parameter.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/categories")]
pub async fn tree(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: ValidQuery<CategoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let include_inactive = sees_inactive(&req, query.0.include_inactive).await?;
    let (rows, counts) = db::run(&state.pool, |conn| {
        let rows = categories::list_all(conn)?;
        let counts = crate::db::listings::public_counts_by_category(conn)?;
        Ok::<_, diesel::result::Error>((rows, counts))
    })
    .await?;
    let counts: HashMap<Uuid, i64> = counts.into_iter().collect();
    let tree = CategoryTree {
        items: build_tree(&rows, include_inactive, &counts)?,
    };
    cache::json(
        &req,
        &tree,
        if include_inactive {
            cache::PRIVATE
        } else {
            cache::PUBLIC_1_MINUTE
        },
    )
}

/// One category: its names and attribute group, its `path` from the top of the tree (a
/// breadcrumb) and its direct `children`.
///
/// An inactive category, or one under an inactive ancestor, answers 404 unless a moderator
/// asks with `include_inactive=true`. Conditional requests work as for the tree.
#[utoipa::path(
    tag = "categories",
    operation_id = "get_category",
    params(("slug" = String, Path, description = "The category's slug", example = "single-engine-piston"), CategoryQuery),
    responses(
        (status = 200, description = "The category.", body = CategoryDetail,
         headers(
             ("ETag" = String, description = "Hash of the body; send it as `If-None-Match`."),
             ("Cache-Control" = String, description = "`public, max-age=60` (`private, no-cache` with inactive categories)."),
         )),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag."),
        (status = 401, description = "`include_inactive=true` without a login.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`include_inactive=true` by a member who is not a moderator.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category (or an inactive one).", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown or invalid parameter.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/categories/{slug}")]
pub async fn get_category(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    query: ValidQuery<CategoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let include_inactive = sees_inactive(&req, query.0.include_inactive).await?;
    let slug = slug.into_inner();
    let key = slug.clone();
    let loaded = db::run(&state.pool, move |conn| load(conn, &key)).await?;
    let detail = loaded
        .detail(include_inactive)?
        .ok_or_else(|| no_such_category(&slug))?;
    cache::json(
        &req,
        &detail,
        if include_inactive {
            cache::PRIVATE
        } else {
            cache::PUBLIC_1_MINUTE
        },
    )
}

/// Create a category (moderators and administrators). It goes last among its siblings; the
/// slug is its permanent key.
#[utoipa::path(
    tag = "categories",
    operation_id = "create_category",
    security(("bearer" = [])),
    request_body = CreateCategory,
    responses(
        (status = 201, description = "Created; `Location` is its URL.", body = CategoryDetail,
         headers(("Location" = String, description = "`/api/v1/categories/{slug}`")),
         links(
             ("get_category" = (operation_id = "get_category", parameters(("slug" = "$response.body#/slug")), description = "Read the new category.")),
             ("update_category" = (operation_id = "update_category", parameters(("slug" = "$response.body#/slug")), description = "Edit it.")),
             ("reorder_category_children" = (operation_id = "reorder_category_children", parameters(("slug" = "$response.body#/slug")), description = "Order its subcategories.")),
             ("delete_category" = (operation_id = "delete_category", parameters(("slug" = "$response.body#/slug")), description = "Delete it.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a moderator, or a personal access token.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, or an unknown parent.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/categories")]
pub async fn create_category(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ValidJson<CreateCategory>,
) -> Result<HttpResponse, ApiError> {
    require_moderator(&user)?;
    let ValidJson(body) = body;
    let slug = body.slug.clone();
    let created = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            categories::lock_tree(conn)?;
            let parent = match &body.parent {
                Some(parent) => Some(
                    categories::find_by_slug(conn, parent)?
                        .ok_or_else(|| ApiError::field("parent", "is not an existing category"))?
                        .id,
                ),
                None => None,
            };
            let position = categories::next_position(conn, parent)?;
            categories::insert(
                conn,
                &NewCategory {
                    id: Uuid::now_v7(),
                    parent_id: parent,
                    slug: body.slug.clone(),
                    position,
                    name_fr: body.name_fr.trim().to_owned(),
                    name_en: body.name_en.trim().to_owned(),
                    attribute_group: body.attribute_group.as_str().to_owned(),
                    active: body.active.unwrap_or(true),
                },
            )?;
            load(conn, &body.slug)
        })
    })
    .await?;
    // Searches by category read the subtrees again.
    state.search.caches.subtrees.clear();
    log::info!("moderator {} created category {slug}", user.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/categories/{slug}")))
        .json(created.full_detail()?))
}

/// Edit a category (moderators and administrators): names, attribute group, whether it is
/// active, and its parent.
///
/// A new `parent` moves the category with its whole subtree, last among its new siblings
/// (`null` makes it top-level). Moving it under itself or one of its own descendants would
/// make a cycle: 422 on `parent`.
#[utoipa::path(
    tag = "categories",
    operation_id = "update_category",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The category's slug", example = "aerobatic")),
    request_body = UpdateCategory,
    responses(
        (status = 200, description = "The updated category.", body = CategoryDetail,
         links(
             ("get_category" = (operation_id = "get_category", parameters(("slug" = "$response.body#/slug")), description = "Read it back.")),
             ("delete_category" = (operation_id = "delete_category", parameters(("slug" = "$response.body#/slug")), description = "Delete it.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a moderator, or a personal access token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, an unknown parent, or a move that would make a cycle.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/categories/{slug}")]
pub async fn update_category(
    state: web::Data<AppState>,
    user: AuthUser,
    slug: web::Path<String>,
    body: ValidJson<UpdateCategory>,
) -> Result<web::Json<CategoryDetail>, ApiError> {
    require_moderator(&user)?;
    let ValidJson(body) = body;
    let slug = slug.into_inner();
    let key = slug.clone();
    let updated = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            categories::lock_tree(conn)?;
            let current =
                categories::find_by_slug(conn, &key)?.ok_or_else(|| no_such_category(&key))?;
            let mut changes = CategoryChanges {
                name_fr: body.name_fr.map(|s| s.trim().to_owned()),
                name_en: body.name_en.map(|s| s.trim().to_owned()),
                attribute_group: body.attribute_group.map(|g| g.as_str().to_owned()),
                active: body.active,
                ..CategoryChanges::default()
            };
            if let Some(parent) = body.parent {
                let parent_id = match parent {
                    None => None,
                    Some(parent) => {
                        let parent = categories::find_by_slug(conn, &parent)?.ok_or_else(|| {
                            ApiError::field("parent", "is not an existing category")
                        })?;
                        if categories::is_self_or_descendant(conn, current.id, parent.id)? {
                            return Err(ApiError::field(
                                "parent",
                                format!(
                                    "cycle: `{}` is `{key}` itself or one of its subcategories",
                                    parent.slug
                                ),
                            ));
                        }
                        Some(parent.id)
                    }
                };
                if parent_id != current.parent_id {
                    changes.position = Some(categories::next_position(conn, parent_id)?);
                    changes.parent_id = Some(parent_id);
                }
            }
            let unchanged = changes.parent_id.is_none()
                && changes.name_fr.is_none()
                && changes.name_en.is_none()
                && changes.attribute_group.is_none()
                && changes.active.is_none();
            if !unchanged {
                categories::update(conn, current.id, &changes)?;
            }
            load(conn, &key)
        })
    })
    .await?;
    // Searches by category read the subtrees again.
    state.search.caches.subtrees.clear();
    log::info!("moderator {} updated category {slug}", user.id);
    Ok(web::Json(updated.full_detail()?))
}

/// Delete a category (moderators and administrators).
///
/// A category with subcategories is refused (409) unless `move_to` names the category that
/// takes them: they move there, last among its children, in the same transaction as the
/// deletion.
#[utoipa::path(
    tag = "categories",
    operation_id = "delete_category",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The category's slug", example = "ulm-aerostats"), DeleteCategoryQuery),
    responses(
        (status = 204, description = "Deleted (its subcategories moved to `move_to`)."),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a moderator, or a personal access token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It has subcategories or listings and no `move_to` was given.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`move_to` is unknown, or is the category itself or one of its subcategories; or an unknown parameter.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/categories/{slug}")]
pub async fn delete_category(
    state: web::Data<AppState>,
    user: AuthUser,
    slug: web::Path<String>,
    query: ValidQuery<DeleteCategoryQuery>,
) -> Result<HttpResponse, ApiError> {
    require_moderator(&user)?;
    let move_to = query.0.move_to;
    let slug = slug.into_inner();
    let key = slug.clone();
    let moved = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            categories::lock_tree(conn)?;
            let current = categories::find_by_slug(conn, &key)?
                .ok_or_else(|| no_such_category(&key))?;
            let target = match &move_to {
                Some(target) => {
                    let target = categories::find_by_slug(conn, target)?.ok_or_else(|| {
                        ApiError::field("move_to", "is not an existing category")
                    })?;
                    if categories::is_self_or_descendant(conn, current.id, target.id)? {
                        return Err(ApiError::field(
                            "move_to",
                            "must be outside the category being deleted",
                        ));
                    }
                    Some(target)
                }
                None => None,
            };
            let children = categories::children(conn, current.id)?;
            let moved = match (&target, children.len()) {
                (_, 0) => 0,
                (Some(target), _) => categories::move_children(conn, current.id, target.id)?,
                (None, n) => {
                    return Err(ApiError::Conflict {
                        detail: format!(
                            "`{key}` has {n} subcategories; give `move_to=<slug>` to move them first."
                        ),
                        errors: FieldErrors::new(),
                    });
                }
            };
            // Its listings move with the subcategories, or keep the category alive.
            let listings = crate::db::listings::count_in_category(conn, current.id)?;
            match (&target, listings) {
                (_, 0) => {}
                (Some(target), _) => {
                    crate::db::listings::move_category(conn, current.id, target.id)?;
                }
                (None, n) => {
                    return Err(ApiError::Conflict {
                        detail: format!("`{key}` still holds {n} listings; give `move_to=<slug>` to move them first."),
                        errors: FieldErrors::new(),
                    });
                }
            }
            categories::delete(conn, current.id)?;
            Ok::<_, ApiError>(moved)
        })
    })
    .await?;
    // Searches by category read the subtrees again.
    state.search.caches.subtrees.clear();
    log::info!(
        "moderator {} deleted category {slug} ({moved} subcategories moved)",
        user.id
    );
    Ok(HttpResponse::NoContent().finish())
}

/// Reorder a category's children (moderators and administrators): the body lists the slugs
/// of all its current children, each once, in the new order.
#[utoipa::path(
    tag = "categories",
    operation_id = "reorder_category_children",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The parent category's slug", example = "aircraft")),
    request_body = ChildrenOrder,
    responses(
        (status = 200, description = "The category with its children in the new order.", body = CategoryDetail),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a moderator, or a personal access token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The list is not exactly the current children (missing, unknown or repeated slugs).", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/categories/{slug}/children/order")]
pub async fn reorder_children(
    state: web::Data<AppState>,
    user: AuthUser,
    slug: web::Path<String>,
    body: ValidJson<ChildrenOrder>,
) -> Result<web::Json<CategoryDetail>, ApiError> {
    require_moderator(&user)?;
    let order = body.0.children;
    let slug = slug.into_inner();
    let key = slug.clone();
    let updated = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            categories::lock_tree(conn)?;
            let current =
                categories::find_by_slug(conn, &key)?.ok_or_else(|| no_such_category(&key))?;
            let children = categories::children(conn, current.id)?;
            let ids = order_ids(&children, &order, |slug| {
                format!("`{slug}` is not a subcategory of `{key}`")
            })?;
            categories::set_order(conn, &ids)?;
            load(conn, &key)
        })
    })
    .await?;
    log::info!("moderator {} reordered the children of {slug}", user.id);
    Ok(web::Json(updated.full_detail()?))
}

/// Reorder the top-level categories (administrators only).
///
/// The body lists the slugs of all the current top-level categories, hidden ones included,
/// each once, in the new order; their subtrees move with them. It is the body of
/// `PUT /categories/{slug}/children/order`, for the level that has no parent. The answer is
/// the whole tree with hidden categories, as `GET /categories?include_inactive=true` shows it.
#[utoipa::path(
    tag = "categories",
    operation_id = "reorder_top_level_categories",
    security(("bearer" = [])),
    request_body(content = ChildrenOrder,
        description = "`children`: the slugs of every top-level category, in the new order.",
        example = json!({"children": ["ulm", "aircraft", "gliders", "helicopters", "balloons-airships",
            "engines", "propellers", "avionics", "parts", "pilot-equipment", "hangars", "shares",
            "services", "tools-ground-equipment"]})),
    responses(
        (status = 200, description = "The whole tree (hidden categories included), top level in the new order.", body = CategoryTree),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator, or a personal access token.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The list is not exactly the current top-level categories (missing, unknown or repeated slugs, or a subcategory): the messages are on `children`.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/categories/order")]
pub async fn reorder_top_level(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ValidJson<ChildrenOrder>,
) -> Result<web::Json<CategoryTree>, ApiError> {
    user.require_role(Role::Admin)?;
    user.require_session()?;
    let order = body.0.children;
    let (rows, counts) = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            categories::lock_tree(conn)?;
            let roots = categories::roots(conn)?;
            let ids = order_ids(&roots, &order, |slug| {
                format!("`{slug}` is not a top-level category")
            })?;
            categories::set_order(conn, &ids)?;
            Ok::<_, ApiError>(())
        })?;
        let rows = categories::list_all(conn)?;
        let counts = crate::db::listings::public_counts_by_category(conn)?;
        Ok::<_, ApiError>((rows, counts))
    })
    .await?;
    let counts: HashMap<Uuid, i64> = counts.into_iter().collect();
    log::info!(
        "administrator {} reordered the top-level categories",
        user.id
    );
    Ok(web::Json(CategoryTree {
        items: build_tree(&rows, true, &counts)?,
    }))
}

/// The siblings' ids in the order of `order`, which must name each of `siblings` once;
/// `stranger` words the message for a slug that is not one of them.
fn order_ids(
    siblings: &[Category],
    order: &[String],
    stranger: impl Fn(&str) -> String,
) -> Result<Vec<Uuid>, ApiError> {
    let by_slug: HashMap<&str, Uuid> = siblings.iter().map(|c| (c.slug.as_str(), c.id)).collect();
    let mut messages = Vec::new();
    let mut seen = HashSet::new();
    for slug in order {
        if !seen.insert(slug.as_str()) {
            messages.push(format!("lists `{slug}` more than once"));
        } else if !by_slug.contains_key(slug.as_str()) {
            messages.push(stranger(slug));
        }
    }
    for sibling in siblings {
        if !seen.contains(sibling.slug.as_str()) {
            messages.push(format!("misses `{}`", sibling.slug));
        }
    }
    if !messages.is_empty() {
        let mut errors = FieldErrors::new();
        errors.insert("children".into(), messages);
        return Err(ApiError::validation(errors));
    }
    Ok(order
        .iter()
        .filter_map(|slug| by_slug.get(slug.as_str()).copied())
        .collect())
}
