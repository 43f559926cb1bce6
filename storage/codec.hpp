// Compact binary encoding for LMDB keys and values. Keys use fixed-width big-endian integers so
// that LMDB's byte order equals numeric order; values use varints to stay small.
#pragma once

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace vfb::codec {

/// A value that does not decode: the store is corrupt or from an unknown version.
class decode_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

inline void put_be64(std::string& out, uint64_t x) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((x >> shift) & 0xff));
}

inline uint64_t get_be64(std::string_view in, size_t at = 0) {
  if (in.size() < at + 8)
    throw decode_error("truncated 64-bit integer");
  uint64_t x = 0;
  for (size_t i = 0; i < 8; ++i)
    x = (x << 8) | static_cast<uint8_t>(in[at + i]);
  return x;
}

inline void put_be32(std::string& out, uint32_t x) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((x >> shift) & 0xff));
}

inline uint32_t get_be32(std::string_view in, size_t at = 0) {
  if (in.size() < at + 4)
    throw decode_error("truncated 32-bit integer");
  uint32_t x = 0;
  for (size_t i = 0; i < 4; ++i)
    x = (x << 8) | static_cast<uint8_t>(in[at + i]);
  return x;
}

inline std::string be64(uint64_t x) {
  std::string s;
  put_be64(s, x);
  return s;
}

/// A string prefixed with its 16-bit big-endian length (for keys; callers bound the size).
inline void put_lp16(std::string& out, std::string_view s) {
  out.push_back(static_cast<char>((s.size() >> 8) & 0xff));
  out.push_back(static_cast<char>(s.size() & 0xff));
  out.append(s);
}

/// The string `put_lp16` wrote at `at` in `in`; `at` moves past it. decode_error when `in` is
/// too short for it.
inline std::string get_lp16(std::string_view in, size_t& at) {
  if (in.size() < at + 2)
    throw decode_error("truncated length-prefixed string");
  size_t n =
      static_cast<size_t>(static_cast<uint8_t>(in[at])) << 8 | static_cast<uint8_t>(in[at + 1]);
  if (in.size() < at + 2 + n)
    throw decode_error("truncated length-prefixed string");
  std::string out{in.substr(at + 2, n)};
  at += 2 + n;
  return out;
}

class writer {
public:
  void u8(uint8_t x) { buf_.push_back(static_cast<char>(x)); }
  void varint(uint64_t x) {
    while (x >= 0x80) {
      buf_.push_back(static_cast<char>((x & 0x7f) | 0x80));
      x >>= 7;
    }
    buf_.push_back(static_cast<char>(x));
  }
  void svarint(int64_t x) {
    varint((static_cast<uint64_t>(x) << 1) ^ static_cast<uint64_t>(x >> 63));
  }
  void str(std::string_view s) {
    varint(s.size());
    buf_.append(s);
  }
  std::string& buffer() { return buf_; }

private:
  std::string buf_;
};

class reader {
public:
  explicit reader(std::string_view in) : in_(in) {}
  uint8_t u8() {
    need(1);
    return static_cast<uint8_t>(in_[pos_++]);
  }
  uint64_t varint() {
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      auto b = u8();
      x |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0)
        return x;
    }
    throw decode_error("varint too long");
  }
  int64_t svarint() {
    auto u = varint();
    return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  std::string str() {
    auto n = varint();
    need(n);
    std::string s{in_.substr(pos_, n)};
    pos_ += n;
    return s;
  }
  bool done() const { return pos_ == in_.size(); }
  size_t remaining() const { return in_.size() - pos_; }

private:
  void need(size_t n) const {
    if (in_.size() - pos_ < n)
      throw decode_error("truncated record");
  }
  std::string_view in_;
  size_t pos_ = 0;
};

// -- records ----------------------------------------------------------------------------------
//
// A record lists its fields once, in a static `fields(self, f)` that calls `f` on each member,
// and names itself in `name` (for decode errors); `encode` and `decode` walk that list. Integers
// are varints (signed ones zigzag), strings length-prefixed, bools and small enums one varint.
// Appending a field at the end is the only change old records survive, and only when the new
// field is wrapped in `added_later`: records written before it end early, and decode leaves it
// at its default. Any other shortfall is a decode error.

inline void put_field(writer& w, uint64_t x) {
  w.varint(x);
}
inline void put_field(writer& w, uint32_t x) {
  w.varint(x);
}
inline void put_field(writer& w, int64_t x) {
  w.svarint(x);
}
inline void put_field(writer& w, bool x) {
  w.varint(x ? 1 : 0);
}
inline void put_field(writer& w, const std::string& x) {
  w.str(x);
}
template <class E, std::enable_if_t<std::is_enum_v<E>, int> = 0> void put_field(writer& w, E x) {
  w.varint(static_cast<std::underlying_type_t<E>>(x));
}

inline void get_field(reader& in, uint64_t& x) {
  x = in.varint();
}
inline void get_field(reader& in, uint32_t& x) {
  auto v = in.varint();
  if (v > UINT32_MAX)
    throw decode_error("a 32-bit field out of range");
  x = static_cast<uint32_t>(v);
}
inline void get_field(reader& in, int64_t& x) {
  x = in.svarint();
}
inline void get_field(reader& in, bool& x) {
  auto v = in.varint();
  if (v > 1)
    throw decode_error("a boolean field out of range");
  x = v == 1;
}
inline void get_field(reader& in, std::string& x) {
  x = in.str();
}
/// Enums are checked against their underlying type only: the caller validates the value.
template <class E, std::enable_if_t<std::is_enum_v<E>, int> = 0> void get_field(reader& in, E& x) {
  using U = std::underlying_type_t<E>;
  auto v = in.varint();
  if (v > std::numeric_limits<U>::max())
    throw decode_error("an enum field out of range");
  x = static_cast<E>(static_cast<U>(v));
}

inline void put_field(writer& w, const std::vector<std::string>& xs) {
  w.varint(xs.size());
  for (const auto& x : xs)
    w.str(x);
}
inline void get_field(reader& in, std::vector<std::string>& xs) {
  auto n = in.varint();
  if (n > in.remaining()) // every string takes at least its length byte
    throw decode_error("a list longer than its record");
  xs.clear();
  xs.reserve(n);
  for (uint64_t i = 0; i < n; ++i)
    xs.push_back(in.str());
}

/// A field appended to a record after records of it were stored (see above).
template <class T> struct added_later { T& x; };
template <class T> added_later(T&) -> added_later<T>;

template <class T> void put_field(writer& w, added_later<T> f) {
  put_field(w, f.x);
}
template <class T> void get_field(reader& in, added_later<T> f) {
  if (!in.done())
    get_field(in, f.x);
}

template <class Record> std::string encode(const Record& r) {
  writer w;
  Record::fields(r, [&](auto&& x) { put_field(w, x); });
  return std::move(w.buffer());
}

template <class Record> Record decode(std::string_view v) {
  reader in{v};
  Record r;
  Record::fields(r, [&](auto&& x) { get_field(in, x); });
  if (!in.done())
    throw decode_error(std::string{"malformed "} + Record::name);
  return r;
}

} // namespace vfb::codec
