DROP INDEX meetings_match;
ALTER TABLE outbox DROP COLUMN unsubscribe;
DROP TABLE reminders_sent;
DROP TABLE notification_settings;
