#include "store/pg_connection.h"

#include <charconv>
#include <cstdio>
#include <utility>

namespace guardfeed::pg {
namespace {

// Defaults the URL may override (PQconnectdbParams gives the expanded URL the last word): fail a
// connect in 5 s, and notice a silent network loss within about 10 s instead of TCP's hours.
constexpr const char* kDefaultKeys[] = {"connect_timeout", "keepalives",          "keepalives_idle",
                                        "keepalives_interval", "keepalives_count", "tcp_user_timeout",
                                        "application_name"};
constexpr const char* kDefaultValues[] = {"5", "1", "5", "2", "3", "10000", "guardfeed"};
static_assert(std::size(kDefaultKeys) == std::size(kDefaultValues));

// Session settings every connection needs: guardfeed's schema; floats as exact text (3: exact
// on every version, shortest on 12 and later); bytea as hex and UTF-8 text whatever the role's
// defaults; no NOTICEs on stderr. And limits that keep one stuck or cut-off replica from
// stopping the others: a transaction left idle (its client gone) ends after 60 s, a lock wait
// after 30 s, and the server notices a silent client within about 10 s (keepalives and
// tcp_user_timeout, server side: the client side is set by the connection defaults above).
constexpr const char* kSessionSql =
    "SET search_path = guardfeed, pg_catalog; SET extra_float_digits = 3; "
    "SET bytea_output = hex; SET client_encoding = 'UTF8'; SET client_min_messages = warning; "
    "SET idle_in_transaction_session_timeout = '60s'; SET lock_timeout = '30s'; "
    "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3; "
    "SET tcp_user_timeout = 10000";

void IgnoreNotice(void* /*arg*/, const char* /*message*/) {}

// libpq's messages span lines ("...failed: Connection refused\n\tIs the server running..."):
// one line for logs and JSON error bodies.
std::string OneLine(std::string_view message) {
  std::string out;
  bool space = false;
  for (char c : message) {
    if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// SQLSTATE classes that mean "the server or the link is in trouble now": retry later.
bool Transient(std::string_view sqlstate) {
  return sqlstate.starts_with("08") || sqlstate.starts_with("57P") || sqlstate.starts_with("53") ||
         sqlstate.starts_with("40") || sqlstate == "55P03" || sqlstate == "57014" ||
         sqlstate == "25P03";
}

std::string ArrayElement(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

template <typename T, typename Format>
std::string ArrayLiteral(const std::vector<T>& values, Format format) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += format(values[i]);
  }
  out += '}';
  return out;
}

std::string RealText(double value) {
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return error == std::errc() ? std::string(buffer, end) : std::string("NaN");
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

}  // namespace

// ---- Params ----

Params& Params::Add(int64_t value) {
  values_.push_back(std::to_string(value));
  null_.push_back(false);
  return *this;
}

Params& Params::Add(double value) {
  values_.push_back(RealText(value));
  null_.push_back(false);
  return *this;
}

Params& Params::Add(bool value) {
  values_.emplace_back(value ? "t" : "f");
  null_.push_back(false);
  return *this;
}

Params& Params::Add(std::string_view value) {
  if (value.find('\0') != std::string_view::npos && status_.ok()) {
    status_ = Status::InvalidArgument("a text value contains a NUL byte");
  }
  values_.emplace_back(value);
  null_.push_back(false);
  return *this;
}

Params& Params::AddNull() {
  values_.emplace_back();
  null_.push_back(true);
  return *this;
}

Params& Params::AddBytes(std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text = "\\x";
  text.reserve(2 + value.size() * 2);
  for (char byte : value) {
    auto c = static_cast<unsigned char>(byte);
    text += kHex[c >> 4];
    text += kHex[c & 15];
  }
  values_.push_back(std::move(text));
  null_.push_back(false);
  return *this;
}

Params& Params::AddArray(const std::vector<std::string_view>& values) {
  for (std::string_view value : values) {
    if (value.find('\0') != std::string_view::npos && status_.ok()) {
      status_ = Status::InvalidArgument("a text value contains a NUL byte");
    }
  }
  values_.push_back(ArrayLiteral(values, ArrayElement));
  null_.push_back(false);
  return *this;
}

Params& Params::AddArray(const std::vector<int64_t>& values) {
  values_.push_back(ArrayLiteral(values, [](int64_t v) { return std::to_string(v); }));
  null_.push_back(false);
  return *this;
}

Params& Params::AddArray(const std::vector<double>& values) {
  values_.push_back(ArrayLiteral(values, RealText));
  null_.push_back(false);
  return *this;
}

Params& Params::AddArray(const std::vector<bool>& values) {
  values_.push_back(ArrayLiteral(values, [](bool v) { return std::string(v ? "t" : "f"); }));
  null_.push_back(false);
  return *this;
}

std::vector<const char*> Params::Pointers() const {
  std::vector<const char*> pointers(values_.size());
  for (size_t i = 0; i < values_.size(); ++i) {
    pointers[i] = null_[i] ? nullptr : values_[i].c_str();
  }
  return pointers;
}

// ---- Rows ----

std::string_view Rows::View(int row, int column) const {
  const char* text = PQgetvalue(result_.get(), row, column);
  auto size = static_cast<size_t>(PQgetlength(result_.get(), row, column));
  return text != nullptr ? std::string_view(text, size) : std::string_view();
}

int64_t Rows::Int(int row, int column) const {
  std::string_view text = View(row, column);
  int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

double Rows::Real(int row, int column) const {
  std::string_view text = View(row, column);
  double value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::string Rows::Bytes(int row, int column) const {
  std::string_view text = View(row, column);
  if (text.starts_with("\\x")) text.remove_prefix(2);
  std::string out(text.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<char>(HexDigit(text[2 * i]) * 16 + HexDigit(text[2 * i + 1]));
  }
  return out;
}

int64_t Rows::Affected() const {
  const char* text = PQcmdTuples(result_.get());
  int64_t value = 0;
  if (text != nullptr) std::from_chars(text, text + std::char_traits<char>::length(text), value);
  return value;
}

// ---- Connection ----

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& url) {
  // libpq's own message for a malformed URL quotes the URL, password included: check it first
  // and say only what is wrong in general.
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &parse_error);
  if (parse_error != nullptr) PQfreemem(parse_error);
  if (parsed == nullptr) {
    return Status::InvalidArgument(
        "the store URL is not a valid PostgreSQL URL (postgresql://USER@HOST:PORT/DB?PARAM=VALUE; "
        "percent-encode reserved characters)");
  }
  PQconninfoFree(parsed);
  std::vector<const char*> keys(std::begin(kDefaultKeys), std::end(kDefaultKeys));
  std::vector<const char*> values(std::begin(kDefaultValues), std::end(kDefaultValues));
  keys.push_back("dbname");
  values.push_back(url.c_str());
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* raw = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (raw == nullptr) return Status::Unavailable("postgresql: out of memory");
  std::unique_ptr<Connection> connection(new Connection(raw));
  PQsetNoticeProcessor(raw, IgnoreNotice, nullptr);
  if (PQstatus(raw) != CONNECTION_OK) {
    std::string message = OneLine(PQerrorMessage(raw));
    return Status::Unavailable("cannot connect to " + connection->Describe() + ": " + message);
  }
  GF_RETURN_IF_ERROR(connection->Exec(kSessionSql));
  return connection;
}

Connection::~Connection() { PQfinish(conn_); }

Status Connection::ErrorStatus(PGresult* result) const {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state != nullptr ? state : "";
  const char* primary =
      result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = Describe() + ": " + OneLine(primary != nullptr ? primary : PQerrorMessage(conn_));
  if (!sqlstate.empty()) message += " (SQLSTATE " + sqlstate + ")";
  if (PQstatus(conn_) != CONNECTION_OK || sqlstate.empty() || Transient(sqlstate)) {
    return Status::Unavailable(message);
  }
  if (sqlstate.starts_with("22")) return Status::InvalidArgument(message);
  return Status::IoError(message);
}

Result<Rows> Connection::Query(const char* sql, const Params& params) {
  if (!params.status().ok()) return params.status();
  GF_RETURN_IF_ERROR(EnsureConnected());
  std::vector<const char*> pointers = params.Pointers();
  PGresult* result = PQexecParams(conn_, sql, params.size(), nullptr, pointers.data(), nullptr,
                                  nullptr, /*resultFormat=*/0);
  ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Rows(result);
  Status error = ErrorStatus(result);
  PQclear(result);
  return error;
}

Status Connection::Exec(const char* sql) {
  GF_RETURN_IF_ERROR(EnsureConnected());
  PGresult* result = PQexec(conn_, sql);
  ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  Status out = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ? Status::Ok()
                                                                        : ErrorStatus(result);
  PQclear(result);
  return out;
}

Status Connection::EnsureConnected() {
  if (PQstatus(conn_) == CONNECTION_OK) return Status::Ok();
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) return ErrorStatus(nullptr);
  return Exec(kSessionSql);
}

bool Connection::InTransaction() const {
  PGTransactionStatusType status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

Result<std::vector<std::string>> Connection::TakeNotifications() {
  if (PQconsumeInput(conn_) == 0) return ErrorStatus(nullptr);
  std::vector<std::string> channels;
  while (PGnotify* notify = PQnotifies(conn_)) {
    std::string channel = notify->relname;
    PQfreemem(notify);
    bool seen = false;
    for (const std::string& c : channels) seen = seen || c == channel;
    if (!seen) channels.push_back(std::move(channel));
  }
  return channels;
}

std::string Connection::Describe() const {
  std::string out = "postgresql://";
  const char* user = PQuser(conn_);
  if (user != nullptr && *user != '\0') out += std::string(user) + "@";
  const char* host = PQhost(conn_);
  std::string host_text = host != nullptr ? host : "";
  if (host_text.find(':') != std::string::npos) host_text = "[" + host_text + "]";
  out += host_text;
  const char* port = PQport(conn_);
  if (port != nullptr && *port != '\0') out += ":" + std::string(port);
  const char* db = PQdb(conn_);
  if (db != nullptr) out += "/" + std::string(db);
  return out;
}

}  // namespace guardfeed::pg
