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

#endif
