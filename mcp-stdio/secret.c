/*
 * Secrets: the database password, wherever it came from (--dsn,
 * DATABASE_URL, PGPASSWORD), is registered here once at start-up, and
 * every text that libpq produced passes through secret_scrub() before it
 * reaches the client, a log or standard output.  libpq quotes parts of a
 * connection string in some of its messages; this makes sure no password
 * travels with them.
 */
#include <stdlib.h>
#include <string.h>

#include "extern.h"

#define SECRETS_MAX	4
#define SECRET_MASK	"********"

static char	*secrets[SECRETS_MAX];
static size_t	 nsecrets;

void
secret_add(const char *s, size_t len)
{
	char	*copy;

	if (s == NULL || len == 0 || nsecrets == SECRETS_MAX)
		return;
	if ((copy = strndup(s, len)) == NULL)
		return;
	secrets[nsecrets++] = copy;
}

/* The registered secret that starts at s, longest first; its length or 0. */
static size_t
secret_at(const char *s)
{
	size_t	 i, n, best = 0;

	for (i = 0; i < nsecrets; i++) {
		n = strlen(secrets[i]);
		if (n > best && strncmp(s, secrets[i], n) == 0)
			best = n;
	}
	return best;
}

void
secret_scrub(const char *in, char *out, size_t outsz)
{
	size_t	 o = 0, n;

	if (outsz == 0)
		return;
	while (in != NULL && *in != '\0' && o + 1 < outsz) {
		if ((n = secret_at(in)) > 0) {
			o += strlcpy(out + o, SECRET_MASK, outsz - o);
			if (o >= outsz)
				o = outsz - 1;
			in += n;
		} else
			out[o++] = *in++;
	}
	out[o] = '\0';
}
