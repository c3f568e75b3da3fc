-- The metrics of a round as published, shown when the round is read later.
ALTER TABLE rounds ADD COLUMN metrics TEXT;
