/*
 * Fuzz target: a SyncML message in WBXML -- the gate in front of libwbxml, libwbxml's decoder,
 * the XML it produces -- then the view, the canonical form and the way back to WBXML. Debian's
 * libwbxml is not instrumented: coverage comes from the gate and what conftest does around it
 * (docs/FUZZING.md).
 */
#include "fuzz_common.h"

#include "syncml/ct_msg.h"
#include "syncml/ct_summary.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_quiet_libxml();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ct_limits lim = {.max_bytes = 1 << 20, .max_depth = 64};
    struct ct_msg *m = NULL;
    if (ct_msg_parse(&m, data, size, CT_ENC_WBXML, &lim, NULL) != CT_OK)
        return 0;
    struct ct_buf b;
    ct_buf_init(&b, 8 << 20);
    ct_msg_check(m, NULL);
    ct_msg_canonical(m, &b);
    ct_buf_reset(&b);
    ct_msg_summary(m, &b);
    ct_buf_reset(&b);
    struct ct_ser_opts wbxml = {.enc = CT_ENC_WBXML};
    ct_msg_serialize(m, &wbxml, &b, NULL);
    ct_buf_cleanup(&b);
    ct_msg_free(m);
    return 0;
}
