/*
 * Parsing and serializing SyncML messages: the XML side with libxml2, the WBXML side through
 * ct_wbxml (which decodes to XML text first, so both encodings end up in the same tree).
 */
#include "syncml/ct_msg_int.h"

#include <libxml/parser.h>
#include <libxml/xmlsave.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Decoded WBXML is XML text; tags grow from one byte to a dozen, so allow for it. */
#define WBXML_XML_EXPANSION 32u

static const char *const syncml_ns[] = {
    [CT_VER_1_1] = "SYNCML:SYNCML1.1",
    [CT_VER_1_2] = "SYNCML:SYNCML1.2",
};

static const char *const syncml_fpi[] = {
    [CT_VER_1_1] = "-//SYNCML//DTD SyncML 1.1//EN",
    [CT_VER_1_2] = "-//SYNCML//DTD SyncML 1.2//EN",
};

static const char *const syncml_dtd[] = {
    [CT_VER_1_1] = "http://www.syncml.org/docs/syncml_represent_v11_20020213.dtd",
    [CT_VER_1_2] = "http://www.openmobilealliance.org/tech/DTD/OMA-TS-SyncML_RepPro_DTD-V1_2.dtd",
};

void ct_limits_default(struct ct_limits *lim)
{
    lim->max_bytes = CT_LIMIT_DEFAULT_MAX_BYTES;
    lim->max_depth = CT_LIMIT_DEFAULT_MAX_DEPTH;
}

enum ct_enc ct_enc_detect(const uint8_t *data, size_t len)
{
    size_t i = 0;
    if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
        i = 3;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i < len && data[i] == '<')
        return CT_ENC_XML;
    if (len > 0 && data[0] <= 0x03)
        return CT_ENC_WBXML;
    return CT_ENC_AUTO;
}

const char *ct_enc_content_type(enum ct_enc enc)
{
    switch (enc) {
    case CT_ENC_XML: return CT_CONTENT_TYPE_XML;
    case CT_ENC_WBXML: return CT_CONTENT_TYPE_WBXML;
    case CT_ENC_AUTO:
    default: return NULL;
    }
}

enum ct_enc ct_enc_from_content_type(const char *content_type)
{
    if (content_type == NULL)
        return CT_ENC_AUTO;
    while (*content_type == ' ' || *content_type == '\t')
        content_type++;
    size_t n = strcspn(content_type, "; \t");
    if (n == strlen(CT_CONTENT_TYPE_XML) && strncasecmp(content_type, CT_CONTENT_TYPE_XML, n) == 0)
        return CT_ENC_XML;
    if (n == strlen(CT_CONTENT_TYPE_WBXML) &&
        strncasecmp(content_type, CT_CONTENT_TYPE_WBXML, n) == 0)
        return CT_ENC_WBXML;
    return CT_ENC_AUTO;
}

/* ---- tree helpers shared with ct_view.c and ct_build.c ---- */

bool ct_xml_is(const xmlNode *node, const char *name)
{
    /* The first letters differ for most siblings: compare them before calling strcmp (the
     * view asks for a dozen children of every command; make bench). */
    return node != NULL && node->type == XML_ELEMENT_NODE && node->name[0] == (xmlChar)name[0] &&
           strcmp((const char *)node->name, name) == 0;
}

const xmlNode *ct_xml_child(const xmlNode *parent, const char *name)
{
    if (parent == NULL)
        return NULL;
    for (const xmlNode *c = parent->children; c != NULL; c = c->next)
        if (ct_xml_is(c, name))
            return c;
    return NULL;
}

/* One path step: "/Name", or "/Name[k]" when it has same-named siblings. */
static size_t path_step(const xmlNode *e, char *out, size_t size)
{
    unsigned pos = 1, total = 0;
    if (e->parent != NULL && e->parent->type == XML_ELEMENT_NODE) {
        for (const xmlNode *s = e->parent->children; s != NULL; s = s->next) {
            if (!ct_xml_is(s, (const char *)e->name))
                continue;
            total++;
            if (s == e)
                pos = total;
        }
    }
    int w = total > 1 ? snprintf(out, size, "/%s[%u]", (const char *)e->name, pos)
                      : snprintf(out, size, "/%s", (const char *)e->name);
    return w < 0 ? 0 : (size_t)w >= size ? size - 1 : (size_t)w;
}

void ct_xml_path(const xmlNode *node, char *out, size_t size)
{
    /* Deep paths keep their three outermost and four innermost steps around a "/...". */
    enum { OUTER = 3, INNER = 4 };
    const xmlNode *inner[INNER], *outer[OUTER];
    size_t depth = 0;
    for (const xmlNode *p = node; p != NULL && p->type == XML_ELEMENT_NODE; p = p->parent) {
        if (depth < INNER)
            inner[depth] = p;
        outer[depth % OUTER] = p;
        depth++;
    }
    size_t used = 0;
    out[0] = '\0';
    if (depth <= OUTER + INNER) {
        const xmlNode *chain[OUTER + INNER];
        size_t n = 0;
        for (const xmlNode *p = node; n < depth; p = p->parent)
            chain[n++] = p;
        while (n > 0 && used + 1 < size)
            used += path_step(chain[--n], out + used, size - used);
        return;
    }
    for (size_t i = 0; i < OUTER && used + 1 < size; i++)
        used += path_step(outer[(depth - 1 - i) % OUTER], out + used, size - used);
    if (used + 1 < size) {
        int w = snprintf(out + used, size - used, "/...(%zu levels)", depth - OUTER - INNER);
        used += w < 0 ? 0 : (size_t)w >= size - used ? size - used - 1 : (size_t)w;
    }
    for (size_t i = INNER; i > 0 && used + 1 < size; i--)
        used += path_step(inner[i - 1], out + used, size - used);
}

/* ---- parsing ---- */

static enum ct_ver version_of_ns(const char *href)
{
    /* Some peers write the namespace in lower case (openSUSE's wbxml2 patch); accept both. */
    if (href == NULL)
        return CT_VER_UNKNOWN;
    if (strcasecmp(href, syncml_ns[CT_VER_1_2]) == 0)
        return CT_VER_1_2;
    if (strcasecmp(href, syncml_ns[CT_VER_1_1]) == 0)
        return CT_VER_1_1;
    return CT_VER_UNKNOWN;
}

/* The first parse error libxml2 recorded, as "line L, column C: message". */
static int xml_error(struct ct_diag *diag, xmlParserCtxt *ctxt, const char *origin)
{
    const xmlError *e = xmlCtxtGetLastError(ctxt);
    if (e == NULL || e->message == NULL)
        return ct_diag_set(diag, CT_ERR_PARSE, "%s: not well-formed XML", origin);
    char msg[300];
    snprintf(msg, sizeof(msg), "%s", e->message);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    /* libxml2's own nesting bound (without XML_PARSE_HUGE) is a depth failure, not a syntax one. */
    int code = strstr(msg, "Excessive depth") != NULL ? CT_ERR_TOO_DEEP : CT_ERR_PARSE;
    return ct_diag_set(diag, code, "%s line %d, column %d: %s", origin, e->line, e->int2, msg);
}

/* Reject trees deeper than the bound, naming the first element that is too deep. */
static int check_depth(const xmlNode *root, unsigned max_depth, const char *origin,
                       struct ct_diag *diag)
{
    const xmlNode *n = root;
    unsigned depth = 1;
    while (n != NULL) {
        if (n->type == XML_ELEMENT_NODE && depth > max_depth) {
            char path[256];
            ct_xml_path(n, path, sizeof(path));
            return ct_diag_set(diag, CT_ERR_TOO_DEEP,
                               "%s line %ld: element %s is nested %u deep, over the limit of %u",
                               origin, xmlGetLineNo(n), path, depth, max_depth);
        }
        if (n->children != NULL && n->type == XML_ELEMENT_NODE) {
            n = n->children;
            depth++;
            continue;
        }
        while (n != NULL && n->next == NULL && n != root) {
            n = n->parent;
            depth--;
        }
        if (n == NULL || n == root)
            break;
        n = n->next;
    }
    return CT_OK;
}

static int parse_xml(xmlDoc **out, const uint8_t *data, size_t len, const struct ct_limits *lim,
                     const char *origin, struct ct_diag *diag)
{
    if (len > INT32_MAX)
        return ct_diag_set(diag, CT_ERR_TOO_BIG, "%s: %zu bytes is too large", origin, len);
    xmlParserCtxt *ctxt = xmlNewParserCtxt();
    if (ctxt == NULL)
        return CT_ERR_NOMEM;
    /*
     * No DTD loading, no entity substitution, no network: a message is data, not a program.
     * Blank text between elements is dropped and CDATA becomes text, so the view sees one text
     * node per leaf whichever way the peer wrote it.
     */
    const int opts = XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOCDATA | XML_PARSE_NOERROR |
                     XML_PARSE_NOWARNING;
    xmlDoc *doc = xmlCtxtReadMemory(ctxt, (const char *)data, (int)len, NULL, NULL, opts);
    int rc = CT_OK;
    if (doc == NULL || !ctxt->wellFormed)
        rc = xml_error(diag, ctxt, origin);
    xmlFreeParserCtxt(ctxt);
    if (rc != CT_OK) {
        xmlFreeDoc(doc);
        return rc;
    }
    /* Entities declared in a DOCTYPE would be expanded by every text accessor: SyncML has no
     * use for them, and they are how "billion laughs" documents blow up. */
    if (doc->intSubset != NULL && (doc->intSubset->entities != NULL || doc->intSubset->pentities != NULL)) {
        xmlFreeDoc(doc);
        return ct_diag_set(diag, CT_ERR_PARSE,
                           "%s: the DOCTYPE declares entities, which SyncML does not use", origin);
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    if (root == NULL) {
        xmlFreeDoc(doc);
        return ct_diag_set(diag, CT_ERR_NOT_SYNCML, "%s: no root element", origin);
    }
    rc = check_depth(root, lim->max_depth, origin, diag);
    if (rc == CT_OK && strcmp((const char *)root->name, "SyncML") != 0)
        rc = ct_diag_set(diag, CT_ERR_NOT_SYNCML, "%s line %ld: the root element is <%s>, not <SyncML>",
                         origin, xmlGetLineNo(root), (const char *)root->name);
    if (rc != CT_OK) {
        xmlFreeDoc(doc);
        return rc;
    }
    *out = doc;
    return CT_OK;
}

static struct ct_msg *msg_alloc(void)
{
    struct ct_msg *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return NULL;
    ct_arena_init(&m->arena);
    m->enc = CT_ENC_XML;
    m->next_cmd_id = 1;
    return m;
}

static enum ct_ver version_of(const xmlDoc *doc, const struct ct_wbxml_form *wbxml)
{
    if (wbxml != NULL && wbxml->doc == CT_WBXML_DOC_SYNCML12)
        return CT_VER_1_2;
    if (wbxml != NULL && wbxml->doc == CT_WBXML_DOC_SYNCML11)
        return CT_VER_1_1;
    const xmlNode *root = xmlDocGetRootElement(doc);
    enum ct_ver v = version_of_ns(root->ns != NULL ? (const char *)root->ns->href : NULL);
    if (v != CT_VER_UNKNOWN)
        return v;
    /* No usable namespace: fall back on what the header claims. */
    const xmlNode *dtd = ct_xml_child(ct_xml_child(root, "SyncHdr"), "VerDTD");
    xmlChar *text = dtd != NULL ? xmlNodeGetContent(dtd) : NULL;
    if (text != NULL && strcmp((const char *)text, "1.2") == 0)
        v = CT_VER_1_2;
    else if (text != NULL && strcmp((const char *)text, "1.1") == 0)
        v = CT_VER_1_1;
    xmlFree(text);
    return v;
}

int ct_msg_parse(struct ct_msg **out, const uint8_t *data, size_t len, enum ct_enc enc,
                 const struct ct_limits *lim, struct ct_diag *diag)
{
    struct ct_limits defaults;
    if (lim == NULL) {
        ct_limits_default(&defaults);
        lim = &defaults;
    }
    if (len > lim->max_bytes)
        return ct_diag_set(diag, CT_ERR_TOO_BIG, "message of %zu bytes exceeds the limit of %zu",
                           len, lim->max_bytes);
    if (len == 0)
        return ct_diag_set(diag, CT_ERR_PARSE, "empty message");
    if (enc == CT_ENC_AUTO)
        enc = ct_enc_detect(data, len);
    if (enc == CT_ENC_AUTO)
        return ct_diag_set(diag, CT_ERR_ENCODING,
                           "neither XML nor WBXML: first byte is 0x%02X (XML starts with '<', "
                           "WBXML with a version byte 0x00-0x03)", data[0]);

    xmlDoc *doc = NULL;
    struct ct_wbxml_form form = {0};
    int rc;
    if (enc == CT_ENC_WBXML) {
        struct ct_buf xml;
        size_t max_xml = lim->max_bytes > SIZE_MAX / WBXML_XML_EXPANSION
                             ? SIZE_MAX / 2
                             : lim->max_bytes * WBXML_XML_EXPANSION;
        ct_buf_init(&xml, max_xml);
        rc = ct_wbxml_to_xml(data, len, lim->max_depth, &form, &xml, diag);
        if (rc == CT_OK)
            rc = parse_xml(&doc, xml.data, xml.len, lim, "XML decoded from WBXML:", diag);
        ct_buf_cleanup(&xml);
    } else {
        rc = parse_xml(&doc, data, len, lim, "XML", diag);
    }
    if (rc != CT_OK)
        return rc;

    struct ct_msg *m = msg_alloc();
    if (m == NULL) {
        xmlFreeDoc(doc);
        return CT_ERR_NOMEM;
    }
    m->doc = doc;
    m->enc = enc;
    if (enc == CT_ENC_WBXML)
        m->wbxml = form;
    m->ver = version_of(doc, enc == CT_ENC_WBXML ? &form : NULL);
    rc = ct_view_build(m);
    if (rc != CT_OK) {
        ct_msg_free(m);
        return rc;
    }
    *out = m;
    return CT_OK;
}

/* ---- lifecycle ---- */

struct ct_msg *ct_msg_new(enum ct_ver ver)
{
    if (ver != CT_VER_1_1 && ver != CT_VER_1_2)
        return NULL;
    struct ct_msg *m = msg_alloc();
    if (m == NULL)
        return NULL;
    m->ver = ver;
    m->doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *root = m->doc != NULL ? xmlNewDocNode(m->doc, NULL, (const xmlChar *)"SyncML", NULL) : NULL;
    xmlNs *ns = root != NULL ? xmlNewNs(root, (const xmlChar *)syncml_ns[ver], NULL) : NULL;
    if (ns == NULL) {
        xmlFreeNode(root);
        ct_msg_free(m);
        return NULL;
    }
    xmlSetNs(root, ns);
    xmlDocSetRootElement(m->doc, root);
    xmlNode *hdr = xmlNewChild(root, ns, (const xmlChar *)"SyncHdr", NULL);
    bool ok = hdr != NULL &&
              xmlNewTextChild(hdr, ns, (const xmlChar *)"VerDTD",
                              (const xmlChar *)(ver == CT_VER_1_2 ? "1.2" : "1.1")) != NULL &&
              xmlNewTextChild(hdr, ns, (const xmlChar *)"VerProto",
                              (const xmlChar *)(ver == CT_VER_1_2 ? "SyncML/1.2" : "SyncML/1.1")) != NULL &&
              xmlNewChild(root, ns, (const xmlChar *)"SyncBody", NULL) != NULL;
    if (!ok || ct_view_build(m) != CT_OK) {
        ct_msg_free(m);
        return NULL;
    }
    return m;
}

void ct_msg_free(struct ct_msg *m)
{
    if (m == NULL)
        return;
    xmlFreeDoc(m->doc);
    ct_arena_cleanup(&m->arena);
    free(m);
}

xmlDoc *ct_msg_doc(const struct ct_msg *m)
{
    return m->doc;
}

int ct_msg_reindex(struct ct_msg *m)
{
    ct_arena_reset(&m->arena);
    return ct_view_build(m);
}

enum ct_ver ct_msg_version(const struct ct_msg *m)
{
    return m->ver;
}

enum ct_enc ct_msg_encoding(const struct ct_msg *m)
{
    return m->enc;
}

const struct ct_wbxml_form *ct_msg_wbxml_form(const struct ct_msg *m)
{
    return m->enc == CT_ENC_WBXML ? &m->wbxml : NULL;
}

/* ---- serializing ---- */

/* libxml2's output callback: straight into a ct_buf (an xmlBuffer grows by exact amounts, which
 * makes big messages quadratic wherever realloc cannot grow in place). */
static int dump_write(void *ctx, const char *p, int n)
{
    return n >= 0 && ct_buf_append(ctx, p, (size_t)n) == CT_OK ? n : -1;
}

static int dump_close(void *ctx)
{
    (void)ctx;
    return 0;
}

int ct_xml_dump(const xmlNode *el, bool pretty, struct ct_buf *out)
{
    xmlSaveCtxt *save = xmlSaveToIO(dump_write, dump_close, out, "UTF-8", (pretty ? XML_SAVE_FORMAT : 0) | XML_SAVE_NO_DECL);
    if (save == NULL)
        return CT_ERR_NOMEM;
    int rc = xmlSaveTree(save, (xmlNode *)el) < 0 ? CT_ERR_TOO_BIG : CT_OK;
    if (xmlSaveClose(save) < 0 && rc == CT_OK)
        rc = CT_ERR_TOO_BIG; /* the only way the callback fails: the buffer's bound */
    return rc;
}

/* The root element alone, as XML text (no declaration, no DOCTYPE). */
static int dump_root(const xmlDoc *doc, bool pretty, struct ct_buf *out)
{
    return ct_xml_dump(xmlDocGetRootElement(doc), pretty, out);
}

static int serialize_xml(const xmlDoc *doc, enum ct_ver ver, bool pretty, bool doctype,
                         struct ct_buf *out)
{
    int rc = ct_buf_append_str(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if (rc == CT_OK && doctype)
        rc = ct_buf_printf(out, "<!DOCTYPE SyncML PUBLIC \"%s\" \"%s\">\n", syncml_fpi[ver],
                           syncml_dtd[ver]);
    if (rc == CT_OK)
        rc = dump_root(doc, pretty, out);
    if (rc == CT_OK && pretty && (out->len == 0 || out->data[out->len - 1] != '\n'))
        rc = ct_buf_append_str(out, "\n");
    return rc;
}

/* The first Meta/Type text of an element, as libwbxml finds it. */
static const xmlChar *meta_type(const xmlNode *el)
{
    const xmlNode *type = ct_xml_child(ct_xml_child(el, "Meta"), "Type");
    return type != NULL && type->children != NULL && type->children->type == XML_TEXT_NODE
               ? type->children->content
               : NULL;
}

/*
 * Whether libwbxml's encoder treats a <Data> as a vObject and turns each LF of its text into
 * CR LF: Data of an Item of Add or Replace, or typed (in its parent's or grandparent's Meta)
 * as text/x-vcard, text/x-vcalendar or text/directory;profile=vCard.
 */
static bool libwbxml_adds_cr(const xmlNode *data)
{
    const xmlNode *parent = data->parent;
    const xmlNode *grand = parent != NULL ? parent->parent : NULL;
    const xmlChar *type = parent != NULL ? meta_type(parent) : NULL;
    if (type == NULL && grand != NULL && grand->type == XML_ELEMENT_NODE)
        type = meta_type(grand);
    if (type != NULL && (xmlStrEqual(type, (const xmlChar *)"text/x-vcard") ||
                         xmlStrEqual(type, (const xmlChar *)"text/x-vcalendar") ||
                         xmlStrEqual(type, (const xmlChar *)"text/directory;profile=vCard")))
        return true;
    return ct_xml_is(parent, "Item") && (ct_xml_is(grand, "Add") || ct_xml_is(grand, "Replace"));
}

/* Replace CR LF by LF in a text node. Returns false when out of memory. */
static bool fold_crlf(xmlNode *text)
{
    /* A fresh copy: the node's content may belong to the parser's string dictionary. */
    xmlChar *folded = xmlStrdup(text->content);
    if (folded == NULL)
        return false;
    xmlChar *w = folded;
    for (const xmlChar *p = folded; *p != '\0'; p++)
        if (!(p[0] == '\r' && p[1] == '\n'))
            *w++ = *p;
    *w = '\0';
    xmlNodeSetContent(text, folded);
    xmlFree(folded);
    return true;
}

/*
 * Walk the Data elements libwbxml will add CRs to; with `apply`, fold their CR LF pairs so that
 * libwbxml's LF -> CR LF gives back exactly the original text. Returns whether any text had one.
 */
static bool prepare_vobjects(xmlNode *n, bool apply)
{
    bool found = false;
    for (; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (ct_xml_is(n, "Data") && libwbxml_adds_cr(n)) {
            for (xmlNode *t = n->children; t != NULL; t = t->next) {
                if ((t->type != XML_TEXT_NODE && t->type != XML_CDATA_SECTION_NODE) ||
                    xmlStrstr(t->content, (const xmlChar *)"\r\n") == NULL)
                    continue;
                found = true;
                if (!apply || !fold_crlf(t))
                    return true;
            }
        }
        if (prepare_vobjects(n->children, apply) && !apply)
            return true;
    }
    return found;
}

int ct_msg_serialize(const struct ct_msg *m, const struct ct_ser_opts *opts, struct ct_buf *out,
                     struct ct_diag *diag)
{
    static const struct ct_ser_opts defaults = {.enc = CT_ENC_XML};
    if (opts == NULL)
        opts = &defaults;
    if (opts->enc != CT_ENC_WBXML)
        return serialize_xml(m->doc, m->ver, opts->pretty,
                             m->doc->intSubset != NULL && m->ver != CT_VER_UNKNOWN, out);

    if (m->ver == CT_VER_UNKNOWN)
        return ct_diag_set(diag, CT_ERR_UNSUPPORTED,
                           "cannot encode WBXML: the message names no SyncML version (namespace or VerDTD)");
    /* vObject text with CR LF goes to libwbxml from a copy with the pairs folded. */
    xmlDoc *copy = NULL;
    if (prepare_vobjects(xmlDocGetRootElement(m->doc), false)) {
        copy = xmlCopyDoc(m->doc, 1);
        if (copy == NULL)
            return CT_ERR_NOMEM;
        prepare_vobjects(xmlDocGetRootElement(copy), true);
    }
    /* libwbxml picks its code pages from the DOCTYPE's public identifier: always give one. */
    struct ct_buf xml;
    ct_buf_init(&xml, 0);
    int rc = serialize_xml(copy != NULL ? copy : m->doc, m->ver, false, true, &xml);
    xmlFreeDoc(copy);
    if (rc == CT_OK) {
        struct ct_wbxml_form form = {
            .version = opts->wbxml_version != 0 ? opts->wbxml_version : 0x02,
            .textual_public_id = opts->textual_public_id,
        };
        rc = ct_wbxml_from_xml((const char *)xml.data, xml.len, &form, out, diag);
    }
    ct_buf_cleanup(&xml);
    return rc;
}

/* ---- canonical form ---- */

static int canon_text(struct ct_buf *out, const xmlChar *s, unsigned depth)
{
    int rc = ct_buf_printf(out, "%*s\"", (int)(depth * 2), "");
    for (const xmlChar *p = s; rc == CT_OK && *p != '\0'; p++) {
        switch (*p) {
        case '\r':
            /* Line ends compare as XML defines them: CR LF and a lone CR are LF. */
            if (p[1] == '\n')
                break;
            /* fall through */
        case '\n': rc = ct_buf_append_str(out, "\\n"); break;
        case '\t': rc = ct_buf_append_str(out, "\\t"); break;
        case '"': rc = ct_buf_append_str(out, "\\\""); break;
        case '\\': rc = ct_buf_append_str(out, "\\\\"); break;
        default:
            rc = *p < 0x20 ? ct_buf_printf(out, "\\x%02X", *p) : ct_buf_append(out, p, 1);
            break;
        }
    }
    return rc == CT_OK ? ct_buf_append_str(out, "\"\n") : rc;
}

static bool is_blank(const xmlChar *s)
{
    for (; *s != '\0'; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    return true;
}

static bool has_element_child(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return true;
    return false;
}

static int canon_node(const xmlNode *n, unsigned depth, struct ct_buf *out)
{
    int rc = CT_OK;
    for (; n != NULL && rc == CT_OK; n = n->next) {
        switch (n->type) {
        case XML_ELEMENT_NODE:
            rc = ct_buf_printf(out, "%*s{%s}%s\n", (int)(depth * 2), "",
                               n->ns != NULL ? (const char *)n->ns->href : "",
                               (const char *)n->name);
            for (const xmlAttr *a = n->properties; a != NULL && rc == CT_OK; a = a->next) {
                xmlChar *v = xmlNodeGetContent((const xmlNode *)a);
                rc = ct_buf_printf(out, "%*s@%s=\"%s\"\n", (int)(depth * 2 + 2), "",
                                   (const char *)a->name, v != NULL ? (const char *)v : "");
                xmlFree(v);
            }
            if (rc == CT_OK)
                rc = canon_node(n->children, depth + 1, out);
            break;
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
            /* Whitespace between elements is indentation, not content. */
            if (is_blank(n->content) && n->parent != NULL && has_element_child(n->parent))
                break;
            rc = canon_text(out, n->content, depth);
            break;
        case XML_ENTITY_REF_NODE:
            rc = ct_buf_printf(out, "%*s&%s;\n", (int)(depth * 2), "", (const char *)n->name);
            break;
        default:
            break; /* comments, PIs */
        }
    }
    return rc;
}

int ct_msg_canonical(const struct ct_msg *m, struct ct_buf *out)
{
    return canon_node(xmlDocGetRootElement(m->doc), 0, out);
}

/* ---- structural check ---- */

static int require(const xmlNode *parent, const char *name, struct ct_diag *diag)
{
    if (ct_xml_child(parent, name) != NULL)
        return CT_OK;
    char path[256];
    ct_xml_path(parent, path, sizeof(path));
    return ct_diag_set(diag, CT_ERR_MISSING, "line %ld: %s has no <%s>", xmlGetLineNo(parent), path,
                       name);
}

static int check_cmds(const struct ct_cmd *cmds, size_t n, struct ct_diag *diag)
{
    for (size_t i = 0; i < n; i++) {
        const struct ct_cmd *c = &cmds[i];
        if (c->kind == CT_CMD_UNKNOWN)
            continue;
        int rc = require(c->node, "CmdID", diag);
        if (rc == CT_OK)
            rc = check_cmds(c->children, c->n_children, diag);
        if (rc != CT_OK)
            return rc;
    }
    return CT_OK;
}

int ct_msg_check(const struct ct_msg *m, struct ct_diag *diag)
{
    const xmlNode *root = xmlDocGetRootElement(m->doc);
    static const char *const hdr_required[] = {"VerDTD", "VerProto", "SessionID", "MsgID", "Target",
                                               "Source"};
    int rc = require(root, "SyncHdr", diag);
    for (size_t i = 0; rc == CT_OK && i < sizeof(hdr_required) / sizeof(hdr_required[0]); i++)
        rc = require(m->hdr.node, hdr_required[i], diag);
    if (rc == CT_OK && m->hdr.target.node != NULL)
        rc = require(m->hdr.target.node, "LocURI", diag);
    if (rc == CT_OK && m->hdr.source.node != NULL)
        rc = require(m->hdr.source.node, "LocURI", diag);
    if (rc == CT_OK)
        rc = require(root, "SyncBody", diag);
    if (rc == CT_OK)
        rc = check_cmds(m->body.cmds, m->body.n_cmds, diag);
    return rc;
}
