/*
 * ct_build: building SyncML messages in the same tree the parser produces.
 *
 * Start from ct_msg_new(), which holds SyncHdr (VerDTD, VerProto) and an empty SyncBody; fill
 * the header with ct_build_hdr and add commands with ct_build_cmd and ct_el_*; call
 * ct_msg_reindex before reading the typed view. Element functions return the new node, or NULL
 * when out of memory (libxml2 allocation failure); a NULL parent yields NULL, so a chain of
 * calls needs one check at its end.
 *
 * SyncML elements inherit the root's default namespace; MetInf elements (Type, Format,
 * NextNonce, MaxMsgSize, Anchor, ...) carry xmlns="syncml:metinf", as SyncML 1.2 peers write
 * them and as libwbxml needs to choose code page 1.
 */
#ifndef CT_BUILD_H
#define CT_BUILD_H

#include "syncml/ct_msg.h"

#include <libxml/tree.h>

#define CT_NS_METINF "syncml:metinf"
#define CT_NS_DEVINF "syncml:devinf"

/* ct_el_add appends <name>text</name> (text may be NULL: empty element) in parent's namespace. */
xmlNode *ct_el_add(xmlNode *parent, const char *name, const char *text);

/* ct_el_add_ns appends an element that declares its own default namespace ns_uri. */
xmlNode *ct_el_add_ns(xmlNode *parent, const char *ns_uri, const char *name, const char *text);

/* ct_el_add_metinf is ct_el_add_ns(parent, CT_NS_METINF, name, text). */
xmlNode *ct_el_add_metinf(xmlNode *parent, const char *name, const char *text);

/* ct_el_add_locus appends <which><LocURI>uri</LocURI>[<LocName>name</LocName>]</which>;
 * which is "Target", "Source", "SourceParent" or "TargetParent". name may be NULL. */
xmlNode *ct_el_add_locus(xmlNode *parent, const char *which, const char *uri, const char *name);

/* ct_msg_hdr_node and ct_msg_body_node are the SyncHdr and SyncBody of a message (NULL when a
 * parsed message lacks them). */
xmlNode *ct_msg_hdr_node(struct ct_msg *m);
xmlNode *ct_msg_body_node(struct ct_msg *m);

/* What ct_build_hdr writes; NULL/0 fields are left out. */
struct ct_hdr_spec {
    const char *session_id;
    unsigned msg_id;
    const char *target_uri;
    const char *target_name;
    const char *source_uri;
    const char *source_name;
    const char *resp_uri;
    bool no_resp;
    unsigned long max_msg_size;
    unsigned long max_obj_size;
};

/* ct_build_hdr appends the fields of spec to the SyncHdr, in the order of the DTD (Cred, if
 * any, goes after them with ct_auth_cred_add). Returns 0 or CT_ERR_NOMEM. */
int ct_build_hdr(struct ct_msg *m, const struct ct_hdr_spec *spec);

/*
 * ct_build_cmd appends <name><CmdID>n</CmdID></name> to parent (the SyncBody when parent is
 * NULL), n being the message's next CmdID (1, 2, ...). Returns the command element.
 */
xmlNode *ct_build_cmd(struct ct_msg *m, xmlNode *parent, const char *name);

/*
 * ct_build_status appends a Status answering command cmd_ref of message msg_ref:
 * CmdID, MsgRef, CmdRef, Cmd, TargetRef and SourceRef (each omitted when NULL), Data = code.
 */
xmlNode *ct_build_status(struct ct_msg *m, const char *msg_ref, const char *cmd_ref,
                         const char *cmd, const char *target_ref, const char *source_ref,
                         unsigned code);

/* ct_build_final appends <Final/> to the SyncBody. */
xmlNode *ct_build_final(struct ct_msg *m);

#endif
