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
ALTER TABLE match_members ADD COLUMN reminded_at BIGINT;
-- A member is in at most one match per round, except a host: each visit
-- is a match of its own, so nothing about one visitor reaches another.
ALTER TABLE match_members DROP CONSTRAINT match_members_round_user_key;
CREATE UNIQUE INDEX match_members_round_user_key ON match_members (round_id, user_id) WHERE role <> 'host';
-- An answer not given by the reply date can expire.
ALTER TABLE match_members DROP CONSTRAINT match_members_response_check;
ALTER TABLE match_members ADD CONSTRAINT match_members_response_check CHECK (response IN ('pending', 'accepted', 'declined', 'expired'));
