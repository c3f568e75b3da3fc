-- Programmes: a coordinator works for one or more of them, a member takes
-- part in any number, and every round belongs to exactly one.
CREATE TABLE programmes (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  -- Members may join from the API; otherwise by invitation only.
  open BOOLEAN NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CONSTRAINT programmes_name_key UNIQUE (name)
);

CREATE TABLE programme_coordinators (
  programme_id TEXT NOT NULL REFERENCES programmes (id),
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  assigned_at BIGINT NOT NULL,
  PRIMARY KEY (programme_id, user_id)
);
CREATE INDEX programme_coordinators_user_idx ON programme_coordinators (user_id);

CREATE TABLE programme_members (
  programme_id TEXT NOT NULL REFERENCES programmes (id),
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  joined_at BIGINT NOT NULL,
  via TEXT NOT NULL CHECK (via IN ('migration', 'joined', 'invited', 'added')),
  PRIMARY KEY (programme_id, user_id)
);
CREATE INDEX programme_members_user_idx ON programme_members (user_id);

-- One pending invitation per programme and address: inviting again
-- rotates the token. Only the token's hash is kept.
CREATE TABLE programme_invitations (
  id TEXT PRIMARY KEY,
  programme_id TEXT NOT NULL REFERENCES programmes (id),
  email TEXT NOT NULL,
  display_name TEXT NOT NULL,
  locale TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  invited_by TEXT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  accepted_at BIGINT,
  CONSTRAINT programme_invitations_email_key UNIQUE (programme_id, email),
  CONSTRAINT programme_invitations_token_key UNIQUE (token_hash)
);

-- Everything that existed moves into one default programme, so an upgraded
-- install keeps working as before.
INSERT INTO programmes (id, name, description, open, created_at, updated_at)
VALUES ('00000000-0000-0000-0000-000000000001', 'Alle leden / All members',
        'Iedereen die zich aanmeldt / everyone who signs up', TRUE,
        CAST(EXTRACT(EPOCH FROM now()) AS BIGINT), CAST(EXTRACT(EPOCH FROM now()) AS BIGINT));
INSERT INTO programme_members (programme_id, user_id, joined_at, via)
SELECT '00000000-0000-0000-0000-000000000001', id, created_at, 'migration'
FROM users WHERE erased_at IS NULL;
INSERT INTO programme_coordinators (programme_id, user_id, assigned_at)
SELECT '00000000-0000-0000-0000-000000000001', id, CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)
FROM users WHERE role = 'coordinator' AND erased_at IS NULL;

ALTER TABLE rounds ADD COLUMN programme_id TEXT REFERENCES programmes (id);
UPDATE rounds SET programme_id = '00000000-0000-0000-0000-000000000001';
ALTER TABLE rounds ALTER COLUMN programme_id SET NOT NULL;
CREATE INDEX rounds_programme_idx ON rounds (programme_id);
