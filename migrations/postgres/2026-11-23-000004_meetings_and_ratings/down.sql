DROP TABLE ratings;
DROP TABLE meetings;
