//! Secret keys read from files, and the HMAC-SHA256 they make: the keyed
//! hash of masked fields ([`super::mask`]) and the signature of checkpoints
//! ([`super::log::checkpoint`]). HMAC comes from ring, already in the tree as
//! rustls' crypto provider; its `verify` compares in constant time.

use std::path::Path;

/// The fewest bytes a key file must hold.
pub const MIN_KEY_BYTES: usize = 16;

/// A secret key (never printed).
pub struct Key(ring::hmac::Key);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

/// `bytes` as lowercase hex (one allocation: this runs several times a decision).
pub(crate) fn hex(bytes: &[u8]) -> String {
    let digit = |n: u8| char::from_digit(u32::from(n), 16).unwrap_or('0');
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(digit(b >> 4));
        out.push(digit(b & 0xf));
    }
    out
}

/// Hex (either case) as bytes; `None` if it is not.
pub(crate) fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect()
}

impl Key {
    /// A key from its bytes.
    pub fn new(secret: &[u8]) -> Key {
        Key(ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret))
    }

    /// The key in `path`: its bytes, without surrounding white space (so
    /// `openssl rand -hex 32 > FILE` makes one). The error never quotes the file.
    pub fn from_file(path: &Path) -> Result<Key, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read the key file `{}`: {e}", path.display()))?;
        let secret = bytes.trim_ascii();
        if secret.len() < MIN_KEY_BYTES {
            return Err(format!(
                "the key file `{}` holds {} bytes; a key needs at least {MIN_KEY_BYTES} (make one with `openssl rand -hex 32 > FILE`)",
                path.display(),
                secret.len()
            ));
        }
        Ok(Key::new(secret))
    }

    /// HMAC-SHA256 of `data`, lowercase hex.
    pub fn mac_hex(&self, data: &[u8]) -> String {
        hex(ring::hmac::sign(&self.0, data).as_ref())
    }

    /// Whether `mac` (hex) is the HMAC of `data` under this key (compared in constant time).
    pub fn verify_hex(&self, data: &[u8], mac: &str) -> bool {
        unhex(mac).is_some_and(|m| ring::hmac::verify(&self.0, data, &m).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha256_as_rfc_4231_case_2() {
        let k = Key::new(b"Jefe");
        let mac = k.mac_hex(b"what do ya want for nothing?");
        assert_eq!(mac, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assert!(k.verify_hex(b"what do ya want for nothing?", &mac));
        assert!(!k.verify_hex(b"what do ya want for nothing!", &mac));
        assert!(!k.verify_hex(b"what do ya want for nothing?", "zz"));
    }
}
