/* attache: actors (countries and international organisations) named in
 * text: a gazetteer of ids, display names and aliases, loaded from text in
 * the format of data/actors.tsv, and the search for its aliases in text. */
#ifndef ATT_ACTORS_H
#define ATT_ACTORS_H

#include <stdbool.h>
#include <stddef.h>

#include "attache/attache.h"

/* The format, one line at a time ('#' lines and blank lines are ignored):
 *   ID <TAB> NAME <TAB> ALIAS <TAB> ALIAS ...
 * ID: 1 to ATT_ACTORS_MAX_ID lower-case ASCII letters, digits and single
 * hyphens ("united-states"). NAME: the display name, itself an alias;
 * empty keeps the name of an actor already known (a new actor needs one).
 * ALIAS: a name as written in text, at most ATT_ACTORS_MAX_WORDS words
 * and ATT_ACTORS_MAX_ALIAS bytes; "-ALIAS" removes it from the actor. An
 * alias given to a second actor moves to it (the later line wins, as does
 * the later spelling of one alias: "U.S." and "U. S." are one). The
 * ID "-" lists block phrases: they name no actor and hide the aliases
 * inside them ("Latin America" hides "America").
 *
 * Matching: words are runs of letters and digits (apostrophes, dots and
 * hyphens between words are cut, so "China's" holds "China" and "U.S."
 * is the words "U S"); an alias matches whole words in a row, separated by
 * white space, '.', '-' or an apostrophe, with the same letters and case
 * as written, or in capitals when it has a lower-case ASCII letter ("CHINA"
 * for "China", but "us" never for "US"). Accents count: "Türkiye" and
 * "Turkiye" are two aliases. At each word the longest alias wins; the
 * words it covers are not matched again ("Indochinese" holds no
 * "Chinese", "Papua New Guinea" no "Guinea"). */
#define ATT_ACTORS_MAX_ID 64
#define ATT_ACTORS_MAX_WORDS 8
#define ATT_ACTORS_MAX_ALIAS 255

/* The gazetteer shipped with attache (data/actors.tsv), compiled in;
 * att_actors_builtin_len bytes, NUL-terminated. */
extern const char att_actors_builtin_text[];
extern const size_t att_actors_builtin_len;

/* A gazetteer. Built by one thread; once loaded, every const function
 * may be called from any number of threads at once. */
struct att_actors;

/* Called for each line att_actors_load skips (1-based line number, why),
 * and for a removal of an alias the actor does not have. */
typedef void (*att_actors_warn_fn)(void *ud, long line, const char *why);

/* An empty gazetteer; NULL when out of memory. Free with att_actors_free. */
struct att_actors *att_actors_new(void);

/* NULL is a no-op. */
void att_actors_free(struct att_actors *g);

/* Add the lines of text[0..len) to g, in order. A bad line (its id, a
 * missing name, an alias that cannot match, invalid UTF-8) is skipped
 * whole, and warn (may be NULL) says why. Returns ATT_OK, or ATT_E_NOMEM
 * (g then holds the lines before the one that failed). */
int att_actors_load(struct att_actors *g, const char *text, size_t len, att_actors_warn_fn warn,
                    void *ud, struct att_err *err);

/* A new gazetteer holding the built-in one: ATT_OK, or ATT_E_NOMEM. */
int att_actors_builtin(struct att_actors **out, struct att_err *err);

/* g in the format above, canonical: actors by id, each line its name and
 * then its other aliases in the order they came, block phrases last;
 * loading it gives the same gazetteer, and equal gazetteers give equal
 * text. malloc'd (caller frees), *len its length; NULL when out of
 * memory. */
char *att_actors_dump(const struct att_actors *g, size_t *len);

/* The number of actors, and of aliases (names included) over them all. */
size_t att_actors_count(const struct att_actors *g);
size_t att_actors_alias_count(const struct att_actors *g);

/* The id of the actor that name[0..len) names, for filters: an id, or an
 * alias as written (its words as in matching: "U.S." and "U. S." are
 * one), or else an id or alias in other case ("CHINESE", "beijing").
 * NULL when none. Borrowed from g. */
const char *att_actors_lookup(const struct att_actors *g, const char *name, size_t len);

/* The display name of actor id, or NULL when g has no such actor.
 * Borrowed from g. */
const char *att_actors_name(const struct att_actors *g, const char *id);

/* The aliases of actor id as written, its display name first, in the
 * order they came (for query expansion: each is a phrase that names it
 * in text, by the matching rules above). Sets *out to an array of them
 * borrowed from g and returns their number; 0 (with *out NULL) when g
 * has no such actor. */
size_t att_actors_aliases(const struct att_actors *g, const char *id, const char *const **out);

/* Distinct actor ids in first-seen order; the strings are borrowed from
 * the gazetteer that found them. Start zeroed; reusable. */
struct att_actor_ids {
    const char **v;
    size_t n, cap;
};

/* The actors named in text[0..len) (UTF-8) into out (emptied first; its
 * memory is reused). Returns ATT_OK, or ATT_E_NOMEM. */
int att_actors_find(const struct att_actors *g, const char *text, size_t len,
                    struct att_actor_ids *out, struct att_err *err);

/* Free the array; NULL-safe; out is left zeroed. */
void att_actor_ids_free(struct att_actor_ids *out);

#endif
