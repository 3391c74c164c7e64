/*
 * ct_vec: run known-answer test vectors against conftest's crypto.
 *
 * Formats recognised by content and name:
 *   - Project Wycheproof JSON (AES-GCM, AES-CBC-PKCS5, RSA-OAEP and RSAES-PKCS1-v1_5 decryption)
 *     run against ct_cipher, the primitives the profile engine uses;
 *   - NIST CAVP .rsp (AES-CBC, TDES-CBC; encrypt and decrypt sections);
 *   - RSA Labs PKCS #1 text files (oaep-vect.txt, pkcs1v15crypt-vectors.txt): decryption;
 *   - the profile's own known answers (schema conftest_profile_kat_v1, vectors/profile/),
 *     run against ct_enc: key schedule, associated data, fields byte for byte, tampered fields,
 *     selections and key blobs.
 *
 * A `valid` vector passes when the result is exactly the expected one, an `invalid` one when
 * it is rejected, an `acceptable` one either way. A vector whose parameters the primitives
 * do not support (Wycheproof AES-GCM with IVs over 1024 bits: an OpenSSL 3.0 limit, outside
 * the profile's 96-bit nonces) is skipped with its reason -- never counted as passed.
 */
#ifndef CT_VEC_H
#define CT_VEC_H

#include "base/ct_err.h"

#include <stdio.h>

struct ct_vec_tally {
    unsigned passed;
    unsigned failed;
    unsigned skipped;
};

/*
 * ct_vec_run_path runs one vector file, or every vector file under a directory (recursively,
 * in name order; other files are ignored). One line per file and one per failure go to log.
 * Returns 0 (whatever the vectors' results: see the tally), or an error for a file that cannot
 * be read or parsed (diag names it).
 */
int ct_vec_run_path(const char *path, struct ct_vec_tally *tally, FILE *log, struct ct_diag *diag);

#endif
