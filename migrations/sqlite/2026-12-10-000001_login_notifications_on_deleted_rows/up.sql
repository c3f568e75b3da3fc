-- Nothing on SQLite (see 2026-12-09-000001_login_notifications).
SELECT 1;
