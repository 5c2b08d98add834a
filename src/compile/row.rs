//! The fact row: every fact a compiled policy reads, filled once per action
//! into a flat array of [`Val`] slots (symbols interned, dates as civil dates,
//! `content.kind` as a bitset), so that deciding does no allocation and no
//! string comparison. Derived slots (`FirstOf`, shifted dates, declared
//! facts, `at`) are computed here too, with
//! [`Duration::shift`](crate::value::Duration::shift)'s month clamping: only
//! those a clause that may apply to the row's action and channel can read
//! (the others stay absent, and nothing reads them).
//!
//! A row is filled from an [`Action`] (or anything [`ActionFacts`]) by
//! [`FactRow::fill`], or straight from a JSON line by [`FactRow::read_json`]
//! (the in-place reader writing each field into its slot); both compute the
//! derived slots with the same code. This module does not combine clauses.

use super::Compiled;
use crate::data::action::{Action, At};
use crate::data::flat::{ActionFacts, FactRef, Facts, Field, LineReader, Raw, Sink};
use crate::semantics::OnFile;
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
    /// A time of day in minutes after midnight.
    Time(u16),
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
    /// The known strings' ids, hashed: one lookup rather than a binary search
    /// for the common case (a name the policy mentions).
    known: std::collections::HashMap<Box<str>, u32, foldhash::fast::FixedState>,
    /// The same for the known strings of at most 16 bytes (nearly all names).
    short: Short,
}

impl Interner {
    /// An interner over these strings.
    pub fn new<S: AsRef<str> + Ord>(mut strings: Vec<S>) -> Self {
        strings.sort_unstable();
        strings.dedup();
        let strings: Vec<Box<str>> = strings.iter().map(|s| Box::from(s.as_ref())).collect();
        let known = strings
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), u32::try_from(2 * i + 2).unwrap_or(u32::MAX)))
            .collect();
        let mut interner = Interner { strings, known, short: Short::default() };
        interner.short = Short::new(&interner.known);
        interner
    }

    /// Also looks these strings up by hash (an action's expected names that
    /// the policy does not mention: their odd ids, computed once).
    pub fn expect<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) {
        for name in names {
            if !self.known.contains_key(name) {
                let id = self.id(name);
                self.known.insert(name.into(), id);
            }
        }
        self.short = Short::new(&self.known);
    }

    /// The id of a string.
    #[inline]
    pub fn id(&self, s: &str) -> u32 {
        if let Some(id) = self.hashed(s) {
            return id;
        }
        let pos = self.strings.binary_search_by(|k| (**k).cmp(s));
        let n = match pos {
            Ok(i) => 2 * i + 2,
            Err(i) => 2 * i + 1,
        };
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// The id of a string from the hashed tables alone (a known or expected
    /// name), without the binary search `id` falls back to.
    #[inline(always)]
    fn hashed(&self, s: &str) -> Option<u32> {
        // A short string is known only if the short table has it.
        match Short::words(s.as_bytes()) {
            Some(key) => self.short.get(key),
            None => self.known.get(s).copied(),
        }
    }
}

/// The ids of short strings (at most 16 bytes), by their bytes read as two
/// words ([`Short::words`]): an open-addressed table probed with one multiply, compared without
/// a call. Ids are never 0, so 0 marks a free entry.
#[derive(Debug, Clone, Default)]
struct Short {
    entries: Vec<(ShortKey, u32)>,
}

/// Two words holding a short string's bytes, and its length.
type ShortKey = (u64, u64, usize);

impl Short {
    fn new<'a>(known: impl IntoIterator<Item = (&'a Box<str>, &'a u32)>) -> Short {
        let short: Vec<(ShortKey, u32)> =
            known.into_iter().filter_map(|(s, id)| Some((Short::words(s.as_bytes())?, *id))).collect();
        let size = (short.len() * 2).next_power_of_two().max(8);
        let mut table = Short { entries: vec![((0, 0, 0), 0); size] };
        for (key, id) in short {
            let mut i = table.slot(key);
            while table.entries.get(i).is_some_and(|e| e.1 != 0) {
                i = (i + 1) & (size - 1);
            }
            if let Some(e) = table.entries.get_mut(i) {
                *e = (key, id);
            }
        }
        table
    }

    /// The key of a string of at most 16 bytes: its length and two words
    /// that between them hold every byte (overlapping when it is shorter).
    #[inline(always)]
    fn words(s: &[u8]) -> Option<ShortKey> {
        let n = s.len();
        let w8 = |i: usize| s.get(i..i + 8).map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
        let w4 = |i: usize| s.get(i..i + 4).map(|c| u64::from(u32::from_le_bytes(c.try_into().unwrap_or([0; 4]))));
        let b = |i: usize| s.get(i).map(|c| u64::from(*c));
        match n {
            0 => Some((0, 0, 0)),
            1..4 => Some((b(0)? | b(n / 2)? << 8, b(n - 1)?, n)),
            4..8 => Some((w4(0)?, w4(n - 4)?, n)),
            8..=16 => Some((w8(0)?, w8(n - 8)?, n)),
            _ => None,
        }
    }

    #[inline(always)]
    fn slot(&self, (lo, hi, len): ShortKey) -> usize {
        let h = (lo ^ hi.rotate_left(31) ^ len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        // The product's top bits, which every bit of the key reaches (bits
        // 40 and up of a table's size missed the last bytes of a 4-to-7-byte
        // name: `team_0` to `team_23` took two first probes, not 24).
        let bits = self.entries.len().max(1).trailing_zeros();
        h.checked_shr(64 - bits).unwrap_or(0) as usize
    }

    #[inline(always)]
    fn get(&self, key: ShortKey) -> Option<u32> {
        let mut i = self.slot(key);
        loop {
            let (k, id) = *self.entries.get(i)?;
            if id == 0 {
                return None;
            }
            if k == key {
                return Some(id);
            }
            i = (i + 1) & (self.entries.len() - 1);
        }
    }
}

/// How a slot is filled.
#[derive(Debug, Clone)]
pub enum SlotDef {
    /// A built-in fact, with the value an absent one reads as (`false`, `[]`).
    Builtin {
        /// The field.
        field: Field,
        /// The value when absent.
        default: Val,
    },
    /// `at`: the action's time, else the evaluation time.
    At,
    /// What is read from `at` in the policy's timezone ([`crate::facts::AtPart`]).
    AtPart(crate::facts::AtPart),
    /// A declared fact (`facts.NAME`) read as its declared type.
    Declared {
        /// The name after `facts.`.
        name: String,
        /// The declared type.
        ty: Type,
        /// The value when absent.
        default: Val,
    },
    /// Any other path: an undeclared `facts.NAME`, read untyped.
    Generic {
        /// The path.
        path: String,
        /// The value when absent.
        default: Val,
    },
    /// The first present of these slots.
    FirstOf(Vec<u16>),
    /// Whether a text holds one of these (case-folded) texts
    /// ([`crate::semantics::text_contains`]); absent when the text is not given.
    Contains {
        /// The text.
        of: TextOf,
        /// What it is looked for in, folded.
        folded: Vec<String>,
    },
    /// A slot's date shifted by lengths of time.
    Shifted(u16, Vec<(bool, Duration)>),
    /// A slot's date less the days from the second slot's date to the third's
    /// (none when the second is absent or not before the third): `Term::Reduced`.
    Reduced([u16; 3]),
}

/// The text a [`SlotDef::Contains`] reads.
#[derive(Debug, Clone)]
pub enum TextOf {
    /// A built-in text (`account.handle`): read as the row is filled.
    Field(Field),
    /// A declared text (`facts.NAME`): read with the derived slots.
    Declared(String),
}

/// Whether a text holds one of `folded`: absent when not given, failed when not a text.
fn contains_val(text: Option<Result<&str, ()>>, folded: &[String]) -> Val {
    match text {
        None => Val::Absent,
        Some(Ok(t)) => Val::Bool(crate::semantics::text_contains(t, folded)),
        Some(Err(())) => Val::Failed,
    }
}

/// The facts of one action, as the compiled policy reads them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FactRow {
    pub(super) vals: Vec<Val>,
    pub(super) bucket: u32,
    /// The interned ids of who gave the approvals on file that count for this action.
    pub(super) granted: Vec<u32>,
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

    /// Refills this row for another action (an [`Action`], or a line read
    /// in place), reusing its memory.
    pub fn fill<A: ActionFacts + ?Sized>(&mut self, action: &A, c: &Compiled, now: jiff::Timestamp) {
        self.vals.clear();
        self.vals.extend(c.slots.iter().map(|def| match def {
            SlotDef::Builtin { field, default } => match action.field(*field) {
                Raw::None => *default,
                raw => c.raw_val(raw),
            },
            SlotDef::Contains { of: TextOf::Field(f), folded } => {
                let text = match action.field(*f) {
                    Raw::None => None,
                    Raw::Text(s) | Raw::Sym(s) => Some(Ok(s)),
                    _ => Some(Err(())),
                };
                contains_val(text, folded)
            }
            _ => Val::Absent,
        }));
        let sym = |f: Field| match action.field(f) {
            Raw::Sym(s) => Some(s),
            _ => None,
        };
        let id = |f: Field| sym(f).map(|s| c.strings.id(s));
        self.place(c, id(Field::Action), id(Field::Channel));
        self.granted.clear();
        let list = action.approvals();
        if list.is_empty() {
            // A line read in place: its one plain approval, if any.
            let plain = OnFile { granted_by: sym(Field::ApprovalGrantedBy), ..OnFile::default() };
            c.count_approval(plain, action.at(), now, sym(Field::Channel), &mut self.granted);
        }
        for a in list {
            c.count_approval(a.on_file(), action.at(), now, sym(Field::Channel), &mut self.granted);
        }
        self.derive(c, now, action.at(), |name| action.declared(name), |key| action.counter(key));
    }

    /// Reads a JSON line in place straight into this row: each built-in
    /// field into its slot as it is read, then the derived slots. `false`
    /// when the line is not the plain case the in-place reader takes
    /// ([`crate::data::flat::read_json_into`]); then parse it in full and
    /// [`FactRow::fill`] the row. The row is the one `fill` gives for the
    /// parsed action (`tests/compile.rs` checks it). `reader` keeps the
    /// layout of the lines it reads (one reader per stream of lines).
    pub fn read_json(&mut self, line: &str, reader: &mut LineReader<'_>, c: &Compiled, now: jiff::Timestamp) -> bool {
        if c.reads_text {
            return false;
        }
        let mut sink = RowSink {
            vals: &mut self.vals,
            c,
            at: None,
            facts: Facts::default(),
            action: None,
            channel: None,
            granted: None,
            channel_name: None,
        };
        sink.clear();
        if !reader.read(line, &mut sink) {
            return false;
        }
        let RowSink { at, facts, action, channel, granted, channel_name, .. } = sink;
        self.place(c, action, channel);
        self.granted.clear();
        let plain = OnFile { granted_by: granted, ..OnFile::default() };
        c.count_approval(plain, at, now, channel_name, &mut self.granted);
        // A line naming `history.counts` is not one the in-place reader takes.
        self.derive(c, now, at, |name| facts.get(name), |_| None);
        true
    }

    /// Computes the slots that are not built-in fields, in order (each reads
    /// only slots before it): those that deciding a row of its bucket can
    /// read (the others stay absent; the bucket is placed first).
    fn derive<'a>(
        &mut self,
        c: &Compiled,
        now: jiff::Timestamp,
        at: Option<At>,
        declared: impl Fn(&str) -> Option<FactRef<'a>>,
        counted: impl Fn(&str) -> Option<u32>,
    ) {
        for &i in c.derive_list(self.bucket) {
            let i = usize::from(i);
            let Some(def) = c.slots.get(i) else { continue };
            let v = match def {
                SlotDef::Builtin { .. } | SlotDef::Contains { of: TextOf::Field(_), .. } => continue,
                SlotDef::Contains { of: TextOf::Declared(name), folded } => {
                    let text = declared(name).map(|v| match v {
                        FactRef::Text(t) => Ok(t),
                        _ => Err(()),
                    });
                    contains_val(text, folded)
                }
                SlotDef::At => match at {
                    Some(At::Date(d)) => Val::Date(d),
                    Some(At::Timestamp(t)) => Val::Ts(t, c.date_of(t)),
                    None => Val::Ts(now, c.date_of(now)),
                },
                SlotDef::AtPart(part) => {
                    let (date, minutes) = match at {
                        Some(At::Date(d)) => (d, None),
                        Some(At::Timestamp(t)) => crate::facts::local_of(t, &c.tz),
                        None => crate::facts::local_of(now, &c.tz),
                    };
                    match part {
                        crate::facts::AtPart::Weekday => {
                            Val::Str { id: c.strings.id(crate::value::weekday_name(date.weekday())), text: false }
                        }
                        crate::facts::AtPart::TimeOfDay => minutes.map_or(Val::Absent, Val::Time),
                    }
                }
                SlotDef::Declared { name, ty, default } => match (declared(name), ty) {
                    (Some(FactRef::Bool(b)), Type::Bool) => Val::Bool(b),
                    (Some(FactRef::Int(i)), Type::Int) => Val::Int(i),
                    (v, _) => v.and_then(|v| v.typed(ty)).map_or(*default, |v| c.value_val(&v)),
                },
                // A path that is neither built in nor declared: an undeclared
                // `facts.NAME` read untyped, a counter of `history.counts`,
                // anything else absent.
                SlotDef::Generic { path, default } => match path.strip_prefix("facts.") {
                    Some(name) => declared(name).map_or(*default, |v| c.value_val(&v.to_value())),
                    None => match path.strip_prefix(crate::counter::COUNTS_PREFIX) {
                        Some(key) => counted(key).map_or(*default, |n| Val::Int(i64::from(n))),
                        None => *default,
                    },
                },
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
                SlotDef::Reduced([base, from, to]) => {
                    let date = |s: &u16| match self.vals.get(usize::from(*s)) {
                        Some(Val::Date(d)) | Some(Val::Ts(_, d)) => Some(*d),
                        _ => None,
                    };
                    match self.vals.get(usize::from(*base)).copied() {
                        None | Some(Val::Absent) => Val::Absent,
                        Some(Val::Date(d)) | Some(Val::Ts(_, d)) => {
                            match crate::policy::Term::reduced_days(date(from), date(to)) {
                                Some(n) => d.checked_sub(jiff::Span::new().days(n)).ok().map_or(Val::Failed, Val::Date),
                                _ => Val::Date(d),
                            }
                        }
                        Some(_) => Val::Failed,
                    }
                }
            };
            if let Some(slot) = self.vals.get_mut(i) {
                *slot = v;
            }
        }
    }

    /// The row's bucket (action and channel), from their interned ids.
    fn place(&mut self, c: &Compiled, action: Option<u32>, channel: Option<u32>) {
        let action_class = match action {
            Some(a) => c.action_class(a),
            None => c.action_ids.len(),
        };
        let chan_class = match channel {
            _ if !c.by_channel => 0,
            Some(id) => c.chan_ids.iter().position(|x| *x == id).unwrap_or(c.chan_ids.len()),
            None => c.chan_ids.len() + 1,
        };
        self.bucket = u32::try_from(action_class * c.chan_classes() + chan_class).unwrap_or(0);
    }

    /// The value of a slot.
    pub(super) fn get(&self, slot: u16) -> Val {
        *self.val(slot)
    }

    /// The value of a slot, by reference (a slot past the row's is not given).
    pub(super) fn val(&self, slot: u16) -> &Val {
        static ABSENT: Val = Val::Absent;
        self.vals.get(usize::from(slot)).unwrap_or(&ABSENT)
    }
}

/// The compiled form's [`Sink`]: each built-in field straight into its slot
/// (fields the policy does not read are checked by the reader and dropped);
/// `at`, the declared facts and the bucket's names kept for afterwards.
struct RowSink<'r, 'a> {
    vals: &'r mut Vec<Val>,
    c: &'r Compiled,
    at: Option<At>,
    facts: Facts<'a>,
    /// The interned ids of `action` and `channel`, who gave the approval on file, and the channel's name.
    action: Option<u32>,
    channel: Option<u32>,
    granted: Option<&'a str>,
    channel_name: Option<&'a str>,
}

impl RowSink<'_, '_> {
    #[inline(always)]
    fn put(&mut self, f: Field, v: impl FnOnce(&Compiled) -> Val) {
        let slot = self.c.field_slot.get(f as usize).copied().unwrap_or(u16::MAX);
        if let Some(to) = self.vals.get_mut(usize::from(slot)) {
            *to = v(self.c);
        }
    }
}

impl<'a> Sink<'a> for RowSink<'_, 'a> {
    #[inline(always)]
    fn field(&mut self, f: Field, raw: Raw<'a>) {
        if let (Field::Action | Field::Channel | Field::ApprovalGrantedBy, Raw::Sym(s)) = (f, raw) {
            // Needed for the bucket whether or not a clause reads it: interned once.
            let id = self.c.strings.id(s);
            match f {
                Field::Action => self.action = Some(id),
                Field::Channel => (self.channel, self.channel_name) = (Some(id), Some(s)),
                _ => self.granted = Some(s),
            }
            return self.put(f, |_| Val::Str { id, text: false });
        }
        self.put(f, |c| c.raw_val(raw));
    }
    #[inline]
    fn names(&mut self, f: Field, names: &[&'a str]) {
        self.put(f, |c| c.list_bits(names.iter().copied()));
    }
    fn at(&mut self, at: At) {
        self.at = Some(at);
    }
    fn fact(&mut self, name: &'a str, value: FactRef<'a>) {
        self.facts.push(name, value);
    }
    fn clear(&mut self) {
        self.vals.clear();
        self.vals.extend_from_slice(&self.c.blank);
        (self.at, self.facts, self.action, self.channel, self.granted, self.channel_name) =
            (None, Facts::default(), None, None, None, None);
    }
}

impl Compiled {
    /// The derived slots to compute for a row of this bucket.
    fn derive_list(&self, bucket: u32) -> &[u16] {
        self.buckets.get(bucket as usize).map_or(&self.derived, |b| &b.derive)
    }

    pub(super) fn date_of(&self, t: jiff::Timestamp) -> Date {
        self.tz.to_offset(t).to_datetime(t).date()
    }

    /// The action's day in the policy's timezone (`now`'s when it gives no `at`).
    fn day_of(&self, at: Option<At>, now: jiff::Timestamp) -> Date {
        match at {
            Some(At::Date(d)) => d,
            Some(At::Timestamp(t)) => self.date_of(t),
            None => self.date_of(now),
        }
    }

    /// Adds who gave an approval on file to `granted` if it counts for this
    /// action on its day (the semantics' one rule,
    /// [`crate::semantics::approval_counts`]). The day is worked out only
    /// when there is an approval: most actions carry none.
    fn count_approval(
        &self,
        a: OnFile<'_>,
        at: Option<At>,
        now: jiff::Timestamp,
        channel: Option<&str>,
        granted: &mut Vec<u32>,
    ) {
        let Some(by) = a.granted_by else { return };
        if crate::semantics::approval_counts(a, self.day_of(at, now), channel).is_ok() {
            granted.push(self.strings.id(by));
        }
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

    #[inline(always)]
    fn raw_val(&self, raw: Raw<'_>) -> Val {
        match raw {
            Raw::None => Val::Absent,
            Raw::Bool(b) => Val::Bool(b),
            Raw::Int(i) => Val::Int(i),
            Raw::Date(d) => Val::Date(d),
            Raw::Sym(s) => Val::Str { id: self.strings.id(s), text: false },
            Raw::Text(s) => Val::Str { id: self.strings.id(s), text: true },
            Raw::List(items) => self.list_bits(items.iter()),
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
            Value::TimeOfDay(m) => Val::Time(*m),
            Value::Duration(d) => Val::Dur(*d),
            Value::Text(s) => Val::Str { id: self.strings.id(s), text: true },
            Value::Symbol(s) => Val::Str { id: self.strings.id(s), text: false },
            Value::List(items) => self.list_bits(items.iter().map(String::as_str)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The id by definition: the position among the sorted strings.
    fn by_search(strings: &[String], s: &str) -> u32 {
        let mut sorted = strings.to_vec();
        sorted.sort();
        sorted.dedup();
        match sorted.binary_search_by(|k| k.as_str().cmp(s)) {
            Ok(i) => 2 * i as u32 + 2,
            Err(i) => 2 * i as u32 + 1,
        }
    }

    /// A `contains` slot reads a text not given as absent (so that the
    /// clause waits for the fact, as every other absent fact does), and a
    /// given one as whether it holds the text (mutation survivor: the
    /// not-given arm deleted read it as a value of the wrong type).
    #[test]
    fn a_text_not_given_is_absent_in_its_contains_slot() {
        let text = "policy \"Handles\"\n  default allow\nroles consultant\n\
                    rule branded { when account.handle contains \"Brightwater\" then deny }\n";
        let file = crate::source::SourceFile::new("handles.policy", text);
        let ast = crate::parser::parse(&file).unwrap_or_else(|e| panic!("{e:?}"));
        let c = crate::compile::compile(&crate::lower::lower(&file, &ast));
        let slot = c.slots.iter().position(|d| matches!(d, SlotDef::Contains { .. }));
        let slot = slot.unwrap_or_else(|| panic!("a contains slot: {:?}", c.slots));
        let now: jiff::Timestamp = "2026-03-16T09:00:00Z".parse().unwrap_or_else(|e| panic!("{e}"));
        let row = |line: &str| {
            let a = crate::data::action::parse_action_json_line(line).unwrap_or_else(|e| panic!("{e:?}"));
            FactRow::from_action_at(&a, &c, now)
        };
        let base = r#""action":"post","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"twitter""#;
        assert_eq!(row(&format!("{{{base}}}")).vals.get(slot), Some(&Val::Absent));
        let given = row(&format!(r#"{{{base},"account":{{"kind":"personal","handle":"@BrightwaterJobs"}}}}"#));
        assert_eq!(given.vals.get(slot), Some(&Val::Bool(true)));
        let other = row(&format!(r#"{{{base},"account":{{"kind":"personal","handle":"@jo_recruits"}}}}"#));
        assert_eq!(other.vals.get(slot), Some(&Val::Bool(false)));
    }

    /// Names of 4 to 16 bytes that share all but their last bytes (team and
    /// desk names): each keeps its own id, known or not.
    #[test]
    fn names_that_differ_only_at_the_end_keep_their_own_ids() {
        let known: Vec<String> = ["sales_1", "sales_2", "ops_a", "ops_b", "north_desk_01", "north_desk_02"]
            .into_iter()
            .map(String::from)
            .collect();
        let interner = Interner::new(known.clone());
        for s in known.iter().map(String::as_str).chain(["sales_3", "ops_c", "north_desk_03"]) {
            assert_eq!(interner.id(s), by_search(&known, s), "{s}");
        }
    }

    /// Every name in the hashed tables (the policy's names, and the names
    /// `expect` adds) is found there, short ones in the short table, without
    /// falling through to the binary search: the fast path is taken, not only
    /// its answer right (which the search would give anyway).
    #[test]
    fn known_and_expected_names_are_found_without_the_search() {
        // Every length from 0 to 20 bytes: the short table's four key shapes, and the map past 16.
        let known: Vec<String> = (0..=20).map(|n| "k".repeat(n)).chain(["actor.team".to_string()]).collect();
        let expected: Vec<String> = (1..=20).map(|n| "e".repeat(n)).collect();
        let mut interner = Interner::new(known.clone());
        interner.expect(expected.iter().map(String::as_str));
        for s in known.iter().chain(&expected) {
            assert_eq!(interner.hashed(s), Some(by_search(&known, s)), "{s:?} ({} bytes)", s.len());
            if s.len() <= 16 {
                let key = Short::words(s.as_bytes());
                assert!(key.is_some(), "{s:?}: {} bytes has a short key", s.len());
                assert_eq!(
                    key.and_then(|k| interner.short.get(k)),
                    Some(by_search(&known, s)),
                    "{s:?} in the short table"
                );
            }
        }
        // A name in neither table is not found there (the search gives its odd id).
        for s in ["kk_", "e_", "zzzzzzzzzzzzzzzzzzzzzz"] {
            assert_eq!(interner.hashed(s), None, "{s:?}");
            assert_eq!(interner.id(s) % 2, 1, "{s:?}");
        }
    }

    /// The short table spreads its names: their first probes fall on many
    /// entries, not one run every look-up walks (found either way, slowly).
    #[test]
    fn the_short_table_spreads_its_names() {
        let known: Vec<String> = (0..24).map(|i| format!("team_{i}")).collect();
        let interner = Interner::new(known.clone());
        let mut first: Vec<usize> =
            known.iter().filter_map(|s| Short::words(s.as_bytes())).map(|k| interner.short.slot(k)).collect();
        first.sort_unstable();
        first.dedup();
        assert!(first.len() >= known.len() / 2, "{} first probes for {} names", first.len(), known.len());
    }

    proptest::proptest! {
        /// The hashed look-ups (the short table, the map) give the ids the
        /// order of the strings gives, for known and unknown strings of every
        /// length around the table's limits (NUL bytes included).
        #[test]
        fn ids_are_the_sorted_positions(
            known in proptest::collection::vec("[a\\x00-c_]{0,20}", 0..40),
            expected in proptest::collection::vec("[a\\x00-c_]{0,20}", 0..10),
            probes in proptest::collection::vec("[a\\x00-c_]{0,20}", 0..60),
        ) {
            let mut interner = Interner::new(known.clone());
            interner.expect(expected.iter().map(String::as_str));
            for s in known.iter().chain(&expected).chain(&probes) {
                proptest::prop_assert_eq!(interner.id(s), by_search(&known, s), "{:?}", s);
            }
        }
    }
}
