#include "store/common/page_token.hpp"

#include <bit>
#include <cstring>

#include "store/common/hash.hpp"

namespace chartroom::store::common {
namespace fs = fhir::search;
namespace {

constexpr char kMagic = 'C';
constexpr char kFormat = 1;
constexpr std::size_t kMaxTokenBytes = 4096;
constexpr std::size_t kMaxKeys = 16;

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::uint32_t Byte(char c) { return static_cast<unsigned char>(c); }

std::string Base64Url(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    std::uint32_t n = (Byte(bytes[i]) << 16) | (Byte(bytes[i + 1]) << 8) | Byte(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < bytes.size()) {
    std::uint32_t n = Byte(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= Byte(bytes[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    if (i + 1 < bytes.size()) out += kAlphabet[(n >> 6) & 63];
  }
  return out;
}

bool FromBase64Url(std::string_view text, std::string& out) {
  if (text.size() % 4 == 1) return false;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '-') {
      v = 62;
    } else if (c == '_') {
      v = 63;
    } else {
      return false;
    }
    buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return true;
}

void PutU64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

bool GetU64(std::string_view& in, std::uint64_t& v) {
  if (in.size() < 8) return false;
  v = 0;
  for (std::size_t i = 0; i < 8; ++i) v |= std::uint64_t{Byte(in[i])} << (8 * i);
  in.remove_prefix(8);
  return true;
}

Error BadToken() {
  return Error(ErrorCategory::kInvalid, "store.bad-page-token",
               "the page token is not valid for this query");
}

// Feeds the parts of a query into a running FNV-1a hash, each with a separator.
class Fingerprint {
 public:
  Fingerprint& Add(std::string_view s) {
    h_ = Fnv1a64(h_, s);
    h_ = Fnv1a64(h_, "\x1F");
    return *this;
  }
  Fingerprint& Add(std::int64_t v) { return Add(std::to_string(v)); }
  Fingerprint& Add(double v) {
    auto bits = std::bit_cast<std::uint64_t>(v);
    return Add(std::string_view(reinterpret_cast<const char*>(&bits), sizeof bits));
  }
  Fingerprint& AddValue(const fs::QueryValue& v) {
    Add(static_cast<std::int64_t>(v.prefix)).Add(v.raw);
    if (v.token) {
      Add(v.token->system).Add(v.token->code).Add(v.token->text).Add(v.token->of_type);
      Add(static_cast<std::int64_t>(v.token_has_system_separator));
    }
    if (v.date) Add(v.date->low).Add(v.date->high);
    if (v.number) Add(v.number->value).Add(v.number->low).Add(v.number->high);
    if (v.quantity) {
      Add(v.quantity->value).Add(v.quantity->system).Add(v.quantity->code);
      Add(v.quantity->canonical_value).Add(v.quantity->canonical_code);
    }
    if (v.reference) {
      Add(v.reference->type).Add(v.reference->id).Add(v.reference->url).Add(v.reference->version);
      Add(v.reference->identifier_system).Add(v.reference->identifier_value);
    }
    if (v.string) Add(*v.string);
    if (v.composite) {
      Add("composite");
      for (const fs::QueryValue& part : *v.composite) AddValue(part);
    }
    return Add("end-value");
  }
  std::uint64_t Value() const { return static_cast<std::uint64_t>(Finish(h_)); }

 private:
  std::uint64_t h_ = kFnvOffset;
};

std::string_view Url(const fhir::SearchParamInfo* p) { return p == nullptr ? "" : p->url(); }

}  // namespace

std::string EncodeCursor(const PageCursor& cursor) {
  std::string bytes;
  bytes += kMagic;
  bytes += kFormat;
  bytes += cursor.backward ? '\1' : '\0';
  PutU64(bytes, cursor.fingerprint);
  bytes += static_cast<char>(cursor.keys.size());
  for (const BindValue& key : cursor.keys) {
    if (const auto* i = std::get_if<std::int64_t>(&key)) {
      bytes += 'i';
      PutU64(bytes, static_cast<std::uint64_t>(*i));
    } else if (const auto* d = std::get_if<double>(&key)) {
      bytes += 'd';
      PutU64(bytes, std::bit_cast<std::uint64_t>(*d));
    } else if (const auto* s = std::get_if<std::string>(&key)) {
      bytes += 's';
      PutU64(bytes, s->size());
      bytes += *s;
    } else {
      bytes += 'n';
    }
  }
  PutU64(bytes, static_cast<std::uint64_t>(cursor.rid));
  return Base64Url(bytes);
}

Result<PageCursor> DecodeCursor(std::string_view token) {
  if (token.size() > kMaxTokenBytes) return tl::unexpected(BadToken());
  std::string bytes;
  if (!FromBase64Url(token, bytes)) return tl::unexpected(BadToken());
  std::string_view in(bytes);
  if (in.size() < 4 || in[0] != kMagic || in[1] != kFormat || (in[2] != 0 && in[2] != 1)) {
    return tl::unexpected(BadToken());
  }
  PageCursor cursor;
  cursor.backward = in[2] == 1;
  in.remove_prefix(3);
  if (!GetU64(in, cursor.fingerprint) || in.empty()) return tl::unexpected(BadToken());
  auto count = static_cast<unsigned char>(in[0]);
  in.remove_prefix(1);
  if (count > kMaxKeys) return tl::unexpected(BadToken());
  for (unsigned i = 0; i < count; ++i) {
    if (in.empty()) return tl::unexpected(BadToken());
    char tag = in[0];
    in.remove_prefix(1);
    std::uint64_t v;
    switch (tag) {
      case 'i':
        if (!GetU64(in, v)) return tl::unexpected(BadToken());
        cursor.keys.emplace_back(static_cast<std::int64_t>(v));
        break;
      case 'd':
        if (!GetU64(in, v)) return tl::unexpected(BadToken());
        cursor.keys.emplace_back(std::bit_cast<double>(v));
        break;
      case 's':
        if (!GetU64(in, v) || v > in.size()) return tl::unexpected(BadToken());
        cursor.keys.emplace_back(std::string(in.substr(0, v)));
        in.remove_prefix(v);
        break;
      case 'n':
        cursor.keys.emplace_back(nullptr);
        break;
      default:
        return tl::unexpected(BadToken());
    }
  }
  std::uint64_t rid;
  if (!GetU64(in, rid) || !in.empty()) return tl::unexpected(BadToken());
  cursor.rid = static_cast<std::int64_t>(rid);
  return cursor;
}

std::uint64_t QueryFingerprint(const fs::SearchQuery& query) {
  Fingerprint f;
  f.Add("search").Add(query.type);
  for (const std::string& t : query.types) f.Add("type").Add(t);
  for (const fs::Criterion& c : query.criteria) {
    f.Add("criterion").Add(static_cast<std::int64_t>(c.common)).Add(Url(c.param));
    f.Add(static_cast<std::int64_t>(c.type)).Add(static_cast<std::int64_t>(c.modifier));
    f.Add(c.type_modifier);
    for (const fs::HasLink& h : c.has) f.Add("has").Add(h.type).Add(Url(h.reference_param));
    for (const fs::ChainLink& l : c.chain) f.Add("chain").Add(Url(l.param)).Add(l.target_type);
    for (const fs::QueryValue& v : c.values) f.AddValue(v);
  }
  for (const fs::SortKey& k : query.sort) {
    f.Add("sort").Add(static_cast<std::int64_t>(k.common)).Add(Url(k.param));
    f.Add(static_cast<std::int64_t>(k.descending));
  }
  f.Add("count").Add(static_cast<std::int64_t>(query.count.value_or(0)));
  return f.Value();
}

std::uint64_t HistoryFingerprint(const HistoryQuery& query) {
  Fingerprint f;
  f.Add("history").Add(query.type).Add(query.id);
  f.Add(query.since ? query.since->time_since_epoch().count() : std::int64_t{-1});
  f.Add(static_cast<std::int64_t>(query.count));
  return f.Value();
}

}  // namespace chartroom::store::common
