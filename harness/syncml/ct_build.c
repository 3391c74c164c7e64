#include "syncml/ct_build.h"

#include "syncml/ct_msg_int.h"

#include <stdio.h>

xmlNode *ct_el_add(xmlNode *parent, const char *name, const char *text)
{
    if (parent == NULL)
        return NULL;
    /* xmlNewTextChild escapes text; xmlNewChild would take it as markup. */
    return xmlNewTextChild(parent, parent->ns, (const xmlChar *)name, (const xmlChar *)text);
}

xmlNode *ct_el_add_ns(xmlNode *parent, const char *ns_uri, const char *name, const char *text)
{
    xmlNode *el = ct_el_add(parent, name, text);
    if (el == NULL)
        return NULL;
    xmlNs *ns = xmlNewNs(el, (const xmlChar *)ns_uri, NULL);
    if (ns == NULL) {
        xmlUnlinkNode(el);
        xmlFreeNode(el);
        return NULL;
    }
    xmlSetNs(el, ns);
    return el;
}

xmlNode *ct_el_add_metinf(xmlNode *parent, const char *name, const char *text)
{
    return ct_el_add_ns(parent, CT_NS_METINF, name, text);
}

xmlNode *ct_el_add_locus(xmlNode *parent, const char *which, const char *uri, const char *name)
{
    xmlNode *el = ct_el_add(parent, which, NULL);
    if (ct_el_add(el, "LocURI", uri) == NULL)
        return NULL;
    if (name != NULL && ct_el_add(el, "LocName", name) == NULL)
        return NULL;
    return el;
}

xmlNode *ct_msg_hdr_node(struct ct_msg *m)
{
    return (xmlNode *)ct_xml_child(xmlDocGetRootElement(m->doc), "SyncHdr");
}

xmlNode *ct_msg_body_node(struct ct_msg *m)
{
    return (xmlNode *)ct_xml_child(xmlDocGetRootElement(m->doc), "SyncBody");
}

int ct_build_hdr(struct ct_msg *m, const struct ct_hdr_spec *spec)
{
    xmlNode *hdr = ct_msg_hdr_node(m);
    if (hdr == NULL)
        return CT_ERR_INVALID_ARG;
    char num[32];
    bool ok = true;
    if (spec->session_id != NULL)
        ok = ok && ct_el_add(hdr, "SessionID", spec->session_id) != NULL;
    if (spec->msg_id != 0) {
        snprintf(num, sizeof(num), "%u", spec->msg_id);
        ok = ok && ct_el_add(hdr, "MsgID", num) != NULL;
    }
    if (spec->target_uri != NULL)
        ok = ok && ct_el_add_locus(hdr, "Target", spec->target_uri, spec->target_name) != NULL;
    if (spec->source_uri != NULL)
        ok = ok && ct_el_add_locus(hdr, "Source", spec->source_uri, spec->source_name) != NULL;
    if (spec->resp_uri != NULL)
        ok = ok && ct_el_add(hdr, "RespURI", spec->resp_uri) != NULL;
    if (spec->no_resp)
        ok = ok && ct_el_add(hdr, "NoResp", NULL) != NULL;
    if (spec->max_msg_size != 0 || spec->max_obj_size != 0) {
        xmlNode *meta = ct_el_add(hdr, "Meta", NULL);
        ok = ok && meta != NULL;
        if (spec->max_msg_size != 0) {
            snprintf(num, sizeof(num), "%lu", spec->max_msg_size);
            ok = ok && ct_el_add_metinf(meta, "MaxMsgSize", num) != NULL;
        }
        if (spec->max_obj_size != 0) {
            snprintf(num, sizeof(num), "%lu", spec->max_obj_size);
            ok = ok && ct_el_add_metinf(meta, "MaxObjSize", num) != NULL;
        }
    }
    return ok ? CT_OK : CT_ERR_NOMEM;
}

xmlNode *ct_build_cmd(struct ct_msg *m, xmlNode *parent, const char *name)
{
    if (parent == NULL)
        parent = ct_msg_body_node(m);
    char id[16];
    snprintf(id, sizeof(id), "%u", m->next_cmd_id++);
    xmlNode *cmd = ct_el_add(parent, name, NULL);
    if (ct_el_add(cmd, "CmdID", id) == NULL)
        return NULL;
    return cmd;
}

xmlNode *ct_build_status(struct ct_msg *m, const char *msg_ref, const char *cmd_ref,
                         const char *cmd, const char *target_ref, const char *source_ref,
                         unsigned code)
{
    xmlNode *st = ct_build_cmd(m, NULL, "Status");
    char num[16];
    snprintf(num, sizeof(num), "%u", code);
    if (msg_ref != NULL && ct_el_add(st, "MsgRef", msg_ref) == NULL)
        return NULL;
    if (cmd_ref != NULL && ct_el_add(st, "CmdRef", cmd_ref) == NULL)
        return NULL;
    if (cmd != NULL && ct_el_add(st, "Cmd", cmd) == NULL)
        return NULL;
    if (target_ref != NULL && ct_el_add(st, "TargetRef", target_ref) == NULL)
        return NULL;
    if (source_ref != NULL && ct_el_add(st, "SourceRef", source_ref) == NULL)
        return NULL;
    if (ct_el_add(st, "Data", num) == NULL)
        return NULL;
    return st;
}

xmlNode *ct_build_final(struct ct_msg *m)
{
    return ct_el_add(ct_msg_body_node(m), "Final", NULL);
}
