//! The rule catalog: one file per rule, listed in [`RULES`].

use crate::finding::{EndpointRef, Finding, Severity};
use crate::model::Endpoint;
use crate::nginx::defaults::Target;
use crate::profile::Profile;
use crate::source::SourceMap;

pub mod tls101_protocol_outside_profile;

/// A rule's fixed metadata.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub summary: &'static str,
    pub severity: Severity,
}

/// What a rule sees besides the endpoint.
pub struct Context<'a> {
    pub profile: &'a Profile,
    pub sources: &'a SourceMap,
    pub target: &'a Target,
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>);
}

/// Every rule, in code order.
pub static RULES: &[&dyn Rule] = &[&tls101_protocol_outside_profile::Tls101];

pub fn endpoint_ref(ep: &Endpoint) -> EndpointRef {
    EndpointRef {
        span: ep.span,
        label: ep.label(),
        server_names: ep.server_names.clone(),
        listen: ep.listen.iter().map(|l| l.socket()).collect(),
    }
}

/// Run every rule on every endpoint. Findings that one directive causes for
/// several endpoints (an `http`-level setting, a default server) are merged
/// into one finding that lists the endpoints.
pub fn check_all(cx: &Context<'_>, endpoints: &[Endpoint]) -> Vec<Finding> {
    let mut raw = Vec::new();
    for ep in endpoints {
        for r in RULES {
            r.check(cx, ep, &mut raw);
        }
    }
    let mut merged: Vec<Finding> = Vec::new();
    let mut index: std::collections::HashMap<(&'static str, crate::source::Span, String), usize> =
        std::collections::HashMap::new();
    for f in raw {
        let k = (f.code, f.span, f.message.clone());
        match index.get(&k) {
            Some(&i) => {
                for e in f.endpoints {
                    if !merged[i].endpoints.contains(&e) {
                        merged[i].endpoints.push(e);
                    }
                }
            }
            None => {
                index.insert(k, merged.len());
                merged.push(f);
            }
        }
    }
    merged
}
