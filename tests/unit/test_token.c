/* Unit tests of lib/token.c: reading a token file (first line, trimmed;
 * empty, missing, too long) and what the constant-time comparison answers
 * (its timing cannot be tested here: see att_token_equal's loop). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "attache/protocol.h"
#include "token.h"

/* ---- comparison ---- */

static bool eq(const char *a, const char *b)
{
    return att_token_equal(a, strlen(a), b, strlen(b));
}

static void test_equal(void **state)
{
    (void)state;
    assert_true(eq("s3cret", "s3cret"));
    assert_true(eq("", ""));
    assert_true(att_token_equal(NULL, 0, NULL, 0));
    assert_true(att_token_equal("a\0b", 3, "a\0b", 3));
}

static void test_not_equal(void **state)
{
    (void)state;
    assert_false(eq("s3cret", "s3creT"));   /* the last byte */
    assert_false(eq("s3cret", "S3cret"));   /* the first */
    assert_false(eq("s3cret", "s3cre"));    /* a prefix */
    assert_false(eq("s3cre", "s3cret"));
    assert_false(eq("s3cret", "s3cret "));
    assert_false(eq("s3cret", ""));
    assert_false(eq("", "s3cret"));
    assert_false(att_token_equal(NULL, 0, "x", 1));
    /* Trailing NUL bytes are bytes: not the same as the shorter token. */
    assert_false(att_token_equal("ab\0", 3, "ab", 2));
    assert_false(att_token_equal("ab", 2, "ab\0\0", 4));
    /* Every single-bit difference at every position. */
    char a[40], b[40];

    memset(a, 'k', sizeof a);
    for (size_t i = 0; i < sizeof a; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(b, a, sizeof b);
            b[i] = (char)(b[i] ^ (1 << bit));
            assert_false(att_token_equal(a, sizeof a, b, sizeof b));
        }
    }
}

/* ---- token files ---- */

struct fx {
    char dir[64];
    char path[128];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);

    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/attache-token-XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/token", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void put(struct fx *f, const char *text, size_t len, mode_t mode)
{
    FILE *o = fopen(f->path, "w");

    assert_non_null(o);
    assert_int_equal(fwrite(text, 1, len, o), len);
    assert_int_equal(fclose(o), 0);
    assert_int_equal(chmod(f->path, mode), 0);
}

/* Read f's file; the status, with the token in *tok (freed by the caller). */
static int rd(struct fx *f, char **tok, size_t *len, bool *loose)
{
    struct att_err err = {0};
    int rc = att_token_read(f->path, tok, len, loose, &err);

    if (rc != ATT_OK) {
        assert_null(*tok);
        assert_true(err.msg[0] != '\0');
        assert_non_null(strstr(err.msg, f->path));
    }
    return rc;
}

static void test_read_first_line_trimmed(void **state)
{
    struct fx *f = *state;
    static const char *const texts[] = {
        "s3cret", "s3cret\n", "  s3cret \t\r\n", "s3cret\nsecond line\n", "\ts3cret\r\n\n",
    };
    char *tok = NULL;
    size_t len = 0;
    bool loose = true;

    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        put(f, texts[i], strlen(texts[i]), 0600);
        assert_int_equal(rd(f, &tok, &len, &loose), ATT_OK);
        assert_string_equal(tok, "s3cret");
        assert_int_equal(len, 6);
        assert_false(loose);
        att_token_free(tok, len);
        tok = NULL;
    }
    /* Inner spaces stay. */
    put(f, " a b \n", 6, 0600);
    assert_int_equal(rd(f, &tok, &len, &loose), ATT_OK);
    assert_string_equal(tok, "a b");
    att_token_free(tok, len);
}

static void test_read_loose_permissions(void **state)
{
    struct fx *f = *state;
    static const mode_t modes[] = {0640, 0604, 0644, 0400};
    static const bool want[] = {true, true, true, false};
    char *tok = NULL;
    size_t len = 0;
    bool loose;

    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        put(f, "t\n", 2, modes[i]);
        assert_int_equal(rd(f, &tok, &len, &loose), ATT_OK);
        assert_int_equal(loose, want[i]);
        att_token_free(tok, len);
        tok = NULL;
    }
}

static void test_read_errors(void **state)
{
    struct fx *f = *state;
    char *tok = NULL, big[ATTACHE_MAX_TOKEN + 2];
    size_t len = 0;
    bool loose;

    assert_int_equal(rd(f, &tok, &len, &loose), ATT_E_IO); /* missing */
    put(f, "", 0, 0600);
    assert_int_equal(rd(f, &tok, &len, &loose), ATT_E_EMPTY);
    put(f, " \t\r\n", 4, 0600);
    assert_int_equal(rd(f, &tok, &len, &loose), ATT_E_EMPTY);
    put(f, "\ntoken on the second line\n", 27, 0600);
    assert_int_equal(rd(f, &tok, &len, &loose), ATT_E_EMPTY);
    memset(big, 'x', sizeof big);
    put(f, big, ATTACHE_MAX_TOKEN + 1, 0600);
    assert_int_equal(rd(f, &tok, &len, &loose), ATT_E_TOOBIG);
    put(f, big, ATTACHE_MAX_TOKEN, 0600); /* the longest */
    assert_int_equal(rd(f, &tok, &len, &loose), ATT_OK);
    assert_int_equal(len, ATTACHE_MAX_TOKEN);
    att_token_free(tok, len);
    tok = NULL;
    put(f, "a\0b\n", 4, 0600);
    assert_int_equal(rd(f, &tok, &len, &loose), ATT_E_TOOBIG);
    /* A folder is not a token file. */
    struct att_err err = {0};

    assert_int_equal(att_token_read(f->dir, &tok, &len, &loose, &err), ATT_E_IO);
    att_token_free(NULL, 0); /* a no-op */
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal),
        cmocka_unit_test(test_not_equal),
        T(test_read_first_line_trimmed),
        T(test_read_loose_permissions),
        T(test_read_errors),
    };
#undef T

    return cmocka_run_group_tests(tests, NULL, NULL);
}
