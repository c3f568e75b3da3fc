-- Rounds keep their rows and lose the programme; members and coordinators
-- are as before (every member in every round's cohort, every coordinator
-- on every round).
DROP INDEX rounds_programme_idx;
ALTER TABLE rounds DROP COLUMN programme_id;
DROP TABLE programme_invitations;
DROP TABLE programme_members;
DROP TABLE programme_coordinators;
DROP TABLE programmes;
