#pragma once
// Draws plots with gnuplot's svg terminal, for the HTML report. All plots of a
// report go through one gnuplot process (a script with inline data blocks), and
// come back as SVG text ready to be embedded in a page.
#include <string>
#include <vector>

namespace memharness::report {

struct GnuplotPlot {
  std::string id;      // unique in the page, [a-z0-9-]: the SVG's element ids are prefixed with it
  std::string script;  // gnuplot commands after `set terminal` and `set output`; data blocks may precede
  int width = 520, height = 320;
};

// Runs gnuplot once for every plot and returns each SVG (without the XML
// prolog, ids made unique), in the order given. Throws environment_error when
// gnuplot is not installed or fails (naming its first error line).
std::vector<std::string> draw_with_gnuplot(const std::vector<GnuplotPlot>& plots);

// A string as a gnuplot double-quoted literal: "a \"b\"".
std::string gnuplot_quote(const std::string& text);

}  // namespace memharness::report
