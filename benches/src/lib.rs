//! Generated policies over posting, connecting and covenant facts, the same
//! rules as a hand-written Rust function (the floor), and generated requests.
//! Used by the comparison binary (`src/main.rs`) and the divan micro-benchmarks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "benchmark code: fail loudly")]

use smpolicy::data::action::Action;

pub mod cedar;
pub mod random;
pub mod rego;
pub mod table;

use table::{Effect, TableRule};

/// Channels the posting rules name.
pub const CHANNELS: &[&str] = &["twitter", "linkedin", "facebook", "blog"];
/// Content kinds the posting rules name.
pub const KINDS: &[&str] = &["job_ad", "industry", "brand", "opinion", "pay_discussion"];
/// Relationships the connecting rules name.
pub const RELS: &[&str] = &["client", "candidate", "colleague", "prospect"];
/// Statuses.
pub const STATUSES: &[&str] = &["employed", "on_notice", "garden_leave", "departed"];

/// One generated rule, as data the floor reads.
#[derive(Debug, Clone, Copy)]
pub enum GenRule {
    /// `action = post and channel = C and content.kind has K and history.posts_today >= N then deny`.
    Posting { channel: usize, kind: usize, min_posts: u32 },
    /// `action = connect and target.relationship = R and actor.status = S then require approval from manager`.
    Connecting { rel: usize, status: usize },
    /// `action = solicit and actor.status = departed and target.relationship = R and at <= actor.departed_on + M months then deny`.
    Covenant { rel: usize, months: u32 },
}

/// The rules of an `n`-rule policy.
pub fn rules(n: usize) -> Vec<GenRule> {
    (0..n)
        .map(|i| match i % 3 {
            0 => GenRule::Posting { channel: i % 4, kind: (i / 3) % 5, min_posts: 3 + (i as u32 * 7) % 20 },
            1 => GenRule::Connecting { rel: i % 4, status: (i / 4) % 4 },
            _ => GenRule::Covenant { rel: (i / 2) % 4, months: 1 + (i as u32 * 5) % 12 },
        })
        .collect()
}

/// The policy as smpolicy text.
pub fn smpolicy_text(rules: &[GenRule]) -> String {
    let mut s = String::from(
        "policy \"generated\"\n  timezone \"Europe/London\"\n  default allow\n\nroles consultant, manager\n\n",
    );
    for (i, r) in rules.iter().enumerate() {
        let body = match *r {
            GenRule::Posting { channel, kind, min_posts } => format!(
                "when action = post and channel = {} and content.kind has {} and history.posts_today >= {min_posts}\n  then deny",
                CHANNELS[channel], KINDS[kind]
            ),
            GenRule::Connecting { rel, status } => format!(
                "when action = connect and target.relationship = {} and actor.status = {}\n  then require approval from manager",
                RELS[rel], STATUSES[status]
            ),
            GenRule::Covenant { rel, months } => format!(
                "when action = solicit and actor.status = departed and target.relationship = {} and at <= actor.departed_on + {months} months\n  then deny",
                RELS[rel]
            ),
        };
        s.push_str(&format!("rule r{i} {{\n  {body}\n}}\n\n"));
    }
    s
}

/// A generated request in plain fields (what the floor reads).
#[derive(Debug, Clone)]
pub struct Req {
    /// 0 post, 1 connect, 2 solicit.
    pub action: usize,
    /// Index into [`CHANNELS`].
    pub channel: usize,
    /// Bits over [`KINDS`].
    pub kinds: u8,
    /// Posts today.
    pub posts_today: u32,
    /// Index into [`RELS`].
    pub rel: usize,
    /// Index into [`STATUSES`].
    pub status: usize,
    /// When.
    pub at: jiff::civil::Date,
    /// Departure date (for departed).
    pub departed_on: jiff::civil::Date,
    /// `departed_on + m months` for m in 0..=12, computed when the request is built.
    pub shifted: [jiff::civil::Date; 13],
}

/// Days since 1970-01-01 (how Cedar and Rego see a date here).
pub fn epoch_days(d: jiff::civil::Date) -> i64 {
    i64::from(jiff::civil::date(1970, 1, 1).until(d).expect("dates in range").get_days())
}

/// A small deterministic generator (xorshift), so every run sees the same requests.
pub struct Rng(u64);

impl Rng {
    /// Seeded.
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }
    /// The next number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// `n` generated requests.
pub fn requests(n: usize, seed: u64) -> Vec<Req> {
    let mut rng = Rng::new(seed);
    let base = jiff::civil::date(2025, 1, 1);
    (0..n)
        .map(|_| {
            let departed_on = base.checked_add(jiff::Span::new().days(rng.below(400) as i64)).unwrap();
            let at = departed_on.checked_add(jiff::Span::new().days(rng.below(420) as i64)).unwrap();
            let shifted = std::array::from_fn(|m| departed_on.checked_add(jiff::Span::new().months(m as i64)).unwrap());
            Req {
                shifted,
                action: rng.below(3) as usize,
                channel: rng.below(4) as usize,
                kinds: rng.below(32) as u8,
                posts_today: rng.below(25) as u32,
                rel: rng.below(4) as usize,
                status: rng.below(4) as usize,
                at,
                departed_on,
            }
        })
        .collect()
}

/// The request as the JSON an smpolicy caller sends.
pub fn action_json(r: &Req) -> String {
    let kinds: Vec<&str> = (0..5).filter(|k| r.kinds & (1 << k) != 0).map(|k| KINDS[k]).collect();
    let action = ["post", "connect", "solicit"][r.action];
    serde_json::json!({
        "action": action,
        "at": r.at.to_string(),
        "actor": {"id": "a", "role": "consultant", "status": STATUSES[r.status], "departed_on": r.departed_on.to_string()},
        "channel": CHANNELS[r.channel],
        "content": {"kind": kinds},
        "history": {"posts_today": r.posts_today},
        "target": {"relationship": RELS[r.rel]},
    })
    .to_string()
}

/// The request as an smpolicy action.
pub fn action(r: &Req) -> Action {
    smpolicy::data::action::parse_action_json_line(&action_json(r)).expect("generated action parses")
}

/// The floor's verdict: 0 allow, 1 require approval, 2 deny.
pub fn floor(rules: &[GenRule], r: &Req) -> u8 {
    let mut best = 0u8;
    for rule in rules {
        let hit = match *rule {
            GenRule::Posting { channel, kind, min_posts } => {
                r.action == 0 && r.channel == channel && r.kinds & (1 << kind) != 0 && r.posts_today >= min_posts
            }
            GenRule::Connecting { rel, status } => r.action == 1 && r.rel == rel && r.status == status,
            GenRule::Covenant { rel, months } => {
                r.action == 2
                    && r.status == 3
                    && r.rel == rel
                    && r.shifted.get(months as usize).is_some_and(|d| r.at <= *d)
            }
        };
        if hit {
            let v = if matches!(rule, GenRule::Connecting { .. }) { 1 } else { 2 };
            best = best.max(v);
            if best == 2 {
                return 2;
            }
        }
    }
    best
}

/// Values each discrete fact of the templated workload takes, for the indexed
/// floor: action (3), channel (4), content kinds as a bit mask (32), posts
/// today (0–24), relationship (4), status (4), and the first `m` in 0..=12
/// with `at <= departed_on + m months` (13 when none).
pub const TEMPLATED_DOMAINS: [u32; 7] = [3, 4, 32, 25, 4, 4, 14];

/// The templated request in the discrete form of [`TEMPLATED_DOMAINS`].
pub fn templated_vals(r: &Req) -> [u32; 7] {
    let m0 = r.shifted.iter().position(|d| r.at <= *d).unwrap_or(13) as u32;
    [r.action as u32, r.channel as u32, u32::from(r.kinds), r.posts_today, r.rel as u32, r.status as u32, m0]
}

/// The templated rules as rows of the data table (and their discrete form).
pub fn templated_table(rules: &[GenRule]) -> Vec<TableRule> {
    let one = |v: usize| 1u64 << v;
    rules
        .iter()
        .map(|r| match *r {
            GenRule::Posting { channel, kind, min_posts } => {
                let mut t = TableRule::new(Effect::Deny);
                t.test("eq", "action", "post");
                t.test("eq", "channel", CHANNELS[channel]);
                t.test("has", "content.kind", KINDS[kind]);
                t.test("ge", "history.posts_today", min_posts);
                let kinds = (0..32u32).filter(|m| m & (1 << kind) != 0).fold(0, |acc, m| acc | 1u64 << m);
                let posts = (min_posts..25).fold(0, |acc, p| acc | 1u64 << p);
                t.discrete = vec![(0, one(0)), (1, one(channel)), (2, kinds), (3, posts)];
                t
            }
            GenRule::Connecting { rel, status } => {
                let mut t = TableRule::new(Effect::Approve);
                t.test("eq", "action", "connect");
                t.test("eq", "target.relationship", RELS[rel]);
                t.test("eq", "actor.status", STATUSES[status]);
                t.discrete = vec![(0, one(1)), (4, one(rel)), (5, one(status))];
                t
            }
            GenRule::Covenant { rel, months } => {
                let mut t = TableRule::new(Effect::Deny);
                t.test("eq", "action", "solicit");
                t.test("eq", "actor.status", "departed");
                t.test("eq", "target.relationship", RELS[rel]);
                t.test("within", "at", months);
                let m0 = (0..=months).fold(0, |acc, m| acc | 1u64 << m);
                t.discrete = vec![(0, one(2)), (5, one(3)), (4, one(rel)), (6, m0)];
                t
            }
        })
        .collect()
}

/// The templated request as the flat input of the table-driven Rego encoding.
pub fn templated_flat_input(r: &Req) -> serde_json::Value {
    let kinds: Vec<&str> = (0..KINDS.len()).filter(|k| r.kinds & (1 << k) != 0).map(|k| KINDS[k]).collect();
    let plus: Vec<i64> = r.shifted.iter().map(|d| epoch_days(*d)).collect();
    let action = ["post", "connect", "solicit"][r.action];
    serde_json::json!({
        "action": action,
        "channel": CHANNELS[r.channel],
        "content.kind": kinds,
        "history.posts_today": r.posts_today,
        "target.relationship": RELS[r.rel],
        "actor.status": STATUSES[r.status],
        "at": epoch_days(r.at),
        "departed_plus": plus,
    })
}

/// The times of smpolicy's load stages, in ms: parse, check (which lowers the
/// policy for its lints), lowering alone, compile. Panics on a policy with errors.
pub fn load_stages(name: &str, text: &str) -> [f64; 4] {
    use std::time::Instant;
    let t0 = Instant::now();
    let file = smpolicy::source::SourceFile::new(name, text);
    let ast = smpolicy::parser::parse(&file).unwrap_or_else(|e| panic!("{name} does not parse: {e:?}"));
    let t1 = Instant::now();
    let report = smpolicy::check::check(&file, &ast);
    assert!(!report.has_errors(), "{name} has errors");
    let t2 = Instant::now();
    let policy = smpolicy::lower::lower(&file, &ast);
    let t3 = Instant::now();
    std::hint::black_box(smpolicy::compile::compile(&policy));
    let t4 = Instant::now();
    [t1 - t0, t2 - t1, t3 - t2, t4 - t3].map(|d| d.as_secs_f64() * 1e3)
}

/// Loads an smpolicy policy from text: parse, check, lower.
pub fn load(text: &str) -> (smpolicy::source::SourceFile, smpolicy::policy::Policy) {
    let file = smpolicy::source::SourceFile::new("generated.policy", text);
    let ast = smpolicy::parser::parse(&file).unwrap_or_else(|e| panic!("generated policy does not parse: {e:?}"));
    let policy = smpolicy::lower::lower(&file, &ast);
    (file, policy)
}
