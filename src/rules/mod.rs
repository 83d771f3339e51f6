//! The rule catalog: one file per rule, listed in [`RULES`].

use crate::finding::{EndpointRef, Finding, Severity};
use crate::model::{Endpoint, PlainServer};
use crate::nginx::defaults::Target;
use crate::profile::Profile;
use crate::source::SourceMap;

use std::collections::HashMap;

pub mod cert_facts;
pub mod cipher_facts;
pub mod doc;
#[cfg(feature = "probe")]
pub mod probe_facts;
pub mod shared_include;
pub mod tls101_protocol_outside_profile;
pub mod tls102_protocol_missing;
pub mod tls103_protocol_not_honoured;
pub mod tls201_cipher_outside_profile;
pub mod tls202_cipher_string_empty;
pub mod tls203_cipher_string_unknown_word;
pub mod tls204_ciphersuite_outside_profile;
pub mod tls205_cipher_order;
pub mod tls206_group_outside_profile;
pub mod tls207_group_unsupported;
pub mod tls208_dhparam_weak;
pub mod tls209_cipher_missing;
pub mod tls301_certificate_unusable;
pub mod tls302_key_mismatch;
pub mod tls303_certificate_expired;
pub mod tls304_certificate_expiring;
pub mod tls305_certificate_lifespan;
pub mod tls306_certificate_key_weak;
pub mod tls307_certificate_signature;
pub mod tls308_certificate_name_mismatch;
pub mod tls309_chain_order;
pub mod tls310_chain_incomplete;
pub mod tls311_chain_includes_root;
pub mod tls312_private_key_exposed;
pub mod tls401_client_auth_without_ca;
pub mod tls402_client_auth_unverified;
pub mod tls403_client_ca_unusable;
pub mod tls404_client_verify_depth;
pub mod tls405_upstream_tls_unverified;
pub mod tls501_hsts_missing;
pub mod tls502_hsts_too_short;
pub mod tls503_hsts_not_always;
pub mod tls504_hsts_dropped;
pub mod tls505_ocsp_stapling_off;
pub mod tls506_ocsp_stapling_ineffective;
pub mod tls507_session_tickets_unrotated;
pub mod tls508_http_not_redirected;
pub mod tls509_hsts_partial;
pub mod tls601_probe_protocols_differ;
pub mod tls602_probe_ciphers_differ;
pub mod tls603_probe_certificate_differs;
pub mod tls604_probe_handshake_failed;
pub mod tls605_probe_groups_differ;
pub mod tls606_probe_headers_differ;
pub mod tls901_deprecated_directive;
pub mod tls902_compression_on;
pub mod tls903_insecure_renegotiation;
pub mod tls904_early_data_on;
pub mod tls905_tls_listener_without_certificate;
pub mod tls906_suppression_invalid;
pub mod tls907_invalid_value;
pub mod tls908_words_dropped;

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
    /// Servers (nginx) and virtual hosts (Apache) that answer plain HTTP, for
    /// the redirect check.
    pub plain: &'a [PlainServer],
    /// `plain` indexed by server name.
    pub plain_index: &'a tls508_http_not_redirected::PlainIndex,
    /// Every endpoint of the tree (for rules that compare servers).
    pub endpoints: &'a [Endpoint],
    /// The certificate, key and parameter files the endpoints name, read.
    pub files: &'a crate::certs::TreeFiles,
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>);
}

/// Every rule, in code order.
pub static RULES: &[&dyn Rule] = &[
    &tls101_protocol_outside_profile::Tls101,
    &tls102_protocol_missing::Tls102,
    &tls103_protocol_not_honoured::Tls103,
    &tls201_cipher_outside_profile::Tls201,
    &tls202_cipher_string_empty::Tls202,
    &tls203_cipher_string_unknown_word::Tls203,
    &tls204_ciphersuite_outside_profile::Tls204,
    &tls205_cipher_order::Tls205,
    &tls206_group_outside_profile::Tls206,
    &tls207_group_unsupported::Tls207,
    &tls208_dhparam_weak::Tls208,
    &tls209_cipher_missing::Tls209,
    &tls301_certificate_unusable::Tls301,
    &tls302_key_mismatch::Tls302,
    &tls303_certificate_expired::Tls303,
    &tls304_certificate_expiring::Tls304,
    &tls305_certificate_lifespan::Tls305,
    &tls306_certificate_key_weak::Tls306,
    &tls307_certificate_signature::Tls307,
    &tls308_certificate_name_mismatch::Tls308,
    &tls309_chain_order::Tls309,
    &tls310_chain_incomplete::Tls310,
    &tls311_chain_includes_root::Tls311,
    &tls312_private_key_exposed::Tls312,
    &tls401_client_auth_without_ca::Tls401,
    &tls402_client_auth_unverified::Tls402,
    &tls403_client_ca_unusable::Tls403,
    &tls404_client_verify_depth::Tls404,
    &tls405_upstream_tls_unverified::Tls405,
    &tls501_hsts_missing::Tls501,
    &tls502_hsts_too_short::Tls502,
    &tls503_hsts_not_always::Tls503,
    &tls504_hsts_dropped::Tls504,
    &tls505_ocsp_stapling_off::Tls505,
    &tls506_ocsp_stapling_ineffective::Tls506,
    &tls507_session_tickets_unrotated::Tls507,
    &tls508_http_not_redirected::Tls508,
    &tls509_hsts_partial::Tls509,
    &tls601_probe_protocols_differ::Tls601,
    &tls602_probe_ciphers_differ::Tls602,
    &tls603_probe_certificate_differs::Tls603,
    &tls604_probe_handshake_failed::Tls604,
    &tls605_probe_groups_differ::Tls605,
    &tls606_probe_headers_differ::Tls606,
    &tls901_deprecated_directive::Tls901,
    &tls902_compression_on::Tls902,
    &tls903_insecure_renegotiation::Tls903,
    &tls904_early_data_on::Tls904,
    &tls905_tls_listener_without_certificate::Tls905,
    &tls906_suppression_invalid::Tls906,
    &tls907_invalid_value::Tls907,
    &tls908_words_dropped::Tls908,
];

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
    // httpd reads a file once per Include (one FileId each): the same line
    // of the same file is one directive, so its findings merge
    let mut first: HashMap<&std::path::Path, crate::source::FileId> = HashMap::new();
    for (id, f) in cx.sources.iter() {
        first.entry(f.path.as_path()).or_insert(id);
    }
    let canon = |s: &mut crate::source::Span| {
        if let Some(&id) = first.get(cx.sources.path(s.file)) {
            s.file = id;
        }
    };
    for f in &mut raw {
        canon(&mut f.span);
        f.related.iter_mut().for_each(|r| canon(&mut r.span));
    }
    merge(raw)
}

/// Merge findings with the same code, span and message into one that lists
/// every endpoint, and sort them by place.
pub fn merge(raw: Vec<Finding>) -> Vec<Finding> {
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
    merged.sort_by(|a, b| {
        (a.span.file, a.span.line, a.span.col, a.code).cmp(&(
            b.span.file,
            b.span.line,
            b.span.col,
            b.code,
        ))
    });
    merged
}

/// A finding for one endpoint.
pub fn finding(
    meta: &'static RuleMeta,
    span: crate::source::Span,
    message: String,
    label: String,
    help: Option<String>,
    ep: &Endpoint,
) -> Finding {
    Finding {
        code: meta.code,
        name: meta.name,
        severity: meta.severity,
        message,
        span,
        label,
        related: Vec::new(),
        help,
        endpoints: vec![endpoint_ref(ep)],
        evidence: Default::default(),
    }
}

/// Where a setting came from, for labels: "set here", "inherited", the default's note.
pub fn origin(ep: &Endpoint, src: &crate::model::Source) -> String {
    match src {
        crate::model::Source::Set(_) => "set here".into(),
        crate::model::Source::Inherited(_) => match ep.server {
            crate::model::ServerKind::Nginx => "inherited by this server".into(),
            crate::model::ServerKind::Apache => "inherited from the main server config".into(),
        },
        crate::model::Source::Default { note, .. } => note.to_string(),
    }
}

/// A `Related` note pointing at the endpoint when the primary span is elsewhere.
pub fn related_endpoint(f: &mut Finding, ep: &Endpoint, src: &crate::model::Source) {
    if !matches!(src, crate::model::Source::Set(_)) {
        f.related.push(crate::finding::Related {
            span: ep.span,
            message: match ep.server {
                crate::model::ServerKind::Nginx => "the server it applies to".into(),
                crate::model::ServerKind::Apache => "the virtual host it applies to".into(),
            },
        });
    }
}
