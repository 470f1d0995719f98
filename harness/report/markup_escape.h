#pragma once
// Escaping text for XML and HTML (JUnit and the HTML page): the five
// predefined entities, valid in both.
#include <string>

namespace memharness::report {

inline std::string markup_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace memharness::report
