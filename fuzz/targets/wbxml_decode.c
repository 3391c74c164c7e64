/*
 * Fuzz target: a SyncML message in WBXML -- the gate in front of libwbxml, libwbxml's decoder,
 * the XML it produces -- then the view, the canonical form and the way back to WBXML. Debian's
 * libwbxml is not instrumented: coverage comes from the gate and what conftest does around it
 * (docs/FUZZING.md).
 */
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_quiet_libxml();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_message(data, size, CT_ENC_WBXML);
    return 0;
}
