//! Where a webhook may be sent: the URL rules and the address policy against server-side
//! request forgery. Checked when an endpoint is saved AND on every connection (the resolved
//! address is then pinned, so a DNS answer that changes in between cannot redirect the call).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::Url;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetRefusal {
    /// Not a URL, or with credentials or a fragment.
    Invalid,
    /// `http://` without the allow-private setting, or another scheme.
    Scheme,
    /// The host is or resolves to an address Portico does not call.
    Address,
}

impl TargetRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            TargetRefusal::Invalid => "webhooks.error.url",
            TargetRefusal::Scheme => "webhooks.error.scheme",
            TargetRefusal::Address => "webhooks.error.address",
        }
    }
}

/// Parses an endpoint URL: https (http only when private targets are allowed, i.e. tests and
/// local development), a host, no user info.
pub fn parse_url(text: &str, allow_private: bool) -> Result<Url, TargetRefusal> {
    let url = Url::parse(text.trim()).map_err(|_| TargetRefusal::Invalid)?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(TargetRefusal::Scheme),
    }
    if url.host_str().is_none_or(str::is_empty)
        || !url.username().is_empty()
        || url.password().is_some()
        || url.fragment().is_some()
    {
        return Err(TargetRefusal::Invalid);
    }
    if !allow_private && is_local_name(url.host_str().unwrap_or_default()) {
        return Err(TargetRefusal::Address);
    }
    Ok(url)
}

/// Names that always mean this machine (RFC 6761), whatever a resolver says.
fn is_local_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

/// Whether Portico may connect to `ip` (with private targets not allowed).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible forms are judged as IPv4.
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            is_public_v6(v6)
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254/16, the cloud metadata address included
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking 198.18/15
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local fc00::/7 (AWS metadata fd00:ec2::254)
        || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (first & 0xffc0) == 0xfec0 // deprecated site-local
        || (first == 0x2001 && ip.segments()[1] == 0x0db8) // documentation
        || first == 0x0064 && ip.segments()[1] == 0xff9b // NAT64 (embeds IPv4)
        || ip.segments()[..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible ::a.b.c.d
}

/// The first address of `resolved` Portico may call, or a refusal if any is forbidden (a name
/// that resolves to both a public and a private address is refused as a whole).
pub fn pick_address(resolved: &[IpAddr], allow_private: bool) -> Result<IpAddr, TargetRefusal> {
    if resolved.is_empty() {
        return Err(TargetRefusal::Address);
    }
    if !allow_private && resolved.iter().any(|ip| !is_public(*ip)) {
        return Err(TargetRefusal::Address);
    }
    Ok(resolved[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_refused() {
        for text in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.10",
            "198.51.100.1",
            "203.0.113.9",
            "::1",
            "::",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.1.2.3",
            "64:ff9b::a00:1",
        ] {
            assert!(!is_public(ip(text)), "{text} must be refused");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for text in [
            "93.184.215.14",
            "8.8.8.8",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip(text)), "{text} must be allowed");
        }
    }

    #[test]
    fn a_name_with_any_internal_address_is_refused_unless_allowed() {
        let mixed = [ip("93.184.215.14"), ip("127.0.0.1")];
        assert_eq!(pick_address(&mixed, false), Err(TargetRefusal::Address));
        assert_eq!(pick_address(&mixed, true), Ok(ip("93.184.215.14")));
        assert_eq!(pick_address(&[], true), Err(TargetRefusal::Address));
    }

    #[test]
    fn urls_must_be_https_with_a_host_and_no_credentials() {
        assert!(parse_url("https://hooks.example.com/portico", false).is_ok());
        assert_eq!(
            parse_url("http://hooks.example.com/", false),
            Err(TargetRefusal::Scheme)
        );
        assert!(parse_url("http://127.0.0.1:9000/", true).is_ok());
        assert_eq!(
            parse_url("ftp://example.com/", true),
            Err(TargetRefusal::Scheme)
        );
        assert_eq!(
            parse_url("https://user:pw@example.com/", false),
            Err(TargetRefusal::Invalid)
        );
        assert_eq!(parse_url("not a url", false), Err(TargetRefusal::Invalid));
        for local in [
            "https://localhost/",
            "https://api.localhost./x",
            "https://LOCALHOST:8443/",
        ] {
            assert_eq!(
                parse_url(local, false),
                Err(TargetRefusal::Address),
                "{local}"
            );
        }
    }
}
