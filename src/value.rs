//! Values shared by every stage: literals in a policy, facts of an action, and
//! lengths of time with the calendar arithmetic the language promises
//! (a month window ends on the same day-of-month, clamped to the month's last day).

use jiff::civil::{Date, Weekday};
use serde::Serialize;
use std::fmt;

/// A unit of time in a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Hours (for rolling windows).
    Hour,
    /// Calendar days.
    Day,
    /// Monday to Friday days.
    BusinessDay,
    /// Weeks of seven days.
    Week,
    /// Calendar months, clamped to the month's last day.
    Month,
}

/// A length of time such as `3 months`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct Duration {
    /// How many units.
    pub amount: u32,
    /// Which unit.
    pub unit: TimeUnit,
}

impl Duration {
    /// A duration of `amount` units.
    pub fn new(amount: u32, unit: TimeUnit) -> Self {
        Duration { amount, unit }
    }

    /// The date this long after `date` (before it when `forward` is false).
    /// Month arithmetic clamps to the end of a shorter month; hours round down to days.
    /// Returns `None` when the result leaves the supported calendar.
    pub fn shift(self, date: Date, forward: bool) -> Option<Date> {
        let n = i64::from(self.amount);
        let signed = if forward { n } else { -n };
        match self.unit {
            TimeUnit::Hour => date.checked_add(jiff::Span::new().try_days(signed / 24).ok()?).ok(),
            TimeUnit::Day => date.checked_add(jiff::Span::new().try_days(signed).ok()?).ok(),
            TimeUnit::Week => date.checked_add(jiff::Span::new().try_weeks(signed).ok()?).ok(),
            // As jiff's month arithmetic (the day clamped to the month's end), without its general machinery.
            TimeUnit::Month => {
                let months = i64::from(date.year()) * 12 + i64::from(date.month() - 1) + signed;
                let year = i16::try_from(months.div_euclid(12)).ok()?;
                let month = i8::try_from(months.rem_euclid(12) + 1).ok()?;
                let last = Date::new(year, month, 1).ok()?.days_in_month();
                Date::new(year, month, date.day().min(last)).ok()
            }
            TimeUnit::BusinessDay => {
                let mut d = date;
                let mut left = self.amount;
                let step = if forward { 1 } else { -1 };
                while left > 0 {
                    d = d.checked_add(jiff::Span::new().days(step)).ok()?;
                    if !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
                        left -= 1;
                    }
                }
                Some(d)
            }
        }
    }

    /// The number of days, when the unit has a fixed length (not months).
    pub fn fixed_days(self) -> Option<i64> {
        match self.unit {
            TimeUnit::Hour => Some(i64::from(self.amount) / 24),
            TimeUnit::Day => Some(i64::from(self.amount)),
            TimeUnit::Week => Some(i64::from(self.amount) * 7),
            TimeUnit::BusinessDay | TimeUnit::Month => None,
        }
    }

    /// Months, counting a year-free approximation for comparisons of covenant lengths
    /// (30 days = 1 month, 1 week = 7/30 months).
    pub fn approx_months(self) -> f64 {
        let a = f64::from(self.amount);
        match self.unit {
            TimeUnit::Hour => a / 24.0 / 30.0,
            TimeUnit::Day | TimeUnit::BusinessDay => a / 30.0,
            TimeUnit::Week => a * 7.0 / 30.0,
            TimeUnit::Month => a,
        }
    }

    /// Months rounded up to a whole number, as the law table and contracts read a covenant's length.
    pub fn whole_months(self) -> u32 {
        // `as` saturates at the bounds of u32, and the value is already whole.
        self.approx_months().ceil() as u32
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let one = self.amount == 1;
        let unit = match (self.unit, one) {
            (TimeUnit::Hour, true) => "hour",
            (TimeUnit::Hour, false) => "hours",
            (TimeUnit::Day, true) => "day",
            (TimeUnit::Day, false) => "days",
            (TimeUnit::BusinessDay, true) => "business day",
            (TimeUnit::BusinessDay, false) => "business days",
            (TimeUnit::Week, true) => "week",
            (TimeUnit::Week, false) => "weeks",
            (TimeUnit::Month, true) => "month",
            (TimeUnit::Month, false) => "months",
        };
        write!(f, "{} {}", self.amount, unit)
    }
}

/// A date as jiff displays it (`YYYY-MM-DD`), written without its general
/// printer; `None` for a year before 0 (then display it).
pub fn date_text(d: Date) -> Option<[u8; 10]> {
    let y = u16::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
    let (m, day) = (u16::try_from(d.month()).ok()?, u16::try_from(d.day()).ok()?);
    let digit = |n: u16| b'0' + (n % 10) as u8;
    Some([
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        b'-',
        digit(m / 10),
        digit(m),
        b'-',
        digit(day / 10),
        digit(day),
    ])
}

/// Appends a date as jiff displays it (see [`date_text`]).
pub fn push_date(out: &mut String, d: Date) {
    match date_text(d) {
        Some(text) => out.extend(text.iter().map(|b| char::from(*b))),
        None => {
            use std::fmt::Write;
            let _ = write!(out, "{d}");
        }
    }
}

/// The type of a fact or value, as the checker sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Type {
    /// `true` or `false`.
    Bool,
    /// A whole number.
    Int,
    /// A share in percent.
    Percent,
    /// A calendar date (a timestamp compares by its date in the policy's timezone).
    Date,
    /// A point in time.
    Timestamp,
    /// A time of day on the clock (`09:00`), to the minute.
    TimeOfDay,
    /// A length of time.
    Duration,
    /// Free text.
    Text,
    /// One of a named set of values (`role`, `channel`, `status`, ...).
    Enum(String),
    /// Several values of a named set at once (`content.kind`).
    EnumList(String),
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("a yes/no value"),
            Type::Int => f.write_str("a number"),
            Type::Percent => f.write_str("a percentage"),
            Type::Date => f.write_str("a date"),
            Type::Timestamp => f.write_str("a date and time"),
            Type::TimeOfDay => f.write_str("a time of day"),
            Type::Duration => f.write_str("a length of time"),
            Type::Text => f.write_str("a text"),
            Type::Enum(set) if set.starts_with(['a', 'e', 'i', 'o', 'u']) => write!(f, "an {set}"),
            Type::Enum(set) => write!(f, "a {set}"),
            Type::EnumList(set) => write!(f, "a list of {set} values"),
        }
    }
}

/// A runtime value: a literal of the policy or a fact of an action.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Value {
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A percentage, `30%` is 30.
    Percent(i64),
    /// A calendar date.
    Date(Date),
    /// A point in time.
    Timestamp(jiff::Timestamp),
    /// A time of day, in minutes after midnight (`09:30` is 570), written `HH:MM`.
    #[serde(serialize_with = "ser_time_of_day")]
    TimeOfDay(u16),
    /// A length of time.
    Duration(Duration),
    /// Free text.
    Text(String),
    /// A name from a set (`client`, `twitter`, `departed`).
    Symbol(String),
    /// Several names at once (`content.kind: [job_ad, client_mention]`).
    List(Vec<String>),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Percent(p) => write!(f, "{p}%"),
            Value::Date(d) => write!(f, "{d}"),
            Value::Timestamp(t) => write!(f, "{t}"),
            Value::TimeOfDay(m) => write!(f, "{:02}:{:02}", m / 60, m % 60),
            Value::Duration(d) => write!(f, "{d}"),
            Value::Text(s) => write!(f, "{s:?}"),
            Value::Symbol(s) => f.write_str(s),
            Value::List(items) => write!(f, "[{}]", items.join(", ")),
        }
    }
}

fn ser_time_of_day<S: serde::Serializer>(m: &u16, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&Value::TimeOfDay(*m))
}

/// Minutes in a day: a time of day is below this.
pub const MINUTES_PER_DAY: u16 = 24 * 60;

/// The minutes after midnight of `HH:MM` (`00:00` to `23:59`), if it is one.
pub fn parse_time_of_day(text: &str) -> Option<u16> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = (h.parse::<u16>().ok()?, m.parse::<u16>().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// The days of the week as policies name them (`at.weekday`), Monday first.
pub const WEEKDAYS: &[&str] = &["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// A weekday's name in [`WEEKDAYS`].
pub fn weekday_name(d: Weekday) -> &'static str {
    let i = usize::try_from(d.to_monday_zero_offset()).unwrap_or(0);
    WEEKDAYS.get(i).copied().unwrap_or("monday")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn times_of_day_read_and_print_as_written() {
        assert_eq!(parse_time_of_day("09:00"), Some(540));
        assert_eq!(parse_time_of_day("23:59"), Some(1439));
        assert_eq!(parse_time_of_day("24:00"), None);
        assert_eq!(parse_time_of_day("9:00"), None);
        assert_eq!(parse_time_of_day("12:60"), None);
        assert_eq!(Value::TimeOfDay(570).to_string(), "09:30");
        assert_eq!(serde_json::to_string(&Value::TimeOfDay(1050)).ok().as_deref(), Some("\"17:30\""));
        assert_eq!(weekday_name(date(2026, 12, 6).weekday()), "sunday");
        assert_eq!(weekday_name(date(2026, 12, 7).weekday()), "monday");
    }

    #[test]
    fn month_arithmetic_clamps_to_month_end() {
        let d = Duration::new(6, TimeUnit::Month);
        assert_eq!(d.shift(date(2024, 8, 31), true), Some(date(2025, 2, 28)));
        assert_eq!(Duration::new(12, TimeUnit::Month).shift(date(2025, 3, 31), false), Some(date(2024, 3, 31)));
    }

    #[test]
    fn business_days_skip_weekends() {
        // Tue 1 Jul 2025 + 1 business day = Wed 2 Jul; Fri 4 Jul + 1 = Mon 7 Jul.
        let one = Duration::new(1, TimeUnit::BusinessDay);
        assert_eq!(one.shift(date(2025, 7, 1), true), Some(date(2025, 7, 2)));
        assert_eq!(one.shift(date(2025, 7, 4), true), Some(date(2025, 7, 7)));
    }

    #[test]
    fn durations_print_singular_and_plural() {
        assert_eq!(Duration::new(1, TimeUnit::BusinessDay).to_string(), "1 business day");
        assert_eq!(Duration::new(3, TimeUnit::Month).to_string(), "3 months");
    }

    /// Month shifts give what jiff's month arithmetic gives, month ends and
    /// the calendar's edges included.
    #[test]
    fn dates_are_written_as_jiff_displays_them() {
        let mut days = vec![Date::MIN, Date::MAX, date(-1, 12, 31), date(0, 1, 1), date(9999, 12, 31)];
        let mut d = date(1999, 12, 25);
        for _ in 0..2000 {
            days.push(d);
            d = d.tomorrow().unwrap();
        }
        days.extend([date(7, 3, 9), date(42, 10, 10), date(999, 9, 9)]);
        for d in days {
            let mut out = String::new();
            push_date(&mut out, d);
            assert_eq!(out, d.to_string());
            if let Some(text) = date_text(d) {
                assert_eq!(text.as_slice(), d.to_string().as_bytes());
            }
        }
    }

    #[test]
    fn month_shifts_agree_with_jiff() {
        let dates = [
            date(2024, 1, 31),
            date(2024, 2, 29),
            date(2023, 3, 31),
            date(2026, 8, 31),
            date(2026, 12, 15),
            date(1, 1, 1),
            date(9999, 12, 31),
            date(-9999, 1, 1),
        ];
        for d in dates {
            for amount in [0u32, 1, 2, 3, 6, 11, 12, 13, 24, 25, 120, 1000, 200_000] {
                for forward in [true, false] {
                    let n = if forward { i64::from(amount) } else { -i64::from(amount) };
                    let want = jiff::Span::new().try_months(n).ok().and_then(|s| d.checked_add(s).ok());
                    let got = Duration::new(amount, TimeUnit::Month).shift(d, forward);
                    assert_eq!(got, want, "{d} {} {amount} months", if forward { "+" } else { "-" });
                }
            }
        }
    }
}
