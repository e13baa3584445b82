-- Alert digests carry `List-Unsubscribe` / `List-Unsubscribe-Post` (RFC 2369, RFC 8058): the
-- API's one-click URL, holding a single-use token, so it is blanked with the body once sent.
ALTER TABLE outbox ADD COLUMN list_unsubscribe text;
