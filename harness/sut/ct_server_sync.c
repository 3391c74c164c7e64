/*
 * The reference server's sync logic (DS 1.2): Alerts and anchors, DevInf Put/Get, the client's
 * Sync commands, Map, and Pkg#4 over as many messages as MaxMsgSize requires.
 */
#include "sut/ct_server_int.h"

#include "syncml/ct_build.h"

#include <libxml/xmlsave.h>

#ifndef CONFTEST_VERSION
#define CONFTEST_VERSION "unknown"
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void srv_db_cleanup(struct db_state *d)
{
    ct_outq_cleanup(&d->out);
    free(d->touched);
    memset(d, 0, sizeof(*d));
}

static struct db_state *db_find(struct session *s, const char *name)
{
    for (size_t i = 0; name != NULL && i < s->n_dbs; i++)
        if (strcmp(s->dbs[i].name, name) == 0)
            return &s->dbs[i];
    return NULL;
}

static int touch(struct db_state *d, const char *guid)
{
    char(*v)[32] = realloc(d->touched, (d->n_touched + 1) * sizeof(*v));
    if (v == NULL)
        return CT_ERR_NOMEM;
    d->touched = v;
    snprintf(d->touched[d->n_touched++], 32, "%s", guid);
    return CT_OK;
}

static bool touched(const struct db_state *d, const char *guid)
{
    for (size_t i = 0; i < d->n_touched; i++)
        if (strcmp(d->touched[i], guid) == 0)
            return true;
    return false;
}

/* ---- DevInf ---- */

static int add_devinf(struct turn *t, xmlNode *data)
{
    const struct ct_server_config *cfg = &t->srv->cfg;
    xmlNode *di = ct_el_add_ns(data, CT_NS_DEVINF, "DevInf", NULL);
    bool v12 = ct_msg_version(t->req) != CT_VER_1_1;
    ct_el_add(di, "VerDTD", v12 ? "1.2" : "1.1");
    ct_el_add(di, "Man", "conftest");
    ct_el_add(di, "Mod", "reference server");
    ct_el_add(di, "FwV", "-");
    ct_el_add(di, "SwV", CONFTEST_VERSION);
    ct_el_add(di, "HwV", "-");
    ct_el_add(di, "DevID", cfg->url);
    ct_el_add(di, "DevTyp", "server");
    ct_el_add(di, "UTC", NULL);
    ct_el_add(di, "SupportLargeObjs", NULL);
    ct_el_add(di, "SupportNumberOfChanges", NULL);
    for (size_t i = 0; i < cfg->n_dbs; i++) {
        static const struct {
            const char *db, *type, *ver;
        } types[] = {{"contacts", "text/vcard", "3.0"}, {"calendar", "text/calendar", "2.0"}};
        const char *type = "text/plain", *ver = "1.0";
        for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++)
            if (strcmp(cfg->dbs[i], types[k].db) == 0) {
                type = types[k].type;
                ver = types[k].ver;
            }
        char ref[80];
        snprintf(ref, sizeof(ref), "./%s", cfg->dbs[i]);
        xmlNode *ds = ct_el_add(di, "DataStore", NULL);
        ct_el_add(ds, "SourceRef", ref);
        ct_el_add(ds, "DisplayName", cfg->dbs[i]);
        ct_el_add(ds, "MaxGUIDSize", "32");
        for (int tx = 0; tx < 2; tx++) {
            xmlNode *pref = ct_el_add(ds, tx ? "Tx-Pref" : "Rx-Pref", NULL);
            ct_el_add(pref, "CTType", type);
            ct_el_add(pref, "VerCT", ver);
        }
        xmlNode *cap = ct_el_add(ds, "SyncCap", NULL);
        for (int k = 1; k <= 7; k++) {
            char n[4];
            snprintf(n, sizeof(n), "%d", k);
            if (ct_el_add(cap, "SyncType", n) == NULL)
                return CT_ERR_NOMEM;
        }
    }
    return di != NULL ? CT_OK : CT_ERR_NOMEM;
}

/* The DevInf a client put, as XML text (element content) or the text itself. */
static char *devinf_text(const struct ct_item *it)
{
    if (it->data != NULL)
        return strdup(it->data);
    const xmlNode *el = NULL;
    for (const xmlNode *c = it->data_node != NULL ? it->data_node->children : NULL; c && !el; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            el = c;
    if (el == NULL)
        return strdup("");
    struct ct_buf b;
    ct_buf_init(&b, 64u << 20);
    char *out = NULL;
    if (ct_xml_dump(el, false, &b) == CT_OK && ct_buf_append(&b, "", 1) == CT_OK)
        out = (char *)ct_buf_steal(&b, NULL);
    ct_buf_cleanup(&b);
    return out;
}

static int cmd_put(struct turn *t, const struct ct_cmd *c)
{
    for (size_t i = 0; i < c->n_items; i++) {
        const struct ct_item *it = &c->items[i];
        int fst = srv_field_status(t, c->node, it->node);
        unsigned code = fst != 0 ? (unsigned)fst : 200;
        if (fst == 0) {
            char *xml = devinf_text(it);
            int rc = xml != NULL ? ct_sstore_devinf_set(t->srv->store, t->s->device, xml) : CT_ERR_NOMEM;
            free(xml);
            if (rc != CT_OK)
                return rc;
        }
        if (srv_status(t, c, NULL, it->source.uri, code) == NULL)
            return CT_ERR_NOMEM;
    }
    if (c->n_items == 0 && srv_status(t, c, NULL, NULL, 400) == NULL)
        return CT_ERR_NOMEM;
    return CT_OK;
}

static int cmd_get(struct turn *t, const struct ct_cmd *c)
{
    const char *uri = c->n_items > 0 ? c->items[0].target.uri : NULL;
    bool devinf = uri != NULL && (strcmp(uri, "./devinf12") == 0 || strcmp(uri, "./devinf11") == 0);
    if (srv_status(t, c, uri, NULL, devinf ? 200 : 404) == NULL)
        return CT_ERR_NOMEM;
    if (!devinf)
        return CT_OK;
    xmlNode *res = ct_build_cmd(t->rep, NULL, "Results");
    ct_el_add(res, "MsgRef", t->msg_ref);
    ct_el_add(res, "CmdRef", c->cmd_id);
    ct_el_add_metinf(ct_el_add(res, "Meta", NULL), "Type", "application/vnd.syncml-devinf+xml");
    xmlNode *item = ct_el_add(res, "Item", NULL);
    ct_el_add_locus(item, "Source", uri, NULL);
    xmlNode *data = ct_el_add(item, "Data", NULL);
    return data != NULL ? add_devinf(t, data) : CT_ERR_NOMEM;
}

/* ---- Alert ---- */

static int alert_sync(struct turn *t, const struct ct_cmd *c, int code)
{
    struct ct_server *srv = t->srv;
    struct session *s = t->s;
    const struct ct_item *it = c->n_items > 0 ? &c->items[0] : NULL;
    const char *name = it != NULL ? srv_db_name(srv, it->target.uri) : NULL;
    if (name == NULL)
        return srv_status(t, c, it != NULL ? it->target.uri : NULL, NULL, 404) != NULL ? CT_OK : CT_ERR_NOMEM;
    if (it->meta.anchor_next == NULL)
        return srv_status(t, c, it->target.uri, it->source.uri, 400) != NULL ? CT_OK : CT_ERR_NOMEM;
    struct db_state *d = db_find(s, name);
    if (d == NULL) {
        if (s->n_dbs == CT_SERVER_MAX_DBS)
            return srv_status(t, c, it->target.uri, it->source.uri, 500) != NULL ? CT_OK : CT_ERR_NOMEM;
        d = &s->dbs[s->n_dbs++];
    }
    snprintf(d->name, sizeof(d->name), "%s", name);
    snprintf(d->addr, sizeof(d->addr), "%s", it->target.uri);
    snprintf(d->client_uri, sizeof(d->client_uri), "%s", it->source.uri != NULL ? it->source.uri : "");
    snprintf(d->client_next, sizeof(d->client_next), "%s", it->meta.anchor_next);

    char *last = NULL, *srv_last = NULL;
    int64_t rev = 0, now_rev = 0;
    int rc = ct_sstore_anchor_get(srv->store, s->device, name, &last, &rev, &srv_last);
    if (rc == CT_OK)
        rc = ct_sstore_rev(srv->store, name, &now_rev);
    if (rc != CT_OK) {
        free(last);
        free(srv_last);
        return rc;
    }
    unsigned status = 200;
    int effective = code;
    /* Anchors that do not match mean the last sync did not end as both think: slow sync. */
    bool incremental = code == 200 || code == 202 || code == 204;
    if (incremental && (last == NULL || it->meta.anchor_last == NULL || strcmp(last, it->meta.anchor_last) != 0)) {
        status = 508;
        effective = 201;
    }
    if (last == NULL)
        rev = 0;
    free(last);
    if (effective == 201 || effective == 205) {
        rc = ct_sstore_map_clear(srv->store, s->device, name);
        if (rc != CT_OK)
            return rc;
    }
    d->code = effective;

    xmlNode *st = srv_status(t, c, it->target.uri, it->source.uri, status);
    xmlNode *anchor = ct_el_add_metinf(ct_el_add(ct_el_add(st, "Item", NULL), "Data", NULL), "Anchor", NULL);
    if (ct_el_add(anchor, "Next", d->client_next) == NULL)
        return CT_ERR_NOMEM;

    /* The server's anchors: Last is the Next it sent last time, Next a new one (rev and time). */
    char code_text[8], last_text[64];
    snprintf(code_text, sizeof(code_text), "%d", effective);
    snprintf(last_text, sizeof(last_text), "%s", srv_last != NULL ? srv_last : "0");
    free(srv_last);
    snprintf(d->server_next, sizeof(d->server_next), "%lld-%llu", (long long)now_rev,
             (unsigned long long)srv_now(srv));
    const char *next_text = d->server_next;
    xmlNode *al = ct_build_cmd(t->rep, NULL, "Alert");
    ct_el_add(al, "Data", code_text);
    xmlNode *item = ct_el_add(al, "Item", NULL);
    ct_el_add_locus(item, "Target", d->client_uri, NULL);
    ct_el_add_locus(item, "Source", d->addr, NULL);
    xmlNode *a2 = ct_el_add_metinf(ct_el_add(item, "Meta", NULL), "Anchor", NULL);
    ct_el_add(a2, "Last", last_text);
    return ct_el_add(a2, "Next", next_text) != NULL ? CT_OK : CT_ERR_NOMEM;
}

static int cmd_alert(struct turn *t, const struct ct_cmd *c)
{
    uint64_t code = 0;
    if (c->data == NULL || ct_uint_parse(c->data, &code) != CT_OK)
        return srv_status(t, c, NULL, NULL, 400) != NULL ? CT_OK : CT_ERR_NOMEM;
    if (code == 222) /* next message, please: answered by the packaging */
        return srv_status(t, c, NULL, NULL, 200) != NULL ? CT_OK : CT_ERR_NOMEM;
    if (code >= 200 && code <= 205)
        return alert_sync(t, c, (int)code);
    /* Suspend/resume and server-alerted codes are not implemented. */
    return srv_status(t, c, NULL, NULL, 406) != NULL ? CT_OK : CT_ERR_NOMEM;
}

/* ---- the client's changes ---- */

/* Slow sync: an identical live item not yet mapped is the same item (no duplicate). */
static int find_twin(struct turn *t, const char *db, const char *data, char **guid)
{
    struct ct_record *v = NULL;
    size_t n = 0;
    *guid = NULL;
    int rc = ct_sstore_live(t->srv->store, db, &v, &n);
    for (size_t i = 0; rc == CT_OK && i < n && *guid == NULL; i++) {
        if (strcmp((const char *)v[i].data, data) != 0)
            continue;
        char *luid = NULL;
        rc = ct_sstore_map_luid(t->srv->store, t->s->device, db, v[i].id, &luid);
        if (rc == CT_OK && luid == NULL)
            *guid = strdup(v[i].id);
        free(luid);
    }
    ct_records_free(v, n);
    return rc;
}

static int add_item(struct turn *t, struct db_state *d, const char *luid, const char *type,
                    const char *data, bool replace, unsigned *code)
{
    struct ct_sstore *st = t->srv->store;
    size_t len = strlen(data);
    char *guid = NULL;
    int rc = ct_sstore_map_guid(st, t->s->device, d->name, luid, &guid);
    if (rc == CT_OK && guid != NULL) {
        rc = ct_sstore_replace(st, d->name, guid, type, (const uint8_t *)data, len);
        if (rc == CT_OK) {
            *code = 200;
            rc = touch(d, guid);
            free(guid);
            return rc;
        }
        free(guid);
        guid = NULL;
        if (rc != CT_ERR_MISSING)
            return rc;
        rc = CT_OK; /* replaced away on the server: added again below */
    }
    if (rc == CT_OK && d->code == 201 && !replace) {
        rc = find_twin(t, d->name, data, &guid);
        if (rc == CT_OK && guid != NULL) {
            rc = ct_sstore_map_set(st, t->s->device, d->name, luid, guid);
            if (rc == CT_OK)
                rc = touch(d, guid);
            free(guid);
            *code = 200;
            return rc;
        }
    }
    char new_guid[32];
    if (rc == CT_OK)
        rc = ct_sstore_add(st, d->name, type, (const uint8_t *)data, len, new_guid);
    if (rc == CT_OK)
        rc = ct_sstore_map_set(st, t->s->device, d->name, luid, new_guid);
    if (rc == CT_OK)
        rc = touch(d, new_guid);
    /* DS 1.2: 201 for an added item -- also for a Replace of an item the server lacks. */
    *code = ct_bug_on(&t->srv->cfg.bugs, CT_BUG_ADD_STATUS_200) ? 200 : 201;
    return rc;
}

/* lo-overflow: the seeded bug's own large-object buffer, sized by the announced Size. */
static struct {
    uint8_t *buf;
    size_t announced, at;
} bug_lo;

static void bug_lo_feed(const struct ct_item *it, const char *size)
{
    uint64_t n;
    if (bug_lo.buf == NULL && size != NULL && ct_uint_parse(size, &n) == CT_OK && n < (1u << 24)) {
        bug_lo.buf = malloc((size_t)n + 1);
        bug_lo.announced = (size_t)n;
        bug_lo.at = 0;
    }
    if (bug_lo.buf != NULL && it->data != NULL) {
        size_t len = strlen(it->data);
        memcpy(bug_lo.buf + bug_lo.at, it->data, len); /* no bound: the defect */
        bug_lo.at += len;
    }
    if (!it->more_data) {
        free(bug_lo.buf);
        bug_lo.buf = NULL;
    }
}

static unsigned lo_status(enum ct_lo_result r)
{
    switch (r) {
    case CT_LO_PARTIAL: return 213;
    case CT_LO_SIZE_MISMATCH: return 424;
    case CT_LO_NO_SIZE: return 411;
    case CT_LO_TOO_BIG: return 416;
    case CT_LO_INTERRUPTED: return 400;
    case CT_LO_WHOLE:
    case CT_LO_COMPLETE:
    default: return 0;
    }
}

static int change(struct turn *t, struct db_state *d, const struct ct_cmd *c)
{
    struct ct_sstore *st = t->srv->store;
    bool server_only = d->code == 204 || d->code == 205;
    for (size_t i = 0; i < c->n_items; i++) {
        const struct ct_item *it = &c->items[i];
        const char *luid = it->source.uri != NULL ? it->source.uri : it->target.uri;
        unsigned code = 0;
        int fst = srv_field_status(t, c->node, it->node);
        if (fst != 0)
            code = (unsigned)fst;
        else if (server_only)
            code = 405; /* the client has no say in a sync from the server */
        else if (luid == NULL)
            code = 400;
        if (code != 0) {
            if (srv_status(t, c, NULL, luid, code) == NULL)
                return CT_ERR_NOMEM;
            continue;
        }
        int rc = CT_OK;
        if (c->kind == CT_CMD_DELETE) {
            char *guid = NULL;
            rc = ct_sstore_map_guid(st, t->s->device, d->name, luid, &guid);
            if (rc == CT_OK && guid == NULL)
                code = 211;
            if (rc == CT_OK && guid != NULL) {
                rc = ct_sstore_delete(st, d->name, guid);
                code = rc == CT_ERR_MISSING ? 211 : 200;
                if (rc == CT_ERR_MISSING || rc == CT_OK)
                    rc = touch(d, guid);
            }
            free(guid);
        } else {
            const char *size = it->meta.size != NULL ? it->meta.size : c->meta.size;
            if (ct_bug_on(&t->srv->cfg.bugs, CT_BUG_LO_OVERFLOW) && (it->more_data || t->s->lo.active))
                bug_lo_feed(it, size);
            char key[300];
            snprintf(key, sizeof(key), "%s:%s", c->name, luid);
            enum ct_lo_result r = ct_lo_feed(&t->s->lo, key, it, size, t->srv->cfg.max_obj_size);
            code = lo_status(r);
            if (code == 0) {
                const char *data = r == CT_LO_COMPLETE ? (const char *)t->s->lo.data.data
                                                       : (it->data != NULL ? it->data : "");
                const char *type = it->meta.type != NULL ? it->meta.type : c->meta.type;
                rc = add_item(t, d, luid, type, data, c->kind == CT_CMD_REPLACE, &code);
            }
            if (r != CT_LO_PARTIAL && r != CT_LO_WHOLE)
                ct_lo_reset(&t->s->lo);
        }
        if (rc != CT_OK)
            return rc;
        if (srv_status(t, c, NULL, luid, code) == NULL)
            return CT_ERR_NOMEM;
    }
    return CT_OK;
}

static int sync_children(struct turn *t, struct db_state *d, const struct ct_cmd *parent,
                         unsigned depth)
{
    for (size_t i = 0; i < parent->n_children; i++) {
        const struct ct_cmd *c = &parent->children[i];
        int rc = CT_OK;
        switch (c->kind) {
        case CT_CMD_ADD:
        case CT_CMD_REPLACE:
        case CT_CMD_DELETE:
            rc = change(t, d, c);
            break;
        case CT_CMD_ATOMIC:
        case CT_CMD_SEQUENCE:
            if (srv_status(t, c, NULL, NULL, 200) == NULL)
                return CT_ERR_NOMEM;
            if (depth < 8)
                rc = sync_children(t, d, c, depth + 1);
            break;
        default:
            if (srv_status(t, c, NULL, NULL, 406) == NULL) /* Copy, Move: not implemented */
                return CT_ERR_NOMEM;
            break;
        }
        if (rc != CT_OK)
            return rc;
    }
    return CT_OK;
}

static int cmd_sync(struct turn *t, const struct ct_cmd *c)
{
    struct db_state *d = db_find(t->s, srv_db_name(t->srv, c->target.uri));
    if (d == NULL)
        return srv_status(t, c, c->target.uri, c->source.uri, 404) != NULL ? CT_OK : CT_ERR_NOMEM;
    if (srv_status(t, c, c->target.uri, c->source.uri, 200) == NULL)
        return CT_ERR_NOMEM;
    if (d->code == 203 && !d->wiped) {
        /* Refresh from the client: its data replaces the server's. */
        struct ct_record *v = NULL;
        size_t n = 0;
        int rc = ct_sstore_live(t->srv->store, d->name, &v, &n);
        for (size_t i = 0; rc == CT_OK && i < n; i++)
            rc = ct_sstore_delete(t->srv->store, d->name, v[i].id);
        ct_records_free(v, n);
        if (rc == CT_OK)
            rc = ct_sstore_map_clear(t->srv->store, t->s->device, d->name);
        if (rc != CT_OK)
            return rc;
        d->wiped = true;
    }
    return sync_children(t, d, c, 0);
}

static int cmd_map(struct turn *t, const struct ct_cmd *c)
{
    const char *name = srv_db_name(t->srv, c->target.uri);
    if (name == NULL)
        return srv_status(t, c, c->target.uri, c->source.uri, 404) != NULL ? CT_OK : CT_ERR_NOMEM;
    for (size_t i = 0; i < c->n_items; i++) {
        const struct ct_item *mi = &c->items[i];
        if (mi->target.uri == NULL || mi->source.uri == NULL)
            continue;
        if (ct_bug_on(&t->srv->cfg.bugs, CT_BUG_DROP_MAP))
            continue;
        int rc = ct_sstore_map_set(t->srv->store, t->s->device, name, mi->source.uri, mi->target.uri);
        if (rc != CT_OK)
            return rc;
    }
    return srv_status(t, c, c->target.uri, c->source.uri, 200) != NULL ? CT_OK : CT_ERR_NOMEM;
}

int srv_body(struct turn *t)
{
    const struct ct_body *b = ct_msg_body(t->req);
    for (size_t i = 0; i < b->n_cmds; i++) {
        const struct ct_cmd *c = &b->cmds[i];
        int rc = CT_OK;
        switch (c->kind) {
        case CT_CMD_STATUS:
        case CT_CMD_UNKNOWN:
            break;
        case CT_CMD_ALERT: rc = cmd_alert(t, c); break;
        case CT_CMD_PUT: rc = cmd_put(t, c); break;
        case CT_CMD_GET: rc = cmd_get(t, c); break;
        case CT_CMD_RESULTS:
            if (srv_status(t, c, NULL, NULL, 200) == NULL)
                rc = CT_ERR_NOMEM;
            break;
        case CT_CMD_SYNC: rc = cmd_sync(t, c); break;
        case CT_CMD_MAP: rc = cmd_map(t, c); break;
        default:
            if (srv_status(t, c, NULL, NULL, 406) == NULL)
                rc = CT_ERR_NOMEM;
            break;
        }
        if (rc != CT_OK)
            return rc;
    }
    return CT_OK;
}

/* ---- Pkg#4 and the package states ---- */

/* What the server sends a database in Pkg#4 (computed when the client's Pkg#3 is complete). */
static int plan_changes(struct turn *t, struct db_state *d)
{
    struct ct_sstore *st = t->srv->store;
    struct ct_record *v = NULL;
    size_t n = 0;
    int rc = CT_OK;
    if (d->code == 202 || d->code == 203)
        return CT_OK;
    bool all = d->code == 201 || d->code == 205;
    if (all) {
        rc = ct_sstore_live(st, d->name, &v, &n);
    } else {
        char *last = NULL, *srv_last = NULL;
        int64_t rev = 0;
        rc = ct_sstore_anchor_get(st, t->s->device, d->name, &last, &rev, &srv_last);
        free(last);
        free(srv_last);
        if (rc == CT_OK)
            rc = ct_sstore_changes(st, d->name, rev, &v, &n);
    }
    for (size_t i = 0; rc == CT_OK && i < n; i++) {
        const struct ct_record *r = &v[i];
        if (touched(d, r->id))
            continue;
        char *luid = NULL;
        if (!all)
            rc = ct_sstore_map_luid(st, t->s->device, d->name, r->id, &luid);
        if (rc == CT_OK) {
            if (r->state == 1) { /* a tombstone */
                if (luid != NULL)
                    rc = ct_outq_push(&d->out, CT_CMD_DELETE, luid, NULL, NULL, NULL, 0);
            } else if (luid != NULL) {
                rc = ct_outq_push(&d->out, CT_CMD_REPLACE, luid, NULL, r->type, r->data, r->len);
            } else {
                rc = ct_outq_push(&d->out, CT_CMD_ADD, NULL, r->id, r->type, r->data, r->len);
            }
        }
        free(luid);
    }
    ct_records_free(v, n);
    return rc;
}

static int add_alert_222(struct turn *t)
{
    xmlNode *al = ct_build_cmd(t->rep, NULL, "Alert");
    ct_el_add(al, "Data", "222");
    xmlNode *item = ct_el_add(al, "Item", NULL);
    ct_el_add_locus(item, "Target", t->s->device, NULL);
    return ct_el_add_locus(item, "Source", t->srv->cfg.url, NULL) != NULL ? CT_OK : CT_ERR_NOMEM;
}

static bool sends_sync(const struct db_state *d)
{
    return d->code != 202 && d->code != 203;
}

/* Pack the next message of Pkg#4; *final when everything has gone. */
/* Remove the Sync commands that carry no change (an attempt that packed nothing). */
static void drop_empty_syncs(struct ct_msg *m)
{
    xmlNode *body = ct_msg_body_node(m);
    xmlNode *n = body != NULL ? body->children : NULL;
    while (n != NULL) {
        xmlNode *next = n->next;
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "Sync") == 0) {
            bool changes = false;
            for (xmlNode *c = n->children; c != NULL; c = c->next)
                changes = changes || (c->type == XML_ELEMENT_NODE && (strcmp((const char *)c->name, "Add") == 0 ||
                                                                      strcmp((const char *)c->name, "Replace") == 0 ||
                                                                      strcmp((const char *)c->name, "Delete") == 0));
            if (!changes) {
                xmlUnlinkNode(n);
                xmlFreeNode(n);
            }
        }
        n = next;
    }
}

static int emit(struct turn *t, bool *final)
{
    struct session *s = t->s;
    bool ignore = ct_bug_on(&t->srv->cfg.bugs, CT_BUG_IGNORE_MAXMSGSIZE);
    size_t limit = s->peer_msg != 0 && !ignore ? s->peer_msg : SIZE_MAX / 4;
    /* What the reply already holds (header, statuses), measured rather than guessed: a guess
     * high enough for every case leaves no room for data under a small MaxMsgSize. */
    size_t used = ct_pack_used(t->rep);
    for (;;) {
        size_t budget = limit > used ? limit - used : 0;
        bool any = false, done = true;
        for (size_t i = 0; i < s->n_dbs; i++) {
            struct db_state *d = &s->dbs[i];
            if (!sends_sync(d) || (d->announced && ct_outq_done(&d->out)))
                continue;
            d->announced = true;
            bool progress = false;
            int rc = ct_pack_sync(t->rep, d->client_uri, d->addr, &d->out, &budget,
                                  s->enc && (s->keys.parts & CT_ENC_PART_DATA), &progress);
            if (rc != CT_OK)
                return rc;
            any = any || progress;
            done = done && ct_outq_done(&d->out);
        }
        if (done || any)
            *final = done;
        if (done || any)
            return CT_OK;
        /* Nothing fitted: the client's MaxMsgSize is below what one command needs. The empty
         * Syncs of this attempt go; the next attempt starts afresh. */
        if (ct_bug_on(&t->srv->cfg.bugs, CT_BUG_HANG_TINY_MSGSIZE))
            continue; /* the defect: try again, for ever */
        drop_empty_syncs(t->rep);
        for (size_t i = 0; i < s->n_dbs; i++)
            s->dbs[i].announced = false;
        /* Rather than stall, send one minimal chunk over the limit. */
        limit = used + 600 + 2 * CT_PACK_MIN_CHUNK;
    }
}

int srv_pkg4(struct turn *t, bool *final)
{
    struct session *s = t->s;
    bool req_final = ct_msg_body(t->req)->final;
    *final = true;
    switch (s->phase) {
    case PH_INIT:
        if (!req_final) {
            *final = false;
            return add_alert_222(t);
        }
        s->phase = PH_SYNC;
        return CT_OK;
    case PH_SYNC:
        if (!req_final) {
            *final = false;
            return add_alert_222(t);
        }
        for (size_t i = 0; i < s->n_dbs; i++) {
            int rc = plan_changes(t, &s->dbs[i]);
            if (rc != CT_OK)
                return rc;
        }
        s->phase = PH_SEND;
        /* The first message of Pkg#4 answers the last of Pkg#3. */
        __attribute__((fallthrough));
    case PH_SEND: {
        int rc = emit(t, final);
        if (rc == CT_OK && *final)
            s->phase = PH_MAP;
        return rc;
    }
    case PH_MAP:
        if (!req_final) {
            *final = false;
            return add_alert_222(t);
        }
        s->phase = PH_DONE;
        return srv_finish_session(t);
    case PH_DONE:
    default:
        return CT_OK;
    }
}

int srv_finish_session(struct turn *t)
{
    for (size_t i = 0; i < t->s->n_dbs; i++) {
        struct db_state *d = &t->s->dbs[i];
        int64_t rev = 0;
        int rc = ct_sstore_rev(t->srv->store, d->name, &rev);
        if (rc == CT_OK)
            rc = ct_sstore_anchor_set(t->srv->store, t->s->device, d->name, d->client_next, rev,
                                      d->server_next);
        if (rc != CT_OK)
            return rc;
    }
    return CT_OK;
}
