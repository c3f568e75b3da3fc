-- A DELETE announced a change of logins even when it removed no row, so
-- the hourly purge, finding nothing to purge, still emptied every
-- instance's cache of checked logins. Deletes now tell only when they
-- removed rows (the statement's transition table holds them); TRUNCATE has
-- no transition table and always tells.
CREATE FUNCTION buddymatch_logins_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM gone) THEN
    PERFORM pg_notify('buddymatch_logins', 'login');
  END IF;
  RETURN NULL;
END
$$;

DROP TRIGGER sessions_login_deleted ON sessions;
CREATE TRIGGER sessions_login_deleted
  AFTER DELETE ON sessions REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION buddymatch_logins_deleted();
CREATE TRIGGER sessions_login_truncated
  AFTER TRUNCATE ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION buddymatch_login_changed();

DROP TRIGGER users_login_deleted ON users;
CREATE TRIGGER users_login_deleted
  AFTER DELETE ON users REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION buddymatch_logins_deleted();
CREATE TRIGGER users_login_truncated
  AFTER TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION buddymatch_login_changed();
