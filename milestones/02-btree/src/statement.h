/*
 * statement.h - the statements of Strata's small language: parsing a line
 * into a Statement, then running it against the table.
 *
 *   insert ID USERNAME EMAIL    add a row
 *   select                      print every row, in id order
 *   select ID                   print one row
 *   update ID USERNAME EMAIL    replace a row
 *   delete ID                   remove a row
 *
 * Keywords are case-insensitive: INSERT is insert.
 */
#ifndef STATEMENT_H
#define STATEMENT_H

#include <stddef.h>

#include "row.h"
#include "table.h"

/* The most bytes of a line that an error message quotes back. */
#define STATEMENT_QUOTE_MAX 40

typedef enum StatementType {
    STATEMENT_INSERT,
    STATEMENT_SELECT,
    STATEMENT_SELECT_ONE,
    STATEMENT_UPDATE,
    STATEMENT_DELETE,
} StatementType;

typedef struct Statement {
    StatementType type;
    Row row; /* the row to insert or update; for the others, its id */
} Statement;

/* Parses LINE into *stmt. DB_ESYNTAX: not a statement, or the wrong
 * number or kind of words; DB_EBADID: an id outside 1 .. 4294967295;
 * DB_ETOOLONG: a username over 32 bytes or an email over 255. The
 * reason, in the words the REPL prints, is in db_errmsg(). */
DbStatus statement_prepare(const char *line, Statement *stmt);

/* Runs STMT against TABLE, printing any rows to stdout. Fails with the
 * status of the table operation (DB_EDUPKEY, DB_ENOTFOUND, ...); a failed
 * statement changes nothing. */
DbStatus statement_execute(const Statement *stmt, Table *table);

/* Whether the LEN bytes at WORD are KEYWORD (lower case), with ASCII
 * letters in any case: keywords and meta commands are case-insensitive. */
int statement_is_keyword(const char *word, size_t len, const char *keyword);

/* How an error message quotes LINE back: *len bytes of it, then the
 * string returned, "" or "..." for a line longer than STATEMENT_QUOTE_MAX
 * (cut before a UTF-8 character, not inside one). */
const char *statement_quote(const char *line, int *len);

#endif
