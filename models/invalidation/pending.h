/* Per-domain queues of unmapped ranges awaiting invalidation, shared by lazy and batched. */
#ifndef ISM_INV_PENDING_H
#define ISM_INV_PENDING_H

#include <stdbool.h>
#include <stdint.h>

#include "inval.h"

/* One queue of ranges (a CPU's flush-queue ring, or a domain's batch). */
struct inv_queue {
	struct inv_range *r;
	uint32_t n, cap;
};

/* A domain's queues (one per CPU, or one) and its timer. */
struct inv_pending_dom {
	struct inv_queue *q;
	uint32_t nq;
	bool armed;
	uint64_t timer_at; /* ps */
};

struct inv_pending {
	struct inv_pending_dom *d;
	uint32_t nd;
};

struct inv_queue *inv_pending_queue(struct inv_pending *p, uint32_t dom, uint32_t q);
struct inv_pending_dom *inv_pending_dom(struct inv_pending *p, uint32_t dom);
void inv_queue_push(struct inv_queue *q, const struct inv_range *r);
/* Gather every range of a domain's queues into one array (the caller frees), emptying them. */
struct inv_range *inv_pending_take(struct inv_pending_dom *d, size_t *n);
/* Free the queues (not p itself). */
void inv_pending_release(struct inv_pending *p);
/* Arm the domain's timer at `at` unless armed, and keep e->next_timer the earliest. */
void inv_pending_arm(struct inv_engine *e, struct inv_pending *p, uint32_t dom, uint64_t at);
/* The earliest armed timer, after some fired or were disarmed. */
void inv_pending_retime(struct inv_engine *e, struct inv_pending *p);

#endif
