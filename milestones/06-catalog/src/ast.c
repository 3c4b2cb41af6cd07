/*
 * ast.c - building and freeing the tree the parser makes.
 *
 * Owns: the memory of the tree, names as the user meant them (folding and
 * unquoting), and literals as values.
 * Does not: decide what is valid SQL (the grammar does) or what a name
 * refers to (exec.c does).
 *
 * Every builder is called by one grammar action. A builder that runs out
 * of memory records DB_ENOMEM in the Parse, frees what it was given and
 * returns NULL; the parse goes on to its end, and tokenize_parse frees
 * whatever was built.
 */
#include "ast.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "parse.h"

static void *out_of_memory(Parse *p)
{
    if (p->rc == DB_OK)
        p->rc = db_fail(DB_ENOMEM, "out of memory");
    return NULL;
}

/* Grows a list of items of SIZE bytes so that one more fits. */
static bool grow(Parse *p, void **items, uint32_t n, uint32_t *cap,
                 size_t size)
{
    if (n < *cap)
        return true;
    uint32_t new_cap = *cap ? 2 * *cap : 4;
    void *grown = realloc(*items, new_cap * size);
    if (grown == NULL) {
        out_of_memory(p);
        return false;
    }
    *items = grown;
    *cap = new_cap;
    return true;
}

/* --- names and literals ------------------------------------------------ */

Name ast_name(Parse *p, Token t)
{
    Name name = {.text = malloc(t.len + 1), .pos = t.pos};
    if (name.text == NULL) {
        out_of_memory(p);
        return name;
    }
    if (t.text[0] == '"') {
        /* "Quoted": kept as written, with "" for a quote inside. */
        uint32_t n = 0;
        for (uint32_t i = 1; i + 1 < t.len; i++) {
            name.text[n++] = t.text[i];
            if (t.text[i] == '"')
                i++;
        }
        name.text[n] = '\0';
    } else {
        for (uint32_t i = 0; i < t.len; i++) {
            char c = t.text[i];
            name.text[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
        }
        name.text[t.len] = '\0';
    }
    int len;
    const char *more = catalog_quote(name.text, &len);
    if (more[0] != '\0' && p->rc == DB_OK)
        p->rc = db_fail_at(DB_ERANGE, t.pos, "identifier \"%.*s%s\" is "
                           "longer than %d bytes", len, name.text, more,
                           CATALOG_NAME_MAX);
    return name;
}

static Expr *new_expr(Parse *p, ExprKind kind, uint32_t pos)
{
    Expr *e = calloc(1, sizeof *e);
    if (e == NULL)
        return out_of_memory(p);
    e->kind = kind;
    e->pos = pos;
    return e;
}

/* The digits of T as a number up to 2^63, which only a minus sign in
 * front makes an integer. */
static bool parse_integer(Token t, uint64_t *value)
{
    uint64_t v = 0;
    for (uint32_t i = 0; i < t.len; i++) {
        uint64_t digit = (uint64_t)(t.text[i] - '0');
        if (v > ((uint64_t)INT64_MAX + 1 - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    *value = v;
    return true;
}

Expr *ast_literal(Parse *p, int token_type, Token t)
{
    Expr *e = new_expr(p, EXPR_LITERAL, t.pos);
    if (e == NULL)
        return NULL;
    Value *v = &e->value;
    switch (token_type) {
    case TK_NULL:
        v->type = VALUE_NULL;
        break;
    case TK_TRUE:
    case TK_FALSE:
        v->type = VALUE_BOOLEAN;
        v->b = token_type == TK_TRUE;
        break;
    case TK_INTEGER: {
        uint64_t u;
        if (!parse_integer(t, &u)) {
            if (p->rc == DB_OK) {
                p->rc = db_fail_at(DB_ERANGE, t.pos, "integer out of range");
            }
            break;
        }
        /* 2^63 is kept as INT64_MIN with the mark "too_big": a minus in
         * front (ast_unary) makes it right, else exec.c refuses it. */
        v->type = VALUE_INTEGER;
        v->i = (int64_t)(u - (u > INT64_MAX ? 2 * (uint64_t)INT64_MAX + 2
                                            : 0));
        e->too_big = u > INT64_MAX;
        break;
    }
    case TK_FLOAT: {
        char text[64];
        if (t.len >= sizeof text) {
            p->rc = db_fail_at(DB_ESYNTAX, t.pos,
                               "a number of %u digits is too long", t.len);
            break;
        }
        memcpy(text, t.text, t.len);
        text[t.len] = '\0';
        v->type = VALUE_REAL;
        v->r = strtod(text, NULL);
        break;
    }
    case TK_STRING: {
        /* 'text', with '' for a quote inside. */
        char *s = malloc(t.len);
        if (s == NULL) {
            free(e);
            return out_of_memory(p);
        }
        uint32_t n = 0;
        for (uint32_t i = 1; i + 1 < t.len; i++) {
            s[n++] = t.text[i];
            if (t.text[i] == '\'')
                i++;
        }
        v->type = VALUE_TEXT;
        v->text.s = s;
        v->text.n = n;
        e->owns_text = true;
        break;
    }
    }
    return e;
}

Expr *ast_column(Parse *p, Name name)
{
    Expr *e = new_expr(p, EXPR_COLUMN, name.pos);
    if (e == NULL) {
        ast_free_name(name);
        return NULL;
    }
    e->name = name;
    return e;
}

/* book: begin ast-unary */
Expr *ast_unary(Parse *p, int op, Token at, Expr *operand)
{
    if (operand == NULL)
        return NULL;
    /* A sign in front of a number is part of the number: -5 is the
     * literal -5, and -9223372036854775808 the smallest integer. */
    if (operand->kind == EXPR_LITERAL &&
        (operand->value.type == VALUE_INTEGER ||
         operand->value.type == VALUE_REAL)) {
        if (op == TK_MINUS) {
            if (operand->value.type == VALUE_REAL)
                operand->value.r = -operand->value.r;
            else if (operand->too_big)
                operand->too_big = false; /* -(2^63) == INT64_MIN */
            else if (operand->value.i == INT64_MIN)
                operand->too_big = true;  /* -(-2^63) overflows */
            else
                operand->value.i = -operand->value.i;
        }
        operand->pos = at.pos;
        return operand;
    }
    Expr *e = new_expr(p, EXPR_UNARY, at.pos);
    if (e == NULL) {
        ast_free_expr(operand);
        return NULL;
    }
    e->op = op;
    e->left = operand;
    return e;
}
/* book: end ast-unary */

Expr *ast_binary(Parse *p, int op, Expr *left, Expr *right)
{
    Expr *e = left && right ? new_expr(p, EXPR_BINARY, left->pos) : NULL;
    if (e == NULL) {
        ast_free_expr(left);
        ast_free_expr(right);
        return NULL;
    }
    e->op = op;
    e->left = left;
    e->right = right;
    return e;
}

/* --- lists ------------------------------------------------------------- */

/* LIST, or a new empty list when LIST is NULL (NULL if out of memory). */
#define NEW_LIST(p, list)                                                  \
    ((list) != NULL ? (list)                                               \
                    : ((list) = calloc(1, sizeof *(list))) != NULL         \
                          ? (list)                                         \
                          : out_of_memory(p))

ExprList *ast_expr_list(Parse *p, ExprList *list, Expr *item)
{
    if (p->rc == DB_OK && NEW_LIST(p, list) != NULL &&
        grow(p, (void **)&list->items, list->n, &list->cap,
             sizeof list->items[0])) {
        list->items[list->n++] = item;
        return list;
    }
    ast_free_expr(item);
    return list;
}

NameList *ast_name_list(Parse *p, NameList *list, Name name)
{
    if (p->rc == DB_OK && NEW_LIST(p, list) != NULL &&
        grow(p, (void **)&list->items, list->n, &list->cap,
             sizeof list->items[0])) {
        list->items[list->n++] = name;
        return list;
    }
    ast_free_name(name);
    return list;
}

RowList *ast_row_list(Parse *p, RowList *list, ExprList *row)
{
    if (p->rc == DB_OK && NEW_LIST(p, list) != NULL &&
        grow(p, (void **)&list->items, list->n, &list->cap,
             sizeof list->items[0])) {
        list->items[list->n++] = row;
        return list;
    }
    ast_free_expr_list(row);
    return list;
}

AssignmentList *ast_assignment(Parse *p, AssignmentList *list, Name column,
                               Expr *value)
{
    if (p->rc == DB_OK && NEW_LIST(p, list) != NULL &&
        grow(p, (void **)&list->items, list->n, &list->cap,
             sizeof list->items[0])) {
        list->items[list->n++] = (Assignment){column, value};
        return list;
    }
    ast_free_name(column);
    ast_free_expr(value);
    return list;
}

ConstraintList *ast_table_constraint(Parse *p, ConstraintList *list,
                                     TableConstraint constraint)
{
    if (p->rc == DB_OK && NEW_LIST(p, list) != NULL &&
        grow(p, (void **)&list->items, list->n, &list->cap,
             sizeof list->items[0])) {
        list->items[list->n++] = constraint;
        return list;
    }
    ast_free_name_list(constraint.columns);
    return list;
}

/* --- columns ----------------------------------------------------------- */

TypeName ast_type_name(Parse *p, TypeName type, Token word)
{
    if (type.name.text == NULL) {
        type.name = ast_name(p, word);
        type.length = -1;
        return type;
    }
    /* One more word: "double" + "precision". */
    Name more = ast_name(p, word);
    size_t len = strlen(type.name.text);
    char *joined = more.text ? realloc(type.name.text,
                                       len + 1 + strlen(more.text) + 1)
                             : NULL;
    if (joined == NULL) {
        out_of_memory(p);
    } else {
        joined[len] = ' ';
        strcpy(joined + len + 1, more.text);
        type.name.text = joined;
    }
    ast_free_name(more);
    return type;
}

TypeName ast_type_length(Parse *p, TypeName type, Token number,
                         bool negative)
{
    uint64_t n;
    if (negative || !parse_integer(number, &n) || n > INT32_MAX) {
        if (p->rc == DB_OK) {
            p->rc = db_fail_at(DB_ERANGE, number.pos,
                               "length for type %s must be at least 1 and "
                               "at most %d",
                            type.name.text ? type.name.text : "?",
                            INT32_MAX);
        }
        n = 0;
    }
    type.length = (int64_t)n;
    return type;
}

ColumnDefList *ast_column_def(Parse *p, ColumnDefList *list, Name name,
                              TypeName type)
{
    if (p->rc == DB_OK && NEW_LIST(p, list) != NULL &&
        grow(p, (void **)&list->items, list->n, &list->cap,
             sizeof list->items[0])) {
        list->items[list->n++] = (ColumnDef){.name = name, .type = type};
        return list;
    }
    ast_free_name(name);
    ast_free_type_name(type);
    return list;
}

ColumnDefList *ast_column_constraint(Parse *p, ColumnDefList *list,
                                     int kind, Token at, Expr *value)
{
    if (list == NULL || list->n == 0) {
        ast_free_expr(value);
        return list;
    }
    ColumnDef *c = &list->items[list->n - 1];
    switch (kind) {
    case TK_NOT:
    case TK_NULL:
        if ((kind == TK_NOT ? c->said_null : c->not_null) &&
            p->rc == DB_OK) {
            p->rc = db_fail_at(DB_ESYNTAX, at.pos, "conflicting NULL/NOT NULL "
                            "declarations for column \"%s\"",
                            c->name.text);
        }
        c->not_null |= kind == TK_NOT;
        c->said_null |= kind == TK_NULL;
        break;
    case TK_PRIMARY:
        c->primary_key = true;
        c->primary_key_pos = at.pos;
        break;
    case TK_UNIQUE:
        c->unique = true;
        c->unique_pos = at.pos;
        break;
    case TK_DEFAULT:
        if (c->default_value != NULL && p->rc == DB_OK) {
            p->rc = db_fail_at(DB_ESYNTAX, at.pos,
                               "multiple default values specified for "
                               "column \"%s\"", c->name.text);
        }
        ast_free_expr(c->default_value);
        c->default_value = value;
        return list;
    }
    ast_free_expr(value);
    return list;
}

/* --- statements -------------------------------------------------------- */

static Stmt *new_stmt(Parse *p, StmtKind kind, Token at, Name table)
{
    Stmt *s = calloc(1, sizeof *s);
    if (s == NULL) {
        ast_free_name(table);
        return out_of_memory(p);
    }
    s->kind = kind;
    s->pos = at.pos;
    s->table = table;
    return s;
}

Stmt *ast_create_table(Parse *p, Token at, bool if_not_exists, Name table,
                       ColumnDefList *columns, ConstraintList *constraints)
{
    Stmt *s = new_stmt(p, STMT_CREATE_TABLE, at, table);
    if (s == NULL) {
        ast_free_column_defs(columns);
        ast_free_constraints(constraints);
        return NULL;
    }
    s->if_exists = if_not_exists;
    s->columns = columns;
    s->constraints = constraints;
    return s;
}

Stmt *ast_drop_table(Parse *p, Token at, bool if_exists, Name table)
{
    Stmt *s = new_stmt(p, STMT_DROP_TABLE, at, table);
    if (s != NULL)
        s->if_exists = if_exists;
    return s;
}

Stmt *ast_insert(Parse *p, Token at, Name table, NameList *target,
                 RowList *rows)
{
    Stmt *s = new_stmt(p, STMT_INSERT, at, table);
    if (s == NULL) {
        ast_free_name_list(target);
        ast_free_row_list(rows);
        return NULL;
    }
    s->target = target;
    s->rows = rows;
    return s;
}

Stmt *ast_select(Parse *p, Token at, ExprList *results, Name table,
                 Expr *where)
{
    Stmt *s = new_stmt(p, STMT_SELECT, at, table);
    if (s == NULL) {
        ast_free_expr_list(results);
        ast_free_expr(where);
        return NULL;
    }
    s->results = results;
    s->where = where;
    return s;
}

Stmt *ast_update(Parse *p, Token at, Name table, AssignmentList *set,
                 Expr *where)
{
    Stmt *s = new_stmt(p, STMT_UPDATE, at, table);
    if (s == NULL) {
        ast_free_assignments(set);
        ast_free_expr(where);
        return NULL;
    }
    s->set = set;
    s->where = where;
    return s;
}

Stmt *ast_delete(Parse *p, Token at, Name table, Expr *where)
{
    Stmt *s = new_stmt(p, STMT_DELETE, at, table);
    if (s == NULL) {
        ast_free_expr(where);
        return NULL;
    }
    s->where = where;
    return s;
}

/* --- errors ------------------------------------------------------------ */

/* book: begin syntax-error */
void ast_syntax_error(Parse *p, int token_type, Token t)
{
    if (p->rc != DB_OK)
        return; /* the first error is the one to report */
    if (token_type == 0)
        p->rc = db_fail_at(DB_ESYNTAX, t.pos, "syntax error at end of "
                           "input");
    else
        p->rc = db_fail_at(DB_ESYNTAX, t.pos, "syntax error at or near "
                           "\"%.*s\"", (int)t.len, t.text);
}
/* book: end syntax-error */

void ast_too_deep(Parse *p)
{
    if (p->rc == DB_OK)
        p->rc = db_fail(DB_ESYNTAX, "the statement is nested too deeply");
}

/* --- freeing ----------------------------------------------------------- */

void ast_free_name(Name name)
{
    free(name.text);
}

void ast_free_expr(Expr *e)
{
    if (e == NULL)
        return;
    if (e->owns_text)
        free((char *)e->value.text.s);
    ast_free_name(e->name);
    ast_free_expr(e->left);
    ast_free_expr(e->right);
    free(e);
}

void ast_free_expr_list(ExprList *list)
{
    if (list == NULL)
        return;
    for (uint32_t i = 0; i < list->n; i++)
        ast_free_expr(list->items[i]);
    free(list->items);
    free(list);
}

void ast_free_name_list(NameList *list)
{
    if (list == NULL)
        return;
    for (uint32_t i = 0; i < list->n; i++)
        ast_free_name(list->items[i]);
    free(list->items);
    free(list);
}

void ast_free_row_list(RowList *list)
{
    if (list == NULL)
        return;
    for (uint32_t i = 0; i < list->n; i++)
        ast_free_expr_list(list->items[i]);
    free(list->items);
    free(list);
}

void ast_free_type_name(TypeName type)
{
    ast_free_name(type.name);
}

void ast_free_column_defs(ColumnDefList *list)
{
    if (list == NULL)
        return;
    for (uint32_t i = 0; i < list->n; i++) {
        ast_free_name(list->items[i].name);
        ast_free_type_name(list->items[i].type);
        ast_free_expr(list->items[i].default_value);
    }
    free(list->items);
    free(list);
}

void ast_free_constraints(ConstraintList *list)
{
    if (list == NULL)
        return;
    for (uint32_t i = 0; i < list->n; i++)
        ast_free_name_list(list->items[i].columns);
    free(list->items);
    free(list);
}

void ast_free_assignments(AssignmentList *list)
{
    if (list == NULL)
        return;
    for (uint32_t i = 0; i < list->n; i++) {
        ast_free_name(list->items[i].column);
        ast_free_expr(list->items[i].value);
    }
    free(list->items);
    free(list);
}

void ast_free_stmt(Stmt *s)
{
    if (s == NULL)
        return;
    ast_free_name(s->table);
    ast_free_column_defs(s->columns);
    ast_free_constraints(s->constraints);
    ast_free_name_list(s->target);
    ast_free_row_list(s->rows);
    ast_free_expr_list(s->results);
    ast_free_assignments(s->set);
    ast_free_expr(s->where);
    free(s);
}
