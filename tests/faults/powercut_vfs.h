/* SPDX-License-Identifier: MIT */
/* docs/reliability.md T12: a power cut below SQLite. A VFS over the default unix VFS that, before
 * each write to a database or WAL file, appends the bytes it overwrites to an undo file, and on
 * each xSync marks that file's writes durable. After the writing process is SIGKILLed ("the power
 * goes"), powercut_revert() undoes, in another process, every write not followed by a sync: the
 * files are left as the disk would hold them after the cut. */
#ifndef VSD_FAULTS_POWERCUT_VFS_H
#define VSD_FAULTS_POWERCUT_VFS_H

#include <stdint.h>

/* Register the VFS as the default, logging to UNDO_PATH (created, truncated). CUT_AFTER > 0: the
 * power goes (the process SIGKILLs itself) right after that many writes to tracked files, so that
 * cuts land inside commits and checkpoints. Returns 0 or -errno. */
int powercut_register(const char *undo_path, unsigned cut_after);

struct powercut_result {
    unsigned writes_undone; /* writes not yet synced that were undone */
    unsigned writes_kept;   /* torn mode: unsynced writes that survived */
    unsigned files;
};

/* Undo the unsynced writes UNDO_PATH recorded. TORN: undo a random half of them (each write
 * independently), keeping the rest, as a disk that reorders writes between barriers may.
 * Returns 0 or -errno. */
int powercut_revert(const char *undo_path, int torn, unsigned seed, struct powercut_result *res);

#endif
