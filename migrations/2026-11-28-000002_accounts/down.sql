DROP TABLE IF EXISTS outbox;
DROP TABLE IF EXISTS email_tokens;
DROP TABLE IF EXISTS personal_access_tokens;
DROP TABLE IF EXISTS refresh_tokens;
DROP TABLE IF EXISTS users;
