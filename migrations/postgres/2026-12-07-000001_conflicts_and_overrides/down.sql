DROP TABLE round_unmatched;
DROP TABLE round_overrides;
DROP TABLE member_conflicts;
ALTER TABLE profiles DROP COLUMN team;
ALTER TABLE profiles DROP COLUMN organisation;
