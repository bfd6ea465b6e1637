#include "config.h"

#include "readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xalloc.h"

int readfile_at(int dirfd, const char *name, size_t cap, char **text, size_t *len, bool *cut)
{
	*text = NULL;
	*len = 0;
	if (cut)
		*cut = false;
	/* O_NONBLOCK: a fifo put where a /proc file was expected must not hang the reader. */
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return errno;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int err = errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return EINVAL;
	}
	size_t size = 4096 < cap ? 4096 : cap, n = 0;
	char *buf = xmalloc(size + 1);
	for (;;) {
		if (n == size) {
			if (size == cap) {
				char probe;
				if (cut && read(fd, &probe, 1) == 1)
					*cut = true;
				break;
			}
			size = size * 2 < cap ? size * 2 : cap;
			buf = xreallocarray(buf, size + 1, 1);
		}
		ssize_t r = read(fd, buf + n, size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;
			free(buf);
			close(fd);
			return err;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

ssize_t readfile_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t got = 0;
	while (got + 1 < len) {
		ssize_t r = read(fd, buf + got, len - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
		/* A /proc file gives all it has in one read when there is room: no read for EOF. */
		if ((size_t)r < len - 1 - (got - (size_t)r))
			break;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

/* "/" does not change while orphanage runs (it never calls chroot): opened once. */
int readfile_system_root(void)
{
	static int root = -1;
	if (root < 0)
		root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return root;
}

/* An absolute path as one under a root directory: "/proc/42" is "proc/42" there. */
static const char *under_root(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

int readfile_in(int root, const char *path, size_t cap, char **text, size_t *len, bool *cut)
{
	return readfile_at(root, under_root(path), cap, text, len, cut);
}

int readfile_open_in(int root, const char *path, int flags)
{
	return openat(root, under_root(path), flags | O_CLOEXEC);
}

ssize_t readfile_link_in(int root, const char *path, char *buf, size_t len)
{
	ssize_t n = readlinkat(root, under_root(path), buf, len - 1);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

int readfile_stat_in(int root, const char *path, struct stat *st)
{
	return fstatat(root, under_root(path), st, 0);
}
