//! iCalendar (RFC 5545) for appointments: the invite an email carries
//! (iTIP, RFC 5546: `METHOD:REQUEST` or `METHOD:CANCEL`) and a member's
//! feed (no method). Content lines, escaping and folding are the
//! `icalendar` crate's.
//!
//! The one block written here is the `VTIMEZONE` of Europe/Amsterdam: the
//! crate writes a `DTSTAMP` and a `UID` into every component it prints,
//! which RFC 5545 does not allow in a `VTIMEZONE`, so that block is a fixed
//! text (the EU rule in force since 1996, which is all a future appointment
//! needs) placed before the events. Its lines are short and need no
//! folding; the tests read it back with an independent parser.
//!
//! Who organises: the service (its sender address, with the proposer's name
//! as `CN`), not the proposer. Any member of a match may change or cancel
//! an appointment, and calendars apply an update only from the organiser
//! of the original; the service sends every version, so it stays the
//! organiser. Every member is an `ATTENDEE`, and only they.

use icalendar::{Calendar, Component, Event, EventLike, Property};

pub const TZID: &str = "Europe/Amsterdam";

const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\n\
TZID:Europe/Amsterdam\r\n\
BEGIN:DAYLIGHT\r\n\
TZOFFSETFROM:+0100\r\n\
TZOFFSETTO:+0200\r\n\
TZNAME:CEST\r\n\
DTSTART:19700329T020000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n\
END:DAYLIGHT\r\n\
BEGIN:STANDARD\r\n\
TZOFFSETFROM:+0200\r\n\
TZOFFSETTO:+0100\r\n\
TZNAME:CET\r\n\
DTSTART:19701025T030000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n\
END:STANDARD\r\n\
END:VTIMEZONE\r\n";

/// What an invite or a feed says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A new or changed appointment.
    Request,
    /// A cancelled one.
    Cancel,
    /// A feed: no iTIP method, events as they stand.
    Publish,
}

/// A calendar user as an invite names them: `address` is a URI
/// (`mailto:...`, or `urn:uuid:...` for a member whose address the
/// recipient may not see).
#[derive(Debug, Clone)]
pub struct CalUser {
    pub name: String,
    pub address: String,
}

/// One appointment as a `VEVENT`.
#[derive(Debug, Clone)]
pub struct Entry {
    pub uid: String,
    pub sequence: u32,
    /// When this version was made (`DTSTAMP`), epoch seconds.
    pub stamp: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub summary: String,
    pub location: Option<String>,
    pub url: Option<String>,
    pub description: String,
    pub organizer: CalUser,
    pub attendees: Vec<CalUser>,
    pub cancelled: bool,
}

/// Parameter values cannot hold a double quote (RFC 5545, 3.1), nor line
/// breaks.
fn param(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            '"' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

fn event(e: &Entry, method: Method) -> Event {
    let mut ev = Event::new();
    ev.uid(&e.uid)
        .sequence(e.sequence)
        .add_property("DTSTAMP", crate::domain::time::utc_ical(e.stamp))
        .append_property(
            Property::new("DTSTART", crate::domain::time::amsterdam_ical(e.starts_at))
                .add_parameter("TZID", TZID)
                .done(),
        )
        .append_property(
            Property::new("DTEND", crate::domain::time::amsterdam_ical(e.ends_at))
                .add_parameter("TZID", TZID)
                .done(),
        )
        .summary(&e.summary)
        .description(&e.description)
        .append_property(
            Property::new("ORGANIZER", &e.organizer.address)
                .add_parameter("CN", &param(&e.organizer.name))
                .done(),
        );
    if let Some(l) = &e.location {
        ev.location(l);
    }
    if let Some(u) = &e.url {
        ev.url(u);
    }
    for a in &e.attendees {
        let partstat = if method == Method::Cancel {
            "DECLINED"
        } else {
            "NEEDS-ACTION"
        };
        ev.append_multi_property(
            Property::new("ATTENDEE", &a.address)
                .add_parameter("CN", &param(&a.name))
                .add_parameter("ROLE", "REQ-PARTICIPANT")
                .add_parameter("PARTSTAT", partstat)
                .add_parameter("CUTYPE", "INDIVIDUAL")
                .done(),
        );
    }
    if e.cancelled || method == Method::Cancel {
        ev.status(icalendar::EventStatus::Cancelled);
    } else {
        ev.status(icalendar::EventStatus::Confirmed);
    }
    ev.done()
}

/// A calendar of `entries` with the Amsterdam time zone, as RFC 5545 text
/// (CRLF line ends).
pub fn calendar(entries: &[Entry], method: Method, name: Option<&str>) -> String {
    let mut cal = Calendar::empty();
    cal.append_property(Property::new("PRODID", "-//buddymatch//appointments//NL"));
    cal.append_property(Property::new("VERSION", "2.0"));
    cal.append_property(Property::new("CALSCALE", "GREGORIAN"));
    match method {
        Method::Request => {
            cal.append_property(Property::new("METHOD", "REQUEST"));
        }
        Method::Cancel => {
            cal.append_property(Property::new("METHOD", "CANCEL"));
        }
        Method::Publish => {}
    }
    if let Some(n) = name {
        cal.name(n);
    }
    for e in entries {
        cal.push(event(e, method));
    }
    let text = cal.to_string();
    // The zone goes before the first event, or the end in an empty feed.
    let at = text
        .find("BEGIN:VEVENT\r\n")
        .or_else(|| text.find("END:VCALENDAR\r\n"))
        .unwrap_or(text.len());
    let mut out = String::with_capacity(text.len() + VTIMEZONE.len());
    out.push_str(&text[..at]);
    out.push_str(VTIMEZONE);
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        let t = crate::domain::time::parse_instant("2026-12-10T14:00:00+01:00").unwrap();
        Entry {
            uid: "a1@buddymatch".into(),
            sequence: 2,
            stamp: t - 86_400,
            starts_at: t,
            ends_at: t + 5_400,
            summary: "Buddygesprek: Anna, Bram".into(),
            location: Some("UWV Utrecht, kamer 4; ingang \"B\"".into()),
            url: None,
            description: "Lange beschrijving ".repeat(10),
            organizer: CalUser {
                name: "Anna via buddymatch".into(),
                address: "mailto:noreply@buddymatch.nl".into(),
            },
            attendees: vec![
                CalUser {
                    name: "Anna \"A\"".into(),
                    address: "mailto:anna@uwv.nl".into(),
                },
                CalUser {
                    name: "Bram, B.".into(),
                    address: "urn:uuid:0d6f4b1e-0000-4000-8000-000000000000".into(),
                },
            ],
            cancelled: false,
        }
    }

    #[test]
    fn an_invite_has_its_zone_method_and_people() {
        let text = calendar(&[entry()], Method::Request, None);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(text.contains("\r\nMETHOD:REQUEST\r\n"));
        assert!(text.contains("\r\nDTSTART;TZID=Europe/Amsterdam:20261210T140000\r\n"));
        assert!(text.contains("\r\nDTEND;TZID=Europe/Amsterdam:20261210T153000\r\n"));
        assert!(text.contains("\r\nSEQUENCE:2\r\n"));
        assert!(text.contains("\r\nDTSTAMP:20261209T130000Z\r\n"));
        assert!(text.contains("CN=\"Bram, B.\""), "{text}");
        assert!(text.contains("CN=Anna 'A'"), "{text}");
        assert!(text.contains("LOCATION:UWV Utrecht\\, kamer 4\\; ingang \"B\""));
        let tz = text.find("BEGIN:VTIMEZONE").unwrap();
        assert!(tz < text.find("BEGIN:VEVENT").unwrap());
        // Folded at 75 octets: no content line is longer.
        assert!(text.split("\r\n").all(|l| l.len() <= 75), "{text}");
        assert_eq!(text.matches("DTSTAMP").count(), 1, "none in the zone");
        let cancel = calendar(&[entry()], Method::Cancel, None);
        assert!(cancel.contains("\r\nMETHOD:CANCEL\r\n"));
        assert!(cancel.contains("\r\nSTATUS:CANCELLED\r\n"));
        let feed = calendar(&[], Method::Publish, Some("buddymatch"));
        assert!(!feed.contains("METHOD:"));
        assert!(feed.contains("BEGIN:VTIMEZONE"));
    }
}
