ALTER TABLE outbox DROP COLUMN ics;
DROP TABLE calendar_feeds;
DROP TABLE appointments;
