/*
 * Unit tests for the one read and the one write (supervisord/base/io.c),
 * over real non-blocking pipes and sockets: data, nothing now, the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/io.h"

/* A pipe's read: data, then nothing now, then the end (errno 0). */
static void
test_pipe_read_data_again_end(void **state)
{
	int p[2];
	char buf[8];

	(void)state;
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	assert_int_equal(io_read(p[0], buf, sizeof(buf), IO_READ), 0);
	assert_int_equal(write(p[1], "abc", 3), 3);
	assert_int_equal(io_read(p[0], buf, sizeof(buf), IO_READ), 3);
	assert_memory_equal(buf, "abc", 3);
	assert_int_equal(io_read(p[0], buf, sizeof(buf), IO_READ), 0);
	assert_int_equal(close(p[1]), 0);
	errno = EINVAL;
	assert_int_equal(io_read(p[0], buf, sizeof(buf), IO_READ), -1);
	assert_int_equal(errno, 0);
	assert_int_equal(close(p[0]), 0);
	/* A closed descriptor is an error, with its errno. */
	assert_int_equal(io_read(p[0], buf, sizeof(buf), IO_READ), -1);
	assert_int_equal(errno, EBADF);
}

/* A full pipe takes nothing now; a pipe with no reader is EPIPE. */
static void
test_pipe_write_full_and_broken(void **state)
{
	int p[2];
	char block[4096];
	ssize_t n;
	size_t total = 0;

	(void)state;
	memset(block, 'x', sizeof(block));
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	while ((n = io_write(p[1], block, sizeof(block), IO_WRITE)) > 0)
		total += (size_t)n;
	assert_int_equal(n, 0);
	assert_true(total >= 4096);
	assert_int_equal(io_write(p[1], block, 0, IO_WRITE), 0);
	assert_int_equal(close(p[0]), 0);
	assert_int_equal(io_write(p[1], block, 1, IO_WRITE), -1);
	assert_int_equal(errno, EPIPE);
	assert_int_equal(close(p[1]), 0);
}

/* recv and send with flags: the same three answers over a socket. */
static void
test_socket_flags(void **state)
{
	int sv[2];
	char buf[8];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
			 0);
	assert_int_equal(io_read(sv[0], buf, sizeof(buf), MSG_DONTWAIT), 0);
	assert_int_equal(io_write(sv[1], "hi", 2, MSG_NOSIGNAL | MSG_DONTWAIT),
			 2);
	assert_int_equal(io_read(sv[0], buf, sizeof(buf), MSG_DONTWAIT), 2);
	assert_memory_equal(buf, "hi", 2);
	assert_int_equal(close(sv[1]), 0);
	assert_int_equal(io_read(sv[0], buf, sizeof(buf), MSG_DONTWAIT), -1);
	assert_int_equal(errno, 0);
	assert_int_equal(close(sv[0]), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pipe_read_data_again_end),
	    cmocka_unit_test(test_pipe_write_full_and_broken),
	    cmocka_unit_test(test_socket_flags),
	};

	/* EPIPE, not death by SIGPIPE, as in stewardd. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
