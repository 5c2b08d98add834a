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
//!
//! A policy that names its earlier versions (`previous "FILE"`) is served
//! with its whole chain ([`Chain`]), each version checked, lowered and
//! compiled once, at load; each request is decided by the version that binds
//! its actor ([`Loaded::pick`], through [`crate::versions::Versions::binding`]).
//! The earlier files are read under the same rules (inside the directory,
//! regular files, the size limit), and a change to any of them (once settled)
//! loads the chain again; an earlier file that is missing or does not check
//! is the entry's error, and the last good chain keeps serving.

use crate::check::check_and_lower;
use crate::diagnostic::{self, Severity};
use crate::policy::Policy;
use crate::source::SourceFile;
use crate::versions::{Bound, Unbound, Version, Versions};
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
    /// For a policy with earlier versions, or one that binds at contract: the
    /// whole chain (`None`: this version alone decides, as always).
    pub chain: Option<Chain>,
}

/// A policy's version history as served.
#[derive(Debug)]
pub struct Chain {
    /// The versions, oldest first; the last is the file's own ([`Loaded::policy`]).
    pub versions: Versions,
    /// Each earlier version's compiled form, timezone and content hash, in
    /// the same order (the newest's are [`Loaded`]'s own).
    pub earlier: Vec<Earlier>,
}

/// An earlier version's forms for deciding, made once at load.
#[derive(Debug)]
pub struct Earlier {
    /// Its compiled form.
    pub compiled: crate::compile::Compiled,
    /// Its timezone.
    pub tz: jiff::tz::TimeZone,
    /// SHA-256 of its file's content, hex.
    pub hash: String,
}

/// The version that decides one request.
#[derive(Debug)]
pub struct Picked<'a> {
    /// Its policy.
    pub policy: &'a Policy,
    /// Its file, for explanations.
    pub file: &'a SourceFile,
    /// Its compiled form.
    pub compiled: &'a crate::compile::Compiled,
    /// Its timezone.
    pub tz: &'a jiff::tz::TimeZone,
    /// SHA-256 of its file's content, hex.
    pub hash: &'a str,
    /// Which version it is and why it binds; `None` for a policy without versions.
    pub bound: Option<Bound>,
}

impl Loaded {
    /// The version that binds the actor of `facts`: the file's own for a
    /// policy without versions (nothing allocated), else the one
    /// [`Versions::binding`] names, or why none can be named (the decision
    /// is then indeterminate, as on the command line).
    pub fn pick(&self, facts: &dyn crate::eval::Facts) -> Result<Picked<'_>, Unbound> {
        let Some(chain) = &self.chain else { return Ok(self.own()) };
        let (i, bound) = chain.versions.binding(facts)?;
        let (version, earlier) = (chain.versions.versions.get(i), chain.earlier.get(i));
        Ok(match (version, earlier) {
            (Some(v), Some(e)) => Picked {
                policy: &v.policy,
                file: &v.file,
                compiled: &e.compiled,
                tz: &e.tz,
                hash: &e.hash,
                bound: Some(bound),
            },
            // The newest: its forms are this entry's own.
            _ => Picked { bound: Some(bound), ..self.own() },
        })
    }

    /// The declared names `action` uses that the policy does not know (the
    /// first): checked against the version that binds its actor, for a
    /// policy with versions ([`Versions::validate`]).
    pub fn validate(&self, action: &crate::data::action::Action) -> Option<crate::data::error::DataError> {
        match &self.chain {
            Some(chain) => chain.versions.validate(action).into_iter().next(),
            None => crate::data::action::check_open_values(action, &self.policy.decls).into_iter().next(),
        }
    }

    /// The file's own version (the newest).
    pub fn own(&self) -> Picked<'_> {
        Picked {
            policy: &self.policy,
            file: &self.file,
            compiled: &self.compiled,
            tz: &self.tz,
            hash: &self.hash,
            bound: None,
        }
    }
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
    /// The earlier versions' files read with it (`previous`), each with its
    /// stamp then (`None`: it could not be read): a change to one loads the chain again.
    deps: Deps,
}

type Stamp = (u64, Option<std::time::SystemTime>);

/// Earlier versions' files, each with its stamp when read (`None`: it could not be read).
type Deps = Vec<(PathBuf, Option<Stamp>)>;

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

/// Separates a policy's name from an earlier version's file in the pending changes.
const DEP: char = '\u{0}';

/// SHA-256 of `text`, hex.
pub fn content_hash(text: &str) -> String {
    super::keys::hex(&Sha256::digest(text.as_bytes()))
}

/// Parses, checks and lowers one policy's text, with no earlier versions
/// (a draft, an upload): the policy, or why not. A policy that binds at
/// contract needs its earlier versions to decide, which a lone text does not
/// bring: it is refused (deciding everyone by the newest would fail open for
/// those an earlier version binds).
pub fn load_text(name: &str, path: &Path, text: String) -> Result<Loaded, LoadError> {
    let (file, policy, hash) = checked(path, text)?;
    if policy.meta.binds == crate::ast::Binding::AtContract {
        let message = format!(
            "not decided: `binds at_contract` picks a version per actor by contract date, and `{}` comes without its \
             earlier versions; serve it from the policy directory with the files it names as `previous`, or decide \
             with `smpolicy eval` (both read the earlier versions)",
            path.display()
        );
        return Err(LoadError { hash, message: message.clone(), diagnostics: vec![message] });
    }
    Ok(loaded(name, file, policy, hash, None))
}

/// [`load_text`] for a file of the served directory `dir` (canonical): its
/// earlier versions (`previous`) are read from the directory under the same
/// rules as every policy file, and the chain is served whole. Also returns
/// the earlier files read, each with its stamp, even when the load fails.
fn load_served(name: &str, path: &Path, text: String, dir: &Path) -> (Result<Loaded, LoadError>, Deps) {
    let (file, policy, hash) = match checked(path, text) {
        Ok(x) => x,
        Err(e) => return (Err(e), Vec::new()),
    };
    if policy.meta.previous.is_none() && policy.meta.binds != crate::ast::Binding::AtContract {
        return (Ok(loaded(name, file, policy, hash, None)), Vec::new());
    }
    let mut deps = Vec::new();
    let key = std::fs::canonicalize(path).map_or_else(|_| path.display().to_string(), |p| p.display().to_string());
    let mut read = |naming: &SourceFile, rel: &str| -> Result<(String, SourceFile), String> {
        let at = Path::new(&*naming.name).parent().unwrap_or(dir).join(rel);
        let found = regular_file_inside(dir, &at);
        deps.push((at.clone(), found.as_ref().ok().map(|f| f.stamp)));
        let found = found?;
        let text = found.read()?;
        Ok((found.path.display().to_string(), SourceFile::new(at.display().to_string(), text)))
    };
    let versions = crate::versions::load(Version { file, policy }, key, &mut read);
    let result = match versions {
        Ok(versions) => {
            let earlier: Vec<Earlier> = versions
                .versions
                .iter()
                .take(versions.versions.len().saturating_sub(1))
                .map(|v| Earlier {
                    compiled: crate::compile::compile(&v.policy),
                    tz: crate::eval::tz(&v.policy),
                    hash: content_hash(&v.file.text),
                })
                .collect();
            match versions.newest() {
                Some(newest) => {
                    let (file, policy) = (newest.file.clone(), newest.policy.clone());
                    Ok(loaded(name, file, policy, hash, Some(Chain { versions, earlier })))
                }
                None => Err(LoadError { hash, message: "no version loaded".into(), diagnostics: vec![] }),
            }
        }
        Err(problems) => {
            let lines: Vec<String> = problems
                .iter()
                .flat_map(|p| {
                    p.diagnostics
                        .iter()
                        .filter(|d| d.severity == Severity::Error)
                        .map(|d| diagnostic::short(d, &p.file))
                        .collect::<Vec<_>>()
                })
                .collect();
            Err(LoadError { hash, message: first_line(&lines, "its versions do not load"), diagnostics: lines })
        }
    };
    (result, deps)
}

/// The text parsed, checked and lowered, with its hash; or why not.
fn checked(path: &Path, text: String) -> Result<(SourceFile, Policy, String), LoadError> {
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
    Ok((file, policy, hash))
}

/// The served form of a checked policy (compiled here, once).
fn loaded(name: &str, file: SourceFile, policy: Policy, hash: String, chain: Option<Chain>) -> Loaded {
    let tz = crate::eval::tz(&policy);
    let compiled = crate::compile::compile(&policy);
    Loaded { name: name.to_string(), file, policy, compiled, tz, hash, loaded_at: jiff::Timestamp::now(), chain }
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
                            deps: Vec::new(),
                        },
                    );
                    continue;
                }
            };
            let stamp = file.stamp;
            // The earlier versions' files as they are now, for a policy served with its chain.
            let deps_now: Vec<Option<Stamp>> = previous
                .map(|p| {
                    p.deps.iter().map(|(at, _)| regular_file_inside(&canonical_dir, at).ok().map(|f| f.stamp)).collect()
                })
                .unwrap_or_default();
            let deps_changed: Vec<usize> = previous
                .map(|p| {
                    p.deps
                        .iter()
                        .zip(&deps_now)
                        .enumerate()
                        .filter(|(_, ((_, was), now))| was != *now)
                        .map(|(i, _)| i)
                        .collect()
                })
                .unwrap_or_default();
            if let Some(prev) = previous.filter(|p| p.stamp == stamp && stamp.1.is_some() && deps_changed.is_empty()) {
                self.pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&name);
                next.insert(name, prev.clone());
                continue;
            }
            // An earlier version's file that changed is taken once it has settled too.
            let deps_settled = previous.is_none_or(|p| {
                deps_changed.iter().all(|&i| {
                    let at = p.deps.get(i).map(|(at, _)| at.display().to_string()).unwrap_or_default();
                    self.settled(&format!("{name}{DEP}{at}"), deps_now.get(i).copied().flatten())
                })
            });
            if !self.settled(&name, Some(stamp)) || !deps_settled {
                // Still changing (or just changed): keep what serves now.
                if let Some(prev) = previous {
                    next.insert(name, prev.clone());
                }
                continue;
            }
            let entry = match file.read() {
                Ok(text) => {
                    let hash = content_hash(&text);
                    if let Some(prev) = previous.filter(|p| p.content_hash == hash && deps_changed.is_empty()) {
                        Entry { stamp, ..prev.clone() }
                    } else {
                        match load_served(&name, &path, text, &canonical_dir) {
                            (Ok(loaded), deps) => {
                                changes.push(Change::Loaded { name: name.clone(), hash: loaded.hash.clone() });
                                Entry { serving: Some(Arc::new(loaded)), error: None, stamp, content_hash: hash, deps }
                            }
                            (Err(error), deps) => {
                                changes.push(Change::Rejected { name: name.clone(), message: error.message.clone() });
                                Entry {
                                    serving: previous.and_then(|p| p.serving.clone()),
                                    error: Some(error),
                                    stamp,
                                    content_hash: hash,
                                    deps,
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
                        deps: Vec::new(),
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
            // An earlier version's file is pending under its policy's name and the file's.
            pending.retain(|name, (stamp, _)| {
                stamp.is_some() || next.contains_key(name.split(DEP).next().unwrap_or(name))
            });
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

    /// A policy that binds at contract is served with its chain, each
    /// version compiled once; its earlier files are read only inside the
    /// directory; a lone text of it (a draft, an upload) is refused, never
    /// decided by its newest version alone.
    #[test]
    fn a_chain_is_served_whole_and_never_read_from_outside() {
        let d = dir("at-contract");
        let v5 = "policy \"t\" version 5\n  binds at_contract\n  effective 2024-01-01\ndefault allow\n";
        let v6 = "policy \"t\" version 6\n  binds at_contract\n  effective 2026-01-01\n  previous \"v5.policy\"\ndefault deny\n";
        std::fs::write(d.join("v5.policy"), v5).unwrap();
        std::fs::write(d.join("v6.policy"), v6).unwrap();
        let outside = d.with_extension("outside.policy");
        std::fs::write(&outside, v5).unwrap();
        let escape = v6.replace("v5.policy", &format!("../{}", outside.file_name().unwrap().to_string_lossy()));
        std::fs::write(d.join("out.policy"), escape).unwrap();
        let r = Registry::new(&d);
        let changes = r.reload().unwrap();
        let chain = r.get("v6").and_then(|l| l.chain.as_ref().map(|c| (c.versions.versions.len(), c.earlier.len())));
        assert_eq!(chain, Some((2, 1)), "{changes:?}");
        let snap = r.snapshot();
        assert!(snap["out"].serving.is_none(), "{changes:?}");
        let e = snap["out"].error.as_ref().expect("an error");
        assert!(e.message.contains("outside the policy directory"), "{e:?}");
        let lone = load_text("v6", &d.join("v6.policy"), v6.to_string()).expect_err("refused");
        assert!(lone.message.contains("without its"), "{lone:?}");
        let _ = std::fs::remove_dir_all(&d);
        let _ = std::fs::remove_file(&outside);
    }
}
