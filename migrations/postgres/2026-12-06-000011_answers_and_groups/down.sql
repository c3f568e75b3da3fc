UPDATE match_members SET response = 'declined' WHERE response = 'expired';
ALTER TABLE match_members DROP CONSTRAINT match_members_response_check;
ALTER TABLE match_members ADD CONSTRAINT match_members_response_check CHECK (response IN ('pending', 'accepted', 'declined'));
DROP INDEX match_members_round_user_key;
ALTER TABLE match_members ADD CONSTRAINT match_members_round_user_key UNIQUE (round_id, user_id);
ALTER TABLE match_members DROP COLUMN reminded_at;
-- The contact choices written by the up migration stay: they are what
-- those members had before it.
ALTER TABLE profiles DROP COLUMN offers_to_convene;
ALTER TABLE matches DROP COLUMN ready_at;
ALTER TABLE matches DROP COLUMN meeting_mode;
ALTER TABLE matches DROP COLUMN convener_id;
ALTER TABLE rounds DROP COLUMN reply_by;
