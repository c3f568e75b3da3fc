-- Privacy: erasure keeps a member's past matches as anonymous statistics,
-- so the account row stays (stripped) and records when it was erased.
ALTER TABLE users ADD COLUMN erased_at BIGINT;

-- What matched peers may see of a member, and the phone number they may see.
CREATE TABLE contact_preferences (
  user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  phone TEXT,
  share_email BOOLEAN NOT NULL,
  share_phone BOOLEAN NOT NULL,
  share_province BOOLEAN NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Coordinator and admin actions, readable by admins. No foreign keys: the
-- log outlives the accounts it mentions.
CREATE TABLE audit_log (
  id TEXT PRIMARY KEY,
  at BIGINT NOT NULL,
  actor_id TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  action TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
