/*
 * ct_b64: base64 (RFC 4648 alphabet, with padding) through OpenSSL's EVP encoder.
 *
 * SyncML carries credentials, nonces and (with the encryption profile) ciphertext as base64
 * text inside XML, where line breaks and surrounding whitespace are common: the decoder skips
 * whitespace and rejects anything else that is not base64.
 */
#ifndef CT_B64_H
#define CT_B64_H

#include <stddef.h>
#include <stdint.h>

/* ct_b64_encoded_len is the length of the encoding of n bytes, without a NUL. */
size_t ct_b64_encoded_len(size_t n);

/*
 * ct_b64_encode writes the single-line encoding of in[0..n) and a NUL into out, which must hold
 * ct_b64_encoded_len(n) + 1 bytes. Returns the encoded length.
 */
size_t ct_b64_encode(char *out, const uint8_t *in, size_t n);

/* ct_b64_encode_alloc returns a malloc'ed NUL-terminated encoding, or NULL when out of memory. */
char *ct_b64_encode_alloc(const uint8_t *in, size_t n);

/*
 * ct_b64_decode decodes the NUL-terminated text into a malloc'ed buffer (*out, length *out_len,
 * free() it; *out is never NULL on success, even for empty text). Whitespace is ignored.
 * Returns 0, CT_ERR_BASE64 for invalid text, or CT_ERR_NOMEM.
 */
int ct_b64_decode(uint8_t **out, size_t *out_len, const char *text);

#endif
