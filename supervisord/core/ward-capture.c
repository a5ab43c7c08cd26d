/*
 * A job replica's stdout, captured up to the job's output_limit: what
 * `stewardctl run` answers with.
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "base/io.h"
#include "core/steward.h"
#include "core/ward-capture.h"
#include "core/ward-spawn.h"

/*
 * Read a job replica's stdout: keep up to the job's output_limit, count
 * the rest (the cap is reported with the answer, never a silent cut).
 * Returns -1 at EOF or on an error.
 */
static int
spawn_capture_read(struct ward_inst *wi, size_t max)
{
	uint64_t limit = wi->ward->spec->output_limit;
	char buf[16384];
	size_t total = 0;

	while (total < max) {
		ssize_t n = io_read(wi->capture.fd, buf, sizeof(buf), IO_READ);

		if (n == 0)
			return 0;
		if (n < 0)
			return -1;
		total += (size_t)n;
		if (wi->capture.bytes < limit) {
			size_t keep = (size_t)n;

			if (wi->capture.bytes + keep > limit)
				keep = (size_t)(limit - wi->capture.bytes);
			sbuf_add(&wi->capture.buf, buf, keep);
		}
		wi->capture.bytes += (uint64_t)n;
	}
	return 0;
}

/* A job replica wrote to stdout. */
static void
spawn_capture_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ward_inst *wi = container_of(w, struct ward_inst, capture.io);

	(void)revents;
	if (spawn_capture_read(wi, 65536) == -1) {
		ev_io_stop(loop, &wi->capture.io);
		ward_spawn_close_fd(&wi->capture.fd);
	}
}

/* Read what is left of a replica's stdout, then close; see the header. */
void
ward_capture_close(struct steward *s, struct ward_inst *wi)
{
	if (wi->capture.fd < 0)
		return;
	(void)spawn_capture_read(wi, 1 << 30);
	ev_io_stop(s->loop, &wi->capture.io);
	ward_spawn_close_fd(&wi->capture.fd);
}

/* Start reading a replica's stdout; see the header. */
void
ward_capture_start(struct steward *s, struct ward_inst *wi, int fd)
{
	wi->capture.fd = fd;
	ev_io_init(&wi->capture.io, spawn_capture_cb, fd, EV_READ);
	ev_io_start(s->loop, &wi->capture.io);
}
