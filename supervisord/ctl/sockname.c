/*
 * The name of a listening unix socket, made stewardd's before it binds.
 *
 * The control socket and the [unix_http_server] socket are bound by
 * path (there is no descriptor form of bind), in a directory the path
 * rule has checked (safepath.c).  What is already at that name is looked
 * at without following it: a link or a non-socket is refused, a socket
 * that still answers is another server's, and only a socket nobody
 * answers on (a stewardd that was killed) is removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/sockname.h"

/* Make the name free for a new socket; see sockname.h. */
int
sockname_claim(int dfd, const char *name, const char *path, const char *who,
	       const char *hint, struct err **errp)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat sb;
	int fd, rc;

	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			return 0;
		*errp = ERR_SYS("checking %s", path);
		return -1;
	}
	if (S_ISLNK(sb.st_mode)) {
		*errp = ERR_NEW("%s is a symbolic link; refusing to follow it "
				"(remove it or choose another %s)",
				path, hint);
		return -1;
	}
	if (!S_ISSOCK(sb.st_mode)) {
		*errp = ERR_NEW("%s exists and is not a socket; remove it or "
				"choose another %s",
				path, hint);
		return -1;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		*errp = ERR_NEW("%s is too long for a socket path", path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		*errp = ERR_SYS("making a socket to probe %s", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (rc == 0) {
		*errp = ERR_NEW("another %s is listening on %s; stop it or "
				"choose another %s",
				who, path, hint);
		return -1;
	}
	if (errno != ECONNREFUSED) {
		*errp = ERR_SYS("probing %s", path);
		return -1;
	}
	if (unlinkat(dfd, name, 0) == -1 && errno != ENOENT) {
		*errp = ERR_SYS("removing the stale socket %s", path);
		return -1;
	}
	return 0;
}
