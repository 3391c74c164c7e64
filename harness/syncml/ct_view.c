/*
 * Building the typed view of a message from its tree. Everything allocated here lives in the
 * message's arena and is released with it.
 */
#include "syncml/ct_msg_int.h"

#include <errno.h>
#include <string.h>

static const char *const cmd_names[] = {
    [CT_CMD_UNKNOWN] = "?",      [CT_CMD_ADD] = "Add",         [CT_CMD_ALERT] = "Alert",
    [CT_CMD_ATOMIC] = "Atomic",  [CT_CMD_COPY] = "Copy",       [CT_CMD_DELETE] = "Delete",
    [CT_CMD_EXEC] = "Exec",      [CT_CMD_GET] = "Get",         [CT_CMD_MAP] = "Map",
    [CT_CMD_MOVE] = "Move",      [CT_CMD_PUT] = "Put",         [CT_CMD_REPLACE] = "Replace",
    [CT_CMD_RESULTS] = "Results", [CT_CMD_SEARCH] = "Search",  [CT_CMD_SEQUENCE] = "Sequence",
    [CT_CMD_STATUS] = "Status",  [CT_CMD_SYNC] = "Sync",
};

#define N_CMD_KINDS (sizeof(cmd_names) / sizeof(cmd_names[0]))

const char *ct_cmd_kind_name(enum ct_cmd_kind kind)
{
    return (size_t)kind < N_CMD_KINDS ? cmd_names[kind] : "?";
}

enum ct_cmd_kind ct_cmd_kind_of(const char *name)
{
    for (size_t k = 1; k < N_CMD_KINDS; k++)
        if (cmd_names[k][0] == name[0] && strcmp(cmd_names[k], name) == 0)
            return (enum ct_cmd_kind)k;
    return CT_CMD_UNKNOWN;
}

int ct_uint_parse(const char *text, uint64_t *out)
{
    if (text == NULL || *text < '0' || *text > '9')
        return CT_ERR_PARSE;
    uint64_t v = 0;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return CT_ERR_PARSE;
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return CT_ERR_PARSE;
        v = v * 10 + d;
    }
    *out = v;
    return CT_OK;
}

/* ---- the builder ---- */

struct ix {
    struct ct_arena *arena;
    int rc; /* the first allocation failure; once set, the view is abandoned */
};

static bool has_element_child(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return true;
    return false;
}

/*
 * The text of an element: its character content, NULL if it holds elements. A single text
 * child (the common case, since parsing merges CDATA and drops blanks) is used in place.
 */
static const char *text_of(struct ix *x, const xmlNode *el)
{
    if (el == NULL)
        return NULL;
    const xmlNode *c = el->children;
    if (c == NULL)
        return "";
    if (c->next == NULL && (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE))
        return (const char *)c->content;
    if (has_element_child(el))
        return NULL;
    /* Several text pieces (around comments, say): join them. Entity references were refused
     * at parse time, so only text is concatenated here. */
    size_t n = 0;
    for (c = el->children; c != NULL; c = c->next)
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
            n += strlen((const char *)c->content);
    char *s = ct_arena_alloc(x->arena, n + 1);
    if (s == NULL) {
        x->rc = CT_ERR_NOMEM;
        return NULL;
    }
    size_t at = 0;
    for (c = el->children; c != NULL; c = c->next) {
        if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE)
            continue;
        size_t len = strlen((const char *)c->content);
        memcpy(s + at, c->content, len);
        at += len;
    }
    s[at] = '\0';
    return s;
}

static const char *child_text(struct ix *x, const xmlNode *parent, const char *name)
{
    return text_of(x, ct_xml_child(parent, name));
}

static size_t count_children(const xmlNode *parent, const char *name)
{
    size_t n = 0;
    for (const xmlNode *c = parent != NULL ? parent->children : NULL; c != NULL; c = c->next)
        if (name == NULL ? c->type == XML_ELEMENT_NODE : ct_xml_is(c, name))
            n++;
    return n;
}

/* Every child named `name`, as text, in order. */
static const char **all_texts(struct ix *x, const xmlNode *parent, const char *name, size_t *n_out)
{
    size_t n = count_children(parent, name);
    *n_out = 0;
    if (n == 0)
        return NULL;
    const char **v = ct_arena_calloc(x->arena, n, sizeof(*v));
    if (v == NULL) {
        x->rc = CT_ERR_NOMEM;
        return NULL;
    }
    for (const xmlNode *c = parent->children; c != NULL; c = c->next)
        if (ct_xml_is(c, name))
            v[(*n_out)++] = text_of(x, c);
    return v;
}

static void read_locus(struct ix *x, const xmlNode *el, struct ct_locus *out)
{
    out->node = el;
    out->uri = child_text(x, el, "LocURI");
    out->name = child_text(x, el, "LocName");
}

static void read_meta(struct ix *x, const xmlNode *el, struct ct_meta *out)
{
    out->node = el;
    if (el == NULL)
        return;
    /* MetInf fields sometimes arrive wrapped in <MetInf>; look inside it too. */
    const xmlNode *inner = ct_xml_child(el, "MetInf");
    const xmlNode *src = inner != NULL ? inner : el;
    out->type = child_text(x, src, "Type");
    out->format = child_text(x, src, "Format");
    out->mark = child_text(x, src, "Mark");
    out->size = child_text(x, src, "Size");
    out->version = child_text(x, src, "Version");
    out->next_nonce = child_text(x, src, "NextNonce");
    out->max_msg_size = child_text(x, src, "MaxMsgSize");
    out->max_obj_size = child_text(x, src, "MaxObjSize");
    const xmlNode *mem = ct_xml_child(src, "Mem");
    out->free_mem = child_text(x, mem, "FreeMem");
    out->free_id = child_text(x, mem, "FreeID");
    const xmlNode *anchor = ct_xml_child(src, "Anchor");
    out->anchor_last = child_text(x, anchor, "Last");
    out->anchor_next = child_text(x, anchor, "Next");
    out->emi = all_texts(x, src, "EMI", &out->n_emi);
}

static void read_cred(struct ix *x, const xmlNode *el, struct ct_cred *out)
{
    out->node = el;
    if (el == NULL)
        return;
    read_meta(x, ct_xml_child(el, "Meta"), &out->meta);
    out->data = child_text(x, el, "Data");
}

static void read_item(struct ix *x, const xmlNode *el, struct ct_item *out)
{
    out->node = el;
    read_locus(x, ct_xml_child(el, "Target"), &out->target);
    read_locus(x, ct_xml_child(el, "Source"), &out->source);
    read_locus(x, ct_xml_child(el, "SourceParent"), &out->source_parent);
    read_locus(x, ct_xml_child(el, "TargetParent"), &out->target_parent);
    read_meta(x, ct_xml_child(el, "Meta"), &out->meta);
    out->data_node = ct_xml_child(el, "Data");
    out->data = text_of(x, out->data_node);
    out->more_data = ct_xml_child(el, "MoreData") != NULL;
}

static void read_items(struct ix *x, const xmlNode *el, const char *item_name, struct ct_cmd *out)
{
    size_t n = count_children(el, item_name);
    if (n == 0)
        return;
    out->items = ct_arena_calloc(x->arena, n, sizeof(*out->items));
    if (out->items == NULL) {
        x->rc = CT_ERR_NOMEM;
        return;
    }
    for (const xmlNode *c = el->children; c != NULL; c = c->next)
        if (ct_xml_is(c, item_name))
            read_item(x, c, &out->items[out->n_items++]);
}

/* Elements that are part of a command rather than commands nested in it. */
static bool is_cmd_child(const xmlNode *c)
{
    return c->type == XML_ELEMENT_NODE && ct_cmd_kind_of((const char *)c->name) != CT_CMD_UNKNOWN;
}

static void read_cmds(struct ix *x, const xmlNode *parent, bool body, struct ct_cmd **out,
                      size_t *n_out);

static void read_cmd(struct ix *x, const xmlNode *el, struct ct_cmd *out)
{
    out->node = el;
    out->name = (const char *)el->name;
    out->kind = ct_cmd_kind_of(out->name);
    if (out->kind == CT_CMD_UNKNOWN)
        return;
    out->cmd_id = child_text(x, el, "CmdID");
    out->no_resp = ct_xml_child(el, "NoResp") != NULL;
    read_cred(x, ct_xml_child(el, "Cred"), &out->cred);
    read_meta(x, ct_xml_child(el, "Meta"), &out->meta);
    read_locus(x, ct_xml_child(el, "Target"), &out->target);
    read_locus(x, ct_xml_child(el, "Source"), &out->source);
    out->data = child_text(x, el, "Data");
    out->lang = child_text(x, el, "Lang");

    switch (out->kind) {
    case CT_CMD_STATUS:
    case CT_CMD_RESULTS: {
        out->msg_ref = child_text(x, el, "MsgRef");
        out->cmd_ref = child_text(x, el, "CmdRef");
        out->cmd = child_text(x, el, "Cmd");
        out->target_refs = all_texts(x, el, "TargetRef", &out->n_target_refs);
        out->source_refs = all_texts(x, el, "SourceRef", &out->n_source_refs);
        const xmlNode *chal = ct_xml_child(el, "Chal");
        out->chal.node = chal;
        read_meta(x, ct_xml_child(chal, "Meta"), &out->chal.meta);
        read_items(x, el, "Item", out);
        break;
    }
    case CT_CMD_MAP:
        read_items(x, el, "MapItem", out);
        break;
    case CT_CMD_SYNC:
    case CT_CMD_ATOMIC:
    case CT_CMD_SEQUENCE:
        out->number_of_changes = child_text(x, el, "NumberOfChanges");
        read_cmds(x, el, false, &out->children, &out->n_children);
        break;
    case CT_CMD_DELETE:
        out->archive = ct_xml_child(el, "Archive") != NULL;
        out->sft_del = ct_xml_child(el, "SftDel") != NULL;
        read_items(x, el, "Item", out);
        break;
    case CT_CMD_EXEC:
        out->correlator = child_text(x, el, "Correlator");
        read_items(x, el, "Item", out);
        break;
    default:
        read_items(x, el, "Item", out);
        break;
    }
}

/*
 * The commands among parent's children. In SyncBody every element except Final is listed
 * (unknown ones as CT_CMD_UNKNOWN, so nothing a peer sent is hidden); inside Sync, Atomic and
 * Sequence only command elements are, the rest being their fields.
 */
static void read_cmds(struct ix *x, const xmlNode *parent, bool body, struct ct_cmd **out,
                      size_t *n_out)
{
    size_t n = 0;
    for (const xmlNode *c = parent->children; c != NULL; c = c->next)
        if (body ? c->type == XML_ELEMENT_NODE && !ct_xml_is(c, "Final") : is_cmd_child(c))
            n++;
    *n_out = 0;
    if (n == 0)
        return;
    *out = ct_arena_calloc(x->arena, n, sizeof(**out));
    if (*out == NULL) {
        x->rc = CT_ERR_NOMEM;
        return;
    }
    for (const xmlNode *c = parent->children; c != NULL; c = c->next)
        if (body ? c->type == XML_ELEMENT_NODE && !ct_xml_is(c, "Final") : is_cmd_child(c))
            read_cmd(x, c, &(*out)[(*n_out)++]);
}

int ct_view_build(struct ct_msg *m)
{
    struct ix x = {.arena = &m->arena, .rc = CT_OK};
    memset(&m->hdr, 0, sizeof(m->hdr));
    memset(&m->body, 0, sizeof(m->body));
    const xmlNode *root = xmlDocGetRootElement(m->doc);

    const xmlNode *hdr = ct_xml_child(root, "SyncHdr");
    struct ct_hdr *h = &m->hdr;
    h->node = hdr;
    h->ver_dtd = child_text(&x, hdr, "VerDTD");
    h->ver_proto = child_text(&x, hdr, "VerProto");
    h->session_id = child_text(&x, hdr, "SessionID");
    h->msg_id = child_text(&x, hdr, "MsgID");
    read_locus(&x, ct_xml_child(hdr, "Target"), &h->target);
    read_locus(&x, ct_xml_child(hdr, "Source"), &h->source);
    h->resp_uri = child_text(&x, hdr, "RespURI");
    h->no_resp = ct_xml_child(hdr, "NoResp") != NULL;
    read_cred(&x, ct_xml_child(hdr, "Cred"), &h->cred);
    read_meta(&x, ct_xml_child(hdr, "Meta"), &h->meta);

    const xmlNode *body = ct_xml_child(root, "SyncBody");
    m->body.node = body;
    if (body != NULL) {
        read_cmds(&x, body, true, &m->body.cmds, &m->body.n_cmds);
        m->body.final = ct_xml_child(body, "Final") != NULL;
    }
    return x.rc;
}

/* ---- lookups ---- */

static const struct ct_cmd *find_in(const struct ct_cmd *cmds, size_t n, enum ct_cmd_kind kind,
                                    size_t *skip)
{
    for (size_t i = 0; i < n; i++) {
        if (cmds[i].kind == kind) {
            if (*skip == 0)
                return &cmds[i];
            (*skip)--;
        }
        const struct ct_cmd *inner = find_in(cmds[i].children, cmds[i].n_children, kind, skip);
        if (inner != NULL)
            return inner;
    }
    return NULL;
}

const struct ct_cmd *ct_msg_find_cmd(const struct ct_msg *m, enum ct_cmd_kind kind, size_t n)
{
    return find_in(m->body.cmds, m->body.n_cmds, kind, &n);
}

const struct ct_cmd *ct_msg_find_status(const struct ct_msg *m, const char *cmd_ref)
{
    for (size_t i = 0; i < m->body.n_cmds; i++) {
        const struct ct_cmd *c = &m->body.cmds[i];
        if (c->kind == CT_CMD_STATUS && c->cmd_ref != NULL && strcmp(c->cmd_ref, cmd_ref) == 0)
            return c;
    }
    return NULL;
}

const struct ct_hdr *ct_msg_hdr(const struct ct_msg *m)
{
    return &m->hdr;
}

const struct ct_body *ct_msg_body(const struct ct_msg *m)
{
    return &m->body;
}
