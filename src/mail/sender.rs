//! Whether the sender address can work on the open internet: a relay's
//! receivers check SPF against the sender's domain and send bounces and
//! replies there, so a domain nobody can resolve makes mail look forged.

use std::net::IpAddr;

/// Why `from` (a mailbox like `buddymatch <noreply@example.nl>`) cannot
/// receive replies or pass SPF, or `None` when its domain could.
pub fn domain_problem(from: &str) -> Option<String> {
    let address = match (from.rfind('<'), from.rfind('>')) {
        (Some(a), Some(b)) if a < b => &from[a + 1..b],
        _ => from,
    };
    let domain = address.rsplit_once('@').map(|(_, d)| d.trim())?;
    let lower = domain.trim_end_matches('.').to_ascii_lowercase();
    let bare = lower.trim_start_matches('[').trim_end_matches(']');
    let bare = bare.strip_prefix("ipv6:").unwrap_or(bare);
    if bare.parse::<IpAddr>().is_ok() {
        return Some(format!(
            "the sender domain {domain} is an IP address, which SPF and replies cannot use"
        ));
    }
    const RESERVED: [&str; 6] = [
        "local",
        "localhost",
        "invalid",
        "test",
        "example",
        "internal",
    ];
    let tld = lower.rsplit('.').next().unwrap_or(&lower);
    if !lower.contains('.') || RESERVED.contains(&tld) {
        return Some(format!(
            "the sender domain {domain} is not a public domain (RFC 2606/6761/6762), so replies cannot reach it and SPF cannot pass"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::domain_problem;

    #[test]
    fn private_domains_and_addresses_are_refused() {
        for bad in [
            "buddymatch <noreply@buddymatch.local>",
            "noreply@localhost",
            "x@mail.localhost",
            "x@[127.0.0.1]",
            "x@[IPv6:::1]",
            "x@10.0.0.1",
            "x@example",
            "x@test.example",
        ] {
            assert!(domain_problem(bad).is_some(), "{bad}");
        }
        for good in [
            "buddymatch <noreply@buddymatch.nl>",
            "leren@vereniging-ad.nl",
        ] {
            assert_eq!(domain_problem(good), None, "{good}");
        }
    }
}
