//! A proposed action (`shared/design/data-model.md`, "A proposed action"): the
//! serde types, parsing from YAML, JSON and JSON Lines, the fact paths that
//! policies read ([`Action::fact`], [`Action::known_paths`]) and the check of
//! open-set values against a policy's declarations ([`check_open_values`]).
//!
//! Closed sets (status, account kind, ...) are checked while parsing; open
//! sets (action, role, team, channel, content kind) are plain strings here,
//! checked against the policy by [`check_open_values`].

use super::error::{self, DataError};
use super::{de_opt_date, de_opt_jurisdiction, ser_opt_date, Invalid};
use crate::value::{Type, Value};
use jiff::civil::Date;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

/// Channels every policy knows; a policy may declare more.
pub const BUILTIN_CHANNELS: &[&str] =
    &["twitter", "linkedin", "facebook", "youtube", "instagram", "tiktok", "blog", "corporate_site", "email", "phone"];

/// Content kinds every policy knows; a policy may declare more.
pub const BUILTIN_CONTENT_KINDS: &[&str] = &[
    "job_ad",
    "industry",
    "personal",
    "brand",
    "viral",
    "announcement",
    "client_mention",
    "candidate_spotlight",
    "opinion",
    "pay_discussion",
];

closed_set! {
    /// The built-in actions: what the actor proposes to do. A policy may
    /// declare more (`actions like, follow`), so [`Action::action`] is a name
    /// checked by [`check_open_values`], not this type.
    ActionKind, "action" {
        /// Publish a post.
        Post = "post",
        /// Share someone else's post.
        Share = "share",
        /// Comment on a post.
        Comment = "comment",
        /// Send a connection invitation.
        Connect = "connect",
        /// Accept a connection invitation.
        Accept = "accept",
        /// Send a direct message.
        Message = "message",
        /// Solicit business or staff.
        Solicit = "solicit",
        /// Deal with a client or candidate.
        Deal = "deal",
        /// Export contacts.
        Export = "export",
        /// Leave employment.
        Depart = "depart",
        /// Hand over accounts, credentials or contacts.
        HandOver = "hand_over",
        /// Create an account.
        CreateAccount = "create_account",
        /// Take up work for, or set up, a competitor.
        Compete = "compete",
    }
}

impl ActionKind {
    /// The actions whose `contacts` may be several groups of mixed provenance,
    /// each decided on its own (see [`Action::group_actions`]): what is taken
    /// or handed over. The one list of them: the data model's "for export,
    /// depart, hand_over" and the "may I?" page's groups of contacts read it.
    pub const WITH_GROUPS: &'static [ActionKind] = &[ActionKind::Export, ActionKind::Depart, ActionKind::HandOver];

    /// Whether the action named `name` may carry several groups of contacts
    /// (a policy's own declared actions never do).
    pub fn carries_groups(name: &str) -> bool {
        ActionKind::from_name(name).is_some_and(|a| ActionKind::WITH_GROUPS.contains(&a))
    }
}

closed_set! {
    /// The built-in conduct judgements about content (`content.conduct`):
    /// what published policies forbid in nearly the same words, named once so
    /// that policies need not invent them and `compare` can line them up.
    /// Whether a post is one of these is the caller's judgement (a reviewer,
    /// a classifier); the policy says what follows from it. Confidentiality
    /// is not here: it is `content.confidential` (`forbid confidential`).
    Conduct, "conduct" {
        /// Offensive or abusive: insults, obscenity, threats or violence, or
        /// content a reasonable reader would find demeaning.
        Offensive = "offensive",
        /// Harassment or bullying of a person: repeated or targeted
        /// unwanted conduct, including sexual harassment.
        Harassment = "harassment",
        /// Discriminatory: demeans or excludes people for a protected
        /// characteristic (age, race, sex, religion, disability, sexual
        /// orientation, gender identity, ...).
        Discriminatory = "discriminatory",
        /// Defamatory: a false statement of fact that harms the reputation
        /// of a person or a business (a client, a candidate, a competitor).
        Defamatory = "defamatory",
        /// Political: supports or opposes a party, a candidate, a campaign
        /// or a political cause.
        Political = "political",
        /// An endorsement: recommends a product, a service, a business or a
        /// person, the employer's included (where disclosure rules apply).
        Endorsement = "endorsement",
        /// About the employer's pay, working conditions or management,
        /// praise or criticism (often protected speech: NLRA section 7).
        AboutEmployer = "about_employer",
    }
}

closed_set! {
    /// Where the actor stands in their employment.
    Status, "status" {
        /// Employed, not leaving.
        Employed = "employed",
        /// Serving notice.
        OnNotice = "on_notice",
        /// On garden leave.
        GardenLeave = "garden_leave",
        /// Has left.
        Departed = "departed",
    }
}

closed_set! {
    /// The kind of a social media account.
    AccountKind, "account kind" {
        /// The employee's own account.
        Personal = "personal",
        /// An account branded with the agency's name.
        Branded = "branded",
        /// The agency's corporate account.
        Corporate = "corporate",
        /// A group (LinkedIn group, Facebook group).
        Group = "group",
    }
}

closed_set! {
    /// The employee or the agency (who created or pays for an account).
    Party, "party" {
        /// The employee.
        Employee = "employee",
        /// The agency.
        Agency = "agency",
    }
}

closed_set! {
    /// What an account is for.
    Purpose, "purpose" {
        /// Business use.
        Business = "business",
        /// Personal use.
        Personal = "personal",
        /// Both.
        Mixed = "mixed",
    }
}

closed_set! {
    /// The device an action is carried out from (`device`).
    Device, "device" {
        /// Issued and managed by the agency (a work phone or laptop).
        Agency = "agency",
        /// The actor's own.
        Personal = "personal",
    }
}

closed_set! {
    /// How the target relates to the actor or the agency.
    Relationship, "relationship" {
        /// A client of the agency.
        Client = "client",
        /// A candidate.
        Candidate = "candidate",
        /// A colleague.
        Colleague = "colleague",
        /// A contract worker placed by the agency.
        ContractWorker = "contract_worker",
        /// Someone working for a competitor.
        CompetitorStaff = "competitor_staff",
        /// A personal acquaintance.
        Personal = "personal",
        /// A prospective client.
        Prospect = "prospect",
        /// Not known.
        Unknown = "unknown",
    }
}

closed_set! {
    /// Where a connection or contact came from.
    Origin, "origin" {
        /// Made before the employment began.
        BeforeEmployment = "before_employment",
        /// Made during the employment.
        Employment = "employment",
        /// Imported from the agency's database.
        AgencyDatabase = "agency_database",
    }
}

closed_set! {
    /// What kind of content or intellectual property an employee made or
    /// gathered at work (`material.kind`): the one table of its kinds. The
    /// words ownership and departure lines use for each are
    /// [`MaterialKind::policy_words`].
    MaterialKind, "material kind" {
        /// A post (on any channel).
        Post = "post",
        /// An article (a LinkedIn article, a white paper, a press piece).
        Article = "article",
        /// A video.
        Video = "video",
        /// A blog, or a blog's entries.
        Blog = "blog",
        /// The member list of a group the employee runs (a LinkedIn group).
        GroupMembers = "group_members",
        /// Recruiting material: job descriptions, candidate write-ups, templates.
        RecruitingMaterial = "recruiting_material",
    }
}

impl MaterialKind {
    /// The words ownership and departure lines use for this kind, in the
    /// plural (`videos -> agency`, `hand over group member lists`); the
    /// grammar's `material_kw` lists the same words.
    pub fn policy_words(self) -> &'static str {
        match self {
            MaterialKind::Post => "posts",
            MaterialKind::Article => "articles",
            MaterialKind::Video => "videos",
            MaterialKind::Blog => "blogs",
            MaterialKind::GroupMembers => "group member lists",
            MaterialKind::RecruitingMaterial => "recruiting material",
        }
    }
}

/// The names of every closed set an action carries.
pub const CLOSED_NAMES: &[&[&str]] = &[
    Status::NAMES,
    AccountKind::NAMES,
    Party::NAMES,
    Purpose::NAMES,
    Relationship::NAMES,
    Origin::NAMES,
    Conduct::NAMES,
    Device::NAMES,
    MaterialKind::NAMES,
];

/// When an action happens: a point in time, or a whole day when only a date was given.
///
/// A plain date is kept as a date rather than turned into midnight UTC, so that
/// a policy in another timezone does not move it to the day before;
/// [`Action::fact`] returns it as [`Value::Date`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum At {
    /// `2026-03-14`.
    Date(Date),
    /// `2026-03-14T10:05:00Z`.
    Timestamp(jiff::Timestamp),
}

impl At {
    /// The date in `tz` (a plain date is that date everywhere).
    pub fn date_in(self, tz: &jiff::tz::TimeZone) -> Date {
        match self {
            At::Date(date) => date,
            At::Timestamp(ts) => ts.to_zoned(tz.clone()).date(),
        }
    }

    /// A point in time: a plain date counts as its start in `tz`, or `None`
    /// when that leaves the supported range.
    pub fn timestamp_in(self, tz: &jiff::tz::TimeZone) -> Option<jiff::Timestamp> {
        match self {
            At::Date(date) => date.to_zoned(tz.clone()).ok().map(|z| z.timestamp()),
            At::Timestamp(ts) => Some(ts),
        }
    }

    /// The fact value: [`Value::Date`] or [`Value::Timestamp`].
    pub fn to_value(self) -> Value {
        match self {
            At::Date(date) => Value::Date(date),
            At::Timestamp(ts) => Value::Timestamp(ts),
        }
    }
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Date(date) => write!(f, "{date}"),
            At::Timestamp(ts) => write!(f, "{ts}"),
        }
    }
}

impl Serialize for At {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl schemars::JsonSchema for At {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "At".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "anyOf": [{"format": "date"}, {"format": "date-time"}],
            "description": "When: a whole day (`2026-03-14`) or a point in time with its offset (`2026-03-14T10:05:00Z`).",
        })
    }
}

impl<'de> Deserialize<'de> for At {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AtVisitor;
        impl Visitor<'_> for AtVisitor {
            type Value = At;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date such as `2026-03-14` or a time such as `2026-03-14T10:05:00Z`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<At, E> {
                super::parse_at(v).map_err(|(m, h)| E::custom(error::message(&m, h.as_deref())))
            }
        }
        deserializer.deserialize_str(AtVisitor)
    }
}

/// A proposed action. Only `action` and `actor` are always required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// What is proposed: a built-in action ([`ActionKind`]) or one the policy
    /// declares (an open set, like `channel`).
    pub action: String,
    /// When; the evaluator uses the current time when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<At>,
    /// Who proposes it.
    pub actor: Actor,
    /// Where (an open set: built-in channels plus the policy's declarations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The device used: `agency` (issued by the agency) or `personal`; not
    /// given is neither.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<Device>,
    /// The account used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<Account>,
    /// What is published or sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Content>,
    /// Whom it is aimed at (connect, accept, message, solicit, deal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// What is taken or handed over (export, depart, hand_over): one group of
    /// contacts (`{count: 1200, origin: agency_database}`) or a list of groups
    /// of mixed provenance, each decided on its own (see `Action::group_actions`).
    /// Written back as one object when there is one.
    #[serde(default, deserialize_with = "de_opt_contacts", serialize_with = "ser_opt_one_or_list")]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<super::OneOrSome<Contacts>>")]
    pub contacts: Option<Vec<Contacts>>,
    /// Counters supplied by the caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<History>,
    /// The approvals already obtained: one (`{granted_by: manager}`) or a
    /// list of them (several approvers, a client's or candidate's consent, a
    /// standing approval). Written back as one object when there is one.
    #[serde(default, deserialize_with = "de_opt_approvals", serialize_with = "ser_opt_one_or_list")]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<super::OneOrMany<Approval>>")]
    pub approval: Option<Vec<Approval>>,
    /// When an obligation (such as handing over credentials) was requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Request>,
    /// Content or intellectual property the action is about (depart, export,
    /// hand_over; post and share of something already made): a video, the
    /// member list of a group, recruiting material.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material: Option<Material>,
    /// Duties already performed (`[update_profile, hand_over_credentials]`; one name or a list).
    #[serde(default, deserialize_with = "de_opt_names", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<super::OneOrMany<String>>")]
    pub done: Option<Vec<String>>,
    /// Extra facts the policy declared, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, FactValue>,
}

/// Who proposes the action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// Identifier, quoted in explanations.
    pub id: String,
    /// Role (an open set the policy declares).
    pub role: String,
    /// Team (an open set the policy declares).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Employment status.
    pub status: Status,
    /// First day of employment.
    #[serde(default, deserialize_with = "de_opt_date", serialize_with = "ser_opt_date")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employed_since: Option<Date>,
    /// Last day of employment; required when `status` is `departed`.
    #[serde(default, deserialize_with = "de_opt_date", serialize_with = "ser_opt_date")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub departed_on: Option<Date>,
    /// The place of work: ISO country, optionally with a region (`UK`, `US-CA`), upper case.
    #[serde(default, deserialize_with = "de_opt_jurisdiction", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<super::Jurisdiction>")]
    pub jurisdiction: Option<String>,
    /// The law the employment contract names, when it names one (same codes).
    #[serde(default, deserialize_with = "de_opt_jurisdiction", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<super::Jurisdiction>")]
    pub governing_law: Option<String>,
    /// Whether the actor supervises others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor: Option<bool>,
    /// First day of garden leave.
    #[serde(default, deserialize_with = "de_opt_date", serialize_with = "ser_opt_date")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub garden_leave_from: Option<Date>,
    /// Whether the actor has acknowledged the policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_policy: Option<bool>,
    /// The compensation the contract pays for the non-compete during the
    /// restraint, as a percentage of the last pay (Germany, HGB §74: at least 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub non_compete_compensation_percent: Option<u32>,
    /// Whether the non-compete was agreed in writing (Germany, HGB §74).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub non_compete_in_writing: Option<bool>,
    /// The day the employment contract was signed: under `binds at_contract`
    /// the version of the policy in force that day binds the actor.
    #[serde(default, deserialize_with = "de_opt_date", serialize_with = "ser_opt_date")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_signed_on: Option<Date>,
    /// The day the contract was varied to take the version of the policy in
    /// force that day (a later day than `contract_signed_on`).
    #[serde(default, deserialize_with = "de_opt_date", serialize_with = "ser_opt_date")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_varied_on: Option<Date>,
}

/// The account used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// Personal, branded, corporate or group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AccountKind>,
    /// The handle, such as `@alice_recruits`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// The name it shows, such as `Alice at Brightwater`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The handle as it was on the day employment ended (`actor.departed_on`),
    /// when it has been renamed since: ownership reads this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle_at_departure: Option<String>,
    /// The display name as it was on the day employment ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name_at_departure: Option<String>,
    /// Who created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<Party>,
    /// When it was created.
    #[serde(default, deserialize_with = "de_opt_date", serialize_with = "ser_opt_date")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_on: Option<Date>,
    /// What it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<Purpose>,
    /// Administered as part of the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_duty: Option<bool>,
    /// Run on the agency's equipment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_equipment: Option<bool>,
    /// The agency's brand is in the handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_in_handle: Option<bool>,
    /// The agency has transferred it to the employee in writing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transferred_in_writing: Option<bool>,
    /// Who pays for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_by: Option<Party>,
}

/// What is published or sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Content {
    /// The kinds of content (written as one name or a list), an open set.
    #[serde(default, deserialize_with = "de_opt_kinds", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<super::OneOrMany<String>>")]
    pub kind: Option<Vec<String>>,
    /// The conduct judgements that hold of it ([`Conduct`]; one name or a
    /// list), checked while parsing.
    #[serde(default, deserialize_with = "de_opt_conduct", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<super::OneOrMany<Conduct>>")]
    pub conduct: Option<Vec<String>>,
    /// The text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Names a client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names_client: Option<bool>,
    /// Holds a candidate's personal data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate_personal_data: Option<bool>,
    /// Holds confidential information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidential: Option<bool>,
    /// Says who the actor works for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discloses_employer: Option<bool>,
    /// Says in the post that the views are the author's own, not the employer's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_views_disclaimer: Option<bool>,
    /// Links a privacy notice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_notice: Option<bool>,
    /// Offers an opt-out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opt_out: Option<bool>,
    /// Visible to the public (not only to connections).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public: Option<bool>,
}

/// Whom the action is aimed at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// How the target relates to the actor or agency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<Relationship>,
    /// Met in person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub met_in_person: Option<bool>,
    /// Any prior one-to-one interaction (call, message, meeting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interacted: Option<bool>,
    /// Where the connection came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// Last business dealing by the actor.
    #[serde(default, deserialize_with = "de_opt_date", serialize_with = "ser_opt_date")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_dealt_with: Option<Date>,
    /// When the actor and the target connected.
    #[serde(default, deserialize_with = "de_opt_date", serialize_with = "ser_opt_date")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connected_on: Option<Date>,
    /// Distance in miles (for a non-compete radius).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_miles: Option<u32>,
    /// The target is in the agency's database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_agency_database: Option<bool>,
}

/// What is taken or handed over.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contacts {
    /// How many contacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Where they came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// Counters supplied by the caller (or by the server's log).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct History {
    /// Posts today, before this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posts_today: Option<u32>,
    /// Posts this week, before this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posts_this_week: Option<u32>,
    /// Job ads this week, before this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_ads_this_week: Option<u32>,
    /// Invitations this week, before this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitations_this_week: Option<u32>,
    /// Posts in the last 24 hours (a rolling window), before this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posts_last_24h: Option<u32>,
    /// Every other counter a policy's limits read, by name: `posts_this_month`,
    /// `job_ad_posts_last_7_days`, `posts_today_on_this_channel_excluding_shares`
    /// (each name is built from the counter's parts: see the data model).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty", deserialize_with = "counter_names")]
    #[schemars(with = "BTreeMap<String, u32>")]
    pub counts: BTreeMap<String, u32>,
}

/// `history.counts`, each name checked: a name that is no counter is an
/// error (it would otherwise be read by nothing, and a limit that was meant to
/// read it would decide on "not given").
fn counter_names<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, u32>, D::Error> {
    let counts = BTreeMap::<String, u32>::deserialize(d)?;
    for key in counts.keys() {
        match crate::counter::Counter::from_key(key) {
            Some(c) if c.path().starts_with(crate::counter::COUNTS_PREFIX) => {}
            Some(c) => {
                return Err(serde::de::Error::custom(format!(
                    "`{key}` is carried in its own field: write `{}`",
                    c.path()
                )))
            }
            None => {
                return Err(serde::de::Error::custom(format!(
                    "`{key}` names no counter; a counter is named [KIND_]posts_ or invitations_, then today, this_week, this_month, last_24h or last_N_days, then optionally _on_this_channel and _excluding_shares (posts only), as in `job_ad_posts_last_7_days_on_this_channel`"
                )))
            }
        }
    }
    Ok(counts)
}

/// An approval already obtained. Whether it counts for an action (its date,
/// its end, its scope) is [`crate::semantics::approval_counts`]'s to say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// Who gave it: a role, or an external party (`client`, `candidate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granted_by: Option<String>,
    /// Who recorded it, when not the one who gave it (a consultant recording
    /// a candidate's consent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_by: Option<String>,
    /// The day it was given. Required for an external party's consent; an
    /// approval given after the action's day does not count for it.
    #[serde(default, deserialize_with = "de_opt_date", serialize_with = "ser_opt_date")]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Date>")]
    pub given_on: Option<Date>,
    /// A standing approval: it counts up to and including this day.
    #[serde(default, deserialize_with = "de_opt_date", serialize_with = "ser_opt_date")]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Date>")]
    pub until: Option<Date>,
    /// A standing approval's scope: the channels it covers (none given: every channel).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
}

impl Approval {
    /// A plain approval by `role`: no date, no end, every channel.
    pub fn by(role: impl Into<String>) -> Approval {
        Approval { granted_by: Some(role.into()), ..Approval::default() }
    }
}

/// Reads a part written as one object or a list of them (`approval`,
/// `contacts`): `what` is what was expected, in words; `empty`, when given,
/// refuses an empty list with this message and help.
struct OneOrList<T> {
    what: &'static str,
    empty: Option<(&'static str, &'static str)>,
    item: std::marker::PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for OneOrList<T> {
    type Value = Option<Vec<T>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|a| Some(vec![a]))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let items = Vec::<T>::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        match self.empty {
            Some((message, help)) if items.is_empty() => Err(de::Error::custom(error::message(message, Some(help)))),
            _ => Ok(Some(items)),
        }
    }
}

/// Reads `approval`: one approval object or a list of them.
fn de_opt_approvals<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<Approval>>, D::Error> {
    let what = "an approval (`{granted_by: ROLE}`) or a list of approvals";
    deserializer.deserialize_any(OneOrList { what, empty: None, item: std::marker::PhantomData })
}

/// Reads `contacts`: one group (an object) or a non-empty list of groups.
/// An empty list is an error (`contacts: ...`), never an action about nothing.
fn de_opt_contacts<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<Contacts>>, D::Error> {
    let what = "a group of contacts (`{count: 120, origin: employment}`) or a list of groups";
    let empty = (
        "an empty list of contact groups: an action about no contacts cannot be decided",
        "give one group (`{count: 120, origin: employment}`) or a list of one group or more, or leave `contacts` out",
    );
    deserializer.deserialize_any(OneOrList { what, empty: Some(empty), item: std::marker::PhantomData })
}

/// Writes a part back as it is usually written (`approval`, `contacts`): one
/// object when there is one.
fn ser_opt_one_or_list<S: serde::Serializer, T: Serialize>(v: &Option<Vec<T>>, s: S) -> Result<S::Ok, S::Error> {
    match v.as_deref() {
        Some([one]) => one.serialize(s),
        Some(list) => list.serialize(s),
        None => s.serialize_none(),
    }
}

/// A request to perform an obligation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// When it was made.
    #[serde(default, deserialize_with = "de_opt_date", serialize_with = "ser_opt_date")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub made_on: Option<Date>,
}

/// Content or intellectual property made or gathered at work: what it is,
/// when, for whom and by whom it was made. Who owns it is the policy's
/// `ownership` section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Material {
    /// What it is: `post`, `article`, `video`, `blog`, `group_members`, `recruiting_material`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<MaterialKind>,
    /// The day it was made (compared with the employment dates).
    #[serde(default, deserialize_with = "de_opt_date", serialize_with = "ser_opt_date")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub made_on: Option<Date>,
    /// For whom: `agency` (in the course of the job) or `employee` (privately, in their own time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made_for: Option<Party>,
    /// Who made it: `employee` or `agency` (the agency's own staff).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<Party>,
    /// Made on the agency's equipment or time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_equipment: Option<bool>,
}

/// The value of a declared fact as written: a YAML or JSON scalar, or a list of names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum FactValue {
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A text (also dates, percentages such as `30%` and names, until a type says which).
    Text(String),
    /// A list of names.
    List(Vec<String>),
}

impl FactValue {
    /// The value without a declared type: text stays [`Value::Text`].
    pub fn to_value(&self) -> Value {
        match self {
            FactValue::Bool(b) => Value::Bool(*b),
            FactValue::Int(i) => Value::Int(*i),
            FactValue::Text(t) => Value::Text(t.clone()),
            FactValue::List(l) => Value::List(l.clone()),
        }
    }

    /// The value as the declared type reads it, or `None` when it is not one:
    /// text becomes a [`Value::Symbol`] for an enum, a date, a timestamp, or a
    /// percentage (`30%` or `30`) as the type says.
    pub fn typed(&self, ty: &Type) -> Option<Value> {
        match (ty, self) {
            (Type::Bool, FactValue::Bool(b)) => Some(Value::Bool(*b)),
            (Type::Int, FactValue::Int(i)) => Some(Value::Int(*i)),
            (Type::Percent, FactValue::Int(i)) => Some(Value::Percent(*i)),
            (Type::Percent, FactValue::Text(t)) => {
                t.trim().strip_suffix('%').and_then(|n| n.trim().parse().ok()).map(Value::Percent)
            }
            (Type::Date, FactValue::Text(t)) => super::parse_date(t).ok().map(Value::Date),
            (Type::Timestamp, FactValue::Text(t)) => super::parse_at(t).ok().map(At::to_value),
            (Type::Text, FactValue::Text(t)) => Some(Value::Text(t.clone())),
            (Type::Enum(_), FactValue::Text(t)) => Some(Value::Symbol(t.clone())),
            (Type::EnumList(_), FactValue::List(l)) => Some(Value::List(l.clone())),
            (Type::EnumList(_), FactValue::Text(t)) => Some(Value::List(vec![t.clone()])),
            _ => None,
        }
    }

    /// How the value was written, for error messages.
    fn describe(&self) -> String {
        match self {
            FactValue::Bool(b) => b.to_string(),
            FactValue::Int(i) => i.to_string(),
            FactValue::Text(t) => format!("{t:?}"),
            FactValue::List(l) => format!("[{}]", l.join(", ")),
        }
    }
}

impl<'de> Deserialize<'de> for FactValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FactVisitor;
        const EXPECTED: &str = "expected true or false, a whole number, a text or a list of names";
        impl<'de> Visitor<'de> for FactVisitor {
            type Value = FactValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("true or false, a whole number, a text or a list of names")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<FactValue, E> {
                Ok(FactValue::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<FactValue, E> {
                Ok(FactValue::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<FactValue, E> {
                i64::try_from(v)
                    .map(FactValue::Int)
                    .map_err(|_| E::custom(error::message(&format!("the number {v} is too large"), None)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<FactValue, E> {
                Err(E::custom(error::message(&format!("{EXPECTED}; found {v}"), None)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FactValue, E> {
                Ok(FactValue::Text(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<FactValue, E> {
                Err(E::custom(error::message(&format!("{EXPECTED}; found nothing (null)"), None)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FactValue, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<String>()? {
                    items.push(item);
                }
                Ok(FactValue::List(items))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<FactValue, A::Error> {
                Err(de::Error::custom(error::message(&format!("{EXPECTED}; found a mapping"), None)))
            }
        }
        deserializer.deserialize_any(FactVisitor)
    }
}

/// Serde `deserialize_with` for `content.kind`: one name or a list of names.
fn de_opt_kinds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<String>>, D::Error> {
    deserializer.deserialize_any(NamesVisitor("a content kind or a list of content kinds"))
}

/// Serde `deserialize_with` for `done`: one name or a list of names.
fn de_opt_conduct<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<String>>, D::Error> {
    let names = de_opt_names(deserializer)?;
    if let Some(bad) = names.iter().flatten().find(|n| Conduct::from_name(n).is_none()) {
        return Err(de::Error::custom(error::one_of_message(Conduct::NAMES, bad)));
    }
    Ok(names)
}

fn de_opt_names<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<String>>, D::Error> {
    deserializer.deserialize_any(NamesVisitor("a name or a list of names"))
}

/// Reads one name or a list of names; the text says what was expected.
struct NamesVisitor(&'static str);

impl<'de> Visitor<'de> for NamesVisitor {
    type Value = Option<Vec<String>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(vec![v.to_string()]))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut names = Vec::new();
        while let Some(name) = seq.next_element::<String>()? {
            names.push(name);
        }
        Ok(Some(names))
    }
}

// ---------------------------------------------------------------------------
// Fact paths

/// Every fact path an action can carry, except `facts.NAME` (declared by
/// policies): `action`, `at`, `channel`, then the fields of each part, and
/// `done` — each with its type, derived from the one field table
/// ([`crate::data::flat::Field`]).
static KNOWN_PATHS: LazyLock<Vec<(&'static str, Type)>> = LazyLock::new(|| {
    use crate::data::flat::Field;
    let typed = |f: &Field| f.ty().map(|t| (f.path(), t));
    let mut out: Vec<(&'static str, Type)> = Vec::new();
    out.extend(typed(&Field::Action));
    out.push(("at", Type::Timestamp));
    out.extend(crate::facts::AtPart::ALL.iter().map(|p| (p.path(), p.ty())));
    out.extend(typed(&Field::Channel));
    out.extend(
        Field::ALL.iter().filter(|f| !matches!(f, Field::Action | Field::Channel | Field::Done)).filter_map(typed),
    );
    out.extend(typed(&Field::Done));
    out
});

impl Action {
    /// Every fact path an action can carry, with its type, in the order of the
    /// data model. `facts.NAME` paths are not listed: policies declare them.
    ///
    /// Enum sets are named `action`, `channel`, `role`, `team`, `status`,
    /// `jurisdiction`, `account kind`, `party`, `purpose`, `relationship`,
    /// `origin`; list sets `content kind` and `duty`.
    pub fn known_paths() -> &'static [(&'static str, Type)] {
        KNOWN_PATHS.as_slice()
    }

    /// The type of a fact path, `None` for `facts.*` and unknown paths.
    pub fn path_type(path: &str) -> Option<Type> {
        use crate::data::flat::Field;
        match path {
            "at" => Some(Type::Timestamp),
            _ => match crate::facts::AtPart::of_path(path) {
                Some(p) => Some(p.ty()),
                None => Field::of_path(path).and_then(Field::ty).or_else(|| {
                    // A counter of `history.counts` has a counter's type.
                    crate::counter::Counter::from_path(path).and_then(|_| Field::HistoryPostsToday.ty())
                }),
            },
        }
    }

    /// The one group of contacts whose facts (`contacts.count`,
    /// `contacts.origin`) a clause reads: `None` when the action names no
    /// contacts, and also when it names several groups. A many-group action is
    /// decided group by group ([`Action::group_actions`]), never as a whole:
    /// read as a whole, its contacts' facts are not given (unknown), so it is
    /// never allowed by accident.
    pub fn contact_group(&self) -> Option<&Contacts> {
        match self.contacts.as_deref() {
            Some([one]) => Some(one),
            _ => None,
        }
    }

    /// An action about several groups of contacts (`contacts: [..., ...]`)
    /// split into one action per group, in the order given, each the same
    /// action with `contacts` that one group; `None` for an action with one
    /// group or none (it is decided as it is).
    pub fn group_actions(&self) -> Option<Vec<Action>> {
        let groups = self.contacts.as_deref().filter(|g| g.len() > 1)?;
        let mut rest = self.clone();
        rest.contacts = None;
        Some(
            groups
                .iter()
                .map(|g| {
                    let mut one = rest.clone();
                    one.contacts = Some(vec![g.clone()]);
                    one
                })
                .collect(),
        )
    }

    /// A counter of `history.counts` by name, when given.
    pub fn counter(&self, key: &str) -> Option<u32> {
        self.history.as_ref().and_then(|h| h.counts.get(key)).copied()
    }

    /// The fact at a dotted path as policies write it (`actor.role`,
    /// `content.kind`, `facts.mentions_competitor`), or `None` when the action
    /// does not carry it.
    ///
    /// Enum values are [`Value::Symbol`], `content.kind` and `done` are
    /// [`Value::List`], dates are [`Value::Date`], counts [`Value::Int`], flags
    /// [`Value::Bool`], `actor.id`, `account.handle` and `content.text`
    /// [`Value::Text`]. `at` is [`Value::Timestamp`], or [`Value::Date`] when
    /// only a date was given. A declared fact comes back untyped (see
    /// [`FactValue::to_value`]); use [`Action::fact_typed`] with its declared type.
    pub fn fact(&self, path: &str) -> Option<Value> {
        use crate::data::flat::{ActionFacts, Field};
        match path {
            "at" => self.at.map(At::to_value),
            _ => match path.strip_prefix("facts.") {
                Some(name) => self.facts.get(name).map(FactValue::to_value),
                None => match path.strip_prefix(crate::counter::COUNTS_PREFIX) {
                    Some(key) => self.counter(key).map(|n| Value::Int(i64::from(n))),
                    // A part's name alone is not a fact of this reading.
                    None => Field::of_path(path).filter(|f| f.ty().is_some()).and_then(|f| self.field(f).to_value()),
                },
            },
        }
    }

    /// Like [`Action::fact`], but a declared fact (`facts.NAME`) is read as
    /// `ty` (see [`FactValue::typed`]); `None` also when it is not of that type.
    pub fn fact_typed(&self, path: &str, ty: &Type) -> Option<Value> {
        match path.strip_prefix("facts.") {
            Some(name) => self.facts.get(name).and_then(|v| v.typed(ty)),
            None => self.fact(path),
        }
    }
}

// ---------------------------------------------------------------------------
// Parsing

/// Parses one action from YAML, or JSON when `file` ends in `.json`.
pub fn parse_action(text: &str, file: &str) -> Result<Action, DataError> {
    let action: Action = super::parse_document(text, file)?;
    match validate(&action) {
        Some(invalid) => Err(invalid.into_error(file, text)),
        None => Ok(action),
    }
}

/// Parses one line of a JSON Lines batch. The error has the column and the
/// field path but no file or line: the batch knows them ([`DataError::at_line`]).
pub fn parse_action_json_line(line: &str) -> Result<Action, DataError> {
    // An action is an object: serde would also read a JSON array, field by field in
    // declaration order (`["post", null, {...}]`), which no caller means.
    if line.trim_start().starts_with('[') {
        return Err(DataError::new("", "an action is a JSON object (`{\"action\": ...}`), not an array"));
    }
    // The fast path skips path tracking; a bad line is parsed again for the error.
    let action: Action = match serde_json::from_str(line) {
        Ok(action) => action,
        Err(_) => {
            let mut de = serde_json::Deserializer::from_str(line);
            let result: Result<Action, _> = serde_path_to_error::deserialize(&mut de);
            let error = match result {
                Err(err) => error::from_json("", &err),
                Ok(_) => match de.end() {
                    Err(err) => error::from_json_plain("", &err),
                    Ok(()) => DataError::new("", "invalid JSON"),
                },
            };
            return Err(without_line(error));
        }
    };
    match validate(&action) {
        Some(invalid) => {
            let mut error = without_line(invalid.into_error("line.json", line));
            error.file = Box::default();
            Err(error)
        }
        None => Ok(action),
    }
}

fn without_line(mut error: DataError) -> DataError {
    error.line = None;
    error
}

/// Cross-field rules of the data model that serde cannot express.
pub(super) fn validate(action: &Action) -> Option<Invalid> {
    if action.actor.status == Status::Departed && action.actor.departed_on.is_none() {
        return Some(Invalid {
            path: "actor.departed_on".to_string(),
            at: "actor.status".to_string(),
            message: "missing required field".to_string(),
            help: Some("`departed_on` is required when `status` is `departed`".to_string()),
        });
    }
    None
}

// ---------------------------------------------------------------------------
// Open sets

/// Checks the open-set values of an action against a policy's declarations:
/// `action` against the built-in and declared actions, `actor.role` and
/// `approval.granted_by` against the roles, `actor.team` against the teams
/// (each only when the policy declares any), `channel` and `content.kind`
/// against the built-ins plus the declared channels and content kinds, and
/// every `facts.NAME` against the declared facts (unknown names and values
/// not of the declared type).
///
/// The errors have a path but no file or position: [`DataError::locate`] adds them.
pub fn check_open_values(action: &Action, decls: &crate::policy::Declarations) -> Vec<DataError> {
    let crate::policy::Declarations { roles, teams, channels, content_kinds, actions, facts, .. } = decls;
    let mut errors = Vec::new();
    let e = &mut errors;
    check_one(e, || "action".into(), "action", "actions", &action.action, ActionKind::NAMES, actions);
    if !roles.is_empty() {
        check_one(e, || "actor.role".into(), "role", "roles", &action.actor.role, &[], roles);
        let approvals = action.approval.as_deref().unwrap_or_default();
        let single = approvals.len() == 1;
        for (i, a) in approvals.iter().enumerate() {
            let at = |field: &str| if single { format!("approval.{field}") } else { format!("approval[{i}].{field}") };
            // An external party (the client, the candidate) is no role of the agency's.
            if let Some(by) = a.granted_by.as_deref().filter(|b| !crate::semantics::is_external_party(b)) {
                check_one(e, || at("granted_by"), "role", "roles", by, &[], roles);
            }
            if let Some(by) = a.recorded_by.as_deref() {
                check_one(e, || at("recorded_by"), "role", "roles", by, &[], roles);
            }
        }
    }
    for (i, a) in action.approval.as_deref().unwrap_or_default().iter().enumerate() {
        let single = action.approval.as_deref().is_some_and(|l| l.len() == 1);
        for c in &a.channels {
            let at = || if single { "approval.channels".to_string() } else { format!("approval[{i}].channels") };
            check_one(e, at, "channel", "channels", c, BUILTIN_CHANNELS, channels);
        }
    }
    if let (false, Some(team)) = (teams.is_empty(), action.actor.team.as_deref()) {
        check_one(e, || "actor.team".into(), "team", "teams", team, &[], teams);
    }
    if let Some(channel) = action.channel.as_deref() {
        check_one(e, || "channel".into(), "channel", "channels", channel, BUILTIN_CHANNELS, channels);
    }
    if let Some(kinds) = action.content.as_ref().and_then(|c| c.kind.as_ref()) {
        let single = kinds.len() == 1;
        for (i, kind) in kinds.iter().enumerate() {
            let path = || if single { "content.kind".to_string() } else { format!("content.kind[{i}]") };
            check_one(e, path, "content kind", "content kinds", kind, BUILTIN_CONTENT_KINDS, content_kinds);
        }
    }
    for (name, value) in &action.facts {
        let path = format!("facts.{name}");
        match facts.get(name) {
            None => {
                let names: Vec<&str> = facts.keys().map(String::as_str).collect();
                let help = match error::suggest(name, names.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if names.is_empty() => "the policy declares no facts".to_string(),
                    None => format!("declared facts: {}", names.join(", ")),
                };
                errors.push(DataError::new(path, format!("unknown fact `{name}`")).with_help(Some(help)));
            }
            Some(ty) if value.typed(ty).is_none() => {
                errors.push(DataError::new(path, format!("expected {ty}; found {}", value.describe())));
            }
            Some(_) => {}
        }
    }
    errors
}

/// Whether `value` is one of `builtins` or of the policy's `declared` values;
/// if not, the error (the known values listed only then: this runs for every
/// action decided).
fn check_one(
    errors: &mut Vec<DataError>,
    path: impl FnOnce() -> String,
    what: &str,
    plural: &str,
    value: &str,
    builtins: &[&str],
    declared: &[String],
) {
    if builtins.contains(&value) || declared.iter().any(|d| d == value) {
        return;
    }
    let mut known = builtins.to_vec();
    known.extend(declared.iter().map(String::as_str).filter(|d| !builtins.contains(d)));
    errors.push(unknown(path(), what, plural, value, &known));
}

/// `unknown role "consulant"` with `did you mean "consultant"?` or the known values.
fn unknown(path: String, what: &str, plural: &str, value: &str, known: &[&str]) -> DataError {
    let help = match error::suggest(value, known.iter().copied()) {
        Some(s) => format!("did you mean {s:?}?"),
        None => format!("known {plural}: {}", known.join(", ")),
    };
    DataError::new(path, format!("unknown {what} {value:?}")).with_help(Some(help))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `/v1/decide` body fuzzer: an array was read field by field
    /// (`["", null, {}]` as `action`, `at`, `actor`) and its error named `[2].id`.
    #[test]
    fn an_action_given_as_an_array_is_refused_as_such() {
        let e = parse_action_json_line(r#"["post", null, {"id": "a", "role": "consultant", "status": "employed"}]"#)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("an action is a JSON object"), "{e}");
        assert!(parse_action_json_line(
            r#" {"action":"post","actor":{"id":"a","role":"consultant","status":"employed"}}"#
        )
        .is_ok());
    }

    /// Read as a whole (as no engine does: they decide group by group), an
    /// action about several groups of contacts does not give the contacts'
    /// facts, so no clause can apply to it by accident; one group written as
    /// a list of one is that group.
    #[test]
    fn several_groups_give_no_contacts_facts_as_a_whole() {
        let line = |contacts: &str| {
            format!(
                r#"{{"action":"export","actor":{{"id":"a","role":"r","status":"employed"}},"contacts":{contacts}}}"#
            )
        };
        let many = parse_action_json_line(&line(
            r#"[{"count":8,"origin":"agency_database"},{"count":3,"origin":"before_employment"}]"#,
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(many.contact_group(), None);
        assert_eq!(many.fact("contacts.origin"), None);
        assert_eq!(many.fact("contacts.count"), None);
        let groups = many.group_actions().unwrap_or_default();
        assert_eq!(groups.len(), 2);
        assert_eq!(groups.get(1).and_then(|g| g.fact("contacts.origin")), Some(sym("before_employment")));
        let one = parse_action_json_line(&line(r#"[{"count":8,"origin":"agency_database"}]"#))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(one.group_actions().is_none());
        assert_eq!(one.fact("contacts.origin"), Some(sym("agency_database")));
        assert_eq!(
            serde_json::to_value(&one).ok().map(|v| v["contacts"].clone()),
            Some(serde_json::json!({"count": 8, "origin": "agency_database"}))
        );
    }

    fn sym(name: &str) -> Value {
        Value::Symbol(name.to_string())
    }
    use jiff::civil::date as d;

    /// The full example of `shared/design/data-model.md`.
    const FULL: &str = r#"
action: post            # post | share | comment | connect | accept | message |
                        # solicit | deal | export | depart | hand_over | create_account
at: 2026-03-14T10:05:00Z      # when; needed for covenant windows (defaults to now)
actor:
  id: alice
  role: consultant            # policies declare their roles (consultant, manager, marketing, ...)
  team: recruiting            # optional: recruiting | marketing | ... (declared)
  status: employed            # employed | on_notice | garden_leave | departed
  employed_since: 2023-01-09
  departed_on: 2026-01-31     # required when status is departed
channel: twitter              # twitter | linkedin | facebook | youtube | instagram | tiktok |
                              # blog | corporate_site | email | phone (policies may declare more)
account:
  kind: personal              # personal | branded | corporate | group
  handle: "@alice_recruits"
  created_by: employee        # employee | agency
  created_on: 2019-05-02
  purpose: business           # business | personal | mixed
  run_as_duty: false          # administered as part of the job
  agency_equipment: false
  brand_in_handle: false
content:
  kind: job_ad                # job_ad | industry | personal | brand | viral | announcement | ...
                              # or a list, when a post is several kinds at once: [job_ad, client_mention]
  text: "Senior Java dev, London, £80k"   # optional
  names_client: false
  candidate_personal_data: false
  confidential: false
  discloses_employer: true
target:                       # for connect, accept, message, solicit, deal
  relationship: client        # client | candidate | colleague | competitor_staff | personal | prospect | unknown
  met_in_person: false
  interacted: true            # any prior one-to-one interaction (call, message, meeting)
  origin: employment          # before_employment | employment | agency_database
  last_dealt_with: 2025-11-02 # last business dealing by the actor, if any
contacts:                     # for export, depart, hand_over: what is taken or handed over
  count: 1200
  origin: agency_database
history:                      # counters supplied by the caller (or by the server's log)
  posts_today: 9
  posts_this_week: 40
  job_ads_this_week: 12
  invitations_this_week: 30
approval:
  granted_by: manager         # an approval already obtained, if any
facts:                        # extra facts that the policy declared, by name
  mentions_competitor: false
"#;

    fn err(text: &str) -> String {
        parse_action(text, "a.yaml").unwrap_err().to_string()
    }

    #[test]
    fn the_full_example_parses() {
        let a = parse_action(FULL, "a.yaml").unwrap();
        assert_eq!(a.action, ActionKind::Post.as_str());
        assert_eq!(a.at, Some(At::Timestamp("2026-03-14T10:05:00Z".parse().unwrap())));
        assert_eq!(a.actor.status, Status::Employed);
        assert_eq!(a.actor.departed_on, Some(d(2026, 1, 31)));
        assert_eq!(a.account.as_ref().and_then(|a| a.handle.as_deref()), Some("@alice_recruits"));
        assert_eq!(a.fact("action"), Some(sym("post")));
        assert_eq!(a.fact("channel"), Some(sym("twitter")));
        assert_eq!(a.fact("actor.role"), Some(sym("consultant")));
        assert_eq!(a.fact("actor.employed_since"), Some(Value::Date(d(2023, 1, 9))));
        assert_eq!(a.fact("content.kind"), Some(Value::List(vec!["job_ad".into()])));
        assert_eq!(a.fact("content.text"), Some(Value::Text("Senior Java dev, London, £80k".into())));
        assert_eq!(a.fact("target.relationship"), Some(sym("client")));
        assert_eq!(a.fact("contacts.count"), Some(Value::Int(1200)));
        assert_eq!(a.fact("contacts.origin"), Some(sym("agency_database")));
        assert_eq!(a.fact("history.posts_today"), Some(Value::Int(9)));
        assert_eq!(a.fact("approval.granted_by"), Some(sym("manager")));
        assert_eq!(a.fact("facts.mentions_competitor"), Some(Value::Bool(false)));
        assert!(matches!(a.fact("at"), Some(Value::Timestamp(_))));
        assert_eq!(a.fact("request.made_on"), None);
        assert_eq!(a.fact("done"), None);
        assert_eq!(a.fact("actor.nonsense"), None);
        assert_eq!(a.fact("facts.undeclared"), None);
        // The same action as JSON, written back and read again.
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(parse_action(&json, "a.json").unwrap(), a);
        assert_eq!(parse_action_json_line(&json).unwrap(), a);
    }

    #[test]
    fn every_known_path_is_read() {
        let yaml = r#"
action: compete
at: 2026-03-14
actor: {id: a, role: manager, team: ops, status: garden_leave, employed_since: 2020-01-01, departed_on: 2026-06-01,
        jurisdiction: us-ca, governing_law: us-ny, supervisor: true, garden_leave_from: 2026-03-01, acknowledged_policy: true,
        non_compete_compensation_percent: 50, non_compete_in_writing: true, contract_signed_on: 2019-12-02,
        contract_varied_on: 2024-01-05}
channel: linkedin
device: agency
account: {kind: branded, handle: h, display_name: H, handle_at_departure: h0, display_name_at_departure: H0,
          created_by: agency, created_on: 2021-01-01, purpose: mixed, run_as_duty: true, agency_equipment: true, brand_in_handle: true,
          transferred_in_writing: false, paid_by: agency}
content: {kind: [job_ad, client_mention], conduct: [political, endorsement], text: t, names_client: true, candidate_personal_data: false,
          confidential: false, discloses_employer: true, own_views_disclaimer: true, privacy_notice: true, opt_out: false, public: true}
target: {relationship: contract_worker, met_in_person: true, interacted: false, origin: before_employment,
         last_dealt_with: 2025-01-01, connected_on: 2024-01-01, distance_miles: 4, in_agency_database: true}
contacts: {count: 3, origin: employment}
history: {posts_today: 1, posts_this_week: 2, job_ads_this_week: 3, invitations_this_week: 4, posts_last_24h: 5}
approval: {granted_by: marketing}
request: {made_on: 2026-03-10}
material: {kind: group_members, made_on: 2024-05-01, made_for: agency, created_by: employee, agency_equipment: true}
done: [update_profile, hand_over_credentials]
facts: {share: "30%", sector: tech, since: 2024-02-03, tags: [a, b], n: 7}
"#;
        let a = parse_action(yaml, "a.yaml").unwrap();
        // What is read from `at` needs the policy's timezone: `facts::AtPart` reads it (tested there).
        let own = Action::known_paths().iter().filter(|(p, _)| crate::facts::AtPart::of_path(p).is_none());
        for (path, ty) in own {
            let value = a.fact(path).unwrap_or_else(|| panic!("{path} missing"));
            let ok = matches!(
                (ty, &value),
                (Type::Bool, Value::Bool(_))
                    | (Type::Int, Value::Int(_))
                    | (Type::Date, Value::Date(_))
                    | (Type::Timestamp, Value::Timestamp(_) | Value::Date(_))
                    | (Type::Text, Value::Text(_))
                    | (Type::Enum(_), Value::Symbol(_))
                    | (Type::EnumList(_), Value::List(_))
            );
            assert!(ok, "{path}: {ty:?} vs {value:?}");
        }
        assert_eq!(a.fact("at"), Some(Value::Date(d(2026, 3, 14))));
        assert_eq!(a.fact("actor.jurisdiction"), Some(sym("US-CA")));
        assert_eq!(a.fact("content.kind"), Some(Value::List(vec!["job_ad".into(), "client_mention".into()])));
        assert_eq!(a.fact("done"), Some(Value::List(vec!["update_profile".into(), "hand_over_credentials".into()])));
        assert_eq!(a.fact("facts.sector"), Some(Value::Text("tech".into())));
        assert_eq!(a.fact_typed("facts.sector", &Type::Enum("sector".into())), Some(sym("tech")));
        assert_eq!(a.fact_typed("facts.share", &Type::Percent), Some(Value::Percent(30)));
        assert_eq!(a.fact_typed("facts.since", &Type::Date), Some(Value::Date(d(2024, 2, 3))));
        assert_eq!(a.fact_typed("facts.n", &Type::Date), None);
        assert_eq!(
            a.fact_typed("facts.tags", &Type::EnumList("tag".into())),
            Some(Value::List(vec!["a".into(), "b".into()]))
        );
        assert_eq!(Action::path_type("content.kind"), Some(Type::EnumList("content kind".into())));
        assert_eq!(Action::path_type("facts.n"), None);
    }

    #[test]
    fn unknown_fields_are_named_with_a_suggestion() {
        let e = parse_action("action: post\nactor:\n  id: a\n  rol: consultant\n  status: employed\n", "a.yaml")
            .unwrap_err();
        assert_eq!((e.path.as_str(), e.line, e.column), ("actor.rol", Some(4), Some(3)));
        insta::assert_snapshot!(e, @"a.yaml:4:3: actor.rol: unknown field; did you mean `role`?");
        insta::assert_snapshot!(err("action: post\nactor: {id: a, role: r, status: employed}\nchanel: twitter\n"),
            @"a.yaml:3:1: chanel: unknown field; did you mean `channel`?");
        insta::assert_snapshot!(err("action: post\nactor: {id: a, role: r, status: employed}\nzzz: 1\n"),
            @"a.yaml:3:1: zzz: unknown field; expected one of action, at, actor, channel, device, account, content, target, contacts, history, approval, request, material, done, facts");
    }

    #[test]
    fn bad_enum_values_list_the_allowed_ones() {
        let e = parse_action("action: post\nactor:\n  id: a\n  role: r\n  status: left\n", "a.yaml").unwrap_err();
        assert_eq!(e.path, "actor.status");
        assert_eq!(e.help, None);
        insta::assert_snapshot!(e, @r#"a.yaml:5:11: actor.status: expected one of employed, on_notice, garden_leave, departed; found "left""#);
        insta::assert_snapshot!(err("action: post\nactor: {id: a, role: r, status: on-notice}\n"),
            @r#"a.yaml:2:33: actor.status: expected one of employed, on_notice, garden_leave, departed; found "on-notice"; did you mean "on_notice"?"#);
        let e = parse_action(
            "action: connect\nactor: {id: a, role: r, status: employed}\ntarget: {relationship: friend}\n",
            "a.yaml",
        )
        .unwrap_err();
        assert_eq!(e.path, "target.relationship");
    }

    #[test]
    fn bad_dates_and_types_say_what_was_expected() {
        insta::assert_snapshot!(err("action: post\nactor: {id: a, role: r, status: employed, employed_since: 2023-13-01}\n"),
            @r#"a.yaml:2:59: actor.employed_since: expected a date such as `2026-03-14`; found "2023-13-01""#);
        insta::assert_snapshot!(err("action: post\nat: 2026-03-14T10:05:00\nactor: {id: a, role: r, status: employed}\n"),
            @r#"a.yaml:2:5: at: expected a date such as `2026-03-14` or a time such as `2026-03-14T10:05:00Z`; found "2026-03-14T10:05:00"; a time needs an offset: write `2026-03-14T10:05:00Z` for UTC"#);
        insta::assert_snapshot!(err("action: post\nactor: {id: a, role: r, status: employed}\nhistory: {posts_today: -1}\n"),
            @"a.yaml:3:24: history.posts_today: expected a whole number from 0 to 4294967295; found -1");
        insta::assert_snapshot!(err("action: post\nactor: {id: a, role: r, status: employed}\ncontent: {confidential: maybe}\n"),
            @r#"a.yaml:3:25: content.confidential: expected true or false; found "maybe""#);
        insta::assert_snapshot!(err("action: post\nactor: {id: a, status: employed}\n"),
            @"a.yaml:2:8: actor.role: missing required field");
        insta::assert_snapshot!(err("action: post\nactor:\n  id: a\n  - x\n"),
            @"a.yaml:4:3: invalid YAML: did not find expected key, while parsing a block mapping at line 3 column 3");
        insta::assert_snapshot!(err("action: post\nactor: {id: a, role: r, status: employed, jurisdiction: United Kingdom}\n"),
            @r#"a.yaml:2:57: actor.jurisdiction: expected a country code such as `UK`, optionally with a region such as `US-CA`; found "United Kingdom""#);
        insta::assert_snapshot!(err("action: post\nactor: {id: a, role: r, status: employed}\nfacts: {x: {y: 1}}\n"),
            @"a.yaml:3:12: facts.x: expected true or false, a whole number, a text or a list of names; found a mapping");
        insta::assert_snapshot!(err(""), @"a.yaml:1:1: action: missing required field");
    }

    #[test]
    fn departed_needs_departed_on() {
        let text = "action: solicit\nactor:\n  id: a\n  role: r\n  status: departed\n";
        let e = parse_action(text, "a.yaml").unwrap_err();
        assert_eq!(e.path, "actor.departed_on");
        insta::assert_snapshot!(e, @"a.yaml:5:11: actor.departed_on: missing required field; `departed_on` is required when `status` is `departed`");
        let ok = "action: solicit\nactor: {id: a, role: r, status: departed, departed_on: 2026-01-31}\n";
        assert!(parse_action(ok, "a.yaml").is_ok());
    }

    #[test]
    fn done_is_one_name_or_a_list() {
        let head = "action: hand_over\nactor: {id: a, role: r, status: on_notice}\n";
        let one = parse_action(&format!("{head}done: update_profile\n"), "a").unwrap();
        assert_eq!(one.fact("done"), Some(Value::List(vec!["update_profile".into()])));
        let none = parse_action(&format!("{head}done: []\n"), "a").unwrap();
        assert_eq!(none.fact("done"), Some(Value::List(vec![])));
    }

    #[test]
    fn content_kind_is_one_name_or_a_list() {
        let one =
            parse_action("action: post\nactor: {id: a, role: r, status: employed}\ncontent: {kind: job_ad}\n", "a")
                .unwrap();
        assert_eq!(one.fact("content.kind"), Some(Value::List(vec!["job_ad".into()])));
        let two = parse_action(
            "action: post\nactor: {id: a, role: r, status: employed}\ncontent:\n  kind: [job_ad, client_mention]\n",
            "a",
        )
        .unwrap();
        assert_eq!(two.content.and_then(|c| c.kind), Some(vec!["job_ad".to_string(), "client_mention".to_string()]));
        insta::assert_snapshot!(err("action: post\nactor: {id: a, role: r, status: employed}\ncontent: {kind: {a: 1}}\n"),
            @"a.yaml:3:17: content.kind: expected a content kind or a list of content kinds; found a mapping");
    }

    #[test]
    fn json_files_and_lines_carry_columns() {
        let line = r#"{"action": "post", "actor": {"id": "a", "role": "r", "status": "left"}}"#;
        let e = parse_action_json_line(line).unwrap_err();
        assert_eq!((e.path.as_str(), e.line, e.column), ("actor.status", None, Some(69)));
        insta::assert_snapshot!(e, @r#"column 69: actor.status: expected one of employed, on_notice, garden_leave, departed; found "left""#);
        insta::assert_snapshot!(e.at_line("batch.jsonl", 7), @r#"batch.jsonl:7:69: actor.status: expected one of employed, on_notice, garden_leave, departed; found "left""#);
        let e = parse_action_json_line(
            r#"{"action": "post", "actor": {"id": "a", "role": "r", "status": "employed"}, "histroy": {}}"#,
        )
        .unwrap_err();
        insta::assert_snapshot!(e, @"column 85: histroy: unknown field; did you mean `history`?");
        let e = parse_action_json_line(r#"{"action": "post", "#).unwrap_err();
        insta::assert_snapshot!(e, @"column 19: invalid JSON: unexpected end of input while parsing a value");
        let e =
            parse_action_json_line(r#"{"action": "post", "actor": {"id": "a", "role": "r", "status": "departed"}}"#)
                .unwrap_err();
        assert_eq!((e.path.as_str(), &*e.file, e.line, e.column), ("actor.departed_on", "", None, Some(73)));
        let e = parse_action(
            "{\n  \"action\": \"post\",\n  \"actor\": {\"id\": \"a\", \"role\": 5, \"status\": \"employed\"}\n}",
            "a.json",
        )
        .unwrap_err();
        insta::assert_snapshot!(e, @"a.json:3:32: actor.role: expected a text; found 5");
        let e =
            parse_action(r#"{"action": "post", "actor": {"id": "a", "role": "r", "status": "employed"}} x"#, "a.json")
                .unwrap_err();
        insta::assert_snapshot!(e, @"a.json:1:77: invalid JSON: trailing characters");
    }

    #[test]
    fn open_values_are_checked_against_declarations() {
        let yaml = "action: post\nactor: {id: a, role: consulant, team: sales, status: employed}\nchannel: mastodon\n\
                    content: {kind: [job_ad, jobad]}\napproval: {granted_by: manager}\n\
                    facts: {mentions_competitr: true, share: lots, flag: true}\n";
        let a = parse_action(yaml, "a.yaml").unwrap();
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let facts = |f: &[(&str, Type)]| f.iter().map(|(n, t)| (n.to_string(), t.clone())).collect();
        let decls = crate::policy::Declarations {
            roles: s(&["consultant", "manager"]),
            teams: s(&["recruiting"]),
            facts: facts(&[("mentions_competitor", Type::Bool), ("share", Type::Percent), ("flag", Type::Bool)]),
            ..Default::default()
        };
        let errors = check_open_values(&a, &decls);
        let shown: Vec<String> = errors.into_iter().map(|e| e.locate("a.yaml", yaml).to_string()).collect();
        insta::assert_snapshot!(shown.join("\n"), @r#"
        a.yaml:2:22: actor.role: unknown role "consulant"; did you mean "consultant"?
        a.yaml:2:39: actor.team: unknown team "sales"; known teams: recruiting
        a.yaml:3:10: channel: unknown channel "mastodon"; known channels: twitter, linkedin, facebook, youtube, instagram, tiktok, blog, corporate_site, email, phone
        a.yaml:4:26: content.kind[1]: unknown content kind "jobad"; did you mean "job_ad"?
        a.yaml:6:29: facts.mentions_competitr: unknown fact `mentions_competitr`; did you mean `mentions_competitor`?
        a.yaml:6:42: facts.share: expected a percentage; found "lots"
        "#);
        let decls = crate::policy::Declarations {
            roles: s(&["consulant", "manager"]),
            channels: s(&["mastodon"]),
            content_kinds: s(&["jobad"]),
            facts: facts(&[("share", Type::Percent), ("flag", Type::Bool), ("mentions_competitr", Type::Bool)]),
            ..Default::default()
        };
        let declared = check_open_values(&a, &decls);
        assert_eq!(declared.len(), 1, "{declared:?}");
    }

    #[test]
    fn actions_are_the_built_ins_and_the_declared_ones() {
        let like = parse_action("action: like\nactor: {id: a, role: r, status: employed}\n", "a.yaml").unwrap();
        assert_eq!(like.action, "like");
        let built_ins = crate::policy::Declarations::default();
        let shown: Vec<String> = check_open_values(&like, &built_ins).into_iter().map(|e| e.to_string()).collect();
        insta::assert_snapshot!(shown.join("\n"), @r#"action: unknown action "like"; known actions: post, share, comment, connect, accept, message, solicit, deal, export, depart, hand_over, create_account, compete"#);
        // An action is an open set now: a misspelt one is caught against the policy, with a suggestion.
        let pots = parse_action("action: pots\nactor: {id: a, role: r, status: employed}\n", "a.yaml").unwrap();
        let shown: Vec<String> = check_open_values(&pots, &built_ins).into_iter().map(|e| e.to_string()).collect();
        insta::assert_snapshot!(shown.join("\n"), @r#"action: unknown action "pots"; did you mean "post"?"#);
        let declared =
            crate::policy::Declarations { actions: vec!["like".into(), "follow".into()], ..Default::default() };
        assert!(check_open_values(&like, &declared).is_empty());
        let post = parse_action("action: post\nactor: {id: a, role: r, status: employed}\n", "a.yaml").unwrap();
        assert!(check_open_values(&post, &built_ins).is_empty(), "a built-in action needs no declaration");
    }
}
