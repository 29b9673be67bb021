/*
 * io.c: the line reader and the one write path.  io.c keeps its state in
 * one static struct and reads fd 0, so every case runs in a child of its
 * own: the child puts a pipe on fd 0, writes the case's chunks into it
 * one at a time, calls io_fill()/io_next() after each, and sends back a
 * transcript of what io_next() returned, which the parent compares.
 *
 * A transcript is a list of words: "TEXT" for a line (unprintable bytes
 * as \xNN), TOOLONG, and | after each chunk has been read and every
 * complete line taken; after the last chunk the writer is closed, and
 * the transcript ends with the lines then given and the status that ends
 * them (EOF).  A line over 40 bytes shows as <N pattern> when its bytes
 * are the test's digit pattern, <N garbled> when not.
 */
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extern.h"
#include "t.h"

#define CHUNKS_MAX	8
#define SCRIPT_MAX	8192

/* Chunks are written into the pipe one by one, each read before the next. */
static const struct icase {
	const char	*name;
	size_t		 max_line;
	const char	*chunks[CHUNKS_MAX];	/* NULL-terminated */
	const char	*want;
} cases[] = {
	{ "one line", 8, { "abc\n" }, "\"abc\" | EOF" },
	{ "a line split across three reads", 8, { "a", "bc", "d\n" },
	  "| | \"abcd\" | EOF" },
	{ "several lines in one read", 8, { "a\nbb\nccc\n" },
	  "\"a\" \"bb\" \"ccc\" | EOF" },
	{ "a read ends one line and starts the next", 8,
	  { "ab\ncd", "e\nf\n" }, "\"ab\" | \"cde\" \"f\" | EOF" },
	{ "a partial line waits for its newline", 8,
	  { "ab", "c", "\n" }, "| | \"abc\" | EOF" },
	{ "CRLF: the \\r is dropped", 8, { "abc\r\n", "de\r\n" },
	  "\"abc\" | \"de\" | EOF" },
	{ "CRLF split between reads", 8, { "abc\r", "\n" },
	  "| \"abc\" | EOF" },
	{ "a bare \\r inside a line is kept", 8, { "a\rb\n" },
	  "\"a\\x0db\" | EOF" },
	{ "only the \\r before the \\n is dropped", 8, { "a\r\r\n" },
	  "\"a\\x0d\" | EOF" },
	{ "a \\r at the start of a line is kept", 8, { "\rab\n" },
	  "\"\\x0dab\" | EOF" },
	{ "an empty line", 8, { "\n" }, "\"\" | EOF" },
	{ "empty lines between lines", 8, { "a\n\n\r\nb\n" },
	  "\"a\" \"\" \"\" \"b\" | EOF" },
	{ "EOF right after a newline", 8, { "ab\n", "cd\n" },
	  "\"ab\" | \"cd\" | EOF" },
	{ "EOF mid-line: the last line without its newline", 8,
	  { "abc\n", "de" }, "\"abc\" | | \"de\" EOF" },
	{ "EOF mid-line after a partial read", 8, { "a", "b" },
	  "| | \"ab\" EOF" },
	{ "EOF without any input", 8, { NULL }, "EOF" },
	{ "a line of exactly max_line bytes passes", 8,
	  { "abcdefgh\n", "x\n" }, "\"abcdefgh\" | \"x\" | EOF" },
	{ "max_line bytes arriving in pieces pass", 8,
	  { "abcd", "efgh", "\n" }, "| | \"abcdefgh\" | EOF" },
	{ "max_line bytes at EOF without a newline pass", 8,
	  { "abcdefgh" }, "| \"abcdefgh\" EOF" },
	{ "max_line + 1 bytes: TOOLONG once, then the next line", 8,
	  { "abcdefghi\n", "next\n" }, "TOOLONG | \"next\" | EOF" },
	{ "max_line + 1 and the next line in one read", 8,
	  { "abcdefghi\nnext\n" }, "TOOLONG \"next\" | EOF" },
	{ "the byte over the cap arrives with the newline", 8,
	  { "abcdefgh", "i\nok\n" }, "| TOOLONG \"ok\" | EOF" },
	{ "an overlong line over many reads is drained to its newline", 8,
	  { "abcde", "fghij", "klmno", "pqrst", "u\nok\n" },
	  "| TOOLONG | | | \"ok\" | EOF" },
	{ "the drain stops at the newline, mid-read", 8,
	  { "abcdefghij", "k\nne", "xt\n" },
	  "TOOLONG | | \"next\" | EOF" },
	{ "two overlong lines in a row: TOOLONG for each", 8,
	  { "abcdefghij\nklmnopqrst\nok\n" },
	  "TOOLONG TOOLONG \"ok\" | EOF" },
	{ "an overlong line between two good ones", 8,
	  { "a\nbcdefghijkl", "mn\nc\n" }, "\"a\" TOOLONG | \"c\" | EOF" },
	{ "an overlong line cut by EOF: TOOLONG, then EOF", 8,
	  { "abcdefghijkl" }, "TOOLONG | EOF" },
};

/*
 * Lines larger than one read (IO_CHUNK is 64 KiB): a stream of one long
 * line of the digit pattern, '\n', "next\n", in pieces of piece bytes.
 */
static const struct bcase {
	const char	*name;
	size_t		 max_line;
	size_t		 len;		/* of the long line */
	size_t		 piece;
	bool		 newline;	/* the long line has its '\n' */
	const char	*want;
} bigcases[] = {
	{ "200000-byte line, cap 200000, in 4000-byte pieces", 200000,
	  200000, 4000, true, "<200000 pattern> \"next\" EOF" },
	{ "200001-byte line, cap 200000: TOOLONG, then the next line",
	  200000, 200001, 4000, true, "TOOLONG \"next\" EOF" },
	{ "1 MiB line, cap 200000, in 4093-byte pieces: TOOLONG once",
	  200000, 1024 * 1024, 4093, true, "TOOLONG \"next\" EOF" },
	{ "200000 bytes at EOF without a newline, cap 200000", 200000,
	  200000, 4096, false, "<200000 pattern> EOF" },
	{ "3 MiB line, cap 1 MiB, in one-page pieces", 1024 * 1024,
	  3 * 1024 * 1024, 4096, true, "TOOLONG \"next\" EOF" },
};

struct script {
	char	 buf[SCRIPT_MAX];
	size_t	 len;
};

static void
say(struct script *s, const char *w)
{
	size_t	 n = strlen(w);

	if (s->len > 0 && s->len + 1 < sizeof(s->buf))
		s->buf[s->len++] = ' ';
	if (s->len + n >= sizeof(s->buf))
		n = sizeof(s->buf) - s->len - 1;
	memcpy(s->buf + s->len, w, n);
	s->len += n;
	s->buf[s->len] = '\0';
}

static void
say_line(struct script *s, const char *line, size_t len)
{
	char	 w[256];
	size_t	 i, o = 0;
	bool	 pattern = true;

	if (len > 40) {
		for (i = 0; i < len && pattern; i++)
			pattern = line[i] == (char)('0' + i % 10);
		snprintf(w, sizeof(w), "<%zu %s>", len,
		    pattern ? "pattern" : "garbled");
		say(s, w);
		return;
	}
	w[o++] = '"';
	for (i = 0; i < len; i++) {
		if (line[i] >= 0x20 && line[i] < 0x7f)
			w[o++] = line[i];
		else
			o += (size_t)snprintf(w + o, sizeof(w) - o, "\\x%02x",
			    (unsigned char)line[i]);
	}
	w[o++] = '"';
	w[o] = '\0';
	say(s, w);
}

/* Take every complete line; the status that stopped it. */
static enum io_status
drain(struct script *s)
{
	const char	*line;
	size_t		 len;
	enum io_status	 st;
	int		 guard;

	for (guard = 0; guard < 100000; guard++) {
		st = io_next(&line, &len);
		if (st == IO_LINE)
			say_line(s, line, len);
		else if (st == IO_TOOLONG)
			say(s, "TOOLONG");
		else
			return st;
	}
	say(s, "LOOPING");
	return IO_ERROR;
}

/* Read what the pipe holds, taking lines after each read. */
static void
read_all(struct script *s)
{
	int	 avail, st;

	do {
		st = io_fill();
		if (st == IO_ERROR) {
			say(s, "FILL-ERROR");
			return;
		}
		if (drain(s) == IO_ERROR)
			return;
	} while (ioctl(STDIN_FILENO, FIONREAD, &avail) == 0 && avail > 0);
}

static bool
write_all(int fd, const char *p, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return false;
		}
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/*
 * In the child: feed the pieces through fd 0, marking the end of each
 * when marks is set, then close and take what is left.  The transcript
 * goes to fd out.
 */
static void
child_read(int out, size_t max_line, const char *const *piece,
    const size_t *plen, size_t npieces, bool marks)
{
	struct script	 s;
	const char	*line;
	size_t		 i, len;
	enum io_status	 st;
	int		 p[2];

	memset(&s, 0, sizeof(s));
	if (pipe(p) == -1 || dup2(p[0], STDIN_FILENO) == -1)
		_exit(100);
	close(p[0]);
	io_init(max_line, NULL, NULL);
	for (i = 0; i < npieces; i++) {
		/* Every piece is smaller than one page: it never blocks. */
		if (!write_all(p[1], piece[i], plen[i]))
			_exit(101);
		read_all(&s);
		if (marks)
			say(&s, "|");
	}
	close(p[1]);
	if (io_fill() != IO_EOF)
		say(&s, "NO-EOF-FROM-FILL");
	st = drain(&s);
	say(&s, st == IO_EOF ? "EOF" : st == IO_AGAIN ? "AGAIN" :
	    "ERROR");
	/* Asked again, io_next still says EOF and gives nothing. */
	if (st == IO_EOF && (io_next(&line, &len) != IO_EOF ||
	    io_fill() != IO_EOF))
		say(&s, "NOT-EOF-AGAIN");
	(void)write_all(out, s.buf, s.len);
	_exit(0);
}

/* Run the pieces in a child; its transcript into got.  False if it failed. */
static bool
in_child(size_t max_line, const char *const *piece, const size_t *plen,
    size_t npieces, bool marks, char *got, size_t gotsz, int *status)
{
	pid_t	 pid;
	int	 p[2];
	size_t	 n = 0;
	ssize_t	 r;

	fflush(stdout);
	if (pipe(p) == -1 || (pid = fork()) == -1) {
		perror("pipe/fork");
		exit(1);
	}
	if (pid == 0) {
		close(p[0]);
		child_read(p[1], max_line, piece, plen, npieces, marks);
	}
	close(p[1]);
	while (n + 1 < gotsz && (r = read(p[0], got + n, gotsz - n - 1)) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		n += (size_t)r;
	}
	got[n] = '\0';
	close(p[0]);
	while (waitpid(pid, status, 0) == -1 && errno == EINTR)
		continue;
	return WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
}

/* The verdict on one case; the transcripts only when they differ. */
static void
report(const char *name, bool clean, const char *got, const char *want,
    int status)
{
	if (clean && strcmp(got, want) == 0)
		T_OK(true, "read: %s", name);
	else
		T_OK(false, "read: %s: got [%s] want [%s] (child status %#x)",
		    name, got, want, (unsigned int)status);
}

static void
test_reader(void)
{
	const char	*piece[CHUNKS_MAX];
	size_t		 plen[CHUNKS_MAX], i, n;
	char		 got[SCRIPT_MAX];
	int		 status;
	bool		 clean;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (n = 0; n < CHUNKS_MAX && cases[i].chunks[n] != NULL;
		    n++) {
			piece[n] = cases[i].chunks[n];
			plen[n] = strlen(piece[n]);
		}
		clean = in_child(cases[i].max_line, piece, plen, n, true, got,
		    sizeof(got), &status);
		report(cases[i].name, clean, got, cases[i].want, status);
	}
}

/*
 * In the child: two inputs in turn, each on a new pipe after io_init():
 * one that ends at EOF in the middle of a line over the cap, then "x\n".
 * The second must be read afresh (the fuzz targets run many sessions in
 * one process).
 */
static void
child_restart(int out)
{
	static const char *const input[] = { "0123456789", "x\n" };
	struct script	 s;
	enum io_status	 st;
	size_t		 i;
	int		 p[2];

	memset(&s, 0, sizeof(s));
	for (i = 0; i < 2; i++) {
		if (pipe(p) == -1 || dup2(p[0], STDIN_FILENO) == -1)
			_exit(100);
		close(p[0]);
		io_init(8, NULL, NULL);
		if (!write_all(p[1], input[i], strlen(input[i])))
			_exit(101);
		close(p[1]);
		while ((st = io_fill()) == IO_AGAIN)
			if (drain(&s) == IO_ERROR)
				break;
		st = drain(&s);
		say(&s, st == IO_EOF ? "EOF" : "NOT-EOF");
		say(&s, "|");
	}
	(void)write_all(out, s.buf, s.len);
	_exit(0);
}

static void
test_restart(void)
{
	char	 got[SCRIPT_MAX];
	size_t	 n = 0;
	ssize_t	 r;
	pid_t	 pid;
	int	 p[2], status;

	fflush(stdout);
	if (pipe(p) == -1 || (pid = fork()) == -1) {
		perror("pipe/fork");
		exit(1);
	}
	if (pid == 0) {
		close(p[0]);
		child_restart(p[1]);
	}
	close(p[1]);
	while (n + 1 < sizeof(got) &&
	    (r = read(p[0], got + n, sizeof(got) - n - 1)) > 0)
		n += (size_t)r;
	got[n] = '\0';
	close(p[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		continue;
	report("io_init() starts a new input afresh after EOF mid-line",
	    WIFEXITED(status) && WEXITSTATUS(status) == 0, got,
	    "TOOLONG EOF | \"x\" EOF |", status);
}

static void
test_big(void)
{
	const struct bcase *c;
	const char	**piece;
	size_t		*plen, total, i, n, np;
	char		*stream, got[SCRIPT_MAX];
	int		 status;
	bool		 clean;

	for (i = 0; i < sizeof(bigcases) / sizeof(bigcases[0]); i++) {
		c = &bigcases[i];
		total = c->len + (c->newline ? sizeof("\nnext\n") - 1 : 0);
		if ((stream = malloc(total)) == NULL)
			abort();
		for (n = 0; n < c->len; n++)
			stream[n] = (char)('0' + n % 10);
		if (c->newline)
			memcpy(stream + c->len, "\nnext\n", 6);
		np = (total + c->piece - 1) / c->piece;
		piece = calloc(np, sizeof(*piece));
		plen = calloc(np, sizeof(*plen));
		if (piece == NULL || plen == NULL)
			abort();
		for (n = 0; n < np; n++) {
			piece[n] = stream + n * c->piece;
			plen[n] = n + 1 < np ? c->piece : total - n * c->piece;
		}
		clean = in_child(c->max_line, piece, plen, np, false, got,
		    sizeof(got), &status);
		report(c->name, clean, got, c->want, status);
		free(piece);
		free(plen);
		free(stream);
	}
}

/* ---- io_write_line ---------------------------------------------------- */

#define BIGOUT	(300 * 1000)

/* io_write_line() of len bytes at s as one piece. */
static int
write_line(const char *s, size_t len)
{
	struct iovec	 iov;

	iov.iov_base = (void *)(uintptr_t)s;
	iov.iov_len = len;
	return io_write_line(&iov, 1);
}

/*
 * In the child, fd 1 is the pipe's writer (non-blocking when nb, so a
 * full pipe makes io.c wait for its reader); exit status 0 if every
 * io_write_line() said 0.
 */
static void
child_write(int fd, bool nb)
{
	struct iovec	 iov[3];
	char		*big;
	size_t		 i;
	int		 bad = 0;

	if (dup2(fd, STDOUT_FILENO) == -1)
		_exit(100);
	close(fd);
	if (nb && fcntl(STDOUT_FILENO, F_SETFL,
	    fcntl(STDOUT_FILENO, F_GETFL) | O_NONBLOCK) == -1)
		_exit(100);
	if ((big = malloc(BIGOUT)) == NULL)
		_exit(100);
	for (i = 0; i < BIGOUT; i++)
		big[i] = (char)('a' + i % 26);
	io_init(1024, NULL, NULL);
	bad |= write_line("{\"a\":1}", 7) != 0;
	bad |= io_write_line(NULL, 0) != 0;
	bad |= write_line("x\ty", 3) != 0;
	/* The big line in uneven pieces, as a reply with holes goes. */
	iov[0].iov_base = big;
	iov[0].iov_len = 7;
	iov[1].iov_base = big + 7;
	iov[1].iov_len = BIGOUT / 2;
	iov[2].iov_base = big + 7 + BIGOUT / 2;
	iov[2].iov_len = BIGOUT - 7 - BIGOUT / 2;
	bad |= io_write_line(iov, 3) != 0;
	bad |= write_line("end", 3) != 0;
	bad |= io_out_broken();
	_exit(bad);
}

static void
test_write(void)
{
	char	*want, *got;
	size_t	 wlen, n, i;
	ssize_t	 r;
	pid_t	 pid;
	int	 p[2], status, nb;

	wlen = sizeof("{\"a\":1}\n\nx\ty\n") - 1 + BIGOUT + 1 +
	    sizeof("end\n") - 1;
	if ((want = malloc(wlen)) == NULL || (got = malloc(wlen + 2)) == NULL)
		abort();
	n = strlen("{\"a\":1}\n\nx\ty\n");
	memcpy(want, "{\"a\":1}\n\nx\ty\n", n);
	for (i = 0; i < BIGOUT; i++)
		want[n++] = (char)('a' + i % 26);
	memcpy(want + n, "\nend\n", 5);

	for (nb = 0; nb <= 1; nb++) {
		fflush(stdout);
		if (pipe(p) == -1 || (pid = fork()) == -1) {
			perror("pipe/fork");
			exit(1);
		}
		if (pid == 0) {
			close(p[0]);
			child_write(p[1], nb);
		}
		close(p[1]);
		/* Slowly at first: a non-blocking writer finds it full. */
		usleep(50000);
		n = 0;
		while (n < wlen + 2 && (r = read(p[0], got + n,
		    wlen + 2 - n)) != 0) {
			if (r == -1) {
				if (errno == EINTR)
					continue;
				break;
			}
			n += (size_t)r;
		}
		close(p[0]);
		waitpid(pid, &status, 0);
		T_OK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "write: io_write_line returns 0 for each line%s",
		    nb ? " (non-blocking stdout)" : "");
		T_OK(n == wlen && memcmp(got, want, wlen) == 0,
		    "write: each line arrives as its bytes plus one '\\n', "
		    "the 300000-byte one whole from three pieces%s (%zu of "
		    "%zu bytes)",
		    nb ? " through a full non-blocking pipe" : "", n, wlen);
	}
	free(want);
	free(got);
}

/* The reader is gone: -1, and -1 again without trying, io_out_broken. */
static void
test_write_broken(void)
{
	pid_t	 pid;
	int	 p[2], status, code;

	fflush(stdout);
	if (pipe(p) == -1 || (pid = fork()) == -1) {
		perror("pipe/fork");
		exit(1);
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_IGN);
		close(p[0]);
		if (dup2(p[1], STDOUT_FILENO) == -1)
			_exit(100);
		close(p[1]);
		io_init(1024, NULL, NULL);
		code = 0;
		if (io_out_broken())
			code |= 1;
		if (write_line("x", 1) != -1)
			code |= 2;
		if (!io_out_broken())
			code |= 4;
		if (write_line("y", 1) != -1)
			code |= 8;
		if (io_out_errno() != 0)
			code |= 16;
		_exit(code);
	}
	close(p[0]);
	close(p[1]);
	waitpid(pid, &status, 0);
	code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	T_OK(code == 0, "write: a gone reader (EPIPE) gives -1, "
	    "io_out_broken, -1 after, and no io_out_errno (code %d)", code);

	/* Any other failure is kept for the log. */
	fflush(stdout);
	if ((pid = fork()) == -1) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		close(STDOUT_FILENO);
		io_init(1024, NULL, NULL);
		code = 0;
		if (write_line("x", 1) != -1 || !io_out_broken())
			code |= 1;
		if (io_out_errno() != EBADF)
			code |= 2;
		_exit(code);
	}
	waitpid(pid, &status, 0);
	code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	T_OK(code == 0, "write: a closed stdout (EBADF) gives -1 and "
	    "io_out_errno EBADF (code %d)", code);
}

int
main(void)
{
	test_reader();
	test_big();
	test_restart();
	test_write();
	test_write_broken();
	return t_exit();
}
