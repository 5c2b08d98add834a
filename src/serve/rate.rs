//! Per-token rate limits: how many requests a token may make, counted
//! before any work is done (before the body is read).
//!
//! A limit is `N/s`, `N/min` or `N/h` (or `unlimited`), given per token in
//! the tokens file (`"rate": "20/s"`) or for every token by `serve
//! --rate-limit`. A token may make up to N requests at once (its burst, unless
//! the tokens file gives `"burst"`), then one every 1/N of the unit: the
//! generic cell rate algorithm (GCRA), one "theoretical arrival time" a token,
//! as `governor` keeps it. A request over the limit is answered 429 with
//! `Retry-After`, and nothing is done or logged for it.
//!
//! Requests that make the server work harder draw more: each endpoint's cost,
//! in requests, is in [`super::auth::ENDPOINTS`] (a diff costs 100, a
//! comparison 50, anything else 1), and a request never costs more than the
//! token's burst.
//!
//! Written here rather than taken from `governor`: the keyed limiter we need
//! is these few lines over one mutex-guarded map (one lookup a request),
//! while `governor` would add quanta, dashmap, spinning_top and
//! nonzero_ext to a tree that builds everything from source.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A token's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    /// No limit.
    Unlimited,
    /// At most `burst` at once, then one every `interval`.
    Limited {
        /// The time one request "costs".
        interval: Duration,
        /// How many may come at once.
        burst: u32,
        /// N of `N/unit`, and the unit (`s`, `min`, `h`), for messages.
        count: u32,
        /// The unit as written.
        unit: &'static str,
    },
}

/// The default of `serve --rate-limit`.
pub const DEFAULT: &str = "1000/s";

impl Rate {
    /// Parses `N/s`, `N/min`, `N/h` or `unlimited`; `burst` (default N) is how many may come at once.
    pub fn parse(text: &str, burst: Option<u32>) -> Result<Rate, String> {
        let t = text.trim();
        if t == "unlimited" {
            return Ok(Rate::Unlimited);
        }
        let bad = || {
            format!("expected a rate such as `20/s`, `600/min`, `5000/h` or `unlimited`; found `{}`", t.escape_debug())
        };
        let (n, unit) = t.split_once('/').ok_or_else(bad)?;
        let count: u32 = n.trim().parse().ok().filter(|n| *n > 0).ok_or_else(bad)?;
        let (per, unit) = match unit.trim() {
            "s" => (Duration::from_secs(1), "s"),
            "min" => (Duration::from_secs(60), "min"),
            "h" => (Duration::from_secs(3600), "h"),
            _ => return Err(bad()),
        };
        let burst = burst.unwrap_or(count);
        if burst == 0 {
            return Err("burst: expected at least 1".into());
        }
        Ok(Rate::Limited { interval: per / count, burst, count, unit })
    }

    /// `20/s (burst 40)`, for messages.
    pub fn describe(&self) -> String {
        match self {
            Rate::Unlimited => "unlimited".into(),
            Rate::Limited { count, unit, burst, .. } => format!("{count}/{unit} (burst {burst})"),
        }
    }
}

/// `wait` as the `Retry-After` header gives it: whole seconds, rounded up, at least 1.
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs().saturating_add(u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// The state of every token's limit: its theoretical arrival time.
#[derive(Debug)]
pub struct Limiter {
    base: Instant,
    /// By token name: the theoretical arrival time, in nanoseconds after `base`.
    tat: Mutex<HashMap<String, u64>>,
}

impl Default for Limiter {
    fn default() -> Self {
        Limiter { base: Instant::now(), tat: Mutex::default() }
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Limiter {
    /// Counts a request of `key` costing `cost` requests at `now` against
    /// `rate`: `Err(wait)` when it is over the limit (then nothing is counted).
    /// A request costs at most the burst, so that a token with a small burst
    /// can still make one once its whole allowance is back.
    pub fn admit(&self, key: &str, rate: Rate, cost: u32, now: Instant) -> Result<(), Duration> {
        let Rate::Limited { interval, burst, .. } = rate else {
            return Ok(());
        };
        let now = nanos(now.saturating_duration_since(self.base));
        let interval = nanos(interval).max(1);
        let tolerance = interval.saturating_mul(u64::from(burst));
        let spend = interval.saturating_mul(u64::from(cost.clamp(1, burst)));
        let mut tat = self.tat.lock().unwrap_or_else(|p| p.into_inner());
        let current = tat.get(key).copied().unwrap_or(now).max(now);
        let next = current.saturating_add(spend);
        let ahead = next - now;
        if ahead > tolerance {
            return Err(Duration::from_nanos(ahead - tolerance));
        }
        match tat.get_mut(key) {
            Some(t) => *t = next,
            None => {
                tat.insert(key.to_string(), next);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_and_name_what_is_wrong() {
        assert_eq!(Rate::parse("unlimited", None), Ok(Rate::Unlimited));
        let r = Rate::parse("600/min", None).unwrap();
        assert_eq!(r.describe(), "600/min (burst 600)");
        assert!(matches!(r, Rate::Limited { interval, .. } if interval == Duration::from_millis(100)));
        for bad in ["", "10", "0/s", "-1/s", "10/day", "ten/s"] {
            assert!(Rate::parse(bad, None).unwrap_err().starts_with("expected a rate"), "{bad}");
        }
        assert!(Rate::parse("1/s", Some(0)).is_err());
    }

    #[test]
    fn a_burst_then_one_per_interval() {
        let l = Limiter::default();
        let rate = Rate::parse("10/s", Some(3)).unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(l.admit("a", rate, 1, t0), Ok(()));
        }
        let wait = l.admit("a", rate, 1, t0).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_millis(100), "{wait:?}");
        // Another token has its own allowance.
        assert_eq!(l.admit("b", rate, 1, t0), Ok(()));
        // One interval later, one more.
        let t1 = t0 + Duration::from_millis(100);
        assert_eq!(l.admit("a", rate, 1, t1), Ok(()));
        assert!(l.admit("a", rate, 1, t1).is_err());
        assert_eq!(l.admit("a", Rate::Unlimited, 1, t1), Ok(()));
    }

    #[test]
    fn a_costly_request_draws_its_cost_and_at_most_the_burst() {
        let l = Limiter::default();
        let rate = Rate::parse("10/s", Some(10)).unwrap();
        let t0 = Instant::now();
        assert_eq!(l.admit("a", rate, 4, t0), Ok(()));
        assert_eq!(l.admit("a", rate, 4, t0), Ok(()));
        // 8 of 10 drawn: another 4 is refused (and not counted), 2 more at 1 pass.
        let wait = l.admit("a", rate, 4, t0).unwrap_err();
        assert_eq!(wait, Duration::from_millis(200));
        assert_eq!(l.admit("a", rate, 1, t0), Ok(()));
        assert_eq!(l.admit("a", rate, 1, t0), Ok(()));
        assert!(l.admit("a", rate, 1, t0).is_err());
        // A cost above the burst takes the whole allowance, once it is all back.
        let t1 = t0 + Duration::from_secs(1);
        assert_eq!(l.admit("a", rate, 100, t1), Ok(()));
        assert!(l.admit("a", rate, 1, t1).is_err());
        assert!(l.admit("a", rate, 100, t1 + Duration::from_millis(900)).is_err());
        assert_eq!(l.admit("a", rate, 100, t1 + Duration::from_secs(1)), Ok(()));
    }
}
