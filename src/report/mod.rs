//! Reports: human, JSON, SARIF and GitHub Actions annotations.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
