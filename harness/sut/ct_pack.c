#include "sut/ct_pack.h"

#include "syncml/ct_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

int ct_outq_push(struct ct_outq *q, enum ct_cmd_kind kind, const char *target, const char *source,
                 const char *type, const uint8_t *data, size_t len)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        struct ct_out *v = realloc(q->v, cap * sizeof(*v));
        if (v == NULL)
            return CT_ERR_NOMEM;
        q->v = v;
        q->cap = cap;
    }
    struct ct_out *o = &q->v[q->n];
    memset(o, 0, sizeof(*o));
    o->kind = kind;
    o->target = dup_or_null(target);
    o->source = dup_or_null(source);
    o->type = dup_or_null(type);
    o->data = malloc(len + 1);
    if ((target && !o->target) || (source && !o->source) || (type && !o->type) || !o->data) {
        free(o->target);
        free(o->source);
        free(o->type);
        free(o->data);
        return CT_ERR_NOMEM;
    }
    if (len > 0)
        memcpy(o->data, data, len);
    o->data[len] = '\0';
    o->len = len;
    q->n++;
    return CT_OK;
}

void ct_outq_cleanup(struct ct_outq *q)
{
    for (size_t i = 0; i < q->n; i++) {
        free(q->v[i].target);
        free(q->v[i].source);
        free(q->v[i].type);
        free(q->v[i].data);
    }
    free(q->v);
    memset(q, 0, sizeof(*q));
}

bool ct_outq_done(const struct ct_outq *q)
{
    return q->next >= q->n;
}

static size_t slen(const char *s)
{
    return s != NULL ? strlen(s) : 0;
}

/* The cost of a command without its data, and of n bytes of its data: measured on real
 * messages (an Add with Meta Type, Item, Source, empty Data is about 140 bytes of XML), with
 * room for CmdIDs of several digits and a Size. */
static size_t fixed_cost(const struct ct_out *o)
{
    return 180 + 2 * (slen(o->target) + slen(o->source) + slen(o->type));
}

size_t ct_pack_used(const struct ct_msg *m)
{
    struct ct_buf b;
    ct_buf_init(&b, 0);
    struct ct_ser_opts so = {.enc = CT_ENC_XML};
    size_t used = ct_msg_serialize(m, &so, &b, NULL) == CT_OK ? b.len : CT_PACK_BASE_COST;
    ct_buf_cleanup(&b);
    return used + 64;
}

static size_t data_cost(size_t n, bool encrypted)
{
    /* Encrypted: base64 of the EF (header, IV, tag: at most 50 bytes) and the marker Meta.
     * Clear: XML escaping can grow text; a fifth is ample for vCards and the like. */
    return encrypted ? (n + 50 + 2) / 3 * 4 + 80 : n + n / 5 + 16;
}

/* The largest number of data bytes whose cost fits in `room`. */
static size_t data_fitting(size_t room, bool encrypted)
{
    if (encrypted)
        return room > 140 ? (room - 80) / 4 * 3 - 52 : 0;
    return room > 16 ? (room - 16) * 5 / 6 : 0;
}

/* Do not cut a UTF-8 sequence: each chunk must be text on its own. */
static size_t utf8_boundary(const uint8_t *p, size_t at, size_t end)
{
    while (at > 0 && at < end && (p[at] & 0xC0) == 0x80)
        at--;
    return at;
}

static int put_item(xmlNode *cmd, const struct ct_out *o, const uint8_t *data, size_t n,
                    bool more, bool first_chunk)
{
    xmlNode *item = ct_el_add(cmd, "Item", NULL);
    if (o->target != NULL && ct_el_add_locus(item, "Target", o->target, NULL) == NULL)
        return CT_ERR_NOMEM;
    if (o->source != NULL && ct_el_add_locus(item, "Source", o->source, NULL) == NULL)
        return CT_ERR_NOMEM;
    if (more && first_chunk) {
        char size[32];
        snprintf(size, sizeof(size), "%zu", o->len);
        if (ct_el_add_metinf(ct_el_add(item, "Meta", NULL), "Size", size) == NULL)
            return CT_ERR_NOMEM;
    }
    if (o->kind != CT_CMD_DELETE) {
        xmlNode *d = ct_el_add(item, "Data", NULL);
        if (d == NULL)
            return CT_ERR_NOMEM;
        xmlNodeAddContentLen(d, data, (int)n);
    }
    if (more && ct_el_add(item, "MoreData", NULL) == NULL)
        return CT_ERR_NOMEM;
    return item != NULL ? CT_OK : CT_ERR_NOMEM;
}

int ct_pack_sync(struct ct_msg *m, const char *target_db, const char *source_db,
                 struct ct_outq *q, size_t *budget, bool encrypted, bool *progress)
{
    *progress = false;
    xmlNode *sync = ct_build_cmd(m, NULL, "Sync");
    if (sync == NULL || ct_el_add_locus(sync, "Target", target_db, NULL) == NULL ||
        ct_el_add_locus(sync, "Source", source_db, NULL) == NULL)
        return CT_ERR_NOMEM;
    size_t sync_cost = 120 + 2 * (slen(target_db) + slen(source_db));
    *budget = *budget > sync_cost ? *budget - sync_cost : 0;
    while (!ct_outq_done(q)) {
        struct ct_out *o = &q->v[q->next];
        size_t fixed = fixed_cost(o);
        size_t left = o->len - o->sent;
        size_t whole = fixed + (o->kind == CT_CMD_DELETE ? 0 : data_cost(left, encrypted));
        size_t n;
        bool more;
        if (whole <= *budget) {
            n = left;
            more = false;
        } else {
            if (o->kind == CT_CMD_DELETE || *budget <= fixed)
                break;
            n = data_fitting(*budget - fixed, encrypted);
            n = utf8_boundary(o->data, o->sent + (n < left ? n : left), o->sent + left) - o->sent;
            if (n < CT_PACK_MIN_CHUNK || n >= left)
                break;
            more = true;
        }
        static const char *const names[] = {[CT_CMD_ADD] = "Add", [CT_CMD_REPLACE] = "Replace",
                                            [CT_CMD_DELETE] = "Delete"};
        xmlNode *cmd = ct_build_cmd(m, sync, names[o->kind]);
        if (cmd == NULL)
            return CT_ERR_NOMEM;
        if (o->type != NULL && o->kind != CT_CMD_DELETE &&
            ct_el_add_metinf(ct_el_add(cmd, "Meta", NULL), "Type", o->type) == NULL)
            return CT_ERR_NOMEM;
        int rc = put_item(cmd, o, o->data + o->sent, n, more, o->sent == 0);
        if (rc != CT_OK)
            return rc;
        size_t cost = fixed + (o->kind == CT_CMD_DELETE ? 0 : data_cost(n, encrypted));
        *budget = *budget > cost ? *budget - cost : 0;
        o->sent += n;
        *progress = true;
        if (!more)
            q->next++;
        else
            break; /* the rest of this object goes in the next message */
    }
    return CT_OK;
}

void ct_lo_reset(struct ct_lo *lo)
{
    free(lo->key);
    ct_buf_cleanup(&lo->data);
    memset(lo, 0, sizeof(*lo));
}

enum ct_lo_result ct_lo_feed(struct ct_lo *lo, const char *key, const struct ct_item *item,
                             const char *size, size_t max_obj)
{
    const char *text = item->data != NULL ? item->data : "";
    size_t n = strlen(text);
    if (!lo->active && !item->more_data)
        return CT_LO_WHOLE;
    if (!lo->active) {
        uint64_t announced;
        if (size == NULL || ct_uint_parse(size, &announced) != CT_OK)
            return CT_LO_NO_SIZE;
        if ((max_obj != 0 && announced > max_obj) || announced > SIZE_MAX / 2)
            return CT_LO_TOO_BIG;
        lo->active = true;
        lo->key = strdup(key);
        lo->announced = (size_t)announced;
        /* The buffer may not outgrow the announced size by more than one chunk. */
        ct_buf_init(&lo->data, lo->announced + 1);
        if (lo->key == NULL) {
            ct_lo_reset(lo);
            return CT_LO_TOO_BIG;
        }
    } else if (strcmp(lo->key, key) != 0) {
        ct_lo_reset(lo);
        return CT_LO_INTERRUPTED;
    }
    if (ct_buf_append(&lo->data, text, n) != CT_OK) {
        ct_lo_reset(lo);
        return CT_LO_SIZE_MISMATCH;
    }
    if (item->more_data)
        return CT_LO_PARTIAL;
    return lo->data.len == lo->announced ? CT_LO_COMPLETE : CT_LO_SIZE_MISMATCH;
}
