use super::*;
use crate::domain::MatchKind;
use crate::network::matrix::domain_matrix;
use crate::network::measures::{round_outcomes, summarise};
use crate::network::tests::{member, round};
use crate::network::{Answered, History, LinkMeetings};
use crate::service::pdf::layout::wrap;
use std::collections::BTreeMap;

const MET: LinkMeetings = LinkMeetings {
    meetings: 1,
    hours: 2,
};
const NONE: LinkMeetings = LinkMeetings {
    meetings: 0,
    hours: 0,
};

/// `rounds` rounds a week apart from midnight starting Monday 2 November
/// 2026 in Amsterdam (still the 1st in UTC); in each,
/// a UWV member meets a municipality's, and a self-employed member is paired
/// with an insurer's who declines.
fn input(locale: Locale, rounds: usize) -> ReportInput {
    let d = [
        Domain::Uwv,
        Domain::Municipality,
        Domain::SelfEmployed,
        Domain::Insurer,
    ];
    let mut h = History {
        members: (0..8).map(|i| member(i, Some(d[i % 4]))).collect(),
        ..History::default()
    };
    for r in 0..rounds {
        let mut rd = round(r, MatchKind::Buddy);
        rd.published_at = 1_793_574_000 + r as i64 * 7 * 86_400;
        h.rounds.push(rd);
        h.eligible.extend((0..8).map(|m| (r, m)));
        let (a, b) = ((r * 4) % 8, (r * 4 + 1) % 8);
        h.add_match(
            r,
            &format!("m{r}a"),
            MatchKind::Buddy,
            &[(a, Answered::Accepted, MET), (b, Answered::Accepted, MET)],
        );
        h.add_match(
            r,
            &format!("m{r}b"),
            MatchKind::Buddy,
            &[
                (a + 2, Answered::Accepted, NONE),
                (b + 2, Answered::Declined, NONE),
            ],
        );
    }
    let summary = summarise(&h);
    ReportInput {
        programme: Some("Noord & Zuid <2026>".into()),
        from: Some("2026-11-01".into()),
        until: Some("2026-12-31".into()),
        generated_on: Some("2026-12-07".into()),
        locale,
        rounds: round_outcomes(&h),
        headline: Headline::from(&summary),
        matrix: domain_matrix(&h),
    }
}

/// What a reader gets out of the file: its pages' text, by an independent
/// reading of the file's structure (cross-reference table, page objects,
/// content streams, the fonts' ToUnicode maps).
struct Read {
    pages: Vec<String>,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The number before `key`'s ` 0 R`, e.g. `/Contents 7 0 R`.
fn reference(dict: &str, key: &str) -> Option<usize> {
    let rest = &dict[dict.find(key)? + key.len()..];
    rest.split_whitespace().next()?.parse().ok()
}

fn read(pdf: &[u8]) -> Read {
    assert!(pdf.starts_with(b"%PDF-1."), "no PDF header");
    let end = pdf.trim_ascii_end();
    assert!(end.ends_with(b"%%EOF"), "no %%EOF");
    let sx = rfind(pdf, b"startxref").expect("startxref");
    let xref_at: usize = std::str::from_utf8(&pdf[sx + 9..end.len() - 5])
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(pdf[xref_at..].starts_with(b"xref"), "startxref misses xref");
    let trailer = find(&pdf[xref_at..], b"trailer").expect("trailer") + xref_at;
    let trailer_dict = String::from_utf8_lossy(&pdf[trailer..sx]).to_string();
    assert!(trailer_dict.contains("/Root"), "{trailer_dict}");

    // Every object where the cross-reference table says it is.
    let table = std::str::from_utf8(&pdf[xref_at..trailer]).unwrap();
    let mut lines = table.lines().skip(1);
    let head: Vec<usize> = lines
        .next()
        .unwrap()
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    let mut objects: BTreeMap<usize, &[u8]> = BTreeMap::new();
    for (i, entry) in lines.take(head[1]).enumerate().skip(1) {
        let id = head[0] + i;
        let offset: usize = entry[..10].parse().unwrap();
        let start = format!("{id} 0 obj");
        assert!(pdf[offset..].starts_with(start.as_bytes()), "object {id}");
        let len = find(&pdf[offset..], b"endobj").expect("endobj");
        objects.insert(id, &pdf[offset..offset + len]);
    }
    let dict = |id: usize| {
        let o = objects[&id];
        let end = find(o, b"stream").unwrap_or(o.len());
        String::from_utf8_lossy(&o[..end]).to_string()
    };
    let stream = |id: usize| {
        let o = objects[&id];
        let start = find(o, b"stream\n").expect("a stream") + 7;
        let end = rfind(o, b"endstream").unwrap();
        let raw = o[start..end].strip_suffix(b"\n").unwrap_or(&o[start..end]);
        if dict(id).contains("/FlateDecode") {
            miniz_oxide::inflate::decompress_to_vec_zlib(raw).expect("deflated stream")
        } else {
            raw.to_vec()
        }
    };
    let cmap = |font: usize| {
        let text =
            String::from_utf8(stream(reference(&dict(font), "/ToUnicode").unwrap())).unwrap();
        let mut map = BTreeMap::new();
        for block in text.split("beginbfchar").skip(1) {
            let block = &block[..block.find("endbfchar").unwrap()];
            let hex: Vec<&str> = block
                .split(['<', '>'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            for pair in hex.chunks(2) {
                let cid = u16::from_str_radix(pair[0], 16).unwrap();
                let units: Vec<u16> = (0..pair[1].len() / 4)
                    .map(|k| u16::from_str_radix(&pair[1][k * 4..k * 4 + 4], 16).unwrap())
                    .collect();
                map.insert(cid, String::from_utf16(&units).unwrap());
            }
        }
        map
    };

    let root = dict(reference(&trailer_dict, "/Root").unwrap());
    let tree = dict(reference(&root, "/Pages").unwrap());
    let kids = &tree[tree.find("/Kids").unwrap()..];
    let kids: Vec<usize> = kids[kids.find('[').unwrap() + 1..kids.find(']').unwrap()]
        .split(" 0 R")
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let count = reference(&tree, "/Count").unwrap();
    assert_eq!(kids.len(), count);

    let pages = kids
        .iter()
        .map(|&page| {
            let d = dict(page);
            assert!(d.contains("/Type /Page"), "{d}");
            let fonts: BTreeMap<String, BTreeMap<u16, String>> = ["F1", "F2"]
                .iter()
                .map(|f| {
                    (
                        f.to_string(),
                        cmap(reference(&d, &format!("/{f}")).unwrap()),
                    )
                })
                .collect();
            page_text(&stream(reference(&d, "/Contents").unwrap()), &fonts)
        })
        .collect();
    Read { pages }
}

/// The text a content stream shows, a line per `Tj`.
fn page_text(content: &[u8], fonts: &BTreeMap<String, BTreeMap<u16, String>>) -> String {
    let mut out = String::new();
    let mut font = "";
    let mut i = 0;
    let mut last: Option<Vec<u8>> = None;
    let mut words: Vec<&[u8]> = Vec::new();
    while i < content.len() {
        match content[i] {
            b'(' => {
                let mut bytes = Vec::new();
                let mut depth = 0;
                i += 1;
                loop {
                    match content[i] {
                        b'\\' => {
                            i += 1;
                            match content[i] {
                                b'n' => bytes.push(b'\n'),
                                b'r' => bytes.push(b'\r'),
                                b't' => bytes.push(b'\t'),
                                b'b' => bytes.push(8),
                                b'f' => bytes.push(12),
                                d @ b'0'..=b'7' => {
                                    let mut v = u32::from(d - b'0');
                                    for _ in 0..2 {
                                        if matches!(content[i + 1], b'0'..=b'7') {
                                            i += 1;
                                            v = v * 8 + u32::from(content[i] - b'0');
                                        }
                                    }
                                    bytes.push(v as u8);
                                }
                                c => bytes.push(c),
                            }
                        }
                        b'(' => {
                            depth += 1;
                            bytes.push(b'(');
                        }
                        b')' if depth > 0 => {
                            depth -= 1;
                            bytes.push(b')');
                        }
                        b')' => break,
                        c => bytes.push(c),
                    }
                    i += 1;
                }
                last = Some(bytes);
                i += 1;
            }
            b'<' => {
                let end = i + content[i..].iter().position(|&c| c == b'>').unwrap();
                let hex = std::str::from_utf8(&content[i + 1..end]).unwrap();
                last = Some(
                    (0..hex.len() / 2)
                        .map(|k| u8::from_str_radix(&hex[k * 2..k * 2 + 2], 16).unwrap())
                        .collect(),
                );
                i = end + 1;
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                let end = i + content[i..]
                    .iter()
                    .position(|c| c.is_ascii_whitespace() || *c == b'(' || *c == b'<')
                    .unwrap_or(content.len() - i);
                let word = &content[i..end];
                if word == b"Tf" {
                    let name = words[words.len() - 2];
                    font = std::str::from_utf8(&name[1..]).unwrap();
                } else if word == b"Tj" {
                    let bytes = last.take().expect("a string before Tj");
                    let map = &fonts[font];
                    for cid in bytes.chunks(2) {
                        let cid = u16::from_be_bytes([cid[0], cid[1]]);
                        out.push_str(map.get(&cid).map_or("\u{FFFD}", String::as_str));
                    }
                    out.push('\n');
                }
                words.push(word);
                i = end;
            }
        }
    }
    out
}

#[test]
fn the_report_reads_back_with_its_figures_table_and_pictures() {
    let input = input(Locale::Nl, 3);
    let pdf = report_pdf(&input);
    let doc = read(&pdf);
    let n = doc.pages.len();
    assert!(n >= 2, "{n} pages");
    let first = &doc.pages[0];
    for expected in [
        "Uitkomsten van de rondes",
        "Noord & Zuid <2026>",
        "1 november 2026 tot en met 31 december 2026",
        "7 december 2026",
        "Kerncijfers",
        "Leden in deze selectie\n8\n",
        "Aandeel koppelingen over domeingrenzen\n100 %\n",
        "buddykoppel",
        // Round 1, published on 2 November in Amsterdam.
        "1\nbuddykoppel\n2-11-2026\n8\n4\n2\n1\n1\n1\n100 %\n1\n",
        "Paren van domeinen die elkaar voor het eerst ontmoetten",
        "UWV – gemeente",
    ] {
        assert!(first.contains(expected), "{expected:?} not in\n{first}");
    }
    let all = doc.pages.join("\n");
    for expected in [
        "Het netwerk in beeld",
        "Koppelingen tussen domeinen",
        "Het netwerk van domeinen",
        "zelfstandige",
        "verzekeraar",
        "2 leden",
    ] {
        assert!(all.contains(expected), "{expected:?} not in\n{all}");
    }
    for (i, page) in doc.pages.iter().enumerate() {
        let footer = format!(
            "Uitkomsten van de rondes · Noord & Zuid <2026>\nPagina {} van {n}\n",
            i + 1
        );
        assert!(page.ends_with(&footer), "page {}: {page}", i + 1);
    }
    assert!(!all.contains('\u{FFFD}'), "a character without its Unicode");
    assert_eq!(pdf, report_pdf(&input), "the same input, the same bytes");
}

#[test]
fn the_english_report_and_a_long_rounds_table() {
    let input = input(Locale::En, 70);
    let doc = read(&report_pdf(&input));
    let all = doc.pages.join("\n");
    for expected in [
        "Round outcomes",
        "Headline figures",
        "Share of links across domains\n100%\n",
        "buddy pair",
        "2 Nov 2026",
        "Links between domains",
        "The network of domains",
        "self-employed",
    ] {
        assert!(all.contains(expected), "{expected:?} not in\n{all}");
    }
    // The table runs over pages, each starting with its header.
    let with_header = doc
        .pages
        .iter()
        .filter(|p| p.contains("Pro-\nposed"))
        .count();
    assert!(with_header >= 2, "{with_header}");
    assert!(all.contains("\n70\nbuddy pair\n"));
}

#[test]
fn an_empty_selection_still_makes_a_report() {
    let mut input = input(Locale::Nl, 0);
    input.programme = None;
    input.from = None;
    input.until = None;
    input.generated_on = None;
    let doc = read(&report_pdf(&input));
    let all = doc.pages.join("\n");
    assert!(all.contains("alle programma's"), "{all}");
    assert!(all.contains("alle gepubliceerde rondes"));
    assert!(all.contains("Geen gepubliceerde rondes in deze selectie."));
    assert!(all.contains("Nog geen koppelingen in deze selectie."));
}

#[test]
fn round_table_titles_break_only_where_they_say() {
    let fonts = Fonts::new();
    for l in [Locale::Nl, Locale::En] {
        let w = Words::of(l);
        let rows = vec![(
            vec![
                "100".into(),
                format!(
                    "{}\n{}",
                    labels::kind(MatchKind::Intervision, l),
                    w.short_date((2026, 12, 28))
                ),
                "2000".into(),
                "2000".into(),
                "9999".into(),
                "9999".into(),
                "9999".into(),
                "9999".into(),
                w.percent(1.0),
                "28".into(),
            ],
            Weight::Regular,
        )];
        let cols = round_columns(&fonts, w, &rows);
        assert!((cols.iter().map(|c| c.width).sum::<f32>() - (RIGHT - LEFT)).abs() < 0.01);
        for (c, value) in cols.iter().zip(&rows[0].0) {
            let inner = c.width - 2.0 * PAD;
            let lines = wrap(&fonts.bold, BODY, &c.title, inner);
            assert_eq!(
                lines,
                c.title.split('\n').collect::<Vec<_>>(),
                "{}",
                c.title
            );
            if c.title != w.form {
                assert_eq!(wrap(&fonts.regular, BODY, value, inner).len(), 1, "{value}");
            }
        }
        // A form's name breaks at most between its words.
        let form = labels::kind(MatchKind::Intervision, l);
        let lines = wrap(&fonts.regular, BODY, form, cols[1].width - 2.0 * PAD);
        assert_eq!(lines.join(" "), form);
        assert!(lines.len() <= form.split(' ').count(), "{lines:?}");
    }
}
