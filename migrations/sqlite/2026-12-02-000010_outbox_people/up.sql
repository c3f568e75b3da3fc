-- Who an email is for and whom it names, so that erasure and purge can find
-- every email that holds a person's data: the recipient's account (an
-- address alone may later belong to someone else), and the members an email
-- names (a proposal names the counterparts, a decline the decliner). The
-- render context is kept until delivery, like the bodies, so an email not
-- yet sent can be written anew without a person who asked to be forgotten.
ALTER TABLE outbox ADD COLUMN user_id TEXT REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE outbox ADD COLUMN context TEXT;
CREATE INDEX outbox_user_idx ON outbox (user_id);

CREATE TABLE outbox_mentions (
  outbox_id TEXT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  PRIMARY KEY (outbox_id, user_id)
);
CREATE INDEX outbox_mentions_user_idx ON outbox_mentions (user_id);
