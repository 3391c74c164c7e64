/*
 * The WBXML gate: one bounded pass over a WBXML token stream (WAP-192-WBXML, section 5) that
 * decides whether libwbxml may see it. See ct_wbxml.h for why it exists.
 *
 * It checks structure, not vocabulary: which tag tokens a code page defines stays libwbxml's
 * business. What it refuses is what libwbxml handles badly or SyncML never uses: unknown public
 * identifiers (libwbxml would guess a language), extension tokens, processing instructions,
 * tokenised attributes, code pages the document type does not have, entities outside Unicode,
 * lengths past the end of the input, content outside the root element, and nesting past the
 * bound. Text inside a <Data> whose Meta Type says WBXML is parsed by libwbxml as an embedded
 * document, so it must be exactly one OPAQUE holding a DevInf document that passes this gate
 * too.
 */
#include "wbxml/ct_wbxml_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Global tokens, WBXML 1.3 section 7.1. */
enum {
    WB_SWITCH_PAGE = 0x00,
    WB_END = 0x01,
    WB_ENTITY = 0x02,
    WB_STR_I = 0x03,
    WB_LITERAL = 0x04,
    WB_PI = 0x43,
    WB_STR_T = 0x83,
    WB_OPAQUE = 0xC3,
    WB_TAG_HAS_ATTRS = 0x80,
    WB_TAG_HAS_CONTENT = 0x40,
    WB_TAG_MASK = 0x3F,
};

/* Tokens the gate must recognise to follow embedded documents (libwbxml's tables agree). */
enum {
    SYNCML_PAGE = 0x00,
    METINF_PAGE = 0x01,
    SYNCML_TOK_DATA = 0x0F,
    SYNCML_TOK_META = 0x1A,
    METINF_TOK_TYPE = 0x13,
};

static const struct {
    uint32_t id;
    const char *fpi;
    enum ct_wbxml_doc doc;
} known_docs[] = {
    {0x0FD3, "-//SYNCML//DTD SyncML 1.1//EN", CT_WBXML_DOC_SYNCML11},
    {0x1201, "-//SYNCML//DTD SyncML 1.2//EN", CT_WBXML_DOC_SYNCML12},
    {0x0FD4, "-//SYNCML//DTD DevInf 1.1//EN", CT_WBXML_DOC_DEVINF11},
    {0x1203, "-//SYNCML//DTD DevInf 1.2//EN", CT_WBXML_DOC_DEVINF12},
    {0x1202, "-//SYNCML//DTD MetInf 1.2//EN", CT_WBXML_DOC_METINF12},
};

const char *ct_wbxml_doc_name(enum ct_wbxml_doc doc)
{
    switch (doc) {
    case CT_WBXML_DOC_SYNCML11: return "SyncML 1.1";
    case CT_WBXML_DOC_SYNCML12: return "SyncML 1.2";
    case CT_WBXML_DOC_DEVINF11: return "DevInf 1.1";
    case CT_WBXML_DOC_DEVINF12: return "DevInf 1.2";
    case CT_WBXML_DOC_METINF12: return "MetInf 1.2";
    case CT_WBXML_DOC_UNKNOWN:
    default: return "unknown";
    }
}

static bool is_syncml(enum ct_wbxml_doc doc)
{
    return doc == CT_WBXML_DOC_SYNCML11 || doc == CT_WBXML_DOC_SYNCML12;
}

/* A read position in one document; `base` is its offset in the outermost input. */
struct cur {
    const uint8_t *p;
    size_t len;
    size_t pos;
    size_t base;
    struct ct_diag *diag;
};

#define OFF(c, at) ((c)->base + (at))

static int fail(struct cur *c, size_t at, int code, const char *what)
{
    return ct_diag_set(c->diag, code, "WBXML offset %zu: %s", OFF(c, at), what);
}

static int read_u8(struct cur *c, uint8_t *out, const char *what)
{
    if (c->pos >= c->len) {
        ct_diag_set(c->diag, CT_ERR_PARSE, "WBXML offset %zu: truncated: expected %s",
                    OFF(c, c->pos), what);
        return CT_ERR_PARSE;
    }
    *out = c->p[c->pos++];
    return CT_OK;
}

/* mb_u_int32: big-endian base-128, at most 5 bytes, value within 32 bits. */
static int read_mb(struct cur *c, uint32_t *out, const char *what)
{
    size_t start = c->pos;
    uint64_t v = 0;
    for (int i = 0; i < 5; i++) {
        uint8_t b;
        int rc = read_u8(c, &b, what);
        if (rc != CT_OK)
            return rc;
        v = (v << 7) | (b & 0x7F);
        if ((b & 0x80) == 0) {
            if (v > UINT32_MAX) {
                ct_diag_set(c->diag, CT_ERR_PARSE, "WBXML offset %zu: %s overflows 32 bits",
                            OFF(c, start), what);
                return CT_ERR_PARSE;
            }
            *out = (uint32_t)v;
            return CT_OK;
        }
    }
    ct_diag_set(c->diag, CT_ERR_PARSE, "WBXML offset %zu: %s is longer than 5 bytes", OFF(c, start),
                what);
    return CT_ERR_PARSE;
}

/* An inline string: bytes up to a NUL, which must lie inside the input. */
static int read_termstr(struct cur *c, const uint8_t **s, size_t *n)
{
    const uint8_t *end = memchr(c->p + c->pos, 0, c->len - c->pos);
    if (end == NULL)
        return fail(c, c->pos, CT_ERR_PARSE, "inline string (STR_I) has no terminating NUL");
    *s = c->p + c->pos;
    *n = (size_t)(end - *s);
    c->pos += *n + 1;
    return CT_OK;
}

struct strtbl {
    const uint8_t *p;
    uint32_t len;
};

/* A string-table reference must point inside the table at a NUL-terminated string. */
static int strtbl_get(struct cur *c, size_t at, const struct strtbl *t, uint32_t idx,
                      const uint8_t **s, size_t *n)
{
    if (idx >= t->len) {
        ct_diag_set(c->diag, CT_ERR_PARSE,
                    "WBXML offset %zu: string table index %u is outside the %u-byte table",
                    OFF(c, at), idx, t->len);
        return CT_ERR_PARSE;
    }
    const uint8_t *end = memchr(t->p + idx, 0, t->len - idx);
    if (end == NULL)
        return fail(c, at, CT_ERR_PARSE, "string table entry has no terminating NUL");
    *s = t->p + idx;
    *n = (size_t)(end - *s);
    return CT_OK;
}

static bool bytes_eq(const uint8_t *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

static bool bytes_contain_ci(const uint8_t *s, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++) {
        size_t j = 0;
        while (j < m && (s[i + j] | 0x20) == needle[j])
            j++;
        if (j == m)
            return true;
    }
    return false;
}

/* What an open element means to the embedded-document rule. */
enum role { ROLE_OTHER, ROLE_META, ROLE_TYPE, ROLE_DATA };

struct frame {
    enum role role;
    bool says_wbxml;   /* TYPE: text names a WBXML type; META: holds such a Type */
    bool meta_wbxml;   /* the element has a Meta child whose Type names WBXML */
    bool data_used;    /* DATA under a WBXML type: its one OPAQUE has been seen */
    bool has_span;     /* type_at/type_len locate the inline string of that Type */
    size_t type_at;
    size_t type_len;
    uint8_t tail[2];   /* DATA: the last bytes of its text so far, to find "]]>" */
    uint8_t tail_len;
};

/* How a piece of text content was encoded. */
enum text_kind { TEXT_INLINE, TEXT_TABLE, TEXT_OPAQUE, TEXT_ENTITY };

struct doc_state {
    struct cur c;
    struct strtbl st;
    enum ct_wbxml_doc doc;
    unsigned max_depth;
    unsigned depth;
    struct frame *stack; /* max_depth + 1 entries, [1..depth] in use */
    struct ct_wbxml_spans *mislabelled; /* see ct_wbxml_walk; NULL: strict */
};

static int check_doc(const uint8_t *data, size_t len, size_t base, unsigned max_depth, bool nested,
                     struct ct_wbxml_form *form, struct ct_wbxml_spans *mislabelled,
                     struct ct_diag *diag);

static enum role role_of(const struct doc_state *d, uint8_t page, uint8_t tok, const uint8_t *name,
                         size_t name_len)
{
    if (!is_syncml(d->doc))
        return ROLE_OTHER;
    if (name != NULL) {
        if (bytes_eq(name, name_len, "Meta"))
            return ROLE_META;
        if (bytes_eq(name, name_len, "Data"))
            return ROLE_DATA;
        if (bytes_eq(name, name_len, "Type"))
            return ROLE_TYPE;
        return ROLE_OTHER;
    }
    if (page == SYNCML_PAGE && tok == SYNCML_TOK_META)
        return ROLE_META;
    if (page == SYNCML_PAGE && tok == SYNCML_TOK_DATA)
        return ROLE_DATA;
    if (page == METINF_PAGE && tok == METINF_TOK_TYPE)
        return ROLE_TYPE;
    return ROLE_OTHER;
}

/*
 * The element whose Meta says WBXML for the open Data element (top of stack), or NULL: libwbxml
 * looks at the Data's parent and grandparent, and parses the Data as an embedded document.
 */
static struct frame *embedding_meta(const struct doc_state *d)
{
    unsigned i = d->depth;
    if (i >= 2 && d->stack[i - 1].meta_wbxml)
        return &d->stack[i - 1];
    if (i >= 3 && d->stack[i - 2].meta_wbxml)
        return &d->stack[i - 2];
    return NULL;
}

static int add_span(struct ct_wbxml_spans *s, size_t at, size_t len)
{
    if (s->n > 0 && s->at[s->n - 1] == at)
        return CT_OK; /* several text pieces under one Type */
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4;
        size_t *a = realloc(s->at, cap * sizeof(*a));
        if (a == NULL)
            return CT_ERR_NOMEM;
        s->at = a;
        size_t *l = realloc(s->len, cap * sizeof(*l));
        if (l == NULL)
            return CT_ERR_NOMEM;
        s->len = l;
        s->cap = cap;
    }
    s->at[s->n] = at;
    s->len[s->n] = len;
    s->n++;
    return CT_OK;
}

void ct_wbxml_spans_cleanup(struct ct_wbxml_spans *s)
{
    free(s->at);
    free(s->len);
    memset(s, 0, sizeof(*s));
}

/*
 * libwbxml writes the text of many <Data> elements as a CDATA section without escaping, so
 * "]]>" inside it would end the section early and break the XML it produces. Refuse it with a
 * clear reason instead; the text may arrive in several pieces, so the last two bytes of the
 * text so far are kept.
 */
static bool ends_cdata(struct frame *f, const uint8_t *s, size_t n)
{
    uint8_t joined[4];
    size_t k = 0;
    for (size_t i = 0; i < f->tail_len; i++)
        joined[k++] = f->tail[i];
    for (size_t i = 0; i < n && k < sizeof(joined); i++)
        joined[k++] = s[i];
    bool found = false;
    for (size_t i = 0; i + 3 <= k && !found; i++)
        found = memcmp(joined + i, "]]>", 3) == 0;
    for (size_t i = 0; i + 3 <= n && !found; i++)
        found = memcmp(s + i, "]]>", 3) == 0;
    uint8_t all[4];
    size_t m = 0;
    for (size_t i = 0; i < f->tail_len; i++)
        all[m++] = f->tail[i];
    for (size_t i = n > 2 ? n - 2 : 0; i < n; i++)
        all[m++] = s[i];
    f->tail_len = (uint8_t)(m > 2 ? 2 : m);
    memcpy(f->tail, all + m - f->tail_len, f->tail_len);
    return found;
}

/* Text content (STR_I, STR_T, OPAQUE bytes or an entity) of the innermost open element. */
static int on_text(struct doc_state *d, size_t at, const uint8_t *s, size_t n, enum text_kind kind)
{
    struct frame *f = &d->stack[d->depth];
    if (f->role == ROLE_TYPE && bytes_contain_ci(s, n, "wbxml")) {
        f->says_wbxml = true;
        if (kind == TEXT_INLINE) {
            f->has_span = true;
            f->type_at = (size_t)(s - d->c.p);
            f->type_len = n;
        }
    }
    if (f->role != ROLE_DATA)
        return CT_OK;
    struct frame *meta = embedding_meta(d);
    if (meta == NULL) {
        if (ends_cdata(f, s, n))
            return fail(&d->c, at, CT_ERR_UNSUPPORTED,
                        "<Data> text contains \"]]>\", which libwbxml cannot decode (it writes "
                        "Data as a CDATA section)");
        return CT_OK;
    }
    if (d->mislabelled != NULL) {
        /* Encoder mode: text that is not an embedded document (DevInf as an XML string, which
         * libwbxml may write as STR_I or OPAQUE) sits under a Type libwbxml turned into +wbxml:
         * note the Type, to be relabelled. */
        struct ct_diag scratch = {0};
        if (kind == TEXT_OPAQUE && !f->data_used &&
            check_doc(s, n, 0, d->max_depth - d->depth, true, NULL, NULL, &scratch) == CT_OK) {
            f->data_used = true;
            return CT_OK;
        }
        return meta->has_span ? add_span(d->mislabelled, meta->type_at, meta->type_len) : CT_OK;
    }
    if (kind != TEXT_OPAQUE || f->data_used)
        return fail(&d->c, at, CT_ERR_PARSE,
                    "<Data> typed as WBXML must hold exactly one OPAQUE embedded document");
    f->data_used = true;
    int rc = check_doc(s, n, OFF(&d->c, at), d->max_depth - d->depth, true, NULL, NULL, d->c.diag);
    if (rc != CT_OK)
        ct_diag_prefix(d->c.diag, "embedded document in <Data> at WBXML offset %zu",
                       OFF(&d->c, at));
    return rc;
}

static int push(struct doc_state *d, size_t at, enum role role)
{
    if (d->depth >= d->max_depth) {
        ct_diag_set(d->c.diag, CT_ERR_TOO_DEEP,
                    "WBXML offset %zu: element nesting exceeds the limit of %u levels",
                    OFF(&d->c, at), d->max_depth);
        return CT_ERR_TOO_DEEP;
    }
    d->depth++;
    d->stack[d->depth] = (struct frame){.role = role};
    return CT_OK;
}

static void pop(struct doc_state *d)
{
    struct frame *f = &d->stack[d->depth];
    d->depth--;
    if (d->depth == 0)
        return;
    struct frame *parent = &d->stack[d->depth];
    /* A Type naming WBXML marks its Meta, and the Meta marks the element holding it. */
    if (f->role == ROLE_TYPE && f->says_wbxml && parent->role == ROLE_META) {
        parent->says_wbxml = true;
        parent->has_span = f->has_span;
        parent->type_at = f->type_at;
        parent->type_len = f->type_len;
    }
    if (f->role == ROLE_META && f->says_wbxml) {
        parent->meta_wbxml = true;
        parent->has_span = f->has_span;
        parent->type_at = f->type_at;
        parent->type_len = f->type_len;
    }
}

static bool page_allowed(enum ct_wbxml_doc doc, uint8_t page)
{
    if (is_syncml(doc))
        return page == SYNCML_PAGE || page == METINF_PAGE;
    return page == 0;
}

/* Attributes of a tag: SyncML defines none; only a literal name (Nokia's xmlns) is tolerated. */
static int read_attributes(struct doc_state *d)
{
    struct cur *c = &d->c;
    for (;;) {
        size_t at = c->pos;
        uint8_t b;
        int rc = read_u8(c, &b, "attribute or END");
        if (rc != CT_OK)
            return rc;
        if (b == WB_END)
            return CT_OK;
        if (b != WB_LITERAL)
            return fail(c, at, CT_ERR_PARSE,
                        "tokenised attribute: SyncML defines no attribute code pages");
        uint32_t idx;
        rc = read_mb(c, &idx, "literal attribute name index");
        if (rc != CT_OK)
            return rc;
        /* Nokia writes xmlns as LITERAL index 0 with no string table; libwbxml knows it. */
        if (!(idx == 0 && d->st.len == 0)) {
            const uint8_t *s;
            size_t n;
            rc = strtbl_get(c, at, &d->st, idx, &s, &n);
            if (rc != CT_OK)
                return rc;
        }
        /* Attribute values: inline or table strings until the next attribute or END. */
        while (c->pos < c->len && (c->p[c->pos] == WB_STR_I || c->p[c->pos] == WB_STR_T)) {
            size_t vat = c->pos++;
            const uint8_t *s;
            size_t n;
            if (c->p[vat] == WB_STR_I) {
                rc = read_termstr(c, &s, &n);
            } else {
                uint32_t vidx;
                rc = read_mb(c, &vidx, "attribute value index");
                if (rc == CT_OK)
                    rc = strtbl_get(c, vat, &d->st, vidx, &s, &n);
            }
            if (rc != CT_OK)
                return rc;
        }
    }
}

static int start_element(struct doc_state *d, size_t at, uint8_t b, uint8_t page)
{
    struct cur *c = &d->c;
    uint8_t tok = b & WB_TAG_MASK;
    const uint8_t *name = NULL;
    size_t name_len = 0;
    if (tok == WB_LITERAL) {
        uint32_t idx;
        int rc = read_mb(c, &idx, "literal tag name index");
        if (rc != CT_OK)
            return rc;
        rc = strtbl_get(c, at, &d->st, idx, &name, &name_len);
        if (rc != CT_OK)
            return rc;
    } else if (tok < 0x05) {
        char what[96];
        snprintf(what, sizeof(what), "global token 0x%02X is not allowed here (SyncML uses none)", b);
        return fail(c, at, CT_ERR_PARSE, what);
    }
    int rc = push(d, at, role_of(d, page, tok, name, name_len));
    if (rc != CT_OK)
        return rc;
    if (b & WB_TAG_HAS_ATTRS) {
        rc = read_attributes(d);
        if (rc != CT_OK)
            return rc;
    }
    if (!(b & WB_TAG_HAS_CONTENT))
        pop(d);
    return CT_OK;
}

static int read_header(struct doc_state *d, bool nested, struct ct_wbxml_form *out)
{
    struct cur *c = &d->c;
    struct ct_wbxml_form form = {0};
    uint8_t version;
    int rc = read_u8(c, &version, "WBXML version");
    if (rc != CT_OK)
        return rc;
    if (version > 0x03) {
        char what[64];
        snprintf(what, sizeof(what), "unknown WBXML version byte 0x%02X", version);
        return fail(c, 0, CT_ERR_PARSE, what);
    }
    form.version = version;
    size_t pubid_at = c->pos;
    uint32_t pubid, fpi_index = 0;
    rc = read_mb(c, &pubid, "public identifier");
    if (rc == CT_OK && pubid == 0)
        rc = read_mb(c, &fpi_index, "public identifier string index");
    if (rc != CT_OK)
        return rc;
    form.charset = 106; /* WBXML 1.0 has no charset field; UTF-8 is the SyncML default */
    if (version >= 0x01) {
        size_t cs_at = c->pos;
        rc = read_mb(c, &form.charset, "charset");
        if (rc != CT_OK)
            return rc;
        /* UTF-8 and its ASCII subset only: libxml2 receives the text as UTF-8. */
        if (form.charset != 106 && form.charset != 3) {
            char what[96];
            snprintf(what, sizeof(what), "charset MIBenum %u is not supported (UTF-8 is 106)",
                     form.charset);
            return fail(c, cs_at, CT_ERR_ENCODING, what);
        }
    }
    size_t st_at = c->pos;
    uint32_t st_len;
    rc = read_mb(c, &st_len, "string table length");
    if (rc != CT_OK)
        return rc;
    if (st_len > c->len - c->pos)
        return fail(c, st_at, CT_ERR_PARSE, "string table length runs past the end of the input");
    d->st.p = c->p + c->pos;
    d->st.len = st_len;
    c->pos += st_len;

    char named[80];
    if (pubid == 0) {
        const uint8_t *s;
        size_t n;
        rc = strtbl_get(c, pubid_at, &d->st, fpi_index, &s, &n);
        if (rc != CT_OK)
            return rc;
        form.textual_public_id = true;
        for (size_t i = 0; i < sizeof(known_docs) / sizeof(known_docs[0]); i++)
            if (bytes_eq(s, n, known_docs[i].fpi))
                form.doc = known_docs[i].doc;
        snprintf(named, sizeof(named), "public identifier \"%.*s\"", (int)(n < 48 ? n : 48),
                 (const char *)s);
    } else {
        form.public_id = pubid;
        for (size_t i = 0; i < sizeof(known_docs) / sizeof(known_docs[0]); i++)
            if (pubid == known_docs[i].id)
                form.doc = known_docs[i].doc;
        snprintf(named, sizeof(named), "public identifier 0x%X", pubid);
    }
    char what[192];
    if (form.doc == CT_WBXML_DOC_UNKNOWN) {
        snprintf(what, sizeof(what), "%s is not a SyncML 1.1/1.2, DevInf or MetInf document", named);
        return fail(c, pubid_at, CT_ERR_NOT_SYNCML, what);
    }
    if (!nested && !is_syncml(form.doc)) {
        snprintf(what, sizeof(what), "%s: a message must be a SyncML document, not %s", named,
                 ct_wbxml_doc_name(form.doc));
        return fail(c, pubid_at, CT_ERR_NOT_SYNCML, what);
    }
    if (nested && is_syncml(form.doc)) {
        snprintf(what, sizeof(what), "%s: a SyncML message cannot be embedded in <Data>", named);
        return fail(c, pubid_at, CT_ERR_NOT_SYNCML, what);
    }
    d->doc = form.doc;
    if (out != NULL)
        *out = form;
    return CT_OK;
}

static int read_body(struct doc_state *d)
{
    struct cur *c = &d->c;
    uint8_t page = 0;
    bool root_done = false;
    while (c->pos < c->len) {
        size_t at = c->pos;
        uint8_t b = c->p[c->pos++];
        int rc = CT_OK;
        if (root_done)
            return fail(c, at, CT_ERR_PARSE, "data after the end of the root element");
        if (b == WB_SWITCH_PAGE) {
            rc = read_u8(c, &page, "code page number");
            if (rc == CT_OK && !page_allowed(d->doc, page)) {
                char what[96];
                snprintf(what, sizeof(what), "code page %u does not exist in %s", page,
                         ct_wbxml_doc_name(d->doc));
                rc = fail(c, at, CT_ERR_PARSE, what);
            }
            if (rc != CT_OK)
                return rc;
            continue;
        }
        if (d->depth == 0) {
            /* Before the root element only a tag may come (PIs are not used by SyncML). */
            if (b == WB_END || b == WB_ENTITY || b == WB_STR_I || b == WB_STR_T || b == WB_OPAQUE ||
                b == WB_PI)
                return fail(c, at, CT_ERR_PARSE, "content outside the root element");
            rc = start_element(d, at, b, page);
            if (rc != CT_OK)
                return rc;
            root_done = d->depth == 0;
            continue;
        }
        switch (b) {
        case WB_END:
            pop(d);
            root_done = d->depth == 0;
            break;
        case WB_ENTITY: {
            uint32_t code;
            rc = read_mb(c, &code, "entity code");
            if (rc == CT_OK && (code == 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)))
                rc = fail(c, at, CT_ERR_PARSE, "entity is not a Unicode scalar value");
            if (rc == CT_OK)
                rc = on_text(d, at, (const uint8_t *)"", 0, TEXT_ENTITY);
            break;
        }
        case WB_STR_I: {
            const uint8_t *s;
            size_t n;
            rc = read_termstr(c, &s, &n);
            if (rc == CT_OK)
                rc = on_text(d, at, s, n, TEXT_INLINE);
            break;
        }
        case WB_STR_T: {
            uint32_t idx;
            const uint8_t *s;
            size_t n;
            rc = read_mb(c, &idx, "string table index");
            if (rc == CT_OK)
                rc = strtbl_get(c, at, &d->st, idx, &s, &n);
            if (rc == CT_OK)
                rc = on_text(d, at, s, n, TEXT_TABLE);
            break;
        }
        case WB_OPAQUE: {
            uint32_t n;
            rc = read_mb(c, &n, "OPAQUE length");
            if (rc == CT_OK && n > c->len - c->pos) {
                char what[128];
                snprintf(what, sizeof(what), "OPAQUE length %u runs past the end of the input "
                         "(%zu bytes left)", n, c->len - c->pos);
                rc = fail(c, at, CT_ERR_PARSE, what);
            }
            if (rc == CT_OK) {
                const uint8_t *s = c->p + c->pos;
                c->pos += n;
                rc = on_text(d, at, s, n, TEXT_OPAQUE);
            }
            break;
        }
        default:
            /* Everything else is a tag, except the extension and PI tokens. */
            if ((b & WB_TAG_MASK) < 0x05 && (b & WB_TAG_MASK) != WB_LITERAL) {
                char what[96];
                snprintf(what, sizeof(what),
                         "global token 0x%02X (extension or PI) is not used by SyncML", b);
                rc = fail(c, at, CT_ERR_PARSE, what);
                break;
            }
            rc = start_element(d, at, b, page);
            break;
        }
        if (rc != CT_OK)
            return rc;
        root_done = d->depth == 0;
    }
    if (d->depth > 0) {
        ct_diag_set(c->diag, CT_ERR_PARSE,
                    "WBXML offset %zu: truncated: %u element(s) still open at the end of the input",
                    OFF(c, c->len), d->depth);
        return CT_ERR_PARSE;
    }
    if (!root_done)
        return fail(c, c->pos, CT_ERR_PARSE, "truncated: no root element");
    return CT_OK;
}

static int check_doc(const uint8_t *data, size_t len, size_t base, unsigned max_depth, bool nested,
                     struct ct_wbxml_form *form, struct ct_wbxml_spans *mislabelled,
                     struct ct_diag *diag)
{
    struct doc_state d = {
        .c = {.p = data, .len = len, .pos = 0, .base = base, .diag = diag},
        .max_depth = max_depth,
        .mislabelled = mislabelled,
    };
    if (max_depth == 0)
        return fail(&d.c, 0, CT_ERR_TOO_DEEP, "no nesting depth left for an embedded document");
    d.stack = calloc((size_t)max_depth + 1, sizeof(*d.stack));
    if (d.stack == NULL)
        return CT_ERR_NOMEM;
    int rc = read_header(&d, nested, form);
    if (rc == CT_OK)
        rc = read_body(&d);
    free(d.stack);
    return rc;
}

int ct_wbxml_walk(const uint8_t *data, size_t len, unsigned max_depth, struct ct_wbxml_form *form,
                  struct ct_wbxml_spans *mislabelled, struct ct_diag *diag)
{
    return check_doc(data, len, 0, max_depth, false, form, mislabelled, diag);
}

int ct_wbxml_check(const uint8_t *data, size_t len, unsigned max_depth, struct ct_wbxml_form *form,
                   struct ct_diag *diag)
{
    return check_doc(data, len, 0, max_depth, false, form, NULL, diag);
}
