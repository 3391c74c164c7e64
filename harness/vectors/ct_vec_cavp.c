/*
 * NIST CAVP response files (.rsp) for CBC: AES (CBC*.rsp, KEY) and TDES (TCBC*.rsp, KEYs or
 * KEY1/KEY2/KEY3), both [ENCRYPT] and [DECRYPT] sections, without padding, against ct_cbc.
 */
#include "crypto/ct_cipher.h"
#include "vectors/ct_vec_int.h"

#include <stdlib.h>
#include <string.h>

#define MAX_FIELD 8192

struct record {
    char count[16];
    char key[3][MAX_FIELD];
    char iv[MAX_FIELD];
    char pt[MAX_FIELD];
    char ct[MAX_FIELD];
    int n_keys;
    bool have_pt, have_ct;
};

static void run_record(struct ct_vec_file *f, const struct record *r, bool encrypt, bool tdes,
                       const char *section)
{
    char id[64];
    snprintf(id, sizeof(id), "[%s] COUNT %s", section, r->count);
    uint8_t *k[3] = {NULL}, *iv = NULL, *pt = NULL, *ct = NULL, *out = NULL;
    size_t kn[3] = {0}, ivn = 0, ptn = 0, ctn = 0, outn = 0;
    uint8_t key[32];
    size_t key_len = 0;
    bool ok = ct_vec_hex(r->iv, &iv, &ivn) == CT_OK && ct_vec_hex(r->pt, &pt, &ptn) == CT_OK &&
              ct_vec_hex(r->ct, &ct, &ctn) == CT_OK;
    for (int i = 0; ok && i < r->n_keys; i++)
        ok = ct_vec_hex(r->key[i], &k[i], &kn[i]) == CT_OK && key_len + kn[i] <= sizeof(key);
    if (ok && tdes) {
        /* KEYs: one key used three times (keying option 3); KEY1..3 otherwise. */
        for (int i = 0; i < 3; i++) {
            int src = r->n_keys == 1 ? 0 : i;
            ok = ok && kn[src] == 8;
            if (ok) {
                memcpy(key + key_len, k[src], 8);
                key_len += 8;
            }
        }
    } else if (ok) {
        memcpy(key, k[0], kn[0]);
        key_len = kn[0];
    }
    if (!ok) {
        ct_vec_fail(f, id, "malformed record");
    } else {
        const uint8_t *in = encrypt ? pt : ct;
        size_t in_n = encrypt ? ptn : ctn;
        const uint8_t *want = encrypt ? ct : pt;
        size_t want_n = encrypt ? ctn : ptn;
        out = malloc(in_n + 32);
        int rc = out == NULL ? CT_ERR_NOMEM
                             : ct_cbc(encrypt, tdes ? CT_CIPHER_3DES : CT_CIPHER_AES, key, key_len,
                                      iv, false, in, in_n, out, &outn);
        if (rc == CT_OK && outn == want_n && memcmp(out, want, want_n) == 0)
            ct_vec_pass(f);
        else
            ct_vec_fail(f, id, rc == CT_OK ? "wrong output" : "operation failed");
    }
    for (int i = 0; i < 3; i++)
        free(k[i]);
    free(iv);
    free(pt);
    free(ct);
    free(out);
}

/* Copy a "NAME = value" line's value into dst (bounded). */
static bool take(const char *line, size_t len, const char *name, char *dst, size_t dst_size)
{
    size_t nl = strlen(name);
    if (len < nl + 3 || strncmp(line, name, nl) != 0 || strncmp(line + nl, " = ", 3) != 0)
        return false;
    size_t vl = len - nl - 3;
    if (vl >= dst_size)
        vl = dst_size - 1;
    memcpy(dst, line + nl + 3, vl);
    dst[vl] = '\0';
    return true;
}

int ct_vec_cavp(struct ct_vec_file *f, const char *text, struct ct_diag *diag)
{
    const char *base = strrchr(f->name, '/');
    base = base != NULL ? base + 1 : f->name;
    bool tdes = strncmp(base, "TCBC", 4) == 0;
    if (!tdes && strncmp(base, "CBC", 3) != 0) {
        /* Say so: a vector file that silently runs nothing would look like a pass. */
        if (f->log != NULL)
            fprintf(f->log, "%s: not run (only CBC*.rsp and TCBC*.rsp are CAVP files conftest checks)\n",
                    f->name);
        return CT_OK;
    }
    struct record *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return CT_ERR_NOMEM;
    bool encrypt = true, in_record = false;
    const char *section = "ENCRYPT";
    const char *p = text;
    while (*p != '\0') {
        size_t len = strcspn(p, "\r\n");
        const char *line = p;
        p += len;
        while (*p == '\r' || *p == '\n')
            p++;
        if (len > 0 && line[0] == '[') {
            encrypt = strncmp(line, "[ENCRYPT]", 9) == 0;
            section = encrypt ? "ENCRYPT" : "DECRYPT";
            continue;
        }
        if (take(line, len, "COUNT", r->count, sizeof(r->count))) {
            r->n_keys = 0;
            r->have_pt = r->have_ct = false;
            in_record = true;
            continue;
        }
        if (!in_record)
            continue;
        if (take(line, len, "KEY", r->key[0], MAX_FIELD) || take(line, len, "KEYs", r->key[0], MAX_FIELD) ||
            take(line, len, "KEY1", r->key[0], MAX_FIELD))
            r->n_keys = 1;
        else if (take(line, len, "KEY2", r->key[1], MAX_FIELD) || take(line, len, "KEY3", r->key[2], MAX_FIELD))
            r->n_keys = 3;
        else
            take(line, len, "IV", r->iv, MAX_FIELD);
        if (take(line, len, "PLAINTEXT", r->pt, MAX_FIELD))
            r->have_pt = true;
        if (take(line, len, "CIPHERTEXT", r->ct, MAX_FIELD))
            r->have_ct = true;
        if (r->have_pt && r->have_ct) {
            run_record(f, r, encrypt, tdes, section);
            in_record = false;
        }
    }
    free(r);
    (void)diag;
    return CT_OK;
}
