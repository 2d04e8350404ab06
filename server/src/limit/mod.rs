//! Per-client rate limiting: a token bucket per client network, answered with 429 and
//! `Retry-After` when empty. One misbehaving page (or script) cannot crowd out the
//! store's other shoppers.
//!
//! - A client is its IPv4 address, or its IPv6 /64: one customer's connection hands
//!   out a whole /64, so one attacker can spray millions of addresses from it.
//! - The buckets live in a least-recently-used map with a hard size: a spray of new
//!   addresses evicts the longest-idle buckets (an evicted client starts again with a
//!   full bucket, which is what it would have after being idle) and memory stays flat.
//! - On PostgreSQL the instances share one budget per client: each tells the others
//!   what every client took from it (`shared.rs`), and they take it from their own
//!   buckets.

pub mod shared;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use lru::LruCache;

use crate::edge::ApiError;

/// Buckets kept at most: about 100 bytes each, so 10 MB.
const MAX_CLIENTS: usize = 100_000;
/// Clients whose requests since the last report are counted for the other instances.
/// Past this many in one round (a spray of addresses), newcomers go unreported: each
/// of them made few requests, and every instance still limits them on its own.
const MAX_UNREPORTED: usize = 20_000;
/// The longest `Retry-After` ever sent: a wait longer than this is a broken setting,
/// and clients should come back and see.
const MAX_RETRY_AFTER: u64 = 24 * 60 * 60;

/// The slowest and fastest average rates a limiter accepts, per second; the settings
/// refuse anything outside at start.
pub const RATE_RANGE: std::ops::RangeInclusive<f64> = 0.001..=1_000_000.0;
/// The largest burst a limiter accepts.
pub const MAX_BURST: u32 = 1_000_000;

/// Whom a bucket belongs to: an IPv4 address or an IPv6 /64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Client {
    V4([u8; 4]),
    V6Net([u8; 8]),
}

impl From<IpAddr> for Client {
    fn from(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => Client::V4(v4.octets()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Client::V4(v4.octets()),
                None => Client::V6Net(network_64(v6)),
            },
        }
    }
}

/// The text [`Client`]'s `Display` writes: `192.0.2.1` or `2001:db8:1:2::/64`.
impl std::str::FromStr for Client {
    type Err = std::net::AddrParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.strip_suffix("/64") {
            Some(net) => Ok(Client::V6Net(network_64(net.parse()?))),
            None => Ok(Client::V4(text.parse::<Ipv4Addr>()?.octets())),
        }
    }
}

impl std::fmt::Display for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Client::V4(v4) => write!(f, "{}", Ipv4Addr::from(*v4)),
            Client::V6Net(net) => {
                let mut full = [0u8; 16];
                full[..8].copy_from_slice(net);
                write!(f, "{}/64", Ipv6Addr::from(full))
            }
        }
    }
}

fn network_64(v6: Ipv6Addr) -> [u8; 8] {
    let mut net = [0; 8];
    net.copy_from_slice(&v6.octets()[..8]);
    net
}

#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    clients: Mutex<Clients>,
}

#[derive(Debug)]
struct Clients {
    buckets: LruCache<Client, Bucket>,
    /// Requests each client made here since the last report to the other instances.
    unreported: HashMap<Client, u32>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// The 429 (with `Retry-After`) for a request from `socket` if its bucket is empty,
    /// else `None`; behind a trusted proxy, the client is the address the proxy added.
    pub fn refusal(
        &self,
        headers: &HeaderMap,
        socket: SocketAddr,
        trust_proxy: bool,
    ) -> Option<ApiError> {
        let ip = client_ip(headers, socket.ip(), trust_proxy);
        let wait = self.check(ip, Instant::now()).err()?;
        let seconds = (wait.as_secs_f64().ceil() as u64).clamp(1, MAX_RETRY_AFTER);
        Some(
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many requests from this address; retry in {seconds} s"),
            )
            .retry_after(seconds),
        )
    }

    /// `per_second` requests a second on average (clamped into [`RATE_RANGE`]), up to
    /// `burst` at once.
    pub fn new(per_second: f64, burst: u32) -> Self {
        Self::with_capacity(per_second, burst, MAX_CLIENTS)
    }

    /// A limiter that remembers at most `clients` clients.
    pub fn with_capacity(per_second: f64, burst: u32, clients: usize) -> Self {
        let per_second = if per_second.is_nan() {
            *RATE_RANGE.start()
        } else {
            per_second.clamp(*RATE_RANGE.start(), *RATE_RANGE.end())
        };
        Self {
            per_second,
            burst: f64::from(burst.clamp(1, MAX_BURST)),
            clients: Mutex::new(Clients {
                buckets: LruCache::new(NonZeroUsize::new(clients).unwrap_or(NonZeroUsize::MIN)),
                unreported: HashMap::new(),
            }),
        }
    }

    /// Clients remembered now.
    pub fn clients(&self) -> usize {
        self.lock().buckets.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Clients> {
        self.clients.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes one request from `client`'s bucket, or says how long until one is free.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        let client = Client::from(client);
        let mut clients = self.lock();
        let bucket = self.refilled(&mut clients.buckets, client, now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            let unreported = &mut clients.unreported;
            if unreported.len() < MAX_UNREPORTED || unreported.contains_key(&client) {
                *unreported.entry(client).or_default() += 1;
            }
            Ok(())
        } else {
            let seconds = (1.0 - bucket.tokens) / self.per_second;
            Err(Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX))
        }
    }

    /// `requests` that `client` made on another instance, taken from its bucket here
    /// too, so that every instance spends one budget. The bucket may go below zero,
    /// down to minus one burst: a client that burst on several instances at once then
    /// waits here until its average is back within the rate.
    pub fn spent_elsewhere(&self, client: Client, requests: u32, now: Instant) {
        let mut clients = self.lock();
        let bucket = self.refilled(&mut clients.buckets, client, now);
        bucket.tokens = (bucket.tokens - f64::from(requests)).max(-self.burst);
    }

    /// What each client took here since the last call, heaviest first, at most `max`
    /// clients (the lightest are dropped: they matter least to the others' buckets).
    pub fn take_unreported(&self, max: usize) -> Vec<(Client, u32)> {
        let taken = std::mem::take(&mut self.lock().unreported);
        let mut spent: Vec<(Client, u32)> = taken.into_iter().collect();
        if spent.len() > max {
            spent.select_nth_unstable_by(max, |a, b| b.1.cmp(&a.1));
            spent.truncate(max);
        }
        spent.sort_unstable_by_key(|s| std::cmp::Reverse(s.1));
        spent
    }

    /// `client`'s bucket, refilled for the time since it was last touched.
    fn refilled<'a>(
        &self,
        buckets: &'a mut LruCache<Client, Bucket>,
        client: Client,
        now: Instant,
    ) -> &'a mut Bucket {
        let bucket = buckets.get_or_insert_mut(client, || Bucket {
            tokens: self.burst,
            at: now,
        });
        let refill = now.saturating_duration_since(bucket.at).as_secs_f64() * self.per_second;
        bucket.tokens = (bucket.tokens + refill).min(self.burst);
        bucket.at = bucket.at.max(now);
        bucket
    }
}

/// The address to rate-limit: the socket's, or behind a trusted proxy the last
/// `X-Forwarded-For` entry (earlier entries are whatever the client claimed).
pub fn client_ip(headers: &HeaderMap, socket: IpAddr, trust_proxy: bool) -> IpAddr {
    if !trust_proxy {
        return socket;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .and_then(|last| last.trim().parse().ok())
        .unwrap_or(socket)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn a_burst_then_the_steady_rate() {
        let limiter = RateLimiter::new(2.0, 3);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check(ip, t0).is_ok());
        }
        let wait = limiter.check(ip, t0).unwrap_err();
        assert!((wait.as_secs_f64() - 0.5).abs() < 1e-6, "{wait:?}");
        assert!(limiter.check(ip, t0 + Duration::from_millis(500)).is_ok());
        // Another client has its own bucket.
        assert!(limiter.check("192.0.2.2".parse().unwrap(), t0).is_ok());
    }

    #[test]
    fn the_proxy_added_address_is_used_only_behind_a_trusted_proxy() {
        let socket: IpAddr = "10.0.0.1".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.append(
            "x-forwarded-for",
            HeaderValue::from_static("1.2.3.4, 198.51.100.7"),
        );
        assert_eq!(client_ip(&headers, socket, false), socket);
        assert_eq!(
            client_ip(&headers, socket, true),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        headers.append("x-forwarded-for", HeaderValue::from_static("203.0.113.9"));
        assert_eq!(
            client_ip(&headers, socket, true),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        let garbage: HeaderMap = [(
            axum::http::header::HeaderName::from_static("x-forwarded-for"),
            HeaderValue::from_static("unknown"),
        )]
        .into_iter()
        .collect();
        assert_eq!(client_ip(&garbage, socket, true), socket);
    }

    #[test]
    fn ipv6_clients_share_their_64_and_memory_stays_bounded() {
        let limiter = RateLimiter::with_capacity(1.0, 2, 1000);
        let t0 = Instant::now();
        // A spray across one /64 is one client.
        for i in 0..2u16 {
            let ip = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 1, 2, i, 7, 9, i));
            assert!(limiter.check(ip, t0).is_ok());
        }
        let sprayed = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 1, 2, 0xffff, 1, 2, 3));
        assert!(limiter.check(sprayed, t0).is_err());
        // The next /64 is someone else; an IPv4-mapped address is the IPv4 client.
        let next = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 1, 3, 0, 0, 0, 1));
        assert!(limiter.check(next, t0).is_ok());
        let v4: IpAddr = "192.0.2.9".parse().unwrap();
        let mapped = IpAddr::V6("::ffff:192.0.2.9".parse::<Ipv6Addr>().unwrap());
        assert!(limiter.check(v4, t0).is_ok());
        assert!(limiter.check(mapped, t0).is_ok());
        assert!(limiter.check(v4, t0).is_err());
        // A spray of many networks never holds more than the cap.
        for i in 0..50_000u32 {
            let ip = IpAddr::V6(Ipv6Addr::new(
                0x2001,
                (i >> 16) as u16,
                i as u16,
                0,
                0,
                0,
                0,
                1,
            ));
            let _ = limiter.check(ip, t0);
        }
        assert_eq!(limiter.clients(), 1000);
    }

    #[test]
    fn clients_read_back_from_their_text() {
        for text in ["192.0.2.1", "2001:db8:1:2::/64", "::/64"] {
            let client: Client = text.parse().unwrap();
            assert_eq!(client.to_string(), text);
        }
        let v6: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let client = Client::from(v6);
        assert_eq!(client.to_string().parse::<Client>().unwrap(), client);
        for bad in ["", "2001:db8::1", "192.0.2.1/64", "300.1.1.1", "a/64"] {
            assert!(bad.parse::<Client>().is_err(), "{bad}");
        }
    }

    #[test]
    fn requests_made_elsewhere_come_out_of_the_same_budget() {
        let limiter = RateLimiter::new(1.0, 10);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let t0 = Instant::now();
        // Another instance saw 8 of this client's requests: 2 are left here.
        limiter.spent_elsewhere(Client::from(ip), 8, t0);
        assert!(limiter.check(ip, t0).is_ok());
        assert!(limiter.check(ip, t0).is_ok());
        assert!(limiter.check(ip, t0).is_err());
        // A burst on every instance at once leaves the bucket at most one burst below
        // zero: the client waits until its average is back within the rate.
        limiter.spent_elsewhere(Client::from(ip), 1_000_000, t0);
        let wait = limiter.check(ip, t0).unwrap_err();
        assert!((wait.as_secs_f64() - 11.0).abs() < 1e-6, "{wait:?}");
        assert!(limiter.check(ip, t0 + Duration::from_secs(11)).is_ok());
    }

    #[test]
    fn what_is_reported_is_what_was_taken_here_heaviest_first() {
        let limiter = RateLimiter::new(1.0, 100);
        let t0 = Instant::now();
        let ips: Vec<IpAddr> = (1..=4)
            .map(|i| format!("192.0.2.{i}").parse().unwrap())
            .collect();
        for (n, ip) in ips.iter().enumerate() {
            for _ in 0..=n {
                limiter.check(*ip, t0).unwrap();
            }
        }
        // Refused requests took nothing, and what others spent is theirs to report.
        limiter.spent_elsewhere(Client::from(ips[0]), 100, t0);
        assert!(limiter.check(ips[0], t0).is_err());
        let spent = limiter.take_unreported(3);
        let shown: Vec<(String, u32)> = spent.iter().map(|(c, n)| (c.to_string(), *n)).collect();
        assert_eq!(
            shown,
            [
                ("192.0.2.4".into(), 4),
                ("192.0.2.3".into(), 3),
                ("192.0.2.2".into(), 2)
            ]
        );
        assert!(
            limiter.take_unreported(3).is_empty(),
            "each request is reported once"
        );
    }

    #[test]
    fn extreme_rates_never_panic() {
        let t0 = Instant::now();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for rate in [1e-20, 0.0, -5.0, f64::NAN, f64::INFINITY, 1e300] {
            let limiter = RateLimiter::new(rate, 1);
            let _ = limiter.check(ip, t0);
            let refusal = limiter.refusal(&HeaderMap::new(), SocketAddr::new(ip, 1), false);
            if let Some(r) = refusal {
                let response = axum::response::IntoResponse::into_response(r);
                let after: u64 = response.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!((1..=MAX_RETRY_AFTER).contains(&after), "{rate}: {after}");
            }
        }
    }
}
