//! Test certificates, keys, DH parameters and CRLs, generated at test time
//! with the `openssl` CLI (nothing with an expiry date is committed, and no
//! private key is). Dates are fixed (`openssl ca -startdate/-enddate`), so
//! tests that set `--now` give the same result on any day.
//!
//! Fixtures and rule pages describe what to generate with a small script,
//! one command per line (`#` starts a comment; `key=value` options; values
//! may be "quoted"):
//!
//! ```text
//! key  NAME [ec:P-256|ec:P-384|ec:P-521|ec:secp256k1|rsa:BITS|ed25519] [pkcs1|sec1]
//!           [encrypt=PASS] [legacy-encrypt=PASS]         default ec:P-256, PKCS #8
//! cert NAME key=KEY [issuer=CERT] [cn=TEXT] [san=DNS:a.example,IP:192.0.2.1]
//!           [ca] [pathlen=N] [no-bc] [from=YYYY-MM-DD] [to=YYYY-MM-DD]
//!           [md=sha256|sha1|sha384|...] [ocsp=URL] [aia=URL]
//!           self-signed without issuer; leaf defaults 2025-07-01..2026-06-30,
//!           CA defaults 2020-01-01..2040-01-01; cn defaults to NAME's stem
//! cat  NAME FILE...                      concatenate (chains)
//! dh   NAME ffdhe2048|ffdhe3072|ffdhe4096|modp_1536|dh_1024_160|dsa:BITS
//! crl  NAME ca=CERT [from=DATE] [to=DATE]
//! chmod NAME MODE                        e.g. chmod key.pem 644
//! write NAME TEXT                        a literal file (`\n` for newlines)
//! rehash DIR CERT...                     a hashed CA directory (HASH.N copies,
//!                                        as `openssl rehash` names them)
//! encrypt NAME KEY PASS [legacy]         KEY encrypted with AES-256 under PASS
//!                                        (PKCS #8 PBES2; legacy: Proc-Type PEM)
//! ```

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `openssl version`, if the CLI is there.
pub fn openssl_version() -> Option<String> {
    let o = Command::new("openssl").arg("version").output().ok()?;
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

/// Whether tests that need openssl can run: with CI=true a missing openssl
/// fails the test; otherwise the test prints why it skips.
pub fn require_openssl(what: &str) -> bool {
    if openssl_version().is_some() {
        return true;
    }
    // as tests/common's ci(): CI=true, 1 or yes
    let ci = std::env::var("CI")
        .map(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes"))
        .unwrap_or(false);
    if ci {
        panic!("{what}: the openssl CLI is required (CI=true)");
    }
    eprintln!("skipping {what}: the openssl CLI is not installed (CI=true makes this a failure)");
    false
}

fn run(cmd: &mut Command) -> String {
    let o = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        o.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn openssl(dir: &Path) -> Command {
    let mut c = Command::new("openssl");
    c.current_dir(dir);
    c
}

fn asn1_date(d: &str) -> String {
    let digits: String = d.chars().filter(|c| c.is_ascii_digit()).collect();
    assert_eq!(digits.len(), 8, "date {d}: want YYYY-MM-DD");
    format!("{digits}000000Z")
}

/// Split a script line into words; `"..."` groups words (in values too).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for ch in line.chars() {
        match ch {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// A little PKI in a directory.
pub struct Pki {
    pub dir: PathBuf,
    work: tempfile::TempDir,
    /// certificate file → its key file
    keys: HashMap<String, String>,
    n: u32,
}

impl Pki {
    pub fn new(dir: &Path) -> Pki {
        let work = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(work.path().join("db")).unwrap();
        std::fs::write(work.path().join("db/index.txt"), "").unwrap();
        std::fs::write(work.path().join("db/serial"), "1000\n").unwrap();
        std::fs::write(work.path().join("db/crlnumber"), "1000\n").unwrap();
        Pki {
            dir: dir.to_path_buf(),
            work,
            keys: HashMap::new(),
            n: 0,
        }
    }

    fn at(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Run a setup script (see the module documentation).
    pub fn script(&mut self, text: &str) {
        for raw in text.lines() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let w = words(line);
            let (cmd, name, rest) = (
                w[0].as_str(),
                w.get(1).cloned().unwrap_or_default(),
                &w[2.min(w.len())..],
            );
            let opt = |k: &str| -> Option<String> {
                rest.iter()
                    .find_map(|x| x.strip_prefix(&format!("{k}=")).map(str::to_string))
            };
            let flag = |k: &str| rest.iter().any(|x| x == k);
            match cmd {
                "key" => {
                    let spec = rest
                        .iter()
                        .find(|x| !x.contains('=') && x.as_str() != "pkcs1" && x.as_str() != "sec1")
                        .cloned()
                        .unwrap_or_else(|| "ec:P-256".into());
                    let format = if flag("pkcs1") {
                        Some("pkcs1")
                    } else if flag("sec1") {
                        Some("sec1")
                    } else {
                        None
                    };
                    self.key(
                        &name,
                        &spec,
                        format,
                        opt("encrypt").as_deref(),
                        opt("legacy-encrypt").as_deref(),
                    );
                }
                "cert" => self.cert(&name, rest),
                "cat" => {
                    let mut s = String::new();
                    for f in rest {
                        s.push_str(
                            &std::fs::read_to_string(self.at(f))
                                .unwrap_or_else(|e| panic!("cat {f}: {e}")),
                        );
                    }
                    std::fs::write(self.at(&name), s).unwrap();
                    if let Some(k) = rest.first().and_then(|f| self.keys.get(f)).cloned() {
                        self.keys.insert(name.clone(), k);
                    }
                }
                "dh" => self.dh(
                    &name,
                    rest.first().map(String::as_str).unwrap_or("ffdhe2048"),
                ),
                "crl" => self.crl(
                    &name,
                    &opt("ca").expect("crl needs ca="),
                    opt("from").as_deref(),
                    opt("to").as_deref(),
                ),
                "chmod" => {
                    #[cfg(unix)]
                    {
                        use std::os::unix::fs::PermissionsExt;
                        let mode = u32::from_str_radix(&rest[0], 8).unwrap();
                        std::fs::set_permissions(
                            self.at(&name),
                            std::fs::Permissions::from_mode(mode),
                        )
                        .unwrap();
                    }
                }
                "encrypt" => {
                    let (Some(src), Some(pass)) = (rest.first(), rest.get(1)) else {
                        panic!("setup: encrypt NAME KEY PASS [legacy] in `{raw}`");
                    };
                    let mut c = openssl(&self.dir);
                    c.arg("pkey").arg("-in").arg(self.at(src));
                    if flag("legacy") {
                        c.arg("-traditional");
                    }
                    c.args(["-aes256", "-passout", &format!("pass:{pass}")])
                        .arg("-out")
                        .arg(self.at(&name));
                    run(&mut c);
                    #[cfg(unix)]
                    {
                        use std::os::unix::fs::PermissionsExt;
                        std::fs::set_permissions(
                            self.at(&name),
                            std::fs::Permissions::from_mode(0o600),
                        )
                        .unwrap();
                    }
                }
                "rehash" => {
                    // a hashed CA directory, as `openssl rehash` makes it
                    let dir = self.at(&name);
                    std::fs::create_dir_all(&dir).unwrap();
                    for f in rest {
                        let hash = run(openssl(&self.dir).args([
                            "x509",
                            "-noout",
                            "-subject_hash",
                            "-in",
                            f,
                        ]));
                        let hash = hash.trim();
                        let n = (0..)
                            .find(|i| !dir.join(format!("{hash}.{i}")).exists())
                            .unwrap();
                        std::fs::copy(self.at(f), dir.join(format!("{hash}.{n}"))).unwrap();
                    }
                }
                "write" => {
                    let text = rest.join(" ").replace("\\n", "\n");
                    std::fs::write(self.at(&name), text).unwrap();
                }
                other => panic!("setup: unknown command {other} in `{raw}`"),
            }
        }
    }

    /// Generate a private key.
    pub fn key(
        &mut self,
        name: &str,
        spec: &str,
        format: Option<&str>,
        encrypt: Option<&str>,
        legacy: Option<&str>,
    ) {
        let out = self.at(name);
        let mut c = openssl(&self.dir);
        c.arg("genpkey");
        match spec.split_once(':') {
            Some(("rsa", bits)) => {
                c.args([
                    "-algorithm",
                    "RSA",
                    "-pkeyopt",
                    &format!("rsa_keygen_bits:{bits}"),
                ]);
            }
            Some(("ec", curve)) => {
                c.args([
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    &format!("ec_paramgen_curve:{curve}"),
                ]);
            }
            None if spec == "ed25519" => {
                c.args(["-algorithm", "ED25519"]);
            }
            _ => panic!("key {name}: unknown key type {spec}"),
        }
        c.arg("-out").arg(&out);
        run(&mut c);
        let conv = |args: &[&str]| {
            let tmp = out.with_extension("tmp");
            let mut c = openssl(&self.dir);
            c.args(args).arg("-in").arg(&out).arg("-out").arg(&tmp);
            run(&mut c);
            std::fs::rename(&tmp, &out).unwrap();
        };
        match format {
            Some("pkcs1") => conv(&["rsa", "-traditional"]),
            Some("sec1") => conv(&["ec"]),
            _ => {}
        }
        if let Some(p) = encrypt {
            conv(&["pkey", "-aes256", "-passout", &format!("pass:{p}")]);
        }
        if let Some(p) = legacy {
            // `pkey -traditional` writes RSA and EC keys in their legacy
            // `Proc-Type: 4,ENCRYPTED` form (`ec` has no -traditional flag;
            // Ed25519 has no legacy form)
            conv(&[
                "pkey",
                "-traditional",
                "-aes256",
                "-passout",
                &format!("pass:{p}"),
            ]);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
    }

    /// Issue a certificate (see `cert` in the module documentation).
    pub fn cert(&mut self, name: &str, opts: &[String]) {
        let opt = |k: &str| -> Option<String> {
            opts.iter()
                .find_map(|x| x.strip_prefix(&format!("{k}=")).map(str::to_string))
        };
        let flag = |k: &str| opts.iter().any(|x| x == k);
        let key = opt("key").unwrap_or_else(|| panic!("cert {name}: key= is required"));
        let is_ca = flag("ca");
        let stem = Path::new(name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let cn = opt("cn").unwrap_or(stem);
        let (from, to) = if is_ca {
            ("2020-01-01", "2040-01-01")
        } else {
            ("2025-07-01", "2026-06-30")
        };
        let from = asn1_date(&opt("from").unwrap_or_else(|| from.into()));
        let to = asn1_date(&opt("to").unwrap_or_else(|| to.into()));
        self.n += 1;
        let w = self.work.path().to_path_buf();
        let mut ext = String::from("[x]\nsubjectKeyIdentifier = hash\n");
        if is_ca {
            if !flag("no-bc") {
                match opt("pathlen") {
                    Some(n) => ext.push_str(&format!(
                        "basicConstraints = critical,CA:TRUE,pathlen:{n}\n"
                    )),
                    None => ext.push_str("basicConstraints = critical,CA:TRUE\n"),
                }
            }
            ext.push_str("keyUsage = critical,keyCertSign,cRLSign\n");
        } else {
            if !flag("no-bc") {
                ext.push_str("basicConstraints = CA:FALSE\n");
            }
            ext.push_str("keyUsage = critical,digitalSignature,keyEncipherment\nextendedKeyUsage = serverAuth,clientAuth\n");
        }
        if let Some(san) = opt("san") {
            ext.push_str(&format!("subjectAltName = {san}\n"));
        }
        let mut aia = Vec::new();
        if let Some(u) = opt("ocsp") {
            aia.push(format!("OCSP;URI:{u}"));
        }
        if let Some(u) = opt("aia") {
            aia.push(format!("caIssuers;URI:{u}"));
        }
        if !aia.is_empty() {
            ext.push_str(&format!("authorityInfoAccess = {}\n", aia.join(",")));
        }
        if opt("issuer").is_some() {
            ext.push_str("authorityKeyIdentifier = keyid:always\n");
        }
        let extfile = w.join(format!("ext{}.cnf", self.n));
        std::fs::write(&extfile, ext).unwrap();
        let cnf = w.join("ca.cnf");
        std::fs::write(
            &cnf,
            format!(
                "[ca]\ndefault_ca = d\n[d]\ndatabase = {0}/db/index.txt\nnew_certs_dir = {0}/db\nserial = {0}/db/serial\ncrlnumber = {0}/db/crlnumber\npolicy = p\nunique_subject = no\nemail_in_dn = no\ncopy_extensions = none\ndefault_md = sha256\n[p]\ncommonName = supplied\n",
                w.display()
            ),
        )
        .unwrap();
        let csr = w.join(format!("req{}.csr", self.n));
        run(openssl(&self.dir)
            .args(["req", "-new", "-key"])
            .arg(self.at(&key))
            .args(["-subj", &format!("/CN={cn}"), "-out"])
            .arg(&csr));
        let mut c = openssl(&self.dir);
        c.args(["ca", "-batch", "-notext", "-config"])
            .arg(&cnf)
            .args(["-startdate", &from, "-enddate", &to, "-extfile"])
            .arg(&extfile)
            .args(["-extensions", "x", "-in"])
            .arg(&csr)
            .arg("-out")
            .arg(self.at(name));
        let signer_key = match opt("issuer") {
            Some(issuer) => {
                let ik = self
                    .keys
                    .get(&issuer)
                    .unwrap_or_else(|| panic!("cert {name}: no key known for issuer {issuer}"))
                    .clone();
                c.arg("-cert")
                    .arg(self.at(&issuer))
                    .arg("-keyfile")
                    .arg(self.at(&ik));
                ik
            }
            None => {
                c.arg("-selfsign").arg("-keyfile").arg(self.at(&key));
                key.clone()
            }
        };
        let ed = std::fs::read_to_string(self.at(&signer_key))
            .map(|_| {
                let o = Command::new("openssl")
                    .args(["pkey", "-noout", "-text", "-in"])
                    .arg(self.at(&signer_key))
                    .output()
                    .ok();
                o.map(|o| String::from_utf8_lossy(&o.stdout).contains("ED25519"))
                    .unwrap_or(false)
            })
            .unwrap_or(false);
        match (ed, opt("md")) {
            (true, _) => c.args(["-md", "default"]),
            (false, Some(md)) => c.args(["-md", &md]),
            (false, None) => c.args(["-md", "sha256"]),
        };
        run(&mut c);
        self.keys.insert(name.to_string(), key);
    }

    /// DH parameters: a named group, or `dsa:BITS` (X9.42, generated fast).
    pub fn dh(&mut self, name: &str, group: &str) {
        let mut c = openssl(&self.dir);
        match group.strip_prefix("dsa:") {
            Some(bits) => c
                .args(["dhparam", "-dsaparam", "-out"])
                .arg(self.at(name))
                .arg(bits),
            None => c
                .args([
                    "genpkey",
                    "-genparam",
                    "-algorithm",
                    "DH",
                    "-pkeyopt",
                    &format!("group:{group}"),
                    "-out",
                ])
                .arg(self.at(name)),
        };
        run(&mut c);
    }

    /// A CRL issued by `ca`, valid `from`..`to`.
    pub fn crl(&mut self, name: &str, ca: &str, from: Option<&str>, to: Option<&str>) {
        let ik = self
            .keys
            .get(ca)
            .unwrap_or_else(|| panic!("crl {name}: unknown CA {ca}"))
            .clone();
        let w = self.work.path().to_path_buf();
        // a database per CRL: the CRL lists no revocations
        let db = w.join(format!("crl{}", {
            self.n += 1;
            self.n
        }));
        std::fs::create_dir_all(&db).unwrap();
        std::fs::write(db.join("index.txt"), "").unwrap();
        std::fs::write(db.join("crlnumber"), "1000\n").unwrap();
        let cnf = db.join("ca.cnf");
        std::fs::write(
            &cnf,
            format!(
                "[ca]\ndefault_ca = d\n[d]\ndatabase = {0}/index.txt\ncrlnumber = {0}/crlnumber\ndefault_md = sha256\n",
                db.display()
            ),
        )
        .unwrap();
        let from = asn1_date(from.unwrap_or("2025-07-01"));
        let to = asn1_date(to.unwrap_or("2026-06-30"));
        run(openssl(&self.dir)
            .args(["ca", "-gencrl", "-config"])
            .arg(&cnf)
            .arg("-cert")
            .arg(self.at(ca))
            .arg("-keyfile")
            .arg(self.at(&ik))
            .args(["-crl_lastupdate", &from, "-crl_nextupdate", &to, "-out"])
            .arg(self.at(name)));
    }
}

/// Run a setup script in `dir`.
pub fn setup(dir: &Path, script: &str) {
    Pki::new(dir).script(script);
}
