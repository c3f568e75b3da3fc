DROP TABLE audit_log;
DROP TABLE contact_preferences;
ALTER TABLE users DROP COLUMN erased_at;
