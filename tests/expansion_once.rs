//! A tree of 20,000 endpoints that share a handful of cipher strings expands
//! each distinct string once.

use tlslint::input::Root;
use tlslint::lint::{lint_root, LintOptions};
use tlslint::nginx::defaults::Target;
use tlslint::profile::Profile;
use tlslint::rules::cipher_facts::cache;

#[test]
fn twenty_thousand_endpoints_expand_each_string_once() {
    let strings = [
        "HIGH:!aNULL:!MD5",
        "ECDHE+AESGCM:ECDHE+CHACHA20",
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256",
        "DEFAULT:!RC4",
    ];
    let mut conf =
        String::from("events {}\nhttp {\n  ssl_certificate c.pem;\n  ssl_certificate_key k.pem;\n");
    for i in 0..20_000 {
        conf.push_str(&format!(
            "  server {{ listen {} ssl; server_name s{i}.example; ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers {}; }}\n",
            10_000 + (i % 50_000),
            strings[i % strings.len()]
        ));
    }
    conf.push_str("}\n");
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("nginx.conf");
    std::fs::write(&main, conf).unwrap();
    let opts = LintOptions {
        target: Target::default(),
        profile: Profile::builtin("intermediate", None).unwrap().0,
        prefix: None,
        files: Default::default(),
        apache: Default::default(),
    };
    let before = cache().expansions();
    let c = lint_root(&Root::File(main), &opts);
    assert_eq!(c.endpoints.len(), 20_000);
    assert!(c.findings.iter().any(|f| f.code == "TLS201"));
    assert_eq!(
        cache().expansions() - before,
        strings.len(),
        "each distinct string expanded once"
    );
}
