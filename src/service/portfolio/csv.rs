//! The portfolio's meetings as CSV for spreadsheets: RFC 4180 (comma,
//! CRLF, fields quoted where they hold a comma, a quote or a line break),
//! UTF-8 with a byte-order mark so Excel reads "ë" and "–" as such rather
//! than in the Windows code page (LibreOffice, Numbers and Python's csv
//! ignore or strip it). A cell a spreadsheet would take for a formula
//! (starting with = + - @, a tab or a carriage return) gets a leading
//! apostrophe: what a member typed is shown, never run.

use super::document::Portfolio;

/// Renders the meetings, one row each, under a header in the member's language.
pub fn render(p: &Portfolio) -> Vec<u8> {
    let l = p.labels;
    let mut out = String::from("\u{feff}");
    row(
        &mut out,
        &[l.date, l.form, l.counterparts, l.hours, l.reflection],
    );
    for r in &p.rows {
        let hours = r.hours.to_string();
        let counterparts = r.counterparts.join("; ");
        row(
            &mut out,
            &[&r.date, &r.form, &counterparts, &hours, &r.reflection],
        );
    }
    out.into_bytes()
}

fn row(out: &mut String, cells: &[&str]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(out, &neutralise(cell));
    }
    out.push_str("\r\n");
}

/// OWASP's advice against CSV injection: a leading `'` makes a spreadsheet
/// show the cell as text.
fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn field(out: &mut String, cell: &str) {
    if cell.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&cell.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(cell);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_fields_quoted() {
        let mut out = String::new();
        row(
            &mut out,
            &[
                "=1+1",
                "+31 6",
                "-2",
                "@SUM(A1)",
                "\tx",
                "a,b",
                "zeg \"hoi\"",
                "r1\nr2",
                "ok",
            ],
        );
        assert_eq!(
            out,
            "'=1+1,'+31 6,'-2,'@SUM(A1),'\tx,\"a,b\",\"zeg \"\"hoi\"\"\",\"r1\nr2\",ok\r\n"
        );
        let mut out = String::new();
        row(&mut out, &["\r=cmd", "a=b"]);
        assert_eq!(out, "\"'\r=cmd\",a=b\r\n");
    }
}
