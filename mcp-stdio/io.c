/*
 * Line input from stdin and the one write path to stdout.
 *
 * Input is buffered until a '\n'.  A line longer than the cap is not kept:
 * its bytes are discarded up to the next '\n' and io_next() reports
 * IO_TOOLONG once, so the session can answer with an error and go on.
 */
#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extern.h"

#define IO_CHUNK	(64 * 1024)

static struct {
	const sigset_t *waitmask;	/* signals that may end a wait */
	volatile sig_atomic_t *stop;	/* set by their handler */
	char	*buf;
	size_t	 cap;
	size_t	 start;		/* first byte not yet returned */
	size_t	 end;		/* one past the last byte read */
	size_t	 scan;		/* bytes from start known to hold no '\n' */
	size_t	 max_line;
	bool	 draining;	/* discarding the rest of a long line */
	bool	 toolong;	/* IO_TOOLONG not yet reported */
	bool	 eof;
	bool	 out_broken;	/* stdout failed: the peer is gone */
	int	 out_errno;	/* why, unless EPIPE: an error to report */
} in;

void
io_init(size_t max_line, const sigset_t *waitmask,
    volatile sig_atomic_t *stop)
{
	/* A new input: only the buffer is kept. */
	in.start = in.end = in.scan = 0;
	in.draining = in.toolong = in.eof = in.out_broken = false;
	in.out_errno = 0;
	in.max_line = max_line;
	in.waitmask = waitmask;
	in.stop = stop;
}

/* Make room for IO_CHUNK more bytes; the buffer never exceeds the cap. */
static int
io_room(void)
{
	size_t	 need;
	char	*p;

	if (in.start > 0) {
		memmove(in.buf, in.buf + in.start, in.end - in.start);
		in.end -= in.start;
		in.start = 0;
	}
	need = in.end + IO_CHUNK;
	if (need <= in.cap)
		return 0;
	if (need > in.max_line + 1 + IO_CHUNK)
		need = in.max_line + 1 + IO_CHUNK;
	if (need <= in.cap)
		return 0;
	if ((p = realloc(in.buf, need)) == NULL)
		return -1;
	in.buf = p;
	in.cap = need;
	return 0;
}

enum io_status
io_fill(void)
{
	ssize_t	 n;

	if (in.eof)
		return IO_EOF;
	if (io_room() == -1)
		return IO_ERROR;
	n = read(STDIN_FILENO, in.buf + in.end, in.cap - in.end);
	if (n == -1)
		return (errno == EINTR || errno == EAGAIN) ? IO_AGAIN :
		    IO_ERROR;
	if (n == 0) {
		in.eof = true;
		return IO_EOF;
	}
	in.end += (size_t)n;
	return IO_AGAIN;
}

enum io_status
io_next(const char **line, size_t *len)
{
	char	*nl;
	size_t	 n;

	for (;;) {
		if (in.toolong) {
			in.toolong = false;
			return IO_TOOLONG;
		}
		nl = memchr(in.buf + in.start + in.scan, '\n',
		    in.end - in.start - in.scan);
		if (in.draining) {
			if (nl == NULL) {
				in.start = in.end = in.scan = 0;
				return in.eof ? IO_EOF : IO_AGAIN;
			}
			in.start = (size_t)(nl - in.buf) + 1;
			in.scan = 0;
			in.draining = false;
			continue;
		}
		if (nl == NULL) {
			in.scan = in.end - in.start;
			if (in.scan > in.max_line) {
				in.draining = true;
				in.toolong = true;
				continue;
			}
			if (in.eof && in.scan > 0) {
				/* A last line without its newline. */
				*line = in.buf + in.start;
				*len = in.scan;
				in.start = in.end;
				in.scan = 0;
				return IO_LINE;
			}
			return in.eof ? IO_EOF : IO_AGAIN;
		}
		n = (size_t)(nl - (in.buf + in.start));
		*line = in.buf + in.start;
		in.start += n + 1;
		in.scan = 0;
		if (n > in.max_line) {
			in.toolong = true;
			continue;
		}
		if (n > 0 && (*line)[n - 1] == '\r')
			n--;
		*len = n;
		return IO_LINE;
	}
}

/*
 * Write iov[0..n) whole, waiting while a non-blocking stdout is full: one
 * writev() unless the pipe takes less.  The wait lets the terminating
 * signals in: a client that never reads cannot keep the session from
 * ending.  Returns 0, or -1 with errno set (EINTR once told to stop).
 */
static int
io_writev_all(struct iovec *iov, int n)
{
	struct pollfd	 pfd;
	ssize_t		 w;

	while (n > 0) {
		if (in.stop != NULL && *in.stop) {
			errno = EINTR;
			return -1;
		}
		if ((w = writev(STDOUT_FILENO, iov, n)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -1;
			pfd.fd = STDOUT_FILENO;
			pfd.events = POLLOUT;
			(void)ppoll(&pfd, 1, NULL, in.waitmask);
			continue;
		}
		/* Skip what went out, a partial iovec included. */
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

int
io_write_line(const struct iovec *pieces, int n)
{
	struct iovec	 iov[JW_IOV_MAX + 1];
	char		 nl = '\n';

	if (in.out_broken)
		return -1;
	if (n < 0 || n > JW_IOV_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (n > 0)
		memcpy(iov, pieces, (size_t)n * sizeof(*iov));
	iov[n].iov_base = &nl;
	iov[n].iov_len = 1;
	if (io_writev_all(iov, n + 1) == -1) {
		in.out_broken = true;
		/* A reader gone or a stop asked for is the normal end. */
		if (errno != EPIPE && errno != EINTR)
			in.out_errno = errno;
		return -1;
	}
	return 0;
}

bool
io_out_broken(void)
{
	return in.out_broken;
}

int
io_out_errno(void)
{
	return in.out_errno;
}
