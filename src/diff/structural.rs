//! Structural changes between two policy versions: clauses matched by id
//! (added, removed, changed in text or in meaning), section defaults and
//! `terms` constraints likewise, header settings and declarations.
//!
//! A clause "changed in meaning" with the same text is one whose lowered
//! condition, outcome or duties differ although its line did not (a `posting
//! on other channels` section changes when another section lists a channel).

use crate::policy::{Policy, Rule, SectionKind};
use crate::source::{SourceFile, Span};
use serde::Serialize;

/// A clause as one version has it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ClauseView {
    /// 1-based line.
    pub line: usize,
    /// The clause as written (a `rule` or `exception` block in full), whitespace folded.
    pub text: String,
    /// What it decides (`deny`, `require approval from marketing`, `advise`, ...).
    pub effect: String,
}

/// One structural change.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "change", rename_all = "kebab-case")]
pub enum StructuralChange {
    /// A clause only the new version has.
    Added {
        /// The clause id.
        id: String,
        /// Clause, default or terms.
        what: &'static str,
        /// The clause.
        new: ClauseView,
    },
    /// A clause only the old version has.
    Removed {
        /// The clause id.
        id: String,
        /// Clause, default or terms.
        what: &'static str,
        /// The clause.
        old: ClauseView,
    },
    /// A clause both versions have, differently.
    Changed {
        /// The clause id.
        id: String,
        /// Clause, default or terms.
        what: &'static str,
        /// As it was.
        old: ClauseView,
        /// As it is.
        new: ClauseView,
        /// What differs: `text`, `condition`, `exceptions`, `effect`, `obligations`, `advice`, `notes`, `rationale`, `dry run`, `overrides`.
        aspects: Vec<&'static str>,
    },
    /// A header setting.
    Header {
        /// `default`, `conflicts`, `jurisdiction`, `timezone`, `version`, `effective`, `binds`.
        setting: &'static str,
        /// Before.
        old: Option<String>,
        /// After.
        new: Option<String>,
    },
    /// Names declared (roles, teams, channels, content kinds, actions, facts), or
    /// assumptions (`assume FACT = VALUE when not given`).
    Declaration {
        /// Which declaration.
        kind: &'static str,
        /// Newly declared.
        added: Vec<String>,
        /// No longer declared.
        removed: Vec<String>,
    },
}

impl StructuralChange {
    /// The clause an added, removed or changed clause entry is about.
    pub fn clause_id(&self) -> Option<&str> {
        match self {
            StructuralChange::Added { id, .. }
            | StructuralChange::Removed { id, .. }
            | StructuralChange::Changed { id, .. } => Some(id),
            StructuralChange::Header { .. } | StructuralChange::Declaration { .. } => None,
        }
    }

    /// How the clause was edited and what it is, as a reviewer says it
    /// (`changed clause`, `added default`).
    pub fn edit_words(&self) -> Option<String> {
        match self {
            StructuralChange::Added { what, .. } => Some(format!("added {what}")),
            StructuralChange::Removed { what, .. } => Some(format!("removed {what}")),
            StructuralChange::Changed { what, .. } => Some(format!("changed {what}")),
            StructuralChange::Header { .. } | StructuralChange::Declaration { .. } => None,
        }
    }
}

/// The text of a clause: a `rule` or `exception` block in full, else the clause's line.
fn clause_text(file: &SourceFile, r: &Rule) -> String {
    if matches!(r.section, SectionKind::Rule | SectionKind::Exception) {
        if let Some(t) = block_text(file, r.span) {
            return t;
        }
    }
    r.source.clone()
}

/// The `{ ... }` block starting on the line of `span`, comments dropped, whitespace folded.
fn block_text(file: &SourceFile, span: Span) -> Option<String> {
    let text: &str = &file.text;
    let start = text.get(..span.start)?.rfind('\n').map_or(0, |i| i + 1);
    let rest = text.get(start..)?;
    let mut out = String::new();
    let (mut depth, mut in_str, mut escaped, mut comment) = (0i32, false, false, false);
    for c in rest.chars() {
        if comment {
            if c == '\n' {
                comment = false;
                out.push(' ');
            }
            continue;
        }
        out.push(c);
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '#' => {
                out.pop();
                comment = true;
            }
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(out.split_whitespace().collect::<Vec<_>>().join(" "));
                }
            }
            _ => {}
        }
    }
    None
}

fn conflicts(p: &Policy) -> Option<String> {
    serde_json::to_value(p.meta.conflicts).ok().and_then(|v| v.as_str().map(str::to_string))
}

fn view(file: &SourceFile, r: &Rule) -> ClauseView {
    ClauseView { line: file.line_col(r.span.start).0, text: clause_text(file, r), effect: r.effect.describe() }
}

/// Matches the old and new versions of one kind of clause by id: each old one
/// is removed, or changed when `aspects` names a difference; each new id is added.
fn by_id<T>(
    what: &'static str,
    (of, old): (&SourceFile, &[T]),
    (nf, new): (&SourceFile, &[T]),
    id: impl Fn(&T) -> &String,
    view: impl Fn(&SourceFile, &T) -> ClauseView,
    aspects: impl Fn(&T, &T, &ClauseView, &ClauseView) -> Vec<&'static str>,
    out: &mut Vec<StructuralChange>,
) {
    for o in old {
        match new.iter().find(|n| id(n) == id(o)) {
            None => out.push(StructuralChange::Removed { id: id(o).clone(), what, old: view(of, o) }),
            Some(n) => {
                let (ov, nv) = (view(of, o), view(nf, n));
                let a = aspects(o, n, &ov, &nv);
                if !a.is_empty() {
                    out.push(StructuralChange::Changed { id: id(o).clone(), what, old: ov, new: nv, aspects: a });
                }
            }
        }
    }
    for n in new.iter().filter(|n| !old.iter().any(|o| id(o) == id(n))) {
        out.push(StructuralChange::Added { id: id(n).clone(), what, new: view(nf, n) });
    }
}

/// Equal meaning, spans aside (a test remembers where it was written).
fn same<T: Serialize>(a: &T, b: &T) -> bool {
    serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
}

fn aspects(old: &Rule, new: &Rule, old_text: &str, new_text: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    if old_text != new_text {
        out.push("text");
    }
    if !same(&old.when, &new.when) {
        out.push("condition");
    }
    if !same(&old.unless, &new.unless) {
        out.push("exceptions");
    }
    if old.effect != new.effect {
        out.push("effect");
    }
    if old.obligations != new.obligations {
        out.push("obligations");
    }
    if old.advice != new.advice {
        out.push("advice");
    }
    if old.notes != new.notes {
        out.push("notes");
    }
    if old.rationale != new.rationale || old.description != new.description {
        out.push("rationale");
    }
    if old.dry_run != new.dry_run {
        out.push("dry run");
    }
    if old.overrides != new.overrides {
        out.push("overrides");
    }
    out
}

/// Every structural change, in a fixed order: header, declarations, clauses (old order, then added).
pub fn structural(old: (&SourceFile, &Policy), new: (&SourceFile, &Policy)) -> Vec<StructuralChange> {
    let (of, op) = old;
    let (nf, np) = new;
    let mut out = Vec::new();
    let header: [(&'static str, Option<String>, Option<String>); 7] = [
        ("default", op.meta.default.as_ref().map(|e| e.describe()), np.meta.default.as_ref().map(|e| e.describe())),
        ("conflicts", conflicts(op), conflicts(np)),
        ("jurisdiction", op.meta.jurisdiction.clone(), np.meta.jurisdiction.clone()),
        ("timezone", Some(op.meta.timezone.clone()), Some(np.meta.timezone.clone())),
        ("version", op.meta.version.clone(), np.meta.version.clone()),
        ("effective", op.meta.effective.map(|d| d.to_string()), np.meta.effective.map(|d| d.to_string())),
        // Which version binds changes whom the policy reaches; where the previous one is kept does not.
        ("binds", Some(op.meta.binds.word().to_string()), Some(np.meta.binds.word().to_string())),
    ];
    for (setting, o, n) in header {
        if o != n {
            let words = |v: Option<String>| match (setting, v) {
                ("default", None) => Some("none".to_string()),
                (_, v) => v,
            };
            out.push(StructuralChange::Header { setting, old: words(o), new: words(n) });
        }
    }
    let (od, nd) = (&op.decls, &np.decls);
    let facts = |d: &crate::policy::Declarations| d.facts.iter().map(|(k, t)| format!("{k}: {t}")).collect::<Vec<_>>();
    let assumed = |d: &crate::policy::Declarations| {
        d.assumed.iter().map(|(k, a)| format!("{k} = {} when not given", a.text())).collect::<Vec<_>>()
    };
    let decls: [(&'static str, Vec<String>, Vec<String>); 7] = [
        ("roles", od.roles.clone(), nd.roles.clone()),
        ("teams", od.teams.clone(), nd.teams.clone()),
        ("channels", od.channels.clone(), nd.channels.clone()),
        ("content kinds", od.content_kinds.clone(), nd.content_kinds.clone()),
        ("actions", od.actions.clone(), nd.actions.clone()),
        ("facts", facts(od), facts(nd)),
        ("assumptions", assumed(od), assumed(nd)),
    ];
    for (kind, o, n) in decls {
        let added: Vec<String> = n.iter().filter(|x| !o.contains(x)).cloned().collect();
        let removed: Vec<String> = o.iter().filter(|x| !n.contains(x)).cloned().collect();
        if !added.is_empty() || !removed.is_empty() {
            out.push(StructuralChange::Declaration { kind, added, removed });
        }
    }
    // Clauses, section defaults and terms constraints, each matched by id.
    by_id(
        "clause",
        (of, &op.rules),
        (nf, &np.rules),
        |r| &r.id,
        view,
        |r, n, ov, nv| aspects(r, n, &ov.text, &nv.text),
        &mut out,
    );
    let dview = |file: &SourceFile, d: &crate::policy::SectionDefault| ClauseView {
        line: file.line_col(d.span.start).0,
        text: d.source.clone(),
        effect: d.effect.describe(),
    };
    let daspects =
        |d: &crate::policy::SectionDefault, n: &crate::policy::SectionDefault, _: &ClauseView, _: &ClauseView| {
            let mut a = Vec::new();
            if d.source != n.source {
                a.push("text");
            }
            if !same(&d.scope, &n.scope) {
                a.push("condition");
            }
            if d.effect != n.effect {
                a.push("effect");
            }
            if d.advice != n.advice {
                a.push("advice");
            }
            if d.rationale != n.rationale {
                a.push("rationale");
            }
            a
        };
    by_id("default", (of, &op.defaults), (nf, &np.defaults), |d| &d.id, dview, daspects, &mut out);
    let tview = |file: &SourceFile, t: &crate::policy::TermsConstraint| ClauseView {
        line: file.line_col(t.span.start).0,
        text: t.source.clone(),
        effect: t.effect.describe(),
    };
    let taspects =
        |t: &crate::policy::TermsConstraint, n: &crate::policy::TermsConstraint, _: &ClauseView, _: &ClauseView| {
            let mut a = Vec::new();
            if n.source != t.source {
                a.push("text");
            }
            if n.test != t.test {
                a.push("condition");
            }
            if n.effect != t.effect {
                a.push("effect");
            }
            a
        };
    by_id("terms", (of, &op.terms), (nf, &np.terms), |t| &t.id, tview, taspects, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_read_whole_without_comments() {
        let f = SourceFile::new("a", "rule x \"d {\" {\n  when a # c {\n  then deny\n}\nrule y {}\n");
        assert_eq!(block_text(&f, Span::new(5, 6)).as_deref(), Some("rule x \"d {\" { when a then deny }"));
    }
}
