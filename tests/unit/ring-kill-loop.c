// SPDX-License-Identifier: MIT
/*
 * Description: 1,000 producer and consumer processes are killed with
 * SIGKILL at random moments (while opening, claiming, committing, waiting,
 * sleeping) on a lossless ring that the test also consumes: no committed
 * frame is lost (every frame a producer saw committed is delivered, and
 * each producer's frames arrive gap-free and in order), the ring never
 * wedges, and once the last handle closes nothing is left in /dev/shm.
 * Sanitizers: tsan
 * Timeout: 300
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "myc.h"
#include "ringtest.h"

#define KILLS	1000
#define POOL	3
#define FINAL	0xffffffffu

static const char *name;
static uint64_t *done;		/* shared: frames each producer saw committed */

struct msg {
	uint32_t gen;
	uint32_t pad;
	uint64_t n;
};

static int producer(void *arg)
{
	uint32_t gen = (uint32_t)(uintptr_t)arg;
	struct myc_ring *r = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	struct msg m = { .gen = gen };

	if (!r)
		return errno == EUSERS ? 0 : 1;
	for (m.n = 0;; m.n++) {
		RT_EQ(myc_ring_send(r, 1, &m, sizeof(m), -1), 0);
		__atomic_store_n(&done[gen], m.n + 1, __ATOMIC_SEQ_CST);
	}
	myc_ring_free(r);
	return 0;
}

static int consumer(void *arg)
{
	struct myc_ring_opts o = { .sz = sizeof(o), .spin_ns = rand() % 2 ? 0 : 20000 };
	struct myc_ring *r = myc_ring_open(name, MYC_RING_CONSUMER, &o);
	struct myc_frame_hdr h;
	struct msg m;

	if (!r)
		return errno == EUSERS ? 0 : 1;
	for (;;) {
		int n = myc_ring_recv(r, &h, &m, sizeof(m), 100);

		RT_CHECK(n == sizeof(m) || n == -ETIMEDOUT);
		if (rand() % 64 == 0)
			usleep(rand() % 3000);	/* fall behind, block producers */
	}
	return 0;
}

static int final_producer(void *arg)
{
	struct myc_ring *r = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	struct msg m = { .gen = FINAL };

	RT_CHECK(r);
	RT_EQ(myc_ring_send(r, 2, &m, sizeof(m), -1), 0);
	myc_ring_free(r);
	return 0;
}

static uint64_t next[KILLS];

static void drain(struct myc_ring *c, uint64_t for_ns, bool until_final)
{
	struct timespec ts;
	struct myc_frame_hdr h;
	uint64_t end;
	struct msg m;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + for_ns;
	for (;;) {
		n = myc_ring_recv(c, &h, &m, sizeof(m), until_final ? 30000 : 1);
		if (n == sizeof(m)) {
			if (m.gen == FINAL) {
				RT_CHECK(until_final);
				return;
			}
			RT_CHECK(m.gen < KILLS);
			RT_EQ(m.n, next[m.gen]);	/* in order, no gap */
			next[m.gen]++;
		} else {
			RT_EQ(n, -ETIMEDOUT);
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (!until_final &&
		    (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec > end)
			return;
	}
}

int main(void)
{
	struct myc_ring_opts o = {
		.sz = sizeof(o), .policy = MYC_LOSSLESS, .capacity = 16384,
		.max_producers = 4, .max_consumers = 4,
	};
	pid_t pool[POOL] = { 0 };
	uint64_t total = 0;
	struct myc_ring *c;
	int i, k;

	srand((unsigned int)getpid());
	name = rt_name("killloop");
	done = mmap(NULL, KILLS * sizeof(*done), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	RT_CHECK(done != MAP_FAILED);
	c = myc_ring_open(name, MYC_RING_CONSUMER | MYC_RING_CREATE, &o);
	RT_CHECK(c);
	for (i = 0; i < KILLS; i++) {
		k = i % POOL;
		if (pool[k]) {
			kill(pool[k], SIGKILL);
			RT_EQ(rt_wait(pool[k]), 128 + SIGKILL);
		}
		if (rand() % 5 < 3)
			pool[k] = rt_spawn(producer, (void *)(uintptr_t)i);
		else
			pool[k] = rt_spawn(consumer, NULL);
		/* random phase: sometimes kill right away, mid-open */
		drain(c, rand() % 4 ? (uint64_t)(rand() % 1500) * 1000 : 0, false);
	}
	for (k = 0; k < POOL; k++) {
		kill(pool[k], SIGKILL);
		RT_EQ(rt_wait(pool[k]), 128 + SIGKILL);
	}
	k = rt_spawn(final_producer, NULL);
	drain(c, 0, true);	/* it may need us to make room */
	RT_EQ(rt_wait(k), 0);
	for (i = 0; i < KILLS; i++) {
		/* every frame a producer saw committed was delivered */
		RT_CHECK(next[i] >= __atomic_load_n(&done[i], __ATOMIC_SEQ_CST));
		RT_CHECK(next[i] <= done[i] + 1);
		total += next[i];
	}
	RT_CHECK(total > 0);
	RT_EQ(myc_ring_lost(c), 0);
	myc_ring_free(c);
	RT_CHECK(!rt_ring_exists(name));
	printf("frames delivered: %llu\n", (unsigned long long)total);
	return 0;
}
