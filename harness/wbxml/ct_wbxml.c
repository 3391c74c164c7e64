/*
 * WBXML <-> XML text through libwbxml's converter API (the only API Debian installs headers
 * for). The input side is always gated by ct_wbxml_check(); see ct_wbxml.h.
 */
#include "wbxml/ct_wbxml_int.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <wbxml/wbxml.h>

/*
 * The converter's output buffers come from wbxml_malloc(), a plain malloc() wrapper in Debian's
 * build (no leak tracker); the installed headers do not declare wbxml_free(), so free() it is.
 */
static void wbxml_free(void *p)
{
    free(p);
}

/* Our own encodings are checked too, with a bound no real message reaches. */
#define OWN_OUTPUT_MAX_DEPTH 1024u

#define DEVINF_XML_TYPE "application/vnd.syncml-devinf+xml"

static WBXMLLanguage language_of(enum ct_wbxml_doc doc)
{
    switch (doc) {
    case CT_WBXML_DOC_SYNCML11: return WBXML_LANG_SYNCML_SYNCML11;
    case CT_WBXML_DOC_SYNCML12: return WBXML_LANG_SYNCML_SYNCML12;
    case CT_WBXML_DOC_DEVINF11: return WBXML_LANG_SYNCML_DEVINF11;
    case CT_WBXML_DOC_DEVINF12: return WBXML_LANG_SYNCML_DEVINF12;
    case CT_WBXML_DOC_METINF12: return WBXML_LANG_SYNCML_METINF12;
    case CT_WBXML_DOC_UNKNOWN:
    default: return WBXML_LANG_UNKNOWN;
    }
}

static int wbxml_error(struct ct_diag *diag, const char *what, WBXMLError err)
{
    if (err == WBXML_ERROR_NOT_ENOUGH_MEMORY)
        return CT_ERR_NOMEM;
    return ct_diag_set(diag, CT_ERR_PARSE, "%s: libwbxml: %s", what,
                       (const char *)wbxml_errors_string(err));
}

/*
 * XML parsers turn every CR LF into LF, also inside CDATA sections, where libwbxml puts vCard
 * text. The WBXML carried the CRs, so write them as character references: "&#13;" in text,
 * and by leaving the CDATA section for one in a section. libwbxml's compact output has line
 * breaks only in text, and the gate has refused "]]>" in text, so the sections are easy to find.
 */
static int append_keeping_cr(struct ct_buf *out, const uint8_t *xml, size_t n)
{
    static const char open[] = "<![CDATA[", close[] = "]]>";
    bool in_cdata = false;
    size_t from = 0;
    int rc = CT_OK;
    for (size_t i = 0; i < n && rc == CT_OK; i++) {
        if (!in_cdata && xml[i] == '<' && n - i >= sizeof(open) - 1 &&
            memcmp(xml + i, open, sizeof(open) - 1) == 0) {
            in_cdata = true;
            i += sizeof(open) - 2;
        } else if (in_cdata && xml[i] == ']' && n - i >= sizeof(close) - 1 &&
                   memcmp(xml + i, close, sizeof(close) - 1) == 0) {
            in_cdata = false;
            i += sizeof(close) - 2;
        } else if (xml[i] == '\r') {
            rc = ct_buf_append(out, xml + from, i - from);
            if (rc == CT_OK)
                rc = ct_buf_append_str(out, in_cdata ? "]]>&#13;<![CDATA[" : "&#13;");
            from = i + 1;
        }
    }
    return rc == CT_OK ? ct_buf_append(out, xml + from, n - from) : rc;
}

int ct_wbxml_to_xml(const uint8_t *data, size_t len, unsigned max_depth, struct ct_wbxml_form *form,
                    struct ct_buf *xml, struct ct_diag *diag)
{
    struct ct_wbxml_form f;
    int rc = ct_wbxml_check(data, len, max_depth, &f, diag);
    if (rc != CT_OK)
        return rc;
    if (len > UINT32_MAX)
        return ct_diag_set(diag, CT_ERR_TOO_BIG, "WBXML input of %zu bytes is too large", len);

    WBXMLConvWBXML2XML *conv = NULL;
    WBXMLError err = wbxml_conv_wbxml2xml_create(&conv);
    if (err != WBXML_OK)
        return wbxml_error(diag, "decoding WBXML", err);
    /* Forcing the language keeps libwbxml off its guessing paths (where the crashers live). */
    wbxml_conv_wbxml2xml_set_language(conv, language_of(f.doc));
    wbxml_conv_wbxml2xml_set_gen_type(conv, WBXML_GEN_XML_COMPACT);
    wbxml_conv_wbxml2xml_enable_preserve_whitespaces(conv);

    WB_UTINY *out = NULL;
    WB_ULONG out_len = 0;
    /* libwbxml takes a non-const pointer but does not write through it. */
    err = wbxml_conv_wbxml2xml_run(conv, (WB_UTINY *)data, (WB_ULONG)len, &out, &out_len);
    wbxml_conv_wbxml2xml_destroy(conv);
    if (err != WBXML_OK) {
        wbxml_free(out);
        return wbxml_error(diag, "decoding WBXML", err);
    }
    rc = append_keeping_cr(xml, out, out_len);
    wbxml_free(out);
    if (rc == CT_ERR_TOO_BIG)
        return ct_diag_set(diag, rc, "WBXML decodes to more than %zu bytes of XML", xml->max);
    if (rc == CT_OK && form != NULL)
        *form = f;
    return rc;
}

/* skip_mb returns the offset just past the mb_u_int32 that starts at pos. */
static size_t skip_mb(const uint8_t *p, size_t len, size_t pos)
{
    while (pos < len && (p[pos] & 0x80))
        pos++;
    return pos + 1;
}

/*
 * rewrite_textual_public_id turns the header of a table-less encoding (version, numeric public
 * id, charset, string table length 0) into one that names the document by its FPI string: the
 * public id becomes 0 followed by index 0 into a string table that holds just the FPI. The body
 * does not change: without a string table it holds no table references that could move.
 */
static int rewrite_textual_public_id(const uint8_t *in, size_t len, enum ct_wbxml_doc doc,
                                     struct ct_buf *out, struct ct_diag *diag)
{
    const char *fpi = NULL;
    switch (doc) {
    case CT_WBXML_DOC_SYNCML11: fpi = "-//SYNCML//DTD SyncML 1.1//EN"; break;
    case CT_WBXML_DOC_SYNCML12: fpi = "-//SYNCML//DTD SyncML 1.2//EN"; break;
    default: return ct_diag_set(diag, CT_ERR_INTERNAL, "no FPI for %s", ct_wbxml_doc_name(doc));
    }
    /* The input passed ct_wbxml_check, so these mb_u_int32 fields are complete. */
    size_t pubid = 1;
    size_t charset = skip_mb(in, len, pubid);
    size_t strtbl = skip_mb(in, len, charset);
    if (strtbl >= len || in[strtbl] != 0x00)
        return ct_diag_set(diag, CT_ERR_INTERNAL, "libwbxml wrote a string table unexpectedly");
    size_t body = strtbl + 1;
    size_t fpi_size = strlen(fpi) + 1; /* with its NUL; < 128, so one mb_u_int32 byte */
    const uint8_t textual_id[2] = {0x00, 0x00}; /* public id 0, then string table index 0 */
    const uint8_t table_len = (uint8_t)fpi_size;

    int rc = ct_buf_append(out, in, 1);
    if (rc == CT_OK)
        rc = ct_buf_append(out, textual_id, sizeof(textual_id));
    if (rc == CT_OK)
        rc = ct_buf_append(out, in + charset, strtbl - charset);
    if (rc == CT_OK)
        rc = ct_buf_append(out, &table_len, 1);
    if (rc == CT_OK)
        rc = ct_buf_append(out, fpi, fpi_size);
    if (rc == CT_OK)
        rc = ct_buf_append(out, in + body, len - body);
    return rc;
}

int ct_wbxml_from_xml(const char *xml, size_t len, const struct ct_wbxml_form *form,
                      struct ct_buf *out, struct ct_diag *diag)
{
    static const struct ct_wbxml_form defaults = {.version = 0x02};
    if (form == NULL)
        form = &defaults;
    if (len > UINT32_MAX)
        return ct_diag_set(diag, CT_ERR_TOO_BIG, "XML input of %zu bytes is too large", len);
    /* WBXML 1.0 has no charset field; SyncML peers use 1.1 to 1.3. */
    if (form->version < 0x01 || form->version > 0x03)
        return ct_diag_set(diag, CT_ERR_UNSUPPORTED, "cannot encode WBXML version byte 0x%02X",
                           form->version);

    WBXMLConvXML2WBXML *conv = NULL;
    WBXMLError err = wbxml_conv_xml2wbxml_create(&conv);
    if (err != WBXML_OK)
        return wbxml_error(diag, "encoding WBXML", err);
    wbxml_conv_xml2wbxml_set_version(conv, (WBXMLVersion)form->version);
    wbxml_conv_xml2wbxml_disable_string_table(conv);
    wbxml_conv_xml2wbxml_enable_preserve_whitespaces(conv);

    WB_UTINY *wb = NULL;
    WB_ULONG wb_len = 0;
    err = wbxml_conv_xml2wbxml_run(conv, (WB_UTINY *)xml, (WB_ULONG)len, &wb, &wb_len);
    wbxml_conv_xml2wbxml_destroy(conv);
    if (err != WBXML_OK) {
        wbxml_free(wb);
        return wbxml_error(diag, "encoding WBXML", err);
    }

    /* libwbxml labels every DevInf +wbxml, also one it kept as an XML string: relabel those. */
    struct ct_wbxml_spans fix = {0};
    struct ct_diag walk = {0};
    struct ct_buf relabelled;
    ct_buf_init(&relabelled, 0);
    int rc = ct_wbxml_walk(wb, wb_len, OWN_OUTPUT_MAX_DEPTH, NULL, &fix, &walk);
    if (rc == CT_OK && fix.n > 0) {
        size_t from = 0;
        for (size_t i = 0; rc == CT_OK && i < fix.n; i++) {
            rc = ct_buf_append(&relabelled, wb + from, fix.at[i] - from);
            if (rc == CT_OK)
                rc = ct_buf_append_str(&relabelled, DEVINF_XML_TYPE);
            from = fix.at[i] + fix.len[i];
        }
        if (rc == CT_OK)
            rc = ct_buf_append(&relabelled, wb + from, wb_len - from);
    }
    bool relabel = fix.n > 0;
    ct_wbxml_spans_cleanup(&fix);
    const uint8_t *enc = relabel ? relabelled.data : wb;
    size_t enc_len = relabel ? relabelled.len : wb_len;

    /* Learn what was written, and refuse to hand out anything our own gate would reject. */
    struct ct_wbxml_form got;
    struct ct_diag check = {0};
    if (rc == CT_OK)
        rc = ct_wbxml_check(enc, enc_len, OWN_OUTPUT_MAX_DEPTH, &got, &check);
    if (rc != CT_OK && rc != CT_ERR_NOMEM) {
        rc = ct_diag_set(diag, rc, "libwbxml produced WBXML that fails the gate: %s",
                         check.code != CT_OK ? check.text : walk.text);
    } else if (rc == CT_OK && form->textual_public_id) {
        rc = rewrite_textual_public_id(enc, enc_len, got.doc, out, diag);
    } else if (rc == CT_OK) {
        rc = ct_buf_append(out, enc, enc_len);
    }
    ct_buf_cleanup(&relabelled);
    wbxml_free(wb);
    return rc;
}
