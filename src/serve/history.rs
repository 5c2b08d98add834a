//! Counters derived from what was recorded as performed.
//!
//! When an action omits `history`, the service fills it from the actions the
//! same actor was recorded as having carried out (`POST /v1/performed`):
//!
//! - `posts_today`: posting actions (`post`, `share`, `comment`) since the
//!   start of the action's day;
//! - `posts_this_week`: posting actions since the start of the action's week
//!   (weeks start on Monday, as in the ISO calendar);
//! - `job_ads_this_week`: posting actions whose content kind has `job_ad`,
//!   since the start of the week;
//! - `invitations_this_week`: `connect` actions since the start of the week;
//! - `posts_last_24h`: posting actions in the 24 hours before the action;
//! - `counts`: every other counter the deciding policy reads
//!   (`history.counts.posts_this_month`, ...), each counted by its own rule
//!   ([`Counter::counts`], [`crate::counter::Period::covers`]) from the
//!   actions as they were decided.
//!
//! Days, weeks and months are read in the deciding policy's timezone; a
//! recorded action counts when it happened at or before the action being decided.

use crate::counter::Counter;
use crate::data::action::{Action, ActionKind, History};
use crate::lower::POSTING_ACTIONS;
use crate::policy::Policy;

/// The performed action counts as a post.
pub const POST: i64 = 1;
/// The performed action counts as a job ad.
pub const JOB_AD: i64 = 2;
/// The performed action counts as an invitation.
pub const INVITATION: i64 = 4;

/// What a performed action counts towards, as a bit set of [`POST`],
/// [`JOB_AD`] and [`INVITATION`].
pub fn counts(action: &Action) -> i64 {
    let mut c = 0;
    if POSTING_ACTIONS.contains(&action.action.as_str()) {
        c |= POST;
        if action.content.as_ref().and_then(|k| k.kind.as_ref()).is_some_and(|k| k.iter().any(|k| k == "job_ad")) {
            c |= JOB_AD;
        }
    }
    if action.action == ActionKind::Connect.as_str() {
        c |= INVITATION;
    }
    c
}

/// The counters of `history.counts` a policy reads, each once.
pub fn counters(policy: &Policy) -> Vec<Counter> {
    policy.decls.counters.clone()
}

/// The window to read: from the earliest start any counter needs, up to `at` (milliseconds since the epoch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// The start of the action's week (or 24 hours before, if earlier).
    pub since_ms: i64,
    /// The start of the action's day.
    pub day_ms: i64,
    /// The start of the action's week.
    pub week_ms: i64,
    /// 24 hours before the action.
    pub last_24h_ms: i64,
    /// The action's time.
    pub until_ms: i64,
    /// The action's time, and the policy's timezone, for the counters of `counts`.
    pub at: jiff::Timestamp,
    /// The policy's timezone.
    pub tz: jiff::tz::TimeZone,
    /// The counters of `counts` the policy reads.
    pub counters: Vec<Counter>,
}

/// The day and week around `at` in `tz`, and as far back as `counters` need.
pub fn window(at: jiff::Timestamp, tz: &jiff::tz::TimeZone, counters: Vec<Counter>) -> Window {
    let zoned = at.to_zoned(tz.clone());
    let date = zoned.date();
    let start = |d: jiff::civil::Date| d.to_zoned(tz.clone()).map(|z| z.timestamp().as_millisecond()).ok();
    let until_ms = at.as_millisecond();
    let day_ms = start(date).unwrap_or(until_ms);
    let back = i64::from(date.weekday().to_monday_zero_offset());
    let week_ms = date.checked_sub(jiff::Span::new().days(back)).ok().and_then(start).unwrap_or(day_ms);
    let last_24h_ms = until_ms - 24 * 3600 * 1000;
    let earliest = counters.iter().map(|c| c.per.start(at, tz).as_millisecond()).min().unwrap_or(i64::MAX);
    let since_ms = week_ms.min(last_24h_ms).min(earliest);
    Window { since_ms, day_ms, week_ms, last_24h_ms, until_ms, at, tz: tz.clone(), counters }
}

/// The counters from performed actions given as (time in ms, [`counts`] bits,
/// the action as decided), all inside `w`, for the action `deciding` (whose
/// channel the counters `on_this_channel` compare with).
pub fn derive(w: &Window, performed: &[(i64, i64, String)], deciding: &Action) -> History {
    let mut h = History {
        posts_today: Some(0),
        posts_this_week: Some(0),
        job_ads_this_week: Some(0),
        invitations_this_week: Some(0),
        posts_last_24h: Some(0),
        counts: w.counters.iter().map(|c| (c.key(), 0)).collect(),
    };
    let bump = |c: &mut Option<u32>| *c = Some(c.unwrap_or(0).saturating_add(1));
    for (ms, bits, input) in performed {
        let (ms, bits) = (*ms, *bits);
        if ms > w.until_ms {
            continue;
        }
        if !w.counters.is_empty() {
            // A logged action always reads (it was decided from it); one that
            // somehow does not counts towards none of these counters.
            if let (Ok(done), Ok(then)) =
                (crate::data::action::parse_action_json_line(input), jiff::Timestamp::from_millisecond(ms))
            {
                for c in &w.counters {
                    if c.per.covers(then, w.at, &w.tz) && c.counts(&done, deciding) {
                        if let Some(n) = h.counts.get_mut(&c.key()) {
                            *n = n.saturating_add(1);
                        }
                    }
                }
            }
        }
        let post = bits & POST != 0;
        if post && ms >= w.day_ms {
            bump(&mut h.posts_today);
        }
        if post && ms > w.last_24h_ms {
            bump(&mut h.posts_last_24h);
        }
        if ms >= w.week_ms {
            if post {
                bump(&mut h.posts_this_week);
            }
            if bits & JOB_AD != 0 {
                bump(&mut h.job_ads_this_week);
            }
            if bits & INVITATION != 0 {
                bump(&mut h.invitations_this_week);
            }
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn days_and_weeks_in_the_policy_timezone() {
        let tz = jiff::tz::TimeZone::get("America/New_York").unwrap();
        let at: jiff::Timestamp = "2026-03-18T03:00:00Z".parse().unwrap(); // Tue 23:00 in New York
        let w = window(at, &tz, vec![]);
        assert_eq!(w.day_ms, ms("2026-03-17T04:00:00Z")); // Tue 00:00 EDT
        assert_eq!(w.week_ms, ms("2026-03-16T04:00:00Z")); // Mon 00:00 EDT
        let performed = [
            (ms("2026-03-17T05:00:00Z"), POST | JOB_AD), // Tue 01:00: today, this week
            (ms("2026-03-16T05:00:00Z"), POST),          // Mon 01:00: this week, more than 24 hours ago
            (ms("2026-03-16T03:00:00Z"), POST),          // Sun 23:00: last week
            (ms("2026-03-17T10:00:00Z"), INVITATION),
            (ms("2026-03-18T04:00:00Z"), POST), // after the action: not counted
        ]
        .map(|(t, bits)| (t, bits, String::new()));
        let h = derive(&w, &performed, &action("post", "twitter", "industry"));
        assert_eq!(h.posts_today, Some(1));
        assert_eq!(h.posts_this_week, Some(2));
        assert_eq!(h.job_ads_this_week, Some(1));
        assert_eq!(h.invitations_this_week, Some(1));
        assert_eq!(h.posts_last_24h, Some(1));
    }

    fn action(kind: &str, channel: &str, content: &str) -> Action {
        crate::data::action::parse_action_json_line(&format!(
            r#"{{"action":"{kind}","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"{channel}","content":{{"kind":["{content}"]}}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn the_counters_a_policy_reads_are_derived_by_their_own_rule() {
        let src = crate::source::SourceFile::new(
            "p.policy",
            "policy \"p\" default allow timezone \"Europe/London\"\nposting on twitter {\n  limit 20 posts per month\n  limit 3 job_ad posts per rolling 7 days per channel excluding shares\n}\n",
        );
        let policy = crate::check::check_and_lower(&src).expect("the policy checks").2;
        let counters = counters(&policy);
        let keys: Vec<String> = counters.iter().map(Counter::key).collect();
        assert_eq!(keys, ["posts_this_month", "job_ad_posts_last_7_days_on_this_channel_excluding_shares"]);
        let tz = jiff::tz::TimeZone::get("Europe/London").unwrap();
        let at: jiff::Timestamp = "2026-03-10T12:00:00Z".parse().unwrap();
        let w = window(at, &tz, counters);
        assert_eq!(w.since_ms, ms("2026-03-01T00:00:00Z"), "back to the start of the month");
        let log = |t: &str, a: Action| (ms(t), counts(&a), serde_json::to_string(&a).unwrap());
        let performed = [
            log("2026-03-09T09:00:00Z", action("post", "twitter", "job_ad")), // both
            log("2026-03-09T10:00:00Z", action("share", "twitter", "job_ad")), // a share: the month only
            log("2026-03-08T10:00:00Z", action("post", "linkedin", "job_ad")), // another channel: the month only
            log("2026-03-02T10:00:00Z", action("comment", "twitter", "job_ad")), // 8 days ago: the month only
            log("2026-03-05T10:00:00Z", action("post", "twitter", "industry")), // another kind: the month only
            log("2026-02-28T10:00:00Z", action("post", "twitter", "job_ad")), // last month: neither
        ];
        let h = derive(&w, &performed, &action("post", "twitter", "job_ad"));
        assert_eq!(h.counts.get("posts_this_month"), Some(&5));
        assert_eq!(h.counts.get("job_ad_posts_last_7_days_on_this_channel_excluding_shares"), Some(&1));
        assert_eq!(h.posts_this_week, Some(2), "the week's count is the first model's, unchanged");
    }

    #[test]
    fn what_counts() {
        let a = crate::data::action::parse_action_json_line(
            r#"{"action":"post","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"linkedin","content":{"kind":["job_ad"]}}"#,
        )
        .unwrap();
        assert_eq!(counts(&a), POST | JOB_AD);
        let c = crate::data::action::parse_action_json_line(
            r#"{"action":"connect","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"linkedin"}"#,
        )
        .unwrap();
        assert_eq!(counts(&c), INVITATION);
    }
}
