/*
 * The live fuzzer's mutators: what to do to one package conftest sends, written as the
 * scenario language's own send directives so that the engine applies them (structure edits on
 * the message before encryption, then the profile's sealing with the session keys, then tampering
 * with what was sealed, then with the encoded bytes) and a finding is a readable scenario.
 *
 * Where to mutate comes from the package's template: its elements, as XPath paths. What to
 * write there follows what breaks parsers of length- and count-carrying protocols: values far
 * longer than any sane buffer, numbers at the edges of 0, 2^31 and 2^32 and below any usable
 * message size, declared lengths that disagree with the data (a large-object chunk longer than
 * its Size), elements removed, duplicated, unknown or in the wrong place; and, with the
 * profile, flipped, cut or swapped sealed fields and a broken wrapped key.
 */
#include "livefuzz/ct_lfz_int.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the generator ---- */

void lfz_rng_seed(struct lfz_rng *r, unsigned long seed, unsigned candidate)
{
    r->s = (uint64_t)seed * 0x9E3779B97F4A7C15ull ^ ((uint64_t)candidate + 1) * 0xD1B54A32D192ED03ull;
    lfz_rand(r);
}

uint64_t lfz_rand(struct lfz_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

unsigned lfz_below(struct lfz_rng *r, unsigned n)
{
    return n > 1 ? (unsigned)(lfz_rand(r) % n) : 0;
}

#define PICK(r, a) ((a)[lfz_below((r), (unsigned)(sizeof(a) / sizeof((a)[0])))])

void lfz_op_line(const struct lfz_op *op, size_t k, char *out, size_t size)
{
    const char *line = op->lines[k];
    const char *at = strstr(line, "@N@");
    if (at == NULL)
        snprintf(out, size, "%s", line);
    else
        snprintf(out, size, "%.*s%u%s", (int)(at - line), line, op->n, at + 3);
}

/* ---- the template's elements ---- */

static bool under_removed(const char *path, const struct ct_scn_step *st)
{
    /* `remove //Sync/Add` takes /SyncML/SyncBody/Sync/Add and everything under it away. */
    for (size_t i = 0; i < st->n_dirs; i++) {
        const struct ct_scn_dir *d = &st->dirs[i];
        if (strcmp(d->name, "remove") != 0 || d->n_args < 1)
            continue;
        const char *x = d->args[0];
        while (*x == '/')
            x++;
        char needle[300];
        snprintf(needle, sizeof(needle), "/%s", x);
        const char *hit = strstr(path, needle);
        if (hit != NULL && (hit[strlen(needle)] == '\0' || hit[strlen(needle)] == '/'))
            return true;
    }
    return false;
}

static int add_elem(struct lfz_target *t, const char *path, bool leaf, bool in_data)
{
    for (size_t i = 0; i < t->n_elems; i++)
        if (strcmp(t->elems[i].path, path) == 0)
            return CT_OK;
    struct lfz_elem *v = realloc(t->elems, (t->n_elems + 1) * sizeof(*v));
    if (v == NULL)
        return CT_ERR_NOMEM;
    t->elems = v;
    struct lfz_elem *e = &t->elems[t->n_elems];
    e->path = strdup(path);
    if (e->path == NULL)
        return CT_ERR_NOMEM;
    e->name = strrchr(e->path, '/') + 1;
    e->leaf = leaf;
    e->in_data = in_data;
    /* Every server reads the header first and all of it: its fields get the most attention. */
    e->weight = strstr(path, "/SyncHdr") != NULL ? 4 : in_data ? 1 : 2;
    t->total_weight += e->weight;
    t->n_elems++;
    return CT_OK;
}

static int walk(struct lfz_target *t, xmlNode *n, const char *parent, bool in_data, const struct ct_scn_step *st)
{
    for (; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        char path[512];
        if (snprintf(path, sizeof(path), "%s/%s", parent, (const char *)n->name) >= (int)sizeof(path))
            continue;
        if (under_removed(path, st))
            continue;
        bool leaf = true;
        for (xmlNode *c = n->children; c != NULL; c = c->next)
            leaf = leaf && c->type != XML_ELEMENT_NODE;
        int rc = add_elem(t, path, leaf, in_data);
        if (rc != CT_OK)
            return rc;
        if (t->item_path[0] == '\0' && strcmp((const char *)n->name, "Data") == 0 && leaf &&
            (strstr(parent, "/Add/Item") != NULL || strstr(parent, "/Replace/Item") != NULL))
            snprintf(t->item_path, sizeof(t->item_path), "%s", parent);
        rc = walk(t, n->children, path, in_data || strcmp((const char *)n->name, "Data") == 0, st);
        if (rc != CT_OK)
            return rc;
    }
    return CT_OK;
}

int lfz_target_load(struct lfz_target *t, const char *template_path, const struct ct_scn_step *st,
                    struct ct_diag *diag)
{
    memset(t, 0, sizeof(*t));
    xmlDoc *doc = xmlReadFile(template_path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL)
        return ct_diag_set(diag, CT_ERR_PARSE, "template %s is not well-formed XML", template_path);
    xmlNode *root = xmlDocGetRootElement(doc);
    int rc = walk(t, root, "", false, st);
    xmlFreeDoc(doc);
    for (size_t i = 0; i < st->n_dirs; i++) {
        const char *n = st->dirs[i].name;
        t->encrypts = t->encrypts || strcmp(n, "encrypt") == 0;
        t->offers = t->offers || strcmp(n, "offer") == 0;
        if (strcmp(n, "encoding") == 0 && st->dirs[i].n_args > 0)
            t->wbxml = strcmp(st->dirs[i].args[0], "wbxml") == 0;
    }
    if (rc == CT_OK && t->n_elems < 2)
        rc = ct_diag_set(diag, CT_ERR_PARSE, "template %s has nothing to mutate", template_path);
    if (rc != CT_OK)
        lfz_target_free(t);
    return rc;
}

void lfz_target_free(struct lfz_target *t)
{
    for (size_t i = 0; i < t->n_elems; i++)
        free(t->elems[i].path);
    free(t->elems);
    memset(t, 0, sizeof(*t));
}

static const struct lfz_elem *pick_elem(struct lfz_rng *r, const struct lfz_target *t, bool leaf_only)
{
    for (int tries = 0; tries < 16; tries++) {
        unsigned w = lfz_below(r, t->total_weight);
        for (size_t i = 0; i < t->n_elems; i++) {
            if (w < t->elems[i].weight) {
                if (!leaf_only || t->elems[i].leaf)
                    return &t->elems[i];
                break;
            }
            w -= t->elems[i].weight;
        }
    }
    return &t->elems[t->n_elems - 1];
}

/* ---- the mutations ---- */

static void op_line(struct lfz_op *op, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void op_line(struct lfz_op *op, const char *fmt, ...)
{
    if (op->n_lines == LFZ_OP_LINES)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(op->lines[op->n_lines++], LFZ_LINE, fmt, ap);
    va_end(ap);
}

/* Elements that carry numbers: sizes, counts, identifiers, codes. */
static bool numeric(const struct lfz_elem *e)
{
    static const char *const names[] = {"MaxMsgSize", "MaxObjSize", "Size", "MsgID", "CmdID", "MsgRef",
                                        "CmdRef", "NumberOfChanges", "FreeMem", "FreeID", "MaxGUIDSize",
                                        "SyncType", "VerDTD"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(e->name, names[i]) == 0)
            return true;
    /* Alert and Status carry their code in Data. */
    return strcmp(e->name, "Data") == 0 && (strstr(e->path, "/Alert/Data") != NULL || strstr(e->path, "/Status/Data") != NULL);
}

/* set PATH VALUE: a value at an edge. */
static void mut_set(struct lfz_rng *r, const struct lfz_target *t, struct lfz_op *op)
{
    const struct lfz_elem *e = pick_elem(r, t, true);
    if (numeric(e)) {
        static const char *const nums[] = {"0", "1", "2", "64", "100", "300", "-1", "2147483647", "2147483648",
                                           "4294967295", "4294967296", "18446744073709551616", "007", " 1 ",
                                           "1e3", "0x10", "", "x"};
        op_line(op, "set %s \"%s\"", e->path, PICK(r, nums));
        return;
    }
    if (lfz_below(r, 100) < 45) {
        /* Far longer than any fixed buffer a SUT may have for it. */
        static const unsigned lens[] = {256, 1024, 4096, 65536};
        static const char *const fill[] = {"A", "%n", "\xc3\xa4", "9"};
        op->n = PICK(r, lens);
        op_line(op, "set %s ${repeat:@N@:%s}", e->path, PICK(r, fill));
        return;
    }
    static const char *const odd[] = {"", "0", "-1", "%s%s%s%n", "../../../../etc/passwd", "\xc3\x84\xe2\x82\xac\xf0\x9d\x84\x9e",
                                      "]]>", "SyncML/9.9", "9.9", "syncml:auth-none", " ", "\\x00", "./", "*"};
    op_line(op, "set %s \"%s\"", e->path, PICK(r, odd));
}

/* remove PATH: an element that should be there is not. */
static void mut_remove(struct lfz_rng *r, const struct lfz_target *t, struct lfz_op *op)
{
    const struct lfz_elem *e = pick_elem(r, t, false);
    if (strcmp(e->path, "/SyncML") == 0)
        e = &t->elems[t->n_elems - 1];
    op_line(op, "remove %s", e->path);
}

/* A table of optional DS 1.2 elements and where they go, with values at an edge. "@N@" is the
 * fragment's size (a repeat count) where it has one. */
struct fragment {
    const char *parent;    /* the parent's name, or "" for any element */
    const char *xml;
    unsigned n;
};

static void mut_add(struct lfz_rng *r, const struct lfz_target *t, struct lfz_op *op)
{
    static const struct fragment frags[] = {
        {"Source", "<LocName>${repeat:@N@:A}</LocName>", 4096},
        {"Target", "<LocName>${repeat:@N@:B}</LocName>", 4096},
        {"SyncHdr", "<Meta><MaxMsgSize xmlns='syncml:metinf'>300</MaxMsgSize></Meta>", 0},
        {"SyncHdr", "<Meta><MaxMsgSize xmlns='syncml:metinf'>1</MaxMsgSize></Meta>", 0},
        {"SyncHdr", "<Meta><MaxObjSize xmlns='syncml:metinf'>1</MaxObjSize></Meta>", 0},
        {"SyncHdr", "<RespURI>${repeat:@N@:r}</RespURI>", 4096},
        {"SyncHdr", "<NoResp/>", 0},
        {"Meta", "<MaxMsgSize xmlns='syncml:metinf'>100</MaxMsgSize>", 0},
        {"Item", "<MoreData/>", 0},
        {"Item", "<Meta><Size xmlns='syncml:metinf'>1</Size></Meta>", 0},
        {"Item", "<Data>${repeat:@N@:d}</Data>", 65536},
        {"SyncBody", "<Status><CmdID>99</CmdID><MsgRef>1</MsgRef><CmdRef>77</CmdRef><Cmd>Sync</Cmd><Data>200</Data></Status>", 0},
        {"SyncBody", "<Alert><CmdID>98</CmdID><Data>222</Data></Alert>", 0},
        {"SyncBody", "<Final/>", 0},
        {"SyncBody", "<Frobnicate><CmdID>97</CmdID></Frobnicate>", 0},
        {"SyncBody", "<Sync><CmdID>96</CmdID>${repeat:@N@:<Add><CmdID>1</CmdID></Add>}</Sync>", 1000},
        {"Sync", "<Add><CmdID>95</CmdID><Item><Source><LocURI>${repeat:@N@:L}</LocURI></Source><Data>x</Data></Item></Add>", 4096},
        {"Sync", "<NumberOfChanges>4294967295</NumberOfChanges>", 0},
        {"", "<NoResp/>", 0},
        {"", "<X-Unknown>${repeat:@N@:u}</X-Unknown>", 1024},
        {"", "<Item/>", 0},
        {"", "<CmdID>0</CmdID>", 0},
    };
    for (int tries = 0; tries < 24; tries++) {
        const struct fragment *f = &PICK(r, frags);
        const struct lfz_elem *at = NULL;
        if (f->parent[0] == '\0') {
            at = pick_elem(r, t, false);
        } else {
            /* The first element of that name (one is enough: `add` appends to every match). */
            for (size_t i = 0; i < t->n_elems && at == NULL; i++)
                if (strcmp(t->elems[i].name, f->parent) == 0 && !t->elems[i].in_data)
                    at = &t->elems[i];
        }
        if (at == NULL)
            continue;
        op->n = strstr(f->xml, "@N@") != NULL ? f->n : 0;
        op_line(op, "add %s \"%s\"", at->path, f->xml);
        return;
    }
    mut_set(r, t, op);
}

/* A large-object chunk whose data is longer than the Size it announces (DS 1.2 large objects):
 * the classic unchecked copy into a buffer of the declared size. */
static void mut_length_lie(struct lfz_rng *r, const struct lfz_target *t, struct lfz_op *op)
{
    static const unsigned sizes[] = {1, 16, 64};
    static const unsigned lens[] = {1024, 4096, 65536};
    op->n = PICK(r, lens);
    op_line(op, "set %s/Data ${repeat:@N@:x}", t->item_path);
    op_line(op, "add %s \"<Meta><Size xmlns='syncml:metinf'>%u</Size></Meta>\"", t->item_path, PICK(r, sizes));
    if (lfz_below(r, 4) != 0)
        op_line(op, "add %s \"<MoreData/>\"", t->item_path);
}

/* The encoded message itself: bytes flipped, cut or added. */
static void mut_bytes(struct lfz_rng *r, struct lfz_op *op)
{
    static const char *const pats[] = {"ff", "00", "80", "3c", "26", "01"};
    switch (lfz_below(r, 3)) {
    case 0: op_line(op, "mutate bytes xor %s at %u", PICK(r, pats), lfz_below(r, 400)); break;
    case 1:
        op->n = 1 + lfz_below(r, 200);
        op_line(op, "mutate bytes truncate @N@");
        break;
    default: op_line(op, "mutate bytes append %s", PICK(r, pats)); break;
    }
}

static void mut_transport(struct lfz_rng *r, const struct lfz_target *t, struct lfz_op *op)
{
    static const char *const types[] = {"text/plain", "application/vnd.syncml+wbxml", "application/vnd.syncml+xml",
                                        "application/xml", "application/vnd.syncml+xml;charset=utf-16", ""};
    if (lfz_below(r, 2) == 0)
        op_line(op, "encoding %s", t->wbxml ? "xml" : "wbxml");
    else
        op_line(op, "content-type \"%s\"", PICK(r, types));
}

/* The profile: a sealed field's IV, body or tag flipped, cut, extended or swapped. */
static void mut_field(struct lfz_rng *r, struct lfz_op *op)
{
    static const char *const parts[] = {"iv", "body", "tag", "header", "all"};
    /* Most packages seal one or two fields: the first is the surest target. */
    unsigned x = lfz_below(r, 20), n = x < 12 ? 1 : x < 17 ? 2 : 3;
    switch (lfz_below(r, 5)) {
    case 0: op_line(op, "mutate field %u %s xor 01 at %u", n, PICK(r, parts), lfz_below(r, 4)); break;
    case 1: op_line(op, "mutate field %u %s truncate %u", n, PICK(r, parts), 1 + lfz_below(r, 8)); break;
    case 2: op_line(op, "mutate field %u %s append 00", n, PICK(r, parts)); break;
    case 3: op_line(op, "mutate field %u swap %u", n, n % 3 + 1); break;
    default: {
        static const char *const texts[] = {"!!!!", "", "AAAA", "====", "QQ=", "A"};
        op_line(op, "mutate field %u text \"%s\"", n, PICK(r, texts));
    }
    }
}

static void mut_key(struct lfz_rng *r, struct lfz_op *op)
{
    op_line(op, "mutate key xor %02x at %u", 1u << lfz_below(r, 8), lfz_below(r, 256));
}

void lfz_mutate(struct lfz_rng *r, const struct lfz_target *t, struct lfz_op *op)
{
    memset(op, 0, sizeof(*op));
    /* Weights: values and structure first; the profile's levers when the package has them. */
    unsigned w_set = 40, w_add = 16, w_lie = t->item_path[0] ? 10 : 0, w_remove = 8, w_bytes = 8,
             w_transport = 4, w_field = t->encrypts ? 16 : 0, w_key = t->offers ? 6 : 0;
    unsigned x = lfz_below(r, w_set + w_add + w_lie + w_remove + w_bytes + w_transport + w_field + w_key);
    if (x < w_set)
        return mut_set(r, t, op);
    x -= w_set;
    if (x < w_add)
        return mut_add(r, t, op);
    x -= w_add;
    if (x < w_lie)
        return mut_length_lie(r, t, op);
    x -= w_lie;
    if (x < w_remove)
        return mut_remove(r, t, op);
    x -= w_remove;
    if (x < w_bytes)
        return mut_bytes(r, op);
    x -= w_bytes;
    if (x < w_transport)
        return mut_transport(r, t, op);
    x -= w_transport;
    if (x < w_field)
        return mut_field(r, op);
    mut_key(r, op);
}
