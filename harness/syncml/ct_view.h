/*
 * ct_view: typed, read-only access to the parts of a SyncML message the harness works with.
 *
 * The view is built from the tree when a message is parsed (or reindexed). It matches
 * elements by local name, whatever namespace a peer put them in, and takes the first of
 * duplicates: it shows what is there, it does not judge (ct_msg_check and the scenario
 * engine do). Every string is NULL when the element is absent and "" when it is empty; text is
 * the element's character content exactly as sent, NULL when the element holds elements
 * instead (use the node). Pointers stay valid until ct_msg_reindex or ct_msg_free.
 */
#ifndef CT_VIEW_H
#define CT_VIEW_H

#include "syncml/ct_msg.h"

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

/* Target or Source: LocURI and LocName. */
struct ct_locus {
    const xmlNode *node;
    const char *uri;
    const char *name;
};

/* MetInf fields of a <Meta> (also inside Cred and Chal). */
struct ct_meta {
    const xmlNode *node;
    const char *type;
    const char *format;
    const char *mark;
    const char *size;
    const char *version;
    const char *next_nonce;   /* base64 text; WBXML opaque nonces are decoded to base64 */
    const char *max_msg_size;
    const char *max_obj_size;
    const char *free_mem;
    const char *free_id;
    const char *anchor_last;  /* Anchor/Last */
    const char *anchor_next;  /* Anchor/Next */
    const char **emi;         /* every EMI, in order */
    size_t n_emi;
};

/* <Cred>: Meta (Type, Format) and Data. */
struct ct_cred {
    const xmlNode *node;
    struct ct_meta meta;
    const char *data;
};

/* <Chal>: a Meta with Type, Format and NextNonce. */
struct ct_chal {
    const xmlNode *node;
    struct ct_meta meta;
};

struct ct_item {
    const xmlNode *node;
    struct ct_locus target;
    struct ct_locus source;
    struct ct_locus source_parent; /* 1.2 hierarchical sync: SourceParent/LocURI */
    struct ct_locus target_parent;
    struct ct_meta meta;
    const xmlNode *data_node;      /* <Data>, which may hold elements (DevInf, Anchor) */
    const char *data;              /* its text, NULL when absent or holding elements */
    bool more_data;                /* <MoreData/>: a chunk of a large object */
};

/* The commands of SyncML 1.2 RepPro section 6 (Final is a flag of the body, not a command). */
enum ct_cmd_kind {
    CT_CMD_UNKNOWN = 0, /* an element that is not a SyncBody command; kept with its name */
    CT_CMD_ADD,
    CT_CMD_ALERT,
    CT_CMD_ATOMIC,
    CT_CMD_COPY,
    CT_CMD_DELETE,
    CT_CMD_EXEC,
    CT_CMD_GET,
    CT_CMD_MAP,
    CT_CMD_MOVE,
    CT_CMD_PUT,
    CT_CMD_REPLACE,
    CT_CMD_RESULTS,
    CT_CMD_SEARCH,
    CT_CMD_SEQUENCE,
    CT_CMD_STATUS,
    CT_CMD_SYNC,
};

struct ct_cmd {
    enum ct_cmd_kind kind;
    const char *name;          /* element local name, also for CT_CMD_UNKNOWN */
    const xmlNode *node;
    const char *cmd_id;
    bool no_resp;
    struct ct_cred cred;       /* node NULL when absent */
    struct ct_meta meta;
    struct ct_locus target;    /* Sync, Map, Search */
    struct ct_locus source;
    const char *data;          /* Alert and Status: the code */
    const char *lang;          /* Get, Put, Search */

    /* Status and Results */
    const char *msg_ref;
    const char *cmd_ref;
    const char *cmd;           /* Status: the command it answers */
    const char **target_refs;
    size_t n_target_refs;
    const char **source_refs;
    size_t n_source_refs;
    struct ct_chal chal;       /* Status: node NULL when absent */

    /* Sync */
    const char *number_of_changes;
    /* Delete */
    bool archive;
    bool sft_del;
    /* Exec */
    const char *correlator;

    /* Items, or MapItems for Map (Target/Source LocURI = server GUID / client LUID). */
    struct ct_item *items;
    size_t n_items;

    /* Commands inside Sync, Atomic and Sequence. */
    struct ct_cmd *children;
    size_t n_children;
};

struct ct_hdr {
    const xmlNode *node;        /* <SyncHdr>, NULL when absent */
    const char *ver_dtd;
    const char *ver_proto;
    const char *session_id;
    const char *msg_id;
    struct ct_locus target;
    struct ct_locus source;
    const char *resp_uri;
    bool no_resp;
    struct ct_cred cred;        /* node NULL when absent */
    struct ct_meta meta;        /* MaxMsgSize, MaxObjSize, EMI */
};

struct ct_body {
    const xmlNode *node;        /* <SyncBody>, NULL when absent */
    struct ct_cmd *cmds;        /* top-level commands in document order */
    size_t n_cmds;
    bool final;
};

/* ct_msg_hdr is the typed SyncHdr. Never NULL. */
const struct ct_hdr *ct_msg_hdr(const struct ct_msg *m);

/* ct_msg_body is the typed SyncBody. Never NULL. */
const struct ct_body *ct_msg_body(const struct ct_msg *m);

/* ct_cmd_kind_name is the element name of a command kind ("Alert"); "?" for unknown. */
const char *ct_cmd_kind_name(enum ct_cmd_kind kind);

/* ct_cmd_kind_of maps an element name to a command kind (CT_CMD_UNKNOWN if none). */
enum ct_cmd_kind ct_cmd_kind_of(const char *name);

/*
 * ct_cmd_find returns the n-th (from 0) command of a kind, searching the body in document
 * order and descending into Sync, Atomic and Sequence; NULL when there are fewer.
 */
const struct ct_cmd *ct_msg_find_cmd(const struct ct_msg *m, enum ct_cmd_kind kind, size_t n);

/*
 * ct_msg_find_status returns the first Status answering the command with CmdRef cmd_ref
 * (a string: "0" is the SyncHdr), or NULL.
 */
const struct ct_cmd *ct_msg_find_status(const struct ct_msg *m, const char *cmd_ref);

/* ct_uint_parse parses a decimal unsigned number that must be the whole text (no sign, no
 * spaces, at most UINT64_MAX). Returns 0 or CT_ERR_PARSE. */
int ct_uint_parse(const char *text, uint64_t *out);

#endif
