/* Untrusted text made safe to print: controls, invalid UTF-8 and backslashes escaped, and a
 * cut only after a whole character or escape, marked with an ellipsis. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "escape.h"

#define CUT "\xe2\x80\xa6"

/* escape_text of a byte string, in a fresh buffer. */
static const char *esc(const char *in, size_t len)
{
	static char out[512];
	memset(out, 'x', sizeof out);
	size_t n = escape_text(in, len, out, sizeof out);
	assert_int_equal(n, strlen(out));
	return out;
}

/* A literal, its length (a NUL inside counts), and what escape_text makes of it. */
struct esc_case {
	const char *in;
	size_t len;
	const char *out;
};
#define ESC_CASE(lit, escaped) { lit, sizeof lit - 1, escaped }

static void check_escapes(const struct esc_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_string_equal(esc(c[i].in, c[i].len), c[i].out);
}

/* A backslash is escaped too: a name holding the four characters \x1b must not look like
 * an escaped ESC. */
static void test_escape_keeps_plain_text_and_doubles_backslashes(void **state)
{
	(void)state;
	static const struct esc_case cases[] = {
		ESC_CASE("sleep 100", "sleep 100"),
		ESC_CASE("a\\b", "a\\\\b"),
		ESC_CASE("\\", "\\\\"),
		ESC_CASE("\\x1b", "\\\\x1b"),
		ESC_CASE("\\e", "\\\\e"),
		ESC_CASE("\x1b", "\\e"),
		ESC_CASE("C:\\dir\\", "C:\\\\dir\\\\"),
		ESC_CASE("", ""),
	};
	check_escapes(cases, sizeof cases / sizeof cases[0]);
	char out[16];
	assert_int_equal(escape_str(NULL, out, sizeof out), 0);
	assert_string_equal(out, "");
}

static void test_escape_shows_controls(void **state)
{
	(void)state;
	static const struct esc_case cases[] = {
		ESC_CASE("a\x1b[31mb", "a\\e[31mb"),
		ESC_CASE("1\n2\t3\r4", "1\\n2\\t3\\r4"),
		ESC_CASE("\x01\x07\x08\x1f", "\\x01\\x07\\x08\\x1f"),
		ESC_CASE("del\x7f", "del\\x7f"),
		ESC_CASE("nul\0after", "nul\\x00after"),
	};
	check_escapes(cases, sizeof cases / sizeof cases[0]);
}

static void test_escape_shows_invalid_utf8_bytes(void **state)
{
	(void)state;
	static const struct esc_case cases[] = {
		ESC_CASE("\xff", "\\xff"),
		ESC_CASE("\x80", "\\x80"), /* a lone continuation byte */
		ESC_CASE("ab\xc3", "ab\\xc3"), /* cut short at the end */
		ESC_CASE("\xc3(", "\\xc3("), /* a bad continuation */
		ESC_CASE("\xe2\x82", "\\xe2\\x82"),
		/* Overlong forms. */
		ESC_CASE("\xc0\xaf", "\\xc0\\xaf"),
		ESC_CASE("\xc1\xbf", "\\xc1\\xbf"),
		ESC_CASE("\xe0\x80\xaf", "\\xe0\\x80\\xaf"),
		ESC_CASE("\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf"),
		/* UTF-16 surrogates, and beyond U+10FFFF. */
		ESC_CASE("\xed\xa0\x80", "\\xed\\xa0\\x80"),
		ESC_CASE("\xed\xbf\xbf", "\\xed\\xbf\\xbf"),
		ESC_CASE("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"),
		ESC_CASE("\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80"),
	};
	check_escapes(cases, sizeof cases / sizeof cases[0]);
}

static void test_escape_keeps_valid_utf8(void **state)
{
	(void)state;
	static const struct esc_case cases[] = {
		ESC_CASE("caf\xc3\xa9", "caf\xc3\xa9"), /* é */
		ESC_CASE("\xc2\xa0", "\xc2\xa0"), /* U+00A0, just past C1 */
		ESC_CASE("\xe2\x82\xac 5", "\xe2\x82\xac 5"), /* € */
		ESC_CASE("\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac"),
		ESC_CASE("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"), /* U+1F600 */
		ESC_CASE("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"), /* U+10FFFF */
		ESC_CASE("\xed\x9f\xbf", "\xed\x9f\xbf"), /* U+D7FF */
	};
	check_escapes(cases, sizeof cases / sizeof cases[0]);
}

/* C1 controls (CSI is U+009B) act as escapes on some terminals; bidi overrides reorder text. */
static void test_escape_shows_c1_controls_and_bidi_overrides(void **state)
{
	(void)state;
	static const struct esc_case cases[] = {
		ESC_CASE("\xc2\x80", "\\xc2\\x80"),
		ESC_CASE("\xc2\x85", "\\xc2\\x85"),
		ESC_CASE("a\xc2\x9b" "31mb", "a\\xc2\\x9b31mb"),
		ESC_CASE("\xc2\x9f", "\\xc2\\x9f"),
		ESC_CASE("\xe2\x80\xae", "\\xe2\\x80\\xae"), /* U+202E RLO */
		ESC_CASE("\xe2\x80\xaa", "\\xe2\\x80\\xaa"), /* U+202A LRE */
		ESC_CASE("\xe2\x81\xa6", "\\xe2\\x81\\xa6"), /* U+2066 LRI */
		ESC_CASE("\xe2\x81\xa9", "\\xe2\\x81\\xa9"), /* U+2069 PDI */
	};
	check_escapes(cases, sizeof cases / sizeof cases[0]);
}

/* Cut only after a whole character or escape, and say so with the mark. */
static void test_escape_cuts_whole_sequences_with_the_mark(void **state)
{
	(void)state;
	char out[16];

	/* "abc\e" needs 5 bytes and the NUL: in 6 it fits whole, with no mark. */
	assert_int_equal(escape_text("abc\x1b", 4, out, 6), 5);
	assert_string_equal(out, "abc\\e");
	/* In 5, the \e is left out whole, and the mark takes room: "a" and the mark. */
	memset(out, 'x', sizeof out);
	assert_int_equal(escape_text("abc\x1b", 4, out, 5), 4);
	assert_string_equal(out, "a" CUT);

	/* A multibyte character is never split. */
	assert_int_equal(escape_text("a\xc3\xa9", 3, out, 4), 3);
	assert_string_equal(out, "a\xc3\xa9");
	assert_int_equal(escape_text("ab\xc3\xa9", 4, out, 4), 3);
	assert_string_equal(out, CUT);
	/* The mark would have to go inside the é: the é goes whole, and the mark after "a". */
	assert_int_equal(escape_text("a\xc3\xa9xyz", 6, out, 6), 4);
	assert_string_equal(out, "a" CUT);

	/* Nor is a \xHH, nor a doubled backslash; nothing after the cut slips in. */
	assert_int_equal(escape_text("ab\x01" "b", 4, out, 7), 5);
	assert_string_equal(out, "ab" CUT);
	assert_int_equal(escape_text("a\x01", 2, out, 6), 5);
	assert_string_equal(out, "a\\x01");
	assert_int_equal(escape_text("abc\\d", 5, out, 6), 5);
	assert_string_equal(out, "ab" CUT);

	/* No room for the mark at all: what fits, whole. */
	assert_int_equal(escape_text("abc", 3, out, 3), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(escape_text("a\x01", 2, out, 3), 1);
	assert_string_equal(out, "a");
	/* Room for the NUL only, and no room at all. */
	memset(out, 'x', sizeof out);
	assert_int_equal(escape_text("abc", 3, out, 1), 0);
	assert_int_equal(out[0], '\0');
	memset(out, 'x', sizeof out);
	assert_int_equal(escape_text("abc", 3, out, 0), 0);
	assert_int_equal(out[0], 'x');
}

/* Is s valid UTF-8 from start to end? */
static bool valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
		if (n == 0)
			return false;
		for (size_t i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		p += n;
	}
	return true;
}

/* One length for a command line in every face: ESCAPE_COMMAND_MAX bytes, the mark included. */
static void test_command_cut_at_one_length(void **state)
{
	(void)state;
	static char in[3 * ESCAPE_COMMAND_MAX], out[ESCAPE_COMMAND_MAX + 1];
	char big[2 * ESCAPE_COMMAND_MAX];

	/* Exactly ESCAPE_COMMAND_MAX bytes: whole, no mark. */
	memset(in, 'a', ESCAPE_COMMAND_MAX);
	in[ESCAPE_COMMAND_MAX] = '\0';
	assert_int_equal(escape_command(in, out, sizeof out), ESCAPE_COMMAND_MAX);
	assert_string_equal(out, in);
	/* One more: cut, and the mark ends it. */
	strcat(in, "b");
	assert_int_equal(escape_command(in, out, sizeof out), ESCAPE_COMMAND_MAX);
	assert_int_equal(strspn(out, "a"), ESCAPE_COMMAND_MAX - 3);
	assert_string_equal(out + ESCAPE_COMMAND_MAX - 3, CUT);
	/* A bigger buffer changes nothing: the length is the command's, not the buffer's. */
	assert_int_equal(escape_command(in, big, sizeof big), ESCAPE_COMMAND_MAX);
	assert_string_equal(big, out);

	/* Two-byte characters: the cut falls between two of them, never inside one. */
	for (size_t i = 0; i < ESCAPE_COMMAND_MAX; i++)
		memcpy(in + 2 * i, "\xc3\xa9", 2);
	in[2 * ESCAPE_COMMAND_MAX] = '\0';
	size_t n = escape_command(in, out, sizeof out);
	assert_true(n <= ESCAPE_COMMAND_MAX);
	assert_int_equal(n, 2 * ((ESCAPE_COMMAND_MAX - 3) / 2) + 3);
	assert_true(valid_utf8(out));
	assert_string_equal(out + n - 3, CUT);
	/* Shifted by one byte, a character straddles the boundary instead. */
	in[0] = 'x';
	memmove(in + 1, in + 2, strlen(in + 2) + 1);
	n = escape_command(in, out, sizeof out);
	assert_true(n <= ESCAPE_COMMAND_MAX);
	assert_true(valid_utf8(out));
	assert_string_equal(out + n - 3, CUT);
	assert_int_equal(n, 1 + 2 * ((ESCAPE_COMMAND_MAX - 4) / 2) + 3);

	/* Escapes count as what they print: 4 bytes each for \x01. */
	memset(in, 1, ESCAPE_COMMAND_MAX);
	in[ESCAPE_COMMAND_MAX] = '\0';
	n = escape_command(in, out, sizeof out);
	assert_int_equal(n, 4 * ((ESCAPE_COMMAND_MAX - 3) / 4) + 3);
	assert_string_equal(out + n - 3, CUT);
	assert_memory_equal(out + n - 7, "\\x01", 4);

	/* A short buffer cuts shorter, still with the mark; NULL is the empty command. */
	assert_int_equal(escape_command("abcdefgh", out, 7), 6);
	assert_string_equal(out, "abc" CUT);
	assert_int_equal(escape_command(NULL, out, sizeof out), 0);
	assert_string_equal(out, "");
}

static const char *json(const char *in)
{
	static char out[256];
	memset(out, 'x', sizeof out);
	size_t n = escape_json(in, out, sizeof out);
	assert_int_equal(n, strlen(out));
	return out;
}

static void test_json_escapes_quotes_backslashes_and_controls(void **state)
{
	(void)state;
	assert_string_equal(json("sh -c \"echo hi\""), "sh -c \\\"echo hi\\\"");
	assert_string_equal(json("C:\\dir"), "C:\\\\dir");
	assert_string_equal(json("\x01\x1f\n\t\r"), "\\u0001\\u001f\\n\\t\\r");
	assert_string_equal(json("\x7f"), "\\u007f");
	assert_string_equal(json("caf\xc3\xa9"), "caf\xc3\xa9");
	assert_string_equal(json(""), "");

	/* Untrusted text goes through escape_text first: what JSON gets is plain. */
	char safe[64];
	escape_str("\x1b[2J", safe, sizeof safe);
	assert_string_equal(json(safe), "\\\\e[2J");
	escape_str("a\\b", safe, sizeof safe);
	assert_string_equal(json(safe), "a\\\\\\\\b");
}

/* An argument holding a newline: \n in the text faces (a space would read as two
 * arguments); in JSON, where escape_command_newlines keeps it, a real newline; other
 * controls escaped as in text. */
static void test_command_newline_is_escaped_in_text_and_real_in_json(void **state)
{
	(void)state;
	char safe[ESCAPE_COMMAND_MAX + 1];
	escape_command("perl -e 1 x\ny", safe, sizeof safe);
	assert_string_equal(safe, "perl -e 1 x\\ny");
	escape_command_newlines("perl -e 1 x\ny \x1b a\\b \xff", safe, sizeof safe);
	assert_string_equal(safe, "perl -e 1 x\ny \\e a\\\\b \\xff");
	assert_string_equal(json(safe), "perl -e 1 x\\ny \\\\e a\\\\\\\\b \\\\xff");
	/* The same cut as escape_command's. */
	char big[ESCAPE_COMMAND_MAX + 100];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	size_t n = escape_command_newlines(big, safe, sizeof safe);
	assert_int_equal(n, ESCAPE_COMMAND_MAX);
	assert_string_equal(safe + n - (sizeof CUT - 1), CUT);
}

static void test_json_cuts_whole_escapes_and_characters(void **state)
{
	(void)state;
	char out[16];
	/* The \" does not fit whole in 3: cut, and no room for the mark. */
	assert_int_equal(escape_json("a\"b", out, 3), 1);
	assert_string_equal(out, "a");
	assert_int_equal(escape_json("ab\x01", out, 8), 5);
	assert_string_equal(out, "ab" CUT);
	assert_int_equal(escape_json("a\x01", out, 8), 7);
	assert_string_equal(out, "a\\u0001");
	/* A multibyte character is never split. */
	assert_int_equal(escape_json("\xc3\xa9\xc3\xa9\xc3\xa9xyz", out, 9), 7);
	assert_string_equal(out, "\xc3\xa9\xc3\xa9" CUT);
	assert_true(valid_utf8(out));
	/* The mark of a cut command passes through. */
	assert_string_equal(json("sleep" CUT), "sleep" CUT);
	memset(out, 'x', sizeof out);
	assert_int_equal(escape_json("abc", out, 0), 0);
	assert_int_equal(out[0], 'x');
}

/* XML: the five specials as entities, controls as U+FFFD, UTF-8 kept whole. */
static void test_xml_escapes_specials_and_controls(void **state)
{
	(void)state;
	char out[128];
	escape_xml("a<b>&\"c'd\x01\x7f \xc3\xa9", out, sizeof out);
	assert_string_equal(out, "a&lt;b&gt;&amp;&quot;c&apos;d\xef\xbf\xbd\xef\xbf\xbd \xc3\xa9");
	/* Cut: never in the middle of an entity. */
	char small[12];
	escape_xml("&&&&", small, sizeof small);
	const char *amp = strrchr(small, '&');
	assert_non_null(amp);
	assert_non_null(strchr(amp, ';'));
}

/* GitHub's workflow commands: %, CR and LF encoded, nothing else. */
static void test_annotation_escapes_percent_and_newlines(void **state)
{
	(void)state;
	char out[128];
	escape_annotation("100% a\r\nb:c,d", out, sizeof out);
	assert_string_equal(out, "100%25 a%0D%0Ab:c,d");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_keeps_plain_text_and_doubles_backslashes),
		cmocka_unit_test(test_escape_shows_controls),
		cmocka_unit_test(test_escape_shows_invalid_utf8_bytes),
		cmocka_unit_test(test_escape_keeps_valid_utf8),
		cmocka_unit_test(test_escape_shows_c1_controls_and_bidi_overrides),
		cmocka_unit_test(test_escape_cuts_whole_sequences_with_the_mark),
		cmocka_unit_test(test_command_cut_at_one_length),
		cmocka_unit_test(test_json_escapes_quotes_backslashes_and_controls),
		cmocka_unit_test(test_json_cuts_whole_escapes_and_characters),
		cmocka_unit_test(test_xml_escapes_specials_and_controls),
		cmocka_unit_test(test_annotation_escapes_percent_and_newlines),
		cmocka_unit_test(test_command_newline_is_escaped_in_text_and_real_in_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
