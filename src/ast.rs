//! The abstract syntax tree of a policy file, exactly as the author wrote it.
//!
//! Every node carries a [`crate::source::Span`]; equality ignores spans.
//! No pest types appear here. The [`lower`](crate::lower) stage turns the
//! sections into the normalized rule core; [`fmt`](crate::fmt) prints it back.

pub mod expr;

pub use expr::{CmpOp, Expr, Literal, Needles, Operand, Shift};

use crate::source::{Span, Spanned};
use crate::value::Duration;

/// A name as written (`consultant`, `twitter-daily-limit`).
pub type Name = Spanned<String>;

/// A whole policy file.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyFile {
    /// `policy "..." version ... default ...`.
    pub header: Header,
    /// Declarations, sections and rules in source order.
    pub items: Vec<Spanned<Item>>,
}

/// The header: name and settings of the whole policy.
#[derive(Debug, Clone, Default)]
pub struct Header {
    /// `policy "Brightwater Recruitment — social media"`.
    pub name: Spanned<String>,
    /// `version 3`.
    pub version: Option<Spanned<String>>,
    /// `effective 2026-01-01`.
    pub effective: Option<Spanned<jiff::civil::Date>>,
    /// `owner "Compliance team"`.
    pub owner: Option<Spanned<String>>,
    /// `jurisdiction UK` / `jurisdiction US-CA`.
    pub jurisdiction: Option<Spanned<String>>,
    /// `timezone "Europe/London"` (the default when absent).
    pub timezone: Option<Spanned<String>>,
    /// `default allow` / `default deny` / `default none` / `default require approval from X`.
    pub default: Option<Spanned<DefaultVerdict>>,
    /// `conflicts most_restrictive` / `conflicts most_specific` / `conflicts indeterminate`.
    pub conflicts: Option<Spanned<ConflictMode>>,
    /// `priorities legal > brand > team`: named tiers, highest first.
    pub priorities: Option<Spanned<Vec<Name>>>,
    /// `binds as_amended` / `binds at_contract`: which version binds an actor.
    pub binds: Option<Spanned<Binding>>,
    /// `previous "castlegate-v5.policy"`: the version this one replaces, a
    /// path relative to this file (the span is the whole item).
    pub previous: Option<Spanned<String>>,
    /// The span of the whole header.
    pub span: Span,
}

/// What the policy decides when no clause applies.
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultVerdict {
    /// `default none`: the verdict is indeterminate.
    None,
    /// `default allow`, `default deny`, ...
    Outcome(Outcome),
}

/// How two applicable clauses with different outcomes combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictMode {
    /// `conflicts most_restrictive`: deny > require-approval > allow (the default).
    MostRestrictive,
    /// `conflicts indeterminate`: differing outcomes make the verdict indeterminate.
    Indeterminate,
    /// `conflicts most_specific`: a clause about fewer situations (one channel
    /// rather than every channel) puts a more general one out of contention;
    /// ties fall back to the most restrictive.
    MostSpecific,
}

impl ConflictMode {
    /// What decides when clauses disagree, in words (`compare` shows it).
    pub fn words(self) -> &'static str {
        match self {
            ConflictMode::MostRestrictive => "the most restrictive clause decides",
            ConflictMode::Indeterminate => "nothing is decided (indeterminate) when clauses disagree",
            ConflictMode::MostSpecific => {
                "the most specific clause decides (one about a channel over a general one; ties: the most restrictive)"
            }
        }
    }
}

/// Which version of a policy binds an actor (`binds ...` in the header).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Binding {
    /// `binds as_amended`: the newest version binds everyone (the default: a
    /// handbook that "does not form part of your contract and may be amended
    /// at any time").
    #[default]
    AsAmended,
    /// `binds at_contract`: the version in force on the day the actor's
    /// contract was signed (`actor.contract_signed_on`), or varied to take a
    /// later version (`actor.contract_varied_on`), binds them.
    AtContract,
}

impl Binding {
    /// The word written after `binds`.
    pub fn word(self) -> &'static str {
        match self {
            Binding::AsAmended => "as_amended",
            Binding::AtContract => "at_contract",
        }
    }

    /// Which version binds, in words (`compare` shows it).
    pub fn words(self) -> &'static str {
        match self {
            Binding::AsAmended => "the newest version binds everyone, as amended from time to time",
            Binding::AtContract => {
                "the version in force when the contract was signed (or varied) binds; later versions bind only contracts signed or varied after them"
            }
        }
    }
}

/// How the approvers of a `require approval` combine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Join {
    /// `from manager or compliance`: an approval by any one of them.
    #[default]
    Any,
    /// `from all of {legal, marketing}`: an approval by every one of them.
    All,
}

impl Join {
    /// Whether it is [`Join::Any`] (the form written without `all of`).
    pub fn is_any(&self) -> bool {
        *self == Join::Any
    }

    /// The approvers as written: `manager or compliance`, `all of {legal, marketing}`.
    pub fn words(self, approvers: &[impl AsRef<str>]) -> String {
        let names: Vec<&str> = approvers.iter().map(AsRef::as_ref).collect();
        match self {
            Join::Any => names.join(" or "),
            Join::All => format!("all of {{{}}}", names.join(", ")),
        }
    }
}

/// What a clause decides.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `deny`.
    Deny,
    /// `allow`.
    Allow,
    /// `require approval from manager or compliance` ([`Join::Any`]) or
    /// `require approval from all of {legal, marketing}` ([`Join::All`]).
    RequireApproval(Vec<Name>, Join),
    /// `advise` or `advise "text"`: guidance only; decides nothing.
    Advise(Option<Spanned<String>>),
}

/// A top-level item.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `roles consultant, manager` and the like.
    Declaration(Declaration),
    /// `fact mentions_competitor: bool`.
    Fact(FactDecl),
    /// `assume content.confidential = false when not given`.
    Assume(Assume),
    /// `brand names {"Brightwater", "BW Recruit"}`.
    Brands(Vec<Spanned<String>>),
    /// `ownership { ... }`.
    Ownership(Vec<Clause<OwnershipRule>>),
    /// `on departure { ... }`.
    Departure(Vec<Clause<DepartureDuty>>),
    /// `covenant non_solicitation of clients for 6 months ...`.
    Covenant(Covenant),
    /// `posting on twitter { ... }`.
    Posting(Section<PostingRule>),
    /// `connecting on linkedin { ... }`.
    Connecting(Section<ConnectingRule>),
    /// `terms { ... }`.
    Terms(Vec<Clause<TermsRule>>),
    /// `rule name "description" { when ... then ... }`.
    Rule(RuleDef),
    /// `exception name to other-rule { when ... then allow }`.
    Exception(ExceptionDef),
}

/// Which kind of names a declaration adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeclKind {
    /// `roles`.
    Roles,
    /// `teams`.
    Teams,
    /// `channels`.
    Channels,
    /// `content kinds`.
    ContentKinds,
    /// `actions`.
    Actions,
}

impl DeclKind {
    /// The keyword as written.
    pub fn keyword(self) -> &'static str {
        match self {
            DeclKind::Roles => "roles",
            DeclKind::Teams => "teams",
            DeclKind::Channels => "channels",
            DeclKind::ContentKinds => "content kinds",
            DeclKind::Actions => "actions",
        }
    }
}

/// `roles consultant, manager`.
#[derive(Debug, Clone, PartialEq)]
pub struct Declaration {
    /// What is declared.
    pub kind: DeclKind,
    /// The names.
    pub names: Vec<Name>,
}

/// The type of a declared fact.
#[derive(Debug, Clone, PartialEq)]
pub enum FactType {
    /// `bool`.
    Bool,
    /// `int`.
    Int,
    /// `date`.
    Date,
    /// `text`.
    Text,
    /// `enum { a, b }`.
    Enum(Vec<Name>),
}

/// `fact mentions_competitor: bool "Whether the post names a competitor."`.
#[derive(Debug, Clone, PartialEq)]
pub struct FactDecl {
    /// The fact's name; actions carry it under `facts.NAME`.
    pub name: Name,
    /// Its type.
    pub ty: Spanned<FactType>,
    /// What it means.
    pub doc: Option<Spanned<String>>,
}

/// `assume content.confidential = false when not given "Our tool flags every confidential draft."`:
/// what a yes/no fact (or, with `= {}`, a list) an action leaves out (or sends
/// as `null`) is taken as.
#[derive(Debug, Clone, PartialEq)]
pub struct Assume {
    /// The fact's path (`content.confidential`, `facts.hirer_authority`).
    pub fact: Spanned<String>,
    /// What it is taken as when not given.
    pub value: Spanned<crate::facts::Assumed>,
    /// Why the policy may assume it.
    pub doc: Option<Spanned<String>>,
}

/// A clause in a section: an optional name, the clause itself, and its modifiers.
#[derive(Debug, Clone)]
pub struct Clause<T> {
    /// `twitter-daily-limit:` before the clause.
    pub label: Option<Name>,
    /// The clause.
    pub rule: Spanned<T>,
    /// `when`, `unless`, `then`, `because`, ...
    pub modifiers: Modifiers,
    /// The whole clause.
    pub span: Span,
}

/// What any clause may add to its core meaning.
#[derive(Debug, Clone, Default)]
pub struct Modifiers {
    /// `when CONDITION`.
    pub when: Option<Spanned<Expr>>,
    /// `unless CONDITION` (any number).
    pub unless: Vec<Spanned<Expr>>,
    /// `then OUTCOME`.
    pub then: Option<Spanned<Outcome>>,
    /// `because "..."`.
    pub because: Option<Spanned<String>>,
    /// `advise "..."` (any number).
    pub advise: Vec<Spanned<String>>,
    /// `oblige "..." within N days` (any number).
    pub oblige: Vec<Obligation>,
    /// `note "..."`: law notes (any number).
    pub notes: Vec<Spanned<String>>,
    /// `consequence "..."`: what a breach leads to.
    pub consequence: Option<Spanned<String>>,
    /// `see "..."`: other policies or documents referred to (any number).
    pub see: Vec<Spanned<String>>,
    /// `priority legal`: the clause's tier among the header's `priorities`.
    pub priority: Option<Name>,
    /// `dry run`.
    pub dry_run: Option<Span>,
}

/// `oblige "Disclose your employment in the post" within 1 day`.
#[derive(Debug, Clone, PartialEq)]
pub struct Obligation {
    /// The duty in words.
    pub text: Spanned<String>,
    /// `as erase_data`: the key the duty is recorded under in `done` (else its words
    /// joined by underscores).
    pub key: Option<Spanned<String>>,
    /// By when.
    pub within: Option<Spanned<Duration>>,
    /// `within 30 days of request.made_on`: the date fact of the event the time runs
    /// from (else the action's own time); once overdue and not done, the clause refuses.
    pub of: Option<Spanned<String>>,
}

/// Who owns an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// The consultant.
    Employee,
    /// The agency.
    Agency,
    /// Both.
    Shared,
}

impl Party {
    /// The word as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Party::Employee => "employee",
            Party::Agency => "agency",
            Party::Shared => "shared",
        }
    }
}

/// When a connection was made, relative to the employment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Made {
    /// `made before employment`.
    BeforeEmployment,
    /// `made during employment`.
    DuringEmployment,
}

/// The word a connections asset is written with. Both name the same asset;
/// `fmt`, generated clause names and explanations keep the author's word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ConnectionsWord {
    /// `connections`.
    #[default]
    Connections,
    /// `contacts`.
    Contacts,
}

impl ConnectionsWord {
    /// The word as written.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionsWord::Connections => "connections",
            ConnectionsWord::Contacts => "contacts",
        }
    }
}

/// What a line about content or intellectual property names: `content`
/// (every kind) or one kind (`videos`, `group member lists`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MaterialWord {
    /// `content`: every kind.
    Content,
    /// One kind, in its policy words ([`MaterialKind::policy_words`]).
    Kind(MaterialKind),
}

impl MaterialWord {
    /// The word as written, spaces single (`group member lists`).
    pub fn as_str(self) -> &'static str {
        match self {
            MaterialWord::Content => "content",
            MaterialWord::Kind(k) => k.policy_words(),
        }
    }

    /// The word for `text` (its blanks taken as single spaces), if it is one.
    pub fn of_words(text: &str) -> Option<MaterialWord> {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        std::iter::once(MaterialWord::Content)
            .chain(MaterialKind::ALL.iter().map(|k| MaterialWord::Kind(*k)))
            .find(|w| w.as_str() == text)
    }
}

pub use crate::data::action::MaterialKind;

/// For whom content was made: the action's `material.made_for`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MadeFor {
    /// `made for agency`: in the course of the job, for the employer.
    Agency,
    /// `made privately`: for the employee themselves, in their own time.
    Privately,
}

impl MadeFor {
    /// The words as written.
    pub fn as_str(self) -> &'static str {
        match self {
            MadeFor::Agency => "made for agency",
            MadeFor::Privately => "made privately",
        }
    }

    /// The value of `material.made_for` it stands for.
    pub fn value(self) -> &'static str {
        match self {
            MadeFor::Agency => "agency",
            MadeFor::Privately => "employee",
        }
    }
}

/// What an ownership or departure clause is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Asset {
    /// `connections made during employment with clients from agency_database owned by agency`.
    Connections {
        /// `connections` or `contacts`, as written.
        word: ConnectionsWord,
        /// `made before/during employment`.
        made: Option<Spanned<Made>>,
        /// `with clients, candidates`.
        with: Vec<Name>,
        /// `from agency_database`.
        from: Option<Name>,
        /// `owned by agency`: refers to the ownership section.
        owned_by: Option<Spanned<Party>>,
    },
    /// `branded accounts created by agency run as duty ...`.
    Accounts {
        /// `personal`, `branded`, `corporate`, `group`.
        kind: Option<Name>,
        /// `created by agency`.
        created_by: Option<Spanned<Party>>,
        /// `run as duty`.
        run_as_duty: bool,
        /// `on agency equipment`.
        agency_equipment: bool,
        /// `with brand in handle`.
        brand_in_handle: bool,
        /// `for business`.
        purpose: Option<Name>,
    },
    /// `credentials`.
    Credentials,
    /// `videos made for agency`, `content made before employment made privately`,
    /// `group member lists owned by agency`: content or intellectual property
    /// made or gathered at work (the action's `material`).
    Material {
        /// `content`, or one kind.
        word: MaterialWord,
        /// `made before/during employment`.
        made: Option<Spanned<Made>>,
        /// `made for agency` or `made privately`.
        made_for: Option<Spanned<MadeFor>>,
        /// `on agency equipment`.
        agency_equipment: bool,
        /// `created by agency`.
        created_by: Option<Spanned<Party>>,
        /// `owned by agency`: refers to the ownership section.
        owned_by: Option<Spanned<Party>>,
    },
}

impl Asset {
    /// A material asset in canonical words, filters in the grammar's order
    /// (`videos made during employment made for agency`): what `fmt` prints
    /// and generated clause ids are built from. `None` for other assets.
    pub fn material_words(&self) -> Option<String> {
        let Asset::Material { word, made, made_for, agency_equipment, created_by, owned_by } = self else {
            return None;
        };
        let mut w = vec![word.as_str().to_string()];
        match made.as_ref().map(|m| m.node) {
            Some(Made::BeforeEmployment) => w.push("made before employment".into()),
            Some(Made::DuringEmployment) => w.push("made during employment".into()),
            None => {}
        }
        if let Some(m) = made_for {
            w.push(m.node.as_str().into());
        }
        if *agency_equipment {
            w.push("on agency equipment".into());
        }
        if let Some(c) = created_by {
            w.push(format!("created by {}", c.node.as_str()));
        }
        if let Some(o) = owned_by {
            w.push(format!("owned by {}", o.node.as_str()));
        }
        Some(w.join(" "))
    }
}

/// `connections made before employment -> employee`.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnershipRule {
    /// What is owned.
    pub asset: Spanned<Asset>,
    /// By whom.
    pub owner: Spanned<Party>,
}

/// A duty or permission on leaving.
#[derive(Debug, Clone, PartialEq)]
pub enum DepartureDuty {
    /// `hand over branded accounts within 1 business day`.
    HandOver {
        /// What.
        asset: Spanned<Asset>,
        /// By when after departure (or after a request).
        within: Option<Spanned<Duration>>,
    },
    /// `remove connections owned by agency within 30 days`.
    Remove {
        /// What.
        asset: Spanned<Asset>,
        /// By when after departure.
        within: Option<Spanned<Duration>>,
    },
    /// `update profile within 7 days`.
    UpdateProfile {
        /// By when after departure.
        within: Option<Spanned<Duration>>,
    },
    /// `keep personal accounts`.
    Keep {
        /// What the leaver keeps.
        asset: Spanned<Asset>,
    },
    /// `no export of contacts from agency_database`.
    NoExport {
        /// What may not be exported.
        asset: Spanned<Asset>,
    },
}

/// The four restrictive covenants: the data contract's own set (one enum for
/// policies, contracts and the law table).
pub use crate::data::contract::CovenantKind;
pub use crate::policy::GardenLeave;

/// `covenant non_solicitation of clients for 6 months lookback 12 months ...`.
#[derive(Debug, Clone)]
pub struct Covenant {
    /// `covenant client-nonsolicit: ...`.
    pub label: Option<Name>,
    /// Which covenant.
    pub kind: Spanned<CovenantKind>,
    /// `of clients, candidates` / `of staff`.
    pub of: Vec<Name>,
    /// `for 6 months` after departure; `None`: `indefinitely`, no end date.
    pub duration: Spanned<Option<Duration>>,
    /// `lookback 12 months`.
    pub lookback: Option<Spanned<Duration>>,
    /// `radius 5 miles`.
    pub radius: Option<Spanned<u32>>,
    /// `capacities engaged_in, concerned_in, interested_in`.
    pub capacities: Vec<Name>,
    /// `garden leave offset` (the period runs from the start of garden leave)
    /// or `reduced by garden leave` (it is reduced by the days spent on it).
    pub garden_leave: Option<Spanned<GardenLeave>>,
    /// `applies to solicit, message`.
    pub applies_to: Vec<Name>,
    /// `except announcement "..."`.
    pub exceptions: Vec<CovenantException>,
    /// The common modifiers.
    pub modifiers: Modifiers,
}

/// What a covenant exception exempts.
#[derive(Debug, Clone, PartialEq)]
pub enum ExceptionTest {
    /// `except announcement`: content of these kinds.
    Kinds(Vec<Name>),
    /// `except when CONDITION`.
    When(Spanned<Expr>),
}

/// `except announcement "A general announcement of a new role is not solicitation."`.
#[derive(Debug, Clone)]
pub struct CovenantException {
    /// What is exempted.
    pub test: ExceptionTest,
    /// Why, quoted in explanations.
    pub text: Option<Spanned<String>>,
    /// The whole exception.
    pub span: Span,
}

/// Which channels a section covers.
#[derive(Debug, Clone, PartialEq)]
pub enum ChannelScope {
    /// No `on`: every channel.
    Any,
    /// `on other channels`: channels no other section of the same kind names.
    Other,
    /// `on twitter, linkedin`.
    Listed(Vec<Name>),
}

/// `posting on twitter for team recruiting by role consultant`.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    /// Channels.
    pub channels: Spanned<ChannelScope>,
    /// `for team ...`.
    pub teams: Vec<Name>,
    /// `by role ...`.
    pub roles: Vec<Name>,
}

/// A posting or connecting section.
#[derive(Debug, Clone, PartialEq)]
pub struct Section<T> {
    /// What it covers.
    pub scope: Scope,
    /// Its clauses.
    pub clauses: Vec<Clause<T>>,
}

pub use crate::counter::Period;

/// A content flag that confidentiality clauses forbid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContentFlag {
    /// `client names`: `content.names_client`.
    ClientNames,
    /// `candidate data`: `content.candidate_personal_data`.
    CandidateData,
    /// `confidential`: `content.confidential`.
    Confidential,
}

impl ContentFlag {
    /// The words as written after `forbid`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContentFlag::ClientNames => "client names",
            ContentFlag::CandidateData => "candidate data",
            ContentFlag::Confidential => "confidential",
        }
    }
}

/// What a `require` clause asks a post to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Disclose {
    /// `disclosure`: that the author works for the agency (`content.discloses_employer`).
    Employer,
    /// `disclaimer`: that the views are the author's own (`content.own_views_disclaimer`).
    OwnViews,
}

impl Disclose {
    /// The word after `require`.
    pub fn as_str(self) -> &'static str {
        match self {
            Disclose::Employer => "disclosure",
            Disclose::OwnViews => "disclaimer",
        }
    }

    /// The fact that says the post does it.
    pub fn fact(self) -> &'static str {
        match self {
            Disclose::Employer => "content.discloses_employer",
            Disclose::OwnViews => "content.own_views_disclaimer",
        }
    }

    /// What must be done, in words (the duty, or the requirement).
    pub fn words(self) -> &'static str {
        match self {
            Disclose::Employer => "disclose in the post itself that you work for the agency",
            Disclose::OwnViews => "say in the post itself that the views are your own, not the agency's",
        }
    }
}

/// A clause of a `posting` section.
#[derive(Debug, Clone, PartialEq)]
pub enum PostingRule {
    /// `limit 10 posts per day` / `limit 12 job_ad posts per week` /
    /// `limit 5 posts per rolling 7 days per channel excluding shares`.
    Limit {
        /// The most allowed, this post included.
        max: Spanned<u32>,
        /// Only posts of this content kind count.
        kind: Option<Name>,
        /// The window.
        per: Spanned<Period>,
        /// `per channel`: only posts on the channel of the post being decided count.
        per_channel: bool,
        /// `excluding shares`: shares are not counted.
        excluding_shares: bool,
    },
    /// `at most 30% job_ad posts per week`.
    Share {
        /// The most allowed share, this post included.
        percent: Spanned<u32>,
        /// Of which content kind.
        kind: Name,
        /// The window.
        per: Spanned<Period>,
    },
    /// `forbid viral, personal`.
    ForbidKinds(Vec<Name>),
    /// `only job_ad, industry`.
    OnlyKinds(Vec<Name>),
    /// `require approval from marketing for brand`.
    RequireApproval {
        /// Who approves.
        approvers: Vec<Name>,
        /// Whether one of them or all of them must approve.
        join: Join,
        /// Which content kinds (none: every post).
        kinds: Vec<Name>,
    },
    /// `require disclosure` (a duty after: the post is allowed with an
    /// obligation), or `require disclosure before posting` (a requirement
    /// before acting: an undisclosed post is refused); `disclaimer` likewise.
    RequireDisclosure {
        /// What the post must say.
        what: Disclose,
        /// `before posting`.
        before: bool,
    },
    /// `forbid client names`.
    ForbidFlag(ContentFlag),
    /// `forbid conduct offensive, harassment`: built-in conduct judgements
    /// (`content.conduct`, [`crate::data::action::Conduct`]).
    ForbidConduct(Vec<Name>),
    /// `default require approval from marketing`.
    Default(Spanned<Outcome>),
}

/// A clause of a `connecting` section.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectingRule {
    /// `require interaction before invitation`.
    RequireInteraction,
    /// `limit 100 invitations per week` (`per channel`: on this channel only).
    Limit {
        /// The most allowed, this one included.
        max: Spanned<u32>,
        /// The window.
        per: Spanned<Period>,
        /// `per channel`: only invitations on the channel of this one count.
        per_channel: bool,
    },
    /// `forbid invitations to clients while on_notice`.
    ForbidInvitations {
        /// To whom (none: anyone).
        to: Vec<Name>,
        /// While the actor has one of these statuses (none: always).
        while_status: Vec<Name>,
    },
    /// `default deny`.
    Default(Spanned<Outcome>),
}

/// A clause of a `terms` section: what a contract must satisfy.
#[derive(Debug, Clone, PartialEq)]
pub enum TermsRule {
    /// `non_compete at most 3 months`.
    MaxCovenant {
        /// Which covenant.
        kind: Spanned<CovenantKind>,
        /// Of whom (none: any).
        of: Vec<Name>,
        /// The longest acceptable.
        max: Spanned<Duration>,
    },
    /// `no non_compete`.
    NoCovenant {
        /// Which covenant.
        kind: Spanned<CovenantKind>,
        /// Of whom (none: any).
        of: Vec<Name>,
    },
    /// `lookback at most 12 months`.
    MaxLookback(Spanned<Duration>),
    /// `radius at most 10 miles`.
    MaxRadius(Spanned<u32>),
    /// `require garden leave offset`.
    RequireOffset,
    /// `require connections_before_employment -> employee`.
    RequireOwnership {
        /// The contract's ownership field.
        field: Name,
        /// The owner it must name.
        owner: Spanned<Party>,
    },
    /// `forbid monitoring of personal accounts`.
    ForbidMonitoring,
}

/// `rule no-candidate-data "Never publish candidates' personal data." { when ... then deny }`.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDef {
    /// The stable name.
    pub name: Name,
    /// The one-line description.
    pub description: Option<Spanned<String>>,
    /// Its condition, outcome and the rest.
    pub modifiers: Modifiers,
}

/// `exception announcements to non-solicitation { when ... then allow }`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceptionDef {
    /// The stable name.
    pub name: Name,
    /// The clauses it overrides.
    pub targets: Vec<Name>,
    /// The one-line description.
    pub description: Option<Spanned<String>>,
    /// Its condition, outcome and the rest.
    pub modifiers: Modifiers,
}

// Equality ignores spans (including spans kept only to mark a keyword's
// presence), so two parses of differently laid-out text compare equal.

impl PartialEq for Header {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name
            && self.version == o.version
            && self.effective == o.effective
            && self.owner == o.owner
            && self.jurisdiction == o.jurisdiction
            && self.timezone == o.timezone
            && self.default == o.default
            && self.conflicts == o.conflicts
            && self.priorities == o.priorities
            && self.binds == o.binds
            && self.previous == o.previous
    }
}

impl<T: PartialEq> PartialEq for Clause<T> {
    fn eq(&self, o: &Self) -> bool {
        self.label == o.label && self.rule == o.rule && self.modifiers == o.modifiers
    }
}

impl PartialEq for Modifiers {
    fn eq(&self, o: &Self) -> bool {
        self.when == o.when
            && self.unless == o.unless
            && self.then == o.then
            && self.because == o.because
            && self.advise == o.advise
            && self.oblige == o.oblige
            && self.notes == o.notes
            && self.consequence == o.consequence
            && self.see == o.see
            && self.dry_run.is_some() == o.dry_run.is_some()
    }
}

impl PartialEq for Covenant {
    fn eq(&self, o: &Self) -> bool {
        self.label == o.label
            && self.kind == o.kind
            && self.of == o.of
            && self.duration == o.duration
            && self.lookback == o.lookback
            && self.radius == o.radius
            && self.garden_leave.as_ref().map(|g| g.node) == o.garden_leave.as_ref().map(|g| g.node)
            && self.applies_to == o.applies_to
            && self.capacities == o.capacities
            && self.exceptions == o.exceptions
            && self.modifiers == o.modifiers
    }
}

impl PartialEq for CovenantException {
    fn eq(&self, o: &Self) -> bool {
        self.test == o.test && self.text == o.text
    }
}
