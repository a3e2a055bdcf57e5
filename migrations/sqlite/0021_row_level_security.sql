-- Row-level security is PostgreSQL's (migrations/postgres/0021_row_level_security.sql). SQLite
-- has none; this file keeps the two engines' migration numbers the same.
SELECT 1;
