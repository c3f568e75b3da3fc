ALTER TABLE rounds DROP COLUMN progress;
