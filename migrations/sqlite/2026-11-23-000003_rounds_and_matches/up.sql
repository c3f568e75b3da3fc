-- Matching rounds and their published matches. Round settings and match
-- explanations are stored as JSON text: they are shown, never queried.
CREATE TABLE rounds (
  id TEXT PRIMARY KEY,
  number INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('buddy', 'shadowing', 'intervision')),
  status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'cancelled')),
  params TEXT NOT NULL,
  cohort TEXT NOT NULL,
  note TEXT NOT NULL,
  meeting_window TEXT NOT NULL,
  created_by TEXT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL,
  published_at BIGINT,
  cancelled_at BIGINT,
  CONSTRAINT rounds_number_key UNIQUE (number)
);

CREATE TABLE matches (
  id TEXT PRIMARY KEY,
  round_id TEXT NOT NULL REFERENCES rounds (id),
  kind TEXT NOT NULL,
  score BIGINT NOT NULL,
  explanation TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX matches_round_idx ON matches (round_id);

-- One row per person in a match. The unique key is the guarantee that a
-- member is in at most one match per round, whoever publishes it.
CREATE TABLE match_members (
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
CREATE INDEX match_members_user_idx ON match_members (user_id);
