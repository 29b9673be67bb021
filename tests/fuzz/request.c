/*
 * Fuzz target: the request-line handler.  The input is what a client
 * sends on stdin, any bytes, any number of lines; one whole session of
 * the real loop (loop_run()) reads it through the line reader, the
 * strict JSON reader, the JSON-RPC envelope and the method table, with
 * the database stubbed out (nodb.c).  stdin and stdout are memory files;
 * the session must end by itself with status 0 and every line it wrote
 * must be one JSON object (json_check()), or the target aborts; so it
 * does when, once per process, the second of two sessions in turn is not
 * answered.
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
	config_defaults(&cfg);
	cfg.caller[0] = 'f';
	cfg.caller_source = "fuzz";
	cfg.peer = "-";
	cfg.schemas[0] = schema1;
	cfg.schemas[1] = schema2;
	cfg.nschemas = 2;
	cfg.schemas_array = schemas_array;
	/* The least cap there is, so that inputs reach the "too long" path. */
	cfg.max_line = LINE_MAX_MIN;
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

/*
 * One session of the loop on size bytes of data; what it wrote into a
 * new buffer *out of *outlen bytes (the caller frees).
 */
static void
session(const uint8_t *data, size_t size, char **out, size_t *outlen)
{
	off_t	 n;

	if (ftruncate(in_fd, 0) == -1 || ftruncate(out_fd, 0) == -1 ||
	    pwrite(in_fd, data, size, 0) != (ssize_t)size ||
	    lseek(in_fd, 0, SEEK_SET) == -1 ||
	    lseek(out_fd, 0, SEEK_SET) == -1 ||
	    dup2(in_fd, STDIN_FILENO) == -1 ||
	    dup2(out_fd, STDOUT_FILENO) == -1) {
		perror("request target");
		exit(2);
	}
	if (loop_run(&cfg, NULL) != 0)
		fuzz_fail("the session ended with a failure status",
		    (const char *)data, size);
	if ((n = lseek(out_fd, 0, SEEK_CUR)) == -1 ||
	    (*out = malloc((size_t)n + 1)) == NULL ||
	    pread(out_fd, *out, (size_t)n, 0) != (ssize_t)n) {
		perror("request target");
		exit(2);
	}
	*outlen = (size_t)n;
}

/*
 * Once per process, two pings in two sessions in turn must each be
 * answered: the loop and the reader start afresh every time, or every
 * later input would be read by a session that saw EOF already.
 */
static void
check_fresh_sessions(void)
{
	static const char ping[] = "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"ping\"}\n";
	static const char pong[] = "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"result\":{}}\n";
	char	*out;
	size_t	 outlen;
	int	 i;

	for (i = 0; i < 2; i++) {
		session((const uint8_t *)ping, sizeof(ping) - 1, &out,
		    &outlen);
		if (outlen != sizeof(pong) - 1 ||
		    memcmp(out, pong, outlen) != 0)
			fuzz_fail("a session after the first is not answered",
			    out, outlen);
		free(out);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool	 checked;
	char		*out;
	size_t		 outlen;

	if (in_fd == -1)
		LLVMFuzzerInitialize(NULL, NULL);
	if (!checked) {
		check_fresh_sessions();
		checked = true;
	}
	session(data, size, &out, &outlen);
	check_output(out, outlen);
	free(out);
	return 0;
}
