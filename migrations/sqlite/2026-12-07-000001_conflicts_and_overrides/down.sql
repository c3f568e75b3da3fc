DROP TABLE round_unmatched;
DROP TABLE round_overrides;
DROP TABLE member_conflicts;
-- SQLite 3.35+ drops columns that no index or constraint names.
ALTER TABLE profiles DROP COLUMN team;
ALTER TABLE profiles DROP COLUMN organisation;
