//! The PE portfolio (`GET /api/v1/me/portfolio`): the PDF read back with an
//! independent parser (pypdf, pinned beside aiosmtpd in the test venv) for
//! its text, page count, page numbers and embedded fonts; the CSV read back
//! with Python's csv module; the period and format checks.

use crate::both_backends;
use crate::common::smtp::python_reads;
use crate::common::{assert_problem, today, TestApp};
use crate::evidence::{a_pair, accept};
use serde_json::json;

/// Reads a PDF with pypdf: page count, each page's text, and per font
/// whether its file is embedded.
const READ_PDF: &str = r#"
import sys, io, json
from pypdf import PdfReader
r = PdfReader(io.BytesIO(sys.stdin.buffer.read()), strict=True)
fonts = {}
for page in r.pages:
    for _, ref in page["/Resources"]["/Font"].items():
        f = ref.get_object()
        d = f["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        fonts[str(f["/BaseFont"])] = "/FontFile2" in d
print(json.dumps({
    "pages": len(r.pages),
    "texts": [p.extract_text() for p in r.pages],
    "fonts": fonts,
    "title": str(r.metadata.title) if r.metadata else None,
}))
"#;

/// Reads CSV with Python's csv module (RFC 4180 dialect, BOM stripped by
/// the utf-8-sig codec).
const READ_CSV: &str = r#"
import sys, io, csv, json
raw = sys.stdin.buffer.read()
assert raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), strict=True))
print(json.dumps(rows))
"#;

fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn day(offset: i64) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    buddymatch::domain::time::amsterdam_day(secs + offset * 86_400)
}

async fn record(app: &TestApp, token: &str, match_id: &str, hours: u8, reflection: &str) {
    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/me/matches/{match_id}/meetings"),
            Some(token),
            &json!({"date": today(), "hours": hours, "reflection": reflection}),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
}

/// (status, content type, content disposition, body)
async fn download(app: &TestApp, token: &str, query: &str) -> (u16, String, String, Vec<u8>) {
    let res = app
        .get(&format!("/api/v1/me/portfolio?{query}"), Some(token))
        .await;
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let (ct, cd) = (header("content-type"), header("content-disposition"));
    let status = res.status().as_u16();
    (status, ct, cd, res.bytes().await.unwrap().to_vec())
}

both_backends!(
    the_pdf_is_a_document_to_hand_in,
    the_csv_is_safe_for_spreadsheets,
    periods_and_formats_are_checked
);

async fn the_pdf_is_a_document_to_hand_in(app: TestApp) {
    let (anna, bram, _, _, match_id) = a_pair(&app).await;
    accept(&app, &anna, &match_id).await;
    accept(&app, &bram, &match_id).await;
    // Eight long reflections: more than a page holds.
    let sentence =
        "Mijn buddy liet zien hoe een zelfstandige een werkgever adviseert over verzuim, \
                    welke afspraken hij vastlegt en hoe hij de werknemer bij elke stap betrekt. ";
    for i in 1..=8 {
        let reflection = format!("Les {i}: {}", sentence.repeat(7));
        record(&app, &anna, &match_id, 2, &reflection).await;
    }
    record(
        &app,
        &bram,
        &match_id,
        3,
        "I learned how UWV weighs a reintegration report.",
    )
    .await;

    let (status, ct, cd, pdf) = download(&app, &anna, "format=pdf").await;
    assert_eq!(status, 200);
    assert_eq!(ct, "application/pdf");
    assert_eq!(
        cd,
        format!(
            "attachment; filename=\"portfolio-pe-start-{}.pdf\"",
            today()
        )
    );
    assert!(pdf.starts_with(b"%PDF-"));
    // The fonts are subsets, not the 1.4 MB of the two whole files.
    assert!(pdf.len() < 150_000, "{} bytes", pdf.len());
    let doc = python_reads(READ_PDF, &[], &pdf);
    let pages = doc["pages"].as_u64().unwrap() as usize;
    assert!(pages >= 2, "{doc}");
    let texts: Vec<&str> = doc["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    for (i, text) in texts.iter().enumerate() {
        assert!(
            text.contains(&format!("Pagina {} van {pages}", i + 1)),
            "page {}: {text}",
            i + 1
        );
        // Every page the table reaches repeats its header.
        if text.contains("Les ") {
            assert!(
                text.contains("Reflectie: wat ik leerde"),
                "page {}: {text}",
                i + 1
            );
        }
    }
    // Table cells wrap: compare text with its whitespace as single spaces.
    let all = flat(&texts.join("\n"));
    for needle in [
        "Portfolio permanente educatie",
        "Anna",
        "geregistreerd (niet gecertificeerd)",
        "arbeidsdeskundige bij UWV",
        "vanaf de eerste vastgelegde bijeenkomst",
        "zelfstandige, arbeidsdeskundige",
        "buddygesprek",
        "Uren per leervorm",
        "Totaal",
        "Totaal 16",
    ] {
        assert!(all.contains(needle), "{needle:?} missing from:\n{all}");
    }
    for i in 1..=8 {
        assert!(all.contains(&format!("Les {i}:")), "meeting {i}:\n{all}");
    }
    // Counterparts by domain and profession only; Bram's own meeting is his.
    for private in ["Bram", "bram@zzp.nl", "anna@uwv.nl", "UWV weighs"] {
        assert!(!all.contains(private), "{private:?} in:\n{all}");
    }
    for (font, embedded) in doc["fonts"].as_object().unwrap() {
        assert_eq!(embedded, &json!(true), "{font} is not embedded");
        assert!(font.contains("+DejaVuSans"), "{font}");
    }

    // Bram reads his in English.
    let (status, _, cd, pdf) = download(&app, &bram, "").await;
    assert_eq!(status, 200);
    assert!(cd.contains("pe-portfolio-start-"), "{cd}");
    let doc = python_reads(READ_PDF, &[], &pdf);
    assert_eq!(doc["pages"], 1, "{doc}");
    let text = flat(doc["texts"][0].as_str().unwrap());
    for needle in [
        "Continuing education portfolio",
        "Page 1 of 1",
        "UWV, labour expert",
        "buddy meeting",
        "UWV weighs",
        "registered (not certified)",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
    assert!(!text.contains("Anna") && !text.contains("Les 1"), "{text}");
}

async fn the_csv_is_safe_for_spreadsheets(app: TestApp) {
    let (anna, bram, _, _, match_id) = a_pair(&app).await;
    accept(&app, &anna, &match_id).await;
    accept(&app, &bram, &match_id).await;
    let risky = [
        "=HYPERLINK(\"http://example.invalid\",\"klik\") en verder leerde ik veel",
        "+31 6 12345678 belde ik om de casus door te nemen",
        "-1 keer geoefend met een moeilijk gesprek, zeer leerzaam",
        "@SUM(A1:A9) is geen reflectie, maar dit wel: ik leerde luisteren",
        "Gewone reflectie, met komma's, \"aanhalingstekens\"\nen een tweede regel.",
    ];
    for r in risky {
        record(&app, &anna, &match_id, 1, r).await;
    }

    let (status, ct, cd, csv) = download(&app, &anna, "format=csv").await;
    assert_eq!(status, 200);
    assert_eq!(ct, "text/csv; charset=utf-8");
    assert_eq!(
        cd,
        format!(
            "attachment; filename=\"portfolio-pe-start-{}.csv\"",
            today()
        )
    );
    let rows = python_reads(READ_CSV, &[], &csv);
    let rows = rows.as_array().unwrap();
    assert_eq!(
        rows[0],
        json!([
            "Datum",
            "Leervorm",
            "Gesprekspartners (domein, beroep)",
            "Uren",
            "Reflectie: wat ik leerde"
        ])
    );
    assert_eq!(rows.len(), 1 + risky.len(), "{rows:?}");
    for (row, typed) in rows[1..].iter().zip(risky) {
        assert_eq!(row[0], json!(today()));
        assert_eq!(row[1], "buddygesprek");
        assert_eq!(row[2], "zelfstandige, arbeidsdeskundige");
        assert_eq!(row[3], "1");
        let cell = row[4].as_str().unwrap();
        if typed.starts_with(['=', '+', '-', '@']) {
            assert_eq!(cell, format!("'{typed}"), "not neutralised");
        } else {
            assert_eq!(cell, typed, "quoting lost something");
        }
    }
    let text = String::from_utf8(csv).unwrap();
    assert!(!text.contains("Bram") && !text.contains("bram@zzp.nl"));
}

async fn periods_and_formats_are_checked(app: TestApp) {
    let (anna, bram, _, _, match_id) = a_pair(&app).await;
    accept(&app, &anna, &match_id).await;
    accept(&app, &bram, &match_id).await;
    record(
        &app,
        &anna,
        &match_id,
        2,
        "Ik leerde hoe een zelfstandige een werkgever adviseert.",
    )
    .await;
    let rows = |query: String| {
        let app = &app;
        let anna = anna.clone();
        async move {
            let (status, _, _, csv) = download(app, &anna, &query).await;
            assert_eq!(status, 200, "{query}");
            python_reads(READ_CSV, &[], &csv).as_array().unwrap().len() - 1
        }
    };
    let (t, yesterday, tomorrow) = (today(), day(-1), day(1));
    assert_eq!(rows(format!("format=csv&from={t}&until={t}")).await, 1);
    assert_eq!(rows(format!("format=csv&until={t}")).await, 1);
    assert_eq!(rows(format!("format=csv&from={tomorrow}")).await, 0);
    assert_eq!(rows(format!("format=csv&until={yesterday}")).await, 0);

    // An empty period is still a document, saying so.
    let (status, _, cd, pdf) = download(&app, &anna, &format!("from={tomorrow}")).await;
    assert_eq!(status, 200);
    assert!(
        cd.contains(&format!("portfolio-pe-{tomorrow}-{t}.pdf")),
        "{cd}"
    );
    let doc = python_reads(READ_PDF, &[], &pdf);
    let text = flat(doc["texts"][0].as_str().unwrap());
    assert!(
        text.contains("In deze periode zijn geen bijeenkomsten vastgelegd."),
        "{text}"
    );

    let get = |query: &str| {
        let (app, anna) = (&app, anna.clone());
        let path = format!("/api/v1/me/portfolio?{query}");
        async move { app.get(&path, Some(&anna)).await }
    };
    let p = assert_problem(get("format=xlsx").await, 400, "invalid_query").await;
    assert!(p["detail"].as_str().unwrap().contains("pdf"), "{p}");
    assert_problem(get("colour=blue").await, 400, "invalid_query").await;
    let p = assert_problem(get("from=2026-02-30").await, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "from", "{p}");
    let p = assert_problem(
        get("from=31-01-2026&until=soon").await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"].as_array().unwrap().len(), 2, "{p}");
    let p = assert_problem(
        get(&format!("from={tomorrow}&until={yesterday}")).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "until", "{p}");
    assert!(p["detail"].as_str().unwrap().contains("before from"), "{p}");
    let res = app.get("/api/v1/me/portfolio", None).await;
    assert_problem(res, 401, "missing_token").await;
}
