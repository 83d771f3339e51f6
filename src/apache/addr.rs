//! IPv6 literals in `Listen` and `<VirtualHost>` as httpd reads them.
//!
//! httpd parses an address with APR (`apr_parse_addr_port`), whose
//! `apr_inet_pton` checks each group's value (≤ 0xffff) but not its number
//! of digits, then looks the host up with the C library (`getaddrinfo`),
//! which allows at most four digits per group. So `[00000::2]` passes the
//! first step and fails the second: `<VirtualHost [00000::2]:443>` logs
//! AH00547 "Could not resolve host name 00000::2 -- ignoring!" and httpd
//! drops that address (it starts; a virtual host left without addresses is
//! never selected), and `Listen [00000::2]:443` fails ("Listen setup
//! failed"). A literal APR refuses (`[1::2::3]`, `[zz::1]`, `[10000::2]`)
//! stops httpd: "The address or port is invalid" in `<VirtualHost>`,
//! "Invalid address or port" in `Listen`. Checked with apache2 2.4.71
//! (`apache2 -t`, `apache2 -S`).

/// What httpd makes of a bracketed IPv6 literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum V6 {
    /// A valid address (or not a bracketed literal: not judged here).
    Fine,
    /// APR accepts it, the C library does not: dropped (VirtualHost) or a
    /// failed Listen. Carries the host as httpd names it (no brackets).
    Unresolvable(String),
    /// APR refuses it: httpd does not start.
    Invalid,
}

/// Judge the host part of an address written `[host]` or `[host]:port`.
pub fn judge(address: &str) -> V6 {
    let Some(rest) = address.strip_prefix('[') else {
        return V6::Fine;
    };
    let Some((host, _)) = rest.split_once(']') else {
        return V6::Invalid;
    };
    // a zone (`%eth0`) is split off before either parser sees the address
    let bare = host.split_once('%').map_or(host, |(h, _)| h);
    if bare.parse::<std::net::Ipv6Addr>().is_ok() {
        V6::Fine
    } else if apr_accepts(bare) {
        V6::Unresolvable(host.to_string())
    } else {
        V6::Invalid
    }
}

/// APR's IPv6 text form: hexadecimal groups of any length whose value fits
/// 16 bits, one `::`, an optional dotted IPv4 tail, 16 bytes in all.
fn apr_accepts(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if b.first() == Some(&b':') {
        if b.get(1) != Some(&b':') {
            return false;
        }
        i = 1;
    }
    let mut bytes = 0usize; // bytes stored
    let mut gap = false;
    let mut saw_digit = false;
    let mut val: u32 = 0;
    let mut token = i;
    while i < b.len() {
        let c = b[i];
        i += 1;
        if let Some(d) = (c as char).to_digit(16) {
            val = (val << 4) | d;
            if val > 0xffff {
                return false;
            }
            saw_digit = true;
            continue;
        }
        if c == b':' {
            token = i;
            if !saw_digit {
                if gap {
                    return false;
                }
                gap = true;
                continue;
            }
            if bytes + 2 > 16 {
                return false;
            }
            bytes += 2;
            saw_digit = false;
            val = 0;
            continue;
        }
        if c == b'.' && bytes + 4 <= 16 && s[token..].parse::<std::net::Ipv4Addr>().is_ok() {
            bytes += 4;
            saw_digit = false;
            break;
        }
        return false;
    }
    if saw_digit {
        if bytes + 2 > 16 {
            return false;
        }
        bytes += 2;
    }
    if gap {
        bytes < 16
    } else {
        bytes == 16
    }
}

#[cfg(test)]
mod tests {
    use super::{judge, V6};

    #[test]
    fn as_httpd_reads_them() {
        assert_eq!(judge("[::1]:443"), V6::Fine);
        assert_eq!(judge("[2001:db8::1]"), V6::Fine);
        assert_eq!(judge("[fe80::1%eth0]:443"), V6::Fine);
        assert_eq!(judge("[::ffff:192.0.2.1]:443"), V6::Fine);
        assert_eq!(judge("*:443"), V6::Fine);
        assert_eq!(judge("192.0.2.1:443"), V6::Fine);
        // more than four digits, value within 16 bits: APR yes, libc no
        assert_eq!(judge("[00000::2]:443"), V6::Unresolvable("00000::2".into()));
        assert_eq!(
            judge("[0:0:0:0:0:0:0:00002]"),
            V6::Unresolvable("0:0:0:0:0:0:0:00002".into())
        );
        // refused by APR
        assert_eq!(judge("[1::2::3]:443"), V6::Invalid);
        assert_eq!(judge("[zz::1]:443"), V6::Invalid);
        assert_eq!(judge("[10000::2]:443"), V6::Invalid);
        assert_eq!(judge("[1:2:3:4:5:6:7:8:9]"), V6::Invalid);
        assert_eq!(judge("[::1"), V6::Invalid);
    }
}
