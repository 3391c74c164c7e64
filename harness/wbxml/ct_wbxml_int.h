/*
 * Private to harness/wbxml/: the token walker behind ct_wbxml_check, with the one extra duty the
 * encoder needs from it.
 */
#ifndef CT_WBXML_INT_H
#define CT_WBXML_INT_H

#include "wbxml/ct_wbxml.h"

/* Byte ranges of the input, in order. */
struct ct_wbxml_spans {
    size_t *at;
    size_t *len;
    size_t n;
    size_t cap;
};

void ct_wbxml_spans_cleanup(struct ct_wbxml_spans *s);

/*
 * ct_wbxml_walk is ct_wbxml_check with one difference when mislabelled is not NULL: a <Data>
 * that holds text (not an OPAQUE document) under a Meta Type naming WBXML is accepted, and
 * the inline string of that Type is added to *mislabelled. libwbxml's encoder rewrites every
 * "application/vnd.syncml-devinf+xml" to "+wbxml", also when the DevInf travels as an XML
 * string; the encoder uses these spans to put the Type back.
 */
int ct_wbxml_walk(const uint8_t *data, size_t len, unsigned max_depth, struct ct_wbxml_form *form,
                  struct ct_wbxml_spans *mislabelled, struct ct_diag *diag);

#endif
