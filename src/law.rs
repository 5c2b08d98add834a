//! The law layer: the one table of the rules of law smpolicy knows ([`TABLE`]),
//! what jurisdiction a code is inside ([`within`]), and the questions every
//! stage asks of it:
//!
//! - `check` lints a policy's covenants and speech rules ([`covenant`],
//!   [`speech_kinds`]);
//! - lowering attaches to every clause the law may set aside a
//!   [`LawGuard`]: a condition over the action's facts (place of work,
//!   governing law, supervisor or not, date, content) under which the rule
//!   of law holds; the interpreter and the compiled form evaluate it like an
//!   exception, so a clause the law sets aside for this actor on this date
//!   never decides the verdict ([`crate::eval`]);
//! - `terms` and `compare` ask [`assess`] for a covenant's one status.
//!
//! Which law applies: the place of work (`actor.jurisdiction`, else the
//! policy's jurisdiction), and for entries marked [`Connect::WorkOrGoverning`]
//! also the law the contract names (`actor.governing_law`): California's rule
//! applies wherever the contract was signed and whatever law it names.
//!
//! Only law in force is applied. Proposals and rules set aside by the courts
//! are entries too, but they only ever produce a note. Sources are in
//! `../shared/scenarios/sources.md` (CAL, FTCN, UK23, UK25, GER, AUS, NLRB).
//! Nothing here is legal advice.

use crate::ast::CovenantKind;
use crate::policy::{Cond, Term, Test, TestOp};
use crate::value::Value;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// What a rule of law does to a clause it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LawEffect {
    /// The clause is void: it binds no one.
    Void,
    /// The clause does not bind the employee (the employer may still rely on it if the employee chooses).
    NotBinding,
    /// Speech the law protects: a rule restricting it cannot be enforced against this employee.
    ProtectedSpeech,
    /// The clause stands but a court may not uphold it.
    AtRisk,
    /// Only a note: a proposal, or a rule that never took effect.
    NoteOnly,
}

impl LawEffect {
    /// `void`, `not binding`, ...
    pub fn words(self) -> &'static str {
        match self {
            LawEffect::Void => "void",
            LawEffect::NotBinding => "not binding",
            LawEffect::ProtectedSpeech => "protected speech",
            LawEffect::AtRisk => "at risk",
            LawEffect::NoteOnly => "note",
        }
    }

    /// Whether it sets a clause aside (it then cannot decide a verdict).
    pub fn sets_aside(self) -> bool {
        matches!(self, LawEffect::Void | LawEffect::NotBinding | LawEffect::ProtectedSpeech)
    }
}

/// Whether the rule is law.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LawStatus {
    /// Law in force (from `since`).
    InForce,
    /// Proposed or announced, not enacted: a note, never applied.
    Proposal,
    /// Made but set aside by a court: a note, never applied.
    SetAside,
}

/// Which facts say that the rule's jurisdiction governs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Connect {
    /// The place of work.
    Work,
    /// The place of work, or the law the contract names.
    WorkOrGoverning,
}

/// When the rule applies to a clause of the kind it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum When {
    /// Always.
    Always,
    /// The covenant lasts longer than this many months.
    LongerThanMonths(u32),
    /// The covenant lasts longer than this many months, and the rule holds
    /// only for the months beyond: the covenant binds up to the cap.
    BeyondMonths(u32),
    /// The compensation paid during the restraint is below this share of the last pay, or the covenant is not in writing.
    UnpaidOrUnwritten(u32),
    /// The employee is not a supervisor (and the action's content is of a kind the rule protects).
    NotSupervisor,
    /// The covenant is not limited to those the employee dealt with (it states
    /// no look-back): it reaches clients or candidates they never dealt with.
    NotLimitedToDealtWith,
    /// Its look-back (the period whose dealings it covers) is longer than this many months.
    LookbackLongerThanMonths(u32),
    /// Its radius is wider than this many miles (a covenant with no radius is not judged by this rule).
    RadiusWiderThanMiles(u32),
    /// It binds in one of these capacities (`interested_in` reaches a minority
    /// shareholding). Whether the covenant states its capacities is a fact the
    /// rule needs: not stated, it is not assessed.
    Capacity(Vec<String>),
}

/// What the rule covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum Covers {
    /// Covenants of these kinds.
    Covenants(Vec<CovenantKind>),
    /// Clauses restricting posts of these content kinds.
    Speech(Vec<String>),
}

/// A duty the law imposes on the employer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmployerDuty {
    /// The duty in words.
    pub text: String,
    /// Its legal basis.
    pub basis: String,
    /// The deadline, if the law sets one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<Date>,
}

/// One rule of law: an entry of `src/law/table.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LawRule {
    /// Stable id (`us-ca-bpc-16600`).
    pub id: String,
    /// Jurisdiction codes; a code also covers its regions (`US` covers `US-CA`).
    pub jurisdictions: Vec<String>,
    /// Which facts connect the employment to the jurisdiction.
    pub connect: Connect,
    /// What it covers.
    pub covers: Covers,
    /// When it applies to what it covers.
    pub when: When,
    /// What it does.
    pub effect: LawEffect,
    /// In force, proposed, or set aside.
    pub status: LawStatus,
    /// In force from (inclusive); for a proposal, the date it is announced to
    /// take effect from (an undated proposal is not pending law).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Date>,
    /// The statute or case.
    pub statute: String,
    /// The section(s).
    pub section: String,
    /// The effect in plain words (`{kind}`, `{months}` are filled in).
    pub words: String,
    /// What follows, in words.
    pub advice: String,
    /// Where it comes from: codes of the project's source list.
    pub sources: Vec<String>,
    /// Duties it imposes on the employer.
    #[serde(default)]
    pub duties: Vec<EmployerDuty>,
    /// Whether the courts of the jurisdiction may strike the offending words
    /// and enforce the rest (the blue-pencil test, [`severance`]): only for a
    /// rule whose offending part is words of the covenant (`capacity`).
    #[serde(default)]
    pub severable: bool,
}

/// The content kinds (and the conduct judgement `about_employer`) whose
/// restriction may chill talk about pay and working conditions: a clause restricting them is flagged (`nlra-risk`); for a
/// non-supervisory US employee, a post of one of [`PROTECTED_KINDS`] is
/// protected and such a clause cannot decide against it.
pub const NLRA_KINDS: &[&str] = &["pay_discussion", "opinion", "about_employer"];

/// The content kinds NLRA section 7 protects outright (discussing pay and conditions).
pub const PROTECTED_KINDS: &[&str] = &["pay_discussion"];

/// Every rule of law smpolicy knows: `src/law/table.yaml`, compiled into the
/// binary and read once. For a covenant, the first entry in force that
/// applies decides its status; every matching note is shown. Adding a
/// jurisdiction is adding entries there.
pub static TABLE: LazyLock<Vec<LawRule>> = LazyLock::new(read_table);

/// The table's text, as compiled in.
const TABLE_YAML: &str = include_str!("law/table.yaml");

#[allow(
    clippy::panic,
    reason = "the table is compiled into the binary and read by the test `the_table_is_well_formed`: a table that does not read is a broken build, not bad input"
)]
fn read_table() -> Vec<LawRule> {
    serde_yaml::from_str(TABLE_YAML).unwrap_or_else(|e| panic!("src/law/table.yaml: {e}"))
}

/// Jurisdictions by name, for explanations.
const NAMES: &[(&str, &str)] = &[
    ("US-CA", "California"),
    ("US", "the United States"),
    ("UK", "the UK"),
    ("GB", "the UK"),
    ("DE", "Germany"),
    ("AU", "Australia"),
];

/// A jurisdiction in words (`California`), else its code.
pub fn name(code: &str) -> &str {
    NAMES.iter().find(|(c, _)| *c == code).map_or(code, |(_, n)| n)
}

/// A rule of law by id.
pub fn rule(id: &str) -> Option<&'static LawRule> {
    TABLE.iter().find(|r| r.id == id)
}

/// Whether a jurisdiction is `code` or inside it: `US-CA` is inside `US`
/// (and `GB-SCT` inside `GB`). The one definition of the hierarchy; policies'
/// `actor.jurisdiction = US` tests are lowered to [`within_cond`], which
/// means the same.
pub fn within(jurisdiction: &str, code: &str) -> bool {
    jurisdiction == code || jurisdiction.strip_prefix(code).is_some_and(|rest| rest.starts_with('-'))
}

/// `path` is `code` or one of its regions, as a condition both engines and the
/// diff read: `path = code or (path > "code-" and path < "code.")` (codes are
/// upper case, so every region `code-XX` sorts between the two bounds, and
/// nothing else does).
pub fn within_cond(path: &str, code: &str) -> Cond {
    use crate::ast::CmpOp;
    let cmp = |op, v: String| {
        Cond::Test(Test { lhs: Term::fact(path), op: TestOp::Cmp(op, Term::Const(Value::Symbol(v))), span: None })
    };
    Cond::Any(vec![
        cmp(CmpOp::Eq, code.to_string()),
        Cond::All(vec![cmp(CmpOp::Gt, format!("{code}-")), cmp(CmpOp::Lt, format!("{code}."))]),
    ])
}

/// For the diff's partition: a constant of a jurisdiction fact that is one of
/// [`within_cond`]'s bounds (`US-`, `US.`) is no value of its own. `None`: not
/// a bound; `Some(None)`: a bound standing for no valid code; `Some(Some(v))`:
/// a valid code inside the range (`US-ZZ` for `US-`).
pub fn region_bound(path: &str, constant: &str) -> Option<Option<String>> {
    if !JURISDICTION_FACTS.contains(&path) {
        return None;
    }
    if let Some(code) = constant.strip_suffix('-') {
        // Codes have one level of regions: a region's range holds no valid code.
        return Some((!code.contains('-')).then(|| format!("{code}-{REGION}")));
    }
    constant.strip_suffix('.').map(|_| None)
}

/// The region that stands for every region of a country in the diff (`US-ZZ`).
const REGION: &str = "ZZ";

/// A value in words: the diff's stand-in region `US-ZZ` is "a region of US".
pub fn value_words(v: &str) -> String {
    match v.strip_suffix(REGION).and_then(|c| c.strip_suffix('-')) {
        Some(country) if country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase()) => {
            format!("a region of {country}")
        }
        _ => v.to_string(),
    }
}

impl LawRule {
    /// Whether it covers covenants of this kind.
    pub fn covers_covenant(&self, kind: CovenantKind) -> bool {
        matches!(&self.covers, Covers::Covenants(k) if k.contains(&kind))
    }

    /// Whether it is in force on a date (`None`: whatever the date).
    pub fn in_force_on(&self, on: Option<Date>) -> bool {
        self.status == LawStatus::InForce && self.since.zip(on).is_none_or(|(since, on)| on >= since)
    }

    /// Whether its jurisdiction covers `jurisdiction`.
    pub fn governs(&self, jurisdiction: &str) -> bool {
        self.jurisdictions.iter().any(|j| within(jurisdiction, j))
    }

    /// Its citation: `Cal. Bus. & Prof. Code §16600, §16600.5`.
    pub fn citation(&self) -> String {
        if self.section.is_empty() {
            self.statute.to_string()
        } else {
            format!("{} {}", self.statute, self.section)
        }
    }

    /// Its words for a covenant of this kind and length.
    pub fn words_for(&self, kind: CovenantKind, months: Option<u32>) -> String {
        if months == Some(NO_END_MONTHS) {
            // No end date: "an open-ended non-compete", "a non-compete of no end date".
            let kind = kind.as_str().replace('_', "-");
            return self
                .words
                .replace("{a_months}-month {kind}", &format!("an open-ended {kind}"))
                .replace("{kind}", &kind)
                .replace("{months} months", "no end date");
        }
        let a_months = match months {
            // "an 8-month", "an 11-month", "an 18-month", "an 80-month": said with a vowel sound.
            Some(m) if m == 11 || m == 18 || m.to_string().starts_with('8') => format!("an {m}"),
            Some(m) => format!("a {m}"),
            None => "a".to_string(),
        };
        self.words
            .replace("{a_months}", &a_months)
            .replace("{kind}", &kind.as_str().replace('_', "-"))
            .replace("{months}", &months.map_or_else(|| "?".to_string(), |m| m.to_string()))
    }

    /// Its words for a covenant with these facts: [`LawRule::words_for`],
    /// with `{lookback}`, `{radius}` and `{capacities}` (the offending ones) filled in.
    pub fn words_for_facts(&self, kind: CovenantKind, f: &CovenantFacts) -> String {
        let opt = |v: Option<u32>| v.map_or_else(|| "?".to_string(), |v| v.to_string());
        // The capacities it objects to; when the covenant states none, those the rule names.
        let offending = offending_capacities(self, f);
        let wide = match (&self.when, offending.is_empty()) {
            (When::Capacity(listed), true) => listed.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(" or "),
            _ => offending.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
        };
        self.words_for(kind, f.months)
            .replace("{lookback}", &opt(f.lookback_months))
            .replace("{radius}", &opt(f.radius_miles))
            .replace("{capacities}", &wide)
    }

    /// Which law applies, in words.
    pub fn why_applies(&self) -> String {
        let place = name(self.jurisdictions.first().map_or("", String::as_str));
        match self.connect {
            Connect::WorkOrGoverning => format!(
                "{place}'s rule applies because the employee works there or the contract names its law, wherever the contract was signed"
            ),
            Connect::Work => format!("{place}'s rule applies at the place of work"),
        }
    }
}

/// A policy covenant's length in months as the law's conditions read it:
/// rounded to the nearest month (52 weeks is 12 months, not 13).
/// The months a covenant with no end date counts as: longer than any limit.
pub const NO_END_MONTHS: u32 = u32::MAX;

/// A covenant's length in whole months as the law reads it; one with no end
/// date (`indefinitely`) counts as longer than any limit ([`NO_END_MONTHS`]).
pub fn months_of_term(d: Option<crate::value::Duration>) -> u32 {
    d.map_or(NO_END_MONTHS, months_of)
}

/// A covenant's length in whole months.
pub fn months_of(d: crate::value::Duration) -> u32 {
    // `as` saturates at the bounds of u32; the value is already whole.
    d.approx_months().round() as u32
}

/// What a contract or policy says about a covenant that the law's conditions read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CovenantFacts {
    /// Length in whole months, if stated.
    pub months: Option<u32>,
    /// Compensation during the restraint as a percentage of the last pay, if stated.
    pub compensation_percent: Option<u32>,
    /// Agreed in writing, if stated.
    pub in_writing: Option<bool>,
    /// Its look-back in whole months: it covers only those dealt with in
    /// that period before the end of employment. `None`: it states none, so
    /// it reaches people the employee never dealt with.
    pub lookback_months: Option<u32>,
    /// Its radius in miles; `None`: no radius.
    pub radius_miles: Option<u32>,
    /// The capacities it binds in (`engaged_in`, `concerned_in`,
    /// `interested_in`, `shareholder`, ...); `None`: not stated.
    pub capacities: Option<Vec<String>>,
}

impl CovenantFacts {
    /// The facts a policy's covenant states: its length, look-back, radius
    /// and capacities (an empty list: not stated). The one reading `check`,
    /// `eval` and `compare` share.
    pub fn written(
        duration: Option<crate::value::Duration>,
        lookback: Option<crate::value::Duration>,
        radius: Option<u32>,
        capacities: &[String],
    ) -> CovenantFacts {
        CovenantFacts {
            months: Some(months_of_term(duration)),
            lookback_months: lookback.map(months_of),
            radius_miles: radius,
            capacities: (!capacities.is_empty()).then(|| capacities.to_vec()),
            ..CovenantFacts::default()
        }
    }
}

/// One criterion of the blue-pencil test, met or not, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Criterion {
    /// The criterion in words.
    pub test: String,
    /// Whether the covenant meets it.
    pub met: bool,
    /// Why, for this covenant.
    pub why: String,
}

/// The blue-pencil test applied to the words a rule of law objects to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Severance {
    /// The words that would be struck (`interested_in`).
    pub words: Vec<String>,
    /// The criteria, each met or not; the words are severed only if every one is met.
    pub criteria: Vec<Criterion>,
}

impl Severance {
    /// Whether every criterion is met.
    pub fn holds(&self) -> bool {
        self.criteria.iter().all(|c| c.met)
    }
}

/// The blue-pencil test (Tillman v Egon Zehnder \[2019\] UKSC 32, restoring
/// Beckett Investment Management v Hall \[2007\] EWCA Civ 613) for striking
/// the capacities `offending` from a covenant that binds in `capacities`:
/// the words can be struck only if they are removable without adding to or
/// modifying what remains, the rest is still supported by consideration, and
/// striking them makes no major change to the overall effect of the restraint.
pub fn severance(capacities: &[String], offending: &[String]) -> Severance {
    let rest: Vec<&str> = capacities.iter().filter(|c| !offending.contains(c)).map(String::as_str).collect();
    let struck = offending.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ");
    let criteria = vec![
        Criterion {
            test: "removable without adding to or modifying the words that remain".into(),
            met: !rest.is_empty(),
            why: if rest.is_empty() {
                format!("{struck} is the only capacity: striking it leaves no promise to read")
            } else {
                format!("{struck} is a separate item of the list of capacities; striking it leaves {}", rest.join(", "))
            },
        },
        Criterion {
            test: "what remains is still supported by consideration".into(),
            met: true,
            why: "the same employment supports the remaining promise (a criterion Tillman treats as met in an ordinary employment case)".into(),
        },
        Criterion {
            test: "no major change to the overall effect of the restraint".into(),
            met: !rest.is_empty(),
            why: if rest.is_empty() {
                "nothing would remain of the restraint: that changes its whole effect".into()
            } else {
                format!("it still restrains the leaver as {}, only no longer as {struck}", rest.join(", "))
            },
        },
    ];
    Severance { words: offending.to_vec(), criteria }
}

/// A covenant's one status under the law.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Standing {
    /// The law of the jurisdiction has a rule for it and every condition is met.
    Enforceable {
        /// The rules whose conditions it meets.
        rules: Vec<String>,
    },
    /// The law sets it aside.
    Void {
        /// The rule.
        rule: String,
    },
    /// It does not bind the employee.
    NotBinding {
        /// The rule.
        rule: String,
        /// Why, in words.
        why: String,
    },
    /// It binds only in part (for the months up to a statutory cap).
    Reduced {
        /// The rule.
        rule: String,
        /// Why, in words.
        why: String,
    },
    /// Words of it go too far, but they can be struck (the blue-pencil test,
    /// every criterion met) and the rest is enforceable.
    EnforceableAsSevered {
        /// The rule the struck words offend.
        rule: String,
        /// The words struck, and each criterion of the test.
        severance: Severance,
    },
    /// It stands, but a court may not uphold it.
    AtRisk {
        /// The rule.
        rule: String,
        /// Why, in words.
        why: String,
        /// When the offending part is words that could be struck: the
        /// blue-pencil test, with the criteria it fails.
        #[serde(skip_serializing_if = "Option::is_none")]
        severance: Option<Severance>,
    },
    /// A rule may set it aside but the facts it needs are not stated.
    NotAssessed {
        /// The rule.
        rule: String,
        /// The missing facts.
        missing: Vec<String>,
    },
    /// No rule of the jurisdiction is encoded: indeterminate, not guessed.
    NotEncoded,
    /// No jurisdiction is known.
    NoJurisdiction,
}

impl Standing {
    /// The status word: `void`, `not binding`, `at risk`, ...
    pub fn word(&self) -> &'static str {
        match self {
            Standing::Enforceable { .. } => "enforceable",
            Standing::EnforceableAsSevered { .. } => "enforceable as severed",
            Standing::Void { .. } => "void",
            Standing::NotBinding { .. } => "not binding",
            Standing::Reduced { .. } => "binds in part",
            Standing::AtRisk { .. } => "at risk",
            Standing::NotAssessed { .. } => "not assessed",
            Standing::NotEncoded => "enforceability not encoded (indeterminate)",
            Standing::NoJurisdiction => "not assessed (no jurisdiction stated)",
        }
    }

    /// The status in one line, with what it rests on: `enforceable as
    /// severed: read without `interested_in` (uk-capacity-interested-in)`,
    /// `not assessed: not stated: ...`.
    pub fn summary(&self) -> String {
        let quoted = |ws: &[String]| ws.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ");
        match self {
            Standing::Enforceable { rules } => format!("enforceable (meets {})", rules.join(", ")),
            Standing::EnforceableAsSevered { rule, severance } => {
                format!("enforceable as severed: read without {} ({rule})", quoted(&severance.words))
            }
            Standing::Void { rule } | Standing::NotBinding { rule, .. } | Standing::Reduced { rule, .. } => {
                format!("{} ({rule})", self.word())
            }
            Standing::AtRisk { rule, severance, .. } => match severance {
                Some(s) => format!("at risk ({rule}): the words {} cannot be severed", quoted(&s.words)),
                None => format!("at risk ({rule})"),
            },
            Standing::NotAssessed { rule, missing } => format!(
                "not assessed ({rule}): not stated: {}",
                missing.iter().map(|m| missing_words(m)).collect::<Vec<_>>().join(" or ")
            ),
            Standing::NotEncoded | Standing::NoJurisdiction => self.word().to_string(),
        }
    }

    /// Whether the employee is free of it.
    pub fn sets_aside(&self) -> bool {
        matches!(self, Standing::Void { .. } | Standing::NotBinding { .. })
    }

    /// Which of two standings a covenant takes when several rules apply: the
    /// one that binds the employee least, and a missing fact before any
    /// finding that the covenant binds (never enforceable by default).
    fn rank(&self) -> u8 {
        match self {
            Standing::Void { .. } | Standing::NotBinding { .. } => 6,
            Standing::AtRisk { .. } => 5,
            Standing::NotAssessed { .. } => 4,
            Standing::Reduced { .. } => 3,
            Standing::EnforceableAsSevered { .. } => 2,
            Standing::Enforceable { .. } => 1,
            Standing::NotEncoded | Standing::NoJurisdiction => 0,
        }
    }
}

/// A covenant assessed: its standing and every note the table has for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// The one status.
    pub standing: Standing,
    /// The notes, in words, each with its citation.
    pub notes: Vec<String>,
}

/// The rules of the table in force for a covenant of this kind in a
/// jurisdiction on a date, and whether each applies to these facts
/// (`None`: a fact it needs is not stated, with its names).
fn conditions(rule: &LawRule, f: &CovenantFacts) -> Result<bool, Vec<String>> {
    match &rule.when {
        When::Always => Ok(true),
        When::NotSupervisor => Ok(true),
        When::LongerThanMonths(m) | When::BeyondMonths(m) => {
            f.months.map(|x| x > *m).ok_or_else(|| vec!["months".to_string()])
        }
        When::NotLimitedToDealtWith => Ok(f.lookback_months.is_none()),
        When::LookbackLongerThanMonths(m) => Ok(f.lookback_months.is_some_and(|l| l > *m)),
        When::RadiusWiderThanMiles(m) => Ok(f.radius_miles.is_some_and(|r| r > *m)),
        When::Capacity(_) => match &f.capacities {
            Some(_) => Ok(!offending_capacities(rule, f).is_empty()),
            None => Err(vec!["capacities".to_string()]),
        },
        When::UnpaidOrUnwritten(pct) => match (f.compensation_percent, f.in_writing) {
            (Some(c), _) if c < *pct => Ok(true),
            (_, Some(false)) => Ok(true),
            (Some(_), Some(true)) => Ok(false),
            (c, w) => Err([c.is_none().then_some("compensation_percent"), w.is_none().then_some("in_writing")]
                .into_iter()
                .flatten()
                .map(str::to_string)
                .collect()),
        },
    }
}

/// The capacities of a covenant that a `capacity` rule objects to, in the
/// covenant's order.
pub fn offending_capacities(rule: &LawRule, f: &CovenantFacts) -> Vec<String> {
    let When::Capacity(wide) = &rule.when else { return vec![] };
    f.capacities.iter().flatten().filter(|c| wide.contains(c)).cloned().collect()
}

/// A fact the law's conditions need, in words (a contract states it as
/// `compensation_percent` and `in_writing`, an action as [`COMPENSATION`] and
/// [`IN_WRITING`]).
fn missing_words(name: &str) -> &str {
    match name {
        "months" => "its length",
        "compensation_percent" => "the compensation paid during the restraint (% of the last pay)",
        "in_writing" => "whether it was agreed in writing",
        "capacities" => "the capacities it binds in (engaged_in, concerned_in, interested_in, ...)",
        other => other,
    }
}

/// A covenant's standing and notes under the law of `jurisdiction` on `on`
/// (`None`: today's table, whatever the date). `terms`, `compare` and
/// `check` read this; the evaluator reads the same entries through the
/// guards `guards` builds.
pub fn assess(jurisdiction: Option<&str>, kind: CovenantKind, facts: &CovenantFacts, on: Option<Date>) -> Assessment {
    let Some(j) = jurisdiction else {
        return Assessment { standing: Standing::NoJurisdiction, notes: vec![] };
    };
    let mut notes = Vec::new();
    let mut standing: Option<Standing> = None;
    let mut met = Vec::new();
    let mut any_in_force = false;
    // The standing that binds the employee least wins; among equals, the first in the table.
    let take = |s: Standing, standing: &mut Option<Standing>| {
        if standing.as_ref().is_none_or(|old| s.rank() > old.rank()) {
            *standing = Some(s);
        }
    };
    for r in TABLE.iter().filter(|r| r.governs(j) && r.covers_covenant(kind)) {
        let words = r.words_for_facts(kind, facts);
        if r.effect == LawEffect::NoteOnly || r.status != LawStatus::InForce {
            notes.push(format!("{words} ({})", r.citation()));
            continue;
        }
        if !r.in_force_on(on) {
            continue;
        }
        any_in_force = true;
        match conditions(r, facts) {
            Ok(true) => {
                let beyond = matches!(r.when, When::BeyondMonths(_));
                // Words a court may strike: the blue-pencil test decides between severed and at risk.
                let severance = match (&r.when, &facts.capacities) {
                    (When::Capacity(_), Some(all)) if r.severable => {
                        Some(severance(all, &offending_capacities(r, facts)))
                    }
                    _ => None,
                };
                let effect = match &severance {
                    _ if beyond => "binds in part",
                    Some(s) if s.holds() => "enforceable as severed",
                    _ => r.effect.words(),
                };
                notes.push(format!("{effect}: {words} ({}); {}", r.citation(), r.advice));
                // The blue-pencil test, one criterion a note.
                for c in severance.iter().flat_map(|s| &s.criteria) {
                    let mark = if c.met { "✓" } else { "✗" };
                    notes.push(format!("blue-pencil test: {mark} {}: {}", c.test, c.why));
                }
                let s = match r.effect {
                    // It binds up to the cap: cut down, not set aside.
                    _ if beyond => Standing::Reduced { rule: r.id.clone(), why: words },
                    LawEffect::Void => Standing::Void { rule: r.id.clone() },
                    LawEffect::NotBinding | LawEffect::ProtectedSpeech => {
                        Standing::NotBinding { rule: r.id.clone(), why: words }
                    }
                    _ => match severance {
                        Some(sev) if sev.holds() => {
                            Standing::EnforceableAsSevered { rule: r.id.clone(), severance: sev }
                        }
                        severance => Standing::AtRisk { rule: r.id.clone(), why: words, severance },
                    },
                };
                take(s, &mut standing);
            }
            // A rule in force whose conditions the covenant does not meet: one the covenant passes.
            Ok(false) => met.push(r.id.to_string()),
            Err(missing) => {
                notes.push(format!(
                    "not assessed: {words} ({}); not stated: {}",
                    r.citation(),
                    missing.iter().map(|m| missing_words(m)).collect::<Vec<_>>().join(" or ")
                ));
                take(Standing::NotAssessed { rule: r.id.clone(), missing }, &mut standing);
            }
        }
    }
    let standing = standing.unwrap_or(if met.is_empty() || !any_in_force {
        Standing::NotEncoded
    } else {
        Standing::Enforceable { rules: met }
    });
    if standing == Standing::NotEncoded {
        notes.push(format!(
            "the enforceability of a {} in {} is not encoded here (indeterminate): not guessed",
            kind.as_str(),
            name(j)
        ));
    }
    Assessment { standing, notes }
}

/// A rule of law attached to a clause: when `when` holds for an action, the
/// law sets the clause aside for it. Both engines evaluate `when` as they do an
/// `unless` (it is never unknown: absent facts make it false, or fall back to
/// the policy's jurisdiction).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LawGuard {
    /// The rule's id in [`TABLE`].
    pub rule: &'static str,
    /// When it sets the clause aside.
    pub when: Cond,
}

/// The condition "the law of one of `codes` governs this employment".
fn governs_cond(rule: &LawRule, policy_jurisdiction: Option<&str>) -> Cond {
    let place = "actor.jurisdiction";
    let fact = |path: &str, op| Cond::Test(Test { lhs: Term::fact(path), op, span: None });
    let inside = |path: &str| Cond::Any(rule.jurisdictions.iter().map(|c| within_cond(path, c)).collect());
    // The place of work; the policy's jurisdiction stands for it when the action does not say.
    let work = if policy_jurisdiction.is_some_and(|j| rule.governs(j)) {
        Cond::Any(vec![fact(place, TestOp::Missing), inside(place)])
    } else {
        Cond::All(vec![fact(place, TestOp::Present), inside(place)])
    };
    match rule.connect {
        Connect::Work => work,
        Connect::WorkOrGoverning => Cond::Any(vec![
            work,
            Cond::All(vec![fact("actor.governing_law", TestOp::Present), inside("actor.governing_law")]),
        ]),
    }
}

fn since_cond(rule: &LawRule) -> Option<Cond> {
    rule.since.map(|d| {
        Cond::Test(Test {
            lhs: Term::fact("at"),
            op: TestOp::Cmp(crate::ast::CmpOp::Ge, Term::Const(Value::Date(d))),
            span: None,
        })
    })
}

/// The guards for a covenant clause: the rules in force that set a covenant
/// of this kind and length aside, each with the facts of the action that
/// make it hold. A rule needing facts the action may carry tests them only
/// when given (never a silent "no": a covenant whose compensation is not
/// stated binds as written). `garden_leave`: how its window counts garden leave.
pub fn covenant_guards(
    kind: CovenantKind,
    months: u32,
    garden_leave: crate::policy::GardenLeave,
    policy_jurisdiction: Option<&str>,
) -> Vec<LawGuard> {
    let length = CovenantFacts { months: Some(months), ..CovenantFacts::default() };
    let given = |path: &str| Cond::Test(Test { lhs: Term::fact(path), op: TestOp::Present, span: None });
    TABLE
        .iter()
        .filter(|r| r.covers_covenant(kind) && r.effect.sets_aside() && r.status == LawStatus::InForce)
        .filter_map(|r| {
            let fact_test = match &r.when {
                When::Always | When::NotSupervisor => None,
                // Reasonableness rules put a covenant at risk; they never set it aside.
                When::NotLimitedToDealtWith
                | When::LookbackLongerThanMonths(_)
                | When::RadiusWiderThanMiles(_)
                | When::Capacity(_) => return None,
                When::LongerThanMonths(_) if conditions(r, &length) == Ok(true) => None,
                When::LongerThanMonths(_) => return None,
                // Only the months past the cap: `at` later than the window's start + cap.
                When::BeyondMonths(cap) if months > *cap => {
                    let until = garden_leave.end(crate::value::Duration::new(*cap, crate::value::TimeUnit::Month));
                    Some(Cond::Test(Test {
                        lhs: Term::fact("at"),
                        op: TestOp::Cmp(crate::ast::CmpOp::Gt, until),
                        span: None,
                    }))
                }
                When::BeyondMonths(_) => return None,
                When::UnpaidOrUnwritten(pct) => {
                    let below = Cond::All(vec![
                        given(COMPENSATION),
                        Cond::Test(Test {
                            lhs: Term::fact(COMPENSATION),
                            op: TestOp::Cmp(crate::ast::CmpOp::Lt, Term::Const(Value::Int(i64::from(*pct)))),
                            span: None,
                        }),
                    ]);
                    let unwritten = Cond::All(vec![
                        given(IN_WRITING),
                        Cond::Not(Box::new(Cond::Test(Test {
                            lhs: Term::fact(IN_WRITING),
                            op: TestOp::Truthy,
                            span: None,
                        }))),
                    ]);
                    Some(Cond::Any(vec![below, unwritten]))
                }
            };
            let mut all = vec![governs_cond(r, policy_jurisdiction)];
            all.extend(since_cond(r));
            all.extend(fact_test);
            Some(LawGuard { rule: r.id.as_str(), when: Cond::All(all) })
        })
        .collect()
}

/// The action's fact for the compensation agreed for a non-compete, as a
/// percentage of the last pay.
pub const COMPENSATION: &str = "actor.non_compete_compensation_percent";
/// The action's fact for whether the non-compete was agreed in writing.
pub const IN_WRITING: &str = "actor.non_compete_in_writing";

/// The guards for a clause restricting posts of these content kinds (those
/// of [`NLRA_KINDS`] its condition names): protected speech by an employee
/// the rule covers sets it aside.
pub fn speech_guards(kinds: &[&str], policy_jurisdiction: Option<&str>) -> Vec<LawGuard> {
    if kinds.is_empty() {
        return vec![];
    }
    TABLE
        .iter()
        .filter(|r| r.status == LawStatus::InForce && r.effect.sets_aside())
        .filter_map(|r| match &r.covers {
            Covers::Speech(protected) => Some((r, protected)),
            Covers::Covenants(_) => None,
        })
        .map(|(r, protected)| {
            let mut all = vec![governs_cond(r, policy_jurisdiction)];
            all.extend(since_cond(r));
            if r.when == When::NotSupervisor {
                all.push(Cond::Not(Box::new(Cond::Test(Test {
                    lhs: Term::fact("actor.supervisor"),
                    op: TestOp::Truthy,
                    span: None,
                }))));
            }
            all.push(Cond::Any(
                protected
                    .iter()
                    .map(|k| {
                        Cond::Test(Test {
                            lhs: Term::fact("content.kind"),
                            op: TestOp::Has(Term::Const(Value::Symbol(k.to_string()))),
                            span: None,
                        })
                    })
                    .collect(),
            ));
            LawGuard { rule: r.id.as_str(), when: Cond::All(all) }
        })
        .collect()
}

/// The [`NLRA_KINDS`] a restrictive clause's condition tests for, unless it is
/// scoped to supervisors (`actor.supervisor` must hold for it to apply).
pub fn speech_kinds(when: &Cond) -> Vec<&'static str> {
    fn supervisors_only(c: &Cond) -> bool {
        match c {
            Cond::All(items) => items.iter().any(supervisors_only),
            Cond::Test(t) => t.op == TestOp::Truthy && t.lhs.is_fact("actor.supervisor"),
            _ => false,
        }
    }
    if supervisors_only(when) {
        return vec![];
    }
    let mut out: Vec<&'static str> = Vec::new();
    let mut note = |v: &Value| {
        if let Value::Symbol(s) | Value::Text(s) = v {
            if let Some(k) = NLRA_KINDS.iter().find(|k| **k == s.as_str()) {
                if !out.contains(k) {
                    out.push(k);
                }
            }
        }
    };
    let mut stack = vec![when];
    while let Some(c) = stack.pop() {
        match c {
            Cond::All(items) | Cond::Any(items) => stack.extend(items.iter()),
            Cond::Not(inner) => stack.push(inner),
            Cond::Test(t) if t.lhs.is_fact("content.kind") || t.lhs.is_fact("content.conduct") => match &t.op {
                TestOp::Has(Term::Const(v)) | TestOp::Cmp(_, Term::Const(v)) => note(v),
                TestOp::In(vs) | TestOp::HasOutside(vs) => vs.iter().for_each(&mut note),
                _ => {}
            },
            Cond::Test(_) | Cond::True => {}
        }
    }
    out
}

/// Attaches to every restrictive clause of a lowered policy the rules of law
/// that may set it aside (see [`LawGuard`]), and reads its tests of
/// `actor.jurisdiction` / `actor.governing_law` against a code as "inside"
/// ([`within_cond`]). Called once, at the end of lowering.
pub fn attach(policy: &mut crate::policy::Policy) {
    use crate::policy::{Effect, RuleKind};
    let j = policy.meta.jurisdiction.clone();
    for i in 0..policy.rules.len() {
        let Some(rule) = policy.rules.get(i) else { continue };
        let restrictive = matches!(rule.effect, Effect::Deny | Effect::RequireApproval { .. });
        let guards = match rule.kind {
            _ if !restrictive => vec![],
            RuleKind::Covenant { index } => match policy.covenants.get(index) {
                Some(c) => covenant_guards(c.kind, months_of_term(c.duration), c.garden_leave, j.as_deref()),
                None => vec![],
            },
            _ => speech_guards(&speech_kinds(&rule.when), j.as_deref()),
        };
        if let Some(rule) = policy.rules.get_mut(i) {
            rule.law = guards;
            hierarchical(&mut rule.when);
            rule.unless.iter_mut().for_each(hierarchical);
        }
    }
    policy.defaults.iter_mut().for_each(|d| hierarchical(&mut d.scope));
}

/// The facts that hold a jurisdiction code.
const JURISDICTION_FACTS: &[&str] = &["actor.jurisdiction", "actor.governing_law"];

/// Rewrites `= CODE`, `!= CODE` and `in {CODES}` tests of a jurisdiction fact
/// into "inside CODE" ([`within_cond`]).
fn hierarchical(c: &mut Cond) {
    use crate::ast::CmpOp;
    match c {
        Cond::True => {}
        Cond::All(items) | Cond::Any(items) => items.iter_mut().for_each(hierarchical),
        Cond::Not(inner) => hierarchical(inner),
        Cond::Test(t) => {
            let Term::Fact(path) = &t.lhs else { return };
            if !JURISDICTION_FACTS.contains(&path.as_str()) {
                return;
            }
            let code = |v: &Value| match v {
                Value::Symbol(s) | Value::Text(s) => Some(s.clone()),
                _ => None,
            };
            let rewritten = match &t.op {
                TestOp::Cmp(CmpOp::Eq, Term::Const(v)) => code(v).map(|c| within_cond(path, &c)),
                TestOp::Cmp(CmpOp::Ne, Term::Const(v)) => code(v).map(|c| Cond::Not(Box::new(within_cond(path, &c)))),
                TestOp::In(vs) => {
                    // The test as written first (its words are the explanation's when it holds), then each code's regions.
                    let codes: Option<Vec<String>> = vs.iter().map(code).collect();
                    codes.map(|cs| {
                        let regions = cs.iter().map(|c| {
                            let mut w = within_cond(path, c);
                            if let Cond::Any(parts) = &mut w {
                                parts.remove(0);
                            }
                            w
                        });
                        Cond::any(std::iter::once(Cond::Test(t.clone())).chain(regions).collect())
                    })
                }
                _ => None,
            };
            if let Some(r) = rewritten {
                *c = r;
            }
        }
    }
}

/// The policy as written: the same clauses with no rule of law attached
/// (`--as-written`).
pub fn as_written(policy: &crate::policy::Policy) -> crate::policy::Policy {
    let mut p = policy.clone();
    p.rules.iter_mut().for_each(|r| r.law.clear());
    p
}

/// Whether a rule of law applies to a covenant a policy describes (a policy
/// cannot state the facts some conditions read: compensation, written form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applies {
    /// It applies.
    Yes,
    /// It applies unless facts the policy cannot state say otherwise (their names).
    UnlessFacts(Vec<String>),
}

/// The rules of law the checker reports for a covenant with these facts in
/// a jurisdiction, in table order.
pub fn covenant(jurisdiction: &str, kind: CovenantKind, facts: &CovenantFacts) -> Vec<(&'static LawRule, Applies)> {
    TABLE
        .iter()
        .filter(|r| r.governs(jurisdiction) && r.covers_covenant(kind))
        .filter_map(|r| match conditions(r, facts) {
            Ok(true) => Some((r, Applies::Yes)),
            Ok(false) => None,
            Err(missing) => Some((r, Applies::UnlessFacts(missing))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_table_is_well_formed() {
        let mut ids: Vec<&str> = TABLE.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), TABLE.len(), "rule ids are unique");
        for r in TABLE.iter() {
            assert!(!r.jurisdictions.is_empty(), "{}", r.id);
            for j in &r.jurisdictions {
                assert!(crate::data::parse_jurisdiction(j).as_deref() == Ok(j.as_str()), "{}: {j}", r.id);
            }
            assert!(!r.statute.is_empty() && !r.words.is_empty() && !r.advice.is_empty(), "{}", r.id);
            assert!(!r.sources.is_empty(), "{}: every entry names its sources", r.id);
            // Only law in force sets anything aside; a proposal or a vacated rule is a note.
            if r.status != LawStatus::InForce {
                assert_eq!(r.effect, LawEffect::NoteOnly, "{}", r.id);
            }
            if r.effect == LawEffect::NoteOnly {
                assert!(r.duties.is_empty(), "{}", r.id);
            }
            // Only words of a covenant can be struck; a number (look-back, radius, length) is never rewritten.
            if r.severable {
                assert!(matches!(r.when, When::Capacity(_)) && r.effect == LawEffect::AtRisk, "{}", r.id);
            }
            match &r.when {
                When::Capacity(words) => assert!(!words.is_empty(), "{}: a capacity rule names its words", r.id),
                When::LookbackLongerThanMonths(m) | When::RadiusWiderThanMiles(m) | When::LongerThanMonths(m) => {
                    assert!(*m > 0, "{}: a bound of 0 is no bound", r.id)
                }
                _ => {}
            }
            // Words and advice are filled in for the facts they name.
            for placeholder in ["{lookback}", "{radius}", "{capacities}"] {
                if r.words.contains(placeholder) {
                    let named = match placeholder {
                        "{lookback}" => matches!(r.when, When::LookbackLongerThanMonths(_)),
                        "{radius}" => matches!(r.when, When::RadiusWiderThanMiles(_)),
                        _ => matches!(r.when, When::Capacity(_)),
                    };
                    assert!(named, "{}: {placeholder} in the words of a rule that does not read it", r.id);
                }
            }
        }
        // The rules issue 13 names are all here.
        for id in [
            "us-ca-bpc-16600",
            "us-ftc-non-compete-rule",
            "us-nlra-7",
            "uk-restraint-of-trade",
            "uk-not-limited-to-dealings",
            "uk-lookback-bound",
            "uk-radius-bound",
            "uk-capacity-interested-in",
        ] {
            assert!(rule(id).is_some(), "{id}");
        }
        assert!(rule("us-ca-bpc-16600").is_some_and(|r| r.duties.iter().any(|d| d.due == Some(date(2024, 2, 14)))));
    }

    fn uk(kind: CovenantKind, facts: CovenantFacts) -> Standing {
        assess(Some("UK"), kind, &facts, Some(date(2026, 3, 1))).standing
    }

    fn caps(words: &[&str]) -> Option<Vec<String>> {
        Some(words.iter().map(|w| w.to_string()).collect())
    }

    #[test]
    fn dealings_lookback_radius_and_capacities_decide_the_status() {
        let ns = CovenantKind::NonSolicitation;
        let nc = CovenantKind::NonCompete;
        let with = |lookback| CovenantFacts { months: Some(6), lookback_months: lookback, ..Default::default() };
        // Limited to those dealt with in the last 12 months: enforceable; 13: at risk; none: at risk.
        assert!(matches!(uk(ns, with(Some(12))), Standing::Enforceable { .. }));
        assert!(matches!(uk(ns, with(Some(13))), Standing::AtRisk { ref rule, .. } if rule == "uk-lookback-bound"));
        assert!(
            matches!(uk(ns, with(None)), Standing::AtRisk { ref rule, .. } if rule == "uk-not-limited-to-dealings")
        );
        let compete = |radius, c: &[&str]| CovenantFacts {
            months: Some(6),
            radius_miles: radius,
            capacities: caps(c),
            ..Default::default()
        };
        assert!(matches!(uk(nc, compete(Some(7), &["engaged_in"])), Standing::Enforceable { .. }));
        assert!(matches!(uk(nc, compete(None, &["engaged_in"])), Standing::Enforceable { .. }));
        assert!(
            matches!(uk(nc, compete(Some(8), &["engaged_in"])), Standing::AtRisk { ref rule, .. } if rule == "uk-radius-bound")
        );
        // Tillman: `interested_in` beside other capacities is struck; alone it cannot be.
        match uk(nc, compete(None, &["engaged_in", "concerned_in", "interested_in"])) {
            Standing::EnforceableAsSevered { severance, .. } => {
                assert_eq!(severance.words, vec!["interested_in".to_string()]);
                assert_eq!(severance.criteria.len(), 3);
                assert!(severance.holds());
            }
            other => panic!("{other:?}"),
        }
        match uk(nc, compete(None, &["interested_in"])) {
            Standing::AtRisk { severance: Some(s), .. } => {
                assert!(!s.holds());
                assert!(s.criteria.iter().any(|c| !c.met && c.test.contains("overall effect")));
            }
            other => panic!("{other:?}"),
        }
        // A reason to doubt it outranks a severable word; a missing fact is never enforceable.
        assert!(matches!(uk(nc, compete(Some(50), &["engaged_in", "interested_in"])), Standing::AtRisk { .. }));
        let unstated = CovenantFacts { months: Some(6), radius_miles: Some(5), ..Default::default() };
        assert!(matches!(uk(nc, unstated), Standing::NotAssessed { ref missing, .. } if missing == &["capacities"]));
        // Before Tillman (3 Jul 2019) the table's capacity entry is not in force.
        let early = assess(Some("UK"), nc, &compete(None, &["engaged_in", "interested_in"]), Some(date(2019, 7, 2)));
        assert!(matches!(early.standing, Standing::Enforceable { .. }), "{early:?}");
    }

    #[test]
    fn regions_are_inside_their_country() {
        assert!(within("US-CA", "US"));
        assert!(within("US", "US"));
        assert!(!within("USA", "US"));
        assert!(!within("US", "US-CA"));
        assert!(within("GB-SCT", "GB"));
    }

    #[test]
    fn covenants_get_one_status() {
        let f =
            |m, c, w| CovenantFacts { months: Some(m), compensation_percent: c, in_writing: w, ..Default::default() };
        let nc = CovenantKind::NonCompete;
        let on = Some(date(2026, 3, 1));
        assert_eq!(assess(Some("US-CA"), nc, &f(3, None, None), on).standing.word(), "void");
        // Before 1 Jan 2024 the table's California entry is not in force.
        assert_eq!(
            assess(Some("US-CA"), nc, &f(3, None, None), Some(date(2023, 12, 31))).standing.word(),
            "enforceability not encoded (indeterminate)"
        );
        assert_eq!(assess(Some("DE"), nc, &f(12, Some(30), Some(true)), on).standing.word(), "not binding");
        assert_eq!(assess(Some("DE"), nc, &f(12, Some(50), Some(true)), on).standing.word(), "enforceable");
        assert_eq!(assess(Some("DE"), nc, &f(12, Some(49), Some(true)), on).standing.word(), "not binding");
        assert_eq!(assess(Some("DE"), nc, &f(12, Some(60), Some(false)), on).standing.word(), "not binding");
        // §74a: longer than two years, it binds for the first two (paid and in writing) ...
        assert_eq!(assess(Some("DE"), nc, &f(25, Some(60), Some(true)), on).standing.word(), "binds in part");
        // ... and §74 still frees an unpaid one whole.
        assert_eq!(assess(Some("DE"), nc, &f(25, Some(30), Some(true)), on).standing.word(), "not binding");
        assert_eq!(assess(Some("DE"), nc, &f(24, Some(60), Some(true)), on).standing.word(), "enforceable");
        assert!(matches!(assess(Some("DE"), nc, &f(12, None, None), on).standing, Standing::NotAssessed { .. }));
        assert_eq!(assess(Some("UK"), nc, &f(13, None, None), on).standing.word(), "at risk");
        // Within 12 months a UK non-compete's width turns on its capacities: not stated, not assessed.
        assert_eq!(assess(Some("UK"), nc, &f(12, None, None), on).standing.word(), "not assessed");
        assert_eq!(assess(None, nc, &f(12, None, None), on).standing, Standing::NoJurisdiction);
        // The FTC rule is only ever a note.
        let tx = assess(Some("US-TX"), nc, &f(6, None, None), on);
        assert_eq!(tx.standing, Standing::NotEncoded);
        assert!(tx.notes.iter().any(|n| n.contains("set aside on 20 Aug 2024")));
    }
}
