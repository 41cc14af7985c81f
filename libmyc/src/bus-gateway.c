// SPDX-License-Identifier: MIT
/*
 * Gateways (docs/operations.md, "Gateways"): a bus with a ring bridge and
 * a net bridge that relays between them, so the processes of one host
 * share one TCP connection per remote host.
 *
 *   host A                                         host B
 *   pub --ring A.7--> gateway A ==== TCP ==== gateway B --ring B.7--> sub
 *                     (consumer:              (producer: only while
 *                      once a peer wants 7)    a consumer is on B.7)
 *
 * Frames: bus_inject() of a gateway bus forwards what one bridge received
 * to the topic's other bridges (bus-bridge.c skips pub->origin): ring ->
 * net, net -> ring; never back where it came from, and never net -> net
 * (a topic has one net bridge, so a frame from a peer never transits to
 * another peer: gateways form a full mesh, one hop).  Frames the gateway
 * itself put on its host's ring come back through its own consumer and
 * are skipped there (bus-ring.c, own producer slots), so there is no loop
 * between two gateways either.
 *
 * Interest, recomputed by myc_gateway_poll() per topic:
 *   - a process of this host consumes the topic's ring (a consumer other
 *     than ours)  -> subscribe the type on the net (SUBSCRIBE to every
 *     peer), and unsubscribe when the last one left;
 *   - a peer subscribed the type -> consume the ring (from then on this
 *     host's publishers see a consumer and write to the ring); no peer
 *     wants it any more -> stop consuming (they stop writing).
 * So a host without a subscriber receives nothing over the wire, and a
 * publisher's ring is written only when someone across the wire wants it.
 */
#include <errno.h>
#include <stdlib.h>

#include "bus.h"

int myc_gateway_poll(struct myc_bus *bus)
{
	struct myc_topic *t, **v;
	size_t n = 0, i;
	int changes = 0, err = 0;

	if (!bus || !bus->gateway || !bus->ring)
		return -EINVAL;
	/* Topics are freed only with the bus: a snapshot of the list is
	 * safe to walk without the lock. */
	pthread_mutex_lock(&bus->lock);
	for (t = bus->topics; t; t = t->next)
		n++;
	v = calloc(n + 1, sizeof(*v));
	if (!v) {
		pthread_mutex_unlock(&bus->lock);
		return -ENOMEM;
	}
	for (i = 0, t = bus->topics; t; t = t->next)
		v[i++] = t;
	pthread_mutex_unlock(&bus->lock);

	for (i = 0; i < n; i++) {
		int here = bus_ring_foreign_consumers(bus, v[i]), r = 0;
		bool subscribed = bus_net_topic_subscribed(bus, v[i]), want;

		if (here < 0) {
			r = here;
		} else if (here && !subscribed) {
			r = bus_net_topic_used(bus, v[i], true);
			changes++;
		} else if (!here && subscribed) {
			r = bus_net_topic_unsubscribe(bus, v[i]);
			changes++;
		}
		want = bus_net_peers_want(bus, v[i]->type);
		if (!r && want != bus_ring_receiving(bus, v[i])) {
			if (want)
				r = bus_ring_topic_used(bus, v[i], true);
			else
				bus_ring_rx_stop(bus, v[i]);
			changes++;
		}
		if (r && !err)
			err = r;
	}
	free(v);
	return err ? err : changes;
}
