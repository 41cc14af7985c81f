// SPDX-License-Identifier: MIT
/*
 * Description: the SHA-256 used for schema digests reproduces the FIPS 180
 * example vectors (empty, "abc", the 448- and 896-bit messages, one million
 * 'a'), gives the same result however the input is split across updates,
 * and handles every length around the 55/56/64-byte padding boundaries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sha256.h"

static void hex(const uint8_t d[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void check(const char *msg, size_t len, const char *want)
{
	uint8_t d[32];
	char h[65];

	myc_sha256(msg, len, d);
	hex(d, h);
	assert_string_equal(h, want);
}

static void fips_vectors(void **state)
{
	check("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	check("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	      "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 112,
	      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void million_a(void **state)
{
	struct myc_sha256 c;
	char chunk[1000];
	uint8_t d[32];
	char h[65];

	memset(chunk, 'a', sizeof(chunk));
	myc_sha256_init(&c);
	for (int i = 0; i < 1000; i++)
		myc_sha256_update(&c, chunk, sizeof(chunk));
	myc_sha256_final(&c, d);
	hex(d, h);
	assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void split_updates_agree(void **state)
{
	unsigned char msg[300];
	uint8_t whole[32], parts[32];

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)(i * 31 + 7);
	for (size_t len = 0; len <= sizeof(msg); len += 13) {
		myc_sha256(msg, len, whole);
		for (size_t cut = 0; cut <= len; cut++) {
			struct myc_sha256 c;

			myc_sha256_init(&c);
			myc_sha256_update(&c, msg, cut);
			myc_sha256_update(&c, msg + cut, 0);
			myc_sha256_update(&c, msg + cut, len - cut);
			myc_sha256_final(&c, parts);
			assert_memory_equal(whole, parts, 32);
		}
	}
}

/* Digests of 'a' * n for n around the padding boundaries (computed with
 * Python's hashlib when the table was made).  */
static void padding_boundaries(void **state)
{
	static const struct { size_t n; const char *d; } v[] = {
		{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
		{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
		{ 57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6" },
		{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
		{ 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
	};
	char a[65];

	memset(a, 'a', sizeof(a));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		check(a, v[i].n, v[i].d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fips_vectors),
		cmocka_unit_test(million_a),
		cmocka_unit_test(split_updates_agree),
		cmocka_unit_test(padding_boundaries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
