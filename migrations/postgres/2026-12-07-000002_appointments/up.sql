-- Appointments the members of a match make to meet, sent to each of them
-- as a calendar invite. `sequence` is the iCalendar SEQUENCE of the last
-- invite sent (0, then one more per change); a cancelled appointment is
-- kept (its invites went out) with `cancelled_at` set.
CREATE TABLE appointments (
  id TEXT PRIMARY KEY,
  match_id TEXT NOT NULL REFERENCES matches (id),
  proposed_by TEXT NOT NULL REFERENCES users (id),
  starts_at BIGINT NOT NULL,
  duration_minutes INTEGER NOT NULL,
  mode TEXT NOT NULL,
  location TEXT,
  online_url TEXT,
  note TEXT,
  sequence INTEGER NOT NULL,
  cancelled_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX appointments_match ON appointments (match_id);
-- A member's private calendar feed: the secret in its URL, stored only as
-- a SHA-256 hash (like refresh tokens). One per member; rotating replaces it.
CREATE TABLE calendar_feeds (
  user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);
-- The iCalendar body an email carries beside its text (an invite), blanked
-- with the other bodies once delivered or erased.
ALTER TABLE outbox ADD COLUMN ics TEXT;
