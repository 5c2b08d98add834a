//! An action's facts by position, borrowed: what the compiled policy reads
//! ([`crate::compile::FactRow`]) from either an [`Action`] ([`ActionFacts`])
//! or, in batch, straight from a JSON line without building an `Action`:
//! [`read_json_into`] hands each value, checked, to a [`Sink`] as it reads it
//! (a [`FlatAction`], or the fact row itself: `FactRow::read_json`).
//!
//! Reading a line this way takes only the common, plainly written case: no
//! escape or control character anywhere, no `null`, no duplicate key, at most
//! [`MAX_NAMES`] content kinds or `done` names and [`MAX_FACTS`] declared
//! facts, and every open value declared by the policy ([`Vocabulary`]).
//! Anything else is refused, and the caller parses the line in full with
//! [`super::action::parse_action_json_line`], which either reads it or names
//! the field in error. So a line read here is exactly one the full parser
//! accepts, with the same facts (`tests` below check both directions).
//!
//! A batch reads its lines with a [`LineReader`], which notes the layout of
//! each line it reads key by key (its keys, and the text between its values)
//! and reads a later line laid out the same way by matching that text
//! instead of looking up its keys: the same values are read and checked,
//! with less work around them.

use super::action::{
    AccountKind, Action, At, Device, FactValue, MaterialKind, Origin, Party, Purpose, Relationship, Status,
};
use super::{parse_at, parse_date, parse_jurisdiction};
use crate::value::{Type, Value};
use jiff::civil::Date;
use std::collections::BTreeMap;

/// How many content kinds (or conduct judgements, or `done` names) a line read in place may list.
pub const MAX_NAMES: usize = 8;
/// How many declared facts a line read in place may give.
pub const MAX_FACTS: usize = 8;

macro_rules! fields {
    ($( $(#[$meta:meta])* $variant:ident = $path:literal, $label:literal ;)+) => {
        /// A built-in fact path of an action (every one but `at` and `facts.NAME`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Field {
            $( $(#[$meta])* $variant ),+
        }

        impl Field {
            /// Every field, sections first, then each section's fields together.
            pub const ALL: &'static [Field] = &[$(Field::$variant),+];

            /// The dotted path policies use.
            pub fn path(self) -> &'static str {
                const PATHS: &[&str] = &[$($path),+];
                PATHS.get(self as usize).copied().unwrap_or("")
            }

            /// The fact in plain words, as explanations name it (`history.posts_today`: "posts today").
            pub fn label(self) -> &'static str {
                const LABELS: &[&str] = &[$($label),+];
                LABELS.get(self as usize).copied().unwrap_or("")
            }

            /// The field of a dotted path, if it is a built-in one.
            pub fn of_path(path: &str) -> Option<Field> {
                match path {
                    $($path => Some(Field::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

fields! {
    /// `action`.
    Action = "action", "kind of action";
    /// `channel`.
    Channel = "channel", "channel";
    /// `done`.
    Done = "done", "duties recorded as done";
    /// `device`.
    Device = "device", "device used";
    /// The actor part (always there).
    Actor = "actor", "actor";
    /// The account part.
    Account = "account", "account";
    /// The content part.
    Content = "content", "content";
    /// The target part.
    Target = "target", "person approached";
    /// The contacts part.
    Contacts = "contacts", "contacts";
    /// The history part.
    History = "history", "posting history";
    /// The approval part.
    Approval = "approval", "approval on file";
    /// The request part.
    Request = "request", "request";
    /// The material part (content or intellectual property).
    Material = "material", "content or intellectual property";
    /// `actor.id`.
    ActorId = "actor.id", "who acts";
    /// `actor.role`.
    ActorRole = "actor.role", "role";
    /// `actor.team`.
    ActorTeam = "actor.team", "team";
    /// `actor.status`.
    ActorStatus = "actor.status", "employment status";
    /// `actor.employed_since`.
    ActorEmployedSince = "actor.employed_since", "start of employment";
    /// `actor.departed_on`.
    ActorDepartedOn = "actor.departed_on", "date of departure";
    /// `actor.jurisdiction`.
    ActorJurisdiction = "actor.jurisdiction", "jurisdiction";
    /// `actor.governing_law`.
    ActorGoverningLaw = "actor.governing_law", "governing law";
    /// `actor.supervisor`.
    ActorSupervisor = "actor.supervisor", "is a supervisor";
    /// `actor.garden_leave_from`.
    ActorGardenLeaveFrom = "actor.garden_leave_from", "start of garden leave";
    /// `actor.acknowledged_policy`.
    ActorAcknowledgedPolicy = "actor.acknowledged_policy", "has acknowledged the policy";
    /// `actor.non_compete_compensation_percent`.
    ActorNonCompeteCompensationPercent = "actor.non_compete_compensation_percent", "non-compete compensation (% of last pay)";
    /// `actor.non_compete_in_writing`.
    ActorNonCompeteInWriting = "actor.non_compete_in_writing", "non-compete agreed in writing";
    /// `actor.contract_signed_on`.
    ActorContractSignedOn = "actor.contract_signed_on", "date the contract was signed";
    /// `actor.contract_varied_on`.
    ActorContractVariedOn = "actor.contract_varied_on", "date the contract was varied to take a later version";
    /// `account.kind`.
    AccountKind = "account.kind", "kind of account";
    /// `account.handle`.
    AccountHandle = "account.handle", "account handle";
    /// `account.display_name`.
    AccountDisplayName = "account.display_name", "account display name";
    /// `account.handle_at_departure`.
    AccountHandleAtDeparture = "account.handle_at_departure", "account handle at departure";
    /// `account.display_name_at_departure`.
    AccountDisplayNameAtDeparture = "account.display_name_at_departure", "account display name at departure";
    /// `account.created_by`.
    AccountCreatedBy = "account.created_by", "who created the account";
    /// `account.created_on`.
    AccountCreatedOn = "account.created_on", "date the account was created";
    /// `account.purpose`.
    AccountPurpose = "account.purpose", "purpose of the account";
    /// `account.run_as_duty`.
    AccountRunAsDuty = "account.run_as_duty", "account is run as a duty";
    /// `account.agency_equipment`.
    AccountAgencyEquipment = "account.agency_equipment", "account is run on agency equipment";
    /// `account.brand_in_handle`.
    AccountBrandInHandle = "account.brand_in_handle", "agency brand is in the handle";
    /// `account.transferred_in_writing`.
    AccountTransferredInWriting = "account.transferred_in_writing", "account was transferred in writing";
    /// `account.paid_by`.
    AccountPaidBy = "account.paid_by", "who pays for the account";
    /// `content.kind`.
    ContentKind = "content.kind", "kind of content";
    /// `content.conduct`.
    ContentConduct = "content.conduct", "conduct judged";
    /// `content.text`.
    ContentText = "content.text", "text of the post";
    /// `content.names_client`.
    ContentNamesClient = "content.names_client", "names a client";
    /// `content.candidate_personal_data`.
    ContentCandidatePersonalData = "content.candidate_personal_data", "contains a candidate's personal data";
    /// `content.confidential`.
    ContentConfidential = "content.confidential", "is confidential";
    /// `content.discloses_employer`.
    ContentDisclosesEmployer = "content.discloses_employer", "discloses the employer";
    /// `content.own_views_disclaimer`.
    ContentOwnViewsDisclaimer = "content.own_views_disclaimer", "says the views are the author's own";
    /// `content.privacy_notice`.
    ContentPrivacyNotice = "content.privacy_notice", "links the privacy notice";
    /// `content.opt_out`.
    ContentOptOut = "content.opt_out", "offers an opt-out";
    /// `content.public`.
    ContentPublic = "content.public", "is public";
    /// `target.relationship`.
    TargetRelationship = "target.relationship", "relationship to the agency";
    /// `target.met_in_person`.
    TargetMetInPerson = "target.met_in_person", "met in person";
    /// `target.interacted`.
    TargetInteracted = "target.interacted", "has interacted";
    /// `target.origin`.
    TargetOrigin = "target.origin", "where the contact came from";
    /// `target.last_dealt_with`.
    TargetLastDealtWith = "target.last_dealt_with", "date last dealt with";
    /// `target.connected_on`.
    TargetConnectedOn = "target.connected_on", "date connected";
    /// `target.distance_miles`.
    TargetDistanceMiles = "target.distance_miles", "distance in miles";
    /// `target.in_agency_database`.
    TargetInAgencyDatabase = "target.in_agency_database", "is in the agency's database";
    /// `contacts.count`.
    ContactsCount = "contacts.count", "number of contacts";
    /// `contacts.origin`.
    ContactsOrigin = "contacts.origin", "where the contacts came from";
    /// `history.posts_today`.
    HistoryPostsToday = "history.posts_today", "posts today";
    /// `history.posts_this_week`.
    HistoryPostsThisWeek = "history.posts_this_week", "posts this week";
    /// `history.job_ads_this_week`.
    HistoryJobAdsThisWeek = "history.job_ads_this_week", "job ads this week";
    /// `history.invitations_this_week`.
    HistoryInvitationsThisWeek = "history.invitations_this_week", "invitations this week";
    /// `history.posts_last_24h`.
    HistoryPostsLast24h = "history.posts_last_24h", "posts in the last 24 hours";
    /// `approval.granted_by`.
    ApprovalGrantedBy = "approval.granted_by", "approval given by";
    /// `request.made_on`.
    RequestMadeOn = "request.made_on", "date of the request";
    /// `material.kind`.
    MaterialKind = "material.kind", "kind of material";
    /// `material.made_on`.
    MaterialMadeOn = "material.made_on", "date the material was made";
    /// `material.made_for`.
    MaterialMadeFor = "material.made_for", "whom the material was made for";
    /// `material.created_by`.
    MaterialCreatedBy = "material.created_by", "who made the material";
    /// `material.agency_equipment`.
    MaterialAgencyEquipment = "material.agency_equipment", "material was made on agency equipment";
}

/// How many fields there are.
pub const FIELDS: usize = Field::ALL.len();

// One bit per field in a `u128`, bit 126 for `at` and bit 127 for `facts`.
const _: () = assert!(FIELDS < 126);

/// How a field's value is written.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// A part: an object of fields.
    Part,
    Bool,
    /// A whole number that fits in 32 bits, not negative.
    Count,
    Date,
    /// Free text.
    Text,
    Jurisdiction,
    /// A name of a closed set: the set's name, and whether a name is in it.
    Closed(&'static str, fn(&str) -> bool),
    /// A name of an open set the policy declares.
    Open(Open),
    /// One name or a list of names (of an open set, or any for `done`).
    Names(Option<Open>),
}

/// The open sets a policy declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    Action,
    /// Closed in fact: the built-in conduct judgements ([`super::action::Conduct`]).
    Conduct,
    Role,
    Team,
    Channel,
    Kind,
}

impl Open {
    /// The set's name in types and messages.
    fn set(self) -> &'static str {
        match self {
            Open::Action => "action",
            Open::Conduct => "conduct",
            Open::Role => "role",
            Open::Team => "team",
            Open::Channel => "channel",
            Open::Kind => "content kind",
        }
    }
}

impl Field {
    /// What an action that does not give this field says ([`crate::facts`]).
    pub fn absent(self) -> crate::facts::Absent {
        use crate::facts::Absent;
        // Absence has a meaning only where the record it stands for is the caller's to
        // keep: no duty recorded as done, no approval on file, no acknowledgement of the
        // policy on file. Every other fact left out is not given: a clause that reads it
        // and could make the verdict stricter holds the verdict back (never a silent allow
        // because a posting tool did not send `confidential`). A fact the law reads to free
        // an employee (`actor.non_compete_in_writing`) is never guessed either.
        match self {
            Field::Done => Absent::Empty,
            Field::ApprovalGrantedBy => Absent::NoneGiven,
            Field::ActorAcknowledgedPolicy => Absent::False,
            _ => Absent::NotGiven,
        }
    }

    /// The type policies see it as (`None` for a part: present or not).
    /// Enum sets are named as in [`crate::schema::VALUE_SETS`].
    pub fn ty(self) -> Option<Type> {
        Some(match self.shape() {
            Shape::Part => return None,
            Shape::Bool => Type::Bool,
            Shape::Count => Type::Int,
            Shape::Date => Type::Date,
            Shape::Text => Type::Text,
            Shape::Jurisdiction => Type::Enum("jurisdiction".into()),
            Shape::Closed(set, _) => Type::Enum(set.into()),
            Shape::Open(open) => Type::Enum(open.set().into()),
            Shape::Names(Some(open)) => Type::EnumList(open.set().into()),
            Shape::Names(None) => Type::EnumList("duty".into()),
        })
    }

    fn shape(self) -> Shape {
        use Field as F;
        match self {
            F::Action => Shape::Open(Open::Action),
            F::Channel => Shape::Open(Open::Channel),
            F::Done => Shape::Names(None),
            F::Device => Shape::Closed(Device::SET, |s| Device::from_name(s).is_some()),
            F::Actor
            | F::Account
            | F::Content
            | F::Target
            | F::Contacts
            | F::History
            | F::Approval
            | F::Request
            | F::Material => Shape::Part,
            F::ActorId
            | F::AccountHandle
            | F::AccountDisplayName
            | F::AccountHandleAtDeparture
            | F::AccountDisplayNameAtDeparture
            | F::ContentText => Shape::Text,
            F::ActorRole | F::ApprovalGrantedBy => Shape::Open(Open::Role),
            F::ActorTeam => Shape::Open(Open::Team),
            F::ActorStatus => Shape::Closed(Status::SET, |s| Status::from_name(s).is_some()),
            F::ActorEmployedSince
            | F::ActorDepartedOn
            | F::ActorGardenLeaveFrom
            | F::ActorContractSignedOn
            | F::ActorContractVariedOn
            | F::AccountCreatedOn
            | F::TargetLastDealtWith
            | F::TargetConnectedOn
            | F::RequestMadeOn
            | F::MaterialMadeOn => Shape::Date,
            F::ActorJurisdiction | F::ActorGoverningLaw => Shape::Jurisdiction,
            F::ActorSupervisor
            | F::ActorAcknowledgedPolicy
            | F::ActorNonCompeteInWriting
            | F::AccountRunAsDuty
            | F::AccountAgencyEquipment
            | F::AccountBrandInHandle
            | F::AccountTransferredInWriting
            | F::ContentNamesClient
            | F::ContentCandidatePersonalData
            | F::ContentConfidential
            | F::ContentDisclosesEmployer
            | F::ContentOwnViewsDisclaimer
            | F::ContentPrivacyNotice
            | F::ContentOptOut
            | F::ContentPublic
            | F::TargetMetInPerson
            | F::TargetInteracted
            | F::TargetInAgencyDatabase
            | F::MaterialAgencyEquipment => Shape::Bool,
            F::AccountKind => Shape::Closed(AccountKind::SET, |s| AccountKind::from_name(s).is_some()),
            F::AccountCreatedBy | F::AccountPaidBy | F::MaterialMadeFor | F::MaterialCreatedBy => {
                Shape::Closed(Party::SET, |s| Party::from_name(s).is_some())
            }
            F::MaterialKind => Shape::Closed(MaterialKind::SET, |s| MaterialKind::from_name(s).is_some()),
            F::AccountPurpose => Shape::Closed(Purpose::SET, |s| Purpose::from_name(s).is_some()),
            F::ContentKind => Shape::Names(Some(Open::Kind)),
            F::ContentConduct => Shape::Names(Some(Open::Conduct)),
            F::TargetRelationship => Shape::Closed(Relationship::SET, |s| Relationship::from_name(s).is_some()),
            F::TargetOrigin | F::ContactsOrigin => Shape::Closed(Origin::SET, |s| Origin::from_name(s).is_some()),
            F::TargetDistanceMiles
            | F::ActorNonCompeteCompensationPercent
            | F::ContactsCount
            | F::HistoryPostsToday
            | F::HistoryPostsThisWeek
            | F::HistoryJobAdsThisWeek
            | F::HistoryInvitationsThisWeek
            | F::HistoryPostsLast24h => Shape::Count,
        }
    }

    /// The field as an [`Action`] carries it.
    pub fn of_action(self, a: &Action) -> Raw<'_> {
        use Field as F;
        let acc = a.account.as_ref();
        let con = a.content.as_ref();
        let tar = a.target.as_ref();
        let his = a.history.as_ref();
        match self {
            F::Action => Raw::Sym(a.action.as_str()),
            F::Channel => a.channel.as_deref().map_or(Raw::None, Raw::Sym),
            F::Done => a.done.as_deref().map_or(Raw::None, |d| Raw::List(Names::Strings(d))),
            F::Device => sym(a.device.map(Device::as_str)),
            F::Actor => Raw::Bool(true),
            F::Account => part(acc.is_some()),
            F::Content => part(con.is_some()),
            F::Target => part(tar.is_some()),
            F::Contacts => part(a.contacts.is_some()),
            F::History => part(his.is_some()),
            F::Approval => part(a.approval.is_some()),
            F::Request => part(a.request.is_some()),
            F::Material => part(a.material.is_some()),
            F::ActorId => Raw::Text(&a.actor.id),
            F::ActorRole => Raw::Sym(&a.actor.role),
            F::ActorTeam => a.actor.team.as_deref().map_or(Raw::None, Raw::Sym),
            F::ActorStatus => Raw::Sym(a.actor.status.as_str()),
            F::ActorEmployedSince => date(a.actor.employed_since),
            F::ActorDepartedOn => date(a.actor.departed_on),
            F::ActorJurisdiction => a.actor.jurisdiction.as_deref().map_or(Raw::None, Raw::Sym),
            F::ActorGoverningLaw => a.actor.governing_law.as_deref().map_or(Raw::None, Raw::Sym),
            F::ActorSupervisor => flag(a.actor.supervisor),
            F::ActorGardenLeaveFrom => date(a.actor.garden_leave_from),
            F::ActorAcknowledgedPolicy => flag(a.actor.acknowledged_policy),
            F::ActorNonCompeteCompensationPercent => count(a.actor.non_compete_compensation_percent),
            F::ActorNonCompeteInWriting => flag(a.actor.non_compete_in_writing),
            F::ActorContractSignedOn => date(a.actor.contract_signed_on),
            F::ActorContractVariedOn => date(a.actor.contract_varied_on),
            F::AccountKind => sym(acc.and_then(|x| x.kind).map(AccountKind::as_str)),
            F::AccountHandle => acc.and_then(|x| x.handle.as_deref()).map_or(Raw::None, Raw::Text),
            F::AccountDisplayName => acc.and_then(|x| x.display_name.as_deref()).map_or(Raw::None, Raw::Text),
            F::AccountHandleAtDeparture => {
                acc.and_then(|x| x.handle_at_departure.as_deref()).map_or(Raw::None, Raw::Text)
            }
            F::AccountDisplayNameAtDeparture => {
                acc.and_then(|x| x.display_name_at_departure.as_deref()).map_or(Raw::None, Raw::Text)
            }
            F::AccountCreatedBy => sym(acc.and_then(|x| x.created_by).map(Party::as_str)),
            F::AccountCreatedOn => date(acc.and_then(|x| x.created_on)),
            F::AccountPurpose => sym(acc.and_then(|x| x.purpose).map(Purpose::as_str)),
            F::AccountRunAsDuty => flag(acc.and_then(|x| x.run_as_duty)),
            F::AccountAgencyEquipment => flag(acc.and_then(|x| x.agency_equipment)),
            F::AccountBrandInHandle => flag(acc.and_then(|x| x.brand_in_handle)),
            F::AccountTransferredInWriting => flag(acc.and_then(|x| x.transferred_in_writing)),
            F::AccountPaidBy => sym(acc.and_then(|x| x.paid_by).map(Party::as_str)),
            F::ContentKind => con.and_then(|c| c.kind.as_deref()).map_or(Raw::None, |k| Raw::List(Names::Strings(k))),
            F::ContentConduct => {
                con.and_then(|c| c.conduct.as_deref()).map_or(Raw::None, |k| Raw::List(Names::Strings(k)))
            }
            F::ContentText => con.and_then(|c| c.text.as_deref()).map_or(Raw::None, Raw::Text),
            F::ContentNamesClient => flag(con.and_then(|c| c.names_client)),
            F::ContentCandidatePersonalData => flag(con.and_then(|c| c.candidate_personal_data)),
            F::ContentConfidential => flag(con.and_then(|c| c.confidential)),
            F::ContentDisclosesEmployer => flag(con.and_then(|c| c.discloses_employer)),
            F::ContentOwnViewsDisclaimer => flag(con.and_then(|c| c.own_views_disclaimer)),
            F::ContentPrivacyNotice => flag(con.and_then(|c| c.privacy_notice)),
            F::ContentOptOut => flag(con.and_then(|c| c.opt_out)),
            F::ContentPublic => flag(con.and_then(|c| c.public)),
            F::TargetRelationship => sym(tar.and_then(|t| t.relationship).map(Relationship::as_str)),
            F::TargetMetInPerson => flag(tar.and_then(|t| t.met_in_person)),
            F::TargetInteracted => flag(tar.and_then(|t| t.interacted)),
            F::TargetOrigin => sym(tar.and_then(|t| t.origin).map(Origin::as_str)),
            F::TargetLastDealtWith => date(tar.and_then(|t| t.last_dealt_with)),
            F::TargetConnectedOn => date(tar.and_then(|t| t.connected_on)),
            F::TargetDistanceMiles => count(tar.and_then(|t| t.distance_miles)),
            F::TargetInAgencyDatabase => flag(tar.and_then(|t| t.in_agency_database)),
            F::ContactsCount => count(a.contact_group().and_then(|c| c.count)),
            F::ContactsOrigin => sym(a.contact_group().and_then(|c| c.origin).map(Origin::as_str)),
            F::HistoryPostsToday => count(his.and_then(|h| h.posts_today)),
            F::HistoryPostsThisWeek => count(his.and_then(|h| h.posts_this_week)),
            F::HistoryJobAdsThisWeek => count(his.and_then(|h| h.job_ads_this_week)),
            F::HistoryInvitationsThisWeek => count(his.and_then(|h| h.invitations_this_week)),
            F::HistoryPostsLast24h => count(his.and_then(|h| h.posts_last_24h)),
            // With several approvals on file, the first as written (what an approval counts for is
            // `semantics::approval_counts`'s, over them all).
            F::ApprovalGrantedBy => a
                .approval
                .as_deref()
                .and_then(|x| x.first())
                .and_then(|x| x.granted_by.as_deref())
                .map_or(Raw::None, Raw::Sym),
            F::RequestMadeOn => date(a.request.as_ref().and_then(|r| r.made_on)),
            F::MaterialKind => sym(a.material.as_ref().and_then(|m| m.kind).map(MaterialKind::as_str)),
            F::MaterialMadeOn => date(a.material.as_ref().and_then(|m| m.made_on)),
            F::MaterialMadeFor => sym(a.material.as_ref().and_then(|m| m.made_for).map(Party::as_str)),
            F::MaterialCreatedBy => sym(a.material.as_ref().and_then(|m| m.created_by).map(Party::as_str)),
            F::MaterialAgencyEquipment => flag(a.material.as_ref().and_then(|m| m.agency_equipment)),
        }
    }
}

fn part(present: bool) -> Raw<'static> {
    if present {
        Raw::Bool(true)
    } else {
        Raw::None
    }
}

fn flag(b: Option<bool>) -> Raw<'static> {
    b.map_or(Raw::None, Raw::Bool)
}

fn date(d: Option<Date>) -> Raw<'static> {
    d.map_or(Raw::None, Raw::Date)
}

fn count(n: Option<u32>) -> Raw<'static> {
    n.map_or(Raw::None, |n| Raw::Int(i64::from(n)))
}

fn sym(s: Option<&'static str>) -> Raw<'static> {
    s.map_or(Raw::None, Raw::Sym)
}

/// A built-in fact as the action carries it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Raw<'a> {
    /// Not carried.
    None,
    /// A flag (or a part that is there).
    Bool(bool),
    /// A count.
    Int(i64),
    /// A date.
    Date(Date),
    /// A name.
    Sym(&'a str),
    /// Free text.
    Text(&'a str),
    /// A list of names.
    List(Names<'a>),
}

impl Raw<'_> {
    /// The value a policy sees (`None`: not carried).
    pub fn to_value(self) -> Option<Value> {
        Some(match self {
            Raw::None => return None,
            Raw::Bool(b) => Value::Bool(b),
            Raw::Int(i) => Value::Int(i),
            Raw::Date(d) => Value::Date(d),
            Raw::Sym(s) => Value::Symbol(s.to_string()),
            Raw::Text(t) => Value::Text(t.to_string()),
            Raw::List(names) => Value::List(names.iter().map(str::to_string).collect()),
        })
    }
}

/// A list of names, owned by an [`Action`] or borrowed from a line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Names<'a> {
    /// From an [`Action`].
    Strings(&'a [String]),
    /// From a line.
    Strs(&'a [&'a str]),
}

impl<'a> Names<'a> {
    /// The names, in order.
    pub fn iter(self) -> impl Iterator<Item = &'a str> {
        let (owned, borrowed): (&'a [String], &'a [&'a str]) = match self {
            Names::Strings(s) => (s, &[]),
            Names::Strs(s) => (&[], s),
        };
        owned.iter().map(String::as_str).chain(borrowed.iter().copied())
    }
}

/// A declared fact (`facts.NAME`) as written, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactRef<'a> {
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A text.
    Text(&'a str),
    /// A list of names.
    List(&'a [String]),
}

impl FactRef<'_> {
    /// The value as the declared type reads it ([`FactValue::typed`], the one definition).
    pub fn typed(self, ty: &Type) -> Option<Value> {
        match self {
            FactRef::Bool(b) => FactValue::Bool(b).typed(ty),
            FactRef::Int(i) => FactValue::Int(i).typed(ty),
            FactRef::Text(t) => FactValue::Text(t.to_string()).typed(ty),
            FactRef::List(l) => FactValue::List(l.to_vec()).typed(ty),
        }
    }

    /// The value without a declared type (see [`FactValue::to_value`]).
    pub fn to_value(self) -> Value {
        match self {
            FactRef::Bool(b) => Value::Bool(b),
            FactRef::Int(i) => Value::Int(i),
            FactRef::Text(t) => Value::Text(t.to_string()),
            FactRef::List(l) => Value::List(l.to_vec()),
        }
    }
}

impl FactValue {
    /// The value, borrowed.
    pub fn as_ref(&self) -> FactRef<'_> {
        match self {
            FactValue::Bool(b) => FactRef::Bool(*b),
            FactValue::Int(i) => FactRef::Int(*i),
            FactValue::Text(t) => FactRef::Text(t),
            FactValue::List(l) => FactRef::List(l),
        }
    }
}

/// What the compiled policy reads of an action: an [`Action`], or a line
/// read in place ([`FlatAction`]).
pub trait ActionFacts {
    /// A built-in field.
    fn field(&self, f: Field) -> Raw<'_>;
    /// `at`, when given.
    fn at(&self) -> Option<At>;
    /// A declared fact (`facts.NAME`), by name.
    fn declared(&self, name: &str) -> Option<FactRef<'_>>;
    /// A counter of `history.counts`, by name (a line read in place has none:
    /// the in-place reader leaves a line naming `counts` to the full parser).
    fn counter(&self, key: &str) -> Option<u32> {
        let _ = key;
        None
    }
    /// The approvals on file, when the source holds them whole (an
    /// [`Action`]); none: `approval.granted_by` is read as one plain approval
    /// (all a line read in place can carry).
    fn approvals(&self) -> &[super::action::Approval] {
        &[]
    }
}

impl ActionFacts for Action {
    fn field(&self, f: Field) -> Raw<'_> {
        f.of_action(self)
    }
    fn at(&self) -> Option<At> {
        self.at
    }
    fn declared(&self, name: &str) -> Option<FactRef<'_>> {
        self.facts.get(name).map(FactValue::as_ref)
    }
    fn approvals(&self) -> &[super::action::Approval] {
        self.approval.as_deref().unwrap_or_default()
    }
    fn counter(&self, key: &str) -> Option<u32> {
        Action::counter(self, key)
    }
}

/// The names an action's open values are checked against: a policy's
/// declarations, gathered once. An action whose values they all accept is
/// one [`super::action::check_open_values`] finds no error in.
#[derive(Debug, Clone)]
pub struct Vocabulary<'p> {
    actions: Vec<&'p str>,
    roles: Vec<&'p str>,
    teams: Vec<&'p str>,
    channels: Vec<&'p str>,
    kinds: Vec<&'p str>,
    facts: &'p BTreeMap<String, Type>,
}

impl<'p> Vocabulary<'p> {
    /// The vocabulary of these declarations (roles and teams: any when none
    /// is declared; channels and content kinds: the built-ins too).
    pub fn new(decls: &'p crate::policy::Declarations) -> Self {
        use super::action::{BUILTIN_CHANNELS, BUILTIN_CONTENT_KINDS};
        let with = |builtins: &[&'static str], declared: &'p [String]| -> Vec<&'p str> {
            builtins.iter().copied().chain(declared.iter().map(String::as_str)).collect()
        };
        Vocabulary {
            actions: with(super::action::ActionKind::NAMES, &decls.actions),
            roles: decls.roles.iter().map(String::as_str).collect(),
            teams: decls.teams.iter().map(String::as_str).collect(),
            channels: with(BUILTIN_CHANNELS, &decls.channels),
            kinds: with(BUILTIN_CONTENT_KINDS, &decls.content_kinds),
            facts: &decls.facts,
        }
    }

    fn open(&self, set: Open, name: &str) -> bool {
        let known = |names: &[&str]| names.iter().any(|n| same(n.as_bytes(), name.as_bytes()));
        match set {
            Open::Action => known(&self.actions),
            Open::Conduct => super::action::Conduct::from_name(name).is_some(),
            Open::Role => self.roles.is_empty() || known(&self.roles),
            Open::Team => self.teams.is_empty() || known(&self.teams),
            Open::Channel => known(&self.channels),
            Open::Kind => known(&self.kinds),
        }
    }

    /// Whether a declared fact of this name takes this value.
    fn fact(&self, name: &str, value: FactRef<'_>) -> bool {
        self.facts.get(name).is_some_and(|ty| value.typed(ty).is_some())
    }

    /// Whether every open value of the action is declared (no allocation for
    /// a good action, except to type a declared text fact).
    pub fn accepts(&self, a: &Action) -> bool {
        let kinds_ok = match Field::ContentKind.of_action(a) {
            Raw::List(names) => names.iter().all(|k| self.open(Open::Kind, k)),
            _ => true,
        };
        self.open(Open::Action, &a.action)
            && self.open(Open::Role, &a.actor.role)
            // One plain approval at most (more, or a recorder or scope to check, goes to the full check).
            && a.approval.as_deref().is_none_or(|l| match l {
                [] => true,
                [x] => {
                    x.recorded_by.is_none()
                        && x.channels.is_empty()
                        && x.granted_by.as_deref().is_none_or(|g| self.open(Open::Role, g))
                }
                _ => false,
            })
            && a.actor.team.as_deref().is_none_or(|t| self.open(Open::Team, t))
            && a.channel.as_deref().is_none_or(|c| self.open(Open::Channel, c))
            && kinds_ok
            && a.facts.iter().all(|(n, v)| self.fact(n, v.as_ref()))
    }
}

/// An action read in place from a JSON line: its fields by position, its
/// lists and declared facts inline. Nothing is allocated.
#[derive(Debug, Clone)]
pub struct FlatAction<'a> {
    vals: [Slot<'a>; FIELDS],
    at: Option<At>,
    kinds: [&'a str; MAX_NAMES],
    conduct: [&'a str; MAX_NAMES],
    done: [&'a str; MAX_NAMES],
    facts: Facts<'a>,
}

/// A field of a [`FlatAction`]; lists are kept beside the fields.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Slot<'a> {
    None,
    Raw(Raw<'a>),
    /// The first `n` of the field's names array (kinds, conduct or `done`).
    Names(usize),
}

impl<'a> FlatAction<'a> {
    /// The names array that keeps a list field.
    fn names_of(&mut self, f: Field) -> &mut [&'a str; MAX_NAMES] {
        match f {
            Field::Done => &mut self.done,
            Field::ContentConduct => &mut self.conduct,
            _ => &mut self.kinds,
        }
    }

    fn empty() -> Self {
        FlatAction {
            vals: [Slot::None; FIELDS],
            at: None,
            kinds: [""; MAX_NAMES],
            conduct: [""; MAX_NAMES],
            done: [""; MAX_NAMES],
            facts: Facts::default(),
        }
    }

    /// Reads a JSON line in place, or `None` when it is not the plain case
    /// this reader takes (then parse it in full; see the module comment).
    pub fn read_json(line: &'a str, vocab: &Vocabulary<'_>) -> Option<FlatAction<'a>> {
        let mut flat = FlatAction::empty();
        read_json_into(line, vocab, &mut flat).then_some(flat)
    }

    fn set(&mut self, f: Field, v: Slot<'a>) {
        if let Some(slot) = self.vals.get_mut(f as usize) {
            *slot = v;
        }
    }
}

impl<'a> Sink<'a> for FlatAction<'a> {
    fn field(&mut self, f: Field, raw: Raw<'a>) {
        self.set(f, Slot::Raw(raw));
    }
    fn names(&mut self, f: Field, names: &[&'a str]) {
        let into = self.names_of(f);
        for (to, from) in into.iter_mut().zip(names) {
            *to = from;
        }
        self.set(f, Slot::Names(names.len().min(MAX_NAMES)));
    }
    fn at(&mut self, at: At) {
        self.at = Some(at);
    }
    fn fact(&mut self, name: &'a str, value: FactRef<'a>) {
        self.facts.push(name, value);
    }
    fn clear(&mut self) {
        *self = FlatAction::empty();
    }
}

/// The declared facts a line gives, read in place: at most [`MAX_FACTS`],
/// in the line's order.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    items: [(&'a str, FactRef<'a>); MAX_FACTS],
    len: usize,
}

impl Default for Facts<'_> {
    fn default() -> Self {
        Facts { items: [("", FactRef::Bool(false)); MAX_FACTS], len: 0 }
    }
}

impl<'a> Facts<'a> {
    /// Adds a fact (beyond [`MAX_FACTS`], none: the reader takes no more).
    pub fn push(&mut self, name: &'a str, value: FactRef<'a>) {
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = (name, value);
            self.len += 1;
        }
    }

    /// The value of the fact of this name.
    pub fn get(&self, name: &str) -> Option<FactRef<'a>> {
        self.items.get(..self.len)?.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }

    /// How many facts there are.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Where the in-place reader puts what it reads, as it reads it: a
/// [`FlatAction`], or the compiled policy's fact row itself
/// (`compile::FactRow::read_json`). Only values the line carries are put;
/// a line the reader gives up on may have put some before it did.
pub trait Sink<'a> {
    /// A built-in field other than a list.
    fn field(&mut self, f: Field, raw: Raw<'a>);
    /// A list field (`content.kind`, `done`): at most [`MAX_NAMES`] names.
    fn names(&mut self, f: Field, names: &[&'a str]);
    /// `at`.
    fn at(&mut self, at: At);
    /// A declared fact (at most [`MAX_FACTS`], names distinct, each of its declared type).
    fn fact(&mut self, name: &'a str, value: FactRef<'a>);
    /// Forgets everything put so far (the line is to be read again).
    fn clear(&mut self);
}

/// Reads a JSON line in place into `sink`; `false` when it is not the plain
/// case this reader takes (then parse it in full; see the module comment).
pub fn read_json_into<'a, S: Sink<'a>>(line: &'a str, vocab: &Vocabulary<'_>, sink: &mut S) -> bool {
    read_keyed(line, vocab, sink, None)
}

/// Reads a line key by key (looking each key up, checking for
/// duplicates and for the required keys), noting its layout in `layout`
/// when asked.
fn read_keyed<'a, S: Sink<'a>>(
    line: &'a str,
    vocab: &Vocabulary<'_>,
    sink: &mut S,
    layout: Option<&mut Layout>,
) -> bool {
    let mut r = Reader::new(line, vocab, sink, layout);
    if r.object(None).is_none() {
        return false;
    }
    r.sc.ws();
    if r.sc.pos != line.len() {
        return false;
    }
    let has = |f: Field| r.seen & (1u128 << (f as u32)) != 0;
    let required = [Field::Action, Field::Actor, Field::ActorId, Field::ActorRole, Field::ActorStatus];
    // `departed_on` is required when `status` is `departed`.
    let ok = required.into_iter().all(has) && (!r.departed || has(Field::ActorDepartedOn));
    let departed_on = has(Field::ActorDepartedOn);
    if let Some(layout) = r.layout {
        layout.text.extend_from_slice(line.as_bytes().get(r.mark..).unwrap_or(&[]));
        layout.departed_on = departed_on;
    }
    ok
}

/// Reads a line laid out as one of the lines `layouts` holds (the
/// same keys in the same order, spaced the same way): the text between
/// values must match, and each value is read and checked as [`read_keyed`]
/// reads it. No key is looked up, and no duplicate or missing key need be
/// looked for, since the lines the layouts were taken from had none.
fn read_laid_out<'a, S: Sink<'a>>(line: &'a str, layouts: &Layouts, vocab: &Vocabulary<'_>, sink: &mut S) -> bool {
    let mut r = Reader::new(line, vocab, sink, None);
    let bytes = line.as_bytes();
    let mut next = layouts.first;
    loop {
        // The node whose text comes next (most often the only one).
        let node = loop {
            let Some(node) = layouts.nodes.get(next as usize) else { return false };
            let Some(text) = layouts.text.get(node.text.0 as usize..node.text.1 as usize) else { return false };
            match node.step {
                None if bytes.get(r.sc.pos..) == Some(text) => {
                    return !r.departed || node.departed_on;
                }
                Some(_) if r.sc.literal(text) => break node,
                _ => next = node.sibling,
            }
        };
        if let Some(step) = node.step {
            if r.step(step).is_none() {
                return false;
            }
        }
        next = node.child;
    }
}

/// The layouts of the lines a [`LineReader`] has read key by key, as a tree:
/// lines alike up to some value share the nodes up to it.
#[derive(Debug, Clone, Default)]
struct Layouts {
    /// The text before each value (and after the last), one after the other.
    text: Vec<u8>,
    nodes: Vec<Node>,
    /// The first node of the tree's first level ([`NONE`] when empty).
    first: u32,
}

/// No node.
const NONE: u32 = u32::MAX;

/// How many nodes the tree may grow to; then it starts again (a batch whose
/// lines come in ever new layouts is read key by key, in flat memory).
const MAX_NODES: usize = 4096;

/// One value of a layout: the text before it, then the value.
#[derive(Debug, Clone, Copy)]
struct Node {
    /// Where the text before the value is in [`Layouts::text`].
    text: (u32, u32),
    /// What the value is; `None`: the line ends (the text is the rest of it).
    step: Option<Step>,
    /// At the end of a line: it has `actor.departed_on`.
    departed_on: bool,
    /// The first node after this one, and the next alternative to this one.
    child: u32,
    sibling: u32,
}

impl Layouts {
    /// Adds a line's layout.
    fn add(&mut self, layout: &Layout) {
        if self.nodes.len() + layout.steps.len() + 1 > MAX_NODES {
            *self = Layouts::default();
        }
        if self.nodes.is_empty() {
            self.first = NONE;
        }
        let mut from = 0;
        let mut at = None::<u32>; // the parent node
        let ends = layout.steps.iter().map(|(end, step)| (*end, Some(*step)));
        for (end, step) in ends.chain(std::iter::once((layout.text.len(), None))) {
            let text = layout.text.get(from..end).unwrap_or(&[]);
            from = end;
            let head = match at {
                None => self.first,
                Some(p) => self.nodes.get(p as usize).map_or(NONE, |n| n.child),
            };
            // The same text after the same values is the same key, so the
            // same step (and the same keys, so `departed_on` is the same too).
            let mut n = head;
            while let Some(node) = self.nodes.get(n as usize) {
                let same = self.text.get(node.text.0 as usize..node.text.1 as usize) == Some(text)
                    && node.step.is_some() == step.is_some();
                if same {
                    break;
                }
                n = node.sibling;
            }
            if n == NONE {
                let start = self.text.len();
                self.text.extend_from_slice(text);
                let index = u32::try_from(self.nodes.len()).unwrap_or(NONE);
                self.nodes.push(Node {
                    text: (u32::try_from(start).unwrap_or(0), u32::try_from(self.text.len()).unwrap_or(0)),
                    step,
                    departed_on: layout.departed_on,
                    child: NONE,
                    sibling: head,
                });
                match at {
                    None => self.first = index,
                    Some(p) => {
                        if let Some(parent) = self.nodes.get_mut(p as usize) {
                            parent.child = index;
                        }
                    }
                }
                n = index;
            }
            at = Some(n);
        }
    }
}

/// The layout of a line read in full: its keys, and the text between its
/// values, in order. See [`LineReader`].
#[derive(Debug, Clone, Default)]
struct Layout {
    /// The text before each value, one after the other; the text after the last value at the end.
    text: Vec<u8>,
    /// Each value: where the text before it ends in `text`, and what it is.
    steps: Vec<(usize, Step)>,
    /// Whether the line has `actor.departed_on` (required when the status is `departed`).
    departed_on: bool,
}

/// A value of a [`Layout`].
#[derive(Debug, Clone, Copy)]
enum Step {
    /// A member of the action or of a part (a part itself has no value of its own).
    Member(Member),
    /// A declared fact, whose name is the `len` bytes `back` bytes before
    /// its value; `flag`: it is declared `bool` (so only `true` or `false`
    /// can be its value).
    Fact { back: usize, len: usize, flag: bool },
}

/// Reads JSON lines in place ([`read_json_into`]), one after another,
/// faster when they are all written alike: it keeps the layout of the last
/// line it read key by key, and reads a line laid out the same way by
/// matching the text between values instead of looking its keys up. Lines
/// of one batch usually come from one program, so nearly all are. A line
/// laid out otherwise is read key by key, and its layout kept.
#[derive(Debug, Clone)]
pub struct LineReader<'v> {
    vocab: &'v Vocabulary<'v>,
    layouts: Layouts,
    /// The layout being noted (kept when its line is read).
    next: Layout,
}

impl<'v> LineReader<'v> {
    /// A reader checking values against this vocabulary.
    pub fn new(vocab: &'v Vocabulary<'v>) -> Self {
        LineReader { vocab, layouts: Layouts { first: NONE, ..Layouts::default() }, next: Layout::default() }
    }

    /// Reads a JSON line into `sink`, as [`read_json_into`] does (`false`
    /// when it is not the plain case this reader takes).
    pub fn read<'a, S: Sink<'a>>(&mut self, line: &'a str, sink: &mut S) -> bool {
        if self.layouts.first != NONE {
            if read_laid_out(line, &self.layouts, self.vocab, sink) {
                return true;
            }
            sink.clear();
        }
        self.next.text.clear();
        self.next.steps.clear();
        let read = read_keyed(line, self.vocab, sink, Some(&mut self.next));
        if read {
            self.layouts.add(&self.next);
        }
        read
    }
}

impl ActionFacts for FlatAction<'_> {
    fn field(&self, f: Field) -> Raw<'_> {
        match self.vals.get(f as usize).copied().unwrap_or(Slot::None) {
            Slot::None => Raw::None,
            Slot::Raw(r) => r,
            Slot::Names(n) => {
                let all = match f {
                    Field::Done => &self.done,
                    Field::ContentConduct => &self.conduct,
                    _ => &self.kinds,
                };
                Raw::List(Names::Strs(all.get(..n).unwrap_or(&[])))
            }
        }
    }
    fn at(&self) -> Option<At> {
        self.at
    }
    fn declared(&self, name: &str) -> Option<FactRef<'_>> {
        self.facts.get(name)
    }
}

/// The position of the `"` that ends a string starting at `from`, or `None`
/// when a backslash (an escape) or a control character comes first (the
/// full parser reads those). Most strings here are short, so a search call
/// would cost more than it saves.
#[inline(always)]
fn quote(bytes: &[u8], from: usize) -> Option<usize> {
    let at = special(bytes, from)?;
    (*bytes.get(at)? == b'"').then_some(at)
}

/// Whether a text can be written as a JSON string as it is, between quotes
/// (it has no `"`, backslash or control character to escape).
pub fn needs_no_escape(text: &str) -> bool {
    special(text.as_bytes(), 0).is_none()
}

/// The position of the first `"`, backslash or control character from
/// `from` on. Eight bytes at a time: the classic "has a zero byte" bit
/// trick on the bytes xor `"` and xor `\`, and its "has a byte less than"
/// form for control characters; the lowest byte flagged is exact.
#[inline(always)]
fn special(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    const QUOTES: u64 = u64::from_le_bytes([b'"'; 8]);
    const BACKSLASHES: u64 = u64::from_le_bytes([b'\\'; 8]);
    const SPACES: u64 = u64::from_le_bytes([0x20; 8]);
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().ok()?);
        let (q, b) = (x ^ QUOTES, x ^ BACKSLASHES);
        let found = (q.wrapping_sub(ONES) & !q | b.wrapping_sub(ONES) & !b | x.wrapping_sub(SPACES) & !x) & HIGHS;
        if found != 0 {
            return Some(i + (found.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    loop {
        match *bytes.get(i)? {
            b'"' | b'\\' | 0..0x20 => return Some(i),
            _ => i += 1,
        }
    }
}

/// Whether two short names are equal: lengths first (most keys differ from
/// most names in length), then eight bytes at a time, the last eight (or
/// four) overlapping the ones before: no byte loop, no call.
#[inline(always)]
fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let w8 = |s: &[u8], i: usize| s.get(i..i + 8).map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
    let w4 = |s: &[u8], i: usize| s.get(i..i + 4).map(|c| u32::from_le_bytes(c.try_into().unwrap_or([0; 4])));
    match n {
        0..4 => a.iter().zip(b).all(|(x, y)| x == y),
        4..8 => w4(a, 0) == w4(b, 0) && w4(a, n - 4) == w4(b, n - 4),
        _ => {
            let mut i = 0;
            while i + 8 < n {
                if w8(a, i) != w8(b, i) {
                    return false;
                }
                i += 8;
            }
            w8(a, n - 8) == w8(b, n - 8)
        }
    }
}

/// A strict scanner for the plain subset of JSON the in-place reader takes:
/// strings without escapes or control characters, `true`/`false`, whole
/// numbers without sign (counts) or with one (declared facts), objects and
/// arrays. Everything it takes, `serde_json` reads the same way; anything
/// else (`null`, escapes, fractions, exponents, ...) stops it.
struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Skips spaces (other white space is left to the full parser).
    #[inline(always)]
    fn ws(&mut self) {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    /// Skips white space, then takes `byte`.
    #[inline(always)]
    fn eat(&mut self, byte: u8) -> Option<()> {
        self.ws();
        (self.peek() == Some(byte)).then(|| self.pos += 1)
    }

    /// A string without escapes or control characters.
    #[inline(always)]
    fn string(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        let mut p = self.pos;
        while bytes.get(p) == Some(&b' ') {
            p += 1;
        }
        if bytes.get(p) != Some(&b'"') {
            return None;
        }
        let end = quote(bytes, p + 1)?;
        self.pos = end + 1;
        self.text.get(p + 1..end)
    }

    #[inline(always)]
    fn boolean(&mut self) -> Option<bool> {
        self.ws();
        let bytes = self.text.as_bytes();
        let word = |at: usize| bytes.get(at..at + 4).and_then(|w| w.try_into().ok()).map(u32::from_le_bytes);
        let (value, len) = if word(self.pos) == Some(u32::from_le_bytes(*b"true")) {
            (true, 4)
        } else if word(self.pos) == Some(u32::from_le_bytes(*b"fals")) && bytes.get(self.pos + 4) == Some(&b'e') {
            (false, 5)
        } else {
            return None;
        };
        self.pos += len;
        // A literal ends at a delimiter (`truex` is not JSON).
        (!self.peek().is_some_and(|c| c.is_ascii_alphanumeric())).then_some(value)
    }

    /// A whole number: digits, no leading zero (but `0`), no fraction or exponent.
    fn digits(&mut self) -> Option<u64> {
        let start = self.pos;
        let mut n: u64 = 0;
        while let Some(c @ b'0'..=b'9') = self.peek() {
            n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
            self.pos += 1;
        }
        let len = self.pos - start;
        let leading_zero = len > 1 && self.text.as_bytes().get(start) == Some(&b'0');
        if len == 0 || leading_zero || matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        Some(n)
    }

    fn count(&mut self) -> Option<u32> {
        self.ws();
        u32::try_from(self.digits()?).ok()
    }

    fn int(&mut self) -> Option<i64> {
        self.ws();
        if self.peek() == Some(b'-') {
            self.pos += 1;
            let n = self.digits()?;
            // As serde_json: a negative number down to i64::MIN.
            return if n == 1u64 << 63 { Some(i64::MIN) } else { i64::try_from(n).ok().map(|n| -n) };
        }
        i64::try_from(self.digits()?).ok()
    }

    /// Takes these bytes when they are exactly what comes next.
    #[inline(always)]
    fn literal(&mut self, bytes: &[u8]) -> bool {
        let end = self.pos + bytes.len();
        let exact = self.text.as_bytes().get(self.pos..end).is_some_and(|b| same(b, bytes));
        if exact {
            self.pos = end;
        }
        exact
    }

    /// Takes `"name":` (after a `,` unless `first`) when that is exactly
    /// what comes next; otherwise takes nothing.
    #[inline(always)]
    fn next_is_key(&mut self, name: &str, first: bool) -> bool {
        let bytes = self.text.as_bytes();
        let mut p = self.pos;
        while bytes.get(p) == Some(&b' ') {
            p += 1;
        }
        if !first {
            if bytes.get(p) != Some(&b',') {
                return false;
            }
            p += 1;
            while bytes.get(p) == Some(&b' ') {
                p += 1;
            }
        }
        let n = name.len();
        let exact = bytes.get(p) == Some(&b'"')
            && bytes.get(p + 1..p + 1 + n).is_some_and(|k| same(k, name.as_bytes()))
            && bytes.get(p + 1 + n..p + 3 + n) == Some(b"\":".as_slice());
        if exact {
            self.pos = p + 3 + n;
        }
        exact
    }

    /// The next key of an object whose `{` was taken, with its `:`; `None`
    /// at the closing `}`. `first` says no member has been read yet.
    fn key(&mut self, first: &mut bool) -> Option<Option<&'a str>> {
        // One pass with the position in a local: this runs for every key.
        let bytes = self.text.as_bytes();
        let spaces = |mut p: usize| {
            while bytes.get(p) == Some(&b' ') {
                p += 1;
            }
            p
        };
        let mut p = spaces(self.pos);
        match *bytes.get(p)? {
            b'}' => {
                self.pos = p + 1;
                return Some(None);
            }
            b',' if !*first => p = spaces(p + 1),
            _ if *first => {}
            _ => return None,
        }
        *first = false;
        if bytes.get(p) != Some(&b'"') {
            return None;
        }
        let end = quote(bytes, p + 1)?;
        let key = self.text.get(p + 1..end)?;
        p = spaces(end + 1);
        if bytes.get(p) != Some(&b':') {
            return None;
        }
        self.pos = p + 1;
        Some(Some(key))
    }
}

/// Reads a line into a [`Sink`], noting the fields seen (one bit per
/// [`Field`], bit 62 for `at`, bit 63 for `facts`) and, when asked, the
/// line's [`Layout`].
struct Reader<'a, 'v, 's, S> {
    sc: Scanner<'a>,
    sink: &'s mut S,
    vocab: &'v Vocabulary<'v>,
    seen: u128,
    /// `actor.status` is `departed`.
    departed: bool,
    /// The names of the list being read.
    names: [&'a str; MAX_NAMES],
    /// The declared facts' names so far (each may appear once).
    facts: [&'a str; MAX_FACTS],
    n_facts: usize,
    /// The layout being noted, if any.
    layout: Option<&'s mut Layout>,
    /// Where the text before the next value starts (for the layout).
    mark: usize,
}

impl<'a, 'v, 's, S: Sink<'a>> Reader<'a, 'v, 's, S> {
    fn new(line: &'a str, vocab: &'v Vocabulary<'v>, sink: &'s mut S, layout: Option<&'s mut Layout>) -> Self {
        Reader {
            sc: Scanner { text: line, pos: 0 },
            sink,
            vocab,
            seen: 0,
            departed: false,
            names: [""; MAX_NAMES],
            facts: [""; MAX_FACTS],
            n_facts: 0,
            layout,
            mark: 0,
        }
    }

    /// The whole action (`None`) or one of its parts.
    fn object(&mut self, part: Option<Field>) -> Option<()> {
        let keys = keys(part);
        // Keys usually come in the contract's order: look from after the last one.
        let mut next = 0usize;
        self.sc.eat(b'{')?;
        let mut first = true;
        loop {
            // Most lines write the next key of the table, exactly: `"name":`.
            if let Some(&(name, member)) = keys.get(next) {
                if self.sc.next_is_key(name, first) {
                    first = false;
                    next += 1;
                    self.member(member)?;
                    continue;
                }
            }
            let Some(key) = self.sc.key(&mut first)? else { break };
            let member = find(keys, key, &mut next)?;
            self.member(member)?;
        }
        Some(())
    }

    /// Notes in the layout (if one is being noted) the text since the last
    /// value, up to here (the value of `step` comes next).
    fn note(&mut self, step: Step) {
        if let Some(layout) = self.layout.as_deref_mut() {
            let bytes = self.sc.text.as_bytes().get(self.mark..self.sc.pos).unwrap_or(&[]);
            layout.text.extend_from_slice(bytes);
            layout.steps.push((layout.text.len(), step));
        }
        self.mark = self.sc.pos;
    }

    /// A key's value, the key taken.
    fn member(&mut self, member: Member) -> Option<()> {
        let bit = match member {
            Member::Field(f, _) => 1u128 << (f as u32),
            Member::At => 1 << 126,
            Member::Facts => 1 << 127,
        };
        if self.seen & bit != 0 {
            return None;
        }
        self.seen |= bit;
        self.note(Step::Member(member));
        match member {
            Member::Facts => self.facts(),
            Member::Field(f, Shape::Part) => {
                self.object(Some(f))?;
                self.sink.field(f, Raw::Bool(true));
                Some(())
            }
            _ => {
                self.step(Step::Member(member))?;
                self.mark = self.sc.pos;
                Some(())
            }
        }
    }

    /// The value of a step of a layout (a part's members, and the declared
    /// facts, are steps of their own).
    #[inline(always)]
    fn step(&mut self, step: Step) -> Option<()> {
        match step {
            Step::Member(Member::At) => {
                let at = parse_at(self.sc.string()?).ok()?;
                self.sink.at(at);
                Some(())
            }
            Step::Member(Member::Facts) => Some(()),
            Step::Member(Member::Field(f, Shape::Part)) => {
                self.sink.field(f, Raw::Bool(true));
                Some(())
            }
            Step::Member(Member::Field(f, shape)) => self.leaf(f, shape),
            Step::Fact { back, len, flag } => {
                let start = self.sc.pos.checked_sub(back)?;
                let name = self.sc.text.get(start..start + len)?;
                if flag {
                    let b = self.sc.boolean()?;
                    self.sink.fact(name, FactRef::Bool(b));
                    return Some(());
                }
                self.fact(name)
            }
        }
    }

    /// The value of a built-in field other than a part.
    #[inline(always)]
    fn leaf(&mut self, f: Field, shape: Shape) -> Option<()> {
        let sc = &mut self.sc;
        let raw = match shape {
            Shape::Part => return None,
            Shape::Bool => Raw::Bool(sc.boolean()?),
            Shape::Count => Raw::Int(i64::from(sc.count()?)),
            Shape::Date => Raw::Date(parse_date(sc.string()?).ok()?),
            Shape::Text => Raw::Text(sc.string()?),
            Shape::Jurisdiction => {
                let j = sc.string()?;
                // Kept only when already written as the parser keeps it (upper case).
                if !parse_jurisdiction(j).is_ok_and(|k| k == j) {
                    return None;
                }
                Raw::Sym(j)
            }
            Shape::Closed(_, known) => {
                let s = sc.string()?;
                if !known(s) {
                    return None;
                }
                self.departed |= f == Field::ActorStatus && s == "departed";
                Raw::Sym(s)
            }
            Shape::Open(set) => {
                let s = sc.string()?;
                if !self.vocab.open(set, s) {
                    return None;
                }
                Raw::Sym(s)
            }
            Shape::Names(set) => {
                let n = self.names(set)?;
                self.sink.names(f, self.names.get(..n).unwrap_or(&[]));
                return Some(());
            }
        };
        self.sink.field(f, raw);
        Some(())
    }

    /// One name or a list of names, into the names buffer; how many.
    fn names(&mut self, set: Option<Open>) -> Option<usize> {
        let vocab = self.vocab;
        let ok = |name: &str| set.is_none_or(|set| vocab.open(set, name));
        let into = &mut self.names;
        let sc = &mut self.sc;
        sc.ws();
        if sc.peek() != Some(b'[') {
            let name = sc.string()?;
            *into.get_mut(0)? = name;
            return ok(name).then_some(1);
        }
        sc.pos += 1;
        sc.ws();
        if sc.peek() == Some(b']') {
            sc.pos += 1;
            return Some(0);
        }
        let mut n = 0;
        loop {
            let name = sc.string()?;
            if !ok(name) {
                return None;
            }
            *into.get_mut(n)? = name;
            n += 1;
            sc.ws();
            match sc.peek()? {
                b',' => sc.pos += 1,
                b']' => {
                    sc.pos += 1;
                    return Some(n);
                }
                _ => return None,
            }
        }
    }

    /// `facts`: declared facts by name, each once.
    fn facts(&mut self) -> Option<()> {
        self.sc.eat(b'{')?;
        let mut first = true;
        while let Some(name) = self.sc.key(&mut first)? {
            let n = self.n_facts;
            if self.facts.get(..n).unwrap_or(&[]).contains(&name) {
                return None;
            }
            *self.facts.get_mut(n)? = name;
            self.n_facts = n + 1;
            let start = name.as_ptr() as usize - self.sc.text.as_ptr() as usize;
            let flag = self.vocab.facts.get(name) == Some(&Type::Bool);
            self.note(Step::Fact { back: self.sc.pos - start, len: name.len(), flag });
            self.fact(name)?;
            self.mark = self.sc.pos;
        }
        Some(())
    }

    /// A declared fact's value: a flag, a whole number or a text of its
    /// declared type (a list is left to the full parser).
    fn fact(&mut self, name: &'a str) -> Option<()> {
        let sc = &mut self.sc;
        sc.ws();
        let value = match sc.peek()? {
            b'"' => FactRef::Text(sc.string()?),
            b't' | b'f' => FactRef::Bool(sc.boolean()?),
            _ => FactRef::Int(sc.int()?),
        };
        if !self.vocab.fact(name, value) {
            return None;
        }
        self.sink.fact(name, value);
        Some(())
    }
}

/// What a key of an object stands for.
#[derive(Debug, Clone, Copy)]
enum Member {
    Field(Field, Shape),
    /// `at` (top level).
    At,
    /// `facts` (top level).
    Facts,
}

/// The fields of a part (`None`: the top level), in [`Field::ALL`] order.
fn members(part: Option<Field>) -> &'static [Field] {
    use Field as F;
    let (first, last) = match part {
        None => (F::Action, F::Material),
        Some(F::Actor) => (F::ActorId, F::ActorAcknowledgedPolicy),
        Some(F::Account) => (F::AccountKind, F::AccountPaidBy),
        Some(F::Content) => (F::ContentKind, F::ContentPublic),
        Some(F::Target) => (F::TargetRelationship, F::TargetInAgencyDatabase),
        Some(F::Contacts) => (F::ContactsCount, F::ContactsOrigin),
        Some(F::History) => (F::HistoryPostsToday, F::HistoryPostsLast24h),
        Some(F::Approval) => (F::ApprovalGrantedBy, F::ApprovalGrantedBy),
        Some(F::Request) => (F::RequestMadeOn, F::RequestMadeOn),
        Some(F::Material) => (F::MaterialKind, F::MaterialAgencyEquipment),
        Some(_) => return &[],
    };
    Field::ALL.get(first as usize..=last as usize).unwrap_or(&[])
}

/// An object's keys, each with what it stands for.
type Keys = Vec<(&'static str, Member)>;

/// The keys of an object and what each stands for: the top level (`None`)
/// in the contract's order, or a part's fields. Built once.
fn keys(part: Option<Field>) -> &'static [(&'static str, Member)] {
    static KEYS: std::sync::LazyLock<Vec<(Option<Field>, Keys)>> = std::sync::LazyLock::new(|| {
        let parts = std::iter::once(None)
            .chain(Field::ALL.iter().filter(|f| matches!(f.shape(), Shape::Part)).map(|f| Some(*f)));
        parts
            .map(|part| {
                let skip = part.map_or(0, |p| p.path().len() + 1);
                let mut keys: Keys = members(part)
                    .iter()
                    .map(|f| (f.path().get(skip..).unwrap_or(""), Member::Field(*f, f.shape())))
                    .collect();
                if part.is_none() {
                    // In the contract's order: `action`, `at`, `actor`, ... `facts`.
                    keys.insert(1, ("at", Member::At));
                    keys.push(("facts", Member::Facts));
                }
                (part, keys)
            })
            .collect()
    });
    KEYS.iter().find(|(p, _)| *p == part).map_or(&[], |(_, keys)| keys.as_slice())
}

/// What `key` stands for among `keys`, looking from `next` on and wrapping
/// round (keys usually come in the contract's order).
fn find(keys: &[(&'static str, Member)], key: &str, next: &mut usize) -> Option<Member> {
    let n = keys.len();
    let mut i = *next;
    for _ in 0..n {
        if i >= n {
            i = 0;
        }
        let (name, member) = *keys.get(i)?;
        i += 1;
        if same(name.as_bytes(), key.as_bytes()) {
            *next = i;
            return Some(member);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use crate::data::action::{check_open_values, parse_action_json_line};

    fn policy() -> &'static crate::policy::Policy {
        static POLICY: std::sync::OnceLock<crate::policy::Policy> = std::sync::OnceLock::new();
        POLICY.get_or_init(|| {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(root.join("policies/protective-agency.policy")).unwrap();
            let file = crate::source::SourceFile::new("protective-agency.policy", text.as_str());
            let ast = crate::parser::parse(&file).unwrap();
            crate::lower::lower(&file, &ast)
        })
    }

    /// Whether the full parser and the policy's open-set check accept the line.
    fn full(line: &str, p: &crate::policy::Policy) -> Option<Action> {
        let a = parse_action_json_line(line).ok()?;
        check_open_values(&a, &p.decls).is_empty().then_some(a)
    }

    fn same_facts(flat: &FlatAction<'_>, a: &Action) {
        for f in Field::ALL {
            assert_eq!(flat.field(*f).to_owned_form(), a.field(*f).to_owned_form(), "{}", f.path());
        }
        assert_eq!(flat.at(), a.at);
        for (name, v) in &a.facts {
            assert_eq!(flat.declared(name), Some(v.as_ref()), "facts.{name}");
        }
        assert_eq!(flat.facts.len(), a.facts.len());
    }

    impl Raw<'_> {
        fn to_owned_form(self) -> String {
            match self {
                Raw::List(n) => format!("List({:?})", n.iter().collect::<Vec<_>>()),
                other => format!("{other:?}"),
            }
        }
    }

    const BASE: &str = r#"{"action":"post","at":"2025-01-03T13:26:00Z","actor":{"id":"u486","role":"senior_consultant","status":"departed","employed_since":"2021-11-02","team":"recruiting","departed_on":"2025-06-19","jurisdiction":"UK","supervisor":true,"garden_leave_from":"2025-05-01","acknowledged_policy":false},"channel":"linkedin","device":"agency","account":{"kind":"branded","handle":"@h93","created_by":"agency","created_on":"2015-10-04","purpose":"business","run_as_duty":false,"agency_equipment":false,"brand_in_handle":true,"transferred_in_writing":false,"paid_by":"agency"},"content":{"kind":["job_ad","industry"],"text":"Senior Java developer, London, 80k","names_client":true,"candidate_personal_data":false,"confidential":false,"discloses_employer":true,"privacy_notice":true,"opt_out":false,"public":true},"target":{"relationship":"client","met_in_person":false,"interacted":true,"origin":"agency_database","last_dealt_with":"2024-02-19","connected_on":"2020-01-01","distance_miles":12,"in_agency_database":true},"contacts":{"count":2339,"origin":"agency_database"},"history":{"posts_today":6,"posts_this_week":23,"job_ads_this_week":3,"invitations_this_week":70,"posts_last_24h":4},"approval":{"granted_by":"consultant"},"request":{"made_on":"2025-06-01"},"done":["update_profile"],"facts":{"states_agency_name":false,"hirer_authority":true}}"#;

    #[test]
    fn a_full_line_reads_the_same_as_the_action() {
        let p = policy();
        let vocab = Vocabulary::new(&p.decls);
        let a = full(BASE, p).expect("the full parser takes the line");
        let flat = FlatAction::read_json(BASE, &vocab).expect("read in place");
        same_facts(&flat, &a);
    }

    /// Every line read in place is one the full parser takes, with the same
    /// facts; the plain variants are read in place, the odd ones left to it.
    #[test]
    fn lines_read_in_place_are_exactly_lines_the_full_parser_takes() {
        let p = policy();
        let vocab = Vocabulary::new(&p.decls);
        let edits: &[(&str, &str, bool)] = &[
            // (from, to, still read in place)
            ("", "", true),
            (r#""channel":"linkedin","#, "", true),
            (r#","done":["update_profile"]"#, "", true),
            (r#""done":["update_profile"]"#, r#""done":"update_profile""#, true),
            (r#""kind":["job_ad","industry"]"#, r#""kind":"job_ad""#, true),
            (r#""at":"2025-01-03T13:26:00Z""#, r#""at":"2025-01-03""#, true),
            (r#""status":"departed""#, r#""status":"employed""#, true),
            (r#""account":{"#, r#""account":{},"x":{"#, false),
            (r#""linkedin""#, r#""myspace""#, false),
            (r#""linkedin""#, r#""linked\u0069n""#, false),
            (r#""linkedin""#, "null", false),
            (r#","device":"agency""#, "", true),
            (r#""device":"agency""#, r#""device":"personal""#, true),
            (r#""device":"agency""#, r#""device":"laptop""#, false),
            (r#""device":"agency""#, r#""device":null"#, false),
            (r#""role":"senior_consultant""#, r#""role":"boss""#, false),
            (r#""team":"recruiting""#, r#""team":"sales""#, false),
            (r#""granted_by":"consultant""#, r#""granted_by":"boss""#, false),
            (r#""industry""#, r#""gossip""#, false),
            (r#""hirer_authority":true"#, r#""hirer_authority":3"#, false),
            (r#""hirer_authority":true"#, r#""hirer_authorty":true"#, false),
            (r#""hirer_authority":true"#, r#""hirer_authority":true,"hirer_authority":true"#, false),
            (r#""count":2339"#, r#""count":-1"#, false),
            (r#""count":2339"#, r#""count":23.5"#, false),
            (r#""count":2339"#, r#""count":2339,"count":1"#, false),
            (r#""kind":"branded""#, r#""kind":"brnded""#, false),
            (r#""status":"departed""#, r#""status":"gone""#, false),
            (r#","departed_on":"2025-06-19""#, "", false),
            (r#""departed_on":"2025-06-19""#, r#""departed_on":"2025-13-19""#, false),
            (r#""jurisdiction":"UK""#, r#""jurisdiction":"uk""#, false),
            (r#""jurisdiction":"UK""#, r#""jurisdiction":"Britain""#, false),
            (r#""at":"2025-01-03T13:26:00Z""#, r#""at":"2025-01-03T13:26:00""#, false),
            (r#""id":"u486","#, "", false),
            (r#""action":"post","#, "", false),
            (r#""action":"post""#, r#""action":"posting""#, false),
            (r#""supervisor":true"#, r#""supervisor":"yes""#, false),
            (r#""posts_today":6"#, r#""posts_today":6,"posts_tomorrow":1"#, false),
            (r#""text":"Senior Java developer, London, 80k""#, r#""text":"Say \"hi\"""#, false),
        ];
        // A reader that has seen every line so far, so that the later lines
        // are read by layout where they share one with an earlier line.
        let mut reader = LineReader::new(&vocab);
        for (from, to, in_place) in edits {
            let line = if from.is_empty() { BASE.to_string() } else { BASE.replacen(from, to, 1) };
            assert!(from.is_empty() || line != BASE, "edit {from:?} does not apply");
            let flat = FlatAction::read_json(&line, &vocab);
            let a = full(&line, p);
            assert_eq!(flat.is_some(), *in_place, "{line}");
            if let Some(flat) = &flat {
                let a = a.expect("a line read in place is one the full parser takes");
                same_facts(flat, &a);
            }
            for _ in 0..2 {
                let mut laid = FlatAction::empty();
                assert_eq!(reader.read(&line, &mut laid), *in_place, "{line}");
                if let Some(flat) = &flat {
                    same_facts(&laid, &full(&line, p).unwrap());
                    assert_eq!(laid.vals, flat.vals);
                }
            }
        }
        // Truncated and mangled lines are never read in place.
        for cut in (0..BASE.len()).step_by(7) {
            let line = BASE.get(..cut).unwrap_or("");
            assert!(FlatAction::read_json(line, &vocab).is_none(), "{line}");
        }
    }

    /// Lines laid out alike share the layout tree; a line laid out anew
    /// adds a branch; an ever-growing tree starts again.
    #[test]
    fn layouts_are_shared_branched_and_bounded() {
        let p = policy();
        let vocab = Vocabulary::new(&p.decls);
        let mut reader = LineReader::new(&vocab);
        let read = |reader: &mut LineReader<'_>, line: &str| {
            let mut flat = FlatAction::empty();
            assert!(reader.read(line, &mut flat), "{line}");
            same_facts(&flat, &full(line, p).unwrap());
        };
        read(&mut reader, BASE);
        let nodes = reader.layouts.nodes.len();
        assert!(nodes > 50, "one node per value and one for the end: {nodes}");
        // Other values, the same layout: no new node.
        read(&mut reader, &BASE.replace("\"u486\"", "\"u7\"").replace(":true", ":false"));
        assert_eq!(reader.layouts.nodes.len(), nodes);
        // Without `done`: a branch for what follows it (`facts`, its two facts, the end).
        let shorter = BASE.replace(r#","done":["update_profile"]"#, "");
        read(&mut reader, &shorter);
        assert_eq!(reader.layouts.nodes.len(), nodes + 4);
        read(&mut reader, BASE);
        read(&mut reader, &shorter);
        assert_eq!(reader.layouts.nodes.len(), nodes + 4);
        // Ever new layouts (a new text each time): the tree stays bounded.
        for i in 0..MAX_NODES {
            read(
                &mut reader,
                &BASE.replace(r#""action":"post""#, &format!(r#""action":{}"post""#, " ".repeat(i % 97))),
            );
            assert!(reader.layouts.nodes.len() <= MAX_NODES);
        }
    }

    /// The vocabulary accepts exactly the actions the open-set check finds no error in.
    #[test]
    fn the_vocabulary_accepts_exactly_what_the_open_set_check_accepts() {
        let p = policy();
        let vocab = Vocabulary::new(&p.decls);
        let base = r#"{"action":"post","actor":{"id":"a","role":"consultant","team":"recruiting","status":"employed"},"channel":"twitter","content":{"kind":["job_ad","industry"]},"approval":{"granted_by":"manager"},"facts":{"hirer_authority":true}}"#;
        let variants = [
            base.to_string(),
            base.replace("\"consultant\"", "\"consulant\""),
            base.replace("\"recruiting\"", "\"sales\""),
            base.replace("\"twitter\"", "\"myspace\""),
            base.replace("\"industry\"", "\"gossip\""),
            base.replace("\"manager\"", "\"boss\""),
            base.replace("hirer_authority", "hirer_authorty"),
            base.replace("true}}", "3}}"),
        ];
        let mut rejected = 0;
        for v in &variants {
            let a = parse_action_json_line(v).unwrap();
            let ok = full(v, p).is_some();
            assert_eq!(vocab.accepts(&a), ok, "{v}");
            rejected += usize::from(!ok);
        }
        assert_eq!(rejected, variants.len() - 1);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 3000, ..proptest::prelude::ProptestConfig::default() })]
        /// Byte-level damage (JSON punctuation, literals, digits, escapes,
        /// white space) never makes the in-place reader take a line the full
        /// parser refuses, nor read one differently.
        #[test]
        fn damaged_lines_are_never_read_differently(
            edits in proptest::collection::vec((0usize..2000, 0usize..3, 0usize..25), 1..4)
        ) {
            let p = policy();
            let vocab = Vocabulary::new(&p.decls);
            const ALPHABET: &[&str] = &[
                "\"", "{", "}", "[", "]", ",", ":", " ", "\\", "\\n", "0", "1", "-", ".", "e", "true", "false",
                "null", "x", "\t", "01", "1e2", "\u{7f}", "\u{1}", "é",
            ];
            let mut line = BASE.to_string();
            for (at, op, what) in edits {
                let mut at = at % (line.len() + 1);
                while !line.is_char_boundary(at) {
                    at -= 1;
                }
                let piece = ALPHABET[what % ALPHABET.len()];
                let end = line[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                match op {
                    0 => line.insert_str(at, piece),
                    1 => line.replace_range(at..end, ""),
                    _ => line.replace_range(at..end, piece),
                }
            }
            if let Some(flat) = FlatAction::read_json(&line, &vocab) {
                let a = full(&line, p);
                proptest::prop_assert!(a.is_some(), "read in place, refused in full: {}", line);
                same_facts(&flat, &a.unwrap());
            }
            // Read by the layout of the undamaged line (or of the two lines).
            let mut reader = LineReader::new(&vocab);
            proptest::prop_assert!(reader.read(BASE, &mut FlatAction::empty()));
            let mut laid = FlatAction::empty();
            let read = reader.read(&line, &mut laid);
            proptest::prop_assert_eq!(read, FlatAction::read_json(&line, &vocab).is_some(), "{}", line);
            if read {
                same_facts(&laid, &full(&line, p).unwrap());
                let mut again = FlatAction::empty();
                proptest::prop_assert!(reader.read(&line, &mut again));
                same_facts(&again, &full(&line, p).unwrap());
            }
        }
    }
}
