/* attache: the passage record: everything a hit needs (text, sentence
 * boundaries, quotations, the document's metadata), stored as the data of
 * the passage's Xapian document and read in place, without parsing.
 *
 * Layout (every integer little-endian, fixed width, so reading is offset
 * arithmetic and zlib, which Xapian runs over document data, squeezes the
 * zero bytes):
 *
 *   u8 version (ATT_REC_VERSION), u8 0, u16 0
 *   u32 n (passage number)
 *   u64 start, u64 end (byte offsets of the passage in the document's text)
 *   str doc, title, date, source, url, author, language, text, sig
 *   u32 nfields, nsentences, nquotes, nactors
 *   nfields    x (str name, str value)
 *   nsentences x (u32 start, u32 end)          offsets in text
 *   nquotes    x (u32 start, u32 end, str speaker, str role)
 *   nactors    x str
 *   the bytes every str points into
 *
 * A str is (u32 offset from the record's start, u32 length); offset
 * 0xffffffff is an absent (null) string. sig is the passage's MinHash
 * signature (lib/shingle.h, ATT_SIG_K u16), absent for a short passage:
 * only the indexer's grouping reads it. */
#ifndef ATTACHE_RECORD_H
#define ATTACHE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attache/attache.h"
#include "attache/doc.h"
#include "shingle.h"

struct att_buf;

#ifdef __cplusplus
extern "C" {
#endif

#define ATT_REC_VERSION 1
/* The first byte of a record as the index stores it when packed: a zstd
 * frame of the record follows (the shim packs and unpacks; every record
 * it hands out is plain). */
#define ATT_REC_ZSTD 0x5a

/* A string inside a record: p NULL when absent. Not NUL-terminated. */
struct att_str {
    const char *p;
    size_t n;
};

struct att_rec_quote {
    size_t start, end; /* byte offsets in the passage text */
    struct att_str speaker, role;
};

/* What a record is built from. Strings are NUL-terminated or NULL. */
struct att_rec_in {
    const struct att_doc *doc;  /* id, metadata, further fields */
    unsigned n;
    size_t start, end;          /* the passage in the document's text */
    const char *text;           /* the passage: text[0..text_len) */
    size_t text_len;
    const struct att_quote *quotes; /* nquotes, offsets in the document's */
    size_t nquotes;                 /* body, which starts qbase before text */
    size_t qbase;
    const char *const *actors;
    size_t nactors;
    const struct att_sig *sig;  /* NULL: none */
};

/* Append the record of in to out, its sentences found here (att_sentences).
 * ATT_E_NOMEM, or ATT_E_TOOBIG when the record passes 4 GB. */
int att_rec_encode(const struct att_rec_in *in, struct att_buf *out, struct att_err *err);

/* A record read in place: views into its bytes, which must outlive it. */
struct att_rec {
    const unsigned char *base;
    unsigned n;
    uint64_t start, end;
    struct att_str doc, title, date, source, url, author, language, text, sig;
    size_t nfields, nsentences, nquotes, nactors;
    const unsigned char *fields, *sentences, *quotes, *actors;
};

/* Check data[0..len) and fill r. ATT_E_CORRUPT when it is not a record of
 * this version or anything in it points outside it (every accessor below
 * is then safe). */
int att_rec_decode(const char *data, size_t len, struct att_rec *r, struct att_err *err);

/* Item i (below the matching count) of a decoded record. */
void att_rec_field(const struct att_rec *r, size_t i, struct att_str *name,
                   struct att_str *value);
struct att_span att_rec_sentence(const struct att_rec *r, size_t i);
void att_rec_quote(const struct att_rec *r, size_t i, struct att_rec_quote *q);
struct att_str att_rec_actor(const struct att_rec *r, size_t i);

/* The signature of r into *sig; false when it has none. */
bool att_rec_sig(const struct att_rec *r, struct att_sig *sig);

/* The sentences of r as spans: in stack[0..cap) when they fit, else in an
 * array allocated here. *out is set to borrow that memory (free it with
 * att_rec_sentences_done). ATT_E_NOMEM. */
int att_rec_sentences(const struct att_rec *r, struct att_span *stack, size_t cap,
                      struct att_spans *out);
void att_rec_sentences_done(struct att_spans *s, const struct att_span *stack);

#ifdef __cplusplus
}
#endif
#endif
