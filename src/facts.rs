//! What the absence of a fact means, for every stage. The built-in facts,
//! their types and their order are the one table in [`crate::data::flat`]
//! (`fields!`, with [`Field::absent`]); declared facts (`facts.NAME`) follow
//! their declared type. An action that does not give a fact, or gives it as
//! `null`, says what this module says: the interpreter, the compiled form and
//! the diff all ask here.
//!
//! A fact that is not given is unknown, and a test of it is unknown
//! ([`crate::semantics`]): a clause that reads it and could make the verdict
//! stricter holds the verdict back (indeterminate, naming the fact). Only where
//! the record a fact stands for is the caller's own does absence have a
//! documented meaning: no duty recorded as `done`, no `approval` on file, no
//! acknowledgement of the policy on file (`actor.acknowledged_policy`). A list
//! left out (`content.kind`, `content.conduct`) is not given
//! either: a post that does not say what it is might be a job advert. A policy
//! states what it takes a missing flag or list as with `assume` ([`Assumed`]).

use crate::data::flat::Field;
use crate::value::{Type, Value};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::collections::HashMap;

/// A fact read from the time of the action (`at`) on the policy's clock: the
/// local day of the week and time of day in the policy's `timezone` (the one
/// that also gives the action's date), never the device's. They are not part
/// of an action: every stage derives them from `at` here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AtPart {
    /// `at.weekday`: `monday` ... `sunday`.
    Weekday,
    /// `at.time_of_day`: `09:00` ... `23:59`, to the minute (seconds dropped);
    /// not given when the action gives only a date.
    TimeOfDay,
}

impl AtPart {
    /// Both, in the order the data model lists them.
    pub const ALL: [AtPart; 2] = [AtPart::Weekday, AtPart::TimeOfDay];

    /// The dotted path policies write.
    pub fn path(self) -> &'static str {
        match self {
            AtPart::Weekday => "at.weekday",
            AtPart::TimeOfDay => "at.time_of_day",
        }
    }

    /// The part of a path, if it names one.
    pub fn of_path(path: &str) -> Option<AtPart> {
        AtPart::ALL.into_iter().find(|p| p.path() == path)
    }

    /// The type policies see (the value set `weekday` is [`crate::value::WEEKDAYS`]).
    pub fn ty(self) -> Type {
        match self {
            AtPart::Weekday => Type::Enum("weekday".into()),
            AtPart::TimeOfDay => Type::TimeOfDay,
        }
    }

    /// In plain words, as explanations name it.
    pub fn label(self) -> &'static str {
        match self {
            AtPart::Weekday => "local day of the week",
            AtPart::TimeOfDay => "local time of day",
        }
    }

    /// The part of the local date and time (minutes after midnight; `None`
    /// for a date given without a time).
    pub fn of_local(self, date: Date, minutes: Option<u16>) -> Option<Value> {
        match self {
            AtPart::Weekday => Some(Value::Symbol(crate::value::weekday_name(date.weekday()).to_string())),
            AtPart::TimeOfDay => minutes.map(Value::TimeOfDay),
        }
    }

    /// The part of `at` (a [`Value::Timestamp`], or a [`Value::Date`] when
    /// only a date was given) in the policy's timezone.
    pub fn of(self, at: &Value, tz: &TimeZone) -> Option<Value> {
        let (date, minutes) = local(at, tz)?;
        self.of_local(date, minutes)
    }
}

/// The local date of `at` in `tz`, and its time of day in minutes when it has one.
pub fn local(at: &Value, tz: &TimeZone) -> Option<(Date, Option<u16>)> {
    match at {
        Value::Date(d) => Some((*d, None)),
        Value::Timestamp(t) => Some(local_of(*t, tz)),
        _ => None,
    }
}

/// The local date and minutes after midnight of a point in time in `tz`.
pub fn local_of(t: jiff::Timestamp, tz: &TimeZone) -> (Date, Option<u16>) {
    let z = t.to_zoned(tz.clone());
    let minutes = u16::try_from(i32::from(z.hour()) * 60 + i32::from(z.minute())).ok();
    (z.date(), minutes)
}

/// What an action that does not give a fact says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absent {
    /// Nothing: a test of it is unknown.
    NotGiven,
    /// No (a yes/no fact).
    False,
    /// Yes (a yes/no fact the policy assumes true when not given).
    True,
    /// An empty list (`done`: no duty recorded as done; a list the policy assumes empty).
    Empty,
    /// None was given, and every test of it is false (`approval.granted_by`: no approval).
    NoneGiven,
    /// A date the policy assumes (`assume actor.contract_signed_on = 2019-01-01 when not given`).
    Date(Date),
}

/// What the absence of a fact path means before any assumption of a policy.
pub fn absent(path: &str) -> Absent {
    match Field::of_path(path) {
        Some(f) => f.absent(),
        // A declared fact left out is not given.
        None => Absent::NotGiven,
    }
}

impl Absent {
    /// The value it stands for, if any.
    pub fn value(self) -> Option<Value> {
        match self {
            Absent::False => Some(Value::Bool(false)),
            Absent::True => Some(Value::Bool(true)),
            Absent::Empty => Some(Value::List(vec![])),
            Absent::Date(d) => Some(Value::Date(d)),
            Absent::NotGiven | Absent::NoneGiven => None,
        }
    }

    /// In words (`not given, taken as no`).
    pub fn words(self) -> std::borrow::Cow<'static, str> {
        match self {
            Absent::NotGiven => "not given".into(),
            Absent::False => "not given, taken as no".into(),
            Absent::True => "not given, taken as yes".into(),
            Absent::Empty => "not given, taken as empty".into(),
            Absent::NoneGiven => "not given: there is none".into(),
            Absent::Date(d) => format!("not given, taken as {d}").into(),
        }
    }
}

/// What a policy takes a fact an action does not give as (`assume FACT =
/// VALUE when not given`): a yes/no fact as yes or no, a list as empty, a
/// date whose absence means "before our records" ([`ASSUMABLE_DATES`]) as a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Assumed {
    /// `= false`.
    No,
    /// `= true`.
    Yes,
    /// `= {}`: a list taken as empty.
    Empty,
    /// `= 2019-01-01`: a date taken as that day.
    Date(Date),
}

/// The dates a policy may assume when not given: those whose absence means only
/// that the record is older than the agency's systems (a contract signed before
/// the HR system kept them). Assuming any other date would invent an event (a
/// departure, a request, a connection) that never happened; a policy's own date
/// facts may be assumed unless a duty's time runs from them (`check`).
pub const ASSUMABLE_DATES: &[&str] = &["actor.contract_signed_on"];

impl serde::Serialize for Assumed {
    /// As the value it stands for: `true`, `false` or `[]`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Assumed::No => s.serialize_bool(false),
            Assumed::Yes => s.serialize_bool(true),
            Assumed::Empty => s.collect_seq(std::iter::empty::<bool>()),
            Assumed::Date(d) => s.collect_str(d),
        }
    }
}

impl Assumed {
    /// What the absence of the fact then means.
    pub fn absent(self) -> Absent {
        match self {
            Assumed::No => Absent::False,
            Assumed::Yes => Absent::True,
            Assumed::Empty => Absent::Empty,
            Assumed::Date(d) => Absent::Date(d),
        }
    }

    /// As a policy writes it.
    pub fn text(self) -> std::borrow::Cow<'static, str> {
        match self {
            Assumed::No => "false".into(),
            Assumed::Yes => "true".into(),
            Assumed::Empty => "{}".into(),
            Assumed::Date(d) => d.to_string().into(),
        }
    }
}

/// The value `policy` takes `path` as when an action does not give it, by its own
/// `assume` alone (the fact table's meanings aside): what the version choice reads.
pub fn assumed(policy: &crate::policy::Policy, path: &str) -> Option<Value> {
    policy.decls.assumed.get(path).and_then(|a| a.absent().value())
}

/// The facts one policy knows: every path's type, and what the policy assumes
/// of a yes/no fact or list an action does not give (`assume FACT = VALUE when
/// not given`). Every stage that reads a policy's facts asks here, so a policy's
/// assumption means the same to the interpreter, the compiled form and the diff.
#[derive(Debug, Clone, Default)]
pub struct Known {
    types: HashMap<String, Type>,
    assumed: HashMap<String, Assumed>,
}

impl Known {
    /// The built-in facts, the policy's declared facts and counters, and its assumptions.
    pub fn of(policy: &crate::policy::Policy) -> Known {
        let mut types: HashMap<String, Type> =
            crate::schema::fact_paths().into_iter().map(|(p, t)| (p.to_string(), t)).collect();
        for (name, ty) in &policy.decls.facts {
            types.insert(format!("facts.{name}"), ty.clone());
        }
        // The counters of `history.counts` its clauses read.
        for c in &policy.decls.counters {
            let path = c.path();
            if let Some(ty) = crate::schema::fact_type(&path) {
                types.insert(path, ty);
            }
        }
        let assumed = policy.decls.assumed.iter().map(|(p, v)| (p.clone(), *v)).collect();
        Known { types, assumed }
    }

    /// The type of a fact path.
    pub fn get(&self, path: &str) -> Option<&Type> {
        self.types.get(path)
    }

    /// What the absence of a fact path means under this policy.
    pub fn absent(&self, path: &str) -> Absent {
        match self.assumed.get(path) {
            Some(a) => a.absent(),
            None => absent(path),
        }
    }

    /// The value an absent fact stands for under this policy, if any.
    pub fn absent_value(&self, path: &str) -> Option<Value> {
        self.absent(path).value()
    }

    /// What an absent fact is taken as under this policy, in words.
    pub fn absent_words(&self, path: &str) -> std::borrow::Cow<'static, str> {
        self.absent(path).words()
    }
}

/// Whether every test of the fact is false when it is absent (`approval.granted_by`).
pub fn absent_is_none(path: &str) -> bool {
    absent(path) == Absent::NoneGiven
}

/// A fact path in plain words, as explanations name it: a built-in fact's label
/// is the field table's ([`Field::label`]), `at` is the time of the action, and a
/// declared fact (`facts.uses_agency_data`) is its name in words.
pub fn label(path: &str) -> String {
    match Field::of_path(path) {
        Some(f) => f.label().to_string(),
        None if path == "at" => "time of the action".to_string(),
        None => match AtPart::of_path(path) {
            Some(p) => p.label().to_string(),
            None => match crate::counter::Counter::from_path(path) {
                Some(c) => c.label(),
                None => path.strip_prefix("facts.").unwrap_or(path).replace('_', " "),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fact_has_its_own_plain_words_label() {
        let mut seen = std::collections::HashSet::new();
        for f in Field::ALL {
            let l = f.label();
            assert!(!l.is_empty() && !l.contains('.') && !l.contains('_'), "{}: {l:?}", f.path());
            // A part may share its label with nothing; a fact's label is its own.
            if f.path().contains('.') {
                assert!(seen.insert(l), "{}: label {l:?} used twice", f.path());
            }
        }
        assert_eq!(label("history.posts_today"), "posts today");
        assert_eq!(label("actor.departed_on"), "date of departure");
        assert_eq!(label("facts.uses_agency_data"), "uses agency data");
        assert_eq!(label("at"), "time of the action");
        assert_eq!(label("at.time_of_day"), "local time of day");
    }

    #[test]
    fn the_clock_is_the_policy_timezone() {
        let t: jiff::Timestamp = "2026-03-13T23:30:00Z".parse().unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let london = TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC);
        let sydney = TimeZone::get("Australia/Sydney").unwrap_or(TimeZone::UTC);
        let at = Value::Timestamp(t);
        assert_eq!(AtPart::Weekday.of(&at, &london), Some(Value::Symbol("friday".into())));
        assert_eq!(AtPart::TimeOfDay.of(&at, &london), Some(Value::TimeOfDay(23 * 60 + 30)));
        // 10:30 on Saturday in Sydney.
        assert_eq!(AtPart::Weekday.of(&at, &sydney), Some(Value::Symbol("saturday".into())));
        assert_eq!(AtPart::TimeOfDay.of(&at, &sydney), Some(Value::TimeOfDay(10 * 60 + 30)));
        // A date alone has a weekday but no time of day.
        let day = Value::Date(jiff::civil::date(2026, 3, 14));
        assert_eq!(AtPart::Weekday.of(&day, &london), Some(Value::Symbol("saturday".into())));
        assert_eq!(AtPart::TimeOfDay.of(&day, &london), None);
    }

    #[test]
    fn absent_meanings_follow_the_table() {
        assert_eq!(absent("done"), Absent::Empty);
        assert_eq!(absent("approval.granted_by"), Absent::NoneGiven);
        assert_eq!(absent("content.confidential"), Absent::NotGiven);
        assert_eq!(absent("content.kind"), Absent::NotGiven);
        assert_eq!(absent("actor.acknowledged_policy"), Absent::False);
        assert_eq!(absent("history.posts_today"), Absent::NotGiven);
        assert_eq!(absent("actor.departed_on"), Absent::NotGiven);
        assert_eq!(absent("facts.x"), Absent::NotGiven);
        assert_eq!(absent("facts.tags"), Absent::NotGiven);
        // What each meaning stands for.
        assert_eq!(absent("actor.acknowledged_policy").value(), Some(Value::Bool(false)));
        assert_eq!(absent("content.confidential").value(), None);
        assert_eq!(absent("done").value(), Some(Value::List(vec![])));
        assert_eq!(absent("approval.granted_by").value(), None);
        assert_eq!(absent("history.posts_today").value(), None);
        assert!(absent_is_none("approval.granted_by"));
        assert!(!absent_is_none("content.confidential"));
        assert!(!absent_is_none("actor.departed_on"));
        // Every built-in field's answer agrees with its type.
        for f in Field::ALL {
            let ty = crate::data::action::Action::path_type(f.path());
            match absent(f.path()) {
                Absent::False | Absent::True => assert_eq!(ty, Some(Type::Bool), "{}", f.path()),
                Absent::Empty => assert!(matches!(ty, Some(Type::EnumList(_))), "{}", f.path()),
                Absent::Date(_) => assert_eq!(ty, Some(Type::Date), "{}", f.path()),
                Absent::NotGiven | Absent::NoneGiven => {}
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a test stops loudly")]
mod table {
    use crate::data::action::{parse_action_json_line, Action};
    use crate::data::flat::{ActionFacts, Field, Raw};
    use crate::value::{Type, Value};

    /// A line that gives every built-in fact.
    const FULL: &str = r#"{"action":"post","at":"2025-01-03T13:26:00Z","actor":{"id":"u","role":"consultant","status":"departed","employed_since":"2021-11-02","team":"recruiting","departed_on":"2025-06-19","jurisdiction":"UK","governing_law":"UK","supervisor":true,"garden_leave_from":"2025-05-01","acknowledged_policy":false,"non_compete_compensation_percent":50,"non_compete_in_writing":true,"contract_signed_on":"2021-10-20","contract_varied_on":"2024-02-01"},"channel":"linkedin","device":"agency","account":{"kind":"branded","handle":"@h","display_name":"H","handle_at_departure":"@h_old","display_name_at_departure":"H old","created_by":"agency","created_on":"2015-10-04","purpose":"business","run_as_duty":false,"agency_equipment":false,"brand_in_handle":true,"transferred_in_writing":false,"paid_by":"agency"},"content":{"kind":["job_ad"],"conduct":["offensive"],"text":"t","names_client":true,"candidate_personal_data":false,"confidential":false,"discloses_employer":true,"own_views_disclaimer":false,"privacy_notice":true,"opt_out":false,"public":true},"target":{"relationship":"client","met_in_person":false,"interacted":true,"origin":"agency_database","last_dealt_with":"2024-02-19","connected_on":"2020-01-01","distance_miles":12,"in_agency_database":true},"contacts":{"count":2,"origin":"agency_database"},"history":{"posts_today":6,"posts_this_week":23,"job_ads_this_week":3,"invitations_this_week":70,"posts_last_24h":4},"approval":{"granted_by":"consultant"},"request":{"made_on":"2025-06-01"},"material":{"kind":"video","made_on":"2024-05-01","made_for":"agency","created_by":"employee","agency_equipment":true},"done":["update_profile"]}"#;

    /// Every consumer of the field table knows every fact: the data model's
    /// paths and types, the action reader, the batch row (through `Field`),
    /// and the interpreter's reading. A fact added to the table and missed by
    /// one of them fails here.
    #[test]
    fn every_consumer_knows_every_fact() {
        let action = parse_action_json_line(FULL).unwrap_or_else(|e| panic!("{e:?}"));
        let known = Action::known_paths();
        for f in Field::ALL {
            let Some(ty) = f.ty() else {
                // A part: present in this action.
                assert_eq!(action.field(*f), Raw::Bool(true), "{}", f.path());
                continue;
            };
            assert_eq!(known.iter().filter(|(p, _)| *p == f.path()).count(), 1, "{} listed once", f.path());
            assert_eq!(Action::path_type(f.path()), Some(ty.clone()), "{}", f.path());
            assert!(crate::schema::fact_type(f.path()).is_some(), "{} in the checker's table", f.path());
            let v = action.fact(f.path()).unwrap_or_else(|| panic!("{} not read from a full action", f.path()));
            let fits = matches!(
                (&ty, &v),
                (Type::Bool, Value::Bool(_))
                    | (Type::Int, Value::Int(_))
                    | (Type::Date, Value::Date(_))
                    | (Type::Text, Value::Text(_))
                    | (Type::Enum(_), Value::Symbol(_))
                    | (Type::EnumList(_), Value::List(_))
            );
            assert!(fits, "{}: {v:?} is not a {ty:?}", f.path());
        }
        // `at` and what is read from it are the built-in facts outside the field table.
        assert_eq!(known.len(), Field::ALL.iter().filter(|f| f.ty().is_some()).count() + 1 + super::AtPart::ALL.len());
        for p in super::AtPart::ALL {
            assert_eq!(Action::path_type(p.path()), Some(p.ty()));
            assert!(crate::schema::fact_type(p.path()).is_some());
        }
        assert!(action.fact("at").is_some());
    }
}
