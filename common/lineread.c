/*
 * lineread.c - reading lines: edited with libedit on a terminal, plain
 * otherwise; Ctrl-C cancels the line being typed.
 *
 * Owns: standard input, the prompt, the history and its file, and SIGINT
 * while lines are read from a terminal.
 * Does not: know what a line means (the REPL does).
 *
 * Ctrl-C makes the terminal send SIGINT, which would end the program.
 * On a terminal, SIGINT is blocked from lineread_open to lineread_close,
 * so it interrupts nothing (a write to the screen, a save), and a handler
 * notes it. The only place it is let through is the wait for input:
 * pselect() unblocks it while it waits, in one step, so a Ctrl-C cannot
 * slip in between a look at the flag and the wait. When pselect reports
 * it, the line being typed is dropped and the reader says LINE_CANCELLED.
 * A Ctrl-C pressed while a statement runs waits until the next prompt,
 * and cancels that line. libedit reads through read_char, which waits
 * the same way; libedit is told not to catch signals itself.
 *
 * STRATA_LIBEDIT is defined by common/rules.mk when the build found
 * libedit; without it only the plain reader is compiled.
 */
#define _XOPEN_SOURCE 700 /* pselect's fd_set */

#include "lineread.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/types.h>
#include <unistd.h>

#ifdef STRATA_LIBEDIT
#include <histedit.h>
#include <locale.h>
#include <wchar.h>

#define HISTORY_SIZE 1000 /* lines kept, in memory and in the file */
#endif

struct LineReader {
    int terminal;              /* standard input is a terminal */
    struct sigaction old_int;  /* SIGINT's action before lineread_open */
    sigset_t old_mask;         /* the signals blocked before it */
    sigset_t wait_mask;        /* the same, but never SIGINT */
    char *buffer;              /* the line last read, and a NUL */
    size_t length;             /* its bytes, the NUL not counted */
    size_t capacity;           /* bytes at buffer */
#ifdef STRATA_LIBEDIT
    EditLine *editor;          /* NULL: lines are read plain */
    History *history;
    char *history_path;        /* NULL: no $HOME, no history file */
    const char *prompt;        /* for prompt_of, while a line is read */
#endif
};

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* Waits until standard input can be read without blocking: 1; or until
 * Ctrl-C: 0. Only here can SIGINT arrive (see the top of this file). */
static int wait_for_input(const LineReader *lr)
{
    while (!interrupted) {
        fd_set readable;
        FD_ZERO(&readable);
        FD_SET(STDIN_FILENO, &readable);
        if (pselect(STDIN_FILENO + 1, &readable, NULL, NULL, NULL,
                    &lr->wait_mask) > 0 || errno != EINTR)
            return 1; /* an error: the read will report it */
    }
    return 0;
}

static LineStatus read_plain(LineReader *lr, const char *prompt)
{
    /* Flushed every time, so that whoever drives strata through a pipe
     * (a test, a script) sees each answer before sending more. */
    printf("%s", prompt);
    fflush(stdout);
    if (lr->terminal && !wait_for_input(lr)) {
        /* The terminal has echoed ^C and dropped what was typed. */
        printf("\n");
        return LINE_CANCELLED;
    }
    ssize_t len = getline(&lr->buffer, &lr->capacity, stdin);
    if (len < 0) {
        if (lr->terminal)
            printf("\n");
        return LINE_END;
    }
    lr->length = (size_t)len;
    return LINE_OK;
}

#ifdef STRATA_LIBEDIT
static LineReader *reader_of(EditLine *editor)
{
    void *lr;
    el_get(editor, EL_CLIENTDATA, &lr);
    return lr;
}

static char *prompt_of(EditLine *editor)
{
    return (char *)reader_of(editor)->prompt;
}

/* How libedit reads a character (EL_GETCFN): one byte at a time, as the
 * locale decodes them, each after wait_for_input. 1: *c is the next
 * character; 0: the end of input; -1: Ctrl-C (EINTR) or an error. */
static int read_char(EditLine *editor, wchar_t *c)
{
    mbstate_t state;
    memset(&state, 0, sizeof state);
    for (;;) {
        if (!wait_for_input(reader_of(editor))) {
            errno = EINTR;
            return -1;
        }
        char byte;
        ssize_t got = read(STDIN_FILENO, &byte, 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return (int)got;
        size_t used = mbrtowc(c, &byte, 1, &state);
        if (used == (size_t)-2)
            continue; /* a character of several bytes, not complete */
        if (used == (size_t)-1) {
            /* Not a character in this locale: dropped, as libedit
             * does. */
            memset(&state, 0, sizeof state);
            continue;
        }
        return 1;
    }
}

/* Keeps LEN bytes of TEXT as the line last read. 0: out of memory. */
static int keep(LineReader *lr, const char *text, size_t len)
{
    if (len + 1 > lr->capacity) {
        char *grown = realloc(lr->buffer, len + 1);
        if (grown == NULL)
            return 0;
        lr->buffer = grown;
        lr->capacity = len + 1;
    }
    memcpy(lr->buffer, text, len);
    lr->buffer[len] = '\0';
    lr->length = len;
    return 1;
}

static LineStatus read_edited(LineReader *lr, const char *prompt)
{
    lr->prompt = prompt;
    fflush(stdout);
    int count;
    const char *text = el_gets(lr->editor, &count);
    if (text == NULL || count <= 0) {
        /* While editing, the terminal echoes nothing: show the ^C. */
        fputs(interrupted ? "^C\n" : "\n", stdout);
        return interrupted ? LINE_CANCELLED : LINE_END;
    }
    return keep(lr, text, strlen(text)) ? LINE_OK : LINE_END;
}

/* Sets up libedit on the terminal, with the history file NAME in $HOME.
 * Leaves lr->editor NULL if libedit cannot start. */
static void start_editor(LineReader *lr, const char *name)
{
    /* Characters beyond ASCII are edited as the terminal encodes them
     * (LC_CTYPE only: numbers and messages stay as they were). */
    setlocale(LC_CTYPE, "");
    HistEvent event;
    lr->history = history_init();
    lr->editor = el_init("strata", stdin, stdout, stderr);
    if (lr->history == NULL || lr->editor == NULL) {
        if (lr->history != NULL)
            history_end(lr->history);
        if (lr->editor != NULL)
            el_end(lr->editor);
        lr->history = NULL;
        lr->editor = NULL;
        return;
    }
    history(lr->history, &event, H_SETSIZE, HISTORY_SIZE);
    history(lr->history, &event, H_SETUNIQUE, 1);
    const char *home = getenv("HOME");
    if (home != NULL && home[0] != '\0') {
        size_t size = strlen(home) + 1 + strlen(name) + 1;
        lr->history_path = malloc(size);
        if (lr->history_path != NULL) {
            snprintf(lr->history_path, size, "%s/%s", home, name);
            history(lr->history, &event, H_LOAD, lr->history_path);
        }
    }
    el_set(lr->editor, EL_CLIENTDATA, lr);
    el_set(lr->editor, EL_PROMPT, prompt_of);
    el_set(lr->editor, EL_EDITOR, "emacs");
    el_set(lr->editor, EL_SIGNAL, 0);
    el_set(lr->editor, EL_GETCFN, read_char);
    el_set(lr->editor, EL_HIST, history, lr->history);
    el_source(lr->editor, NULL); /* the user's ~/.editrc, if any */
}
#endif

LineReader *lineread_open(const char *history_name)
{
    LineReader *lr = calloc(1, sizeof *lr);
    if (lr == NULL)
        return NULL;
    lr->terminal = isatty(STDIN_FILENO);
    if (lr->terminal) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = on_interrupt;
        sigemptyset(&action.sa_mask);
        sigaction(SIGINT, &action, &lr->old_int);
        sigset_t block;
        sigemptyset(&block);
        sigaddset(&block, SIGINT);
        sigprocmask(SIG_BLOCK, &block, &lr->old_mask);
        lr->wait_mask = lr->old_mask;
        sigdelset(&lr->wait_mask, SIGINT);
    }
#ifdef STRATA_LIBEDIT
    if (lr->terminal && isatty(STDOUT_FILENO))
        start_editor(lr, history_name);
#else
    (void)history_name;
#endif
    return lr;
}

LineStatus lineread_read(LineReader *lr, const char *prompt, char **line,
                         size_t *len)
{
    interrupted = 0;
#ifdef STRATA_LIBEDIT
    LineStatus status = lr->editor != NULL ? read_edited(lr, prompt)
                                           : read_plain(lr, prompt);
#else
    LineStatus status = read_plain(lr, prompt);
#endif
    if (status != LINE_OK)
        return status;
    if (lr->length > 0 && lr->buffer[lr->length - 1] == '\n')
        lr->buffer[--lr->length] = '\0';
    *line = lr->buffer;
    *len = lr->length;
    return LINE_OK;
}

void lineread_remember(LineReader *lr, const char *line)
{
#ifdef STRATA_LIBEDIT
    HistEvent event;
    if (lr->history != NULL)
        history(lr->history, &event, H_ENTER, line);
#else
    (void)lr;
    (void)line;
#endif
}

void lineread_close(LineReader *lr)
{
#ifdef STRATA_LIBEDIT
    if (lr->editor != NULL) {
        HistEvent event;
        if (lr->history_path != NULL)
            history(lr->history, &event, H_SAVE, lr->history_path);
        el_end(lr->editor);
        history_end(lr->history);
        free(lr->history_path);
    }
#endif
    if (lr->terminal) {
        /* A Ctrl-C still pending goes to the handler, not to the old
         * action, which might end the program before it saves. */
        interrupted = 0;
        sigprocmask(SIG_SETMASK, &lr->old_mask, NULL);
        sigaction(SIGINT, &lr->old_int, NULL);
    }
    free(lr->buffer);
    free(lr);
}

const char *lineread_kind(void)
{
#ifdef STRATA_LIBEDIT
    return "libedit";
#else
    return "plain";
#endif
}
