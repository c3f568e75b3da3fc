//! The web front end in a real browser (Chromium through WebDriver), on
//! both databases, with email through a real SMTP server: a member signs up
//! on the pages, confirms the address with the link the email carried,
//! fills the profile; a coordinator runs a round through the pages (draft,
//! readiness, preview, publish); the member accepts, records a meeting and
//! downloads the portfolio. axe-core checks each main page on the way.

use crate::both_backends;
use crate::common::browser::{Browser, Viewport};
use crate::common::web::{link_in_mail, log_in, log_out};
use crate::common::{sample_profile, TestApp, PASSWORD};
use buddymatch::domain::Role;
use serde_json::json;

both_backends!(a_member_and_a_coordinator_go_through_a_round_in_the_browser);

const REFLECTION: &str = "Bij de gemeente weegt de Participatiewet anders dan ik gewend ben.";

async fn a_member_and_a_coordinator_go_through_a_round_in_the_browser(app: TestApp) {
    // The other half of the pair signs up through the API (the mail folder
    // still takes the mail then); the coordinator is made as by the CLI.
    let mut p = sample_profile();
    p["domain"] = json!("self_employed");
    p["forms"] = json!(["buddy"]);
    p["meeting_modes"] = json!(["online"]);
    let bram = app.verified_member("bram@zzp.nl", "Bram", "nl", &p).await;
    app.with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    let (app, sink) = app.over_smtp().await;
    let b = Browser::start().await;

    // Sign up on the pages.
    b.goto(&app.url("/")).await;
    b.wait_for_text("Leer van collega's uit andere domeinen")
        .await;
    b.assert_accessible("welcome").await;
    b.click_text("Aanmelden").await;
    b.wait_for("[name=display_name]").await;
    b.assert_accessible("sign-up").await;
    b.fill("[name=display_name]", "Anna de Vries").await;
    b.fill("[name=email]", "anna@uwv.nl").await;
    b.fill("[name=password]", PASSWORD).await;
    b.click_text("Account aanmaken").await;
    b.wait_for_text("Bijna klaar").await;

    // The confirmation link leads to the front end's page, which confirms
    // on a click.
    let verify = link_in_mail(&sink, "anna@uwv.nl", "/verify-email?token=").await;
    assert!(verify.starts_with("/verify-email?token="), "{verify}");
    b.goto(&app.url(&verify)).await;
    b.click_text("Bevestig mijn adres").await;
    b.wait_for_text("Bevestigd: anna@uwv.nl").await;

    // Log in (the page asked for leads on to the profile) and fill it in.
    b.click_text("Vul nu je leerprofiel in").await;
    b.wait_for("[name=password]").await;
    b.assert_accessible("log-in").await;
    b.fill("[name=email]", "anna@uwv.nl").await;
    b.fill("[name=password]", PASSWORD).await;
    b.click("form button[type=submit]").await;
    b.wait_for_text("Mijn leerprofiel").await;
    b.wait_for_text("Je hebt nog geen profiel").await;
    b.set_value("[name=domain]", "uwv").await;
    b.set_value("[name=profession]", "labour_expert").await;
    b.set_value("[name=province]", "utrecht").await;
    b.click("input[name=meeting_modes][value=in_person]").await;
    b.click("input[name=topics_wanted][value=participation_act]")
        .await;
    b.fill(
        "[name=learning_goal]",
        "Leren hoe gemeenten re-integratie aanpakken.",
    )
    .await;
    b.assert_accessible("profile").await;
    b.click_text("Profiel opslaan").await;
    b.wait_for_text("Je profiel is opgeslagen").await;
    assert!(
        !b.text().await.contains("nog geen profiel"),
        "the profile was saved"
    );
    let anna = app.login("anna@uwv.nl").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let saved: serde_json::Value = app
        .get("/api/v1/me/profile", Some(&anna))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(saved["domain"], "uwv");
    assert_eq!(saved["meeting_modes"], json!(["online"]));
    assert_eq!(saved["topics_wanted"], json!(["participation_act"]));
    b.screenshot("profile").await;
    log_out(&b).await;

    // The coordinator runs a round through the pages.
    log_in(&b, &app, "coord@vereniging.nl", PASSWORD).await;
    b.wait_for_text("Programma's").await;
    b.assert_accessible("programmes").await;
    b.goto(&app.url(&format!(
        "/programmes/{}",
        buddymatch::store::programmes::DEFAULT_PROGRAMME_ID
    )))
    .await;
    b.wait_for_text("Anna de Vries").await;
    b.assert_accessible("programme").await;
    b.screenshot("programme").await;
    b.click_within("summary", "Nieuwe ronde").await;
    b.click_text("Ronde aanmaken").await;
    b.wait_for_text("Gereedheid").await;
    b.assert_accessible("round draft").await;
    b.click_text("Voorstel berekenen").await;
    b.wait_for_text("Voorgestelde matches").await;
    let preview = b.text().await;
    assert!(
        preview.contains("Anna de Vries · Bram") || preview.contains("Bram · Anna de Vries"),
        "{preview}"
    );
    assert!(
        preview.contains("Welke domeinen elkaar ontmoeten"),
        "{preview}"
    );
    b.assert_accessible("round preview").await;
    b.screenshot("round-preview").await;
    b.click_within("summary", "Publiceren").await;
    b.click_text("Ja, publiceer deze ronde").await;
    b.wait_for_text("Gepubliceerd: 1 matches, 2 e-mails.").await;
    b.wait_for_text("Nog geen beoordelingen").await;
    log_out(&b).await;

    // Bram accepts in his app; Anna answers on the pages.
    let bram_match = app.my_matches(&bram).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.answer_match(&bram, &bram_match, "accept", json!({}))
        .await;
    let answer = link_in_mail(&sink, "anna@uwv.nl", "/matches/").await;
    assert!(
        answer.starts_with(&format!("/matches/{bram_match}?token=")),
        "{answer}"
    );
    log_in(&b, &app, "anna@uwv.nl", PASSWORD).await;
    b.goto(&app.url(&answer)).await;
    b.wait_for_text("Waarom deze match").await;
    let card = b.text().await;
    assert!(
        card.contains("Jullie werken in verschillende domeinen"),
        "{card}"
    );
    assert!(card.contains("Bram"), "{card}");
    b.assert_accessible("match").await;
    b.click_text("Accepteren").await;
    b.wait_for_text("Je hebt de match geaccepteerd.").await;
    b.wait_for_text("Ontmoeting vastleggen").await;
    b.screenshot("match").await;
    b.click_within("summary", "Ontmoeting vastleggen").await;
    b.fill("[name=reflection]", REFLECTION).await;
    b.click_text("Vastleggen").await;
    b.wait_for_text("Vastgelegd in je leerdossier").await;

    // The learning record shows it; the portfolio downloads as a PDF.
    b.click_text("Leerdossier").await;
    b.wait_for_text(REFLECTION).await;
    b.assert_accessible("learning record").await;
    b.click_text("Portfolio downloaden (PDF)").await;
    let pdf = std::fs::read(b.wait_for_download("pdf").await).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    b.wait_for_text("Gedownload").await;
    b.screenshot("learning-record").await;

    // English on request, and a phone-sized screen.
    b.click_text("English").await;
    b.wait_for_text("My learning record").await;
    b.resize(Viewport::Phone).await;
    b.click_text("My matches").await;
    b.wait_for_text("Why this match").await;
    b.assert_accessible("matches on a phone").await;
    b.screenshot("matches-phone").await;
}
