//! Checkpoints of the chain's head, kept outside the log (`serve
//! --checkpoints FILE`): every so often the server appends one line to a
//! file — which can live on another disk, be shipped to another system or be
//! printed into a ticket — naming how many entries the chain had, the last
//! one's id and its hash, signed when a key is given (`--checkpoint-key`):
//! with an Ed25519 private key of `smpolicy log keygen` (`sig`), which anyone
//! holding the public key can check and nobody else can forge, or with a
//! shared HMAC-SHA256 secret (`mac`). A plain chain cannot tell that its newest entries
//! were cut off; a checkpoint that names an entry the log no longer reaches
//! can, and `smpolicy log verify --checkpoints FILE` says so.
//!
//! ```json
//! {"schema":"smpolicy.checkpoint/1","made_at":"2026-12-06T10:00:00Z","position":1200,"entry":"01a2…","hash":"9f3c…","mac":"5bdc…"}
//! ```

use super::LogError;
use crate::serve::keys::{Key, PublicKey, SigningKey};
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
    /// HMAC-SHA256 (hex) of the fields above, when the server had a shared secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    /// Ed25519 signature (hex) of the fields above, when the server had a private key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sig: Option<String>,
}

/// What signs checkpoints (`serve --checkpoint-key FILE`): an Ed25519
/// private key of `smpolicy log keygen`, or else a shared HMAC secret.
#[derive(Debug)]
pub enum Signer {
    /// A shared secret: `mac`.
    Hmac(Key),
    /// A private key: `sig`, checked with its public key.
    Ed25519(SigningKey),
}

impl Signer {
    /// The key in `path`, of whichever kind it holds.
    pub fn from_file(path: &Path) -> Result<Signer, String> {
        if SigningKey::is_in(path) {
            SigningKey::from_file(path).map(Signer::Ed25519)
        } else {
            Key::from_file(path).map(Signer::Hmac)
        }
    }
}

/// What checks them (`log verify --checkpoint-key FILE`): the Ed25519 public
/// key (or its private key), or the same HMAC secret.
#[derive(Debug)]
pub enum Verifier {
    /// The shared secret.
    Hmac(Key),
    /// The public key.
    Ed25519(PublicKey),
}

impl Verifier {
    /// The key in `path`, of whichever kind it holds.
    pub fn from_file(path: &Path) -> Result<Verifier, String> {
        if PublicKey::is_in(path) {
            PublicKey::from_file(path).map(Verifier::Ed25519)
        } else if SigningKey::is_in(path) {
            SigningKey::from_file(path).map(|k| Verifier::Ed25519(k.public()))
        } else {
            Key::from_file(path).map(Verifier::Hmac)
        }
    }

    /// Whether `c` carries this key's signature; why not otherwise.
    fn check(&self, c: &Checkpoint) -> Result<(), String> {
        let data = c.signed();
        match (self, &c.mac, &c.sig) {
            (Verifier::Hmac(k), Some(mac), _) if k.verify_hex(data.as_bytes(), mac) => Ok(()),
            (Verifier::Ed25519(k), _, Some(sig)) if k.verify_hex(data.as_bytes(), sig) => Ok(()),
            (Verifier::Hmac(_), Some(_), _) | (Verifier::Ed25519(_), _, Some(_)) => {
                Err("its signature does not match the key: the line was forged or edited".into())
            }
            (Verifier::Hmac(_), None, Some(_)) => {
                Err("it is signed with an Ed25519 key, and an HMAC secret was given: give the public key".into())
            }
            (Verifier::Ed25519(_), Some(_), None) => {
                Err("it carries only an HMAC, and a public key was given: the line was forged or made with another key"
                    .into())
            }
            (_, None, None) => Err("it is not signed, and a key was given: the line was forged".into()),
        }
    }
}

impl Checkpoint {
    /// A checkpoint of `head`, made now, signed with `key` if given.
    pub fn new(head: &super::Head, key: Option<&Signer>) -> Checkpoint {
        let mut c = Checkpoint {
            schema: SCHEMA.into(),
            made_at: jiff::Timestamp::now().to_string(),
            position: head.position,
            entry: head.entry.clone(),
            hash: head.hash.clone(),
            mac: None,
            sig: None,
        };
        match key {
            Some(Signer::Hmac(k)) => c.mac = Some(k.mac_hex(c.signed().as_bytes())),
            Some(Signer::Ed25519(k)) => c.sig = Some(k.sign_hex(c.signed().as_bytes())),
            None => {}
        }
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
    pub fn read(path: &Path, key: Option<&Verifier>) -> Result<Checkpoints, LogError> {
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
            match key {
                Some(k) => {
                    if let Err(why) = k.check(&c) {
                        out.bad.push((n, why));
                        continue;
                    }
                }
                None if c.mac.is_some() || c.sig.is_some() => out.unchecked += 1,
                None => {}
            }
            out.lines.push((n, c));
        }
        Ok(out)
    }
}
