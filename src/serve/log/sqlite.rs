//! The audit log in an embedded SQLite database (bundled, no system library):
//! WAL mode, `synchronous=FULL` or `NORMAL` ([`Sync`]), one writer connection and one reader.

use super::{
    archive_entries, chain_hash, deciding_from, deciding_json, kind_from, next_anchor, Anchor, Entry, Filter, Head,
    LogError, Pruned, Records, Stored, Sync, ADDED_COLUMNS, COLUMNS, GENESIS, PRUNE_CHUNK, SCHEMA,
};
use rusqlite::{params, Connection};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// How long a statement waits for another connection's lock.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

fn open(path: &Path, sync: Sync) -> Result<Connection, LogError> {
    let conn = Connection::open(path).map_err(|e| LogError(format!("cannot open `{}`: {e}", path.display())))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(LogError::from)?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)).map_err(LogError::from)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(LogError(format!("`{}`: cannot use write-ahead logging (journal mode {mode})", path.display())));
    }
    let pragma = match sync {
        Sync::Full => "PRAGMA synchronous=FULL;",
        Sync::Normal => "PRAGMA synchronous=NORMAL;",
    };
    conn.execute_batch(pragma).map_err(LogError::from)?;
    conn.execute_batch(SCHEMA).map_err(LogError::from)?;
    add_columns(&conn)?;
    Ok(conn)
}

/// [`COLUMNS`] as a log written by an earlier version can give them without
/// being written to: a column added since ([`ADDED_COLUMNS`]) that it lacks reads as `NULL`.
fn columns_of(conn: &Connection) -> Result<String, LogError> {
    let have = table_columns(conn)?;
    let cols: Vec<String> = COLUMNS
        .split(", ")
        .map(|c| if have.iter().any(|h| h == c) { c.to_string() } else { format!("NULL AS {c}") })
        .collect();
    Ok(cols.join(", "))
}

fn table_columns(conn: &Connection) -> Result<Vec<String>, LogError> {
    let mut stmt = conn.prepare("SELECT name FROM pragma_table_info('smpolicy_log')").map_err(LogError::from)?;
    let have: Vec<String> =
        stmt.query_map([], |r| r.get(0)).map_err(LogError::from)?.collect::<Result<_, _>>().map_err(LogError::from)?;
    Ok(have)
}

/// Adds the columns a log written by an earlier version lacks.
fn add_columns(conn: &Connection) -> Result<(), LogError> {
    let have = table_columns(conn)?;
    for col in ADDED_COLUMNS.iter().filter(|c| !have.iter().any(|h| h == *c)) {
        conn.execute_batch(&format!("ALTER TABLE smpolicy_log ADD COLUMN {col} TEXT")).map_err(LogError::from)?;
    }
    Ok(())
}

/// The writer's connection.
#[derive(Debug)]
pub struct WriteConn {
    conn: Connection,
}

impl WriteConn {
    /// Opens (creating) the database.
    pub fn open(path: &Path, sync: Sync) -> Result<WriteConn, LogError> {
        Ok(WriteConn { conn: open(path, sync)? })
    }

    /// Caps the database at about `max_bytes` (SQLite's `max_page_count`).
    pub fn limit(&mut self, max_bytes: u64) -> Result<(), LogError> {
        let page: i64 = self.conn.query_row("PRAGMA page_size", [], |r| r.get(0)).map_err(LogError::from)?;
        let pages = (max_bytes / page.max(512) as u64).max(1);
        let _: i64 = self
            .conn
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| r.get(0))
            .map_err(LogError::from)?;
        Ok(())
    }

    /// A write that commits and leaves nothing: whether the log can take one now.
    pub fn probe(&mut self, bytes: usize) -> Result<(), LogError> {
        self.conn
            .execute_batch(&format!(
                "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS smpolicy_probe (x BLOB); \
                 INSERT INTO smpolicy_probe VALUES (zeroblob({bytes})); DELETE FROM smpolicy_probe; COMMIT;"
            ))
            .map_err(|e| {
                let _ = self.conn.execute_batch("ROLLBACK");
                LogError::from(e)
            })
    }

    /// Writes `entries` in one transaction and commits.
    pub fn write<'a>(&mut self, entries: impl Iterator<Item = &'a Entry>) -> Result<(), LogError> {
        // IMMEDIATE: the write lock first, so that the chain's head read here is still the head at commit,
        // even with another process writing to the same file.
        let tx =
            self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(LogError::from)?;
        let head: Option<Option<String>> = tx
            .prepare_cached("SELECT hash FROM smpolicy_log ORDER BY rowid DESC LIMIT 1")
            .and_then(|mut stmt| stmt.query_row([], |r| r.get(0)))
            .map(Some)
            .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })
            .map_err(LogError::from)?;
        let mut last = match head {
            Some(hash) => hash.unwrap_or_else(|| GENESIS.to_string()),
            // Empty: new, or every entry pruned; then the chain goes on from the anchor.
            None => read_anchor(&tx)?.map_or_else(|| GENESIS.to_string(), |a| a.hash),
        };
        {
            let mut stmt = tx
                .prepare_cached(&format!(
                    "INSERT INTO smpolicy_log ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
                ))
                .map_err(LogError::from)?;
            for e in entries {
                let deciding = deciding_json(&e.deciding);
                last = chain_hash(&last, e, &deciding);
                stmt.execute(params![
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
                    deciding,
                    e.decision_id,
                    e.input,
                    e.derived_history,
                    e.caller,
                    last,
                    e.version,
                    e.groups,
                ])
                .map_err(LogError::from)?;
            }
        }
        tx.commit().map_err(LogError::from)
    }
}

/// The anchor, from a connection on a log with the anchor table.
fn read_anchor(conn: &Connection) -> Result<Option<Anchor>, LogError> {
    conn.query_row("SELECT position, entry_id, hash, pruned_ms FROM smpolicy_anchor LIMIT 1", [], |r| {
        Ok(Anchor {
            position: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
            entry: r.get(1)?,
            hash: r.get(2)?,
            pruned_ms: r.get(3)?,
        })
    })
    .map(Some)
    .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })
    .map_err(LogError::from)
}

/// The anchor of the log at `path`, if it was ever pruned (read without writing: a log from before pruning has no anchor table).
pub fn anchor(path: &Path) -> Result<Option<Anchor>, LogError> {
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(|e| LogError(format!("cannot open `{}`: {e}", path.display())))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(LogError::from)?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'smpolicy_anchor'", [], |r| {
            r.get(0)
        })
        .map_err(LogError::from)?;
    if tables == 0 {
        return Ok(None);
    }
    read_anchor(&conn)
}

/// [`super::prune`] on SQLite: deleted content is overwritten (`secure_delete`), and the write-ahead file truncated after.
pub fn prune(path: &Path, cutoff_ms: i64, mut archive: Option<&mut dyn std::io::Write>) -> Result<Pruned, LogError> {
    let mut conn = open(path, Sync::Full)?;
    conn.execute_batch("PRAGMA secure_delete = ON;").map_err(LogError::from)?;
    let mut out = Pruned { entries: 0, anchor: read_anchor(&conn)? };
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(LogError::from)?;
        let before = read_anchor(&tx)?;
        let (rows, full) = {
            let mut stmt = tx
                .prepare(&format!("SELECT {COLUMNS}, rowid FROM smpolicy_log ORDER BY rowid LIMIT ?1"))
                .map_err(LogError::from)?;
            let mut rows = stmt.query(params![PRUNE_CHUNK as i64]).map_err(LogError::from)?;
            let (mut out, mut read) = (Vec::new(), 0);
            while let Some(r) = rows.next().map_err(LogError::from)? {
                read += 1;
                let e = stored(r).map_err(LogError::from)?.entry;
                if e.recorded_ms >= cutoff_ms {
                    break;
                }
                let rowid: i64 = r.get(18).map_err(LogError::from)?;
                out.push((rowid, e));
            }
            let full = read == PRUNE_CHUNK && out.len() == PRUNE_CHUNK;
            (out, full)
        };
        let Some(last_rowid) = rows.last().map(|(rowid, _)| *rowid) else { break };
        let entries: Vec<Entry> = rows.into_iter().map(|(_, e)| e).collect();
        // Archived (and flushed to disk) before the deletion commits.
        archive_entries(&mut archive, &entries)?;
        let anchor = next_anchor(before.as_ref(), &entries, jiff::Timestamp::now().as_millisecond());
        tx.execute("DELETE FROM smpolicy_log WHERE rowid <= ?1", params![last_rowid]).map_err(LogError::from)?;
        if let Some(a) = &anchor {
            tx.execute("DELETE FROM smpolicy_anchor", []).map_err(LogError::from)?;
            tx.execute(
                "INSERT INTO smpolicy_anchor (position, entry_id, hash, pruned_ms) VALUES (?1, ?2, ?3, ?4)",
                params![i64::try_from(a.position).unwrap_or(i64::MAX), a.entry, a.hash, a.pruned_ms],
            )
            .map_err(LogError::from)?;
        }
        tx.commit().map_err(LogError::from)?;
        out.entries += entries.len() as u64;
        out.anchor = anchor;
        if !full {
            break;
        }
    }
    if out.entries > 0 {
        // The deleted entries' pages may still sit in the write-ahead file: fold it in and truncate it (best effort:
        // a reader in the middle of a transaction keeps it until the next checkpoint).
        let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    }
    Ok(out)
}

/// How many reading connections: one slow read (an actor with a long
/// history) leaves the others to everyone else.
pub const READERS: usize = 4;

/// Reading connections, shared; queries run on the blocking pool, each on a free connection.
#[derive(Debug, Clone)]
pub struct Reader {
    conns: Arc<Vec<Mutex<Connection>>>,
    next: Arc<std::sync::atomic::AtomicUsize>,
}

/// The entries of a query's rows (each row read by [`row`]), its kind checked.
fn entries(rows: impl Iterator<Item = rusqlite::Result<(Entry, String)>>) -> Result<Vec<Entry>, LogError> {
    let mut out = Vec::new();
    for r in rows {
        let (mut e, kind) = r.map_err(LogError::from)?;
        e.kind = kind_from(&kind)?;
        out.push(e);
    }
    Ok(out)
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Entry, String)> {
    let stored = stored(r)?;
    Ok((stored.entry, stored.kind))
}

fn stored(r: &rusqlite::Row<'_>) -> rusqlite::Result<Stored> {
    let kind: String = r.get(1)?;
    let deciding: String = r.get(10)?;
    Ok(Stored {
        entry: Entry {
            id: r.get(0)?,
            kind: super::Kind::parse(&kind).unwrap_or(super::Kind::Decision),
            recorded_ms: r.get(2)?,
            actor: r.get(3)?,
            action: r.get(4)?,
            at_ms: r.get(5)?,
            counts: r.get(6)?,
            policy: r.get(7)?,
            policy_hash: r.get(8)?,
            verdict: r.get(9)?,
            deciding: deciding_from(&deciding),
            decision_id: r.get(11)?,
            input: r.get(12)?,
            derived_history: r.get(13)?,
            caller: r.get(14)?,
            hash: r.get(15)?,
            version: r.get(16)?,
            groups: r.get(17)?,
        },
        deciding,
        kind,
    })
}

/// Calls `f` on each stored entry matching `filter`, in the order written,
/// one row at a time (the memory used does not grow with the log).
pub fn scan(path: &Path, filter: &Filter, f: &mut dyn FnMut(Stored) -> Result<(), LogError>) -> Result<(), LogError> {
    // Read-write (never written): a read-only connection cannot open a log whose write-ahead file is not checkpointed.
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(|e| LogError(format!("cannot open `{}`: {e}", path.display())))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(LogError::from)?;
    let columns = columns_of(&conn)?;
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {columns} FROM smpolicy_log WHERE (?1 IS NULL OR actor = ?1) AND recorded_ms >= ?2 ORDER BY rowid"
        ))
        .map_err(LogError::from)?;
    let mut rows = stmt.query(params![filter.actor, filter.since_ms.unwrap_or(i64::MIN)]).map_err(LogError::from)?;
    while let Some(r) = rows.next().map_err(LogError::from)? {
        f(stored(r).map_err(LogError::from)?)?;
    }
    Ok(())
}

impl Reader {
    /// Opens (creating) the database.
    pub fn open(path: &Path) -> Result<Reader, LogError> {
        let conns = (0..READERS).map(|_| open(path, Sync::Full).map(Mutex::new)).collect::<Result<Vec<_>, _>>()?;
        Ok(Reader { conns: Arc::new(conns), next: Arc::default() })
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, LogError> + Send + 'static,
    ) -> Result<T, LogError> {
        let conns = self.conns.clone();
        let start = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tokio::task::spawn_blocking(move || {
            let n = conns.len();
            // A free connection if there is one, else wait for this request's turn.
            let free = (0..n).find_map(|i| conns.get((start + i) % n).and_then(|c| c.try_lock().ok()));
            let conn = match free {
                Some(c) => c,
                None => match conns.get(start % n.max(1)) {
                    Some(c) => c.lock().unwrap_or_else(|p| p.into_inner()),
                    None => return Err(LogError("no reading connection".into())),
                },
            };
            f(&conn)
        })
        .await
        .map_err(LogError::from)?
    }

    /// Entries matching `filter`, oldest first.
    pub async fn query(&self, filter: Filter) -> Result<Vec<Entry>, LogError> {
        self.run(move |conn| {
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT {COLUMNS} FROM smpolicy_log WHERE (?1 IS NULL OR actor = ?1) AND recorded_ms >= ?2 ORDER BY recorded_ms, id"
                ))
                .map_err(LogError::from)?;
            let rows = stmt
                .query_map(params![filter.actor, filter.since_ms.unwrap_or(i64::MIN)], row)
                .map_err(LogError::from)?;
            entries(rows)
        })
        .await
    }

    /// The entry `id` and those that refer to it, in the order written.
    pub async fn related(&self, id: String) -> Result<Vec<Entry>, LogError> {
        self.run(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM smpolicy_log WHERE id = ?1 OR decision_id = ?1 ORDER BY rowid"
                ))
                .map_err(LogError::from)?;
            let rows = stmt.query_map(params![id], row).map_err(LogError::from)?;
            entries(rows)
        })
        .await
    }

    /// `actor`'s last `limit` entries, newest first.
    pub async fn recent(&self, actor: String, limit: i64) -> Result<Vec<Entry>, LogError> {
        self.run(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM smpolicy_log WHERE actor = ?1 ORDER BY rowid DESC LIMIT ?2"
                ))
                .map_err(LogError::from)?;
            let rows = stmt.query_map(params![actor, limit], row).map_err(LogError::from)?;
            entries(rows)
        })
        .await
    }

    /// The chain's head: the newest entry, and its position counted from the first entry ever (one statement, one snapshot).
    pub async fn head(&self) -> Result<Option<Head>, LogError> {
        self.run(|conn| {
            let row = conn
                .query_row(
                    "SELECT (SELECT count(*) FROM smpolicy_log), id, hash, (SELECT position FROM smpolicy_anchor LIMIT 1) \
                     FROM smpolicy_log ORDER BY rowid DESC LIMIT 1",
                    [],
                    |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?, r.get::<_, Option<i64>>(3)?)),
                )
                .map(Some)
                .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })
                .map_err(LogError::from)?;
            Ok(match row {
                Some((count, entry, Some(hash), base)) => Some(Head {
                    position: u64::try_from(count.saturating_add(base.unwrap_or(0))).unwrap_or(0),
                    entry,
                    hash,
                }),
                Some((_, _, None, _)) => None,
                None => read_anchor(conn)?.map(|a| Head { position: a.position, entry: a.entry, hash: a.hash }),
            })
        })
        .await
    }

    /// Whether the database answers a query (for `/healthz`).
    pub async fn ping(&self) -> Result<(), LogError> {
        self.run(|conn| conn.query_row("SELECT 1", [], |_| Ok(())).map_err(LogError::from)).await
    }

    /// `actor`'s performed actions in a window, as (at, counts, input); the
    /// input (the action as logged) only `with_input`, else empty: only a
    /// policy that reads a `history.counts` counter needs it.
    ///
    /// Every decision reads these, and most actors have a few: the read is
    /// first tried on the request's own thread, on a free connection, taking
    /// at most [`INLINE_ROWS`] rows and never waiting for a lock. Only a
    /// longer history (or no free connection, or a busy database) is read on
    /// the blocking pool, so one actor's long history holds up no one else,
    /// and the common case costs no hand-off between threads.
    pub async fn performed(
        &self,
        actor: String,
        since_ms: i64,
        until_ms: i64,
        with_input: bool,
    ) -> Result<Vec<(i64, i64, String)>, LogError> {
        if let Some(rows) = self.performed_inline(&actor, since_ms, until_ms, with_input) {
            return Ok(rows);
        }
        let sql = if with_input { PERFORMED_WITH_INPUT } else { PERFORMED };
        self.run(move |conn| performed_rows(conn, sql, &actor, since_ms, until_ms)).await
    }

    /// [`Reader::performed`] on this thread, if a connection is free and the history is short; else `None`.
    fn performed_inline(
        &self,
        actor: &str,
        since_ms: i64,
        until_ms: i64,
        with_input: bool,
    ) -> Option<Vec<(i64, i64, String)>> {
        let sql = if with_input { PERFORMED_WITH_INPUT_INLINE } else { PERFORMED_INLINE };
        self.inline(|conn| performed_rows(conn, sql, actor, since_ms, until_ms)).filter(|r| r.len() <= INLINE_ROWS)
    }

    /// `read` on this thread, on a free connection and without waiting for a lock; `None` if no connection is free
    /// or the read failed (an error here, busy say, is met again, waited for or reported, on the blocking pool).
    fn inline<T>(&self, read: impl FnOnce(&Connection) -> Result<T, LogError>) -> Option<T> {
        let conn = self.conns.iter().find_map(|c| c.try_lock().ok())?;
        conn.busy_timeout(std::time::Duration::ZERO).ok()?;
        let out = read(&conn);
        conn.busy_timeout(BUSY_TIMEOUT).ok()?;
        out.ok()
    }

    /// [`Reader::standing`] and [`Reader::performed`] in one read transaction: one snapshot of the log,
    /// and one start of a read (its locks, and the check of the write-ahead log) instead of two. As
    /// those reads, on this thread when a connection is free and the history is short, else on the
    /// blocking pool.
    pub async fn for_decision(
        &self,
        actor: String,
        since_ms: i64,
        until_ms: i64,
        with_input: bool,
    ) -> Result<Records, LogError> {
        let sql = if with_input { PERFORMED_WITH_INPUT_INLINE } else { PERFORMED_INLINE };
        let inline = self
            .inline(|conn| one_read(conn, |conn| records(conn, sql, &actor, since_ms, until_ms)))
            .filter(|r| r.performed.len() <= INLINE_ROWS);
        if let Some(records) = inline {
            return Ok(records);
        }
        let sql = if with_input { PERFORMED_WITH_INPUT } else { PERFORMED };
        self.run(move |conn| one_read(conn, |conn| records(conn, sql, &actor, since_ms, until_ms))).await
    }

    /// `actor`'s standing approvals not revoked, newest first (at most
    /// [`super::MAX_STANDING`]), as (entry id, when recorded in ms, the approval as JSON). Every
    /// decision reads them: on this thread when a connection is free, as the history.
    pub async fn standing(&self, actor: String) -> Result<Vec<(String, i64, String)>, LogError> {
        if let Some(rows) = self.inline(|conn| standing_rows(conn, &actor)) {
            return Ok(rows);
        }
        self.run(move |conn| standing_rows(conn, &actor)).await
    }
}

/// `read` in one read transaction (`BEGIN` is deferred: the first statement takes the snapshot, the
/// others read the same one), ended before returning whatever happened, so that the connection never
/// keeps an old snapshot.
fn one_read<T>(conn: &Connection, read: impl FnOnce(&Connection) -> Result<T, LogError>) -> Result<T, LogError> {
    conn.prepare_cached("BEGIN").and_then(|mut s| s.execute([])).map_err(LogError::from)?;
    let out = read(conn);
    let end = if out.is_ok() { "COMMIT" } else { "ROLLBACK" };
    let ended = conn.prepare_cached(end).and_then(|mut s| s.execute([]));
    if !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
        if !conn.is_autocommit() {
            return Err(LogError("a read of the log could not be ended".into()));
        }
    }
    let out = out?;
    ended.map_err(LogError::from)?;
    Ok(out)
}

/// A decision's reads ([`Reader::for_decision`]), with `sql` for the performed actions.
fn records(conn: &Connection, sql: &str, actor: &str, since_ms: i64, until_ms: i64) -> Result<Records, LogError> {
    Ok(Records {
        standing: standing_rows(conn, actor)?,
        performed: performed_rows(conn, sql, actor, since_ms, until_ms)?,
    })
}

/// The standing approvals of `?1` that no revocation refers to, newest first.
const STANDING: &str =
    "SELECT s.id, s.at_ms, s.input FROM smpolicy_log s WHERE s.actor = ?1 AND s.kind = 'standing_approval' \
     AND NOT EXISTS (SELECT 1 FROM smpolicy_log r WHERE r.decision_id = s.id AND r.kind = 'revocation') \
     ORDER BY s.at_ms DESC LIMIT 64";

fn standing_rows(conn: &Connection, actor: &str) -> Result<Vec<(String, i64, String)>, LogError> {
    let mut stmt = conn.prepare_cached(STANDING).map_err(LogError::from)?;
    let rows = stmt.query_map(params![actor], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(LogError::from)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(LogError::from)
}

/// The most rows of history a decision reads on its own thread ([`Reader::performed`]).
pub const INLINE_ROWS: usize = 256;

/// `actor`'s performed actions with `since_ms <= at <= until_ms` (`?1`, `?2`, `?3`), without their input.
const PERFORMED: &str =
    "SELECT at_ms, counts, '' FROM smpolicy_log WHERE actor = ?1 AND kind = 'performed' AND at_ms >= ?2 AND at_ms <= ?3";

/// [`PERFORMED`] with each action as logged.
const PERFORMED_WITH_INPUT: &str =
    "SELECT at_ms, counts, input FROM smpolicy_log WHERE actor = ?1 AND kind = 'performed' AND at_ms >= ?2 AND at_ms <= ?3";

/// [`PERFORMED`], at most [`INLINE_ROWS`] + 1 rows. The limit is written
/// out: SQLite prepares a statement again whenever a parameter its plan
/// depends on is bound, and a bound LIMIT is one.
const PERFORMED_INLINE: &str = "SELECT at_ms, counts, '' FROM smpolicy_log WHERE actor = ?1 AND kind = 'performed' AND at_ms >= ?2 AND at_ms <= ?3 LIMIT 257";

/// [`PERFORMED_WITH_INPUT`], at most [`INLINE_ROWS`] + 1 rows.
const PERFORMED_WITH_INPUT_INLINE: &str = "SELECT at_ms, counts, input FROM smpolicy_log WHERE actor = ?1 AND kind = 'performed' AND at_ms >= ?2 AND at_ms <= ?3 LIMIT 257";

/// The rows of `sql` ([`PERFORMED`] or [`PERFORMED_INLINE`]) for `actor` and the window.
fn performed_rows(
    conn: &Connection,
    sql: &str,
    actor: &str,
    since_ms: i64,
    until_ms: i64,
) -> Result<Vec<(i64, i64, String)>, LogError> {
    let mut stmt = conn.prepare_cached(sql).map_err(LogError::from)?;
    let rows = stmt
        .query_map(params![actor, since_ms, until_ms], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map_err(LogError::from)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(LogError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_reads_keep_their_prepared_statements() {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let path = std::env::temp_dir().join(format!("smpolicy-history-{}-{nanos}.sqlite", std::process::id()));
        let conn = open(&path, Sync::Normal).unwrap();
        assert_eq!(PERFORMED_INLINE, format!("{PERFORMED} LIMIT {}", INLINE_ROWS + 1));
        assert_eq!(PERFORMED_WITH_INPUT_INLINE, format!("{PERFORMED_WITH_INPUT} LIMIT {}", INLINE_ROWS + 1));
        assert_eq!(PERFORMED_WITH_INPUT, PERFORMED.replace("counts, ''", "counts, input"));
        for sql in [PERFORMED, PERFORMED_INLINE, PERFORMED_WITH_INPUT, PERFORMED_WITH_INPUT_INLINE] {
            for i in 0..3 {
                assert!(performed_rows(&conn, sql, "a", i, i + 10).unwrap().is_empty());
            }
            // Every decision runs one of these: preparing it again each time cost more than the rest of the read.
            let stmt = conn.prepare_cached(sql).unwrap();
            assert_eq!(stmt.get_status(rusqlite::StatementStatus::RePrepare), 0, "{sql}");
        }
        drop(conn);
        remove(&path);
    }

    #[test]
    fn the_standing_read_follows_the_index_without_sorting() {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let path = std::env::temp_dir().join(format!("smpolicy-standing-{}-{nanos}.sqlite", std::process::id()));
        let entry = |id: &str, kind, refers_to: Option<&str>, at_ms| Entry {
            id: id.into(),
            kind,
            recorded_ms: at_ms,
            actor: "a".into(),
            action: "any".into(),
            at_ms,
            counts: 0,
            policy: None,
            policy_hash: None,
            verdict: None,
            deciding: Vec::new(),
            decision_id: refers_to.map(str::to_string),
            input: format!("{{\"granted_by\":\"{id}\"}}"),
            derived_history: None,
            caller: None,
            hash: None,
            version: None,
            groups: None,
        };
        use super::super::Kind::{Revocation, StandingApproval};
        let entries = [
            entry("s1", StandingApproval, None, 1),
            entry("s2", StandingApproval, None, 2),
            entry("s3", StandingApproval, None, 3),
            entry("r2", Revocation, Some("s2"), 4),
        ];
        WriteConn::open(&path, Sync::Normal).unwrap().write(entries.iter()).unwrap();
        let conn = open(&path, Sync::Normal).unwrap();
        assert!(STANDING.ends_with(&format!("LIMIT {}", super::super::MAX_STANDING)), "{STANDING}");
        for _ in 0..3 {
            let ids: Vec<String> = standing_rows(&conn, "a").unwrap().into_iter().map(|(id, _, _)| id).collect();
            assert_eq!(ids, ["s3", "s1"], "the newest first, the revoked one left out");
            assert!(standing_rows(&conn, "b").unwrap().is_empty());
        }
        // Every decision runs it: a scan of the log, or a sort, would cost each decision more as the log grows.
        let stmt = conn.prepare_cached(STANDING).unwrap();
        assert_eq!(stmt.get_status(rusqlite::StatementStatus::Sort), 0);
        assert_eq!(stmt.get_status(rusqlite::StatementStatus::FullscanStep), 0);
        assert_eq!(stmt.get_status(rusqlite::StatementStatus::RePrepare), 0);
        drop(stmt);
        drop(conn);
        remove(&path);
    }

    fn remove(path: &Path) {
        for ext in ["sqlite", "sqlite-wal", "sqlite-shm"] {
            let _ = std::fs::remove_file(path.with_extension(ext));
        }
    }

    #[test]
    fn a_decision_reads_its_records_in_one_snapshot_and_keeps_none() {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let path = std::env::temp_dir().join(format!("smpolicy-records-{}-{nanos}.sqlite", std::process::id()));
        let entry = |id: &str, kind, refers_to: Option<&str>, at_ms| Entry {
            id: id.into(),
            kind,
            recorded_ms: at_ms,
            actor: "a".into(),
            action: "post".into(),
            at_ms,
            counts: i64::from(kind == super::super::Kind::Performed),
            policy: None,
            policy_hash: None,
            verdict: None,
            deciding: Vec::new(),
            decision_id: refers_to.map(str::to_string),
            input: format!("{{\"n\":\"{id}\"}}"),
            derived_history: None,
            caller: None,
            hash: None,
            version: None,
            groups: None,
        };
        use super::super::Kind::{Performed, Revocation, StandingApproval};
        let mut writer = WriteConn::open(&path, Sync::Normal).unwrap();
        let first = [
            entry("s1", StandingApproval, None, 1),
            entry("s2", StandingApproval, None, 2),
            entry("r1", Revocation, Some("s1"), 3),
            entry("p1", Performed, Some("d1"), 10),
            entry("p2", Performed, Some("d2"), 20),
        ];
        writer.write(first.iter()).unwrap();
        let reader = Reader::open(&path).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        for with_input in [false, true] {
            let r = rt.block_on(reader.for_decision("a".into(), 0, 15, with_input)).unwrap();
            // The same rows as the two reads on their own.
            assert_eq!(r.standing, rt.block_on(reader.standing("a".into())).unwrap());
            assert_eq!(r.performed, rt.block_on(reader.performed("a".into(), 0, 15, with_input)).unwrap());
            assert_eq!(r.standing.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(), ["s2"]);
            assert_eq!(r.performed.len(), 1);
        }
        // No connection keeps its snapshot: what is written next is read next, on every connection.
        writer.write([entry("r2", Revocation, Some("s2"), 30), entry("p3", Performed, Some("d3"), 12)].iter()).unwrap();
        for conn in reader.conns.iter() {
            assert!(conn.lock().unwrap().is_autocommit());
        }
        let held: Vec<_> = reader.conns.iter().skip(1).map(|c| c.lock().unwrap()).collect();
        let r = rt.block_on(reader.for_decision("a".into(), 0, 15, false)).unwrap();
        assert!(r.standing.is_empty(), "s2 was revoked since");
        assert_eq!(r.performed.len(), 2);
        drop(held);
        // A history too long for the request's thread is read whole, with the standing approvals.
        let long: Vec<Entry> =
            (0..INLINE_ROWS as i64 + 5).map(|i| entry(&format!("q{i:04}"), Performed, None, 100 + i)).collect();
        writer.write(long.iter()).unwrap();
        writer.write([entry("s3", StandingApproval, None, 40)].iter()).unwrap();
        let r = rt.block_on(reader.for_decision("a".into(), 100, i64::MAX, true)).unwrap();
        assert_eq!(r.performed.len(), INLINE_ROWS + 5);
        assert_eq!(r.standing.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(), ["s3"]);
        for conn in reader.conns.iter() {
            assert!(conn.lock().unwrap().is_autocommit());
        }
        drop(writer);
        remove(&path);
    }

    #[test]
    fn a_long_history_is_read_whole() {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let path = std::env::temp_dir().join(format!("smpolicy-long-{}-{nanos}.sqlite", std::process::id()));
        let performed = |actor: &str, i: i64| Entry {
            id: format!("{actor}-{i:06}"),
            kind: super::super::Kind::Performed,
            recorded_ms: i,
            actor: actor.into(),
            action: "post".into(),
            at_ms: 1000 + i,
            counts: 1,
            policy: None,
            policy_hash: None,
            verdict: None,
            deciding: Vec::new(),
            decision_id: Some(format!("d-{actor}-{i}")),
            input: "{}".into(),
            derived_history: None,
            caller: None,
            hash: None,
            version: None,
            groups: None,
        };
        let long = INLINE_ROWS as i64 + 44;
        let entries: Vec<Entry> =
            (0..long).map(|i| performed("long", i)).chain((0..3).map(|i| performed("short", i))).collect();
        WriteConn::open(&path, Sync::Normal).unwrap().write(entries.iter()).unwrap();
        let reader = Reader::open(&path).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        // Past the rows read on the request's thread, the rest of the history is read too.
        let rows = rt.block_on(reader.performed("long".into(), 0, i64::MAX, true)).unwrap();
        assert!(rows.iter().all(|r| r.2 == "{}"), "the input is read when asked for");
        assert_eq!(rows.len() as i64, long);
        assert_eq!(rt.block_on(reader.performed("short".into(), 0, i64::MAX, false)).unwrap().len(), 3);
        assert_eq!(rt.block_on(reader.performed("long".into(), 1000, 1009, false)).unwrap().len(), 10);
        // With every connection taken, the read waits its turn on the blocking pool.
        let held: Vec<_> = reader.conns.iter().map(|c| c.lock().unwrap()).collect();
        assert!(reader.performed_inline("short", 0, i64::MAX, false).is_none());
        drop(held);
        remove(&path);
    }
}
