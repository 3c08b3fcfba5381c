// The process's signals, in one thin C layer: the handlers only set flags (or, for a second
// interrupt, write a fixed message and _exit), which Swift reads between steps.
#ifndef LOOKOUT_SIGNALS_H
#define LOOKOUT_SIGNALS_H

/// Sets RLIMIT_CORE to 0: the process holds secrets, and a core dump would put them on disk.
/// Returns 0, or errno.
int lookout_disable_core_dumps(void);

/// SIGPIPE ignored: a write to a closed pipe or terminal fails with an error instead of killing.
void lookout_ignore_sigpipe(void);

/// SIGHUP ignored: a confirmed action runs on when its terminal goes away.
void lookout_ignore_hangup(void);

/// SIGHUP recorded (the console decides: end now, or after the action in hand).
void lookout_catch_hangup(void);

/// SIGINT and SIGTERM recorded, the first one for Swift to act on at the next step boundary. A
/// second one while the first is pending writes `message` (copied, at most 1023 bytes) to stderr
/// and exits at once with 128 + its number: no further write.
void lookout_catch_interrupts(const char *message);

/// SIGINT and SIGTERM back to their default actions; the pending signal is kept.
void lookout_release_interrupts(void);

/// The first SIGINT or SIGTERM caught (0: none).
int lookout_pending_interrupt(void);

/// Whether a SIGHUP was caught.
int lookout_hangup_caught(void);

/// Forgets the pending signals (for tests, and after an action was stopped and reported).
void lookout_clear_signals(void);

/// Whether the console is the process (its handlers come back after an action).
void lookout_set_console_mode(int on);
int lookout_console_mode(void);

/// Sends `signal` to this process with its default action (after the caller restored what it
/// must): the process ends as that signal ends it.
void lookout_reraise(int signal);

#endif
