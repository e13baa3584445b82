DROP TRIGGER users_search_changed ON users;
DROP FUNCTION users_search_changed();
DROP TRIGGER listings_search_changed ON listings;
DROP FUNCTION listings_search_changed();
ALTER TABLE listings DROP COLUMN search_changed;
ALTER TABLE listings ALTER COLUMN search_document SET COMPRESSION default;
