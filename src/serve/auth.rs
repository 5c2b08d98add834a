//! Who may ask: bearer tokens with scopes, read from a tokens file that is
//! reloaded like the policies.
//!
//! The file holds no token, only each token's SHA-256 (hex), a name (the
//! caller's identity, recorded with each decision) and its scopes:
//!
//! ```json
//! {"tokens": [
//!   {"name": "posting-tool", "sha256": "9f86d081884c7d65…", "scopes": ["decide", "perform"]},
//!   {"name": "hr-lead", "sha256": "60303ae22b998861…", "scopes": ["approve", "log", "admin"], "roles": ["manager"]}
//! ]}
//! ```
//!
//! `roles` are the policy roles the token's holder has: only a token with the
//! `approve` scope and the role records (or revokes) a standing approval
//! given by that role, and a token that lists roles approves a decision only
//! as one of them. An `approve` token that lists none relays approvals an
//! integration verified itself (an HR system), as any role.
//!
//! A request presents `Authorization: Bearer TOKEN`; the token is hashed and
//! looked up. Without a valid token the answer is 401, with a token that lacks
//! the endpoint's scope 403, both as the usual JSON error.
//!
//! A server started without a tokens file is *open*: every caller is
//! `anonymous` with the scopes in [`OPEN_SCOPES`] (not `approve`, not
//! `backdate`), and [`super::serve`] refuses to listen on anything but a
//! loopback address.
//!
//! A tokens file that cannot be read or does not parse keeps the last good set
//! (reported); a server whose file was never good answers 401 to everyone.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// `POST /v1/decide`, `POST /v1/terms`.
    Decide,
    /// `POST /v1/performed`.
    Perform,
    /// `POST /v1/approve`, `POST /v1/standing-approvals` (with the role, `roles` in the tokens file).
    Approve,
    /// `GET /v1/log`.
    Log,
    /// `POST /v1/diff`, `POST /v1/compare`, `GET /v1/policies`.
    Admin,
    /// A request's `at` is taken (within the server's back-dating skew) instead of the server's clock.
    Backdate,
}

/// Every scope, in the order of the documentation.
pub const SCOPES: [Scope; 6] =
    [Scope::Decide, Scope::Perform, Scope::Approve, Scope::Log, Scope::Admin, Scope::Backdate];

/// What every caller of an open server (no tokens file) may do.
pub const OPEN_SCOPES: [Scope; 4] = [Scope::Decide, Scope::Perform, Scope::Log, Scope::Admin];

impl Scope {
    /// The name in the tokens file.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Decide => "decide",
            Scope::Perform => "perform",
            Scope::Approve => "approve",
            Scope::Log => "log",
            Scope::Admin => "admin",
            Scope::Backdate => "backdate",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }

    /// The inverse of [`Scope::as_str`].
    pub fn parse(s: &str) -> Option<Scope> {
        SCOPES.into_iter().find(|x| x.as_str() == s)
    }

    /// The scope an endpoint needs; `None` for the open ones (`/healthz`, `/openapi.json`, unknown paths).
    pub fn for_path(path: &str) -> Option<Scope> {
        Endpoint::of_path(path).map(|e| e.scope)
    }
}

/// An endpoint that needs a token: the scope it needs, and what one request
/// costs against the token's rate limit ([`super::rate`]), counted in
/// requests (a decide costs 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    /// The API path.
    pub path: &'static str,
    /// The web page whose form does the same work (its POST costs the same), if any.
    pub page: Option<&'static str>,
    /// The scope it needs.
    pub scope: Scope,
    /// What one request draws from the token's allowance.
    pub cost: u32,
}

/// Every endpoint that needs a token. A diff searches two policies for every
/// situation they treat differently and a comparison reads up to eight
/// policies over every situation, each up to `serve --budget-ms` of CPU,
/// where a decide takes tens of microseconds: they draw more.
pub const ENDPOINTS: [Endpoint; 10] = [
    Endpoint { path: "/v1/decide", page: Some("/may-i"), scope: Scope::Decide, cost: 1 },
    Endpoint { path: "/v1/terms", page: None, scope: Scope::Decide, cost: 1 },
    Endpoint { path: "/v1/performed", page: None, scope: Scope::Perform, cost: 1 },
    Endpoint { path: "/v1/approve", page: None, scope: Scope::Approve, cost: 1 },
    Endpoint { path: "/v1/standing-approvals", page: None, scope: Scope::Approve, cost: 1 },
    Endpoint { path: "/v1/standing-approvals/revoke", page: None, scope: Scope::Approve, cost: 1 },
    Endpoint { path: "/v1/log", page: None, scope: Scope::Log, cost: 1 },
    Endpoint { path: "/v1/diff", page: Some("/change"), scope: Scope::Admin, cost: 100 },
    Endpoint { path: "/v1/compare", page: Some("/compare"), scope: Scope::Admin, cost: 50 },
    Endpoint { path: "/v1/policies", page: None, scope: Scope::Admin, cost: 1 },
];

impl Endpoint {
    /// The endpoint at `path` (an API path).
    pub fn of_path(path: &str) -> Option<&'static Endpoint> {
        ENDPOINTS.iter().find(|e| e.path == path)
    }

    /// What a form sent to the page `page` costs: that of the endpoint doing the same work, else 1.
    pub fn page_cost(page: &str) -> u32 {
        ENDPOINTS.iter().find(|e| e.page == Some(page)).map_or(1, |e| e.cost)
    }
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The token's name (`anonymous` on an open server).
    pub name: String,
    scopes: u8,
    /// The token's own rate limit (`None`: the server's default, `serve --rate-limit`).
    pub rate: Option<super::rate::Rate>,
    /// The policy roles the token's holder has (shared: a caller is cloned for every request).
    roles: Arc<[String]>,
}

impl Caller {
    /// A caller with `scopes`.
    pub fn new(name: impl Into<String>, scopes: &[Scope]) -> Caller {
        Caller {
            name: name.into(),
            scopes: scopes.iter().fold(0, |acc, s| acc | s.bit()),
            rate: None,
            roles: Arc::from([]),
        }
    }

    /// The same caller holding the policy `roles`.
    pub fn with_roles(mut self, roles: &[String]) -> Caller {
        self.roles = Arc::from(roles);
        self
    }

    /// Whether the tokens file lists the holder's policy roles (then `/v1/approve` takes only those).
    pub fn lists_roles(&self) -> bool {
        !self.roles.is_empty()
    }

    /// Whether the token's holder has the policy role `role`.
    pub fn holds_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// Whether the caller holds `scope`.
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes & scope.bit() != 0
    }

    /// The scopes held, by name.
    pub fn scopes(&self) -> Vec<&'static str> {
        SCOPES.into_iter().filter(|s| self.has(*s)).map(Scope::as_str).collect()
    }
}

/// The tokens of one file, by the SHA-256 of the token.
#[derive(Debug, Default)]
pub struct Tokens {
    by_hash: HashMap<[u8; 32], Caller>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRepr {
    tokens: Vec<TokenRepr>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenRepr {
    name: String,
    sha256: String,
    scopes: Vec<String>,
    /// `N/s`, `N/min`, `N/h` or `unlimited`; the server's default when absent.
    #[serde(default)]
    rate: Option<String>,
    /// How many requests may come at once (default: N of the rate).
    #[serde(default)]
    burst: Option<u32>,
    /// The policy roles the token's holder has (for standing approvals).
    #[serde(default)]
    roles: Vec<String>,
}

/// SHA-256 of `token`, lowercase hex.
pub fn token_hash(token: &str) -> String {
    super::keys::hex(&Sha256::digest(token.as_bytes()))
}

impl Tokens {
    /// Parses a tokens file's text. The error is one line naming the field
    /// (`tokens[1].scopes[0]: ...`) and never quotes a token hash.
    pub fn parse(text: &str) -> Result<Tokens, String> {
        let mut de = serde_json::Deserializer::from_str(text);
        let repr: FileRepr = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if path == "." {
                format!("line {}: {inner}", inner.line())
            } else {
                format!("{path}: {inner}")
            }
        })?;
        de.end().map_err(|e| format!("line {}: {e}", e.line()))?;
        let mut by_hash = HashMap::new();
        let mut names = std::collections::HashSet::new();
        for (i, t) in repr.tokens.iter().enumerate() {
            let name = t.name.trim();
            if name.is_empty() || name.chars().any(char::is_control) {
                return Err(format!("tokens[{i}].name: expected a name without control characters"));
            }
            if !names.insert(name.to_string()) {
                return Err(format!("tokens[{i}].name: `{name}` is used twice"));
            }
            let hex = t.sha256.trim();
            let hash = hex.bytes().all(|b| b.is_ascii_hexdigit()).then(|| super::keys::unhex(hex)).flatten();
            let Some(hash) = hash.and_then(|h| <[u8; 32]>::try_from(h).ok()) else {
                return Err(format!(
                    "tokens[{i}].sha256: expected 64 hex digits, the SHA-256 of the token (`printf %s TOKEN | sha256sum`)"
                ));
            };
            let mut scopes = Vec::new();
            for (j, s) in t.scopes.iter().enumerate() {
                match Scope::parse(s) {
                    Some(scope) => scopes.push(scope),
                    None => {
                        let known: Vec<&str> = SCOPES.iter().map(|s| s.as_str()).collect();
                        return Err(format!(
                            "tokens[{i}].scopes[{j}]: expected one of {}; found `{}`",
                            known.join(", "),
                            s.escape_debug()
                        ));
                    }
                }
            }
            if let Some(j) = t.roles.iter().position(|r| r.trim().is_empty() || r.trim() != r) {
                return Err(format!("tokens[{i}].roles[{j}]: expected a role name without surrounding spaces"));
            }
            let mut caller = Caller::new(name, &scopes).with_roles(&t.roles);
            caller.rate = match &t.rate {
                Some(r) => Some(super::rate::Rate::parse(r, t.burst).map_err(|e| format!("tokens[{i}].rate: {e}"))?),
                None if t.burst.is_some() => {
                    return Err(format!("tokens[{i}].burst: give a `rate` with the burst"));
                }
                None => None,
            };
            if by_hash.insert(hash, caller).is_some() {
                return Err(format!("tokens[{i}].sha256: the same token is listed twice"));
            }
        }
        Ok(Tokens { by_hash })
    }

    /// The caller presenting `token`, if the token is listed.
    pub fn caller(&self, token: &str) -> Option<&Caller> {
        self.by_hash.get(&<[u8; 32]>::from(Sha256::digest(token.as_bytes())))
    }

    /// How many tokens.
    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }
}

/// What a reload of the tokens file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokensChange {
    /// A new version was loaded.
    Loaded {
        /// How many tokens it lists.
        count: usize,
    },
    /// The file changed but cannot be read or does not parse; the last good set (if any) stays.
    Rejected {
        /// Why.
        message: String,
    },
}

type Stamp = (u64, Option<std::time::SystemTime>);

/// The access rules now in force.
#[derive(Debug)]
pub struct Auth {
    /// The tokens file; `None` for an open server.
    path: Option<PathBuf>,
    current: arc_swap::ArcSwap<Tokens>,
    /// The stamp of the file when last read (`Some(None)`: it could not be read); `None` before the first read.
    stamp: Mutex<Option<Option<Stamp>>>,
    /// The rate limit of a token that gives none (and of `anonymous`).
    default_rate: super::rate::Rate,
    limiter: super::rate::Limiter,
}

/// Why a request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No token, a malformed header, or a token not listed (401).
    Unauthenticated(&'static str),
    /// A valid token without the scope (403).
    Forbidden {
        /// The token's name.
        caller: String,
        /// The scope needed.
        scope: Scope,
    },
}

impl Auth {
    /// Open: everyone is `anonymous` with [`OPEN_SCOPES`].
    pub fn open() -> Auth {
        Auth {
            path: None,
            current: arc_swap::ArcSwap::from_pointee(Tokens::default()),
            stamp: Mutex::new(None),
            default_rate: super::rate::Rate::Unlimited,
            limiter: super::rate::Limiter::default(),
        }
    }

    /// Tokens from `path`; call [`Auth::reload`] to read it.
    pub fn from_file(path: impl Into<PathBuf>) -> Auth {
        Auth {
            path: Some(path.into()),
            current: arc_swap::ArcSwap::from_pointee(Tokens::default()),
            stamp: Mutex::new(None),
            default_rate: super::rate::Rate::Unlimited,
            limiter: super::rate::Limiter::default(),
        }
    }

    /// With `rate` as the limit of every token that gives none.
    pub fn with_default_rate(mut self, rate: super::rate::Rate) -> Auth {
        self.default_rate = rate;
        self
    }

    /// The limit that applies to `caller`.
    pub fn rate_of(&self, caller: &Caller) -> super::rate::Rate {
        caller.rate.unwrap_or(self.default_rate)
    }

    /// Counts a request of `caller` costing `cost` ([`Endpoint::cost`]) against its rate limit: `Err(wait)` when it is over.
    pub fn admit(&self, caller: &Caller, cost: u32) -> Result<(), std::time::Duration> {
        self.limiter.admit(&caller.name, self.rate_of(caller), cost, std::time::Instant::now())
    }

    /// Whether the server runs without tokens.
    pub fn is_open(&self) -> bool {
        self.path.is_none()
    }

    /// The tokens file.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Reads the tokens file if it changed since the last call.
    pub fn reload(&self) -> Option<TokensChange> {
        let path = self.path.as_ref()?;
        let meta = std::fs::metadata(path);
        let stamp: Option<Stamp> = meta.as_ref().ok().map(|m| (m.len(), m.modified().ok()));
        let mut last = self.stamp.lock().unwrap_or_else(|p| p.into_inner());
        if *last == Some(stamp) && stamp.is_some_and(|s| s.1.is_some()) {
            return None;
        }
        let change = match std::fs::read_to_string(path) {
            Ok(text) => match Tokens::parse(&text) {
                Ok(tokens) => {
                    let count = tokens.len();
                    self.current.store(Arc::new(tokens));
                    TokensChange::Loaded { count }
                }
                Err(message) => TokensChange::Rejected { message: format!("`{}`: {message}", path.display()) },
            },
            Err(e) => TokensChange::Rejected { message: format!("cannot read `{}`: {e}", path.display()) },
        };
        // A file that still cannot be read is reported once.
        let repeat = *last == Some(stamp) && matches!(change, TokensChange::Rejected { .. });
        *last = Some(stamp);
        (!repeat).then_some(change)
    }

    /// Who presents `authorization` (the header's value), and whether they hold `scope`.
    pub fn check(&self, authorization: Option<&[u8]>, scope: Scope) -> Result<Caller, Refusal> {
        let caller = if self.path.is_none() {
            Caller::new("anonymous", &OPEN_SCOPES)
        } else {
            let header = authorization.ok_or(Refusal::Unauthenticated("a bearer token is required"))?;
            let header = std::str::from_utf8(header)
                .map_err(|_| Refusal::Unauthenticated("the Authorization header is not text"))?;
            let token = header
                .strip_prefix("Bearer ")
                .or_else(|| header.strip_prefix("bearer "))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or(Refusal::Unauthenticated("expected `Authorization: Bearer TOKEN`"))?;
            self.current.load().caller(token).cloned().ok_or(Refusal::Unauthenticated("the token is not valid"))?
        };
        if caller.has(scope) {
            Ok(caller)
        } else {
            Err(Refusal::Forbidden { caller: caller.name, scope })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_looked_up_by_hash_with_their_scopes() {
        let text = format!(
            r#"{{"tokens": [{{"name": "tool", "sha256": "{}", "scopes": ["decide", "perform"]}}]}}"#,
            token_hash("s3cret")
        );
        let t = Tokens::parse(&text).unwrap();
        let c = t.caller("s3cret").unwrap();
        assert_eq!(c.name, "tool");
        assert!(c.has(Scope::Decide) && c.has(Scope::Perform) && !c.has(Scope::Admin));
        assert!(t.caller("s3cret ").is_none());
        assert!(t.caller(&token_hash("s3cret")).is_none(), "the hash is not a token");
    }

    #[test]
    fn bad_files_name_the_field() {
        let e = Tokens::parse(r#"{"tokens": [{"name": "a", "sha256": "abc", "scopes": []}]}"#).unwrap_err();
        assert!(e.starts_with("tokens[0].sha256: expected 64 hex digits"), "{e}");
        let h = token_hash("x");
        let e = Tokens::parse(&format!(r#"{{"tokens": [{{"name": "a", "sha256": "{h}", "scopes": ["root"]}}]}}"#))
            .unwrap_err();
        assert!(e.starts_with("tokens[0].scopes[0]: expected one of decide, perform"), "{e}");
        assert!(Tokens::parse(r#"{"tokens": [{"name": "a"}]}"#).unwrap_err().starts_with("tokens[0]"));
    }

    #[test]
    fn a_server_with_a_tokens_file_that_never_loaded_refuses_everyone() {
        let a = Auth::from_file("/nonexistent/smpolicy-tokens.json");
        assert!(matches!(a.reload(), Some(TokensChange::Rejected { .. })));
        assert!(a.reload().is_none(), "reported once");
        assert!(matches!(a.check(Some(b"Bearer x"), Scope::Decide), Err(Refusal::Unauthenticated(_))));
        let open = Auth::open();
        assert_eq!(open.check(None, Scope::Decide).unwrap().name, "anonymous");
        assert!(matches!(open.check(None, Scope::Approve), Err(Refusal::Forbidden { .. })));
    }
}
