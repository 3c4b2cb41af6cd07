/*
 * tokenize.h - SQL text cut into tokens, each with its position, for the
 * parser; and where one statement ends, for the shell.
 */
#ifndef TOKENIZE_H
#define TOKENIZE_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"

/* Token types beyond the grammar's TK_ codes: never given to the parser. */
#define TK_SPACE 1000      /* white space or a comment */
#define TK_ILLEGAL 1001    /* a character no token starts with */
#define TK_UNTERMINATED 1002 /* a quote or comment that never ends */

/* Reads the token at SQL[0 .. LEN): its type (a TK_ code) into *type
 * and its length, which is returned (at least 1 when LEN > 0). A
 * keyword is matched case-insensitively; any other word is TK_ID. */
uint32_t tokenize_next(const char *sql, uint32_t len, int *type);

/* The length of the first statement of SQL: up to and including its
 * ';', or all of SQL when no ';' ends it. Quotes and comments are
 * skipped over, so a ';' inside them does not count. *complete is true
 * when a ';' was found. */
uint32_t tokenize_statement(const char *sql, uint32_t len, bool *complete);

/* True if SQL holds nothing but white space, comments and ';'s. */
bool tokenize_is_blank(const char *sql, uint32_t len);

/* Parses the statement of SQL[0 .. LEN) (one, with or without its ';')
 * into P->stmt. On failure P->rc says why and db_errmsg() says so in
 * words; P->error_pos is where. */
void tokenize_parse(Parse *p, const char *sql, uint32_t len);

#endif
