/*
 * stewardctl log: reading the event log.
 *
 * "log" reads the file itself, a line at a time, so it works without a
 * daemon; only the path may come from "info".  A line that is not a JSON
 * object is skipped and counted.  -f polls the file every CTL_FOLLOW_MS
 * and reopens the path when it names another file (rotation, by device
 * and inode) or the file shrinks (truncation).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "proto/ctl-proto.h"
#include "base/err.h"
#include "cli/json-read.h"
#include "cli/stewardctl.h"

volatile sig_atomic_t stewardctl_log_interrupted;

/* ---------------------------------------------------------------- */
/* The event log                                                    */
/* ---------------------------------------------------------------- */

/* The events "log" shows when no --event is given. */
static const char *const stewardctl_log_default_events[] = {
    "stopping", "killing",           "backoff",     "failed",
    "exited",   "heartbeat_invalid", "events_lost",
};

/* Where the log is read from, what is shown, and what was seen. */
struct stewardctl_log {
	struct stewardctl_ctx *c;
	struct stewardctl_args *a;
	char *path;
	char *how;
	int64_t cutoff_ms; /* --since: records at or after this wall time */
	bool long_time;    /* dates shown: the output reaches before today */
	bool started;      /* the header is printed */
	size_t shown;
	size_t malformed;
	size_t nlines;
	char *chain_seen; /* --id: the last chain printed, by its sites */
};

/* Parse an RFC 3339 UTC timestamp "2026-11-26T23:18:51.123Z" to ms. */
static int
stewardctl_log_parse_ts(const char *ts, int64_t *ms)
{
	struct tm tm = {0};
	int ms_part = 0, used = 0;
	time_t t;

	if (ts == NULL || sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year,
				 &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
				 &tm.tm_min, &tm.tm_sec, &used) != 6)
		return -1;
	ts += used;
	if (*ts == '.') {
		int digits = 0;

		for (ts++; *ts >= '0' && *ts <= '9'; ts++, digits++)
			if (digits < 3)
				ms_part = ms_part * 10 + (*ts - '0');
		for (; digits < 3; digits++)
			ms_part *= 10;
	}
	if (strcmp(ts, "Z") != 0)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	*ms = (int64_t)t * 1000 + ms_part;
	return 0;
}

/* Local time of a record: "23:18:51", with the date when asked. */
static void
stewardctl_log_time(const char *ts, bool with_date, bool zone, char *buf,
		    size_t len)
{
	int64_t ms;
	time_t t;
	struct tm tm;
	size_t n;

	if (stewardctl_log_parse_ts(ts, &ms) == -1) {
		snprintf(buf, len, "?");
		return;
	}
	t = (time_t)(ms / 1000);
	if (localtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "?");
		return;
	}
	if (zone)
		n = strftime(buf, len, "%Y-%m-%d %H:%M:%S %Z", &tm);
	else if (with_date)
		n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	else
		n = strftime(buf, len, "%H:%M:%S", &tm);
	if (n == 0)
		snprintf(buf, len, "?");
}

/* Whether a record's local date is today's. */
static bool
stewardctl_log_is_today(const char *ts)
{
	int64_t ms;
	time_t t, now = time(NULL);
	struct tm a, b;

	if (stewardctl_log_parse_ts(ts, &ms) == -1)
		return true;
	t = (time_t)(ms / 1000);
	if (localtime_r(&t, &a) == NULL || localtime_r(&now, &b) == NULL)
		return true;
	return a.tm_year == b.tm_year && a.tm_yday == b.tm_yday;
}

/* Whether word is in a list given with --ward or --event. */
static bool
stewardctl_log_in_list(char **list, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++)
		if (word != NULL && strcmp(list[i], word) == 0)
			return true;
	return false;
}

/* Whether a record passes the filters of the command line. */
static bool
stewardctl_log_match(const struct stewardctl_log *l, const json_t *rec)
{
	const struct stewardctl_args *a = l->a;
	const char *event = json_string_value(json_object_get(rec, "event"));
	const char *level = json_string_value(json_object_get(rec, "level"));
	int64_t ms, id;

	if (a->has_id)
		return json_read_int(json_object_get(rec, "log_id"), &id) ==
			   0 &&
		       id == a->id;
	if (a->nevents > 0) {
		if (!stewardctl_log_in_list(a->events, a->nevents, event))
			return false;
	} else if (!stewardctl_log_in_list(
		       (char **)stewardctl_log_default_events,
		       sizeof(stewardctl_log_default_events) /
			   sizeof(stewardctl_log_default_events[0]),
		       event) &&
		   (level == NULL || strcmp(level, "error") != 0) &&
		   json_object_get(rec, "error") == NULL)
		return false;
	if (a->nwards > 0) {
		const char *ward =
		    json_string_value(json_object_get(rec, "ward"));
		char *label = stewardctl_label(rec);
		bool hit = stewardctl_log_in_list(a->wards, a->nwards, ward) ||
			   stewardctl_log_in_list(a->wards, a->nwards, label);

		free(label);
		if (!hit)
			return false;
	}
	if (a->has_since &&
	    (stewardctl_log_parse_ts(
		 json_string_value(json_object_get(rec, "ts")), &ms) == -1 ||
	     ms < l->cutoff_ms))
		return false;
	return true;
}

/* One member of a record or layer as "key=value" (value cleaned). */
static char *
stewardctl_log_member_text(const char *key, const json_t *m)
{
	char *v, *s;

	if (json_is_string(m))
		v = stewardctl_clean(json_string_value(m), 0);
	else if (json_is_number(m))
		v = stewardctl_status_number_text(m);
	else if (json_is_boolean(m))
		v = xstrdup(json_is_true(m) ? "true" : "false");
	else if (json_is_null(m))
		v = xstrdup("null");
	else
		v = xstrdup("...");
	s = xasprintf("%s=%s", key, v);
	free(v);
	return s;
}

/* One layer of an error chain: message, errno, fields (left part). */
static char *
stewardctl_log_layer_text(const json_t *layer)
{
	json_t *fields = json_object_get(layer, "fields"), *m;
	const char *se = json_string_value(json_object_get(layer, "strerror"));
	const char *en = json_string_value(json_object_get(layer, "errname"));
	const char *key;
	struct sbuf b = {0};
	size_t i = 0;
	char *s;

	s = stewardctl_clean(json_string_value(json_object_get(layer, "msg")),
			     0);
	sbuf_addf(&b, "%s", s);
	free(s);
	if (se != NULL) {
		sbuf_addf(&b, ": %s", se);
		if (en != NULL)
			sbuf_addf(&b, " (%s)", en);
	}
	json_object_foreach(fields, key, m)
	{
		s = stewardctl_log_member_text(key, m);
		sbuf_addf(&b, "%s%s", i++ == 0 ? "  {" : ", ", s);
		free(s);
	}
	if (i > 0)
		sbuf_add(&b, "}", 1);
	s = stewardctl_clean(b.s, 0);
	sbuf_free(&b);
	return s;
}

/* --id N: the record with its whole error chain, a layer a line. */
static void
stewardctl_log_detail(struct stewardctl_log *l, json_t *rec)
{
	static const char *const shown[] = {
	    "ts",     "level",   "event", "ward",   "replica",
	    "reason", "message", "error", "log_id", "last_words"};
	const json_t *chain = json_object_get(rec, "error");
	const char *reason = json_string_value(json_object_get(rec, "reason"));
	const char *event = json_string_value(json_object_get(rec, "event"));
	char when[64], *label = stewardctl_label(rec), *s, **left;
	size_t width = 0, n = json_array_size(chain);
	struct sbuf b = {0};
	const char *key;
	json_t *m;

	if (l->shown++ > 0)
		putchar('\n');
	stewardctl_log_time(json_string_value(json_object_get(rec, "ts")), true,
			    true, when, sizeof(when));
	s = stewardctl_clean(event ? event : "?", 0);
	printf("log %" PRId64 "  %s  ", l->a->id, when);
	stewardctl_cell(l->c, s, 0, false, stewardctl_color(event));
	printf("  %s\n", label);
	free(s);
	s = stewardctl_clean(
	    reason ? reason
		   : json_string_value(json_object_get(rec, "message")),
	    0);
	printf("%s\n", s);
	free(s);
	json_object_foreach(rec, key, m)
	{
		if (stewardctl_log_in_list(
			(char **)shown, sizeof(shown) / sizeof(shown[0]), key))
			continue;
		s = stewardctl_log_member_text(key, m);
		sbuf_addf(&b, "%s%s", b.len ? " " : "", s);
		free(s);
	}
	if (b.s != NULL)
		printf("  %s\n", b.s);
	sbuf_free(&b);
	if (n == 0) {
		printf("  (no error chain: this record is not an error)\n");
		free(label);
		return;
	}
	/* One failure is logged at each step (stopping, backoff): print
	 * its chain once. */
	for (size_t i = 0; i < n; i++) {
		const char *msg = json_string_value(
		    json_object_get(json_array_get(chain, i), "msg"));
		const char *at = json_string_value(
		    json_object_get(json_array_get(chain, i), "at"));

		sbuf_addf(&b, "%s@%s\n", msg ? msg : "", at ? at : "");
	}
	if (l->chain_seen != NULL && b.s != NULL &&
	    strcmp(l->chain_seen, b.s) == 0) {
		printf("  error chain: the same as above\n");
		sbuf_free(&b);
		free(label);
		return;
	}
	free(l->chain_seen);
	l->chain_seen = b.s;
	printf("  error chain, outermost first, with where each layer was "
	       "added:\n");
	left = xcalloc(n, sizeof(*left));
	for (size_t i = 0; i < n; i++) {
		left[i] = stewardctl_log_layer_text(json_array_get(chain, i));
		if (stewardctl_cols(left[i]) > width &&
		    stewardctl_cols(left[i]) <= 56)
			width = stewardctl_cols(left[i]);
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *layer = json_array_get(chain, i);
		char *at = stewardctl_clean(
		    json_string_value(json_object_get(layer, "at")), 0);
		char *fn = stewardctl_clean(
		    json_string_value(json_object_get(layer, "func")), 0);

		printf("    ");
		stewardctl_cell(l->c, left[i], width, false, NULL);
		printf("  %s %s\n", at[0] ? at : "?", fn);
		free(at);
		free(fn);
		free(left[i]);
	}
	free(left);
	free(label);
}

/* One row of the default table: TIME WARD EVENT REASON. */
static void
stewardctl_log_row(struct stewardctl_log *l, const json_t *rec)
{
	const char *ts = json_string_value(json_object_get(rec, "ts"));
	const char *event = json_string_value(json_object_get(rec, "event"));
	const char *reason = json_string_value(json_object_get(rec, "reason"));
	char when[48], *label = stewardctl_label(rec), *ev, *why;
	int64_t id;
	struct sbuf b = {0};

	if (!l->started) {
		/* The first row decides: dates shown when it is not today. */
		l->long_time = !stewardctl_log_is_today(ts);
		l->started = true;
		if (l->c->color)
			fputs(CTL_BOLD, stdout);
		printf("%-*s  %-12s  %-11s  %s", l->long_time ? 19 : 8, "TIME",
		       "WARD", "EVENT", "REASON");
		if (l->c->color)
			fputs(CTL_RESET, stdout);
		putchar('\n');
	}
	stewardctl_log_time(ts, l->long_time || !stewardctl_log_is_today(ts),
			    false, when, sizeof(when));
	ev = stewardctl_clean(event ? event : "?", 0);
	if (reason == NULL)
		reason = json_string_value(json_object_get(rec, "message"));
	sbuf_addf(&b, "%s", reason ? reason : "");
	if (json_read_int(json_object_get(rec, "log_id"), &id) == 0)
		sbuf_addf(&b, "%s[log %" PRId64 "]", b.len ? " " : "", id);
	why = stewardctl_clean(b.s ? b.s : "", 0);
	stewardctl_cell(l->c, when, l->long_time ? 19 : 8, false, NULL);
	printf("  ");
	stewardctl_cell(l->c, label, 12, false, NULL);
	printf("  ");
	stewardctl_cell(l->c, ev, 11, false, stewardctl_color(event));
	printf("  %s\n", why);
	l->shown++;
	free(label);
	free(ev);
	free(why);
	sbuf_free(&b);
}

/* Judge and show one line of the log. */
static void
stewardctl_log_line(struct stewardctl_log *l, const char *line, size_t len)
{
	json_t *rec;

	l->nlines++;
	if (len == 0)
		return;
	rec = json_read_doc(line, len, NULL);
	if (rec == NULL || !json_is_object(rec)) {
		l->malformed++;
		json_decref(rec);
		return;
	}
	if (stewardctl_log_match(l, rec)) {
		if (l->a->json) {
			fwrite(line, 1, len, stdout);
			putchar('\n');
			l->shown++;
		} else if (l->a->has_id)
			stewardctl_log_detail(l, rec);
		else
			stewardctl_log_row(l, rec);
	}
	json_decref(rec);
}

/*
 * Hand every complete line in buf to stewardctl_log_line() and keep the rest.
 * A line longer than CTL_LOG_LINE_MAX is dropped (counted malformed)
 * up to its newline; *skipping says we are inside one.
 */
static void
stewardctl_log_lines(struct stewardctl_log *l, struct sbuf *buf, bool *skipping)
{
	size_t start = 0;
	char *nl;

	while ((nl = memchr(buf->s + start, '\n', buf->len - start)) != NULL) {
		size_t len = (size_t)(nl - (buf->s + start));

		if (*skipping) {
			*skipping = false;
			l->nlines++;
		} else
			stewardctl_log_line(l, buf->s + start, len);
		start += len + 1;
	}
	if (buf->len - start > CTL_LOG_LINE_MAX) {
		if (!*skipping)
			l->malformed++;
		*skipping = true;
		start = buf->len;
	}
	memmove(buf->s, buf->s + start, buf->len - start);
	buf->len -= start;
	if (buf->s != NULL)
		buf->s[buf->len] = '\0';
}

/* Read what fd has now; -1 on a read error (message printed). */
static int
stewardctl_log_drain(struct stewardctl_log *l, int fd, struct sbuf *buf,
		     bool *skipping)
{
	char chunk[65536];

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n == -1 && errno == EINTR && !stewardctl_log_interrupted)
			continue;
		if (n == -1 && errno == EINTR)
			return 0;
		if (n == -1) {
			fprintf(stderr,
				"stewardctl: cannot read the event log "
				"%s: %s\n",
				l->path, strerror(errno));
			return -1;
		}
		if (n == 0)
			return 0;
		sbuf_add(buf, chunk, (size_t)n);
		stewardctl_log_lines(l, buf, skipping);
	}
}

/* SIGINT and SIGTERM end "log -f" (exit 0). */
static void
stewardctl_log_on_signal(int sig)
{
	(void)sig;
	stewardctl_log_interrupted = 1;
}

/* Catch SIGINT and SIGTERM (no SA_RESTART: they interrupt the wait). */
int
stewardctl_log_catch_signals(void)
{
	struct sigaction sa = {.sa_handler = stewardctl_log_on_signal};

	if (sigemptyset(&sa.sa_mask) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1) {
		fprintf(stderr, "stewardctl: cannot catch SIGINT: %s\n",
			strerror(errno));
		return EX_SOFTWARE;
	}
	return 0;
}

/* Open the log; the message says how its path was found. */
static int
stewardctl_log_open(const struct stewardctl_log *l, int *fdp, struct stat *st)
{
	int fd = open(l->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd == -1 || fstat(fd, st) == -1) {
		fprintf(stderr,
			"stewardctl: cannot read the event log %s (%s): "
			"%s\n",
			l->path, l->how, strerror(errno));
		if (fd != -1)
			stewardctl_close(fd);
		return EX_NOINPUT;
	}
	*fdp = fd;
	return 0;
}

/*
 * -f: every CTL_FOLLOW_MS read what was added; when the path names
 * another file (rotated), finish the old one and start the new one at
 * its beginning; when the file shrank (truncated), start over.
 */
static int
stewardctl_log_follow(struct stewardctl_log *l, int fd, struct stat *cur,
		      struct sbuf *buf, bool *skipping)
{
	while (!stewardctl_log_interrupted) {
		struct stat now, path;
		off_t pos;

		if (fflush(stdout) == EOF)
			return EX_SOFTWARE;
		if (poll(NULL, 0, CTL_FOLLOW_MS) == -1 && errno != EINTR)
			return EX_SOFTWARE;
		if (stewardctl_log_interrupted)
			break;
		if (fstat(fd, &now) == -1 ||
		    (pos = lseek(fd, 0, SEEK_CUR)) == -1) {
			fprintf(stderr, "stewardctl: cannot follow %s: %s\n",
				l->path, strerror(errno));
			return EX_SOFTWARE;
		}
		if (now.st_size < pos) {
			/* Truncated in place: read it again from the top. */
			if (lseek(fd, 0, SEEK_SET) == -1)
				return EX_SOFTWARE;
			buf->len = 0;
			*skipping = false;
		}
		if (now.st_size != pos &&
		    stewardctl_log_drain(l, fd, buf, skipping) == -1)
			return EX_SOFTWARE;
		if (stat(l->path, &path) == -1 ||
		    (path.st_dev == cur->st_dev && path.st_ino == cur->st_ino))
			continue; /* gone for now, or the same file */
		/* Rotated: finish the old file, then switch. */
		if (stewardctl_log_drain(l, fd, buf, skipping) == -1)
			return EX_SOFTWARE;
		stewardctl_close(fd);
		buf->len = 0;
		*skipping = false;
		if (stewardctl_log_open(l, &fd, cur) != 0)
			return EX_NOINPUT;
	}
	stewardctl_close(fd);
	return 0;
}

/*
 * Where the event log is: --file, else stewardd's "info", else -c
 * FILE's [steward] event_log.
 */
static int
stewardctl_log_find(struct stewardctl_log *l)
{
	struct stewardctl_ctx *c = l->c;
	struct stewardctl_reply r;
	struct err *e = NULL;
	const char *p;
	int rc;

	if (l->a->file != NULL) {
		l->path = xstrdup(l->a->file);
		l->how = xstrdup("given with --file");
		return 0;
	}
	rc = stewardctl_client_call(c, "info", NULL, 0, CTL_HEALTH_TIMEOUT_MS,
				    false, &r, &e);
	if (rc == 0 && (rc = stewardctl_client_reply_status(&r, &e)) == 0) {
		p = json_string_value(json_object_get(
		    json_object_get(r.doc, "daemon"), "event_log"));
		if (p == NULL) {
			e = ERR_NEW("stewardd's info reply has no "
				    "\"event_log\"");
			rc = EX_DATAERR;
		} else {
			l->path = xstrdup(p);
			l->how =
			    xasprintf("stewardd's event_log, from %s", c->sock);
		}
	}
	stewardctl_client_reply_free(&r);
	if (rc != 0 && c->config_opt != NULL) {
		err_free(e);
		e = NULL;
		if ((rc = stewardctl_client_load_config(c, &e)) != 0)
			return stewardctl_fail(rc, e, NULL);
		l->path = xstrdup(c->cfg->event_log);
		l->how = xasprintf("[steward] event_log in %s", c->config_opt);
	}
	if (rc != 0) {
		return stewardctl_fail(
		    rc,
		    ERR_WRAP(e, "cannot find the event log (use --file PATH "
				"or -c FILE)"),
		    NULL);
	}
	err_free(e);
	if (strcmp(l->path, "-") == 0) {
		fprintf(stderr,
			"stewardctl: cannot read the event log: it "
			"goes to stewardd's standard error (event_log "
			"= -, %s), which stewardctl cannot read; read "
			"it where stewardd's stderr goes (journalctl, "
			"docker logs), or set [steward] event_log to a "
			"file\n",
			l->how);
		return EX_NOINPUT;
	}
	return 0;
}

/* log [--ward W] [--event E] [--since D] [--id N] [-f] [--json] [--file P] */
int
stewardctl_log_cmd(struct stewardctl_ctx *c, const struct ctl_cmd_def *cmd,
		   struct stewardctl_args *a)
{
	struct stewardctl_log l = {.c = c, .a = a};
	struct sbuf buf = {0};
	bool skipping = false;
	struct stat st;
	int fd = -1, rc;

	if (a->has_id && a->follow)
		return stewardctl_usage(cmd->name,
					"--id and -f do not go together");
	if (a->has_since)
		l.cutoff_ms = stewardctl_wall_ms() - a->since_ms;
	if ((rc = stewardctl_log_find(&l)) != 0 ||
	    (rc = stewardctl_log_open(&l, &fd, &st)) != 0)
		goto out;
	if (a->follow && (rc = stewardctl_log_catch_signals()) != 0)
		goto out;
	if (stewardctl_log_drain(&l, fd, &buf, &skipping) == -1) {
		rc = EX_SOFTWARE;
		goto out;
	}
	if (a->follow) {
		rc = stewardctl_log_follow(&l, fd, &st, &buf, &skipping);
		fd = -1;
	} else if (buf.len > 0 && !skipping)
		stewardctl_log_line(&l, buf.s,
				    buf.len); /* a last line, unfinished */
	if (l.malformed > 0)
		fprintf(stderr,
			"stewardctl: skipped %zu malformed line%s (of "
			"%zu) in %s: not a JSON object, or longer than "
			"4 MiB\n",
			l.malformed, l.malformed == 1 ? "" : "s", l.nlines,
			l.path);
	if (rc == 0 && a->has_id && l.shown == 0) {
		fprintf(stderr,
			"stewardctl: cannot show log %" PRId64 ": no "
			"record has that log_id in %s (%s)\n",
			a->id, l.path, l.how);
		rc = CTL_EX_FAILED;
	}
	if (rc == 0 && l.shown == 0 && !a->json && !a->follow)
		printf("(no matching records in %s)\n", l.path);
out:
	if (fd >= 0)
		stewardctl_close(fd);
	sbuf_free(&buf);
	free(l.path);
	free(l.how);
	free(l.chain_seen);
	return rc;
}
