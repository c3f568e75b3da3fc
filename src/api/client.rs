//! The client's address, for per-address limits.

use crate::config::IpRange;
use actix_web::HttpRequest;
use std::net::IpAddr;

/// The TCP peer, unless the peer is a configured proxy (an address or in a
/// range): then the rightmost address in X-Forwarded-For that is not itself
/// a trusted proxy. Entries left of that were written by the client and
/// prove nothing, and from an untrusted peer the header is ignored
/// altogether, so no client can pick the address its attempts are counted
/// against. IPv4 peers seen as IPv4-mapped IPv6 count as IPv4.
pub fn address(req: &HttpRequest, trusted: &[IpRange]) -> Option<String> {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|r| r.contains(*ip));
    let peer = req.peer_addr()?.ip().to_canonical();
    if !is_trusted(&peer) {
        return Some(peer.to_string());
    }
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .map(|a| a.to_canonical())
        .collect();
    let client = forwarded
        .into_iter()
        .rev()
        .find(|a| !is_trusted(a))
        .unwrap_or(peer);
    Some(client.to_string())
}

#[cfg(test)]
mod tests {
    use super::address;
    use actix_web::test::TestRequest;

    fn req(peer: &str, xff: &[&str]) -> actix_web::HttpRequest {
        let mut r = TestRequest::default().peer_addr(format!("{peer}:4000").parse().unwrap());
        for h in xff {
            r = r.append_header(("X-Forwarded-For", *h));
        }
        r.to_http_request()
    }

    #[test]
    fn untrusted_peers_cannot_choose_their_address() {
        let trusted = ["10.0.0.2".parse().unwrap()];
        let got = address(&req("203.0.113.9", &["198.51.100.1"]), &trusted);
        assert_eq!(got.as_deref(), Some("203.0.113.9"));
    }

    #[test]
    fn proxies_can_be_trusted_by_range() {
        // An ingress controller on some pod address, behind a cloud load
        // balancer on another: both in the pod and node ranges.
        let trusted = [
            "10.244.0.0/16".parse().unwrap(),
            "10.0.0.0/24".parse().unwrap(),
        ];
        let r = req("10.244.7.31", &["198.51.100.7, 10.0.0.4"]);
        assert_eq!(address(&r, &trusted).as_deref(), Some("198.51.100.7"));
        let r = req("10.245.0.1", &["198.51.100.7"]);
        assert_eq!(address(&r, &trusted).as_deref(), Some("10.245.0.1"));
        let r = req("[::ffff:10.244.0.9]", &["198.51.100.8"]);
        assert_eq!(address(&r, &trusted).as_deref(), Some("198.51.100.8"));
    }

    #[test]
    fn behind_a_trusted_proxy_the_last_untrusted_hop_counts() {
        let trusted = ["10.0.0.2".parse().unwrap(), "10.0.0.3".parse().unwrap()];
        // The client forged the first entry; the proxies appended the rest.
        let r = req("10.0.0.2", &["1.1.1.1, 198.51.100.7", "10.0.0.3"]);
        assert_eq!(address(&r, &trusted).as_deref(), Some("198.51.100.7"));
        // A proxy that sent no header: the proxy is all we know.
        assert_eq!(
            address(&req("10.0.0.2", &[]), &trusted).as_deref(),
            Some("10.0.0.2")
        );
        // Garbage is skipped, not trusted.
        let r = req("10.0.0.2", &["not-an-ip, 198.51.100.8"]);
        assert_eq!(address(&r, &trusted).as_deref(), Some("198.51.100.8"));
    }
}
