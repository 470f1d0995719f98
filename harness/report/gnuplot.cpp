#include "harness/report/gnuplot.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/core.h>

#include "harness/common/error.h"
#include "harness/common/file_text.h"
#include "harness/system/process.h"

namespace memharness::report {

namespace {

namespace fs = std::filesystem;

// A private scratch directory, removed however draw_with_gnuplot leaves.
class Scratch {
 public:
  Scratch() {
    std::string tmpl = (fs::temp_directory_path() / "memharness-gnuplot-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw environment_error("cannot create a directory under {}", tmpl);
    path_ = tmpl;
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
}

// gnuplot names its markers and canvas with fixed ids (gpPt0, gnuplot_canvas);
// several SVGs inline in one page need their own, or `<use href="#gpPt7">` of a
// later plot would resolve to the first plot's element.
std::string embeddable(std::string svg, const std::string& id) {
  if (auto start = svg.find("<svg"); start != std::string::npos) svg.erase(0, start);
  replace_all(svg, "id='gp", "id='" + id + "-gp");
  replace_all(svg, "href='#gp", "href='#" + id + "-gp");
  replace_all(svg, "id=\"gnuplot_canvas\"", "id=\"" + id + "-canvas\"");
  while (!svg.empty() && (svg.back() == '\n' || svg.back() == ' ')) svg.pop_back();
  return svg;
}

}  // namespace

std::string gnuplot_quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + '"';
}

std::vector<std::string> draw_with_gnuplot(const std::vector<GnuplotPlot>& plots) {
  if (plots.empty()) return {};
  auto gnuplot = system::find_program("gnuplot");
  if (!gnuplot)
    throw environment_error(
        "--format html draws its plots with gnuplot, which is not on PATH "
        "(Debian package gnuplot-nox; ci/setup.sh installs it)");
  Scratch scratch;
  std::ostringstream script;
  for (size_t i = 0; i < plots.size(); ++i) {
    const auto& p = plots[i];
    std::string name = p.id;  // gnuplot: "name must contain only alphanumerics or _"
    std::replace(name.begin(), name.end(), '-', '_');
    script << "reset\n"
           << fmt::format("set terminal svg size {},{} font \"sans,10\" background rgb \"white\" name {}\n", p.width,
                          p.height, gnuplot_quote(name))
           << "set output " << gnuplot_quote((scratch.path() / fmt::format("{}.svg", i)).string()) << '\n'
           << p.script << "\nset output\n";
  }
  auto script_path = scratch.path() / "plots.gp", log = scratch.path() / "gnuplot.log";
  std::ofstream(script_path) << script.str();
  system::SpawnOptions spawn;
  spawn.argv = {gnuplot->string(), script_path.string()};
  spawn.log_file = log;
  auto outcome = system::run_process(spawn);
  if (!outcome.exited_zero()) {
    std::istringstream lines(read_file_text(log));
    std::string line, first;
    while (std::getline(lines, line))
      if (line.find_first_not_of(" ^") != std::string::npos) first = line;  // gnuplot's message is the last line
    throw environment_error("gnuplot failed drawing the HTML report's plots: {}",
                            first.empty() ? outcome.failure_sentence() : first);
  }
  std::vector<std::string> svgs;
  for (size_t i = 0; i < plots.size(); ++i)
    svgs.push_back(embeddable(read_file_text(scratch.path() / fmt::format("{}.svg", i)), plots[i].id));
  return svgs;
}

}  // namespace memharness::report
