/*
 * The plain driver: feeds each file of a corpus to a fuzz target's
 * LLVMFuzzerTestOneInput(), so that the corpora run in every build (gcc,
 * no libFuzzer) as regression tests.  Each input runs in a child process
 * of its own with REPLAY_TIMEOUT_S to finish: a crash, an abort (a
 * broken invariant) or a hang is named with the file that caused it.
 *
 * usage: NAME_replay DIR|FILE ...
 *
 * Prints "ok - ..." or "not ok - ..." for the whole corpus, with a "#"
 * line per failing input; exits 1 if any input failed.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REPLAY_TIMEOUT_S	20
#define REPLAY_INPUT_MAX	(16 * 1024 * 1024)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***) __attribute__((weak));

static size_t	 replayed, failed;
static FILE	*notes;		/* the "#" lines, shown after the verdict */
static FILE	*errs;		/* the running input's stderr */

/* The first lines the failed input wrote to stderr, as notes. */
static void
show_errs(void)
{
	char	 line[512];
	int	 n = 0;

	rewind(errs);
	while (n++ < 30 && fgets(line, sizeof(line), errs) != NULL)
		fprintf(notes, "#   %s%s", line,
		    strchr(line, '\n') == NULL ? "\n" : "");
}

/* Run one input in a child; a "#" note if it went wrong. */
static void
replay_file(const char *path)
{
	struct stat	 st;
	uint8_t		*buf;
	ssize_t		 n;
	pid_t		 pid;
	int		 fd, status;

	replayed++;
	if ((fd = open(path, O_RDONLY)) == -1 || fstat(fd, &st) == -1 ||
	    st.st_size > REPLAY_INPUT_MAX) {
		fprintf(notes, "# %s: %s\n", path, fd == -1 || st.st_size <=
		    REPLAY_INPUT_MAX ? strerror(errno) : "too large");
		failed++;
		if (fd != -1)
			close(fd);
		return;
	}
	fflush(stdout);
	fflush(stderr);
	if (ftruncate(fileno(errs), 0) == -1 ||
	    fseek(errs, 0, SEEK_SET) == -1) {
		perror("replay");
		exit(2);
	}
	if ((pid = fork()) == -1) {
		fprintf(notes, "# %s: fork: %s\n", path, strerror(errno));
		failed++;
		close(fd);
		return;
	}
	if (pid == 0) {
		(void)dup2(fileno(errs), STDERR_FILENO);
		/* Exactly the file's bytes: a read past them is caught. */
		if ((buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1)) ==
		    NULL)
			_exit(3);
		n = read(fd, buf, (size_t)st.st_size);
		if (n != st.st_size)
			_exit(3);
		alarm(REPLAY_TIMEOUT_S);
		LLVMFuzzerTestOneInput(buf, (size_t)n);
		free(buf);
		_exit(0);
	}
	close(fd);
	if (waitpid(pid, &status, 0) == -1) {
		fprintf(notes, "# %s: waitpid: %s\n", path, strerror(errno));
		failed++;
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	failed++;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		fprintf(notes, "# %s: still running after %d s\n", path,
		    REPLAY_TIMEOUT_S);
	else if (WIFSIGNALED(status))
		fprintf(notes, "# %s: killed by signal %d (%s)\n", path,
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		fprintf(notes, "# %s: exit status %d\n", path,
		    WEXITSTATUS(status));
	show_errs();
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in name order. */
static void
replay_dir(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL, **p, path[4096];
	size_t		 n = 0, i;

	if ((d = opendir(dir)) == NULL) {
		fprintf(notes, "# %s: %s\n", dir, strerror(errno));
		failed++;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((p = reallocarray(names, n + 1, sizeof(*names))) == NULL ||
		    (p[n] = strdup(de->d_name)) == NULL) {
			perror("replay");
			exit(2);
		}
		names = p;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		replay_file(path);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char *argv[])
{
	struct stat	 st;
	char		*name, *p, line[512];
	int		 i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR|FILE ...\n", argv[0]);
		return 2;
	}
	if ((notes = tmpfile()) == NULL || (errs = tmpfile()) == NULL) {
		perror("replay");
		return 2;
	}
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			replay_dir(argv[i]);
		else
			replay_file(argv[i]);
	}
	name = basename(argv[0]);
	if ((p = strstr(name, "_replay")) != NULL)
		*p = '\0';
	if (failed == 0 && replayed > 0)
		printf("ok - fuzz corpus %s: %zu inputs replayed, none "
		    "crashed, hung or broke an invariant\n", name, replayed);
	else
		printf("not ok - fuzz corpus %s: %zu of %zu inputs failed\n",
		    name, failed, replayed);
	rewind(notes);
	while (fgets(line, sizeof(line), notes) != NULL)
		fputs(line, stdout);
	return failed == 0 && replayed > 0 ? 0 : 1;
}
