//! Checkpoints of the chain's head, kept outside the log (`serve
//! --checkpoints FILE`): every so often the server appends one line to a
//! file — which can live on another disk, be shipped to another system or be
//! printed into a ticket — naming how many entries the chain had, the last
//! one's id and its hash, signed with HMAC-SHA256 when a key is given
//! (`--checkpoint-key`). A plain chain cannot tell that its newest entries
//! were cut off; a checkpoint that names an entry the log no longer reaches
//! can, and `smpolicy log verify --checkpoints FILE` says so.
//!
//! ```json
//! {"schema":"smpolicy.checkpoint/1","made_at":"2026-12-06T10:00:00Z","position":1200,"entry":"01a2…","hash":"9f3c…","mac":"5bdc…"}
//! ```

use super::LogError;
use crate::serve::keys::Key;
use std::io::Write;
use std::path::Path;

/// The version of a checkpoint line.
pub const SCHEMA: &str = "smpolicy.checkpoint/1";

/// The chain's head at one moment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// [`SCHEMA`].
    pub schema: String,
    /// When it was made (RFC 3339).
    pub made_at: String,
    /// How many entries the chain had, counted from its first entry ever (pruned ones included).
    pub position: u64,
    /// The id of the entry at `position`.
    pub entry: String,
    /// That entry's hash.
    pub hash: String,
    /// HMAC-SHA256 (hex) of the fields above, when the server had a key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
}

impl Checkpoint {
    /// A checkpoint of `head`, made now, signed with `key` if given.
    pub fn new(head: &super::Head, key: Option<&Key>) -> Checkpoint {
        let mut c = Checkpoint {
            schema: SCHEMA.into(),
            made_at: jiff::Timestamp::now().to_string(),
            position: head.position,
            entry: head.entry.clone(),
            hash: head.hash.clone(),
            mac: None,
        };
        c.mac = key.map(|k| k.mac_hex(c.signed().as_bytes()));
        c
    }

    /// What the MAC covers.
    fn signed(&self) -> String {
        format!("{}\n{}\n{}\n{}\n{}", self.schema, self.made_at, self.position, self.entry, self.hash)
    }
}

/// Appends `c` as one line to `path` (created if missing) and waits for the disk.
pub fn append(path: &Path, c: &Checkpoint) -> Result<(), LogError> {
    let line = serde_json::to_string(c).map_err(LogError::from)?;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| LogError(format!("checkpoints: cannot open `{}`: {e}", path.display())))?;
    writeln!(f, "{line}")
        .and_then(|()| f.sync_data())
        .map_err(|e| LogError(format!("checkpoints: cannot write `{}`: {e}", path.display())))
}

/// A checkpoints file, read for `smpolicy log verify`.
#[derive(Debug, Default)]
pub struct Checkpoints {
    /// Each line that reads (1-based line number), in file order.
    pub lines: Vec<(usize, Checkpoint)>,
    /// Each line that does not read, or whose signature does not hold: its number and why.
    pub bad: Vec<(usize, String)>,
    /// Lines that carry a signature that was not checked (no key given).
    pub unchecked: u64,
}

impl Checkpoints {
    /// Reads `path`; with `key`, every line must carry a signature made with it.
    pub fn read(path: &Path, key: Option<&Key>) -> Result<Checkpoints, LogError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| LogError(format!("checkpoints: cannot read `{}`: {e}", path.display())))?;
        let mut out = Checkpoints::default();
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let n = i + 1;
            let c: Checkpoint = match serde_json::from_str(line) {
                Ok(c) => c,
                Err(e) => {
                    out.bad.push((n, format!("does not read: {e}")));
                    continue;
                }
            };
            if c.schema != SCHEMA {
                out.bad.push((n, format!("unknown schema `{}`", c.schema.escape_debug())));
                continue;
            }
            match (key, &c.mac) {
                (Some(k), Some(mac)) if k.verify_hex(c.signed().as_bytes(), mac) => {}
                (Some(_), Some(_)) => {
                    out.bad.push((n, "its signature does not match the key: the line was forged or edited".into()));
                    continue;
                }
                (Some(_), None) => {
                    out.bad.push((n, "it is not signed, and a key was given: the line was forged".into()));
                    continue;
                }
                (None, Some(_)) => out.unchecked += 1,
                (None, None) => {}
            }
            out.lines.push((n, c));
        }
        Ok(out)
    }
}
