//! The facts an action carries, by the dotted path a policy writes
//! (`actor.status`, `history.posts_today`), with their types and the built-in
//! value sets. One table serves the checker (names, types, "did you mean"),
//! the lowering and the evaluator. Field names follow the public data contract
//! in `data-model.md`.

use crate::value::Type;

/// A value set: its name and its built-in values (empty for sets the policy declares).
pub struct ValueSet {
    /// The set's name as used in types and messages (`status`).
    pub name: &'static str,
    /// Built-in values; a policy's declarations add to `role`, `team`, `channel`, `content kind` and `action`.
    pub values: &'static [&'static str],
}

use crate::data::action::{AccountKind, ActionKind, Origin, Party, Purpose, Relationship, Status};

// The built-in value sets are owned by the data contract (`data::action`);
// these names are the views the checker, lowering and evaluator use.

/// Built-in actions.
pub const ACTIONS: &[&str] = ActionKind::NAMES;
/// Built-in channels.
pub const CHANNELS: &[&str] = crate::data::action::BUILTIN_CHANNELS;
/// Built-in content kinds.
pub const CONTENT_KINDS: &[&str] = crate::data::action::BUILTIN_CONTENT_KINDS;
/// Employment statuses.
pub const STATUSES: &[&str] = Status::NAMES;
/// Relationships of a target to the actor.
pub const RELATIONSHIPS: &[&str] = Relationship::NAMES;
/// Where a connection or contact came from.
pub const ORIGINS: &[&str] = Origin::NAMES;
/// Account kinds.
pub const ACCOUNT_KINDS: &[&str] = AccountKind::NAMES;
/// Parties that create or pay for accounts.
pub const PARTIES: &[&str] = Party::NAMES;
/// Account purposes.
pub const PURPOSES: &[&str] = Purpose::NAMES;

/// All value sets by name.
pub const VALUE_SETS: &[ValueSet] = &[
    ValueSet { name: "action", values: ACTIONS },
    ValueSet { name: "channel", values: CHANNELS },
    ValueSet { name: "content kind", values: CONTENT_KINDS },
    ValueSet { name: "conduct", values: crate::data::action::Conduct::NAMES },
    ValueSet { name: "role", values: &[] },
    ValueSet { name: "team", values: &[] },
    ValueSet { name: "status", values: STATUSES },
    ValueSet { name: "relationship", values: RELATIONSHIPS },
    ValueSet { name: "origin", values: ORIGINS },
    ValueSet { name: "account kind", values: ACCOUNT_KINDS },
    ValueSet { name: "party", values: PARTIES },
    ValueSet { name: "purpose", values: PURPOSES },
    ValueSet { name: "duty", values: &[] },
    ValueSet { name: "device", values: crate::data::action::Device::NAMES },
    ValueSet { name: "material kind", values: crate::data::action::MaterialKind::NAMES },
    ValueSet { name: "weekday", values: crate::value::WEEKDAYS },
    ValueSet { name: "jurisdiction", values: &[] },
];

/// Every fact path an action may carry, with its type. The table lives with
/// the data contract ([`Action::known_paths`](crate::data::action::Action::known_paths));
/// `facts.NAME` paths come from the policy's `fact` declarations.
pub fn fact_paths() -> Vec<(&'static str, Type)> {
    crate::data::action::Action::known_paths().to_vec()
}

/// The type of a built-in fact path (a counter of `history.counts` included).
pub fn fact_type(path: &str) -> Option<Type> {
    // Looked up in the table itself: `fact_paths` copies it (a `String` per set name).
    let known = crate::data::action::Action::known_paths();
    known.iter().find(|(p, _)| *p == path).map(|(_, t)| t.clone()).or_else(|| {
        path.starts_with(crate::counter::COUNTS_PREFIX).then(|| crate::data::action::Action::path_type(path)).flatten()
    })
}

/// The built-in values of a set (empty when the set is declared by the policy).
pub fn builtin_values(set: &str) -> &'static [&'static str] {
    VALUE_SETS.iter().find(|s| s.name == set).map_or(&[], |s| s.values)
}

/// Single-word paths that name facts rather than values.
pub const ROOT_FACTS: &[&str] = &["action", "at", "channel", "device", "done"];

/// The closest candidate to `word` for a "did you mean", if any is close enough.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enum_fact_names_a_known_set() {
        for (path, ty) in fact_paths() {
            if let Type::Enum(set) | Type::EnumList(set) = ty {
                assert!(VALUE_SETS.iter().any(|s| s.name == set), "{path} uses unknown set {set}");
            }
        }
    }

    #[test]
    fn suggests_close_names() {
        assert_eq!(suggest("consulant", ["consultant", "manager"]), Some("consultant"));
        assert_eq!(suggest("zzz", ["consultant", "manager"]), None);
    }
}
