#include "lookout_signals.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static volatile sig_atomic_t pending_interrupt = 0;
static volatile sig_atomic_t hangup_caught = 0;
static char second_message[1024];
static size_t second_length = 0;

int lookout_disable_core_dumps(void) {
    struct rlimit none = {0, 0};
    return setrlimit(RLIMIT_CORE, &none) == 0 ? 0 : errno;
}

static void install(int signal_number, void (*handler)(int)) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    // SA_RESTART: a read or write in progress is not failed by the handler with EINTR.
    action.sa_flags = SA_RESTART;
    sigaction(signal_number, &action, NULL);
}

void lookout_ignore_sigpipe(void) { install(SIGPIPE, SIG_IGN); }
void lookout_ignore_hangup(void) { install(SIGHUP, SIG_IGN); }

static void on_hangup(int signal_number) {
    (void)signal_number;
    hangup_caught = 1;
}

void lookout_catch_hangup(void) { install(SIGHUP, on_hangup); }

static void on_interrupt(int signal_number) {
    if (pending_interrupt != 0) {
        // Only async-signal-safe calls here: write(2) and _exit(2).
        if (second_length > 0) {
            ssize_t ignored = write(STDERR_FILENO, second_message, second_length);
            (void)ignored;
        }
        _exit(128 + signal_number);
    }
    pending_interrupt = signal_number;
}

void lookout_catch_interrupts(const char *message) {
    size_t length = message ? strlen(message) : 0;
    if (length >= sizeof second_message) length = sizeof second_message - 1;
    if (length > 0) memcpy(second_message, message, length);
    second_message[length] = 0;
    second_length = length;
    install(SIGINT, on_interrupt);
    install(SIGTERM, on_interrupt);
}

void lookout_release_interrupts(void) {
    install(SIGINT, SIG_DFL);
    install(SIGTERM, SIG_DFL);
}

int lookout_pending_interrupt(void) { return pending_interrupt; }
int lookout_hangup_caught(void) { return hangup_caught; }

void lookout_clear_signals(void) {
    pending_interrupt = 0;
    hangup_caught = 0;
}

static volatile sig_atomic_t console_mode = 0;
void lookout_set_console_mode(int on) { console_mode = on ? 1 : 0; }
int lookout_console_mode(void) { return console_mode; }

void lookout_reraise(int signal_number) {
    install(signal_number, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signal_number);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(signal_number);
}
