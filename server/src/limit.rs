//! Per-client rate limiting: a token bucket per IP address, answered with 429 and
//! `Retry-After` when empty. One misbehaving page (or script) cannot crowd out the
//! store's other shoppers.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};

use crate::edge::ApiError;

/// Buckets kept before idle ones are forgotten.
const MAX_CLIENTS: usize = 100_000;

#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    clients: Mutex<HashMap<IpAddr, Bucket>>,
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
        let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
        Some(
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many requests from this address; retry in {seconds} s"),
            )
            .retry_after(seconds),
        )
    }

    /// `per_second` requests a second on average, up to `burst` at once.
    pub fn new(per_second: f64, burst: u32) -> Self {
        Self {
            per_second,
            burst: f64::from(burst.max(1)),
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `client`'s bucket, or says how long until one is free.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if clients.len() >= MAX_CLIENTS && !clients.contains_key(&client) {
            let full_after = Duration::from_secs_f64(self.burst / self.per_second);
            clients.retain(|_, b| now.duration_since(b.at) < full_after);
        }
        let bucket = clients.entry(client).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let refill = now.duration_since(bucket.at).as_secs_f64() * self.per_second;
        bucket.tokens = (bucket.tokens + refill).min(self.burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - bucket.tokens) / self.per_second,
            ))
        }
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
}
