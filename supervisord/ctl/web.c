/*
 * The web page at "/" of the HTTP server ([inet_http_server],
 * [unix_http_server]), behind the same auth as XML-RPC.
 *
 * Routes.  GET / is the page: its table rendered here, so it reads
 * without JavaScript; GET /web/rows is the table's body alone (and a
 * summary in the X-Steward-Summary header), which the page's script
 * fetches every two seconds and puts in place; POST /web/action
 * (token, action, name: a form) starts, stops or restarts one ward
 * instance and answers 202 (303 back to "/" for a form sent without the
 * script).  Anything else under /web/ is 404, an action by any other
 * method 405.
 *
 * Cost.  A request walks every instance once (the filter and the
 * summary: a string search each) and renders at most WEB_PAGE_ROWS rows
 * (a page, ?page=N), each with its last WEB_OUT_LINES output lines from
 * core/tail.c's rings: 10,000 instances cost a walk of 10,000 labels
 * and 100 rows, never a response the size of the fleet.
 *
 * Safety.  Every value a ward or a config wrote goes through
 * html_add() (base/html.c).  The page carries a random token made when
 * the server started (getrandom(2)); an action without it is refused
 * 403, and so is one whose Origin is not the server's own or whose
 * Sec-Fetch-Site says cross-site.  On TCP the Host header must name
 * an IP address, localhost, this machine or the configured host, so a
 * page of another site that rebinds its name to this address cannot
 * read the token.  Every answer forbids framing and caching, and its
 * Content-Security-Policy lets only the page's own inline style and
 * script run (a nonce made for each page).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "base/html.h"
#include "base/parse.h"
#include "core/steward.h"
#include "core/tail.h"
#include "core/ward-output.h"
#include "ctl/http.h"
#include "ctl/web.h"
#include "daemon/job.h"
#include "web-page.h"

#define WEB_TOKEN_BYTES 16
#define WEB_TEXT "text/plain; charset=utf-8"
/* Append a string literal. */
#define WEB_LIT(b, lit) sbuf_add(b, lit, sizeof(lit) - 1)

struct web {
	struct steward *s;
	char token[2 * WEB_TOKEN_BYTES + 1];
	char *host; /* [inet_http_server]'s host, or NULL: the unix socket */
};

/* What a request asks of the table. */
struct web_view {
	char q[WEB_Q_MAX + 1]; /* the filter: name characters only */
	size_t page;           /* from 0 */
	size_t matched, pages;
	struct sbuf summary;
};

/* Random bytes as hex into out (2 * n + 1 bytes); -1 with errno. */
static int
web_random_hex(char *out, size_t n)
{
	unsigned char raw[64];
	size_t got = 0;

	if (n > sizeof(raw)) {
		errno = EINVAL;
		return -1;
	}
	while (got < n) {
		ssize_t r = getrandom(raw + got, n - got, 0);

		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		got += (size_t)r;
	}
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

/* See web.h. */
struct web *
web_new(struct steward *s, const char *host, struct err **errp)
{
	struct web *w = xcalloc(1, sizeof(*w));

	w->s = s;
	if (web_random_hex(w->token, WEB_TOKEN_BYTES) == -1) {
		*errp = ERR_SYS("cannot make the web page's token");
		free(w);
		return NULL;
	}
	w->host = host != NULL ? xstrdup(host) : NULL;
	return w;
}

/* See web.h. */
void
web_free(struct web *w)
{
	if (w == NULL)
		return;
	free(w->host);
	free(w);
}

/* See web.h. */
bool
web_route(const char *method, const char *url)
{
	if (strncmp(url, "/web/", 5) == 0)
		return true;
	return (strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0) &&
	       (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
}

/* A duration for a person: "850 ms", "4.2 s", "12 min", "3 h 5 min". */
static void
web_dur(double secs, char *buf, size_t len)
{
	long long m;

	if (secs < 0)
		secs = 0;
	if (secs < 1)
		snprintf(buf, len, "%.0f ms", secs * 1000);
	else if (secs < 60)
		snprintf(buf, len, "%.1f s", secs);
	else if ((m = (long long)(secs / 60)) < 60)
		snprintf(buf, len, "%lld min", m);
	else if (m < 48 * 60)
		snprintf(buf, len, "%lld h %lld min", m / 60, m % 60);
	else
		snprintf(buf, len, "%lld d", m / (24 * 60));
}

/*
 * A response made from b (taken), with the page's headers (see Safety
 * above); allow: the methods a 405 names.
 */
static enum MHD_Result
web_send(struct MHD_Connection *conn, unsigned status, const char *type,
	 struct sbuf *b, const char *nonce, const char *allow)
{
	char csp[400];
	struct http_header hdr[8] = {
	    /* 5, Allow, Location, the end */
	    {"Content-Security-Policy", csp},
	    {"X-Frame-Options", "DENY"},
	    {"X-Content-Type-Options", "nosniff"},
	    {"Referrer-Policy", "no-referrer"},
	    {MHD_HTTP_HEADER_CACHE_CONTROL, "no-store"},
	};
	size_t n = 5;

	snprintf(csp, sizeof(csp),
		 "default-src 'none'; style-src 'nonce-%s'; script-src "
		 "'nonce-%s'; connect-src 'self'; form-action 'self'; "
		 "frame-ancestors 'none'; base-uri 'none'",
		 nonce != NULL ? nonce : "none",
		 nonce != NULL ? nonce : "none");
	if (allow != NULL)
		hdr[n++] = (struct http_header){MHD_HTTP_HEADER_ALLOW, allow};
	if (status == MHD_HTTP_SEE_OTHER)
		hdr[n++] = (struct http_header){MHD_HTTP_HEADER_LOCATION, "/"};
	return http_respond(conn, status, type, b, hdr);
}

/* A plain text answer (a 405 allows only allow). */
__attribute__((format(printf, 4, 5))) static enum MHD_Result
web_text_allow(struct MHD_Connection *conn, unsigned status, const char *allow,
	       const char *fmt, ...)
{
	struct sbuf b = {0};
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	sbuf_addf(&b, "%s\n", msg);
	free(msg);
	return web_send(conn, status, WEB_TEXT, &b, NULL, allow);
}

#define web_text(conn, status, ...)                                            \
	web_text_allow(conn, status, NULL, __VA_ARGS__)

/*
 * The Host header, on TCP: an IP address, localhost, this machine's
 * name or the configured host (any port).  Returns NULL when allowed,
 * else the host named.
 */
static const char *
web_bad_host(const struct web *w, struct MHD_Connection *conn, char *buf,
	     size_t len)
{
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_HOST);
	char name[256], *colon;
	struct in_addr a4;

	if (w->host == NULL)
		return NULL; /* the unix socket: no browser's name */
	if (host == NULL || *host == '\0')
		return "(none)";
	if (host[0] == '[')
		return NULL; /* an IPv6 literal */
	snprintf(buf, len, "%s", host);
	if ((colon = strrchr(buf, ':')) != NULL)
		*colon = '\0';
	if (inet_pton(AF_INET, buf, &a4) == 1 ||
	    strcasecmp(buf, "localhost") == 0 ||
	    (*w->host != '\0' && strcasecmp(buf, w->host) == 0))
		return NULL;
	if (gethostname(name, sizeof(name)) == 0) {
		name[sizeof(name) - 1] = '\0';
		if (strcasecmp(buf, name) == 0)
			return NULL;
		name[strcspn(name, ".")] = '\0'; /* the short name too */
		if (strcasecmp(buf, name) == 0)
			return NULL;
	}
	return buf;
}

/* The filter and page of a GET's query. */
static void
web_view_of(struct MHD_Connection *conn, struct web_view *v)
{
	const char *q =
	    MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "q");
	const char *p =
	    MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "page");
	size_t n = 0;

	memset(v, 0, sizeof(*v));
	/* Only what a name or a state holds: nothing to escape in a link. */
	for (; q != NULL && *q != '\0' && n < WEB_Q_MAX; q++)
		if (isalnum((unsigned char)*q) || strchr("_.-:", *q) != NULL)
			v->q[n++] = *q;
	v->q[n] = '\0';
	if (p != NULL && isdigit((unsigned char)*p))
		v->page = strtoul(p, NULL, 10);
	if (v->page > 1000000)
		v->page = 1000000;
}

/* Whether an instance is one the filter shows. */
static bool
web_match(const struct web_view *v, const struct ward_inst *wi)
{
	return v->q[0] == '\0' || strstr(wi->label, v->q) != NULL ||
	       strcmp(ward_state_name(wi->sm.state), v->q) == 0;
}

/* The wards a table shows instance by instance (jobs: web_rows()). */
static bool
web_listed(const struct ward_rt *wr)
{
	return wr->run == NULL && !wr->spec->is_job;
}

/* One output line, its first WEB_LINE_MAX bytes (whole UTF-8
 * sequences) and an ellipsis when it is longer. */
static void
web_add_line(struct sbuf *b, const char *text, size_t len)
{
	size_t n = len;

	if (n > WEB_LINE_MAX) {
		n = WEB_LINE_MAX;
		while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
	}
	html_add(b, text, n);
	if (n < len)
		WEB_LIT(b, "\xe2\x80\xa6"); /* an ellipsis */
}

/* The last lines of wi's current process (else its last one). */
static void
web_add_output(struct sbuf *b, struct ward_inst *wi)
{
	struct tail_inst *t;
	struct ring *r;
	uint64_t at[TAIL_NSTREAMS], end[TAIL_NSTREAMS];
	bool prev = false;
	size_t shown = 0;

	ward_output_sync(wi); /* its bytes not cut yet */
	t = wi->tail;         /* never made here: tail_of() would */
	if (t == NULL)
		return;
	r = t->cur;
	if (ring_end(&r[0]) == ring_begin(&r[0]) &&
	    ring_end(&r[1]) == ring_begin(&r[1])) {
		r = t->prev;
		prev = true;
	}
	for (int st = 0; st < TAIL_NSTREAMS; st++) {
		at[st] = ring_last(&r[st], WEB_OUT_LINES);
		end[st] = ring_end(&r[st]);
	}
	/* Of the last lines of both streams, the last WEB_OUT_LINES. */
	{
		size_t n = (size_t)(end[0] - at[0] + end[1] - at[1]);

		while (n > WEB_OUT_LINES) {
			const struct ring_line *l0 = NULL, *l1 = NULL;
			const char *t0, *t1;

			if (at[0] < end[0])
				l0 = ring_get(&r[0], at[0], &t0);
			if (at[1] < end[1])
				l1 = ring_get(&r[1], at[1], &t1);
			if (l1 == NULL ||
			    (l0 != NULL && l0->ts_ms <= l1->ts_ms))
				at[0]++;
			else
				at[1]++;
			n--;
		}
	}
	WEB_LIT(b, "<pre class=\"out\">");
	if (prev && (at[0] < end[0] || at[1] < end[1]))
		WEB_LIT(b, "<small>(its last run)</small>");
	while (at[0] < end[0] || at[1] < end[1]) {
		const struct ring_line *l0 = NULL, *l1 = NULL, *l;
		const char *t0 = NULL, *t1 = NULL, *text;
		int st;

		if (at[0] < end[0])
			l0 = ring_get(&r[0], at[0], &t0);
		if (at[1] < end[1])
			l1 = ring_get(&r[1], at[1], &t1);
		if (l0 == NULL && l1 == NULL)
			break;
		st = l1 == NULL || (l0 != NULL && l0->ts_ms <= l1->ts_ms) ? 0
									  : 1;
		l = st == 0 ? l0 : l1;
		text = st == 0 ? t0 : t1;
		at[st]++;
		if (shown++ > 0)
			WEB_LIT(b, "\n");
		if (st == 1)
			WEB_LIT(b, "<span class=\"err\">");
		web_add_line(b, text, l->len);
		if (st == 1)
			WEB_LIT(b, "</span>");
	}
	WEB_LIT(b, "</pre>");
}

/* One instance's row. */
static void
web_add_row(struct web *w, struct sbuf *b, struct ward_inst *wi, double now,
	    uint64_t run)
{
	const struct ward_spec *spec = wi->ward->spec;
	const char *state = ward_state_name(wi->sm.state);
	bool live = steward_inst_has_pid(wi);
	char d[48], period[32];
	static const char *const acts[] = {"start", "stop", "restart"};

	WEB_LIT(b, "<tr data-name=\"");
	html_adds(b, wi->label);
	WEB_LIT(b, "\" data-state=\"");
	html_adds(b, state);
	WEB_LIT(b, "\"><td data-label=\"name\" class=\"name\">");
	html_adds(b, wi->label);
	if (run != 0)
		sbuf_addf(b, "<small>job run %llu</small></td>",
			  (unsigned long long)run);
	else
		WEB_LIT(b, "<small>ward</small></td>");
	WEB_LIT(b, "<td data-label=\"state\"><span class=\"st ");
	html_adds(b, state);
	WEB_LIT(b, "\">");
	html_adds(b, state);
	web_dur(now - wi->state_since, d, sizeof(d));
	sbuf_addf(b, "</span><small>for %s</small>", d);
	if (wi->status != NULL) {
		WEB_LIT(b, "<small class=\"status\">");
		html_adds(b, wi->status);
		WEB_LIT(b, "</small>");
	}
	WEB_LIT(b, "</td>");
	if (live)
		sbuf_addf(b, "<td data-label=\"pid\" class=\"num pid\">%d</td>",
			  (int)wi->pid);
	else
		WEB_LIT(b, "<td data-label=\"pid\" class=\"num pid\">-</td>");
	WEB_LIT(b, "<td data-label=\"beat age\" class=\"num\">");
	if (spec->pol.heartbeat == WARD_HB_NONE)
		WEB_LIT(b, "<small>no heartbeat</small>");
	else if (live && wi->beats > 0) {
		web_dur(now - wi->sm.last_beat, d, sizeof(d));
		sbuf_addf(b, "%s", d);
	} else
		WEB_LIT(b, "-");
	if (wi->work != NULL) {
		WEB_LIT(b, "<small class=\"work\">in ");
		html_adds(b, wi->work);
		WEB_LIT(b, "</small>");
	}
	sbuf_addf(b,
		  "</td><td data-label=\"restarts\" class=\"num restarts\">%u"
		  "</td>",
		  wi->sm.restarts);
	parse_format_duration(spec->limit.period_ms, period, sizeof(period));
	sbuf_addf(b,
		  "<td data-label=\"tokens\" class=\"num\">%.*f"
		  "<small>of %u/%s</small></td>",
		  spec->limit.burst < 1000 ? 1 : 0,
		  floor(bucket_tokens(&wi->sm.bucket, now) * 10) / 10,
		  spec->limit.burst, period);
	WEB_LIT(b, "<td data-label=\"last reason\" class=\"reason\">");
	if (wi->last_reason != NULL) {
		html_adds(b, ward_cause_name(wi->last_cause));
		WEB_LIT(b, ": ");
		html_adds(b, wi->last_reason);
		if (wi->last_log_id != 0)
			sbuf_addf(b, "<small>event log id %llu</small>",
				  (unsigned long long)wi->last_log_id);
	}
	WEB_LIT(b, "</td><td data-label=\"last output\">");
	web_add_output(b, wi);
	WEB_LIT(b, "</td><td data-label=\"actions\">");
	if (run == 0) {
		sbuf_addf(b,
			  "<form class=\"act\" method=\"post\" "
			  "action=\"/web/action\"><input type=\"hidden\" "
			  "name=\"token\" value=\"%s\"><input type=\"hidden\" "
			  "name=\"name\" value=\"",
			  w->token);
		html_adds(b, wi->label);
		WEB_LIT(b, "\">");
		for (size_t i = 0; i < 3; i++) {
			/* Named for a screen reader: "restart web:0". */
			sbuf_addf(b,
				  "<button name=\"action\" value=\"%s\" "
				  "aria-label=\"%s ",
				  acts[i], acts[i]);
			html_adds(b, wi->label);
			sbuf_addf(b, "\">%s</button>", acts[i]);
		}
		WEB_LIT(b, "</form>");
	} else {
		WEB_LIT(b, "<small>stewardctl cancel</small>");
	}
	WEB_LIT(b, "</td></tr>");
}

/* Whether the next row that matches is on v's page (counts it). */
static bool
web_on_page(struct web_view *v, size_t *shown)
{
	if (v->matched++ < v->page * WEB_PAGE_ROWS || *shown >= WEB_PAGE_ROWS)
		return false;
	(*shown)++;
	return true;
}

/* A job's own row: its definition, and how many of its runs are in
 * flight (their replicas have rows of their own). */
static void
web_add_job(struct sbuf *b, const struct ward_spec *spec, unsigned runs)
{
	WEB_LIT(b, "<tr data-name=\"");
	html_adds(b, spec->name);
	sbuf_addf(b, "\" data-state=\"%s\">", runs > 0 ? "running" : "idle");
	WEB_LIT(b, "<td data-label=\"name\" class=\"name\">");
	html_adds(b, spec->name);
	sbuf_addf(b,
		  "<small>job</small></td><td data-label=\"state\"><span "
		  "class=\"st %s\">%s</span><small>%u run%s in flight"
		  "</small></td>",
		  runs > 0 ? "running" : "idle", runs > 0 ? "running" : "idle",
		  runs, runs == 1 ? "" : "s");
	WEB_LIT(b, "<td data-label=\"replicas\" colspan=\"6\">");
	sbuf_addf(b, "%u replica%s a run", spec->replicas,
		  spec->replicas == 1 ? "" : "s");
	WEB_LIT(b, "</td><td data-label=\"actions\"><small>stewardctl run ");
	html_adds(b, spec->name);
	WEB_LIT(b, "</small></td></tr>");
}

/* The rows of v's page into b, and v's counts and summary: the wards'
 * instances, then each job and the replicas of its runs in flight. */
static void
web_rows(struct web *w, struct web_view *v, struct sbuf *b)
{
	struct steward *s = w->s;
	size_t count[WARD_NSTATES] = {0}, total = 0, shown = 0, jobs = 0;
	const char *sep = "";
	double now = steward_now();

	for (size_t i = 0; i < s->nwards; i++) {
		struct ward_rt *wr = s->wards[i];

		if (!web_listed(wr))
			continue;
		for (unsigned j = 0; j < wr->ninst; j++) {
			struct ward_inst *wi = wr->inst[j];

			total++;
			if ((unsigned)wi->sm.state < WARD_NSTATES)
				count[wi->sm.state]++;
			if (web_match(v, wi) && web_on_page(v, &shown))
				web_add_row(w, b, wi, now, 0);
		}
	}
	for (size_t i = 0; i < s->cfg->njobs; i++) {
		const struct ward_spec *spec = &s->cfg->jobs[i];
		struct job_run *r = NULL;
		struct ward_rt *rt;
		unsigned runs = 0;
		uint64_t id;
		bool named;

		jobs++;
		while ((r = job_next_active(s, r, &id, &rt)) != NULL)
			runs += strcmp(rt->spec->name, spec->name) == 0;
		named = v->q[0] == '\0' || strstr(spec->name, v->q) != NULL ||
			strcmp(v->q, runs > 0 ? "running" : "idle") == 0;
		if (named && web_on_page(v, &shown))
			web_add_job(b, spec, runs);
		while ((r = job_next_active(s, r, &id, &rt)) != NULL) {
			if (strcmp(rt->spec->name, spec->name) != 0)
				continue;
			for (unsigned j = 0; j < rt->ninst; j++)
				if ((named || web_match(v, rt->inst[j])) &&
				    web_on_page(v, &shown))
					web_add_row(w, b, rt->inst[j], now, id);
		}
	}
	if (shown == 0)
		sbuf_addf(b, "<tr><td colspan=\"9\">%s</td></tr>",
			  v->matched > 0 ? "no such page" : "nothing matches");
	v->pages = (v->matched + WEB_PAGE_ROWS - 1) / WEB_PAGE_ROWS;
	sbuf_addf(&v->summary, "%zu instance%s:", total, total == 1 ? "" : "s");
	for (int st = 0; st < WARD_NSTATES; st++)
		if (count[st] > 0) {
			sbuf_addf(&v->summary, "%s %zu %s", sep, count[st],
				  ward_state_name((enum ward_state)st));
			sep = ",";
		}
	if (jobs > 0)
		sbuf_addf(&v->summary, "; %zu job%s", jobs,
			  jobs == 1 ? "" : "s");
	if (v->q[0] != '\0')
		sbuf_addf(&v->summary, "; %zu match %s", v->matched, v->q);
}

/* The links to the other pages. */
static void
web_pager(const struct web_view *v, struct sbuf *b)
{
	const char *amp = v->q[0] != '\0' ? "&amp;q=" : "";

	if (v->pages <= 1)
		return;
	sbuf_addf(b, "page %zu of %zu, %d rows each: ", v->page + 1, v->pages,
		  WEB_PAGE_ROWS);
	if (v->page > 0)
		sbuf_addf(b, "<a href=\"/?page=%zu%s%s\">previous</a>",
			  v->page - 1, amp, v->q);
	if (v->page + 1 < v->pages)
		sbuf_addf(b, "<a href=\"/?page=%zu%s%s\">next</a>", v->page + 1,
			  amp, v->q);
}

/* What the page's @NAME@ marks become. */
struct web_marks {
	const char *nonce, *token, *host, *now;
	const struct web_view *v;
	const struct sbuf *pager, *rows;
};

/* One line of the page into b, its marks filled. */
static void
web_fill(struct sbuf *b, const char *p, const struct web_marks *m)
{
	const char *mark;

	while ((mark = strchr(p, '@')) != NULL) {
		const char *end = strchr(mark + 1, '@');
		size_t n;

		sbuf_add(b, p, (size_t)(mark - p));
		if (end == NULL) {
			p = mark;
			break;
		}
		n = (size_t)(end - mark - 1);
#define MARK(name) (n == strlen(name) && memcmp(mark + 1, name, n) == 0)
		if (MARK("NONCE"))
			sbuf_add(b, m->nonce, strlen(m->nonce));
		else if (MARK("TOKEN"))
			sbuf_add(b, m->token, strlen(m->token));
		else if (MARK("HOST"))
			html_adds(b, m->host);
		else if (MARK("NOW"))
			html_adds(b, m->now);
		else if (MARK("SUMMARY"))
			html_add(b, m->v->summary.s ? m->v->summary.s : "",
				 m->v->summary.len);
		else if (MARK("Q"))
			html_adds(b, m->v->q);
		else if (MARK("PAGER"))
			sbuf_add(b, m->pager->s ? m->pager->s : "",
				 m->pager->len);
		else if (MARK("ROWS"))
			sbuf_add(b, m->rows->s ? m->rows->s : "", m->rows->len);
		else {
			sbuf_add(b, mark, 1); /* not a mark: "@" as it is */
			p = mark + 1;
			continue;
		}
#undef MARK
		p = end + 1;
	}
	sbuf_add(b, p, strlen(p));
}

/* GET /: the page, its marks filled. */
static enum MHD_Result
web_page(struct web *w, struct MHD_Connection *conn)
{
	struct web_view v;
	struct sbuf rows = {0}, pager = {0}, b = {0};
	char nonce[2 * WEB_TOKEN_BYTES + 1], host[256], now[64];
	time_t t = time(NULL);
	struct tm tm;

	if (web_random_hex(nonce, WEB_TOKEN_BYTES) == -1)
		return web_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				"cannot make a nonce: %s", strerror(errno));
	web_view_of(conn, &v);
	web_rows(w, &v, &rows);
	web_pager(&v, &pager);
	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "?");
	host[sizeof(host) - 1] = '\0';
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(now, sizeof(now), "%H:%M:%S", &tm) == 0)
		snprintf(now, sizeof(now), "now");
	for (size_t i = 0; i < sizeof(web_page_lines) / sizeof(*web_page_lines);
	     i++)
		web_fill(&b, web_page_lines[i],
			 &(struct web_marks){.nonce = nonce,
					     .token = w->token,
					     .host = host,
					     .now = now,
					     .v = &v,
					     .pager = &pager,
					     .rows = &rows});
	sbuf_free(&rows);
	sbuf_free(&pager);
	sbuf_free(&v.summary);
	return web_send(conn, MHD_HTTP_OK, "text/html; charset=utf-8", &b,
			nonce, NULL);
}

/* GET /web/rows: the table's body, the summary in a header. */
static enum MHD_Result
web_rows_answer(struct web *w, struct MHD_Connection *conn)
{
	struct web_view v;
	struct sbuf b = {0};
	enum MHD_Result rc;

	web_view_of(conn, &v);
	web_rows(w, &v, &b);
	sbuf_add(&v.summary, "", 1); /* a NUL */
	rc = http_respond(conn, MHD_HTTP_OK, "text/html; charset=utf-8", &b,
			  (const struct http_header[]){
			      {"X-Steward-Summary", v.summary.s},
			      {"Content-Security-Policy", "default-src 'none'"},
			      {"X-Content-Type-Options", "nosniff"},
			      {MHD_HTTP_HEADER_CACHE_CONTROL, "no-store"},
			      {NULL, NULL},
			  });
	sbuf_free(&v.summary);
	return rc;
}

/* An action's form fields, as libmicrohttpd's post processor reads them. */
struct web_form {
	char token[2 * WEB_TOKEN_BYTES + 1];
	char action[16];
	char name[96];
	bool too_long;
};

static enum MHD_Result
web_form_field(void *cls, enum MHD_ValueKind kind, const char *key,
	       const char *filename, const char *content_type,
	       const char *transfer_encoding, const char *data, uint64_t off,
	       size_t size)
{
	struct web_form *f = cls;
	char *dst;
	size_t cap;

	(void)kind;
	(void)filename;
	(void)content_type;
	(void)transfer_encoding;
	if (strcmp(key, "token") == 0)
		dst = f->token, cap = sizeof(f->token);
	else if (strcmp(key, "action") == 0)
		dst = f->action, cap = sizeof(f->action);
	else if (strcmp(key, "name") == 0)
		dst = f->name, cap = sizeof(f->name);
	else
		return MHD_YES; /* not ours: ignored */
	if (off + size >= cap) {
		f->too_long = true;
		return MHD_YES;
	}
	memcpy(dst + off, data, size);
	dst[off + size] = '\0';
	return MHD_YES;
}

/* The instance of a ward (not a job) labelled name, or NULL. */
static struct ward_inst *
web_find(struct steward *s, const char *name)
{
	for (size_t i = 0; i < s->nwards; i++) {
		struct ward_rt *wr = s->wards[i];

		if (!web_listed(wr))
			continue;
		for (unsigned j = 0; j < wr->ninst; j++)
			if (strcmp(wr->inst[j]->label, name) == 0)
				return wr->inst[j];
	}
	return NULL;
}

/* Whether a POST comes from the page itself; see web.h. */
const char *
web_cross_site(struct MHD_Connection *conn)
{
	const char *origin =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	const char *site = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						       "Sec-Fetch-Site");
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_HOST);

	if (site != NULL && strcmp(site, "same-origin") != 0 &&
	    strcmp(site, "none") != 0)
		return "Sec-Fetch-Site is not same-origin";
	if (origin == NULL)
		return NULL; /* not a browser's request: the token decides */
	if (host == NULL)
		return "an Origin without a Host";
	if (strncmp(origin, "http://", 7) == 0 && strcmp(origin + 7, host) == 0)
		return NULL;
	if (strncmp(origin, "https://", 8) == 0 &&
	    strcmp(origin + 8, host) == 0)
		return NULL;
	return "its Origin is not this server";
}

/* The web_action record: what was asked of which instance, by whom. */
static void
web_log_action(struct web *w, struct MHD_Connection *conn, const char *action,
	       const struct ward_inst *wi)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char host[NI_MAXHOST] = "unix";
	char *pass = NULL;
	char *user = MHD_basic_auth_get_username_password(conn, &pass);
	struct evlog_rec r;

	if (ci != NULL && ci->client_addr != NULL &&
	    (ci->client_addr->sa_family == AF_INET ||
	     ci->client_addr->sa_family == AF_INET6) &&
	    getnameinfo(ci->client_addr,
			ci->client_addr->sa_family == AF_INET
			    ? sizeof(struct sockaddr_in)
			    : sizeof(struct sockaddr_in6),
			host, sizeof(host), NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(host, sizeof(host), "?");
	evlog_begin(&r, w->s->log, EVLOG_INFO, "web_action");
	evlog_str(&r, "action", action);
	evlog_str(&r, "ward", wi->ward->spec->name);
	evlog_int(&r, "replica", wi->replica);
	evlog_str(&r, "peer", host);
	if (user != NULL)
		evlog_str(&r, "user", user);
	evlog_commit(&r);
	MHD_free(user);
	MHD_free(pass);
}

/* POST /web/action: check, then order the instance. */
static enum MHD_Result
web_action(struct web *w, struct MHD_Connection *conn, const char *body,
	   size_t len)
{
	struct web_form f = {{0}};
	const char *why, *hdr;
	struct MHD_PostProcessor *pp;
	struct ward_inst *wi;
	bool fetched;

	if ((why = web_cross_site(conn)) != NULL)
		return web_text(conn, MHD_HTTP_FORBIDDEN,
				"refused: a request from another site (%s)",
				why);
	pp = MHD_create_post_processor(conn, 1024, web_form_field, &f);
	if (pp != NULL) {
		if (len > 0 && MHD_post_process(pp, body, len) == MHD_NO)
			f.too_long = true;
		MHD_destroy_post_processor(pp);
	}
	hdr = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					  "X-Steward-Token");
	if (hdr != NULL && f.token[0] == '\0')
		snprintf(f.token, sizeof(f.token), "%s", hdr);
	if (f.token[0] == '\0' || !http_same(f.token, w->token))
		return web_text(
		    conn, MHD_HTTP_FORBIDDEN,
		    "refused: %s the page's token (reload the page)",
		    f.token[0] == '\0' ? "without" : "not");
	if (f.too_long || f.name[0] == '\0' ||
	    (strcmp(f.action, "start") != 0 && strcmp(f.action, "stop") != 0 &&
	     strcmp(f.action, "restart") != 0))
		return web_text(conn, MHD_HTTP_BAD_REQUEST,
				"cannot act: expected a form with action "
				"start, stop or restart and the name of a "
				"ward instance");
	if ((wi = web_find(w->s, f.name)) == NULL) {
		struct sbuf b = {0};

		WEB_LIT(&b, "no ward instance is named ");
		html_adds(&b, f.name);
		WEB_LIT(&b, "\n");
		return web_send(conn, MHD_HTTP_NOT_FOUND, WEB_TEXT, &b, NULL,
				NULL);
	}
	if (w->s->stopping)
		return web_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
				"refused: stewardd is shutting down");
	web_log_action(w, conn, f.action, wi);
	if (strcmp(f.action, "start") == 0)
		steward_pace_start(w->s, wi);
	else if (strcmp(f.action, "stop") == 0)
		steward_pace_stop(w->s, wi, NULL);
	else
		steward_step(w->s, wi, WEV_RESTART);
	hdr = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					  "X-Requested-With");
	fetched = hdr != NULL;
	if (!fetched) {
		struct sbuf b = {0};

		return web_send(conn, MHD_HTTP_SEE_OTHER, WEB_TEXT, &b, NULL,
				NULL);
	}
	return web_text(conn, MHD_HTTP_ACCEPTED, "%s %s: ordered", f.action,
			wi->label);
}

/* See web.h. */
enum MHD_Result
web_answer(struct web *w, struct MHD_Connection *conn, const char *url,
	   const char *method, const char *body, size_t len)
{
	char buf[256];
	const char *bad = web_bad_host(w, conn, buf, sizeof(buf));

	if (bad != NULL)
		return web_text(conn, MHD_HTTP_FORBIDDEN,
				"refused: Host %s is not this server's name "
				"(expected an IP address, localhost, this "
				"machine's name%s%s)",
				bad, *w->host ? " or " : "", w->host);
	if (strcmp(url, "/web/action") == 0) {
		if (strcmp(method, "POST") != 0)
			return web_text_allow(
			    conn, MHD_HTTP_METHOD_NOT_ALLOWED, "POST",
			    "an action is a POST from the page");
		return web_action(w, conn, body, len);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return web_text_allow(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				      "GET, HEAD", "%s is read with GET", url);
	if (strcmp(url, "/web/rows") == 0)
		return web_rows_answer(w, conn);
	if (strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0)
		return web_page(w, conn);
	return web_text(conn, MHD_HTTP_NOT_FOUND,
			"no such page; the web page is at /");
}
