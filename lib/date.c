/* attache: dates written in common ways (ISO 8601, RFC 2822, "November 24,
 * 2025", "24.11.2025", ...) normalised to "YYYY-MM-DD", "YYYY-MM" or "YYYY",
 * and dates from the leading digits of a file name. English month names only. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "attache/doc.h"
#include "doc_priv.h"

#define DATE_MAX_LEN 80 /* a longer string is not a date */
#define MAX_TOKENS 10   /* words and numbers looked at in a written date */
#define YEAR_MIN 1000
#define YEAR_MAX 2999

enum tok_kind { T_NUM, T_MONTH, T_WDAY, T_WORD, T_TIME };

struct tok {
    enum tok_kind kind;
    int val;    /* the number, or the month 1-12 */
    int digits; /* for T_NUM */
};

static const char *const months[12] = {"january", "february", "march",     "april",
                                       "may",     "june",     "july",      "august",
                                       "september", "october", "november", "december"};

static const char *const wdays[7] = {"monday", "tuesday",  "wednesday", "thursday",
                                     "friday", "saturday", "sunday"};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* True when c is one of the characters of set (never for NUL). */
static bool in_set(char c, const char *set)
{
    return c != '\0' && strchr(set, c) != NULL;
}

/* An ordinal suffix ("st", "nd", "rd", "th") at s[i..len), ending a word. */
static bool ordinal(const char *s, size_t len, size_t i)
{
    static const char *const sfx[4] = {"st", "nd", "rd", "th"};

    if (i + 2 > len || (i + 2 < len && is_alpha(s[i + 2])))
        return false;
    for (int k = 0; k < 4; k++) {
        if (strncasecmp(s + i, sfx[k], 2) == 0)
            return true;
    }
    return false;
}

/* Count the digits at s[i..len) (at most 9) and store their value. */
static size_t digits(const char *s, size_t len, size_t i, int *val)
{
    size_t n = 0;

    *val = 0;
    while (i + n < len && n < 9 && is_digit(s[i + n])) {
        *val = *val * 10 + (s[i + n] - '0');
        n++;
    }
    return n;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Valid year, month (0: none) and day (0: none) for the month. */
static bool valid(int y, int m, int d)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (y < YEAR_MIN || y > YEAR_MAX || m < 0 || m > 12 || d < 0 || (m == 0 && d != 0))
        return false;
    if (d == 0)
        return true;
    if (d > mdays[m - 1])
        return false;
    return m != 2 || d != 29 || leap(y);
}

static void put_num(char *p, int v, int width)
{
    for (int k = width - 1; k >= 0; k--) {
        p[k] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* Write a validated date into out; false when invalid. */
static bool emit(int y, int m, int d, char out[11])
{
    if (!valid(y, m, d))
        return false;
    put_num(out, y, 4);
    out[4] = '\0';
    if (m == 0)
        return true;
    out[4] = '-';
    put_num(out + 5, m, 2);
    out[7] = '\0';
    if (d == 0)
        return true;
    out[7] = '-';
    put_num(out + 8, d, 2);
    out[10] = '\0';
    return true;
}

/* A full date or a year and month: every part given must be at least 1. */
static bool emit_ymd(int y, int m, int d, char out[11])
{
    return m >= 1 && d >= 1 && emit(y, m, d, out);
}

static bool emit_ym(int y, int m, char out[11])
{
    return m >= 1 && emit(y, m, 0, out);
}

/* "YYYY", "YYYY-MM", "YYYY-MM-DD[...]", "YYYY/MM/DD", "YYYYMMDD[T...]". */
static bool numeric_ymd(const char *s, size_t len, char out[11])
{
    int y, m, d;
    size_t n = digits(s, len, 0, &y), p, k;
    char sep;

    if (n == 8 && (len == 8 || !is_digit(s[8])))
        return emit_ymd(y / 10000, y / 100 % 100, y % 100, out);
    if (n != 4)
        return false;
    if (len == 4)
        return emit(y, 0, 0, out);
    sep = s[4];
    if (!in_set(sep, "-/."))
        return false;
    k = digits(s, len, 5, &m);
    if (k < 1 || k > 2)
        return false;
    p = 5 + k;
    if (p == len)
        return sep != '.' && emit_ym(y, m, out);
    if (s[p] != sep)
        return false;
    k = digits(s, len, p + 1, &d);
    if (k < 1 || k > 2)
        return false;
    return emit_ymd(y, m, d, out);
}

/* "24.11.2025" (always day.month.year), "11/24/2025" or "24-11-2025": the
 * order of day and month is taken from whichever is over 12; when both are
 * 12 or less and differ the date is ambiguous and only the year is kept. */
static bool numeric_dmy(const char *s, size_t len, char out[11])
{
    int a, b, y;
    size_t n = digits(s, len, 0, &a), p, k;
    char sep;

    if (n < 1 || n > 2 || n >= len || !in_set(s[n], "./-"))
        return false;
    sep = s[n];
    k = digits(s, len, n + 1, &b);
    p = n + 1 + k;
    if (k < 1 || k > 2 || p >= len || s[p] != sep)
        return false;
    k = digits(s, len, p + 1, &y);
    if (k != 4 || (p + 5 < len && is_digit(s[p + 5])))
        return false;
    if (sep == '.' || (a > 12 && b <= 12))
        return emit_ymd(y, b, a, out);
    if (b > 12 && a <= 12)
        return emit_ymd(y, a, b, out);
    if (a == b)
        return emit_ymd(y, a, b, out);
    return a >= 1 && b >= 1 && a <= 12 && b <= 12 && emit(y, 0, 0, out);
}

static int lookup(const char *w, size_t n, const char *const *names, int count)
{
    for (int i = 0; i < count; i++) {
        size_t full = strlen(names[i]);

        if ((n == full || n == 3) && strncasecmp(w, names[i], n) == 0)
            return i + 1;
    }
    if (names == months && n == 4 && strncasecmp(w, "sept", 4) == 0)
        return 9;
    return 0;
}

static struct tok word_tok(const char *w, size_t n)
{
    struct tok t = {T_WORD, 0, 0};

    t.val = lookup(w, n, months, 12);
    if (t.val > 0) {
        t.kind = T_MONTH;
        return t;
    }
    if (lookup(w, n, wdays, 7) > 0 || (n == 4 && strncasecmp(w, "tues", 4) == 0) ||
        (n == 5 && strncasecmp(w, "thurs", 5) == 0))
        t.kind = T_WDAY;
    return t;
}

/* Read the token at s[*i..len) into t and advance *i. */
static void next_tok(const char *s, size_t len, size_t *i, struct tok *t)
{
    size_t b = *i, n;

    if (is_alpha(s[b])) {
        n = 0;
        while (b + n < len && is_alpha(s[b + n]))
            n++;
        *t = word_tok(s + b, n);
        *i = b + n;
        return;
    }
    n = digits(s, len, b, &t->val);
    t->kind = T_NUM;
    t->digits = (int)n;
    b += n;
    if (b < len && (is_digit(s[b]) || s[b] == ':')) {
        t->kind = T_TIME; /* a time, or a number too long to be a date part */
        while (b < len && (is_digit(s[b]) || s[b] == ':'))
            b++;
    } else if (ordinal(s, len, b)) {
        b += 2;
    }
    *i = b;
}

static size_t tokenize(const char *s, size_t len, struct tok *toks)
{
    size_t i = 0, n = 0;

    while (i < len && n < MAX_TOKENS) {
        if (!is_alpha(s[i]) && !is_digit(s[i])) {
            i++;
            continue;
        }
        next_tok(s, len, &i, &toks[n++]);
    }
    return n;
}

static bool is_num(const struct tok *t, int lo_digits, int hi_digits)
{
    return t->kind == T_NUM && t->digits >= lo_digits && t->digits <= hi_digits;
}

/* Dates with a month name, after any weekday or other leading words. */
static bool written(const char *s, size_t len, char out[11])
{
    struct tok t[MAX_TOKENS + 3];
    size_t n = tokenize(s, len, t), i = 0;

    while (i < n && (t[i].kind == T_WDAY || t[i].kind == T_WORD))
        i++;
    /* Pad so that t[i..i+3] may be looked at without bounds checks. */
    for (size_t k = n; k < n + 3; k++)
        t[k].kind = T_WORD;
    if (i >= n)
        return false;
    if (t[i].kind == T_MONTH && is_num(&t[i + 1], 1, 2) && is_num(&t[i + 2], 4, 4))
        return emit_ymd(t[i + 2].val, t[i].val, t[i + 1].val, out);
    if (t[i].kind == T_MONTH && is_num(&t[i + 1], 1, 2) && t[i + 2].kind == T_TIME &&
        is_num(&t[i + 3], 4, 4))
        return emit_ymd(t[i + 3].val, t[i].val, t[i + 1].val, out);
    if (t[i].kind == T_MONTH && is_num(&t[i + 1], 4, 4))
        return emit_ym(t[i + 1].val, t[i].val, out);
    if (is_num(&t[i], 1, 2) && t[i + 1].kind == T_MONTH && is_num(&t[i + 2], 4, 4))
        return emit_ymd(t[i + 2].val, t[i + 1].val, t[i].val, out);
    if (is_num(&t[i], 4, 4) && t[i + 1].kind == T_MONTH && is_num(&t[i + 2], 1, 2))
        return emit_ymd(t[i].val, t[i + 1].val, t[i + 2].val, out);
    return false;
}

bool att_date_normalize(const char *s, size_t len, char out[11])
{
    char tmp[11];

    if (s == NULL)
        return false;
    while (len > 0 && att_doc_space((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len > 0 && att_doc_space((unsigned char)s[len - 1]))
        len--;
    if (len == 0 || len > DATE_MAX_LEN)
        return false;
    if (!numeric_ymd(s, len, tmp) && !numeric_dmy(s, len, tmp) && !written(s, len, tmp))
        return false;
    memcpy(out, tmp, strlen(tmp) + 1);
    return true;
}

bool att_date_from_filename(const char *path, char out[11])
{
    const char *base;
    size_t len;
    int y, m, d;

    if (path == NULL)
        return false;
    base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    len = strlen(base);
    if (digits(base, len, 0, &y) == 8)
        return emit_ymd(y / 10000, y / 100 % 100, y % 100, out);
    if (digits(base, len, 0, &y) != 4 || !valid(y, 0, 0))
        return false;
    if (len >= 10 && in_set(base[4], "-_.") && base[7] == base[4] &&
        digits(base, len, 5, &m) == 2 && digits(base, len, 8, &d) == 2 &&
        (len == 10 || !is_digit(base[10])) && emit_ymd(y, m, d, out))
        return true;
    if (len >= 7 && base[4] == '-' && digits(base, len, 5, &m) == 2 &&
        (len == 7 || !is_digit(base[7])) && (len == 7 || base[7] != '-' || !is_digit(base[8])) &&
        emit_ym(y, m, out))
        return true;
    return emit(y, 0, 0, out);
}
