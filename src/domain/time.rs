//! Timestamps are stored as UTC epoch seconds (one type on both backends)
//! and shown as ISO 8601 / RFC 3339 UTC strings, e.g. `2026-11-23T21:50:22Z`.
//! Calendar dates travel as (year, month, day); the calendar and the
//! Europe/Amsterdam rules are jiff's, from the tz database bundled with it.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use std::sync::LazyLock;

/// Dutch members read every date and time here. The bundled database
/// always holds the zone, so a lookup failure is a build defect.
static AMSTERDAM: LazyLock<TimeZone> = LazyLock::new(|| {
    TimeZone::get("Europe/Amsterdam").expect("the bundled tz database has Europe/Amsterdam")
});

const UNIX_EPOCH_DAY: Date = Date::constant(1970, 1, 1);

/// Epoch seconds as an instant. jiff spans the years -9999 to 9999; the
/// service's clock and stored timestamps never leave that, so an instant
/// beyond it is pinned to the nearest end rather than failing a response.
fn instant(epoch_secs: i64) -> Timestamp {
    Timestamp::from_second(epoch_secs).unwrap_or(if epoch_secs < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

fn ymd(date: Date) -> (i64, u32, u32) {
    // Month and day are 1-based, so never negative.
    (
        i64::from(date.year()),
        date.month().unsigned_abs().into(),
        date.day().unsigned_abs().into(),
    )
}

/// The date of a (year, month, day) that this module or [`parse_date`] made.
///
/// # Panics
/// If it is no calendar date in the years -9999 to 9999.
fn civil((y, m, d): (i64, u32, u32)) -> Date {
    let date = match (i16::try_from(y), i8::try_from(m), i8::try_from(d)) {
        (Ok(y), Ok(m), Ok(d)) => Date::new(y, m, d).ok(),
        _ => None,
    };
    date.unwrap_or_else(|| panic!("({y}, {m}, {d}) is not a calendar date"))
}

/// `2026-11-23T21:50:22Z` for epoch seconds; proleptic Gregorian, UTC.
pub fn rfc3339(epoch_secs: i64) -> String {
    instant(epoch_secs).to_string()
}

/// The calendar date in Amsterdam (`2026-12-07`) of epoch seconds: the
/// day a member in the Netherlands says it is.
pub fn amsterdam_day(epoch_secs: i64) -> String {
    let (y, m, d) = amsterdam_date(epoch_secs);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    ymd(UNIX_EPOCH_DAY
        .checked_add(z.days())
        .unwrap_or_else(|_| panic!("day {z} is beyond the years -9999 to 9999")))
}

/// (year, month, day) to days since 1970-01-01: the inverse of
/// [`civil_from_days`].
///
/// # Panics
/// If (y, m, d) is no calendar date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    civil((y, m, d)).duration_since(UNIX_EPOCH_DAY).as_secs() / 86_400
}

/// Europe/Amsterdam's offset from UTC at an instant, in seconds: +2 h in
/// summer time, +1 h otherwise.
pub fn amsterdam_offset(epoch_secs: i64) -> i64 {
    AMSTERDAM.to_offset(instant(epoch_secs)).seconds().into()
}

/// The calendar date in Amsterdam at an instant, as (year, month, day).
pub fn amsterdam_date(epoch_secs: i64) -> (i64, u32, u32) {
    ymd(AMSTERDAM.to_datetime(instant(epoch_secs)).date())
}

/// The instant a calendar day starts in Amsterdam.
///
/// # Panics
/// If (y, m, d) is no calendar date.
pub fn amsterdam_midnight(y: i64, m: u32, d: u32) -> i64 {
    // Amsterdam's clocks change at 02:00 and 03:00, never at midnight, so
    // a day's start is never skipped or repeated.
    AMSTERDAM
        .to_timestamp(civil((y, m, d)).into())
        .expect("every calendar day starts at an instant")
        .as_second()
}

/// Adds days to a calendar date.
pub fn add_days(date: (i64, u32, u32), days: i64) -> (i64, u32, u32) {
    civil_from_days(days_from_civil(date.0, date.1, date.2) + days)
}

/// Parses `YYYY-MM-DD`; `None` unless it names a calendar date.
pub fn parse_date(s: &str) -> Option<(i64, u32, u32)> {
    let mut it = s.splitn(3, '-');
    let y = it.next()?.parse().ok()?;
    let m = it.next()?.parse().ok()?;
    let d = it.next()?.parse().ok()?;
    Date::new(y, m, d).ok().map(ymd)
}

/// A date as a person reads it: "vrijdag 15 januari 2027" or "Friday
/// 15 January 2027", never an ISO string.
pub fn human_date((y, m, d): (i64, u32, u32), locale: super::Locale) -> String {
    const DAYS_NL: [&str; 7] = [
        "maandag",
        "dinsdag",
        "woensdag",
        "donderdag",
        "vrijdag",
        "zaterdag",
        "zondag",
    ];
    const DAYS_EN: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    const MONTHS_NL: [&str; 12] = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    const MONTHS_EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let date = civil((y, m, d));
    let weekday = date.weekday().to_monday_zero_offset().unsigned_abs() as usize;
    let month = m as usize - 1;
    match locale {
        super::Locale::Nl => format!("{} {d} {} {y}", DAYS_NL[weekday], MONTHS_NL[month]),
        super::Locale::En => format!("{} {d} {} {y}", DAYS_EN[weekday], MONTHS_EN[month]),
    }
}

/// An instant written with its offset (RFC 3339: `2026-12-10T14:00:00+01:00`
/// or `...Z`), as epoch seconds; `None` for anything else, a local time
/// without an offset included (it names no instant).
pub fn parse_instant(s: &str) -> Option<i64> {
    let t = s.trim();
    // A time zone annotation (`[Europe/Amsterdam]`) is RFC 9557, not 3339.
    if t.len() > 35 || t.contains('[') || !t.contains('T') && !t.contains('t') {
        return None;
    }
    t.parse::<Timestamp>().ok().map(|ts| ts.as_second())
}

/// A wall-clock time in Amsterdam as a browser's `datetime-local` field
/// sends it (`2026-12-10T14:00`), written with its offset for
/// [`parse_instant`]; `None` when it is not such a time.
pub fn amsterdam_local(s: &str) -> Option<String> {
    let dt: jiff::civil::DateTime = s.trim().parse().ok()?;
    let z = AMSTERDAM
        .to_ambiguous_zoned_datetime(dt)
        .compatible()
        .ok()?;
    Some(z.timestamp().to_string())
}

/// The wall-clock time in Amsterdam as iCalendar writes a local time with
/// `TZID=Europe/Amsterdam`: `20261210T140000`.
pub fn amsterdam_ical(epoch_secs: i64) -> String {
    AMSTERDAM
        .to_datetime(instant(epoch_secs))
        .strftime("%Y%m%dT%H%M%S")
        .to_string()
}

/// A UTC time as iCalendar writes it: `20261210T130000Z`.
pub fn utc_ical(epoch_secs: i64) -> String {
    TimeZone::UTC
        .to_datetime(instant(epoch_secs))
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string()
}

/// A day and time in Amsterdam as a person reads it: "donderdag 10 december
/// 2026 om 14:00" or "Thursday 10 December 2026 at 14:00".
pub fn human_time(epoch_secs: i64, locale: super::Locale) -> String {
    let local = AMSTERDAM.to_datetime(instant(epoch_secs));
    let day = human_date(ymd(local.date()), locale);
    let clock = local.strftime("%H:%M");
    match locale {
        super::Locale::Nl => format!("{day} om {clock}"),
        super::Locale::En => format!("{day} at {clock}"),
    }
}

/// For `#[serde(serialize_with = "crate::domain::time::iso8601")]`.
pub fn iso8601<S: serde::Serializer>(t: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(*t))
}

/// For optional timestamps: `null` stays `null`.
pub fn iso8601_opt<S: serde::Serializer>(t: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&rfc3339(*t)),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Locale;

    #[test]
    fn instants_need_an_offset_and_show_in_amsterdam() {
        let t = parse_instant("2026-12-10T14:00:00+01:00").unwrap();
        assert_eq!(parse_instant("2026-12-10T13:00:00Z"), Some(t));
        assert_eq!(parse_instant("2026-12-10T14:00:00"), None);
        assert_eq!(parse_instant("2026-12-10"), None);
        let local = amsterdam_local("2026-12-10T14:00").unwrap();
        assert_eq!(parse_instant(&local), Some(t));
        assert_eq!(amsterdam_local("tomorrow"), None);
        assert_eq!(amsterdam_ical(t), "20261210T140000");
        assert_eq!(utc_ical(t), "20261210T130000Z");
        assert_eq!(
            human_time(t, Locale::Nl),
            "donderdag 10 december 2026 om 14:00"
        );
        // Summer time: +2 h.
        let summer = parse_instant("2027-06-01T08:30:00Z").unwrap();
        assert_eq!(amsterdam_ical(summer), "20270601T103000");
    }

    #[test]
    fn amsterdam_switches_on_the_last_sundays_of_march_and_october() {
        // 2026: CEST from 29 March 01:00 UTC to 25 October 01:00 UTC.
        let spring = days_from_civil(2026, 3, 29) * 86_400 + 3_600;
        let autumn = days_from_civil(2026, 10, 25) * 86_400 + 3_600;
        assert_eq!(amsterdam_offset(spring - 1), 3_600);
        assert_eq!(amsterdam_offset(spring), 7_200);
        assert_eq!(amsterdam_offset(autumn - 1), 7_200);
        assert_eq!(amsterdam_offset(autumn), 3_600);
        // 23:30 UTC on 31 December is already the new year in Amsterdam.
        let nye = days_from_civil(2026, 12, 31) * 86_400 + 23 * 3_600 + 1_800;
        assert_eq!(amsterdam_date(nye), (2027, 1, 1));
        assert_eq!(
            amsterdam_midnight(2027, 1, 1),
            days_from_civil(2027, 1, 1) * 86_400 - 3_600
        );
        assert_eq!(
            amsterdam_midnight(2026, 7, 1),
            days_from_civil(2026, 7, 1) * 86_400 - 7_200
        );
    }

    #[test]
    fn days_from_civil_inverts_civil_from_days() {
        for z in (-800_000..800_000).step_by(37) {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }

    #[test]
    fn human_dates_in_both_languages() {
        assert_eq!(
            human_date((2027, 1, 15), Locale::Nl),
            "vrijdag 15 januari 2027"
        );
        assert_eq!(
            human_date((2027, 1, 15), Locale::En),
            "Friday 15 January 2027"
        );
        assert_eq!(
            human_date((2026, 12, 6), Locale::Nl),
            "zondag 6 december 2026"
        );
        assert_eq!(add_days((2026, 12, 25), 14), (2027, 1, 8));
        assert_eq!(parse_date("2026-02-03"), Some((2026, 2, 3)));
    }

    #[test]
    fn known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_470_622), "2026-11-23T21:50:22Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
        assert_eq!(rfc3339(4_107_542_399), "2100-02-28T23:59:59Z");
        assert_eq!(rfc3339(4_107_542_400), "2100-03-01T00:00:00Z");
        assert_eq!(amsterdam_day(1_795_470_622), "2026-11-23");
        // Half past eleven UTC is the next day in Amsterdam.
        assert_eq!(amsterdam_day(1_796_599_800), "2026-12-07");
    }

    #[test]
    fn agrees_with_day_by_day_counting() {
        // Walk the calendar a day at a time across four centuries.
        let (mut y, mut m, mut d) = (1970i64, 1u32, 1u32);
        for day in 0..(400 * 366) {
            let want = format!("{y:04}-{m:02}-{d:02}T00:00:00Z");
            assert_eq!(rfc3339(day * 86_400), want);
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let len = [
                31,
                if leap { 29 } else { 28 },
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ];
            d += 1;
            if d > len[m as usize - 1] {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
    }
}
