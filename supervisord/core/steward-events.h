/*
 * The core's listener list: how what is built on the core (daemon/,
 * ctl/) hears what the core does, without the core knowing it.
 *
 * The core (loop, instances, the state machine's effects) calls only
 * down.  A module above it fills in a struct steward_events with the
 * callbacks it wants (every member is optional) and subscribes it with
 * steward_subscribe() when the daemon is assembled (daemon/main.c),
 * before the loop runs.  The core calls the subscribers of an event in
 * the order they subscribed.  What a module keeps per instance or per
 * ward it keeps itself (a side table, or an opaque pointer it owns), and
 * frees in inst_free / ward_free.
 *
 * How the daemon starts and stops an instance on a person's or the
 * autostart's behalf (dependencies first) is one policy, not a list:
 * steward_set_orders().
 */
#ifndef STEWARD_STEWARD_EVENTS_H
#define STEWARD_STEWARD_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

struct steward;
struct ward_inst;
struct ward_rt;
struct ward_out;
struct ward_input;

/* Pipes a subscriber may ask for before a spawn (spawn_pipes). */
#define STEWARD_PIPE_STDIN 1u  /* the child's stdin */
#define STEWARD_PIPE_STDOUT 2u /* the child's stdout */

/* The parent's ends of the pipes asked for, for spawned; -1: none. */
struct steward_pipes {
	int stdin_w;  /* write end of the child's stdin */
	int stdout_r; /* read end of the child's stdout */
};

struct steward_events {
	/*
	 * A transition's record was written to the event log (also a
	 * spawn failure's, which no transition event follows); the
	 * instance's last_reason is not yet updated.
	 */
	void (*record)(void *ctx, struct steward *s, struct ward_inst *wi,
		       const struct ward_out *out, const struct ward_input *in);
	/* A logged transition's actions were all carried out. */
	void (*transition)(void *ctx, struct steward *s, struct ward_inst *wi,
			   const struct ward_out *out,
			   const struct ward_input *in);
	/*
	 * An order on wi (a start or stop, queued or not) was carried out
	 * or replaced, perhaps with no transition (a start of a running
	 * ward): whoever waits on wi judges again.
	 */
	void (*order_done)(void *ctx, struct steward *s, struct ward_inst *wi);

	/* Before a spawn: the STEWARD_PIPE_* the instance's process needs
	 * for this subscriber, or 0. */
	unsigned (*spawn_pipes)(void *ctx, struct steward *s,
				struct ward_inst *wi);
	/*
	 * The process exists (wi->pid).  p has the parent's ends of the
	 * pipes subscribers asked for: a subscriber takes one by copying
	 * it and setting it to -1 (then it closes it); the core closes
	 * what no one took.
	 */
	void (*spawned)(void *ctx, struct steward *s, struct ward_inst *wi,
			struct steward_pipes *p);
	/*
	 * Its process ended: a zombie still (its pid and group held), its
	 * heartbeat, notify and report pipes read and closed; the exit is
	 * fed to the state machine after this.
	 */
	void (*ended)(void *ctx, struct steward *s, struct ward_inst *wi);

	/* A ward was made, with its instances. */
	void (*ward_new)(void *ctx, struct steward *s, struct ward_rt *wr);
	/* A ward is freed (its instances were freed before). */
	void (*ward_free)(void *ctx, struct steward *s, struct ward_rt *wr);
	/* An instance with no process is freed. */
	void (*inst_free)(void *ctx, struct steward *s, struct ward_inst *wi);

	/* The loop is about to sleep, and a settle was armed
	 * (steward_settle_arm): finish what waits for transitions. */
	void (*settle)(void *ctx, struct steward *s);
	/* SIGHUP (a storm of them is one): reload, by why. */
	void (*reload)(void *ctx, struct steward *s, const char *why);
	/* stewardd begins to stop (SIGTERM, SIGINT, an essential ward). */
	void (*shutdown)(void *ctx, struct steward *s);
	/* While stopping, once no ward has a process: true keeps the loop
	 * running (something of the subscriber's still ends). */
	bool (*busy)(void *ctx, struct steward *s);
	/* The autostart queue is through. */
	void (*autostarted)(void *ctx, struct steward *s);
};

/* One subscriber on the list (struct steward's subs). */
struct steward_sub {
	const struct steward_events *ev;
	void *ctx;
};

/* Subscribe ev (which must outlive s: a static table) with ctx. */
void steward_subscribe(struct steward *s, const struct steward_events *ev,
		       void *ctx);
/* Forget every subscriber (at the end). */
void steward_unsubscribe_all(struct steward *s);

/* How the daemon starts and stops an instance, and whether a ward may
 * stop in shutdown's order; without a policy, plain steps and yes. */
struct steward_orders {
	void (*start)(struct steward *s, struct ward_inst *wi);
	void (*stop)(struct steward *s, struct ward_inst *wi);
	bool (*may_stop)(const struct ward_rt *wr);
};

void steward_set_orders(struct steward *s, const struct steward_orders *o);

/* Ask the settle subscribers to run before the loop next sleeps. */
void steward_settle_arm(struct steward *s);

#endif
