ALTER TABLE notifications DROP COLUMN conversation_id;
DROP TABLE user_blocks;
DROP TABLE messages;
DROP TABLE conversations;
