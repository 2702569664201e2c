/* attache: language names and codes to ISO 639-1 codes (att_lang_normalize),
 * through the table of lib/lang_codes.c. Pure and thread-safe. */
#include <stdlib.h>
#include <string.h>

#include "attache/doc.h"
#include "doc_priv.h"

#define LANG_MAX 64 /* bytes of a language value looked up */

static int name_cmp(const void *key, const void *e)
{
    return strcmp(key, ((const struct att_lang_name *)e)->name);
}

/* The code for the lower-case key, or NULL. */
static const char *lookup(const char *key)
{
    const struct att_lang_name *e = bsearch(key, att_lang_names, att_lang_nnames,
                                            sizeof att_lang_names[0], name_cmp);

    return e != NULL ? e->code : NULL;
}

/* s[0..len) trimmed, each run of white space one space, ASCII lower-cased,
 * into out (LANG_MAX + 1 bytes). False when it does not fit or is empty. */
static bool fold(const char *s, size_t len, char *out)
{
    size_t n = 0;
    bool gap = false;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (att_doc_space(c) || c == 0) {
            gap = n > 0;
            continue;
        }
        if (n + (gap ? 2 : 1) > LANG_MAX)
            return false;
        if (gap)
            out[n++] = ' ';
        gap = false;
        out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    out[n] = '\0';
    return n > 0;
}

bool att_lang_normalize(const char *s, size_t len, char out[3])
{
    char key[LANG_MAX + 1];
    const char *code;
    size_t n;

    if (s == NULL || !fold(s, len, key))
        return false;
    code = lookup(key);
    n = strcspn(key, "-_ (");
    if (code == NULL && n > 0 && key[n] != '\0') {
        /* "fr-FR", "pt_BR", "zh-Hant-TW", "English (US)": the language part. */
        key[n] = '\0';
        code = lookup(key);
    }
    if (code == NULL)
        return false;
    memcpy(out, code, 3);
    return true;
}
