#pragma once
// Stopping a run once its answer is clear (`--iterations auto`): the runner
// asks after each round, the one who knows how to compare answers. The runner
// does not compare (analysis is not below it); the cli's AutoIterations does.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/results/run_manifest.h"

namespace memharness::runner {

class EarlyStop {
 public:
  virtual ~EarlyStop() = default;
  // Said before the first round ("--iterations auto: looks at ...").
  virtual std::string describe() const = 0;
  // After a round every target completed: a reason ends the run there, complete.
  virtual std::optional<std::string> after_round(int rounds,
                                                 const std::vector<std::filesystem::path>& run_directories) = 0;
  // The looks, as each manifest records them.
  virtual results::SequentialDesign design() const = 0;
  // The line that says how the run ended (why it stopped, or that it ran the maximum).
  virtual std::string ending(int max_iterations) const = 0;
};

}  // namespace memharness::runner
