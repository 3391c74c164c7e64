/*
 * ct_msg: a SyncML message (1.1 or 1.2) as conftest holds it.
 *
 * The message is a libxml2 tree that keeps everything the peer sent: unknown elements,
 * misplaced ones, duplicates, comments. A test tool must be able to show and echo what a SUT
 * really sent, so nothing is dropped or reordered on the way in; judging what is wrong with it
 * is left to the code that checks the message. On top of the tree sits a typed view (ct_view.h)
 * of the parts the harness works with: SyncHdr fields and the SyncBody commands.
 *
 * Both wire encodings go through this module: XML with libxml2, WBXML through ct_wbxml (libwbxml
 * behind a gate). Parsing is bounded in size and nesting depth (struct ct_limits); external
 * entities and DTDs are never loaded.
 *
 * Ownership: a struct ct_msg owns its tree and its view; ct_msg_free releases both. The view's
 * strings and arrays point into memory owned by the message and stay valid until the next
 * ct_msg_reindex or ct_msg_free.
 */
#ifndef CT_MSG_H
#define CT_MSG_H

#include "base/ct_buf.h"
#include "base/ct_err.h"
#include "wbxml/ct_wbxml.h"

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ct_enc {
    CT_ENC_AUTO = 0, /* parse: detect from the first bytes */
    CT_ENC_XML,
    CT_ENC_WBXML,
};

enum ct_ver {
    CT_VER_UNKNOWN = 0,
    CT_VER_1_1,
    CT_VER_1_2,
};

#define CT_CONTENT_TYPE_XML "application/vnd.syncml+xml"
#define CT_CONTENT_TYPE_WBXML "application/vnd.syncml+wbxml"

/* Bounds on what a parse accepts. */
struct ct_limits {
    size_t max_bytes;   /* largest encoded message */
    unsigned max_depth; /* deepest element nesting; the root element is depth 1 (<= 256) */
};

#define CT_LIMIT_DEFAULT_MAX_BYTES ((size_t)8 << 20)
#define CT_LIMIT_DEFAULT_MAX_DEPTH 64u
/* libxml2 refuses deeper documents unless XML_PARSE_HUGE, which conftest never sets. */
#define CT_LIMIT_MAX_DEPTH 256u

/* ct_limits_default fills lim with the defaults above. */
void ct_limits_default(struct ct_limits *lim);

struct ct_msg;

/* ct_enc_detect guesses the encoding from the first bytes: XML starts with '<' (after an
 * optional BOM and whitespace), WBXML with a version byte 0x00-0x03. CT_ENC_AUTO: neither. */
enum ct_enc ct_enc_detect(const uint8_t *data, size_t len);

/* ct_enc_content_type is the MIME type of an encoding (NULL for CT_ENC_AUTO). */
const char *ct_enc_content_type(enum ct_enc enc);

/* ct_enc_from_content_type maps a Content-Type header value (parameters and case ignored) to
 * an encoding, or CT_ENC_AUTO when it is neither SyncML type. */
enum ct_enc ct_enc_from_content_type(const char *content_type);

/*
 * ct_msg_parse parses data[0..len) as a SyncML message in encoding enc (CT_ENC_AUTO: detect).
 * lim may be NULL for the defaults. On success *out owns a new message. Errors: CT_ERR_PARSE
 * (malformed, diag gives line or byte offset), CT_ERR_TOO_BIG, CT_ERR_TOO_DEEP (diag names the
 * element), CT_ERR_NOT_SYNCML (the root is not <SyncML>, or a WBXML public id is not SyncML),
 * CT_ERR_ENCODING, CT_ERR_NOMEM.
 */
int ct_msg_parse(struct ct_msg **out, const uint8_t *data, size_t len, enum ct_enc enc,
                 const struct ct_limits *lim, struct ct_diag *diag);

/*
 * ct_msg_new creates a message of version ver holding
 * <SyncML><SyncHdr><VerDTD/><VerProto/></SyncHdr><SyncBody/></SyncML>, or NULL when out of
 * memory. Fill it with ct_build.h.
 */
struct ct_msg *ct_msg_new(enum ct_ver ver);

/* ct_msg_free releases m and everything it owns. NULL is a no-op. */
void ct_msg_free(struct ct_msg *m);

/* ct_msg_doc is the tree. Edit it freely, then call ct_msg_reindex. */
xmlDoc *ct_msg_doc(const struct ct_msg *m);

/* ct_msg_reindex rebuilds the typed view after the tree changed. 0 or CT_ERR_NOMEM. */
int ct_msg_reindex(struct ct_msg *m);

/* ct_msg_version is the SyncML version, from the root namespace, VerDTD or WBXML public id. */
enum ct_ver ct_msg_version(const struct ct_msg *m);

/* ct_msg_encoding is the encoding the message was parsed from (CT_ENC_XML when built). */
enum ct_enc ct_msg_encoding(const struct ct_msg *m);

/* ct_msg_wbxml_form is the WBXML header the message arrived with (NULL unless WBXML). */
const struct ct_wbxml_form *ct_msg_wbxml_form(const struct ct_msg *m);

/* How to serialize. Zero-initialised means compact XML. */
struct ct_ser_opts {
    enum ct_enc enc;          /* CT_ENC_XML (also for CT_ENC_AUTO) or CT_ENC_WBXML */
    bool pretty;              /* XML: indent */
    bool textual_public_id;   /* WBXML: FPI string instead of the numeric public id */
    uint8_t wbxml_version;    /* WBXML: version byte; 0 means 0x02 (WBXML 1.2) */
};

/*
 * ct_msg_serialize appends the encoding of m to out. Errors: CT_ERR_PARSE (libwbxml refused the
 * tree, diag says why), CT_ERR_TOO_BIG (out's bound), CT_ERR_UNSUPPORTED, CT_ERR_NOMEM.
 */
int ct_msg_serialize(const struct ct_msg *m, const struct ct_ser_opts *opts, struct ct_buf *out,
                     struct ct_diag *diag);

/*
 * ct_xml_dump appends the XML text of one element (and what is under it) to out: no XML
 * declaration, UTF-8, indented when pretty. Returns 0, CT_ERR_TOO_BIG (out's bound), or
 * CT_ERR_NOMEM.
 */
int ct_xml_dump(const xmlNode *el, bool pretty, struct ct_buf *out);

/*
 * ct_msg_canonical appends a canonical text form of m to out: one line per element (with its
 * namespace URI), attribute and text node, indented by depth; whitespace-only text between
 * elements dropped, line ends normalised as XML parsers do (CR LF and CR become LF), comments
 * and processing instructions left out. Two messages carry the same SyncML content exactly when
 * their canonical forms are equal, whichever encoding they came in. Returns 0, CT_ERR_TOO_BIG or
 * CT_ERR_NOMEM.
 */
int ct_msg_canonical(const struct ct_msg *m, struct ct_buf *out);

/*
 * ct_msg_check reports the first structural problem of a parsed message that a SyncML peer
 * could not work around: a missing SyncHdr or SyncBody, a SyncHdr without VerDTD, VerProto,
 * SessionID, MsgID, Target or Source, a command without CmdID. Returns 0 or CT_ERR_MISSING
 * with diag naming the element path.
 */
int ct_msg_check(const struct ct_msg *m, struct ct_diag *diag);

#endif
