CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);

-- The key itself is never stored: only its SHA-256 digest and its display prefix (`sk_test_AbCd1234`).
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    mode TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    prefix TEXT NOT NULL,
    digest BYTEA NOT NULL CHECK (octet_length(digest) = 32),
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

CREATE INDEX api_keys_prefix ON api_keys (prefix);
CREATE INDEX api_keys_tenant_id ON api_keys (tenant_id);

-- `credentials` is sealed: XChaCha20-Poly1305 under the master key, the row id as associated data.
CREATE TABLE connections (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    mode TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    end_user_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    credentials BYTEA NOT NULL,
    settings JSONB NOT NULL DEFAULT '{}',
    base_url TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'needs_reauth')),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, mode, end_user_id, provider)
);

-- `status` is NULL while the request that claimed the key is in progress.
CREATE TABLE idempotency_keys (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    request_hash BYTEA NOT NULL,
    status INTEGER,
    response BYTEA,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, key)
);

CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
