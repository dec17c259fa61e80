// JsonWriter appends compact JSON to a caller-owned string, in the order the calls are made, so
// the bytes of a resource depend only on the generator's decisions (determinism). It tracks
// commas itself; the caller keeps keys and values paired and objects balanced (checked in debug
// builds only by the tests that parse every line).
//
// Thread safety: one writer per thread; it borrows the output string.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace chartroom::synth {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  // The key of the next value in the current object.
  void Key(std::string_view key);
  void String(std::string_view value);
  void Int(std::int64_t value);
  // A decimal with exactly `decimals` digits after the point (0: an integer), rounded half away
  // from zero.
  void Decimal(double value, int decimals);
  void Bool(bool value);

  // Key + value shorthands.
  void Field(std::string_view key, std::string_view value) {
    Key(key);
    String(value);
  }
  void Field(std::string_view key, const char* value) { Field(key, std::string_view(value)); }
  void Field(std::string_view key, const std::string& value) {
    Field(key, std::string_view(value));
  }
  void IntField(std::string_view key, std::int64_t value) {
    Key(key);
    Int(value);
  }
  void BoolField(std::string_view key, bool value) {
    Key(key);
    Bool(value);
  }
  void ObjectField(std::string_view key) {
    Key(key);
    BeginObject();
  }
  void ArrayField(std::string_view key) {
    Key(key);
    BeginArray();
  }

 private:
  void Open(char c);
  void Close(char c);
  void BeforeValue();

  std::string& out_;
  bool need_comma_ = false;
};

// Appends `value` as the body of a JSON string (no quotes): ", \ and control characters escaped,
// UTF-8 passed through.
void AppendJsonEscaped(std::string& out, std::string_view value);

}  // namespace chartroom::synth
