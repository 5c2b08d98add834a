//! The loaded policies and their hot reload.
//!
//! The registry holds one immutable [`Snapshot`] behind an [`ArcSwap`]: a
//! request takes the snapshot once and uses the [`Loaded`] policies in it,
//! so it sees either the old or the new version of a policy, never a mix.
//! [`Registry::reload`] reads the directory, and for every file whose content
//! changed parses, checks and lowers it away from the snapshot; only a
//! version that checks replaces the served one. A version that does not
//! check is recorded as the entry's error and the last good version keeps
//! serving.

use crate::check::check_source;
use crate::diagnostic::{self, Severity};
use crate::policy::Policy;
use crate::source::SourceFile;
use arc_swap::ArcSwap;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A policy that checks, ready to serve.
#[derive(Debug)]
pub struct Loaded {
    /// The file's stem: the name requests use.
    pub name: String,
    /// The source, for explanations.
    pub file: SourceFile,
    /// The normalized policy.
    pub policy: Policy,
    /// The policy compiled for fast decisions (`/v1/decide?explain=false`).
    pub compiled: crate::compile::Compiled,
    /// The policy's timezone.
    pub tz: jiff::tz::TimeZone,
    /// SHA-256 of the file's content, hex.
    pub hash: String,
    /// When this version was loaded.
    pub loaded_at: jiff::Timestamp,
}

/// Why the file's current content is not served.
#[derive(Debug, Clone, Serialize)]
pub struct LoadError {
    /// SHA-256 of the content that failed, hex (empty when the file could not be read).
    pub hash: String,
    /// One line.
    pub message: String,
    /// The errors, one line each (`file:line:col: error[code]: message`).
    pub diagnostics: Vec<String>,
}

/// One policy file.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The version being served, if any version ever checked.
    pub serving: Option<Arc<Loaded>>,
    /// Set when the file's current content does not check (or cannot be read).
    pub error: Option<LoadError>,
    /// What the file looked like when last read (size and modification time).
    stamp: Stamp,
    /// SHA-256 of the content last read.
    content_hash: String,
}

type Stamp = (u64, Option<std::time::SystemTime>);

/// All policies at one moment.
pub type Snapshot = BTreeMap<String, Entry>;

/// What a reload changed, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A version was loaded and now serves.
    Loaded {
        /// The policy.
        name: String,
        /// Its hash.
        hash: String,
    },
    /// The file changed but does not check; the last good version (if any) keeps serving.
    Rejected {
        /// The policy.
        name: String,
        /// The first error.
        message: String,
    },
    /// The file is gone; the policy is no longer served.
    Removed {
        /// The policy.
        name: String,
    },
}

/// The loaded policies of one directory.
#[derive(Debug)]
pub struct Registry {
    dir: PathBuf,
    current: ArcSwap<Snapshot>,
}

/// SHA-256 of `text`, hex.
pub fn content_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses, checks and lowers one policy's text: the policy, or why not.
pub fn load_text(name: &str, path: &Path, text: String) -> Result<Loaded, LoadError> {
    let hash = content_hash(&text);
    let file = SourceFile::new(path.display().to_string(), text);
    let (ast, report) = match check_source(&file) {
        Ok(ok) => ok,
        Err(diags) => {
            let lines: Vec<String> = diags.iter().map(|d| diagnostic::short(d, &file)).collect();
            return Err(LoadError { hash, message: first_line(&lines, "does not parse"), diagnostics: lines });
        }
    };
    let errors: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| diagnostic::short(d, &file))
        .collect();
    if !errors.is_empty() {
        return Err(LoadError { hash, message: first_line(&errors, "does not check"), diagnostics: errors });
    }
    let policy = crate::lower::lower(&file, &ast);
    let tz = jiff::tz::TimeZone::get(&policy.meta.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let compiled = crate::compile::compile(&policy);
    Ok(Loaded { name: name.to_string(), file, policy, compiled, tz, hash, loaded_at: jiff::Timestamp::now() })
}

fn first_line(lines: &[String], what: &str) -> String {
    match lines.first() {
        Some(l) if lines.len() == 1 => format!("{what}: {l}"),
        Some(l) => format!("{what} ({} errors): {l}", lines.len()),
        None => what.to_string(),
    }
}

impl Registry {
    /// An empty registry for `dir`; call [`Registry::reload`] to load it.
    pub fn new(dir: impl Into<PathBuf>) -> Registry {
        Registry { dir: dir.into(), current: ArcSwap::from_pointee(Snapshot::new()) }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The policies now.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// The version of `name` now serving.
    pub fn get(&self, name: &str) -> Option<Arc<Loaded>> {
        self.current.load().get(name).and_then(|e| e.serving.clone())
    }

    /// Reads the directory and swaps in what changed. Only the reload task
    /// calls this, so there is one writer; readers never wait.
    pub fn reload(&self) -> std::io::Result<Vec<Change>> {
        let old = self.current.load_full();
        let mut next = Snapshot::new();
        let mut changes = Vec::new();
        for (name, path) in policy_files(&self.dir)? {
            let meta = std::fs::metadata(&path).ok();
            let stamp: Stamp = (meta.as_ref().map_or(0, |m| m.len()), meta.and_then(|m| m.modified().ok()));
            let previous = old.get(&name);
            if let Some(prev) = previous.filter(|p| p.stamp == stamp && stamp.1.is_some()) {
                next.insert(name, prev.clone());
                continue;
            }
            let entry = match std::fs::read_to_string(&path) {
                Ok(text) => {
                    let hash = content_hash(&text);
                    if let Some(prev) = previous.filter(|p| p.content_hash == hash) {
                        Entry { stamp, ..prev.clone() }
                    } else {
                        match load_text(&name, &path, text) {
                            Ok(loaded) => {
                                changes.push(Change::Loaded { name: name.clone(), hash: loaded.hash.clone() });
                                Entry { serving: Some(Arc::new(loaded)), error: None, stamp, content_hash: hash }
                            }
                            Err(error) => {
                                changes.push(Change::Rejected { name: name.clone(), message: error.message.clone() });
                                Entry {
                                    serving: previous.and_then(|p| p.serving.clone()),
                                    error: Some(error),
                                    stamp,
                                    content_hash: hash,
                                }
                            }
                        }
                    }
                }
                Err(e) => {
                    let message = format!("cannot read `{}`: {e}", path.display());
                    changes.push(Change::Rejected { name: name.clone(), message: message.clone() });
                    Entry {
                        serving: previous.and_then(|p| p.serving.clone()),
                        error: Some(LoadError { hash: String::new(), message, diagnostics: vec![] }),
                        stamp: (0, None),
                        content_hash: String::new(),
                    }
                }
            };
            next.insert(name, entry);
        }
        for name in old.keys().filter(|k| !next.contains_key(*k)) {
            changes.push(Change::Removed { name: name.clone() });
        }
        if !changes.is_empty() {
            self.current.store(Arc::new(next));
        }
        Ok(changes)
    }
}

/// The `*.policy` files directly in `dir`, by stem, sorted.
fn policy_files(dir: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "policy") && path.is_file() {
            if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                out.push((stem.to_string(), path.clone()));
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "policy \"t\"\ndefault allow\n";

    fn dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("smpolicy-registry-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_bad_edit_keeps_the_last_good_version() {
        let d = dir("bad-edit");
        std::fs::write(d.join("t.policy"), GOOD).unwrap();
        let r = Registry::new(&d);
        let changes = r.reload().unwrap();
        assert!(matches!(&changes[..], [Change::Loaded { name, .. }] if name == "t"));
        let good_hash = r.get("t").unwrap().hash.clone();

        std::fs::write(d.join("t.policy"), "policy \"t\"\ndefault allw\n").unwrap();
        // Make sure the stamp differs even on coarse clocks.
        std::fs::File::options()
            .append(true)
            .open(d.join("t.policy"))
            .unwrap()
            .set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
            .unwrap();
        let changes = r.reload().unwrap();
        assert!(matches!(&changes[..], [Change::Rejected { .. }]), "{changes:?}");
        let snap = r.snapshot();
        let e = &snap["t"];
        assert_eq!(e.serving.as_ref().unwrap().hash, good_hash);
        assert!(e.error.is_some());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn unchanged_files_are_not_reloaded() {
        let d = dir("unchanged");
        std::fs::write(d.join("t.policy"), GOOD).unwrap();
        let r = Registry::new(&d);
        r.reload().unwrap();
        assert!(r.reload().unwrap().is_empty());
        std::fs::remove_file(d.join("t.policy")).unwrap();
        assert_eq!(r.reload().unwrap(), vec![Change::Removed { name: "t".into() }]);
        assert!(r.get("t").is_none());
        let _ = std::fs::remove_dir_all(&d);
    }
}
