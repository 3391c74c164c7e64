/*
 * Fuzz target: the scenario parser (scenario files are input too: from vendors, from fuzzer
 * findings, from hand edits), and the SUT-config lexer it shares.
 */
#include "fuzz_common.h"

#include "scn/ct_scn.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ct_scn *s = NULL;
    struct ct_diag d = {0};
    if (ct_scn_parse(&s, "fuzz.scn", (const char *)data, size, &d) == CT_OK) {
        /* A parsed scenario is consistent: every expect has alternatives with directives. */
        for (size_t i = 0; i < s->n_steps; i++)
            if (s->steps[i].verb == CT_SCN_EXPECT && s->steps[i].n_alts == 0)
                abort();
        ct_scn_param(s, "client-items");
        ct_scn_free(s);
    }
    return 0;
}
