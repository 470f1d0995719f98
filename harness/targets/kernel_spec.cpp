#include "harness/targets/kernel_spec.h"

#include <system_error>

#include "harness/common/error.h"
#include "harness/results/run_directory.h"

namespace memharness::targets {

namespace {

bool looks_like_path(std::string_view text) {
  std::error_code ec;
  return text.find('/') != std::string_view::npos || std::filesystem::is_regular_file(std::string(text), ec);
}

void check_label(std::string_view given, const std::string& name) {
  if (!results::is_valid_path_component(name))
    throw usage_error("--kernel {}: the name \"{}\" must be a label: letters, digits, '.', '_', '+' or '-'", given,
                      name);
  if (name == "host") throw usage_error("--kernel {}: \"host\" names the running kernel: choose another name", given);
}

void add_option(KernelSpec& spec, std::string_view option) {
  auto equals = option.find('=');
  std::string key(option.substr(0, equals));
  std::string value = equals == std::string_view::npos ? std::string() : std::string(option.substr(equals + 1));
  if (equals == std::string_view::npos || value.empty())
    throw usage_error("--kernel {}: \"{}\": expected KEY=VALUE (cmdline=, sysctl=, modules=)", spec.given, option);
  if (key == "cmdline") {
    for (auto& argument : split_cmdline(value)) spec.cmdline.push_back(std::move(argument));
  } else if (key == "sysctl") {
    auto inner = value.find('=');
    if (inner == std::string::npos || inner == 0 || inner + 1 == value.size())
      throw usage_error("--kernel {}: sysctl={}: expected sysctl=NAME=VALUE, e.g. sysctl=vm.swappiness=100", spec.given,
                        value);
    // A guest's sysctls become kernel command-line arguments (boot_arguments()),
    // where a double quote would end the quoted value and start arguments of
    // its own.
    if (spec.kind == KernelKind::image && value.find_first_of("\"\n") != std::string::npos)
      throw usage_error("--kernel {}: sysctl={}: expected NAME=VALUE without double quotes (a kernel argument)",
                        spec.given, value);
    spec.sysctls.emplace_back(value.substr(0, inner), value.substr(inner + 1));
  } else if (key == "modules") {
    spec.modules = value;
  } else {
    throw usage_error("--kernel {}: unknown option \"{}\": expected cmdline=, sysctl= or modules=", spec.given, key);
  }
}

}  // namespace

std::vector<std::string> split_cmdline(std::string_view text) {
  std::vector<std::string> words;
  std::size_t at = 0;
  while (at < text.size()) {
    auto start = text.find_first_not_of(" \t\n", at);
    if (start == std::string_view::npos) break;
    auto end = text.find_first_of(" \t\n", start);
    words.emplace_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    at = end == std::string_view::npos ? text.size() : end;
  }
  return words;
}

std::vector<std::string> KernelSpec::boot_arguments() const {
  std::vector<std::string> arguments = cmdline;
  // The kernel splits its command line at whitespace outside double quotes
  // and strips the quotes of param="value" (kernel/params.c, next_arg), so a
  // value of several words (vm.lowmem_reserve_ratio = "256 256 32") stays one
  // argument in quotes. Values with a double quote are refused where sysctls
  // are read (add_option here, the plan compiler for [kernel.sysctl]).
  for (const auto& [key, value] : sysctls) {
    bool several_words = value.find_first_of(" \t") != std::string::npos;
    arguments.push_back("sysctl." + key + "=" + (several_words ? "\"" + value + "\"" : value));
  }
  return arguments;
}

KernelSpec parse_kernel_spec(std::string_view text) {
  KernelSpec spec;
  spec.given = std::string(text);
  if (text.empty()) throw usage_error("--kernel: expected host, a label, an image path or NAME=PATH");
  if (text == "host") return spec;

  // Options follow the first comma; NAME=PATH or PATH before it.
  auto comma = text.find(',');
  std::string_view head = text.substr(0, comma);
  auto equals = head.find('=');
  if (equals != std::string_view::npos) {
    spec.kind = KernelKind::image;
    spec.name = std::string(head.substr(0, equals));
    check_label(text, spec.name);
    spec.image = std::string(head.substr(equals + 1));
    if (spec.image.empty()) throw usage_error("--kernel {}: expected NAME=PATH with the path of a kernel image", text);
    // NAME=host: the running kernel under a name, with sysctls of its own (an
    // image file called "host" is ./host).
    if (spec.image == "host") {
      spec.kind = KernelKind::host;
      spec.image.clear();
    }
  } else if (looks_like_path(head)) {
    spec.kind = KernelKind::image;
    spec.image = std::string(head);
  } else {
    if (comma != std::string_view::npos)
      throw usage_error("--kernel {}: options (cmdline=, sysctl=) need a name: NAME=PATH,{} or NAME=host,{}", text,
                        text.substr(comma + 1), text.substr(comma + 1));
    spec.kind = KernelKind::stored;
    spec.name = std::string(text);
    check_label(text, spec.name);
    return spec;
  }
  while (comma != std::string_view::npos) {
    auto next = text.find(',', comma + 1);
    add_option(spec, text.substr(comma + 1, next == std::string_view::npos ? next : next - comma - 1));
    comma = next;
  }
  if (spec.kind == KernelKind::host && (!spec.cmdline.empty() || !spec.modules.empty()))
    throw usage_error("--kernel {}: the running kernel takes only sysctl= (its command line and modules are fixed)",
                      text);
  return spec;
}

}  // namespace memharness::targets
