/*
 * The encryption profile on conftest's side (docs/PROFILE.md), with keys conftest knows:
 *
 *   server SUT  conftest is the client: `offer` makes K, wraps it under the SUT's certificate,
 *               puts the offer in SyncHdr/Meta/EMI and derives the keys; answers are opened
 *               with them and their selection is checked (ENC-NEG-7).
 *   client SUT  conftest is the server: a received offer is unwrapped with conftest's key and
 *               the keys derived; `select` and `caps` write the server's EMI texts.
 *
 * Every lever a scenario needs to break one thing is here: an offer text of its own, a stale
 * or malformed key blob, a wrong kid, a selection with a bad confirm, a flipped wrapped key.
 */
#include "engine/ct_eng_int.h"

#include "base/ct_b64.h"
#include "crypto/ct_cipher.h"
#include "crypto/ct_enc_cert.h"
#include "crypto/ct_enc_kt.h"
#include "engine/ct_peer.h"
#include "syncml/ct_auth.h"
#include "syncml/ct_build.h"
#include "syncml/ct_view.h"

#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The value of "key=value" among a directive's arguments, or NULL. */
static const char *arg_of(const struct ct_scn_dir *d, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i < d->n_args; i++)
        if (strncmp(d->args[i], key, kl) == 0 && d->args[i][kl] == '=')
            return d->args[i] + kl + 1;
    return NULL;
}

static int hex_decode(const char *hex, uint8_t *out, size_t max, size_t *n)
{
    size_t len = strlen(hex);
    if (len % 2 != 0 || len / 2 > max)
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

static void hex_encode(const uint8_t *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", in[i]);
}

/* A path from the SUT config (relative to its file) or from the vectors directory. */
static void resolve(const struct eng *e, const char *path, char *out, size_t size)
{
    if (path[0] == '/' || e->sut->dir == NULL)
        snprintf(out, size, "%s", path);
    else
        snprintf(out, size, "%s/%s", e->sut->dir, path);
}

int eng_crypto_init(struct eng *e)
{
    struct eng_crypto *c = &e->crypto;
    struct ct_diag d = {0};
    char path[1200];
    if (e->role == CT_SCN_ROLE_SERVER) {
        const char *vector_chain = e->peer != NULL ? ct_peer_server_chain_pem(e->peer) : NULL;
        if (vector_chain != NULL) { /* the builtin holds a test vector's key */
            if (ct_enc_chain_from_pem(&c->chain, (const uint8_t *)vector_chain, strlen(vector_chain), &d) != CT_OK)
                return eng_error(e, 0, "the vector key's certificate: %s", d.text);
        } else if (e->sut->builtin)
            snprintf(path, sizeof(path), "%s/pki/server-2048.pem", e->cfg->vectors);
        else if (e->sut->server_cert != NULL)
            resolve(e, e->sut->server_cert, path, sizeof(path));
        else
            return CT_OK; /* no profile for this SUT: `offer` will say so */
        if (vector_chain == NULL && ct_enc_chain_load(&c->chain, path, &d) != CT_OK)
            return eng_error(e, 0, "server certificate: %s", d.text);
        X509 *leaf = sk_X509_value(c->chain, 0);
        c->pub = X509_get_pubkey(leaf);
        if (c->pub == NULL || ct_enc_cert_kid(leaf, c->kid) != CT_OK)
            return eng_error(e, 0, "server certificate %s: no usable key", path);
        return CT_OK;
    }
    const char *pki = ct_scn_param(e->scn, "pki");
    if (pki == NULL)
        pki = e->sut->pki != NULL ? e->sut->pki : "2048";
    snprintf(path, sizeof(path), "%s/pki/server-%s.key", e->cfg->vectors, pki);
    c->priv = ct_enc_key_load(path, &d);
    if (c->priv == NULL)
        return eng_error(e, 0, "pki %s: %s", pki, d.text);
    snprintf(path, sizeof(path), "%s/pki/server-%s.pem", e->cfg->vectors, pki);
    struct ct_buf pem;
    ct_buf_init(&pem, 1 << 20);
    int rc = ct_buf_read_file(&pem, path);
    if (rc == CT_OK)
        rc = ct_enc_chain_from_pem(&c->our_chain, pem.data, pem.len, &d);
    if (rc == CT_OK && ct_buf_append(&pem, "", 1) == CT_OK)
        c->our_pem = (char *)ct_buf_steal(&pem, NULL);
    ct_buf_cleanup(&pem);
    if (rc != CT_OK || c->our_pem == NULL)
        return eng_error(e, 0, "pki %s: %s", pki, d.code != CT_OK ? d.text : "cannot read the certificate");
    return ct_enc_cert_kid(sk_X509_value(c->our_chain, 0), c->our_kid);
}

void eng_crypto_session_reset(struct eng *e)
{
    struct eng_crypto *c = &e->crypto;
    ct_enc_session_wipe(&c->keys);
    ct_wipe(c->key, sizeof(c->key));
    c->keyed = false;
    c->offered = false;
    free(c->offer_text);
    c->offer_text = NULL;
    memset(&c->offer, 0, sizeof(c->offer));
}

void eng_crypto_cleanup(struct eng *e)
{
    struct eng_crypto *c = &e->crypto;
    eng_crypto_session_reset(e);
    ct_enc_chain_free(c->chain);
    ct_enc_chain_free(c->our_chain);
    EVP_PKEY_free(c->pub);
    EVP_PKEY_free(c->priv);
    free(c->our_pem);
    free(c->caps_text);
    memset(c, 0, sizeof(*c));
}

/* SyncHdr/Meta, made if missing (last child of SyncHdr, where the DTD puts it). */
xmlNode *eng_hdr_meta(struct ct_msg *m)
{
    xmlNode *hdr = ct_msg_hdr_node(m);
    if (hdr == NULL)
        return NULL;
    for (xmlNode *n = hdr->children; n != NULL; n = n->next)
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "Meta") == 0)
            return n;
    return ct_el_add(hdr, "Meta", NULL);
}

/* Remove the profile's EMI texts from SyncHdr/Meta (a directive replaces, never adds a second). */
static void drop_profile_emi(xmlNode *meta)
{
    xmlNode *n = meta != NULL ? meta->children : NULL;
    while (n != NULL) {
        xmlNode *next = n->next;
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "EMI") == 0) {
            xmlChar *t = xmlNodeGetContent(n);
            if (t != NULL && ct_enc_is_profile_text((const char *)t)) {
                xmlUnlinkNode(n);
                xmlFreeNode(n);
            }
            xmlFree(t);
        }
        n = next;
    }
}

static int put_emi(struct ct_msg *m, const char *text)
{
    xmlNode *meta = eng_hdr_meta(m);
    if (meta == NULL)
        return CT_ERR_NOMEM;
    drop_profile_emi(meta);
    return ct_el_add_metinf(meta, "EMI", text) != NULL ? CT_OK : CT_ERR_NOMEM;
}

/* Derive the session keys for an offer text exactly as it travels (PROFILE 7.1). */
static int derive(struct eng *e, const char *offer_text, const char *session_id, const char *device,
                  struct ct_diag *d)
{
    struct eng_crypto *c = &e->crypto;
    ct_enc_session_wipe(&c->keys);
    c->keyed = false;
    if (ct_enc_offer_parse(&c->offer, offer_text, d) != CT_OK)
        return CT_ERR_PROTO;
    const struct ct_enc_alg *alg = ct_enc_alg_by_id(c->offer.algs[0]);
    if (alg == NULL)
        return ct_diag_set(d, CT_ERR_UNSUPPORTED, "the first algorithm of the offer is not one conftest knows");
    const char *p = strstr(offer_text, ";parts=");
    size_t n = p != NULL ? strcspn(p + 7, ";") : 0;
    snprintf(c->offer.parts_text, sizeof(c->offer.parts_text), "%.*s", (int)n, p != NULL ? p + 7 : "");
    struct ct_enc_binding b = {offer_text, session_id != NULL ? session_id : "", device != NULL ? device : ""};
    int rc = ct_enc_session_init(&c->keys, alg, c->offer.parts, c->key, &b, NULL);
    if (rc != CT_OK)
        return ct_diag_set(d, rc, "the session keys cannot be derived (%s)", ct_strerror(rc));
    c->keyed = true;
    return CT_OK;
}

int eng_crypto_offer(struct eng *e, struct ct_msg *m, const struct ct_scn_dir *d)
{
    struct eng_crypto *c = &e->crypto;
    if (e->role != CT_SCN_ROLE_SERVER)
        return eng_error(e, d->line, "'offer' is the client's: this scenario's SUT is a client (use select)");
    if (c->pub == NULL)
        return eng_error(e, d->line, "'offer' needs the SUT's certificate: set server-cert in the SUT config");
    const char *algs = arg_of(d, "alg") != NULL ? arg_of(d, "alg") : "aes256-gcm,aes128-gcm";
    const char *kt_name = arg_of(d, "kt") != NULL ? arg_of(d, "kt") : "rsa-oaep-sha256";
    const char *parts = arg_of(d, "parts") != NULL ? arg_of(d, "parts") : "cred,devinf,data";
    enum ct_enc_kt kt = ct_enc_kt_by_name(kt_name, strlen(kt_name));
    if (kt == CT_ENC_KT_UNKNOWN)
        return eng_error(e, d->line, "offer: kt '%s' is not a key transport conftest can wrap with", kt_name);

    /* A new offer is a new key (after a challenge too: PROFILE 10.2). */
    eng_crypto_session_reset(e);
    /* K: given (a known-answer run) or fresh. */
    size_t n = 0;
    if (arg_of(d, "key") != NULL) {
        if (hex_decode(arg_of(d, "key"), c->key, sizeof(c->key), &n) != CT_OK || n != CT_ENC_KEY_LEN)
            return eng_error(e, d->line, "offer: key= must be %d hex bytes", CT_ENC_KEY_LEN);
    } else if (ct_random(c->key, sizeof(c->key)) != CT_OK) {
        return eng_error(e, d->line, "offer: no random bytes");
    }

    /* The blob (PROFILE 4.2), with the levers for ENC-KT-4: t offset, version, length. */
    uint8_t blob[64] = {0};
    long t_off = arg_of(d, "t") != NULL ? strtol(arg_of(d, "t"), NULL, 10) : 0;
    ct_enc_blob_make(blob, c->key, (uint64_t)((long)time(NULL) + t_off));
    size_t blob_len = CT_ENC_BLOB_LEN;
    if (arg_of(d, "blob-version") != NULL)
        blob[0] = (uint8_t)strtoul(arg_of(d, "blob-version"), NULL, 0);
    if (arg_of(d, "blob-len") != NULL) {
        blob_len = strtoul(arg_of(d, "blob-len"), NULL, 10);
        if (blob_len == 0 || blob_len > sizeof(blob))
            return eng_error(e, d->line, "offer: blob-len from 1 to %zu", sizeof(blob));
    }
    struct ct_rsa_scheme scheme;
    ct_enc_kt_scheme(kt, &scheme);
    size_t cap = (size_t)EVP_PKEY_get_size(c->pub) + CT_ENC_MAX_WRAPPED, wlen = 0;
    uint8_t *wrapped = malloc(cap);
    if (wrapped == NULL)
        return CT_ERR_NOMEM;
    int rc;
    if (arg_of(d, "wrapped") != NULL) {
        /* The wrapped key exactly as given (a test vector's ciphertext): what it unwraps to is
         * the SUT's business; conftest's own keys are then of no use to it. */
        rc = hex_decode(arg_of(d, "wrapped"), wrapped, CT_ENC_MAX_WRAPPED, &wlen) == CT_OK ? CT_OK : CT_ERR_PARSE;
        if (rc != CT_OK) {
            free(wrapped);
            return eng_error(e, d->line, "offer: wrapped= is hex bytes, at most %d", CT_ENC_MAX_WRAPPED);
        }
    } else {
        rc = ct_rsa_encrypt(c->pub, &scheme, NULL, 0, blob, blob_len, wrapped, &wlen);
    }
    ct_wipe(blob, sizeof(blob));
    if (rc != CT_OK) {
        free(wrapped);
        return eng_error(e, d->line, "offer: cannot wrap under the SUT's key (%s)", ct_strerror(rc));
    }
    char *key_b64 = ct_b64_encode_alloc(wrapped, wlen);
    free(wrapped);
    char kid_hex[2 * CT_ENC_KID_LEN + 1];
    hex_encode(c->kid, CT_ENC_KID_LEN, kid_hex);
    const char *kid = arg_of(d, "kid") != NULL ? arg_of(d, "kid") : kid_hex;
    if (key_b64 == NULL || eng_var_set(e, "offer.key", key_b64) != CT_OK || eng_var_set(e, "offer.kid", kid) != CT_OK) {
        free(key_b64);
        return CT_ERR_NOMEM;
    }

    /* The text: as the profile writes it, or the scenario's own (text=, with ${offer.key}). */
    struct ct_buf text;
    ct_buf_init(&text, CT_ENC_MAX_TEXT);
    if (arg_of(d, "text") != NULL)
        rc = eng_expand(e, arg_of(d, "text"), false, &text, "offer text=", d->line);
    else
        rc = ct_buf_printf(&text, "syncml-enc/1;alg=%s;kt=%s;parts=%s;kid=%s;key=%s", algs, kt_name, parts,
                           kid, key_b64);
    free(key_b64);
    if (rc == CT_OK)
        rc = ct_buf_append(&text, "", 1);
    if (rc != CT_OK) {
        ct_buf_cleanup(&text);
        return rc == CT_ERR_NOMEM ? rc : CT_ERR_USAGE;
    }
    c->offer_text = (char *)ct_buf_steal(&text, NULL);
    if (c->offer_text == NULL)
        return CT_ERR_NOMEM;
    c->offered = true;
    rc = put_emi(m, c->offer_text);
    if (rc != CT_OK)
        return rc;
    /* Keys, if the offer is one conftest itself could use (a broken one has none). */
    const struct ct_hdr *h = ct_msg_hdr(m);
    struct ct_diag dd = {0};
    if (derive(e, c->offer_text, h->session_id, h->source.uri, &dd) != CT_OK) {
        const struct ct_enc_alg *alg = ct_enc_alg_by_name(algs, strcspn(algs, ","));
        if (arg_of(d, "wrapped") != NULL && alg != NULL) {
            /* A wrapped key that is not one (an empty vector ciphertext) makes the offer
             * malformed, but conftest still seals what follows, under keys of its own K: the
             * SUT must refuse the offer, not be spared the rest of the message. */
            struct ct_enc_binding b = {c->offer_text, h->session_id ? h->session_id : "",
                                       h->source.uri ? h->source.uri : ""};
            unsigned all = CT_ENC_PART_CRED | CT_ENC_PART_DEVINF | CT_ENC_PART_DATA;
            c->keyed = ct_enc_session_init(&c->keys, alg, all, c->key, &b, NULL) == CT_OK;
        }
        eng_record_note(e, "offer: %s on conftest's side: %s", c->keyed ? "keys of its own K" : "no session keys",
                        dd.text);
    }
    return eng_var_set(e, "offer.text", c->offer_text);
}

int eng_crypto_mutate_key(struct eng *e, struct ct_msg *m, const struct ct_scn_dir *d)
{
    /* mutate key xor HEX [at N]: flip bits of the wrapped key inside the offer as sent. */
    struct eng_crypto *c = &e->crypto;
    if (!c->offered || c->offer_text == NULL)
        return eng_error(e, d->line, "'mutate key' needs an offer before it");
    if (d->n_args < 3 || strcmp(d->args[1], "xor") != 0)
        return eng_error(e, d->line, "mutate key: 'mutate key xor HEX [at OFFSET]'");
    uint8_t mask[64];
    size_t mlen = 0;
    if (hex_decode(d->args[2], mask, sizeof(mask), &mlen) != CT_OK || mlen == 0)
        return eng_error(e, d->line, "mutate key: '%s' is not hex bytes", d->args[2]);
    size_t at = 0;
    if (d->n_args >= 5 && strcmp(d->args[3], "at") == 0) {
        char *end = NULL;
        unsigned long v = d->args[4][0] >= '0' && d->args[4][0] <= '9' ? strtoul(d->args[4], &end, 10) : 0;
        if (end == NULL || *end != '\0' || v > 65536)
            return eng_error(e, d->line, "mutate key: 'at %s' is not an offset", d->args[4]);
        at = v;
    }
    char *key_at = strstr(c->offer_text, ";key=");
    if (key_at == NULL)
        return eng_error(e, d->line, "mutate key: the offer has no key=");
    key_at += 5;
    size_t klen = strcspn(key_at, ";");
    char *b64 = strndup(key_at, klen);
    uint8_t *raw = NULL;
    size_t rlen = 0;
    if (b64 == NULL || ct_b64_decode(&raw, &rlen, b64) != CT_OK || at > rlen || mlen > rlen - at) {
        free(b64);
        free(raw);
        return eng_error(e, d->line, "mutate key: offset %zu is outside the %zu-byte wrapped key", at, rlen);
    }
    for (size_t i = 0; i < mlen; i++)
        raw[at + i] ^= mask[i];
    char *nb64 = ct_b64_encode_alloc(raw, rlen);
    free(raw);
    free(b64);
    if (nb64 == NULL)
        return CT_ERR_NOMEM;
    struct ct_buf t;
    ct_buf_init(&t, CT_ENC_MAX_TEXT);
    ct_buf_append(&t, c->offer_text, (size_t)(key_at - c->offer_text));
    ct_buf_append_str(&t, nb64);
    ct_buf_append_str(&t, key_at + klen);
    free(nb64);
    if (ct_buf_append(&t, "", 1) != CT_OK) {
        ct_buf_cleanup(&t);
        return CT_ERR_NOMEM;
    }
    free(c->offer_text);
    c->offer_text = (char *)ct_buf_steal(&t, NULL);
    /* The keys stay those of the offer before the change: the SUT cannot have them. */
    return c->offer_text != NULL ? put_emi(m, c->offer_text) : CT_ERR_NOMEM;
}

int eng_crypto_select(struct eng *e, struct ct_msg *m, const struct ct_scn_dir *d)
{
    struct eng_crypto *c = &e->crypto;
    if (e->role != CT_SCN_ROLE_CLIENT)
        return eng_error(e, d->line, "'select' is the server's: this scenario's SUT is a server (use offer)");
    if (!c->keyed || c->offer_text == NULL)
        return eng_error(e, d->line, "'select' needs an offer conftest accepted (%s)",
                         c->got_offer ? c->offer_error : "the client sent none");
    struct ct_buf sel;
    ct_buf_init(&sel, CT_ENC_MAX_TEXT);
    int rc = ct_enc_selection_format(&sel, &c->keys, c->offer_text, c->offer.parts_text);
    if (rc == CT_OK)
        rc = ct_buf_append(&sel, "", 1);
    if (rc != CT_OK) {
        ct_buf_cleanup(&sel);
        return rc;
    }
    char *text = (char *)sel.data;
    /* Levers for ENC-NEG-7: another algorithm, other parts, a wrong or missing confirm. */
    const char *alg = arg_of(d, "alg"), *parts = arg_of(d, "parts"), *confirm = arg_of(d, "confirm");
    char *conf = strstr(text, ";confirm=");
    struct ct_buf out;
    ct_buf_init(&out, CT_ENC_MAX_TEXT);
    if (alg != NULL || parts != NULL || confirm != NULL) {
        char orig_sel[64] = "", orig_parts[64] = "";
        sscanf(text, "syncml-enc/1;sel=%63[^;];parts=%63[^;]", orig_sel, orig_parts);
        ct_buf_printf(&out, "syncml-enc/1;sel=%s;parts=%s", alg != NULL ? alg : orig_sel,
                      parts != NULL ? parts : orig_parts);
        if (confirm == NULL || strcmp(confirm, "none") != 0) {
            char *c64 = conf != NULL ? conf + 9 : NULL;
            if (confirm != NULL && strcmp(confirm, "bad") == 0 && c64 != NULL)
                c64[0] = c64[0] == 'A' ? 'B' : 'A'; /* one changed bit-group of the MAC */
            ct_buf_printf(&out, ";confirm=%s", c64 != NULL ? c64 : "");
        }
    } else {
        ct_buf_append_str(&out, text);
    }
    ct_buf_cleanup(&sel);
    rc = ct_buf_append(&out, "", 1);
    if (rc == CT_OK)
        rc = put_emi(m, (const char *)out.data);
    ct_buf_cleanup(&out);
    return rc;
}

int eng_crypto_caps(struct eng *e, struct ct_msg *m, const struct ct_scn_dir *d)
{
    struct eng_crypto *c = &e->crypto;
    if (e->role != CT_SCN_ROLE_CLIENT)
        return eng_error(e, d->line, "'caps' is the server's: this scenario's SUT is a server");
    struct ct_enc_policy pol;
    ct_enc_policy_default(&pol);
    struct ct_enc_caps caps = {.n_algs = pol.n_algs, .kts = pol.kts,
                               .required = d->n_args > 0 && strcmp(d->args[0], "required") == 0};
    memcpy(caps.algs, pol.algs, sizeof(caps.algs));
    memcpy(caps.kid, c->our_kid, sizeof(caps.kid));
    struct ct_buf t;
    ct_buf_init(&t, CT_ENC_MAX_TEXT);
    int rc = ct_enc_caps_format(&t, &caps);
    if (rc == CT_OK)
        rc = ct_buf_append(&t, "", 1);
    if (rc == CT_OK)
        rc = put_emi(m, (const char *)t.data);
    ct_buf_cleanup(&t);
    return rc;
}

/* ---- receiving ---- */

/* Client SUT: accept its offer if conftest can (ENC-NEG-3/4, ENC-KT-3). */
static void accept_offer(struct eng *e, const char *text)
{
    struct eng_crypto *c = &e->crypto;
    const struct ct_hdr *h = ct_msg_hdr(e->in);
    c->got_offer = true;
    c->offer_error[0] = '\0';
    eng_crypto_session_reset(e);
    c->offer_text = strdup(text);
    struct ct_diag d = {0};
    struct ct_enc_offer o;
    if (c->offer_text == NULL)
        return;
    if (ct_enc_offer_parse(&o, text, &d) != CT_OK) {
        snprintf(c->offer_error, sizeof(c->offer_error), "malformed offer: %s", d.text);
        return;
    }
    if (memcmp(o.kid, c->our_kid, CT_ENC_KID_LEN) != 0) {
        snprintf(c->offer_error, sizeof(c->offer_error), "the offer's kid is not conftest's certificate");
        return;
    }
    if (o.kt == CT_ENC_KT_UNKNOWN) {
        snprintf(c->offer_error, sizeof(c->offer_error), "unknown key transport");
        return;
    }
    int rc = ct_enc_unwrap(c->key, c->priv, o.kt, o.wrapped, o.wrapped_len, (uint64_t)time(NULL), NULL);
    if (rc != CT_OK) {
        /* conftest is the judge here, not a server that must hide it: say what went wrong. */
        snprintf(c->offer_error, sizeof(c->offer_error),
                 "the wrapped key does not unwrap to a valid blob (ENC-KT-2/4)");
        return;
    }
    if (derive(e, text, h->session_id, h->source.uri, &d) != CT_OK)
        snprintf(c->offer_error, sizeof(c->offer_error), "%s", d.text);
}

int eng_crypto_receive(struct eng *e)
{
    struct eng_crypto *c = &e->crypto;
    const struct ct_hdr *h = ct_msg_hdr(e->in);
    c->got_offer = false;
    c->got_selection = false;
    c->selection_error[0] = '\0';
    free(c->caps_text);
    c->caps_text = NULL;
    for (size_t i = 0; i < h->meta.n_emi; i++) {
        const char *t = h->meta.emi[i];
        if (t == NULL || !ct_enc_is_profile_text(t))
            continue;
        if (e->role == CT_SCN_ROLE_CLIENT && strstr(t, ";key=") != NULL) {
            if (c->got_offer) { /* ENC-NEG-1: exactly one; a second one is the finding */
                snprintf(c->offer_error, sizeof(c->offer_error), "more than one offer in SyncHdr/Meta");
                continue;
            }
            accept_offer(e, t);
        } else if (e->role == CT_SCN_ROLE_SERVER && strstr(t, ";sel=") != NULL) {
            if (c->got_selection) { /* ENC-NEG-6: exactly one */
                snprintf(c->selection_error, sizeof(c->selection_error), "more than one selection in SyncHdr/Meta");
                continue;
            }
            c->got_selection = true;
            struct ct_diag d = {0};
            if (!c->offered || !c->keyed)
                snprintf(c->selection_error, sizeof(c->selection_error), "a selection, but conftest made no usable offer");
            else if (ct_enc_selection_check(&c->keys, c->offer_text, &c->offer, t, &d) != CT_OK)
                snprintf(c->selection_error, sizeof(c->selection_error), "%s", d.text);
        } else if (strstr(t, ";supported=") != NULL) {
            c->caps_text = strdup(t);
        }
    }
    free(e->fields);
    e->fields = NULL;
    e->n_fields = 0;
    /* The IV (or nonce) of every sealed field, before opening replaces its text. */
    e->first_iv_of_msg = e->n_ivs;
    struct ct_enc_field *sealed = NULL;
    size_t n_sealed = 0;
    if (ct_enc_msg_fields(e->in, CT_ENC_PART_CRED | CT_ENC_PART_DEVINF | CT_ENC_PART_DATA, &sealed, &n_sealed) == CT_OK) {
        for (size_t i = 0; i < n_sealed && e->n_ivs < 4096; i++) {
            if (!sealed[i].marked || sealed[i].data == NULL)
                continue;
            xmlChar *t = xmlNodeGetContent(sealed[i].data);
            uint8_t *ef = NULL;
            size_t len = 0;
            struct ct_enc_ef parts;
            if (t != NULL && ct_b64_decode(&ef, &len, (const char *)t) == CT_OK && ct_enc_ef_split(ef, len, &parts) == CT_OK &&
                parts.iv_len <= 39) {
                if (e->n_ivs % 64 == 0) {
                    void *v = realloc(e->ivs, (e->n_ivs + 64) * sizeof(*e->ivs));
                    if (v != NULL)
                        e->ivs = v;
                }
                if (e->n_ivs % 64 != 0 || e->ivs != NULL) {
                    e->ivs[e->n_ivs].part = sealed[i].part;
                    hex_encode(parts.iv, parts.iv_len, e->ivs[e->n_ivs].hex);
                    e->n_ivs++;
                }
            }
            free(ef);
            xmlFree(t);
        }
    }
    free(sealed);
    enum ct_enc_dir dir = e->role == CT_SCN_ROLE_SERVER ? CT_ENC_S2C : CT_ENC_C2S;
    int rc = ct_enc_msg_open(c->keyed ? &c->keys : NULL, e->in, dir, &e->fields, &e->n_fields);
    if (rc != CT_OK)
        return rc;
    /* Client SUT: judge its credential (after opening: it may have been encrypted). */
    if (e->role == CT_SCN_ROLE_CLIENT) {
        h = ct_msg_hdr(e->in);
        if (h->cred.node == NULL) {
            e->cred_state = ENG_CRED_NONE;
        } else {
            if (h->cred.data != NULL)
                eng_secret_add(e, h->cred.data);
            struct ct_auth_expect exp = {e->sut->user, e->sut->password,
                                         e->have_our_nonce ? e->our_nonce : NULL,
                                         e->have_our_nonce ? e->our_nonce_len : 0};
            int arc = ct_auth_verify(&h->cred, h->source.name, &exp, NULL);
            e->cred_state = arc == CT_OK ? ENG_CRED_OK : arc == CT_ERR_UNSUPPORTED ? ENG_CRED_UNKNOWN : ENG_CRED_BAD;
        }
    }
    return CT_OK;
}
