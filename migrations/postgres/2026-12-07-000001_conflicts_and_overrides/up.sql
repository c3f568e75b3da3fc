-- Where a member works: rounds keep colleagues apart (the round setting
-- `conflicts`). Free text, compared normalised by the engine.
ALTER TABLE profiles ADD COLUMN organisation TEXT;
ALTER TABLE profiles ADD COLUMN team TEXT;
-- Two members a coordinator says must never be matched (a manager and
-- their report, partners, a pending dispute). Stored once per pair, the
-- smaller id first.
CREATE TABLE member_conflicts (
  id TEXT PRIMARY KEY,
  user_a TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  user_b TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  note TEXT NOT NULL,
  registered_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  CONSTRAINT member_conflicts_ordered CHECK (user_a < user_b),
  CONSTRAINT member_conflicts_pair UNIQUE (user_a, user_b)
);
CREATE INDEX member_conflicts_b ON member_conflicts (user_b);
-- A draft round's pins and exclusions, as the coordinator last set them.
CREATE TABLE round_overrides (
  round_id TEXT PRIMARY KEY REFERENCES rounds (id),
  body TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
-- Who took part in a published round and got no match, and why: a top-up
-- round starts from them (with those whose match fell through).
CREATE TABLE round_unmatched (
  round_id TEXT NOT NULL REFERENCES rounds (id),
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  reason TEXT NOT NULL,
  PRIMARY KEY (round_id, user_id)
);
