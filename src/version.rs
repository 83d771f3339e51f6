//! Software versions (`1.22.1`, `3.0`, `2.4.62`) as compared by the defaults tables.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Version {
        Version {
            major,
            minor,
            patch,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl FromStr for Version {
    type Err = String;
    /// Accepts `1`, `1.2`, `1.2.3`, and OpenSSL's letter releases (`1.1.1w` = 1.1.1).
    fn from_str(s: &str) -> Result<Version, String> {
        let t = s.trim();
        let mut parts = [0u32; 3];
        let mut n = 0;
        for piece in t.split('.') {
            if n == 3 {
                return Err(format!("invalid version \"{s}\": more than three parts"));
            }
            let digits: String = piece.chars().take_while(|c| c.is_ascii_digit()).collect();
            let rest = &piece[digits.len()..];
            let ok_suffix = rest.is_empty()
                || (n == 2 && rest.chars().all(|c| c.is_ascii_alphabetic()) && rest.len() <= 2);
            if digits.is_empty() || !ok_suffix {
                return Err(format!(
                    "invalid version \"{s}\": expected numbers like 1.22.1"
                ));
            }
            parts[n] = digits
                .parse()
                .map_err(|_| format!("invalid version \"{s}\": number too large"))?;
            n += 1;
        }
        if n == 0 {
            return Err(format!("invalid version \"{s}\""));
        }
        Ok(Version::new(parts[0], parts[1], parts[2]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parses_and_orders() {
        let a: Version = "1.23.4".parse().unwrap();
        let b: Version = "1.27".parse().unwrap();
        assert!(a < b);
        assert_eq!("1.1.1w".parse::<Version>().unwrap(), Version::new(1, 1, 1));
        assert!("x".parse::<Version>().is_err());
        assert!("1.2.3.4".parse::<Version>().is_err());
    }
}
