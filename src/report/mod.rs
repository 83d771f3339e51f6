//! Reports: human and JSON.

pub mod human;
pub mod json;
