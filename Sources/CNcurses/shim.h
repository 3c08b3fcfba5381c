#ifndef LOOKOUT_CNCURSES_SHIM_H
#define LOOKOUT_CNCURSES_SHIM_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
/* The wide-character API (wget_wch) is hidden unless this is set before curses.h. */
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <wchar.h>
#include <curses.h>

/* wcwidth needs _XOPEN_SOURCE, which Swift's Glibc module does not set. */
static inline int lookout_wcwidth(unsigned int c) { return wcwidth((wchar_t)c); }

/* Macros Swift cannot import, as functions. */
static inline int lookout_attr_bold(void) { return (int)A_BOLD; }
static inline int lookout_attr_reverse(void) { return (int)A_REVERSE; }
static inline int lookout_attr_underline(void) { return (int)A_UNDERLINE; }
static inline int lookout_attr_dim(void) { return (int)A_DIM; }
static inline int lookout_attr_normal(void) { return (int)A_NORMAL; }
static inline int lookout_color_pair(short pair) { return (int)COLOR_PAIR(pair); }
static inline int lookout_key_code_yes(void) { return KEY_CODE_YES; }
static inline int lookout_key_resize(void) { return KEY_RESIZE; }
static inline int lookout_key_up(void) { return KEY_UP; }
static inline int lookout_key_down(void) { return KEY_DOWN; }
static inline int lookout_key_left(void) { return KEY_LEFT; }
static inline int lookout_key_right(void) { return KEY_RIGHT; }
static inline int lookout_key_home(void) { return KEY_HOME; }
static inline int lookout_key_end(void) { return KEY_END; }
static inline int lookout_key_npage(void) { return KEY_NPAGE; }
static inline int lookout_key_ppage(void) { return KEY_PPAGE; }
static inline int lookout_key_enter(void) { return KEY_ENTER; }
static inline int lookout_key_backspace(void) { return KEY_BACKSPACE; }
static inline WINDOW *lookout_stdscr(void) { return stdscr; }
static inline void lookout_attrset(WINDOW *w, int attrs) { wattrset(w, attrs); }
static inline int lookout_colors(void) { return COLORS; }
static inline int lookout_color_pairs(void) { return COLOR_PAIRS; }


/* A crash (a trap, SIGSEGV, SIGABRT, ...) must not leave the terminal in curses mode: the
   handlers below give the terminal back (the tty modes saved before curses started, the cursor,
   the main screen; all async-signal-safe calls) and then hand the signal to whoever handled it
   before (Swift's backtracer, which then prints on a usable terminal), or to the default.
   SIGINT, SIGQUIT and SIGTERM stay ncurses' own (it ends curses, then re-raises: exit 130/143). */
#include <signal.h>
#include <termios.h>
#include <unistd.h>
#include <string.h>

/* The state the handlers need, in a function-local static (a header's own statics are not
   emitted for Swift's use of it). */
struct lookout_tty_state {
    struct termios tty;
    volatile sig_atomic_t saved;
    struct sigaction previous[NSIG];
};

static inline struct lookout_tty_state *lookout_tty_state(void) {
    static struct lookout_tty_state state;
    return &state;
}

static void lookout_crash_handler(int signal_number) {
    struct lookout_tty_state *state = lookout_tty_state();
    if (state->saved) tcsetattr(STDIN_FILENO, TCSANOW, &state->tty);
    static const char reset[] = "\033[0m\033[?25h\033[?1049l\r\n";
    ssize_t ignored = write(STDOUT_FILENO, reset, sizeof reset - 1);
    (void)ignored;
    sigaction(signal_number, &state->previous[signal_number], NULL);
    raise(signal_number);
}

/* Saves the tty modes: call before initscr. */
static inline void lookout_save_tty(void) {
    struct lookout_tty_state *state = lookout_tty_state();
    if (tcgetattr(STDIN_FILENO, &state->tty) == 0) state->saved = 1;
}

/* Installs the crash handlers (after Swift's own, which they chain to). */
static inline void lookout_guard_tty_on_crash(void) {
    static const int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};
    for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = lookout_crash_handler;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_NODEFER;
        sigaction(signals[i], &action, &lookout_tty_state()->previous[signals[i]]);
    }
}

#endif
