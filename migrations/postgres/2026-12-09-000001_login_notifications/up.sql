-- Tells every instance's listener (src/store/login_listener.rs) that an
-- access token's login may have stopped holding, whoever made the change:
-- an instance, a command-line tool or someone's own SQL. The instances
-- then drop their cached checks of logins. Only real changes notify, so
-- saving an account's other columns costs the caches nothing.
CREATE FUNCTION buddymatch_login_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('buddymatch_logins', 'login');
  RETURN NULL;
END
$$;

CREATE TRIGGER sessions_login_changed
  AFTER UPDATE OF ended_at ON sessions
  FOR EACH ROW WHEN (OLD.ended_at IS DISTINCT FROM NEW.ended_at)
  EXECUTE FUNCTION buddymatch_login_changed();
CREATE TRIGGER sessions_login_deleted
  AFTER DELETE OR TRUNCATE ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION buddymatch_login_changed();

CREATE TRIGGER users_login_changed
  AFTER UPDATE OF role, erased_at ON users
  FOR EACH ROW WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.erased_at IS DISTINCT FROM NEW.erased_at)
  EXECUTE FUNCTION buddymatch_login_changed();
CREATE TRIGGER users_login_deleted
  AFTER DELETE OR TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION buddymatch_login_changed();
