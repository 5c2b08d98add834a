//! Stage 3: AST to the normalized [`Policy`]. The sections (ownership,
//! departure, covenants, posting, connecting) are sugar: each clause becomes
//! one or more [`Rule`]s over the facts of an action, keeping the span and the
//! text of the line the author wrote.
//!
//! Lowering assumes the policy passed [`check`](crate::check); on unchecked
//! input it still never panics (unknown names pass through unchanged).

use crate::ast::{self, *};
use crate::counter::{Counted, Counter};
use crate::policy::*;
use crate::schema;
use crate::source::{SourceFile, Span};
use crate::value::{Type, Value};

/// Actions a `posting` section covers.
pub const POSTING_ACTIONS: &[&str] = &["post", "share", "comment"];
/// Actions a `connecting` section covers.
pub const CONNECTING_ACTIONS: &[&str] = &["connect", "accept"];

/// Lowers a parsed policy file.
pub fn lower(file: &SourceFile, ast: &PolicyFile) -> Policy {
    let mut l = Lowerer {
        file,
        ids: foldhash::HashSet::default(),
        next_suffix: foldhash::HashMap::default(),
        policy: empty_policy(ast),
    };
    // A rule per item at least (a rule definition, most of a large policy, is one).
    l.policy.rules.reserve(ast.items.len());
    l.declarations(ast);
    let listed_posting = listed_channels(ast, |i| match i {
        Item::Posting(s) => Some(&s.scope),
        _ => None,
    });
    let listed_connecting = listed_channels(ast, |i| match i {
        Item::Connecting(s) => Some(&s.scope),
        _ => None,
    });
    // Ownership first: `owned by agency` in departure clauses refers to it.
    for item in &ast.items {
        if let Item::Ownership(clauses) = &item.node {
            for c in clauses {
                l.ownership(c);
            }
        }
    }
    for item in &ast.items {
        match &item.node {
            Item::Declaration(_) | Item::Fact(_) | Item::Assume(_) | Item::Brands(_) | Item::Ownership(_) => {}
            Item::Departure(clauses) => clauses.iter().for_each(|c| l.departure(c)),
            Item::Covenant(c) => l.covenant(c),
            Item::Posting(s) => l.posting(s, &listed_posting),
            Item::Connecting(s) => l.connecting(s, &listed_connecting),
            Item::Terms(clauses) => clauses.iter().for_each(|c| l.terms(c)),
            Item::Rule(r) => l.rule(r),
            Item::Exception(e) => l.exception(e),
        }
    }
    brand_names(&mut l.policy);
    crate::law::attach(&mut l.policy);
    l.policy.decls.counters = crate::counter::read_by(&l.policy);
    l.policy
}

fn empty_policy(ast: &PolicyFile) -> Policy {
    let h = &ast.header;
    let default = match h.default.as_ref().map(|d| &d.node) {
        None | Some(DefaultVerdict::None) => None,
        Some(DefaultVerdict::Outcome(o)) => Some(effect(o)),
    };
    Policy {
        meta: Meta {
            name: h.name.node.clone(),
            version: h.version.as_ref().map(|v| v.node.clone()),
            effective: h.effective.as_ref().map(|d| d.node),
            owner: h.owner.as_ref().map(|o| o.node.clone()),
            jurisdiction: h.jurisdiction.as_ref().map(|j| j.node.clone()),
            timezone: h.timezone.as_ref().map_or_else(|| "Europe/London".to_string(), |t| t.node.clone()),
            default,
            default_span: h.default.as_ref().map(|d| d.span),
            conflicts: h.conflicts.as_ref().map_or(ConflictMode::MostRestrictive, |c| c.node),
            priorities: h.priorities.as_ref().map_or_else(Vec::new, |p| names(&p.node)),
            binds: h.binds.as_ref().map_or_else(Default::default, |b| b.node),
            previous: h.previous.as_ref().map(|p| p.node.clone()),
            previous_span: h.previous.as_ref().map(|p| p.span),
        },
        decls: Declarations::default(),
        rules: vec![],
        defaults: vec![],
        ownership: vec![],
        covenants: vec![],
        departure: vec![],
        terms: vec![],
    }
}

fn listed_channels(ast: &PolicyFile, scope_of: impl Fn(&Item) -> Option<&Scope>) -> Vec<String> {
    let mut out = Vec::new();
    for item in &ast.items {
        if let Some(Scope { channels, .. }) = scope_of(&item.node) {
            if let ChannelScope::Listed(names) = &channels.node {
                out.extend(names.iter().map(|n| n.node.clone()));
            }
        }
    }
    first_of_each(&mut out);
    out
}

/// Keeps the first of each name, in order: linear, where a `contains` before each push was
/// quadratic in a long list (100,000 channels declared: most of a 10 s `check`).
fn first_of_each(names: &mut Vec<String>) {
    let mut seen: foldhash::HashSet<String> = foldhash::HashSet::default();
    names.retain(|n| seen.insert(n.clone()));
}

/// The effect an outcome has.
pub fn effect(o: &Outcome) -> Effect {
    match o {
        Outcome::Deny => Effect::Deny,
        Outcome::Allow => Effect::Allow,
        Outcome::RequireApproval(roles, join) => {
            Effect::RequireApproval { approvers: roles.iter().map(|r| r.node.clone()).collect(), join: *join }
        }
        Outcome::Advise(_) => Effect::Advise,
    }
}

fn names(list: &[Name]) -> Vec<String> {
    list.iter().map(|n| n.node.clone()).collect()
}

/// `clients` → `client`, `staff` → colleagues and contract workers.
pub fn relationships(of: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for o in of {
        let mapped: &[&str] = match o.as_str() {
            "clients" | "client" => &["client"],
            "candidates" | "candidate" => &["candidate"],
            "staff" | "colleagues" | "colleague" => &["colleague", "contract_worker"],
            "contract_workers" | "contract_worker" => &["contract_worker"],
            "prospects" | "prospect" => &["prospect"],
            _ => &[],
        };
        if mapped.is_empty() {
            out.push(o.trim_end_matches('s').to_string());
        }
        out.extend(mapped.iter().map(|s| s.to_string()));
    }
    out.dedup();
    out
}

/// The actions a covenant restrains when it does not say.
pub fn default_covenant_actions(kind: CovenantKind) -> &'static [&'static str] {
    match kind {
        CovenantKind::NonSolicitation | CovenantKind::NonPoaching => &["solicit", "message"],
        CovenantKind::NonDealing => &["deal", "solicit", "message"],
        CovenantKind::NonCompete => &["compete"],
    }
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The key a duty due from an event is recorded under in `done`: the author's
/// `as erase_data`, else the duty's words, lower case, joined by underscores.
pub fn done_key(o: &crate::ast::Obligation) -> String {
    o.key.as_ref().map_or_else(|| slug(&o.text.node).replace('-', "_"), |k| k.node.clone())
}

struct Lowerer<'a> {
    file: &'a SourceFile,
    ids: foldhash::HashSet<String>,
    /// The next suffix to try for each generated base that was taken.
    next_suffix: foldhash::HashMap<String, u32>,
    policy: Policy,
}

/// What a clause's modifiers add, lowered.
struct Mods {
    when: Cond,
    unless: Vec<Cond>,
    then: Option<Effect>,
    advice: Vec<String>,
    obligations: Vec<ObligationSpec>,
    notes: Vec<String>,
    rationale: Option<String>,
    consequence: Option<String>,
    see: Vec<String>,
    dry_run: bool,
    priority: Option<u16>,
}

impl Lowerer<'_> {
    fn source(&self, span: Span) -> String {
        // The words joined by one space, written straight into the result.
        let text = self.file.slice(span);
        let mut out = String::with_capacity(text.len());
        for word in text.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
        out
    }

    /// A unique id: the label if given, else one generated from the clause.
    fn id(&mut self, label: Option<&Name>, generated: &str) -> (String, bool) {
        let (base, named) = match label {
            Some(l) => (l.node.clone(), true),
            None => (slug(generated), false),
        };
        // `base`, else `base-2`, `base-3`, ...: the first free one. Every suffix
        // below the one last handed out for this base is taken (ids only grow),
        // so the search resumes there: linear in the clauses, not quadratic.
        let mut id = base.clone();
        let mut n = self.next_suffix.get(&base).copied().unwrap_or(2);
        if self.ids.contains(&id) {
            id = format!("{base}-{n}");
            while self.ids.contains(&id) {
                n += 1;
                id = format!("{base}-{n}");
            }
            self.next_suffix.insert(base, n + 1);
        }
        self.ids.insert(id.clone());
        (id, named)
    }

    fn declarations(&mut self, ast: &PolicyFile) {
        let d = &mut self.policy.decls;
        d.channels = schema::CHANNELS.iter().map(|s| s.to_string()).collect();
        d.content_kinds = schema::CONTENT_KINDS.iter().map(|s| s.to_string()).collect();
        d.actions = schema::ACTIONS.iter().map(|s| s.to_string()).collect();
        for item in &ast.items {
            match &item.node {
                Item::Declaration(decl) => {
                    let target = match decl.kind {
                        DeclKind::Roles => &mut d.roles,
                        DeclKind::Teams => &mut d.teams,
                        DeclKind::Channels => &mut d.channels,
                        DeclKind::ContentKinds => &mut d.content_kinds,
                        DeclKind::Actions => &mut d.actions,
                    };
                    // Each once, in order: `first_of_each` below (a `contains` per name was quadratic).
                    target.extend(decl.names.iter().map(|n| n.node.clone()));
                }
                Item::Fact(f) => {
                    let ty = match &f.ty.node {
                        FactType::Bool => Type::Bool,
                        FactType::Int => Type::Int,
                        FactType::Date => Type::Date,
                        FactType::Text => Type::Text,
                        FactType::Enum(values) => {
                            d.fact_enums.insert(f.name.node.clone(), names(values));
                            Type::Enum(format!("fact {}", f.name.node))
                        }
                    };
                    d.facts.insert(f.name.node.clone(), ty);
                }
                Item::Assume(a) => {
                    d.assumed.entry(a.fact.node.clone()).or_insert(a.value.node);
                }
                Item::Brands(names) => d.brands.extend(names.iter().map(|n| n.node.clone())),
                _ => {}
            }
        }
        for names in [&mut d.roles, &mut d.teams, &mut d.channels, &mut d.content_kinds, &mut d.actions, &mut d.brands]
        {
            first_of_each(names);
        }
    }

    fn mods(&self, m: &Modifiers) -> Mods {
        Mods {
            when: m.when.as_ref().map_or(Cond::True, expr),
            unless: m.unless.iter().map(expr).collect(),
            then: m.then.as_ref().map(|o| effect(&o.node)),
            advice: m
                .advise
                .iter()
                .map(|a| a.node.clone())
                .chain(m.then.as_ref().and_then(|o| match &o.node {
                    Outcome::Advise(Some(t)) => Some(t.node.clone()),
                    _ => None,
                }))
                .collect(),
            obligations: m
                .oblige
                .iter()
                .map(|o| ObligationSpec {
                    text: o.text.node.clone(),
                    within: o.within.as_ref().map(|w| w.node),
                    // A duty due from an event (`within 30 days of request.made_on`) runs from
                    // that date and is recorded as done under its key (`as erase_data`), else under
                    // its words (`done: [delete_the_data]`).
                    from: o.of.iter().map(|e| e.node.clone()).collect(),
                    done_key: o.of.as_ref().map(|_| done_key(o)),
                })
                .collect(),
            notes: m.notes.iter().map(|n| n.node.clone()).collect(),
            rationale: m.because.as_ref().map(|b| b.node.clone()),
            consequence: m.consequence.as_ref().map(|c| c.node.clone()),
            see: m.see.iter().map(|s| s.node.clone()).collect(),
            dry_run: m.dry_run.is_some(),
            // An unknown tier is the checker's error (`unknown-priority`); lowered, it has none.
            priority: m.priority.as_ref().and_then(|p| {
                let i = self.policy.meta.priorities.iter().position(|t| *t == p.node)?;
                u16::try_from(i).ok()
            }),
        }
    }

    /// Pushes a rule built from a clause: `base` is the clause's own condition
    /// and `effect` its natural outcome, both refined by the modifiers.
    #[allow(clippy::too_many_arguments, reason = "one call site per section; a struct would only rename the arguments")]
    fn push(
        &mut self,
        id: (String, bool),
        section: SectionKind,
        span: Span,
        base: Cond,
        effect: Effect,
        m: &Modifiers,
        kind: RuleKind,
        extra_obligations: Vec<ObligationSpec>,
    ) {
        let mods = self.mods(m);
        // The duties the author's `oblige ... within D of EVENT` attach (not a section's own).
        let events: Vec<ObligationSpec> = mods.obligations.iter().filter(|o| !o.from.is_empty()).cloned().collect();
        let mut obligations = extra_obligations;
        obligations.extend(mods.obligations);
        // With nothing added, `when` is the clause's own condition: kept once
        // (`Cond::all` of it alone gives it back unless it is an `All` of fewer than two).
        let (when, own_when) = match (base, mods.when) {
            (Cond::True, own) if !matches!(&own, Cond::All(ps) if ps.len() < 2) => (own, None),
            (base, own) => (Cond::all(vec![base, own.clone()]), Some(own)),
        };
        // Duties due from an event: once overdue and not recorded as done, the clause's
        // actions are refused, as a departure duty's are (one refusing clause per duty).
        let overdue: Vec<(Cond, ObligationSpec)> = events
            .iter()
            .filter_map(|o| {
                let (within, key) = (o.within?, o.done_key.clone()?);
                let cond = Cond::all(
                    std::iter::once(when.clone())
                        .chain(o.from.iter().map(|e| Cond::test(e, TestOp::Present)))
                        .chain([
                            Cond::Not(Box::new(Cond::test("done", TestOp::Has(Term::Const(Value::Symbol(key)))))),
                            Cond::Test(Test {
                                lhs: Term::fact("at"),
                                op: TestOp::Cmp(CmpOp::Gt, Term::due(&o.from, within)),
                                span: None,
                            }),
                        ])
                        .collect(),
                );
                Some((cond, o.clone()))
            })
            .collect();
        let base_id = id.0.clone();
        self.policy.rules.push(Rule {
            id: id.0,
            named: id.1,
            section,
            span,
            source: self.source(span),
            description: None,
            scope: crate::semantics::Scope::of(&when),
            when,
            own_when,
            unless_reasons: vec![None; mods.unless.len()],
            unless: mods.unless,
            effect: mods.then.unwrap_or(effect),
            obligations,
            advice: mods.advice,
            notes: mods.notes,
            rationale: mods.rationale,
            consequence: mods.consequence,
            see: mods.see,
            dry_run: mods.dry_run,
            priority: mods.priority,
            overrides: vec![],
            kind,
            law: vec![],
        });
        for (cond, o) in overdue {
            // Named after the duty's key (`...-overdue-erase-data`); without `as`, the key is the
            // duty's words, so the name is too.
            let duty = slug(o.done_key.as_deref().unwrap_or(&o.text));
            let oid = self.id(None, &format!("{base_id} overdue {duty}"));
            let due = o.within.map(|w| format!("{} of {}", w, o.from.join(" or "))).unwrap_or_default();
            let unless = self.mods(m).unless;
            self.policy.rules.push(Rule {
                id: oid.0,
                named: false,
                section,
                span,
                source: self.source(span),
                description: None,
                scope: crate::semantics::Scope::of(&cond),
                when: cond,
                own_when: Some(self.mods(m).when),
                unless_reasons: vec![None; unless.len()],
                unless,
                effect: Effect::Deny,
                rationale: Some(format!(
                    "the duty \"{}\" was due within {due} and is not recorded as done (`done: [{}]`)",
                    o.text,
                    o.done_key.clone().unwrap_or_default()
                )),
                obligations: vec![o],
                advice: vec![],
                notes: vec![],
                consequence: self.mods(m).consequence,
                see: vec![],
                dry_run: m.dry_run.is_some(),
                priority: self.mods(m).priority,
                overrides: vec![],
                kind: RuleKind::EventDutyOverdue,
                law: vec![],
            });
        }
    }

    // ───────────── ownership ─────────────

    fn ownership(&mut self, c: &Clause<OwnershipRule>) {
        let OwnershipRule { asset, owner } = &c.rule.node;
        let words = asset_words(&asset.node);
        let id = self.id(c.label.as_ref(), &format!("owner {words}"));
        let connections = matches!(asset.node, Asset::Connections { .. });
        let material = matches!(asset.node, Asset::Material { .. });
        let matches = self.asset_cond(&asset.node);
        // What the line gives its owner: the asset, narrowed by the line's own
        // `when` and `unless` (what asks "owned by" must not see more).
        let mods = self.mods(&c.modifiers);
        let mut held = vec![matches.clone(), mods.when];
        held.extend(mods.unless.into_iter().map(|u| Cond::Not(Box::new(u))));
        let m = &c.modifiers;
        let condition: Vec<String> = m
            .when
            .iter()
            .map(|w| format!("when {}", self.source(w.span)))
            .chain(m.unless.iter().map(|u| format!("unless {}", self.source(u.span))))
            .collect();
        let index = self.policy.ownership.len();
        self.policy.ownership.push(OwnershipEntry {
            id: id.0.clone(),
            asset: words.clone(),
            connections,
            material,
            owner: owner.node,
            matches: Cond::all(held),
            condition: (!condition.is_empty()).then(|| condition.join(" ")),
        });
        // Keeping or taking an asset: `depart` (keeping it on leaving) and `export`.
        // Handing an account over: `hand_over`. Credentials have no rule of their
        // own: the departure duties say what happens to them.
        let (keep_effect, hand_over_effect) = match owner.node {
            Party::Agency => (Effect::Deny, Effect::Allow),
            Party::Employee => (Effect::Allow, Effect::Deny),
            Party::Shared => (Effect::Allow, Effect::Allow),
        };
        match &asset.node {
            Asset::Credentials => {}
            Asset::Connections { .. } => {
                let base = Cond::all(vec![Cond::actions(&["depart", "export"]), matches]);
                let kind = RuleKind::Ownership { index };
                self.push(id, SectionKind::Ownership, c.span, base, keep_effect, &c.modifiers, kind, vec![]);
            }
            Asset::Accounts { .. } | Asset::Material { .. } => {
                // Keeping an account on leaving (`depart`); keeping content or taking a copy
                // of it (`depart`, `export`), as for connections. Handing either over: `hand_over`.
                let (keep_actions, about): (&[&str], Cond) = if material {
                    (&["depart", "export"], matches)
                } else {
                    (&["depart"], Cond::all(vec![Cond::test("account", TestOp::Present), matches]))
                };
                let base = Cond::all(vec![Cond::actions(keep_actions), about.clone()]);
                let kind = RuleKind::Ownership { index };
                self.push(
                    id.clone(),
                    SectionKind::Ownership,
                    c.span,
                    base,
                    keep_effect,
                    &c.modifiers,
                    kind.clone(),
                    vec![],
                );
                let hid = self.id(None, &format!("{} hand over", id.0));
                let base = Cond::all(vec![Cond::actions(&["hand_over"]), about.clone()]);
                self.push(
                    hid,
                    SectionKind::Ownership,
                    c.span,
                    base,
                    hand_over_effect,
                    &c.modifiers,
                    kind.clone(),
                    vec![],
                );
                // Publishing it again after leaving (a former employer's video re-posted):
                // what the agency owns is not the leaver's to publish. While employed,
                // posting the agency's content is the posting rules' business.
                if material && owner.node == Party::Agency {
                    let rid = self.id(None, &format!("{} reuse after leaving", id.0));
                    let base =
                        Cond::all(vec![Cond::actions(&["post", "share"]), Cond::is("actor.status", "departed"), about]);
                    self.push(rid, SectionKind::Ownership, c.span, base, Effect::Deny, &c.modifiers, kind, vec![]);
                }
            }
        }
    }

    /// The condition under which an action is about this asset: `target` for a
    /// single connection, `contacts` for a bulk export, `account` for accounts,
    /// `material` for content.
    fn asset_cond(&self, asset: &Asset) -> Cond {
        match asset {
            Asset::Credentials => Cond::True,
            Asset::Accounts { kind, created_by, run_as_duty, agency_equipment, brand_in_handle, purpose } => {
                let mut parts = Vec::new();
                if let Some(k) = kind {
                    parts.push(Cond::is("account.kind", &k.node));
                }
                if let Some(p) = created_by {
                    parts.push(Cond::is("account.created_by", p.node.as_str()));
                }
                if *run_as_duty {
                    parts.push(Cond::test("account.run_as_duty", TestOp::Truthy));
                }
                if *agency_equipment {
                    parts.push(Cond::test("account.agency_equipment", TestOp::Truthy));
                }
                if *brand_in_handle {
                    parts.push(self.brand_in_handle());
                }
                if let Some(p) = purpose {
                    parts.push(Cond::is("account.purpose", &p.node));
                }
                Cond::all(parts)
            }
            Asset::Connections { made, with, from, owned_by, .. } => {
                let target = self.connection_cond("target", made.as_ref().map(|m| m.node), with, from.as_ref());
                let contacts = self.connection_cond("contacts", made.as_ref().map(|m| m.node), &[], from.as_ref());
                let mut single = vec![Cond::test("target", TestOp::Present), target];
                // Bulk contacts only when the action names them: a departure that names
                // neither a connection nor contacts is not about this asset.
                let mut bulk =
                    vec![Cond::test("target", TestOp::Missing), Cond::test("contacts", TestOp::Present), contacts];
                if let Some(owner) = owned_by {
                    let owned = self.owned_by(owner.node);
                    single.push(owned.0);
                    bulk.push(owned.1);
                }
                Cond::any(vec![Cond::all(single), Cond::all(bulk)])
            }
            Asset::Material { word, made, made_for, agency_equipment, created_by, owned_by } => {
                let mut parts = vec![Cond::test("material", TestOp::Present)];
                if let MaterialWord::Kind(k) = word {
                    parts.push(Cond::is("material.kind", k.as_str()));
                }
                // When it was made, against the employment dates (inclusive at both ends, as
                // for connections). A date not given is not given: never guessed from elsewhere.
                let made_on = |op: CmpOp, than: &str| {
                    Cond::Test(Test {
                        lhs: Term::fact("material.made_on"),
                        op: TestOp::Cmp(op, Term::fact(than)),
                        span: None,
                    })
                };
                match made.as_ref().map(|m| m.node) {
                    Some(Made::BeforeEmployment) => parts.push(made_on(CmpOp::Lt, "actor.employed_since")),
                    Some(Made::DuringEmployment) => {
                        parts.push(made_on(CmpOp::Ge, "actor.employed_since"));
                        parts.push(Cond::any(vec![
                            Cond::test("actor.departed_on", TestOp::Missing),
                            made_on(CmpOp::Le, "actor.departed_on"),
                        ]));
                    }
                    None => {}
                }
                if let Some(m) = made_for {
                    parts.push(Cond::is("material.made_for", m.node.value()));
                }
                if *agency_equipment {
                    parts.push(Cond::test("material.agency_equipment", TestOp::Truthy));
                }
                if let Some(p) = created_by {
                    parts.push(Cond::is("material.created_by", p.node.as_str()));
                }
                if let Some(owner) = owned_by {
                    parts.push(self.owned_material(owner.node));
                }
                Cond::all(parts)
            }
        }
    }

    /// `owned by PARTY` on content: the union of the ownership lines about
    /// content that name that owner, each narrowed by its own `when`/`unless`.
    fn owned_material(&self, party: Party) -> Cond {
        let held: Vec<Cond> = self
            .policy
            .ownership
            .iter()
            .filter(|o| o.material && o.owner == party)
            .map(|o| o.matches.clone())
            .collect();
        if held.is_empty() {
            // Nothing is owned by that party: the clause matches nothing.
            return Cond::Not(Box::new(Cond::True));
        }
        Cond::any(held)
    }

    /// `with brand in handle`. With `brand names` declared, the handle itself
    /// decides: the handle as it was at departure when the action gives it
    /// (`account.handle_at_departure`), else the handle now, holds a brand
    /// name; renaming the account on the way out does not change whose it was.
    /// Without brand names, the caller's `account.brand_in_handle` decides.
    fn brand_in_handle(&self) -> Cond {
        let brands = &self.policy.decls.brands;
        if brands.is_empty() {
            return Cond::test("account.brand_in_handle", TestOp::Truthy);
        }
        let holds = |path: &str| Cond::test(path, TestOp::Contains { needles: brands.clone(), brands: true });
        const AT_DEPARTURE: &str = "account.handle_at_departure";
        Cond::any(vec![
            Cond::all(vec![Cond::test(AT_DEPARTURE, TestOp::Present), holds(AT_DEPARTURE)]),
            Cond::all(vec![Cond::test(AT_DEPARTURE, TestOp::Missing), holds("account.handle")]),
        ])
    }

    fn connection_cond(&self, part: &str, made: Option<Made>, with: &[Name], from: Option<&Name>) -> Cond {
        let mut parts = Vec::new();
        let origin = format!("{part}.origin");
        let date_test = |op: CmpOp, than: &str| {
            Cond::Test(Test {
                lhs: Term::fact("target.connected_on"),
                op: TestOp::Cmp(op, Term::fact(than)),
                span: None,
            })
        };
        // For a single connection the date decides when it and the first day are known;
        // the recorded origin decides only when they are not (so a known date is never
        // second-guessed, and an unknown one names `target.connected_on` as missing).
        let undated = || {
            Cond::any(vec![
                Cond::test("target.connected_on", TestOp::Missing),
                Cond::test("actor.employed_since", TestOp::Missing),
            ])
        };
        match made {
            Some(Made::BeforeEmployment) => {
                let by_origin = Cond::is(&origin, "before_employment");
                if part == "target" {
                    parts.push(Cond::any(vec![
                        date_test(CmpOp::Lt, "actor.employed_since"),
                        Cond::all(vec![undated(), by_origin]),
                    ]));
                } else {
                    parts.push(by_origin);
                }
            }
            Some(Made::DuringEmployment) => {
                // Contacts imported from the agency database are not "made" by the employee:
                // `from agency_database` clauses cover them.
                let by_origin = Cond::is(&origin, "employment");
                if part == "target" {
                    // The employment interval is inclusive at both ends: made on or after the
                    // first day, and on or before the termination date when there is one.
                    let dated = Cond::all(vec![
                        date_test(CmpOp::Ge, "actor.employed_since"),
                        Cond::any(vec![
                            Cond::test("actor.departed_on", TestOp::Missing),
                            date_test(CmpOp::Le, "actor.departed_on"),
                        ]),
                    ]);
                    parts.push(Cond::any(vec![dated, Cond::all(vec![undated(), by_origin])]));
                } else {
                    parts.push(by_origin);
                }
            }
            None => {}
        }
        if !with.is_empty() {
            parts.push(Cond::one_of(&format!("{part}.relationship"), &relationships(&names(with))));
        }
        if let Some(f) = from {
            parts.push(Cond::is(&origin, &f.node));
        }
        Cond::all(parts)
    }

    /// `owned by PARTY`: the union of the ownership clauses naming that owner,
    /// for a single connection and for bulk contacts.
    fn owned_by(&self, party: Party) -> (Cond, Cond) {
        let entries: Vec<&OwnershipEntry> =
            self.policy.ownership.iter().filter(|o| o.connections && o.owner == party).collect();
        if entries.is_empty() {
            // Nothing is owned by that party: the clause matches nothing.
            let never = Cond::Not(Box::new(Cond::True));
            return (never.clone(), never);
        }
        let all: Vec<Cond> = entries.iter().map(|o| o.matches.clone()).collect();
        let c = Cond::any(all);
        (c.clone(), c)
    }

    // ───────────── departure ─────────────

    fn departure(&mut self, c: &Clause<DepartureDuty>) {
        let span = c.rule.span;
        let words = self.source(span);
        let id_words = match &c.rule.node {
            DepartureDuty::HandOver { asset, .. } => format!("hand over {}", asset_words(&asset.node)),
            DepartureDuty::Remove { asset, .. } => format!("remove {}", asset_words(&asset.node)),
            DepartureDuty::UpdateProfile { .. } => "update profile".to_string(),
            DepartureDuty::Keep { asset } => format!("keep {}", asset_words(&asset.node)),
            DepartureDuty::NoExport { asset } => format!("no export of {}", asset_words(&asset.node)),
        };
        let id = self.id(c.label.as_ref(), &id_words);
        let (duty, asset, within, done_key) = match &c.rule.node {
            DepartureDuty::HandOver { asset, within } => {
                let w = asset_words(&asset.node);
                ("hand_over", Some(asset), within, format!("hand_over_{}", slug(&w).replace('-', "_")))
            }
            DepartureDuty::Remove { asset, within } => {
                let w = asset_words(&asset.node);
                ("remove", Some(asset), within, format!("remove_{}", slug(&w).replace('-', "_")))
            }
            DepartureDuty::UpdateProfile { within } => ("update_profile", None, within, "update_profile".into()),
            DepartureDuty::Keep { asset } => ("keep", Some(asset), &None, String::new()),
            DepartureDuty::NoExport { asset } => ("no_export", Some(asset), &None, String::new()),
        };
        let index = self.policy.departure.len();
        self.policy.departure.push(DutySpec {
            id: id.0.clone(),
            duty: duty.to_string(),
            asset: asset.map(|a| asset_words(&a.node)).unwrap_or_else(|| "profile".into()),
            within: within.as_ref().map(|w| w.node),
        });
        let missing = |part: &str| Cond::test(part, TestOp::Missing);
        let present = |part: &str| Cond::test(part, TestOp::Present);
        // Leaving in general: a `depart` that names no connection, account or contacts.
        // Duties attach to it; a `depart` about one asset is decided by the clauses about
        // that asset (ownership, keep, remove), never by an unrelated duty.
        let general = Cond::all(vec![missing("target"), missing("account"), missing("contacts"), missing("material")]);
        let kind = RuleKind::Duty { index, overdue: false };
        match (duty, asset.map(|a| &a.node)) {
            ("keep", Some(a)) => {
                let about = match a {
                    Asset::Accounts { .. } => Cond::all(vec![present("account"), self.asset_cond(a)]),
                    Asset::Credentials => Cond::Not(Box::new(Cond::True)),
                    Asset::Connections { .. } | Asset::Material { .. } => self.asset_cond(a),
                };
                let base = Cond::all(vec![Cond::actions(&["depart"]), about]);
                self.push(id, SectionKind::Departure, c.span, base, Effect::Allow, &c.modifiers, kind, vec![]);
            }
            ("no_export", Some(a)) => {
                let base = Cond::all(vec![Cond::actions(&["export"]), self.asset_cond(a)]);
                self.push(id, SectionKind::Departure, c.span, base, Effect::Deny, &c.modifiers, kind, vec![]);
            }
            (_, asset_node) => {
                let is_connections = matches!(asset_node, Some(Asset::Connections { .. }));
                let is_material = matches!(asset_node, Some(Asset::Material { .. }));
                let from = if duty == "hand_over" {
                    vec!["request.made_on".to_string(), "actor.departed_on".to_string()]
                } else {
                    vec!["actor.departed_on".to_string()]
                };
                let obligation = ObligationSpec {
                    text: duty_text(duty, &words, asset.map(|a| asset_words(&a.node))),
                    within: within.as_ref().map(|w| w.node),
                    from: from.clone(),
                    done_key: Some(done_key.clone()),
                };
                // When the duty applies: leaving in general, an action about the asset it
                // names, and handing over (for hand-over duties).
                let (on_depart, on_hand_over) = match asset_node {
                    Some(a @ Asset::Accounts { .. }) => {
                        let named = Cond::all(vec![present("account"), self.asset_cond(a)]);
                        // A hand-over in general (no account, no material named), or of this account.
                        let hand = Cond::any(vec![
                            Cond::all(vec![missing("account"), missing("material")]),
                            self.asset_cond(a),
                        ]);
                        (Cond::any(vec![general.clone(), named]), Some(hand))
                    }
                    Some(a @ Asset::Material { .. }) if duty == "hand_over" => {
                        // Leaving in general, or an action about this material; a hand-over in
                        // general (no account, no material named), or of this material.
                        let named = self.asset_cond(a);
                        let hand =
                            Cond::any(vec![Cond::all(vec![missing("account"), missing("material")]), named.clone()]);
                        (Cond::any(vec![general.clone(), named]), Some(hand))
                    }
                    Some(Asset::Credentials) => (general.clone(), Some(Cond::True)),
                    _ => (general.clone(), None),
                };
                let mut branches = vec![Cond::all(vec![Cond::actions(&["depart"]), on_depart])];
                if let (Some(hand), true) = (on_hand_over, duty == "hand_over") {
                    branches.push(Cond::all(vec![Cond::actions(&["hand_over"]), hand]));
                }
                let applies = Cond::any(branches);
                self.push(
                    id.clone(),
                    SectionKind::Departure,
                    c.span,
                    applies.clone(),
                    Effect::Allow,
                    &c.modifiers,
                    kind,
                    vec![obligation.clone()],
                );
                if let (true, Some(a)) = (is_connections || (is_material && duty == "remove"), asset_node) {
                    // Keeping a connection (or content) the duty says to remove is refused.
                    let kid = self.id(None, &format!("{} keep", id.0));
                    let about = if is_material { Cond::True } else { present("target") };
                    let base = Cond::all(vec![Cond::actions(&["depart"]), about, self.asset_cond(a)]);
                    self.push(
                        kid,
                        SectionKind::Departure,
                        c.span,
                        base,
                        Effect::Deny,
                        &c.modifiers,
                        RuleKind::Duty { index, overdue: false },
                        vec![obligation.clone()],
                    );
                }
                // Once overdue and not done, the duty is breached.
                if let Some(w) = within {
                    let oid = self.id(None, &format!("{} overdue", id.0));
                    let due = Term::due(&from, w.node);
                    let base = Cond::all(vec![
                        applies,
                        Cond::Not(Box::new(Cond::test(
                            "done",
                            TestOp::Has(Term::Const(Value::Symbol(done_key.clone()))),
                        ))),
                        Cond::Test(Test { lhs: Term::fact("at"), op: TestOp::Cmp(CmpOp::Gt, due), span: None }),
                    ]);
                    self.push(
                        oid,
                        SectionKind::Departure,
                        c.span,
                        base,
                        Effect::Deny,
                        &c.modifiers,
                        RuleKind::Duty { index, overdue: true },
                        vec![obligation],
                    );
                }
            }
        }
    }

    // ───────────── covenants ─────────────

    fn covenant(&mut self, c: &Covenant) {
        let of = names(&c.of);
        let generated = format!("{} {}", c.kind.node.as_str(), of.join(" "));
        let id = self.id(c.label.as_ref(), &generated);
        let applies_to: Vec<String> = if c.applies_to.is_empty() {
            default_covenant_actions(c.kind.node).iter().map(|s| s.to_string()).collect()
        } else {
            names(&c.applies_to)
        };
        // Garden leave counts against the covenant when it says so, in the contract's wording.
        let garden_leave = c.garden_leave.as_ref().map_or(GardenLeave::NotCounted, |g| g.node);
        let mut parts = vec![Cond::one_of("action", &applies_to), Cond::is("actor.status", "departed")];
        // A covenant with no end date (`indefinitely`) restrains from departure on, with no last day.
        if let Some(d) = c.duration.node {
            parts.push(Cond::Test(Test {
                lhs: Term::fact("at"),
                op: TestOp::Cmp(CmpOp::Le, garden_leave.end(d)),
                span: Some(c.duration.span),
            }));
        }
        if !of.is_empty() {
            parts.push(Cond::one_of("target.relationship", &relationships(&of)));
        }
        if let Some(lb) = &c.lookback {
            parts.push(Cond::Test(Test {
                lhs: Term::fact("target.last_dealt_with"),
                op: TestOp::Cmp(
                    CmpOp::Ge,
                    Term::Shifted(Box::new(Term::fact("actor.departed_on")), vec![(false, lb.node)]),
                ),
                span: Some(lb.span),
            }));
        }
        if let Some(r) = &c.radius {
            parts.push(Cond::Test(Test {
                lhs: Term::fact("target.distance_miles"),
                op: TestOp::Cmp(CmpOp::Le, Term::Const(Value::Int(i64::from(r.node)))),
                span: Some(r.span),
            }));
        }
        let mut exceptions_text = Vec::new();
        let mut unless_extra = Vec::new();
        for e in &c.exceptions {
            let cond = match &e.test {
                ExceptionTest::Kinds(kinds) => Cond::any(
                    kinds
                        .iter()
                        .map(|k| Cond::test("content.kind", TestOp::Has(Term::Const(Value::Symbol(k.node.clone())))))
                        .collect(),
                ),
                ExceptionTest::When(x) => expr(x),
            };
            // In plain words for `compare`'s readers, the author's reason after it.
            let words = match &e.test {
                ExceptionTest::Kinds(kinds) => format!(
                    "except content of kind {}",
                    kinds.iter().map(|k| k.node.replace('_', " ")).collect::<Vec<_>>().join(" or ")
                ),
                ExceptionTest::When(_) => format!("except if {}", crate::plain::cond(&cond)),
            };
            exceptions_text.push(match &e.text {
                Some(t) => format!("{words} ({})", t.node),
                None => words,
            });
            unless_extra.push((cond, e.text.as_ref().map(|t| t.node.clone())));
        }
        let index = self.policy.covenants.len();
        self.policy.covenants.push(CovenantSpec {
            id: id.0.clone(),
            kind: c.kind.node,
            of,
            duration: c.duration.node,
            lookback: c.lookback.as_ref().map(|l| l.node),
            radius: c.radius.as_ref().map(|r| r.node),
            capacities: names(&c.capacities),
            garden_leave,
            applies_to,
            exceptions: exceptions_text,
            span: c.kind.span.join(c.duration.span),
        });
        let span = c.kind.span.join(c.duration.span);
        let span = c.label.as_ref().map_or(span, |l| l.span.join(span));
        self.push(
            id,
            SectionKind::Covenant,
            span,
            Cond::all(parts),
            Effect::Deny,
            &c.modifiers,
            RuleKind::Covenant { index },
            vec![],
        );
        if let Some(rule) = self.policy.rules.last_mut() {
            for (cond, reason) in unless_extra {
                rule.unless.push(cond);
                rule.unless_reasons.push(reason);
            }
        }
    }

    // ───────────── posting and connecting ─────────────

    fn scope_cond(&self, scope: &Scope, actions: &[&str], listed: &[String]) -> (Cond, String) {
        let mut parts = vec![Cond::actions(actions)];
        let mut words = Vec::new();
        match &scope.channels.node {
            ChannelScope::Any => words.push("any channel".to_string()),
            ChannelScope::Other => {
                words.push("other channels".to_string());
                if !listed.is_empty() {
                    parts.push(Cond::Not(Box::new(Cond::one_of("channel", listed))));
                }
            }
            ChannelScope::Listed(ch) => {
                words.extend(names(ch));
                parts.push(Cond::one_of("channel", &names(ch)));
            }
        }
        if !scope.teams.is_empty() {
            words.extend(names(&scope.teams));
            parts.push(Cond::one_of("actor.team", &names(&scope.teams)));
        }
        if !scope.roles.is_empty() {
            words.extend(names(&scope.roles));
            parts.push(Cond::one_of("actor.role", &names(&scope.roles)));
        }
        (Cond::all(parts), words.join(" "))
    }

    fn section_default(&mut self, section: &str, scope: Cond, words: &str, c: &Clause<impl Sized>, o: &Outcome) {
        let id = self.id(c.label.as_ref(), &format!("{section} {words} default"));
        let _ = section;
        let mods = self.mods(&c.modifiers);
        self.policy.defaults.push(SectionDefault {
            id: id.0,
            scope: Cond::all(vec![scope, mods.when]),
            effect: effect(o),
            span: c.span,
            source: self.source(c.span),
            rationale: mods.rationale,
            advice: mods.advice,
        });
    }

    fn posting(&mut self, s: &Section<PostingRule>, listed: &[String]) {
        let (scope, words) = self.scope_cond(&s.scope, POSTING_ACTIONS, listed);
        for c in &s.clauses {
            let has = |k: &str| Cond::test("content.kind", TestOp::Has(Term::Const(Value::Symbol(k.to_string()))));
            let generated = format!("{words} {}", posting_id_words(&c.rule.node));
            let (base, eff, kind) = match &c.rule.node {
                PostingRule::Limit { max, kind, per, per_channel, excluding_shares } => {
                    let counter = Counter {
                        of: Counted::Posts,
                        kind: kind.as_ref().map(|k| k.node.clone()),
                        per: per.node,
                        this_channel: *per_channel,
                        excluding_shares: *excluding_shares,
                    }
                    .path();
                    let mut parts = vec![Cond::Test(Test {
                        lhs: Term::fact(&counter),
                        op: TestOp::Cmp(CmpOp::Ge, Term::Const(Value::Int(i64::from(max.node)))),
                        span: Some(max.span),
                    })];
                    if let Some(k) = kind {
                        parts.insert(0, has(&k.node));
                    }
                    let kind = RuleKind::Limit { counter, max: max.node, per: per.node };
                    (Cond::all(parts), Effect::Deny, kind)
                }
                PostingRule::Share { percent, kind, per } => {
                    let mut part = Counter::all(Counted::Posts, per.node);
                    let whole = part.path();
                    part.kind = Some(kind.node.clone());
                    let part = part.path();
                    let test = Cond::Test(Test {
                        lhs: Term::fact(&part),
                        op: TestOp::ShareAbove { whole: whole.clone(), percent: percent.node },
                        span: Some(percent.span),
                    });
                    let kind_info = RuleKind::Share { part, whole, percent: percent.node };
                    (Cond::all(vec![has(&kind.node), test]), Effect::Deny, kind_info)
                }
                PostingRule::ForbidKinds(kinds) => {
                    (Cond::any(kinds.iter().map(|k| has(&k.node)).collect()), Effect::Deny, RuleKind::Plain)
                }
                PostingRule::ForbidConduct(judgements) => {
                    let has =
                        |j: &str| Cond::test("content.conduct", TestOp::Has(Term::Const(Value::Symbol(j.to_string()))));
                    (Cond::any(judgements.iter().map(|j| has(&j.node)).collect()), Effect::Deny, RuleKind::Plain)
                }
                PostingRule::OnlyKinds(kinds) => (
                    Cond::test(
                        "content.kind",
                        TestOp::HasOutside(kinds.iter().map(|k| Value::Symbol(k.node.clone())).collect()),
                    ),
                    Effect::Deny,
                    RuleKind::Plain,
                ),
                PostingRule::RequireApproval { approvers, join, kinds } => {
                    let base = if kinds.is_empty() {
                        Cond::True
                    } else {
                        Cond::any(kinds.iter().map(|k| has(&k.node)).collect())
                    };
                    (base, Effect::RequireApproval { approvers: names(approvers), join: *join }, RuleKind::Plain)
                }
                PostingRule::RequireDisclosure { what: said, before } => {
                    let id = self.id(c.label.as_ref(), &generated);
                    let base =
                        Cond::all(vec![scope.clone(), Cond::Not(Box::new(Cond::test(said.fact(), TestOp::Truthy)))]);
                    let what = said.words();
                    if *before {
                        // A requirement before acting: the undisclosed post is refused (or,
                        // with `then require approval from ...`, held for approval), and no duty
                        // is attached, since nothing has been published yet.
                        let kind = RuleKind::Requirement { text: what.into() };
                        self.push(id, SectionKind::Posting, c.span, base, Effect::Deny, &c.modifiers, kind, vec![]);
                        continue;
                    }
                    let ob = ObligationSpec { text: what.into(), within: None, from: vec![], done_key: None };
                    self.push(
                        id,
                        SectionKind::Posting,
                        c.span,
                        base,
                        Effect::Allow,
                        &c.modifiers,
                        RuleKind::Plain,
                        vec![ob],
                    );
                    continue;
                }
                PostingRule::ForbidFlag(flag) => {
                    let path = match flag {
                        ContentFlag::ClientNames => "content.names_client",
                        ContentFlag::CandidateData => "content.candidate_personal_data",
                        ContentFlag::Confidential => "content.confidential",
                    };
                    (Cond::test(path, TestOp::Truthy), Effect::Deny, RuleKind::Plain)
                }
                PostingRule::Default(o) => {
                    self.section_default("posting", scope.clone(), &words, c, &o.node);
                    continue;
                }
            };
            let id = self.id(c.label.as_ref(), &generated);
            self.push(
                id,
                SectionKind::Posting,
                c.span,
                Cond::all(vec![scope.clone(), base]),
                eff,
                &c.modifiers,
                kind,
                vec![],
            );
        }
    }

    fn connecting(&mut self, s: &Section<ConnectingRule>, listed: &[String]) {
        let (scope, words) = self.scope_cond(&s.scope, CONNECTING_ACTIONS, listed);
        let invitations = Cond::all(vec![scope.clone(), Cond::is("action", "connect")]);
        for c in &s.clauses {
            let generated = format!("{words} {}", connecting_id_words(&c.rule.node));
            let (base, kind) = match &c.rule.node {
                ConnectingRule::RequireInteraction => (
                    Cond::Not(Box::new(Cond::any(vec![
                        Cond::test("target.interacted", TestOp::Truthy),
                        Cond::test("target.met_in_person", TestOp::Truthy),
                    ]))),
                    RuleKind::Plain,
                ),
                ConnectingRule::Limit { max, per, per_channel } => {
                    let mut counter = Counter::all(Counted::Invitations, per.node);
                    counter.this_channel = *per_channel;
                    let counter = counter.path();
                    (
                        Cond::Test(Test {
                            lhs: Term::fact(&counter),
                            op: TestOp::Cmp(CmpOp::Ge, Term::Const(Value::Int(i64::from(max.node)))),
                            span: Some(max.span),
                        }),
                        RuleKind::Limit { counter, max: max.node, per: per.node },
                    )
                }
                ConnectingRule::ForbidInvitations { to, while_status } => {
                    let mut parts = Vec::new();
                    if !to.is_empty() {
                        parts.push(Cond::one_of("target.relationship", &relationships(&names(to))));
                    }
                    if !while_status.is_empty() {
                        parts.push(Cond::one_of("actor.status", &names(while_status)));
                    }
                    (Cond::all(parts), RuleKind::Plain)
                }
                ConnectingRule::Default(o) => {
                    self.section_default("connecting", scope.clone(), &words, c, &o.node);
                    continue;
                }
            };
            let id = self.id(c.label.as_ref(), &generated);
            self.push(
                id,
                SectionKind::Connecting,
                c.span,
                Cond::all(vec![invitations.clone(), base]),
                Effect::Deny,
                &c.modifiers,
                kind,
                vec![],
            );
        }
    }

    // ───────────── terms, rules, exceptions ─────────────

    fn terms(&mut self, c: &Clause<TermsRule>) {
        let id = self.id(c.label.as_ref(), &format!("terms {}", terms_id_words(&c.rule.node)));
        let test = match &c.rule.node {
            TermsRule::MaxCovenant { kind, of, max } => {
                TermsTest::MaxCovenant { covenant: kind.node, of: names(of), max: max.node }
            }
            TermsRule::NoCovenant { kind, of } => TermsTest::NoCovenant { covenant: kind.node, of: names(of) },
            TermsRule::MaxLookback(d) => TermsTest::MaxLookback { max: d.node },
            TermsRule::MaxRadius(m) => TermsTest::MaxRadius { miles: m.node },
            TermsRule::RequireOffset => TermsTest::RequireOffset,
            TermsRule::RequireOwnership { field, owner } => {
                TermsTest::RequireOwnership { field: field.node.clone(), owner: owner.node }
            }
            TermsRule::ForbidMonitoring => TermsTest::ForbidMonitoring,
        };
        let mods = self.mods(&c.modifiers);
        self.policy.terms.push(TermsConstraint {
            id: id.0,
            test,
            effect: mods.then.unwrap_or(Effect::Deny),
            span: c.span,
            source: self.source(c.span),
            rationale: mods.rationale,
            advice: mods.advice,
            notes: mods.notes,
        });
    }

    fn rule(&mut self, r: &RuleDef) {
        let id = self.id(Some(&r.name), "");
        let span = r.name.span;
        let eff = r.modifiers.then.as_ref().map_or(Effect::Advise, |o| effect(&o.node));
        self.push(id, SectionKind::Rule, span, Cond::True, eff, &r.modifiers, RuleKind::Plain, vec![]);
        if let Some(rule) = self.policy.rules.last_mut() {
            rule.description = r.description.as_ref().map(|d| d.node.clone());
            rule.source = format!("rule {}", r.name.node);
        }
    }

    fn exception(&mut self, e: &ExceptionDef) {
        let id = self.id(Some(&e.name), "");
        let eff = e.modifiers.then.as_ref().map_or(Effect::Allow, |o| effect(&o.node));
        self.push(id, SectionKind::Exception, e.name.span, Cond::True, eff, &e.modifiers, RuleKind::Plain, vec![]);
        if let Some(rule) = self.policy.rules.last_mut() {
            rule.description = e.description.as_ref().map(|d| d.node.clone());
            rule.overrides = names(&e.targets);
            rule.source = format!("exception {} to {}", e.name.node, rule.overrides.join(", "));
        }
    }
}

/// An asset in canonical words (`connections made before employment with
/// clients`), with the author's word for connections (`contacts`, which `fmt`
/// keeps): generated ids and explanations use these, so reformatting never
/// renames a clause.
pub fn asset_words(asset: &Asset) -> String {
    match asset {
        Asset::Credentials => "credentials".into(),
        Asset::Material { .. } => asset.material_words().unwrap_or_default(),
        Asset::Connections { word, made, with, from, owned_by } => {
            let mut w = vec![word.as_str().to_string()];
            match made.as_ref().map(|m| m.node) {
                Some(Made::BeforeEmployment) => w.push("made before employment".into()),
                Some(Made::DuringEmployment) => w.push("made during employment".into()),
                None => {}
            }
            if !with.is_empty() {
                w.push(format!("with {}", names(with).join(", ")));
            }
            if let Some(f) = from {
                w.push(format!("from {}", f.node));
            }
            if let Some(o) = owned_by {
                w.push(format!("owned by {}", o.node.as_str()));
            }
            w.join(" ")
        }
        Asset::Accounts { kind, created_by, run_as_duty, agency_equipment, brand_in_handle, purpose } => {
            let mut w = Vec::new();
            if let Some(k) = kind {
                w.push(k.node.clone());
            }
            w.push("accounts".to_string());
            if let Some(c) = created_by {
                w.push(format!("created by {}", c.node.as_str()));
            }
            if *run_as_duty {
                w.push("run as duty".into());
            }
            if *agency_equipment {
                w.push("on agency equipment".into());
            }
            if *brand_in_handle {
                w.push("with brand in handle".into());
            }
            if let Some(p) = purpose {
                w.push(format!("for {}", p.node));
            }
            w.join(" ")
        }
    }
}

/// Words for a generated posting clause id: structure, never numbers, so that
/// changing a limit keeps the clause's name (and `diff` can match it).
fn posting_id_words(r: &PostingRule) -> String {
    match r {
        PostingRule::Limit { kind, per, per_channel, excluding_shares, .. } => {
            let mut w = match kind {
                Some(k) => format!("limit {} posts per {}", k.node, per.node.id_words()),
                None => format!("limit posts per {}", per.node.id_words()),
            };
            if *per_channel {
                w.push_str(" per channel");
            }
            if *excluding_shares {
                w.push_str(" excluding shares");
            }
            w
        }
        PostingRule::Share { kind, per, .. } => format!("{} share per {}", kind.node, per.node.id_words()),
        PostingRule::ForbidKinds(k) => format!("forbid {}", names(k).join(" ")),
        PostingRule::OnlyKinds(k) => format!("only {}", names(k).join(" ")),
        PostingRule::RequireApproval { kinds, .. } if kinds.is_empty() => "approval".into(),
        PostingRule::RequireApproval { kinds, .. } => format!("approval for {}", names(kinds).join(" ")),
        PostingRule::RequireDisclosure { what, before: false } => what.as_str().into(),
        PostingRule::RequireDisclosure { what, before: true } => format!("{} before posting", what.as_str()),
        PostingRule::ForbidFlag(f) => format!("no {}", f.as_str()),
        PostingRule::ForbidConduct(j) => format!("forbid conduct {}", names(j).join(" ")),
        PostingRule::Default(_) => "default".into(),
    }
}

fn connecting_id_words(r: &ConnectingRule) -> String {
    match r {
        ConnectingRule::RequireInteraction => "require interaction".into(),
        ConnectingRule::Limit { per, per_channel, .. } => {
            let channel = if *per_channel { " per channel" } else { "" };
            format!("limit invitations per {}{channel}", per.node.id_words())
        }
        ConnectingRule::ForbidInvitations { to, while_status } => {
            let mut w = "no invitations".to_string();
            if !to.is_empty() {
                w.push_str(&format!(" to {}", names(to).join(" ")));
            }
            if !while_status.is_empty() {
                w.push_str(&format!(" while {}", names(while_status).join(" ")));
            }
            w
        }
        ConnectingRule::Default(_) => "default".into(),
    }
}

fn terms_id_words(r: &TermsRule) -> String {
    match r {
        TermsRule::MaxCovenant { kind, of, .. } => format!("max {} {}", kind.node.as_str(), names(of).join(" ")),
        TermsRule::NoCovenant { kind, of } => format!("no {} {}", kind.node.as_str(), names(of).join(" ")),
        TermsRule::MaxLookback(_) => "max lookback".into(),
        TermsRule::MaxRadius(_) => "max radius".into(),
        TermsRule::RequireOffset => "garden leave offset".into(),
        TermsRule::RequireOwnership { field, .. } => format!("ownership {}", field.node),
        TermsRule::ForbidMonitoring => "no monitoring".into(),
    }
}

fn duty_text(duty: &str, words: &str, asset: Option<String>) -> String {
    match (duty, asset) {
        ("hand_over", Some(a)) => format!("hand over {a}"),
        ("remove", Some(a)) => format!("remove {a}"),
        ("update_profile", _) => "update your employment details on your profiles".into(),
        _ => words.to_string(),
    }
}

// ───────────── expressions ─────────────

/// Lowers a condition as written.
pub fn expr(e: &crate::source::Spanned<Expr>) -> Cond {
    match &e.node {
        // A chain `a and b and c` is one left-deep tree: gathered into one list at
        // once, not flattened level by level (which copies the list at each level).
        Expr::And(..) => Cond::all(chain(e, true)),
        Expr::Or(..) => Cond::any(chain(e, false)),
        Expr::Not(a) => Cond::Not(Box::new(expr(a))),
        Expr::Group(a) => expr(a),
        Expr::Compare { lhs, op, rhs } => {
            let (l, r) = (term(lhs), term(rhs));
            // Keep the fact on the left: `10 <= history.posts_today` reads as `history.posts_today >= 10`.
            let (l, o, r) = if matches!(l, Term::Const(_)) && !matches!(r, Term::Const(_)) {
                (r, op.node.flipped(), l)
            } else {
                (l, op.node, r)
            };
            Cond::Test(Test { lhs: l, op: TestOp::Cmp(o, r), span: Some(e.span) })
        }
        Expr::In { lhs, negated, set } => {
            let values = set.iter().map(|v| literal_value(&v.node)).collect();
            let t = Cond::Test(Test { lhs: term(lhs), op: TestOp::In(values), span: Some(e.span) });
            if *negated {
                Cond::Not(Box::new(t))
            } else {
                t
            }
        }
        Expr::Has { lhs, rhs } => Cond::Test(Test { lhs: term(lhs), op: TestOp::Has(term(rhs)), span: Some(e.span) }),
        Expr::Contains { lhs, needles } => {
            let (needles, brands) = match needles {
                // The policy's brand names, filled in once the declarations are read ([`brand_names`]).
                ast::Needles::Brands => (vec![], true),
                ast::Needles::Texts(ts) => (ts.iter().map(|t| t.node.clone()).collect(), false),
            };
            Cond::Test(Test { lhs: term(lhs), op: TestOp::Contains { needles, brands }, span: Some(e.span) })
        }
        Expr::Presence { operand, missing } => Cond::Test(Test {
            lhs: term(operand),
            op: if *missing { TestOp::Missing } else { TestOp::Present },
            span: Some(e.span),
        }),
        Expr::Truthy(o) => Cond::Test(Test { lhs: term(o), op: TestOp::Truthy, span: Some(e.span) }),
    }
}

/// The lowered operands of a chain of `and` (`conjunction`) or of `or`, in order.
fn chain(e: &crate::source::Spanned<Expr>, conjunction: bool) -> Vec<Cond> {
    fn gather(e: &crate::source::Spanned<Expr>, conjunction: bool, out: &mut Vec<Cond>) {
        match &e.node {
            Expr::And(a, b) if conjunction => {
                gather(a, conjunction, out);
                gather(b, conjunction, out);
            }
            Expr::Or(a, b) if !conjunction => {
                gather(a, conjunction, out);
                gather(b, conjunction, out);
            }
            _ => out.push(expr(e)),
        }
    }
    let mut out = Vec::new();
    gather(e, conjunction, &mut out);
    out
}

/// Gives every `contains a brand name` test the policy's `brand names`, in
/// every condition a clause, a section default or an ownership line holds.
fn brand_names(policy: &mut Policy) {
    fn fill(c: &mut Cond, brands: &[String]) {
        match c {
            Cond::True => {}
            Cond::All(ps) | Cond::Any(ps) => ps.iter_mut().for_each(|p| fill(p, brands)),
            Cond::Not(p) => fill(p, brands),
            Cond::Test(Test { op: TestOp::Contains { needles, brands: true }, .. }) => *needles = brands.to_vec(),
            Cond::Test(_) => {}
        }
    }
    let brands = policy.decls.brands.clone();
    for r in &mut policy.rules {
        fill(&mut r.when, &brands);
        r.unless.iter_mut().for_each(|u| fill(u, &brands));
    }
    for d in &mut policy.defaults {
        fill(&mut d.scope, &brands);
    }
    for o in &mut policy.ownership {
        fill(&mut o.matches, &brands);
    }
}

/// Whether a path (its segments joined by `.`) names a fact rather than
/// being a bare value such as `client`: a path of several segments always
/// does, a single word only when it is a root fact (`action`, `channel`, ...).
pub fn is_fact_path(path: &str) -> bool {
    path.contains('.') || schema::ROOT_FACTS.contains(&path)
}

fn term(o: &ast::Operand) -> Term {
    let base = match &o.base.node {
        Literal::Path(p) if is_fact_path(p) => Term::Fact(p.clone()),
        other => Term::Const(literal_value(other)),
    };
    if o.shifts.is_empty() {
        base
    } else {
        Term::Shifted(Box::new(base), o.shifts.iter().map(|s| (s.forward, s.by.node)).collect())
    }
}

/// The value of a literal (a bare word is a symbol).
pub fn literal_value(l: &Literal) -> Value {
    match l {
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => Value::Int(*i),
        Literal::Percent(p) => Value::Percent(*p),
        Literal::TimeOfDay(m) => Value::TimeOfDay(*m),
        Literal::Date(d) => Value::Date(*d),
        Literal::Timestamp(t) => Value::Timestamp(*t),
        Literal::Duration(d) => Value::Duration(*d),
        Literal::Text(s) => Value::Text(s.clone()),
        Literal::Path(p) => Value::Symbol(p.clone()),
    }
}

#[cfg(test)]
mod tests {
    use crate::source::SourceFile;

    fn ids(text: &str) -> Vec<String> {
        let file = SourceFile::new("t.policy", text.to_string());
        let ast = crate::parser::parse(&file).unwrap_or_else(|e| panic!("{e:?}"));
        super::lower(&file, &ast).rules.into_iter().map(|r| r.id).collect()
    }

    /// Declared names are each kept once, in the order first written, after the built-in ones.
    #[test]
    fn declared_names_are_kept_once_in_order() {
        let text =
            "policy \"d\" default allow\nroles consultant, manager, consultant\nchannels zeta, linkedin, alpha\n\
                    channels alpha, beta\nbrand names { \"B\", \"A\", \"B\" }\n";
        let file = SourceFile::new("d.policy", text);
        let ast = crate::parser::parse(&file).unwrap_or_else(|e| panic!("{e:?}"));
        let d = super::lower(&file, &ast).decls;
        assert_eq!(d.roles, ["consultant", "manager"]);
        let declared: Vec<&str> = d.channels.iter().map(String::as_str).skip(crate::schema::CHANNELS.len()).collect();
        assert_eq!(declared, ["zeta", "alpha", "beta"]);
        assert_eq!(d.channels.iter().filter(|c| *c == "linkedin").count(), 1);
        assert_eq!(d.brands, ["B", "A"]);
    }

    #[test]
    fn a_rule_keeps_its_own_condition_once_and_a_section_clause_apart() {
        let text = "policy \"t\"\n\nrule r {\n  when action = post and channel = twitter\n  then deny\n}\n\n\
                    posting on twitter {\n  limit 10 posts per day\n    when account.kind = branded\n}\n";
        let file = SourceFile::new("t.policy", text.to_string());
        let ast = crate::parser::parse(&file).unwrap_or_else(|e| panic!("{e:?}"));
        let policy = super::lower(&file, &ast);
        let rule = policy.rules.iter().find(|r| r.id == "r").unwrap_or_else(|| panic!("no rule r"));
        assert!(rule.own_when.is_none());
        assert_eq!(rule.own_when(), &rule.when);
        let limit = policy.rules.iter().find(|r| r.id != "r").unwrap_or_else(|| panic!("no limit"));
        let own = limit.own_when.as_ref().unwrap_or_else(|| panic!("the section adds to the limit's condition"));
        assert!(matches!(own, crate::policy::Cond::Test(t) if t.lhs.is_fact("account.kind")), "{own:?}");
        assert_ne!(limit.own_when(), &limit.when);
    }

    #[test]
    fn a_path_names_a_fact_when_dotted_or_a_root_fact() {
        assert!(super::is_fact_path("actor.status"));
        assert!(super::is_fact_path("facts.region"));
        assert!(super::is_fact_path("action"));
        assert!(!super::is_fact_path("client"));
        assert!(crate::policy::Term::fact("actor.status").is_fact("actor.status"));
        assert!(!crate::policy::Term::fact("actor.status").is_fact("actor.team"));
    }

    #[test]
    fn generated_ids_take_the_first_free_suffix() {
        // A label that already holds a suffix, then three unnamed clauses alike.
        let text = "policy \"t\"\n\nposting on twitter {\n  twitter-limit-posts-per-day-2: limit 4 posts per day\n  limit 5 posts per day\n  limit 6 posts per day\n  limit 7 posts per day\n}\n";
        let got = ids(text);
        let base = "twitter-limit-posts-per-day";
        let want: Vec<String> = ["-2", "", "-3", "-4"].iter().map(|s| format!("{base}{s}")).collect();
        let limits: Vec<String> = got.iter().filter(|i| i.starts_with(base)).cloned().collect();
        assert_eq!(limits, want, "{got:?}");
    }
}
