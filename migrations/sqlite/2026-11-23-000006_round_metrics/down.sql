ALTER TABLE rounds DROP COLUMN metrics;
