/*
 * ct_pack: packages that span messages, for both reference roles (DS 1.2 RepPro multiple
 * messages, large objects).
 *
 * Sending: a queue of Add/Replace/Delete commands is packed into Sync commands under a byte
 * budget derived from the peer's MaxMsgSize; an item that does not fit is split into chunks with
 * MoreData, the first carrying Meta Size. Sizes are estimates of the XML encoding (never smaller
 * than the WBXML one) with the profile's growth when fields are encrypted.
 *
 * Receiving: struct ct_lo reassembles chunks and checks the announced size.
 */
#ifndef CT_PACK_H
#define CT_PACK_H

#include "base/ct_buf.h"
#include "syncml/ct_msg.h"
#include "syncml/ct_view.h"

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a message costs before any command: header, Status for SyncHdr, closing tags. */
#define CT_PACK_BASE_COST 900u
/* What one Status costs. */
#define CT_PACK_STATUS_COST 260u
/* ct_pack_used is what message m costs as it stands, measured (its compact XML, which is never
 * shorter than its WBXML), plus room for Final and closing tags. */
struct ct_msg;
size_t ct_pack_used(const struct ct_msg *m);

/* The smallest chunk worth sending. */
#define CT_PACK_MIN_CHUNK 64u

struct ct_out {
    enum ct_cmd_kind kind; /* CT_CMD_ADD, CT_CMD_REPLACE or CT_CMD_DELETE */
    char *target;          /* Item Target LocURI, or NULL */
    char *source;          /* Item Source LocURI, or NULL */
    char *type;            /* Meta Type, or NULL */
    uint8_t *data;
    size_t len;
    size_t sent;           /* bytes of data already sent in chunks */
};

struct ct_outq {
    struct ct_out *v;
    size_t n;
    size_t cap;
    size_t next;           /* the first command not yet completely sent */
};

/* ct_outq_push copies a command into the queue. */
int ct_outq_push(struct ct_outq *q, enum ct_cmd_kind kind, const char *target, const char *source,
                 const char *type, const uint8_t *data, size_t len);
void ct_outq_cleanup(struct ct_outq *q);
bool ct_outq_done(const struct ct_outq *q);

/*
 * ct_pack_sync appends to m's SyncBody a Sync for one database (Target target_db, Source
 * source_db) holding as many commands of q as fit in *budget, which it decreases. A command
 * that does not fit whole is chunked when at least CT_PACK_MIN_CHUNK bytes of it fit.
 * *progress tells whether anything of q was packed. The Sync is written even when q has
 * nothing left (an empty Sync tells the peer there are no changes). Returns 0 or CT_ERR_NOMEM.
 */
int ct_pack_sync(struct ct_msg *m, const char *target_db, const char *source_db,
                 struct ct_outq *q, size_t *budget, bool encrypted, bool *progress);

/* The state of a large object being received. */
struct ct_lo {
    bool active;
    char *key;        /* the command and LocURI the chunks belong to */
    size_t announced; /* Meta Size of the first chunk */
    struct ct_buf data;
};

enum ct_lo_result {
    CT_LO_WHOLE,         /* not chunked: use the item as it is */
    CT_LO_PARTIAL,       /* a chunk was buffered: answer 213 */
    CT_LO_COMPLETE,      /* the last chunk arrived: lo->data holds the object */
    CT_LO_SIZE_MISMATCH, /* the object is not the announced size: answer 424 */
    CT_LO_NO_SIZE,       /* a first chunk without Meta Size: answer 411 */
    CT_LO_TOO_BIG,       /* larger than max_obj: answer 416 */
    CT_LO_INTERRUPTED,   /* a new object began before the last one ended: answer 223 */
};

/*
 * ct_lo_feed takes one Add or Replace item. key identifies the object (command name and
 * LocURI); size is the Meta Size text of the item or its command (NULL if none); max_obj is the
 * largest object accepted (0: no limit).
 */
enum ct_lo_result ct_lo_feed(struct ct_lo *lo, const char *key, const struct ct_item *item,
                             const char *size, size_t max_obj);

/* ct_lo_reset forgets the object being received. */
void ct_lo_reset(struct ct_lo *lo);

#endif
