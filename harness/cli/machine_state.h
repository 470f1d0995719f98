#pragma once
// The start of every command that changes this machine's global state (a host
// run, nightly, restore): the machine-wide lock, then whatever runs that ended
// without restoring (SIGKILL, OOM, power loss) left behind is restored first,
// and said on stderr, so nobody has to run `memharness restore` by hand.
#include "harness/system/state_lock.h"

namespace memharness::cli {

// Takes the state lock (Error(environment) naming the holder when another
// memharness holds it); then, unless `restore_leftovers` is false, restores the
// journals of ended runs, reporting on stderr, and throws Error(environment)
// when some change could not be undone.
system::StateLock lock_machine_state(bool restore_leftovers = true);

}  // namespace memharness::cli
