//! Rules that keep a member's learning record honest: it is the evidence a
//! member shows for PE points, so a meeting must be plausible as recorded.

/// A long working day; a buddy meeting, an intervision session or a
/// shadowing visit takes no more.
pub const MAX_MEETING_HOURS: u8 = 12;

/// Hours a member may record in one calendar month (by meeting date), over
/// all their matches: a full working week of peer learning. More is not a
/// plausible sideline to a labour expert's caseload.
pub const MAX_RECORDED_HOURS_PER_MONTH: i32 = 40;

/// A reflection says in at least this many visible characters what the
/// member learned.
pub const MIN_REFLECTION_CHARS: usize = 20;

/// Characters a reader sees: not whitespace, not control characters and
/// not the code points Unicode marks as default-ignorable (zero-width
/// spaces and joiners, direction marks, the byte-order mark, variation
/// selectors, fillers, tags), which render as nothing.
pub fn visible_chars(s: &str) -> usize {
    s.chars()
        .filter(|&c| !c.is_whitespace() && !c.is_control() && !is_invisible(c))
        .count()
}

/// Unicode's Default_Ignorable_Code_Point set (DerivedCoreProperties.txt,
/// Unicode 15.1), plus the interlinear annotation controls and the Braille
/// blank, which display nothing either.
fn is_invisible(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x034F
            | 0x061C
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0x2800
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFFB
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

/// The calendar month (`2026-12`) of a `YYYY-MM-DD` date.
pub fn month_of(date: &str) -> &str {
    date.get(..7).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters_do_not_count() {
        assert_eq!(visible_chars(&"\u{200B}".repeat(25)), 0);
        assert_eq!(
            visible_chars("\u{FEFF}\u{200D}\u{2060}\u{00AD}\u{3164}\u{2800}"),
            0
        );
        assert_eq!(visible_chars(" \t\n\u{00A0}\u{3000}\u{2028}"), 0);
        assert_eq!(visible_chars("\u{E0041}\u{FE0F}\u{202E}"), 0);
        assert_eq!(visible_chars("Ik leerde veel"), 12);
        assert_eq!(visible_chars("café 👍 ärger"), 10);
        // A joiner inside an emoji sequence is not counted; what it joins is.
        assert_eq!(visible_chars("👩\u{200D}💻"), 2);
    }

    #[test]
    fn months_of_dates() {
        assert_eq!(month_of("2026-12-01"), "2026-12");
        assert_eq!(month_of("bad"), "bad");
    }
}
