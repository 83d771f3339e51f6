//! Profiles: what a configuration is checked against.
//!
//! The Mozilla/TLSRef guideline configurations are data: `profiles/mozilla-<v>.yaml`, with the
//! keys exactly as in the guideline JSON (kept verbatim in `profiles/mozilla/<v>.json`). An
//! organisation's policy is either a guideline JSON file as is, or a YAML policy that may say
//! `extends: intermediate` and override keys.

use std::path::Path;

use serde::Deserialize;

use crate::error::Error;

const GUIDELINES: &[(&str, &str)] = &[
    ("5.7", include_str!("../profiles/mozilla-5.7.yaml")),
    ("5.8", include_str!("../profiles/mozilla-5.8.yaml")),
    ("6.0", include_str!("../profiles/mozilla-6.0.yaml")),
];

/// The newest guideline version bundled (the default for `--guidelines`).
pub const LATEST_GUIDELINE: &str = "6.0";

/// The guideline versions bundled.
pub fn guideline_versions() -> Vec<&'static str> {
    GUIDELINES.iter().map(|(v, _)| *v).collect()
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Ciphers {
    #[serde(default)]
    pub iana: Vec<String>,
    #[serde(default)]
    pub openssl: Vec<String>,
}

/// One profile, with the keys of the Mozilla guideline JSON.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Profile {
    #[serde(skip)]
    pub name: String,
    #[serde(skip)]
    pub guideline: String,
    /// Where the profile comes from (guideline URL or policy file).
    #[serde(skip)]
    pub source: String,
    #[serde(default)]
    pub certificate_curves: Vec<String>,
    #[serde(default)]
    pub certificate_signatures: Vec<String>,
    #[serde(default)]
    pub certificate_types: Vec<String>,
    #[serde(default)]
    pub ciphers: Ciphers,
    #[serde(default)]
    pub ciphersuites: Vec<String>,
    pub dh_param_size: Option<u32>,
    pub ecdh_param_size: Option<u32>,
    pub hsts_min_age: Option<u64>,
    pub maximum_certificate_lifespan: Option<u32>,
    pub recommended_certificate_lifespan: Option<u32>,
    #[serde(default)]
    pub ocsp_staple: bool,
    #[serde(default)]
    pub oldest_clients: Vec<String>,
    pub rsa_key_size: Option<u32>,
    #[serde(default)]
    pub server_preferred_order: bool,
    #[serde(default)]
    pub tls_curves: Vec<String>,
    #[serde(default)]
    pub tls_versions: Vec<String>,
}

/// A guideline file (YAML or the JSON as published).
#[derive(Debug, Clone, Deserialize)]
pub struct Guideline {
    pub version: serde_json::Value,
    #[serde(default)]
    pub href: String,
    pub configurations: std::collections::BTreeMap<String, Profile>,
}

impl Guideline {
    pub fn version_string(&self) -> String {
        match &self.version {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => {
                let s = n.to_string();
                if s.contains('.') {
                    s
                } else {
                    format!("{s}.0")
                }
            }
            v => v.to_string(),
        }
    }
}

/// A bundled guideline.
pub fn bundled(version: &str) -> Result<Guideline, Error> {
    let text = GUIDELINES
        .iter()
        .find(|(v, _)| *v == version)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            Error::new(format!(
                "unknown guideline version \"{version}\" (bundled: {})",
                guideline_versions().join(", ")
            ))
        })?;
    crate::yaml::from_str(text, Path::new(&format!("profiles/mozilla-{version}.yaml")))
}

fn pick(g: &Guideline, name: &str, origin: &str) -> Result<Profile, Error> {
    let mut p = g.configurations.get(name).cloned().ok_or_else(|| {
        let known: Vec<&str> = g.configurations.keys().map(|s| s.as_str()).collect();
        Error::new(format!(
            "no profile \"{name}\" in {origin} (it has: {}){}",
            known.join(", "),
            crate::suggest::did_you_mean(name, known.iter().copied())
        ))
    })?;
    p.name = name.to_string();
    p.guideline = g.version_string();
    p.source = if g.href.is_empty() {
        origin.to_string()
    } else {
        g.href.clone()
    };
    Ok(p)
}

impl Profile {
    /// A bundled Mozilla/TLSRef profile. `old` is not in 6.0: it is taken
    /// from 5.8, and the returned note says so.
    pub fn builtin(
        name: &str,
        guideline: Option<&str>,
    ) -> Result<(Profile, Option<String>), Error> {
        let mut g = guideline.unwrap_or(LATEST_GUIDELINE).to_string();
        let mut note = None;
        if name == "old" && g == "6.0" {
            note =
                Some("guideline 6.0 has no Old profile: using Old from guideline 5.8".to_string());
            g = "5.8".into();
        }
        let gl = bundled(&g)?;
        let p = pick(&gl, name, &format!("guideline {g}"))?;
        Ok((p, note))
    }

    /// Load `--profile-file FILE`: a guideline JSON as published (the
    /// configuration named `name` in it), or a YAML policy.
    /// (Read with [`read_profile_text`]'s limits.)
    pub fn from_file(
        path: &Path,
        name: &str,
        guideline: Option<&str>,
    ) -> Result<(Profile, Option<String>), Error> {
        let text = read_profile_text(path)?;
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') {
            let g: Guideline = serde_json::from_str(&text).map_err(|e| {
                Error::at(
                    format!("not a guideline JSON: {e}"),
                    path,
                    e.line() as u32,
                    e.column() as u32,
                )
            })?;
            let p = pick(&g, name, &path.display().to_string())?;
            return Ok((p, None));
        }
        let policy: Policy = crate::yaml::from_str(&text, path)?;
        policy.resolve(path, guideline)
    }

    /// "intermediate (guideline 6.0)"
    pub fn title(&self) -> String {
        if self.guideline.is_empty() {
            self.name.clone()
        } else {
            format!("{} (guideline {})", self.name, self.guideline)
        }
    }
}

/// Largest profile file read (Mozilla's guideline JSON is some 10 KB).
const MAX_PROFILE_BYTES: u64 = 1024 * 1024;

/// The text of a profile file: only a regular file of at most
/// [`MAX_PROFILE_BYTES`], not reached through a symlink that leads out of
/// its repository; refusals quote nothing from the file.
fn read_profile_text(path: &Path) -> Result<String, Error> {
    let refuse = |why: &str| Error::new(format!("profile \"{}\" not read: {why}", path.display()));
    if let Some(why) = crate::config::escapes_by_link(path) {
        return Err(refuse(&why));
    }
    let bytes = crate::fsx::read_regular(path, MAX_PROFILE_BYTES).map_err(|e| {
        if e.kind() == std::io::ErrorKind::Other {
            refuse(&e.to_string())
        } else {
            Error::new(format!("cannot read profile \"{}\": {e}", path.display()))
        }
    })?;
    String::from_utf8(bytes).map_err(|_| refuse("it is not UTF-8 text"))
}

/// An organisation's policy in YAML: a name, optionally a bundled profile it
/// extends, and any guideline keys it overrides.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub name: Option<String>,
    pub description: Option<String>,
    pub extends: Option<String>,
    pub guidelines: Option<String>,
    pub certificate_curves: Option<Vec<String>>,
    pub certificate_signatures: Option<Vec<String>>,
    pub certificate_types: Option<Vec<String>>,
    pub ciphers: Option<Ciphers>,
    pub ciphersuites: Option<Vec<String>>,
    pub dh_param_size: Option<Option<u32>>,
    pub ecdh_param_size: Option<Option<u32>>,
    pub hsts_min_age: Option<Option<u64>>,
    pub maximum_certificate_lifespan: Option<Option<u32>>,
    pub recommended_certificate_lifespan: Option<Option<u32>>,
    pub ocsp_staple: Option<bool>,
    pub oldest_clients: Option<Vec<String>>,
    pub rsa_key_size: Option<Option<u32>>,
    pub server_preferred_order: Option<bool>,
    pub tls_curves: Option<Vec<String>>,
    pub tls_versions: Option<Vec<String>>,
}

impl Policy {
    fn resolve(
        self,
        path: &Path,
        guideline: Option<&str>,
    ) -> Result<(Profile, Option<String>), Error> {
        let (mut p, note) = match &self.extends {
            Some(base) => Profile::builtin(base, self.guidelines.as_deref().or(guideline))?,
            None => {
                if self.tls_versions.is_none() {
                    return Err(Error::at(
                        "a policy without `extends:` must list `tls_versions`",
                        path,
                        1,
                        1,
                    ));
                }
                (
                    Profile {
                        name: String::new(),
                        guideline: String::new(),
                        source: String::new(),
                        certificate_curves: vec![],
                        certificate_signatures: vec![],
                        certificate_types: vec![],
                        ciphers: Ciphers::default(),
                        ciphersuites: vec![],
                        dh_param_size: None,
                        ecdh_param_size: None,
                        hsts_min_age: None,
                        maximum_certificate_lifespan: None,
                        recommended_certificate_lifespan: None,
                        ocsp_staple: false,
                        oldest_clients: vec![],
                        rsa_key_size: None,
                        server_preferred_order: false,
                        tls_curves: vec![],
                        tls_versions: vec![],
                    },
                    None,
                )
            }
        };
        macro_rules! over {
            ($($f:ident),*) => { $( if let Some(v) = self.$f { p.$f = v; } )* };
        }
        over!(
            certificate_curves,
            certificate_signatures,
            certificate_types,
            ciphers,
            ciphersuites,
            dh_param_size,
            ecdh_param_size,
            hsts_min_age,
            maximum_certificate_lifespan,
            recommended_certificate_lifespan,
            ocsp_staple,
            oldest_clients,
            rsa_key_size,
            server_preferred_order,
            tls_curves,
            tls_versions
        );
        let file_stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let base = self.extends.clone();
        p.name = self.name.unwrap_or(file_stem);
        if let Some(b) = base {
            p.name = format!("{} (extends {b})", p.name);
        } else {
            p.guideline = String::new();
        }
        p.source = path.display().to_string();
        Ok((p, note))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profiles() {
        let (p, n) = Profile::builtin("intermediate", None).unwrap();
        assert_eq!(p.tls_versions, ["TLSv1.2", "TLSv1.3"]);
        assert_eq!(p.guideline, "6.0");
        assert!(n.is_none());
        let (p, n) = Profile::builtin("old", None).unwrap();
        assert_eq!(p.guideline, "5.8");
        assert!(n.is_some());
        assert!(p.tls_versions.contains(&"TLSv1".to_string()));
        assert!(Profile::builtin("old", Some("6.0")).is_ok());
        assert!(Profile::builtin("old", Some("5.7")).unwrap().1.is_none());
        assert!(Profile::builtin("nope", None).is_err());
        assert!(Profile::builtin("modern", Some("4.0")).is_err());
    }
}
