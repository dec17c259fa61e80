// SmallVector: a vector of trivially copyable values that keeps its first N items inline, so the
// FHIRPath evaluator's short intermediate collections (usually 0-4 items) never touch the heap.
// Only what the engine needs: push_back, append, clear, indexing, iteration.
//
// Value type; not thread-safe (each evaluation owns its own vectors).

#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <span>
#include <type_traits>

namespace chartroom::fhir::fhirpath {

template <typename T, std::size_t N>
class SmallVector {
  static_assert(std::is_trivially_copyable_v<T>, "SmallVector holds trivially copyable items");

 public:
  SmallVector() = default;
  SmallVector(const SmallVector& other) { Assign(other.data(), other.size()); }
  SmallVector(SmallVector&& other) noexcept { Steal(other); }
  SmallVector& operator=(const SmallVector& other) {
    if (this != &other) {
      size_ = 0;
      Assign(other.data(), other.size());
    }
    return *this;
  }
  SmallVector& operator=(SmallVector&& other) noexcept {
    if (this != &other) {
      Release();
      Steal(other);
    }
    return *this;
  }
  ~SmallVector() { Release(); }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* data() { return heap_ != nullptr ? heap_ : Inline(); }
  const T* data() const { return heap_ != nullptr ? heap_ : Inline(); }
  T& operator[](std::size_t i) { return data()[i]; }
  const T& operator[](std::size_t i) const { return data()[i]; }
  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }
  T& front() { return data()[0]; }
  const T& front() const { return data()[0]; }
  T& back() { return data()[size_ - 1]; }
  std::span<const T> span() const { return {data(), size_}; }

  void clear() { size_ = 0; }
  void push_back(const T& value) {
    if (size_ == Capacity()) [[unlikely]]
      Grow(size_ + 1);
    std::memcpy(static_cast<void*>(data() + size_), &value, sizeof(T));
    ++size_;
  }
  void append(std::span<const T> values) {
    if (values.empty()) return;
    if (size_ + values.size() > Capacity()) Grow(size_ + values.size());
    std::memcpy(static_cast<void*>(data() + size_), values.data(), values.size() * sizeof(T));
    size_ += static_cast<std::uint32_t>(values.size());
  }
  void resize(std::size_t n) {  // only shrinks, or grows with copies of nothing (callers fill)
    if (n > Capacity()) Grow(n);
    size_ = static_cast<std::uint32_t>(n);
  }
  void erase_prefix(std::size_t n) {
    n = std::min<std::size_t>(n, size_);
    std::memmove(static_cast<void*>(data()), data() + n, (size_ - n) * sizeof(T));
    size_ -= static_cast<std::uint32_t>(n);
  }

 private:
  T* Inline() { return std::launder(reinterpret_cast<T*>(inline_)); }
  const T* Inline() const { return std::launder(reinterpret_cast<const T*>(inline_)); }
  std::size_t Capacity() const { return heap_ != nullptr ? capacity_ : N; }

  [[gnu::noinline]] void Grow(std::size_t min_capacity) {
    std::size_t cap = std::max<std::size_t>(min_capacity, Capacity() * 2);
    T* fresh = static_cast<T*>(std::malloc(cap * sizeof(T)));
    if (fresh == nullptr) throw std::bad_alloc();
    std::memcpy(static_cast<void*>(fresh), data(), size_ * sizeof(T));
    if (heap_ != nullptr) std::free(heap_);
    heap_ = fresh;
    capacity_ = static_cast<std::uint32_t>(cap);
  }
  void Assign(const T* items, std::size_t n) {
    if (n > Capacity()) Grow(n);
    if (n > 0) std::memcpy(static_cast<void*>(data()), items, n * sizeof(T));
    size_ = static_cast<std::uint32_t>(n);
  }
  void Steal(SmallVector& other) {
    if (other.heap_ != nullptr) {
      heap_ = other.heap_;
      capacity_ = other.capacity_;
      size_ = other.size_;
      other.heap_ = nullptr;
      other.size_ = 0;
    } else {
      heap_ = nullptr;
      Assign(other.Inline(), other.size_);
      other.size_ = 0;
    }
  }
  void Release() {
    if (heap_ != nullptr) std::free(heap_);
    heap_ = nullptr;
    size_ = 0;
  }

  T* heap_ = nullptr;
  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = 0;
  alignas(T) unsigned char inline_[N * sizeof(T)];
};

}  // namespace chartroom::fhir::fhirpath
