/*
 * Who is asking: the caller named in the audit and in application_name.
 *
 * In order of trust, when --caller is not given:
 *   1. the public key (or OpenSSH certificate) sshd authenticated, from the
 *      file named by SSH_USER_AUTH (ExposeAuthInfo yes), looked up in the
 *      root-owned callers file by SHA256 fingerprint or certificate key ID;
 *   2. the peer's uid (SO_PEERCRED) when stdin is a connection accepted on
 *      a named Unix socket (systemd socket activation);
 *   3. the login name of our own uid.
 * Nothing the client sends (SSH_ORIGINAL_COMMAND, LANG, clientInfo) is
 * consulted.  SSH_USER_AUTH itself is set by sshd and cannot be passed
 * by the client unless sshd's AcceptEnv allows it, which it must not.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extern.h"

#define AUTHINFO_MAX	(64 * 1024)	/* bytes read from SSH_USER_AUTH */
#define BLOB_MAX	(16 * 1024)	/* a decoded key or certificate */
#define CALLERS_LINE	4096

/* ---- SHA-256 (FIPS 180-4), for OpenSSH's key fingerprints ------------ */

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))

static void
sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t	 w[64], a, b, c, d, e, f, g, hh, t1, t2;
	int		 i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = w[i - 16] + (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^
		    (w[i - 15] >> 3)) + w[i - 7] + (ROR(w[i - 2], 17) ^
		    ROR(w[i - 2], 19) ^ (w[i - 2] >> 10));
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
		    ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
		    ((a & b) ^ (a & c) ^ (b & c));
		hh = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

/* The SHA-256 digest of len bytes at p into out[32]. */
void
caller_sha256(const unsigned char *p, size_t len, unsigned char out[32])
{
	uint32_t	 h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372,
	    0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	unsigned char	 tail[128];
	size_t		 rest, n, i;
	uint64_t	 bits = (uint64_t)len * 8;

	for (n = 0; len - n >= 64; n += 64)
		sha256_block(h, p + n);
	rest = len - n;
	memset(tail, 0, sizeof(tail));
	memcpy(tail, p + n, rest);
	tail[rest] = 0x80;
	n = rest + 1 + 8 <= 64 ? 64 : 128;
	for (i = 0; i < 8; i++)
		tail[n - 1 - i] = (unsigned char)(bits >> (8 * i));
	sha256_block(h, tail);
	if (n == 128)
		sha256_block(h, tail + 64);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(h[i] >> 8);
		out[4 * i + 3] = (unsigned char)h[i];
	}
}

/* ---- base64 ----------------------------------------------------------- */

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Decode base64 text into out; returns the length or -1 if invalid. */
static long
b64_decode(const char *s, size_t len, unsigned char *out, size_t outsz)
{
	uint32_t	 acc = 0;
	size_t		 i, n = 0, pad = 0;
	int		 bits = 0;
	const char	*c;

	for (i = 0; i < len; i++) {
		if (s[i] == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (c = strchr(b64chars, s[i])) == NULL ||
		    s[i] == '\0')
			return -1;
		acc = acc << 6 | (uint32_t)(c - b64chars);
		if ((bits += 6) >= 8) {
			bits -= 8;
			if (n == outsz)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	if (pad > 2 || (len % 4) != 0)
		return -1;
	return (long)n;
}

/* Encode without padding, as OpenSSH prints fingerprints. */
static void
b64_encode(const unsigned char *p, size_t len, char *out, size_t outsz)
{
	uint32_t	 acc = 0;
	size_t		 i, o = 0;
	int		 bits = 0;

	for (i = 0; i < len; i++) {
		acc = acc << 8 | p[i];
		for (bits += 8; bits >= 6 && o + 1 < outsz; bits -= 6)
			out[o++] = b64chars[(acc >> (bits - 6)) & 63];
	}
	if (bits > 0 && o + 1 < outsz)
		out[o++] = b64chars[(acc << (6 - bits)) & 63];
	out[o] = '\0';
}

/* ---- OpenSSH keys and certificates ------------------------------------ */

int
caller_fingerprint(const char *b64, size_t len, char *out, size_t outsz)
{
	unsigned char	 blob[BLOB_MAX], digest[32];
	char		 enc[64];
	long		 n;

	if ((n = b64_decode(b64, len, blob, sizeof(blob))) <= 0)
		return -1;
	caller_sha256(blob, (size_t)n, digest);
	b64_encode(digest, sizeof(digest), enc, sizeof(enc));
	if ((size_t)snprintf(out, outsz, "SHA256:%s", enc) >= outsz)
		return -1;
	return 0;
}

/* A cursor over SSH wire-format data (RFC 4251 strings and integers). */
struct wire {
	const unsigned char	*p;
	size_t			 left;
};

/* Take a uint32-length-prefixed string; returns 0 or -1 past the end. */
static int
wire_string(struct wire *w, const unsigned char **s, size_t *len)
{
	uint32_t	 n;

	if (w->left < 4)
		return -1;
	n = (uint32_t)w->p[0] << 24 | (uint32_t)w->p[1] << 16 |
	    (uint32_t)w->p[2] << 8 | w->p[3];
	if (n > w->left - 4)
		return -1;
	*s = w->p + 4;
	*len = n;
	w->p += 4 + n;
	w->left -= 4 + (size_t)n;
	return 0;
}

static int
wire_skip(struct wire *w, size_t n)
{
	if (w->left < n)
		return -1;
	w->p += n;
	w->left -= n;
	return 0;
}

/*
 * How many key fields follow the nonce in a certificate of this type
 * (PROTOCOL.certkeys), or -1 for a type we do not know.
 */
static int
cert_key_fields(const unsigned char *type, size_t len)
{
	static const struct {
		const char	*type;
		int		 fields;
	} types[] = {
		{ "ssh-ed25519-cert-v01@openssh.com", 1 },
		{ "ssh-rsa-cert-v01@openssh.com", 2 },
		{ "ecdsa-sha2-nistp256-cert-v01@openssh.com", 2 },
		{ "ecdsa-sha2-nistp384-cert-v01@openssh.com", 2 },
		{ "ecdsa-sha2-nistp521-cert-v01@openssh.com", 2 },
		{ "sk-ssh-ed25519-cert-v01@openssh.com", 2 },
		{ "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", 3 },
		{ "ssh-dss-cert-v01@openssh.com", 4 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strlen(types[i].type) == len &&
		    memcmp(types[i].type, type, len) == 0)
			return types[i].fields;
	return -1;
}

int
caller_cert_keyid(const char *b64, size_t len, char *out, size_t outsz)
{
	unsigned char		 blob[BLOB_MAX];
	const unsigned char	*s;
	struct wire		 w;
	size_t			 n, i;
	long			 bloblen;
	int			 fields;
	uint32_t		 certtype;

	if ((bloblen = b64_decode(b64, len, blob, sizeof(blob))) <= 0)
		return -1;
	w.p = blob;
	w.left = (size_t)bloblen;
	if (wire_string(&w, &s, &n) == -1 ||
	    (fields = cert_key_fields(s, n)) == -1 ||
	    wire_string(&w, &s, &n) == -1)		/* nonce */
		return -1;
	while (fields-- > 0)
		if (wire_string(&w, &s, &n) == -1)
			return -1;
	if (wire_skip(&w, 8) == -1 || w.left < 4)	/* serial */
		return -1;
	certtype = (uint32_t)w.p[0] << 24 | (uint32_t)w.p[1] << 16 |
	    (uint32_t)w.p[2] << 8 | w.p[3];
	if (certtype != 1 || wire_skip(&w, 4) == -1 ||	/* a user cert */
	    wire_string(&w, &s, &n) == -1 || n == 0 || n >= outsz)
		return -1;
	for (i = 0; i < n; i++)
		if (!isgraph(s[i]))
			return -1;	/* printable, no spaces: one token */
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* ---- the callers file ------------------------------------------------- */

int
caller_lookup(FILE *f, const char *key, char *name, size_t namesz)
{
	char	 line[CALLERS_LINE], *k, *v, *p;

	rewind(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		p = line;
		k = strsep(&p, " \t\r\n");
		if (k == NULL || *k == '\0' || *k == '#')
			continue;
		while (p != NULL && (*p == ' ' || *p == '\t'))
			p++;
		v = strsep(&p, " \t\r\n");
		if (v == NULL || *v == '\0' || strcmp(k, key) != 0)
			continue;
		if (!caller_name_valid(v) || strlcpy(name, v, namesz) >= namesz)
			return -1;
		return 1;
	}
	return 0;
}

/*
 * Map the keys sshd recorded (one "publickey TYPE BASE64 ..." line per
 * key used) to one caller.  Returns 1 with name set, 0 when no key is in
 * the callers file, -1 (why set) when keys map to different callers.
 */
int
caller_from_authinfo(const char *info, FILE *callers, char *name,
    size_t namesz, char *why, size_t whysz)
{
	char		 copy[AUTHINFO_MAX], key[256], found[CALLER_MAX + 1];
	char		*p = copy, *line, *method, *type, *b64;
	int		 r, matched = 0;

	if (strlcpy(copy, info, sizeof(copy)) >= sizeof(copy)) {
		snprintf(why, whysz, "SSH_USER_AUTH file is too long");
		return -1;
	}
	while ((line = strsep(&p, "\n")) != NULL) {
		method = strsep(&line, " ");
		type = strsep(&line, " ");
		b64 = strsep(&line, " ");
		if (method == NULL || strcmp(method, "publickey") != 0 ||
		    type == NULL || b64 == NULL)
			continue;
		if (strstr(type, "-cert-v01@openssh.com") != NULL) {
			strlcpy(key, "cert:", sizeof(key));
			if (caller_cert_keyid(b64, strlen(b64), key + 5,
			    sizeof(key) - 5) == -1)
				continue;
		} else if (caller_fingerprint(b64, strlen(b64), key,
		    sizeof(key)) == -1)
			continue;
		if ((r = caller_lookup(callers, key, found,
		    sizeof(found))) == -1) {
			snprintf(why, whysz, "callers file: bad name for %s",
			    key);
			return -1;
		}
		if (r == 0)
			continue;
		if (matched && strcmp(found, name) != 0) {
			snprintf(why, whysz, "the keys used map to different "
			    "callers (%s, %s)", name, found);
			return -1;
		}
		strlcpy(name, found, namesz);
		matched = 1;
	}
	return matched;
}

/* ---- the resolution order ------------------------------------------- */

/* The uid of the peer of a named Unix socket on stdin, or -1. */
static int
caller_peer_uid(uid_t *uid)
{
	struct sockaddr_un	 sun;
	struct ucred		 cred;
	socklen_t		 len = sizeof(sun), clen = sizeof(cred);

	memset(&sun, 0, sizeof(sun));
	if (getsockname(STDIN_FILENO, (struct sockaddr *)&sun, &len) == -1 ||
	    sun.sun_family != AF_UNIX || len <= sizeof(sa_family_t))
		return -1;	/* not a socket, or an unnamed socketpair */
	if (getsockopt(STDIN_FILENO, SOL_SOCKET, SO_PEERCRED, &cred,
	    &clen) == -1)
		return -1;
	*uid = cred.uid;
	return 0;
}

/* The login name of uid into name; 0 or -1. */
static int
caller_uid_name(uid_t uid, char *name, size_t namesz)
{
	struct passwd	*pw;

	if ((pw = getpwuid(uid)) == NULL || !caller_name_valid(pw->pw_name))
		return -1;
	return strlcpy(name, pw->pw_name, namesz) < namesz ? 0 : -1;
}

/* Read the SSH_USER_AUTH file whole (sshd deletes it at session end). */
static int
caller_read_authinfo(const char *path, char *buf, size_t bufsz)
{
	FILE	*f;
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, bufsz - 1, f);
	fclose(f);
	buf[n] = '\0';
	return 0;
}

int
caller_resolve(struct config *cfg, const char *callers_path,
    bool require_key, char *why, size_t whysz)
{
	static char	 info[AUTHINFO_MAX];
	const char	*authinfo = getenv("SSH_USER_AUTH");
	struct stat	 st;
	FILE		*callers = NULL;
	uid_t		 uid;
	int		 r = 0;

	if (cfg->caller[0] != '\0') {
		cfg->caller_source = "--caller";
		return 0;
	}
	if (authinfo != NULL && *authinfo != '\0' &&
	    (callers = fopen(callers_path, "r")) != NULL) {
		if (fstat(fileno(callers), &st) == -1 || st.st_uid != 0 ||
		    (st.st_mode & 022) != 0) {
			fclose(callers);
			snprintf(why, whysz, "%s must be owned by root and "
			    "writable by no one else", callers_path);
			return -1;
		}
		if (caller_read_authinfo(authinfo, info, sizeof(info)) == 0)
			r = caller_from_authinfo(info, callers, cfg->caller,
			    sizeof(cfg->caller), why, whysz);
		fclose(callers);
		if (r == -1)
			return -1;
		if (r == 1) {
			cfg->caller_source = "ssh key (callers file)";
			return 0;
		}
	}
	if (require_key) {
		/* A shared account's name would hide who is asking. */
		snprintf(why, whysz, "the ssh key used is not in %s and "
		    "--require-key-caller is set", callers_path);
		return -1;
	}
	if (caller_peer_uid(&uid) == 0 &&
	    caller_uid_name(uid, cfg->caller, sizeof(cfg->caller)) == 0) {
		cfg->caller_source = "unix socket peer";
		return 0;
	}
	if (caller_uid_name(getuid(), cfg->caller, sizeof(cfg->caller)) == 0) {
		cfg->caller_source = "login name";
		return 0;
	}
	snprintf(why, whysz, "no usable login name for uid %u; use --caller",
	    (unsigned)getuid());
	return -1;
}

bool
caller_name_valid(const char *s)
{
	return word_valid(s, CALLER_MAX);
}
