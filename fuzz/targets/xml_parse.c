/*
 * Fuzz target: a SyncML message in XML, through everything conftest does with what a peer sends
 * -- parse (libxml2, bounded), the typed view, the structural check, the canonical form, the
 * one-line summary -- and back out as XML and as WBXML.
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
    fuzz_message(data, size, CT_ENC_XML);
    return 0;
}
