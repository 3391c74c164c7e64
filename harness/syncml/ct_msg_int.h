/*
 * Private to the syncml/ modules: the layout of struct ct_msg and the helpers they share.
 * Nothing outside harness/syncml/ includes this file.
 */
#ifndef CT_MSG_INT_H
#define CT_MSG_INT_H

#include "base/ct_arena.h"
#include "syncml/ct_msg.h"
#include "syncml/ct_view.h"

struct ct_msg {
    xmlDoc *doc;
    enum ct_enc enc;
    enum ct_ver ver;
    struct ct_wbxml_form wbxml; /* valid when enc == CT_ENC_WBXML */
    struct ct_arena arena;      /* the view's storage */
    struct ct_hdr hdr;
    struct ct_body body;
    unsigned next_cmd_id;       /* builder: the next CmdID to hand out */
};

/* ct_view_build (ct_view.c) fills m->hdr and m->body from m->doc. 0 or CT_ERR_NOMEM. */
int ct_view_build(struct ct_msg *m);

/* ct_xml_child returns the first element child of parent with local name `name`, or NULL. */
const xmlNode *ct_xml_child(const xmlNode *parent, const char *name);

/* ct_xml_is reports whether node is an element with local name `name`. */
bool ct_xml_is(const xmlNode *node, const char *name);

/* ct_xml_path writes the element path of node ("/SyncML/SyncBody/Sync[2]/Add") into out. */
void ct_xml_path(const xmlNode *node, char *out, size_t size);

#endif
