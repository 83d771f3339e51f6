//! Profiles: what a configuration is checked against. The Mozilla/TLSRef
//! guideline configurations are data (profiles/mozilla/*.json, verbatim).

use serde::Deserialize;

use crate::error::Error;

const GUIDELINES: &[(&str, &str)] = &[
    ("5.7", include_str!("../profiles/mozilla/5.7.json")),
    ("5.8", include_str!("../profiles/mozilla/5.8.json")),
    ("6.0", include_str!("../profiles/mozilla/6.0.json")),
];

/// The newest guideline version bundled.
pub const LATEST_GUIDELINE: &str = "6.0";

#[derive(Debug, Clone, Deserialize)]
pub struct Ciphers {
    #[serde(default)]
    pub iana: Vec<String>,
    #[serde(default)]
    pub openssl: Vec<String>,
}

/// One profile, with the keys of the Mozilla guideline JSON.
#[derive(Debug, Clone, Deserialize)]
pub struct Profile {
    #[serde(skip)]
    pub name: String,
    #[serde(skip)]
    pub guideline: String,
    #[serde(skip)]
    pub source: String,
    #[serde(default)]
    pub certificate_curves: Vec<String>,
    #[serde(default)]
    pub certificate_signatures: Vec<String>,
    #[serde(default)]
    pub certificate_types: Vec<String>,
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
    pub tls_versions: Vec<String>,
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
        let text = GUIDELINES
            .iter()
            .find(|(v, _)| *v == g)
            .map(|(_, t)| *t)
            .ok_or_else(|| {
                Error::new(format!(
                    "unknown guideline version \"{g}\" (known: 5.7, 5.8, 6.0)"
                ))
            })?;
        let doc: serde_json::Value =
            serde_json::from_str(text).map_err(|e| Error::new(e.to_string()))?;
        let conf = doc
            .get("configurations")
            .and_then(|c| c.get(name))
            .ok_or_else(|| {
                Error::new(format!(
                    "unknown profile \"{name}\" in guideline {g} (known: modern, intermediate{})",
                    if g == "6.0" { "" } else { ", old" }
                ))
            })?;
        let mut p: Profile =
            serde_json::from_value(conf.clone()).map_err(|e| Error::new(e.to_string()))?;
        p.name = name.to_string();
        p.guideline = g.clone();
        p.source = doc
            .get("href")
            .and_then(|h| h.as_str())
            .unwrap_or_default()
            .to_string();
        Ok((p, note))
    }

    /// "intermediate (guideline 6.0)"
    pub fn title(&self) -> String {
        format!("{} (guideline {})", self.name, self.guideline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn builtin_profiles() {
        let (p, n) = Profile::builtin("intermediate", None).unwrap();
        assert_eq!(p.tls_versions, ["TLSv1.2", "TLSv1.3"]);
        assert!(n.is_none());
        let (p, n) = Profile::builtin("old", None).unwrap();
        assert_eq!(p.guideline, "5.8");
        assert!(n.is_some());
        assert!(p.tls_versions.contains(&"TLSv1".to_string()));
        assert!(Profile::builtin("old", Some("6.0")).is_ok());
        assert!(Profile::builtin("nope", None).is_err());
    }
}
