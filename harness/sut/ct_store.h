/*
 * ct_store: the reference SUT's storage in SQLite, so that data survives a restart and a test
 * can check that nothing was lost. Two stores with one job each:
 *
 *   ct_sstore  the server: items of each database with a revision counter (changes since a
 *              device's last sync are the items with a higher revision, tombstones included),
 *              per-device LUID<->GUID maps, anchors, md5 nonces, DevInf.
 *   ct_cstore  the client: local items with their change state since the last sync, anchors,
 *              and a small key-value table (nonce, pinned server).
 *
 * Every function returns 0 or a negative ct_error (CT_ERR_IO for an SQLite failure, with diag
 * giving SQLite's message where a diag is taken; CT_ERR_MISSING for an item that is not there).
 * Records (struct ct_record) are malloc'ed; free them with ct_records_free or ct_record_cleanup.
 */
#ifndef CT_STORE_H
#define CT_STORE_H

#include "base/ct_err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ct_record {
    char *id;        /* server: GUID; client: LUID */
    char *type;      /* MIME type, may be NULL */
    uint8_t *data;   /* content, NUL-terminated for convenience */
    size_t len;
    int64_t rev;     /* server: revision of the last change */
    int state;       /* server: 1 deleted; client: enum ct_cstate */
};

void ct_record_cleanup(struct ct_record *it);
void ct_records_free(struct ct_record *v, size_t n);

/* ---- server ---- */

struct ct_sstore;

/* ct_sstore_open opens (creating) the database at path (":memory:" for a volatile one). */
int ct_sstore_open(struct ct_sstore **out, const char *path, struct ct_diag *diag);
void ct_sstore_close(struct ct_sstore *s);

/* Transactions: a message is applied whole or not at all. */
int ct_sstore_begin(struct ct_sstore *s);
int ct_sstore_commit(struct ct_sstore *s);
void ct_sstore_rollback(struct ct_sstore *s);

/* ct_sstore_add stores a new item and writes its GUID (at most 31 characters) to guid. */
int ct_sstore_add(struct ct_sstore *s, const char *db, const char *type, const uint8_t *data,
                  size_t len, char guid[32]);
/* ct_sstore_replace changes a live item; CT_ERR_MISSING if there is none with that GUID. */
int ct_sstore_replace(struct ct_sstore *s, const char *db, const char *guid, const char *type,
                      const uint8_t *data, size_t len);
/* ct_sstore_delete turns a live item into a tombstone; CT_ERR_MISSING if none. */
int ct_sstore_delete(struct ct_sstore *s, const char *db, const char *guid);
/* ct_sstore_get reads a live item; CT_ERR_MISSING if none. */
int ct_sstore_get(struct ct_sstore *s, const char *db, const char *guid, struct ct_record *out);
/* ct_sstore_changes lists the items (tombstones too) changed after revision `since`. */
int ct_sstore_changes(struct ct_sstore *s, const char *db, int64_t since, struct ct_record **out,
                      size_t *n);
/* ct_sstore_live lists the live items. */
int ct_sstore_live(struct ct_sstore *s, const char *db, struct ct_record **out, size_t *n);
/* ct_sstore_rev is the database's current revision (0 when empty). */
int ct_sstore_rev(struct ct_sstore *s, const char *db, int64_t *rev);

int ct_sstore_map_set(struct ct_sstore *s, const char *device, const char *db, const char *luid,
                      const char *guid);
/* ct_sstore_map_guid/luid look a mapping up; *out malloc'ed, NULL when unmapped. */
int ct_sstore_map_guid(struct ct_sstore *s, const char *device, const char *db, const char *luid,
                       char **out);
int ct_sstore_map_luid(struct ct_sstore *s, const char *device, const char *db, const char *guid,
                       char **out);
int ct_sstore_map_clear(struct ct_sstore *s, const char *device, const char *db);

/*
 * Anchors of the last completed sync of a device's database: the client's Next anchor (last),
 * the server revision at its end (rev: changes after it are new), and the Next anchor the
 * server sent (srv_next: the server's Last anchor next time). Strings malloc'ed, NULL if none.
 */
int ct_sstore_anchor_get(struct ct_sstore *s, const char *device, const char *db, char **last,
                         int64_t *rev, char **srv_next);
int ct_sstore_anchor_set(struct ct_sstore *s, const char *device, const char *db, const char *last,
                         int64_t rev, const char *srv_next);

/* The md5 nonce issued to a device (raw bytes, at most 64). */
int ct_sstore_nonce_get(struct ct_sstore *s, const char *device, uint8_t *nonce, size_t *len);
int ct_sstore_nonce_set(struct ct_sstore *s, const char *device, const uint8_t *nonce, size_t len);

int ct_sstore_devinf_set(struct ct_sstore *s, const char *device, const char *xml);

/* ---- client ---- */

enum ct_cstate {
    CT_CSTATE_CLEAN = 0,
    CT_CSTATE_ADDED = 1,
    CT_CSTATE_REPLACED = 2,
    CT_CSTATE_DELETED = 3,
};

struct ct_cstore;

int ct_cstore_open(struct ct_cstore **out, const char *path, struct ct_diag *diag);
void ct_cstore_close(struct ct_cstore *c);
int ct_cstore_begin(struct ct_cstore *c);
int ct_cstore_commit(struct ct_cstore *c);
void ct_cstore_rollback(struct ct_cstore *c);

/* Local changes (a user editing the address book). luid receives the new item's LUID. */
int ct_cstore_add(struct ct_cstore *c, const char *db, const char *type, const uint8_t *data,
                  size_t len, char luid[32]);
int ct_cstore_replace(struct ct_cstore *c, const char *db, const char *luid, const uint8_t *data,
                      size_t len);
int ct_cstore_delete(struct ct_cstore *c, const char *db, const char *luid);

/* ct_cstore_changes lists the items changed since the last sync (deleted ones too). */
int ct_cstore_changes(struct ct_cstore *c, const char *db, struct ct_record **out, size_t *n);
/* ct_cstore_live lists the items that exist (not deleted). */
int ct_cstore_live(struct ct_cstore *c, const char *db, struct ct_record **out, size_t *n);
int ct_cstore_get(struct ct_cstore *c, const char *db, const char *luid, struct ct_record *out);
/* ct_cstore_mark_synced makes every change of db clean and forgets deleted items. */
int ct_cstore_mark_synced(struct ct_cstore *c, const char *db);

/* Changes from the server, applied clean. */
int ct_cstore_put(struct ct_cstore *c, const char *db, const char *type, const uint8_t *data,
                  size_t len, char luid[32]);
int ct_cstore_overwrite(struct ct_cstore *c, const char *db, const char *luid, const char *type,
                        const uint8_t *data, size_t len);
int ct_cstore_remove(struct ct_cstore *c, const char *db, const char *luid);
/* ct_cstore_wipe removes every item of db (refresh from the server). */
int ct_cstore_wipe(struct ct_cstore *c, const char *db);

int ct_cstore_anchor_get(struct ct_cstore *c, const char *db, char **last);
int ct_cstore_anchor_set(struct ct_cstore *c, const char *db, const char *last);

/* A small key-value table (md5 nonce, pinned servers). *value malloc'ed, NULL if unset. */
int ct_cstore_kv_get(struct ct_cstore *c, const char *key, uint8_t **value, size_t *len);
int ct_cstore_kv_set(struct ct_cstore *c, const char *key, const uint8_t *value, size_t len);

#endif
