/* Where a result comes from: the build, the machine, the time and the command line. */
#include "provenance.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static char *prov_command;

/* A word as a POSIX shell reads it back: bare when it is safe, else in single quotes. */
static void quote_word(char **buf, size_t *len, const char *w)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789-_./=:,+@%";
	size_t n = strlen(w), need = 4 * n + 3, i;
	bool bare = n > 0 && strspn(w, safe) == n;
	char *p;

	*buf = ism_xrealloc(*buf, *len + need + 2);
	p = *buf + *len;
	if (*len)
		*p++ = ' ';
	if (bare) {
		memcpy(p, w, n);
		p += n;
	} else {
		*p++ = '\'';
		for (i = 0; i < n; i++) {
			if (w[i] == '\'') {
				memcpy(p, "'\\''", 4);
				p += 4;
			} else {
				*p++ = w[i];
			}
		}
		*p++ = '\'';
	}
	*p = '\0';
	*len = (size_t)(p - *buf);
}

void ism_provenance_init(int argc, char *const *argv)
{
	size_t len = 0;
	int i;

	free(prov_command);
	prov_command = NULL;
	for (i = 0; i < argc; i++)
		quote_word(&prov_command, &len, argv[i]);
}

json_t *ism_provenance_json(void)
{
	char host[256] = "unknown", date[32] = "unknown", cwd[PATH_MAX];
	time_t now = time(NULL);
	struct tm tm;

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	if (gmtime_r(&now, &tm))
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), "unknown");
	return json_pack("{s:s, s:s, s:s, s:s}", "host", host, "date", date, "command",
			 prov_command ? prov_command : "unknown", "cwd", cwd);
}

/* --- SHA-256 (FIPS 180-4) ------------------------------------------------------------------ */

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned n)
{
	return x >> n | x << (32 - n);
}

static void sha_block(uint32_t h[8], const unsigned char *b)
{
	uint32_t w[64], v[8], t1, t2;
	unsigned i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
		       (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = (ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ w[i - 2] >> 10) + w[i - 7] +
		       (ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ w[i - 15] >> 3) + w[i - 16];
	memcpy(v, h, sizeof(v));
	for (i = 0; i < 64; i++) {
		t1 = v[7] + (ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25)) +
		     ((v[4] & v[5]) ^ (~v[4] & v[6])) + sha_k[i] + w[i];
		t2 = (ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22)) +
		     ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof(*v));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		h[i] += v[i];
}

void ism_sha256_text(const void *data, size_t n, char *out)
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	const unsigned char *p = data;
	unsigned char tail[128] = { 0 };
	uint64_t bits = (uint64_t)n * 8;
	size_t i, rest, tn;

	for (i = 0; i + 64 <= n; i += 64)
		sha_block(h, p + i);
	rest = n - i;
	memcpy(tail, p + i, rest);
	tail[rest] = 0x80;
	tn = rest + 9 <= 64 ? 64 : 128;
	for (i = 0; i < 8; i++)
		tail[tn - 1 - i] = (unsigned char)(bits >> (8 * i));
	sha_block(h, tail);
	if (tn == 128)
		sha_block(h, tail + 64);
	memcpy(out, "sha256:", 7);
	for (i = 0; i < 8; i++)
		snprintf(out + 7 + 8 * i, 9, "%08x", h[i]);
}

void ism_json_digest(const json_t *v, char *out)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY |
					   JSON_REAL_PRECISION(17));

	ism_sha256_text(text ? text : "", text ? strlen(text) : 0, out);
	free(text);
}
