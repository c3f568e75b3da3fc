DROP TABLE match_members;
DROP TABLE matches;
DROP TABLE rounds;
