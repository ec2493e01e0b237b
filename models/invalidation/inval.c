/* The OS's IOTLB invalidation: the registry, iotlb_sync's commands, costs and stale windows. */
#include "inval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/stats.h"

extern const struct inv_policy_ops inv_strict_ops, inv_lazy_ops, inv_batched_ops;

const struct inv_policy_ops *const inv_policy_registry[] = {
	&inv_strict_ops,
	&inv_lazy_ops,
	&inv_batched_ops,
	NULL,
};

const char *const inv_gran_names[INV_GRAN_NR + 1] = { "page", "range", "domain", "global", NULL };
const char *const inv_align_names[3] = { "pow2", "exact", NULL };

const struct inv_policy_ops *inv_policy_find(const char *name)
{
	size_t i;

	for (i = 0; name && inv_policy_registry[i]; i++)
		if (strcmp(inv_policy_registry[i]->name, name) == 0)
			return inv_policy_registry[i];
	return NULL;
}

const char *inv_policy_names(void)
{
	static char names[128];
	size_t i, n = 0;

	if (!names[0])
		for (i = 0; inv_policy_registry[i]; i++)
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", i ? ", " : "",
					      inv_policy_registry[i]->name);
	return names;
}

static uint64_t ns_ps(double ns)
{
	return (uint64_t)llround(ns * 1e3);
}

struct inv_engine *inv_create(const struct sim_config *cfg, struct inv_target target,
			      struct ism_err *err)
{
	const struct inv_policy_ops *ops = inv_policy_find(cfg->os.invalidation.policy);
	struct inv_engine *e;

	if (!ops) {
		ism_err_set(err, ISM_EXIT_CONFIG, "os.invalidation.policy: unknown \"%s\" (expected one of %s)",
			    cfg->os.invalidation.policy ? cfg->os.invalidation.policy : "(none)",
			    inv_policy_names());
		return NULL;
	}
	e = ism_xcalloc(1, sizeof(*e));
	e->ops = ops;
	e->cfg = cfg;
	e->target = target;
	e->gran = cfg->os.invalidation.granularity;
	e->align = cfg->os.invalidation.align;
	e->range_limit = cfg->os.invalidation.range_limit_pages;
	e->walk_caches = cfg->os.invalidation.walk_caches;
	e->submit_ps = ns_ps(cfg->os.cost.inv_submit_ns);
	e->page_ps = ns_ps(cfg->os.cost.inv_page_ns);
	e->wait_ps = ns_ps(cfg->os.cost.inv_wait_ns);
	e->queue_ps = ns_ps(cfg->os.cost.fq_add_ns);
	e->guest = cfg->iommu.nested.enabled && cfg->iommu.nested.stage1 == NESTED_S1_TABLE;
	e->trap = e->guest && cfg->os.nested.invalidation == NESTED_INV_TRAP;
	e->exit_ps = ns_ps(cfg->os.cost.vm_exit_ns);
	e->next_timer = UINT64_MAX;
	e->cq.shared = cfg->iommu.cmdq.shared;
	e->cq.cmd_ps = ns_ps(cfg->iommu.cmdq.command_ns);
	e->cq.sync_ps = ns_ps(cfg->iommu.cmdq.sync_ns);
	hist_init(&e->cq.lock_wait);
	hist_init(&e->cq.wait);
	hist_init(&e->window);
	if (ops->init)
		ops->init(e);
	return e;
}

void inv_free(struct inv_engine *e)
{
	if (!e)
		return;
	if (e->ops->destroy)
		e->ops->destroy(e);
	hist_free(&e->window);
	hist_free(&e->cq.lock_wait);
	hist_free(&e->cq.wait);
	free(e->cq.q);
	free(e);
}

/*
 * One command into the batch being built: the target removes what it covers at once; the CPU
 * will pay its submission, and the IOMMU executes it (its pages, and what the target says its
 * completion needs beyond the IOMMU's own: ATS Invalidates) before the batch's wait completes.
 */
static void command(struct inv_engine *e, uint32_t dom, enum inv_gran g, uint64_t start,
		    uint64_t end, bool walk_caches, uint64_t now)
{
	uint64_t extra;

	e->st.commands[g]++;
	if (g <= INV_GRAN_RANGE) {
		e->st.pages += (end - start) >> 12;
		if (!walk_caches)
			e->st.leaf_only++;
	}
	extra = e->target.command(e->target.ctx, dom, g, start, end, walk_caches, now);
	e->cq.submit_ps += e->submit_ps;
	e->cq.exec_ps += e->cq.cmd_ps + extra +
			 (g <= INV_GRAN_RANGE ? e->page_ps * ((end - start) >> 12) : 0);
	e->cq.n++;
}

/*
 * The batch built since the last one, and its wait descriptor, from `now`: the CPU time until
 * the wait completes. Alone, that is writing the commands, the IOMMU executing them and the
 * wait, one after the other. With a shared queue the CPU first waits while another inserts
 * (the queue's lock, or the contended producer index), and the IOMMU reaches the batch only
 * after every command queued before it, any CPU's: syncs complete in queue order.
 */
static uint64_t cmdq_batch(struct inv_engine *e, uint64_t now)
{
	struct inv_cmdq *q = &e->cq;
	uint64_t exec = q->exec_ps + q->sync_ps, start = now, doorbell, depth = 0, done;
	size_t i;

	e->st.cmdq_batches++;
	e->st.cmdq_commands += q->n;
	e->st.cmdq_busy_ps += exec;
	if (!q->shared) {
		done = now + q->submit_ps + exec + e->wait_ps;
		hist_add(&q->lock_wait, 0);
		hist_add(&q->wait, done - now - q->submit_ps);
		q->submit_ps = q->exec_ps = 0;
		q->n = 0;
		return done - now;
	}
	if (q->lock_free > start) {
		start = q->lock_free;
		e->st.cmdq_contended++;
	}
	doorbell = start + q->submit_ps;
	q->lock_free = doorbell;
	/* The commands still queued when this batch's doorbell rings are ahead of it. */
	while (q->count && q->q[q->head].done <= doorbell) {
		q->head = (q->head + 1) % q->cap;
		q->count--;
	}
	for (i = 0; i < q->count; i++)
		depth += q->q[(q->head + i) % q->cap].n;
	e->st.cmdq_depth_sum += depth;
	if (depth > e->st.cmdq_depth_max)
		e->st.cmdq_depth_max = depth;
	q->hw_free = (doorbell > q->hw_free ? doorbell : q->hw_free) + exec;
	done = q->hw_free + e->wait_ps;
	if (q->count == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 16;
		struct inv_cmdq_batch *nq = ism_xmalloc(cap * sizeof(*nq));

		for (i = 0; i < q->count; i++)
			nq[i] = q->q[(q->head + i) % q->cap];
		free(q->q);
		q->q = nq;
		q->cap = cap;
		q->head = 0;
	}
	q->q[(q->head + q->count++) % q->cap] = (struct inv_cmdq_batch){ .done = q->hw_free,
									  .n = q->n + 1 };
	hist_add(&q->lock_wait, start - now);
	hist_add(&q->wait, done - doorbell);
	q->submit_ps = q->exec_ps = 0;
	q->n = 0;
	return done - now;
}

/*
 * The commands for one range, without the wait: per page, one range (VT-d: the naturally
 * aligned power-of-two block of pages that covers it, its address mask), or the whole domain
 * when the range is over the hardware's limit or the granularity says so.
 */
static void range_commands(struct inv_engine *e, const struct inv_range *r, uint64_t now)
{
	uint64_t start = r->start, end = r->end, pages, step;

	switch (e->gran) {
	case INV_GRAN_PAGE:
		/* SMMUv3 without range invalidation: past the limit, one ASID-wide command. */
		if (e->range_limit && ((end - start) >> 12) > e->range_limit) {
			e->st.fallbacks++;
			command(e, r->dom, INV_GRAN_DOMAIN, 0, 0, true, now);
			return;
		}
		step = pgsize_bytes(r->pgsize);
		for (; start < end; start += step)
			command(e, r->dom, INV_GRAN_PAGE, start, start + step, e->walk_caches, now);
		return;
	case INV_GRAN_RANGE:
		if (e->align == INV_ALIGN_POW2) {
			unsigned mask = 0;

			/* The smallest aligned block of 2^mask pages holding [start, end). */
			while ((start >> (12 + mask)) != ((end - 1) >> (12 + mask)))
				mask++;
			start &= ~((4096ULL << mask) - 1);
			end = start + (4096ULL << mask);
		}
		pages = (end - start) >> 12;
		if (e->range_limit && pages > e->range_limit) {
			e->st.fallbacks++;
			command(e, r->dom, INV_GRAN_DOMAIN, 0, 0, true, now);
			return;
		}
		command(e, r->dom, INV_GRAN_RANGE, start, end, e->walk_caches, now);
		return;
	case INV_GRAN_DOMAIN:
		command(e, r->dom, INV_GRAN_DOMAIN, 0, 0, true, now);
		return;
	default:
		command(e, UINT32_MAX, INV_GRAN_GLOBAL, 0, 0, true, now);
		return;
	}
}

static uint64_t commands_so_far(const struct inv_engine *e)
{
	uint64_t n = 0;

	for (unsigned g = 0; g < INV_GRAN_NR; g++)
		n += e->st.commands[g];
	return n;
}

/*
 * One sync of `cmds` commands that cost `cost` natively (their submission, the IOMMU's work,
 * the wait). A guest's (nested) writes each command into its queue, then waits for the rest;
 * trapped, its doorbell exits to the VMM, which submits each command to the host IOMMU again
 * and waits before resuming it: the exit and the second submission are the guest's wait too.
 */
static uint64_t sync_cost(struct inv_engine *e, uint64_t cmds, uint64_t cost)
{
	uint64_t wait;

	if (!e->guest)
		return cost;
	wait = cost - cmds * e->submit_ps;
	if (e->trap) {
		wait += e->exit_ps + cmds * e->submit_ps;
		e->st.vm_exits++;
	}
	e->st.guest_wait_ps += wait;
	return cmds * e->submit_ps + wait;
}

/* The invalidations of rs are complete at done: their stale windows close. */
static void windows_close(struct inv_engine *e, const struct inv_range *rs, size_t n,
			  uint64_t done)
{
	size_t i;

	for (i = 0; i < n; i++) {
		hist_add(&e->window, done - rs[i].t_unmap);
		if (e->target.completed)
			e->target.completed(e->target.ctx, &rs[i], done);
	}
}

uint64_t inv_issue_ranges(struct inv_engine *e, const struct inv_range *rs, size_t n,
			  uint64_t now)
{
	uint64_t cost, cmds = commands_so_far(e);
	size_t i;

	for (i = 0; i < n; i++)
		range_commands(e, &rs[i], now);
	/* One wait descriptor for the lot: the CPU spins until the IOMMU has done them all. */
	cost = sync_cost(e, commands_so_far(e) - cmds, cmdq_batch(e, now));
	e->st.cpu_inv_ps += cost;
	windows_close(e, rs, n, now + cost);
	return cost;
}

uint64_t inv_flush(struct inv_engine *e, uint32_t dom, const struct inv_range *rs, size_t n,
		   uint64_t now)
{
	uint64_t cost;

	if (dom == UINT32_MAX)
		command(e, UINT32_MAX, INV_GRAN_GLOBAL, 0, 0, true, now);
	else
		command(e, dom, INV_GRAN_DOMAIN, 0, 0, true, now);
	cost = sync_cost(e, 1, cmdq_batch(e, now));
	e->st.cpu_inv_ps += cost;
	windows_close(e, rs, n, now + cost);
	return cost;
}

uint64_t inv_zap(struct inv_engine *e, uint32_t dom, uint64_t start, uint64_t end, uint64_t now)
{
	const struct inv_range r = { .start = start, .end = end, .t_unmap = now, .dom = dom,
				     .pgsize = PGSIZE_4K };
	uint64_t cmds = commands_so_far(e), cost;

	/*
	 * A zap names addresses even where unmaps flush the domain or everything: sun50i's
	 * iotlb_sync_map writes the TLB and PTW-cache invalidation address registers, however its
	 * iotlb_sync flushes.
	 */
	if (e->gran >= INV_GRAN_DOMAIN)
		command(e, dom, INV_GRAN_RANGE, start, end, e->walk_caches, now);
	else
		range_commands(e, &r, now);
	cost = sync_cost(e, commands_so_far(e) - cmds, cmdq_batch(e, now));
	e->st.map_zaps++;
	e->st.cpu_inv_ps += cost;
	return cost;
}

uint64_t inv_advance_slow(struct inv_engine *e, uint64_t now)
{
	return e->ops->advance ? e->ops->advance(e, now) : 0;
}

void inv_count_capture(struct inv_engine *e, enum inv_gran g, bool walk_caches)
{
	e->st.commands[g]++;
	if (g <= INV_GRAN_RANGE && !walk_caches)
		e->st.leaf_only++;
}

#define I(name, field, help) { name, help, offsetof(struct inv_stats, field) }

static const struct stat_desc inv_stat_table[] = {
	I("invalidation.commands.page", commands[INV_GRAN_PAGE], "page invalidation commands"),
	I("invalidation.commands.range", commands[INV_GRAN_RANGE], "range invalidation commands (captured INV and INV:LEAF records included)"),
	I("invalidation.commands.domain", commands[INV_GRAN_DOMAIN], "domain-wide invalidation commands (flush-queue flushes, over-limit fallbacks, captured)"),
	I("invalidation.commands.global", commands[INV_GRAN_GLOBAL], "global invalidation commands"),
	I("invalidation.on_map_commands", map_zaps, "os.invalidation.on_map range: MAPs whose range was invalidated at map time (iotlb_sync_map); their commands count in commands.*"),
	I("invalidation.commands.leaf_only", leaf_only, "of the page and range commands, those that kept the walk caches (leaf entries only)"),
	I("invalidation.pages", pages, "4 KiB pages named by page and range commands (after rounding to the hardware's alignment)"),
	I("invalidation.range_fallbacks", fallbacks, "ranges over os.invalidation.range_limit_pages, sent as a domain command"),
	I("invalidation.gathers", gathers, "gathered ranges (iommu_iotlb_gather) the unmap path produced"),
	I("invalidation.deferred", deferred, "gathered ranges queued (lazy, batched) rather than invalidated at once"),
	I("invalidation.flushes.queue_full", flushes_full, "lazy: flushes because a flush queue was full"),
	I("invalidation.flushes.timer", flushes_timer, "lazy and batched: flushes by timeout"),
	I("invalidation.flushes.batch_full", flushes_count, "batched: flushes because os.batch.unmaps were pending"),
	I("invalidation.flushes.end", flushes_end, "flushes of what was still pending at the end of the trace"),
	I("cmdq.batches", cmdq_batches, "batches through the command queue: the commands of one iotlb_sync, flush or zap and their one wait descriptor (CMD_SYNC)"),
	I("cmdq.commands", cmdq_commands, "invalidation commands through the queue, wait descriptors not counted (captured INVAL records do not go through it)"),
	I("cmdq.contended", cmdq_contended, "iommu.cmdq.shared: batches whose CPU found another CPU inserting and waited"),
	I("cmdq.depth.max", cmdq_depth_max, "iommu.cmdq.shared: the most commands and waits (any CPU's) still queued ahead of a batch when it was inserted"),
};

void inv_to_json(const struct inv_engine *e, json_t *root)
{
	size_t i;

	for (i = 0; i < ISM_ARRAY_SIZE(inv_stat_table); i++)
		stats_json_put(root, inv_stat_table[i].name,
			       json_integer((json_int_t)*(const uint64_t *)((const char *)&e->st +
									inv_stat_table[i].offset)));
	stats_json_put(root, "invalidation.policy", json_string(e->ops->name));
	stats_json_put(root, "cmdq.depth.mean",
		       json_real(e->st.cmdq_batches ? (double)e->st.cmdq_depth_sum /
							  (double)e->st.cmdq_batches : 0.0));
	stats_json_put(root, "cmdq.busy_ns", json_real((double)e->st.cmdq_busy_ps / 1e3));
	stats_json_put(root, "cmdq.lock_wait_ns", hist_json_ns(&e->cq.lock_wait));
	stats_json_put(root, "cmdq.wait_ns", hist_json_ns(&e->cq.wait));
	stats_json_put(root, "cpu.invalidation_ns", json_real((double)e->st.cpu_inv_ps / 1e3));
	stats_json_put(root, "stale.window_ns", hist_json_ns(&e->window));
}

void inv_print_reference(FILE *fp)
{
	size_t i;

	fprintf(fp, "\n## Invalidation (the OS side: `os.invalidation.*`)\n\n");
	fprintf(fp, "| result key | meaning |\n|---|---|\n");
	fprintf(fp, "| `invalidation.policy` | the policy that ran |\n");
	for (i = 0; i < ISM_ARRAY_SIZE(inv_stat_table); i++)
		fprintf(fp, "| `%s` | %s |\n", inv_stat_table[i].name, inv_stat_table[i].help);
	fprintf(fp, "| `cmdq.depth.mean` | iommu.cmdq.shared: the commands and waits queued ahead of a batch at its insertion, mean over batches |\n");
	fprintf(fp, "| `cmdq.busy_ns` | the IOMMU's time executing the queue: iommu.cmdq.command_ns a command, os.cost.inv_page_ns a page named, ATS Invalidates waited for, iommu.cmdq.sync_ns a wait |\n");
	fprintf(fp, "| `cmdq.lock_wait_ns.*` | per batch: the time its CPU waited for another CPU to finish inserting (0 unless iommu.cmdq.shared) |\n");
	fprintf(fp, "| `cmdq.wait_ns.*` | per batch: from its insertion (the doorbell) to the completion its CPU sees: the commands queued ahead of it, its own, and the wait descriptor's round trip (os.cost.inv_wait_ns) |\n");
	fprintf(fp, "| `cpu.invalidation_ns` | CPU time in invalidation: waiting to insert, command submission, waiting for completion, queueing |\n");
	fprintf(fp, "| `stale.window_ns.*` | per unmapped range: from the unmap to the completion of its invalidation (min, p50, p90, p99, p99_9, max, mean, count) |\n");
}
