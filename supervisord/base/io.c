/*
 * One read, one write (see io.h).  Every pipe and socket stewardd and
 * stewardctl read or write is non-blocking or polled first, so the three
 * answers a caller must tell apart are the same everywhere: data, nothing
 * now, and the end (or an error).  EINTR, EAGAIN against EWOULDBLOCK, and
 * read's 0 at end of file are turned into those three here, once.
 */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/io.h"

/* See io.h. */
ssize_t
io_read(int fd, void *buf, size_t len, int flags)
{
	ssize_t n;

	do {
		n = flags == IO_READ ? read(fd, buf, len)
				     : recv(fd, buf, len, flags);
	} while (n == -1 && errno == EINTR);
	if (n > 0)
		return n;
	if (n == 0) {
		errno = 0; /* the end */
		return -1;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	return -1;
}

/* See io.h. */
ssize_t
io_write(int fd, const void *buf, size_t len, int flags)
{
	ssize_t n;

	if (len == 0)
		return 0;
	do {
		n = flags == IO_WRITE ? write(fd, buf, len)
				      : send(fd, buf, len, flags);
	} while (n == -1 && errno == EINTR);
	if (n > 0)
		return n;
	if (n == 0) {
		errno = ENOSPC; /* a file that takes nothing is full */
		return -1;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	return -1;
}
