// Internal to store/: the PostgreSQL engine's factory and its schema. Everyone else opens a store
// through OpenStore (store.h); only store.cc and postgres_store.cc include this header.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace guardfeed {

// Connects to the database named by `url` ("postgresql://user@host:port/db?sslmode=...", libpq's
// URI syntax: passwords come from `passfile=`, PGPASSFILE or ~/.pgpass, never from logs), creates
// or migrates guardfeed's schema (`guardfeed`, in that database) and returns the engine. Fails
// with Unavailable when the server cannot be reached, and with a clear message when the schema
// belongs to a newer guardfeed or to another program.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url);

namespace postgres_internal {

// The schema `guardfeed` and its tables, one migration per schema version, like SQLite's
// kMigrations: entry i moves guardfeed.schema_version from i to i + 1, all pending ones in one
// transaction. Never edit a released entry; append a new one. Version 1 holds what SQLite's
// version 2 holds, with each sighting's finding id and labels stored in its own row (no interning
// tables: PostgreSQL's TOAST-free short strings cost little, and one statement can upsert a batch).
inline constexpr std::array<const char*, 1> kMigrations = {
    R"sql(
CREATE TABLE meta (
  id smallint PRIMARY KEY CHECK (id = 1),
  change_counter bigint NOT NULL,
  allowlist_changed bigint NOT NULL
);
INSERT INTO meta (id, change_counter, allowlist_changed) VALUES (1, 0, 0);
CREATE TABLE sightings (
  value text COLLATE "C" NOT NULL, finding_id text COLLATE "C" NOT NULL,
  kind smallint NOT NULL CHECK (kind BETWEEN 0 AND 2),
  finding_type text NOT NULL, severity double precision NOT NULL,
  account_id text NOT NULL, region text NOT NULL,
  action_type text NOT NULL, direction text NOT NULL, field text NOT NULL,
  first_seen bigint NOT NULL, last_seen bigint NOT NULL, updated_at bigint NOT NULL,
  count bigint NOT NULL, withdrawn boolean NOT NULL, expires_at bigint NOT NULL,
  PRIMARY KEY (value, finding_id)
);
CREATE INDEX sightings_by_expiry ON sightings (expires_at);
CREATE TABLE indicators (
  value text COLLATE "C" PRIMARY KEY,
  kind smallint NOT NULL CHECK (kind BETWEEN 0 AND 2),
  first_seen bigint NOT NULL, last_seen bigint NOT NULL, expires_at bigint NOT NULL,
  max_severity double precision NOT NULL, finding_count bigint NOT NULL,
  changed bigint NOT NULL
);
CREATE INDEX indicators_by_expiry ON indicators (expires_at);
CREATE INDEX indicators_by_change ON indicators (changed);
CREATE TABLE removals (
  value text COLLATE "C" PRIMARY KEY,
  kind smallint NOT NULL CHECK (kind BETWEEN 0 AND 2),
  reason text NOT NULL, actor text NOT NULL, removed_at bigint NOT NULL,
  changed bigint NOT NULL
);
CREATE INDEX removals_by_change ON removals (changed);
CREATE TABLE unremovals (
  value text COLLATE "C" PRIMARY KEY,
  kind smallint NOT NULL CHECK (kind BETWEEN 0 AND 2),
  changed bigint NOT NULL
);
CREATE INDEX unremovals_by_change ON unremovals (changed);
CREATE TABLE allowlist (
  entry text COLLATE "C" PRIMARY KEY,
  comment text NOT NULL, actor text NOT NULL, added_at bigint NOT NULL
);
CREATE TABLE audit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at bigint NOT NULL, actor text NOT NULL, action text NOT NULL,
  target text NOT NULL, detail text NOT NULL
);
CREATE TABLE feed_state (
  feed text COLLATE "C" PRIMARY KEY,
  content_digest text NOT NULL, serial bigint NOT NULL, version text NOT NULL,
  data_ts bigint NOT NULL
);
CREATE TABLE publisher_state (
  key text COLLATE "C" PRIMARY KEY,
  value bytea NOT NULL
);
)sql"};

}  // namespace postgres_internal
}  // namespace guardfeed
