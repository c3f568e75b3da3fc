-- Rounds keep their rows and lose the programme; members and coordinators
-- are as before (every member in every round's cohort, every coordinator
-- on every round).
DROP TRIGGER programmes_rounds_delete;
DROP TRIGGER rounds_programme_update;
DROP TRIGGER rounds_programme_insert;
DROP INDEX rounds_programme_idx;
ALTER TABLE rounds DROP COLUMN programme_id;
DROP TABLE programme_invitations;
DROP TABLE programme_members;
DROP TABLE programme_coordinators;
DROP TABLE programmes;
