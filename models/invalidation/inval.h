/* The OS's IOTLB invalidation: Linux's unmap path (iotlb_gather, iotlb_sync, flush queue). */
#ifndef ISM_INVAL_H
#define ISM_INVAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/sim_config.h"
#include "base/hist.h"
#include "base/pgsize.h"

/* What one invalidation command covers (the hardware commands' granularities). */
enum inv_gran {
	INV_GRAN_PAGE,   /* one command per page (e.g. VT-d PSI with mask 0 per page) */
	INV_GRAN_RANGE,  /* one command per gathered range, up to the hardware limit */
	INV_GRAN_DOMAIN, /* one command for the whole domain (VT-d DSI, SMMUv3 TLBI ASID) */
	INV_GRAN_GLOBAL, /* everything (VT-d global invalidation) */
	INV_GRAN_NR
};

extern const char *const inv_gran_names[INV_GRAN_NR + 1]; /* NULL-terminated, for the config */

enum inv_align {
	INV_ALIGN_POW2,  /* VT-d: an address mask, a naturally aligned power of two of pages */
	INV_ALIGN_EXACT, /* SMMUv3 with range invalidation: exactly the range */
};
extern const char *const inv_align_names[3];

/* One unmapped range an invalidation is owed for: iommu_iotlb_gather's start, end, pgsize. */
struct inv_range {
	uint64_t start, end; /* [start, end) */
	uint64_t t_unmap;    /* ps: when the PTEs were cleared (the stale window opens) */
	uint32_t dom;
	enum pgsize pgsize;
};

/*
 * The IOMMU side a policy drives: apply one invalidation command at `now`. The engine's hook
 * removes the IOTLB (and, with walk_caches, the walk-cache) entries it covers, then what the
 * levels in front of the IOTLB hold (device TLBs), and returns the extra time (ps) the CPU
 * waits for the command's completion beyond the IOMMU's own (ATS Invalidates to devices).
 * [start, end) is ignored for domain and global commands.
 */
struct inv_target {
	void *ctx;
	uint64_t (*command)(void *ctx, uint32_t dom, enum inv_gran g, uint64_t start, uint64_t end,
			    bool walk_caches, uint64_t now);
	/* The invalidation owed for range r completes at `done` (may be NULL). */
	void (*completed)(void *ctx, const struct inv_range *r, uint64_t done);
};

/* Counters of the OS side, each with a name in inv_stat_table (models/invalidation/inval.c). */
struct inv_stats {
	uint64_t commands[INV_GRAN_NR];
	uint64_t leaf_only;      /* of the page/range commands: walk caches kept */
	uint64_t pages;          /* pages named by page and range commands (after alignment) */
	uint64_t fallbacks;      /* ranges over the hardware limit, sent as a domain command */
	uint64_t gathers;        /* iotlb_sync calls, or ranges handed to a queue */
	uint64_t deferred;       /* ranges queued (lazy, batched) instead of invalidated at once */
	uint64_t flushes_full;   /* lazy: flush queue full */
	uint64_t flushes_timer;  /* lazy: flush queue timeout; batched: batch timeout */
	uint64_t flushes_count;  /* batched: N unmaps reached */
	uint64_t flushes_end;    /* what was pending at the end of the trace */
	uint64_t map_zaps;       /* os.invalidation.on_map: ranges invalidated at map time */
	uint64_t cpu_inv_ps;     /* CPU time in invalidation (submit, wait, queueing) */
	/* iommu.nested: a guest's syncs that trapped to the VMM, and the guest's wait in all */
	uint64_t vm_exits, guest_wait_ps;
	/* The command queue (iommu.cmdq.*): batches, each some commands and one wait. */
	uint64_t cmdq_batches, cmdq_commands;
	uint64_t cmdq_depth_sum, cmdq_depth_max; /* commands ahead of a batch at its insertion */
	uint64_t cmdq_busy_ps;   /* the IOMMU executing the queue */
	uint64_t cmdq_contended; /* batches that found another CPU inserting */
};

/*
 * The invalidation command queue: what a batch (the commands of one iotlb_sync and its wait)
 * costs the CPU, and with iommu.cmdq.shared the queue every CPU's batches go through.
 */
struct inv_cmdq {
	bool shared;
	uint64_t cmd_ps, sync_ps;
	/* the batch being built: CPU time to write it, IOMMU time to execute it, commands */
	uint64_t submit_ps, exec_ps;
	uint32_t n;
	uint64_t lock_free; /* shared: no CPU is inserting from then */
	uint64_t hw_free;   /* shared: the IOMMU has executed all that is queued then */
	struct inv_cmdq_batch { uint64_t done; uint32_t n; } *q; /* queued, not yet executed */
	size_t head, count, cap;
	struct hist lock_wait, wait; /* per batch: waiting to insert; insertion to completion */
};

struct inv_engine;

/*
 * A policy: a const ops table registered by one line in inv_policy_registry[]
 * (models/invalidation/inval.c), one file each. unmapped() receives each gathered range once
 * its PTEs are gone and either invalidates now (inv_issue) or queues it; advance() lets timers
 * fire up to `now`; finish() settles what is pending at the end. Both may be NULL.
 * They return the CPU time (ps) the calling CPU spent.
 */
struct inv_policy_ops {
	const char *name;
	const char *help;
	void (*init)(struct inv_engine *e);
	uint64_t (*unmapped)(struct inv_engine *e, const struct inv_range *r, unsigned cpu,
			     uint64_t now);
	uint64_t (*advance)(struct inv_engine *e, uint64_t now);
	uint64_t (*finish)(struct inv_engine *e, uint64_t now);
	void (*destroy)(struct inv_engine *e);
};

extern const struct inv_policy_ops *const inv_policy_registry[];
const struct inv_policy_ops *inv_policy_find(const char *name);
const char *inv_policy_names(void);

/* The engine every policy shares: config, costs in ps, the target, stats, stale windows. */
struct inv_engine {
	const struct inv_policy_ops *ops;
	const struct sim_config *cfg;
	struct inv_target target;
	enum inv_gran gran;
	enum inv_align align;
	uint64_t range_limit; /* pages; 0: none */
	bool walk_caches;
	bool guest, trap; /* iommu.nested: the policy is a guest's; os.nested.invalidation trap */
	uint64_t submit_ps, page_ps, wait_ps, queue_ps, exit_ps; /* costs */
	struct inv_stats st;
	struct inv_cmdq cq;
	struct hist window; /* ps from unmap to the completion of its invalidation */
	uint64_t next_timer; /* the earliest pending timeout (ps), UINT64_MAX: none */
	void *priv;          /* the policy's state */
};

struct inv_engine *inv_create(const struct sim_config *cfg, struct inv_target target,
			      struct ism_err *err);
void inv_free(struct inv_engine *e);

/*
 * Invalidate rs now, with the engine's granularity, alignment, limit and walk-cache choice,
 * as Linux's iotlb_sync does: the commands take effect at `now`; the CPU then waits once for
 * their completion. Records the stale windows. Returns the CPU time spent (ps).
 */
uint64_t inv_issue_ranges(struct inv_engine *e, const struct inv_range *rs, size_t n,
			  uint64_t now);

/*
 * os.invalidation.on_map: invalidate what a MAP just wrote, [start, end) of dom, with the
 * engine's commands and one wait (Linux's iotlb_sync_map). No stale window: nothing was
 * unmapped. Returns the CPU time spent (ps).
 */
uint64_t inv_zap(struct inv_engine *e, uint32_t dom, uint64_t start, uint64_t end, uint64_t now);

/* A command replayed from a capture (INVAL record): counted, not costed (the target applies it). */
void inv_count_capture(struct inv_engine *e, enum inv_gran g, bool walk_caches);

uint64_t inv_advance_slow(struct inv_engine *e, uint64_t now);

/*
 * One command for the whole of dom (or global with dom = UINT32_MAX), covering every range in
 * rs: their stale windows close at its completion. Returns the CPU time spent (ps).
 */
uint64_t inv_flush(struct inv_engine *e, uint32_t dom, const struct inv_range *rs, size_t n,
		   uint64_t now);

/* Entry points the engine calls. */
static inline uint64_t inv_unmapped(struct inv_engine *e, const struct inv_range *r,
				    unsigned cpu, uint64_t now)
{
	return e->ops->unmapped(e, r, cpu, now);
}
/* When the earliest pending timer falls due (ps), UINT64_MAX if none is armed. */
static inline uint64_t inv_next_due(const struct inv_engine *e)
{
	return e->next_timer;
}
/* Fire the timers due by now: cheap when none is (called before every record). */
static inline uint64_t inv_advance(struct inv_engine *e, uint64_t now)
{
	return now >= inv_next_due(e) ? inv_advance_slow(e, now) : 0;
}
static inline uint64_t inv_finish(struct inv_engine *e, uint64_t now)
{
	return e->ops->finish ? e->ops->finish(e, now) : 0;
}

/* Counters into root (nested by dots) / as "key value" lines / their reference. */
void inv_to_json(const struct inv_engine *e, json_t *root);
void inv_print_reference(FILE *fp);

#endif
