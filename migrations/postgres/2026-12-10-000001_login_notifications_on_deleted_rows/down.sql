DROP TRIGGER users_login_truncated ON users;
DROP TRIGGER users_login_deleted ON users;
CREATE TRIGGER users_login_deleted
  AFTER DELETE OR TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION buddymatch_login_changed();
DROP TRIGGER sessions_login_truncated ON sessions;
DROP TRIGGER sessions_login_deleted ON sessions;
CREATE TRIGGER sessions_login_deleted
  AFTER DELETE OR TRUNCATE ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION buddymatch_login_changed();
DROP FUNCTION buddymatch_logins_deleted();
