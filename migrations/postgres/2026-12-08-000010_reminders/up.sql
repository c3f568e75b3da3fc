-- Which reminders a member wants; no row means all of them (the default).
CREATE TABLE notification_settings (
  user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  answer_pending BOOLEAN NOT NULL,
  no_meeting_yet BOOLEAN NOT NULL,
  reflection_due BOOLEAN NOT NULL,
  next_session BOOLEAN NOT NULL,
  updated_at BIGINT NOT NULL
);
-- One row per reminder sent: its key names the
-- reason (kind, match or appointment, member), so a reminder goes out once
-- across instances and restarts. Written in the transaction that queues
-- the email.
CREATE TABLE reminders_sent (
  reminder_key TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  sent_at BIGINT NOT NULL
);
CREATE INDEX reminders_sent_user ON reminders_sent (user_id);
-- The one-click unsubscribe address (RFC 8058) a reminder carries in its
-- List-Unsubscribe header; other emails have none.
ALTER TABLE outbox ADD COLUMN unsubscribe TEXT;
-- The reminder sweep looks for meetings and appointments per match.
CREATE INDEX meetings_match ON meetings (match_id);
