/*
 * ct_enc_cert: server certificates for the profile (docs/PROFILE.md section 8) -- loading
 * PEM, the kid (SHA-256 of the DER), and the client's checks of a pre-configured certificate
 * (ENC-CERT-1) and of a downloaded chain (ENC-CERT-2). All X.509 work is OpenSSL's.
 *
 * Certificates are public: diagnostics say exactly which check failed.
 */
#ifndef CT_ENC_CERT_H
#define CT_ENC_CERT_H

#include "base/ct_err.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The smallest RSA modulus the profile accepts, in bits. */
#define CT_ENC_MIN_RSA_BITS 2048

/*
 * ct_enc_chain_from_pem reads every certificate of a PEM text (server certificate first) into a
 * new stack (*out; free with OSSL_STACK_OF_X509_free or sk_X509_pop_free). Returns 0, or
 * CT_ERR_PARSE when the text holds no certificate or a broken one.
 */
int ct_enc_chain_from_pem(STACK_OF(X509) **out, const uint8_t *pem, size_t n, struct ct_diag *diag);

/*
 * ct_enc_chain_load is ct_enc_chain_from_pem on a file; CT_ERR_IO if it cannot be read. A file
 * read before and unchanged since (same inode, size and mtime) is not decoded again: the stack
 * is a new one all the same, of the same (up-referenced) certificates.
 */
int ct_enc_chain_load(STACK_OF(X509) **out, const char *path, struct ct_diag *diag);

/* ct_enc_chain_free frees a stack from the functions above. NULL is a no-op. */
void ct_enc_chain_free(STACK_OF(X509) *chain);

/* ct_enc_key_load reads a PEM private key; NULL with diag set on failure. */
EVP_PKEY *ct_enc_key_load(const char *path, struct ct_diag *diag);

/* ct_enc_key_from_pem reads a PEM private key from text; NULL with diag set on failure. */
EVP_PKEY *ct_enc_key_from_pem(const char *pem, struct ct_diag *diag);

/*
 * ct_enc_cert_self_signed makes a one-day self-signed certificate (CN and SAN localhost,
 * 127.0.0.1) for key, as a one-element chain (*out) and its PEM text (*pem, malloc'ed): for a
 * server that must present a key given as a test vector, which comes without a certificate.
 * Returns 0, CT_ERR_CRYPTO or CT_ERR_NOMEM.
 */
int ct_enc_cert_self_signed(EVP_PKEY *key, STACK_OF(X509) **out, char **pem);

/* ct_enc_cert_kid computes the kid of a certificate: SHA-256 of its DER. */
int ct_enc_cert_kid(X509 *cert, uint8_t kid[32]);

/*
 * ct_enc_cert_check_key is ENC-CERT-1: an RSA key of at least CT_ENC_MIN_RSA_BITS bits and, if
 * the certificate has a key usage extension, keyEncipherment in it. Returns 0 or
 * CT_ERR_CRYPTO with diag naming the failed check.
 */
int ct_enc_cert_check_key(X509 *cert, struct ct_diag *diag);

/*
 * ct_enc_cert_verify is ENC-CERT-2 for a downloaded chain (server certificate first): a chain
 * to ca, every certificate valid at time `at` (0: now; (time_t)-1: validity not checked, which
 * only the seeded bug accept-expired uses), a subjectAltName matching host (a DNS
 * name or an IP address literal), no MD5 or SHA-1 signature, and ct_enc_cert_check_key.
 * Returns 0 or CT_ERR_CRYPTO with diag naming the failed check.
 */
int ct_enc_cert_verify(STACK_OF(X509) *chain, X509 *ca, const char *host, time_t at,
                       struct ct_diag *diag);

#endif
