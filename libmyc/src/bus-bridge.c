// SPDX-License-Identifier: MIT
/*
 * Bridges: the bus side of carrying a topic outside the process (bus.h,
 * docs/api.md "Bridges").  Out of line on purpose: bus.c calls these only
 * for topics that have a bridge, behind one unlikely branch.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"

int bus_bridge_add(struct myc_topic *t, struct myc_bridge *br)
{
	struct myc_bus *bus = t->bus;
	struct myc_bridges *old, *a;
	uint32_t n;

	pthread_mutex_lock(&bus->lock);
	old = atomic_load_explicit(&t->bridges, memory_order_relaxed);
	n = old ? old->n : 0;
	if (n == MYC_BRIDGES_MAX) {
		pthread_mutex_unlock(&bus->lock);
		return -ENOSPC;
	}
	a = calloc(1, sizeof(*a) + (n + 1) * sizeof(a->b[0]));
	if (!a) {
		pthread_mutex_unlock(&bus->lock);
		return -ENOMEM;
	}
	if (old)
		memcpy(a->b, old->b, n * sizeof(a->b[0]));
	br->idx = n;
	a->b[n] = br;
	a->n = n + 1;
	/* release: pairs with the acquire in myc_pub_claim(). */
	atomic_store_explicit(&t->bridges, a, memory_order_release);
	if (old) {
		/* Publishers inside a claim may still read it. */
		old->retired_next = bus->retired_bridges;
		bus->retired_bridges = old;
	}
	pthread_mutex_unlock(&bus->lock);
	return 0;
}

/* Reserve room in every bridge (slow path: only topics with bridges). */
int bridges_claim(struct myc_pub *pub, struct myc_topic *t, uint32_t size)
{
	struct myc_bridges *a = atomic_load_explicit(&t->bridges,
						     memory_order_acquire);
	uint32_t i;
	int r;

	for (i = 0; i < a->n; i++) {
		if (a->b[i] == pub->origin)
			continue;	/* a gateway never echoes a frame back */
		r = a->b[i]->ops->claim(a->b[i], &pub->bpriv[a->b[i]->idx],
					MYC_FRAME_HDR_SIZE + size, pub->timeout_ms);
		if (r) {
			while (i--)
				if (a->b[i] != pub->origin)
					a->b[i]->ops->abort(a->b[i],
							    &pub->bpriv[a->b[i]->idx]);
			return r;
		}
	}
	pub->bsnap = a;
	return 0;
}

void bridges_commit(struct myc_pub *pub, const struct myc_frame_hdr *f)
{
	struct myc_bridges *a = pub->bsnap;

	for (uint32_t i = 0; i < a->n; i++)
		if (a->b[i] != pub->origin)
			a->b[i]->ops->commit(a->b[i], &pub->bpriv[a->b[i]->idx], f);
	pub->bsnap = NULL;
}

void bridges_abort(struct myc_pub *pub)
{
	struct myc_bridges *a = pub->bsnap;

	for (uint32_t i = 0; i < a->n; i++)
		if (a->b[i] != pub->origin)
			a->b[i]->ops->abort(a->b[i], &pub->bpriv[a->b[i]->idx]);
	pub->bsnap = NULL;
}

/* Release the publisher's bridge state (no claim open). */
void bridges_pub_free(struct myc_pub *pub)
{
	struct myc_bridges *a = atomic_load_explicit(&pub->topic->bridges,
						     memory_order_acquire);

	for (uint32_t i = 0; a && i < a->n; i++)
		if (pub->bpriv[a->b[i]->idx])
			a->b[i]->ops->pub_free(a->b[i], &pub->bpriv[a->b[i]->idx]);
}

void bus_topic_add_lost(struct myc_topic *t, uint64_t n)
{
	struct myc_subs *a;

	urcu_bp_read_lock();
	a = atomic_load_explicit(&t->subs, memory_order_acquire);
	for (uint32_t i = 0; i < a->nq; i++)
		atomic_fetch_add_explicit(&a->s[i]->lost, n, memory_order_relaxed);
	myc_read_unlock(t->bus);
}
