/*
 * clone3(2) sharing the caller's memory, the child running a function
 * on a stack of its own: what posix_spawn does, with clone3's cgroup
 * (CLONE_INTO_CGROUP).  glibc has no such wrapper.  Used by ward-spawn.c
 * and by the benchmark's floor (tests/bench/benchfloor.c), which must
 * spawn the way stewardd does.  x86-64 only (CLONE3_VM_OK).
 */
#ifndef STEWARD_BASE_CLONE3_H
#define STEWARD_BASE_CLONE3_H

#include <stdint.h>
#include <sys/syscall.h>

/* clone3(2)'s arguments, as linux/sched.h has them since 5.7. */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
	    stack_size, tls, set_tid, set_tid_size, cgroup;
};
#define CLONE3_INTO_CGROUP 0x200000000ULL

#if defined(__x86_64__) && defined(SYS_clone3)
#define CLONE3_VM_OK 1

/*
 * clone3 with a's flags and stack: the child starts on that stack, where
 * no C frame of ours is, so it calls fn(arg) at once and exits with what
 * it returns, as glibc's own clone wrappers do in assembly.  Registers
 * r12 and r13 reach the child unchanged.  Returns the pid, or -errno.
 */
static inline long
clone3_vm(struct clone3_args *a, int (*fn)(void *), void *arg)
{
	register long rax __asm__("rax") = SYS_clone3;
	register int (*r12)(void *) __asm__("r12") = fn;
	register void *r13 __asm__("r13") = arg;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "mov %%r13, %%rdi\n\t"
			 "call *%%r12\n\t"
			 "mov %%eax, %%edi\n\t"
			 "mov $60, %%eax\n\t" /* SYS_exit */
			 "syscall\n\t"
			 "hlt\n\t"
			 "1:\n\t"
			 : "+r"(rax)
			 : "D"(a), "S"(sizeof(*a)), "r"(r12), "r"(r13)
			 : "rcx", "r11", "memory", "cc");
	return rax;
}
#endif

#endif
