-- A counter bumped in the same transaction as every change that can end or alter an authorisation: a key
-- revoked or deleted, a connection updated or deleted, a tenant renamed or deleted. An instance that caches
-- keys and connections polls it to see the changes other instances made. A row, not a sequence: the bump
-- becomes visible exactly when the change does.
CREATE TABLE revision (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);

INSERT INTO revision (id, value) VALUES (1, 0);

CREATE FUNCTION bump_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE revision SET value = value + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER api_keys_changed AFTER UPDATE OR DELETE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision();

CREATE TRIGGER connections_changed AFTER UPDATE OR DELETE ON connections
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision();

CREATE TRIGGER tenants_changed AFTER UPDATE OR DELETE ON tenants
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision();
