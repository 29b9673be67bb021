/*
 * Caller attribution: OpenSSH fingerprints and certificate key IDs (the
 * expected values were printed by ssh-keygen -l and -L for these keys),
 * the callers file, and SSH_USER_AUTH contents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"
#include "t.h"

/* Generated with ssh-keygen 9.2 (ed25519, rsa 1024, ecdsa p256, a CA). */
#define ED25519_KEY "AAAAC3NzaC1lZDI1NTE5AAAAIASDLPKG72OglyEMk7IAGiW+gCZGBLC+JMif/jB83WTg"
#define RSA_KEY "AAAAB3NzaC1yc2EAAAADAQABAAAAgQD179uAd2uN8rfkFugjFNADcKwPlbPgMLCMG2WCMY8JtDXUayTugjNvF8cRd3A3oP/onSNVU0K50lNELpfjv2gFXRJaFJnes2tO9z40pPrPWmcjjrWkd2YWiJtzFXtxGXpQ8+u6b82dlXLro7RbU0XwgX6cWwzm3tepZxNm/ZRM8Q=="
#define ECDSA_KEY "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBAjInCCBWlSFFGXA5gi6XbniQeke4vl+GbzBTFwJpBmPze9dPyi/b4epyALIcuH6KgTNX4+SiY8VyVkmGUe45HE="
#define ED25519_CERT "AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAILqlGFMwbujVzdlfoj/6EMgyEU79q+u1Jj4noPfKHH8MAAAAIASDLPKG72OglyEMk7IAGiW+gCZGBLC+JMif/jB83WTgAAAAAAAAAAAAAAABAAAACmFsaWNlLTIwMjYAAAAMAAAACGFtY3Atc3ZjAAAAAGsFqjAAAAAAbOWMjgAAAAAAAACCAAAAFXBlcm1pdC1YMTEtZm9yd2FyZGluZwAAAAAAAAAXcGVybWl0LWFnZW50LWZvcndhcmRpbmcAAAAAAAAAFnBlcm1pdC1wb3J0LWZvcndhcmRpbmcAAAAAAAAACnBlcm1pdC1wdHkAAAAAAAAADnBlcm1pdC11c2VyLXJjAAAAAAAAAAAAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIHNbnQFN9DX+cvAzqx/g/hSDvFhnfTLnTsU3CtFeRTlsAAAAUwAAAAtzc2gtZWQyNTUxOQAAAEDK7654KjT24KYKGISZ3lF20c8s3z4lBV7S6N0CRGZC7Hi8RlUG5veu/O6+j6XvoSBVPhMSGH9yiQex7Fm6aJMC"
#define RSA_CERT "AAAAHHNzaC1yc2EtY2VydC12MDFAb3BlbnNzaC5jb20AAAAgg93Kv/k/4AefIrGEfE4mRccMAs5MtvikbW2h6iSEJfoAAAADAQABAAAAgQD179uAd2uN8rfkFugjFNADcKwPlbPgMLCMG2WCMY8JtDXUayTugjNvF8cRd3A3oP/onSNVU0K50lNELpfjv2gFXRJaFJnes2tO9z40pPrPWmcjjrWkd2YWiJtzFXtxGXpQ8+u6b82dlXLro7RbU0XwgX6cWwzm3tepZxNm/ZRM8QAAAAAAAAAAAAAAAQAAAAdib2ItcnNhAAAABQAAAAF4AAAAAAAAAAD//////////wAAAAAAAACCAAAAFXBlcm1pdC1YMTEtZm9yd2FyZGluZwAAAAAAAAAXcGVybWl0LWFnZW50LWZvcndhcmRpbmcAAAAAAAAAFnBlcm1pdC1wb3J0LWZvcndhcmRpbmcAAAAAAAAACnBlcm1pdC1wdHkAAAAAAAAADnBlcm1pdC11c2VyLXJjAAAAAAAAAAAAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIHNbnQFN9DX+cvAzqx/g/hSDvFhnfTLnTsU3CtFeRTlsAAAAUwAAAAtzc2gtZWQyNTUxOQAAAECsqJBGmvy4sHddS6DQsdtphFOkeBOQkwNNtbJDzYE2/gHRUNfVsgS42ZytZZZ3kH+VfYP1MfMfI7GkVbRm1xYA"
#define ECDSA_CERT "AAAAKGVjZHNhLXNoYTItbmlzdHAyNTYtY2VydC12MDFAb3BlbnNzaC5jb20AAAAgSZYAQ8Kdmfh0jRtvVri9KIlq7rCEWb69c1GUik42liAAAAAIbmlzdHAyNTYAAABBBAjInCCBWlSFFGXA5gi6XbniQeke4vl+GbzBTFwJpBmPze9dPyi/b4epyALIcuH6KgTNX4+SiY8VyVkmGUe45HEAAAAAAAAAAAAAAAEAAAAIY2Fyb2wtZWMAAAAFAAAAAXgAAAAAAAAAAP//////////AAAAAAAAAIIAAAAVcGVybWl0LVgxMS1mb3J3YXJkaW5nAAAAAAAAABdwZXJtaXQtYWdlbnQtZm9yd2FyZGluZwAAAAAAAAAWcGVybWl0LXBvcnQtZm9yd2FyZGluZwAAAAAAAAAKcGVybWl0LXB0eQAAAAAAAAAOcGVybWl0LXVzZXItcmMAAAAAAAAAAAAAADMAAAALc3NoLWVkMjU1MTkAAAAgc1udAU30Nf5y8DOrH+D+FIO8WGd9MudOxTcK0V5FOWwAAABTAAAAC3NzaC1lZDI1NTE5AAAAQA5tcpfBgtGAElS1uuQaQHRAFHz3vxrFVybt9P0LrQgLiTTAUvsCYuC6/aSDG4dsokIn1H/3snNYE9xiXQpGGQE="
#define ECDSA_HOSTCERT "AAAAKGVjZHNhLXNoYTItbmlzdHAyNTYtY2VydC12MDFAb3BlbnNzaC5jb20AAAAgv8vAuWmtIbSVDxT5Kh06XYmIzAf+xTjGCnYjARZmOZcAAAAIbmlzdHAyNTYAAABBBAjInCCBWlSFFGXA5gi6XbniQeke4vl+GbzBTFwJpBmPze9dPyi/b4epyALIcuH6KgTNX4+SiY8VyVkmGUe45HEAAAAAAAAAAAAAAAIAAAAIaG9zdGNlcnQAAAANAAAACWxvY2FsaG9zdAAAAAAAAAAA//////////8AAAAAAAAAAAAAAAAAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIHNbnQFN9DX+cvAzqx/g/hSDvFhnfTLnTsU3CtFeRTlsAAAAUwAAAAtzc2gtZWQyNTUxOQAAAEBfTJDl7exh4qw5tHX8i2ZZGBVna5QVRXUYs+UdbGtwXsVYjZRMPdiRyISw4IKOFsKaVPVPpM2NdhxImUnMXxMD"

static const struct {
	const char	*name;
	const char	*b64;
	const char	*fingerprint;
} keys[] = {
	{ "ed25519", ED25519_KEY,
	  "SHA256:N6UkpGalYHsoQjdre9xqANz9cB7Ogfmm6rt4bnetg7Q" },
	{ "rsa", RSA_KEY, "SHA256:uu5juCZJl5pFNrfz/Xi38X9XOgyFV5PFAwJtwxl1PmE" },
	{ "ecdsa", ECDSA_KEY,
	  "SHA256:NzKiOCpTcFF4X4K2DTKVFr0F9c3cLfJfkOvZfO1vcCE" },
};

static const struct {
	const char	*name;
	const char	*b64;
	const char	*keyid;		/* NULL: must be refused */
} certs[] = {
	{ "ed25519 user cert", ED25519_CERT, "alice-2026" },
	{ "rsa user cert", RSA_CERT, "bob-rsa" },
	{ "ecdsa user cert", ECDSA_CERT, "carol-ec" },
	{ "ecdsa host cert", ECDSA_HOSTCERT, NULL },
	{ "a plain key is no cert", ED25519_KEY, NULL },
	{ "not base64", "!!!!", NULL },
	{ "truncated", "AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29t", NULL },
};

/* A callers file in a temporary file. */
static FILE *
callers(const char *text)
{
	FILE	*f = tmpfile();

	if (f == NULL || fputs(text, f) == EOF) {
		perror("tmpfile");
		exit(1);
	}
	return f;
}

static void
test_sha256(void)
{
	unsigned char	 d[32];
	char		 hex[65];
	int		 i;
	static const char *million_a =
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	char		*a;

	caller_sha256((const unsigned char *)"abc", 3, d);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	T_OK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9c"
	    "b410ff61f20015ad") == 0, "sha256(\"abc\") (FIPS 180-4 example)");
	caller_sha256((const unsigned char *)"", 0, d);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	T_OK(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934c"
	    "a495991b7852b855") == 0, "sha256 of nothing");
	if ((a = malloc(1000000)) == NULL)
		exit(1);
	memset(a, 'a', 1000000);
	caller_sha256((unsigned char *)a, 1000000, d);
	free(a);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	T_OK(strcmp(hex, million_a) == 0, "sha256 of a million 'a'");
}

int
main(void)
{
	char	 out[256], name[CALLER_MAX + 1], why[256], info[8192];
	size_t	 i;
	FILE	*f;
	int	 r;

	test_sha256();
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		r = caller_fingerprint(keys[i].b64, strlen(keys[i].b64), out,
		    sizeof(out));
		T_OK(r == 0 && strcmp(out, keys[i].fingerprint) == 0,
		    "fingerprint of the %s key is ssh-keygen's (%s)",
		    keys[i].name, r == 0 ? out : "error");
	}
	T_OK(caller_fingerprint("AAA", 3, out, sizeof(out)) == -1,
	    "a fingerprint of invalid base64 is refused");
	for (i = 0; i < sizeof(certs) / sizeof(certs[0]); i++) {
		r = caller_cert_keyid(certs[i].b64, strlen(certs[i].b64), out,
		    sizeof(out));
		if (certs[i].keyid != NULL)
			T_OK(r == 0 && strcmp(out, certs[i].keyid) == 0,
			    "key ID of the %s", certs[i].name);
		else
			T_OK(r == -1, "%s: no key ID", certs[i].name);
	}

	f = callers("# fingerprint or cert:KEYID, then the caller\n"
	    "\n"
	    "SHA256:N6UkpGalYHsoQjdre9xqANz9cB7Ogfmm6rt4bnetg7Q alice\n"
	    "SHA256:uu5juCZJl5pFNrfz/Xi38X9XOgyFV5PFAwJtwxl1PmE\tbob  # rsa\n"
	    "cert:carol-ec carol\n"
	    "SHA256:NzKiOCpTcFF4X4K2DTKVFr0F9c3cLfJfkOvZfO1vcCE bad;name\n");
	T_OK(caller_lookup(f, "SHA256:N6UkpGalYHsoQjdre9xqANz9cB7Ogfmm6rt4bnetg7Q",
	    name, sizeof(name)) == 1 && strcmp(name, "alice") == 0,
	    "callers file maps a fingerprint");
	T_OK(caller_lookup(f, "SHA256:uu5juCZJl5pFNrfz/Xi38X9XOgyFV5PFAwJtwxl1PmE",
	    name, sizeof(name)) == 1 && strcmp(name, "bob") == 0,
	    "callers file: tabs and trailing comments");
	T_OK(caller_lookup(f, "SHA256:nothere", name, sizeof(name)) == 0,
	    "callers file: an unknown key is not found");
	T_OK(caller_lookup(f, "SHA256:NzKiOCpTcFF4X4K2DTKVFr0F9c3cLfJfkOvZfO1vcCE",
	    name, sizeof(name)) == -1, "callers file: an invalid name is "
	    "refused");
	T_OK(caller_lookup(f, "#", name, sizeof(name)) == 0,
	    "callers file: comments are not keys");

	snprintf(info, sizeof(info), "publickey ssh-ed25519 %s\n",
	    ED25519_KEY);
	r = caller_from_authinfo(info, f, name, sizeof(name), why,
	    sizeof(why));
	T_OK(r == 1 && strcmp(name, "alice") == 0,
	    "SSH_USER_AUTH with alice's key names alice");
	snprintf(info, sizeof(info), "publickey ecdsa-sha2-nistp256-cert-v01@"
	    "openssh.com %s\n", ECDSA_CERT);
	r = caller_from_authinfo(info, f, name, sizeof(name), why,
	    sizeof(why));
	T_OK(r == 1 && strcmp(name, "carol") == 0,
	    "SSH_USER_AUTH with a certificate maps its key ID");
	snprintf(info, sizeof(info), "password\nkeyboard-interactive\n"
	    "publickey ssh-ed25519-cert-v01@openssh.com %s\n", ED25519_CERT);
	r = caller_from_authinfo(info, f, name, sizeof(name), why,
	    sizeof(why));
	T_OK(r == 0, "a certificate whose key ID is not listed maps to "
	    "nobody, not to its key's fingerprint");
	snprintf(info, sizeof(info), "publickey ssh-ed25519 %s\n"
	    "publickey ssh-rsa %s\n", ED25519_KEY, RSA_KEY);
	r = caller_from_authinfo(info, f, name, sizeof(name), why,
	    sizeof(why));
	T_OK(r == -1 && strstr(why, "different callers") != NULL,
	    "two keys of two callers are refused");
	snprintf(info, sizeof(info), "publickey ssh-ed25519 %s\n"
	    "publickey ssh-ed25519 %s\n", ED25519_KEY, ED25519_KEY);
	r = caller_from_authinfo(info, f, name, sizeof(name), why,
	    sizeof(why));
	T_OK(r == 1 && strcmp(name, "alice") == 0,
	    "the same key twice is still alice");
	r = caller_from_authinfo("password\n", f, name, sizeof(name), why,
	    sizeof(why));
	T_OK(r == 0, "no public key, no mapping");
	r = caller_from_authinfo("publickey ssh-ed25519 @@@@\n", f, name,
	    sizeof(name), why, sizeof(why));
	T_OK(r == 0, "a garbled key maps to nobody");
	fclose(f);

	T_OK(caller_name_valid("alice") && caller_name_valid("a.b-c_d@e") &&
	    !caller_name_valid("") && !caller_name_valid("a b") &&
	    !caller_name_valid("a;b") && !caller_name_valid(
	    "0123456789012345678901234567890123456789012345678"),
	    "caller names: 1 to 48 of letters, digits, . _ @ -");
	return t_exit();
}
