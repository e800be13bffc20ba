#ifndef CLAUNCH_H
#define CLAUNCH_H

#include <sys/resource.h>
#include <sys/types.h>

/// Everything a child needs between clone and execve, prepared by the parent: plain pointers and integers.
struct claunch_plan {
    /// The program (an absolute path), argv and envp, each NULL-terminated.
    const char *path;
    char *const *argv;
    char *const *envp;
    /// The working directory, or NULL to keep the parent's.
    const char *working_directory;
    /// Descriptor `sources[i]` (10 or above, close-on-exec) becomes `targets[i]` (0...9) in the child.
    const int *sources;
    const int *targets;
    int descriptor_count;
    /// Descriptors from this number up are made close-on-exec.
    int first_free_descriptor;
    /// Where the fallback loop stops when close_range(2) is missing.
    int descriptor_limit;
    /// Resource limits (soft and hard) set before exec.
    const int *limit_resources;
    const struct rlimit *limit_values;
    int limit_count;
    /// Open `cgroup.procs` files the child writes itself into.
    const int *cgroup_files;
    int cgroup_file_count;
    /// Switch to this user and group (with no supplementary groups) before exec.
    int switch_user;
    unsigned int uid;
    unsigned int gid;
};

/// Where a launch failed; the numbers name the steps in order.
enum claunch_stage {
    CLAUNCH_OK = 0,
    CLAUNCH_SETSID = 1,
    CLAUNCH_DUP2 = 2,
    CLAUNCH_CLOSE_RANGE = 3,
    CLAUNCH_CGROUP = 4,
    CLAUNCH_CHDIR = 5,
    CLAUNCH_SETRLIMIT = 6,
    CLAUNCH_SWITCH_USER = 7,
    CLAUNCH_EXECVE = 8,
    CLAUNCH_SIGNALS = 9,
    CLAUNCH_CLONE = 10,
};

/// Starts `plan` in a new process with clone(CLONE_VM | CLONE_VFORK), as posix_spawn does: no copy of the
/// parent's page tables, and the calling thread waits only until the child has called execve. The child
/// makes raw system calls only (no locks, no allocation, no glibc credential broadcast), sets every signal
/// to its default action and unblocks them all, starts a session, and applies the plan.
///
/// Returns the child's pid once execve succeeded. On failure returns -1 with the step in `*stage` and the
/// errno in `*error`; a child that failed has been reaped.
pid_t claunch_spawn(const struct claunch_plan *plan, int *stage, int *error);

/// Sends SIGKILL to every process of `uid` from a short-lived child that switches to that user and calls
/// kill(-1, SIGKILL); returns once the child has exited. Only works when the caller is root.
void claunch_kill_all_of_user(unsigned int uid);

#endif
