//! Rate limits: per validated credential (token or session), per IP
//! address for everything else, and a stricter per-address budget of
//! failed authentications. The per-address limit of sign-in codes lives
//! with the challenges in the store (see `Candor::start_sign_in`), so
//! that it holds across restarts and across servers sharing a database.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::problem::Problem;

/// Rate limiters: per credential (token or session) and per IP address.
pub(crate) struct Limiters {
    credential: DefaultKeyedRateLimiter<Vec<u8>>,
    ip: DefaultKeyedRateLimiter<IpAddr>,
    /// Passkey sign-ins started per address: each waits in memory for
    /// five minutes, so one address may keep only a few under way.
    ceremonies: DefaultKeyedRateLimiter<IpAddr>,
    failures: FailureBudget,
    swept: Mutex<Instant>,
}

/// Passkey sign-ins one address may start a minute (and at once): with
/// ceremonies waiting five minutes, an address keeps at most fifty.
const CEREMONIES_PER_MINUTE: NonZeroU32 = match NonZeroU32::new(10) {
    Some(n) => n,
    None => NonZeroU32::MIN,
};

fn quota(per_second: u32) -> Quota {
    let n = NonZeroU32::new(per_second.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_second(n).allow_burst(n.saturating_mul(NonZeroU32::new(2).unwrap_or(NonZeroU32::MIN)))
}

impl Limiters {
    pub(crate) fn new(per_credential: u32, per_ip: u32, failures_per_minute: u32) -> Self {
        Self {
            credential: RateLimiter::keyed(quota(per_credential)),
            ip: RateLimiter::keyed(quota(per_ip)),
            ceremonies: RateLimiter::keyed(Quota::per_minute(CEREMONIES_PER_MINUTE).allow_burst(CEREMONIES_PER_MINUTE)),
            failures: FailureBudget::new(failures_per_minute),
            swept: Mutex::new(Instant::now()),
        }
    }

    fn sweep(&self) {
        // Forget keys idle long enough to be back at a full burst, now and
        // then, so that the maps do not grow with every caller ever seen.
        if let Ok(mut last) = self.swept.lock() {
            if last.elapsed() > Duration::from_secs(60) {
                *last = Instant::now();
                self.credential.retain_recent();
                self.ip.retain_recent();
                self.ceremonies.retain_recent();
                self.failures.sweep();
            }
        }
    }

    /// A request with a validated credential, keyed by its hash.
    pub(crate) fn check_credential(&self, key: &[u8]) -> Result<(), Problem> {
        self.sweep();
        self.credential.check_key(&key.to_vec()).map_err(|_| limited(1))
    }

    /// A request without a validated credential, from `ip`.
    pub(crate) fn check_ip(&self, ip: IpAddr) -> Result<(), Problem> {
        self.sweep();
        self.ip.check_key(&client(ip)).map_err(|_| limited(1))
    }

    /// A passkey sign-in started from `ip`: at most
    /// [`CEREMONIES_PER_MINUTE`] a minute, on top of the request rate.
    pub(crate) fn check_ceremony(&self, ip: IpAddr) -> Result<(), Problem> {
        self.sweep();
        self.ceremonies.check_key(&client(ip)).map_err(|_| limited(6))
    }

    /// Refuse when `ip` has spent its failed authentications: then its
    /// credentials, codes and tokens are not even checked.
    pub(crate) fn check_failures(&self, ip: IpAddr) -> Result<(), Problem> {
        match self.failures.wait(client(ip)) {
            None => Ok(()),
            Some(wait) => Err(limited(wait.as_secs().max(1))),
        }
    }

    /// `ip` failed to authenticate once more.
    pub(crate) fn failed(&self, ip: IpAddr) {
        self.failures.spend(client(ip));
    }
}

/// The key an address is limited by: an IPv4 address itself, an IPv6
/// address by its /64, the block one subscriber is given (one client could
/// otherwise take a fresh address, and a fresh allowance, per request).
fn client(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(v6.to_bits() & !u128::from(u64::MAX))),
        },
    }
}

/// 429, with how many seconds to wait.
pub(crate) fn limited(retry_after: u64) -> Problem {
    let mut p = Problem::new(StatusCode::TOO_MANY_REQUESTS, "rate-limited", "Too many requests", "slow down and retry shortly");
    p.retry_after = Some(retry_after);
    p
}

/// Failed authentications per IP address: a bucket of `per_minute`,
/// refilled evenly over a minute. Unlike a governor limiter it can be
/// looked at without spending, so that a request is refused before its
/// credential is looked up, while only failures spend.
struct FailureBudget {
    per_minute: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl FailureBudget {
    fn new(per_minute: u32) -> Self {
        Self { per_minute: f64::from(per_minute.max(1)), buckets: Mutex::new(HashMap::new()) }
    }

    /// The bucket's level now.
    fn level(&self, (level, at): (f64, Instant), now: Instant) -> f64 {
        (level + now.duration_since(at).as_secs_f64() * self.per_minute / 60.0).min(self.per_minute)
    }

    /// How long `ip` must wait, if it has no failure left.
    fn wait(&self, ip: IpAddr) -> Option<Duration> {
        let now = Instant::now();
        // A lock poisoned by a panic elsewhere refuses: fail closed.
        let Ok(buckets) = self.buckets.lock() else { return Some(Duration::from_secs(60)) };
        let level = self.level(*buckets.get(&ip)?, now);
        (level < 1.0).then(|| Duration::from_secs_f64((1.0 - level) * 60.0 / self.per_minute))
    }

    fn spend(&self, ip: IpAddr) {
        let now = Instant::now();
        if let Ok(mut buckets) = self.buckets.lock() {
            let level = buckets.get(&ip).map_or(self.per_minute, |b| self.level(*b, now));
            buckets.insert(ip, ((level - 1.0).max(0.0), now));
        }
    }

    /// Forget addresses whose bucket is full again.
    fn sweep(&self) {
        let now = Instant::now();
        if let Ok(mut buckets) = self.buckets.lock() {
            buckets.retain(|_, b| self.level(*b, now) < self.per_minute);
        }
    }
}
