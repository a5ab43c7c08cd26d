/*
 * One read, one write: the quirks of a non-blocking descriptor
 * normalised once (io.c), as skalibs' sanitize_read does.
 */
#ifndef STEWARD_IO_H
#define STEWARD_IO_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Read up to len bytes from fd (recv(2) with flags when flags is not
 * IO_READ).  EINTR is retried.  Returns the bytes read (> 0); 0 when
 * nothing waits now (EAGAIN or EWOULDBLOCK: wait until fd is readable);
 * -1 at end of file, with errno 0, or on an error, with errno set.
 */
#define IO_READ (-1)
ssize_t io_read(int fd, void *buf, size_t len, int flags);

/*
 * Write up to len bytes to fd (send(2) with flags when flags is not
 * IO_WRITE).  EINTR is retried.  Returns the bytes written (> 0); 0 when
 * fd takes nothing now (EAGAIN or EWOULDBLOCK, or len is 0); -1 on an
 * error, with errno set (EPIPE: the reader is gone; ENOSPC also when a
 * file took nothing).
 */
#define IO_WRITE (-1)
ssize_t io_write(int fd, const void *buf, size_t len, int flags);

#endif
