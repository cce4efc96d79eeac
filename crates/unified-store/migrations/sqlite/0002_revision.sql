-- A counter bumped in the same transaction as every change that can end or alter an authorisation: a key
-- revoked or deleted, a connection updated or deleted, a tenant renamed or deleted. An instance that caches
-- keys and connections polls it to see the changes other processes made.
CREATE TABLE revision (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    value INTEGER NOT NULL
) STRICT;

INSERT INTO revision (id, value) VALUES (1, 0);

CREATE TRIGGER api_keys_changed AFTER UPDATE ON api_keys
BEGIN
    UPDATE revision SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER api_keys_deleted AFTER DELETE ON api_keys
BEGIN
    UPDATE revision SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER connections_changed AFTER UPDATE ON connections
BEGIN
    UPDATE revision SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER connections_deleted AFTER DELETE ON connections
BEGIN
    UPDATE revision SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER tenants_changed AFTER UPDATE ON tenants
BEGIN
    UPDATE revision SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER tenants_deleted AFTER DELETE ON tenants
BEGIN
    UPDATE revision SET value = value + 1 WHERE id = 1;
END;
