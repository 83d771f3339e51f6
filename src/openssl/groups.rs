//! Key-exchange group names (`ssl_ecdh_curve`, `Curves`, `Groups`), with the
//! OpenSSL version that first accepts each spelling (`data/groups.txt`).

use std::sync::OnceLock;

use crate::version::Version;

/// One accepted spelling of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The name as written in a configuration (`prime256v1`, `P-256`, `X25519`).
    pub name: &'static str,
    /// OpenSSL's TLS group name it stands for (`secp256r1`, `x25519`).
    pub group: &'static str,
    /// IANA code point.
    pub id: u16,
    /// `ec`, `ecx`, `ffdhe`, `pq` or `hybrid` (post-quantum hybrid).
    pub kind: &'static str,
    /// First OpenSSL version that accepts this spelling.
    pub since: Version,
    /// Last version that accepts it, if it was dropped.
    pub until: Option<Version>,
}

impl Group {
    pub fn accepted_in(&self, openssl: &Version) -> bool {
        *openssl >= self.since && self.until.is_none_or(|u| *openssl <= u)
    }
}

/// What a group name means to one OpenSSL version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupLookup {
    /// Accepted.
    Known(&'static Group),
    /// A real group name that this version does not accept (yet, or any more):
    /// nginx and Apache would not start.
    NotInVersion {
        group: &'static Group,
        /// The first version that accepts it.
        since: Version,
    },
    /// Not a group name OpenSSL ever accepted.
    Unknown,
}

const DATA: &str = include_str!("data/groups.txt");
static GROUPS: OnceLock<Vec<Group>> = OnceLock::new();

/// Every spelling of every group tlslint knows.
pub fn all_groups() -> &'static [Group] {
    GROUPS.get_or_init(|| parse(DATA).expect("src/openssl/data/groups.txt is well-formed"))
}

fn parse(data: &'static str) -> Result<Vec<Group>, String> {
    let mut out = Vec::new();
    for (n, line) in data.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&'static str> = line.split_whitespace().collect();
        let fail = |what: &str| format!("groups.txt line {}: {what}", n + 1);
        if f.len() != 6 {
            return Err(fail("expected 6 columns"));
        }
        out.push(Group {
            name: f[0],
            group: f[1],
            id: f[2].parse().map_err(|_| fail("bad id"))?,
            kind: f[3],
            since: f[4].parse().map_err(|e: String| fail(&e))?,
            until: match f[5] {
                "-" => None,
                u => Some(u.parse().map_err(|e: String| fail(&e))?),
            },
        });
    }
    Ok(out)
}

/// Look a group name up as the modelled OpenSSL would (names are case-sensitive).
pub fn lookup_group(name: &str, openssl: &Version) -> GroupLookup {
    let mut later: Option<&'static Group> = None;
    for g in all_groups().iter().filter(|g| g.name == name) {
        if g.accepted_in(openssl) {
            return GroupLookup::Known(g);
        }
        later = Some(g);
    }
    match later {
        Some(group) => GroupLookup::NotInVersion {
            group,
            since: group.since,
        },
        None => GroupLookup::Unknown,
    }
}

/// OpenSSL's default groups (also nginx's `ssl_ecdh_curve auto`), most preferred first.
pub fn default_groups(openssl: &Version) -> Vec<&'static Group> {
    let names: &[&str] = if *openssl >= Version::new(3, 5, 0) {
        &[
            "X25519MLKEM768",
            "x25519",
            "secp256r1",
            "x448",
            "secp384r1",
            "secp521r1",
            "ffdhe2048",
            "ffdhe3072",
        ]
    } else if *openssl >= Version::new(3, 0, 0) {
        &[
            "x25519",
            "secp256r1",
            "x448",
            "secp521r1",
            "secp384r1",
            "ffdhe2048",
            "ffdhe3072",
            "ffdhe4096",
            "ffdhe6144",
            "ffdhe8192",
        ]
    } else if *openssl >= Version::new(1, 1, 1) {
        &["X25519", "P-256", "X448", "P-521", "P-384"]
    } else if *openssl >= Version::new(1, 1, 0) {
        &["X25519", "P-256", "P-521", "P-384"]
    } else {
        &["P-256", "P-521", "P-384"]
    };
    names
        .iter()
        .filter_map(|n| match lookup_group(n, openssl) {
            GroupLookup::Known(g) => Some(g),
            _ => None,
        })
        .collect()
}

/// A parsed group list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupList {
    /// The groups, in the configured order.
    pub groups: Vec<&'static Group>,
    /// The list was nginx's `auto`: OpenSSL's defaults.
    pub auto: bool,
    /// `?name` entries the version does not know, skipped (OpenSSL 3.3+).
    pub ignored: Vec<String>,
}

/// A group list OpenSSL refuses (the server would not start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupError {
    pub reason: String,
    /// The offending name, if one.
    pub name: Option<String>,
    /// When the name is a real group a later version accepts: that version.
    pub since: Option<Version>,
}

impl std::fmt::Display for GroupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

fn err(reason: String, name: Option<&str>, since: Option<Version>) -> GroupError {
    GroupError {
        reason,
        name: name.map(str::to_string),
        since,
    }
}

/// Parse a group list as `SSL_CTX_set1_groups_list` does: `:`-separated,
/// blanks around names ignored, every name must be known (unless prefixed
/// with `?` from OpenSSL 3.3 on), no name twice. A lone `auto` is nginx's
/// keyword for OpenSSL's defaults. From 3.5, `/` also separates (key-share
/// tuples), `*` marks a key share and `DEFAULT` inserts the default list.
pub fn parse_groups(list: &str, openssl: &Version) -> Result<GroupList, GroupError> {
    let list = list.split('\0').next().unwrap_or("");
    if list == "auto" {
        return Ok(GroupList {
            groups: default_groups(openssl),
            auto: true,
            ignored: Vec::new(),
        });
    }
    let v33 = *openssl >= Version::new(3, 3, 0);
    let v35 = *openssl >= Version::new(3, 5, 0);
    let mut groups: Vec<&'static Group> = Vec::new();
    let mut ignored = Vec::new();
    let seps: &[char] = if v35 { &[':', '/'] } else { &[':'] };
    for elem in list.split(seps) {
        let mut name =
            elem.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r'));
        if name.is_empty() {
            return Err(err("empty group name".into(), None, None));
        }
        let mut optional = false;
        let mut remove = false;
        // prefixes: "?" ignore if unknown (3.3+); "*" key share, "-" remove (3.5+)
        while let Some(c) = name.chars().next() {
            match c {
                '?' if v33 => optional = true,
                '*' if v35 => {}
                '-' if v35 => remove = true,
                _ => break,
            }
            name = &name[1..];
        }
        let found: Vec<&'static Group> = if v35 && name.eq_ignore_ascii_case("DEFAULT") {
            default_groups(openssl)
        } else {
            match lookup_group(name, openssl) {
                GroupLookup::Known(g) => vec![g],
                _ if optional => {
                    ignored.push(name.to_string());
                    continue;
                }
                GroupLookup::NotInVersion { since, .. } => {
                    return Err(err(
                        format!("group '{name}' needs OpenSSL {since} or later"),
                        Some(name),
                        Some(since),
                    ))
                }
                GroupLookup::Unknown => {
                    return Err(err(
                        format!("group '{name}' cannot be set"),
                        Some(name),
                        None,
                    ))
                }
            }
        };
        for g in found {
            if remove {
                groups.retain(|x| x.group != g.group);
            } else if groups.iter().any(|x| x.group == g.group) {
                if !v35 {
                    return Err(err(
                        format!("group '{name}' is listed twice"),
                        Some(name),
                        None,
                    ));
                }
            } else {
                groups.push(g);
            }
        }
    }
    if groups.is_empty() {
        return Err(err("no valid groups".into(), None, None));
    }
    Ok(GroupList {
        groups,
        auto: false,
        ignored,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_versions() {
        let v30 = Version::new(3, 0, 0);
        let v111 = Version::new(1, 1, 1);
        assert!(
            matches!(lookup_group("P-256", &v30), GroupLookup::Known(g) if g.group == "secp256r1")
        );
        assert!(matches!(
            lookup_group("secp256r1", &v111),
            GroupLookup::NotInVersion { .. }
        ));
        assert!(matches!(
            lookup_group("X25519MLKEM768", &v30),
            GroupLookup::NotInVersion { since, .. } if since == Version::new(3, 5, 0)
        ));
        assert_eq!(lookup_group("P-255", &v30), GroupLookup::Unknown);
        assert!(parse_groups("X25519:P-256", &v30).is_ok());
        assert!(parse_groups("P-256:prime256v1", &v30).is_err());
        assert!(parse_groups("?foo:X25519", &v30).is_err());
        let l = parse_groups("?foo:X25519", &Version::new(3, 3, 0)).unwrap();
        assert_eq!(l.ignored, vec!["foo"]);
        assert!(parse_groups("auto", &v30).unwrap().auto);
    }
}
