// Internal to store/: a thin libpq connection for the PostgreSQL engine. Parameters and results
// travel as text (arrays as PostgreSQL array literals, bytea as hex), errors become Statuses
// (connection trouble is Unavailable, so callers answer 503 and retry), and a broken connection
// reconnects on the next call. Only postgres_store.cc and pg_watcher.cc include this header.
//
// Thread safety: none; the engine serialises its use of one connection.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace guardfeed::pg {

// Query parameters, in order ($1, $2, ...). Text values must not contain NUL bytes (PostgreSQL
// text cannot hold them): Add refuses them and the query fails with InvalidArgument.
class Params {
 public:
  Params& Add(int64_t value);
  Params& Add(double value);
  Params& Add(bool value);
  Params& Add(std::string_view value);
  Params& AddNull();
  Params& AddBytes(std::string_view value);  // bytea, any bytes
  // Array literals for unnest($n::text[]) and friends.
  Params& AddArray(const std::vector<std::string_view>& values);
  Params& AddArray(const std::vector<int64_t>& values);
  Params& AddArray(const std::vector<double>& values);
  Params& AddArray(const std::vector<bool>& values);

  const Status& status() const { return status_; }
  int size() const { return static_cast<int>(values_.size()); }
  // Pointers into this object: valid until it changes.
  std::vector<const char*> Pointers() const;

 private:
  std::vector<std::string> values_;
  std::vector<bool> null_;
  Status status_;
};

// A query's rows, read as text.
class Rows {
 public:
  Rows() = default;
  explicit Rows(PGresult* result) : result_(result, &PQclear) {}

  int size() const { return result_ ? PQntuples(result_.get()) : 0; }
  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string_view View(int row, int column) const;
  std::string Text(int row, int column) const { return std::string(View(row, column)); }
  int64_t Int(int row, int column) const;
  double Real(int row, int column) const;
  bool Bool(int row, int column) const { return View(row, column) == "t"; }
  std::string Bytes(int row, int column) const;  // a bytea column
  // Rows touched by an INSERT/UPDATE/DELETE.
  int64_t Affected() const;

 private:
  std::shared_ptr<PGresult> result_;
};

class Connection {
 public:
  // Connects to `url` (a postgresql:// URI or a libpq conninfo string) with guardfeed's defaults
  // (connect timeout, TCP keepalives, application_name) that the URL may override.
  static Result<std::unique_ptr<Connection>> Open(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one statement. A statement that fails inside a transaction leaves it aborted: the
  // caller rolls back.
  Result<Rows> Query(const char* sql, const Params& params = Params());
  // Runs one or more statements without parameters (schema, BEGIN, COMMIT).
  Status Exec(const char* sql);

  // Reconnects when the connection is known to be broken. Ok when it is usable.
  Status EnsureConnected();
  bool InTransaction() const;
  // The notifications received so far, each channel once per call; reads the socket.
  Result<std::vector<std::string>> TakeNotifications();
  int Socket() const { return PQsocket(conn_); }
  // "postgresql://user@host:port/db": the URL without its password, for logs.
  std::string Describe() const;

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  Status ErrorStatus(PGresult* result) const;

  PGconn* conn_;
};

}  // namespace guardfeed::pg
