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
//!
//! What is read, and when:
//!
//! - only regular files directly in the directory, or symbolic links that
//!   resolve to a regular file inside it (as a Kubernetes ConfigMap mounts
//!   them); a link out of the directory, a FIFO or a device is listed with an
//!   error and never opened, so nothing but policy text is ever echoed;
//! - a file is taken only once it has stayed unchanged (size and modification
//!   time) for the settle period ([`Registry::settle`]), so a file caught
//!   half-written is not served even if what was written so far parses;
//! - a file larger than [`MAX_POLICY_BYTES`] is refused;
//! - a deleted file keeps serving its last good version, reported as
//!   missing, until it has stayed away for the settle period (an editor that
//!   deletes and re-creates a file never causes a 404).

use crate::check::check_and_lower;
use crate::diagnostic::{self, Severity};
use crate::policy::Policy;
use crate::source::SourceFile;
use arc_swap::ArcSwap;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// The largest policy file read, in bytes (the shipped policies are under 20 KB).
pub const MAX_POLICY_BYTES: u64 = 4 << 20;

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
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
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
    /// The file is gone; the last good version keeps serving until the removal is confirmed.
    Missing {
        /// The policy.
        name: String,
    },
}

/// The loaded policies of one directory.
#[derive(Debug)]
pub struct Registry {
    dir: PathBuf,
    current: ArcSwap<Snapshot>,
    settle: Duration,
    /// Files seen changed (or gone) and not yet settled: their stamp (`None`: gone) and when first seen so.
    pending: Mutex<BTreeMap<String, (Option<Stamp>, Instant)>>,
}

/// SHA-256 of `text`, hex.
pub fn content_hash(text: &str) -> String {
    super::keys::hex(&Sha256::digest(text.as_bytes()))
}

/// Parses, checks and lowers one policy's text: the policy, or why not.
pub fn load_text(name: &str, path: &Path, text: String) -> Result<Loaded, LoadError> {
    let hash = content_hash(&text);
    let file = SourceFile::new(path.display().to_string(), text);
    let (_, report, policy) = match check_and_lower(&file) {
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
    // A policy that binds each actor by the version in force at their contract
    // date needs its earlier versions to decide; the service keeps one version
    // of each policy, so serving it would decide every actor by the newest
    // (failing open for those still bound by an earlier one). It is refused.
    if policy.meta.binds == crate::ast::Binding::AtContract {
        let message = format!(
            "not served: `binds at_contract` picks a version per actor by contract date, which the service does \
             not do yet; decide with `smpolicy eval {}` (it reads the earlier versions), or write `binds as_amended`",
            path.display()
        );
        return Err(LoadError { hash, message: message.clone(), diagnostics: vec![message] });
    }
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
        Registry {
            dir: dir.into(),
            current: ArcSwap::from_pointee(Snapshot::new()),
            settle: Duration::ZERO,
            pending: Mutex::default(),
        }
    }

    /// Takes a changed file only once it has stayed unchanged for `settle`.
    pub fn settle(mut self, settle: Duration) -> Registry {
        self.settle = settle;
        self
    }

    /// Whether some change waits for its settle period.
    pub fn pending(&self) -> bool {
        !self.pending.lock().unwrap_or_else(|p| p.into_inner()).is_empty()
    }

    /// Whether `stamp` for `name` has settled: unchanged since first seen at least `settle` ago,
    /// or last modified at least `settle` ago. Records it as pending otherwise.
    fn settled(&self, name: &str, stamp: Option<Stamp>) -> bool {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        if self.settle.is_zero() {
            pending.remove(name);
            return true;
        }
        let old_enough = stamp
            .and_then(|s| s.1)
            .and_then(|m| SystemTime::now().duration_since(m).ok())
            .is_some_and(|age| age >= self.settle);
        let seen = match pending.get(name) {
            Some((s, since)) if *s == stamp => *since,
            _ => {
                pending.insert(name.to_string(), (stamp, Instant::now()));
                Instant::now()
            }
        };
        if (stamp.is_some() && old_enough) || seen.elapsed() >= self.settle {
            pending.remove(name);
            true
        } else {
            false
        }
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
        let canonical_dir = std::fs::canonicalize(&self.dir)?;
        for (name, path) in policy_files(&self.dir)? {
            let previous = old.get(&name);
            let file = match regular_file_inside(&canonical_dir, &path) {
                Ok(f) => f,
                Err(message) => {
                    // Never opened: listed with the reason, the last good version (if any) serving.
                    let stamp: Stamp = (0, None);
                    if previous.is_some_and(|p| p.error.as_ref().is_some_and(|e| e.message == message)) {
                        if let Some(prev) = previous {
                            next.insert(name, prev.clone());
                        }
                        continue;
                    }
                    changes.push(Change::Rejected { name: name.clone(), message: message.clone() });
                    next.insert(
                        name,
                        Entry {
                            serving: previous.and_then(|p| p.serving.clone()),
                            error: Some(LoadError { hash: String::new(), message, diagnostics: vec![] }),
                            stamp,
                            content_hash: String::new(),
                        },
                    );
                    continue;
                }
            };
            let stamp = file.stamp;
            if let Some(prev) = previous.filter(|p| p.stamp == stamp && stamp.1.is_some()) {
                self.pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&name);
                next.insert(name, prev.clone());
                continue;
            }
            if !self.settled(&name, Some(stamp)) {
                // Still changing (or just changed): keep what serves now.
                if let Some(prev) = previous {
                    next.insert(name, prev.clone());
                }
                continue;
            }
            let entry = match file.read() {
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
                Err(message) => {
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
        let gone: Vec<(&String, &Entry)> = old.iter().filter(|(k, _)| !next.contains_key(*k)).collect();
        for (name, prev) in gone {
            if self.settled(name, None) {
                changes.push(Change::Removed { name: name.clone() });
                continue;
            }
            // Gone, maybe only for a moment (an editor deleting and re-creating it): keep serving.
            let message = "the file is missing: the last good version keeps serving until the removal is confirmed";
            if prev.error.as_ref().is_none_or(|e| e.message != message) {
                changes.push(Change::Missing { name: name.clone() });
            }
            let error = LoadError { hash: String::new(), message: message.to_string(), diagnostics: vec![] };
            // No content hash: the file, when back, is read and loaded again.
            let entry = Entry { error: Some(error), stamp: (0, None), content_hash: String::new(), ..prev.clone() };
            next.insert(name.clone(), entry);
        }
        {
            // Forget files that came and went before they settled.
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            pending.retain(|name, (stamp, _)| stamp.is_some() || next.contains_key(name));
        }
        if !changes.is_empty() {
            self.current.store(Arc::new(next));
        }
        Ok(changes)
    }
}

/// A policy file found safe to open, not yet read.
struct PolicyFile {
    /// The resolved path (inside the directory).
    path: PathBuf,
    stamp: Stamp,
    /// Device and inode, to check that what is opened is what was checked.
    #[cfg(unix)]
    id: (u64, u64),
}

impl PolicyFile {
    /// The text, read only if the opened file is the one checked, and not too large.
    fn read(&self) -> Result<String, String> {
        use std::io::Read;
        let name = self.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let f = std::fs::File::open(&self.path).map_err(|e| format!("cannot read `{name}`: {e}"))?;
        let meta = f.metadata().map_err(|e| format!("cannot read `{name}`: {e}"))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            if (meta.dev(), meta.ino()) != self.id {
                return Err(format!("`{name}` changed while it was opened; it is read again at the next check"));
            }
        }
        if !meta.is_file() {
            return Err(format!("`{name}` is not a regular file: not read"));
        }
        let mut text = String::new();
        f.take(MAX_POLICY_BYTES + 1).read_to_string(&mut text).map_err(|e| format!("cannot read `{name}`: {e}"))?;
        if text.len() as u64 > MAX_POLICY_BYTES {
            return Err(format!("`{name}` is larger than {MAX_POLICY_BYTES} bytes: not read"));
        }
        Ok(text)
    }
}

/// `path` if it is a regular file in `dir` (canonical), or a symbolic link
/// to one inside `dir`; else why not (without reading it, or naming where a link points).
fn regular_file_inside(dir: &Path, path: &Path) -> Result<PolicyFile, String> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let resolved = std::fs::canonicalize(path).map_err(|e| format!("cannot read `{name}`: {e}"))?;
    if !resolved.starts_with(dir) {
        return Err(format!("`{name}` is a link to a file outside the policy directory: not read"));
    }
    let meta = std::fs::symlink_metadata(&resolved).map_err(|e| format!("cannot read `{name}`: {e}"))?;
    if !meta.file_type().is_file() {
        return Err(format!("`{name}` is not a regular file: not read"));
    }
    Ok(PolicyFile {
        path: resolved,
        stamp: (meta.len(), meta.modified().ok()),
        #[cfg(unix)]
        id: {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino())
        },
    })
}

/// The `*.policy` files directly in `dir`, by stem, sorted.
fn policy_files(dir: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        // Whatever the name points to is judged by `regular_file_inside`, before anything is read.
        if path.extension().is_some_and(|e| e == "policy") {
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

    /// A policy bound by contract date is not served (the service would decide
    /// everyone by the newest version); one bound as amended is.
    #[test]
    fn a_policy_bound_at_contract_is_refused_not_served_by_its_newest_version() {
        let d = dir("at-contract");
        std::fs::write(
            d.join("t.policy"),
            "policy \"t\"\n  binds at_contract\n  effective 2026-01-01\ndefault allow\n",
        )
        .unwrap();
        std::fs::write(d.join("u.policy"), "policy \"u\"\n  binds as_amended\n  effective 2026-01-01\ndefault allow\n")
            .unwrap();
        let r = Registry::new(&d);
        let changes = r.reload().unwrap();
        assert!(r.get("t").is_none(), "{changes:?}");
        assert!(r.get("u").is_some(), "{changes:?}");
        let snap = r.snapshot();
        let e = snap["t"].error.as_ref().expect("an error");
        assert!(format!("{e:?}").contains("binds at_contract"), "{e:?}");
        let _ = std::fs::remove_dir_all(&d);
    }
}
