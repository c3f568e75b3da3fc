//! A coordinator's and a member's steps through a round, as a client takes
//! them: draft, act on, publish, read one's matches, answer one.

use super::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

impl TestApp {
    /// A draft round from `body` (e.g. `{"kind": "buddy"}`), in the default
    /// programme unless `body` names one; returns its id.
    pub async fn draft_round(&self, coord: &str, mut body: Value) -> String {
        if body.get("programme_id").is_none() {
            body["programme_id"] = json!(buddymatch::store::programmes::DEFAULT_PROGRAMME_ID);
        }
        let res = self
            .send_json(Method::POST, "/api/v1/rounds", Some(coord), &body)
            .await;
        assert_eq!(res.status(), 201, "creating a round from {body}");
        res.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// `POST /rounds/{id}/{action}` (preview, publish, cancel), answer as is.
    pub async fn round_action(&self, coord: &str, id: &str, action: &str) -> reqwest::Response {
        self.send_json(
            Method::POST,
            &format!("/api/v1/rounds/{id}/{action}"),
            Some(coord),
            &json!({}),
        )
        .await
    }

    /// A round from `body`, published; returns its id and the publish answer.
    pub async fn published_round(&self, coord: &str, body: Value) -> (String, Value) {
        let id = self.draft_round(coord, body).await;
        let res = self.round_action(coord, &id, "publish").await;
        assert_eq!(res.status(), 200, "publishing round {id}");
        (id, res.json().await.unwrap())
    }

    /// The items of the caller's first page of `GET /me/matches`.
    pub async fn my_matches(&self, token: &str) -> Vec<Value> {
        let res = self.get("/api/v1/me/matches", Some(token)).await;
        assert_eq!(res.status(), 200);
        let page: Value = res.json().await.unwrap();
        page["items"].as_array().unwrap().clone()
    }

    /// `POST /me/matches/{id}/{verb}` (accept, decline, …); must succeed.
    pub async fn answer_match(&self, token: &str, match_id: &str, verb: &str, body: Value) {
        let res = self
            .send_json(
                Method::POST,
                &format!("/api/v1/me/matches/{match_id}/{verb}"),
                Some(token),
                &body,
            )
            .await;
        assert_eq!(res.status(), 200, "{verb}: {}", res.text().await.unwrap());
    }

    /// Two verified members who want a buddy and meet online, Anna (nl, UWV)
    /// and Bram (en, self-employed), and a coordinator: their tokens.
    pub async fn anna_and_bram(&self) -> (String, String, String) {
        let mut p = super::sample_profile();
        p["forms"] = json!(["buddy"]);
        p["meeting_modes"] = json!(["online"]);
        let anna = self.verified_member("anna@uwv.nl", "Anna", "nl", &p).await;
        p["domain"] = json!("self_employed");
        let bram = self.verified_member("bram@zzp.nl", "Bram", "en", &p).await;
        let coord = self
            .with_role("coord@vereniging.nl", buddymatch::domain::Role::Coordinator)
            .await;
        (anna, bram, coord)
    }
}
