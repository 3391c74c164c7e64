#include "sut/ct_store.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * One SQLite connection and the statements prepared on it. Every statement of this file is a
 * string literal, prepared the first time it runs and kept (keyed by the literal's address):
 * preparing is SQLite's parser and planner, and it used to cost more than the queries
 * themselves (about a third of an in-process session; make bench).
 */
#define STORE_CACHED 48
struct store {
    sqlite3 *db;
    size_t n_cached;
    struct {
        const char *sql;
        sqlite3_stmt *st;
    } cached[STORE_CACHED];
};

struct ct_sstore {
    struct store db;
};

struct ct_cstore {
    struct store db;
};

void ct_record_cleanup(struct ct_record *it)
{
    if (it == NULL)
        return;
    free(it->id);
    free(it->type);
    free(it->data);
    memset(it, 0, sizeof(*it));
}

void ct_records_free(struct ct_record *v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        ct_record_cleanup(&v[i]);
    free(v);
}

/*
 * Statements with bound parameters: fmt has one letter per parameter -- 's' text, 'b' blob
 * (pointer then size_t length), 'i' int64_t. Never string-formatted SQL.
 */
static sqlite3_stmt *cached_stmt(struct store *db, const char *sql)
{
    for (size_t i = 0; i < db->n_cached; i++)
        if (db->cached[i].sql == sql)
            return db->cached[i].st;
    sqlite3_stmt *st = NULL;
    bool keep = db->n_cached < STORE_CACHED;
    if (sqlite3_prepare_v3(db->db, sql, -1, keep ? SQLITE_PREPARE_PERSISTENT : 0, &st, NULL) != SQLITE_OK)
        return NULL;
    if (keep) {
        db->cached[db->n_cached].sql = sql;
        db->cached[db->n_cached++].st = st;
    }
    return st;
}

/* Done with a statement: a cached one is reset for its next use (which also ends its read of
 * the database), any other finalized. */
static void release(struct store *db, sqlite3_stmt *st)
{
    for (size_t i = 0; i < db->n_cached; i++)
        if (db->cached[i].st == st) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return;
        }
    sqlite3_finalize(st); /* prepared when the cache was full */
}

static sqlite3_stmt *prepare(struct store *db, const char *sql, const char *fmt, va_list ap)
{
    sqlite3_stmt *st = cached_stmt(db, sql);
    if (st == NULL)
        return NULL;
    for (int i = 0; fmt[i] != '\0'; i++) {
        int rc = SQLITE_OK;
        switch (fmt[i]) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            rc = s != NULL ? sqlite3_bind_text(st, i + 1, s, -1, SQLITE_TRANSIENT)
                           : sqlite3_bind_null(st, i + 1);
            break;
        }
        case 'b': {
            const void *p = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            rc = sqlite3_bind_blob64(st, i + 1, p != NULL ? p : "", n, SQLITE_TRANSIENT);
            break;
        }
        case 'i':
        default:
            rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
            break;
        }
        if (rc != SQLITE_OK) {
            release(db, st);
            return NULL;
        }
    }
    return st;
}

/* Run a statement that returns no rows. */
static int run(struct store *db, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *st = prepare(db, sql, fmt, ap);
    va_end(ap);
    if (st == NULL)
        return CT_ERR_IO;
    int rc = sqlite3_step(st);
    release(db, st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? CT_OK : CT_ERR_IO;
}

/* Run a query; rows become items (columns: id, type, data, rev, state). */
static int query_items(struct store *db, struct ct_record **out, size_t *n, const char *sql,
                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *st = prepare(db, sql, fmt, ap);
    va_end(ap);
    *out = NULL;
    *n = 0;
    if (st == NULL)
        return CT_ERR_IO;
    size_t cap = 0;
    int rc = CT_OK, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            struct ct_record *v = realloc(*out, cap * sizeof(*v));
            if (v == NULL) {
                rc = CT_ERR_NOMEM;
                break;
            }
            *out = v;
        }
        struct ct_record *it = &(*out)[*n];
        memset(it, 0, sizeof(*it));
        const unsigned char *id = sqlite3_column_text(st, 0), *type = sqlite3_column_text(st, 1);
        const void *data = sqlite3_column_blob(st, 2);
        size_t len = (size_t)sqlite3_column_bytes(st, 2);
        it->id = id != NULL ? strdup((const char *)id) : NULL;
        it->type = type != NULL ? strdup((const char *)type) : NULL;
        it->data = malloc(len + 1);
        if (it->id == NULL || it->data == NULL) {
            ct_record_cleanup(it);
            rc = CT_ERR_NOMEM;
            break;
        }
        if (len > 0)
            memcpy(it->data, data, len);
        it->data[len] = '\0';
        it->len = len;
        it->rev = sqlite3_column_int64(st, 3);
        it->state = sqlite3_column_int(st, 4);
        (*n)++;
    }
    if (rc == CT_OK && step != SQLITE_DONE)
        rc = CT_ERR_IO;
    release(db, st);
    if (rc != CT_OK) {
        ct_records_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

/* One text column of one row into *out (malloc'ed; NULL when there is no row). */
static int query_text(struct store *db, char **out, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *st = prepare(db, sql, fmt, ap);
    va_end(ap);
    *out = NULL;
    if (st == NULL)
        return CT_ERR_IO;
    int rc = CT_OK, step = sqlite3_step(st);
    if (step == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL) {
        *out = strdup((const char *)sqlite3_column_text(st, 0));
        if (*out == NULL)
            rc = CT_ERR_NOMEM;
    } else if (step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = CT_ERR_IO;
    }
    release(db, st);
    return rc;
}

static int query_int(struct store *db, int64_t *out, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *st = prepare(db, sql, fmt, ap);
    va_end(ap);
    if (st == NULL)
        return CT_ERR_IO;
    int step = sqlite3_step(st);
    *out = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    release(db, st);
    return step == SQLITE_ROW || step == SQLITE_DONE ? CT_OK : CT_ERR_IO;
}

static int open_db(struct store *st, const char *path, const char *schema, struct ct_diag *diag)
{
    sqlite3 **db = &st->db;
    if (sqlite3_open(path, db) != SQLITE_OK) {
        int rc = ct_diag_set(diag, CT_ERR_IO, "%s: %s", path, *db ? sqlite3_errmsg(*db) : "cannot open");
        sqlite3_close(*db);
        *db = NULL;
        return rc;
    }
    sqlite3_busy_timeout(*db, 2000);
    char *err = NULL;
    if (sqlite3_exec(*db, schema, NULL, NULL, &err) != SQLITE_OK) {
        int rc = ct_diag_set(diag, CT_ERR_IO, "%s: %s", path, err != NULL ? err : "schema");
        sqlite3_free(err);
        sqlite3_close(*db);
        *db = NULL;
        return rc;
    }
    return CT_OK;
}

static void close_db(struct store *st)
{
    for (size_t i = 0; i < st->n_cached; i++)
        sqlite3_finalize(st->cached[i].st);
    sqlite3_close(st->db);
}

/* ---- server ---- */

static const char server_schema[] =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE IF NOT EXISTS item(db TEXT, guid TEXT, type TEXT, data BLOB, rev INTEGER,"
    " deleted INTEGER, PRIMARY KEY(db, guid));"
    "CREATE TABLE IF NOT EXISTS counter(db TEXT PRIMARY KEY, rev INTEGER, next_guid INTEGER);"
    "CREATE TABLE IF NOT EXISTS map(device TEXT, db TEXT, luid TEXT, guid TEXT,"
    " PRIMARY KEY(device, db, luid));"
    /* A standing server answers "what changed since rev R" and "which LUID has this GUID" in
     * every session: indexed, so a session costs the same on the 10th item and the 10,000th. */
    "CREATE INDEX IF NOT EXISTS item_rev ON item(db, rev);"
    "CREATE INDEX IF NOT EXISTS map_guid ON map(device, db, guid);"
    "CREATE TABLE IF NOT EXISTS anchor(device TEXT, db TEXT, last TEXT, rev INTEGER, srv_next TEXT,"
    " PRIMARY KEY(device, db));"
    "CREATE TABLE IF NOT EXISTS nonce(device TEXT PRIMARY KEY, nonce BLOB);"
    "CREATE TABLE IF NOT EXISTS devinf(device TEXT PRIMARY KEY, xml TEXT);";

int ct_sstore_open(struct ct_sstore **out, const char *path, struct ct_diag *diag)
{
    struct ct_sstore *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return CT_ERR_NOMEM;
    int rc = open_db(&s->db, path, server_schema, diag);
    if (rc != CT_OK) {
        free(s);
        return rc;
    }
    *out = s;
    return CT_OK;
}

void ct_sstore_close(struct ct_sstore *s)
{
    if (s == NULL)
        return;
    close_db(&s->db);
    free(s);
}

int ct_sstore_begin(struct ct_sstore *s)
{
    return run(&s->db, "BEGIN IMMEDIATE", "");
}

int ct_sstore_commit(struct ct_sstore *s)
{
    return run(&s->db, "COMMIT", "");
}

void ct_sstore_rollback(struct ct_sstore *s)
{
    run(&s->db, "ROLLBACK", "");
}

/* The next revision of a database (and, with guid_no, the next GUID number). */
static int next_rev(struct ct_sstore *s, const char *db, int64_t *rev, int64_t *guid_no)
{
    int rc = run(&s->db, "INSERT OR IGNORE INTO counter VALUES(?, 0, 0)", "s", db);
    if (rc == CT_OK)
        rc = run(&s->db,
                 "UPDATE counter SET rev = rev + 1, next_guid = next_guid + ? WHERE db = ?", "is",
                 (int64_t)(guid_no != NULL), db);
    if (rc == CT_OK)
        rc = query_int(&s->db, rev, "SELECT rev FROM counter WHERE db = ?", "s", db);
    if (rc == CT_OK && guid_no != NULL)
        rc = query_int(&s->db, guid_no, "SELECT next_guid FROM counter WHERE db = ?", "s", db);
    return rc;
}

int ct_sstore_add(struct ct_sstore *s, const char *db, const char *type, const uint8_t *data,
                  size_t len, char guid[32])
{
    int64_t rev, no;
    int rc = next_rev(s, db, &rev, &no);
    if (rc != CT_OK)
        return rc;
    snprintf(guid, 32, "g%lld", (long long)no);
    return run(&s->db, "INSERT OR REPLACE INTO item VALUES(?, ?, ?, ?, ?, 0)", "sssbi", db, guid,
               type, data, len, rev);
}

static bool live(struct ct_sstore *s, const char *db, const char *guid)
{
    int64_t n = 0;
    return query_int(&s->db, &n, "SELECT COUNT(*) FROM item WHERE db = ? AND guid = ? AND deleted = 0",
                     "ss", db, guid) == CT_OK && n > 0;
}

int ct_sstore_replace(struct ct_sstore *s, const char *db, const char *guid, const char *type,
                      const uint8_t *data, size_t len)
{
    if (!live(s, db, guid))
        return CT_ERR_MISSING;
    int64_t rev;
    int rc = next_rev(s, db, &rev, NULL);
    if (rc != CT_OK)
        return rc;
    return run(&s->db, "UPDATE item SET type = COALESCE(?, type), data = ?, rev = ? WHERE db = ? AND guid = ?",
               "sbiss", type, data, len, rev, db, guid);
}

int ct_sstore_delete(struct ct_sstore *s, const char *db, const char *guid)
{
    if (!live(s, db, guid))
        return CT_ERR_MISSING;
    int64_t rev;
    int rc = next_rev(s, db, &rev, NULL);
    if (rc != CT_OK)
        return rc;
    return run(&s->db, "UPDATE item SET deleted = 1, data = x'', rev = ? WHERE db = ? AND guid = ?",
               "iss", rev, db, guid);
}

int ct_sstore_get(struct ct_sstore *s, const char *db, const char *guid, struct ct_record *out)
{
    struct ct_record *v = NULL;
    size_t n = 0;
    int rc = query_items(&s->db, &v, &n,
                         "SELECT guid, type, data, rev, deleted FROM item WHERE db = ? AND guid = ? AND deleted = 0",
                         "ss", db, guid);
    if (rc == CT_OK && n == 0)
        rc = CT_ERR_MISSING;
    if (rc == CT_OK) {
        *out = v[0];
        free(v);
        return CT_OK;
    }
    ct_records_free(v, n);
    return rc;
}

int ct_sstore_changes(struct ct_sstore *s, const char *db, int64_t since, struct ct_record **out,
                      size_t *n)
{
    return query_items(&s->db, out, n,
                       "SELECT guid, type, data, rev, deleted FROM item WHERE db = ? AND rev > ? ORDER BY rev",
                       "si", db, since);
}

int ct_sstore_live(struct ct_sstore *s, const char *db, struct ct_record **out, size_t *n)
{
    return query_items(&s->db, out, n,
                       "SELECT guid, type, data, rev, deleted FROM item WHERE db = ? AND deleted = 0 ORDER BY rev",
                       "s", db);
}

int ct_sstore_rev(struct ct_sstore *s, const char *db, int64_t *rev)
{
    return query_int(&s->db, rev, "SELECT rev FROM counter WHERE db = ?", "s", db);
}

int ct_sstore_map_set(struct ct_sstore *s, const char *device, const char *db, const char *luid,
                      const char *guid)
{
    return run(&s->db, "INSERT OR REPLACE INTO map VALUES(?, ?, ?, ?)", "ssss", device, db, luid, guid);
}

int ct_sstore_map_guid(struct ct_sstore *s, const char *device, const char *db, const char *luid,
                       char **out)
{
    return query_text(&s->db, out, "SELECT guid FROM map WHERE device = ? AND db = ? AND luid = ?",
                      "sss", device, db, luid);
}

int ct_sstore_map_luid(struct ct_sstore *s, const char *device, const char *db, const char *guid,
                       char **out)
{
    return query_text(&s->db, out, "SELECT luid FROM map WHERE device = ? AND db = ? AND guid = ?",
                      "sss", device, db, guid);
}

int ct_sstore_map_clear(struct ct_sstore *s, const char *device, const char *db)
{
    return run(&s->db, "DELETE FROM map WHERE device = ? AND db = ?", "ss", device, db);
}

int ct_sstore_anchor_get(struct ct_sstore *s, const char *device, const char *db, char **last,
                         int64_t *rev, char **srv_next)
{
    *srv_next = NULL;
    int rc = query_text(&s->db, last, "SELECT last FROM anchor WHERE device = ? AND db = ?", "ss",
                        device, db);
    if (rc == CT_OK)
        rc = query_int(&s->db, rev, "SELECT rev FROM anchor WHERE device = ? AND db = ?", "ss", device, db);
    if (rc == CT_OK)
        rc = query_text(&s->db, srv_next, "SELECT srv_next FROM anchor WHERE device = ? AND db = ?",
                        "ss", device, db);
    if (rc != CT_OK) {
        free(*last);
        *last = NULL;
    }
    return rc;
}

int ct_sstore_anchor_set(struct ct_sstore *s, const char *device, const char *db, const char *last,
                         int64_t rev, const char *srv_next)
{
    return run(&s->db, "INSERT OR REPLACE INTO anchor VALUES(?, ?, ?, ?, ?)", "sssis", device, db,
               last, rev, srv_next);
}

int ct_sstore_nonce_get(struct ct_sstore *s, const char *device, uint8_t *nonce, size_t *len)
{
    struct ct_record *v = NULL;
    size_t n = 0;
    int rc = query_items(&s->db, &v, &n, "SELECT device, NULL, nonce, 0, 0 FROM nonce WHERE device = ?",
                         "s", device);
    *len = 0;
    if (rc == CT_OK && n == 1 && v[0].len <= 64) {
        memcpy(nonce, v[0].data, v[0].len);
        *len = v[0].len;
    }
    ct_records_free(v, n);
    return rc;
}

int ct_sstore_nonce_set(struct ct_sstore *s, const char *device, const uint8_t *nonce, size_t len)
{
    return run(&s->db, "INSERT OR REPLACE INTO nonce VALUES(?, ?)", "sb", device, nonce, len);
}

int ct_sstore_devinf_set(struct ct_sstore *s, const char *device, const char *xml)
{
    return run(&s->db, "INSERT OR REPLACE INTO devinf VALUES(?, ?)", "ss", device, xml);
}

/* ---- client ---- */

static const char client_schema[] =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE IF NOT EXISTS item(db TEXT, luid TEXT, type TEXT, data BLOB, state INTEGER,"
    " PRIMARY KEY(db, luid));"
    "CREATE INDEX IF NOT EXISTS item_state ON item(db, state);" /* the changed items, not all */
    "CREATE TABLE IF NOT EXISTS counter(db TEXT PRIMARY KEY, next_luid INTEGER);"
    "CREATE TABLE IF NOT EXISTS anchor(db TEXT PRIMARY KEY, last TEXT);"
    "CREATE TABLE IF NOT EXISTS kv(k TEXT PRIMARY KEY, v BLOB);";

int ct_cstore_open(struct ct_cstore **out, const char *path, struct ct_diag *diag)
{
    struct ct_cstore *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return CT_ERR_NOMEM;
    int rc = open_db(&c->db, path, client_schema, diag);
    if (rc != CT_OK) {
        free(c);
        return rc;
    }
    *out = c;
    return CT_OK;
}

void ct_cstore_close(struct ct_cstore *c)
{
    if (c == NULL)
        return;
    close_db(&c->db);
    free(c);
}

int ct_cstore_begin(struct ct_cstore *c)
{
    return run(&c->db, "BEGIN IMMEDIATE", "");
}

int ct_cstore_commit(struct ct_cstore *c)
{
    return run(&c->db, "COMMIT", "");
}

void ct_cstore_rollback(struct ct_cstore *c)
{
    run(&c->db, "ROLLBACK", "");
}

static int insert(struct ct_cstore *c, const char *db, const char *type, const uint8_t *data,
                  size_t len, int state, char luid[32])
{
    int64_t no = 0;
    int rc = run(&c->db, "INSERT OR IGNORE INTO counter VALUES(?, 0)", "s", db);
    if (rc == CT_OK)
        rc = run(&c->db, "UPDATE counter SET next_luid = next_luid + 1 WHERE db = ?", "s", db);
    if (rc == CT_OK)
        rc = query_int(&c->db, &no, "SELECT next_luid FROM counter WHERE db = ?", "s", db);
    if (rc != CT_OK)
        return rc;
    snprintf(luid, 32, "%lld", (long long)no);
    return run(&c->db, "INSERT OR REPLACE INTO item VALUES(?, ?, ?, ?, ?)", "sssbi", db, luid, type,
               data, len, (int64_t)state);
}

int ct_cstore_add(struct ct_cstore *c, const char *db, const char *type, const uint8_t *data,
                  size_t len, char luid[32])
{
    return insert(c, db, type, data, len, CT_CSTATE_ADDED, luid);
}

static bool present(struct ct_cstore *c, const char *db, const char *luid)
{
    int64_t n = 0;
    return query_int(&c->db, &n, "SELECT COUNT(*) FROM item WHERE db = ? AND luid = ? AND state != 3",
                     "ss", db, luid) == CT_OK && n > 0;
}

int ct_cstore_replace(struct ct_cstore *c, const char *db, const char *luid, const uint8_t *data,
                      size_t len)
{
    if (!present(c, db, luid))
        return CT_ERR_MISSING;
    /* An item added since the last sync stays "added": the server has never seen it. */
    return run(&c->db,
               "UPDATE item SET data = ?, state = CASE state WHEN 1 THEN 1 ELSE 2 END "
               "WHERE db = ? AND luid = ?",
               "bss", data, len, db, luid);
}

int ct_cstore_delete(struct ct_cstore *c, const char *db, const char *luid)
{
    if (!present(c, db, luid))
        return CT_ERR_MISSING;
    /* Never synced: just forget it. */
    int rc = run(&c->db, "DELETE FROM item WHERE db = ? AND luid = ? AND state = 1", "ss", db, luid);
    if (rc == CT_OK)
        rc = run(&c->db, "UPDATE item SET state = 3, data = x'' WHERE db = ? AND luid = ?", "ss", db, luid);
    return rc;
}

int ct_cstore_changes(struct ct_cstore *c, const char *db, struct ct_record **out, size_t *n)
{
    return query_items(&c->db, out, n,
                       "SELECT luid, type, data, 0, state FROM item WHERE db = ? AND state > 0 "
                       "ORDER BY CAST(luid AS INTEGER)", "s", db);
}

int ct_cstore_live(struct ct_cstore *c, const char *db, struct ct_record **out, size_t *n)
{
    return query_items(&c->db, out, n,
                       "SELECT luid, type, data, 0, state FROM item WHERE db = ? AND state != 3 "
                       "ORDER BY CAST(luid AS INTEGER)", "s", db);
}

int ct_cstore_get(struct ct_cstore *c, const char *db, const char *luid, struct ct_record *out)
{
    struct ct_record *v = NULL;
    size_t n = 0;
    int rc = query_items(&c->db, &v, &n,
                         "SELECT luid, type, data, 0, state FROM item WHERE db = ? AND luid = ? AND state != 3",
                         "ss", db, luid);
    if (rc == CT_OK && n == 0)
        rc = CT_ERR_MISSING;
    if (rc == CT_OK) {
        *out = v[0];
        free(v);
        return CT_OK;
    }
    ct_records_free(v, n);
    return rc;
}

int ct_cstore_mark_synced(struct ct_cstore *c, const char *db)
{
    int rc = run(&c->db, "DELETE FROM item WHERE db = ? AND state = 3", "s", db);
    if (rc == CT_OK)
        rc = run(&c->db, "UPDATE item SET state = 0 WHERE db = ? AND state > 0", "s", db);
    return rc;
}

int ct_cstore_put(struct ct_cstore *c, const char *db, const char *type, const uint8_t *data,
                  size_t len, char luid[32])
{
    return insert(c, db, type, data, len, CT_CSTATE_CLEAN, luid);
}

int ct_cstore_overwrite(struct ct_cstore *c, const char *db, const char *luid, const char *type,
                        const uint8_t *data, size_t len)
{
    if (!present(c, db, luid))
        return CT_ERR_MISSING;
    return run(&c->db, "UPDATE item SET type = COALESCE(?, type), data = ?, state = 0 WHERE db = ? AND luid = ?",
               "sbss", type, data, len, db, luid);
}

int ct_cstore_remove(struct ct_cstore *c, const char *db, const char *luid)
{
    if (!present(c, db, luid))
        return CT_ERR_MISSING;
    return run(&c->db, "DELETE FROM item WHERE db = ? AND luid = ?", "ss", db, luid);
}

int ct_cstore_wipe(struct ct_cstore *c, const char *db)
{
    return run(&c->db, "DELETE FROM item WHERE db = ?", "s", db);
}

int ct_cstore_anchor_get(struct ct_cstore *c, const char *db, char **last)
{
    return query_text(&c->db, last, "SELECT last FROM anchor WHERE db = ?", "s", db);
}

int ct_cstore_anchor_set(struct ct_cstore *c, const char *db, const char *last)
{
    return run(&c->db, "INSERT OR REPLACE INTO anchor VALUES(?, ?)", "ss", db, last);
}

int ct_cstore_kv_get(struct ct_cstore *c, const char *key, uint8_t **value, size_t *len)
{
    struct ct_record *v = NULL;
    size_t n = 0;
    int rc = query_items(&c->db, &v, &n, "SELECT k, NULL, v, 0, 0 FROM kv WHERE k = ?", "s", key);
    *value = NULL;
    *len = 0;
    if (rc == CT_OK && n == 1) {
        *value = v[0].data;
        *len = v[0].len;
        v[0].data = NULL;
    }
    ct_records_free(v, n);
    return rc;
}

int ct_cstore_kv_set(struct ct_cstore *c, const char *key, const uint8_t *value, size_t len)
{
    return run(&c->db, "INSERT OR REPLACE INTO kv VALUES(?, ?)", "sb", key, value, len);
}
