/*
 * ct_enc_msg: the encryption profile applied to whole messages (docs/PROFILE.md section 5):
 * find the fields of the parts in force, seal them in place (Data becomes base64(EF), the marker
 * EMI goes into the field's Meta), or open them in place (Data becomes the plaintext again, the
 * marker goes away) with one outcome per field, so that the caller can answer each command.
 *
 * The associated data of each field comes from the message itself (SessionID, MsgID, CmdID, the
 * enclosing Sync's Target, the item's LocURI), so seal after the message is complete and open
 * before anything else reads it.
 */
#ifndef CT_ENC_MSG_H
#define CT_ENC_MSG_H

#include "crypto/ct_enc.h"
#include "syncml/ct_msg.h"

#include <libxml/tree.h>

/* One field of a message. */
struct ct_enc_field {
    unsigned part;          /* CT_ENC_PART_* */
    xmlNode *cmd;           /* the command (Put, Results, Add, Replace), or the SyncHdr for cred */
    xmlNode *holder;        /* the element whose Meta carries the marker: Cred or Item */
    xmlNode *data;          /* its Data element (NULL: the field has no Data) */
    bool marked;            /* the marker EMI is present */
};

/*
 * ct_enc_msg_fields lists the fields of m that belong to the parts in `parts` (whatever their
 * state), in document order, into a malloc'ed array (*out, free() it; NULL when none).
 * DevInf fields are the Items of Put (from the client) and Results (from the server) whose Meta
 * Type -- the Item's or the command's -- is a DevInf type.
 */
int ct_enc_msg_fields(struct ct_msg *m, unsigned parts, struct ct_enc_field **out, size_t *n);

/*
 * ct_enc_msg_seal encrypts in place every field of the parts in force in s that is not marked
 * yet, with the keys of direction dir, DevInf in its XML form (ENC-FLD-3). Returns 0,
 * CT_ERR_CRYPTO_LIMIT, CT_ERR_NOMEM; the message is reindexed.
 */
int ct_enc_msg_seal(struct ct_enc_session *s, struct ct_msg *m, enum ct_enc_dir dir,
                    struct ct_diag *diag);

/*
 * ct_enc_msg_seal_ex is ct_enc_msg_seal with a test lever: the bad_padding_field-th field sealed
 * (1-based; 0: none) gets an invalid CBC padding under a valid MAC (ct_enc_seal_bad_padding).
 * CT_ERR_UNSUPPORTED when the algorithm is not CBC.
 */
int ct_enc_msg_seal_ex(struct ct_enc_session *s, struct ct_msg *m, enum ct_enc_dir dir,
                       size_t bad_padding_field, struct ct_diag *diag);

/* What became of one field when opening. */
struct ct_enc_outcome {
    unsigned part;
    xmlNode *cmd;       /* as in struct ct_enc_field */
    xmlNode *holder;
    bool marked;        /* it carried the marker (else: it came in clear) */
    int rc;             /* CT_OK, CT_ERR_CRYPTO (did not decrypt), CT_ERR_CRYPTO_LIMIT (3DES budget),
                           CT_ERR_PROTO (clear where encryption is in force, or marked with no key
                           or part not in force) */
};

/*
 * ct_enc_msg_open decrypts in place every marked field of m received in direction dir. s may be
 * NULL (no session key): then every marked field fails. Fields of parts in force that arrive in
 * clear fail too (ENC-FLD-1). A field that fails keeps its Data as received; the caller must not
 * use it. Outcomes go to a malloc'ed array (*out, free() it), one per field that was marked or
 * should have been. Returns 0 or CT_ERR_NOMEM; the message is reindexed if a field was opened.
 */
int ct_enc_msg_open(struct ct_enc_session *s, struct ct_msg *m, enum ct_enc_dir dir,
                    struct ct_enc_outcome **out, size_t *n);

/* ct_enc_msg_find_emi returns the first EMI text of a Meta element that belongs to the profile
 * ("syncml-enc/..."), or NULL. */
const char *ct_enc_msg_find_emi(const xmlNode *meta);

#endif
