CREATE TABLE match_members_old (
  match_id TEXT NOT NULL REFERENCES matches (id),
  round_id TEXT NOT NULL REFERENCES rounds (id),
  user_id TEXT NOT NULL REFERENCES users (id),
  role TEXT NOT NULL CHECK (role IN ('buddy', 'host', 'visitor', 'member')),
  response TEXT NOT NULL CHECK (response IN ('pending', 'accepted', 'declined')),
  responded_at BIGINT,
  decline_reason TEXT,
  PRIMARY KEY (match_id, user_id),
  CONSTRAINT match_members_round_user_key UNIQUE (round_id, user_id)
);
INSERT INTO match_members_old SELECT match_id, round_id, user_id, role, CASE response WHEN 'expired' THEN 'declined' ELSE response END, responded_at, decline_reason FROM match_members;
DROP TABLE match_members;
ALTER TABLE match_members_old RENAME TO match_members;
CREATE INDEX match_members_user_idx ON match_members (user_id);
-- The contact choices written by the up migration stay: they are what
-- those members had before it.
ALTER TABLE profiles DROP COLUMN offers_to_convene;
ALTER TABLE matches DROP COLUMN ready_at;
ALTER TABLE matches DROP COLUMN meeting_mode;
ALTER TABLE matches DROP COLUMN convener_id;
ALTER TABLE rounds DROP COLUMN reply_by;
