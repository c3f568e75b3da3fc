//! The rest of the web front end in a real browser, on both databases: a
//! member's appointments, reminders, password, data export and erasure; a
//! coordinator's invitations, pins and exclusions, learning network and
//! failed mail; an admin's roles and audit log. axe-core checks each page.

use crate::both_backends;
use crate::common::browser::Browser;
use crate::common::web::{link_in_mail, log_in, log_out};
use crate::common::{sample_profile, TestApp, PASSWORD};
use buddymatch::domain::Role;
use serde_json::{json, Value};

both_backends!(
    a_member_keeps_appointments_reminders_and_account_in_the_browser,
    a_coordinator_and_an_admin_use_their_pages_in_the_browser
);

const NEW_PASSWORD: &str = "een nieuw en lang wachtwoord";

fn buddy(domain: &str) -> Value {
    let mut p = sample_profile();
    p["forms"] = json!(["buddy"]);
    p["meeting_modes"] = json!(["online"]);
    p["domain"] = json!(domain);
    p
}

async fn a_member_keeps_appointments_reminders_and_account_in_the_browser(app: TestApp) {
    let (anna, bram, coord) = app.anna_and_bram().await;
    app.published_round(&coord, json!({"kind": "buddy"})).await;
    let match_id = app.my_matches(&anna).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.answer_match(&bram, &match_id, "accept", json!({}))
        .await;
    app.answer_match(&anna, &match_id, "accept", json!({}))
        .await;
    let (app, sink) = app.over_smtp().await;
    let b = Browser::start().await;
    log_in(&b, &app, "anna@uwv.nl", PASSWORD).await;

    // An appointment proposed on the match, listed, then cancelled.
    b.goto(&app.url(&format!("/matches/{match_id}"))).await;
    b.click_within("summary", "Afspraak voorstellen").await;
    let in_a_month = buddymatch::domain::time::amsterdam_day(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
            + 30 * 86_400,
    );
    b.set_value("[name=starts_at]", &format!("{in_a_month}T10:00"))
        .await;
    b.fill("[name=location]", "Gemeentehuis Utrecht").await;
    b.click_text("Voorstellen").await;
    b.wait_for_text("Afspraak verstuurd").await;
    b.click_text("Afspraken").await;
    b.wait_for_text("Gemeentehuis Utrecht").await;
    assert!(b.text().await.contains("Met: Bram"));
    b.assert_accessible("appointments").await;
    b.click_text("Annuleren").await;
    b.wait_for_text("De afspraak is geannuleerd; iedereen krijgt bericht.")
        .await;
    b.wait_for_text("Geannuleerd").await;
    let appts: Value = app
        .get("/api/v1/me/appointments", Some(&anna))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(appts["items"][0]["status"], "cancelled");

    // Reminders: one turned off.
    b.goto(&app.url("/settings/notifications")).await;
    b.wait_for("[name=answer_pending]").await;
    b.assert_accessible("reminders").await;
    b.click("[name=answer_pending]").await;
    b.click_text("Opslaan").await;
    b.wait_for_text("Opgeslagen").await;
    let chosen: Value = app
        .get("/api/v1/me/notifications", Some(&anna))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(chosen["answer_pending"], false);
    assert_eq!(chosen["reflection_due"], true);

    // The account: a new password, then all my data as a file.
    b.click_text("Account").await;
    b.wait_for_text("Mijn account").await;
    b.assert_accessible("account").await;
    b.fill("[name=current_password]", PASSWORD).await;
    b.fill("[name=new_password]", NEW_PASSWORD).await;
    b.click_text("Wijzigen").await;
    b.wait_for_text("Je wachtwoord is gewijzigd").await;
    b.click_text("Mijn gegevens downloaden").await;
    let export: Value =
        serde_json::from_slice(&std::fs::read(b.wait_for_download("json").await).unwrap()).unwrap();
    assert_eq!(export["account"]["email"], "anna@uwv.nl");
    assert_eq!(export["appointments"][0]["status"], "cancelled");

    // A forgotten password, reset through the emailed link.
    log_out(&b).await;
    b.goto(&app.url("/forgot-password")).await;
    b.fill("[name=email]", "anna@uwv.nl").await;
    b.assert_accessible("forgot password").await;
    b.click_text("Stuur een link").await;
    b.wait_for_text("staat er nu een link").await;
    let reset = link_in_mail(&sink, "anna@uwv.nl", "/reset-password?token=").await;
    b.goto(&app.url(&reset)).await;
    b.fill("[name=password]", PASSWORD).await;
    b.click_text("Opslaan").await;
    b.wait_for_text("Je wachtwoord is gewijzigd").await;
    log_in(&b, &app, "anna@uwv.nl", PASSWORD).await;

    // Erasure: gone for good, the login with it.
    b.click_text("Account").await;
    b.wait_for_text("Account verwijderen").await;
    b.fill(
        "form[aria-label='Account verwijderen'] [name=password]",
        PASSWORD,
    )
    .await;
    b.click_text("Definitief verwijderen").await;
    b.wait_for_text("Leer van collega's uit andere domeinen")
        .await;
    let res = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "anna@uwv.nl", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 401);
}

async fn a_coordinator_and_an_admin_use_their_pages_in_the_browser(app: TestApp) {
    for (email, name, domain) in [
        ("anna@uwv.nl", "Anna", "uwv"),
        ("bram@zzp.nl", "Bram", "self_employed"),
        ("cas@gemeente.nl", "Cas", "municipality"),
        ("dirk@advies.nl", "Dirk", "advisory_firm"),
    ] {
        app.verified_member(email, name, "nl", &buddy(domain)).await;
    }
    app.with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    let admin = app.with_role("beheer@vereniging.nl", Role::Admin).await;
    let (app, sink) = app.over_smtp().await;
    let b = Browser::start().await;
    log_in(&b, &app, "coord@vereniging.nl", PASSWORD).await;
    let programme = format!(
        "/programmes/{}",
        buddymatch::store::programmes::DEFAULT_PROGRAMME_ID
    );

    // Members filtered by domain.
    b.goto(&app.url(&format!("{programme}?domain=municipality")))
        .await;
    b.wait_for_text("Leden (1)").await;
    assert!(b.text().await.contains("cas@gemeente.nl"));
    assert!(!b.text().await.contains("anna@uwv.nl"));

    // Invitations by CSV: a dry run reports every row, then the real one.
    b.goto(&app.url(&programme)).await;
    b.fill(
        "[name=csv]",
        "email,display_name\nnieuw@gemeente.nl,Nieuw Lid\ngeen-adres,X\n",
    )
    .await;
    b.click_text("Uitnodigen").await;
    b.wait_for_text("Proef: er is nog niets verstuurd").await;
    let report = b.text().await;
    assert!(
        report.contains("geweigerd") && report.contains("uitgenodigd"),
        "{report}"
    );
    b.click("[name=dry_run]").await;
    b.click_text("Uitnodigen").await;
    b.wait_for_text("De uitnodigingen zijn verstuurd").await;
    let invitation = link_in_mail(&sink, "nieuw@gemeente.nl", "/invitations/accept?token=").await;

    // A round: exclude the first proposed pair, pin two others, publish.
    b.click_within("summary", "Nieuwe ronde").await;
    b.click_text("Ronde aanmaken").await;
    b.wait_for_text("Gereedheid").await;
    b.click_text("Voorstel berekenen").await;
    b.wait_for_text("Voorgestelde matches").await;
    let first_pair: Vec<String> = b
        .client()
        .execute(
            "return [...document.querySelectorAll('tbody tr')].find((r) => r.textContent.includes('Nooit samen'))\
               .cells[0].textContent.split(' · ');",
            vec![],
        )
        .await
        .map(|v| serde_json::from_value(v).unwrap())
        .unwrap();
    // Each change computes the proposal again.
    b.click_text("Nooit samen").await;
    b.wait_for_text("Weer toestaan").await;
    let proposals: String = b
        .client()
        .execute(
            "return [...document.querySelectorAll('tbody tr')].filter((r) => r.textContent.includes('Nooit samen'))\
               .map((r) => r.cells[0].textContent).join('\\n');",
            vec![],
        )
        .await
        .map(|v| v.as_str().unwrap().to_string())
        .unwrap();
    assert!(
        !proposals.contains(&first_pair.join(" · "))
            && !proposals.contains(&format!("{} · {}", first_pair[1], first_pair[0])),
        "the excluded pair is proposed again: {proposals}"
    );
    b.assert_accessible("round with overrides").await;
    b.click_within("summary", "Mensen samen vastzetten").await;
    // Pin one of the excluded pair to someone else (pinning the pair itself
    // is refused: it is excluded).
    let one = first_pair[0].clone();
    let other = ["Anna", "Bram", "Cas", "Dirk"]
        .into_iter()
        .find(|n| !first_pair.iter().any(|p| p == n))
        .unwrap()
        .to_string();
    b.wait_for("input[name=pin]").await;
    b.client()
        .execute(
            "document.querySelectorAll('input[name=pin]').forEach((c) => { c.checked = arguments[0].includes(c.parentElement.textContent); });",
            vec![json!([one, other])],
        )
        .await
        .unwrap();
    b.click_text("Vastzetten").await;
    b.wait_for_text("Losmaken").await;
    let overrides_text = b.text().await;
    assert!(
        overrides_text.contains(&format!("{one} · {other}"))
            || overrides_text.contains(&format!("{other} · {one}")),
        "{overrides_text}"
    );
    b.click_within("summary", "Publiceren").await;
    b.click_text("Ja, publiceer deze ronde").await;
    b.wait_for_text("Antwoorden").await;
    let published = b.text().await;
    assert!(
        published.contains("Anna") && published.contains("Cas"),
        "{published}"
    );

    // The learning network: figures, both pictures drawn, an export.
    b.click_text("Netwerk").await;
    b.wait_for_text("Tussen welke domeinen").await;
    let drawn = b
        .client()
        .execute(
            "return [...document.querySelectorAll('img.picture')].map((i) => i.complete && i.naturalWidth > 0);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(drawn, json!([true, true]), "both pictures load");
    b.assert_accessible("network").await;
    b.click_text("GraphML").await;
    let graphml = std::fs::read_to_string(b.wait_for_download("graphml").await).unwrap();
    assert!(graphml.contains("<graphml"), "{graphml}");
    b.click_text("Mislukte mail").await;
    b.wait_for_text("Geen mislukte e-mail").await;
    b.assert_accessible("failed mail").await;
    log_out(&b).await;

    // The invited person accepts on the front end's page, with a new account.
    b.goto(&app.url(&invitation)).await;
    b.fill("[name=display_name]", "Nieuw Lid").await;
    b.fill("[name=password]", PASSWORD).await;
    b.assert_accessible("invitation").await;
    b.click_text("Aannemen").await;
    b.wait_for_text("Je doet nu mee").await;

    // The admin makes Dirk a coordinator and finds it in the audit log.
    log_in(&b, &app, "beheer@vereniging.nl", PASSWORD).await;
    b.click_text("Beheer").await;
    b.wait_for_text("dirk@advies.nl").await;
    b.assert_accessible("admin").await;
    b.set_value("select[aria-label='Rol van Dirk']", "coordinator")
        .await;
    b.client()
        .execute(
            "[...document.querySelectorAll('tr')].find((r) => r.textContent.includes('dirk@advies.nl')).querySelector('button').click();",
            vec![],
        )
        .await
        .unwrap();
    b.wait_for_text("Opgeslagen").await;
    let members: Value = app
        .get("/api/v1/members?per_page=100", Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    let dirk = members["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "dirk@advies.nl")
        .unwrap();
    assert_eq!(dirk["role"], "coordinator");
    b.set_value("select[name=action]", "user_role_changed")
        .await;
    b.click_within("button", "Filteren").await;
    // The log's rows (not the filter's options) are all role changes now.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let actions = b
            .client()
            .execute(
                "const t = [...document.querySelectorAll('table')].pop();\
                 return [...t.querySelectorAll('tbody tr')].map((r) => r.cells[2].textContent);",
                vec![],
            )
            .await
            .unwrap();
        let actions: Vec<String> = serde_json::from_value(actions).unwrap();
        if !actions.is_empty() && actions.iter().all(|a| a == "Rol gewijzigd") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "audit log rows: {actions:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    // A member declines a proposal with a reason only they see.
    log_out(&b).await;
    log_in(&b, &app, "anna@uwv.nl", PASSWORD).await;
    b.goto(&app.url("/matches")).await;
    b.click_within("summary", "Afwijzen").await;
    b.fill(
        "form[aria-label='Afwijzen'] [name=reason]",
        "Dit kwartaal te druk.",
    )
    .await;
    b.click("form[aria-label='Afwijzen'] button[type=submit]")
        .await;
    b.wait_for_text("Je hebt de match afgewezen.").await;
    b.wait_for_text("Jouw reden (alleen jij ziet die): Dit kwartaal te druk.")
        .await;
    b.assert_accessible("a declined match").await;
}
