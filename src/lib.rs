//! tlslint: lint the TLS side of nginx and Apache httpd configuration.
//!
//! One pipeline, one direction: **load** (source map, include resolution) →
//! **parse** (directive trees with spans) → **resolve** (server-neutral
//! endpoints) → **check** (rules against a profile) → **report**.

pub mod apache;
pub mod baseline;
pub mod certs;
pub mod cidr;
pub mod cli;
pub mod commands;
pub mod config;
pub mod detect;
pub mod error;
pub mod finding;
pub mod fsx;
pub mod generate;
pub mod input;
pub mod lint;
pub mod model;
pub mod nginx;
pub mod openssl;
pub mod paths;
pub mod post;
pub mod printable;
#[cfg(feature = "probe")]
pub mod probe;
pub mod profile;
pub mod report;
pub mod roots;
pub mod rules;
pub mod source;
pub mod suggest;
pub mod suppress;
pub mod version;
pub mod yaml;
