/*
 * Fuzz target: opening one encrypted field with a real session key -- no bypass, so every
 * failure path is fuzzed: base64, EF header and lengths, GCM nonces, tags and HMACs, CBC
 * padding, 3DES budgets. The first byte picks the algorithm and direction; the rest is the
 * field's text (base64 of an EF, or anything).
 */
#include "fuzz_common.h"

#include "crypto/ct_enc.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t n_algs = 0;
    const struct ct_enc_alg *table = ct_enc_alg_table(&n_algs);
    const struct ct_enc_alg *alg = &table[data[0] % n_algs];
    static const uint8_t key[CT_ENC_KEY_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                               17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    struct ct_enc_binding b = {"syncml-enc/1;alg=x", "7", "fuzz-device"};
    struct ct_enc_session s;
    if (ct_enc_session_init(&s, alg, CT_ENC_PART_CRED | CT_ENC_PART_DEVINF | CT_ENC_PART_DATA, key, &b, NULL) != CT_OK)
        return 0;
    char *text = malloc(size);
    if (text == NULL)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    struct ct_enc_aad a = {.dir = (data[0] & 0x80) ? CT_ENC_S2C : CT_ENC_C2S, .part = CT_ENC_PART_DATA,
                           .session_id = "7", .msg_id = "2", .cmd_id = "3", .db = "contacts", .loc_uri = "1001"};
    struct ct_buf out;
    ct_buf_init(&out, 1 << 20);
    ct_enc_open(&s, &a, text, &out);
    /* And what opens must be what was sealed: a round trip of the input itself. */
    ct_buf_reset(&out);
    if (ct_enc_seal(&s, &a, data + 1, size - 1, &out) == CT_OK && ct_buf_append(&out, "", 1) == CT_OK) {
        struct ct_buf back;
        ct_buf_init(&back, 1 << 20);
        struct ct_enc_session r;
        if (ct_enc_session_init(&r, alg, CT_ENC_PART_CRED | CT_ENC_PART_DEVINF | CT_ENC_PART_DATA, key, &b, NULL) == CT_OK) {
            if (ct_enc_open(&r, &a, (const char *)out.data, &back) != CT_OK || back.len != size - 1 ||
                (size > 1 && memcmp(back.data, data + 1, size - 1) != 0))
                abort();
            ct_enc_session_wipe(&r);
        }
        ct_buf_cleanup(&back);
    }
    ct_buf_cleanup(&out);
    ct_enc_session_wipe(&s);
    free(text);
    return 0;
}
