//! Timestamps are stored as UTC epoch seconds (one type on both backends)
//! and shown as ISO 8601 / RFC 3339 UTC strings, e.g. `2026-11-23T21:50:22Z`.

/// `2026-11-23T21:50:22Z` for epoch seconds; proleptic Gregorian, UTC.
pub fn rfc3339(epoch_secs: i64) -> String {
    let days = epoch_secs.div_euclid(86_400);
    let secs = epoch_secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The UTC calendar date (`2026-11-23`) of epoch seconds.
pub fn date(epoch_secs: i64) -> String {
    let (y, m, d) = civil_from_days(epoch_secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to (year, month, day): the era-based algorithm
/// from Howard Hinnant's "chrono-Compatible Low-Level Date Algorithms".
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// (year, month, day) to days since 1970-01-01: the inverse of
/// [`civil_from_days`], from the same paper.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Epoch seconds of the last Sunday of `month` at 01:00 UTC: when the EU
/// switches between CET and CEST (Directive 2000/84/EC).
fn eu_switch(year: i64, month: u32) -> i64 {
    let last = days_from_civil(year, month, 31);
    // 1970-01-01 was a Thursday: (days + 4) mod 7 is 0 on a Sunday.
    let sunday = last - (last + 4).rem_euclid(7);
    sunday * 86_400 + 3_600
}

/// Europe/Amsterdam's offset from UTC at an instant, in seconds: +2 h in
/// summer time, +1 h otherwise. Dutch members read every date and time in it.
pub fn amsterdam_offset(epoch_secs: i64) -> i64 {
    let (y, _, _) = civil_from_days(epoch_secs.div_euclid(86_400));
    if (eu_switch(y, 3)..eu_switch(y, 10)).contains(&epoch_secs) {
        7_200
    } else {
        3_600
    }
}

/// The calendar date in Amsterdam at an instant, as (year, month, day).
pub fn amsterdam_date(epoch_secs: i64) -> (i64, u32, u32) {
    civil_from_days((epoch_secs + amsterdam_offset(epoch_secs)).div_euclid(86_400))
}

/// The instant a calendar day starts in Amsterdam.
pub fn amsterdam_midnight(y: i64, m: u32, d: u32) -> i64 {
    let utc_midnight = days_from_civil(y, m, d) * 86_400;
    // Midnight is never inside a switch hour, so the offset of the hours
    // around it is the day's.
    utc_midnight - amsterdam_offset(utc_midnight - 3_600)
}

/// Adds days to a calendar date.
pub fn add_days((y, m, d): (i64, u32, u32), days: i64) -> (i64, u32, u32) {
    civil_from_days(days_from_civil(y, m, d) + days)
}

/// Parses `YYYY-MM-DD` (already validated as a date elsewhere).
pub fn parse_date(s: &str) -> Option<(i64, u32, u32)> {
    let mut it = s.splitn(3, '-');
    let y = it.next()?.parse().ok()?;
    let m = it.next()?.parse().ok()?;
    let d = it.next()?.parse().ok()?;
    Some((y, m, d))
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
    // 1970-01-01 was a Thursday (index 3 from Monday).
    let weekday = (days_from_civil(y, m, d) + 3).rem_euclid(7) as usize;
    let month = m as usize - 1;
    match locale {
        super::Locale::Nl => format!("{} {d} {} {y}", DAYS_NL[weekday], MONTHS_NL[month]),
        super::Locale::En => format!("{} {d} {} {y}", DAYS_EN[weekday], MONTHS_EN[month]),
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
        assert_eq!(super::date(1_795_470_622), "2026-11-23");
        assert_eq!(super::date(-1), "1969-12-31");
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
