//! The audit log in PostgreSQL, so that several replicas share one log.
//! One connection writes (a batch is one `INSERT ... SELECT FROM unnest(...)`
//! in a transaction); another reads. A connection found closed (the database
//! restarted, the network dropped) is made again before the next use; the
//! requests that failed meanwhile got an error and were not acknowledged.
//! Connections are made without TLS: run the server next to the database, or
//! through a local TLS tunnel.

use super::{
    archive_entries, chain_hash, deciding_from, deciding_json, kind_from, next_anchor, Anchor, Entry, Filter, Head,
    LogError, Pruned, Stored, ADDED_COLUMNS, COLUMNS, GENESIS, PRUNE_CHUNK, SCHEMA,
};
use arc_swap::ArcSwap;
use std::sync::Arc;
use tokio_postgres::{Client, NoTls};

async fn connect(url: &str) -> Result<Client, LogError> {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .map_err(|e| LogError(format!("cannot connect to PostgreSQL: {e}")))?;
    tokio::spawn(async move {
        // The connection ends when the client is dropped or the server goes
        // away; requests then fail with the error, which they report.
        let _ = connection.await;
    });
    // Replicas starting together on an empty database take turns creating the table.
    // `seq` orders the entries as written (the hash chain's order).
    let added: String =
        ADDED_COLUMNS.iter().map(|c| format!("ALTER TABLE smpolicy_log ADD COLUMN IF NOT EXISTS {c} TEXT; ")).collect();
    let schema = format!(
        "BEGIN; SELECT pg_advisory_xact_lock(7406161636); {SCHEMA} {added} \
         ALTER TABLE smpolicy_log ADD COLUMN IF NOT EXISTS seq BIGSERIAL; \
         CREATE INDEX IF NOT EXISTS smpolicy_log_seq ON smpolicy_log (seq); COMMIT;"
    );
    client.batch_execute(&schema).await.map_err(LogError::from)?;
    Ok(client)
}

/// A connection that is made again when found closed.
#[derive(Debug)]
struct Conn {
    url: String,
    client: ArcSwap<Client>,
}

impl Conn {
    async fn open(url: &str) -> Result<Conn, LogError> {
        Ok(Conn { url: url.to_string(), client: ArcSwap::from_pointee(connect(url).await?) })
    }

    /// The client, connected again first if it was closed.
    async fn client(&self) -> Result<Arc<Client>, LogError> {
        let current = self.client.load_full();
        if !current.is_closed() {
            return Ok(current);
        }
        let fresh = Arc::new(connect(&self.url).await?);
        self.client.store(fresh.clone());
        Ok(fresh)
    }
}

/// The writer's connection.
#[derive(Debug)]
pub struct WriteConn {
    conn: Conn,
}

impl WriteConn {
    /// Connects and creates the table if needed.
    pub async fn open(url: &str) -> Result<WriteConn, LogError> {
        Ok(WriteConn { conn: Conn::open(url).await? })
    }

    /// Writes `entries` in one transaction, chained to the last entry any
    /// replica wrote (an advisory lock keeps replicas' batches in turn), and commits.
    pub async fn write<'a>(&self, entries: impl Iterator<Item = &'a Entry>) -> Result<(), LogError> {
        let client = self.conn.client().await?;
        client.batch_execute("BEGIN; SELECT pg_advisory_xact_lock(7406161637);").await.map_err(LogError::from)?;
        let result = Self::write_in(&client, entries).await;
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        let ended = client.batch_execute(end).await.map_err(LogError::from);
        result.and(ended)
    }

    /// Whether the database takes a write now (a temporary table, dropped at commit).
    pub async fn probe(&self, _bytes: usize) -> Result<(), LogError> {
        self.conn
            .client()
            .await?
            .batch_execute(
                "BEGIN; CREATE TEMPORARY TABLE smpolicy_probe (x int) ON COMMIT DROP; INSERT INTO smpolicy_probe VALUES (1); COMMIT;",
            )
            .await
            .map_err(LogError::from)
    }

    async fn write_in<'a>(client: &Client, entries: impl Iterator<Item = &'a Entry>) -> Result<(), LogError> {
        let last = client
            .query_opt("SELECT hash FROM smpolicy_log ORDER BY seq DESC LIMIT 1", &[])
            .await
            .map_err(LogError::from)?;
        let mut last: String = match last {
            Some(r) => r.try_get::<_, Option<String>>(0).map_err(LogError::from)?.unwrap_or_else(|| GENESIS.into()),
            // Empty: new, or every entry pruned; then the chain goes on from the anchor.
            None => read_anchor(client).await?.map_or_else(|| GENESIS.into(), |a| a.hash),
        };
        let mut c = Columns::default();
        for e in entries {
            let deciding = deciding_json(&e.deciding);
            last = chain_hash(&last, e, &deciding);
            c.caller.push(e.caller.clone());
            c.hash.push(last.clone());
            c.version.push(e.version.clone());
            c.groups.push(e.groups.clone());
            c.id.push(e.id.clone());
            c.kind.push(e.kind.as_str().to_string());
            c.recorded_ms.push(e.recorded_ms);
            c.actor.push(e.actor.clone());
            c.action.push(e.action.clone());
            c.at_ms.push(e.at_ms);
            c.counts.push(e.counts);
            c.policy.push(e.policy.clone());
            c.policy_hash.push(e.policy_hash.clone());
            c.verdict.push(e.verdict.clone());
            c.deciding.push(deciding);
            c.decision_id.push(e.decision_id.clone());
            c.input.push(e.input.clone());
            c.derived_history.push(e.derived_history.clone());
        }
        let sql = format!(
            "INSERT INTO smpolicy_log ({COLUMNS}) SELECT c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18 FROM unnest($1::text[], $2::text[], $3::int8[], $4::text[], \
             $5::text[], $6::int8[], $7::int8[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], \
             $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[]) \
             WITH ORDINALITY AS u(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, n) ORDER BY n"
        );
        client
            .execute(
                &sql,
                &[
                    &c.id,
                    &c.kind,
                    &c.recorded_ms,
                    &c.actor,
                    &c.action,
                    &c.at_ms,
                    &c.counts,
                    &c.policy,
                    &c.policy_hash,
                    &c.verdict,
                    &c.deciding,
                    &c.decision_id,
                    &c.input,
                    &c.derived_history,
                    &c.caller,
                    &c.hash,
                    &c.version,
                    &c.groups,
                ],
            )
            .await
            .map(|_| ())
            .map_err(LogError::from)
    }
}

async fn read_anchor(client: &Client) -> Result<Option<Anchor>, LogError> {
    let row = client
        .query_opt("SELECT position, entry_id, hash, pruned_ms FROM smpolicy_anchor LIMIT 1", &[])
        .await
        .map_err(LogError::from)?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Anchor {
        position: u64::try_from(r.try_get::<_, i64>(0).map_err(LogError::from)?).unwrap_or(0),
        entry: r.try_get(1).map_err(LogError::from)?,
        hash: r.try_get(2).map_err(LogError::from)?,
        pruned_ms: r.try_get(3).map_err(LogError::from)?,
    }))
}

/// The anchor of the log at `url`, if it was ever pruned.
pub async fn anchor(url: &str) -> Result<Option<Anchor>, LogError> {
    let conn = Conn::open(url).await?;
    read_anchor(&*conn.client().await?).await
}

/// [`super::prune`] on PostgreSQL: each chunk in a transaction holding the writers' advisory lock.
pub async fn prune(
    url: &str,
    cutoff_ms: i64,
    mut archive: Option<&mut dyn std::io::Write>,
) -> Result<Pruned, LogError> {
    let conn = Conn::open(url).await?;
    let client = conn.client().await?;
    let mut out = Pruned { entries: 0, anchor: read_anchor(&client).await? };
    let sql = format!("SELECT {COLUMNS}, seq FROM smpolicy_log ORDER BY seq LIMIT $1");
    loop {
        client.batch_execute("BEGIN; SELECT pg_advisory_xact_lock(7406161637);").await.map_err(LogError::from)?;
        let step = async {
            let before = read_anchor(&client).await?;
            let rows = client.query(&sql, &[&(PRUNE_CHUNK as i64)]).await.map_err(LogError::from)?;
            let mut entries = Vec::new();
            let mut last_seq = None;
            for r in &rows {
                let e = stored(r)?.entry;
                if e.recorded_ms >= cutoff_ms {
                    break;
                }
                last_seq = Some(r.try_get::<_, i64>(18).map_err(LogError::from)?);
                entries.push(e);
            }
            let full = rows.len() == PRUNE_CHUNK && entries.len() == PRUNE_CHUNK;
            let Some(last_seq) = last_seq else { return Ok((Vec::new(), None, false)) };
            archive_entries(&mut archive, &entries)?;
            let anchor = next_anchor(before.as_ref(), &entries, jiff::Timestamp::now().as_millisecond());
            client.execute("DELETE FROM smpolicy_log WHERE seq <= $1", &[&last_seq]).await.map_err(LogError::from)?;
            if let Some(a) = &anchor {
                client.execute("DELETE FROM smpolicy_anchor", &[]).await.map_err(LogError::from)?;
                client
                    .execute(
                        "INSERT INTO smpolicy_anchor (position, entry_id, hash, pruned_ms) VALUES ($1, $2, $3, $4)",
                        &[&i64::try_from(a.position).unwrap_or(i64::MAX), &a.entry, &a.hash, &a.pruned_ms],
                    )
                    .await
                    .map_err(LogError::from)?;
            }
            Ok::<_, LogError>((entries, anchor, full))
        }
        .await;
        let end = if step.is_ok() { "COMMIT" } else { "ROLLBACK" };
        let ended = client.batch_execute(end).await.map_err(LogError::from);
        let (entries, anchor, full) = step?;
        ended?;
        if entries.is_empty() {
            break;
        }
        out.entries += entries.len() as u64;
        out.anchor = anchor;
        if !full {
            break;
        }
    }
    Ok(out)
}

#[derive(Default)]
struct Columns {
    id: Vec<String>,
    kind: Vec<String>,
    recorded_ms: Vec<i64>,
    actor: Vec<String>,
    action: Vec<String>,
    at_ms: Vec<i64>,
    counts: Vec<i64>,
    policy: Vec<Option<String>>,
    policy_hash: Vec<Option<String>>,
    verdict: Vec<Option<String>>,
    deciding: Vec<String>,
    decision_id: Vec<Option<String>>,
    input: Vec<String>,
    derived_history: Vec<Option<String>>,
    caller: Vec<Option<String>>,
    hash: Vec<String>,
    version: Vec<Option<String>>,
    groups: Vec<Option<String>>,
}

/// A reading connection.
#[derive(Debug)]
pub struct Reader {
    conn: Conn,
}

fn entry(r: &tokio_postgres::Row) -> Result<Entry, LogError> {
    let s = stored(r)?;
    let mut e = s.entry;
    e.kind = kind_from(&s.kind)?;
    Ok(e)
}

fn stored(r: &tokio_postgres::Row) -> Result<Stored, LogError> {
    let get = |e: tokio_postgres::Error| LogError::from(e);
    let kind: String = r.try_get(1).map_err(get)?;
    let deciding: String = r.try_get(10).map_err(get)?;
    let entry = Entry {
        id: r.try_get(0).map_err(get)?,
        kind: super::Kind::parse(&kind).unwrap_or(super::Kind::Decision),
        recorded_ms: r.try_get(2).map_err(get)?,
        actor: r.try_get(3).map_err(get)?,
        action: r.try_get(4).map_err(get)?,
        at_ms: r.try_get(5).map_err(get)?,
        counts: r.try_get(6).map_err(get)?,
        policy: r.try_get(7).map_err(get)?,
        policy_hash: r.try_get(8).map_err(get)?,
        verdict: r.try_get(9).map_err(get)?,
        deciding: deciding_from(&deciding),
        decision_id: r.try_get(11).map_err(get)?,
        input: r.try_get(12).map_err(get)?,
        derived_history: r.try_get(13).map_err(get)?,
        caller: r.try_get(14).map_err(get)?,
        hash: r.try_get(15).map_err(get)?,
        version: r.try_get(16).map_err(get)?,
        groups: r.try_get(17).map_err(get)?,
    };
    Ok(Stored { entry, deciding, kind })
}

/// Rows read at a time by [`scan`].
const PAGE: i64 = 1000;

/// Calls `f` on each stored entry matching `filter`, in the order written, a page at a time.
pub async fn scan(
    url: &str,
    filter: &Filter,
    f: &mut dyn FnMut(Stored) -> Result<(), LogError>,
) -> Result<(), LogError> {
    let conn = Conn::open(url).await?;
    let sql = format!(
        "SELECT {COLUMNS}, seq FROM smpolicy_log WHERE ($1::text IS NULL OR actor = $1) AND recorded_ms >= $2 AND seq > $3 \
         ORDER BY seq LIMIT $4"
    );
    let mut after = i64::MIN;
    loop {
        let rows = conn
            .client()
            .await?
            .query(&sql, &[&filter.actor, &filter.since_ms.unwrap_or(i64::MIN), &after, &PAGE])
            .await
            .map_err(LogError::from)?;
        for r in &rows {
            after = r.try_get(18).map_err(LogError::from)?;
            f(stored(r)?)?;
        }
        if (rows.len() as i64) < PAGE {
            return Ok(());
        }
    }
}

impl Reader {
    /// Connects and creates the table if needed.
    pub async fn open(url: &str) -> Result<Reader, LogError> {
        Ok(Reader { conn: Conn::open(url).await? })
    }

    /// Entries matching `filter`, oldest first.
    pub async fn query(&self, filter: &Filter) -> Result<Vec<Entry>, LogError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM smpolicy_log WHERE ($1::text IS NULL OR actor = $1) AND recorded_ms >= $2 ORDER BY recorded_ms, id"
        );
        let rows = self
            .conn
            .client()
            .await?
            .query(&sql, &[&filter.actor, &filter.since_ms.unwrap_or(i64::MIN)])
            .await
            .map_err(LogError::from)?;
        rows.iter().map(entry).collect()
    }

    /// The entry `id` and those that refer to it, in the order written.
    pub async fn related(&self, id: &str) -> Result<Vec<Entry>, LogError> {
        let sql = format!("SELECT {COLUMNS} FROM smpolicy_log WHERE id = $1 OR decision_id = $1 ORDER BY seq");
        let rows = self.conn.client().await?.query(&sql, &[&id]).await.map_err(LogError::from)?;
        rows.iter().map(entry).collect()
    }

    /// `actor`'s last `limit` entries, newest first.
    pub async fn recent(&self, actor: &str, limit: i64) -> Result<Vec<Entry>, LogError> {
        let sql = format!("SELECT {COLUMNS} FROM smpolicy_log WHERE actor = $1 ORDER BY seq DESC LIMIT $2");
        let rows = self.conn.client().await?.query(&sql, &[&actor, &limit]).await.map_err(LogError::from)?;
        rows.iter().map(entry).collect()
    }

    /// The chain's head: the newest entry, and its position counted from the first entry ever (one statement, one snapshot).
    pub async fn head(&self) -> Result<Option<Head>, LogError> {
        let client = self.conn.client().await?;
        let row = client
            .query_opt(
                "SELECT (SELECT count(*) FROM smpolicy_log), id, hash, (SELECT position FROM smpolicy_anchor LIMIT 1) \
                 FROM smpolicy_log ORDER BY seq DESC LIMIT 1",
                &[],
            )
            .await
            .map_err(LogError::from)?;
        let Some(r) = row else {
            return Ok(read_anchor(&client).await?.map(|a| Head {
                position: a.position,
                entry: a.entry,
                hash: a.hash,
            }));
        };
        let count: i64 = r.try_get(0).map_err(LogError::from)?;
        let hash: Option<String> = r.try_get(2).map_err(LogError::from)?;
        let base: Option<i64> = r.try_get(3).map_err(LogError::from)?;
        Ok(hash.map(|hash| Head {
            position: u64::try_from(count.saturating_add(base.unwrap_or(0))).unwrap_or(0),
            entry: r.try_get(1).unwrap_or_default(),
            hash,
        }))
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), LogError> {
        self.conn.client().await?.simple_query("SELECT 1").await.map(|_| ()).map_err(LogError::from)
    }

    /// `actor`'s standing approvals not revoked, newest first (at most [`super::MAX_STANDING`]), as (entry id, when recorded in ms, the approval as JSON).
    pub async fn standing(&self, actor: &str) -> Result<Vec<(String, i64, String)>, LogError> {
        let sql =
            "SELECT s.id, s.at_ms, s.input FROM smpolicy_log s WHERE s.actor = $1 AND s.kind = 'standing_approval' \
             AND NOT EXISTS (SELECT 1 FROM smpolicy_log r WHERE r.decision_id = s.id AND r.kind = 'revocation') \
             ORDER BY s.at_ms DESC, s.id DESC LIMIT 64";
        let rows = self.conn.client().await?.query(sql, &[&actor]).await.map_err(LogError::from)?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get(0).map_err(LogError::from)?,
                    r.try_get(1).map_err(LogError::from)?,
                    r.try_get(2).map_err(LogError::from)?,
                ))
            })
            .collect()
    }

    /// `actor`'s performed actions in a window, as (at, counts, input); the input only `with_input`, else empty.
    pub async fn performed(
        &self,
        actor: &str,
        since_ms: i64,
        until_ms: i64,
        with_input: bool,
    ) -> Result<Vec<(i64, i64, String)>, LogError> {
        let sql = if with_input {
            "SELECT at_ms, counts, input FROM smpolicy_log WHERE actor = $1 AND kind = 'performed' AND at_ms >= $2 AND at_ms <= $3"
        } else {
            "SELECT at_ms, counts, ''::text FROM smpolicy_log WHERE actor = $1 AND kind = 'performed' AND at_ms >= $2 AND at_ms <= $3"
        };
        let rows =
            self.conn.client().await?.query(sql, &[&actor, &since_ms, &until_ms]).await.map_err(LogError::from)?;
        rows.iter()
            .map(|r| {
                let get = |e| LogError::from(e);
                Ok((r.try_get(0).map_err(get)?, r.try_get(1).map_err(get)?, r.try_get(2).map_err(get)?))
            })
            .collect()
    }
}
