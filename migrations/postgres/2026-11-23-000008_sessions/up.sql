-- A login (a refresh-token family) as a row of its own. Access tokens name
-- their login (`sid`), and each request checks it by primary key, so ending
-- a login (logout, password change or reset, role change, erasure, reuse of
-- a spent refresh token) shuts its access tokens out at once instead of
-- when they expire.
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  ended_at BIGINT
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Logins from before this migration: ended if none of their tokens is left
-- unspent.
INSERT INTO sessions (id, user_id, created_at, ended_at)
SELECT family_id, MIN(user_id), MIN(created_at),
       CASE WHEN COUNT(*) = COUNT(revoked_at) THEN MAX(revoked_at) END
FROM refresh_tokens
GROUP BY family_id;
