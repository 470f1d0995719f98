/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CO-RE shims: every difference between the kernels memharness runs on (6.1 to
 * 6.18, proven on Debian 6.1, 6.12 and a 6.18 host) that the BPF side must
 * bridge, each with the kernel change that made it necessary. Tracepoints that
 * are missing altogether are handled in user space instead: the loader turns
 * autoload off for them and records "available": false (never a silent zero).
 *
 * vmlinux.h is dumped from whatever kernel builds the program; a type that
 * kernel no longer has is declared here with a ___flavour suffix, which libbpf
 * strips when it matches the running kernel's BTF.
 */
#ifndef MEMHARNESS_PROBES_BPF_CORE_SHIMS_BPF_H
#define MEMHARNESS_PROBES_BPF_CORE_SHIMS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

/*
 * mm_vmscan_writepage was replaced by mm_vmscan_write_folio when pageout() was
 * converted to folios ("vmscan: convert pageout() to take a folio", Matthew
 * Wilcox, merged for v5.19). Same fields (pfn, reclaim_flags); kernels from
 * 6.1 on have only write_folio, so a 6.x vmlinux.h lacks the old record type.
 */
struct trace_event_raw_mm_vmscan_writepage___pre_v5_19 {
	struct trace_entry ent;
	unsigned long pfn;
	int reclaim_flags;
} __attribute__((preserve_access_index));

/*
 * sched_process_exit got its own record with a group_dead field after 6.12
 * (Debian's 6.1 and 6.12 BTF have no trace_event_raw_sched_process_exit: the
 * event uses sched_process_template (comm, pid, prio); the 6.18 host has it). Where group_dead is there it says
 * whether the whole thread group is gone; otherwise the group leader's exit
 * (pid == tgid) stands in for it.
 */
struct trace_event_raw_sched_process_exit___v6_16 {
	struct trace_entry ent;
	char comm[16];
	pid_t pid;
	int prio;
	bool group_dead;
} __attribute__((preserve_access_index));

static __always_inline bool mh_exit_has_group_dead(void)
{
	return bpf_core_field_exists(struct trace_event_raw_sched_process_exit___v6_16, group_dead);
}

/*
 * sched_process_fork's parent_comm/child_comm became dynamic strings
 * (__data_loc) after 6.12 ("tracing/sched: Use __string() instead of fixed
 * lengths for task->comm"; Debian's 6.1 and 6.12 have char parent_comm[16],
 * child_pid at offset 44; 6.18 has __data_loc, child_pid at offset 20). Only the pids
 * are read, through CO-RE, so both layouts work with no shim code.
 */

/*
 * mm_vmscan_throttled (reason WRITEBACK/ISOLATED/NOPROGRESS/CONGESTED) exists
 * from v5.16 ("mm/vmscan: throttle reclaim until some writeback completes if
 * congested", Mel Gorman): present on every kernel from 6.1; the loader still
 * checks tracefs, so an older kernel records it as not available.
 */

/*
 * mm_vmscan_lru_isolate lost its isolate_mode field after 6.1 (Debian's 6.1
 * BTF has `unsigned int isolate_mode` between nr_taken and lru; the 6.12 and
 * 6.18 records have none, and lru moved from offset 52 to 48). isolate_mode
 * is not read; nr_scanned, nr_skipped, nr_taken and lru are, through CO-RE,
 * so both layouts work with no shim code.
 */

/* PF_KSWAPD (include/linux/sched.h): unchanged since v2.6; kswapd is a kthread
 * whose reclaim carries no begin/end event, so it is recognised by this flag. */
#define MH_PF_KSWAPD 0x00020000

#endif
