//! Decision ids: unique and sortable by time.
//!
//! An id is 26 lowercase hex digits: the milliseconds since the Unix epoch
//! (12 digits), a per-process sequence number (8 digits) and a node tag
//! chosen at random when the process starts (6 digits). Within one process
//! ids strictly increase (the clock is never allowed to go backwards); across
//! replicas sharing a PostgreSQL log they sort by time and the node tag keeps
//! them apart.

use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;

/// Makes decision ids.
#[derive(Debug)]
pub struct IdGen {
    node: u32,
    last: Mutex<(u64, u32)>,
}

impl Default for IdGen {
    fn default() -> Self {
        IdGen::new()
    }
}

impl IdGen {
    /// A generator with a random node tag.
    pub fn new() -> IdGen {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
        IdGen { node: (h.finish() & 0xff_ffff) as u32, last: Mutex::new((0, 0)) }
    }

    /// The next id.
    pub fn next(&self) -> String {
        let now = jiff::Timestamp::now().as_millisecond().max(0) as u64;
        let (ms, seq) = {
            let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
            if now > last.0 {
                *last = (now, 0);
            } else {
                // Same millisecond, or the clock went back: keep counting.
                last.1 = last.1.wrapping_add(1);
                if last.1 == 0 {
                    last.0 += 1;
                }
            }
            *last
        };
        format!("{:012x}{:08x}{:06x}", ms & 0xffff_ffff_ffff, seq, self.node)
    }
}

#[cfg(test)]
mod tests {
    use super::IdGen;

    #[test]
    fn ids_are_unique_and_increase() {
        let g = IdGen::new();
        let ids: Vec<String> = (0..10_000).map(|_| g.next()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert!(ids.iter().all(|id| id.len() == 26));
    }
}
