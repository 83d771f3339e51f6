//! The rule documentation in `rules/*.yaml` (embedded at build time), for
//! help texts in reports.

use std::collections::BTreeMap;

use serde::Deserialize;

include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Examples {
    #[serde(default)]
    pub bad: Vec<String>,
    #[serde(default)]
    pub good: Vec<String>,
}

/// The parts of a rule's YAML that reports use (other keys are ignored here).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RuleDoc {
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub rationale: String,
    #[serde(default)]
    pub references: Vec<String>,
    /// By server kind (`nginx`, `apache`).
    #[serde(default)]
    pub examples: BTreeMap<String, Examples>,
}

/// The documentation of a rule, if its YAML exists and reads.
pub fn get(code: &str) -> Option<RuleDoc> {
    let (_, text) = RULE_DOCS.iter().find(|(c, _)| *c == code)?;
    crate::yaml::from_str(text, std::path::Path::new(code)).ok()
}

impl RuleDoc {
    /// Markdown: rationale, a good example per server kind, references.
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        if !self.summary.is_empty() {
            s.push_str(&format!(
                "**{}** ({}): {}\n\n",
                self.code, self.name, self.summary
            ));
        }
        s.push_str(self.rationale.trim());
        s.push('\n');
        for (kind, ex) in &self.examples {
            if let Some(bad) = ex.bad.first() {
                s.push_str(&format!(
                    "\nFlagged ({kind}):\n\n```{kind}\n{}\n```\n",
                    bad.trim_end()
                ));
            }
            if let Some(good) = ex.good.first() {
                s.push_str(&format!(
                    "\nInstead ({kind}):\n\n```{kind}\n{}\n```\n",
                    good.trim_end()
                ));
            }
        }
        if !self.references.is_empty() {
            s.push_str("\nReferences:\n\n");
            for r in &self.references {
                s.push_str(&format!("- <{r}>\n"));
            }
        }
        s
    }
}
