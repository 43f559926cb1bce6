// The one error every store throws when it as a whole cannot do what was asked: the job queue,
// the memory, follow, token and Discord stores, and the artifact files. One type, so that a
// caller (a CLI command, an actor) catches storage failures once and asks `kind()` what
// happened, whichever store it was; the message names the store and its directory.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace vfb {

/// Why a store as a whole could not do what was asked.
enum class store_failure : uint8_t {
  missing,   // read-only and nothing there yet
  corrupt,   // not a vfb store, another format version, or records that do not decode
  disk_full, // the disk, the file-size limit or the map's size limit refused a write
  io,        // any other failure to open, read or write
};

class storage_error : public std::runtime_error {
public:
  storage_error(store_failure kind, const std::string& what)
      : std::runtime_error(what), kind_(kind) {}
  store_failure kind() const { return kind_; }

private:
  store_failure kind_;
};

} // namespace vfb
