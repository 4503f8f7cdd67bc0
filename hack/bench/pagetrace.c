// Records which 4 KiB pages of a program's own code it runs, for hack/bench/member-order.sh.
//
// Loaded with LD_PRELOAD and PAGETRACE_DIR set, it closes the executable's code mapping at start;
// the first instruction fetched from each page faults, and the handler appends the faulting address
// (relative to the executable's load address, i.e. as `nm` prints it) to PAGETRACE_DIR/PID.trace
// and opens that page again. The process runs normally otherwise; every later fetch from an opened
// page costs nothing. SIGSEGV handlers the program installs itself are ignored while tracing.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static unsigned long code_start, code_end, load_address;
static int trace_fd = -1;

static void record(unsigned long value) {
    char digits[20], line[24];
    int count = 0, length = 0;
    do { digits[count++] = "0123456789abcdef"[value & 15]; value >>= 4; } while (value);
    while (count) line[length++] = digits[--count];
    line[length++] = '\n';
    (void)!write(trace_fd, line, length);
}

static void on_fault(int signal_number, siginfo_t *info, void *context) {
    (void)context;
    unsigned long address = (unsigned long)info->si_addr;
    if (address >= code_start && address < code_end) {
        mprotect((void *)(address & ~4095UL), 4096, PROT_READ | PROT_EXEC);
        record(address - load_address);
        return;
    }
    signal(signal_number, SIG_DFL);  // a real crash: fault again with the default action
}

int sigaction(int signal_number, const struct sigaction *action, struct sigaction *old) {
    static int (*next)(int, const struct sigaction *, struct sigaction *);
    if (!next) next = (int (*)(int, const struct sigaction *, struct sigaction *))dlsym(RTLD_NEXT, "sigaction");
    if (trace_fd >= 0 && (signal_number == SIGSEGV || signal_number == SIGBUS) && action && action->sa_sigaction != on_fault) return 0;
    return next(signal_number, action, old);
}

__attribute__((constructor(101))) static void start_tracing(void) {
    const char *directory = getenv("PAGETRACE_DIR");
    if (!directory) return;
    char executable[4096], line[8192], path[4200];
    ssize_t length = readlink("/proc/self/exe", executable, sizeof executable - 1);
    if (length <= 0) return;
    executable[length] = 0;
    FILE *maps = fopen("/proc/self/maps", "r");
    if (!maps) return;
    while (fgets(line, sizeof line, maps)) {
        unsigned long low, high, offset;
        char permissions[8], file[4096] = "";
        if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %4095s", &low, &high, permissions, &offset, file) < 5) continue;
        if (strcmp(file, executable) != 0) continue;
        if (offset == 0) load_address = low;
        if (strcmp(permissions, "r-xp") == 0) { code_start = low; code_end = high; }
    }
    fclose(maps);
    if (!code_start) return;
    snprintf(path, sizeof path, "%s/%d.trace", directory, (int)getpid());
    trace_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (trace_fd < 0) return;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &action, NULL);
    mprotect((void *)code_start, code_end - code_start, PROT_NONE);
}
