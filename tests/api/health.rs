use crate::both_backends;

both_backends! {
    async fn health_and_readiness(app) {
        let res = app.get("/healthz", None).await;
        assert_eq!(res.status(), 200);
        let res = app.get("/readyz", None).await;
        assert_eq!(res.status(), 200);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["status"], "ready");
    }
}
