/*
 * statement.c - parses and runs the statements of the REPL's language.
 *
 * Owns: the syntax of insert, select, update and delete, and checking
 * user input before it reaches the table.
 * Does not: read lines or handle meta commands (the REPL does).
 */
#include "statement.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SPACE " \t\r\n\v\f"

/* A word of the input line: a pointer into the line and its length. */
typedef struct Word {
    const char *start;
    size_t len;
} Word;

/* Splits LINE at white space. Stores the first MAX words and returns how
 * many there are in all, so a caller can tell "too many" apart. */
static int split_words(const char *line, Word *words, int max)
{
    int n = 0;
    for (;;) {
        line += strspn(line, SPACE);
        if (*line == '\0')
            return n;
        size_t len = strcspn(line, SPACE);
        if (n < max)
            words[n] = (Word){line, len};
        n++;
        line += len;
    }
}

int statement_is_keyword(const char *word, size_t len, const char *keyword)
{
    if (len != strlen(keyword))
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = word[i] >= 'A' && word[i] <= 'Z' ? word[i] - 'A' + 'a'
                                                  : word[i];
        if (c != keyword[i])
            return 0;
    }
    return 1;
}

static int word_is(Word word, const char *keyword)
{
    return statement_is_keyword(word.start, word.len, keyword);
}

const char *statement_quote(const char *line, int *len)
{
    size_t n = strlen(line);
    if (n <= STATEMENT_QUOTE_MAX) {
        *len = (int)n;
        return "";
    }
    /* Back up to the first byte of a UTF-8 character, so the cut does
     * not leave half of one on the screen. */
    n = STATEMENT_QUOTE_MAX;
    while (n > 0 && ((unsigned char)line[n] & 0xc0) == 0x80)
        n--;
    *len = (int)n;
    return "...";
}

static int all_digits(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* An id is decimal digits; a minus sign gets its own message, since a
 * negative number is a likely mistake and not a typo. */
static DbStatus parse_id(Word word, uint32_t *id)
{
    if (word.len > 1 && word.start[0] == '-' &&
        all_digits(word.start + 1, word.len - 1))
        return db_fail(DB_EBADID, "ID must be positive.");
    if (!all_digits(word.start, word.len))
        return db_fail(DB_ESYNTAX, "Syntax error. Could not parse statement.");

    uint64_t value = 0;
    for (size_t i = 0; i < word.len; i++) {
        value = value * 10 + (uint64_t)(word.start[i] - '0');
        if (value > UINT32_MAX)
            return db_fail(DB_EBADID, "ID must be at most %lu.",
                           (unsigned long)UINT32_MAX);
    }
    if (value == 0)
        return db_fail(DB_EBADID, "ID must be positive.");
    *id = (uint32_t)value;
    return DB_OK;
}

/* Copies WORD into the string field DST, which holds MAX bytes plus NUL. */
static DbStatus copy_field(Word word, char *dst, size_t max)
{
    if (word.len > max)
        return db_fail(DB_ETOOLONG, "String is too long.");
    memcpy(dst, word.start, word.len);
    dst[word.len] = '\0';
    return DB_OK;
}

/* The words after the keyword of insert and update: ID USERNAME EMAIL. */
static DbStatus prepare_row(const Word *words, int n_words, Statement *stmt)
{
    if (n_words != 4)
        return db_fail(DB_ESYNTAX, "Syntax error. Could not parse statement.");
    DbStatus rc = parse_id(words[1], &stmt->row.id);
    if (rc == DB_OK)
        rc = copy_field(words[2], stmt->row.username, ROW_USERNAME_MAX);
    if (rc == DB_OK)
        rc = copy_field(words[3], stmt->row.email, ROW_EMAIL_MAX);
    return rc;
}

/* The word after the keyword of select ID and delete: the ID. */
static DbStatus prepare_id(const Word *words, int n_words, Statement *stmt)
{
    if (n_words != 2)
        return db_fail(DB_ESYNTAX, "Syntax error. Could not parse statement.");
    return parse_id(words[1], &stmt->row.id);
}

DbStatus statement_prepare(const char *line, Statement *stmt)
{
    Word words[5];
    int n_words = split_words(line, words, 5);
    if (n_words == 0)
        return db_fail(DB_ESYNTAX, "Syntax error. Could not parse statement.");

    if (word_is(words[0], "insert")) {
        stmt->type = STATEMENT_INSERT;
        return prepare_row(words, n_words, stmt);
    }
    if (word_is(words[0], "update")) {
        stmt->type = STATEMENT_UPDATE;
        return prepare_row(words, n_words, stmt);
    }
    if (word_is(words[0], "delete")) {
        stmt->type = STATEMENT_DELETE;
        return prepare_id(words, n_words, stmt);
    }
    if (word_is(words[0], "select")) {
        if (n_words == 1) {
            stmt->type = STATEMENT_SELECT;
            return DB_OK;
        }
        stmt->type = STATEMENT_SELECT_ONE;
        return prepare_id(words, n_words, stmt);
    }
    int len;
    const char *more = statement_quote(line, &len);
    return db_fail(DB_ESYNTAX, "Unrecognized keyword at start of '%.*s%s'.",
                   len, line, more);
}

static void print_row(const Row *row)
{
    printf("(%u, %s, %s)\n", row->id, row->username, row->email);
}

static DbStatus execute_select(Table *table)
{
    Cursor cursor;
    Row row;
    DbStatus rc;
    for (rc = table_start(table, &cursor); rc == DB_OK && !cursor.end_of_table;
         rc = cursor_advance(&cursor)) {
        rc = cursor_read(&cursor, &row);
        if (rc != DB_OK)
            return rc;
        print_row(&row);
    }
    return rc;
}

static DbStatus execute_select_one(Table *table, uint32_t id)
{
    Row row;
    DbStatus rc = table_find(table, id, &row);
    if (rc == DB_OK)
        print_row(&row);
    return rc;
}

DbStatus statement_execute(const Statement *stmt, Table *table)
{
    switch (stmt->type) {
    case STATEMENT_INSERT:
        return table_insert(table, &stmt->row);
    case STATEMENT_SELECT:
        return execute_select(table);
    case STATEMENT_SELECT_ONE:
        return execute_select_one(table, stmt->row.id);
    case STATEMENT_UPDATE:
        return table_update(table, &stmt->row);
    case STATEMENT_DELETE:
        return table_delete(table, stmt->row.id);
    }
    return db_fail(DB_ESYNTAX, "unknown statement type %d", (int)stmt->type);
}
