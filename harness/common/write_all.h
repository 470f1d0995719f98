#pragma once
// Writing a whole buffer to a file descriptor, through short writes and EINTR.
#include <cstddef>

namespace memharness {

// Writes all `size` bytes; false when a write fails or writes nothing (errno
// says why). Async-signal-safe (only write(2)), so a forked child may call it
// before exec.
bool write_all(int fd, const void* data, std::size_t size);

}  // namespace memharness
