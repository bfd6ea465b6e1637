/* The cgroup module on hand-made text and a temporary directory of hand-made files: the
 * mount, orphanage's own cgroup, members, events, and the writes of kill and freeze. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "fixture_file.h"
#include "source_cgroup.h"

static const char hybrid[] =
	"24 30 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
	"31 24 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n";

static const char pure_v2[] =
	"22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	"30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";

static void test_mount_hybrid(void **state)
{
	(void)state;
	char *root;
	char *m = cgroup_mount_parse(hybrid, &root);
	assert_non_null(m);
	assert_string_equal(m, "/sys/fs/cgroup/unified");
	assert_string_equal(root, "/");
	free(m);
	free(root);
}

static void test_mount_pure_v2(void **state)
{
	(void)state;
	char *m = cgroup_mount_parse(pure_v2, NULL);
	assert_non_null(m);
	assert_string_equal(m, "/sys/fs/cgroup");
	free(m);
}

static void test_mount_none(void **state)
{
	(void)state;
	char *root = (char *)"x";
	/* A cgroup v1 hierarchy, and a path with "cgroup2" in it on another fs. */
	static const char none[] =
		"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
		"50 22 0:40 / /mnt/cgroup2 rw - tmpfs cgroup2 rw\n";
	assert_null(cgroup_mount_parse(none, &root));
	assert_null(root);
	assert_null(cgroup_mount_parse("", NULL));
	/* Cut short before the filesystem type: no crash, no mount. */
	assert_null(cgroup_mount_parse("41 31 0:38 / /sys/fs/cgroup/unified rw,relatime -", NULL));
	assert_null(cgroup_mount_parse("41 31 0:38 /", NULL));
}

static void test_mount_escapes_and_subtree(void **state)
{
	(void)state;
	char *root;
	static const char text[] =
		"60 22 0:50 /a\\040b /mnt/my\\040cg\\134x rw - cgroup2 none rw\n"
		"61 22 0:51 / /second rw - cgroup2 none rw";
	char *m = cgroup_mount_parse(text, &root);
	assert_string_equal(m, "/mnt/my cg\\x");
	assert_string_equal(root, "/a b");
	free(m);
	free(root);
	/* A lone backslash or a short escape stays as it is. */
	m = cgroup_mount_parse("1 2 3:4 / /m\\04 rw - cgroup2 c rw\n", NULL);
	assert_string_equal(m, "/m\\04");
	free(m);
}

/* orphanage's own cgroup and who is in the job's, from a hand-made /proc under a root. */
static void test_locate_and_holds_under_a_root(void **state)
{
	(void)state;
	char dir[256], *cgdir, *rel, why[256];
	int root = fixture_root_make(dir, sizeof dir);
	assert_int_equal(cgroup_locate(root, &cgdir, &rel, why, sizeof why), -1);
	assert_string_equal(why, "no cgroup2 mount");
	fixture_root_put(dir, "proc/self/mountinfo", hybrid, strlen(hybrid));
	assert_int_equal(cgroup_locate(root, &cgdir, &rel, why, sizeof why), -1);
	assert_string_equal(why, "no v2 cgroup in /proc/self/cgroup");
	const char self[] = "1:name=systemd:/\n0::/user.slice/term-1\n";
	fixture_root_put(dir, "proc/self/cgroup", self, strlen(self));
	assert_int_equal(cgroup_locate(root, &cgdir, &rel, why, sizeof why), 0);
	assert_string_equal(cgdir, "/sys/fs/cgroup/unified/user.slice/term-1");
	assert_string_equal(rel, "/user.slice/term-1");
	free(cgdir);
	free(rel);

	struct cgroup cg = { .rel = (char *)"/user.slice/term-1/orphanage-9-1", .dir_fd = -1, .procs_fd = -1 };
	const char in[] = "0::/user.slice/term-1/orphanage-9-1/sub\n";
	const char out[] = "0::/user.slice/term-1\n";
	fixture_root_put(dir, "proc/301/cgroup", in, strlen(in));
	fixture_root_put(dir, "proc/302/cgroup", out, strlen(out));
	assert_true(cgroup_holds(&cg, root, 301));
	assert_false(cgroup_holds(&cg, root, 302));
	assert_false(cgroup_holds(&cg, root, 303));	/* gone */
	fixture_root_remove(dir, root);
}

static void test_self_cgroup(void **state)
{
	(void)state;
	char *p = cgroup_self_parse("9:name=systemd:/\n4:memory:/x/y\n0::/\n");
	assert_string_equal(p, "/");
	free(p);
	p = cgroup_self_parse("0::/user.slice/user-1000.slice/session-3.scope\n");
	assert_string_equal(p, "/user.slice/user-1000.slice/session-3.scope");
	free(p);
	p = cgroup_self_parse("0::/with space/x");
	assert_string_equal(p, "/with space/x");
	free(p);
	/* v1 only, a removed cgroup, nothing. */
	assert_null(cgroup_self_parse("4:memory:/x\n1:cpu:/\n"));
	assert_null(cgroup_self_parse("0::/gone (deleted)\n"));
	assert_null(cgroup_self_parse(""));
	assert_null(cgroup_self_parse("10::/not-v2\n"));
}

static void test_dir_join(void **state)
{
	(void)state;
	char *d = cgroup_dir_join("/sys/fs/cgroup/unified", "/", "/");
	assert_string_equal(d, "/sys/fs/cgroup/unified");
	free(d);
	d = cgroup_dir_join("/sys/fs/cgroup", "/", "/user.slice/a.scope");
	assert_string_equal(d, "/sys/fs/cgroup/user.slice/a.scope");
	free(d);
	/* A mounted subtree: the path below its root. */
	d = cgroup_dir_join("/mnt/cg", "/a", "/a/b");
	assert_string_equal(d, "/mnt/cg/b");
	free(d);
	d = cgroup_dir_join("/mnt/cg", "/a", "/a");
	assert_string_equal(d, "/mnt/cg");
	free(d);
	assert_null(cgroup_dir_join("/mnt/cg", "/a", "/ab/c"));
	assert_null(cgroup_dir_join("/mnt/cg", "/a", "/b"));
}

static void test_path_within(void **state)
{
	(void)state;
	assert_true(cgroup_path_within("/orphanage-1-1", "/orphanage-1-1"));
	assert_true(cgroup_path_within("/orphanage-1-1/sub", "/orphanage-1-1"));
	assert_false(cgroup_path_within("/orphanage-1-10", "/orphanage-1-1"));
	assert_false(cgroup_path_within("/", "/orphanage-1-1"));
	assert_true(cgroup_path_within("/anything", "/"));
}

static void test_procs_parse(void **state)
{
	(void)state;
	struct cgroup_pids p = { 0 };
	assert_int_equal(cgroup_procs_parse("", &p), 0);
	assert_int_equal(p.n, 0);
	assert_int_equal(cgroup_procs_parse("123\n4567\n8\n", &p), 0);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.pid[0], 123);
	assert_int_equal(p.pid[1], 4567);
	assert_int_equal(p.pid[2], 8);
	/* Appends; no final newline is fine. */
	assert_int_equal(cgroup_procs_parse("9", &p), 0);
	assert_int_equal(p.n, 4);
	assert_int_equal(p.pid[3], 9);
	/* Many: the vector grows. */
	char big[8 * 200 + 1] = "";
	for (int i = 1; i <= 200; i++)
		snprintf(big + strlen(big), sizeof big - strlen(big), "%d\n", 1000 + i);
	assert_int_equal(cgroup_procs_parse(big, &p), 0);
	assert_int_equal(p.n, 204);
	assert_int_equal(p.pid[203], 1200);
	free(p.pid);
}

static void test_procs_parse_rejects_garbage(void **state)
{
	(void)state;
	struct cgroup_pids p = { 0 };
	assert_int_equal(cgroup_procs_parse("12\nabc\n", &p), -1);
	assert_int_equal(p.n, 1);
	assert_int_equal(cgroup_procs_parse("0\n", &p), -1);
	assert_int_equal(cgroup_procs_parse("-5\n", &p), -1);
	assert_int_equal(cgroup_procs_parse("99999999999\n", &p), -1);
	assert_int_equal(cgroup_procs_parse("12 13\n", &p), -1);
	assert_int_equal(p.n, 1);
	free(p.pid);
}

static void test_events_parse(void **state)
{
	(void)state;
	struct cgroup_events ev;
	assert_int_equal(cgroup_events_parse("populated 1\nfrozen 0\n", &ev), 0);
	assert_true(ev.populated);
	assert_false(ev.frozen);
	assert_int_equal(cgroup_events_parse("populated 0\nfrozen 1\n", &ev), 0);
	assert_false(ev.populated);
	assert_true(ev.frozen);
	/* Before Linux 5.2 there is no frozen line. */
	assert_int_equal(cgroup_events_parse("populated 1\n", &ev), 0);
	assert_true(ev.populated);
	assert_false(ev.frozen);
	assert_int_equal(cgroup_events_parse("frozen 1\n", &ev), -1);
	assert_int_equal(cgroup_events_parse("", &ev), -1);
	assert_int_equal(cgroup_events_parse("populatedX 1\n", &ev), -1);
}

/* ---- a hand-made cgroup directory ---- */

struct fx {
	char dir[64];
	struct cgroup cg;
};

static char *get(const char *dir, const char *name)
{
	static char buf[256];
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int fx_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	snprintf(fx->dir, sizeof fx->dir, "/tmp/test_cgroup.XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	fx->cg.path = fx->dir;
	fx->cg.rel = (char *)"/orphanage-1-1";
	fx->cg.dir_fd = fx->cg.procs_fd = -1;
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
	int rc = system(cmd);
	free(fx);
	return rc;
}

static void test_members_include_cgroups_below(void **state)
{
	struct fx *fx = *state;
	char sub[128], subsub[160], why[256];
	fixture_write_file(fx->dir, "cgroup.procs", "100\n101\n");
	snprintf(sub, sizeof sub, "%s/child", fx->dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	fixture_write_file(sub, "cgroup.procs", "200\n");
	snprintf(subsub, sizeof subsub, "%s/deeper", sub);
	assert_int_equal(mkdir(subsub, 0755), 0);
	fixture_write_file(subsub, "cgroup.procs", "");
	struct cgroup_pids p = { 0 };
	assert_int_equal(cgroup_members(&fx->cg, &p, why, sizeof why), 0);
	assert_int_equal(p.n, 3);
	int seen = 0;
	for (size_t i = 0; i < p.n; i++)
		seen |= p.pid[i] == 100 ? 1 : p.pid[i] == 101 ? 2 : p.pid[i] == 200 ? 4 : 8;
	assert_int_equal(seen, 7);
	free(p.pid);
}

static void test_members_say_why(void **state)
{
	struct fx *fx = *state;
	char why[256] = "";
	struct cgroup_pids p = { 0 };
	assert_int_equal(cgroup_members(&fx->cg, &p, why, sizeof why), -1);
	assert_non_null(strstr(why, "cgroup.procs"));
	assert_non_null(strstr(why, fx->dir));
	fixture_write_file(fx->dir, "cgroup.procs", "12\nnot a pid\n");
	assert_int_equal(cgroup_members(&fx->cg, &p, why, sizeof why), -1);
	assert_non_null(strstr(why, "not a list of pids"));
	free(p.pid);
}

static void test_events_read_through_fd(void **state)
{
	struct fx *fx = *state;
	fixture_write_file(fx->dir, "cgroup.events", "populated 1\nfrozen 1\n");
	int fd = cgroup_events_open(&fx->cg);
	assert_true(fd >= 0);
	struct cgroup_events ev;
	assert_int_equal(cgroup_events_read(fd, &ev), 0);
	assert_true(ev.populated);
	assert_true(ev.frozen);
	/* Read again from the start, as after a POLLPRI. */
	fixture_write_file(fx->dir, "cgroup.events", "populated 0\nfrozen 0\n");
	assert_int_equal(cgroup_events_read(fd, &ev), 0);
	assert_false(ev.populated);
	assert_false(ev.frozen);
	close(fd);
}

static void test_kill_counts_and_writes(void **state)
{
	struct fx *fx = *state;
	char why[256] = "", sub[128];
	size_t count = 99;
	fixture_write_file(fx->dir, "cgroup.procs", "5\n6\n7\n");
	snprintf(sub, sizeof sub, "%s/x", fx->dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	fixture_write_file(sub, "cgroup.procs", "8\n9\n");
	/* No cgroup.kill: an old kernel, said so, and the count is still right. */
	assert_int_equal(cgroup_kill(&fx->cg, &count, why, sizeof why), -1);
	assert_non_null(strstr(why, "5.14"));
	fixture_write_file(fx->dir, "cgroup.kill", "");
	assert_int_equal(cgroup_kill(&fx->cg, &count, why, sizeof why), 0);
	assert_int_equal(count, 5);
	assert_string_equal(get(fx->dir, "cgroup.kill"), "1");
}

static void test_kill_uncounted_still_kills(void **state)
{
	struct fx *fx = *state;
	char why[256] = "";
	size_t count = 0;
	/* cgroup.procs unreadable: the count is unknown, the kill goes out all the same. */
	fixture_write_file(fx->dir, "cgroup.kill", "");
	assert_int_equal(cgroup_kill(&fx->cg, &count, why, sizeof why), 0);
	assert_true(count == SIZE_MAX);
	assert_string_equal(get(fx->dir, "cgroup.kill"), "1");
}

static void test_freeze_writes(void **state)
{
	struct fx *fx = *state;
	char why[256] = "";
	assert_int_equal(cgroup_freeze(&fx->cg, true, why, sizeof why), -1);
	assert_non_null(strstr(why, "cgroup.freeze"));
	fixture_write_file(fx->dir, "cgroup.freeze", "");
	assert_int_equal(cgroup_freeze(&fx->cg, true, why, sizeof why), 0);
	assert_string_equal(get(fx->dir, "cgroup.freeze"), "1");
	assert_int_equal(cgroup_freeze(&fx->cg, false, why, sizeof why), 0);
	assert_string_equal(get(fx->dir, "cgroup.freeze"), "0");
}

static void test_create_says_why_and_leaves_nothing(void **state)
{
	struct fx *fx = *state;
	char why[256] = "", missing[128];
	struct cgroup cg;
	/* A plain directory is not a cgroup: no cgroup.procs appears in the new one. */
	assert_int_equal(cgroup_create(&cg, fx->dir, "/", "orphanage-1-1", why, sizeof why), -1);
	assert_non_null(strstr(why, "cgroup.procs"));
	assert_null(cg.path);
	assert_int_equal(cg.dir_fd, -1);
	char made[128];
	snprintf(made, sizeof made, "%s/orphanage-1-1", fx->dir);
	assert_int_equal(access(made, F_OK), -1);
	snprintf(missing, sizeof missing, "%s/none", fx->dir);
	assert_int_equal(cgroup_create(&cg, missing, "/", "orphanage-1-2", why, sizeof why), -1);
	assert_non_null(strstr(why, "cannot create"));
}

static void test_remove_names_what_is_left(void **state)
{
	struct fx *fx = *state;
	char why[256] = "";
	/* A directory with files cannot be removed: the path is in the reason. */
	fixture_write_file(fx->dir, "cgroup.procs", "");
	assert_int_equal(cgroup_remove(&fx->cg, 0, why, sizeof why), -1);
	assert_non_null(strstr(why, fx->dir));
	assert_non_null(strstr(why, "left behind"));
}

static void test_explain_spawn(void **state)
{
	struct fx *fx = *state;
	char why[256];
	cgroup_explain_spawn(&fx->cg, EBUSY, why, sizeof why);
	assert_non_null(strstr(why, fx->dir));
	assert_non_null(strstr(why, "cannot hold processes"));
}

#define FX(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

/* The cgroup source: every pid in the cgroup and below is vouched for, in the cgroup's name. */
static void test_source_vouches_what_the_cgroup_holds(void **state)
{
	struct fx *fx = *state;
	char sub[128], why[256] = "";
	fixture_write_file(fx->dir, "cgroup.events", "populated 1\nfrozen 0\n");
	fixture_write_file(fx->dir, "cgroup.procs", "300\n301\n");
	snprintf(sub, sizeof sub, "%s/made-by-the-job", fx->dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	fixture_write_file(sub, "cgroup.procs", "400\n");
	void *src = source_cgroup_open(&fx->cg, why, sizeof why);
	assert_non_null(src);
	short events = 0;
	assert_true(source_cgroup_ops.pollfd(src, &events) >= 0);
	assert_int_equal(events, POLLPRI);

	struct discovery d;
	discovery_init(&d);
	source_cgroup_ops.discover(src, NULL, &d);
	assert_int_equal(d.n, 3);
	static const pid_t held[] = { 300, 301, 400 };
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(pidmap_get(&d.vouched, held[i]), VOUCH_CGROUP);
		assert_int_not_equal(pidmap_get(&d.wanted, held[i]), PIDMAP_NONE);
		assert_true(source_cgroup_holds(src, held[i]));
	}
	assert_false(source_cgroup_holds(src, 302));
	assert_int_equal(source_cgroup_count(src), 3);
	assert_true(source_cgroup_state(src).populated);
	assert_false(source_cgroup_state(src).frozen);

	/* 301 died; an unreadable list next time keeps what the cgroup last held. */
	discovery_clear(&d);
	fixture_write_file(fx->dir, "cgroup.procs", "300\n");
	source_cgroup_ops.discover(src, NULL, &d);
	assert_false(source_cgroup_holds(src, 301));
	assert_int_equal(pidmap_get(&d.vouched, 301), PIDMAP_NONE);
	assert_int_equal(source_cgroup_count(src), 2);
	discovery_clear(&d);
	fixture_write_file(sub, "cgroup.procs", "garbage\n");
	source_cgroup_ops.discover(src, NULL, &d);
	assert_true(source_cgroup_holds(src, 400));
	assert_int_equal(source_cgroup_count(src), 2);
	discovery_free(&d);
	source_cgroup_ops.close(src);
}

/* cgroup.events changing asks for a refresh at once; reading it unchanged does not. */
static void test_source_events_ask_for_a_refresh(void **state)
{
	struct fx *fx = *state;
	char why[256] = "";
	fixture_write_file(fx->dir, "cgroup.events", "populated 1\nfrozen 0\n");
	void *src = source_cgroup_open(&fx->cg, why, sizeof why);
	assert_non_null(src);
	struct discovery d;
	discovery_init(&d);
	source_cgroup_ops.ready(src, POLLPRI, &d);
	assert_false(d.refresh);
	fixture_write_file(fx->dir, "cgroup.events", "populated 1\nfrozen 1\n");
	source_cgroup_ops.ready(src, POLLPRI, &d);
	assert_true(d.refresh);
	assert_true(source_cgroup_state(src).frozen);
	discovery_clear(&d);
	assert_false(d.refresh);
	fixture_write_file(fx->dir, "cgroup.events", "populated 0\nfrozen 1\n");
	source_cgroup_ops.ready(src, POLLPRI | POLLERR, &d);
	assert_true(d.refresh);
	assert_false(source_cgroup_state(src).populated);
	discovery_free(&d);
	source_cgroup_ops.close(src);
}

static void test_source_open_says_why(void **state)
{
	struct fx *fx = *state;
	char why[256] = "";
	assert_null(source_cgroup_open(&fx->cg, why, sizeof why));
	assert_non_null(strstr(why, "cgroup.events"));
	assert_non_null(strstr(why, fx->dir));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mount_hybrid),
		cmocka_unit_test(test_mount_pure_v2),
		cmocka_unit_test(test_mount_none),
		cmocka_unit_test(test_mount_escapes_and_subtree),
		cmocka_unit_test(test_locate_and_holds_under_a_root),
		cmocka_unit_test(test_self_cgroup),
		cmocka_unit_test(test_dir_join),
		cmocka_unit_test(test_path_within),
		cmocka_unit_test(test_procs_parse),
		cmocka_unit_test(test_procs_parse_rejects_garbage),
		cmocka_unit_test(test_events_parse),
		FX(test_members_include_cgroups_below),
		FX(test_members_say_why),
		FX(test_events_read_through_fd),
		FX(test_kill_counts_and_writes),
		FX(test_kill_uncounted_still_kills),
		FX(test_freeze_writes),
		FX(test_create_says_why_and_leaves_nothing),
		FX(test_remove_names_what_is_left),
		FX(test_explain_spawn),
		FX(test_source_vouches_what_the_cgroup_holds),
		FX(test_source_events_ask_for_a_refresh),
		FX(test_source_open_says_why),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
