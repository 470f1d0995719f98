// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reclaim, compaction and writeback tracepoints aggregated in the kernel: per
 * (scope, context) counts, stall-time sums, maxima and log2 histograms, read by
 * probes/tracepoints/bpf_recorder.cpp at the end of an iteration.
 *
 * Only SEC("tp/...") programs: fentry and tp_btf (BPF_PROG_TYPE_TRACING) are not
 * usable on every machine memharness runs on. Records are read with CO-RE
 * (BPF_CORE_READ on trace_event_raw_*), so one object runs on 6.1 .. 6.18.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "core_shims.bpf.h"
#include "reclaim_aggregates.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before load. */
const volatile __u32 root_tgid = 0;          /* the harness: its descendants are the workloads */
const volatile __u64 workload_cgroup_id = 0; /* cgroup v2: the test cgroup (0: use the tgid set) */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MH_NR_SCOPES * MH_NR_CONTEXTS);
	__type(key, __u32);
	__type(value, struct mh_context_stats);
} context_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MH_NR_SCOPES);
	__type(key, __u32);
	__type(value, struct mh_scope_stats);
} scope_stats SEC(".maps");

/* Open begin events: key (tid << 8 | stall kind), value begin ktime ns. */
enum mh_stall_kind { MH_STALL_DIRECT = 1, MH_STALL_MEMCG = 2, MH_STALL_COMPACTION = 3 };
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} open_stalls SEC(".maps");

/* kswapd of node N: the ktime it woke, 0 while asleep. Read by the loader too,
 * to add a still-open interval at the end. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MH_MAX_NODES);
	__type(key, __u32);
	__type(value, __u64);
} kswapd_awake_since SEC(".maps");

/* The workloads on cgroup v1: tgids descended from root_tgid. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, __u8);
} tracked_tgids SEC(".maps");

static __always_inline bool current_is_workload(void)
{
	if (workload_cgroup_id)
		return bpf_get_current_cgroup_id() == workload_cgroup_id;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	return tgid != root_tgid && bpf_map_lookup_elem(&tracked_tgids, &tgid);
}

static __always_inline struct mh_context_stats *ctx_cell(__u32 scope, __u32 context)
{
	__u32 key = scope * MH_NR_CONTEXTS + context;
	return bpf_map_lookup_elem(&context_stats, &key);
}

static __always_inline struct mh_scope_stats *scope_cell(__u32 scope)
{
	return bpf_map_lookup_elem(&scope_stats, &scope);
}

static __always_inline __u32 log2_bucket(__u64 v)
{
	__u32 r = 0, shift;
	shift = (v > 0xFFFFFFFFULL) << 5; v >>= shift; r |= shift;
	shift = (v > 0xFFFF) << 4; v >>= shift; r |= shift;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r < MH_HIST_BUCKETS ? r : MH_HIST_BUCKETS - 1;
}

/* Adds to the system cell and, for the workloads' events, the workload cell. */
#define FOR_SCOPES(is_workload, cell_expr, body)                      \
	do {                                                          \
		for (__u32 scope_ = 0; scope_ < MH_NR_SCOPES; scope_++) { \
			if (scope_ == MH_SCOPE_WORKLOAD && !(is_workload)) \
				break;                                \
			__u32 scope = scope_;                         \
			typeof(cell_expr) cell = cell_expr;           \
			if (!cell)                                    \
				continue;                             \
			body;                                         \
		}                                                     \
	} while (0)

static __always_inline void stall_begin(enum mh_stall_kind kind, enum mh_context context)
{
	__u64 key = ((bpf_get_current_pid_tgid() & 0xFFFFFFFF) << 8) | kind;
	__u64 now = bpf_ktime_get_ns();
	bool workload = current_is_workload();
	if (bpf_map_update_elem(&open_stalls, &key, &now, BPF_ANY) != 0)
		FOR_SCOPES(workload, scope_cell(scope), __sync_fetch_and_add(&cell->open_stall_overflow, 1));
	FOR_SCOPES(workload, ctx_cell(scope, context), cell->begins++);
}

static __always_inline void stall_end(enum mh_stall_kind kind, enum mh_context context)
{
	__u64 key = ((bpf_get_current_pid_tgid() & 0xFFFFFFFF) << 8) | kind;
	bool workload = current_is_workload();
	__u64 *began = bpf_map_lookup_elem(&open_stalls, &key);
	if (!began) {
		FOR_SCOPES(workload, scope_cell(scope), cell->unpaired_ends++);
		return;
	}
	__u64 ns = bpf_ktime_get_ns() - *began;
	bpf_map_delete_elem(&open_stalls, &key);
	__u32 bucket = log2_bucket(ns);
	FOR_SCOPES(workload, ctx_cell(scope, context), {
		cell->stalls++;
		cell->stall_ns_total += ns;
		if (ns > cell->stall_ns_max)
			cell->stall_ns_max = ns;
		/* barrier_var keeps the check on the register the access uses:
		 * the 6.1 verifier does not carry bounds across the 32-bit
		 * register copies clang makes otherwise ("R0 unbounded memory
		 * access"); 6.12 and later do. */
		__u32 slot = bucket;
		barrier_var(slot);
		if (slot < MH_HIST_BUCKETS)
			cell->stall_hist[slot]++;
	});
}

/* The reclaim context of the current thread: an open begin/end pair says which;
 * kswapd has none and is known by PF_KSWAPD. */
static __always_inline enum mh_context reclaim_context(void)
{
	__u64 tid = bpf_get_current_pid_tgid() & 0xFFFFFFFF;
	__u64 key = (tid << 8) | MH_STALL_MEMCG;
	if (bpf_map_lookup_elem(&open_stalls, &key))
		return MH_CTX_MEMCG_RECLAIM;
	key = (tid << 8) | MH_STALL_DIRECT;
	if (bpf_map_lookup_elem(&open_stalls, &key))
		return MH_CTX_DIRECT_RECLAIM;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	if (BPF_CORE_READ(task, flags) & MH_PF_KSWAPD)
		return MH_CTX_KSWAPD;
	return MH_CTX_OTHER;
}

/* ---------------------------------------------------------------- reclaim stalls */

SEC("tp/vmscan/mm_vmscan_direct_reclaim_begin")
int direct_reclaim_begin(void *ctx)
{
	stall_begin(MH_STALL_DIRECT, MH_CTX_DIRECT_RECLAIM);
	return 0;
}

SEC("tp/vmscan/mm_vmscan_direct_reclaim_end")
int direct_reclaim_end(void *ctx)
{
	stall_end(MH_STALL_DIRECT, MH_CTX_DIRECT_RECLAIM);
	return 0;
}

SEC("tp/vmscan/mm_vmscan_memcg_reclaim_begin")
int memcg_reclaim_begin(void *ctx)
{
	stall_begin(MH_STALL_MEMCG, MH_CTX_MEMCG_RECLAIM);
	return 0;
}

SEC("tp/vmscan/mm_vmscan_memcg_reclaim_end")
int memcg_reclaim_end(void *ctx)
{
	stall_end(MH_STALL_MEMCG, MH_CTX_MEMCG_RECLAIM);
	return 0;
}

/* ---------------------------------------------------------------- kswapd */

SEC("tp/vmscan/mm_vmscan_wakeup_kswapd")
int wakeup_kswapd(void *ctx)
{
	bool workload = current_is_workload();
	FOR_SCOPES(workload, scope_cell(scope), cell->kswapd_wake_requests++);
	return 0;
}

SEC("tp/vmscan/mm_vmscan_kswapd_wake")
int kswapd_wake(struct trace_event_raw_mm_vmscan_kswapd_wake *ctx)
{
	__u32 nid = BPF_CORE_READ(ctx, nid);
	struct mh_scope_stats *cell = scope_cell(MH_SCOPE_SYSTEM);
	if (cell)
		cell->kswapd_wakeups++;
	__u64 *since = bpf_map_lookup_elem(&kswapd_awake_since, &nid);
	if (since && *since == 0)
		*since = bpf_ktime_get_ns();
	return 0;
}

SEC("tp/vmscan/mm_vmscan_kswapd_sleep")
int kswapd_sleep(struct trace_event_raw_mm_vmscan_kswapd_sleep *ctx)
{
	__u32 nid = BPF_CORE_READ(ctx, nid);
	__u64 *since = bpf_map_lookup_elem(&kswapd_awake_since, &nid);
	if (!since || *since == 0)
		return 0; /* asleep when the recorder attached: the first interval is unknown */
	__u64 awake = bpf_ktime_get_ns() - *since;
	*since = 0;
	struct mh_scope_stats *cell = scope_cell(MH_SCOPE_SYSTEM);
	if (cell)
		cell->kswapd_awake_ns += awake;
	return 0;
}

/* ---------------------------------------------------------------- reclaim work */

SEC("tp/vmscan/mm_vmscan_lru_shrink_inactive")
int lru_shrink_inactive(struct trace_event_raw_mm_vmscan_lru_shrink_inactive *ctx)
{
	__u64 scanned = BPF_CORE_READ(ctx, nr_scanned);
	__u64 reclaimed = BPF_CORE_READ(ctx, nr_reclaimed);
	enum mh_context context = reclaim_context();
	bool workload = current_is_workload();
	FOR_SCOPES(workload, ctx_cell(scope, context), {
		cell->shrink_inactive_calls++;
		cell->pages_scanned += scanned;
		cell->pages_reclaimed += reclaimed;
	});
	return 0;
}

/* enum lru_list (include/linux/mmzone.h): LRU_ACTIVE_ANON = 1, LRU_ACTIVE_FILE = 3. */
#define MH_LRU_ACTIVE_ANON 1
#define MH_LRU_ACTIVE_FILE 3

/* isolate_lru_folios() on either LRU list, and MGLRU's scan_folios(). The
 * fields read are the same on 6.1 .. 6.18; their offsets are not (see
 * core_shims.bpf.h: isolate_mode). */
SEC("tp/vmscan/mm_vmscan_lru_isolate")
int lru_isolate(struct trace_event_raw_mm_vmscan_lru_isolate *ctx)
{
	__u64 scanned = BPF_CORE_READ(ctx, nr_scanned);
	__u64 taken = BPF_CORE_READ(ctx, nr_taken);
	__u64 skipped = BPF_CORE_READ(ctx, nr_skipped);
	int lru = BPF_CORE_READ(ctx, lru);
	bool active = lru == MH_LRU_ACTIVE_ANON || lru == MH_LRU_ACTIVE_FILE;
	enum mh_context context = reclaim_context();
	bool workload = current_is_workload();
	FOR_SCOPES(workload, ctx_cell(scope, context), {
		cell->isolate_calls++;
		cell->isolate_scanned += scanned;
		if (active)
			cell->isolate_scanned_active += scanned;
		cell->isolate_taken += taken;
		cell->isolate_skipped += skipped;
	});
	return 0;
}

/* RECLAIM_WB_ANON / RECLAIM_WB_FILE (include/trace/events/vmscan.h). */
#define MH_RECLAIM_WB_ANON 0x0001
#define MH_RECLAIM_WB_FILE 0x0002

static __always_inline void count_reclaim_write(int reclaim_flags)
{
	enum mh_context context = reclaim_context();
	bool workload = current_is_workload();
	bool file = reclaim_flags & MH_RECLAIM_WB_FILE;
	FOR_SCOPES(workload, ctx_cell(scope, context), {
		if (file)
			cell->write_file++;
		else
			cell->write_anon++;
	});
}

SEC("tp/vmscan/mm_vmscan_write_folio")
int write_folio(struct trace_event_raw_mm_vmscan_write_folio *ctx)
{
	count_reclaim_write(BPF_CORE_READ(ctx, reclaim_flags));
	return 0;
}

SEC("tp/vmscan/mm_vmscan_writepage")
int writepage(struct trace_event_raw_mm_vmscan_writepage___pre_v5_19 *ctx)
{
	count_reclaim_write(BPF_CORE_READ(ctx, reclaim_flags));
	return 0;
}

SEC("tp/vmscan/mm_vmscan_throttled")
int throttled(struct trace_event_raw_mm_vmscan_throttled *ctx)
{
	/* The record holds 1 << enum vmscan_throttle_state, not the enum
	 * (TP_fast_assign: __entry->reason = 1U << reason), as the event's
	 * __print_flags shows: turn the bit back into the reason's index. */
	__u32 bit = BPF_CORE_READ(ctx, reason);
	int delayed = BPF_CORE_READ(ctx, usec_delayed);
	__u32 reason = MH_THROTTLE_REASONS;
	for (__u32 r = 0; r < MH_THROTTLE_REASONS; r++)
		if (bit == (1U << r))
			reason = r;
	if (reason >= MH_THROTTLE_REASONS)
		return 0;
	bool workload = current_is_workload();
	FOR_SCOPES(workload, scope_cell(scope), {
		cell->throttled[reason]++;
		cell->throttled_delay_us[reason] += delayed > 0 ? delayed : 0;
	});
	return 0;
}

/* ---------------------------------------------------------------- compaction */

static __always_inline bool current_is_kcompactd(void)
{
	char comm[16];
	bpf_get_current_comm(comm, sizeof(comm));
	return comm[0] == 'k' && comm[1] == 'c' && comm[2] == 'o' && comm[3] == 'm' && comm[4] == 'p' &&
	       comm[5] == 'a' && comm[6] == 'c' && comm[7] == 't' && comm[8] == 'd';
}

SEC("tp/compaction/mm_compaction_try_to_compact_pages")
int try_to_compact_pages(void *ctx)
{
	bool workload = current_is_workload();
	FOR_SCOPES(workload, scope_cell(scope), cell->direct_compactions++);
	return 0;
}

SEC("tp/compaction/mm_compaction_begin")
int compaction_begin(void *ctx)
{
	stall_begin(MH_STALL_COMPACTION, current_is_kcompactd() ? MH_CTX_KCOMPACTD : MH_CTX_DIRECT_COMPACTION);
	return 0;
}

SEC("tp/compaction/mm_compaction_end")
int compaction_end(struct trace_event_raw_mm_compaction_end *ctx)
{
	__u32 status = BPF_CORE_READ(ctx, status);
	bool workload = current_is_workload();
	stall_end(MH_STALL_COMPACTION, current_is_kcompactd() ? MH_CTX_KCOMPACTD : MH_CTX_DIRECT_COMPACTION);
	if (status < MH_COMPACT_STATUSES)
		FOR_SCOPES(workload, scope_cell(scope), cell->compaction_ends[status & (MH_COMPACT_STATUSES - 1)]++);
	return 0;
}

SEC("tp/compaction/mm_compaction_migratepages")
int compaction_migratepages(struct trace_event_raw_mm_compaction_migratepages *ctx)
{
	__u64 migrated = BPF_CORE_READ(ctx, nr_migrated);
	__u64 failed = BPF_CORE_READ(ctx, nr_failed);
	bool workload = current_is_workload();
	FOR_SCOPES(workload, scope_cell(scope), {
		cell->compaction_migrated += migrated;
		cell->compaction_migrate_failed += failed;
	});
	return 0;
}

SEC("tp/compaction/mm_compaction_deferred")
int compaction_deferred(void *ctx)
{
	bool workload = current_is_workload();
	FOR_SCOPES(workload, scope_cell(scope), cell->compaction_deferred++);
	return 0;
}

SEC("tp/compaction/mm_compaction_defer_compaction")
int compaction_defer(void *ctx)
{
	bool workload = current_is_workload();
	FOR_SCOPES(workload, scope_cell(scope), cell->compaction_defer++);
	return 0;
}

SEC("tp/compaction/mm_compaction_defer_reset")
int compaction_defer_reset(void *ctx)
{
	bool workload = current_is_workload();
	FOR_SCOPES(workload, scope_cell(scope), cell->compaction_defer_reset++);
	return 0;
}

SEC("tp/compaction/mm_compaction_kcompactd_wake")
int kcompactd_wake(void *ctx)
{
	struct mh_scope_stats *cell = scope_cell(MH_SCOPE_SYSTEM);
	if (cell)
		cell->kcompactd_wakeups++;
	return 0;
}

SEC("tp/compaction/mm_compaction_wakeup_kcompactd")
int wakeup_kcompactd(void *ctx)
{
	bool workload = current_is_workload();
	FOR_SCOPES(workload, scope_cell(scope), cell->kcompactd_wake_requests++);
	return 0;
}

/* ---------------------------------------------------------------- writeback */

SEC("tp/writeback/balance_dirty_pages")
int balance_dirty_pages(struct trace_event_raw_balance_dirty_pages *ctx)
{
	long pause_ms = BPF_CORE_READ(ctx, pause); /* the event converts jiffies to ms */
	bool workload = current_is_workload();
	FOR_SCOPES(workload, scope_cell(scope), {
		cell->dirty_throttle_pauses++;
		cell->dirty_throttle_pause_ms += pause_ms > 0 ? pause_ms : 0;
	});
	return 0;
}

/* ---------------------------------------------------------------- attribution */

SEC("tp/sched/sched_process_fork")
int process_fork(struct trace_event_raw_sched_process_fork *ctx)
{
	/* current is the parent. A new thread is reported too; its tid is tracked
	 * harmlessly (events are looked up by tgid) and dropped when it exits. */
	__u32 parent_tgid = bpf_get_current_pid_tgid() >> 32;
	if (parent_tgid != root_tgid && !bpf_map_lookup_elem(&tracked_tgids, &parent_tgid))
		return 0;
	__u32 child = BPF_CORE_READ(ctx, child_pid);
	__u8 one = 1;
	bpf_map_update_elem(&tracked_tgids, &child, &one, BPF_ANY);
	return 0;
}

SEC("tp/sched/sched_process_exit")
int process_exit(void *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = pid_tgid & 0xFFFFFFFF, tgid = pid_tgid >> 32;
	if (tid != tgid) {
		bpf_map_delete_elem(&tracked_tgids, &tid);
		return 0;
	}
	if (mh_exit_has_group_dead()) {
		struct trace_event_raw_sched_process_exit___v6_16 *rec = ctx;
		if (!BPF_CORE_READ(rec, group_dead))
			return 0; /* the leader left, its threads still run: keep the tgid */
	}
	bpf_map_delete_elem(&tracked_tgids, &tgid);
	return 0;
}
