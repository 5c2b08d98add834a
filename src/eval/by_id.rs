//! Finding clauses by id. A verdict's lists (deciding, dry run, overruled)
//! name clauses by id, and a policy may hold 100,000 clauses: a scan of the
//! clauses for each id on a list made explaining one action quadratic (12 s
//! for one action against 100,000 rules). A list of the common size, a few
//! dozen, is still scanned: no map is built for it.

use std::collections::{HashMap, HashSet};

/// Up to this many items, a scan (cheaper than building a map).
const SCAN: usize = 32;

/// The items of a slice by id; where ids repeat, the first, as a scan finds it.
pub(crate) enum ById<'a, T> {
    /// Few items: looked up by a scan.
    Scan(&'a [T], fn(&T) -> &str),
    /// Many: by a map built once.
    Map(HashMap<&'a str, &'a T>),
}

impl<'a, T> ById<'a, T> {
    /// The items of `items`, by `id`.
    pub(crate) fn new(items: &'a [T], id: fn(&T) -> &str) -> Self {
        if items.len() <= SCAN {
            return ById::Scan(items, id);
        }
        let mut map = HashMap::with_capacity(items.len());
        for item in items {
            map.entry(id(item)).or_insert(item);
        }
        ById::Map(map)
    }

    /// The first item whose id is `wanted`.
    pub(crate) fn get(&self, wanted: &str) -> Option<&'a T> {
        match self {
            ById::Scan(items, id) => items.iter().find(|i| id(i) == wanted),
            ById::Map(map) => map.get(wanted).copied(),
        }
    }
}

/// A list of ids, asked whether it holds one.
pub(crate) enum IdSet<'a> {
    /// A short list: scanned.
    Scan(&'a [String]),
    /// A long one: hashed once.
    Set(HashSet<&'a str>),
}

impl<'a> IdSet<'a> {
    /// The ids of `ids`.
    pub(crate) fn new(ids: &'a [String]) -> Self {
        if ids.len() <= SCAN {
            IdSet::Scan(ids)
        } else {
            IdSet::Set(ids.iter().map(String::as_str).collect())
        }
    }

    /// Whether `id` is on the list.
    pub(crate) fn contains(&self, id: &str) -> bool {
        match self {
            IdSet::Scan(ids) => ids.iter().any(|i| i == id),
            IdSet::Set(set) => set.contains(id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lists on both sides of the scan's size, with repeated ids and ids
    /// not on them: the map finds what a scan finds (the first of an id),
    /// the set holds what the list holds.
    #[test]
    fn the_map_and_the_set_answer_as_a_scan_does() {
        for n in [0, 1, 5, SCAN, SCAN + 1, 200] {
            // (id, position): every third id repeats an earlier one.
            let items: Vec<(String, usize)> =
                (0..n).map(|i| (if i % 3 == 2 { format!("r{}", i / 2) } else { format!("r{i}") }, i)).collect();
            let ids: Vec<String> = items.iter().map(|(id, _)| id.clone()).collect();
            let by_id = ById::new(&items, |(id, _)| id.as_str());
            let set = IdSet::new(&ids);
            assert_eq!(matches!(by_id, ById::Map(_)), n > SCAN, "{n}");
            assert_eq!(matches!(set, IdSet::Set(_)), n > SCAN, "{n}");
            for wanted in (0..n + 3).map(|i| format!("r{i}")) {
                let scan = items.iter().find(|(id, _)| *id == wanted);
                assert_eq!(by_id.get(&wanted), scan, "{n}: {wanted}");
                assert_eq!(set.contains(&wanted), scan.is_some(), "{n}: {wanted}");
            }
        }
    }
}
