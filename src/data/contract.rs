//! Employment terms (`shared/design/data-model.md`, "Employment terms"): a
//! contract or an offer that `terms` checks against a policy. Each covenant
//! and departure obligation remembers its index, so that errors and
//! explanations can say `covenants[1]`.

use super::error::{self, DataError};
use super::{de_opt_date, de_opt_jurisdiction, ser_opt_date, Invalid};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

closed_set! {
    /// The kind of a restrictive covenant.
    CovenantKind, "covenant kind" {
        /// Not to solicit clients, candidates or staff.
        NonSolicitation = "non_solicitation",
        /// Not to deal with them even unsolicited.
        NonDealing = "non_dealing",
        /// Not to work for a competitor.
        NonCompete = "non_compete",
        /// Not to hire away staff.
        NonPoaching = "non_poaching",
    }
}

/// What narrows a covenant of each kind beyond its length and whom it
/// protects: the one table the checker (which refuses the rest), the engine
/// and the language reference follow.
impl CovenantKind {
    /// Whether `radius N miles` narrows it: the distance to its target
    /// (`target.distance_miles`), the competitor for a non-compete, the client
    /// or candidate for a non-solicitation or non-dealing covenant. A
    /// non-poaching covenant protects colleagues, who work where the agency
    /// does, so no distance narrows it.
    pub fn takes_radius(self) -> bool {
        !matches!(self, CovenantKind::NonPoaching)
    }

    /// Whether `lookback D` narrows it to people dealt with in the last D of
    /// employment: every kind about people, not a non-compete.
    pub fn takes_lookback(self) -> bool {
        !matches!(self, CovenantKind::NonCompete)
    }
}

closed_set! {
    /// Whom a covenant protects.
    CovenantOf, "covenant subject" {
        /// The agency's clients.
        Clients = "clients",
        /// The agency's candidates.
        Candidates = "candidates",
        /// The agency's staff.
        Staff = "staff",
    }
}

closed_set! {
    /// Who owns connections or accounts.
    Owner, "owner" {
        /// The employee.
        Employee = "employee",
        /// The agency.
        Agency = "agency",
        /// Both.
        Shared = "shared",
    }
}

closed_set! {
    /// What a leaver must do with something.
    Duty, "departure duty" {
        /// Hand it over to the agency.
        HandOver = "hand_over",
        /// Remove it.
        Remove = "remove",
        /// Export it for the agency.
        Export = "export",
        /// May keep it.
        Keep = "keep",
    }
}

/// Employment terms: a contract or an offer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    /// The employer's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employer: Option<String>,
    /// The job title (free text, not a policy role).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// ISO country, optionally with a region (`UK`, `US-CA`), upper case.
    #[serde(default, deserialize_with = "de_opt_jurisdiction", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<super::Jurisdiction>")]
    pub jurisdiction: Option<String>,
    /// First day of employment.
    #[serde(default, deserialize_with = "de_opt_date", serialize_with = "ser_opt_date")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<Date>,
    /// Yearly salary in the contract's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salary: Option<u64>,
    /// Restrictive covenants, in the order written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub covenants: Vec<Covenant>,
    /// Who owns connections and accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership: Option<Ownership>,
    /// What a leaver must do, in the order written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_departure: Vec<Obligation>,
    /// Whether the employer monitors personal accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring_of_personal_accounts: Option<bool>,
}

/// A restrictive covenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Covenant {
    /// Its position in `covenants`, from 0.
    #[serde(skip)]
    pub index: usize,
    /// Which covenant.
    pub kind: CovenantKind,
    /// Whom it protects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<CovenantOf>,
    /// How long after the end of employment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
    /// The contract gives the restraint no end date (then `months` is not given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_end: Option<bool>,
    /// Only those dealt with in the last N months of employment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookback_months: Option<u32>,
    /// Radius of a non-compete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub radius_miles: Option<u32>,
    /// Time on garden leave counts against the covenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub garden_leave_offset: Option<bool>,
    /// Capacities in which the covenant binds (`employee`, `director`, `shareholder`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capacities: Vec<String>,
    /// Capacities recorded as severed (struck out by a court or by agreement).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severed: Vec<String>,
    /// Compensation paid during the restraint, as a percentage of the last pay (HGB §74 asks for at least 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensation_percent: Option<u32>,
    /// Whether the covenant was agreed in writing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_writing: Option<bool>,
}

impl Covenant {
    /// What the law's conditions read of it.
    pub fn law_facts(&self) -> crate::law::CovenantFacts {
        crate::law::CovenantFacts {
            months: if self.no_end == Some(true) { Some(crate::law::NO_END_MONTHS) } else { self.months },
            compensation_percent: self.compensation_percent,
            in_writing: self.in_writing,
            lookback_months: self.lookback_months,
            radius_miles: self.radius_miles,
            capacities: (!self.capacities.is_empty()).then(|| self.capacities.clone()),
        }
    }
}

impl Covenant {
    /// The path of this covenant in the terms, `covenants[1]`.
    pub fn path(&self) -> String {
        format!("covenants[{}]", self.index)
    }
}

/// Who owns connections, accounts, and content and intellectual property.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ownership {
    /// Connections made before the employment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections_before_employment: Option<Owner>,
    /// Connections made during the employment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections_during_employment: Option<Owner>,
    /// Branded accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branded_accounts: Option<Owner>,
    /// Personal accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_accounts: Option<Owner>,
    /// Content made for the agency in the course of the job: posts, articles, videos, blogs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_made_for_agency: Option<Owner>,
    /// Content made privately, in the employee's own time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_made_privately: Option<Owner>,
    /// Content made before the employment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_before_employment: Option<Owner>,
    /// The member lists of groups (a LinkedIn group run for the agency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_member_lists: Option<Owner>,
    /// Recruiting material: job descriptions, candidate write-ups, templates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recruiting_material: Option<Owner>,
}

impl Ownership {
    /// Every field by its name, in the order of [`crate::policy::CONTRACT_OWNERSHIP`]
    /// (a test holds the two to the same names).
    pub fn fields(&self) -> [(&'static str, Option<Owner>); 9] {
        [
            ("connections_before_employment", self.connections_before_employment),
            ("connections_during_employment", self.connections_during_employment),
            ("branded_accounts", self.branded_accounts),
            ("personal_accounts", self.personal_accounts),
            ("content_made_for_agency", self.content_made_for_agency),
            ("content_made_privately", self.content_made_privately),
            ("content_before_employment", self.content_before_employment),
            ("group_member_lists", self.group_member_lists),
            ("recruiting_material", self.recruiting_material),
        ]
    }

    /// The ownership whose field `f` has the owner `owner(f)`.
    pub fn from_fields(mut owner: impl FnMut(&str) -> Option<Owner>) -> Ownership {
        Ownership {
            connections_before_employment: owner("connections_before_employment"),
            connections_during_employment: owner("connections_during_employment"),
            branded_accounts: owner("branded_accounts"),
            personal_accounts: owner("personal_accounts"),
            content_made_for_agency: owner("content_made_for_agency"),
            content_made_privately: owner("content_made_privately"),
            content_before_employment: owner("content_before_employment"),
            group_member_lists: owner("group_member_lists"),
            recruiting_material: owner("recruiting_material"),
        }
    }
}

/// One thing a leaver must do, written as a one-key mapping such as
/// `hand_over: branded_accounts` or `remove: client_connections` with an
/// optional `within_days`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(try_from = "ObligationForm", into = "ObligationForm")]
pub struct Obligation {
    /// Its position in `on_departure`, from 0.
    pub index: usize,
    /// What to do.
    pub duty: Duty,
    /// With what (`branded_accounts`, `client_connections`, `credentials`).
    pub what: String,
    /// Deadline in days after departure.
    pub within_days: Option<u32>,
}

impl Obligation {
    /// The path of this obligation in the terms, `on_departure[1]`.
    pub fn path(&self) -> String {
        format!("on_departure[{}]", self.index)
    }
}

/// The written form of an [`Obligation`]: exactly one duty key (`hand_over`,
/// `remove`, `export`, `keep`) naming what, and optionally `within_days`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Obligation", extend("minProperties" = 1))]
struct ObligationForm {
    /// Hand over what (`branded_accounts`, `credentials`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hand_over: Option<String>,
    /// Remove what (`client_connections`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    remove: Option<String>,
    /// Export what.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    export: Option<String>,
    /// Keep what.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    keep: Option<String>,
    /// Deadline in days after departure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    within_days: Option<u32>,
}

impl TryFrom<ObligationForm> for Obligation {
    type Error = String;
    fn try_from(form: ObligationForm) -> Result<Self, String> {
        let given: Vec<(Duty, String)> = [
            (Duty::HandOver, form.hand_over),
            (Duty::Remove, form.remove),
            (Duty::Export, form.export),
            (Duty::Keep, form.keep),
        ]
        .into_iter()
        .filter_map(|(duty, what)| what.map(|w| (duty, w)))
        .collect();
        match <[(Duty, String); 1]>::try_from(given) {
            Ok([(duty, what)]) => Ok(Obligation { index: 0, duty, what, within_days: form.within_days }),
            Err(given) => {
                let found = if given.is_empty() {
                    "none".to_string()
                } else {
                    given.iter().map(|(d, _)| d.as_str()).collect::<Vec<_>>().join(" and ")
                };
                Err(error::message(
                    &format!("expected exactly one of {}; found {found}", Duty::NAMES.join(", ")),
                    Some("write one mapping per obligation, such as `- hand_over: branded_accounts`"),
                ))
            }
        }
    }
}

impl From<Obligation> for ObligationForm {
    fn from(o: Obligation) -> Self {
        let mut form = ObligationForm { within_days: o.within_days, ..ObligationForm::default() };
        let slot = match o.duty {
            Duty::HandOver => &mut form.hand_over,
            Duty::Remove => &mut form.remove,
            Duty::Export => &mut form.export,
            Duty::Keep => &mut form.keep,
        };
        *slot = Some(o.what);
        form
    }
}

/// Parses employment terms from YAML, or JSON when `file` ends in `.json`.
pub fn parse_contract(text: &str, file: &str) -> Result<Contract, DataError> {
    let mut contract: Contract = super::parse_document(text, file)?;
    number(&mut contract);
    match validate(&contract) {
        Some(invalid) => Err(invalid.into_error(file, text)),
        None => Ok(contract),
    }
}

/// Records each covenant's and obligation's index.
pub(super) fn number(contract: &mut Contract) {
    for (index, covenant) in contract.covenants.iter_mut().enumerate() {
        covenant.index = index;
    }
    for (index, obligation) in contract.on_departure.iter_mut().enumerate() {
        obligation.index = index;
    }
}

/// Cross-field rules: a severed capacity must be one of the covenant's capacities, when it lists them.
pub(super) fn validate(contract: &Contract) -> Option<Invalid> {
    for covenant in &contract.covenants {
        if let (Some(true), Some(m)) = (covenant.no_end, covenant.months) {
            let path = format!("{}.no_end", covenant.path());
            return Some(Invalid {
                at: path.clone(),
                path,
                message: format!("a covenant with no end date cannot also last {m} months"),
                help: Some("give either `months` or `no_end: true`".into()),
            });
        }
        if covenant.capacities.is_empty() {
            continue;
        }
        for (i, severed) in covenant.severed.iter().enumerate() {
            if !covenant.capacities.contains(severed) {
                let path = format!("{}.severed[{i}]", covenant.path());
                let help = match error::suggest(severed, covenant.capacities.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean {s:?}?"),
                    None => format!("the covenant's capacities are {}", covenant.capacities.join(", ")),
                };
                return Some(Invalid {
                    at: path.clone(),
                    path,
                    message: format!("{severed:?} is not one of the covenant's capacities"),
                    help: Some(help),
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of `shared/design/data-model.md`.
    const EXAMPLE: &str = r#"
employer: Acme Recruitment Ltd
role: senior consultant
jurisdiction: UK              # ISO country, optionally with region: US-CA
start: 2026-04-01
covenants:
  - kind: non_solicitation    # non_solicitation | non_dealing | non_compete | non_poaching
    of: clients               # clients | candidates | staff
    months: 6                 # after the end of employment
    lookback_months: 12       # only those dealt with in the last N months of employment
  - kind: non_compete
    months: 12
    radius_miles: 5
    garden_leave_offset: true # time on garden leave counts against the covenant
ownership:
  connections_before_employment: employee   # employee | agency | shared
  connections_during_employment: agency
  branded_accounts: agency
  personal_accounts: employee
on_departure:
  - hand_over: branded_accounts
  - remove: client_connections
    within_days: 30
monitoring_of_personal_accounts: false
"#;

    /// The contract's ownership fields are the one table's, in its order: a field
    /// added to one and not the other fails here.
    #[test]
    fn ownership_fields_are_the_tables() {
        let names: Vec<&str> = Ownership::default().fields().iter().map(|(f, _)| *f).collect();
        assert_eq!(names, crate::policy::ownership_fields().collect::<Vec<_>>());
        // Each field reads its own value back, and only its own.
        for field in crate::policy::ownership_fields() {
            let o = Ownership::from_fields(|f| (f == field).then_some(Owner::Shared));
            let set: Vec<&str> = o.fields().iter().filter(|(_, x)| x.is_some()).map(|(f, _)| *f).collect();
            assert_eq!(set, [field]);
        }
        let c = parse_contract(
            "ownership:\n  content_made_for_agency: agency\n  content_made_privately: employee\n  recruiting_material: agency\n",
            "c.yaml",
        )
        .unwrap();
        let o = c.ownership.unwrap_or_default();
        assert_eq!(o.content_made_privately, Some(Owner::Employee));
        assert_eq!(o.recruiting_material, Some(Owner::Agency));
    }

    fn err(text: &str) -> String {
        parse_contract(text, "c.yaml").unwrap_err().to_string()
    }

    #[test]
    fn the_example_parses() {
        let c = parse_contract(EXAMPLE, "c.yaml").unwrap();
        assert_eq!(c.jurisdiction.as_deref(), Some("UK"));
        assert_eq!(c.start, Some(jiff::civil::date(2026, 4, 1)));
        assert_eq!(c.covenants.len(), 2);
        let second = c.covenants.get(1).unwrap();
        assert_eq!(
            (second.kind, second.months, second.path().as_str()),
            (CovenantKind::NonCompete, Some(12), "covenants[1]")
        );
        assert_eq!(c.covenants.first().and_then(|c| c.of), Some(CovenantOf::Clients));
        assert_eq!(c.ownership.as_ref().and_then(|o| o.connections_during_employment), Some(Owner::Agency));
        let remove = c.on_departure.get(1).unwrap();
        assert_eq!(
            (remove.duty, remove.what.as_str(), remove.within_days, remove.path().as_str()),
            (Duty::Remove, "client_connections", Some(30), "on_departure[1]")
        );
        assert_eq!(c.monitoring_of_personal_accounts, Some(false));
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(parse_contract(&json, "c.json").unwrap(), c);
    }

    #[test]
    fn errors_name_the_covenant() {
        insta::assert_snapshot!(err("covenants:\n  - kind: non_compete\n  - kind: non_solicit\n"),
            @r#"c.yaml:3:11: covenants[1].kind: expected one of non_solicitation, non_dealing, non_compete, non_poaching; found "non_solicit""#);
        insta::assert_snapshot!(err("covenants:\n  - kind: non_compete\n    month: 3\n"),
            @"c.yaml:3:5: covenants[0].month: unknown field; did you mean `months`?");
        insta::assert_snapshot!(err("ownership:\n  branded_accounts: company\n"),
            @r#"c.yaml:2:21: ownership.branded_accounts: expected one of employee, agency, shared; found "company""#);
        insta::assert_snapshot!(err("start: next week\n"),
            @r#"c.yaml:1:8: start: expected a date such as `2026-03-14`; found "next week""#);
    }

    #[test]
    fn departure_obligations_are_one_key_mappings() {
        insta::assert_snapshot!(err("on_departure:\n  - hand_over: accounts\n    remove: connections\n"),
            @"c.yaml:2:3: on_departure[0]: expected exactly one of hand_over, remove, export, keep; found hand_over and remove; write one mapping per obligation, such as `- hand_over: branded_accounts`");
        insta::assert_snapshot!(err("on_departure:\n  - within_days: 3\n"),
            @"c.yaml:2:3: on_departure[0]: expected exactly one of hand_over, remove, export, keep; found none; write one mapping per obligation, such as `- hand_over: branded_accounts`");
        insta::assert_snapshot!(err("on_departure:\n  - handover: accounts\n"),
            @"c.yaml:2:5: on_departure[0].handover: unknown field; did you mean `hand_over`?");
    }

    #[test]
    fn severed_and_capacities() {
        let ok = "covenants:\n  - kind: non_compete\n    capacities: [employee, shareholder]\n    severed: [shareholder]\n    months: 12\nsalary: 55000\n";
        let c = parse_contract(ok, "c.yaml").unwrap();
        assert_eq!(c.covenants.first().map(|c| c.severed.clone()), Some(vec!["shareholder".to_string()]));
        assert_eq!(c.salary, Some(55000));
        insta::assert_snapshot!(err("covenants:\n  - kind: non_compete\n    capacities: [employee, shareholder]\n    severed: [sharehlder]\n"),
            @r#"c.yaml:4:15: covenants[0].severed[0]: "sharehlder" is not one of the covenant's capacities; did you mean "shareholder"?"#);
    }
}
