//! Portico: a supplier collaboration portal. See `DESIGN.md` in the steering repository and
//! the README for the picture; `app` assembles the server, `web` holds the pages.

pub mod api;
pub mod app;
pub mod assets;
pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod jobs;
pub mod mail;
pub mod service;
pub mod signing;
pub mod storage;
pub mod telemetry;
pub mod web;
