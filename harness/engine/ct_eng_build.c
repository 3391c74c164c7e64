/*
 * What conftest sends: a template, expanded and parsed, then the step's directives applied in
 * the order written (docs/SCENARIOS.md 4.2). Structure first (set, remove, add, auth,
 * statuses, the profile's EMI texts), then `encrypt` seals the fields, then mutations break
 * exactly the part they name: a field's IV, ciphertext or tag; the wrapped key; the encoded
 * bytes. CmdIDs are renumbered once, at `encrypt` or else before encoding, because the
 * associated data of an encrypted field binds its CmdID.
 */
#define _DEFAULT_SOURCE /* realpath */
#include "engine/ct_eng_int.h"

#include "base/ct_b64.h"
#include "crypto/ct_cipher.h"
#include "syncml/ct_auth.h"
#include "syncml/ct_build.h"
#include "syncml/ct_view.h"

#include <errno.h>
#include <libxml/parser.h>
#include <limits.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- templates ---- */

int ct_eng_find_template(const char *scn_file, const char *name, char *path, size_t size)
{
    if (strstr(name, "..") != NULL || name[0] == '/')
        return CT_ERR_USAGE;
    const char *ext = strlen(name) > 4 && strcmp(name + strlen(name) - 4, ".xml") == 0 ? "" : ".xml";
    char dir[PATH_MAX];
    if (realpath(scn_file, dir) == NULL)
        return CT_ERR_IO;
    struct stat st;
    for (int up = 0; up < 8; up++) {
        char *slash = strrchr(dir, '/');
        if (slash == NULL || slash == dir)
            break;
        *slash = '\0';
        snprintf(path, size, "%s/templates/%s%s", dir, name, ext);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
            return CT_OK;
    }
    return CT_ERR_IO;
}

static int find_template(struct eng *e, const char *name, char *path, size_t size)
{
    int rc = ct_eng_find_template(e->scn->file, name, path, size);
    if (rc == CT_ERR_USAGE)
        return eng_error(e, e->step->line, "template '%s': a plain name, found in templates/", name);
    if (rc != CT_OK)
        return eng_error(e, e->step->line, "template '%s' not found in a templates/ directory beside %s or above",
                         name, e->scn->file);
    return CT_OK;
}

static int load_template(struct eng *e, const char *name, struct ct_msg **m)
{
    char path[PATH_MAX + 256];
    int rc = find_template(e, name, path, sizeof(path));
    if (rc != CT_OK)
        return rc;
    struct ct_buf raw, text;
    ct_buf_init(&raw, 4 << 20);
    ct_buf_init(&text, 16 << 20);
    rc = ct_buf_read_file(&raw, path);
    if (rc == CT_OK)
        rc = ct_buf_append(&raw, "", 1);
    if (rc != CT_OK) {
        ct_buf_cleanup(&raw);
        return eng_error(e, e->step->line, "template %s: cannot read", path);
    }
    rc = eng_expand(e, (const char *)raw.data, true, &text, path, e->step->line);
    ct_buf_cleanup(&raw);
    struct ct_diag d = {0};
    if (rc == CT_OK && ct_msg_parse(m, text.data, text.len, CT_ENC_XML, NULL, &d) != CT_OK)
        rc = eng_error(e, e->step->line, "template %s: %s", path, d.text);
    ct_buf_cleanup(&text);
    return rc;
}

/* ---- structure ---- */

static void set_text(xmlNode *n, const char *text)
{
    while (n->children != NULL) {
        xmlNode *c = n->children;
        xmlUnlinkNode(c);
        xmlFreeNode(c);
    }
    xmlNodeAddContent(n, (const xmlChar *)text); /* raw text: libxml2 escapes it on output */
}

/* Apply fn to every element an XPath selects in m. */
static int for_each_match(struct eng *e, struct ct_msg *m, const struct ct_scn_dir *d, const char *expr,
                          int (*fn)(struct eng *, xmlNode *, const char *), const char *arg)
{
    struct eng_xpath x;
    int rc = eng_xpath_eval(e, ct_msg_doc(m), expr, d->line, &x);
    if (rc != CT_OK)
        return rc;
    size_t n = x.res->nodesetval != NULL ? (size_t)x.res->nodesetval->nodeNr : 0;
    if (n == 0) {
        eng_xpath_done(&x);
        return eng_error(e, d->line, "%s: '%s' selects nothing in the message", d->name, expr);
    }
    /* Map first, then change: removing one node must not disturb finding the next. */
    xmlNode **targets = calloc(n, sizeof(*targets));
    if (targets == NULL) {
        eng_xpath_done(&x);
        return CT_ERR_NOMEM;
    }
    for (size_t i = 0; i < n && rc == CT_OK; i++) {
        targets[i] = eng_xpath_map(ct_msg_doc(m), x.res->nodesetval->nodeTab[i]);
        if (targets[i] == NULL || targets[i]->type != XML_ELEMENT_NODE)
            rc = eng_error(e, d->line, "%s: '%s' selects something that is not an element", d->name, expr);
    }
    eng_xpath_done(&x);
    /* A node inside another selected one goes with it: apply to the outermost only (removing
     * the outer one first would leave the inner one freed). */
    for (size_t i = 0; i < n && rc == CT_OK; i++)
        for (size_t k = 0; k < n && targets[i] != NULL; k++)
            for (xmlNode *a = targets[k] != NULL && k != i ? targets[i]->parent : NULL; a != NULL; a = a->parent)
                if (a == targets[k]) {
                    targets[i] = NULL;
                    break;
                }
    for (size_t i = 0; i < n && rc == CT_OK; i++)
        if (targets[i] != NULL)
            rc = fn(e, targets[i], arg);
    free(targets);
    return rc;
}

static int do_set(struct eng *e, xmlNode *n, const char *text)
{
    (void)e;
    set_text(n, text);
    return CT_OK;
}

static int do_remove(struct eng *e, xmlNode *n, const char *unused)
{
    (void)unused;
    if (n->parent == NULL || n->parent->type == XML_DOCUMENT_NODE)
        return eng_error(e, e->step->line, "remove: the root element cannot be removed");
    xmlUnlinkNode(n);
    xmlFreeNode(n);
    return CT_OK;
}

static int do_add(struct eng *e, xmlNode *n, const char *fragment)
{
    xmlNode *list = NULL;
    if (xmlParseInNodeContext(n, fragment, (int)strlen(fragment), XML_PARSE_NONET, &list) != XML_ERR_OK)
        return eng_error(e, e->step->line, "add: '%s' is not a well-formed XML fragment", fragment);
    while (list != NULL) {
        xmlNode *next = list->next;
        xmlUnlinkNode(list);
        xmlAddChild(n, list);
        list = next;
    }
    return CT_OK;
}

static const char *arg_of(const struct ct_scn_dir *d, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i < d->n_args; i++)
        if (strncmp(d->args[i], key, kl) == 0 && d->args[i][kl] == '=')
            return d->args[i] + kl + 1;
    return NULL;
}

/* auth none|basic|md5|clear [user=] [password=] [nonce=B64|none] */
static int do_auth(struct eng *e, struct ct_msg *m, const struct ct_scn_dir *d)
{
    xmlNode *hdr = ct_msg_hdr_node(m);
    if (hdr == NULL)
        return eng_error(e, d->line, "auth: the message has no SyncHdr");
    for (xmlNode *c = hdr->children; c != NULL;) {
        xmlNode *next = c->next;
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "Cred") == 0) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
        c = next;
    }
    const char *scheme = d->args[0];
    enum ct_auth_type type = strcmp(scheme, "basic") == 0   ? CT_AUTH_BASIC
                             : strcmp(scheme, "md5") == 0   ? CT_AUTH_MD5
                             : strcmp(scheme, "clear") == 0 ? CT_AUTH_CLEAR
                             : strcmp(scheme, "none") == 0  ? CT_AUTH_NONE
                                                            : CT_AUTH_OTHER;
    if (type == CT_AUTH_OTHER)
        return eng_error(e, d->line, "auth: '%s' is none, basic, md5 or clear", scheme);
    if (type == CT_AUTH_NONE)
        return CT_OK;
    const char *user = arg_of(d, "user") != NULL ? arg_of(d, "user") : e->sut->user;
    const char *password = arg_of(d, "password") != NULL ? arg_of(d, "password") : e->sut->password;
    const uint8_t *nonce = e->nonce;
    size_t nonce_len = e->nonce_len;
    uint8_t *given = NULL;
    if (arg_of(d, "nonce") != NULL) {
        if (strcmp(arg_of(d, "nonce"), "none") == 0) {
            nonce_len = 0;
        } else if (ct_b64_decode(&given, &nonce_len, arg_of(d, "nonce")) != CT_OK) {
            return eng_error(e, d->line, "auth: nonce= is base64 or none");
        } else {
            nonce = given;
        }
    }
    xmlNode *cred = ct_auth_cred_add(hdr, type, user, password, nonce, nonce_len);
    free(given);
    if (cred == NULL)
        return CT_ERR_NOMEM;
    /* The credential text is a secret (basic is the password; md5 stands in for it). */
    for (xmlNode *c = cred->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "Data") == 0) {
            xmlChar *t = xmlNodeGetContent(c);
            eng_secret_add(e, (const char *)t);
            xmlFree(t);
        }
    return CT_OK;
}

/* The default status of a command answered by `statuses` (docs/SCENARIOS.md 4.2). */
static unsigned default_code(const char *cmd)
{
    return strcmp(cmd, "Add") == 0 ? 201 : 200;
}

static unsigned code_for(const struct ct_scn_dir *d, const char *cmd, bool *given)
{
    size_t cl = strlen(cmd);
    *given = false;
    for (size_t i = 0; i < d->n_args; i++)
        if (strncmp(d->args[i], cmd, cl) == 0 && d->args[i][cl] == '=') {
            *given = true;
            return (unsigned)strtoul(d->args[i] + cl + 1, NULL, 10);
        }
    return default_code(cmd);
}

static int status_for_cmd(struct eng *e, struct ct_msg *m, const struct ct_scn_dir *d, const char *msg_ref,
                          const struct ct_cmd *c, xmlNode **first)
{
    if (c->kind == CT_CMD_STATUS || c->cmd_id == NULL)
        return CT_OK;
    bool given;
    unsigned code = code_for(d, c->name, &given);
    const char *tref = c->kind == CT_CMD_SYNC ? c->target.uri : NULL;
    const char *sref = c->kind == CT_CMD_SYNC ? c->source.uri : NULL;
    if (c->n_items == 1) {
        tref = c->items[0].target.uri;
        sref = c->items[0].source.uri;
    }
    xmlNode *st = ct_build_status(m, msg_ref, c->cmd_id, c->name, tref, sref, code);
    if (st == NULL)
        return CT_ERR_NOMEM;
    /* An Alert's status echoes its Next anchor (DS 1.2: the receiver confirms it). */
    if (c->kind == CT_CMD_ALERT && c->n_items > 0 && c->items[0].meta.anchor_next != NULL) {
        xmlNode *item = ct_el_add(st, "Item", NULL);
        xmlNode *data = ct_el_add(item, "Data", NULL);
        xmlNode *anchor = ct_el_add_metinf(data, "Anchor", NULL);
        if (anchor == NULL || ct_el_add(anchor, "Next", c->items[0].meta.anchor_next) == NULL)
            return CT_ERR_NOMEM;
    }
    if (*first == NULL)
        *first = st;
    (void)e;
    return CT_OK;
}

static int status_tree(struct eng *e, struct ct_msg *m, const struct ct_scn_dir *d, const char *msg_ref,
                       const struct ct_cmd *cmds, size_t n, xmlNode **first)
{
    int rc = CT_OK;
    for (size_t i = 0; i < n && rc == CT_OK; i++) {
        rc = status_for_cmd(e, m, d, msg_ref, &cmds[i], first);
        if (rc == CT_OK && cmds[i].n_children > 0)
            rc = status_tree(e, m, d, msg_ref, cmds[i].children, cmds[i].n_children, first);
    }
    return rc;
}

/* statuses [CMD=CODE]... [hdr-only]: a Status for the SyncHdr and each command of the last message received,
 * before the template's own commands. */
static int do_statuses(struct eng *e, struct ct_msg *m, const struct ct_scn_dir *d)
{
    if (e->in == NULL)
        return eng_error(e, d->line, "statuses: nothing was received to answer");
    bool hdr_only = false;
    for (size_t i = 0; i < d->n_args; i++) {
        if (strcmp(d->args[i], "hdr-only") == 0)
            hdr_only = true; /* a refusal answers the SyncHdr alone (ENC-NEG-8) */
        else if (strchr(d->args[i], '=') == NULL)
            return eng_error(e, d->line, "statuses: '%s' is not CMD=CODE or hdr-only", d->args[i]);
    }
    const struct ct_hdr *h = ct_msg_hdr(e->in);
    const struct ct_body *b = ct_msg_body(e->in);
    const char *msg_ref = h->msg_id != NULL ? h->msg_id : "1";
    bool given;
    xmlNode *first = ct_build_status(m, msg_ref, "0", "SyncHdr", h->target.uri, h->source.uri,
                                     code_for(d, "SyncHdr", &given));
    if (first == NULL)
        return CT_ERR_NOMEM;
    int rc = hdr_only ? CT_OK : status_tree(e, m, d, msg_ref, b->cmds, b->n_cmds, &first);
    if (rc != CT_OK)
        return rc;
    /* ct_build_status appended them: move them, in order, before the template's commands. */
    xmlNode *body = ct_msg_body_node(m);
    xmlNode *anchor = NULL;
    for (xmlNode *c = body->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE) {
            anchor = c;
            break;
        }
    if (anchor != NULL && anchor != first) {
        xmlNode *c = first;
        while (c != NULL) {
            xmlNode *next = c->next;
            xmlUnlinkNode(c);
            xmlAddPrevSibling(anchor, c);
            c = next;
        }
    }
    return CT_OK;
}

/* chal basic|md5: a challenge in the Status of the SyncHdr this message carries (after
 * `statuses`), md5 with a fresh NextNonce -- which conftest then checks the client's next
 * credential against. */
static int do_chal(struct eng *e, struct ct_msg *m, const struct ct_scn_dir *d)
{
    xmlNode *body = ct_msg_body_node(m);
    for (xmlNode *st = body != NULL ? body->children : NULL; st != NULL; st = st->next) {
        if (st->type != XML_ELEMENT_NODE || strcmp((const char *)st->name, "Status") != 0)
            continue;
        bool hdr = false;
        for (xmlNode *c = st->children; c != NULL; c = c->next)
            if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "Cmd") == 0) {
                xmlChar *t = xmlNodeGetContent(c);
                hdr = t != NULL && strcmp((const char *)t, "SyncHdr") == 0;
                xmlFree(t);
            }
        if (!hdr)
            continue;
        uint8_t nonce[16];
        bool md5 = strcmp(d->args[0], "md5") == 0;
        if (md5 && ct_random(nonce, sizeof(nonce)) != CT_OK)
            return CT_ERR_INTERNAL;
        return ct_auth_chal_add(st, md5 ? CT_AUTH_MD5 : CT_AUTH_BASIC, md5 ? nonce : NULL, md5 ? sizeof(nonce) : 0) != NULL
                   ? CT_OK
                   : CT_ERR_NOMEM;
    }
    return eng_error(e, d->line, "chal: the message has no Status for the SyncHdr (put `statuses` before it)");
}

/* Number every CmdID 1, 2, ... in document order. */
static void renumber(struct ct_msg *m)
{
    unsigned no = 0;
    xmlNode *n = xmlDocGetRootElement(ct_msg_doc(m));
    while (n != NULL) {
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "CmdID") == 0) {
            char t[16];
            snprintf(t, sizeof(t), "%u", ++no);
            set_text(n, t);
        }
        if (n->children != NULL && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "CmdID") != 0) {
            n = n->children;
            continue;
        }
        while (n != NULL && n->next == NULL)
            n = n->parent;
        if (n != NULL)
            n = n->next;
    }
}

/* ---- mutations ---- */

static int hex_bytes(const char *hex, uint8_t *out, size_t max, size_t *n)
{
    size_t len = strlen(hex);
    if (len == 0 || len % 2 != 0 || len / 2 > max)
        return CT_ERR_PARSE;
    for (size_t i = 0; i < len / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return CT_ERR_PARSE;
        out[i] = (uint8_t)v;
    }
    *n = len / 2;
    return CT_OK;
}

/* A decimal size, nothing else (strtoul would take "-1" as a huge number). */
static int parse_size(const char *t, size_t *out)
{
    char *end = NULL;
    if (t[0] < '0' || t[0] > '9')
        return CT_ERR_PARSE;
    unsigned long long v = strtoull(t, &end, 10);
    if (*end != '\0' || v > (1ull << 30))
        return CT_ERR_PARSE;
    *out = (size_t)v;
    return CT_OK;
}

/* OP on buf[0..*len) within [lo, hi): xor HEX [at N] | truncate N | set HEX | append HEX. */
static int mutate_range(struct eng *e, const struct ct_scn_dir *d, size_t first_op, uint8_t *buf, size_t *len,
                        size_t cap, size_t lo, size_t hi)
{
    const char *op = d->args[first_op];
    uint8_t v[256];
    size_t vn = 0;
    if (strcmp(op, "truncate") == 0) {
        size_t cut = 0;
        if (d->n_args <= first_op + 1 || parse_size(d->args[first_op + 1], &cut) != CT_OK)
            return eng_error(e, d->line, "mutate: truncate N (bytes removed from the end of the part)");
        if (cut > hi - lo)
            return eng_error(e, d->line, "mutate: cannot truncate %zu bytes of a %zu-byte part", cut, hi - lo);
        memmove(buf + hi - cut, buf + hi, *len - hi);
        *len -= cut;
        return CT_OK;
    }
    if (d->n_args <= first_op + 1 || hex_bytes(d->args[first_op + 1], v, sizeof(v), &vn) != CT_OK)
        return eng_error(e, d->line, "mutate: %s needs hex bytes", op);
    if (strcmp(op, "xor") == 0) {
        size_t at = 0;
        if (d->n_args >= first_op + 4 && strcmp(d->args[first_op + 2], "at") == 0 &&
            parse_size(d->args[first_op + 3], &at) != CT_OK)
            return eng_error(e, d->line, "mutate: 'at %s' is not an offset", d->args[first_op + 3]);
        if (at > hi - lo || vn > hi - lo - at)
            return eng_error(e, d->line, "mutate: xor at %zu is outside the %zu-byte part", at, hi - lo);
        for (size_t i = 0; i < vn; i++)
            buf[lo + at + i] ^= v[i];
        return CT_OK;
    }
    if (strcmp(op, "set") == 0 || strcmp(op, "append") == 0) {
        size_t keep = strcmp(op, "set") == 0 ? 0 : hi - lo;
        size_t newlen = *len - (hi - lo) + keep + vn;
        if (newlen > cap)
            return eng_error(e, d->line, "mutate: the result would be too large");
        memmove(buf + lo + keep + vn, buf + hi, *len - hi);
        memcpy(buf + lo + keep, v, vn);
        *len = newlen;
        return CT_OK;
    }
    return eng_error(e, d->line, "mutate: '%s' is xor, truncate, set or append", op);
}

/* mutate field N iv|body|tag|all OP ...  |  mutate field N swap M  |  mutate field N text STRING */
static int mutate_field(struct eng *e, struct ct_msg *m, const struct ct_scn_dir *d)
{
    struct ct_enc_field *f = NULL;
    size_t n = 0;
    int rc = ct_enc_msg_fields(m, CT_ENC_PART_CRED | CT_ENC_PART_DEVINF | CT_ENC_PART_DATA, &f, &n);
    if (rc != CT_OK)
        return rc;
    /* Count only sealed fields: "field 2" is the second one that carries the marker. */
    size_t marked[64], nm = 0;
    for (size_t i = 0; i < n && nm < 64; i++)
        if (f[i].marked && f[i].data != NULL)
            marked[nm++] = i;
    unsigned long no = strtoul(d->args[1], NULL, 10);
    if (no == 0 || no > nm || d->n_args < 4) {
        free(f);
        return eng_error(e, d->line, "mutate field: field %s of %zu sealed fields (needs encrypt before, and an operation)",
                         d->args[1], nm);
    }
    xmlNode *data = f[marked[no - 1]].data;
    const char *part = d->args[2];
    if (strcmp(part, "swap") == 0) {
        unsigned long other = strtoul(d->args[3], NULL, 10);
        if (other == 0 || other > nm || other == no) {
            free(f);
            return eng_error(e, d->line, "mutate field: swap with another sealed field (1..%zu)", nm);
        }
        xmlNode *od = f[marked[other - 1]].data;
        xmlChar *a = xmlNodeGetContent(data), *b = xmlNodeGetContent(od);
        set_text(data, (const char *)b);
        set_text(od, (const char *)a);
        xmlFree(a);
        xmlFree(b);
        free(f);
        return CT_OK;
    }
    if (strcmp(part, "text") == 0) {
        set_text(data, d->args[3]);
        free(f);
        return CT_OK;
    }
    xmlChar *text = xmlNodeGetContent(data);
    uint8_t *ef = NULL;
    size_t len = 0;
    rc = ct_b64_decode(&ef, &len, (const char *)text);
    xmlFree(text);
    struct ct_enc_ef parts;
    if (rc != CT_OK || ct_enc_ef_split(ef, len, &parts) != CT_OK) {
        free(ef);
        free(f);
        return eng_error(e, d->line, "mutate field: field %lu is not an EF", no);
    }
    size_t lo, hi;
    if (strcmp(part, "iv") == 0) {
        lo = (size_t)(parts.iv - ef);
        hi = lo + parts.iv_len;
    } else if (strcmp(part, "body") == 0) {
        lo = (size_t)(parts.ct - ef);
        hi = lo + parts.ct_len;
    } else if (strcmp(part, "tag") == 0) {
        lo = (size_t)(parts.tag - ef);
        hi = lo + parts.tag_len;
    } else if (strcmp(part, "header") == 0) {
        lo = 0;
        hi = CT_ENC_EF_HEADER_LEN;
    } else if (strcmp(part, "all") == 0) {
        lo = 0;
        hi = len;
    } else {
        free(ef);
        free(f);
        return eng_error(e, d->line, "mutate field: part '%s' is header, iv, body, tag, all, swap or text", part);
    }
    size_t cap = len + 256;
    uint8_t *buf = malloc(cap);
    if (buf == NULL) {
        free(ef);
        free(f);
        return CT_ERR_NOMEM;
    }
    memcpy(buf, ef, len);
    free(ef);
    rc = mutate_range(e, d, 3, buf, &len, cap, lo, hi);
    if (rc == CT_OK) {
        char *b64 = ct_b64_encode_alloc(buf, len);
        if (b64 == NULL)
            rc = CT_ERR_NOMEM;
        else
            set_text(data, b64);
        free(b64);
    }
    free(buf);
    free(f);
    return rc;
}

/* ---- the build ---- */

static bool is_structural(const char *name)
{
    return strcmp(name, "set") == 0 || strcmp(name, "remove") == 0 || strcmp(name, "add") == 0 ||
           strcmp(name, "auth") == 0 || strcmp(name, "statuses") == 0 || strcmp(name, "offer") == 0 ||
           strcmp(name, "select") == 0 || strcmp(name, "caps") == 0 || strcmp(name, "chal") == 0;
}

/* A directive with its arguments expanded (offer text= is expanded by the offer itself). */
static int expand_dir(struct eng *e, const struct ct_scn_dir *d, struct ct_scn_dir *out, char **store, size_t max)
{
    *out = *d;
    out->args = store;
    for (size_t i = 0; i < d->n_args && i < max; i++) {
        if (strcmp(d->name, "offer") == 0 && strncmp(d->args[i], "text=", 5) == 0) {
            store[i] = strdup(d->args[i]);
        } else {
            struct ct_buf b;
            ct_buf_init(&b, ENG_REPEAT_MAX + ENG_VAR_MAX);
            if (eng_expand(e, d->args[i], false, &b, d->name, d->line) != CT_OK) {
                ct_buf_cleanup(&b);
                for (size_t k = 0; k < i; k++)
                    free(store[k]);
                return CT_ERR_USAGE;
            }
            ct_buf_append(&b, "", 1);
            store[i] = (char *)ct_buf_steal(&b, NULL);
        }
        if (store[i] == NULL) {
            for (size_t k = 0; k < i; k++)
                free(store[k]);
            return CT_ERR_NOMEM;
        }
    }
    return CT_OK;
}

int eng_build(struct eng *e, const struct ct_scn_step *st, struct ct_buf *out, char *content_type, size_t ct_size)
{
    char msgid[16];
    snprintf(msgid, sizeof(msgid), "%u", e->msg_id + 1);
    int rc = eng_var_set(e, "msgid", msgid);
    struct ct_msg *m = NULL;
    if (rc == CT_OK)
        rc = load_template(e, st->args[0], &m);
    if (rc != CT_OK)
        return rc;
    const char *enc_param = ct_scn_param(e->scn, "encoding");
    enum ct_enc enc = enc_param != NULL ? (strcmp(enc_param, "wbxml") == 0 ? CT_ENC_WBXML : CT_ENC_XML)
                                        : e->sut->encoding;
    const char *ctype_override = NULL;
    bool numbered = false;
    const struct ct_scn_dir *byte_mutations[32];
    char *byte_store[32][CT_SCN_MAX_TOKENS];
    struct ct_scn_dir byte_dirs[32];
    size_t n_byte = 0;
    for (size_t i = 0; i < st->n_dirs && rc == CT_OK; i++) {
        char *store[CT_SCN_MAX_TOKENS];
        struct ct_scn_dir dd;
        rc = expand_dir(e, &st->dirs[i], &dd, store, CT_SCN_MAX_TOKENS);
        if (rc != CT_OK)
            break;
        const struct ct_scn_dir *d = &dd;
        bool keep_args = false;
        if (is_structural(d->name) && numbered && strcmp(d->name, "set") != 0)
            eng_record_note(e, "line %u: %s after encrypt: CmdIDs are not renumbered again", d->line, d->name);
        if (strcmp(d->name, "set") == 0) {
            rc = for_each_match(e, m, d, d->args[0], do_set, d->args[1]);
        } else if (strcmp(d->name, "remove") == 0) {
            rc = for_each_match(e, m, d, d->args[0], do_remove, NULL);
        } else if (strcmp(d->name, "add") == 0) {
            rc = for_each_match(e, m, d, d->args[0], do_add, d->args[1]);
        } else if (strcmp(d->name, "auth") == 0) {
            rc = do_auth(e, m, d);
        } else if (strcmp(d->name, "statuses") == 0) {
            rc = do_statuses(e, m, d);
        } else if (strcmp(d->name, "offer") == 0) {
            rc = ct_msg_reindex(m);
            if (rc == CT_OK)
                rc = eng_crypto_offer(e, m, d);
        } else if (strcmp(d->name, "select") == 0) {
            rc = eng_crypto_select(e, m, d);
        } else if (strcmp(d->name, "caps") == 0) {
            rc = eng_crypto_caps(e, m, d);
        } else if (strcmp(d->name, "encrypt") == 0) {
            if (!e->crypto.keyed) {
                rc = eng_error(e, d->line, "encrypt: no session keys (%s)",
                               e->role == CT_SCN_ROLE_SERVER ? "no usable offer made in this session"
                                                             : "no offer from the client accepted");
            } else {
                if (!numbered)
                    renumber(m);
                numbered = true;
                struct ct_diag dg = {0};
                rc = ct_msg_reindex(m);
                size_t bad_pad = arg_of(d, "bad-padding") != NULL ? strtoul(arg_of(d, "bad-padding"), NULL, 10) : 0;
                if (arg_of(d, "ignore-limit") != NULL) {
                    /* A lever (ENC-ALG-4): conftest seals past its own 3DES budget, to see the
                     * receiver enforce its own. */
                    struct ct_enc_dirkeys *k = &e->crypto.keys.dir[e->role == CT_SCN_ROLE_SERVER ? CT_ENC_C2S : CT_ENC_S2C];
                    k->blocks = 0;
                    k->exhausted = false;
                }
                int src = rc == CT_OK ? ct_enc_msg_seal_ex(&e->crypto.keys, m,
                                                           e->role == CT_SCN_ROLE_SERVER ? CT_ENC_C2S : CT_ENC_S2C,
                                                           bad_pad, &dg)
                                      : rc;
                if (src == CT_ERR_UNSUPPORTED)
                    rc = eng_error(e, d->line, "encrypt bad-padding=: the algorithm in force is not a CBC mode");
                else if (src != CT_OK && rc == CT_OK)
                    rc = eng_error(e, d->line, "encrypt: %s", dg.code != CT_OK ? dg.text : ct_strerror(src));
            }
        } else if (strcmp(d->name, "mutate") == 0) {
            const char *what = d->args[0];
            if (strcmp(what, "field") == 0) {
                rc = ct_msg_reindex(m);
                if (rc == CT_OK)
                    rc = mutate_field(e, m, d);
            } else if (strcmp(what, "key") == 0) {
                rc = eng_crypto_mutate_key(e, m, d);
            } else if (strcmp(what, "bytes") == 0) {
                if (n_byte == 32) {
                    rc = eng_error(e, d->line, "more than 32 byte mutations");
                } else {
                    byte_dirs[n_byte] = dd;
                    memcpy(byte_store[n_byte], store, sizeof(char *) * d->n_args);
                    byte_dirs[n_byte].args = byte_store[n_byte];
                    byte_mutations[n_byte] = &byte_dirs[n_byte];
                    n_byte++;
                    keep_args = true;
                }
            } else {
                rc = eng_error(e, d->line, "mutate: '%s' is field, key or bytes", what);
            }
        } else if (strcmp(d->name, "encoding") == 0) {
            if (strcmp(d->args[0], "xml") == 0)
                enc = CT_ENC_XML;
            else if (strcmp(d->args[0], "wbxml") == 0)
                enc = CT_ENC_WBXML;
            else
                rc = eng_error(e, d->line, "encoding: xml or wbxml");
        } else if (strcmp(d->name, "chal") == 0) {
            rc = ct_msg_reindex(m);
            if (rc == CT_OK)
                rc = do_chal(e, m, d);
        } else if (strcmp(d->name, "content-type") == 0) {
            ctype_override = st->dirs[i].args[0];
        }
        if (!keep_args)
            for (size_t k = 0; k < d->n_args; k++)
                free(store[k]);
        if (rc == CT_OK && is_structural(st->dirs[i].name))
            rc = ct_msg_reindex(m);
    }
    if (rc == CT_OK && !numbered)
        renumber(m);
    struct ct_diag dg = {0};
    struct ct_ser_opts so = {.enc = enc};
    if (rc == CT_OK && ct_msg_serialize(m, &so, out, &dg) != CT_OK)
        rc = eng_error(e, st->line, "the message cannot be encoded: %s", dg.text);
    for (size_t i = 0; i < n_byte; i++) {
        const struct ct_scn_dir *d = byte_mutations[i];
        if (rc == CT_OK) {
            if (d->n_args < 3) {
                rc = eng_error(e, d->line, "mutate bytes OP ...");
            } else {
                size_t cap = out->len + 256, len = out->len;
                uint8_t *buf = malloc(cap);
                if (buf == NULL) {
                    rc = CT_ERR_NOMEM;
                } else {
                    memcpy(buf, out->data, len);
                    rc = mutate_range(e, d, 1, buf, &len, cap, 0, len);
                    if (rc == CT_OK) {
                        ct_buf_reset(out);
                        rc = ct_buf_append(out, buf, len);
                    }
                    free(buf);
                }
            }
        }
        for (size_t k = 0; k < d->n_args; k++)
            free(d->args[k]);
    }
    snprintf(content_type, ct_size, "%s", ctype_override != NULL ? ctype_override : ct_enc_content_type(enc));
    ct_msg_free(m);
    if (rc == CT_OK)
        e->msg_id++;
    return rc;
}
