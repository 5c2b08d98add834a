//! Actions, contracts and test files as callers send them: the public data
//! contract of `shared/design/data-model.md`, parsed from YAML or JSON with
//! errors that name the file, the line and the field path.
//!
//! - [`action`]: a proposed action, its fact paths and the open-set check.
//! - [`contract`]: employment terms (a contract, an offer).
//! - [`testcase`]: the agency test file format.
//! - [`error`]: [`DataError`], and the translation of serde's errors into it.
//!
//! This module knows nothing of policies: values of open sets (roles, teams,
//! channels, content kinds, declared facts) are plain strings here, checked
//! against a policy's declarations by [`check_open_values`]. Closed sets are
//! checked while parsing. A part an action lacks is not a data error: the
//! evaluator reports it when a deciding clause needs it.

use jiff::civil::Date;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serializer};
use std::cell::Cell;
use std::fmt;

/// Declares a closed set of names: a Rust enum whose serde form is the name,
/// parsed with an error that lists the allowed values and suggests the nearest.
macro_rules! closed_set {
    (
        $(#[doc = $doc:literal])*
        $name:ident, $set:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// The name of the set, as used in [`crate::value::Type::Enum`].
            pub const SET: &'static str = $set;
            /// Every value, in the order the contract lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every name, in the order the contract lists them.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The name as written in data and policies.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value with this name, if it is one.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let names: Vec<&str> = $name::NAMES.to_vec();
                let description = [$($doc.trim()),*].join(" ");
                schemars::json_schema!({
                    "type": "string",
                    "enum": names,
                    "description": description,
                })
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct NameVisitor;
                impl serde::de::Visitor<'_> for NameVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(f, "one of {}", $name::NAMES.join(", "))
                    }
                    fn visit_str<E: serde::de::Error>(self, found: &str) -> Result<$name, E> {
                        $name::from_name(found).ok_or_else(|| {
                            E::custom($crate::data::error::one_of_message($name::NAMES, found))
                        })
                    }
                }
                deserializer.deserialize_str(NameVisitor)
            }
        }
    };
}

pub mod action;
pub mod contract;
pub mod error;
pub mod flat;
pub mod testcase;

pub use action::{
    check_open_values, parse_action, parse_action_json_line, Account, AccountKind, Action, ActionKind, Actor, Approval,
    At, Contacts, Content, FactValue, History, Origin, Party, Purpose, Relationship, Request, Status, Target,
    BUILTIN_CHANNELS, BUILTIN_CONTENT_KINDS,
};
pub use contract::{parse_contract, Contract, Covenant, CovenantKind, CovenantOf, Duty, Obligation, Owner, Ownership};
pub use error::DataError;
pub use testcase::{parse_tests, Expect, Subject, TestCase};

/// The values of a built-in closed set by its name (`status`, `relationship`,
/// `covenant kind`, ...; see each type's `SET`), for a checker that validates
/// literals such as `actor.status is departed`. Open sets (`role`, `team`,
/// `channel`, `content kind`, `duty`, `jurisdiction`) give `None`.
pub fn closed_set(set: &str) -> Option<&'static [&'static str]> {
    let sets: [(&str, &'static [&'static str]); 15] = [
        (action::Device::SET, action::Device::NAMES),
        (action::MaterialKind::SET, action::MaterialKind::NAMES),
        (action::Conduct::SET, action::Conduct::NAMES),
        (ActionKind::SET, ActionKind::NAMES),
        (Status::SET, Status::NAMES),
        (AccountKind::SET, AccountKind::NAMES),
        (Party::SET, Party::NAMES),
        (Purpose::SET, Purpose::NAMES),
        (Relationship::SET, Relationship::NAMES),
        (Origin::SET, Origin::NAMES),
        (CovenantKind::SET, CovenantKind::NAMES),
        (CovenantOf::SET, CovenantOf::NAMES),
        (Owner::SET, Owner::NAMES),
        (Duty::SET, Duty::NAMES),
        (Expect::SET, Expect::NAMES),
    ];
    sets.into_iter().find(|(name, _)| *name == set).map(|(_, names)| names)
}

/// Whether a text file name means JSON rather than YAML.
fn is_json(file: &str) -> bool {
    std::path::Path::new(file).extension().is_some_and(|ext| ext.eq_ignore_ascii_case("json"))
}

/// Parses a whole file as `T`, YAML or JSON by its name, with field-path errors.
fn parse_document<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<T, DataError> {
    if is_json(file) {
        let mut de = serde_json::Deserializer::from_str(text);
        let value = serde_path_to_error::deserialize(&mut de).map_err(|err| error::from_json(file, &err))?;
        de.end().map_err(|err| error::from_json_plain(file, &err))?;
        Ok(value)
    } else {
        serde_path_to_error::deserialize(serde_yaml::Deserializer::from_str(text))
            .map_err(|err| error::from_yaml(file, &err))
    }
}

/// A cross-field problem found after parsing: the path it concerns, the path
/// whose position in the text best shows it, and the message.
struct Invalid {
    path: String,
    at: String,
    message: String,
    help: Option<String>,
}

impl Invalid {
    /// The same problem one level down, inside `prefix` (`[2].action`).
    fn within(self, prefix: &str) -> Invalid {
        Invalid {
            path: error::join_path(prefix, &self.path),
            at: error::join_path(prefix, &self.at),
            message: self.message,
            help: self.help,
        }
    }

    /// A located error in `file`.
    fn into_error(self, file: &str, text: &str) -> DataError {
        DataError::new(self.path, self.message).with_help(self.help).located(file, text, &self.at)
    }
}

// ---------------------------------------------------------------------------
// Dates

/// Two ASCII digits as a number.
fn two_digits(hi: u8, lo: u8) -> Option<i8> {
    (hi.is_ascii_digit() && lo.is_ascii_digit()).then(|| ((hi - b'0') * 10 + (lo - b'0')) as i8)
}

/// `2026-03-14` exactly (a year from 1000 on), read without the general
/// parser: the common case in batch input. `None` for anything else, which
/// the general parser then reads (or refuses) as before.
fn plain_date(b: &[u8]) -> Option<Date> {
    let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = b else { return None };
    let year = i16::from(two_digits(y0, y1)?) * 100 + i16::from(two_digits(y2, y3)?);
    if year < 1000 {
        return None;
    }
    Date::new(year, two_digits(m0, m1)?, two_digits(d0, d1)?).ok()
}

/// `2026-03-14T10:05:00Z` exactly, read without the general parser (see [`plain_date`]).
fn plain_at(b: &[u8]) -> Option<action::At> {
    let (date, time) = (b.get(..10)?, b.get(10..)?);
    let &[b'T', h0, h1, b':', m0, m1, b':', s0, s1, b'Z'] = time else { return None };
    let time = jiff::civil::Time::new(two_digits(h0, h1)?, two_digits(m0, m1)?, two_digits(s0, s1)?, 0).ok()?;
    let ts = jiff::tz::Offset::UTC.to_timestamp(plain_date(date)?.to_datetime(time)).ok()?;
    Some(action::At::Timestamp(ts))
}

/// Parses a date written `2026-03-14`, or the date part of
/// `2026-03-14T10:05:00Z` / `2026-03-14T10:05:00+01:00` (as written, not converted).
pub(crate) fn parse_date(text: &str) -> Result<Date, String> {
    if let Some(date) = plain_date(text.as_bytes()) {
        return Ok(date);
    }
    let text = text.trim();
    if let Ok(date) = text.parse::<Date>() {
        return Ok(date);
    }
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Ok(ts.to_zoned(jiff::tz::TimeZone::UTC).date());
    }
    Err(format!("expected a date such as `2026-03-14`; found {text:?}"))
}

/// Parses a point in time (`2026-03-14T10:05:00Z`) or a plain date.
pub(crate) fn parse_at(text: &str) -> Result<action::At, (String, Option<String>)> {
    if let Some(at) = plain_at(text.as_bytes()) {
        return Ok(at);
    }
    let text = text.trim();
    if !text.contains(['T', 't', ' ']) {
        if let Ok(date) = text.parse::<Date>() {
            return Ok(action::At::Date(date));
        }
    }
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Ok(action::At::Timestamp(ts));
    }
    let message =
        format!("expected a date such as `2026-03-14` or a time such as `2026-03-14T10:05:00Z`; found {text:?}");
    let help =
        text.parse::<jiff::civil::DateTime>().ok().map(|dt| format!("a time needs an offset: write `{dt}Z` for UTC"));
    Err((message, help))
}

/// Deserializes an optional string and converts it inside the deserializer,
/// so that a conversion error carries the position of the value.
fn de_opt_converted<'de, D, T>(
    deserializer: D,
    expecting: &'static str,
    convert: fn(&str) -> Result<T, String>,
) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
{
    struct Converted<T> {
        expecting: &'static str,
        convert: fn(&str) -> Result<T, String>,
    }
    impl<'de, T> Visitor<'de> for Converted<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.expecting)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            (self.convert)(v).map(Some).map_err(|m| E::custom(error::message(&m, None)))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
            deserializer.deserialize_str(self)
        }
    }
    deserializer.deserialize_option(Converted { expecting, convert })
}

/// One name or a list of names, as `content.kind` and `done` are written:
/// the schema of what their deserializers accept (never built).
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[schemars(inline)]
#[expect(dead_code, reason = "describes a field's written form for its JSON Schema; the field's deserializer reads it")]
pub(crate) enum OneOrMany<T> {
    /// One.
    One(T),
    /// A list.
    Many(Vec<T>),
}

/// One group of contacts or a non-empty list of them, as `contacts` is
/// written: the schema of what its deserializer accepts (never built).
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[schemars(inline)]
#[expect(dead_code, reason = "describes a field's written form for its JSON Schema; the field's deserializer reads it")]
pub(crate) enum OneOrSome<T> {
    /// One group.
    One(T),
    /// A list of one group or more (an empty list is an error).
    Many(#[schemars(length(min = 1))] Vec<T>),
}

/// A jurisdiction as written (`UK`, `us-ca`): the schema of what
/// [`parse_jurisdiction`] accepts.
pub(crate) struct Jurisdiction;

impl schemars::JsonSchema for Jurisdiction {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Jurisdiction".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$",
            "description": "An ISO country code, optionally with a region (`UK`, `US-CA`); kept in upper case.",
            "examples": ["UK", "US-CA"],
        })
    }
}

/// Serde `deserialize_with` for an optional date field.
pub(crate) fn de_opt_date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Date>, D::Error> {
    de_opt_converted(deserializer, "a date such as `2026-03-14`", parse_date)
}

/// Serde `serialize_with` for an optional date field (only called when present).
pub(crate) fn ser_opt_date<S: Serializer>(date: &Option<Date>, serializer: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(date) => serializer.collect_str(date),
        None => serializer.serialize_none(),
    }
}

/// Serde `deserialize_with` for an optional jurisdiction: an ISO country code,
/// optionally with a region (`UK`, `US-CA`), kept in upper case.
pub(crate) fn de_opt_jurisdiction<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    de_opt_converted(deserializer, "a country code such as `UK` or `US-CA`", parse_jurisdiction)
}

/// Checks and upper-cases a jurisdiction: `UK`, `us-ca` (a two-letter country
/// code and an optional region of one to three letters or digits).
pub fn parse_jurisdiction(text: &str) -> Result<String, String> {
    let mut parts = text.splitn(2, '-');
    let country = parts.next().unwrap_or("");
    let region = parts.next();
    let country_ok = country.len() == 2 && country.chars().all(|c| c.is_ascii_alphabetic());
    let region_ok = region.is_none_or(|r| (1..=3).contains(&r.len()) && r.chars().all(|c| c.is_ascii_alphanumeric()));
    if country_ok && region_ok {
        Ok(text.to_ascii_uppercase())
    } else {
        Err(format!("expected a country code such as `UK`, optionally with a region such as `US-CA`; found {text:?}"))
    }
}

// ---------------------------------------------------------------------------
// Locating a field path in the text

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// Splits `[2].action.actor.status` into its steps.
fn split_path(path: &str) -> Vec<Segment> {
    let mut segments = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (part.get(..i).unwrap_or(""), part.get(i..).unwrap_or("")),
            None => (part, ""),
        };
        if !key.is_empty() {
            segments.push(Segment::Key(key.to_string()));
        }
        while let Some(stripped) = rest.strip_prefix('[') {
            let Some(close) = stripped.find(']') else {
                break;
            };
            if let Ok(index) = stripped.get(..close).unwrap_or("").parse() {
                segments.push(Segment::Index(index));
            }
            rest = stripped.get(close + 1..).unwrap_or("");
        }
    }
    segments
}

/// The error a [`Probe`] raises when it reaches its target.
const PROBE_HIT: &str = "\u{1}probe-hit\u{1}";

/// Walks a document along a path and fails with [`PROBE_HIT`] at the value the
/// path names, so that the deserializer reports that value's position.
/// It also records how many steps of the path the document has.
struct Probe<'a> {
    rest: &'a [Segment],
    depth: usize,
    reached: &'a Cell<usize>,
}

impl<'de> DeserializeSeed<'de> for Probe<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'a> Probe<'a> {
    /// The probe for the value one step down, which the document has.
    fn child(&self, rest: &'a [Segment]) -> Probe<'a> {
        let depth = self.depth + 1;
        self.reached.set(self.reached.get().max(depth));
        Probe { rest, depth, reached: self.reached }
    }

    fn scalar<E: de::Error>(&self) -> Result<(), E> {
        if self.rest.is_empty() {
            Err(E::custom(PROBE_HIT))
        } else {
            Ok(())
        }
    }
}

impl<'de> Visitor<'de> for Probe<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("anything")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.scalar()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.scalar()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.scalar()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.scalar()
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.scalar()
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.scalar()
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.scalar()
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((Segment::Key(want), rest)) = self.rest.split_first() else {
            return self.scalar();
        };
        while let Some(key) = map.next_key::<KeyText>()? {
            if key.0.as_deref() == Some(want.as_str()) {
                return map.next_value_seed(self.child(rest));
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((Segment::Index(want), rest)) = self.rest.split_first() else {
            return self.scalar();
        };
        for _ in 0..*want {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
        }
        seq.next_element_seed(self.child(rest)).map(|_| ())
    }
}

/// A mapping key as text, or `None` for a key that is not a scalar.
struct KeyText(Option<String>);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'a> Visitor<'a> for KeyVisitor {
            type Value = KeyText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(Some(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<KeyText, E> {
                Ok(KeyText(Some(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<KeyText, E> {
                Ok(KeyText(Some(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<KeyText, E> {
                Ok(KeyText(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<KeyText, E> {
                Ok(KeyText(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<KeyText, E> {
                Ok(KeyText(None))
            }
            fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<KeyText, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(KeyText(None))
            }
            fn visit_seq<A: SeqAccess<'a>>(self, mut seq: A) -> Result<KeyText, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(KeyText(None))
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

/// The 1-based line and column of the value at `path` in a YAML or JSON text,
/// or of its nearest enclosing value that the text has.
pub(crate) fn locate(text: &str, json: bool, path: &str) -> Option<(usize, usize)> {
    let segments = split_path(path);
    let reached = Cell::new(0);
    if let Some(found) = locate_exact(text, json, &segments, &reached) {
        return Some(found);
    }
    // The document stops short of the path: point at the deepest value it has
    // (or, past the parser's nesting limit, at one a little shallower).
    let deepest = reached.get().min(segments.len());
    (deepest.saturating_sub(3)..=deepest)
        .rev()
        .find_map(|n| locate_exact(text, json, segments.get(..n).unwrap_or(&[]), &Cell::new(0)))
}

fn locate_exact(text: &str, json: bool, segments: &[Segment], reached: &Cell<usize>) -> Option<(usize, usize)> {
    let probe = Probe { rest: segments, depth: 0, reached };
    if json {
        let mut de = serde_json::Deserializer::from_str(text);
        match probe.deserialize(&mut de) {
            Err(err) if err.to_string().contains(PROBE_HIT) => Some((err.line(), err.column())),
            _ => None,
        }
    } else {
        match probe.deserialize(serde_yaml::Deserializer::from_str(text)) {
            Err(err) if err.to_string().contains(PROBE_HIT) => err.location().map(|l| (l.line(), l.column())),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_keys_and_indices() {
        assert_eq!(
            split_path("[2].action.actor.status"),
            vec![
                Segment::Index(2),
                Segment::Key("action".into()),
                Segment::Key("actor".into()),
                Segment::Key("status".into())
            ]
        );
        assert_eq!(
            split_path("covenants[1].months"),
            vec![Segment::Key("covenants".into()), Segment::Index(1), Segment::Key("months".into())]
        );
    }

    #[test]
    fn locate_finds_values_and_falls_back_to_the_parent() {
        let yaml = "action: post\nactor:\n  id: a\n  status: departed\nlist:\n  - x\n  - y\n";
        assert_eq!(locate(yaml, false, "actor.status"), Some((4, 11)));
        assert_eq!(locate(yaml, false, "actor.departed_on"), Some((3, 3)));
        assert_eq!(locate(yaml, false, "list[1]"), Some((7, 5)));
        let json = r#"{"action": "post", "actor": {"id": "a", "status": "departed"}}"#;
        assert_eq!(locate(json, true, "actor.status").map(|(l, _)| l), Some(1));
    }

    #[test]
    fn dates_accept_both_iso_forms() {
        assert_eq!(parse_date("2026-03-14"), Ok(jiff::civil::date(2026, 3, 14)));
        assert_eq!(parse_date("2026-03-14T23:05:00Z"), Ok(jiff::civil::date(2026, 3, 14)));
        assert_eq!(parse_date("2026-03-14T10:05:00+05:00"), Ok(jiff::civil::date(2026, 3, 14)));
        assert!(parse_date("14/03/2026").is_err());
        assert!(matches!(parse_at("2026-03-14"), Ok(action::At::Date(_))));
        assert!(matches!(parse_at("2026-03-14T10:05:00Z"), Ok(action::At::Timestamp(_))));
        let (_, help) = parse_at("2026-03-14T10:05:00").unwrap_err();
        assert_eq!(help.as_deref(), Some("a time needs an offset: write `2026-03-14T10:05:00Z` for UTC"));
    }

    #[test]
    fn closed_sets_are_listed() {
        assert_eq!(closed_set("status"), Some(Status::NAMES));
        assert_eq!(closed_set("role"), None);
    }

    #[test]
    fn empty_and_deep_documents_are_errors_not_crashes() {
        assert!(parse_action("", "a.yaml").is_err());
        assert!(parse_action("", "a.json").is_err());
        // Every part of the terms is optional: an empty file is terms that say nothing.
        assert_eq!(parse_contract("", "c.yaml").map(|c| c.covenants.len()), Ok(0));
        assert_eq!(parse_tests("", "t.yaml").map(|t| t.len()), Ok(0));
        insta::assert_snapshot!(parse_action("", "a.json").unwrap_err(), @"a.json:1:1: invalid JSON: unexpected end of input while parsing a value");
        let deep_json = "[".repeat(100_000);
        let deep_yaml = "- ".repeat(100_000);
        assert!(parse_action(&deep_json, "a.json").is_err());
        assert!(parse_action_json_line(&deep_json).is_err());
        assert!(parse_action(&deep_yaml, "a.yaml").is_err());
        assert!(parse_tests(&deep_yaml, "t.yaml").is_err());
        assert_eq!(locate(&deep_yaml, false, "[0][0][0]"), Some((1, 7)));
        // Past the deserializer's recursion limit, the nearest reachable value.
        assert!(locate(&deep_yaml, false, &"[0]".repeat(1000)).is_some());
    }

    /// Pieces of YAML and JSON, to build plausible but broken documents.
    const TOKENS: &[&str] = &[
        "action",
        "actor",
        "status",
        "departed",
        "facts",
        "content",
        "kind",
        "covenants",
        "name",
        "expect",
        ": ",
        "\n",
        "\n  ",
        "- ",
        "{",
        "}",
        "[",
        "]",
        ",",
        "\"",
        "'",
        "#",
        "&a",
        "*a",
        "!!str",
        "~",
        "null",
        "true",
        "12",
        "-1",
        "2026-03-14",
        "2026-03-14T10:05:00Z",
        "1e999",
        "\t",
        "---",
        "...",
        "?",
        "|",
        ">",
        "%",
        "@",
        "`",
    ];

    proptest::proptest! {
        #[test]
        fn parsing_never_panics(text in "\\PC{0,200}") {
            let _ = parse_action(&text, "a.yaml");
            let _ = parse_action(&text, "a.json");
            let _ = parse_action_json_line(&text);
            let _ = parse_contract(&text, "c.yaml");
            let _ = parse_tests(&text, "t.yaml");
        }

        #[test]
        fn token_soup_never_panics(picks in proptest::collection::vec(0..TOKENS.len(), 0..60)) {
            let text: String = picks.iter().filter_map(|&i| TOKENS.get(i).copied()).collect();
            let _ = parse_action(&text, "a.yaml");
            let _ = parse_action(&text, "a.json");
            let _ = parse_contract(&text, "c.yaml");
            let _ = parse_tests(&text, "t.yaml");
            for path in ["actor.status", "[0].action.actor", "covenants[1].kind"] {
                let _ = locate(&text, false, path);
                let _ = locate(&text, true, path);
            }
        }
    }

    /// The fast paths read exactly what the general parser reads.
    #[test]
    fn plain_dates_and_times_read_as_the_general_parser_reads_them() {
        for text in ["2026-03-14", "2024-02-29", "1000-01-01", "9999-12-31", "2026-01-31"] {
            assert_eq!(plain_date(text.as_bytes()), Some(text.parse::<Date>().unwrap()), "{text}");
        }
        for text in ["2023-02-29", "2026-13-01", "2026-00-10", "0999-01-01", "2026-3-14", "2026-03-14 ", "２026-03-14"]
        {
            assert_eq!(plain_date(text.as_bytes()), None, "{text}");
        }
        for text in ["2026-03-14T10:05:00Z", "2024-02-29T23:59:59Z", "2026-01-01T00:00:00Z"] {
            let want = action::At::Timestamp(text.parse::<jiff::Timestamp>().unwrap());
            assert_eq!(plain_at(text.as_bytes()), Some(want), "{text}");
        }
        for text in [
            "2026-03-14T24:00:00Z",
            "2026-03-14T10:60:00Z",
            "2026-03-14T10:05:60Z",
            "2026-03-14T10:05:00+01:00",
            "2026-03-14t10:05:00z",
        ] {
            assert_eq!(plain_at(text.as_bytes()), None, "{text}");
        }
        // Whatever the fast path leaves, the general parser still reads.
        assert_eq!(
            parse_at("2026-03-14T10:05:00+01:00").unwrap(),
            action::At::Timestamp("2026-03-14T09:05:00Z".parse().unwrap())
        );
        assert_eq!(parse_date(" 2026-03-14 ").unwrap(), "2026-03-14".parse::<Date>().unwrap());
    }
}
