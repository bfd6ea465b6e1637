/* Hand-made files for unit tests (fixture_file.h). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture_file.h"

void fixture_write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

const char fixture_status_text[] = "Name:\tsleep\n"
					  "Umask:\t0022\n"
					  "State:\tS (sleeping)\n"
					  "Tgid:\t4242\n"
					  "Pid:\t4243\n"
					  "Uid:\t1000\t0\t1000\t1000\n"
					  "Gid:\t100\t100\t100\t100\n"
					  "Groups:\t4 24 27 30 46 100 118 1000\n"
					  "VmLck:\t       8 kB\n"
					  "Threads:\t3\n"
					  "SigQ:\t0/31693\n"
					  "SigPnd:\t0000000000000100\n"
					  "ShdPnd:\t0000000000004000\n"
					  "SigBlk:\t0000000000010000\n"
					  "SigIgn:\t0000000000004002\n"
					  "SigCgt:\t8000000180000001\n"
					  "CapInh:\t0000000000000000\n";

int fixture_root_make(char *dir, size_t len)
{
	snprintf(dir, len, "%s/orphanage-root-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

/* Make the directories on the way to dir/path (its last part excluded). */
static void make_parents(const char *dir, const char *path, char *full, size_t len)
{
	snprintf(full, len, "%s/%s", dir, path);
	for (char *p = full + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		assert_true(mkdir(full, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
}

void fixture_root_put(const char *dir, const char *path, const char *text, size_t len)
{
	char full[512];
	make_parents(dir, path, full, sizeof full);
	FILE *f = fopen(full, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

void fixture_root_link(const char *dir, const char *path, const char *target)
{
	char full[512];
	make_parents(dir, path, full, sizeof full);
	assert_int_equal(symlink(target, full), 0);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void fixture_root_remove(const char *dir, int fd)
{
	close(fd);
	assert_int_equal(nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}
