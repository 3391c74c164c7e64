/*
 * ct_auth: SyncML DS authentication (OMA DS Protocol 1.2 section 8, RepPro MetInf Type).
 *
 *   syncml:auth-clear  Data = user ":" password, in clear (Format chr)
 *   syncml:auth-basic  Data = B64(user ":" password)
 *   syncml:auth-md5    Data = B64(MD5(B64(MD5(user ":" password)) ":" nonce)), SyncML 1.1 and
 *                      later, where nonce is the raw bytes of the base64-decoded NextNonce of
 *                      the last challenge (empty when none was received). The clear user name
 *                      travels in SyncHdr/Source/LocName.
 *
 * Challenges are Status 401 (invalid credentials) or 407 (missing credentials) carrying
 * <Chal><Meta><Type/><Format>b64</Format><NextNonce/></Meta></Chal>; 200 and 212 may carry one
 * too, with the nonce for the next session.
 *
 * Passwords and digests are secrets: nothing here logs them.
 */
#ifndef CT_AUTH_H
#define CT_AUTH_H

#include "base/ct_err.h"
#include "syncml/ct_view.h"

#include <libxml/tree.h>
#include <stddef.h>
#include <stdint.h>

enum ct_auth_type {
    CT_AUTH_NONE = 0,
    CT_AUTH_CLEAR,
    CT_AUTH_BASIC,
    CT_AUTH_MD5,
    CT_AUTH_OTHER, /* a Type conftest does not implement */
};

#define CT_AUTH_URI_CLEAR "syncml:auth-clear"
#define CT_AUTH_URI_BASIC "syncml:auth-basic"
#define CT_AUTH_URI_MD5 "syncml:auth-md5"

/* The base64 MD5 digest: 16 bytes encode to 24 characters. */
#define CT_AUTH_MD5_B64_LEN 24

/* ct_auth_type_uri is the MetInf Type of a scheme (NULL for NONE and OTHER). */
const char *ct_auth_type_uri(enum ct_auth_type type);

/* ct_auth_type_of maps a MetInf Type to a scheme: NONE for NULL, OTHER if unknown. */
enum ct_auth_type ct_auth_type_of(const char *uri);

/* ct_auth_basic makes the basic credential B64(user ":" password), malloc'ed; NULL on OOM. */
char *ct_auth_basic(const char *user, const char *password);

/* ct_auth_md5 writes B64(MD5(B64(MD5(user ":" password)) ":" nonce)) and a NUL into out. */
void ct_auth_md5(char out[CT_AUTH_MD5_B64_LEN + 1], const char *user, const char *password,
                 const uint8_t *nonce, size_t nonce_len);

/*
 * ct_auth_md5_v10 is the SyncML 1.0 form B64(MD5(user ":" password ":" nonce)). conftest never
 * sends it; the harness uses it to recognise a peer that does.
 */
void ct_auth_md5_v10(char out[CT_AUTH_MD5_B64_LEN + 1], const char *user, const char *password,
                     const uint8_t *nonce, size_t nonce_len);

/* What a credential check needs to know. */
struct ct_auth_expect {
    const char *user;
    const char *password;
    const uint8_t *nonce; /* the raw nonce last sent to the peer (may be NULL with len 0) */
    size_t nonce_len;
};

/*
 * ct_auth_verify checks a received Cred (from ct_view.h) against exp. loc_name is the
 * SyncHdr/Source/LocName, which md5 requires. Returns 0 when the credential is right;
 * CT_ERR_AUTH when it is well-formed but wrong (wrong user, password or nonce);
 * CT_ERR_MISSING (no Cred, no Data, md5 without LocName); CT_ERR_BASE64 or CT_ERR_PARSE
 * (malformed Data or unsupported Format); CT_ERR_UNSUPPORTED (a Type conftest does not know).
 * diag says which. The comparison of digests is constant-time.
 */
int ct_auth_verify(const struct ct_cred *cred, const char *loc_name,
                   const struct ct_auth_expect *exp, struct ct_diag *diag);

/*
 * ct_auth_cred_add appends <Cred> for scheme `type` to parent (a SyncHdr or a command).
 * For md5 the nonce is raw bytes (decoded NextNonce). Returns the Cred node, NULL on OOM or for
 * CT_AUTH_NONE/OTHER.
 */
xmlNode *ct_auth_cred_add(xmlNode *parent, enum ct_auth_type type, const char *user,
                          const char *password, const uint8_t *nonce, size_t nonce_len);

/*
 * ct_auth_chal_add puts <Chal> into a Status (before its Data, where the DTD wants it) asking
 * for scheme `type`; for md5, nonce (raw bytes) goes out base64-encoded in NextNonce. Returns
 * the Chal node, NULL on OOM.
 */
xmlNode *ct_auth_chal_add(xmlNode *status, enum ct_auth_type type, const uint8_t *nonce,
                          size_t nonce_len);

/*
 * ct_auth_chal_nonce decodes the NextNonce of a challenge into a malloc'ed buffer (*nonce,
 * free() it; never NULL on success). A challenge without NextNonce yields an empty nonce, which
 * is what the peer will expect. If the Format is not b64 the text itself is the nonce (buteo
 * does so). Returns 0, CT_ERR_BASE64 or CT_ERR_NOMEM.
 */
int ct_auth_chal_nonce(const struct ct_chal *chal, uint8_t **nonce, size_t *nonce_len);

#endif
