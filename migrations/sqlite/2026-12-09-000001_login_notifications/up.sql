-- Nothing on SQLite: one instance owns the file and checks every request's
-- login in it (a read of microseconds), so there is no cache of checked
-- logins to tell. PostgreSQL's half of this migration adds the triggers
-- that tell other instances.
SELECT 1;
