//! Masking of named fields in the audit log (`serve --mask actor.id
//! --mask-key FILE`): the log keeps, instead of a field's value, a keyed hash
//! of it (`masked:` and 32 hex digits of its HMAC-SHA256), so the same person
//! still links across entries (history counters, `smpolicy log --actor` with
//! the key) but the clear value is never stored. The hash chain covers the
//! masked form, which is all the log holds.
//!
//! Only fields no policy decides on can be masked ([`MASKABLE`]): an approval
//! decides the logged action again, so a field the verdict rests on must stay
//! as it was.

use super::keys::Key;

/// The fields that can be masked: identities and free text, never read by a policy.
pub const MASKABLE: [&str; 3] = ["actor.id", "content.text", "account.handle"];

/// What to mask, and the key.
#[derive(Debug)]
pub struct Masker {
    key: Key,
    paths: Vec<&'static str>,
}

impl Masker {
    /// Masks `paths` (each one of [`MASKABLE`]) with `key`.
    pub fn new(key: Key, paths: &[String]) -> Result<Masker, String> {
        let mut out = Vec::new();
        for p in paths {
            let Some(known) = MASKABLE.iter().find(|m| **m == p.trim()) else {
                return Err(format!(
                    "`{}` cannot be masked; the fields that can: {} (a field the policy decides on must stay as it was, for approvals)",
                    p.escape_debug(),
                    MASKABLE.join(", ")
                ));
            };
            if !out.contains(known) {
                out.push(*known);
            }
        }
        Ok(Masker { key, paths: out })
    }

    /// The masked form of `clear`: `masked:` and 32 hex digits of its keyed hash.
    pub fn value(&self, clear: &str) -> String {
        let mac = self.key.mac_hex(clear.as_bytes());
        format!("masked:{}", mac.get(..32).unwrap_or(&mac))
    }

    /// Whether `path` is masked.
    pub fn masks(&self, path: &str) -> bool {
        self.paths.contains(&path)
    }

    /// The actor id as the log keeps it (`id` already normalized).
    pub fn actor(&self, id: &str) -> String {
        if self.masks("actor.id") {
            self.value(id)
        } else {
            id.to_string()
        }
    }

    /// The action JSON `raw` with its masked fields replaced (`actor.id` by
    /// the masked form of `actor_id`, the normalized id). Fields that are
    /// absent, or not text, stay as they are.
    pub fn input(&self, raw: &str, actor_id: &str) -> Result<String, String> {
        let mut v: serde_json::Value = serde_json::from_str(raw).map_err(|e| e.to_string())?;
        for path in &self.paths {
            let mut at = Some(&mut v);
            for part in path.split('.') {
                at = at.and_then(|x| x.get_mut(part));
            }
            if let Some(x) = at {
                if let Some(s) = x.as_str() {
                    let masked = if *path == "actor.id" { self.value(actor_id) } else { self.value(s) };
                    *x = serde_json::Value::String(masked);
                }
            }
        }
        Ok(v.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_fields_link_but_never_show() {
        let m = Masker::new(Key::new(b"0123456789abcdef"), &["actor.id".into(), "content.text".into()]).unwrap();
        let raw = r#"{"action": "post", "actor": {"id": "Alice ", "role": "consultant"}, "content": {"text": "hi from Alice"}}"#;
        let out = m.input(raw, "alice").unwrap();
        assert!(!out.contains("lice"), "{out}");
        assert!(out.contains(&m.actor("alice")), "{out}");
        assert_eq!(m.actor("alice"), m.value("alice"));
        assert_ne!(m.value("alice"), Masker::new(Key::new(b"another key 0123"), &[]).unwrap().value("alice"));
        assert!(out.contains("\"role\":\"consultant\""), "{out}");
        let e = Masker::new(Key::new(b"0123456789abcdef"), &["actor.role".into()]).unwrap_err();
        assert!(e.starts_with("`actor.role` cannot be masked"), "{e}");
    }
}
