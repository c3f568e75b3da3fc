-- Accounts, sessions and learning profiles. Timestamps are UTC epoch
-- seconds (BIGINT) so that SQLite and PostgreSQL share one diesel schema.

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  display_name TEXT NOT NULL,
  locale TEXT NOT NULL CHECK (locale IN ('nl', 'en')),
  role TEXT NOT NULL CHECK (role IN ('member', 'coordinator', 'admin')),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CONSTRAINT users_email_key UNIQUE (email)
);

CREATE TABLE refresh_tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT,
  CONSTRAINT refresh_tokens_hash_key UNIQUE (token_hash)
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

CREATE TABLE topics (
  slug TEXT PRIMARY KEY,
  label_nl TEXT NOT NULL,
  label_en TEXT NOT NULL
);

CREATE TABLE profiles (
  user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  domain TEXT NOT NULL,
  profession TEXT NOT NULL,
  experience_years INTEGER,
  registration TEXT NOT NULL,
  province TEXT NOT NULL,
  host_capacity INTEGER NOT NULL CHECK (host_capacity BETWEEN 0 AND 10),
  hours_per_month INTEGER NOT NULL CHECK (hours_per_month BETWEEN 0 AND 80),
  max_travel_km INTEGER NOT NULL CHECK (max_travel_km BETWEEN 0 AND 400),
  learning_goal TEXT NOT NULL,
  paused BOOLEAN NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX profiles_domain_idx ON profiles (domain);
CREATE INDEX profiles_province_idx ON profiles (province);

CREATE TABLE profile_languages (
  user_id TEXT NOT NULL REFERENCES profiles (user_id) ON DELETE CASCADE,
  language TEXT NOT NULL,
  PRIMARY KEY (user_id, language)
);

CREATE TABLE profile_forms (
  user_id TEXT NOT NULL REFERENCES profiles (user_id) ON DELETE CASCADE,
  form TEXT NOT NULL CHECK (form IN ('buddy', 'intervision', 'shadowing_visitor', 'shadowing_host')),
  PRIMARY KEY (user_id, form)
);
CREATE INDEX profile_forms_form_idx ON profile_forms (form);

CREATE TABLE profile_meeting_modes (
  user_id TEXT NOT NULL REFERENCES profiles (user_id) ON DELETE CASCADE,
  mode TEXT NOT NULL CHECK (mode IN ('in_person', 'online')),
  PRIMARY KEY (user_id, mode)
);

CREATE TABLE profile_topics (
  user_id TEXT NOT NULL REFERENCES profiles (user_id) ON DELETE CASCADE,
  topic TEXT NOT NULL REFERENCES topics (slug),
  direction TEXT NOT NULL CHECK (direction IN ('wanted', 'offered')),
  PRIMARY KEY (user_id, topic, direction)
);

INSERT INTO topics (slug, label_nl, label_en) VALUES
  ('law_and_policy', 'Wet- en regelgeving en beleid', 'Law and policy'),
  ('knowledge_and_science', 'Nieuwe kennis en wetenschap', 'New knowledge and science'),
  ('clients_and_target_groups', 'Cliënten en specifieke doelgroepen', 'Clients and specific target groups'),
  ('reflection_on_practice', 'Reflectie op eigen handelen', 'Reflection on one''s own practice'),
  ('methodical_work', 'Methodisch werken', 'Methodical work'),
  ('artificial_intelligence', 'Artificiële intelligentie (AI)', 'Artificial intelligence (AI)'),
  ('inclusive_technology', 'Inclusieve technologie', 'Inclusive technology'),
  ('soft_skills', 'Communicatie en gesprekstechniek', 'Communication and conversation technique'),
  ('labour_market_change', 'Veranderingen op de arbeidsmarkt', 'Labour-market change'),
  ('digital_inclusion', 'Digitale inclusie', 'Digital inclusion'),
  ('multidisciplinary_collaboration', 'Multidisciplinair samenwerken', 'Multidisciplinary collaboration'),
  ('work_capacity_assessment', 'Beoordeling arbeidsmogelijkheden', 'Work capacity assessment'),
  ('reintegration', 'Re-integratie', 'Re-integration'),
  ('sustainable_employability', 'Duurzame inzetbaarheid', 'Sustainable employability'),
  ('mental_health_and_work', 'Psychische klachten en werk', 'Mental health and work'),
  ('employer_advice', 'Advisering aan werkgevers', 'Advising employers'),
  ('social_security', 'Sociale zekerheid (WIA, WW, Ziektewet)', 'Social security (WIA, WW, sickness benefit)'),
  ('participation_act', 'Participatiewet en sociaal domein', 'Participation Act and the social domain'),
  ('case_law', 'Jurisprudentie en bezwaar', 'Case law and objections'),
  ('entrepreneurship', 'Ondernemerschap als zelfstandige', 'Running an independent practice');
