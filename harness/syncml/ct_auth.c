#include "syncml/ct_auth.h"

#include "base/ct_b64.h"
#include "base/ct_buf.h"
#include "syncml/ct_build.h"
#include "syncml/ct_msg_int.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MD5_LEN 16

const char *ct_auth_type_uri(enum ct_auth_type type)
{
    switch (type) {
    case CT_AUTH_CLEAR: return CT_AUTH_URI_CLEAR;
    case CT_AUTH_BASIC: return CT_AUTH_URI_BASIC;
    case CT_AUTH_MD5: return CT_AUTH_URI_MD5;
    case CT_AUTH_NONE:
    case CT_AUTH_OTHER:
    default: return NULL;
    }
}

enum ct_auth_type ct_auth_type_of(const char *uri)
{
    if (uri == NULL)
        return CT_AUTH_NONE;
    if (strcmp(uri, CT_AUTH_URI_CLEAR) == 0)
        return CT_AUTH_CLEAR;
    if (strcmp(uri, CT_AUTH_URI_BASIC) == 0)
        return CT_AUTH_BASIC;
    if (strcmp(uri, CT_AUTH_URI_MD5) == 0)
        return CT_AUTH_MD5;
    return CT_AUTH_OTHER;
}

/* MD5 over the concatenation of up to three pieces, separated by ':'. */
static void md5_joined(uint8_t out[MD5_LEN], const void *a, size_t a_len, const void *b,
                       size_t b_len, const void *c, size_t c_len, bool with_c)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int n = 0;
    /* MD5 is in OpenSSL's default provider; failure here means a broken installation. */
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_md5(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        abort();
    }
    EVP_DigestUpdate(ctx, a, a_len);
    EVP_DigestUpdate(ctx, ":", 1);
    EVP_DigestUpdate(ctx, b, b_len);
    if (with_c) {
        EVP_DigestUpdate(ctx, ":", 1);
        EVP_DigestUpdate(ctx, c, c_len);
    }
    EVP_DigestFinal_ex(ctx, out, &n);
    EVP_MD_CTX_free(ctx);
}

static void md5_raw(uint8_t out[MD5_LEN], const char *user, const char *password,
                    const uint8_t *nonce, size_t nonce_len)
{
    uint8_t inner[MD5_LEN];
    char inner_b64[CT_AUTH_MD5_B64_LEN + 1];
    md5_joined(inner, user, strlen(user), password, strlen(password), NULL, 0, false);
    ct_b64_encode(inner_b64, inner, sizeof(inner));
    md5_joined(out, inner_b64, CT_AUTH_MD5_B64_LEN, nonce, nonce_len, NULL, 0, false);
    OPENSSL_cleanse(inner, sizeof(inner));
    OPENSSL_cleanse(inner_b64, sizeof(inner_b64));
}

void ct_auth_md5(char out[CT_AUTH_MD5_B64_LEN + 1], const char *user, const char *password,
                 const uint8_t *nonce, size_t nonce_len)
{
    uint8_t d[MD5_LEN];
    md5_raw(d, user, password, nonce, nonce_len);
    ct_b64_encode(out, d, sizeof(d));
}

void ct_auth_md5_v10(char out[CT_AUTH_MD5_B64_LEN + 1], const char *user, const char *password,
                     const uint8_t *nonce, size_t nonce_len)
{
    uint8_t d[MD5_LEN];
    md5_joined(d, user, strlen(user), password, strlen(password), nonce, nonce_len, true);
    ct_b64_encode(out, d, sizeof(d));
}

char *ct_auth_basic(const char *user, const char *password)
{
    struct ct_buf b;
    ct_buf_init(&b, 0);
    char *out = NULL;
    if (ct_buf_printf(&b, "%s:%s", user, password) == CT_OK)
        out = ct_b64_encode_alloc(b.data, b.len);
    OPENSSL_cleanse(b.data, b.len);
    ct_buf_cleanup(&b);
    return out;
}

/* Constant-time equality of two C strings (the lengths are not secret). */
static bool secret_eq(const char *a, const char *b, size_t b_len)
{
    return strlen(a) == b_len && CRYPTO_memcmp(a, b, b_len) == 0;
}

static bool format_is_b64_or_absent(const char *format)
{
    return format == NULL || strcmp(format, "b64") == 0;
}

/* user ":" password, as clear or basic credentials carry it. */
static int check_user_password(const char *pair, size_t len, const char *scheme,
                               const struct ct_auth_expect *exp, struct ct_diag *diag)
{
    const char *colon = memchr(pair, ':', len);
    if (colon == NULL)
        return ct_diag_set(diag, CT_ERR_PARSE, "%s credential has no ':' between user and password",
                           scheme);
    size_t user_len = (size_t)(colon - pair);
    if (strlen(exp->user) != user_len || memcmp(pair, exp->user, user_len) != 0)
        return ct_diag_set(diag, CT_ERR_AUTH, "%s credential names another user (%zu-byte name)",
                           scheme, user_len);
    if (!secret_eq(exp->password, colon + 1, len - user_len - 1))
        return ct_diag_set(diag, CT_ERR_AUTH, "%s credential has a wrong password for user '%s'",
                           scheme, exp->user);
    return CT_OK;
}

static int verify_md5(const struct ct_cred *cred, const char *loc_name,
                      const struct ct_auth_expect *exp, struct ct_diag *diag)
{
    if (loc_name == NULL)
        return ct_diag_set(diag, CT_ERR_MISSING,
                           "md5 credential without SyncHdr/Source/LocName: the user name is unknown");
    if (!format_is_b64_or_absent(cred->meta.format))
        return ct_diag_set(diag, CT_ERR_PARSE, "md5 credential Format '%s' is not supported (b64)",
                           cred->meta.format);
    uint8_t *got = NULL;
    size_t got_len = 0;
    int rc = ct_b64_decode(&got, &got_len, cred->data);
    if (rc != CT_OK)
        return ct_diag_set(diag, rc, "md5 credential Data is not valid base64");
    if (got_len != MD5_LEN) {
        free(got);
        return ct_diag_set(diag, CT_ERR_PARSE, "md5 credential decodes to %zu bytes, not 16", got_len);
    }
    uint8_t want[MD5_LEN];
    md5_raw(want, exp->user, exp->password, exp->nonce, exp->nonce_len);
    bool ok = strcmp(loc_name, exp->user) == 0 && CRYPTO_memcmp(got, want, MD5_LEN) == 0;
    if (ok) {
        free(got);
        return CT_OK;
    }
    /* Name the usual implementation mistakes: they make the difference for a SUT's author. */
    const char *why = "the digest does not match";
    if (strcmp(loc_name, exp->user) != 0) {
        why = "LocName names another user";
    } else {
        char text[CT_AUTH_MD5_B64_LEN + 1], alt[CT_AUTH_MD5_B64_LEN + 1];
        ct_b64_encode(text, got, MD5_LEN);
        char *nonce_b64 = ct_b64_encode_alloc(exp->nonce != NULL ? exp->nonce : (const uint8_t *)"",
                                              exp->nonce_len);
        if (nonce_b64 != NULL) {
            ct_auth_md5(alt, exp->user, exp->password, (const uint8_t *)nonce_b64, strlen(nonce_b64));
            if (strcmp(text, alt) == 0)
                why = "the digest used the base64 text of the nonce instead of its decoded bytes";
            free(nonce_b64);
        }
        ct_auth_md5_v10(alt, exp->user, exp->password, exp->nonce, exp->nonce_len);
        if (strcmp(text, alt) == 0)
            why = "the digest is the SyncML 1.0 form MD5(user:password:nonce)";
        ct_auth_md5(alt, exp->user, exp->password, NULL, 0);
        if (exp->nonce_len != 0 && strcmp(text, alt) == 0)
            why = "the digest used an empty nonce instead of the last NextNonce";
    }
    free(got);
    return ct_diag_set(diag, CT_ERR_AUTH, "md5 credential for user '%s' rejected: %s", loc_name, why);
}

int ct_auth_verify(const struct ct_cred *cred, const char *loc_name,
                   const struct ct_auth_expect *exp, struct ct_diag *diag)
{
    if (cred == NULL || cred->node == NULL)
        return ct_diag_set(diag, CT_ERR_MISSING, "no <Cred>");
    if (cred->data == NULL)
        return ct_diag_set(diag, CT_ERR_MISSING, "<Cred> has no <Data>");
    /* A Cred without Meta/Type is basic: the default of SyncML RepPro's MetInf Type. */
    enum ct_auth_type type = cred->meta.type == NULL ? CT_AUTH_BASIC : ct_auth_type_of(cred->meta.type);
    switch (type) {
    case CT_AUTH_CLEAR:
        if (cred->meta.format != NULL && strcmp(cred->meta.format, "chr") != 0)
            return ct_diag_set(diag, CT_ERR_PARSE, "clear credential Format '%s' is not chr",
                               cred->meta.format);
        return check_user_password(cred->data, strlen(cred->data), "clear", exp, diag);
    case CT_AUTH_BASIC: {
        if (!format_is_b64_or_absent(cred->meta.format))
            return ct_diag_set(diag, CT_ERR_PARSE, "basic credential Format '%s' is not b64",
                               cred->meta.format);
        uint8_t *pair = NULL;
        size_t len = 0;
        int rc = ct_b64_decode(&pair, &len, cred->data);
        if (rc != CT_OK)
            return ct_diag_set(diag, rc, "basic credential Data is not valid base64");
        rc = check_user_password((const char *)pair, len, "basic", exp, diag);
        OPENSSL_cleanse(pair, len);
        free(pair);
        return rc;
    }
    case CT_AUTH_MD5:
        return verify_md5(cred, loc_name, exp, diag);
    case CT_AUTH_NONE:
    case CT_AUTH_OTHER:
    default:
        return ct_diag_set(diag, CT_ERR_UNSUPPORTED, "credential Type '%s' is not supported",
                           cred->meta.type);
    }
}

/*
 * Where the DTD wants Cred: in SyncHdr after Target, Source, RespURI and NoResp (before Meta);
 * in a command right after CmdID and NoResp. Peers do choke on the wrong order.
 */
static void place_cred(xmlNode *parent, xmlNode *cred)
{
    if (cred == NULL)
        return;
    bool hdr = strcmp((const char *)parent->name, "SyncHdr") == 0;
    for (xmlNode *c = parent->children; c != NULL && c != cred; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        const char *n = (const char *)c->name;
        bool before = hdr ? strcmp(n, "Meta") == 0 : strcmp(n, "CmdID") != 0 && strcmp(n, "NoResp") != 0;
        if (before) {
            xmlUnlinkNode(cred);
            xmlAddPrevSibling(c, cred);
            return;
        }
    }
}

xmlNode *ct_auth_cred_add(xmlNode *parent, enum ct_auth_type type, const char *user,
                          const char *password, const uint8_t *nonce, size_t nonce_len)
{
    const char *uri = ct_auth_type_uri(type);
    if (uri == NULL || parent == NULL)
        return NULL;
    char md5[CT_AUTH_MD5_B64_LEN + 1];
    char *owned = NULL;
    const char *format = "b64";
    const char *data = NULL;
    switch (type) {
    case CT_AUTH_CLEAR: {
        size_t n = strlen(user) + strlen(password) + 2;
        owned = malloc(n);
        if (owned != NULL)
            snprintf(owned, n, "%s:%s", user, password);
        data = owned;
        format = "chr";
        break;
    }
    case CT_AUTH_BASIC:
        data = owned = ct_auth_basic(user, password);
        break;
    case CT_AUTH_MD5:
    default:
        ct_auth_md5(md5, user, password, nonce, nonce_len);
        data = md5;
        break;
    }
    xmlNode *cred = NULL;
    if (data != NULL) {
        cred = ct_el_add(parent, "Cred", NULL);
        place_cred(parent, cred);
        xmlNode *meta = ct_el_add(cred, "Meta", NULL);
        if (ct_el_add_metinf(meta, "Format", format) == NULL ||
            ct_el_add_metinf(meta, "Type", uri) == NULL || ct_el_add(cred, "Data", data) == NULL)
            cred = NULL;
    }
    if (owned != NULL) {
        OPENSSL_cleanse(owned, strlen(owned));
        free(owned);
    }
    return cred;
}

xmlNode *ct_auth_chal_add(xmlNode *status, enum ct_auth_type type, const uint8_t *nonce,
                          size_t nonce_len)
{
    const char *uri = ct_auth_type_uri(type);
    if (uri == NULL || status == NULL)
        return NULL;
    xmlNode *chal = xmlNewNode(status->ns, (const xmlChar *)"Chal");
    if (chal == NULL)
        return NULL;
    /* RepPro's Status content model puts Chal before Data. */
    xmlNode *data = (xmlNode *)ct_xml_child(status, "Data");
    if ((data != NULL ? xmlAddPrevSibling(data, chal) : xmlAddChild(status, chal)) == NULL) {
        xmlFreeNode(chal);
        return NULL;
    }
    xmlNode *meta = ct_el_add(chal, "Meta", NULL);
    if (ct_el_add_metinf(meta, "Type", uri) == NULL || ct_el_add_metinf(meta, "Format", "b64") == NULL)
        return NULL;
    if (type == CT_AUTH_MD5) {
        char *b64 = ct_b64_encode_alloc(nonce != NULL ? nonce : (const uint8_t *)"", nonce_len);
        xmlNode *nn = b64 != NULL ? ct_el_add_metinf(meta, "NextNonce", b64) : NULL;
        free(b64);
        if (nn == NULL)
            return NULL;
    }
    return chal;
}

int ct_auth_chal_nonce(const struct ct_chal *chal, uint8_t **nonce, size_t *nonce_len)
{
    const char *text = chal != NULL ? chal->meta.next_nonce : NULL;
    if (text == NULL)
        text = "";
    if (chal != NULL && chal->meta.format != NULL && strcmp(chal->meta.format, "b64") != 0) {
        size_t n = strlen(text);
        *nonce = malloc(n + 1);
        if (*nonce == NULL)
            return CT_ERR_NOMEM;
        memcpy(*nonce, text, n + 1);
        *nonce_len = n;
        return CT_OK;
    }
    return ct_b64_decode(nonce, nonce_len, text);
}
