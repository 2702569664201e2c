/* attache: dates written in common ways (ISO 8601, RFC 2822, "November 24,
 * 2025", "24.11.2025", "24 ноября 2025", ...) normalised to "YYYY-MM-DD", "YYYY-MM"
 * or "YYYY", and dates from the leading digits of a file name. Month names in
 * English, French, Spanish, German and Russian. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "attache/doc.h"
#include "doc_priv.h"

#define DATE_MAX_LEN 80 /* a longer string is not a date */
#define MAX_TOKENS 10   /* words and numbers looked at in a written date */
#define YEAR_MIN 1000
#define YEAR_MAX 2999
#define WORD_MAX 32 /* bytes of a folded word looked up; a longer one is no month */

/* T_SKIP: a word that joins the parts of a date ("de", "of"), dropped. */
enum tok_kind { T_NUM, T_MONTH, T_WDAY, T_WORD, T_TIME, T_SKIP };

struct tok {
    enum tok_kind kind;
    int val;    /* the number, or the month 1-12 */
    int digits; /* for T_NUM */
};

static const char *const months[12] = {"january", "february", "march",     "april",
                                       "may",     "june",     "july",      "august",
                                       "september", "october", "november", "december"};

/* Month names other than the English ones, as fold_word writes them (lower
 * case, Latin accents dropped: "März" is "marz", "Août" "aout"): full names,
 * Russian nominative and genitive ("ноябрь", "ноября"), common abbreviations.
 * Abbreviations that English gives the same month ("dec", "mar") are left to it. */
static const char *const foreign_months[12] = {
    "janvier janv enero ene januar janner jaenner январь января янв",
    "fevrier fevr fev febrero februar feber февраль февраля фев февр",
    "mars marzo marz maerz mrz март марта мар",
    "avril avr abril abr апрель апреля апр",
    "mai mayo май мая",
    "juin junio juni июнь июня июн",
    "juillet juil julio juli июль июля июл",
    "aout agosto ago август августа авг",
    "septembre septiembre setiembre сентябрь сентября сен сент",
    "octobre octubre oktober okt октябрь октября окт",
    "novembre noviembre ноябрь ноября ноя нояб",
    "decembre diciembre dic dezember dez декабрь декабря дек",
};

/* Words between the parts of a date: "24 de noviembre de 2025", "the 24th of
 * November". */
static const char *const fillers = "de del of";

/* Latin-1 lower-case letters U+00E0 to U+00FF without their accents; 0 keeps
 * the letter as it is (æ, ð, ÷, þ). */
static const char latin1_base[32] = {
    'a', 'a', 'a', 'a', 'a', 'a', 0,   'c', 'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i',
    0,   'n', 'o', 'o', 'o', 'o', 'o', 0,   'o', 'u', 'u', 'u', 'u', 'y', 0,   'y',
};

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

/* Bytes of the letter at s[i..len): 1 for an ASCII letter, 2 for a letter
 * written with UTF-8 lead byte 0xC3 to 0xD4 (Latin-1, Latin Extended, Greek,
 * Cyrillic), 0 for anything else (digits, punctuation, no-break space). */
static size_t letter_len(const char *s, size_t len, size_t i)
{
    unsigned char c = (unsigned char)s[i];

    if (is_alpha(s[i]))
        return 1;
    if (c >= 0xC3 && c <= 0xD4 && i + 1 < len && ((unsigned char)s[i + 1] & 0xC0) == 0x80)
        return 2;
    return 0;
}

/* An ordinal suffix ("st", "nd", "rd", "th", French "er") at s[i..len),
 * ending a word. */
static bool ordinal(const char *s, size_t len, size_t i)
{
    static const char *const sfx[5] = {"st", "nd", "rd", "th", "er"};

    if (i + 2 > len || (i + 2 < len && letter_len(s, len, i + 2) > 0))
        return false;
    for (int k = 0; k < 5; k++) {
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

/* Write the letter u[0..n) (n from letter_len) folded into out: lower case,
 * Latin-1 accents dropped, Cyrillic in lower case with ё as е. Returns the
 * bytes written (1 or 2). */
static size_t fold_letter(const unsigned char *u, size_t n, char *out)
{
    unsigned char a = u[0], b = n == 2 ? u[1] : 0;

    if (n == 1) {
        out[0] = (char)(a | 0x20);
        return 1;
    }
    if (a == 0xC3 && b >= 0x80 && b <= 0x9E && b != 0x97)
        b += 0x20; /* À..Þ to à..þ, leaving × */
    if (a == 0xC3 && b >= 0xA0 && latin1_base[b - 0xA0] != 0) {
        out[0] = latin1_base[b - 0xA0];
        return 1;
    }
    if (a == 0xD0 && b >= 0x90 && b <= 0x9F) {
        b += 0x20; /* А..П */
    } else if (a == 0xD0 && b >= 0xA0 && b <= 0xAF) {
        a = 0xD1; /* Р..Я */
        b -= 0x20;
    } else if (a == 0xD0 && b <= 0x8F) {
        a = 0xD1; /* Ѐ..Џ, Ё among them */
        b += 0x10;
    }
    if (a == 0xD1 && b == 0x91) {
        a = 0xD0; /* ё */
        b = 0xB5;
    }
    out[0] = (char)a;
    out[1] = (char)b;
    return 2;
}

/* True when w[0..n) is one of the space-separated words of list. */
static bool in_list(const char *list, const char *w, size_t n)
{
    const char *p = list;

    while (*p != '\0') {
        size_t k = strcspn(p, " ");

        if (k == n && memcmp(p, w, n) == 0)
            return true;
        p += k;
        p += *p == ' ';
    }
    return false;
}

/* English names, full or their first three letters, in w[0..n). */
static int lookup(const char *w, size_t n, const char *const *names, int count)
{
    for (int i = 0; i < count; i++) {
        size_t full = strlen(names[i]);

        if ((n == full || n == 3) && strncmp(w, names[i], n) == 0)
            return i + 1;
    }
    if (names == months && n == 4 && strncmp(w, "sept", 4) == 0)
        return 9;
    return 0;
}

static int month_of(const char *w, size_t n)
{
    int m = lookup(w, n, months, 12);

    for (int i = 0; m == 0 && i < 12; i++) {
        if (in_list(foreign_months[i], w, n))
            m = i + 1;
    }
    return m;
}

/* The token for the folded word w[0..n). */
static struct tok word_tok(const char *w, size_t n)
{
    struct tok t = {T_WORD, 0, 0};

    t.val = month_of(w, n);
    if (t.val > 0) {
        t.kind = T_MONTH;
        return t;
    }
    if (in_list(fillers, w, n))
        t.kind = T_SKIP;
    else if (lookup(w, n, wdays, 7) > 0 || (n == 4 && strncmp(w, "tues", 4) == 0) ||
             (n == 5 && strncmp(w, "thurs", 5) == 0))
        t.kind = T_WDAY;
    return t;
}

/* Read the word at s[*i..len) into t and advance *i past it. */
static void next_word(const char *s, size_t len, size_t *i, struct tok *t)
{
    char w[WORD_MAX + 2];
    size_t b = *i, n = 0, k = letter_len(s, len, b);

    for (; k > 0; k = b < len ? letter_len(s, len, b) : 0) {
        if (n <= WORD_MAX)
            n += fold_letter((const unsigned char *)s + b, k, w + n);
        b += k;
    }
    *i = b;
    if (n > WORD_MAX) {
        t->kind = T_WORD;
        return;
    }
    *t = word_tok(w, n);
}

/* Read the token at s[*i..len) into t and advance *i. */
static void next_tok(const char *s, size_t len, size_t *i, struct tok *t)
{
    size_t b = *i, n;

    if (letter_len(s, len, b) > 0) {
        next_word(s, len, i, t);
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
        if (letter_len(s, len, i) == 0 && !is_digit(s[i])) {
            i++;
            continue;
        }
        next_tok(s, len, &i, &toks[n]);
        if (toks[n].kind != T_SKIP)
            n++;
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
