/* Checks of a parsed JSON request that cJSON does not make. */
#ifndef ATT_JSON_CHECK_H
#define ATT_JSON_CHECK_H

#include <cjson/cJSON.h>

/* Levels of arrays and objects in o (a plain value adds none). */
int att_json_depth(const cJSON *o);

/* The first key that appears twice in one object of o (at any depth; o's
 * depth bounds the recursion, so check att_json_depth first), or NULL. */
const char *att_json_duplicate_key(const cJSON *o);

#endif
