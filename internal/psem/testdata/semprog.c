/* semprog: the glibc side of internal/psem's tests. One command per run; every result is one
   line on stdout; any unexpected failure exits 1 with a message on stderr. Built with
   gcc -pthread by the tests; it may run on the host's glibc or through another glibc's loader. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void die(const char *what, const char *arg) {
	fprintf(stderr, "semprog: %s %s: %s\n", what, arg, strerror(errno));
	exit(1);
}

static sem_t *must_open(const char *name) {
	sem_t *s = sem_open(name, 0);
	if (s == SEM_FAILED)
		die("sem_open", name);
	return s;
}

static void must_wait(sem_t *s, const char *name) {
	while (sem_wait(s) != 0)
		if (errno != EINTR)
			die("sem_wait", name);
}

static void must_post(sem_t *s, const char *name) {
	if (sem_post(s) != 0)
		die("sem_post", name);
}

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: semprog COMMAND ARGS...\n");
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "version")) {
		printf("glibc %s sizeof(sem_t)=%zu\n", gnu_get_libc_version(), sizeof(sem_t));
	} else if (!strcmp(cmd, "create") && argc == 5) { /* create NAME MODE VALUE: O_CREAT */
		sem_t *s = sem_open(argv[2], O_CREAT, (mode_t)strtoul(argv[3], NULL, 8),
				    (unsigned)strtoul(argv[4], NULL, 10));
		if (s == SEM_FAILED)
			die("sem_open", argv[2]);
		printf("ok\n");
	} else if (!strcmp(cmd, "open") && argc == 4) { /* open NAME FLAGS(c, x, -): the errno */
		int flag = strchr(argv[3], 'c') ? O_CREAT : 0;
		if (strchr(argv[3], 'x'))
			flag |= O_EXCL;
		errno = 0;
		sem_t *s = sem_open(argv[2], flag, 0600, 0);
		printf("errno %d\n", s == SEM_FAILED ? errno : 0);
	} else if (!strcmp(cmd, "getvalue") && argc == 3) {
		int v;
		if (sem_getvalue(must_open(argv[2]), &v) != 0)
			die("sem_getvalue", argv[2]);
		printf("value %d\n", v);
	} else if (!strcmp(cmd, "post") && argc == 3) {
		must_post(must_open(argv[2]), argv[2]);
		printf("ok\n");
	} else if (!strcmp(cmd, "trywait") && argc == 3) {
		if (sem_trywait(must_open(argv[2])) == 0)
			printf("ok\n");
		else if (errno == EAGAIN)
			printf("EAGAIN\n");
		else
			die("sem_trywait", argv[2]);
	} else if (!strcmp(cmd, "wait") && argc == 3) { /* prints "waiting", blocks, prints "woken" */
		sem_t *s = must_open(argv[2]);
		printf("waiting\n");
		must_wait(s, argv[2]);
		printf("woken\n");
	} else if (!strcmp(cmd, "mutex") && argc == 6) { /* mutex START LOCK FILE N */
		sem_t *start = must_open(argv[2]), *lock = must_open(argv[3]);
		int fd = open(argv[4], O_RDWR);
		if (fd < 0)
			die("open", argv[4]);
		long n = strtol(argv[5], NULL, 10);
		long contended = 0;
		printf("ready\n");
		must_wait(start, argv[2]);
		for (long i = 0; i < n; i++) {
			uint64_t c;
			if (sem_trywait(lock) != 0) {
				contended++;
				must_wait(lock, argv[3]);
			}
			if (pread(fd, &c, sizeof c, 0) != sizeof c)
				die("pread", argv[4]);
			c++;
			sched_yield(); /* let the others run into the taken lock */
			if (pwrite(fd, &c, sizeof c, 0) != sizeof c)
				die("pwrite", argv[4]);
			must_post(lock, argv[3]);
		}
		printf("done %ld contended %ld\n", n, contended);
	} else if (!strcmp(cmd, "pingpong") && argc == 5) { /* pingpong IN OUT N: N x (wait IN, post OUT) */
		sem_t *in = must_open(argv[2]), *out = must_open(argv[3]);
		long n = strtol(argv[4], NULL, 10);
		for (long i = 0; i < n; i++) {
			must_wait(in, argv[2]);
			must_post(out, argv[3]);
		}
		printf("done %ld\n", n);
	} else {
		fprintf(stderr, "semprog: bad command line\n");
		return 2;
	}
	return 0;
}
