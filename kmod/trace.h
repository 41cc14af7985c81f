/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tracepoints of mycelium.ko (events/mycelium/ in tracefs; attach with
 * bpftrace "tracepoint:mycelium:*" or raw_tp/tp_btf programs).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mycelium

#if !defined(MYC_KMOD_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define MYC_KMOD_TRACE_H

#include <linux/tracepoint.h>
#include <linux/version.h>

/* __assign_str() lost its source argument in 6.10. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define __assign_str_compat(dst, src) __assign_str(dst)
#else
#define __assign_str_compat(dst, src) __assign_str(dst, src)
#endif

TRACE_EVENT(myc_ring_create,
	TP_PROTO(const char *name, u64 capacity, u32 flags),
	TP_ARGS(name, capacity, flags),
	TP_STRUCT__entry(
		__string(name, name)
		__field(u64, capacity)
		__field(u32, flags)
	),
	TP_fast_assign(
		__assign_str_compat(name, name);
		__entry->capacity = capacity;
		__entry->flags = flags;
	),
	TP_printk("ring=%s capacity=%llu flags=0x%x", __get_str(name),
		  __entry->capacity, __entry->flags)
);

TRACE_EVENT(myc_ring_destroy,
	TP_PROTO(const char *name),
	TP_ARGS(name),
	TP_STRUCT__entry(
		__string(name, name)
	),
	TP_fast_assign(
		__assign_str_compat(name, name);
	),
	TP_printk("ring=%s", __get_str(name))
);

TRACE_EVENT(myc_wake,
	TP_PROTO(const char *name, int waiters),
	TP_ARGS(name, waiters),
	TP_STRUCT__entry(
		__string(name, name)
		__field(int, waiters)
	),
	TP_fast_assign(
		__assign_str_compat(name, name);
		__entry->waiters = waiters;
	),
	TP_printk("ring=%s waiters=%d", __get_str(name), __entry->waiters)
);

TRACE_EVENT(myc_overrun,
	TP_PROTO(const char *name, u32 slot, u64 cursor, u64 end),
	TP_ARGS(name, slot, cursor, end),
	TP_STRUCT__entry(
		__string(name, name)
		__field(u32, slot)
		__field(u64, cursor)
		__field(u64, end)
	),
	TP_fast_assign(
		__assign_str_compat(name, name);
		__entry->slot = slot;
		__entry->cursor = cursor;
		__entry->end = end;
	),
	TP_printk("ring=%s consumer=%u cursor=%llu end=%llu", __get_str(name),
		  __entry->slot, __entry->cursor, __entry->end)
);

TRACE_EVENT(myc_peer_death,
	TP_PROTO(const char *name, u32 role, u32 slot, bool recovered),
	TP_ARGS(name, role, slot, recovered),
	TP_STRUCT__entry(
		__string(name, name)
		__field(u32, role)
		__field(u32, slot)
		__field(bool, recovered)
	),
	TP_fast_assign(
		__assign_str_compat(name, name);
		__entry->role = role;
		__entry->slot = slot;
		__entry->recovered = recovered;
	),
	TP_printk("ring=%s role=%s slot=%u recovered=%d", __get_str(name),
		  __entry->role == 1 ? "producer" : "consumer", __entry->slot,
		  __entry->recovered)
);

#endif /* MYC_KMOD_TRACE_H */

/* Out-of-tree: the trace header lives next to the sources. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
