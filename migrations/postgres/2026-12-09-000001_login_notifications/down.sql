DROP TRIGGER users_login_deleted ON users;
DROP TRIGGER users_login_changed ON users;
DROP TRIGGER sessions_login_deleted ON sessions;
DROP TRIGGER sessions_login_changed ON sessions;
DROP FUNCTION buddymatch_login_changed();
