DROP TABLE profile_topics;
DROP TABLE profile_meeting_modes;
DROP TABLE profile_forms;
DROP TABLE profile_languages;
DROP TABLE profiles;
DROP TABLE topics;
DROP TABLE refresh_tokens;
DROP TABLE users;
