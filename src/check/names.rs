//! Checker stage: names. Builds the table of known names (built-in value sets
//! from [`schema`](crate::schema) plus the policy's declarations), reports
//! duplicate declarations and clause names, resolves every name a clause uses
//! (roles, teams, channels, content kinds, actions, relationships, statuses,
//! ...), checks exception targets, and finally reports unused declarations.
//!
//! Conditions are handed to [`types`](super::types). This stage reads the AST
//! and the lowered policy only; it must not touch the parser or the lowering.

use super::{types, Checker};
use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::policy::Policy;
use crate::schema;
use crate::source::{Span, Spanned};
use crate::value::Type;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A kind of name a policy refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum NameSet {
    Role,
    Team,
    Channel,
    ContentKind,
    Action,
    Status,
    /// A single relationship value, as in `target.relationship = client`.
    Relationship,
    /// A group of people in a clause, as in `of clients` or `to candidates`.
    People,
    Origin,
    AccountKind,
    Party,
    Purpose,
    /// A built-in conduct judgement, as in `forbid conduct offensive`.
    Conduct,
    /// A field of a contract's `ownership`, as in `require personal_accounts -> employee`.
    OwnershipField,
    /// A day of the week, as in `at.weekday in {saturday, sunday}`.
    Weekday,
    /// A device, as in `device = agency`.
    Device,
}

/// The words `of`, `with` and `to` accept for groups of people: the plurals
/// (the first seven, which suggestions use), then the singulars.
const PEOPLE: &[&str] = &[
    "clients",
    "candidates",
    "staff",
    "colleagues",
    "contract_workers",
    "competitor_staff",
    "prospects",
    "client",
    "candidate",
    "colleague",
    "contract_worker",
    "prospect",
    "personal",
    "unknown",
];

/// The ownership fields of a contract (the public data contract), from the one table.
static OWNERSHIP_FIELDS: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| crate::policy::ownership_fields().collect());

impl NameSet {
    /// The noun used in messages.
    pub(crate) fn noun(self) -> &'static str {
        match self {
            NameSet::Role => "role",
            NameSet::Team => "team",
            NameSet::Channel => "channel",
            NameSet::ContentKind => "content kind",
            NameSet::Action => "action",
            NameSet::Status => "status",
            NameSet::Relationship => "relationship",
            NameSet::People => "relationship",
            NameSet::Origin => "origin",
            NameSet::AccountKind => "account kind",
            NameSet::Party => "party",
            NameSet::Purpose => "account purpose",
            NameSet::Conduct => "conduct judgement",
            NameSet::OwnershipField => "ownership field",
            NameSet::Weekday => "day of the week",
            NameSet::Device => "device",
        }
    }

    /// The built-in names.
    fn builtins(self) -> &'static [&'static str] {
        match self {
            NameSet::Role | NameSet::Team => &[],
            NameSet::Channel => schema::CHANNELS,
            NameSet::ContentKind => schema::CONTENT_KINDS,
            NameSet::Action => schema::ACTIONS,
            NameSet::Status => schema::STATUSES,
            NameSet::Relationship => schema::RELATIONSHIPS,
            NameSet::People => PEOPLE,
            NameSet::Origin => schema::ORIGINS,
            NameSet::AccountKind => schema::ACCOUNT_KINDS,
            NameSet::Party => schema::PARTIES,
            NameSet::Purpose => schema::PURPOSES,
            NameSet::Conduct => crate::data::action::Conduct::NAMES,
            NameSet::OwnershipField => OWNERSHIP_FIELDS.as_slice(),
            NameSet::Weekday => crate::value::WEEKDAYS,
            NameSet::Device => crate::data::action::Device::NAMES,
        }
    }

    /// The declaration that adds names of this kind, if any.
    fn declared_by(self) -> Option<DeclKind> {
        match self {
            NameSet::Role => Some(DeclKind::Roles),
            NameSet::Team => Some(DeclKind::Teams),
            NameSet::Channel => Some(DeclKind::Channels),
            NameSet::ContentKind => Some(DeclKind::ContentKinds),
            NameSet::Action => Some(DeclKind::Actions),
            _ => None,
        }
    }

    fn of_decl(kind: DeclKind) -> NameSet {
        match kind {
            DeclKind::Roles => NameSet::Role,
            DeclKind::Teams => NameSet::Team,
            DeclKind::Channels => NameSet::Channel,
            DeclKind::ContentKinds => NameSet::ContentKind,
            DeclKind::Actions => NameSet::Action,
        }
    }

    /// The kind of a value set named in [`schema::VALUE_SETS`]; `None` for open sets.
    pub(crate) fn of_set(set: &str) -> Option<NameSet> {
        Some(match set {
            "action" => NameSet::Action,
            "channel" => NameSet::Channel,
            "content kind" => NameSet::ContentKind,
            "role" => NameSet::Role,
            "team" => NameSet::Team,
            "status" => NameSet::Status,
            "relationship" => NameSet::Relationship,
            "origin" => NameSet::Origin,
            "account kind" => NameSet::AccountKind,
            "party" => NameSet::Party,
            "purpose" => NameSet::Purpose,
            "conduct" => NameSet::Conduct,
            "weekday" => NameSet::Weekday,
            "device" => NameSet::Device,
            _ => return None,
        })
    }
}

/// A declared fact.
#[derive(Debug, Clone)]
pub(crate) struct FactInfo {
    /// Its type; enums use the set `fact NAME`.
    pub(crate) ty: Type,
    /// The values of an enum fact.
    pub(crate) values: Vec<String>,
    /// Where it was declared.
    pub(crate) span: Span,
}

/// Known names and what the policy used.
#[derive(Debug, Default)]
pub(crate) struct Env {
    /// Declared names (roles, teams, channels, content kinds, actions) with where.
    declared: BTreeMap<(NameSet, String), Span>,
    /// Names referred to, by kind.
    used: foldhash::HashMap<NameSet, foldhash::HashSet<String>>,
    /// Declared facts by name.
    pub(crate) facts: BTreeMap<String, FactInfo>,
    /// Declared facts referred to.
    pub(crate) used_facts: HashSet<String>,
    /// The built-in fact paths and their types.
    pub(crate) schema: foldhash::HashMap<&'static str, Type>,
}

impl Env {
    /// Whether a name of this kind exists (built in or declared).
    pub(crate) fn knows(&self, kind: NameSet, name: &str) -> bool {
        match kind {
            NameSet::People => {
                let rels = crate::lower::relationships(&[name.to_string()]);
                !rels.is_empty() && rels.iter().all(|r| schema::RELATIONSHIPS.contains(&r.as_str()))
            }
            _ => kind.builtins().contains(&name) || self.declared.contains_key(&(kind, name.to_string())),
        }
    }

    /// Every known name of this kind: built-ins first, then declarations.
    /// Groups of people are suggested in the plural, as clauses write them.
    pub(crate) fn candidates(&self, kind: NameSet) -> Vec<&str> {
        let builtins = match kind {
            NameSet::People => PEOPLE.get(..7).unwrap_or(PEOPLE),
            _ => kind.builtins(),
        };
        let mut out: Vec<&str> = builtins.to_vec();
        for (k, name) in self.declared.keys() {
            if *k == kind && !out.contains(&name.as_str()) {
                out.push(name);
            }
        }
        out
    }

    fn mark(&mut self, kind: NameSet, name: &str) {
        let used = self.used.entry(kind).or_default();
        if !used.contains(name) {
            used.insert(name.to_string());
        }
    }
}

/// Reads the declarations: what is declared, and duplicates among them.
pub(super) fn declarations(cx: &mut Checker<'_>) {
    cx.env.schema = schema::fact_paths().into_iter().collect();
    let ast = cx.ast;
    for item in &ast.items {
        match &item.node {
            Item::Declaration(decl) => {
                let kind = NameSet::of_decl(decl.kind);
                for n in &decl.names {
                    let key = (kind, n.node.clone());
                    if let Some(first) = cx.env.declared.get(&key) {
                        let first = *first;
                        cx.diags.push(
                            Diagnostic::error(
                                "duplicate-name",
                                format!("{} `{}` is declared twice", kind.noun(), n.node),
                                n.span,
                                "declared again here",
                            )
                            .with_label(first, "first declared here")
                            .with_help("remove one of them"),
                        );
                    } else if kind.builtins().contains(&n.node.as_str()) {
                        cx.diags.push(
                            Diagnostic::warning(
                                "redundant-declaration",
                                format!("`{}` is already a built-in {}", n.node, kind.noun()),
                                n.span,
                                "built in",
                            )
                            .with_help("remove it from the declaration"),
                        );
                    } else {
                        cx.env.declared.insert(key, n.span);
                    }
                }
            }
            Item::Fact(f) => {
                if let Some(first) = cx.env.facts.get(&f.name.node) {
                    let first = first.span;
                    cx.diags.push(
                        Diagnostic::error(
                            "duplicate-name",
                            format!("fact `{}` is declared twice", f.name.node),
                            f.name.span,
                            "declared again here",
                        )
                        .with_label(first, "first declared here")
                        .with_help("remove one of them, or give the second another name"),
                    );
                    continue;
                }
                let (ty, values) = match &f.ty.node {
                    FactType::Bool => (Type::Bool, vec![]),
                    FactType::Int => (Type::Int, vec![]),
                    FactType::Date => (Type::Date, vec![]),
                    FactType::Text => (Type::Text, vec![]),
                    FactType::Enum(values) => {
                        let mut seen: HashMap<&str, Span> = HashMap::new();
                        for v in values {
                            if let Some(first) = seen.get(v.node.as_str()) {
                                cx.diags.push(
                                    Diagnostic::error(
                                        "duplicate-name",
                                        format!("the value `{}` is listed twice", v.node),
                                        v.span,
                                        "listed again here",
                                    )
                                    .with_label(*first, "first listed here")
                                    .with_help("remove one of them"),
                                );
                            } else {
                                seen.insert(&v.node, v.span);
                            }
                        }
                        (Type::Enum(format!("fact {}", f.name.node)), values.iter().map(|v| v.node.clone()).collect())
                    }
                };
                cx.env.facts.insert(f.name.node.clone(), FactInfo { ty, values, span: f.name.span });
            }
            _ => {}
        }
    }
}

/// Resolves a name of a kind; reports it when unknown. Returns whether it is known.
pub(crate) fn resolve(cx: &mut Checker<'_>, kind: NameSet, name: &str, span: Span) -> bool {
    if cx.env.knows(kind, name) {
        cx.env.mark(kind, name);
        return true;
    }
    let candidates = cx.env.candidates(kind);
    let suggestion = schema::suggest(name, candidates.iter().copied()).map(str::to_string);
    let elsewhere = [NameSet::Role, NameSet::Team, NameSet::Channel, NameSet::ContentKind, NameSet::Action]
        .into_iter()
        .find(|k| *k != kind && cx.env.knows(*k, name));
    let label = match kind.declared_by() {
        Some(_) if kind.builtins().is_empty() => format!("not a declared {}", kind.noun()),
        Some(_) => format!("not a built-in or declared {}", kind.noun()),
        None => format!("not a known {}", kind.noun()),
    };
    let help = match (elsewhere, &suggestion) {
        (Some(other), Some(s)) => {
            format!("`{name}` is a {}, not a {}: did you mean `{s}`?", other.noun(), kind.noun())
        }
        (Some(other), None) => format!("`{name}` is a {}, not a {}", other.noun(), kind.noun()),
        (None, Some(s)) => format!("did you mean `{s}`?"),
        (None, None) => match kind.declared_by() {
            Some(decl) if candidates.is_empty() => {
                format!("this policy declares no {}; declare it first: `{} {name}`", decl.keyword(), decl.keyword())
            }
            Some(decl) => format!("declare it first: `{} {name}`", decl.keyword()),
            None => format!("expected {}", alternatives(&candidates)),
        },
    };
    cx.diags.push(
        Diagnostic::error("unknown-name", format!("unknown {} `{name}`", kind.noun()), span, label).with_help(help),
    );
    false
}

/// `a`, `b` and `c` in backticks (at most twelve).
pub(crate) fn list(items: &[&str]) -> String {
    joined(items, "and")
}

/// `a`, `b` or `c` in backticks (at most twelve).
pub(crate) fn alternatives(items: &[&str]) -> String {
    joined(items, "or")
}

fn joined(items: &[&str], word: &str) -> String {
    let quoted: Vec<String> = items.iter().take(12).map(|i| format!("`{i}`")).collect();
    match quoted.as_slice() {
        [] => "nothing".to_string(),
        [one] => one.clone(),
        [init @ .., last] => {
            if items.len() > 12 {
                format!("{}, {last}, ...", init.join(", "))
            } else {
                format!("{} {word} {last}", init.join(", "))
            }
        }
    }
}

fn names(cx: &mut Checker<'_>, kind: NameSet, list: &[Name]) {
    for n in list {
        resolve(cx, kind, &n.node, n.span);
    }
}

/// Resolves every name the clauses use and checks every condition.
pub(super) fn references(cx: &mut Checker<'_>) {
    let ast = cx.ast;
    if let Some(Spanned { node: DefaultVerdict::Outcome(o), .. }) = &ast.header.default {
        outcome(cx, o);
    }
    let mut defined: Vec<(&Name, &'static str)> = Vec::new();
    let mut assumed = Vec::new();
    let mut brands_seen = false;
    for item in &ast.items {
        match &item.node {
            Item::Declaration(_) | Item::Fact(_) => {}
            Item::Brands(names) => super::types::brands(cx, names, &mut brands_seen),
            Item::Assume(a) => super::types::assumption(cx, a, &mut assumed),
            Item::Ownership(clauses) => {
                for c in clauses {
                    defined.extend(c.label.as_ref().map(|l| (l, "clause")));
                    asset(cx, &c.rule.node.asset.node);
                    modifiers(cx, &c.modifiers);
                }
            }
            Item::Departure(clauses) => {
                for c in clauses {
                    defined.extend(c.label.as_ref().map(|l| (l, "clause")));
                    match &c.rule.node {
                        DepartureDuty::HandOver { asset: a, .. }
                        | DepartureDuty::Remove { asset: a, .. }
                        | DepartureDuty::Keep { asset: a }
                        | DepartureDuty::NoExport { asset: a } => asset(cx, &a.node),
                        DepartureDuty::UpdateProfile { .. } => {}
                    }
                    modifiers(cx, &c.modifiers);
                }
            }
            Item::Covenant(c) => {
                defined.extend(c.label.as_ref().map(|l| (l, "covenant")));
                names(cx, NameSet::People, &c.of);
                names(cx, NameSet::Action, &c.applies_to);
                for e in &c.exceptions {
                    match &e.test {
                        ExceptionTest::Kinds(kinds) => names(cx, NameSet::ContentKind, kinds),
                        ExceptionTest::When(x) => types::condition(cx, x),
                    }
                }
                modifiers(cx, &c.modifiers);
            }
            Item::Posting(s) => {
                scope(cx, &s.scope);
                for c in &s.clauses {
                    defined.extend(c.label.as_ref().map(|l| (l, "clause")));
                    match &c.rule.node {
                        PostingRule::Limit { kind, .. } => {
                            if let Some(k) = kind {
                                resolve(cx, NameSet::ContentKind, &k.node, k.span);
                            }
                        }
                        PostingRule::Share { kind, .. } => {
                            resolve(cx, NameSet::ContentKind, &kind.node, kind.span);
                        }
                        PostingRule::ForbidKinds(kinds) | PostingRule::OnlyKinds(kinds) => {
                            names(cx, NameSet::ContentKind, kinds)
                        }
                        PostingRule::ForbidConduct(judgements) => names(cx, NameSet::Conduct, judgements),
                        PostingRule::RequireApproval { approvers: who, kinds, .. } => {
                            approvers(cx, who);
                            names(cx, NameSet::ContentKind, kinds);
                        }
                        PostingRule::RequireDisclosure { .. } | PostingRule::ForbidFlag(_) => {}
                        PostingRule::Default(o) => outcome(cx, &o.node),
                    }
                    modifiers(cx, &c.modifiers);
                }
            }
            Item::Connecting(s) => {
                scope(cx, &s.scope);
                for c in &s.clauses {
                    defined.extend(c.label.as_ref().map(|l| (l, "clause")));
                    match &c.rule.node {
                        ConnectingRule::ForbidInvitations { to, while_status } => {
                            names(cx, NameSet::People, to);
                            names(cx, NameSet::Status, while_status);
                        }
                        ConnectingRule::Default(o) => outcome(cx, &o.node),
                        ConnectingRule::RequireInteraction | ConnectingRule::Limit { .. } => {}
                    }
                    modifiers(cx, &c.modifiers);
                }
            }
            Item::Terms(clauses) => {
                for c in clauses {
                    defined.extend(c.label.as_ref().map(|l| (l, "clause")));
                    match &c.rule.node {
                        TermsRule::MaxCovenant { of, .. } | TermsRule::NoCovenant { of, .. } => {
                            names(cx, NameSet::People, of)
                        }
                        TermsRule::RequireOwnership { field, .. } => {
                            resolve(cx, NameSet::OwnershipField, &field.node, field.span);
                        }
                        TermsRule::MaxLookback(_)
                        | TermsRule::MaxRadius(_)
                        | TermsRule::RequireOffset
                        | TermsRule::ForbidMonitoring => {}
                    }
                    modifiers(cx, &c.modifiers);
                }
            }
            Item::Rule(r) => {
                defined.push((&r.name, "rule"));
                modifiers(cx, &r.modifiers);
            }
            Item::Exception(e) => {
                defined.push((&e.name, "exception"));
                modifiers(cx, &e.modifiers);
            }
        }
    }
    let mut first: foldhash::HashMap<&str, (Span, &'static str)> = foldhash::HashMap::default();
    for (name, what) in defined {
        match first.get(name.node.as_str()) {
            Some((span, first_what)) => {
                cx.diags.push(
                    Diagnostic::error(
                        "duplicate-name",
                        format!("the name `{}` is used by two clauses", name.node),
                        name.span,
                        format!("this {what} has the same name"),
                    )
                    .with_label(*span, format!("first defined here ({first_what})"))
                    .with_help(
                        "explanations, tests and exceptions refer to clauses by name, so each name must be unique: rename one of them",
                    ),
                );
            }
            None => {
                first.insert(&name.node, (name.span, what));
            }
        }
    }
}

fn scope(cx: &mut Checker<'_>, s: &Scope) {
    if let ChannelScope::Listed(channels) = &s.channels.node {
        names(cx, NameSet::Channel, channels);
    }
    names(cx, NameSet::Team, &s.teams);
    names(cx, NameSet::Role, &s.roles);
}

fn asset(cx: &mut Checker<'_>, a: &Asset) {
    match a {
        Asset::Connections { with, from, .. } => {
            names(cx, NameSet::People, with);
            if let Some(f) = from {
                resolve(cx, NameSet::Origin, &f.node, f.span);
            }
        }
        Asset::Accounts { kind, purpose, .. } => {
            if let Some(k) = kind {
                resolve(cx, NameSet::AccountKind, &k.node, k.span);
            }
            if let Some(p) = purpose {
                resolve(cx, NameSet::Purpose, &p.node, p.span);
            }
        }
        // Every word and filter of a content line is the grammar's own: nothing to resolve.
        Asset::Credentials | Asset::Material { .. } => {}
    }
}

fn outcome(cx: &mut Checker<'_>, o: &Outcome) {
    if let Outcome::RequireApproval(roles, _) = o {
        approvers(cx, roles);
    }
}

/// Who a `require approval` names: declared roles, or the external parties
/// ([`crate::semantics::EXTERNAL_PARTIES`]: `client`, `candidate`), which need no declaration.
fn approvers(cx: &mut Checker<'_>, list: &[Name]) {
    for n in list.iter().filter(|n| !crate::semantics::is_external_party(&n.node)) {
        resolve(cx, NameSet::Role, &n.node, n.span);
    }
}

fn modifiers(cx: &mut Checker<'_>, m: &Modifiers) {
    if let Some(w) = &m.when {
        types::condition(cx, w);
    }
    for u in &m.unless {
        types::condition(cx, u);
    }
    if let Some(t) = &m.then {
        outcome(cx, &t.node);
    }
}

/// Calls `f` on every condition of the policy (`when`, `unless`, `except when`).
pub(crate) fn each_condition<'a>(ast: &'a PolicyFile, f: &mut dyn FnMut(&'a Spanned<Expr>)) {
    fn mods<'a>(m: &'a Modifiers, f: &mut dyn FnMut(&'a Spanned<Expr>)) {
        if let Some(w) = &m.when {
            f(w);
        }
        for u in &m.unless {
            f(u);
        }
    }
    for item in &ast.items {
        match &item.node {
            Item::Declaration(_) | Item::Fact(_) | Item::Assume(_) | Item::Brands(_) => {}
            Item::Ownership(cs) => cs.iter().for_each(|c| mods(&c.modifiers, f)),
            Item::Departure(cs) => cs.iter().for_each(|c| mods(&c.modifiers, f)),
            Item::Covenant(c) => {
                for e in &c.exceptions {
                    if let ExceptionTest::When(x) = &e.test {
                        f(x);
                    }
                }
                mods(&c.modifiers, f);
            }
            Item::Posting(s) => s.clauses.iter().for_each(|c| mods(&c.modifiers, f)),
            Item::Connecting(s) => s.clauses.iter().for_each(|c| mods(&c.modifiers, f)),
            Item::Terms(cs) => cs.iter().for_each(|c| mods(&c.modifiers, f)),
            Item::Rule(r) => mods(&r.modifiers, f),
            Item::Exception(e) => mods(&e.modifiers, f),
        }
    }
}

/// Checks `exception NAME to TARGET`: the target exists, and exceptions do not
/// override themselves or each other in a cycle. Uses the lowered rule ids
/// when available (they include generated ids), else the names in the file.
pub(super) fn exception_targets(cx: &mut Checker<'_>, policy: Option<&Policy>) {
    let ast = cx.ast;
    let mut named: Vec<String> = Vec::new();
    for item in &ast.items {
        match &item.node {
            Item::Ownership(cs) => named.extend(cs.iter().filter_map(|c| c.label.as_ref().map(|l| l.node.clone()))),
            Item::Departure(cs) => named.extend(cs.iter().filter_map(|c| c.label.as_ref().map(|l| l.node.clone()))),
            Item::Posting(s) => named.extend(s.clauses.iter().filter_map(|c| c.label.as_ref().map(|l| l.node.clone()))),
            Item::Connecting(s) => {
                named.extend(s.clauses.iter().filter_map(|c| c.label.as_ref().map(|l| l.node.clone())))
            }
            Item::Terms(cs) => named.extend(cs.iter().filter_map(|c| c.label.as_ref().map(|l| l.node.clone()))),
            Item::Covenant(c) => named.extend(c.label.as_ref().map(|l| l.node.clone())),
            Item::Rule(r) => named.push(r.name.node.clone()),
            Item::Exception(e) => named.push(e.name.node.clone()),
            Item::Declaration(_) | Item::Fact(_) | Item::Assume(_) | Item::Brands(_) => {}
        }
    }
    let all: HashSet<&str> = match policy {
        Some(p) => p.rules.iter().map(|r| r.id.as_str()).chain(named.iter().map(String::as_str)).collect(),
        None => named.iter().map(String::as_str).collect(),
    };
    let exceptions: Vec<&ExceptionDef> = ast
        .items
        .iter()
        .filter_map(|i| match &i.node {
            Item::Exception(e) => Some(e),
            _ => None,
        })
        .collect();
    let mut budget = SUGGESTION_BUDGET;
    for e in &exceptions {
        for t in &e.targets {
            if t.node == e.name.node {
                cx.diags.push(
                    Diagnostic::error(
                        "exception-cycle",
                        format!("exception `{}` names itself", t.node),
                        t.span,
                        "the exception itself",
                    )
                    .with_label(e.name.span, "defined here")
                    .with_help("name the clause this exception relaxes"),
                );
            } else if !all.contains(t.node.as_str()) {
                let suggestion = suggest_among_many(&mut budget, &t.node, named.iter().map(String::as_str))
                    .or_else(|| suggest_among_many(&mut budget, &t.node, all.iter().copied()));
                let help = match suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if named.len() <= 1 => "name the clause first with a label, as in `twitter-daily-limit: limit 10 posts per day`, then refer to that name".to_string(),
                    None if named.len() <= 12 => {
                        let mut known: Vec<&str> =
                            named.iter().map(String::as_str).filter(|n| *n != e.name.node).collect();
                        known.sort_unstable();
                        format!("the named clauses are {}", list(&known))
                    }
                    None => "check the spelling against the clause's label or rule name".to_string(),
                };
                cx.diags.push(
                    Diagnostic::error(
                        "unknown-rule",
                        format!("no clause is named `{}`", t.node),
                        t.span,
                        "unknown clause",
                    )
                    .with_help(help),
                );
            }
        }
    }
    // Cycles among exceptions (longer than one: self-targets are reported above),
    // found by one depth-first search with colours, linear in the exceptions.
    let index: HashMap<&str, usize> = exceptions.iter().enumerate().map(|(i, e)| (e.name.node.as_str(), i)).collect();
    let next: Vec<Vec<usize>> = exceptions
        .iter()
        .map(|e| {
            e.targets
                .iter()
                .filter(|t| t.node != e.name.node)
                .filter_map(|t| index.get(t.node.as_str()).copied())
                .collect()
        })
        .collect();
    let mut colour = vec![Colour::White; exceptions.len()];
    let mut cycles: Vec<Vec<usize>> = Vec::new();
    for root in 0..exceptions.len() {
        if colour.get(root) != Some(&Colour::White) {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        set(&mut colour, root, Colour::Grey);
        while let Some((node, edge)) = stack.last().copied() {
            match next.get(node).and_then(|n| n.get(edge)).copied() {
                Some(to) => {
                    if let Some(top) = stack.last_mut() {
                        top.1 += 1;
                    }
                    match colour.get(to) {
                        Some(Colour::White) => {
                            set(&mut colour, to, Colour::Grey);
                            stack.push((to, 0));
                        }
                        Some(Colour::Grey) => {
                            let from = stack.iter().position(|(n, _)| *n == to).unwrap_or(0);
                            cycles.push(stack.iter().skip(from).map(|(n, _)| *n).collect());
                        }
                        _ => {}
                    }
                }
                None => {
                    set(&mut colour, node, Colour::Black);
                    stack.pop();
                }
            }
        }
    }
    for cycle in cycles {
        let members: Vec<&ExceptionDef> = cycle.iter().filter_map(|i| exceptions.get(*i).copied()).collect();
        let Some(first) = members.first() else { continue };
        let names: Vec<&str> = members.iter().map(|m| m.name.node.as_str()).collect();
        let mut d = Diagnostic::error(
            "exception-cycle",
            format!("exceptions {} override each other in a cycle", list(&names)),
            first.name.span,
            "starts here",
        )
        .with_help("an exception should relax a clause, not another exception that relaxes it back");
        for m in members.iter().skip(1).take(5) {
            d = d.with_label(m.name.span, "part of the cycle");
        }
        cx.diags.push(d);
    }
}

/// The state of an exception in the search for cycles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Colour {
    White,
    Grey,
    Black,
}

fn set(colour: &mut [Colour], i: usize, c: Colour) {
    if let Some(slot) = colour.get_mut(i) {
        *slot = c;
    }
}

/// [`schema::suggest`] over a possibly large set: only names of about the
/// same length are compared, and the comparisons of one check are capped, so a
/// policy with thousands of clauses and many unknown targets stays linear.
fn suggest_among_many<'a>(
    budget: &mut usize,
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    if *budget == 0 {
        return None;
    }
    let len = word.chars().count();
    let near: Vec<&str> = candidates.into_iter().filter(|c| c.len().abs_diff(len) <= 3).collect();
    let Some(left) = budget.checked_sub(near.len()) else {
        *budget = 0;
        return None;
    };
    *budget = left;
    schema::suggest(word, near)
}

/// How many names all "did you mean" searches for exception targets may compare.
const SUGGESTION_BUDGET: usize = 50_000;

/// Reports declared channels, content kinds, actions and facts that no clause uses.
/// Roles and teams are exempt: they also list the values actions may carry.
pub(super) fn unused(cx: &mut Checker<'_>) {
    let mut found = Vec::new();
    for ((kind, name), span) in &cx.env.declared {
        if matches!(kind, NameSet::Role | NameSet::Team) || cx.env.used.get(kind).is_some_and(|u| u.contains(name)) {
            continue;
        }
        found.push(
            Diagnostic::warning(
                "unused-declaration",
                format!("{} `{name}` is declared but never used", kind.noun()),
                *span,
                "never used",
            )
            .with_help("remove it, or use it in a clause"),
        );
    }
    for (name, info) in &cx.env.facts {
        if !cx.env.used_facts.contains(name) {
            found.push(
                Diagnostic::warning(
                    "unused-declaration",
                    format!("fact `{name}` is declared but never used"),
                    info.span,
                    "never used",
                )
                .with_help(format!("remove it, or test it in a condition as `facts.{name}`")),
            );
        }
    }
    cx.diags.extend(found);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn diags(text: &str) -> Vec<Diagnostic> {
        let file = SourceFile::new("t.policy", text);
        match crate::check::check_source(&file) {
            Ok((_, r)) => r.diagnostics,
            Err(d) => panic!("does not parse: {d:?}"),
        }
    }

    fn find<'a>(d: &'a [Diagnostic], code: &str) -> &'a Diagnostic {
        d.iter().find(|d| d.code == code).unwrap_or_else(|| panic!("no {code} in {d:#?}"))
    }

    #[test]
    fn unknown_role_suggests_the_declared_one() {
        let d = diags("policy \"x\" default allow\nroles consultant, marketing\nposting on twitter {\n  require approval from markting\n}\n");
        let u = find(&d, "unknown-name");
        assert_eq!(u.message, "unknown role `markting`");
        assert_eq!(u.help.as_deref(), Some("did you mean `marketing`?"));
    }

    #[test]
    fn a_team_named_as_a_role_says_so() {
        let d = diags("policy \"x\" default allow\nroles consultant\nteams marketing\nposting on twitter {\n  require approval from marketing\n}\n");
        let u = find(&d, "unknown-name");
        assert_eq!(u.help.as_deref(), Some("`marketing` is a team, not a role"));
    }

    #[test]
    fn groups_of_people_accept_plurals() {
        let env = Env::default();
        assert!(env.knows(NameSet::People, "clients"));
        assert!(env.knows(NameSet::People, "staff"));
        assert!(env.knows(NameSet::People, "competitor_staff"));
        assert!(!env.knows(NameSet::People, "clientz"));
    }

    #[test]
    fn duplicate_names_label_the_first() {
        let d = diags("policy \"x\" default allow\nrule a { then deny }\nrule a { then allow }\n");
        let dup = find(&d, "duplicate-name");
        assert_eq!(dup.labels.len(), 2);
        assert!(dup.labels.get(1).is_some_and(|l| l.message.starts_with("first defined here")));
    }

    #[test]
    fn exception_cycles_are_found() {
        let d = diags("policy \"x\" default allow\nrule r { then deny }\nexception a to b { then allow }\nexception b to a { then allow }\n");
        assert_eq!(d.iter().filter(|d| d.code == "exception-cycle").count(), 1, "{d:#?}");
        let d = diags("policy \"x\" default allow\nexception a to a { then allow }\n");
        assert_eq!(find(&d, "exception-cycle").message, "exception `a` names itself");
    }

    #[test]
    fn long_exception_chains_are_linear_and_cycles_found_once() {
        let mut text = String::from("policy \"x\" default allow\nrule r { then deny }\n");
        for i in 0..2000 {
            text.push_str(&format!("exception e{i} to e{} {{ then allow }}\n", i + 1));
        }
        text.push_str("exception e2000 to e0 { then allow }\n");
        let d = diags(&text);
        assert_eq!(d.iter().filter(|d| d.code == "exception-cycle").count(), 1);
    }

    #[test]
    fn unused_channels_are_reported_but_not_roles() {
        let d = diags("policy \"x\" default allow\nroles consultant\nchannels mastodon\n");
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(find(&d, "unused-declaration").message, "channel `mastodon` is declared but never used");
    }

    #[test]
    fn lists_are_quoted_and_capped() {
        assert_eq!(list(&["a"]), "`a`");
        assert_eq!(list(&["a", "b", "c"]), "`a`, `b` and `c`");
        assert_eq!(alternatives(&["a", "b"]), "`a` or `b`");
        assert_eq!(list(&[]), "nothing");
    }
}
