//! nginx's built-in TLS defaults, by version.
//!
//! Sources: nginx/nginx `src/http/modules/ngx_http_ssl_module.c`
//! (`ngx_http_ssl_merge_srv_conf`), `src/event/ngx_event_openssl.h`
//! (`NGX_SSL_DEFAULT_PROTOCOLS`, `NGX_DEFAULT_CIPHERS`,
//! `NGX_DEFAULT_ECDH_CURVE`), and the release in which each change first
//! shipped (shared/docs/peers.md §7):
//! - 1.23.4 (7b24b93d6) added TLSv1.3 to the default ssl_protocols;
//! - 1.27.3 (ebd18ec18) removed TLSv1 and TLSv1.1 from it;
//! - 1.29.2 (0373fe5d9) negotiates the protocol per SNI server (OpenSSL ≥ 1.1.1);
//! - 1.11.0 (3b7dca4bb) made `ssl_ecdh_curve auto` the default;
//! - 1.25.1 (d32f66f1e) removed `ssl on`; 1.15.0 deprecated it;
//! - 1.29.3 (c93a0c48a) added `add_header_inherit`.

use crate::version::Version;

/// The current stable nginx (the 1.30 branch; 1.30.4 is its newest release
/// in the nginx repository snapshot read for this table).
pub const CURRENT_STABLE: Version = Version::new(1, 30, 4);

/// nginx and OpenSSL versions being modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub nginx: Version,
    pub openssl: Version,
    /// The modelled Apache httpd (for Apache trees).
    pub apache: Version,
}

impl Default for Target {
    fn default() -> Target {
        Target {
            nginx: CURRENT_STABLE,
            openssl: Version::new(3, 0, 0),
            apache: crate::apache::env::DEFAULT_VERSION,
        }
    }
}

pub const DEFAULT_CIPHERS: &str = "HIGH:!aNULL:!MD5";
pub const DEFAULT_PROXY_CIPHERS: &str = "DEFAULT";

/// The default `ssl_protocols` (also proxy_/grpc_/stream) for a version.
pub fn default_protocols(nginx: Version) -> (Vec<String>, String) {
    let list: &[&str] = if nginx < Version::new(1, 23, 4) {
        &["TLSv1", "TLSv1.1", "TLSv1.2"]
    } else if nginx < Version::new(1, 27, 3) {
        &["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
    } else {
        &["TLSv1.2", "TLSv1.3"]
    };
    (
        list.iter().map(|s| s.to_string()).collect(),
        format!("nginx {nginx} default: ssl_protocols {}", list.join(" ")),
    )
}

/// The default `ssl_ecdh_curve`.
pub fn default_ecdh_curve(nginx: Version) -> &'static str {
    if nginx < Version::new(1, 11, 0) {
        "prime256v1"
    } else {
        "auto"
    }
}

/// Whether nginx applies `ssl_protocols` per SNI server (else the default
/// server of the listen socket decides), and why not.
pub fn per_server_protocols(t: &Target) -> Result<(), String> {
    if t.nginx < Version::new(1, 29, 2) {
        Err(format!(
            "before nginx 1.29.2 (modelled: {}) the protocol version is negotiated with the default server of the listen socket",
            t.nginx
        ))
    } else if t.openssl < Version::new(1, 1, 1) {
        Err(format!(
            "with OpenSSL older than 1.1.1 (modelled: {}) nginx negotiates the protocol version with the default server of the listen socket",
            t.openssl
        ))
    } else {
        Ok(())
    }
}

/// `add_header_inherit` exists from 1.29.3.
pub fn has_add_header_inherit(nginx: Version) -> bool {
    nginx >= Version::new(1, 29, 3)
}

/// `ssl on` was removed in 1.25.1.
pub fn has_ssl_on(nginx: Version) -> bool {
    nginx < Version::new(1, 25, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_by_version() {
        let v = |s: &str| s.parse::<Version>().unwrap();
        assert_eq!(
            default_protocols(v("1.22.1")).0,
            ["TLSv1", "TLSv1.1", "TLSv1.2"]
        );
        assert_eq!(
            default_protocols(v("1.23.4")).0,
            ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
        );
        assert_eq!(
            default_protocols(v("1.27.2")).0,
            ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
        );
        assert_eq!(default_protocols(v("1.27.3")).0, ["TLSv1.2", "TLSv1.3"]);
        let t = Target {
            nginx: v("1.29.2"),
            openssl: v("3.0"),
            ..Target::default()
        };
        assert!(per_server_protocols(&t).is_ok());
        let t = Target {
            nginx: v("1.29.1"),
            openssl: v("3.0"),
            ..Target::default()
        };
        assert!(per_server_protocols(&t).is_err());
        let t = Target {
            nginx: v("1.30"),
            openssl: v("1.1.0"),
            ..Target::default()
        };
        assert!(per_server_protocols(&t).is_err());
    }
}
