//! The small CSV dialect of an invitation list: UTF-8 with or without a
//! byte-order mark, `;` or `,` between fields (whichever the header line
//! uses), fields in double quotes where they hold a separator, a quote
//! (doubled) or a line break, lines ending in LF or CRLF. Spreadsheets
//! write exactly this; Dutch ones use `;`.

/// One line of the file after the header, with its 1-based line number in
/// the file (a quoted line break makes a record span lines; the number is
/// the line it starts on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub separator: char,
    pub header: Vec<String>,
    pub records: Vec<Record>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    #[error("the file is empty; the first line must name the columns")]
    Empty,
    #[error("line {line}: a quoted field is not closed")]
    UnclosedQuote { line: usize },
}

/// Reads the whole text. The separator is the one of `;` and `,` the header
/// line holds more of outside quotes (`,` when it holds neither).
pub fn parse(text: &str) -> Result<Table, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line = text.lines().next().unwrap_or("");
    let count = |c: char| first_line.chars().filter(|&x| x == c).count();
    let separator = if count(';') > count(',') { ';' } else { ',' };
    let mut records = split(text, separator)?;
    // Blank lines (a trailing newline, an empty row at the end) are no rows.
    records.retain(|r| !(r.fields.len() == 1 && r.fields[0].trim().is_empty()));
    if records.is_empty() {
        return Err(CsvError::Empty);
    }
    let header = records.remove(0);
    Ok(Table {
        separator,
        header: header
            .fields
            .into_iter()
            .map(|h| h.trim().to_lowercase())
            .collect(),
        records,
    })
}

fn split(text: &str, sep: char) -> Result<Vec<Record>, CsvError> {
    let mut out = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut line = 1;
    let mut start = 1;
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            c if c == sep => fields.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                out.push(Record {
                    line: start,
                    fields: std::mem::take(&mut fields),
                });
                line += 1;
                start = line;
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return Err(CsvError::UnclosedQuote { line: start });
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        out.push(Record {
            line: start,
            fields,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_bom_quotes_and_crlf() {
        let t = parse("\u{feff}Email;display_name\r\n\"a@b.nl\";\"Jansen; A.\"\r\nc@d.nl;\"Zeg \"\"hoi\"\"\"\r\n\r\n").unwrap();
        assert_eq!(t.separator, ';');
        assert_eq!(t.header, ["email", "display_name"]);
        assert_eq!(t.records.len(), 2);
        assert_eq!(t.records[0].fields, ["a@b.nl", "Jansen; A."]);
        assert_eq!(t.records[1].fields, ["c@d.nl", "Zeg \"hoi\""]);
        assert_eq!(t.records[1].line, 3);
    }

    #[test]
    fn commas_and_a_line_break_inside_quotes() {
        let t = parse("display_name,email\n\"A\nB\",x@y.nl\nC,z@y.nl").unwrap();
        assert_eq!(t.separator, ',');
        assert_eq!(t.records[0].fields, ["A\nB", "x@y.nl"]);
        assert_eq!(t.records[1].line, 4);
        assert_eq!(t.records[1].fields, ["C", "z@y.nl"]);
    }

    #[test]
    fn empty_and_unclosed() {
        assert_eq!(parse("\u{feff}\n\n"), Err(CsvError::Empty));
        assert_eq!(
            parse("email\n\"a@b.nl\nx"),
            Err(CsvError::UnclosedQuote { line: 2 })
        );
    }
}
