DROP TABLE outbox_mentions;
DROP INDEX outbox_user_idx;
ALTER TABLE outbox DROP COLUMN context;
ALTER TABLE outbox DROP COLUMN user_id;
