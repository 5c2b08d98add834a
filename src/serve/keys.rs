//! Secret keys read from files, and the HMAC-SHA256 they make: the keyed
//! hash of masked fields ([`super::mask`]) and the signature of checkpoints
//! ([`super::log::checkpoint`]). HMAC comes from ring, already in the tree as
//! rustls' crypto provider; its `verify` compares in constant time.
//!
//! Checkpoints can also be signed with an Ed25519 key pair
//! ([`SigningKey`], made by `smpolicy log keygen`), so that whoever holds only
//! the public half ([`PublicKey`]) can check them and none can forge one.

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

/// How the text files of `smpolicy log keygen` begin: a private key (PKCS#8, hex) and a public one (hex).
const PRIVATE_PREFIX: &str = "smpolicy-ed25519-private:";
const PUBLIC_PREFIX: &str = "smpolicy-ed25519-public:";

/// An Ed25519 key pair that signs checkpoints (never printed).
pub struct SigningKey(ring::signature::Ed25519KeyPair);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

/// The public half of a [`SigningKey`]: anyone may hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey(Vec<u8>);

/// A new key pair: the private key file's text and the public key file's text.
pub fn generate_key_pair() -> Result<(String, String), String> {
    use ring::signature::KeyPair as _;
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = ring::signature::Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| "the system gave no randomness")?;
    let pair = ring::signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref())
        .map_err(|_| "a key pair just made does not read")?;
    Ok((
        format!("{PRIVATE_PREFIX}{}\n", hex(pkcs8.as_ref())),
        format!("{PUBLIC_PREFIX}{}\n", hex(pair.public_key().as_ref())),
    ))
}

/// The hex after `prefix` in the file at `path`, as bytes.
fn read_prefixed(path: &Path, prefix: &str, what: &str) -> Result<Vec<u8>, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read the {what} file `{}`: {e}", path.display()))?;
    text.trim()
        .strip_prefix(prefix)
        .and_then(unhex)
        .ok_or_else(|| format!("`{}` is not an Ed25519 {what} made by `smpolicy log keygen`", path.display()))
}

impl SigningKey {
    /// Whether the file at `path` holds a private key of `smpolicy log keygen` (rather than an HMAC secret).
    pub fn is_in(path: &Path) -> bool {
        std::fs::read(path).is_ok_and(|b| b.trim_ascii().starts_with(PRIVATE_PREFIX.as_bytes()))
    }

    /// The private key in `path` (a file of `smpolicy log keygen`). The error never quotes the file.
    pub fn from_file(path: &Path) -> Result<SigningKey, String> {
        let der = read_prefixed(path, PRIVATE_PREFIX, "private key")?;
        ring::signature::Ed25519KeyPair::from_pkcs8(&der)
            .map(SigningKey)
            .map_err(|_| format!("`{}` does not hold a valid Ed25519 private key", path.display()))
    }

    /// The Ed25519 signature of `data`, lowercase hex.
    pub fn sign_hex(&self, data: &[u8]) -> String {
        hex(self.0.sign(data).as_ref())
    }

    /// Its public half.
    pub fn public(&self) -> PublicKey {
        use ring::signature::KeyPair as _;
        PublicKey(self.0.public_key().as_ref().to_vec())
    }
}

impl PublicKey {
    /// Whether the file at `path` holds a public key of `smpolicy log keygen`.
    pub fn is_in(path: &Path) -> bool {
        std::fs::read(path).is_ok_and(|b| b.trim_ascii().starts_with(PUBLIC_PREFIX.as_bytes()))
    }

    /// The public key in `path` (a file of `smpolicy log keygen`).
    pub fn from_file(path: &Path) -> Result<PublicKey, String> {
        let bytes = read_prefixed(path, PUBLIC_PREFIX, "public key")?;
        if bytes.len() != 32 {
            return Err(format!("`{}` holds {} bytes; an Ed25519 public key has 32", path.display(), bytes.len()));
        }
        Ok(PublicKey(bytes))
    }

    /// Whether `sig` (hex) is this key's signature of `data`.
    pub fn verify_hex(&self, data: &[u8], sig: &str) -> bool {
        let key = ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &self.0);
        unhex(sig).is_some_and(|s| key.verify(data, &s).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ed25519_signs_what_its_public_half_alone_verifies() {
        let dir = std::env::temp_dir().join(format!("smpolicy-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (private, public) = generate_key_pair().unwrap();
        let (kp, kpub) = (dir.join("k.key"), dir.join("k.pub"));
        std::fs::write(&kp, private).unwrap();
        std::fs::write(&kpub, public).unwrap();
        assert!(SigningKey::is_in(&kp) && !SigningKey::is_in(&kpub));
        assert!(PublicKey::is_in(&kpub) && !PublicKey::is_in(&kp));
        let (signer, verifier) = (SigningKey::from_file(&kp).unwrap(), PublicKey::from_file(&kpub).unwrap());
        assert_eq!(signer.public(), verifier);
        let sig = signer.sign_hex(b"position 12");
        assert!(verifier.verify_hex(b"position 12", &sig));
        assert!(!verifier.verify_hex(b"position 13", &sig));
        // Another pair's public key does not verify it.
        let (_, other) = generate_key_pair().unwrap();
        std::fs::write(&kpub, other).unwrap();
        assert!(!PublicKey::from_file(&kpub).unwrap().verify_hex(b"position 12", &sig));
        // The wrong file for each is refused, without quoting it.
        let e = PublicKey::from_file(&kp).unwrap_err();
        assert!(e.contains("is not an Ed25519 public key") && !e.contains("private:"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }

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
