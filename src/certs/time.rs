//! Dates: `--now` (RFC 3339 or `YYYY-MM-DD`), and Unix times as RFC 3339 /
//! calendar dates for messages and JSON.

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The calendar date of a day number.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `2026-01-31T12:00:00Z`
pub fn rfc3339(t: i64) -> String {
    let (y, m, d) = civil_from_days(t.div_euclid(86400));
    let s = t.rem_euclid(86400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// `2026-01-31`
pub fn date(t: i64) -> String {
    let (y, m, d) = civil_from_days(t.div_euclid(86400));
    format!("{y:04}-{m:02}-{d:02}")
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parse `--now`: `YYYY-MM-DD` (midnight UTC) or RFC 3339
/// (`2026-01-31T12:00:00Z`, `2026-01-31T12:00:00+02:00`, fractions ignored).
pub fn parse(s: &str) -> Result<i64, String> {
    let bad =
        || format!("invalid date \"{s}\": expected YYYY-MM-DD or RFC 3339 (2026-01-31T12:00:00Z)");
    let s = s.trim();
    let (date_part, rest) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mut it = date_part.split('-');
    let (y, m, d) = match (it.next(), it.next(), it.next(), it.next()) {
        (Some(y), Some(m), Some(d), None) if y.len() == 4 && m.len() == 2 && d.len() == 2 => (
            num(y).ok_or_else(bad)?,
            num(m).ok_or_else(bad)?,
            num(d).ok_or_else(bad)?,
        ),
        _ => return Err(bad()),
    };
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m as u32) as i64 {
        return Err(bad());
    }
    let mut t = days_from_civil(y, m as u32, d as u32) * 86400;
    if let Some(rest) = rest {
        // hh:mm:ss[.frac](Z|±hh:mm)
        let (clock, offset) = match rest.find(['Z', 'z', '+', '-']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => return Err(bad()),
        };
        let clock = clock.split('.').next().unwrap_or("");
        let c: Vec<&str> = clock.split(':').collect();
        if c.len() != 3 || c.iter().any(|p| p.len() != 2) {
            return Err(bad());
        }
        let (h, mi, se) = (
            num(c[0]).ok_or_else(bad)?,
            num(c[1]).ok_or_else(bad)?,
            num(c[2]).ok_or_else(bad)?,
        );
        if h > 23 || mi > 59 || se > 60 {
            return Err(bad());
        }
        t += h * 3600 + mi * 60 + se;
        if !offset.eq_ignore_ascii_case("z") {
            let sign = if offset.starts_with('-') { -1 } else { 1 };
            let o: Vec<&str> = offset[1..].split(':').collect();
            if o.len() != 2 || o.iter().any(|p| p.len() != 2) {
                return Err(bad());
            }
            let (oh, om) = (num(o[0]).ok_or_else(bad)?, num(o[1]).ok_or_else(bad)?);
            t -= sign * (oh * 3600 + om * 60);
        }
    }
    Ok(t)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// The current time (seconds since the Unix epoch).
/// A length of time in seconds as `90 days`, `90 days and 1 second`,
/// `397 days, 2 hours and 30 minutes`: exact, never rounded (a certificate
/// one second over a limit is said to be).
pub fn span(secs: i64) -> String {
    let unit = |n: i64, one: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    };
    let secs = secs.max(0);
    let parts: Vec<String> = [
        (secs / 86400, "day"),
        (secs % 86400 / 3600, "hour"),
        (secs % 3600 / 60, "minute"),
        (secs % 60, "second"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, u)| unit(*n, u))
    .collect();
    match parts.as_slice() {
        [] => "0 seconds".into(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// "in 3 days", "12 days ago", "today"
pub fn relative_days(t: i64, now: i64) -> String {
    let days = (t - now) / 86400;
    match days {
        0 if t >= now => "within a day".into(),
        0 => "less than a day ago".into(),
        1 => "in 1 day".into(),
        -1 => "1 day ago".into(),
        d if d > 0 => format!("in {d} days"),
        d => format!("{} days ago", -d),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn spans() {
        assert_eq!(super::span(90 * 86400), "90 days");
        assert_eq!(super::span(90 * 86400 + 1), "90 days and 1 second");
        assert_eq!(
            super::span(397 * 86400 + 2 * 3600 + 30 * 60),
            "397 days, 2 hours and 30 minutes"
        );
        assert_eq!(super::span(86400 + 59), "1 day and 59 seconds");
        assert_eq!(super::span(0), "0 seconds");
    }

    use super::*;

    #[test]
    fn parses_and_formats() {
        assert_eq!(parse("1970-01-01").unwrap(), 0);
        assert_eq!(parse("2026-03-01").unwrap(), 1772323200);
        assert_eq!(parse("2026-03-01T00:00:00Z").unwrap(), 1772323200);
        assert_eq!(parse("2026-03-01T02:00:00+02:00").unwrap(), 1772323200);
        assert_eq!(parse("2026-02-28T19:00:00.5-05:00").unwrap(), 1772323200);
        assert!(parse("2026-02-29").is_err());
        assert!(parse("2024-02-29").is_ok());
        assert!(parse("2026-3-1").is_err());
        assert!(parse("tomorrow").is_err());
        assert_eq!(rfc3339(1772323200), "2026-03-01T00:00:00Z");
        assert_eq!(date(-1), "1969-12-31");
        for t in [-86400 * 800, 0, 951782400, 4102444800] {
            let (y, m, d) = civil_from_days(t / 86400);
            assert_eq!(days_from_civil(y, m, d) * 86400, t);
        }
    }
}
