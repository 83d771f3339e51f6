//! Findings: what a rule reports about an endpoint.

use serde::Serialize;

use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A further location that explains a finding (an inherited or default source).
#[derive(Debug, Clone)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// Which endpoint a finding is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointRef {
    pub span: Span,
    pub label: String,
    pub server_names: Vec<String>,
    pub listen: Vec<String>,
}

/// What a finding is based on: the configuration files, or a live probe of
/// the server (`tlslint PATH --probe`, `tlslint probe HOST`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Evidence {
    #[default]
    Config,
    Probe,
}

impl Evidence {
    pub fn as_str(&self) -> &'static str {
        match self {
            Evidence::Config => "config",
            Evidence::Probe => "probe",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The directive that decides (or the listen line for a default).
    pub span: Span,
    /// Short text under the snippet.
    pub label: String,
    pub related: Vec<Related>,
    /// What to write instead.
    pub help: Option<String>,
    /// The endpoints this applies to (several when one directive decides for many).
    pub endpoints: Vec<EndpointRef>,
    /// `config` (the files) or `probe` (what the live server did).
    pub evidence: Evidence,
}
