//! Pest pairs to AST: one builder per grammar rule. Never panics: a pair the
//! builder does not expect becomes [`ParseError::Internal`], and problems that
//! the grammar cannot see (a 31 February, a `when` given twice) are collected
//! so that one run reports them all.

use super::err::ParseError;
use super::Rule;
use crate::ast::*;
use crate::facts::Assumed;
use crate::source::{Span, Spanned};
use crate::value::{Duration, TimeUnit};
use pest::iterators::{Pair, Pairs};

type P<'i> = Pair<'i, Rule>;

/// A pair's children without keyword tokens, which carry no information.
type Kids<'i> = std::iter::Filter<Pairs<'i, Rule>, fn(&P<'i>) -> bool>;

fn not_keyword(p: &P<'_>) -> bool {
    !super::rule_names::is_keyword(p.as_rule())
}

trait Children<'i> {
    fn kids(self) -> Kids<'i>;
}

impl<'i> Children<'i> for P<'i> {
    fn kids(self) -> Kids<'i> {
        self.into_inner().filter(not_keyword as fn(&P<'i>) -> bool)
    }
}

/// Builds the AST and collects the problems found on the way.
#[derive(Debug, Default)]
pub struct Builder {
    /// Problems found so far.
    pub errors: Vec<ParseError>,
}

/// A pair's span without the whitespace and comments pest includes at its end
/// when the rule ends in an optional part that matched nothing.
fn span(p: &P<'_>) -> Span {
    let s: Span = p.as_span().into();
    Span::new(s.start, s.start + trimmed_len(p.as_str()))
}

/// The length of `text` without trailing whitespace and `#` comments.
fn trimmed_len(text: &str) -> usize {
    let mut t = text.trim_end();
    if !t.as_bytes().contains(&b'#') {
        return t.len();
    }
    loop {
        let line_start = t.rfind('\n').map_or(0, |i| i + 1);
        let line = t.get(line_start..).unwrap_or("");
        match comment_start(line) {
            Some(c) => t = t.get(..line_start + c).unwrap_or("").trim_end(),
            None => return t.len(),
        }
    }
}

/// Where a `#` comment starts in one line, outside double-quoted text.
fn comment_start(line: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match (in_string, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (true, false, '"') => in_string = false,
            (false, _, '"') => in_string = true,
            (false, _, '#') => return Some(i),
            _ => {}
        }
    }
    None
}

fn unquote(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

impl Builder {
    fn internal(&mut self, p: &P<'_>) {
        self.errors.push(ParseError::Internal { rule: format!("{:?}", p.as_rule()), span: span(p) });
    }

    /// What a keyword means, from its table; a word missing from the table is an internal error.
    fn keyword<T: Copy>(&mut self, p: &P<'_>, word: &str, table: &[(&str, T)]) -> Option<T> {
        let found = table.iter().find(|(w, _)| *w == word).map(|(_, t)| *t);
        if found.is_none() {
            self.internal(p);
        }
        found
    }

    fn covenant_kind(&mut self, p: &P<'_>) -> Option<CovenantKind> {
        let found = CovenantKind::from_name(p.as_str());
        if found.is_none() {
            self.internal(p);
        }
        found
    }

    fn party(&mut self, p: &P<'_>) -> Option<Spanned<Party>> {
        self.keyword(p, p.as_str(), PARTIES).map(|o| Spanned::new(o, span(p)))
    }

    fn period(&mut self, p: &P<'_>) -> Option<Spanned<Period>> {
        let s = span(p);
        let Some(inner) = p.clone().kids().next() else {
            self.internal(p);
            return None;
        };
        match inner.as_rule() {
            Rule::period_word => self.keyword(&inner, inner.as_str(), PERIOD_WORDS).map(|o| Spanned::new(o, s)),
            Rule::rolling_days => {
                let Some(n) = inner.clone().kids().next() else {
                    self.internal(&inner);
                    return None;
                };
                let ns = span(&n);
                let days = self.u32(n)?.node;
                match Period::rolling(days) {
                    Some(per) => Some(Spanned::new(per, s)),
                    None => {
                        self.errors.push(ParseError::InvalidLiteral {
                            span: ns,
                            message: "a rolling window of 0 days counts nothing".into(),
                            help: Some("write at least `rolling day`, or `rolling 7 days`".into()),
                        });
                        None
                    }
                }
            }
            _ => {
                self.internal(&inner);
                None
            }
        }
    }

    fn expect<'i>(&mut self, pairs: &mut Kids<'i>, rule: Rule, around: Span) -> Option<P<'i>> {
        match pairs.next() {
            Some(p) if p.as_rule() == rule => Some(p),
            Some(p) => {
                self.internal(&p);
                None
            }
            None => {
                self.errors.push(ParseError::Internal { rule: format!("{rule:?}"), span: around });
                None
            }
        }
    }

    /// Takes the next pair, which must be `rule`, and builds it.
    fn take<'i, R>(
        &mut self,
        pairs: &mut Kids<'i>,
        rule: Rule,
        around: Span,
        build: impl FnOnce(&mut Self, P<'i>) -> R,
    ) -> Option<R> {
        let p = self.expect(pairs, rule, around)?;
        Some(build(self, p))
    }

    /// `policy_file`: the header, then items.
    pub fn policy_file(&mut self, p: P<'_>) -> Option<PolicyFile> {
        let mut header = None;
        let mut items = Vec::new();
        for inner in p.kids() {
            match inner.as_rule() {
                Rule::header => header = Some(self.header(inner)),
                Rule::EOI => {}
                _ => {
                    let s = span(&inner);
                    if let Some(item) = self.item(inner) {
                        items.push(Spanned::new(item, s));
                    }
                }
            }
        }
        Some(PolicyFile { header: header?, items })
    }

    fn header(&mut self, p: P<'_>) -> Header {
        let mut h = Header { span: span(&p), ..Header::default() };
        for inner in p.kids() {
            let s = span(&inner);
            match inner.as_rule() {
                Rule::string => h.name = self.string(inner),
                Rule::version_item => {
                    let v = inner.kids().next().map(|v| v.as_str().to_string()).unwrap_or_default();
                    self.once(&mut h.version, Spanned::new(v, s), "the version");
                }
                Rule::effective_item => {
                    if let Some(d) = inner.kids().next().and_then(|d| self.date_only(d)) {
                        self.once(&mut h.effective, d, "the effective date");
                    }
                }
                Rule::owner_item => {
                    if let Some(o) = inner.kids().next() {
                        let o = self.string(o);
                        self.once(&mut h.owner, o, "the owner");
                    }
                }
                Rule::jurisdiction_item => {
                    let j = inner.kids().next().map(|j| j.as_str().to_string()).unwrap_or_default();
                    self.once(&mut h.jurisdiction, Spanned::new(j, s), "the jurisdiction");
                }
                Rule::timezone_item => {
                    if let Some(t) = inner.kids().next() {
                        let t = self.string(t);
                        if jiff::tz::TimeZone::get(&t.node).is_err() {
                            self.errors.push(ParseError::InvalidLiteral {
                                span: t.span,
                                message: format!("`{}` is not a known timezone", t.node),
                                help: Some("use an IANA name such as \"Europe/London\" or \"America/New_York\"".into()),
                            });
                        }
                        self.once(&mut h.timezone, t, "the timezone");
                    }
                }
                Rule::default_item => {
                    if let Some(v) = inner.kids().next() {
                        let d = if v.as_rule() == Rule::none_kw {
                            Some(DefaultVerdict::None)
                        } else {
                            self.outcome(v).map(|o| DefaultVerdict::Outcome(o.node))
                        };
                        if let Some(d) = d {
                            self.once(&mut h.default, Spanned::new(d, s), "the default verdict");
                        }
                    }
                }
                Rule::conflicts_item => {
                    let Some(m) = inner.clone().kids().next() else {
                        self.internal(&inner);
                        continue;
                    };
                    let Some(mode) = self.keyword(&m, m.as_str(), CONFLICT_MODES) else { continue };
                    self.once(&mut h.conflicts, Spanned::new(mode, s), "the conflict resolution");
                }
                Rule::priorities_item => {
                    let tiers: Vec<Name> = inner.kids().map(|t| self.ident(t)).collect();
                    self.once(&mut h.priorities, Spanned::new(tiers, s), "the priorities");
                }
                Rule::binds_item => {
                    let Some(m) = inner.clone().kids().next() else {
                        self.internal(&inner);
                        continue;
                    };
                    let Some(mode) = self.keyword(&m, m.as_str(), BINDING_MODES) else { continue };
                    self.once(&mut h.binds, Spanned::new(mode, s), "how the policy binds");
                }
                Rule::previous_item => {
                    if let Some(f) = inner.kids().next() {
                        let f = self.string(f);
                        self.once(&mut h.previous, Spanned::new(f.node, s), "the previous version");
                    }
                }
                _ => self.internal(&inner),
            }
        }
        h
    }

    fn once<T>(&mut self, slot: &mut Option<Spanned<T>>, value: Spanned<T>, what: &str) {
        if let Some(first) = slot {
            self.errors.push(ParseError::Duplicate {
                span: value.span,
                first: first.span,
                what: what.to_string(),
                help: Some("keep one of them".into()),
            });
        } else {
            *slot = Some(value);
        }
    }

    fn item(&mut self, p: P<'_>) -> Option<Item> {
        let s = span(&p);
        Some(match p.as_rule() {
            Rule::declaration => {
                let mut inner = p.kids();
                let kind_pair = self.expect(&mut inner, Rule::decl_kind, s)?;
                let first = kind_pair.as_str().split_whitespace().next().unwrap_or("");
                let kind = self.keyword(&kind_pair, first, DECL_KINDS)?;
                let names = self.ident_list(inner.next()?);
                Item::Declaration(Declaration { kind, names })
            }
            Rule::fact_decl => {
                let mut inner = p.kids();
                let name = self.take(&mut inner, Rule::ident, s, Self::ident)?;
                let ty_pair = self.expect(&mut inner, Rule::fact_type, s)?;
                let ty = self.fact_type(ty_pair)?;
                let doc = inner.next().map(|d| self.string(d));
                Item::Fact(FactDecl { name, ty, doc })
            }
            Rule::assume_decl => {
                let mut inner = p.kids();
                let fact =
                    self.take(&mut inner, Rule::path, s, |_, x| Spanned::new(x.as_str().to_string(), span(&x)))?;
                let value = match inner.next() {
                    Some(x) if x.as_rule() == Rule::boolean => {
                        let a = if x.as_str() == "true" { Assumed::Yes } else { Assumed::No };
                        Spanned::new(a, span(&x))
                    }
                    Some(x) if x.as_rule() == Rule::empty_set => Spanned::new(Assumed::Empty, span(&x)),
                    Some(x) if x.as_rule() == Rule::date => {
                        let d = self.date_only(x)?;
                        Spanned::new(Assumed::Date(d.node), d.span)
                    }
                    Some(x) => {
                        self.internal(&x);
                        return None;
                    }
                    None => {
                        self.errors.push(ParseError::Internal { rule: "assume_decl".into(), span: s });
                        return None;
                    }
                };
                // `when not given`: `not` is an operator token, the rest keywords.
                self.expect(&mut inner, Rule::not_op, s)?;
                let doc = inner.next().map(|d| self.string(d));
                Item::Assume(Assume { fact, value, doc })
            }
            Rule::brand_decl => {
                Item::Brands(p.kids().filter(|k| k.as_rule() == Rule::string).map(|k| self.string(k)).collect())
            }
            Rule::ownership => Item::Ownership(self.clauses(p, Builder::ownership_rule)),
            Rule::departure => Item::Departure(self.clauses(p, Builder::departure_duty)),
            Rule::covenant => Item::Covenant(self.covenant(p)?),
            Rule::posting => {
                let (scope, clauses) = self.section(p, Builder::posting_rule)?;
                Item::Posting(Section { scope, clauses })
            }
            Rule::connecting => {
                let (scope, clauses) = self.section(p, Builder::connecting_rule)?;
                Item::Connecting(Section { scope, clauses })
            }
            Rule::terms => Item::Terms(self.clauses(p, Builder::terms_rule)),
            Rule::rule_def => {
                let mut name = None;
                let mut description = None;
                let mut modifiers = Modifiers::default();
                for inner in p.kids() {
                    match inner.as_rule() {
                        Rule::name => name = Some(self.ident(inner)),
                        Rule::string => description = Some(self.string(inner)),
                        _ => self.modifier(inner, &mut modifiers),
                    }
                }
                Item::Rule(RuleDef { name: name?, description, modifiers })
            }
            Rule::exception_def => {
                let mut names = Vec::new();
                let mut description = None;
                let mut modifiers = Modifiers::default();
                for inner in p.kids() {
                    match inner.as_rule() {
                        Rule::name => names.push(self.ident(inner)),
                        Rule::string => description = Some(self.string(inner)),
                        _ => self.modifier(inner, &mut modifiers),
                    }
                }
                let mut names = names.into_iter();
                let name = names.next()?;
                Item::Exception(ExceptionDef { name, targets: names.collect(), description, modifiers })
            }
            _ => {
                self.internal(&p);
                return None;
            }
        })
    }

    fn fact_type(&mut self, p: P<'_>) -> Option<Spanned<FactType>> {
        let s = span(&p);
        let inner = p.kids().next()?;
        let ty = match inner.as_rule() {
            Rule::type_bool => FactType::Bool,
            Rule::type_int => FactType::Int,
            Rule::type_date => FactType::Date,
            Rule::type_text => FactType::Text,
            Rule::type_enum => FactType::Enum(self.ident_list(inner.kids().next()?)),
            _ => {
                self.internal(&inner);
                return None;
            }
        };
        Some(Spanned::new(ty, s))
    }

    /// Clauses of a braced section: each `label? rule modifier*`.
    fn clauses<T>(&mut self, p: P<'_>, build: fn(&mut Builder, P<'_>) -> Option<T>) -> Vec<Clause<T>> {
        let mut out = Vec::new();
        for clause in p.kids() {
            if let Some(c) = self.clause(clause, build) {
                out.push(c);
            }
        }
        out
    }

    fn clause<T>(&mut self, p: P<'_>, build: fn(&mut Builder, P<'_>) -> Option<T>) -> Option<Clause<T>> {
        let s = span(&p);
        let mut label = None;
        let mut rule = None;
        let mut modifiers = Modifiers::default();
        for inner in p.kids() {
            match inner.as_rule() {
                Rule::label => label = inner.kids().next().map(|n| self.ident(n)),
                Rule::when_mod
                | Rule::unless_mod
                | Rule::then_mod
                | Rule::because_mod
                | Rule::advise_mod
                | Rule::oblige_mod
                | Rule::note_mod
                | Rule::consequence_mod
                | Rule::see_mod
                | Rule::priority_mod
                | Rule::dry_run => self.modifier(inner, &mut modifiers),
                _ => {
                    let rs = span(&inner);
                    rule = build(self, inner).map(|r| Spanned::new(r, rs));
                }
            }
        }
        Some(Clause { label, rule: rule?, modifiers, span: s })
    }

    fn section<T>(&mut self, p: P<'_>, build: fn(&mut Builder, P<'_>) -> Option<T>) -> Option<(Scope, Vec<Clause<T>>)> {
        let s = span(&p);
        let mut scope = None;
        let mut clauses = Vec::new();
        for inner in p.kids() {
            if inner.as_rule() == Rule::section_scope {
                scope = Some(self.scope(inner));
            } else if let Some(c) = self.clause(inner, build) {
                clauses.push(c);
            }
        }
        let scope = scope.unwrap_or(Scope {
            channels: Spanned::new(ChannelScope::Any, Span::new(s.start, s.start)),
            teams: vec![],
            roles: vec![],
        });
        Some((scope, clauses))
    }

    fn scope(&mut self, p: P<'_>) -> Scope {
        let s = span(&p);
        let mut scope = Scope {
            channels: Spanned::new(ChannelScope::Any, Span::new(s.start, s.start)),
            teams: vec![],
            roles: vec![],
        };
        for inner in p.kids() {
            let is = span(&inner);
            let rule = inner.as_rule();
            let Some(list) = inner.kids().next() else { continue };
            match (rule, list.as_rule()) {
                (Rule::channel_scope, Rule::other_channels) => scope.channels = Spanned::new(ChannelScope::Other, is),
                (Rule::channel_scope, Rule::any_channel) => scope.channels = Spanned::new(ChannelScope::Any, is),
                (Rule::channel_scope, Rule::ident_list) => {
                    scope.channels = Spanned::new(ChannelScope::Listed(self.ident_list(list)), is)
                }
                (Rule::team_scope, Rule::ident_list) => scope.teams = self.ident_list(list),
                (Rule::role_scope, Rule::ident_list) => scope.roles = self.ident_list(list),
                _ => self.internal(&list),
            }
        }
        scope
    }

    fn covenant(&mut self, p: P<'_>) -> Option<Covenant> {
        let s = span(&p);
        let mut label = None;
        let mut kind = None;
        let mut of = Vec::new();
        let mut duration = None;
        let mut lookback = None;
        let mut radius = None;
        let mut garden_leave = None;
        let mut applies_to = Vec::new();
        let mut capacities = Vec::new();
        let mut exceptions = Vec::new();
        let mut modifiers = Modifiers::default();
        for inner in p.kids() {
            let is = span(&inner);
            match inner.as_rule() {
                Rule::label => label = inner.kids().next().map(|n| self.ident(n)),
                Rule::covenant_kind => kind = self.covenant_kind(&inner).map(|k| Spanned::new(k, is)),
                Rule::covenant_of => of = self.ident_list(inner.kids().next()?),
                Rule::duration => duration = self.duration(inner).map(|d| Spanned::new(Some(d.node), d.span)),
                Rule::indefinitely => duration = Some(Spanned::new(None, is)),
                Rule::lookback => {
                    if let Some(d) = inner.kids().next().and_then(|d| self.duration(d)) {
                        self.once(&mut lookback, d, "the lookback");
                    }
                }
                Rule::radius => {
                    if let Some(n) = inner.kids().next().and_then(|n| self.u32(n)) {
                        self.once(&mut radius, n, "the radius");
                    }
                }
                Rule::garden_leave_offset => {
                    self.once(&mut garden_leave, Spanned::new(GardenLeave::RunsFrom, is), "how garden leave counts")
                }
                Rule::reduced_by_garden_leave => {
                    self.once(&mut garden_leave, Spanned::new(GardenLeave::ReducedBy, is), "how garden leave counts")
                }
                Rule::covenant_actions => {
                    if let Some(list) = inner.kids().find(|p| p.as_rule() == Rule::ident_list) {
                        applies_to.extend(self.ident_list(list));
                    }
                }
                Rule::covenant_capacities => {
                    if let Some(list) = inner.kids().find(|p| p.as_rule() == Rule::ident_list) {
                        capacities.extend(self.ident_list(list));
                    }
                }
                Rule::except_item => {
                    let mut test = None;
                    let mut text = None;
                    for e in inner.kids() {
                        match e.as_rule() {
                            Rule::ident_list => test = Some(ExceptionTest::Kinds(self.ident_list(e))),
                            Rule::when_mod => {
                                test = e.kids().next().and_then(|x| self.expr(x)).map(ExceptionTest::When)
                            }
                            Rule::string => text = Some(self.string(e)),
                            _ => self.internal(&e),
                        }
                    }
                    if let Some(test) = test {
                        exceptions.push(CovenantException { test, text, span: is });
                    }
                }
                _ => self.modifier(inner, &mut modifiers),
            }
        }
        let _ = s;
        Some(Covenant {
            label,
            kind: kind?,
            of,
            duration: duration?,
            lookback,
            radius,
            garden_leave,
            applies_to,
            capacities,
            exceptions,
            modifiers,
        })
    }

    fn ownership_rule(&mut self, p: P<'_>) -> Option<OwnershipRule> {
        let s = span(&p);
        let mut inner = p.kids();
        let asset = self.take(&mut inner, Rule::asset, s, Self::asset)??;
        let o = self.expect(&mut inner, Rule::owner_party, s)?;
        let owner = self.keyword(&o, o.as_str(), PARTIES)?;
        Some(OwnershipRule { asset, owner: Spanned::new(owner, span(&o)) })
    }

    fn asset(&mut self, p: P<'_>) -> Option<Spanned<Asset>> {
        let s = span(&p);
        let inner = p.kids().next()?;
        let asset = match inner.as_rule() {
            Rule::credentials_asset => Asset::Credentials,
            Rule::connections_asset => {
                let mut word = ConnectionsWord::Connections;
                let mut made = None;
                let mut with = Vec::new();
                let mut from = None;
                let mut owned_by = None;
                for f in inner.kids() {
                    let fs = span(&f);
                    match f.as_rule() {
                        Rule::connections_kw => word = self.keyword(&f, f.as_str(), CONNECTIONS_WORDS)?,
                        Rule::made_before => made = Some(Spanned::new(Made::BeforeEmployment, fs)),
                        Rule::made_during => made = Some(Spanned::new(Made::DuringEmployment, fs)),
                        Rule::with_relationship => with.extend(self.ident_list(f.kids().next()?)),
                        Rule::from_origin => from = f.kids().next().map(|o| self.ident(o)),
                        Rule::owned_by => owned_by = f.kids().next().and_then(|o| self.party(&o)),
                        _ => self.internal(&f),
                    }
                }
                Asset::Connections { word, made, with, from, owned_by }
            }
            Rule::accounts_asset => {
                let mut kind = None;
                let mut created_by = None;
                let mut run_as_duty = false;
                let mut agency_equipment = false;
                let mut brand_in_handle = false;
                let mut purpose = None;
                for f in inner.kids() {
                    match f.as_rule() {
                        Rule::accounts_kw => {}
                        Rule::account_kind => kind = Some(self.ident(f)),
                        Rule::created_by => created_by = f.kids().next().and_then(|o| self.party(&o)),
                        Rule::run_as_duty => run_as_duty = true,
                        Rule::on_agency_equipment => agency_equipment = true,
                        Rule::brand_in_handle => brand_in_handle = true,
                        Rule::for_purpose => purpose = f.kids().next().map(|o| self.ident(o)),
                        _ => self.internal(&f),
                    }
                }
                Asset::Accounts { kind, created_by, run_as_duty, agency_equipment, brand_in_handle, purpose }
            }
            Rule::material_asset => {
                let mut word = None;
                let mut made = None;
                let mut made_for = None;
                let mut agency_equipment = false;
                let mut created_by = None;
                let mut owned_by = None;
                for f in inner.kids() {
                    let fs = span(&f);
                    match f.as_rule() {
                        Rule::material_kw => match MaterialWord::of_words(f.as_str()) {
                            Some(w) => word = Some(w),
                            None => {
                                self.internal(&f);
                                return None;
                            }
                        },
                        Rule::made_before => made = Some(Spanned::new(Made::BeforeEmployment, fs)),
                        Rule::made_during => made = Some(Spanned::new(Made::DuringEmployment, fs)),
                        Rule::made_for_agency => made_for = Some(Spanned::new(MadeFor::Agency, fs)),
                        Rule::made_privately => made_for = Some(Spanned::new(MadeFor::Privately, fs)),
                        Rule::on_agency_equipment => agency_equipment = true,
                        Rule::created_by => created_by = f.kids().next().and_then(|o| self.party(&o)),
                        Rule::owned_by => owned_by = f.kids().next().and_then(|o| self.party(&o)),
                        _ => self.internal(&f),
                    }
                }
                Asset::Material { word: word?, made, made_for, agency_equipment, created_by, owned_by }
            }
            _ => {
                self.internal(&inner);
                return None;
            }
        };
        Some(Spanned::new(asset, s))
    }

    fn departure_duty(&mut self, p: P<'_>) -> Option<DepartureDuty> {
        let rule = p.as_rule();
        let mut asset = None;
        let mut within = None;
        for inner in p.kids() {
            match inner.as_rule() {
                Rule::asset => asset = self.asset(inner),
                Rule::within => within = inner.kids().next().and_then(|d| self.duration(d)),
                _ => self.internal(&inner),
            }
        }
        Some(match rule {
            Rule::hand_over => DepartureDuty::HandOver { asset: asset?, within },
            Rule::remove_duty => DepartureDuty::Remove { asset: asset?, within },
            Rule::update_profile => DepartureDuty::UpdateProfile { within },
            Rule::keep_duty => DepartureDuty::Keep { asset: asset? },
            Rule::forbid_export => DepartureDuty::NoExport { asset: asset? },
            _ => return None,
        })
    }

    fn posting_rule(&mut self, p: P<'_>) -> Option<PostingRule> {
        let s = span(&p);
        let rule = p.as_rule();
        let mut inner = p.kids();
        Some(match rule {
            Rule::post_limit => {
                let max = self.take(&mut inner, Rule::integer, s, Self::u32)??;
                let mut kind = None;
                let mut per = None;
                let (mut per_channel, mut excluding_shares) = (false, false);
                for i in inner {
                    match i.as_rule() {
                        Rule::ident => kind = Some(self.ident(i)),
                        Rule::period => per = self.period(&i),
                        Rule::per_channel => per_channel = true,
                        Rule::excluding_shares => excluding_shares = true,
                        Rule::posts_kw => {}
                        _ => self.internal(&i),
                    }
                }
                PostingRule::Limit { max, kind, per: per?, per_channel, excluding_shares }
            }
            Rule::share_limit => {
                let pct = self.expect(&mut inner, Rule::percent, s)?;
                let ps = span(&pct);
                let percent = pct.as_str().trim_end_matches('%').parse::<u32>().ok();
                let Some(percent) = percent.filter(|p| *p <= 100) else {
                    self.errors.push(ParseError::InvalidLiteral {
                        span: ps,
                        message: format!("`{}` is not a share between 0% and 100%", pct.as_str()),
                        help: None,
                    });
                    return None;
                };
                let kind = self.take(&mut inner, Rule::ident, s, Self::ident)?;
                let per = inner.find(|i| i.as_rule() == Rule::period)?;
                PostingRule::Share { percent: Spanned::new(percent, ps), kind, per: self.period(&per)? }
            }
            Rule::forbid_kinds => PostingRule::ForbidKinds(self.ident_list(inner.next()?)),
            Rule::forbid_conduct => PostingRule::ForbidConduct(self.ident_list(inner.next()?)),
            Rule::only_kinds => PostingRule::OnlyKinds(self.ident_list(inner.next()?)),
            Rule::require_approval_for => {
                let (approvers, join) = self.approvers(inner.next()?);
                let kinds = match inner.next() {
                    Some(list) => self.ident_list(list),
                    None => vec![],
                };
                PostingRule::RequireApproval { approvers, join, kinds }
            }
            Rule::require_disclosure => {
                let word = inner.next()?;
                let what = self.keyword(&word, word.as_str(), DISCLOSE_WORDS)?;
                PostingRule::RequireDisclosure { what, before: inner.any(|p| p.as_rule() == Rule::before_posting) }
            }
            Rule::forbid_flag => {
                let words = inner.next()?;
                let first = words.as_str().split_whitespace().next().unwrap_or("");
                let flag = self.keyword(&words, first, CONTENT_FLAGS)?;
                PostingRule::ForbidFlag(flag)
            }
            Rule::section_default => PostingRule::Default(self.outcome(inner.next()?)?),
            _ => return None,
        })
    }

    fn connecting_rule(&mut self, p: P<'_>) -> Option<ConnectingRule> {
        let s = span(&p);
        let rule = p.as_rule();
        let mut inner = p.kids();
        Some(match rule {
            Rule::require_interaction => ConnectingRule::RequireInteraction,
            Rule::invitation_limit => {
                let max = self.take(&mut inner, Rule::integer, s, Self::u32)??;
                let per = inner.find(|i| i.as_rule() == Rule::period)?;
                let per_channel = inner.any(|i| i.as_rule() == Rule::per_channel);
                ConnectingRule::Limit { max, per: self.period(&per)?, per_channel }
            }
            Rule::forbid_invitations => {
                let mut to = Vec::new();
                let mut while_status = Vec::new();
                for i in inner {
                    match i.as_rule() {
                        Rule::invitations_kw => {}
                        Rule::ident_list => to = self.ident_list(i),
                        Rule::while_status => {
                            if let Some(l) = i.kids().next() {
                                while_status = self.ident_list(l);
                            }
                        }
                        _ => self.internal(&i),
                    }
                }
                ConnectingRule::ForbidInvitations { to, while_status }
            }
            Rule::section_default => ConnectingRule::Default(self.outcome(inner.next()?)?),
            _ => return None,
        })
    }

    fn terms_rule(&mut self, p: P<'_>) -> Option<TermsRule> {
        let s = span(&p);
        let rule = p.as_rule();
        let mut inner = p.kids();
        Some(match rule {
            Rule::max_covenant | Rule::no_covenant => {
                let k = self.expect(&mut inner, Rule::covenant_kind, s)?;
                let kind = Spanned::new(self.covenant_kind(&k)?, span(&k));
                let mut of = Vec::new();
                let mut max = None;
                for i in inner {
                    match i.as_rule() {
                        Rule::covenant_of => of = self.ident_list(i.kids().next()?),
                        Rule::duration => max = self.duration(i),
                        _ => self.internal(&i),
                    }
                }
                if rule == Rule::no_covenant {
                    TermsRule::NoCovenant { kind, of }
                } else {
                    TermsRule::MaxCovenant { kind, of, max: max? }
                }
            }
            Rule::max_lookback => TermsRule::MaxLookback(self.duration(inner.next()?)?),
            Rule::max_radius => TermsRule::MaxRadius(self.u32(inner.next()?)?),
            Rule::require_offset => TermsRule::RequireOffset,
            Rule::require_ownership => {
                let field = self.take(&mut inner, Rule::ident, s, Self::ident)?;
                let o = self.expect(&mut inner, Rule::owner_party, s)?;
                TermsRule::RequireOwnership { field, owner: self.party(&o)? }
            }
            Rule::forbid_monitoring => TermsRule::ForbidMonitoring,
            _ => return None,
        })
    }

    fn modifier(&mut self, p: P<'_>, m: &mut Modifiers) {
        let s = span(&p);
        match p.as_rule() {
            Rule::when_mod => {
                if let Some(e) = p.kids().next().and_then(|e| self.expr(e)) {
                    if let Some(first) = &m.when {
                        self.errors.push(ParseError::Duplicate {
                            span: s,
                            first: first.span,
                            what: "a `when` condition".into(),
                            help: Some("join the conditions with `and` in one `when`".into()),
                        });
                    } else {
                        m.when = Some(e);
                    }
                }
            }
            Rule::unless_mod => {
                if let Some(e) = p.kids().next().and_then(|e| self.expr(e)) {
                    m.unless.push(e);
                }
            }
            Rule::then_mod => {
                if let Some(o) = p.kids().next().and_then(|o| self.outcome(o)) {
                    if let Some(first) = &m.then {
                        self.errors.push(ParseError::Duplicate {
                            span: s,
                            first: first.span,
                            what: "the outcome (`then ...`)".into(),
                            help: Some("a clause has one outcome; write a second rule for another".into()),
                        });
                    } else {
                        m.then = Some(o);
                    }
                }
            }
            Rule::because_mod => {
                if let Some(t) = p.kids().next() {
                    let t = self.string(t);
                    if let Some(first) = &m.because {
                        self.errors.push(ParseError::Duplicate {
                            span: t.span,
                            first: first.span,
                            what: "the rationale (`because ...`)".into(),
                            help: Some("join the two texts into one".into()),
                        });
                    } else {
                        m.because = Some(t);
                    }
                }
            }
            Rule::advise_mod => {
                if let Some(t) = p.kids().next() {
                    let t = self.string(t);
                    m.advise.push(t);
                }
            }
            Rule::note_mod => {
                if let Some(t) = p.kids().next() {
                    let t = self.string(t);
                    m.notes.push(t);
                }
            }
            Rule::consequence_mod => {
                if let Some(t) = p.kids().next() {
                    let t = self.string(t);
                    self.once(&mut m.consequence, t, "the consequence (`consequence ...`)");
                }
            }
            Rule::see_mod => {
                if let Some(t) = p.kids().next() {
                    let t = self.string(t);
                    m.see.push(t);
                }
            }
            Rule::oblige_mod => {
                let mut inner = p.kids().peekable();
                let Some(text) = inner.next().map(|t| self.string(t)) else { return };
                let key = inner
                    .next_if(|k| k.as_rule() == Rule::duty_as)
                    .and_then(|k| k.kids().find(|k| k.as_rule() == Rule::duty_key))
                    .map(|k| Spanned::new(k.as_str().to_string(), span(&k)));
                let within = inner.next().and_then(|w| w.kids().next()).and_then(|d| self.duration(d));
                let of =
                    inner.next().and_then(|e| e.kids().next()).map(|p| Spanned::new(p.as_str().to_string(), span(&p)));
                m.oblige.push(Obligation { text, key, within, of });
            }
            Rule::priority_mod => {
                if let Some(t) = p.kids().next() {
                    let t = self.ident(t);
                    self.once(&mut m.priority, t, "the priority (`priority ...`)");
                }
            }
            Rule::dry_run => {
                if let Some(first) = m.dry_run {
                    self.errors.push(ParseError::Duplicate { span: s, first, what: "`dry run`".into(), help: None });
                }
                m.dry_run = Some(s);
            }
            _ => self.internal(&p),
        }
    }

    fn outcome(&mut self, p: P<'_>) -> Option<Spanned<Outcome>> {
        let s = span(&p);
        let inner = if p.as_rule() == Rule::outcome { p.kids().next()? } else { p };
        let o = match inner.as_rule() {
            Rule::deny_kw => Outcome::Deny,
            Rule::allow_kw => Outcome::Allow,
            Rule::advise_only => Outcome::Advise(inner.kids().next().map(|t| self.string(t))),
            Rule::approval => {
                let (approvers, join) = self.approvers(inner);
                Outcome::RequireApproval(approvers, join)
            }
            _ => {
                self.internal(&inner);
                return None;
            }
        };
        Some(Spanned::new(o, s))
    }

    fn approvers(&mut self, p: P<'_>) -> (Vec<Name>, crate::ast::Join) {
        match p.clone().kids().find(|i| i.as_rule() == Rule::approvers_all) {
            Some(all) => {
                (all.kids().filter(|i| i.as_rule() == Rule::ident).map(|i| self.ident(i)).collect(), Join::All)
            }
            None => (p.kids().filter(|i| i.as_rule() == Rule::ident).map(|i| self.ident(i)).collect(), Join::Any),
        }
    }

    // ───────────── expressions ─────────────

    /// `expr`: `not` binds tightest, then `and`, then `or`.
    fn expr(&mut self, p: P<'_>) -> Option<Spanned<Expr>> {
        // Bound the size of one condition so that no later stage (which walks
        // conditions recursively) can overflow its stack.
        let whole = span(&p);
        let (mut parts, mut nots) = (0usize, 0usize);
        // Keyword tokens are neither: no need to filter them out to count.
        for k in p.clone().into_inner() {
            match k.as_rule() {
                Rule::comparison | Rule::expr => parts += 1,
                Rule::not_op => nots += 1,
                _ => {}
            }
        }
        if parts > super::MAX_CONDITION_PARTS || nots > super::MAX_NESTING {
            self.errors.push(ParseError::TooLarge { span: whole, limit: super::MAX_CONDITION_PARTS });
            return None;
        }
        // Shunting-yard over the flat list: prefix* primary (infix prefix* primary)*.
        let mut operands: Vec<Spanned<Expr>> = Vec::new();
        let mut ops: Vec<Rule> = Vec::new();
        let mut pending_not: Vec<Span> = Vec::new();
        fn prec(r: Rule) -> u8 {
            if r == Rule::and_op {
                2
            } else {
                1
            }
        }
        fn reduce(operands: &mut Vec<Spanned<Expr>>, op: Rule) -> Option<()> {
            let rhs = operands.pop()?;
            let lhs = operands.pop()?;
            let s = lhs.span.join(rhs.span);
            let e = if op == Rule::and_op {
                Expr::And(Box::new(lhs), Box::new(rhs))
            } else {
                Expr::Or(Box::new(lhs), Box::new(rhs))
            };
            operands.push(Spanned::new(e, s));
            Some(())
        }
        for inner in p.kids() {
            match inner.as_rule() {
                Rule::not_op => pending_not.push(span(&inner)),
                Rule::and_op | Rule::or_op => {
                    let op = inner.as_rule();
                    while let Some(&top) = ops.last() {
                        if prec(top) >= prec(op) {
                            ops.pop();
                            reduce(&mut operands, top)?;
                        } else {
                            break;
                        }
                    }
                    ops.push(op);
                }
                Rule::expr | Rule::comparison => {
                    let mut e = if inner.as_rule() == Rule::expr {
                        let s = span(&inner);
                        let g = self.expr(inner)?;
                        // Parentheses: widen the span to include them.
                        Spanned::new(Expr::Group(Box::new(g)), Span::new(s.start.saturating_sub(1), s.end + 1))
                    } else {
                        self.comparison(inner)?
                    };
                    while let Some(ns) = pending_not.pop() {
                        let s = ns.join(e.span);
                        e = Spanned::new(Expr::Not(Box::new(e)), s);
                    }
                    operands.push(e);
                }
                _ => {
                    self.internal(&inner);
                    return None;
                }
            }
        }
        while let Some(op) = ops.pop() {
            reduce(&mut operands, op)?;
        }
        let result = operands.pop();
        if !operands.is_empty() {
            return None;
        }
        result
    }

    fn comparison(&mut self, p: P<'_>) -> Option<Spanned<Expr>> {
        let s = span(&p);
        let mut inner = p.kids();
        let lhs = self.take(&mut inner, Rule::operand, s, Self::operand)??;
        let e = match inner.next() {
            None => Expr::Truthy(lhs),
            Some(op) => match op.as_rule() {
                Rule::cmp_op => {
                    let cmp = self.keyword(&op, op.as_str(), CMP_OPS)?;
                    let rhs = self.take(&mut inner, Rule::operand, s, Self::operand)??;
                    Expr::Compare { lhs, op: Spanned::new(cmp, span(&op)), rhs }
                }
                Rule::in_op | Rule::not_in_op => {
                    let set = self.expect(&mut inner, Rule::set, s)?;
                    let mut items = Vec::new();
                    for v in set.kids() {
                        let vs: Span = v.as_span().into(); // A value: see `literal`.
                        if let Some(l) = self.literal(v) {
                            items.push(Spanned::new(l, vs));
                        }
                    }
                    Expr::In { lhs, negated: op.as_rule() == Rule::not_in_op, set: items }
                }
                Rule::has_op => {
                    let rhs = self.take(&mut inner, Rule::operand, s, Self::operand)??;
                    Expr::Has { lhs, rhs }
                }
                Rule::contains_op => {
                    let needles = self.expect(&mut inner, Rule::needles, s)?;
                    let Some(what) = needles.clone().kids().next() else {
                        self.internal(&needles);
                        return None;
                    };
                    let needles = match what.as_rule() {
                        Rule::a_brand_name => Needles::Brands,
                        Rule::string => Needles::Texts(vec![self.string(what)]),
                        Rule::text_set => Needles::Texts(what.kids().map(|t| self.string(t)).collect()),
                        _ => {
                            self.internal(&what);
                            return None;
                        }
                    };
                    Expr::Contains { lhs, needles }
                }
                Rule::is_missing => Expr::Presence { operand: lhs, missing: true },
                Rule::is_present => Expr::Presence { operand: lhs, missing: false },
                _ => {
                    self.internal(&op);
                    return None;
                }
            },
        };
        Some(Spanned::new(e, s))
    }

    fn operand(&mut self, p: P<'_>) -> Option<Operand> {
        let mut inner = p.kids();
        let base_pair = inner.next()?;
        let bs: Span = base_pair.as_span().into(); // A value: see `literal`.
        let base = Spanned::new(self.literal(base_pair)?, bs);
        let mut shifts = Vec::new();
        while let Some(sign) = inner.next() {
            let forward = sign.as_str() == "+";
            let by = self.duration(inner.next()?)?;
            shifts.push(Shift { forward, by });
        }
        Some(Operand { base, shifts })
    }

    fn literal(&mut self, p: P<'_>) -> Option<Literal> {
        // A value ends in what it is made of, never in a space or a comment:
        // its span needs no trimming.
        let s: Span = p.as_span().into();
        Some(match p.as_rule() {
            Rule::boolean => Literal::Bool(p.as_str() == "true"),
            Rule::integer => match p.as_str().parse::<i64>() {
                Ok(n) => Literal::Int(n),
                Err(_) => {
                    self.errors.push(ParseError::InvalidLiteral {
                        span: s,
                        message: format!("`{}` is too large a number", p.as_str()),
                        help: None,
                    });
                    return None;
                }
            },
            Rule::percent => Literal::Percent(p.as_str().trim_end_matches('%').parse::<i64>().unwrap_or(i64::MAX)),
            Rule::date => {
                let text = p.as_str();
                if text.contains('T') {
                    let parsed = text.parse::<jiff::Timestamp>().or_else(|_| {
                        text.parse::<jiff::civil::DateTime>()
                            .map(|dt| dt.to_zoned(jiff::tz::TimeZone::UTC).map(|z| z.timestamp()).unwrap_or_default())
                    });
                    match parsed {
                        Ok(t) => Literal::Timestamp(t),
                        Err(_) => {
                            self.bad_date(text, s);
                            return None;
                        }
                    }
                } else {
                    Literal::Date(self.date_only(p)?.node)
                }
            }
            Rule::time_of_day => match crate::value::parse_time_of_day(p.as_str()) {
                Some(m) => Literal::TimeOfDay(m),
                None => {
                    self.errors.push(ParseError::InvalidLiteral {
                        span: s,
                        message: format!("`{}` is not a time of day", p.as_str()),
                        help: Some(
                            "a time of day is written HOUR:MINUTE on the 24-hour clock, from `00:00` to `23:59`".into(),
                        ),
                    });
                    return None;
                }
            },
            Rule::duration => Literal::Duration(self.duration(p)?.node),
            Rule::string => Literal::Text(self.string(p).node),
            // `true` and `false` are read as a path (the grammar's `value` does not try
            // `boolean` first at every word: fewer tests on the common case, a fact).
            Rule::path if matches!(p.as_str(), "true" | "false") => Literal::Bool(p.as_str() == "true"),
            // A path is its segments joined by `.` (it holds no space or comment).
            Rule::path | Rule::jurisdiction_code => Literal::Path(p.as_str().to_string()),
            _ => {
                self.internal(&p);
                return None;
            }
        })
    }

    fn bad_date(&mut self, text: &str, s: Span) {
        self.errors.push(ParseError::InvalidLiteral {
            span: s,
            message: format!("`{text}` is not a real date"),
            help: Some("dates are written YEAR-MONTH-DAY, as in `2026-03-14`".into()),
        });
    }

    fn date_only(&mut self, p: P<'_>) -> Option<Spanned<jiff::civil::Date>> {
        let s = span(&p);
        let text = p.as_str();
        let day = text.split('T').next().unwrap_or(text);
        match day.parse::<jiff::civil::Date>() {
            Ok(d) => Some(Spanned::new(d, s)),
            Err(_) => {
                self.bad_date(text, s);
                None
            }
        }
    }

    fn duration(&mut self, p: P<'_>) -> Option<Spanned<Duration>> {
        let s = span(&p);
        let mut inner = p.kids();
        let amount = self.u32(inner.next()?)?.node;
        let u = inner.next()?;
        let unit = self.keyword(&u, u.as_str(), TIME_UNITS)?;
        Some(Spanned::new(Duration::new(amount, unit), s))
    }

    fn u32(&mut self, p: P<'_>) -> Option<Spanned<u32>> {
        let s = span(&p);
        match p.as_str().parse::<u32>() {
            Ok(n) => Some(Spanned::new(n, s)),
            Err(_) => {
                self.errors.push(ParseError::InvalidLiteral {
                    span: s,
                    message: format!("`{}` is too large a number here", p.as_str()),
                    help: None,
                });
                None
            }
        }
    }

    fn string(&mut self, p: P<'_>) -> Spanned<String> {
        let s = span(&p);
        let raw = p.kids().next().map(|i| i.as_str()).unwrap_or("");
        Spanned::new(unquote(raw), s)
    }

    fn ident(&mut self, p: P<'_>) -> Name {
        Spanned::new(p.as_str().to_string(), span(&p))
    }

    fn ident_list(&mut self, p: P<'_>) -> Vec<Name> {
        p.kids().map(|i| self.ident(i)).collect()
    }
}

// Each keyword's meaning, in one table per kind of word. The grammar lists the
// same words; a word the grammar accepts and a table lacks is an internal error
// (`Builder::keyword`), never a guess.

const CONFLICT_MODES: &[(&str, ConflictMode)] = &[
    ("most_restrictive", ConflictMode::MostRestrictive),
    ("most_specific", ConflictMode::MostSpecific),
    ("indeterminate", ConflictMode::Indeterminate),
];

const BINDING_MODES: &[(&str, Binding)] = &[("as_amended", Binding::AsAmended), ("at_contract", Binding::AtContract)];

const DECL_KINDS: &[(&str, DeclKind)] = &[
    ("roles", DeclKind::Roles),
    ("teams", DeclKind::Teams),
    ("channels", DeclKind::Channels),
    ("content", DeclKind::ContentKinds),
    ("actions", DeclKind::Actions),
];

const CONTENT_FLAGS: &[(&str, ContentFlag)] = &[
    ("client", ContentFlag::ClientNames),
    ("candidate", ContentFlag::CandidateData),
    ("confidential", ContentFlag::Confidential),
];

const CMP_OPS: &[(&str, CmpOp)] =
    &[("=", CmpOp::Eq), ("!=", CmpOp::Ne), ("<", CmpOp::Lt), ("<=", CmpOp::Le), (">", CmpOp::Gt), (">=", CmpOp::Ge)];

const TIME_UNITS: &[(&str, TimeUnit)] = &[
    ("hour", TimeUnit::Hour),
    ("hours", TimeUnit::Hour),
    ("day", TimeUnit::Day),
    ("days", TimeUnit::Day),
    ("business day", TimeUnit::BusinessDay),
    ("business days", TimeUnit::BusinessDay),
    ("week", TimeUnit::Week),
    ("weeks", TimeUnit::Week),
    ("month", TimeUnit::Month),
    ("months", TimeUnit::Month),
];

const PARTIES: &[(&str, Party)] =
    &[("employee", Party::Employee), ("agency", Party::Agency), ("shared", Party::Shared)];

const CONNECTIONS_WORDS: &[(&str, ConnectionsWord)] =
    &[("connections", ConnectionsWord::Connections), ("contacts", ConnectionsWord::Contacts)];

const DISCLOSE_WORDS: &[(&str, Disclose)] = &[("disclosure", Disclose::Employer), ("disclaimer", Disclose::OwnViews)];

use crate::counter::PERIOD_WORDS;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_end_before_trailing_comments_and_blank_lines() {
        assert_eq!(trimmed_len("forbid viral  # c\n\n  "), "forbid viral".len());
        assert_eq!(trimmed_len("because \"#AgencyX\"  # tag\n"), "because \"#AgencyX\"".len());
        assert_eq!(trimmed_len("a\n  # one\n  # two\n"), 1);
    }

    #[test]
    fn clause_spans_do_not_run_into_the_next_clause() {
        let text = "policy \"x\"\nposting {\n  forbid viral  # c\n\n  forbid brand\n}\n";
        let ast = crate::parser::parse(&crate::source::SourceFile::new("x", text)).unwrap();
        let Some(Item::Posting(s)) = ast.items.first().map(|i| &i.node) else { panic!("no posting") };
        let first = &s.clauses[0];
        assert_eq!(&text[first.span.start..first.span.end], "forbid viral");
    }
}

#[cfg(test)]
mod size_tests {
    use crate::source::SourceFile;

    #[test]
    fn huge_conditions_are_refused_not_overflowed() {
        let chain = vec!["content.confidential"; 20_000].join(" and ");
        let text = format!("policy \"x\"\nrule r {{ when {chain} then deny }}\n");
        let err = crate::parser::parse(&SourceFile::new("x", text)).unwrap_err();
        assert!(err.errors[0].to_string().contains("at most 256 tests"), "{err:?}");
        let nots = "not ".repeat(5_000);
        let text = format!("policy \"x\"\nrule r {{ when {nots} content.confidential then deny }}\n");
        assert!(crate::parser::parse(&SourceFile::new("x", text)).is_err());
    }
}

#[cfg(test)]
mod keyword_tables {
    use super::*;

    /// The quoted words of a grammar rule (`name = @{ "a" | "b" ... }`), up to its closing brace.
    fn words_of(rule: &str) -> Vec<String> {
        let grammar = include_str!("../../grammar/policy.pest");
        let start = grammar.find(&format!("\n{rule} = ")).unwrap_or_else(|| panic!("no rule {rule}"));
        let body = &grammar[start..];
        let body = &body[..body.find("}\n").unwrap_or(body.len())];
        body.split('"').skip(1).step_by(2).map(str::to_string).collect()
    }

    fn first_words<T>(table: &[(&str, T)]) -> Vec<String> {
        table.iter().map(|(w, _)| w.split_whitespace().next().unwrap_or("").to_string()).collect()
    }

    /// Every word of a content line, from the one table of material kinds.
    fn material_words() -> Vec<(&'static str, MaterialWord)> {
        std::iter::once(MaterialWord::Content)
            .chain(MaterialKind::ALL.iter().map(|k| MaterialWord::Kind(*k)))
            .map(|w| (w.as_str(), w))
            .collect()
    }

    #[test]
    fn every_material_word_parses_back_to_itself() {
        for (text, w) in material_words() {
            assert_eq!(MaterialWord::of_words(text), Some(w));
            // And the grammar accepts it as an asset.
            let policy = format!("policy \"x\"\nownership {{\n  {text} -> agency\n}}\n");
            let ast = crate::parser::parse(&crate::source::SourceFile::new("x", policy.as_str()));
            assert!(ast.is_ok(), "{text}: {ast:?}");
        }
        assert_eq!(
            MaterialWord::of_words("group  member\n lists"),
            Some(MaterialWord::Kind(MaterialKind::GroupMembers))
        );
        assert_eq!(MaterialWord::of_words("vlogs"), None);
    }

    #[test]
    fn every_keyword_the_grammar_accepts_has_a_meaning() {
        let whole = |t: &[(&str, TimeUnit)]| t.iter().map(|(w, _)| w.to_string()).collect::<Vec<_>>();
        for (rule, known) in [
            ("time_unit", whole(TIME_UNITS)),
            ("cmp_op", CMP_OPS.iter().map(|(w, _)| w.to_string()).collect()),
            ("conflict_mode", CONFLICT_MODES.iter().map(|(w, _)| w.to_string()).collect()),
            ("binding_mode", BINDING_MODES.iter().map(|(w, _)| w.to_string()).collect()),
            ("owner_party", PARTIES.iter().map(|(w, _)| w.to_string()).collect()),
            ("period_word", PERIOD_WORDS.iter().map(|(w, _)| w.to_string()).collect()),
            ("disclose_word", DISCLOSE_WORDS.iter().map(|(w, _)| w.to_string()).collect()),
            ("connections_kw", CONNECTIONS_WORDS.iter().map(|(w, _)| w.to_string()).collect()),
            // Matched on their first word: `group member lists` is three literals.
            ("material_kw", first_words(&material_words())),
            ("covenant_kind", CovenantKind::NAMES.iter().map(|w| w.to_string()).collect()),
            // These two are matched on their first word.
            ("flag_words", first_words(CONTENT_FLAGS)),
            ("decl_kind", first_words(DECL_KINDS)),
        ] {
            let words = words_of(rule);
            assert!(!words.is_empty(), "{rule}");
            for w in words {
                let first = w.split_whitespace().next().unwrap_or("").to_string();
                let ok = known.contains(&w)
                    || (matches!(rule, "flag_words" | "decl_kind") && known.contains(&first))
                    || (rule == "material_kw" && ["member", "lists", "material"].contains(&w.as_str()));
                // `decl_kind` spells `content kinds` as two literals.
                assert!(ok || (rule == "decl_kind" && w == "kinds"), "{rule}: `{w}` has no meaning in its table");
            }
        }
    }
}
