/*
 * What a reload changes: whether a ward's spec is the same in two
 * configs.
 */
#include <string.h>

#include "config/config-internal.h"

/* Compare two optional strings. */
static bool
config_str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Compare two outputs. */
static bool
config_out_eq(const struct config_output *a, const struct config_output *b)
{
	return a->kind == b->kind && config_str_eq(a->path, b->path);
}

/* Would two definitions run the same processes the same way? */
bool
config_ward_same(const struct ward_spec *a, const struct ward_spec *b)
{
	if (strcmp(a->name, b->name) != 0 || a->argc != b->argc ||
	    a->nenv != b->nenv || a->ngroups != b->ngroups ||
	    memcmp(&a->limits, &b->limits, sizeof(a->limits)) != 0)
		return false;
	for (size_t i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], b->argv[i]) != 0)
			return false;
	for (size_t i = 0; i < a->nenv; i++)
		if (strcmp(a->env[i], b->env[i]) != 0)
			return false;
	for (int i = 0; i < a->ngroups; i++)
		if (a->groups[i] != b->groups[i])
			return false;
	if ((a->procs == NULL) != (b->procs == NULL) ||
	    (a->procs != NULL && a->replicas != b->replicas) ||
	    memcmp(a->pol.success, b->pol.success, sizeof(a->pol.success)) !=
		0 ||
	    a->pol.start_retries != b->pol.start_retries ||
	    a->priority != b->priority || a->umask != b->umask ||
	    a->stop_group != b->stop_group || a->kill_group != b->kill_group)
		return false;
	for (unsigned r = 0; a->procs != NULL && r < a->replicas; r++) {
		const struct ward_proc *p = &a->procs[r], *q = &b->procs[r];

		if (p->argc != q->argc || p->nenv != q->nenv ||
		    !config_str_eq(p->directory, q->directory) ||
		    !config_out_eq(&p->out, &q->out) ||
		    !config_out_eq(&p->err, &q->err))
			return false;
		for (size_t i = 0; i < p->argc; i++)
			if (strcmp(p->argv[i], q->argv[i]) != 0)
				return false;
		for (size_t i = 0; i < p->nenv; i++)
			if (strcmp(p->env[i], q->env[i]) != 0)
				return false;
	}
	if (a->nrequires != b->nrequires || a->nafter != b->nafter ||
	    a->essential != b->essential)
		return false;
	for (size_t i = 0; i < a->nrequires; i++)
		if (strcmp(a->requires[i], b -> requires[i]) != 0)
			return false;
	for (size_t i = 0; i < a->nafter; i++)
		if (strcmp(a->after[i], b->after[i]) != 0)
			return false;
	return a->pol.heartbeat == b->pol.heartbeat &&
	       a->pol.watchdog == b->pol.watchdog &&
	       a->listen_events == b->listen_events &&
	       a->buffer_size == b->buffer_size &&
	       a->pol.restart == b->pol.restart &&
	       a->heartbeat_timeout_ms == b->heartbeat_timeout_ms &&
	       a->start_timeout_ms == b->start_timeout_ms &&
	       a->stop_timeout_ms == b->stop_timeout_ms &&
	       a->backoff_min_ms == b->backoff_min_ms &&
	       a->backoff_max_ms == b->backoff_max_ms &&
	       a->limit.burst == b->limit.burst &&
	       a->limit.period_ms == b->limit.period_ms &&
	       a->stop_signal == b->stop_signal &&
	       a->autostart == b->autostart && a->has_user == b->has_user &&
	       a->has_group == b->has_group && a->uid == b->uid &&
	       a->gid == b->gid && config_str_eq(a->directory, b->directory) &&
	       config_out_eq(&a->out, &b->out) &&
	       config_out_eq(&a->err, &b->err) &&
	       a->tail_lines == b->tail_lines && a->tail_size == b->tail_size &&
	       a->output_direct == b->output_direct;
}
