/*
 * tokenize.c - the hand-written tokenizer, and the loop that feeds its
 * tokens to the parser that Lemon generates from parse.y.
 *
 * Owns: what a token is (words, numbers, quotes, operators, comments),
 * the keyword table, and where a statement ends.
 * Does not: know what a statement means (the grammar does), or look up
 * any name (exec.c does).
 *
 * A token is a type and a stretch of the text; nothing is copied here.
 * Positions are byte offsets into the statement, which is all an error
 * message needs to draw its caret.
 */
#include "tokenize.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

/* The parser Lemon generates (parse.c): the %name in parse.y is
 * "sql_parser", so these are its four functions. */
void *sql_parserAlloc(void *(*malloc_fn)(size_t), Parse *p);
void sql_parser(void *parser, int type, Token token);
void sql_parserFree(void *parser, void (*free_fn)(void *));

/* book: begin keywords */
/* Every keyword, sorted for bsearch. Anything else that looks like a word
 * is an identifier (TK_ID). */
static const struct Keyword {
    const char *word;
    int type;
} KEYWORDS[] = {
    {"all", TK_ALL},         {"analyze", TK_ANALYZE},
    {"and", TK_AND},
    {"as", TK_AS},           {"asc", TK_ASC},
    {"between", TK_BETWEEN}, {"by", TK_BY},
    {"case", TK_CASE},       {"cast", TK_CAST},
    {"create", TK_CREATE},   {"cross", TK_CROSS},
    {"default", TK_DEFAULT}, {"delete", TK_DELETE},
    {"desc", TK_DESC},       {"distinct", TK_DISTINCT},
    {"drop", TK_DROP},       {"else", TK_ELSE},
    {"end", TK_END},         {"escape", TK_ESCAPE},
    {"except", TK_EXCEPT},   {"exists", TK_EXISTS},
    {"explain", TK_EXPLAIN}, {"false", TK_FALSE},
    {"from", TK_FROM},       {"group", TK_GROUP},
    {"having", TK_HAVING},   {"if", TK_IF},
    {"in", TK_IN},           {"index", TK_INDEX},
    {"inner", TK_INNER},
    {"insert", TK_INSERT},   {"intersect", TK_INTERSECT},
    {"into", TK_INTO},       {"is", TK_IS},
    {"isnull", TK_ISNULL},   {"join", TK_JOIN},
    {"key", TK_KEY},         {"left", TK_LEFT},
    {"like", TK_LIKE},       {"limit", TK_LIMIT},
    {"not", TK_NOT},         {"notnull", TK_NOTNULL},
    {"null", TK_NULL},       {"offset", TK_OFFSET},
    {"on", TK_ON},           {"or", TK_OR},
    {"order", TK_ORDER},     {"outer", TK_OUTER},
    {"primary", TK_PRIMARY}, {"select", TK_SELECT},
    {"set", TK_SET},         {"show", TK_SHOW},
    {"table", TK_TABLE},     {"temp", TK_TEMP},
    {"temporary", TK_TEMPORARY}, {"then", TK_THEN},
    {"to", TK_TO},           {"true", TK_TRUE},
    {"union", TK_UNION},     {"unique", TK_UNIQUE},
    {"update", TK_UPDATE},   {"using", TK_USING},
    {"values", TK_VALUES},   {"view", TK_VIEW},
    {"when", TK_WHEN},       {"where", TK_WHERE},
};
/* book: end keywords */
#define N_KEYWORDS (sizeof KEYWORDS / sizeof KEYWORDS[0])

/* The longest keyword, so that a long word is not even looked up. */
#define KEYWORD_MAX_LEN 9

static int by_word(const void *key, const void *entry)
{
    return strcasecmp(key, ((const struct Keyword *)entry)->word);
}

static int keyword_type(const char *word, uint32_t len)
{
    if (len > KEYWORD_MAX_LEN)
        return TK_ID;
    char lower[KEYWORD_MAX_LEN + 1];
    memcpy(lower, word, len);
    lower[len] = '\0';
    const struct Keyword *k = bsearch(lower, KEYWORDS, N_KEYWORDS,
                                      sizeof KEYWORDS[0], by_word);
    return k != NULL ? k->type : TK_ID;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Letters, digits, '_', and every byte of a multi-byte UTF-8 character,
 * as PostgreSQL and SQLite allow in names. */
static bool is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           is_digit(c) || (unsigned char)c >= 0x80;
}

/* A quoted string or name starting at SQL[0] (the quote Q): its length
 * up to the closing quote; a doubled quote inside does not close it. */
static uint32_t quoted(const char *sql, uint32_t len, char q, int *type,
                       int closed_type)
{
    for (uint32_t i = 1; i < len; i++) {
        if (sql[i] != q)
            continue;
        if (i + 1 < len && sql[i + 1] == q) {
            i++;
            continue;
        }
        *type = closed_type;
        return i + 1;
    }
    *type = TK_UNTERMINATED;
    return len;
}

/* A number: digits, an optional fraction, an optional exponent. */
static uint32_t number(const char *sql, uint32_t len, int *type)
{
    uint32_t i = 0;
    *type = TK_INTEGER;
    while (i < len && is_digit(sql[i]))
        i++;
    if (i < len && sql[i] == '.') {
        *type = TK_FLOAT;
        for (i++; i < len && is_digit(sql[i]); i++)
            ;
    }
    if (i < len && (sql[i] == 'e' || sql[i] == 'E')) {
        uint32_t j = i + 1;
        if (j < len && (sql[j] == '+' || sql[j] == '-'))
            j++;
        if (j < len && is_digit(sql[j])) {
            *type = TK_FLOAT;
            for (i = j; i < len && is_digit(sql[i]); i++)
                ;
        }
    }
    /* "12abc" is not a number followed by a name: it is a mistake. */
    if (i < len && is_word_char(sql[i])) {
        while (i < len && is_word_char(sql[i]))
            i++;
        *type = TK_ILLEGAL;
    }
    return i;
}

/* book: begin tokenize-next */
uint32_t tokenize_next(const char *sql, uint32_t len, int *type)
{
    char c = sql[0];
    uint32_t i;
    if (is_space(c)) {
        for (i = 1; i < len && is_space(sql[i]); i++)
            ;
        *type = TK_SPACE;
        return i;
    }
    if (c == '-' && len > 1 && sql[1] == '-') {
        for (i = 2; i < len && sql[i] != '\n'; i++)
            ;
        *type = TK_SPACE;
        return i;
    }
    if (c == '/' && len > 1 && sql[1] == '*') {
        for (i = 2; i + 1 < len; i++) {
            if (sql[i] == '*' && sql[i + 1] == '/') {
                *type = TK_SPACE;
                return i + 2;
            }
        }
        *type = TK_UNTERMINATED;
        return len;
    }
    if (c == '\'')
        return quoted(sql, len, '\'', type, TK_STRING);
    if (c == '"')
        return quoted(sql, len, '"', type, TK_ID);
    if (is_digit(c) || (c == '.' && len > 1 && is_digit(sql[1])))
        return number(sql, len, type);
    if (is_word_char(c)) {
        for (i = 1; i < len && is_word_char(sql[i]); i++)
            ;
        *type = keyword_type(sql, i);
        return i;
    }
    char next = len > 1 ? sql[1] : '\0';
    switch (c) {
    case '(': *type = TK_LP; return 1;
    case ')': *type = TK_RP; return 1;
    case ',': *type = TK_COMMA; return 1;
    case ';': *type = TK_SEMI; return 1;
    case '.': *type = TK_DOT; return 1;
    case '*': *type = TK_STAR; return 1;
    case '/': *type = TK_SLASH; return 1;
    case '%': *type = TK_REM; return 1;
    case '+': *type = TK_PLUS; return 1;
    case '-': *type = TK_MINUS; return 1;
    case '=': *type = TK_EQ; return next == '=' ? 2 : 1;
    case '<':
        if (next == '=' || next == '>') {
            *type = next == '=' ? TK_LE : TK_NE;
            return 2;
        }
        *type = TK_LT;
        return 1;
    case '>':
        *type = next == '=' ? TK_GE : TK_GT;
        return next == '=' ? 2 : 1;
    case '!':
        *type = next == '=' ? TK_NE : TK_ILLEGAL;
        return next == '=' ? 2 : 1;
    case '|':
        *type = next == '|' ? TK_CONCAT : TK_ILLEGAL;
        return next == '|' ? 2 : 1;
    default: *type = TK_ILLEGAL; return 1;
    }
}
/* book: end tokenize-next */

uint32_t tokenize_statement(const char *sql, uint32_t len, bool *complete)
{
    uint32_t at = 0;
    *complete = false;
    while (at < len) {
        int type;
        at += tokenize_next(sql + at, len - at, &type);
        if (type == TK_SEMI) {
            *complete = true;
            break;
        }
    }
    return at;
}

bool tokenize_is_blank(const char *sql, uint32_t len)
{
    uint32_t at = 0;
    while (at < len) {
        int type;
        at += tokenize_next(sql + at, len - at, &type);
        if (type != TK_SPACE && type != TK_SEMI)
            return false;
    }
    return true;
}

/* book: begin run-parser */
void tokenize_parse(Parse *p, const char *sql, uint32_t len)
{
    *p = (Parse){.sql = sql, .sql_len = len};
    void *parser = sql_parserAlloc(malloc, p);
    if (parser == NULL) {
        p->rc = db_fail(DB_ENOMEM, "out of memory");
        return;
    }
    uint32_t at = 0;
    while (at < len && p->rc == DB_OK) {
        int type;
        uint32_t n = tokenize_next(sql + at, len - at, &type);
        Token t = {.text = sql + at, .len = n, .pos = at};
        at += n;
        if (type == TK_SPACE)
            continue;
        if (type == TK_ILLEGAL) {
            p->rc = db_fail_at(DB_ESYNTAX, t.pos, "syntax error at or near "
                               "\"%.*s\"", (int)n, t.text);
        } else if (type == TK_UNTERMINATED) {
            p->rc = db_fail_at(DB_ESYNTAX, t.pos, "%s",
                               t.text[0] == '/'
                                   ? "unterminated /* comment"
                                   : t.text[0] == '"'
                                   ? "unterminated quoted identifier"
                                   : "unterminated quoted string");
        } else {
            sql_parser(parser, type, t);
        }
    }
    /* Type 0 is the end of the input: it completes the statement, or
     * is the token the syntax error is "at". */
    if (p->rc == DB_OK)
        sql_parser(parser, 0, (Token){.text = sql + len, .pos = len});
    sql_parserFree(parser, free);
    if (p->rc != DB_OK && p->stmt != NULL) {
        ast_free_stmt(p->stmt);
        p->stmt = NULL;
    }
    if (p->stmt != NULL) {
        /* The statement's own text, for the catalog: no ';' or blanks
         * around it. */
        uint32_t start = p->stmt->pos, end = len;
        while (end > start && (sql[end - 1] == ';' || sql[end - 1] == ' ' ||
                               sql[end - 1] == '\n' || sql[end - 1] == '\t' ||
                               sql[end - 1] == '\r'))
            end--;
        p->stmt->text = sql + start;
        p->stmt->text_len = end - start;
    }
}
/* book: end run-parser */
