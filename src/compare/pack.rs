//! Scenario packs: the situations `compare` decides under every policy. The
//! shipped pack is `pack.yaml` beside this file, embedded in the binary; a
//! caller may give another file of the same shape.
//!
//! A pack is a YAML (or JSON) list of `{id, title, group, action}`. Each
//! `action` is read by [`crate::data::action::parse_action`], exactly as
//! `smpolicy eval` reads an action file, so a pack entry can be copied into an
//! action file and back. YAML anchors and merge keys (`<<: *employed`) may be
//! used to share the repeated parts.

use crate::data::action::{parse_action, Action};
use crate::data::error::DataError;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// The shipped pack's text.
pub const SHIPPED_TEXT: &str = include_str!("pack.yaml");

/// The name of the shipped pack in reports.
pub const SHIPPED_NAME: &str = "shipped";

/// One situation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Situation {
    /// Stable id (anchors and the score rubric use it).
    pub id: String,
    /// What the report shows.
    pub title: String,
    /// The group it belongs to (`posting`, `connecting`, `leaving`, `after-leaving`).
    pub group: String,
    /// The action.
    pub action: Action,
}

/// A list of situations and where they came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Pack {
    /// `shipped` or the file name.
    pub source: String,
    /// The situations, in order.
    pub situations: Vec<Situation>,
}

impl Pack {
    /// The groups in order of first appearance, with their sizes.
    pub fn groups(&self) -> Vec<super::GroupInfo> {
        let mut out: Vec<super::GroupInfo> = Vec::new();
        for s in &self.situations {
            match out.iter_mut().find(|g| g.name == s.group) {
                Some(g) => g.size += 1,
                None => out.push(super::GroupInfo { name: s.group.clone(), size: 1 }),
            }
        }
        out
    }

    /// The situation with this id.
    pub fn get(&self, id: &str) -> Option<&Situation> {
        self.situations.iter().find(|s| s.id == id)
    }
}

/// The written form of a situation; the action is parsed separately.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Form {
    id: String,
    title: String,
    group: String,
    action: serde_yaml::Value,
}

static SHIPPED: LazyLock<Result<Pack, DataError>> = LazyLock::new(|| parse_pack(SHIPPED_TEXT, SHIPPED_NAME));

/// The shipped pack. It is parsed once; a test guarantees it parses, and should
/// it ever fail, the result is an empty pack rather than a panic.
pub fn shipped() -> Pack {
    match &*SHIPPED {
        Ok(p) => p.clone(),
        Err(_) => Pack { source: SHIPPED_NAME.to_string(), situations: vec![] },
    }
}

/// The situations decided for the profile only (who owns content and
/// intellectual property): the same shape as the pack, never rows of its table.
pub const PROFILE_TEXT: &str = include_str!("profile_probes.yaml");

static PROFILE: LazyLock<Result<Pack, DataError>> = LazyLock::new(|| parse_pack(PROFILE_TEXT, "profile_probes.yaml"));

/// The profile's own situations ([`PROFILE_TEXT`]); like [`shipped`], an
/// empty pack rather than a panic should it ever fail to parse (a test
/// guarantees it parses).
pub fn profile_only() -> Pack {
    match &*PROFILE {
        Ok(p) => p.clone(),
        Err(_) => Pack { source: "profile_probes.yaml".to_string(), situations: vec![] },
    }
}

/// The error parsing the shipped pack, if any (for tests and `--pack` diagnostics).
pub fn shipped_error() -> Option<DataError> {
    SHIPPED.as_ref().err().cloned()
}

/// Parses a pack. Errors name the file, the line and the field path
/// (`[3].action.actor.status`).
pub fn parse_pack(text: &str, file: &str) -> Result<Pack, DataError> {
    let mut doc: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        let mut err = DataError::new("", "not a YAML or JSON document").with_help(Some(e.to_string()));
        err.file = file.into();
        if let Some(at) = e.location() {
            err.line = Some(at.line());
            err.column = Some(at.column());
        }
        err
    })?;
    doc.apply_merge()
        .map_err(|e| DataError::new("", format!("cannot apply a YAML merge key: {e}")).locate(file, text))?;
    let forms: Vec<Form> = serde_path_to_error::deserialize(doc).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        DataError::new(path, e.into_inner().to_string()).locate(file, text)
    })?;
    let mut situations: Vec<Situation> = Vec::with_capacity(forms.len());
    for (i, form) in forms.into_iter().enumerate() {
        let here = format!("[{i}]");
        if let Some(first) = situations.iter().position(|s| s.id == form.id) {
            let path = format!("{here}.id");
            return Err(DataError::new(path.clone(), format!("duplicate situation id {:?}", form.id))
                .with_help(Some(format!("the first is [{first}]")))
                .locate(file, text));
        }
        let yaml = serde_yaml::to_string(&form.action)
            .map_err(|e| DataError::new(format!("{here}.action"), e.to_string()).locate(file, text))?;
        let action = parse_action(&yaml, "action.yaml").map_err(|mut e| {
            e.line = None;
            e.column = None;
            e.within(&format!("{here}.action")).locate(file, text)
        })?;
        situations.push(Situation { id: form.id, title: form.title, group: form.group, action });
    }
    Ok(Pack { source: file.to_string(), situations })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_pack_parses_and_is_large_enough() {
        assert_eq!(shipped_error(), None);
        let p = shipped();
        assert!(p.situations.len() >= 40, "{} situations", p.situations.len());
        let groups: Vec<String> = p.groups().into_iter().map(|g| g.name).collect();
        assert_eq!(groups, ["posting", "connecting", "leaving", "after-leaving"]);
        assert!(p.situations.iter().all(|s| s.action.at.is_some()), "every situation has a fixed `at`");
    }

    #[test]
    fn errors_name_the_situation_and_the_field() {
        let text =
            "- id: a\n  title: A\n  group: g\n  action:\n    action: post\n    actor: {id: x, role: r, status: left}\n";
        let e = parse_pack(text, "p.yaml").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.starts_with("p.yaml:6:"), "{e}");
        assert!(e.contains("[0].action.actor.status"), "{e}");
        assert!(e.contains("expected one of employed"), "{e}");
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let one =
            "- id: a\n  title: A\n  group: g\n  action: {action: post, actor: {id: x, role: r, status: employed}}\n";
        let e = parse_pack(&format!("{one}{one}"), "p.yaml").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("duplicate situation id"), "{e}");
    }
}
