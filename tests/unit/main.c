/*
 * The unit test runner: every suite, in fork mode so that a crash fails one test, not the run.
 * Set CK_RUN_SUITE / CK_RUN_CASE to run a subset.
 */
#include "testlib.h"

#include <libxml/parser.h>
#include <stdlib.h>

int main(void)
{
    xmlInitParser();
    SRunner *sr = srunner_create(suite_b64());
    srunner_add_suite(sr, suite_arena());
    srunner_add_suite(sr, suite_auth());
    srunner_add_suite(sr, suite_msg());
    srunner_add_suite(sr, suite_wbxml());
    srunner_add_suite(sr, suite_captures());
    srunner_add_suite(sr, suite_hostile());
    srunner_add_suite(sr, suite_enc());
    srunner_add_suite(sr, suite_vectors());
    srunner_add_suite(sr, suite_sut());
    srunner_add_suite(sr, suite_bugs());
    srunner_add_suite(sr, suite_report());
    srunner_add_suite(sr, suite_scn());
    srunner_add_suite(sr, suite_oracle());
    srunner_add_suite(sr, suite_lfz());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    xmlCleanupParser();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
