DROP TABLE IF EXISTS unsubscribe_links;
DROP TABLE IF EXISTS alert_digests;
DROP TABLE IF EXISTS notifications;
DROP TABLE IF EXISTS saved_search_matches;
DROP TABLE IF EXISTS saved_searches;
