#include "synth/json_writer.hpp"

#include <cstdlib>

namespace chartroom::synth {

void AppendJsonEscaped(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (u < 0x20) {
      out += "\\u00";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    } else {
      out.push_back(c);
    }
  }
}

void JsonWriter::BeforeValue() {
  if (need_comma_) out_.push_back(',');
}

void JsonWriter::Open(char c) {
  BeforeValue();
  out_.push_back(c);
  need_comma_ = false;
}

void JsonWriter::Close(char c) {
  out_.push_back(c);
  need_comma_ = true;
}

void JsonWriter::Key(std::string_view key) {
  BeforeValue();
  out_.push_back('"');
  AppendJsonEscaped(out_, key);
  out_ += "\":";
  need_comma_ = false;
}

void JsonWriter::String(std::string_view value) {
  BeforeValue();
  out_.push_back('"');
  AppendJsonEscaped(out_, value);
  out_.push_back('"');
  need_comma_ = true;
}

void JsonWriter::Int(std::int64_t value) {
  BeforeValue();
  out_ += std::to_string(value);
  need_comma_ = true;
}

void JsonWriter::Decimal(double value, int decimals) {
  BeforeValue();
  std::int64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  const double scaled = value * static_cast<double>(scale);
  const std::int64_t rounded = static_cast<std::int64_t>(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
  const std::int64_t magnitude = rounded < 0 ? -rounded : rounded;
  if (rounded < 0) out_.push_back('-');
  out_ += std::to_string(magnitude / scale);
  if (decimals > 0) {
    out_.push_back('.');
    std::string fraction = std::to_string(magnitude % scale);
    out_.append(static_cast<std::size_t>(decimals) - fraction.size(), '0');
    out_ += fraction;
  }
  need_comma_ = true;
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_ += value ? "true" : "false";
  need_comma_ = true;
}

}  // namespace chartroom::synth
