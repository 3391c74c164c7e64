#include "crypto/ct_enc_msg.h"

#include "crypto/ct_enc_nego.h"

#include "syncml/ct_build.h"
#include "syncml/ct_view.h"

#include <libxml/xmlsave.h>
#include <stdlib.h>
#include <string.h>

/* Local tree helpers (the syncml module's are private to it). */
static bool is_el(const xmlNode *n, const char *name)
{
    return n != NULL && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNode *child(const xmlNode *parent, const char *name)
{
    for (xmlNode *c = parent != NULL ? parent->children : NULL; c != NULL; c = c->next)
        if (is_el(c, name))
            return c;
    return NULL;
}

/* The text of a leaf element (no markup), or NULL when it is absent. Caller frees. */
static char *text_of(const xmlNode *el)
{
    return el != NULL ? (char *)xmlNodeGetContent(el) : NULL;
}

const char *ct_enc_msg_find_emi(const xmlNode *meta)
{
    for (const xmlNode *c = meta != NULL ? meta->children : NULL; c != NULL; c = c->next) {
        if (!is_el(c, "EMI"))
            continue;
        const xmlNode *t = c->children;
        if (t != NULL && t->type == XML_TEXT_NODE && ct_enc_is_profile_text((const char *)t->content))
            return (const char *)t->content;
    }
    return NULL;
}

/* The marker EMI in a holder's Meta, or NULL. */
static xmlNode *marker_of(const xmlNode *holder)
{
    for (xmlNode *c = child(child(holder, "Meta"), "EMI") ; c != NULL; c = c->next) {
        if (!is_el(c, "EMI"))
            continue;
        if (c->children != NULL && c->children->type == XML_TEXT_NODE &&
            strcmp((const char *)c->children->content, CT_ENC_MARKER) == 0)
            return c;
    }
    return NULL;
}

static bool is_devinf_type(const xmlNode *meta)
{
    char *type = text_of(child(meta, "Type"));
    bool yes = type != NULL && strncmp(type, "application/vnd.syncml-devinf", 29) == 0;
    xmlFree(type);
    return yes;
}

struct field_list {
    struct ct_enc_field *v;
    size_t n, cap;
};

static int add_field(struct field_list *l, unsigned part, xmlNode *cmd, xmlNode *holder)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct ct_enc_field *v = realloc(l->v, cap * sizeof(*v));
        if (v == NULL)
            return CT_ERR_NOMEM;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = (struct ct_enc_field){
        .part = part, .cmd = cmd, .holder = holder, .data = child(holder, "Data"),
        .marked = marker_of(holder) != NULL,
    };
    return CT_OK;
}

/* Add and Replace items anywhere below n (Sync, Atomic, Sequence -- and misplaced ones). */
static int collect_data(struct field_list *l, xmlNode *n, unsigned depth)
{
    int rc = CT_OK;
    for (xmlNode *c = n->children; c != NULL && rc == CT_OK; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (is_el(c, "Add") || is_el(c, "Replace")) {
            for (xmlNode *it = c->children; it != NULL && rc == CT_OK; it = it->next)
                if (is_el(it, "Item"))
                    rc = add_field(l, CT_ENC_PART_DATA, c, it);
        } else if ((is_el(c, "Sync") || is_el(c, "Atomic") || is_el(c, "Sequence")) && depth < 64) {
            rc = collect_data(l, c, depth + 1);
        }
    }
    return rc;
}

int ct_enc_msg_fields(struct ct_msg *m, unsigned parts, struct ct_enc_field **out, size_t *n)
{
    struct field_list l = {0};
    xmlNode *root = xmlDocGetRootElement(ct_msg_doc(m));
    xmlNode *hdr = child(root, "SyncHdr"), *body = child(root, "SyncBody");
    int rc = CT_OK;
    xmlNode *cred = child(hdr, "Cred");
    if ((parts & CT_ENC_PART_CRED) && cred != NULL)
        rc = add_field(&l, CT_ENC_PART_CRED, hdr, cred);
    if ((parts & CT_ENC_PART_DEVINF) && body != NULL) {
        for (xmlNode *c = body->children; c != NULL && rc == CT_OK; c = c->next) {
            if (!is_el(c, "Put") && !is_el(c, "Results"))
                continue;
            bool cmd_devinf = is_devinf_type(child(c, "Meta"));
            for (xmlNode *it = c->children; it != NULL && rc == CT_OK; it = it->next)
                if (is_el(it, "Item") && (cmd_devinf || is_devinf_type(child(it, "Meta"))))
                    rc = add_field(&l, CT_ENC_PART_DEVINF, c, it);
        }
    }
    if ((parts & CT_ENC_PART_DATA) && body != NULL && rc == CT_OK)
        rc = collect_data(&l, body, 0);
    if (rc != CT_OK) {
        free(l.v);
        return rc;
    }
    *out = l.v;
    *n = l.n;
    return CT_OK;
}

/* The associated data of a field, from the message around it (PROFILE 7.3). */
struct field_ctx {
    char *sid, *msg_id, *cmd_id, *db, *loc;
};

static void ctx_free(struct field_ctx *c)
{
    xmlFree(c->sid);
    xmlFree(c->msg_id);
    xmlFree(c->cmd_id);
    xmlFree(c->db);
    xmlFree(c->loc);
    memset(c, 0, sizeof(*c));
}

static void ctx_of(struct ct_msg *m, const struct ct_enc_field *f, struct field_ctx *c)
{
    xmlNode *hdr = child(xmlDocGetRootElement(ct_msg_doc(m)), "SyncHdr");
    c->sid = text_of(child(hdr, "SessionID"));
    c->msg_id = text_of(child(hdr, "MsgID"));
    if (f->part == CT_ENC_PART_CRED) {
        c->cmd_id = (char *)xmlStrdup((const xmlChar *)"0");
        c->loc = text_of(child(child(hdr, "Source"), "LocURI"));
        return;
    }
    c->cmd_id = text_of(child(f->cmd, "CmdID"));
    xmlNode *loc = child(child(f->holder, "Source"), "LocURI");
    if (loc == NULL)
        loc = child(child(f->holder, "Target"), "LocURI");
    c->loc = text_of(loc);
    if (f->part == CT_ENC_PART_DATA) {
        /* The enclosing Sync, through any Atomic or Sequence. */
        const xmlNode *p = f->cmd->parent;
        while (p != NULL && !is_el(p, "Sync") && !is_el(p, "SyncBody"))
            p = p->parent;
        if (is_el(p, "Sync"))
            c->db = text_of(child(child(p, "Target"), "LocURI"));
    }
}

static struct ct_enc_aad aad_of(const struct field_ctx *c, enum ct_enc_dir dir, unsigned part)
{
    return (struct ct_enc_aad){.dir = dir, .part = part, .session_id = c->sid, .msg_id = c->msg_id,
                               .cmd_id = c->cmd_id, .db = c->db, .loc_uri = c->loc};
}

/* Replace an element's content by raw text (xmlNodeSetContent would parse entities). */
static void set_text(xmlNode *el, const char *text, size_t len)
{
    xmlNodeSetContent(el, NULL);
    xmlNodeAddContentLen(el, (const xmlChar *)text, (int)len);
}

/* The plaintext of a field: its Data text, or the XML of the element it holds (DevInf). */
static int plaintext_of(const xmlNode *data, struct ct_buf *out)
{
    const xmlNode *el = NULL;
    for (const xmlNode *c = data->children; c != NULL && el == NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            el = c;
    if (el == NULL) {
        char *t = text_of(data);
        int rc = ct_buf_append_str(out, t != NULL ? t : "");
        xmlFree(t);
        return rc;
    }
    return ct_xml_dump(el, false, out);
}

/* Put the marker EMI into the holder's Meta, creating the Meta where the DTD wants it. */
static int add_marker(xmlNode *holder)
{
    xmlNode *meta = child(holder, "Meta");
    if (meta == NULL) {
        meta = xmlNewNode(holder->ns, (const xmlChar *)"Meta");
        if (meta == NULL)
            return CT_ERR_NOMEM;
        /* Item: Target?, Source?, SourceParent?, TargetParent?, Meta?, Data?; Cred: Meta?, Data. */
        xmlNode *before = child(holder, "Data");
        if ((before != NULL ? xmlAddPrevSibling(before, meta) : xmlAddChild(holder, meta)) == NULL) {
            xmlFreeNode(meta);
            return CT_ERR_NOMEM;
        }
    }
    return ct_el_add_metinf(meta, "EMI", CT_ENC_MARKER) != NULL ? CT_OK : CT_ERR_NOMEM;
}

int ct_enc_msg_seal(struct ct_enc_session *s, struct ct_msg *m, enum ct_enc_dir dir,
                    struct ct_diag *diag)
{
    return ct_enc_msg_seal_ex(s, m, dir, 0, diag);
}

int ct_enc_msg_seal_ex(struct ct_enc_session *s, struct ct_msg *m, enum ct_enc_dir dir,
                       size_t bad_padding_field, struct ct_diag *diag)
{
    size_t sealed = 0;
    struct ct_enc_field *fields = NULL;
    size_t n = 0;
    int rc = ct_enc_msg_fields(m, s->parts, &fields, &n);
    for (size_t i = 0; rc == CT_OK && i < n; i++) {
        struct ct_enc_field *f = &fields[i];
        if (f->marked || f->data == NULL)
            continue;
        struct ct_buf pt, ct;
        ct_buf_init(&pt, 0);
        ct_buf_init(&ct, 0);
        struct field_ctx c = {0};
        ctx_of(m, f, &c);
        struct ct_enc_aad a = aad_of(&c, dir, f->part);
        rc = plaintext_of(f->data, &pt);
        if (rc == CT_OK && ++sealed == bad_padding_field)
            rc = ct_enc_seal_bad_padding(s, &a, pt.data, pt.len, &ct);
        else if (rc == CT_OK)
            rc = ct_enc_seal(s, &a, pt.data, pt.len, &ct);
        if (rc == CT_OK) {
            set_text(f->data, (const char *)ct.data, ct.len);
            rc = add_marker(f->holder);
        }
        if (rc == CT_OK && f->part == CT_ENC_PART_DEVINF) {
            /* Encrypted DevInf is the XML form, whatever the encoding (ENC-FLD-3). */
            xmlNode *types[2] = {child(child(f->holder, "Meta"), "Type"), child(child(f->cmd, "Meta"), "Type")};
            for (int t = 0; t < 2; t++)
                if (types[t] != NULL)
                    set_text(types[t], "application/vnd.syncml-devinf+xml", 33);
        }
        if (rc == CT_ERR_CRYPTO_LIMIT)
            ct_diag_set(diag, rc, "the %s key's data limit is reached", ct_enc_dir_name(dir));
        ct_wipe(pt.data, pt.len);
        ct_buf_cleanup(&pt);
        ct_buf_cleanup(&ct);
        ctx_free(&c);
    }
    free(fields);
    int rx = ct_msg_reindex(m);
    return rc != CT_OK ? rc : rx;
}

static bool is_text(const uint8_t *p, size_t n)
{
    return p != NULL && memchr(p, 0, n) == NULL && xmlCheckUTF8(p) != 0;
}

int ct_enc_msg_open(struct ct_enc_session *s, struct ct_msg *m, enum ct_enc_dir dir,
                    struct ct_enc_outcome **out, size_t *n_out)
{
    struct ct_enc_field *fields = NULL;
    size_t n = 0;
    *out = NULL;
    *n_out = 0;
    int rc = ct_enc_msg_fields(m, CT_ENC_PART_CRED | CT_ENC_PART_DEVINF | CT_ENC_PART_DATA, &fields, &n);
    struct ct_enc_outcome *res = rc == CT_OK && n > 0 ? calloc(n, sizeof(*res)) : NULL;
    if (rc == CT_OK && n > 0 && res == NULL)
        rc = CT_ERR_NOMEM;
    size_t k = 0;
    bool changed = false; /* the view is rebuilt only if a field was opened */
    for (size_t i = 0; rc == CT_OK && i < n; i++) {
        struct ct_enc_field *f = &fields[i];
        bool in_force = s != NULL && (s->parts & f->part);
        if (!f->marked) {
            /* Clear where the part is encrypted: refused (ENC-FLD-1). */
            if (in_force && f->data != NULL)
                res[k++] = (struct ct_enc_outcome){f->part, f->cmd, f->holder, false, CT_ERR_PROTO};
            continue;
        }
        if (!in_force || f->data == NULL) {
            res[k++] = (struct ct_enc_outcome){f->part, f->cmd, f->holder, true, CT_ERR_PROTO};
            continue;
        }
        struct field_ctx c = {0};
        ctx_of(m, f, &c);
        struct ct_enc_aad a = aad_of(&c, dir, f->part);
        char *b64 = text_of(f->data);
        struct ct_buf pt;
        ct_buf_init(&pt, 0);
        int frc = ct_enc_open(s, &a, b64, &pt);
        if (frc == CT_ERR_NOMEM)
            rc = frc;
        /* A plaintext that is not text cannot have been a Data text: a broken field. */
        if (frc == CT_OK && !is_text(pt.data, pt.len))
            frc = CT_ERR_CRYPTO;
        if (frc == CT_OK) {
            changed = true;
            set_text(f->data, (const char *)pt.data, pt.len);
            xmlNode *marker = marker_of(f->holder);
            xmlUnlinkNode(marker);
            xmlFreeNode(marker);
        }
        res[k++] = (struct ct_enc_outcome){f->part, f->cmd, f->holder, true, frc};
        ct_wipe(pt.data, pt.len);
        ct_buf_cleanup(&pt);
        xmlFree(b64);
        ctx_free(&c);
    }
    free(fields);
    int rx = changed ? ct_msg_reindex(m) : CT_OK;
    if (rc != CT_OK) {
        free(res);
        return rc;
    }
    *out = res;
    *n_out = k;
    return rx;
}
