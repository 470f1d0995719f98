/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The in-kernel aggregates of reclaim.bpf.c, shared by the BPF program and the
 * C++ reader (probes/tracepoints/). Plain C, fixed-width types, no pointers:
 * the layout is the ABI between the two sides, so change both together.
 *
 * Everything is kept per CPU (BPF_MAP_TYPE_PERCPU_ARRAY) and summed by the
 * reader (maxima: the largest of the CPUs'), so no hot cache line is shared.
 */
#ifndef MEMHARNESS_PROBES_BPF_RECLAIM_AGGREGATES_H
#define MEMHARNESS_PROBES_BPF_RECLAIM_AGGREGATES_H

#ifdef __bpf__
/* vmlinux.h supplies __u64 and friends. */
#else
#include <linux/types.h>
#endif

/* Who did the work. */
enum mh_context {
	MH_CTX_KSWAPD = 0,
	MH_CTX_DIRECT_RECLAIM = 1,
	MH_CTX_MEMCG_RECLAIM = 2,
	MH_CTX_DIRECT_COMPACTION = 3,
	MH_CTX_KCOMPACTD = 4,
	MH_CTX_OTHER = 5, /* e.g. memory.reclaim writers, node reclaim, other kthreads */
	MH_NR_CONTEXTS = 6,
};

/* Whose work it was: everything, or the test's workloads only. */
enum mh_scope {
	MH_SCOPE_SYSTEM = 0,
	MH_SCOPE_WORKLOAD = 1,
	MH_NR_SCOPES = 2,
};

/* Bucket i counts latencies with floor(log2(ns)) == i (0 and 1 ns in bucket 0). */
#define MH_HIST_BUCKETS 40

/* mm_vmscan_throttled reasons (include/linux/mmzone.h enum vmscan_throttle_state). */
#define MH_THROTTLE_REASONS 4

/* compaction status values (include/linux/compaction.h enum compact_result) fit here. */
#define MH_COMPACT_STATUSES 16

#define MH_MAX_NODES 64

/* One (scope, context) cell: stalls and the reclaim work done in that context. */
struct mh_context_stats {
	__u64 stalls;            /* completed begin/end pairs */
	__u64 stall_ns_total;
	__u64 stall_ns_max;
	__u64 stall_hist[MH_HIST_BUCKETS];
	__u64 shrink_inactive_calls; /* mm_vmscan_lru_shrink_inactive */
	__u64 pages_scanned;
	__u64 pages_reclaimed;
	__u64 write_file;        /* mm_vmscan_write_folio / _writepage, file folios */
	__u64 write_anon;
	__u64 begins;            /* begin events seen (a stall still open at the end shows as begins > stalls) */
	/* mm_vmscan_lru_isolate: every LRU list the context isolated from, the
	 * active lists (aging) as well as the inactive ones (reclaim) */
	__u64 isolate_calls;
	__u64 isolate_scanned;        /* nr_scanned */
	__u64 isolate_scanned_active; /* nr_scanned from the active lists */
	__u64 isolate_taken;          /* nr_taken */
	__u64 isolate_skipped;        /* nr_skipped: folios of zones above the reclaim index */
};

/* Per scope: events that do not belong to one context. */
struct mh_scope_stats {
	__u64 kswapd_wake_requests;   /* mm_vmscan_wakeup_kswapd */
	__u64 kswapd_wakeups;         /* mm_vmscan_kswapd_wake (system scope only) */
	__u64 kswapd_awake_ns;        /* kswapd_wake .. kswapd_sleep, closed intervals */
	__u64 throttled[MH_THROTTLE_REASONS];
	__u64 throttled_delay_us[MH_THROTTLE_REASONS];
	__u64 direct_compactions;     /* mm_compaction_try_to_compact_pages */
	__u64 compaction_ends[MH_COMPACT_STATUSES]; /* mm_compaction_end by status */
	__u64 compaction_migrated;    /* mm_compaction_migratepages */
	__u64 compaction_migrate_failed;
	__u64 compaction_deferred;    /* mm_compaction_deferred */
	__u64 compaction_defer;       /* mm_compaction_defer_compaction */
	__u64 compaction_defer_reset; /* mm_compaction_defer_reset */
	__u64 kcompactd_wakeups;      /* mm_compaction_kcompactd_wake */
	__u64 kcompactd_wake_requests;/* mm_compaction_wakeup_kcompactd */
	__u64 dirty_throttle_pauses;  /* writeback:balance_dirty_pages */
	__u64 dirty_throttle_pause_ms;
	__u64 unpaired_ends;          /* end events whose begin was before attach */
	__u64 open_stall_overflow;    /* begin events dropped: the pairing map was full */
};

#endif
