//! Counters: what a `limit` counts, over which window, and under which name
//! the history carries the count.
//!
//! This is the one home of the period table (`per day`, `per week`, `per
//! month`, `per rolling 7 days`) and of the counting rule (which actions
//! count: posts of a kind only, shares left out, this channel only). The
//! parser, `fmt`, lowering, the explanation and the service's derived history
//! all ask here, so a new period is one arm of each `match` below plus its
//! word in the grammar.
//!
//! A counter is carried in `history` under a name built from its parts
//! ([`Counter::key`]): the five counters of the first data model keep their
//! own fields (`history.posts_today`, `history.posts_this_week`,
//! `history.job_ads_this_week`, `history.invitations_this_week`,
//! `history.posts_last_24h`); every other one is a key of `history.counts`
//! (`history.counts.posts_this_month`,
//! `history.counts.job_ad_posts_last_7_days_on_this_channel_excluding_shares`).

use jiff::tz::TimeZone;
use jiff::Timestamp;

/// Where a counter kept outside the first data model's fields is read.
pub const COUNTS_PREFIX: &str = "history.counts.";

/// The window a counter covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// A calendar day in the policy's timezone.
    Day,
    /// A calendar week (Monday to Sunday) in the policy's timezone.
    Week,
    /// A calendar month in the policy's timezone.
    Month,
    /// The last N days (N × 24 hours) before the action: `rolling day` is
    /// `Rolling(1)`, `rolling 7 days` is `Rolling(7)`.
    Rolling(u32),
}

/// The words the grammar accepts after `per` that name a period on their
/// own (`rolling N days` carries its number; see [`Period::rolling`]).
pub const PERIOD_WORDS: &[(&str, Period)] =
    &[("day", Period::Day), ("week", Period::Week), ("month", Period::Month), ("rolling day", Period::Rolling(1))];

impl Period {
    /// `rolling N days`; `None` for 0 days (an empty window counts nothing).
    pub fn rolling(days: u32) -> Option<Period> {
        (days > 0).then_some(Period::Rolling(days))
    }

    /// The words as written after `per` (`fmt` writes them back).
    pub fn words(self) -> String {
        match self {
            Period::Day => "day".into(),
            Period::Week => "week".into(),
            Period::Month => "month".into(),
            Period::Rolling(1) => "rolling day".into(),
            Period::Rolling(n) => format!("rolling {n} days"),
        }
    }

    /// The words a generated clause name uses: never the number of a rolling
    /// window, so that editing it keeps the clause's name.
    pub fn id_words(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Rolling(1) => "rolling day",
            Period::Rolling(_) => "rolling days",
        }
    }

    /// The window's part of a counter's name (`today`, `this_month`, `last_7_days`).
    fn key(self) -> String {
        match self {
            Period::Day => "today".into(),
            Period::Week => "this_week".into(),
            Period::Month => "this_month".into(),
            Period::Rolling(1) => "last_24h".into(),
            Period::Rolling(n) => format!("last_{n}_days"),
        }
    }

    /// Reads [`Period::key`] back.
    fn from_key(key: &str) -> Option<Period> {
        Some(match key {
            "today" => Period::Day,
            "this_week" => Period::Week,
            "this_month" => Period::Month,
            "last_24h" => Period::Rolling(1),
            _ => {
                let n = key.strip_prefix("last_")?.strip_suffix("_days")?;
                if n.starts_with('0') || n.starts_with('+') {
                    return None;
                }
                Period::rolling(n.parse().ok()?)?
            }
        })
    }

    /// The window in words (`today`, `in the last 7 days`).
    pub fn window_words(self) -> String {
        match self {
            Period::Day => "today".into(),
            Period::Week => "this week".into(),
            Period::Month => "this month".into(),
            Period::Rolling(1) => "in the last 24 hours".into(),
            Period::Rolling(n) => format!("in the last {n} days"),
        }
    }

    /// The window that was counted for an action at `at`, in words, on the
    /// policy's clock (never the device's).
    pub fn counted_words(self, at: Timestamp, tz: &TimeZone) -> String {
        let zone = tz.iana_name().unwrap_or("UTC");
        let local = at.to_zoned(tz.clone());
        let clock = "(the policy's timezone, not the device's)";
        match self {
            Period::Day => format!("the day counted: {} in {zone} {clock}", local.date()),
            Period::Week => format!("the week counted: the calendar week of {} in {zone} {clock}", local.date()),
            Period::Month => {
                let d = local.date();
                format!("the month counted: {:04}-{:02} in {zone} {clock}", d.year(), d.month())
            }
            Period::Rolling(n) => {
                let from = self.start(at, tz).to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string();
                let (span, not) = if n == 1 {
                    ("24 hours".to_string(), "a calendar day")
                } else {
                    (format!("{n} days"), "calendar days")
                };
                format!(
                    "the {span} counted: from {from} to {} in {zone} (a rolling window, not {not})",
                    local.strftime("%Y-%m-%d %H:%M:%S")
                )
            }
        }
    }

    /// When a refused action may be tried again, in words.
    pub fn again_words(self) -> String {
        match self {
            Period::Day => "tomorrow, when the daily count starts again".into(),
            Period::Week => "next week, when the weekly count starts again".into(),
            Period::Month => "next month, when the monthly count starts again".into(),
            Period::Rolling(1) => "once the oldest counted post is more than 24 hours old".into(),
            Period::Rolling(n) => format!("once the oldest counted post is more than {n} days old"),
        }
    }

    /// Where the window starts for an action at `at`: the start of its local
    /// day, week (Monday) or month in `tz`, or N × 24 hours before. A calendar
    /// window includes its start; a rolling one does not ([`Period::covers`]).
    pub fn start(self, at: Timestamp, tz: &TimeZone) -> Timestamp {
        let date = at.to_zoned(tz.clone()).date();
        let day_start = |d: jiff::civil::Date| d.to_zoned(tz.clone()).map(|z| z.timestamp()).ok();
        let first = match self {
            Period::Day => Some(date),
            Period::Week => {
                let back = i64::from(date.weekday().to_monday_zero_offset());
                date.checked_sub(jiff::Span::new().days(back)).ok()
            }
            Period::Month => Some(date.first_of_month()),
            Period::Rolling(n) => {
                let back = jiff::SignedDuration::from_hours(24i64.saturating_mul(i64::from(n)));
                return at.checked_sub(back).unwrap_or(Timestamp::MIN);
            }
        };
        first.and_then(day_start).unwrap_or(at)
    }

    /// Whether an action performed at `then` falls in the window of an action at `at`.
    pub fn covers(self, then: Timestamp, at: Timestamp, tz: &TimeZone) -> bool {
        let start = self.start(at, tz);
        let after_start = if matches!(self, Period::Rolling(_)) { then > start } else { then >= start };
        after_start && then <= at
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.words())
    }
}

/// What a counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Counted {
    /// Posting actions: `post`, `comment` and `share` ([`crate::lower::POSTING_ACTIONS`]).
    Posts,
    /// `connect` actions.
    Invitations,
}

impl Counted {
    fn key(self) -> &'static str {
        match self {
            Counted::Posts => "posts",
            Counted::Invitations => "invitations",
        }
    }
}

/// One counter: what is counted, over which window.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Counter {
    /// Posts or invitations.
    pub of: Counted,
    /// Only posts with this content kind (`job_ad`).
    pub kind: Option<String>,
    /// The window.
    pub per: Period,
    /// Only actions on the channel of the action being decided.
    pub this_channel: bool,
    /// Shares (re-posts of someone else's content) are not counted.
    pub excluding_shares: bool,
}

/// The counters of the first data model, which keep their own fields.
const FIELDS: &[(&str, Counted, Option<&str>, Period)] = &[
    ("posts_today", Counted::Posts, None, Period::Day),
    ("posts_this_week", Counted::Posts, None, Period::Week),
    ("job_ads_this_week", Counted::Posts, Some("job_ad"), Period::Week),
    ("invitations_this_week", Counted::Invitations, None, Period::Week),
    ("posts_last_24h", Counted::Posts, None, Period::Rolling(1)),
];

impl Counter {
    /// All posts (or invitations) on any channel, shares included.
    pub fn all(of: Counted, per: Period) -> Counter {
        Counter { of, kind: None, per, this_channel: false, excluding_shares: false }
    }

    /// Its name in `history.counts` (`job_ad_posts_this_month_on_this_channel_excluding_shares`).
    pub fn key(&self) -> String {
        let mut k = String::new();
        if let Some(kind) = &self.kind {
            k.push_str(kind);
            k.push('_');
        }
        k.push_str(self.of.key());
        k.push('_');
        k.push_str(&self.per.key());
        if self.this_channel {
            k.push_str("_on_this_channel");
        }
        if self.excluding_shares {
            k.push_str("_excluding_shares");
        }
        k
    }

    /// Reads a name of `history.counts` back; `None` when it names no counter.
    pub fn from_key(key: &str) -> Option<Counter> {
        let (rest, excluding_shares) = match key.strip_suffix("_excluding_shares") {
            Some(r) => (r, true),
            None => (key, false),
        };
        let (rest, this_channel) = match rest.strip_suffix("_on_this_channel") {
            Some(r) => (r, true),
            None => (rest, false),
        };
        for of in [Counted::Posts, Counted::Invitations] {
            let word = of.key();
            let (kind, window) = if let Some(w) = rest.strip_prefix(&format!("{word}_")) {
                (None, w)
            } else if let Some(at) = rest.find(&format!("_{word}_")) {
                let kind = rest.get(..at)?;
                let w = rest.get(at + word.len() + 2..)?;
                (Some(kind.to_string()), w)
            } else {
                continue;
            };
            let per = Period::from_key(window)?;
            if (of == Counted::Invitations && (kind.is_some() || excluding_shares))
                || kind
                    .as_deref()
                    .is_some_and(|k| k.is_empty() || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            {
                return None;
            }
            let c = Counter { of, kind, per, this_channel, excluding_shares };
            // One name per counter: the canonical one.
            return (c.key() == key).then_some(c);
        }
        None
    }

    /// The fact path the history carries it under: a field of the first data
    /// model when it is one of those, else a key of `history.counts`.
    pub fn path(&self) -> String {
        let legacy = FIELDS.iter().find(|(_, of, kind, per)| {
            *of == self.of
                && kind.map(str::to_string) == self.kind
                && *per == self.per
                && !self.this_channel
                && !self.excluding_shares
        });
        match legacy {
            Some((field, ..)) => format!("history.{field}"),
            None => format!("{COUNTS_PREFIX}{}", self.key()),
        }
    }

    /// The counter a fact path names, if it names one.
    pub fn from_path(path: &str) -> Option<Counter> {
        if let Some(key) = path.strip_prefix(COUNTS_PREFIX) {
            let c = Counter::from_key(key)?;
            // A first-model counter is read from its own field, not from `counts`.
            return (c.path() == path).then_some(c);
        }
        let field = path.strip_prefix("history.")?;
        FIELDS.iter().find(|(f, ..)| *f == field).map(|(_, of, kind, per)| Counter {
            of: *of,
            kind: kind.map(str::to_string),
            per: *per,
            this_channel: false,
            excluding_shares: false,
        })
    }

    /// The counter in words, as explanations name the fact
    /// (`job_ad posts this month on this channel, shares not counted`).
    pub fn label(&self) -> String {
        let mut s = String::new();
        if let Some(kind) = &self.kind {
            s.push_str(&kind.replace('_', " "));
            s.push(' ');
        }
        s.push_str(self.of.key());
        s.push(' ');
        s.push_str(&self.per.window_words());
        if self.this_channel {
            s.push_str(" on this channel");
        }
        if self.excluding_shares {
            s.push_str(", shares not counted");
        }
        s
    }

    /// The counting rule in words, shown with a limit's verdict.
    pub fn rule_words(&self) -> String {
        let what = match (self.of, &self.kind, self.excluding_shares) {
            (Counted::Invitations, ..) => "invitations (connect)".to_string(),
            (Counted::Posts, None, false) => "posts, comments and shares".to_string(),
            (Counted::Posts, None, true) => "posts and comments (shares are not counted)".to_string(),
            (Counted::Posts, Some(k), false) => format!("posts, comments and shares whose content kind has {k}"),
            (Counted::Posts, Some(k), true) => {
                format!("posts and comments whose content kind has {k} (shares are not counted)")
            }
        };
        let channel = if self.this_channel { "on this action's channel only" } else { "on every channel" };
        format!("what is counted: {what} {channel}, {}, before this one", self.per.window_words())
    }

    /// Whether a performed action counts towards this counter for `deciding`
    /// (its window aside: see [`Period::covers`]).
    pub fn counts(&self, performed: &crate::data::action::Action, deciding: &crate::data::action::Action) -> bool {
        let action = performed.action.as_str();
        let of = match self.of {
            Counted::Posts => {
                crate::lower::POSTING_ACTIONS.contains(&action) && !(self.excluding_shares && action == "share")
            }
            Counted::Invitations => action == crate::data::action::ActionKind::Connect.as_str(),
        };
        let kind = self.kind.as_ref().is_none_or(|k| {
            performed.content.as_ref().and_then(|c| c.kind.as_ref()).is_some_and(|ks| ks.iter().any(|x| x == k))
        });
        let channel = !self.this_channel || (performed.channel.is_some() && performed.channel == deciding.channel);
        of && kind && channel
    }
}

/// The counters of `history.counts` a policy reads, each once.
pub fn read_by(policy: &crate::policy::Policy) -> Vec<Counter> {
    let mut paths = Vec::new();
    let conds = policy
        .rules
        .iter()
        .flat_map(|r| std::iter::once(&r.when).chain(r.exceptions_and_law()))
        .chain(policy.defaults.iter().map(|d| &d.scope));
    for c in conds {
        c.facts_into(&mut paths);
    }
    let mut out: Vec<Counter> =
        paths.into_iter().filter(|p| p.starts_with(COUNTS_PREFIX)).filter_map(Counter::from_path).collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(of: Counted, kind: Option<&str>, per: Period, this_channel: bool, excluding_shares: bool) -> Counter {
        Counter { of, kind: kind.map(str::to_string), per, this_channel, excluding_shares }
    }

    #[test]
    fn the_first_counters_keep_their_fields() {
        assert_eq!(Counter::all(Counted::Posts, Period::Day).path(), "history.posts_today");
        assert_eq!(Counter::all(Counted::Posts, Period::Rolling(1)).path(), "history.posts_last_24h");
        assert_eq!(Counter::all(Counted::Invitations, Period::Week).path(), "history.invitations_this_week");
        let job_ads = c(Counted::Posts, Some("job_ad"), Period::Week, false, false);
        assert_eq!(job_ads.path(), "history.job_ads_this_week");
        assert_eq!(Counter::from_path("history.job_ads_this_week"), Some(job_ads));
        // ... and are not read again under `counts`.
        assert_eq!(Counter::from_path("history.counts.posts_today"), None);
    }

    #[test]
    fn names_read_back_to_the_same_counter() {
        for per in
            [Period::Day, Period::Week, Period::Month, Period::Rolling(1), Period::Rolling(7), Period::Rolling(30)]
        {
            for kind in [None, Some("job_ad"), Some("brand_video")] {
                for (this_channel, excluding_shares) in [(false, false), (true, false), (false, true), (true, true)] {
                    let counter = c(Counted::Posts, kind, per, this_channel, excluding_shares);
                    assert_eq!(Counter::from_path(&counter.path()), Some(counter.clone()), "{}", counter.path());
                }
            }
            let inv = c(Counted::Invitations, None, per, true, false);
            assert_eq!(Counter::from_path(&inv.path()), Some(inv.clone()));
        }
        assert_eq!(
            c(Counted::Posts, Some("job_ad"), Period::Rolling(7), true, true).key(),
            "job_ad_posts_last_7_days_on_this_channel_excluding_shares"
        );
        for bad in [
            "posts_this_year",
            "posts_last_0_days",
            "posts_last_07_days",
            "invitations_this_month_excluding_shares",
            "job_ad_invitations_today",
            "posts",
            "_posts_today",
            "posts_today_on_this_channel_on_this_channel",
            "posts_last_1_days",
        ] {
            assert_eq!(Counter::from_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn windows_on_the_policy_clock() {
        let tz = TimeZone::get("America/New_York").unwrap();
        let at: Timestamp = "2026-03-18T03:00:00Z".parse().unwrap(); // Tue 17 March, 23:00 EDT
        let ts = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(Period::Day.start(at, &tz), ts("2026-03-17T04:00:00Z"));
        assert_eq!(Period::Week.start(at, &tz), ts("2026-03-16T04:00:00Z"));
        assert_eq!(Period::Month.start(at, &tz), ts("2026-03-01T05:00:00Z")); // before the clocks went forward
        assert_eq!(Period::Rolling(7).start(at, &tz), ts("2026-03-11T03:00:00Z"));
        assert!(Period::Month.covers(ts("2026-03-01T05:00:00Z"), at, &tz));
        assert!(!Period::Month.covers(ts("2026-03-01T04:59:59Z"), at, &tz));
        assert!(!Period::Rolling(7).covers(ts("2026-03-11T03:00:00Z"), at, &tz));
        assert!(Period::Rolling(7).covers(ts("2026-03-11T03:00:01Z"), at, &tz));
        assert!(!Period::Day.covers(ts("2026-03-18T03:00:01Z"), at, &tz), "after the action");
        assert_eq!(
            Period::Month.counted_words(at, &tz),
            "the month counted: 2026-03 in America/New_York (the policy's timezone, not the device's)"
        );
    }
}
