-- Timestamps are RFC 3339 text in UTC with microseconds (`2026-01-02T03:04:05.123456Z`): fixed width, so
-- they compare as text.

CREATE TABLE tenants (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
) STRICT;

-- The key itself is never stored: only its SHA-256 digest and its display prefix (`sk_test_AbCd1234`).
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    mode TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    prefix TEXT NOT NULL,
    digest BLOB NOT NULL CHECK (length(digest) = 32),
    created_at TEXT NOT NULL,
    revoked_at TEXT
) STRICT;

CREATE INDEX api_keys_prefix ON api_keys (prefix);
CREATE INDEX api_keys_tenant_id ON api_keys (tenant_id);

-- `credentials` is sealed: XChaCha20-Poly1305 under the master key, the row id as associated data.
CREATE TABLE connections (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    mode TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    end_user_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    credentials BLOB NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}',
    base_url TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'needs_reauth')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, mode, end_user_id, provider)
) STRICT;

-- `status` is NULL while the request that claimed the key is in progress.
CREATE TABLE idempotency_keys (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    status INTEGER,
    response BLOB,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, key)
) STRICT;

CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
