#include "store/postgres/pg.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/result_macros.hpp"

namespace chartroom::store::postgres {
namespace {

// PostgreSQL type oids of the result columns Value() distinguishes (pg_type.dat).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

// Most statements a connection keeps prepared on the server; beyond, they run unnamed.
constexpr std::size_t kMaxPrepared = 4096;

std::string FormatDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return ec == std::errc() ? std::string(buffer, end) : std::string("0");
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// bytea in the text output format "\x0a1b..." (bytea_output = hex, set at connect).
std::string DecodeBytea(std::string_view text) {
  std::string out;
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x') return out;
  out.reserve((text.size() - 2) / 2);
  for (std::size_t i = 2; i + 1 < text.size(); i += 2) {
    int hi = HexValue(text[i]);
    int lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) break;
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

bool MessageIsSafe(std::string_view state) {
  // Classes whose primary message describes the server, the connection or our SQL, never a
  // stored value.
  for (std::string_view cls : {"08", "42", "53", "57", "40", "XX", "25", "3D", "28", "55"}) {
    if (state.substr(0, 2) == cls) return true;
  }
  return false;
}

}  // namespace

Error PgError(const pg_result* result, pg_conn* conn, std::string_view what) {
  const char* state_c = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string state = state_c != nullptr ? state_c : "";
  if (state.empty() && (conn == nullptr || PQstatus(conn) != CONNECTION_OK)) {
    std::string message = std::string(what) + ": the PostgreSQL server cannot be reached";
    if (conn != nullptr) {
      // libpq's connection messages name hosts and sockets, never data.
      std::string detail = PQerrorMessage(conn);
      while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
      if (!detail.empty()) message += " (" + detail + ")";
    }
    return Error(ErrorCategory::kUnavailable, "store.unavailable", std::move(message));
  }
  std::string message = std::string(what) + ": SQLSTATE " + (state.empty() ? "?" : state);
  if (MessageIsSafe(state) && result != nullptr) {
    const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    if (primary != nullptr) message += std::string(" ") + primary;
  }
  if (result != nullptr) {
    if (const char* table = PQresultErrorField(result, PG_DIAG_TABLE_NAME)) {
      message += std::string(" (table ") + table + ")";
    }
    if (const char* constraint = PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME)) {
      message += std::string(" (constraint ") + constraint + ")";
    }
  }
  std::string_view cls = std::string_view(state).substr(0, state.size() >= 2 ? 2 : 0);
  if (cls == "08" || state.starts_with("57P")) {
    return Error(ErrorCategory::kUnavailable, "store.unavailable", std::move(message));
  }
  if (state == "40001" || state == "40P01" || state == "55P03") {
    return Error(ErrorCategory::kBusy, "store.busy", std::move(message));
  }
  if (cls == "53") return Error(ErrorCategory::kUnavailable, "store.disk-full", std::move(message));
  if (state == "XX001" || state == "XX002") {
    return Error(ErrorCategory::kInternal, "store.corrupt", std::move(message));
  }
  if (cls == "23") return Error(ErrorCategory::kInternal, "store.constraint", std::move(message));
  if (cls == "42") return Error(ErrorCategory::kInternal, "store.sql", std::move(message));
  return Error(ErrorCategory::kUnavailable, "store.postgres", std::move(message));
}

std::string NumberPlaceholders(std::string_view sql, int& params) {
  std::string out;
  out.reserve(sql.size() + 16);
  params = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++params);
    } else {
      out += c;
    }
  }
  return out;
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

void AppendCopyField(std::string& out, const BindValue& value) {
  if (std::holds_alternative<std::nullptr_t>(value)) {
    out += "\\N";
  } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, *i);
    out.append(buffer, end);
  } else if (const auto* d = std::get_if<double>(&value)) {
    out += FormatDouble(*d);
  } else if (const auto* s = std::get_if<std::string>(&value)) {
    for (char c : *s) {
      switch (c) {
        case '\\':
          out += "\\\\";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        default:
          out += c;
      }
    }
  } else {
    static constexpr char kHex[] = "0123456789abcdef";
    const std::string& bytes = std::get<Blob>(value).bytes;
    out.reserve(out.size() + 3 + bytes.size() * 2);
    out += "\\\\x";  // COPY unescapes "\\" to "\", leaving bytea's "\x" hex form
    for (char c : bytes) {
      auto b = static_cast<unsigned char>(c);
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
}

// ---- Stmt --------------------------------------------------------------------------------------

Stmt::Stmt(Stmt&& other) noexcept
    : owner_(other.owner_),
      sql_(std::move(other.sql_)),
      binds_(std::move(other.binds_)),
      result_(std::exchange(other.result_, nullptr)),
      row_(other.row_),
      rows_(other.rows_),
      decoded_(std::move(other.decoded_)) {}

Stmt::~Stmt() {
  if (result_ != nullptr) PQclear(result_);
}

Stmt& Stmt::Set(int index, BindValue value) {
  if (index < 1) return *this;
  auto i = static_cast<std::size_t>(index - 1);
  if (binds_.size() <= i) binds_.resize(i + 1);
  binds_[i] = std::move(value);
  return *this;
}

Stmt& Stmt::Bind(int index, std::int64_t value) { return Set(index, value); }
Stmt& Stmt::Bind(int index, double value) { return Set(index, value); }
Stmt& Stmt::Bind(int index, std::string_view text) { return Set(index, std::string(text)); }
Stmt& Stmt::BindBlob(int index, std::string_view bytes) {
  return Set(index, Blob{std::string(bytes)});
}
Stmt& Stmt::BindNull(int index) { return Set(index, nullptr); }
Stmt& Stmt::Bind(int index, const BindValue& value) { return Set(index, value); }
Stmt& Stmt::BindAll(const std::vector<BindValue>& values, int first) {
  for (std::size_t i = 0; i < values.size(); ++i) Set(first + static_cast<int>(i), values[i]);
  return *this;
}

Result<bool> Stmt::Step() {
  if (result_ == nullptr) {
    CHARTROOM_ASSIGN_OR_RETURN(result_, owner_->Execute(sql_, binds_));
    rows_ = PQntuples(result_);
    row_ = -1;
  }
  decoded_.clear();
  if (row_ + 1 >= rows_) {
    row_ = rows_;
    return false;
  }
  ++row_;
  return true;
}

Status Stmt::Run() {
  Reset();
  CHARTROOM_ASSIGN_OR_RETURN(result_, owner_->Execute(sql_, binds_));
  rows_ = PQntuples(result_);
  row_ = rows_;
  return Ok();
}

void Stmt::Reset() {
  if (result_ != nullptr) PQclear(result_);
  result_ = nullptr;
  row_ = -1;
  rows_ = 0;
  decoded_.clear();
}

bool Stmt::IsNull(int column) const {
  return result_ == nullptr || row_ < 0 || row_ >= rows_ || PQgetisnull(result_, row_, column) != 0;
}

std::int64_t Stmt::Int(int column) const {
  if (IsNull(column)) return 0;
  const char* text = PQgetvalue(result_, row_, column);
  if (PQftype(result_, column) == kBoolOid) return text[0] == 't' ? 1 : 0;
  std::int64_t value = 0;
  std::from_chars(text, text + std::strlen(text), value);
  return value;
}

double Stmt::Real(int column) const {
  if (IsNull(column)) return 0;
  return std::strtod(PQgetvalue(result_, row_, column), nullptr);
}

std::string_view Stmt::Text(int column) const {
  if (IsNull(column)) return {};
  return std::string_view(PQgetvalue(result_, row_, column),
                          static_cast<std::size_t>(PQgetlength(result_, row_, column)));
}

std::string_view Stmt::BlobView(int column) const {
  if (IsNull(column) || column < 0) return {};
  auto c = static_cast<std::size_t>(column);
  if (decoded_.size() <= c) decoded_.resize(c + 1);
  if (!decoded_[c]) decoded_[c] = DecodeBytea(Text(column));
  return *decoded_[c];
}

BindValue Stmt::Value(int column) const {
  if (IsNull(column)) return nullptr;
  switch (PQftype(result_, column)) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid:
    case kBoolOid:
      return Int(column);
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid:
      return Real(column);
    case kByteaOid:
      return Blob{std::string(BlobView(column))};
    default:
      return std::string(Text(column));
  }
}

// ---- Connection --------------------------------------------------------------------------------

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& conninfo,
                                                     const std::string& schema,
                                                     bool create_schema) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    Error error = PgError(nullptr, conn, "connecting to PostgreSQL");
    if (conn != nullptr) PQfinish(conn);
    return tl::unexpected(std::move(error));
  }
  std::unique_ptr<Connection> db(new Connection(conn, schema));
  CHARTROOM_RETURN_IF_ERROR(db->Setup(create_schema));
  return db;
}

Status Connection::Setup(bool create_schema) {
  prepared_.clear();
  // Output formats this layer parses, whatever the server's defaults.
  std::string setup =
      "SET bytea_output = 'hex'; SET extra_float_digits = 3; SET DateStyle = 'ISO'; "
      "SET client_encoding = 'UTF8'; SET standard_conforming_strings = on;";
  if (!schema_.empty()) {
    if (create_schema) setup += "CREATE SCHEMA IF NOT EXISTS " + QuoteIdentifier(schema_) + ";";
    setup += "SET search_path = " + QuoteIdentifier(schema_) + ";";
  }
  return Exec(setup);
}

Connection::~Connection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

bool Connection::Healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

Status Connection::Reconnect() {
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK)
    return tl::unexpected(PgError(nullptr, conn_, "reconnecting"));
  return Setup(false);
}

bool Connection::InTransaction() const {
  PGTransactionStatusType status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

Result<Stmt> Connection::Prepare(std::string_view sql) { return Stmt(this, std::string(sql)); }

Status Connection::Exec(std::string_view sql) {
  PGresult* result = PQexec(conn_, std::string(sql).c_str());
  ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    Error error = PgError(result, conn_, "a statement failed");
    PQclear(result);
    return tl::unexpected(std::move(error));
  }
  PQclear(result);
  return Ok();
}

Result<std::optional<std::int64_t>> Connection::QueryInt(std::string_view sql) {
  CHARTROOM_ASSIGN_OR_RETURN(Stmt stmt, Prepare(sql));
  CHARTROOM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row || stmt.IsNull(0)) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(stmt.Int(0));
}

Status Connection::CopyIn(std::string_view table_and_columns, std::string_view data) {
  std::string sql = "COPY " + std::string(table_and_columns) + " FROM STDIN";
  PGresult* start = PQexec(conn_, sql.c_str());
  if (PQresultStatus(start) != PGRES_COPY_IN) {
    Error error = PgError(start, conn_, "COPY failed to start");
    PQclear(start);
    return tl::unexpected(std::move(error));
  }
  PQclear(start);
  // libpq buffers the data; large chunks keep the number of calls small.
  constexpr std::size_t kChunk = 1 << 20;
  bool ok = true;
  for (std::size_t offset = 0; ok && offset < data.size(); offset += kChunk) {
    std::size_t n = std::min(kChunk, data.size() - offset);
    ok = PQputCopyData(conn_, data.data() + offset, static_cast<int>(n)) == 1;
  }
  ok = PQputCopyEnd(conn_, ok ? nullptr : "the client failed to send the rows") == 1 && ok;
  Status status = Ok();
  while (PGresult* result = PQgetResult(conn_)) {
    if (PQresultStatus(result) != PGRES_COMMAND_OK && status) {
      status = tl::unexpected(PgError(result, conn_, "COPY failed"));
    }
    PQclear(result);
  }
  if (!ok && status) status = tl::unexpected(PgError(nullptr, conn_, "COPY failed"));
  return status;
}

Result<pg_result*> Connection::Execute(const std::string& sql,
                                       const std::vector<BindValue>& binds) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end() && prepared_.size() < kMaxPrepared) {
    int params = 0;
    std::string numbered = NumberPlaceholders(sql, params);
    Prepared p{"s" + std::to_string(next_name_++), params};
    PGresult* result = PQprepare(conn_, p.name.c_str(), numbered.c_str(), params, nullptr);
    if (PQresultStatus(result) != PGRES_COMMAND_OK) {
      Error error = PgError(result, conn_, "preparing a statement failed");
      PQclear(result);
      return tl::unexpected(std::move(error));
    }
    PQclear(result);
    it = prepared_.emplace(sql, std::move(p)).first;
  }
  int params = it != prepared_.end() ? it->second.params : 0;
  std::string numbered;
  if (it == prepared_.end()) numbered = NumberPlaceholders(sql, params);
  if (static_cast<std::size_t>(params) != binds.size()) {
    return Fail(ErrorCategory::kInternal, "store.sql",
                "a statement has " + std::to_string(params) + " placeholders and " +
                    std::to_string(binds.size()) + " values");
  }
  std::vector<std::string> texts(binds.size());
  std::vector<const char*> values(binds.size(), nullptr);
  std::vector<int> lengths(binds.size(), 0);
  std::vector<int> formats(binds.size(), 0);
  for (std::size_t i = 0; i < binds.size(); ++i) {
    const BindValue& v = binds[i];
    if (std::holds_alternative<std::nullptr_t>(v)) continue;
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
      texts[i] = std::to_string(*n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      texts[i] = FormatDouble(*d);
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      texts[i] = *s;
    } else {
      const std::string& bytes = std::get<Blob>(v).bytes;
      values[i] = bytes.data();
      lengths[i] = static_cast<int>(bytes.size());
      formats[i] = 1;
      continue;
    }
    values[i] = texts[i].c_str();
    lengths[i] = static_cast<int>(texts[i].size());
  }
  PGresult* result = it != prepared_.end()
                         ? PQexecPrepared(conn_, it->second.name.c_str(), params, values.data(),
                                          lengths.data(), formats.data(), 0)
                         : PQexecParams(conn_, numbered.c_str(), params, nullptr, values.data(),
                                        lengths.data(), formats.data(), 0);
  ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    Error error = PgError(result, conn_, "a statement failed");
    PQclear(result);
    return tl::unexpected(std::move(error));
  }
  return result;
}

}  // namespace chartroom::store::postgres
