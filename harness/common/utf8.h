#pragma once
// Text from outside (a trace line, a process's comm, a kernel file) may hold
// any bytes, but JSON documents must be UTF-8: nlohmann::json::dump() throws
// type_error 316 on an invalid byte, which would lose a run's record over one
// odd comm. Such text is made valid before it is stored in a document.
#include <string>
#include <string_view>

namespace memharness {

// `text` with every byte that is not part of a well-formed UTF-8 sequence
// replaced by U+FFFD (nlohmann's error_handler_t::replace rules); valid text
// is returned unchanged.
std::string valid_utf8(std::string_view text);

}  // namespace memharness
