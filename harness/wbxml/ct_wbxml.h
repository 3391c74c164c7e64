/*
 * ct_wbxml: SyncML WBXML <-> XML text, through libwbxml, behind a bounds-checking gate.
 *
 * Why a gate: Debian 12 ships libwbxml 0.11.8, which crashes (two segfaults, one assertion) on
 * inputs a hostile peer can send, follows no nesting bound, and guesses the document language
 * from the input (which is how the crashers reach code SyncML never needs). Every WBXML byte
 * string therefore passes ct_wbxml_check() first: a single bounded pass over the token stream
 * that accepts only the SyncML family (SyncML 1.1/1.2 messages, DevInf/MetInf inside them) and
 * reports the first problem with its byte offset. Only then is libwbxml called, with the
 * language forced to the one the header declares.
 *
 * Encoding never uses a string table: libwbxml's string-table encoder is super-linear (a 128 KB
 * message takes 17 s). A textual public identifier, which lives in the string table, is written
 * by rewriting the header of the table-less encoding (see ct_wbxml_from_xml).
 */
#ifndef CT_WBXML_H
#define CT_WBXML_H

#include "base/ct_buf.h"
#include "base/ct_err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The documents of the SyncML family conftest accepts in WBXML. */
enum ct_wbxml_doc {
    CT_WBXML_DOC_UNKNOWN = 0,
    CT_WBXML_DOC_SYNCML11,
    CT_WBXML_DOC_SYNCML12,
    CT_WBXML_DOC_DEVINF11,
    CT_WBXML_DOC_DEVINF12,
    CT_WBXML_DOC_METINF12,
};

/* What the header of a WBXML document said, or what an encoder should write. */
struct ct_wbxml_form {
    uint8_t version;         /* WBXML version byte: 0x02 is WBXML 1.2, 0x03 is 1.3 */
    bool textual_public_id;  /* public id given as an FPI string in the string table */
    uint32_t public_id;      /* numeric public id (0 when textual) */
    uint32_t charset;        /* IANA MIBenum, 106 = UTF-8 */
    enum ct_wbxml_doc doc;
};

/*
 * ct_wbxml_check validates data[0..len) as a WBXML document of the SyncML family: header,
 * string table, every token and length in bounds, element nesting at most max_depth (embedded
 * DevInf documents count from the element that holds them), a single root element and nothing
 * after it. If form is not NULL it receives the header. Returns 0, or CT_ERR_PARSE,
 * CT_ERR_TOO_DEEP, CT_ERR_NOT_SYNCML with diag naming the byte offset.
 */
int ct_wbxml_check(const uint8_t *data, size_t len, unsigned max_depth, struct ct_wbxml_form *form,
                   struct ct_diag *diag);

/*
 * ct_wbxml_to_xml checks data (as ct_wbxml_check) and decodes it into XML text appended to
 * xml. Embedded DevInf documents become XML elements and NextNonce opaque bytes become base64,
 * as libwbxml does. Returns 0 or an error from ct_wbxml_check, CT_ERR_PARSE (libwbxml refused
 * the document), CT_ERR_TOO_BIG (xml's bound) or CT_ERR_NOMEM.
 */
int ct_wbxml_to_xml(const uint8_t *data, size_t len, unsigned max_depth, struct ct_wbxml_form *form,
                    struct ct_buf *xml, struct ct_diag *diag);

/*
 * ct_wbxml_from_xml encodes the XML text of a SyncML message (a SyncML 1.1 or 1.2 root
 * element, with or without a DOCTYPE) as WBXML appended to out, with form->version and a
 * numeric or textual public id as form->textual_public_id says (form may be NULL: WBXML 1.2,
 * numeric). DevInf inside a Data whose Meta Type is application/vnd.syncml-devinf+xml is
 * embedded as an opaque WBXML document and its Type rewritten to +wbxml, as libwbxml does.
 * Returns 0, CT_ERR_PARSE (libwbxml refused the text), CT_ERR_TOO_BIG or CT_ERR_NOMEM.
 */
int ct_wbxml_from_xml(const char *xml, size_t len, const struct ct_wbxml_form *form,
                      struct ct_buf *out, struct ct_diag *diag);

/* ct_wbxml_doc_name names a document kind ("SyncML 1.2"). */
const char *ct_wbxml_doc_name(enum ct_wbxml_doc doc);

#endif
