//! The portfolio as an A4 PDF a member hands to a certification body:
//! title, who, period, the meetings as a table whose rows wrap (and break
//! across pages under a repeated header), totals, and "page X of Y" on
//! every page.
//!
//! Pure: a [`Portfolio`] in, bytes out. Text is set in DejaVu Sans, compiled
//! into the binary and embedded as a subset (only the glyphs used), as a
//! CID font with a ToUnicode map so readers can search and copy the text
//! (see `service::pdf`, which the round outcome report shares).

use super::document::{Labels, Portfolio};
use crate::service::pdf::fonts::{Fonts, Weight};
use crate::service::pdf::layout::{Align, Column, Layout, LEFT, RIGHT};
use crate::service::pdf::{write, Meta};

/// Renders the portfolio.
pub fn render(p: &Portfolio) -> Vec<u8> {
    let fonts = Fonts::new();
    let l: &Labels = p.labels;
    let mut lay = Layout::new(&fonts);

    lay.paragraph(Weight::Bold, 18.0, l.title, 2.0);
    lay.paragraph(Weight::Regular, 10.0, l.subtitle, 8.0);
    lay.field(l.name, &p.name);
    lay.field(l.registration, &p.registration);
    if let Some(job) = &p.job {
        lay.field(l.job, job);
    }
    lay.field(l.period, &p.period);
    lay.field(l.generated, &p.generated_on);
    lay.y -= 18.0;

    lay.paragraph(Weight::Bold, 12.0, l.meetings, 6.0);
    if p.rows.is_empty() {
        lay.paragraph(Weight::Regular, 10.0, l.none, 14.0);
    } else {
        let cols = [
            Column {
                title: l.date.into(),
                width: 62.0,
                align: Align::Left,
            },
            Column {
                title: l.form.into(),
                width: 74.0,
                align: Align::Left,
            },
            Column {
                title: l.counterparts.into(),
                width: 112.0,
                align: Align::Left,
            },
            Column {
                title: l.hours.into(),
                width: 34.0,
                align: Align::Right,
            },
            Column {
                title: l.reflection.into(),
                width: RIGHT - LEFT - 62.0 - 74.0 - 112.0 - 34.0,
                align: Align::Left,
            },
        ];
        let rows: Vec<(Vec<String>, Weight)> = p
            .rows
            .iter()
            .map(|r| {
                (
                    vec![
                        r.date_text.clone(),
                        r.form.clone(),
                        match r.counterparts.len() {
                            0 | 1 => r.counterparts.concat(),
                            _ => r
                                .counterparts
                                .iter()
                                .map(|c| format!("• {c}"))
                                .collect::<Vec<_>>()
                                .join("\n"),
                        },
                        r.hours.to_string(),
                        r.reflection.clone(),
                    ],
                    Weight::Regular,
                )
            })
            .collect();
        lay.table(&cols, &rows);
    }

    lay.paragraph(Weight::Bold, 12.0, l.totals, 6.0);
    let two = |first: &str| {
        [
            Column {
                title: first.to_string(),
                width: 300.0,
                align: Align::Left,
            },
            Column {
                title: l.hours.into(),
                width: 60.0,
                align: Align::Right,
            },
        ]
    };
    let mut per_form: Vec<(Vec<String>, Weight)> = p
        .per_form
        .iter()
        .map(|(f, h)| (vec![f.clone(), h.to_string()], Weight::Regular))
        .collect();
    per_form.push((
        vec![l.total.into(), p.total_hours.to_string()],
        Weight::Bold,
    ));
    lay.table(&two(l.per_form)[..], &per_form);
    let per_domain: Vec<(Vec<String>, Weight)> = p
        .per_domain
        .iter()
        .map(|(d, h)| (vec![d.clone(), h.to_string()], Weight::Regular))
        .collect();
    lay.table(&two(l.per_domain)[..], &per_domain);
    lay.paragraph(Weight::Regular, 8.5, l.domain_note, 10.0);
    lay.paragraph(Weight::Regular, 8.5, l.statement, 0.0);

    // Footers, now that the number of pages is known.
    lay.footers(&format!("{} · {}", p.name, l.title), |i, n| {
        l.page_of(i, n)
    });
    write(
        &fonts,
        &lay.pages,
        &Meta {
            lang: l.lang,
            title: &format!("{} – {}", l.title, p.name),
            author: Some(&p.name),
        },
    )
}
