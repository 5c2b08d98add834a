//! The audit log: every decision and every recorded action, appended to an
//! embedded SQLite database ([`sqlite`]) or to PostgreSQL ([`postgres`]), so
//! that several replicas can share one log.
//!
//! Writes use group commit: requests hand their [`Entry`] to one writer
//! ([`Writer`]) over a channel and wait; the writer takes everything that is
//! waiting (up to [`MAX_BATCH`]), writes it in one transaction, commits
//! and only then answers each request. A decision is acknowledged only once
//! it is durable, and one commit covers many decisions.
//!
//! How durable is chosen with [`Sync`] (SQLite; PostgreSQL follows the
//! server's own `synchronous_commit`): [`Sync::Full`] waits for the disk at
//! every commit (survives a power cut), [`Sync::Normal`] hands the commit to
//! the operating system (survives `kill -9` and any crash of the service, not
//! a crash of the machine).
//!
//! Every entry is chained to the one before by a hash ([`chain_hash`]).
//! Retention ([`prune`]) deletes the oldest entries and keeps an [`Anchor`]:
//! the position and hash of the last one deleted, where verification starts.
//! [`checkpoint`]s of the chain's head, kept outside the log, let
//! [`verify_with`] tell a cut-off tail.

pub mod checkpoint;
pub mod postgres;
pub mod sqlite;

use serde_json::value::RawValue;
use tokio::sync::{mpsc, oneshot};

/// The most standing approvals of one actor a decision reads (the newest; the SQL writes the number out).
pub const MAX_STANDING: usize = 64;

/// The most entries written in one transaction.
pub const MAX_BATCH: usize = 4096;

/// What an entry records (the type lives with the entry's JSON shape, [`crate::records::LogEntry`]).
pub use crate::records::Kind;

/// One row of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The decision id (or, for a performed action, its own id); unique, sortable by time.
    pub id: String,
    /// Decision or performed action.
    pub kind: Kind,
    /// When the entry was made (ms since the epoch).
    pub recorded_ms: i64,
    /// `actor.id`.
    pub actor: String,
    /// The action kind (`post`, `connect`, ...).
    pub action: String,
    /// When the action happens (its `at`, else the time of the request), ms since the epoch.
    pub at_ms: i64,
    /// What a performed action counts towards ([`crate::serve::history::counts`]); 0 for decisions.
    pub counts: i64,
    /// The policy's name.
    pub policy: Option<String>,
    /// SHA-256 of the policy's content that decided.
    pub policy_hash: Option<String>,
    /// `allow`, `deny`, `require-approval` or `indeterminate`.
    pub verdict: Option<String>,
    /// The deciding clause ids.
    pub deciding: Vec<String>,
    /// For a performed action or an approval: the decision it carried out or approved.
    pub decision_id: Option<String>,
    /// The action as JSON, as the caller sent it (with derived `history`, if any, noted separately).
    pub input: String,
    /// For a decision: the `history` counters the service derived from its records, as JSON.
    pub derived_history: Option<String>,
    /// Who asked: the name of the bearer token (`anonymous` on a server without tokens).
    pub caller: Option<String>,
    /// The entry's link in the hash chain ([`chain_hash`]); set by the writer, `None` before (and in logs written before the chain).
    pub hash: Option<String>,
    /// For a decision under a policy with versions: the version that decided (`6`, or its file's name).
    pub version: Option<String>,
    /// For a decision about several groups of contacts: each group's decision, as JSON (an array of
    /// [`crate::records::GroupRecord`], in the order given); the `verdict` above combines them.
    pub groups: Option<String>,
}

/// The hash before the first entry of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 (hex) of the previous entry's hash and this entry's stored
/// columns (`deciding` as stored, JSON text): editing any column of an entry,
/// or deleting or moving one, breaks the chain at that point.
///
/// The columns are hashed as one compact JSON array, serialized straight
/// into the hash (the writer does this for every entry, in turn). The
/// columns added later (`version`, `groups`) join the array only when one of
/// them is set: an entry without them hashes as entries always did, so logs
/// written before them still verify, and setting or clearing either breaks
/// the chain.
pub fn chain_hash(prev: &str, e: &Entry, deciding_stored: &str) -> String {
    use sha2::Digest;
    /// Feeds what serde_json writes to the hash.
    struct Feed(sha2::Sha256);
    impl std::io::Write for Feed {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let columns = (
        &e.id,
        e.kind.as_str(),
        e.recorded_ms,
        &e.actor,
        &e.action,
        e.at_ms,
        e.counts,
        &e.policy,
        &e.policy_hash,
        &e.verdict,
        deciding_stored,
        &e.decision_id,
        &e.input,
        &e.derived_history,
        &e.caller,
    );
    let mut feed = Feed(sha2::Sha256::new());
    feed.0.update(prev.as_bytes());
    feed.0.update(b"\n");
    // Strings, numbers and nulls only: serializing them cannot fail, and the writer never does.
    if e.version.is_none() && e.groups.is_none() {
        let _ = serde_json::to_writer(&mut feed, &columns);
    } else {
        let _ = serde_json::to_writer(&mut feed, &(columns, &e.version, &e.groups));
    }
    super::keys::hex(&feed.0.finalize())
}

/// Where the chain starts once its oldest entries were pruned: the last entry deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    /// How many entries were pruned, in all (the last one's position, counted from the first entry ever).
    pub position: u64,
    /// The last pruned entry's id.
    pub entry: String,
    /// Its hash: the first remaining entry chains from it.
    pub hash: String,
    /// When it was pruned (ms since the epoch).
    pub pruned_ms: i64,
}

/// The chain's head: its newest entry, and how many entries it has had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The newest entry's position, counted from the first entry ever (pruned ones included).
    pub position: u64,
    /// Its id.
    pub entry: String,
    /// Its hash.
    pub hash: String,
}

/// What `smpolicy log verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verified {
    /// Entries read.
    pub entries: u64,
    /// Entries at the start written before the log was chained (no hash).
    pub unchained: u64,
    /// The last entry's hash: keep it elsewhere to detect a cut tail later.
    pub head: String,
    /// Each break, one line: the entry's position (1-based, in the order written), id and why.
    pub breaks: Vec<String>,
    /// Where the chain started, when older entries were pruned.
    pub anchor: Option<Anchor>,
    /// Checkpoints that match the log.
    pub checkpoints_matched: u64,
    /// Checkpoints of entries since pruned (not checked).
    pub checkpoints_pruned: u64,
    /// Checkpoints whose signature was not checked (no key given).
    pub checkpoints_unsigned_checked: u64,
    /// The newest checkpoint that matched: its line, when it was made and its position.
    pub newest_checkpoint: Option<(usize, String, u64)>,
}

/// Walks the chain, one entry at a time, in the order written.
#[derive(Debug)]
pub struct ChainCheck {
    v: Verified,
    prev: String,
    /// The anchor's position: the first entry read is at `base + 1`.
    base: u64,
    /// Checkpoints by position, with their line.
    marks: std::collections::BTreeMap<u64, Vec<(usize, checkpoint::Checkpoint)>>,
}

impl Default for ChainCheck {
    fn default() -> Self {
        ChainCheck::new(None, None)
    }
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

impl ChainCheck {
    /// A check that starts at `anchor` (or the chain's beginning) and compares the entries with `checkpoints`.
    pub fn new(anchor: Option<Anchor>, checkpoints: Option<checkpoint::Checkpoints>) -> ChainCheck {
        let mut v = Verified::default();
        let mut marks = std::collections::BTreeMap::<u64, Vec<_>>::new();
        if let Some(c) = checkpoints {
            for (n, why) in c.bad {
                v.breaks.push(format!("checkpoints line {n}: {why}"));
            }
            v.checkpoints_unsigned_checked = c.unchecked;
            for (n, cp) in c.lines {
                marks.entry(cp.position).or_default().push((n, cp));
            }
        }
        let prev = anchor.as_ref().map_or_else(|| GENESIS.to_string(), |a| a.hash.clone());
        let base = anchor.as_ref().map_or(0, |a| a.position);
        // Every entry pruned: the head is the anchor's.
        v.head = anchor.as_ref().map(|a| a.hash.clone()).unwrap_or_default();
        v.anchor = anchor;
        ChainCheck { v, prev, base, marks }
    }

    /// Compares the entry at `position` with the checkpoints made there.
    fn mark(&mut self, position: u64, e: &Entry) {
        let Some(list) = self.marks.remove(&position) else { return };
        let n = self.v.entries;
        for (line, cp) in list {
            if cp.entry == e.id && e.hash.as_deref() == Some(cp.hash.as_str()) {
                self.v.checkpoints_matched += 1;
                self.v.newest_checkpoint = Some((line, cp.made_at, position));
            } else {
                self.v.breaks.push(format!(
                    "entry {n} (id {}): checkpoint line {line} (made {}) recorded entry {} with hash {}… here: this entry or ones before it were rewritten, deleted or inserted",
                    e.id,
                    cp.made_at,
                    cp.entry,
                    short(&cp.hash)
                ));
            }
        }
    }

    /// Checks the next entry (with `deciding` as stored, and its `kind` as stored when it is not a known kind).
    pub fn next(&mut self, e: &Entry, deciding_stored: &str, bad_kind: Option<&str>) {
        self.v.entries += 1;
        let n = self.v.entries;
        self.mark(self.base + n, e);
        let Some(stored) = &e.hash else {
            if self.v.entries == self.v.unchained + 1 {
                self.v.unchained += 1;
            } else {
                self.v.breaks.push(format!("entry {n} (id {}): no hash after chained entries: inserted", e.id));
            }
            return;
        };
        if let Some(kind) = bad_kind {
            self.v.breaks.push(format!("entry {n} (id {}): unknown kind `{}`: edited", e.id, kind.escape_debug()));
        } else if chain_hash(&self.prev, e, deciding_stored) != *stored {
            self.v.breaks.push(format!(
                "entry {n} (id {}): its hash does not match its content and the entry before it: this entry was edited, or one before it deleted or moved",
                e.id
            ));
        }
        // Go on from the stored hash, so that one edit is reported once.
        self.prev.clone_from(stored);
        self.v.head.clone_from(stored);
    }

    /// The result: checkpoints past the last entry mean a cut-off tail.
    pub fn finish(mut self) -> Verified {
        let end = self.base + self.v.entries;
        let mut beyond = Vec::new();
        for (position, list) in std::mem::take(&mut self.marks) {
            for (line, cp) in list {
                if position > end {
                    beyond.push((position, line, cp));
                } else if self
                    .v
                    .anchor
                    .as_ref()
                    .is_some_and(|a| a.position == position && a.entry == cp.entry && a.hash == cp.hash)
                {
                    self.v.checkpoints_matched += 1;
                } else {
                    self.v.checkpoints_pruned += 1;
                }
            }
        }
        if let Some((position, line, cp)) = beyond.iter().max_by_key(|(p, l, _)| (*p, *l)) {
            self.v.breaks.push(format!(
                "truncated: checkpoint line {line} (made {}) recorded {position} entries, up to entry {} with hash {}…; the log ends at {end}: its newest {} entries were deleted{}",
                cp.made_at,
                cp.entry,
                short(&cp.hash),
                position - end,
                if beyond.len() > 1 { format!(" ({} checkpoints lie past the end)", beyond.len()) } else { String::new() }
            ));
        }
        self.v
    }
}

fn ms_to_rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(|t| t.to_string()).unwrap_or_default()
}

impl Entry {
    /// The entry as JSON (`smpolicy log --format json`, one object a line):
    /// a [`crate::records::LogEntry`].
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self.record()).unwrap_or_default()
    }

    /// The entry's JSON shape.
    pub fn record(&self) -> crate::records::LogEntry<'_> {
        let raw = |s: &str| serde_json::from_str::<Box<RawValue>>(s).ok();
        crate::records::LogEntry {
            id: &self.id,
            kind: self.kind,
            recorded_at: ms_to_rfc3339(self.recorded_ms),
            actor: &self.actor,
            action: &self.action,
            at: ms_to_rfc3339(self.at_ms),
            policy: self.policy.as_deref(),
            policy_hash: self.policy_hash.as_deref(),
            verdict: self.verdict.as_deref(),
            deciding: &self.deciding,
            decision_id: self.decision_id.as_deref(),
            derived_history: self.derived_history.as_deref().and_then(raw),
            input: raw(&self.input),
            caller: self.caller.as_deref(),
            hash: self.hash.as_deref(),
            version: self.version.as_deref(),
            groups: self.groups.as_deref().and_then(raw),
            chained: None,
        }
    }

    /// The entry as an archive line (`log prune --archive`): its JSON with the
    /// chained columns as stored, so the archive can be checked on its own.
    pub fn archive_line(&self) -> String {
        let mut r = self.record();
        r.chained = Some(crate::records::ChainedColumns {
            recorded_ms: self.recorded_ms,
            at_ms: self.at_ms,
            counts: self.counts,
            deciding: deciding_json(&self.deciding),
            input: self.input.clone(),
            derived_history: self.derived_history.clone(),
            groups: self.groups.clone(),
        });
        serde_json::to_string(&r).unwrap_or_default()
    }

    /// An entry back from an archive line, with `deciding` as stored; why not otherwise.
    pub fn from_archive_line(line: &str) -> Result<(Entry, String), String> {
        #[derive(serde::Deserialize)]
        struct Line {
            id: String,
            kind: String,
            actor: String,
            action: String,
            policy: Option<String>,
            policy_hash: Option<String>,
            verdict: Option<String>,
            decision_id: Option<String>,
            caller: Option<String>,
            hash: Option<String>,
            version: Option<String>,
            chained: Option<crate::records::ChainedColumns>,
        }
        let l: Line = serde_json::from_str(line).map_err(|e| format!("does not read: {e}"))?;
        let c = l
            .chained
            .ok_or("it has no `chained` columns: written by `log --format json`, not `log prune --archive`")?;
        let kind = Kind::parse(&l.kind).ok_or_else(|| format!("unknown kind `{}`", l.kind.escape_debug()))?;
        let entry = Entry {
            id: l.id,
            kind,
            recorded_ms: c.recorded_ms,
            actor: l.actor,
            action: l.action,
            at_ms: c.at_ms,
            counts: c.counts,
            policy: l.policy,
            policy_hash: l.policy_hash,
            verdict: l.verdict,
            deciding: deciding_from(&c.deciding),
            decision_id: l.decision_id,
            input: c.input,
            derived_history: c.derived_history,
            caller: l.caller,
            hash: l.hash,
            version: l.version,
            groups: c.groups,
        };
        Ok((entry, c.deciding))
    }

    /// Each group's verdict, for a decision about several groups of contacts,
    /// in the order given: `contacts[0] allow, contacts[1] deny` (what `smpolicy log` shows).
    pub fn groups_words(&self) -> Option<String> {
        #[derive(serde::Deserialize)]
        struct Group {
            index: usize,
            verdict: String,
        }
        let stored = self.groups.as_deref()?;
        Some(match serde_json::from_str::<Vec<Group>>(stored) {
            Ok(groups) => groups
                .iter()
                .map(|g| format!("contacts[{}] {}", g.index, g.verdict.escape_debug()))
                .collect::<Vec<_>>()
                .join(", "),
            Err(e) => format!("unreadable ({e})"),
        })
    }

    /// When the entry was made, RFC 3339.
    pub fn recorded_at(&self) -> String {
        ms_to_rfc3339(self.recorded_ms)
    }

    /// When the action happens, RFC 3339.
    pub fn at(&self) -> String {
        ms_to_rfc3339(self.at_ms)
    }
}

/// A failure of the log.
#[derive(Debug, Clone, thiserror::Error)]
#[error("audit log: {0}")]
pub struct LogError(pub String);

impl LogError {
    fn from(e: impl std::fmt::Display) -> LogError {
        LogError(e.to_string())
    }
}

/// An entry as stored, for checking the chain: `deciding` as stored, and the kind's text.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The entry (its `kind` is `decision` when the stored kind is unknown).
    pub entry: Entry,
    /// `deciding` as stored (JSON text).
    pub deciding: String,
    /// The kind as stored.
    pub kind: String,
}

/// Calls `f` on each entry matching `filter`, in the order written, reading
/// a row (SQLite) or a page of rows (PostgreSQL) at a time: memory stays flat
/// however long the log.
pub async fn scan(
    at: &Location,
    filter: &Filter,
    f: &mut dyn FnMut(Stored) -> Result<(), LogError>,
) -> Result<(), LogError> {
    match at {
        Location::Sqlite(p) => sqlite::scan(p, filter, f),
        Location::Postgres(url) => postgres::scan(url, filter, f).await,
    }
}

/// Checks the hash chain of the whole log.
pub async fn verify(at: &Location) -> Result<Verified, LogError> {
    verify_with(at, None).await
}

/// Where the chain starts, if older entries were pruned.
pub async fn anchor(at: &Location) -> Result<Option<Anchor>, LogError> {
    match at {
        Location::Sqlite(p) => sqlite::anchor(p),
        Location::Postgres(url) => postgres::anchor(url).await,
    }
}

/// Checks the hash chain from its anchor (if pruned) to its head, and
/// against `checkpoints` (kept outside the log), which tell a cut-off tail.
pub async fn verify_with(at: &Location, checkpoints: Option<checkpoint::Checkpoints>) -> Result<Verified, LogError> {
    let mut check = ChainCheck::new(anchor(at).await?, checkpoints);
    scan(at, &Filter::default(), &mut |s| {
        let bad = kind_from(&s.kind).err().map(|_| s.kind.as_str());
        check.next(&s.entry, &s.deciding, bad);
        Ok(())
    })
    .await?;
    Ok(check.finish())
}

/// What [`verify_archive`] found in an archive of pruned entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArchiveVerified {
    /// Entries read.
    pub entries: u64,
    /// Its first entry is the first entry ever (it chains from [`GENESIS`]).
    pub from_genesis: bool,
    /// Each break, one line: the archive's line, the entry and why.
    pub breaks: Vec<String>,
    /// Whether its last entry is the log's anchor (`None`: the log was never pruned).
    pub joins: Option<bool>,
}

/// Checks an archive of pruned entries (`log prune --archive`, one JSON object
/// a line, read a line at a time): each entry's hash against its stored
/// columns and the line before, and that its last entry is the log's `anchor`,
/// so that archive and log together are one unbroken chain.
pub fn verify_archive(path: &std::path::Path, anchor: Option<&Anchor>) -> Result<ArchiveVerified, LogError> {
    use std::io::BufRead as _;
    let f =
        std::fs::File::open(path).map_err(|e| LogError(format!("archive: cannot read `{}`: {e}", path.display())))?;
    let mut v = ArchiveVerified::default();
    let mut prev: Option<String> = None;
    let mut last: Option<(String, String)> = None;
    let mut first_id = String::new();
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.map_err(|e| LogError(format!("archive: cannot read `{}`: {e}", path.display())))?;
        if line.trim().is_empty() {
            continue;
        }
        let n = i + 1;
        let (e, deciding) = match Entry::from_archive_line(&line) {
            Ok(x) => x,
            Err(why) => {
                v.breaks.push(format!("archive line {n}: {why}"));
                prev = None;
                continue;
            }
        };
        v.entries += 1;
        let Some(stored) = e.hash.clone() else {
            v.breaks.push(format!("archive line {n} (id {}): no hash: written before the log was chained", e.id));
            prev = None;
            continue;
        };
        match &prev {
            None if v.entries == 1 => {
                v.from_genesis = chain_hash(GENESIS, &e, &deciding) == stored;
                first_id.clone_from(&e.id);
            }
            None => {}
            Some(p) if chain_hash(p, &e, &deciding) != stored => v.breaks.push(format!(
                "archive line {n} (id {}): its hash does not match its content and the line before it: this entry was edited, or one before it deleted or moved",
                e.id
            )),
            Some(_) => {}
        }
        prev = Some(stored.clone());
        last = Some((e.id, stored));
    }
    v.joins = anchor.map(|a| last.as_ref().is_some_and(|(id, h)| *id == a.entry && *h == a.hash));
    match (anchor, v.joins) {
        (Some(a), Some(false)) => v.breaks.push(format!(
            "the archive does not end at the log's anchor (entry {}, hash {}…): entries between them are missing, or it is another log's archive",
            a.entry,
            short(&a.hash)
        )),
        (Some(a), Some(true)) if v.from_genesis && a.position != v.entries => v.breaks.push(format!(
            "the log's anchor counts {} pruned entries, and the archive holds {}",
            a.position, v.entries
        )),
        // It holds every pruned entry, so its first is the first ever: it must chain from the start.
        (Some(a), Some(true)) if !v.from_genesis && a.position == v.entries => v.breaks.insert(
            0,
            format!("archive line 1 (id {first_id}): the archive holds every pruned entry, and its first does not chain from the start: it was edited"),
        ),
        (None, _) => v.breaks.push("the log was never pruned: this archive is not its".into()),
        _ => {}
    }
    Ok(v)
}

/// What [`prune`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Entries deleted (and archived, if asked).
    pub entries: u64,
    /// The anchor now in force (`None` if the log was never pruned).
    pub anchor: Option<Anchor>,
}

/// Entries pruned in one transaction: the writer waits at most this long for its turn.
pub const PRUNE_CHUNK: usize = 2000;

/// Deletes the oldest entries, in the order written, up to the first one
/// recorded at or after `cutoff_ms`, writing each to `archive` (as `smpolicy
/// log --format json` does) before it is deleted; keeps an [`Anchor`] (the
/// last one deleted) so the rest of the chain still verifies. Works a chunk
/// at a time ([`PRUNE_CHUNK`]), each its own transaction, so a running
/// server goes on logging.
pub async fn prune(
    at: &Location,
    cutoff_ms: i64,
    archive: Option<&mut dyn std::io::Write>,
) -> Result<Pruned, LogError> {
    match at {
        Location::Sqlite(p) => sqlite::prune(p, cutoff_ms, archive),
        Location::Postgres(url) => postgres::prune(url, cutoff_ms, archive).await,
    }
}

/// Writes `entries` to `archive` (one JSON object a line) and flushes it.
fn archive_entries(archive: &mut Option<&mut dyn std::io::Write>, entries: &[Entry]) -> Result<(), LogError> {
    let Some(w) = archive.as_mut() else { return Ok(()) };
    for e in entries {
        writeln!(w, "{}", e.archive_line()).map_err(|e| LogError(format!("archive: cannot write: {e}")))?;
    }
    w.flush().map_err(|e| LogError(format!("archive: cannot write: {e}")))
}

/// The anchor after deleting `pruned` (in the order written) past `before`.
fn next_anchor(before: Option<&Anchor>, pruned: &[Entry], now_ms: i64) -> Option<Anchor> {
    let last = pruned.last()?;
    let position = before.map_or(0, |a| a.position) + pruned.len() as u64;
    // An entry from before the chain has no hash: the first chained entry after it chains from GENESIS.
    let hash = last.hash.clone().unwrap_or_else(|| GENESIS.to_string());
    Some(Anchor { position, entry: last.id.clone(), hash, pruned_ms: now_ms })
}

/// Which entries to read.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this actor.
    pub actor: Option<String>,
    /// Only entries recorded at or after this time (ms since the epoch).
    pub since_ms: Option<i64>,
}

/// How far a SQLite commit goes before a decision is acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sync {
    /// To the disk (`synchronous=FULL`: an fsync per commit).
    #[default]
    Full,
    /// To the operating system (`synchronous=NORMAL` in WAL mode: no fsync per commit).
    Normal,
}

/// Where the log is: a PostgreSQL URL, or else a SQLite file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite database file (created if missing).
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL connection URL (`postgres://user@host/db`).
    Postgres(String),
}

impl Location {
    /// `postgres://...` or `postgresql://...` is PostgreSQL; anything else a SQLite path.
    pub fn parse(s: &str) -> Location {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Location::Postgres(s.to_string())
        } else {
            Location::Sqlite(s.into())
        }
    }
}

/// An open log, for reading.
#[derive(Debug)]
pub enum Store {
    /// SQLite.
    Sqlite(sqlite::Reader),
    /// PostgreSQL.
    Postgres(postgres::Reader),
}

impl Store {
    /// Opens (creating the table if needed) the log for reading.
    pub async fn open(at: &Location) -> Result<Store, LogError> {
        Ok(match at {
            Location::Sqlite(p) => Store::Sqlite(sqlite::Reader::open(p)?),
            Location::Postgres(url) => Store::Postgres(postgres::Reader::open(url).await?),
        })
    }

    /// Entries matching `filter`, oldest first.
    pub async fn query(&self, filter: &Filter) -> Result<Vec<Entry>, LogError> {
        match self {
            Store::Sqlite(r) => r.query(filter.clone()).await,
            Store::Postgres(r) => r.query(filter).await,
        }
    }

    /// The entry `id` and the entries that refer to it (approvals, performed actions), in the order written.
    pub async fn related(&self, id: &str) -> Result<Vec<Entry>, LogError> {
        match self {
            Store::Sqlite(r) => r.related(id.to_string()).await,
            Store::Postgres(r) => r.related(id).await,
        }
    }

    /// `actor`'s last `limit` entries, oldest first.
    pub async fn recent(&self, actor: &str, limit: i64) -> Result<Vec<Entry>, LogError> {
        let mut out = match self {
            Store::Sqlite(r) => r.recent(actor.to_string(), limit).await?,
            Store::Postgres(r) => r.recent(actor, limit).await?,
        };
        out.reverse();
        Ok(out)
    }

    /// The chain's head now (`None` for an empty log that was never pruned): for a checkpoint.
    pub async fn head(&self) -> Result<Option<Head>, LogError> {
        match self {
            Store::Sqlite(r) => r.head().await,
            Store::Postgres(r) => r.head().await,
        }
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), LogError> {
        match self {
            Store::Sqlite(r) => r.ping().await,
            Store::Postgres(r) => r.ping().await,
        }
    }

    /// `actor`'s standing approvals that were not revoked, newest first (at
    /// most [`MAX_STANDING`]), as (entry id, when it was recorded in ms, the approval as JSON).
    pub async fn standing(&self, actor: &str) -> Result<Vec<(String, i64, String)>, LogError> {
        match self {
            Store::Sqlite(r) => r.standing(actor.to_string()).await,
            Store::Postgres(r) => r.standing(actor).await,
        }
    }

    /// What a decision reads of `actor`'s records: their standing approvals ([`Store::standing`]) and
    /// their performed actions with `since_ms <= at <= until_ms`; on SQLite in one read transaction
    /// (one snapshot), on PostgreSQL one read after the other.
    pub async fn for_decision(
        &self,
        actor: &str,
        since_ms: i64,
        until_ms: i64,
        with_input: bool,
    ) -> Result<Records, LogError> {
        match self {
            Store::Sqlite(r) => r.for_decision(actor.to_string(), since_ms, until_ms, with_input).await,
            Store::Postgres(r) => Ok(Records {
                standing: r.standing(actor).await?,
                performed: r.performed(actor, since_ms, until_ms, with_input).await?,
            }),
        }
    }
}

/// What a decision reads of an actor's records ([`Store::for_decision`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Records {
    /// The standing approvals not revoked, as [`Store::standing`] gives them.
    pub standing: Vec<(String, i64, String)>,
    /// The performed actions in the window, as (at, counts, the action as decided: the counters of
    /// `history.counts` read it, so it is read only `with_input`, else left empty).
    pub performed: Vec<(i64, i64, String)>,
}

/// Whether `at` names an audit log: a PostgreSQL URL, or a file that starts
/// with SQLite's header.
pub fn is_audit_log(at: &str) -> bool {
    match Location::parse(at) {
        Location::Postgres(_) => true,
        Location::Sqlite(path) => {
            let mut head = [0u8; 16];
            std::fs::File::open(path)
                .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
                .is_ok_and(|()| &head == b"SQLite format 3\0")
        }
    }
}

/// The decisions in the log as a history to replay: one action a line (JSON),
/// as it was decided — with the `history` counters the service derived (the
/// caller's are ignored), the time it used and the actor id as normalized,
/// and without an approval the service ignored — oldest first.
pub async fn decided_actions(at: &Location, filter: &Filter) -> Result<Vec<String>, LogError> {
    let store = Store::open(at).await?;
    Ok(decided_in(&store, filter).await?.into_iter().map(|(_, line)| line).collect())
}

/// [`decided_actions`] from an open store, each with the time it was decided (ms since the epoch).
pub async fn decided_in(store: &Store, filter: &Filter) -> Result<Vec<(i64, String)>, LogError> {
    let entries = store.query(filter).await?;
    let mut out = Vec::new();
    for e in entries.iter().filter(|e| e.kind == Kind::Decision) {
        let mut action: serde_json::Value =
            serde_json::from_str(&e.input).map_err(|err| LogError(format!("entry {}: input: {err}", e.id)))?;
        let Some(o) = action.as_object_mut() else {
            return Err(LogError(format!("entry {}: input: expected an object", e.id)));
        };
        if let Some(h) = &e.derived_history {
            let h: serde_json::Value =
                serde_json::from_str(h).map_err(|err| LogError(format!("entry {}: derived_history: {err}", e.id)))?;
            o.insert("history".into(), h);
        }
        // Entries with a caller were decided by a service that trusts only its own clock, ids and approvals.
        if e.caller.is_some() {
            o.insert("at".into(), serde_json::Value::String(e.at()));
            o.remove("approval");
            if let Some(actor) = o.get_mut("actor").and_then(|a| a.as_object_mut()) {
                actor.insert("id".into(), serde_json::Value::String(e.actor.clone()));
            }
        }
        out.push((e.at_ms, action.to_string()));
    }
    Ok(out)
}

/// An entry waiting to be written (or a probe: a write that leaves nothing), and who to tell.
struct Pending {
    entry: Option<Entry>,
    /// For a probe: how many bytes it writes (and deletes).
    probe_bytes: usize,
    /// Told the result, and handed the entry back: it is freed on the thread
    /// that allocated it, not on the one writer, whose time every decision waits for.
    done: oneshot::Sender<(Result<(), LogError>, Option<Entry>)>,
}

/// The handle requests append through (cheap to clone).
#[derive(Debug, Clone)]
pub struct Writer {
    tx: mpsc::Sender<Pending>,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending").field("id", &self.entry.as_ref().map(|e| &e.id)).finish()
    }
}

/// Takes what is waiting: the first entry (waited for) and whatever else is
/// already queued, up to [`MAX_BATCH`]; probes apart.
fn drain(first: Pending, rx: &mut mpsc::Receiver<Pending>) -> (Vec<Pending>, Vec<Pending>) {
    let (mut batch, mut probes) = (Vec::new(), Vec::new());
    let mut next = Some(first);
    while let Some(p) = next.take() {
        if p.entry.is_some() {
            batch.push(p);
        } else {
            probes.push(p);
        }
        if batch.len() < MAX_BATCH {
            next = rx.try_recv().ok();
        }
    }
    (batch, probes)
}

fn answer(batch: Vec<Pending>, result: Result<(), LogError>) {
    for p in batch {
        let _ = p.done.send((result.clone(), p.entry));
    }
}

impl Writer {
    /// Starts the writer for `at`. The returned join handle ends once every
    /// [`Writer`] clone is dropped and the last batch is committed.
    /// `max_bytes` caps a SQLite log's size: past it, writes fail (and decisions get 503).
    pub async fn start(
        at: &Location,
        sync: Sync,
        max_bytes: Option<u64>,
    ) -> Result<(Writer, tokio::task::JoinHandle<()>), LogError> {
        let (tx, mut rx) = mpsc::channel::<Pending>(4 * MAX_BATCH);
        let handle = match at {
            Location::Sqlite(path) => {
                let mut conn = sqlite::WriteConn::open(path, sync)?;
                if let Some(max) = max_bytes {
                    conn.limit(max)?;
                }
                tokio::task::spawn_blocking(move || {
                    while let Some(first) = rx.blocking_recv() {
                        let (batch, probes) = drain(first, &mut rx);
                        if !batch.is_empty() {
                            let result = conn.write(batch.iter().filter_map(|p| p.entry.as_ref()));
                            answer(batch, result);
                        }
                        if let Some(bytes) = probes.iter().map(|p| p.probe_bytes).max() {
                            let result = conn.probe(bytes);
                            answer(probes, result);
                        }
                    }
                })
            }
            Location::Postgres(url) => {
                let conn = postgres::WriteConn::open(url).await?;
                tokio::spawn(async move {
                    while let Some(first) = rx.recv().await {
                        let (batch, probes) = drain(first, &mut rx);
                        if !batch.is_empty() {
                            let result = conn.write(batch.iter().filter_map(|p| p.entry.as_ref())).await;
                            answer(batch, result);
                        }
                        if let Some(bytes) = probes.iter().map(|p| p.probe_bytes).max() {
                            let result = conn.probe(bytes).await;
                            answer(probes, result);
                        }
                    }
                })
            }
        };
        Ok((Writer { tx }, handle))
    }

    /// Appends `entry` and waits until it is committed.
    pub async fn append(&self, entry: Entry) -> Result<(), LogError> {
        self.send(Some(entry), 0).await
    }

    /// Whether the log can take a write of `bytes` now: a write through the
    /// same writer, in its turn, that leaves no entry (for `/healthz`).
    pub async fn probe(&self, bytes: usize) -> Result<(), LogError> {
        self.send(None, bytes).await
    }

    async fn send(&self, entry: Option<Entry>, probe_bytes: usize) -> Result<(), LogError> {
        let (done, wait) = oneshot::channel();
        self.tx
            .send(Pending { entry, probe_bytes, done })
            .await
            .map_err(|_| LogError("the writer has stopped".into()))?;
        let (result, entry) = wait.await.map_err(|_| LogError("the writer has stopped".into()))?;
        drop(entry);
        result
    }
}

/// The table, in SQL both databases accept.
pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS smpolicy_log (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    recorded_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    counts BIGINT NOT NULL,
    policy TEXT,
    policy_hash TEXT,
    verdict TEXT,
    deciding TEXT NOT NULL,
    decision_id TEXT,
    input TEXT NOT NULL,
    derived_history TEXT,
    caller TEXT,
    hash TEXT,
    version TEXT,
    groups TEXT
);
CREATE TABLE IF NOT EXISTS smpolicy_anchor (
    position BIGINT NOT NULL,
    entry_id TEXT NOT NULL,
    hash TEXT NOT NULL,
    pruned_ms BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS smpolicy_log_performed ON smpolicy_log (actor, kind, at_ms);
CREATE INDEX IF NOT EXISTS smpolicy_log_recorded ON smpolicy_log (recorded_ms);
CREATE INDEX IF NOT EXISTS smpolicy_log_decision ON smpolicy_log (decision_id);
";

/// Columns added since the first version of the table, for logs written before them.
pub(crate) const ADDED_COLUMNS: [&str; 4] = ["caller", "hash", "version", "groups"];

/// The columns, in the order both backends read them.
pub(crate) const COLUMNS: &str = "id, kind, recorded_ms, actor, action, at_ms, counts, policy, policy_hash, verdict, deciding, decision_id, input, derived_history, caller, hash, version, groups";

fn deciding_json(d: &[String]) -> String {
    serde_json::to_string(d).unwrap_or_else(|_| "[]".into())
}

fn deciding_from(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

fn kind_from(s: &str) -> Result<Kind, LogError> {
    Kind::parse(s).ok_or_else(|| LogError(format!("unknown entry kind `{s}`")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chain's definition as first written: the columns as a `serde_json::Value` array, printed.
    fn chain_hash_by_value(prev: &str, e: &Entry, deciding_stored: &str) -> String {
        use sha2::Digest;
        let columns = serde_json::json!([
            e.id,
            e.kind.as_str(),
            e.recorded_ms,
            e.actor,
            e.action,
            e.at_ms,
            e.counts,
            e.policy,
            e.policy_hash,
            e.verdict,
            deciding_stored,
            e.decision_id,
            e.input,
            e.derived_history,
            e.caller,
        ]);
        let digest = sha2::Sha256::digest(format!("{prev}\n{columns}").as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn the_chain_hash_is_the_one_logs_were_written_with() {
        let mut e = Entry {
            id: "0190f3a2b4c5000000001a2b3c".into(),
            kind: Kind::Decision,
            recorded_ms: 1_773_500_700_123,
            actor: "ren\u{e9}e \"r\" \\ \u{1}".into(),
            action: "post".into(),
            at_ms: -5,
            counts: 0,
            policy: Some("protective-agency".into()),
            policy_hash: Some("ab".repeat(32)),
            verdict: Some("allow".into()),
            deciding: vec!["a".into()],
            decision_id: None,
            input: r#"{"action":"post","actor":{"id":"Ren\u00e9e\n"},"x":[1,2.5,null]}"#.into(),
            derived_history: Some(r#"{"posts_today":0}"#.into()),
            caller: Some("tool \u{2028}".into()),
            hash: None,
            version: None,
            groups: None,
        };
        let deciding = deciding_json(&e.deciding);
        assert_eq!(chain_hash(GENESIS, &e, &deciding), chain_hash_by_value(GENESIS, &e, &deciding));
        e.kind = Kind::Performed;
        e.policy = None;
        e.derived_history = None;
        e.caller = None;
        e.counts = i64::MAX;
        let prev = chain_hash(GENESIS, &e, "[]");
        assert_eq!(chain_hash(&prev, &e, "[]"), chain_hash_by_value(&prev, &e, "[]"));
        assert_ne!(chain_hash(&prev, &e, "[]"), chain_hash(GENESIS, &e, "[]"));
    }
}
