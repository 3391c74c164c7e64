/*
 * ct_fs: the few file-system chores several modules share (scratch directories of the suite and
 * of the fuzzer, the directories reports and findings go to).
 */
#ifndef CT_FS_H
#define CT_FS_H

/* ct_fs_mkdirs creates dir and its parents (mode 0700). 0, or -1 with errno. */
int ct_fs_mkdirs(const char *dir);

/* ct_fs_rmtree removes dir and everything under it, without following symlinks. Best effort:
 * a scratch directory that cannot be removed is not worth failing a run for. */
void ct_fs_rmtree(const char *dir);

#endif
