/*
 * Fuzz target: the request-line handler.  The input is what a client
 * sends on stdin, any bytes, any number of lines; one whole session of
 * the real loop (loop_run()) reads it through the line reader, the
 * strict JSON reader, the JSON-RPC envelope and the method table, with
 * the database stubbed out (nodb.c).  stdin and stdout are memory files;
 * the session must end by itself with status 0 and every line it wrote
 * must be one JSON object (json_check()), or the target aborts.
 */
#include <sys/mman.h>
#include <sys/types.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extern.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char		 schema1[] = "reporting", schema2[] = "tracksolid";
static char		 schemas_array[] = "{reporting,tracksolid}";
static struct config	 cfg;
static int		 in_fd = -1, out_fd = -1;

/* Abort with a message: a broken invariant is a crash to the fuzzer. */
static void
fuzz_fail(const char *what, const char *line, size_t len)
{
	fprintf(stderr, "request target: %s: %.*s\n", what,
	    (int)(len > 300 ? 300 : len), line);
	abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cfg.caller[0] = 'f';
	cfg.caller_source = "fuzz";
	cfg.peer = "-";
	cfg.schemas[0] = schema1;
	cfg.schemas[1] = schema2;
	cfg.nschemas = 2;
	cfg.schemas_array = schemas_array;
	cfg.max_rows = ROWS_CEIL_DEFAULT;
	cfg.max_bytes = BYTES_DEFAULT;
	cfg.max_cell = CELL_DEFAULT;
	cfg.timeout_s = TIMEOUT_DEFAULT;
	/* The least cap there is, so that inputs reach the "too long" path. */
	cfg.max_line = LINE_MAX_MIN;
	cfg.max_memory_mb = MEMORY_DEFAULT_MB;
	/* stdin and stdout become files the target rewinds for each input. */
	if ((in_fd = memfd_create("fuzz-in", 0)) == -1 ||
	    (out_fd = memfd_create("fuzz-out", 0)) == -1) {
		perror("request target");
		exit(2);
	}
	return 0;
}

/* Every line of the output (len bytes at buf) is one JSON value. */
static void
check_output(const char *buf, size_t len)
{
	const char	*p = buf, *nl;
	struct error	 err;
	int		 ntok;

	if (len > 0 && buf[len - 1] != '\n')
		fuzz_fail("the output does not end with a newline", buf, len);
	while (p < buf + len) {
		nl = memchr(p, '\n', (size_t)(buf + len - p));
		if (json_check(p, (size_t)(nl - p), &ntok, &err) == -1)
			fuzz_fail(err.msg, p, (size_t)(nl - p));
		if (*p != '{')
			fuzz_fail("a reply is not an object", p,
			    (size_t)(nl - p));
		p = nl + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*out;
	off_t	 outlen;
	int	 rc;

	if (in_fd == -1)
		LLVMFuzzerInitialize(NULL, NULL);
	if (ftruncate(in_fd, 0) == -1 || ftruncate(out_fd, 0) == -1 ||
	    pwrite(in_fd, data, size, 0) != (ssize_t)size ||
	    lseek(in_fd, 0, SEEK_SET) == -1 ||
	    lseek(out_fd, 0, SEEK_SET) == -1 ||
	    dup2(in_fd, STDIN_FILENO) == -1 ||
	    dup2(out_fd, STDOUT_FILENO) == -1) {
		perror("request target");
		exit(2);
	}
	if ((rc = loop_run(&cfg)) != 0)
		fuzz_fail("the session ended with a failure status", "", 0);
	if ((outlen = lseek(out_fd, 0, SEEK_CUR)) == -1 ||
	    (out = malloc((size_t)outlen + 1)) == NULL ||
	    pread(out_fd, out, (size_t)outlen, 0) != (ssize_t)outlen) {
		perror("request target");
		exit(2);
	}
	check_output(out, (size_t)outlen);
	free(out);
	return 0;
}
