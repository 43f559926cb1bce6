// Whole files, as vfb reads and writes its own: read in one piece, and replaced atomically (a
// temporary file beside, synced, renamed over, the directory synced) so that a crash leaves the
// old contents or the new, never a part. The one copy of each for the stores, the speaker
// profiles, the config file, yt-dlp's and the transcribers' outputs and the web page's files;
// each caller turns a failure into its own error. Pure code: no CAF.
#pragma once

#include <cerrno>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace vfb::text {

/// The file's contents; nullopt when it cannot be read (no such file, a directory, no
/// permission), with errno saying why.
std::optional<std::string> read_file(const std::filesystem::path& path);

/// "cannot read PATH: REASON" for a read_file that just failed (errno `code`), as the callers
/// that report it word it.
std::string read_failure(const std::filesystem::path& path, int code = errno);

/// Replaces `path` with `data`: written to a temporary file in the same directory (named
/// `.NAME.PID.N.tmp`, unique per process and call), fsync'd, renamed over `path`, and the
/// directory fsync'd. With `sync` false nothing is fsync'd: readers still see the old contents
/// or the new, but a crash of the machine may lose the write (scratch files, caches). Throws
/// std::system_error with the failing call's errno (ENOSPC: the disk is full), after removing
/// the temporary file.
void replace_file(const std::filesystem::path& path, std::string_view data, bool sync = true);

/// Makes a directory's entries (a rename, a new file) durable: fsync of the directory. Throws
/// std::system_error with errno.
void sync_directory(const std::filesystem::path& dir);

} // namespace vfb::text
