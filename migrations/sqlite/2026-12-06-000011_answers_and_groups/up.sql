-- Answers have a deadline: the date a round's members are asked to answer
-- by, and when a member was last reminded of a pending answer.
ALTER TABLE rounds ADD COLUMN reply_by BIGINT;
-- An intervision group knows who starts it and how it meets, and when it
-- was told that enough members accepted to start (told once).
ALTER TABLE matches ADD COLUMN convener_id TEXT;
ALTER TABLE matches ADD COLUMN meeting_mode TEXT;
ALTER TABLE matches ADD COLUMN ready_at BIGINT;
ALTER TABLE profiles ADD COLUMN offers_to_convene BOOLEAN NOT NULL DEFAULT FALSE;
-- Contact details are shared only by choice. Members who saved a profile
-- before the choice was asked keep what they had: email and province.
INSERT INTO contact_preferences (user_id, phone, share_email, share_phone, share_province, updated_at)
SELECT p.user_id, NULL, TRUE, FALSE, TRUE, p.updated_at
FROM profiles p
WHERE NOT EXISTS (SELECT 1 FROM contact_preferences c WHERE c.user_id = p.user_id);
-- A member is in at most one match per round, except a host: each visit
-- is a match of its own, so nothing about one visitor reaches another.
-- An answer not given by the reply date can expire. SQLite cannot change
-- a table's constraints: the table is built anew.
CREATE TABLE match_members_new (
  match_id TEXT NOT NULL REFERENCES matches (id),
  round_id TEXT NOT NULL REFERENCES rounds (id),
  user_id TEXT NOT NULL REFERENCES users (id),
  role TEXT NOT NULL CHECK (role IN ('buddy', 'host', 'visitor', 'member')),
  response TEXT NOT NULL CHECK (response IN ('pending', 'accepted', 'declined', 'expired')),
  responded_at BIGINT,
  decline_reason TEXT,
  reminded_at BIGINT,
  PRIMARY KEY (match_id, user_id)
);
INSERT INTO match_members_new (match_id, round_id, user_id, role, response, responded_at, decline_reason)
SELECT match_id, round_id, user_id, role, response, responded_at, decline_reason FROM match_members;
DROP TABLE match_members;
ALTER TABLE match_members_new RENAME TO match_members;
CREATE INDEX match_members_user_idx ON match_members (user_id);
CREATE UNIQUE INDEX match_members_round_user_key ON match_members (round_id, user_id) WHERE role <> 'host';
