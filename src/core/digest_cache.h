#pragma once
// A cache of digests that are expensive to recompute: a model's identity hashes every
// weight byte (minutes for an 8B model on a parallel file system, at every start and
// requeue). An entry is keyed by its files' path, size, inode, device, mtime and ctime:
// any write to a file changes its ctime (which no tool can set back), so a changed file
// is never taken for the one that was hashed. Entries live in the cache directory
// (SOFTCOT_CACHE_DIR, else $XDG_CACHE_HOME/softcot, else ~/.cache/softcot), never beside
// a checkpoint or a model that may be read-only or shared. Writes go to a temporary file
// renamed into place, so concurrent writers (array tasks starting together) leave one
// whole entry; an unreadable or damaged entry is a miss, never an error.
#include <functional>
#include <string>
#include <vector>

namespace softcot {

// "" when no directory is configured (no HOME either): caching is then off.
std::string digest_cache_dir();

// The cached digest of `files` under `kind` ("model identity", ...), or compute() and,
// when no file changed while it ran, cache the result. `from_cache` says which.
std::string cached_digest(const std::string& kind, const std::vector<std::string>& files,
                          const std::function<std::string()>& compute, bool* from_cache = nullptr);

}  // namespace softcot
