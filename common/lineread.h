/*
 * lineread.h - the lines a person types, or a script sends, one at a time.
 *
 * On a terminal the line can be edited (arrow keys, Backspace, Ctrl-A and
 * Ctrl-E), Up recalls earlier lines, and the history is kept in a file in
 * the home directory: that is libedit's work, when the build found it
 * (common/rules.mk). Without libedit, or when the input or the output is
 * not a terminal, lines are read as they come, and the prompt is printed
 * before each read all the same.
 *
 * On a terminal, Ctrl-C cancels the line being typed and does not stop
 * the program (one pressed while the program is busy cancels the next
 * line); Ctrl-D on an empty line ends the input. When the input is not a
 * terminal, Ctrl-C keeps its usual effect.
 *
 * With libedit, LC_CTYPE is taken from the environment, so that the
 * terminal's characters are edited whole.
 */
#ifndef STRATA_LINEREAD_H
#define STRATA_LINEREAD_H

#include <stddef.h>

typedef struct LineReader LineReader;

typedef enum LineStatus {
    LINE_OK,        /* a line was read */
    LINE_CANCELLED, /* Ctrl-C: what was typed is dropped */
    LINE_END,       /* the end of the input, or a read error */
} LineStatus;

/* Starts reading standard input, with prompts on standard output.
 * HISTORY_NAME is the name of the history file in $HOME
 * (".strata_history"); its lines are loaded now if lines are edited.
 * NULL: out of memory. */
LineReader *lineread_open(const char *history_name);

/* Prints PROMPT and reads a line. On LINE_OK, *line points at its *len
 * bytes (without the newline, possibly with NUL bytes in them) followed
 * by a NUL; the line is valid until the next call. At the end of input
 * on a terminal, moves to a new line first. */
LineStatus lineread_read(LineReader *lr, const char *prompt, char **line,
                         size_t *len);

/* Adds LINE to the history that Up walks back through (when lines are
 * edited; otherwise does nothing). A line equal to the one before is
 * not added twice. */
void lineread_remember(LineReader *lr, const char *line);

/* Writes the history file (errors are ignored: history is a
 * convenience), gives Ctrl-C back its usual effect, and frees LR. */
void lineread_close(LineReader *lr);

/* How this build reads lines on a terminal: "libedit" or "plain". */
const char *lineread_kind(void);

#endif
