//! fmt: AST back to canonical text — one printer per AST node kind that fits
//! on one line (outcomes, assets, the clauses of each section, modifiers,
//! covenant items), mirroring `grammar/policy.pest`. Pure functions of the AST;
//! line breaks, indentation and comments belong to `fmt::layout`. Must not
//! touch the parser or the grammar.

use super::expr::{duration, expr, string};
use crate::ast::*;
use crate::source::{Span, Spanned};

/// One printed piece with the span of what it prints (for placing comments).
pub(super) type Piece = (Span, String);

/// `consultant, manager` (`ident_list`).
pub(super) fn names(list: &[Name]) -> String {
    list.iter().map(|n| n.node.as_str()).collect::<Vec<_>>().join(", ")
}

/// The span from the first to the last name.
pub(super) fn names_span(list: &[Name]) -> Option<Span> {
    let first = list.first()?;
    let last = list.last()?;
    Some(first.span.join(last.span))
}

/// `deny`, `allow`, `require approval from manager or compliance`, `advise "..."` (`outcome`).
pub(super) fn outcome(o: &Outcome) -> String {
    match o {
        Outcome::Deny => "deny".into(),
        Outcome::Allow => "allow".into(),
        Outcome::RequireApproval(roles, join) => approval(roles, *join),
        Outcome::Advise(None) => "advise".into(),
        Outcome::Advise(Some(text)) => format!("advise {}", string(&text.node)),
    }
}

/// `require approval from manager or compliance` (`approval`).
fn approval(roles: &[Name], join: Join) -> String {
    let who: Vec<&str> = roles.iter().map(|r| r.node.as_str()).collect();
    format!("require approval from {}", join.words(&who))
}

/// `none` or an outcome (`default_value`).
pub(super) fn default_verdict(d: &DefaultVerdict) -> String {
    match d {
        DefaultVerdict::None => "none".into(),
        DefaultVerdict::Outcome(o) => outcome(o),
    }
}

/// `most_restrictive` / `most_specific` / `indeterminate` (`conflict_mode`).
pub(super) fn conflict_mode(c: ConflictMode) -> &'static str {
    match c {
        ConflictMode::MostRestrictive => "most_restrictive",
        ConflictMode::MostSpecific => "most_specific",
        ConflictMode::Indeterminate => "indeterminate",
    }
}

/// The header settings after the first line, in canonical order:
/// effective, owner, jurisdiction, timezone, default, conflicts, priorities,
/// binds, previous.
pub(super) fn header_settings(h: &Header) -> Vec<Piece> {
    let mut out = Vec::new();
    if let Some(d) = &h.effective {
        out.push((d.span, format!("effective {}", super::expr::date(d.node))));
    }
    if let Some(o) = &h.owner {
        out.push((o.span, format!("owner {}", string(&o.node))));
    }
    if let Some(j) = &h.jurisdiction {
        out.push((j.span, format!("jurisdiction {}", j.node)));
    }
    if let Some(t) = &h.timezone {
        out.push((t.span, format!("timezone {}", string(&t.node))));
    }
    if let Some(d) = &h.default {
        out.push((d.span, format!("default {}", default_verdict(&d.node))));
    }
    if let Some(c) = &h.conflicts {
        out.push((c.span, format!("conflicts {}", conflict_mode(c.node))));
    }
    if let Some(p) = &h.priorities {
        let tiers: Vec<&str> = p.node.iter().map(|t| t.node.as_str()).collect();
        out.push((p.span, format!("priorities {}", tiers.join(" > "))));
    }
    if let Some(b) = &h.binds {
        out.push((b.span, format!("binds {}", b.node.word())));
    }
    if let Some(p) = &h.previous {
        out.push((p.span, format!("previous {}", string(&p.node))));
    }
    out
}

/// `roles consultant, manager` (`declaration`).
pub(super) fn declaration(d: &Declaration) -> String {
    format!("{} {}", d.kind.keyword(), names(&d.names))
}

/// `fact mentions_competitor: bool "Whether ..."` (`fact_decl`).
pub(super) fn fact_decl(f: &FactDecl) -> String {
    let mut out = format!("fact {}: {}", f.name.node, fact_type(&f.ty.node));
    if let Some(doc) = &f.doc {
        out.push(' ');
        out.push_str(&string(&doc.node));
    }
    out
}

/// `assume content.confidential = false when not given "Why ..."` (`assume_decl`).
pub(super) fn assume_decl(a: &Assume) -> String {
    let mut out = format!("assume {} = {} when not given", a.fact.node, a.value.node.text());
    if let Some(doc) = &a.doc {
        out.push(' ');
        out.push_str(&string(&doc.node));
    }
    out
}

/// `brand names {"Brightwater", "BW Recruit"}` (`brand_decl`).
pub(super) fn brand_decl(names: &[Spanned<String>]) -> String {
    format!("brand names {}", texts(names))
}

/// `{"Brightwater", "BW Recruit"}` (`text_set`).
pub(super) fn texts(names: &[Spanned<String>]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| string(&n.node)).collect();
    format!("{{{}}}", quoted.join(", "))
}

/// `bool`, `int`, `date`, `text`, `enum {a, b}` (`fact_type`).
fn fact_type(t: &FactType) -> String {
    match t {
        FactType::Bool => "bool".into(),
        FactType::Int => "int".into(),
        FactType::Date => "date".into(),
        FactType::Text => "text".into(),
        FactType::Enum(values) => format!("enum {{{}}}", names(values)),
    }
}

/// `employee`, `agency`, `shared` (`owner_party`).
fn party(p: &Spanned<Party>) -> &'static str {
    p.node.as_str()
}

/// ` within 30 days`, or nothing (`within`).
fn within(w: &Option<Spanned<crate::value::Duration>>) -> String {
    w.as_ref().map(|d| format!(" within {}", duration(&d.node))).unwrap_or_default()
}

/// `connections made during employment with clients from agency_database owned by agency`,
/// `branded accounts created by agency run as duty on agency equipment with brand in handle for business`,
/// `credentials` (`asset`). Filters print in the grammar's order.
pub(super) fn asset(a: &Asset) -> String {
    match a {
        Asset::Connections { word, made, with, from, owned_by } => {
            let mut out = String::from(word.as_str());
            match made.as_ref().map(|m| m.node) {
                Some(Made::BeforeEmployment) => out.push_str(" made before employment"),
                Some(Made::DuringEmployment) => out.push_str(" made during employment"),
                None => {}
            }
            if !with.is_empty() {
                out.push_str(" with ");
                out.push_str(&names(with));
            }
            if let Some(f) = from {
                out.push_str(" from ");
                out.push_str(&f.node);
            }
            if let Some(o) = owned_by {
                out.push_str(" owned by ");
                out.push_str(party(o));
            }
            out
        }
        Asset::Accounts { kind, created_by, run_as_duty, agency_equipment, brand_in_handle, purpose } => {
            let mut out = String::new();
            if let Some(k) = kind {
                out.push_str(&k.node);
                out.push(' ');
            }
            out.push_str("accounts");
            if let Some(c) = created_by {
                out.push_str(" created by ");
                out.push_str(party(c));
            }
            if *run_as_duty {
                out.push_str(" run as duty");
            }
            if *agency_equipment {
                out.push_str(" on agency equipment");
            }
            if *brand_in_handle {
                out.push_str(" with brand in handle");
            }
            if let Some(p) = purpose {
                out.push_str(" for ");
                out.push_str(&p.node);
            }
            out
        }
        Asset::Credentials => "credentials".into(),
        Asset::Material { .. } => a.material_words().unwrap_or_default(),
    }
}

/// `branded accounts -> agency` (`ownership_rule`).
pub(super) fn ownership_rule(r: &OwnershipRule) -> String {
    format!("{} -> {}", asset(&r.asset.node), party(&r.owner))
}

/// `hand over ...`, `remove ...`, `update profile ...`, `keep ...`, `no export of ...` (`departure_duty`).
pub(super) fn departure_duty(d: &DepartureDuty) -> String {
    match d {
        DepartureDuty::HandOver { asset: a, within: w } => format!("hand over {}{}", asset(&a.node), within(w)),
        DepartureDuty::Remove { asset: a, within: w } => format!("remove {}{}", asset(&a.node), within(w)),
        DepartureDuty::UpdateProfile { within: w } => format!("update profile{}", within(w)),
        DepartureDuty::Keep { asset: a } => format!("keep {}", asset(&a.node)),
        DepartureDuty::NoExport { asset: a } => format!("no export of {}", asset(&a.node)),
    }
}

/// ` on twitter, linkedin for team recruiting by role consultant` (`section_scope`);
/// every channel (`ChannelScope::Any`) prints nothing.
pub(super) fn scope(s: &Scope) -> String {
    let mut out = String::new();
    match &s.channels.node {
        ChannelScope::Any => {}
        ChannelScope::Other => out.push_str(" on other channels"),
        ChannelScope::Listed(list) => {
            out.push_str(" on ");
            out.push_str(&names(list));
        }
    }
    if !s.teams.is_empty() {
        out.push_str(" for team ");
        out.push_str(&names(&s.teams));
    }
    if !s.roles.is_empty() {
        out.push_str(" by role ");
        out.push_str(&names(&s.roles));
    }
    out
}

/// Where a section's scope ends in the source (for placing comments).
pub(super) fn scope_end(s: &Scope) -> usize {
    let mut end = s.channels.span.end;
    for list in [&s.teams, &s.roles] {
        if let Some(span) = names_span(list) {
            end = end.max(span.end);
        }
    }
    end
}

/// The clauses of `posting` sections (`posting_rule`).
pub(super) fn posting_rule(r: &PostingRule) -> String {
    match r {
        PostingRule::Limit { max, kind, per, per_channel, excluding_shares } => {
            let mut out = match kind {
                Some(k) => format!("limit {} {} posts per {}", max.node, k.node, per.node),
                None => format!("limit {} posts per {}", max.node, per.node),
            };
            if *per_channel {
                out.push_str(" per channel");
            }
            if *excluding_shares {
                out.push_str(" excluding shares");
            }
            out
        }
        PostingRule::Share { percent, kind, per } => {
            format!("at most {}% {} posts per {}", percent.node, kind.node, per.node)
        }
        PostingRule::ForbidKinds(kinds) => format!("forbid {}", names(kinds)),
        PostingRule::ForbidConduct(judgements) => format!("forbid conduct {}", names(judgements)),
        PostingRule::OnlyKinds(kinds) => format!("only {}", names(kinds)),
        PostingRule::RequireApproval { approvers, join, kinds } => {
            let mut out = approval(approvers, *join);
            if !kinds.is_empty() {
                out.push_str(" for ");
                out.push_str(&names(kinds));
            }
            out
        }
        PostingRule::RequireDisclosure { what, before: false } => format!("require {}", what.as_str()),
        PostingRule::RequireDisclosure { what, before: true } => format!("require {} before posting", what.as_str()),
        PostingRule::ForbidFlag(flag) => format!("forbid {}", flag.as_str()),
        PostingRule::Default(o) => format!("default {}", outcome(&o.node)),
    }
}

/// The clauses of `connecting` sections (`connecting_rule`).
pub(super) fn connecting_rule(r: &ConnectingRule) -> String {
    match r {
        ConnectingRule::RequireInteraction => "require interaction before invitation".into(),
        ConnectingRule::Limit { max, per, per_channel } => {
            let channel = if *per_channel { " per channel" } else { "" };
            format!("limit {} invitations per {}{channel}", max.node, per.node)
        }
        ConnectingRule::ForbidInvitations { to, while_status } => {
            let mut out = String::from("forbid invitations");
            if !to.is_empty() {
                out.push_str(" to ");
                out.push_str(&names(to));
            }
            if !while_status.is_empty() {
                out.push_str(" while ");
                out.push_str(&names(while_status));
            }
            out
        }
        ConnectingRule::Default(o) => format!("default {}", outcome(&o.node)),
    }
}

/// ` of clients, candidates`, or nothing (`covenant_of`).
fn covenant_of(of: &[Name]) -> String {
    if of.is_empty() {
        String::new()
    } else {
        format!(" of {}", names(of))
    }
}

/// The clauses of `terms` sections (`terms_rule`).
pub(super) fn terms_rule(r: &TermsRule) -> String {
    match r {
        TermsRule::MaxCovenant { kind, of, max } => {
            format!("{}{} at most {}", kind.node.as_str(), covenant_of(of), duration(&max.node))
        }
        TermsRule::NoCovenant { kind, of } => format!("no {}{}", kind.node.as_str(), covenant_of(of)),
        TermsRule::MaxLookback(d) => format!("lookback at most {}", duration(&d.node)),
        TermsRule::MaxRadius(n) => format!("radius at most {} miles", n.node),
        TermsRule::RequireOffset => "require garden leave offset".into(),
        TermsRule::RequireOwnership { field, owner } => format!("require {} -> {}", field.node, party(owner)),
        TermsRule::ForbidMonitoring => "forbid monitoring of personal accounts".into(),
    }
}

/// `covenant client-nonsolicit: non_solicitation of clients for 6 months` (the first line of `covenant`).
pub(super) fn covenant_head(c: &Covenant) -> String {
    let label = c.label.as_ref().map(|l| format!("{}: ", l.node)).unwrap_or_default();
    let length = match &c.duration.node {
        Some(d) => format!("for {}", duration(d)),
        None => "indefinitely".to_string(),
    };
    format!("covenant {label}{}{} {length}", c.kind.node.as_str(), covenant_of(&c.of))
}

/// A covenant's items in canonical order: lookback, radius, capacities, garden leave
/// offset, applies to, each `except`, then the modifiers (`covenant_item`).
pub(super) fn covenant_items(c: &Covenant) -> Vec<Piece> {
    let mut out = Vec::new();
    if let Some(l) = &c.lookback {
        out.push((l.span, format!("lookback {}", duration(&l.node))));
    }
    if let Some(r) = &c.radius {
        out.push((r.span, format!("radius {} miles", r.node)));
    }
    if let Some(span) = names_span(&c.capacities) {
        out.push((span, format!("capacities {}", names(&c.capacities))));
    }
    if let Some(g) = &c.garden_leave {
        out.push((g.span, g.node.words().into()));
    }
    if let Some(span) = names_span(&c.applies_to) {
        out.push((span, format!("applies to {}", names(&c.applies_to))));
    }
    for e in &c.exceptions {
        out.push((e.span, except_item(e)));
    }
    out.extend(modifiers(&c.modifiers));
    out
}

/// `except announcement "..."` / `except when CONDITION "..."` (`except_item`).
fn except_item(e: &CovenantException) -> String {
    let mut out = match &e.test {
        ExceptionTest::Kinds(kinds) => format!("except {}", names(kinds)),
        ExceptionTest::When(cond) => format!("except when {}", expr(&cond.node)),
    };
    if let Some(t) = &e.text {
        out.push(' ');
        out.push_str(&string(&t.node));
    }
    out
}

/// The modifiers in canonical order: when, unless, then, because, advise,
/// oblige, note, consequence, see, priority, dry run (`modifier`).
pub(super) fn modifiers(m: &Modifiers) -> Vec<Piece> {
    let mut out = Vec::new();
    if let Some(w) = &m.when {
        out.push((w.span, format!("when {}", expr(&w.node))));
    }
    for u in &m.unless {
        out.push((u.span, format!("unless {}", expr(&u.node))));
    }
    if let Some(t) = &m.then {
        out.push((t.span, format!("then {}", outcome(&t.node))));
    }
    if let Some(b) = &m.because {
        out.push((b.span, format!("because {}", string(&b.node))));
    }
    for a in &m.advise {
        out.push((a.span, format!("advise {}", string(&a.node))));
    }
    for o in &m.oblige {
        let span = o.within.as_ref().map_or(o.text.span, |w| o.text.span.join(w.span));
        let span = o.of.as_ref().map_or(span, |e| span.join(e.span));
        let of = o.of.as_ref().map(|e| format!(" of {}", e.node)).unwrap_or_default();
        let key = o.key.as_ref().map(|k| format!(" as {}", k.node)).unwrap_or_default();
        out.push((span, format!("oblige {}{key}{}{of}", string(&o.text.node), within(&o.within))));
    }
    for n in &m.notes {
        out.push((n.span, format!("note {}", string(&n.node))));
    }
    if let Some(c) = &m.consequence {
        out.push((c.span, format!("consequence {}", string(&c.node))));
    }
    for s in &m.see {
        out.push((s.span, format!("see {}", string(&s.node))));
    }
    if let Some(p) = &m.priority {
        out.push((p.span, format!("priority {}", p.node)));
    }
    if let Some(d) = m.dry_run {
        out.push((d, "dry run".into()));
    }
    out
}

/// `rule no-candidate-data "Never publish ..." {` (the first line of `rule_def`).
pub(super) fn rule_head(r: &RuleDef) -> (Span, String) {
    let mut text = format!("rule {}", r.name.node);
    let mut end = r.name.span.end;
    if let Some(d) = &r.description {
        text.push(' ');
        text.push_str(&string(&d.node));
        end = end.max(d.span.end);
    }
    (Span::new(r.name.span.start, end), text)
}

/// `exception announcements to non-solicitation, other "..." {` (the first line of `exception_def`).
pub(super) fn exception_head(e: &ExceptionDef) -> (Span, String) {
    let mut text = format!("exception {} to {}", e.name.node, names(&e.targets));
    let mut end = e.name.span.end;
    if let Some(span) = names_span(&e.targets) {
        end = end.max(span.end);
    }
    if let Some(d) = &e.description {
        text.push(' ');
        text.push_str(&string(&d.node));
        end = end.max(d.span.end);
    }
    (Span::new(e.name.span.start, end), text)
}
