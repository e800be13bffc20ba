#define _GNU_SOURCE
#include "claunch.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC 4
#endif

/// The child's stack: the child runs a few frames of plain C and then execve.
#define CLAUNCH_STACK_SIZE (64 * 1024)

/// Shared between parent and child (CLONE_VM): the plan in, the failure out.
struct claunch_child {
    const struct claunch_plan *plan;
    volatile int stage;
    volatile int error;
    unsigned int kill_uid;
};

/// Records the failed step where the parent reads it, and exits without running any handler.
static _Noreturn void claunch_fail(struct claunch_child *child, int stage) {
    child->error = errno;
    child->stage = stage;
    syscall(SYS_exit_group, 127);
    __builtin_unreachable();
}

/// The kernel's `struct sigaction` for rt_sigaction (the same layout on x86_64 and aarch64).
struct claunch_kernel_sigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    unsigned long mask;
};

/// Every signal at its default action, then none blocked: the job starts as from a shell. Raw system calls,
/// since glibc's wrappers refuse its two internal signals (32 and 33), which the worker's runtime ignores.
static int claunch_reset_signals(void) {
    struct claunch_kernel_sigaction action = {.handler = SIG_DFL, .flags = 0, .restorer = NULL, .mask = 0};
    for (int signal = 1; signal <= 64; signal++) {
        if (signal != SIGKILL && signal != SIGSTOP) {
            (void)syscall(SYS_rt_sigaction, signal, &action, NULL, sizeof action.mask);
        }
    }
    unsigned long empty = 0;
    return (int)syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL, sizeof empty);
}

/// Credentials by raw system calls: glibc's wrappers would broadcast the change to the parent's threads,
/// which this child shares memory with but is not one of.
static int claunch_switch_user(unsigned int uid, unsigned int gid) {
    if (syscall(SYS_setgroups, 0, NULL) != 0) return -1;
    if (syscall(SYS_setgid, gid) != 0) return -1;
    return (int)syscall(SYS_setuid, uid);
}

static int claunch_child_main(void *raw) {
    struct claunch_child *child = raw;
    const struct claunch_plan *plan = child->plan;
    if (claunch_reset_signals() != 0) claunch_fail(child, CLAUNCH_SIGNALS);
    if (syscall(SYS_setsid) < 0) claunch_fail(child, CLAUNCH_SETSID);
    for (int i = 0; i < plan->descriptor_count; i++) {
        if (syscall(SYS_dup3, plan->sources[i], plan->targets[i], 0) < 0) claunch_fail(child, CLAUNCH_DUP2);
    }
    if (syscall(SYS_close_range, (unsigned int)plan->first_free_descriptor, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
        for (int fd = plan->first_free_descriptor; fd < plan->descriptor_limit; fd++) {
            (void)syscall(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC);
        }
    }
    for (int i = 0; i < plan->cgroup_file_count; i++) {
        if (syscall(SYS_write, plan->cgroup_files[i], "0", 1) != 1) claunch_fail(child, CLAUNCH_CGROUP);
    }
    if (plan->working_directory != NULL && syscall(SYS_chdir, plan->working_directory) != 0) {
        claunch_fail(child, CLAUNCH_CHDIR);
    }
    for (int i = 0; i < plan->limit_count; i++) {
        if (syscall(SYS_prlimit64, 0, plan->limit_resources[i], &plan->limit_values[i], NULL) != 0) {
            claunch_fail(child, CLAUNCH_SETRLIMIT);
        }
    }
    if (plan->switch_user && claunch_switch_user(plan->uid, plan->gid) != 0) {
        claunch_fail(child, CLAUNCH_SWITCH_USER);
    }
    syscall(SYS_execve, plan->path, plan->argv, plan->envp);
    claunch_fail(child, CLAUNCH_EXECVE);
}

static int claunch_kill_main(void *raw) {
    struct claunch_child *child = raw;
    if (claunch_switch_user(child->kill_uid, child->kill_uid) != 0) syscall(SYS_exit_group, 1);
    syscall(SYS_kill, -1, SIGKILL);
    syscall(SYS_exit_group, 0);
    return 0;
}

/// Runs `main` in a CLONE_VM | CLONE_VFORK child with every signal blocked in the parent meanwhile (so no
/// handler of the parent runs on the child's stack). Returns the pid, or -1 with errno set.
static pid_t claunch_clone(int (*main)(void *), struct claunch_child *child) {
    void *stack = mmap(NULL, CLAUNCH_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                       -1, 0);
    if (stack == MAP_FAILED) return -1;
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &previous);
    pid_t pid = clone(main, (char *)stack + CLAUNCH_STACK_SIZE, CLONE_VM | CLONE_VFORK | SIGCHLD, child);
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    munmap(stack, CLAUNCH_STACK_SIZE);
    errno = saved;
    return pid;
}

static void claunch_reap(pid_t pid) {
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
}

pid_t claunch_spawn(const struct claunch_plan *plan, int *stage, int *error) {
    struct claunch_child child = {.plan = plan, .stage = CLAUNCH_OK, .error = 0};
    pid_t pid = claunch_clone(claunch_child_main, &child);
    if (pid < 0) {
        *stage = CLAUNCH_CLONE;
        *error = errno;
        return -1;
    }
    // CLONE_VFORK: the child has called execve (success) or exited (failure) by now.
    if (child.stage != CLAUNCH_OK) {
        *stage = child.stage;
        *error = child.error;
        claunch_reap(pid);
        return -1;
    }
    *stage = CLAUNCH_OK;
    *error = 0;
    return pid;
}

void claunch_kill_all_of_user(unsigned int uid) {
    struct claunch_child child = {.plan = NULL, .stage = CLAUNCH_OK, .error = 0, .kill_uid = uid};
    pid_t pid = claunch_clone(claunch_kill_main, &child);
    if (pid > 0) claunch_reap(pid);
}
