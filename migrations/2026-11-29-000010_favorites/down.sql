DROP TABLE IF EXISTS favorites;
DROP FUNCTION IF EXISTS favorites_count();
UPDATE listings SET favourite_count = 0 WHERE favourite_count <> 0;
