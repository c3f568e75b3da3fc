-- Evidence of learning: a meeting that took place and what the member
-- learned from it; and a member's rating of a match.
CREATE TABLE meetings (
  id TEXT PRIMARY KEY,
  match_id TEXT NOT NULL REFERENCES matches (id),
  user_id TEXT NOT NULL REFERENCES users (id),
  met_on TEXT NOT NULL,
  hours INTEGER NOT NULL CHECK (hours BETWEEN 1 AND 24),
  reflection TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX meetings_user_idx ON meetings (user_id);

CREATE TABLE ratings (
  match_id TEXT NOT NULL REFERENCES matches (id),
  user_id TEXT NOT NULL REFERENCES users (id),
  stars INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
  comment TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (match_id, user_id)
);
