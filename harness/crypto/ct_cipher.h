/*
 * ct_cipher: the cryptographic primitives conftest uses, as thin wrappers over OpenSSL EVP.
 *
 * Nothing here knows SyncML or the profile: these are the operations the profile engine
 * (ct_enc) builds on and that the public test vectors (Wycheproof, NIST CAVP, RSA Labs) check
 * directly, so a vector that passes here passes for the code the profile runs.
 *
 * Every function returns 0 or a negative ct_error: CT_ERR_CRYPTO when the operation fails on
 * its input (bad tag, bad padding, RSA decryption error) -- deliberately without saying which
 * check failed -- CT_ERR_INVALID_ARG for parameters out of range, CT_ERR_NOMEM. Output buffers
 * are sized by the caller as each function states.
 */
#ifndef CT_CIPHER_H
#define CT_CIPHER_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Block ciphers for CBC: AES with a 16-, 24- or 32-byte key, or 3DES-EDE3 with 24 bytes. */
enum ct_block_cipher {
    CT_CIPHER_AES,
    CT_CIPHER_3DES,
};

#define CT_GCM_TAG_LEN 16
#define CT_SHA256_LEN 32

/*
 * ct_gcm_seal encrypts n bytes of in into out (n bytes) under key (16, 24 or 32 bytes) and an
 * IV of 1..128 bytes, with associated data aad, and writes a tag_len-byte tag (4..16).
 */
int ct_gcm_seal(const uint8_t *key, size_t key_len, const uint8_t *iv, size_t iv_len,
                const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t n, uint8_t *out,
                uint8_t *tag, size_t tag_len);

/* ct_gcm_open is the inverse; CT_ERR_CRYPTO when the tag does not verify (out is then wiped). */
int ct_gcm_open(const uint8_t *key, size_t key_len, const uint8_t *iv, size_t iv_len,
                const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t n,
                const uint8_t *tag, size_t tag_len, uint8_t *out);

/*
 * ct_cbc runs CBC over n bytes: encrypt (with PKCS#7 padding when `pad`) or decrypt (checking
 * and removing the padding when `pad`; CT_ERR_CRYPTO if it is bad). out must hold n + 16 bytes;
 * *out_len receives the length written. The IV is the cipher's block size.
 */
int ct_cbc(bool encrypt, enum ct_block_cipher cipher, const uint8_t *key, size_t key_len,
           const uint8_t *iv, bool pad, const uint8_t *in, size_t n, uint8_t *out,
           size_t *out_len);

/* ct_block_size is 16 for AES and 8 for 3DES. */
size_t ct_block_size(enum ct_block_cipher cipher);

/* ct_hmac_sha256 computes HMAC-SHA-256 over the concatenation of n_parts pieces. */
struct ct_bytes {
    const uint8_t *p;
    size_t n;
};
int ct_hmac_sha256(uint8_t out[CT_SHA256_LEN], const uint8_t *key, size_t key_len,
                   const struct ct_bytes *parts, size_t n_parts);

/* ct_sha256 hashes n bytes. */
int ct_sha256(uint8_t out[CT_SHA256_LEN], const uint8_t *in, size_t n);

/* ct_hkdf_extract and ct_hkdf_expand are HKDF-SHA-256 (RFC 5869); out_len <= 255 * 32. */
int ct_hkdf_extract(uint8_t prk[CT_SHA256_LEN], const uint8_t *salt, size_t salt_len,
                    const uint8_t *ikm, size_t ikm_len);
int ct_hkdf_expand(uint8_t *out, size_t out_len, const uint8_t prk[CT_SHA256_LEN],
                   const uint8_t *info, size_t info_len);

/* RSA encryption schemes. For OAEP, md is the label hash and mgf1_md the MGF1 hash. */
struct ct_rsa_scheme {
    bool oaep;            /* false: RSAES-PKCS1-v1_5 */
    const EVP_MD *md;     /* OAEP only */
    const EVP_MD *mgf1_md;
};

/*
 * ct_rsa_encrypt encrypts n bytes under the public key; out must hold EVP_PKEY_get_size(key)
 * bytes. label (may be NULL) is the OAEP label.
 */
int ct_rsa_encrypt(EVP_PKEY *key, const struct ct_rsa_scheme *s, const uint8_t *label,
                   size_t label_len, const uint8_t *in, size_t n, uint8_t *out, size_t *out_len);

/*
 * ct_rsa_decrypt decrypts with the private key; out must hold EVP_PKEY_get_size(key) bytes.
 * Every failure -- wrong length, value not below the modulus, bad padding -- is the same
 * CT_ERR_CRYPTO, and OpenSSL's error queue is cleared, so that no caller can tell them apart.
 */
int ct_rsa_decrypt(EVP_PKEY *key, const struct ct_rsa_scheme *s, const uint8_t *label,
                   size_t label_len, const uint8_t *in, size_t n, uint8_t *out, size_t *out_len);

/* ct_random fills out with n bytes from OpenSSL's CSPRNG. */
int ct_random(uint8_t *out, size_t n);

/* ct_memeq compares in constant time (for a given n). */
bool ct_memeq(const void *a, const void *b, size_t n);

/* ct_wipe zeroes memory in a way the compiler keeps (OPENSSL_cleanse). NULL is a no-op. */
void ct_wipe(void *p, size_t n);

#endif
