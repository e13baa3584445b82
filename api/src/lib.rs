//! Hangar's HTTP API as a library: `main.rs` and the black-box tests both start it through
//! [`startup::Application::build`].

pub mod admin_cli;
pub mod alerts;
pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod dto;
pub mod error;
pub mod extract;
pub mod jobs;
pub mod limits;
pub mod listings;
pub mod mail;
pub mod media;
pub mod openapi;
pub mod routes;
pub mod search;
pub mod seed;
pub mod startup;
pub mod telemetry;

pub use config::Settings;
pub use startup::Application;
