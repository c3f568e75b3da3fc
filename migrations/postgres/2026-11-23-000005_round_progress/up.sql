-- What a running preview or publish is doing now, for coordinators polling the round.
ALTER TABLE rounds ADD COLUMN progress TEXT;
