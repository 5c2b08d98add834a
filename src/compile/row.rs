//! The fact row: every fact a compiled policy reads, filled once per action
//! into a flat array of [`Val`] slots (symbols interned, dates as civil dates,
//! `content.kind` as a bitset), so that deciding does no allocation and no
//! string comparison. Derived slots (`FirstOf`, shifted dates) are computed
//! here too, with [`Duration::shift`](crate::value::Duration::shift)'s month clamping.
//!
//! This module knows the action's shape ([`Action`]); it does not combine clauses.

use super::Compiled;
use crate::data::action::{Action, At};
use crate::value::{Duration, Type, Value};
use jiff::civil::Date;

/// One slot of a fact row (or a compiled constant).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val {
    /// The action does not carry the fact (a test of it is unknown).
    Absent,
    /// The fact is there but a derived value could not be computed (a shifted
    /// date out of range): unknown, naming no missing fact.
    Failed,
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A percentage.
    Pct(i64),
    /// A calendar date.
    Date(Date),
    /// A point in time, with its date in the policy's timezone.
    Ts(jiff::Timestamp, Date),
    /// A length of time.
    Dur(Duration),
    /// A symbol or text, interned (see [`Interner`]); `text` for free text.
    Str {
        /// The interned id (even: a known string; odd: an unknown one, placed by order).
        id: u32,
        /// Free text rather than a name.
        text: bool,
    },
    /// A list of names: the bits of the known names, and whether it holds others.
    List {
        /// One bit per name of the list vocabulary.
        bits: u128,
        /// Holds a name outside the vocabulary.
        other: bool,
    },
}

impl Val {
    /// Whether the fact is there (a value or a failed derivation counts as absent).
    pub fn present(self) -> bool {
        !matches!(self, Val::Absent | Val::Failed)
    }
}

/// The strings a policy mentions, sorted: a known string has the even id
/// `2 * index + 2`; any other string gets the odd id of the gap it falls into,
/// so ids order as the strings do and a known id never equals an unknown one.
#[derive(Debug, Clone, Default)]
pub struct Interner {
    strings: Vec<Box<str>>,
}

impl Interner {
    /// An interner over these strings.
    pub fn new(mut strings: Vec<String>) -> Self {
        strings.sort();
        strings.dedup();
        Interner { strings: strings.into_iter().map(String::into_boxed_str).collect() }
    }

    /// The id of a string.
    pub fn id(&self, s: &str) -> u32 {
        let pos = self.strings.binary_search_by(|k| (**k).cmp(s));
        let n = match pos {
            Ok(i) => 2 * i + 2,
            Err(i) => 2 * i + 1,
        };
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// The string of a known id.
    pub fn name(&self, id: u32) -> Option<&str> {
        if id % 2 == 1 || id == 0 {
            return None;
        }
        self.strings.get((id / 2 - 1) as usize).map(|s| &**s)
    }

    /// How many strings are known.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// Whether no string is known.
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }
}

/// A fact as the action carries it, before interning.
#[derive(Debug, Clone, Copy)]
pub enum Raw<'a> {
    /// Not carried.
    None,
    /// A flag.
    Bool(bool),
    /// A count.
    Int(i64),
    /// A date.
    Date(Date),
    /// `at`.
    At(At),
    /// A name.
    Sym(&'a str),
    /// Free text.
    Text(&'a str),
    /// A list of names.
    List(&'a [String]),
}

/// Reads one built-in fact from an action.
pub type Getter = for<'a> fn(&'a Action) -> Raw<'a>;

/// How a slot is filled.
#[derive(Debug, Clone)]
pub enum SlotDef {
    /// A built-in fact, with the value an absent one reads as (`false`, `[]`).
    Builtin {
        /// The reader.
        get: Getter,
        /// The value when absent.
        default: Val,
    },
    /// `at`: the action's time, else the evaluation time.
    At,
    /// A declared fact (`facts.NAME`) read as its declared type.
    Declared {
        /// The name after `facts.`.
        name: String,
        /// The declared type.
        ty: Type,
        /// The value when absent.
        default: Val,
    },
    /// Any other path, through [`crate::eval::Facts`].
    Generic {
        /// The path.
        path: String,
        /// The value when absent.
        default: Val,
    },
    /// The first present of these slots.
    FirstOf(Vec<u16>),
    /// A slot's date shifted by lengths of time.
    Shifted(u16, Vec<(bool, Duration)>),
}

fn opt_bool(b: Option<bool>) -> Raw<'static> {
    b.map_or(Raw::None, Raw::Bool)
}

fn opt_date(d: Option<Date>) -> Raw<'static> {
    d.map_or(Raw::None, Raw::Date)
}

fn opt_int(n: Option<u32>) -> Raw<'static> {
    n.map_or(Raw::None, |n| Raw::Int(i64::from(n)))
}

fn part(present: bool) -> Raw<'static> {
    if present {
        Raw::Bool(true)
    } else {
        Raw::None
    }
}

/// The reader of a built-in path, if it is one.
pub fn getter(path: &str) -> Option<Getter> {
    let g: Getter = match path {
        "action" => |a| Raw::Sym(a.action.as_str()),
        "channel" => |a| a.channel.as_deref().map_or(Raw::None, Raw::Sym),
        "done" => |a| a.done.as_deref().map_or(Raw::None, Raw::List),
        "actor" => |_| Raw::Bool(true),
        "account" => |a| part(a.account.is_some()),
        "content" => |a| part(a.content.is_some()),
        "target" => |a| part(a.target.is_some()),
        "contacts" => |a| part(a.contacts.is_some()),
        "history" => |a| part(a.history.is_some()),
        "approval" => |a| part(a.approval.is_some()),
        "request" => |a| part(a.request.is_some()),
        "actor.id" => |a| Raw::Text(&a.actor.id),
        "actor.role" => |a| Raw::Sym(&a.actor.role),
        "actor.team" => |a| a.actor.team.as_deref().map_or(Raw::None, Raw::Sym),
        "actor.status" => |a| Raw::Sym(a.actor.status.as_str()),
        "actor.employed_since" => |a| opt_date(a.actor.employed_since),
        "actor.departed_on" => |a| opt_date(a.actor.departed_on),
        "actor.jurisdiction" => |a| a.actor.jurisdiction.as_deref().map_or(Raw::None, Raw::Sym),
        "actor.supervisor" => |a| opt_bool(a.actor.supervisor),
        "actor.garden_leave_from" => |a| opt_date(a.actor.garden_leave_from),
        "actor.acknowledged_policy" => |a| opt_bool(a.actor.acknowledged_policy),
        "account.kind" => |a| a.account.as_ref().and_then(|x| x.kind).map_or(Raw::None, |k| Raw::Sym(k.as_str())),
        "account.handle" => |a| a.account.as_ref().and_then(|x| x.handle.as_deref()).map_or(Raw::None, Raw::Text),
        "account.created_by" => {
            |a| a.account.as_ref().and_then(|x| x.created_by).map_or(Raw::None, |k| Raw::Sym(k.as_str()))
        }
        "account.created_on" => |a| opt_date(a.account.as_ref().and_then(|x| x.created_on)),
        "account.purpose" => |a| a.account.as_ref().and_then(|x| x.purpose).map_or(Raw::None, |k| Raw::Sym(k.as_str())),
        "account.run_as_duty" => |a| opt_bool(a.account.as_ref().and_then(|x| x.run_as_duty)),
        "account.agency_equipment" => |a| opt_bool(a.account.as_ref().and_then(|x| x.agency_equipment)),
        "account.brand_in_handle" => |a| opt_bool(a.account.as_ref().and_then(|x| x.brand_in_handle)),
        "account.transferred_in_writing" => |a| opt_bool(a.account.as_ref().and_then(|x| x.transferred_in_writing)),
        "account.paid_by" => |a| a.account.as_ref().and_then(|x| x.paid_by).map_or(Raw::None, |k| Raw::Sym(k.as_str())),
        "content.kind" => |a| a.content.as_ref().and_then(|c| c.kind.as_deref()).map_or(Raw::None, Raw::List),
        "content.text" => |a| a.content.as_ref().and_then(|c| c.text.as_deref()).map_or(Raw::None, Raw::Text),
        "content.names_client" => |a| opt_bool(a.content.as_ref().and_then(|c| c.names_client)),
        "content.candidate_personal_data" => |a| opt_bool(a.content.as_ref().and_then(|c| c.candidate_personal_data)),
        "content.confidential" => |a| opt_bool(a.content.as_ref().and_then(|c| c.confidential)),
        "content.discloses_employer" => |a| opt_bool(a.content.as_ref().and_then(|c| c.discloses_employer)),
        "content.privacy_notice" => |a| opt_bool(a.content.as_ref().and_then(|c| c.privacy_notice)),
        "content.opt_out" => |a| opt_bool(a.content.as_ref().and_then(|c| c.opt_out)),
        "content.public" => |a| opt_bool(a.content.as_ref().and_then(|c| c.public)),
        "target.relationship" => {
            |a| a.target.as_ref().and_then(|t| t.relationship).map_or(Raw::None, |k| Raw::Sym(k.as_str()))
        }
        "target.met_in_person" => |a| opt_bool(a.target.as_ref().and_then(|t| t.met_in_person)),
        "target.interacted" => |a| opt_bool(a.target.as_ref().and_then(|t| t.interacted)),
        "target.origin" => |a| a.target.as_ref().and_then(|t| t.origin).map_or(Raw::None, |k| Raw::Sym(k.as_str())),
        "target.last_dealt_with" => |a| opt_date(a.target.as_ref().and_then(|t| t.last_dealt_with)),
        "target.connected_on" => |a| opt_date(a.target.as_ref().and_then(|t| t.connected_on)),
        "target.distance_miles" => |a| opt_int(a.target.as_ref().and_then(|t| t.distance_miles)),
        "target.in_agency_database" => |a| opt_bool(a.target.as_ref().and_then(|t| t.in_agency_database)),
        "contacts.count" => |a| opt_int(a.contacts.as_ref().and_then(|c| c.count)),
        "contacts.origin" => |a| a.contacts.as_ref().and_then(|c| c.origin).map_or(Raw::None, |k| Raw::Sym(k.as_str())),
        "history.posts_today" => |a| opt_int(a.history.as_ref().and_then(|h| h.posts_today)),
        "history.posts_this_week" => |a| opt_int(a.history.as_ref().and_then(|h| h.posts_this_week)),
        "history.job_ads_this_week" => |a| opt_int(a.history.as_ref().and_then(|h| h.job_ads_this_week)),
        "history.invitations_this_week" => |a| opt_int(a.history.as_ref().and_then(|h| h.invitations_this_week)),
        "history.posts_last_24h" => |a| opt_int(a.history.as_ref().and_then(|h| h.posts_last_24h)),
        "approval.granted_by" => {
            |a| a.approval.as_ref().and_then(|x| x.granted_by.as_deref()).map_or(Raw::None, Raw::Sym)
        }
        "request.made_on" => |a| opt_date(a.request.as_ref().and_then(|r| r.made_on)),
        _ => return None,
    };
    Some(g)
}

/// The facts of one action, as the compiled policy reads them.
#[derive(Debug, Clone, Default)]
pub struct FactRow {
    pub(super) vals: Vec<Val>,
    pub(super) bucket: u32,
    pub(super) granted: Option<u32>,
}

impl FactRow {
    /// The row of an action; an action without `at` is taken to happen now.
    pub fn from_action(action: &Action, compiled: &Compiled) -> FactRow {
        FactRow::from_action_at(action, compiled, jiff::Timestamp::now())
    }

    /// The row of an action; `now` is used when the action gives no `at`.
    pub fn from_action_at(action: &Action, compiled: &Compiled, now: jiff::Timestamp) -> FactRow {
        let mut row = FactRow::default();
        row.fill(action, compiled, now);
        row
    }

    /// Refills this row for another action, reusing its memory.
    pub fn fill(&mut self, action: &Action, c: &Compiled, now: jiff::Timestamp) {
        self.vals.clear();
        for def in &c.slots {
            let v = match def {
                SlotDef::Builtin { get, default } => match get(action) {
                    Raw::None => *default,
                    raw => c.raw_val(raw),
                },
                SlotDef::At => match action.at {
                    Some(At::Date(d)) => Val::Date(d),
                    Some(At::Timestamp(t)) => Val::Ts(t, c.date_of(t)),
                    None => Val::Ts(now, c.date_of(now)),
                },
                SlotDef::Declared { name, ty, default } => {
                    action.facts.get(name).and_then(|v| v.typed(ty)).map_or(*default, |v| c.value_val(&v))
                }
                SlotDef::Generic { path, default } => {
                    crate::eval::Facts::fact(action, path).map_or(*default, |v| c.value_val(&v))
                }
                SlotDef::FirstOf(slots) => {
                    let mut out = if slots.is_empty() { Val::Failed } else { Val::Absent };
                    for s in slots {
                        if let Some(v) = self.vals.get(usize::from(*s)).filter(|v| v.present()) {
                            out = *v;
                            break;
                        }
                    }
                    out
                }
                SlotDef::Shifted(base, shifts) => match self.vals.get(usize::from(*base)).copied() {
                    None | Some(Val::Absent) => Val::Absent,
                    Some(Val::Date(d)) | Some(Val::Ts(_, d)) => {
                        shifts.iter().try_fold(d, |acc, (fwd, dur)| dur.shift(acc, *fwd)).map_or(Val::Failed, Val::Date)
                    }
                    Some(_) => Val::Failed,
                },
            };
            self.vals.push(v);
        }
        let action_class = c.action_class(c.strings.id(action.action.as_str()));
        let chan_class = match &action.channel {
            None => c.chan_ids.len() + 1,
            Some(ch) => {
                let id = c.strings.id(ch);
                c.chan_ids.iter().position(|x| *x == id).unwrap_or(c.chan_ids.len())
            }
        };
        self.bucket = u32::try_from(action_class * (c.chan_ids.len() + 2) + chan_class).unwrap_or(0);
        self.granted = action.approval.as_ref().and_then(|a| a.granted_by.as_deref()).map(|g| c.strings.id(g));
    }

    /// The value of a slot.
    pub(super) fn get(&self, slot: u16) -> Val {
        self.vals.get(usize::from(slot)).copied().unwrap_or(Val::Absent)
    }
}

impl Compiled {
    pub(super) fn date_of(&self, t: jiff::Timestamp) -> Date {
        t.to_zoned(self.tz.clone()).date()
    }

    /// The bits of the list vocabulary these names set, and whether any is outside it.
    pub(super) fn list_bits<'a>(&self, items: impl Iterator<Item = &'a str>) -> Val {
        let (mut bits, mut other) = (0u128, false);
        for item in items {
            match self.list_bit(self.strings.id(item)) {
                Some(b) => bits |= b,
                None => other = true,
            }
        }
        Val::List { bits, other }
    }

    /// The bit of a string id in the list vocabulary.
    pub(super) fn list_bit(&self, id: u32) -> Option<u128> {
        self.list_vocab.iter().position(|x| *x == id).map(|i| 1u128 << i)
    }

    fn raw_val(&self, raw: Raw<'_>) -> Val {
        match raw {
            Raw::None => Val::Absent,
            Raw::Bool(b) => Val::Bool(b),
            Raw::Int(i) => Val::Int(i),
            Raw::Date(d) => Val::Date(d),
            Raw::At(At::Date(d)) => Val::Date(d),
            Raw::At(At::Timestamp(t)) => Val::Ts(t, self.date_of(t)),
            Raw::Sym(s) => Val::Str { id: self.strings.id(s), text: false },
            Raw::Text(s) => Val::Str { id: self.strings.id(s), text: true },
            Raw::List(items) => self.list_bits(items.iter().map(String::as_str)),
        }
    }

    /// A value (a constant, or a declared fact) as a slot value.
    pub(super) fn value_val(&self, v: &Value) -> Val {
        match v {
            Value::Bool(b) => Val::Bool(*b),
            Value::Int(i) => Val::Int(*i),
            Value::Percent(p) => Val::Pct(*p),
            Value::Date(d) => Val::Date(*d),
            Value::Timestamp(t) => Val::Ts(*t, self.date_of(*t)),
            Value::Duration(d) => Val::Dur(*d),
            Value::Text(s) => Val::Str { id: self.strings.id(s), text: true },
            Value::Symbol(s) => Val::Str { id: self.strings.id(s), text: false },
            Value::List(items) => self.list_bits(items.iter().map(String::as_str)),
        }
    }
}
