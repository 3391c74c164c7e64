/*
 * Fuzz target: the server's key transport (ENC-KT-3/4/5) on the test PKI's RSA-2048 key. The
 * first byte picks the key transport; the rest is the wrapped key. Whatever it is, unwrapping
 * must fill the key (with random bytes on failure) and never crash.
 */
#include "fuzz_common.h"

#include "crypto/ct_enc_kt.h"

#include <stdlib.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const enum ct_enc_kt kts[] = {CT_ENC_KT_OAEP_SHA256, CT_ENC_KT_OAEP_SHA1, CT_ENC_KT_PKCS1};
    struct ct_enc_replay cache;
    ct_enc_replay_init(&cache, 0);
    uint8_t key[CT_ENC_KEY_LEN];
    ct_enc_unwrap(key, fuzz_server_key(), kts[data[0] % 3], data + 1, size - 1, (uint64_t)time(NULL), &cache);
    ct_enc_replay_cleanup(&cache);
    return 0;
}
