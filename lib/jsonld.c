/* attache: schema.org metadata of a web page from its JSON-LD (the text of
 * a <script type="application/ld+json">), read with cJSON: title, date,
 * authors, publisher and language of the article the page holds. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "attache/doc.h"
#include "doc_priv.h"

#define NODES_MAX 256 /* items of one script looked at */

/* Types of an item that describes the text of the page; any type whose
 * name ends in "Article" (NewsArticle, ScholarlyArticle, ...) too. */
static const char *const text_types[] = {
    "Report",       "BlogPosting", "LiveBlogPosting", "SocialMediaPosting",
    "DiscussionForumPosting", "Legislation", "Thesis", "Chapter", "Book",
};

struct nodes {
    const cJSON *v[NODES_MAX];
    size_t n;
};

static const char *str(const cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsString(item) && item->valuestring != NULL ? item->valuestring : NULL;
}

/* "NewsArticle", "schema:NewsArticle", "https://schema.org/NewsArticle". */
static bool text_type(const char *t)
{
    const char *slash = strrchr(t, '/'), *colon = strrchr(t, ':');
    size_t n;

    t = slash != NULL && slash > (colon != NULL ? colon : t) ? slash + 1
        : colon != NULL ? colon + 1 : t;
    n = strlen(t);
    if (n >= 7 && strcmp(t + n - 7, "Article") == 0)
        return true;
    for (size_t i = 0; i < sizeof text_types / sizeof text_types[0]; i++) {
        if (strcmp(t, text_types[i]) == 0)
            return true;
    }
    return false;
}

/* True when @type (a string or an array of them) names a text type. */
static bool is_text(const cJSON *node)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(node, "@type"), *t;
    const cJSON *list = cJSON_IsArray(type) ? type : NULL;

    if (cJSON_IsString(type) && type->valuestring != NULL)
        return text_type(type->valuestring);
    cJSON_ArrayForEach(t, list) {
        if (cJSON_IsString(t) && t->valuestring != NULL && text_type(t->valuestring))
            return true;
    }
    return false;
}

static void add_node(struct nodes *ns, const cJSON *node)
{
    const cJSON *graph, *g;

    if (!cJSON_IsObject(node) || ns->n >= NODES_MAX)
        return;
    ns->v[ns->n++] = node;
    graph = cJSON_GetObjectItemCaseSensitive(node, "@graph");
    graph = cJSON_IsArray(graph) ? graph : NULL;
    cJSON_ArrayForEach(g, graph) {
        if (cJSON_IsObject(g) && ns->n < NODES_MAX)
            ns->v[ns->n++] = g;
    }
}

/* The item a reference {"@id": ...} without a name stands for, when the
 * script holds it; else the reference itself. */
static const cJSON *resolve(const struct nodes *ns, const cJSON *ref)
{
    const char *id = str(ref, "@id");

    if (id == NULL || str(ref, "name") != NULL)
        return ref;
    for (size_t i = 0; i < ns->n; i++) {
        const char *other = str(ns->v[i], "@id");

        if (ns->v[i] != ref && other != NULL && strcmp(other, id) == 0)
            return ns->v[i];
    }
    return ref;
}

/* The name of a person or an organisation: a string, or an item's name. */
static const char *name_of(const struct nodes *ns, const cJSON *item)
{
    if (cJSON_IsString(item))
        return item->valuestring;
    return cJSON_IsObject(item) ? str(resolve(ns, item), "name") : NULL;
}

/* The authors: one, or an array of them, joined into *out. */
static int authors(const struct nodes *ns, const cJSON *item, char **out)
{
    const cJSON *a;
    const char *name;
    int rc = ATT_OK;

    if (!cJSON_IsArray(item)) {
        name = name_of(ns, item);
        return name != NULL ? att_doc_list_add(out, name, strlen(name)) : ATT_OK;
    }
    cJSON_ArrayForEach(a, item) {
        name = name_of(ns, a);
        if (rc == ATT_OK && name != NULL)
            rc = att_doc_list_add(out, name, strlen(name));
    }
    return rc;
}

/* Set *slot to a collapsed copy of s unless it is set or s is NULL. */
static int keep(char **slot, const char *s)
{
    if (*slot != NULL || s == NULL)
        return ATT_OK;
    return att_doc_collapse(s, strlen(s), slot);
}

static int fill(const struct nodes *ns, const cJSON *node, struct att_jsonld *ld)
{
    const char *title = str(node, "headline"), *date = str(node, "datePublished");
    int rc;

    rc = keep(&ld->title, title != NULL ? title : str(node, "name"));
    if (rc == ATT_OK)
        rc = keep(&ld->date, date != NULL ? date : str(node, "dateCreated"));
    if (rc == ATT_OK)
        rc = keep(&ld->language, str(node, "inLanguage"));
    if (rc == ATT_OK)
        rc = keep(&ld->source,
                  name_of(ns, cJSON_GetObjectItemCaseSensitive(node, "publisher")));
    if (rc == ATT_OK && ld->author == NULL)
        rc = authors(ns, cJSON_GetObjectItemCaseSensitive(node, "author"), &ld->author);
    return rc;
}

int att_jsonld_read(const char *s, size_t len, struct att_jsonld *ld)
{
    cJSON *root = cJSON_ParseWithLength(s, len);
    struct nodes ns = {.n = 0};
    const cJSON *item, *list = cJSON_IsArray(root) ? root : NULL;
    int rc = ATT_OK;

    if (root == NULL)
        return ATT_OK; /* not JSON (or no memory for it): the page goes without */
    add_node(&ns, root);
    cJSON_ArrayForEach(item, list)
        add_node(&ns, item);
    for (size_t i = 0; i < ns.n; i++) {
        if (is_text(ns.v[i])) {
            rc = fill(&ns, ns.v[i], ld);
            break;
        }
    }
    cJSON_Delete(root);
    return rc;
}

void att_jsonld_clear(struct att_jsonld *ld)
{
    free(ld->title);
    free(ld->date);
    free(ld->author);
    free(ld->source);
    free(ld->language);
    memset(ld, 0, sizeof *ld);
}
