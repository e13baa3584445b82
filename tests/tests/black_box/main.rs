//! Black-box tests: the real service on a random port, a real PostgreSQL database per test,
//! HTTP in between. One binary with one module per area keeps link time low.

mod admin;
mod alerts;
mod auth;
mod authz_matrix;
mod backups;
mod binary;
mod catalogue;
mod category_listings;
mod cors;
mod db;
mod docs;
mod errors;
mod faults;
mod favorites;
mod hardening;
mod health;
mod jobs;
mod listings;
mod mail;
mod messages;
mod moderation;
mod moderation_audit;
mod notifications;
mod openapi;
mod photos;
mod premoderation;
mod readiness;
mod reports;
mod saved_searches;
mod search;
mod search_index;
mod search_paging;
mod static_files;
mod tokens;
mod users;
