#include "store/common/index_rows.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <memory>
#include <set>

#include "core/result_macros.hpp"
#include "store/common/hash.hpp"

namespace chartroom::store::common {
namespace fs = fhir::search;

// ---- Keys -------------------------------------------------------------------------------------

std::string_view CutText(std::string_view text) {
  if (text.size() <= kMaxIndexedText) return text;
  std::size_t n = kMaxIndexedText;
  // Back up to the start of a UTF-8 sequence (continuation bytes are 10xxxxxx).
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return text.substr(0, n);
}

// Domain prefixes keep keys of different kinds apart when they share a table; 0x1E never occurs
// in FHIR codes, ids or URIs.
std::int64_t TokenCode(std::string_view code) { return Hash64(code); }
std::int64_t TokenSystem(std::string_view system) { return HashParts({"\x1Esys", system}); }
std::int64_t TokenOfType(std::string_view of_type, std::string_view value) {
  return HashParts({"\x1Eof-type", of_type, value});
}
std::int64_t ReferenceTarget(std::string_view type, std::string_view id) {
  std::string key;
  key.reserve(type.size() + 1 + id.size());
  key.append(type).append("/").append(id);
  return Hash64(key);
}
std::int64_t ReferenceUrl(std::string_view url) { return Hash64(url); }
std::int64_t ReferenceIdentifierCode(std::string_view value) {
  return HashParts({"\x1Eidentifier", value});
}
std::int64_t QuantityUnit(std::string_view canonical_code) {
  return canonical_code.empty() ? 0 : HashParts({"\x1Eunit", canonical_code});
}

std::int64_t CompositeHead(const std::vector<std::string>& parts) {
  std::uint64_t h = Fnv1a64(kFnvOffset,
                            "\x1E"
                            "composite");
  for (const std::string& part : parts) {
    h = Fnv1a64(h, part);
    h = Fnv1a64(h, "\x1F");
  }
  return Finish(h);
}

// ---- Encoding ---------------------------------------------------------------------------------
// A row is its table tag followed by its fields (rid excluded): integers as zigzag varints,
// reals as 8 little-endian bytes, text as a varint length and the bytes. The encoding is
// canonical, so equal rows have equal bytes and a version's rows diff as sorted strings.

namespace {

enum class Field : std::uint8_t { kInt, kReal, kText };

struct TableSpec {
  IndexTable table;
  std::string name;
  std::vector<Field> fields;
  std::vector<std::string> columns;
  std::size_t rid_at;  // value columns before rid in the SQLite table's primary key
};

TableSpec MakeSpec(IndexTable table, std::string_view name, std::size_t rid_at,
                   std::initializer_list<std::pair<std::string_view, Field>> columns) {
  TableSpec spec{table, std::string(name), {}, {}, rid_at};
  for (const auto& [column, field] : columns) {
    spec.fields.push_back(field);
    spec.columns.emplace_back(column);
  }
  return spec;
}

const std::vector<TableSpec>& Specs() {
  static const std::vector<TableSpec> specs = [] {
    using enum Field;
    std::vector<TableSpec> v;
    v.push_back(MakeSpec(IndexTable::kToken, "idx_token", 2,
                         {{"param", kInt}, {"code", kInt}, {"sys", kInt}}));
    v.push_back(MakeSpec(IndexTable::kText, "idx_text", 2, {{"param", kInt}, {"text", kText}}));
    v.push_back(MakeSpec(IndexTable::kString, "idx_string", 2,
                         {{"param", kInt}, {"value", kText}, {"exact", kText}}));
    v.push_back(MakeSpec(IndexTable::kDate, "idx_date", 1,
                         {{"param", kInt}, {"low", kInt}, {"high", kInt}}));
    v.push_back(
        MakeSpec(IndexTable::kNumber, "idx_number", 1, {{"param", kInt}, {"value", kReal}}));
    v.push_back(MakeSpec(
        IndexTable::kQuantity, "idx_quantity", 1,
        {{"param", kInt}, {"unit", kInt}, {"value", kReal}, {"raw", kReal}, {"sys", kInt}}));
    v.push_back(
        MakeSpec(IndexTable::kReference, "idx_reference", 2, {{"param", kInt}, {"target", kInt}}));
    v.push_back(MakeSpec(IndexTable::kUri, "idx_uri", 2, {{"param", kInt}, {"uri", kText}}));
    v.push_back(MakeSpec(IndexTable::kComposite, "idx_composite", 2,
                         {{"param", kInt},
                          {"head", kInt},
                          {"sys1", kInt},
                          {"sys2", kInt},
                          {"low1", kReal},
                          {"high1", kReal},
                          {"raw1", kReal},
                          {"low2", kReal},
                          {"high2", kReal},
                          {"unit", kInt}}));
    return v;
  }();
  return specs;
}

const TableSpec* SpecFor(std::uint8_t tag) {
  if (tag < 1 || tag > Specs().size()) return nullptr;
  return &Specs()[tag - 1];
}

void PutVarint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view& in, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    auto b = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

// A row under construction.
class RowWriter {
 public:
  explicit RowWriter(IndexTable table) { bytes_.push_back(static_cast<char>(table)); }
  RowWriter& Int(std::int64_t v) {
    auto u = static_cast<std::uint64_t>(v);
    PutVarint(bytes_, (u << 1) ^ static_cast<std::uint64_t>(v >> 63));
    return *this;
  }
  RowWriter& Real(double v) {
    auto bits = std::bit_cast<std::uint64_t>(v == 0.0 ? 0.0 : v);  // one encoding for -0 and 0
    for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
    return *this;
  }
  RowWriter& Text(std::string_view v) {
    PutVarint(bytes_, v.size());
    bytes_.append(v);
    return *this;
  }
  std::string Take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

// Decodes a row's fields and binds them to a statement's placeholders 1..n.
bool Finite(double v) { return std::isfinite(v); }

struct CompositeBuilder {
  std::vector<std::string> parts;
  CompositeKey key;
  int tokens = 0;
  int ranges = 0;
  bool ok = true;

  void AddSlot(double low, double high, double raw) {
    if (!Finite(low) || !Finite(high) || !Finite(raw)) ok = false;
    parts.push_back("#");
    if (ranges == 0) {
      key.low1 = low;
      key.high1 = high;
      key.raw1 = raw;
    } else if (ranges == 1) {
      key.low2 = low;
      key.high2 = high;
    } else {
      ok = false;
    }
    ++ranges;
  }

  void Add(const fs::IndexValue& value) {
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, fs::TokenValue>) {
            parts.push_back(v.code);
            if (tokens == 0) key.sys1 = TokenSystem(v.system);
            if (tokens == 1) key.sys2 = TokenSystem(v.system);
            ++tokens;
          } else if constexpr (std::is_same_v<T, fs::ReferenceValue>) {
            parts.push_back(!v.type.empty() && !v.id.empty() ? v.type + "/" + v.id : v.url);
          } else if constexpr (std::is_same_v<T, fs::StringValue>) {
            parts.emplace_back(CutText(v.normalized));
          } else if constexpr (std::is_same_v<T, fs::UriValue>) {
            parts.emplace_back(CutText(v.uri));
          } else if constexpr (std::is_same_v<T, fs::NumberValue>) {
            AddSlot(v.value, v.value, v.value);
          } else if constexpr (std::is_same_v<T, fs::DateRange>) {
            AddSlot(static_cast<double>(v.low), static_cast<double>(v.high),
                    static_cast<double>(v.low));
          } else if constexpr (std::is_same_v<T, fs::QuantityValue>) {
            key.unit = QuantityUnit(v.canonical_code);
            AddSlot(v.canonical_value, v.canonical_value, v.value);
          } else {
            ok = false;  // a composite inside a composite does not exist in R4
          }
        },
        value);
  }
};

}  // namespace

void IndexRows::Add(std::int64_t param_id, const fs::IndexValue& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, fs::TokenValue>) {
          if (v.code.empty() && v.system.empty() && v.text.empty()) return;
          if (!v.code.empty() || !v.system.empty()) {
            rows_.push_back(RowWriter(IndexTable::kToken)
                                .Int(param_id)
                                .Int(TokenCode(v.code))
                                .Int(TokenSystem(v.system))
                                .Take());
          }
          if (!v.of_type.empty()) {
            rows_.push_back(RowWriter(IndexTable::kToken)
                                .Int(param_id)
                                .Int(TokenOfType(v.of_type, v.code))
                                .Int(0)
                                .Take());
          }
          if (!v.text.empty()) {
            std::string normalized = fs::NormalizeString(v.text);
            if (!normalized.empty()) {
              rows_.push_back(
                  RowWriter(IndexTable::kText).Int(param_id).Text(CutText(normalized)).Take());
            }
          }
        } else if constexpr (std::is_same_v<T, fs::StringValue>) {
          if (v.normalized.empty() && v.exact.empty()) return;
          rows_.push_back(RowWriter(IndexTable::kString)
                              .Int(param_id)
                              .Text(CutText(v.normalized))
                              .Text(CutText(v.exact))
                              .Take());
        } else if constexpr (std::is_same_v<T, fs::DateRange>) {
          rows_.push_back(RowWriter(IndexTable::kDate).Int(param_id).Int(v.low).Int(v.high).Take());
        } else if constexpr (std::is_same_v<T, fs::NumberValue>) {
          if (!Finite(v.value)) return;
          rows_.push_back(RowWriter(IndexTable::kNumber).Int(param_id).Real(v.value).Take());
        } else if constexpr (std::is_same_v<T, fs::QuantityValue>) {
          if (!Finite(v.value) || !Finite(v.canonical_value)) return;
          rows_.push_back(RowWriter(IndexTable::kQuantity)
                              .Int(param_id)
                              .Int(QuantityUnit(v.canonical_code))
                              .Real(v.canonical_value)
                              .Real(v.value)
                              .Int(TokenSystem(v.system))
                              .Take());
        } else if constexpr (std::is_same_v<T, fs::ReferenceValue>) {
          if (!v.type.empty() && !v.id.empty()) {
            rows_.push_back(RowWriter(IndexTable::kReference)
                                .Int(param_id)
                                .Int(ReferenceTarget(v.type, v.id))
                                .Take());
          } else if (!v.url.empty()) {
            rows_.push_back(
                RowWriter(IndexTable::kReference).Int(param_id).Int(ReferenceUrl(v.url)).Take());
            if (!v.version.empty()) {
              rows_.push_back(RowWriter(IndexTable::kReference)
                                  .Int(param_id)
                                  .Int(ReferenceUrl(v.url + "|" + v.version))
                                  .Take());
            }
          }
          if (!v.identifier_value.empty()) {
            // Reference.identifier is matched like a token (:identifier), in idx_token under
            // the reference parameter, which has no token rows of its own.
            rows_.push_back(RowWriter(IndexTable::kToken)
                                .Int(param_id)
                                .Int(ReferenceIdentifierCode(v.identifier_value))
                                .Int(TokenSystem(v.identifier_system))
                                .Take());
          }
        } else if constexpr (std::is_same_v<T, fs::UriValue>) {
          if (v.uri.empty()) return;
          rows_.push_back(RowWriter(IndexTable::kUri).Int(param_id).Text(CutText(v.uri)).Take());
        } else {
          if (!v) return;
          CompositeBuilder builder;
          for (const fs::IndexValue& component : v->components) builder.Add(component);
          if (!builder.ok) return;
          const CompositeKey& k = builder.key;
          rows_.push_back(RowWriter(IndexTable::kComposite)
                              .Int(param_id)
                              .Int(CompositeHead(builder.parts))
                              .Int(k.sys1)
                              .Int(k.sys2)
                              .Real(k.low1)
                              .Real(k.high1)
                              .Real(k.raw1)
                              .Real(k.low2)
                              .Real(k.high2)
                              .Int(k.unit)
                              .Take());
        }
      },
      value);
}

void IndexRows::Finish() {
  std::sort(rows_.begin(), rows_.end());
  rows_.erase(std::unique(rows_.begin(), rows_.end()), rows_.end());
}

std::string IndexRows::PresentParams() const {
  // The parameter id follows the tag in every row.
  std::set<std::int64_t> params;
  for (const std::string& row : rows_) {
    std::string_view in(row);
    in.remove_prefix(1);
    std::uint64_t u;
    if (GetVarint(in, u)) params.insert(static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1)));
  }
  if (params.empty()) return "";
  std::string out = ",";
  for (std::int64_t p : params) out.append(std::to_string(p)).append(",");
  return out;
}

std::string IndexRows::Encode() const {
  std::size_t size = 0;
  for (const std::string& row : rows_) size += row.size() + 2;
  std::string out;
  out.reserve(size);
  for (const std::string& row : rows_) {
    PutVarint(out, row.size());
    out.append(row);
  }
  return out;
}

Result<IndexRows> IndexRows::Decode(std::string_view blob) {
  IndexRows rows;
  while (!blob.empty()) {
    std::uint64_t n;
    if (!GetVarint(blob, n) || n == 0 || n > blob.size()) {
      return Fail(ErrorCategory::kInternal, "store.corrupt", "an index key list is malformed");
    }
    rows.rows_.emplace_back(blob.substr(0, n));
    blob.remove_prefix(n);
  }
  return rows;
}

namespace {

Result<std::int64_t> ReadInt(std::string_view& row) {
  std::uint64_t u;
  if (!GetVarint(row, u)) {
    return Fail(ErrorCategory::kInternal, "store.corrupt", "an index key is malformed");
  }
  return static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
}

}  // namespace

Result<IndexTable> VisitRow(std::string_view row, RowVisitor& visitor) {
  const TableSpec* spec = row.empty() ? nullptr : SpecFor(static_cast<std::uint8_t>(row[0]));
  if (spec == nullptr) {
    return Fail(ErrorCategory::kInternal, "store.corrupt", "an index key has an unknown table");
  }
  row.remove_prefix(1);
  for (Field field : spec->fields) {
    switch (field) {
      case Field::kInt: {
        CHARTROOM_ASSIGN_OR_RETURN(std::int64_t v, ReadInt(row));
        visitor.Int(v);
        break;
      }
      case Field::kReal: {
        if (row.size() < 8) {
          return Fail(ErrorCategory::kInternal, "store.corrupt", "an index key is malformed");
        }
        std::uint64_t bits = 0;
        for (std::size_t i = 0; i < 8; ++i) {
          bits |= static_cast<std::uint64_t>(static_cast<unsigned char>(row[i])) << (8 * i);
        }
        row.remove_prefix(8);
        visitor.Real(std::bit_cast<double>(bits));
        break;
      }
      case Field::kText: {
        std::uint64_t n;
        if (!GetVarint(row, n) || n > row.size()) {
          return Fail(ErrorCategory::kInternal, "store.corrupt", "an index key is malformed");
        }
        visitor.Text(row.substr(0, n));
        row.remove_prefix(n);
        break;
      }
    }
  }
  if (!row.empty()) {
    return Fail(ErrorCategory::kInternal, "store.corrupt", "an index key is malformed");
  }
  return spec->table;
}

Result<DecodedRow> DecodeRow(std::string_view row) {
  struct Collect final : RowVisitor {
    std::vector<BindValue> values;
    void Int(std::int64_t v) override { values.emplace_back(v); }
    void Real(double v) override { values.emplace_back(v); }
    void Text(std::string_view v) override { values.emplace_back(std::string(v)); }
  } collect;
  CHARTROOM_ASSIGN_OR_RETURN(IndexTable table, VisitRow(row, collect));
  const TableSpec& spec = Specs()[static_cast<std::size_t>(table) - 1];
  return DecodedRow{table, spec.name, &spec.columns, std::move(collect.values)};
}

const std::vector<std::string>& IndexTableNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const TableSpec& spec : Specs()) v.push_back(spec.name);
    return v;
  }();
  return names;
}

const std::vector<std::string>& IndexTableColumns(IndexTable table) {
  return Specs()[static_cast<std::size_t>(table) - 1].columns;
}

namespace {

void PutOrdered(std::string& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

}  // namespace

void AppendOrderKey(std::string& key, std::string_view row, std::int64_t rid) {
  key.push_back(row[0]);
  const TableSpec* spec = SpecFor(static_cast<std::uint8_t>(row[0]));
  row.remove_prefix(1);
  const auto put_rid = [&] { PutOrdered(key, static_cast<std::uint64_t>(rid) ^ (1ULL << 63)); };
  const std::size_t fields = spec != nullptr ? spec->fields.size() : 0;
  bool rid_done = false;
  for (std::size_t f = 0; f < fields; ++f) {
    if (f == spec->rid_at) {
      put_rid();
      rid_done = true;
    }
    if (spec->fields[f] == Field::kInt) {
      std::uint64_t u;
      if (!GetVarint(row, u)) break;
      auto v = (u >> 1) ^ (~(u & 1) + 1);
      PutOrdered(key, v ^ (1ULL << 63));
    } else if (spec->fields[f] == Field::kReal) {
      if (row.size() < 8) break;
      std::uint64_t bits = 0;
      for (std::size_t i = 0; i < 8; ++i) {
        bits |= static_cast<std::uint64_t>(static_cast<unsigned char>(row[i])) << (8 * i);
      }
      row.remove_prefix(8);
      PutOrdered(key, (bits >> 63) != 0 ? ~bits : bits | (1ULL << 63));
    } else {
      std::uint64_t n;
      if (!GetVarint(row, n) || n > row.size()) break;
      key.append(row.substr(0, n));
      key.push_back('\0');
      row.remove_prefix(n);
    }
  }
  if (!rid_done) put_rid();
}

std::string OrderKey(std::string_view row, std::int64_t rid) {
  std::string key;
  AppendOrderKey(key, row, rid);
  return key;
}

}  // namespace chartroom::store::common
