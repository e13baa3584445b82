DROP TABLE IF EXISTS reference_data;
DROP TABLE IF EXISTS airfields;
DROP TABLE IF EXISTS models;
DROP TABLE IF EXISTS makes;
DROP TABLE IF EXISTS categories;
DROP FUNCTION IF EXISTS categories_check_no_cycle();
DROP FUNCTION IF EXISTS catalogue_search_text(text);
