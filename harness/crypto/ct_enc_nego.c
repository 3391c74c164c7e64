#include "crypto/ct_enc_nego.h"

#include "base/ct_b64.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ct_enc_is_profile_text(const char *text)
{
    return text != NULL && strncmp(text, "syncml-enc/", 11) == 0;
}

/* A parameter: name=value, pointing into the text. */
struct param {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

#define MAX_PARAMS 16

/*
 * Split "syncml-enc/1;a=b;c=d" into parameters after checking the version. Unknown names are
 * kept (the caller ignores them); a repeated name is an error.
 */
static int split(const char *text, struct param *ps, size_t *n, struct ct_diag *diag)
{
    size_t len = strlen(text);
    if (len > CT_ENC_MAX_TEXT)
        return ct_diag_set(diag, CT_ERR_PROTO, "profile text of %zu bytes is longer than %d", len,
                           CT_ENC_MAX_TEXT);
    size_t vlen = strcspn(text, ";");
    if (vlen != strlen(CT_ENC_VERSION) || memcmp(text, CT_ENC_VERSION, vlen) != 0)
        return ct_diag_set(diag, CT_ERR_PROTO, "version '%.*s' is not " CT_ENC_VERSION,
                           (int)(vlen < 40 ? vlen : 40), text);
    *n = 0;
    const char *p = text + vlen;
    while (*p == ';') {
        p++;
        size_t item = strcspn(p, ";");
        const char *eq = memchr(p, '=', item);
        if (eq == NULL || eq == p)
            return ct_diag_set(diag, CT_ERR_PROTO, "parameter '%.*s' is not name=value",
                               (int)(item < 40 ? item : 40), p);
        if (*n == MAX_PARAMS)
            return ct_diag_set(diag, CT_ERR_PROTO, "more than %d parameters", MAX_PARAMS);
        struct param cur = {p, (size_t)(eq - p), eq + 1, item - (size_t)(eq - p) - 1};
        for (size_t i = 0; i < *n; i++)
            if (ps[i].name_len == cur.name_len && memcmp(ps[i].name, cur.name, cur.name_len) == 0)
                return ct_diag_set(diag, CT_ERR_PROTO, "parameter '%.*s' is repeated",
                                   (int)cur.name_len, cur.name);
        ps[(*n)++] = cur;
        p += item;
    }
    if (*p != '\0')
        return ct_diag_set(diag, CT_ERR_PROTO, "unexpected text after the version");
    return CT_OK;
}

static const struct param *find(const struct param *ps, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (ps[i].name_len == strlen(name) && memcmp(ps[i].name, name, ps[i].name_len) == 0)
            return &ps[i];
    return NULL;
}

static const struct param *need(const struct param *ps, size_t n, const char *name,
                                struct ct_diag *diag)
{
    const struct param *p = find(ps, n, name);
    if (p == NULL)
        ct_diag_set(diag, CT_ERR_PROTO, "parameter '%s' is missing", name);
    else if (p->value_len == 0)
        ct_diag_set(diag, CT_ERR_PROTO, "parameter '%s' is empty", name);
    return p != NULL && p->value_len > 0 ? p : NULL;
}

/* A comma list of algorithm names: known ones as ids, unknown ones as 0. */
static int parse_algs(const struct param *p, uint8_t *algs, size_t *n, struct ct_diag *diag)
{
    *n = 0;
    const char *s = p->value, *end = p->value + p->value_len;
    while (s < end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        size_t len = (size_t)((comma != NULL ? comma : end) - s);
        if (len == 0)
            return ct_diag_set(diag, CT_ERR_PROTO, "empty name in '%.*s'", (int)p->name_len, p->name);
        if (*n == CT_ENC_MAX_ALGS)
            return ct_diag_set(diag, CT_ERR_PROTO, "more than %d algorithms", CT_ENC_MAX_ALGS);
        const struct ct_enc_alg *a = ct_enc_alg_by_name(s, len);
        algs[(*n)++] = a != NULL ? a->id : 0;
        s += len + (comma != NULL ? 1 : 0);
        if (comma != NULL && s == end)
            return ct_diag_set(diag, CT_ERR_PROTO, "'%.*s' ends with a comma", (int)p->name_len, p->name);
    }
    return CT_OK;
}

static int parse_parts(const struct param *p, unsigned *parts, struct ct_diag *diag)
{
    *parts = 0;
    const char *s = p->value, *end = p->value + p->value_len;
    while (s < end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        size_t len = (size_t)((comma != NULL ? comma : end) - s);
        unsigned bit = 0;
        for (unsigned b = CT_ENC_PART_CRED; b <= CT_ENC_PART_DATA; b <<= 1)
            if (strlen(ct_enc_part_name(b)) == len && memcmp(ct_enc_part_name(b), s, len) == 0)
                bit = b;
        if (bit == 0)
            return ct_diag_set(diag, CT_ERR_PROTO, "unknown part '%.*s'", (int)(len < 20 ? len : 20), s);
        if (*parts & bit)
            return ct_diag_set(diag, CT_ERR_PROTO, "part '%.*s' is repeated", (int)len, s);
        *parts |= bit;
        s += len + (comma != NULL ? 1 : 0);
        if (comma != NULL && s == end)
            return ct_diag_set(diag, CT_ERR_PROTO, "parts end with a comma");
    }
    return CT_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static int parse_kid(const struct param *p, uint8_t kid[CT_ENC_KID_LEN], struct ct_diag *diag)
{
    if (p->value_len != 2 * CT_ENC_KID_LEN)
        return ct_diag_set(diag, CT_ERR_PROTO, "kid must be %d lowercase hex digits", 2 * CT_ENC_KID_LEN);
    for (size_t i = 0; i < CT_ENC_KID_LEN; i++) {
        int hi = hexval(p->value[2 * i]), lo = hexval(p->value[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return ct_diag_set(diag, CT_ERR_PROTO, "kid must be %d lowercase hex digits", 2 * CT_ENC_KID_LEN);
        kid[i] = (uint8_t)(hi << 4 | lo);
    }
    return CT_OK;
}

int ct_enc_offer_parse(struct ct_enc_offer *o, const char *text, struct ct_diag *diag)
{
    memset(o, 0, sizeof(*o));
    struct param ps[MAX_PARAMS];
    size_t n = 0;
    int rc = split(text, ps, &n, diag);
    if (rc != CT_OK)
        return rc;
    const struct param *alg = need(ps, n, "alg", diag), *kt = need(ps, n, "kt", diag),
                       *parts = need(ps, n, "parts", diag), *kid = need(ps, n, "kid", diag),
                       *key = need(ps, n, "key", diag);
    if (alg == NULL || kt == NULL || parts == NULL || kid == NULL || key == NULL)
        return CT_ERR_PROTO;
    rc = parse_algs(alg, o->algs, &o->n_algs, diag);
    if (rc == CT_OK)
        rc = parse_parts(parts, &o->parts, diag);
    if (rc == CT_OK && parts->value_len >= sizeof(o->parts_text))
        rc = ct_diag_set(diag, CT_ERR_PROTO, "parts list too long");
    if (rc == CT_OK)
        memcpy(o->parts_text, parts->value, parts->value_len);
    if (rc == CT_OK)
        rc = parse_kid(kid, o->kid, diag);
    if (rc != CT_OK)
        return rc;
    o->kt = ct_enc_kt_by_name(kt->value, kt->value_len);

    char *b64 = malloc(key->value_len + 1);
    if (b64 == NULL)
        return CT_ERR_NOMEM;
    memcpy(b64, key->value, key->value_len);
    b64[key->value_len] = '\0';
    uint8_t *wrapped = NULL;
    size_t wrapped_len = 0;
    rc = ct_b64_decode(&wrapped, &wrapped_len, b64);
    free(b64);
    if (rc == CT_ERR_NOMEM)
        return rc;
    if (rc != CT_OK || wrapped_len == 0 || wrapped_len > CT_ENC_MAX_WRAPPED) {
        free(wrapped);
        return ct_diag_set(diag, CT_ERR_PROTO, "key is not base64 of 1 to %d bytes", CT_ENC_MAX_WRAPPED);
    }
    memcpy(o->wrapped, wrapped, wrapped_len);
    o->wrapped_len = wrapped_len;
    free(wrapped);
    return CT_OK;
}

static int put_algs(struct ct_buf *out, const uint8_t *algs, size_t n)
{
    int rc = CT_OK;
    for (size_t i = 0; rc == CT_OK && i < n; i++) {
        const struct ct_enc_alg *a = ct_enc_alg_by_id(algs[i]);
        if (a == NULL)
            return CT_ERR_INVALID_ARG;
        rc = ct_buf_printf(out, "%s%s", i > 0 ? "," : "", a->name);
    }
    return rc;
}

static int put_kid(struct ct_buf *out, const uint8_t kid[CT_ENC_KID_LEN])
{
    int rc = CT_OK;
    for (size_t i = 0; rc == CT_OK && i < CT_ENC_KID_LEN; i++)
        rc = ct_buf_printf(out, "%02x", kid[i]);
    return rc;
}

int ct_enc_offer_format(struct ct_buf *out, const struct ct_enc_offer *o)
{
    const char *kt = ct_enc_kt_name(o->kt);
    if (kt == NULL || o->n_algs == 0)
        return CT_ERR_INVALID_ARG;
    int rc = ct_buf_append_str(out, CT_ENC_VERSION ";alg=");
    if (rc == CT_OK)
        rc = put_algs(out, o->algs, o->n_algs);
    if (rc == CT_OK)
        rc = ct_buf_printf(out, ";kt=%s;parts=", kt);
    /* The parts in the profile's order, unless the caller wrote its own list. */
    if (rc == CT_OK && o->parts_text[0] != '\0') {
        rc = ct_buf_append_str(out, o->parts_text);
    } else {
        bool first = true;
        for (unsigned b = CT_ENC_PART_CRED; rc == CT_OK && b <= CT_ENC_PART_DATA; b <<= 1) {
            if (!(o->parts & b))
                continue;
            rc = ct_buf_printf(out, "%s%s", first ? "" : ",", ct_enc_part_name(b));
            first = false;
        }
    }
    if (rc == CT_OK)
        rc = ct_buf_append_str(out, ";kid=");
    if (rc == CT_OK)
        rc = put_kid(out, o->kid);
    if (rc == CT_OK)
        rc = ct_buf_append_str(out, ";key=");
    char *b64 = rc == CT_OK ? ct_b64_encode_alloc(o->wrapped, o->wrapped_len) : NULL;
    if (rc == CT_OK)
        rc = b64 != NULL ? ct_buf_append_str(out, b64) : CT_ERR_NOMEM;
    free(b64);
    return rc;
}

void ct_enc_policy_default(struct ct_enc_policy *p)
{
    static const uint8_t algs[] = {0x02, 0x01, 0x13, 0x12, 0x11};
    memset(p, 0, sizeof(*p));
    memcpy(p->algs, algs, sizeof(algs));
    p->n_algs = sizeof(algs);
    p->kts = 1u << CT_ENC_KT_OAEP_SHA256;
}

int ct_enc_offer_check(const struct ct_enc_offer *o, const struct ct_enc_policy *p,
                       const uint8_t (*kids)[CT_ENC_KID_LEN], size_t n_kids,
                       const struct ct_enc_alg **alg, struct ct_diag *diag)
{
    if (o->kt == CT_ENC_KT_UNKNOWN || !(p->kts & (1u << o->kt)))
        return ct_diag_set(diag, CT_ERR_UNSUPPORTED, "key transport not accepted");
    bool kid_known = false;
    for (size_t i = 0; i < n_kids; i++)
        kid_known = kid_known || memcmp(kids[i], o->kid, CT_ENC_KID_LEN) == 0;
    if (!kid_known)
        return ct_diag_set(diag, CT_ERR_UNSUPPORTED, "kid names no certificate of this server");
    /* ENC-NEG-4: the first offered algorithm or nothing. */
    bool allowed = false;
    for (size_t i = 0; i < p->n_algs; i++)
        allowed = allowed || (o->n_algs > 0 && o->algs[0] != 0 && p->algs[i] == o->algs[0]);
    if (!allowed)
        return ct_diag_set(diag, CT_ERR_UNSUPPORTED, "the first offered algorithm is not accepted");
    *alg = ct_enc_alg_by_id(o->algs[0]);
    return CT_OK;
}

/* The selection text without its confirm: "syncml-enc/1;sel=<alg>;parts=<parts>". */
static int selection_head(struct ct_buf *out, const struct ct_enc_session *s, const char *parts)
{
    return ct_buf_printf(out, CT_ENC_VERSION ";sel=%s;parts=%s", s->alg->name, parts);
}

static int confirm_mac(uint8_t mac[CT_SHA256_LEN], const struct ct_enc_session *s,
                       const char *offer_text, const struct ct_buf *head)
{
    static const char label[] = CT_ENC_VERSION " confirm";
    const struct ct_bytes parts[] = {
        {(const uint8_t *)label, sizeof(label)}, /* with its NUL: the 0x00 separator */
        {(const uint8_t *)offer_text, strlen(offer_text) + 1},
        {head->data, head->len},
    };
    return ct_hmac_sha256(mac, s->confirm_key, sizeof(s->confirm_key), parts, 3);
}

int ct_enc_selection_format(struct ct_buf *out, const struct ct_enc_session *s,
                            const char *offer_text, const char *parts_text)
{
    struct ct_buf head;
    ct_buf_init(&head, 0);
    uint8_t mac[CT_SHA256_LEN];
    int rc = selection_head(&head, s, parts_text);
    if (rc == CT_OK)
        rc = confirm_mac(mac, s, offer_text, &head);
    char *b64 = rc == CT_OK ? ct_b64_encode_alloc(mac, sizeof(mac)) : NULL;
    if (rc == CT_OK && b64 == NULL)
        rc = CT_ERR_NOMEM;
    if (rc == CT_OK)
        rc = ct_buf_append(out, head.data, head.len);
    if (rc == CT_OK)
        rc = ct_buf_printf(out, ";confirm=%s", b64);
    free(b64);
    ct_buf_cleanup(&head);
    return rc;
}

int ct_enc_selection_check(const struct ct_enc_session *s, const char *offer_text,
                           const struct ct_enc_offer *sent, const char *selection_text,
                           struct ct_diag *diag)
{
    if (selection_text == NULL)
        return ct_diag_set(diag, CT_ERR_PROTO, "the server sent no selection");
    struct param ps[MAX_PARAMS];
    size_t n = 0;
    int rc = split(selection_text, ps, &n, diag);
    if (rc != CT_OK)
        return rc;
    const struct param *sel = need(ps, n, "sel", diag), *parts = need(ps, n, "parts", diag),
                       *confirm = need(ps, n, "confirm", diag);
    if (sel == NULL || parts == NULL || confirm == NULL)
        return CT_ERR_PROTO;
    const struct ct_enc_alg *first = ct_enc_alg_by_id(sent->algs[0]);
    if (first == NULL || sel->value_len != strlen(first->name) ||
        memcmp(sel->value, first->name, sel->value_len) != 0)
        return ct_diag_set(diag, CT_ERR_PROTO, "sel '%.*s' is not the first offered algorithm",
                           (int)(sel->value_len < 40 ? sel->value_len : 40), sel->value);
    if (parts->value_len != strlen(sent->parts_text) ||
        memcmp(parts->value, sent->parts_text, parts->value_len) != 0)
        return ct_diag_set(diag, CT_ERR_PROTO, "parts '%.*s' are not the offered parts",
                           (int)(parts->value_len < 40 ? parts->value_len : 40), parts->value);
    struct ct_buf head;
    ct_buf_init(&head, 0);
    uint8_t want[CT_SHA256_LEN];
    rc = selection_head(&head, s, sent->parts_text);
    if (rc == CT_OK)
        rc = confirm_mac(want, s, offer_text, &head);
    ct_buf_cleanup(&head);
    if (rc != CT_OK)
        return rc;
    char b64[64];
    bool ok = confirm->value_len == ct_b64_encoded_len(sizeof(want));
    if (ok) {
        ct_b64_encode(b64, want, sizeof(want));
        ok = ct_memeq(b64, confirm->value, confirm->value_len);
    }
    ct_wipe(want, sizeof(want));
    if (!ok)
        return ct_diag_set(diag, CT_ERR_PROTO, "confirm does not match the offer as sent");
    return CT_OK;
}

int ct_enc_caps_format(struct ct_buf *out, const struct ct_enc_caps *c)
{
    int rc = ct_buf_append_str(out, CT_ENC_VERSION ";supported=");
    if (rc == CT_OK)
        rc = put_algs(out, c->algs, c->n_algs);
    if (rc == CT_OK)
        rc = ct_buf_append_str(out, ";kt=");
    bool first = true;
    for (int kt = CT_ENC_KT_OAEP_SHA256; rc == CT_OK && kt <= CT_ENC_KT_PKCS1; kt++) {
        if (!(c->kts & (1u << kt)))
            continue;
        rc = ct_buf_printf(out, "%s%s", first ? "" : ",", ct_enc_kt_name((enum ct_enc_kt)kt));
        first = false;
    }
    if (rc == CT_OK)
        rc = ct_buf_append_str(out, ";kid=");
    if (rc == CT_OK)
        rc = put_kid(out, c->kid);
    if (rc == CT_OK && c->required)
        rc = ct_buf_append_str(out, ";required");
    return rc;
}

int ct_enc_caps_parse(struct ct_enc_caps *c, const char *text, struct ct_diag *diag)
{
    memset(c, 0, sizeof(*c));
    /* "required" is a flag without a value: take it off before splitting. */
    size_t len = strlen(text);
    static const char flag[] = ";required";
    char *copy = strdup(text);
    if (copy == NULL)
        return CT_ERR_NOMEM;
    if (len >= sizeof(flag) - 1 && strcmp(copy + len - (sizeof(flag) - 1), flag) == 0) {
        c->required = true;
        copy[len - (sizeof(flag) - 1)] = '\0';
    }
    struct param ps[MAX_PARAMS];
    size_t n = 0;
    int rc = split(copy, ps, &n, diag);
    const struct param *sup = rc == CT_OK ? need(ps, n, "supported", diag) : NULL;
    const struct param *kt = rc == CT_OK ? need(ps, n, "kt", diag) : NULL;
    const struct param *kid = rc == CT_OK ? need(ps, n, "kid", diag) : NULL;
    if (rc == CT_OK && (sup == NULL || kt == NULL || kid == NULL))
        rc = CT_ERR_PROTO;
    if (rc == CT_OK)
        rc = parse_algs(sup, c->algs, &c->n_algs, diag);
    if (rc == CT_OK)
        rc = parse_kid(kid, c->kid, diag);
    if (rc == CT_OK) {
        const char *s = kt->value, *end = kt->value + kt->value_len;
        while (s < end) {
            const char *comma = memchr(s, ',', (size_t)(end - s));
            size_t l = (size_t)((comma != NULL ? comma : end) - s);
            enum ct_enc_kt k = ct_enc_kt_by_name(s, l);
            if (k != CT_ENC_KT_UNKNOWN)
                c->kts |= 1u << k;
            s += l + (comma != NULL ? 1 : 0);
        }
    }
    free(copy);
    return rc;
}
