#pragma once
// A run stored again under another label: what `memharness nightly` does when a
// night passes, so that the baseline label (last-good) always resolves to the
// newest runs that passed.
#include <filesystem>
#include <string>

namespace memharness::results {

// Copies the run directory to results_root/<label>/<test>/<its timestamp>/ and
// sets the copy's manifest "label" to `label`, with "promoted_from" naming the
// original. The copy is assembled outside the label's directory and renamed into
// it, so the label never holds a half-copied run. Returns the new directory;
// throws Error(run_failed) naming what could not be copied (and leaves nothing).
std::filesystem::path promote_run(const std::filesystem::path& run_dir, const std::filesystem::path& results_root,
                                  const std::string& label);

}  // namespace memharness::results
