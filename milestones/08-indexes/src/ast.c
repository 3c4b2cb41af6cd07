/*
 * ast.c - building and freeing the tree the parser makes.
 *
 * Owns: the memory of the tree, names as the user meant them (folding and
 * unquoting), and literals as values.
 * Does not: decide what is valid SQL (the grammar does) or what a name
 * refers to (bind.c does).
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

/* --- names and literals ----------------------------------------------- */

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
    e->aggregate = -1;
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
        /* As in SQLite: TRUE is the integer 1, FALSE 0 (a BOOLEAN column
         * takes either). */
        v->type = VALUE_INTEGER;
        v->i = token_type == TK_TRUE;
        e->keyword = true;
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

Expr *ast_column(Parse *p, Name table, Name name)
{
    Expr *e = new_expr(p, EXPR_COLUMN, table.text ? table.pos : name.pos);
    if (e == NULL) {
        ast_free_name(table);
        ast_free_name(name);
        return NULL;
    }
    e->table = table;
    e->name = name;
    return e;
}

/* book: begin ast-unary */
Expr *ast_unary(Parse *p, int op, Token at, Expr *operand)
{
    if (operand == NULL)
        return NULL;
    /* A sign in front of a number is part of the number: -5 is the
     * literal -5, and -9223372036854775808 the smallest integer. NOT is
     * no sign: NOT 2 is 0, and TRUE is no number: -TRUE is no position
     * in ORDER BY. */
    if ((op == TK_MINUS || op == TK_PLUS) &&
        operand->kind == EXPR_LITERAL && !operand->keyword &&
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

static Expr *over(Parse *p, ExprKind kind, Expr *left, bool negated);

Expr *ast_binary(Parse *p, int op, Expr *left, Expr *right)
{
    /* x IS TRUE is not x IS 1: it asks for x's truth, as SQLite does
     * (2 IS TRUE holds). */
    if ((op == TK_IS || op == TK_ISNOT) && right != NULL &&
        right->kind == EXPR_LITERAL && right->keyword) {
        int64_t truth = right->value.i;
        ast_free_expr(right);
        Expr *e = over(p, EXPR_IS_TRUTH, left, op == TK_ISNOT);
        if (e != NULL)
            e->value = (Value){.type = VALUE_INTEGER, .i = truth};
        return e;
    }
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

/* A node of KIND over LEFT, at LEFT's place; frees what it was given if
 * it cannot be made. */
static Expr *over(Parse *p, ExprKind kind, Expr *left, bool negated)
{
    Expr *e = left ? new_expr(p, kind, left->pos) : NULL;
    if (e == NULL) {
        ast_free_expr(left);
        return NULL;
    }
    e->left = left;
    e->negated = negated;
    return e;
}

Expr *ast_is_null(Parse *p, Expr *operand, bool negated, Token at)
{
    (void)at;
    return over(p, EXPR_IS_NULL, operand, negated);
}

Expr *ast_like(Parse *p, Expr *left, bool negated, Expr *pattern,
               Expr *escape)
{
    Expr *e = pattern ? over(p, EXPR_LIKE, left, negated) : NULL;
    if (e == NULL) {
        if (pattern == NULL)
            ast_free_expr(left);
        ast_free_expr(pattern);
        ast_free_expr(escape);
        return NULL;
    }
    e->right = pattern;
    e->third = escape;
    return e;
}

Expr *ast_between(Parse *p, Expr *left, bool negated, Expr *low,
                  Expr *high)
{
    Expr *e = low && high ? over(p, EXPR_BETWEEN, left, negated) : NULL;
    if (e == NULL) {
        if (!(low && high))
            ast_free_expr(left);
        ast_free_expr(low);
        ast_free_expr(high);
        return NULL;
    }
    e->right = low;
    e->third = high;
    return e;
}

Expr *ast_in_list(Parse *p, Expr *left, bool negated, ExprList *list)
{
    Expr *e = over(p, EXPR_IN_LIST, left, negated);
    if (e == NULL) {
        ast_free_expr_list(list);
        return NULL;
    }
    e->list = list;
    return e;
}

Expr *ast_in_select(Parse *p, Expr *left, bool negated, Select *select)
{
    Expr *e = select ? over(p, EXPR_IN_SELECT, left, negated) : NULL;
    if (e == NULL) {
        if (select == NULL)
            ast_free_expr(left);
        ast_free_select(select);
        return NULL;
    }
    e->select = select;
    return e;
}

Expr *ast_subquery(Parse *p, ExprKind kind, Token at, Select *select)
{
    Expr *e = select ? new_expr(p, kind, at.pos) : NULL;
    if (e == NULL) {
        ast_free_select(select);
        return NULL;
    }
    e->select = select;
    return e;
}

Expr *ast_case(Parse *p, Token at, Expr *operand, ExprList *whens,
               Expr *otherwise)
{
    Expr *e = whens ? new_expr(p, EXPR_CASE, at.pos) : NULL;
    if (e == NULL) {
        ast_free_expr(operand);
        ast_free_expr_list(whens);
        ast_free_expr(otherwise);
        return NULL;
    }
    e->left = operand;
    e->list = whens;
    e->right = otherwise;
    return e;
}

Expr *ast_cast(Parse *p, Token at, Expr *operand, TypeName type)
{
    Expr *e = operand ? new_expr(p, EXPR_CAST, at.pos) : NULL;
    TypeName *t = e ? malloc(sizeof *t) : NULL;
    if (t == NULL) {
        if (e == NULL)
            ast_free_expr(operand);
        free(e);
        ast_free_type_name(type);
        return out_of_memory(p);
    }
    *t = type;
    e->left = operand;
    e->type = t;
    return e;
}

Expr *ast_function(Parse *p, Name name, bool distinct, ExprList *args,
                   bool star)
{
    Expr *e = new_expr(p, EXPR_FUNCTION, name.pos);
    if (e == NULL) {
        ast_free_name(name);
        ast_free_expr_list(args);
        return NULL;
    }
    e->name = name;
    e->distinct = distinct;
    e->list = args;
    e->star = star;
    return e;
}

/* --- lists ------------------------------------------------------------ */

/* LIST, or a new empty list when LIST is NULL (NULL if out of memory). */
#define NEW_LIST(p, list)                                                  \
    ((list) != NULL ? (list)                                               \
                    : ((list) = calloc(1, sizeof *(list))) != NULL         \
                          ? (list)                                         \
                          : out_of_memory(p))

/* Appends ITEM to LIST (a new list if NULL). */
static ExprList *add_item(Parse *p, ExprList *list, ExprItem item)
{
    if (p->rc == DB_OK && NEW_LIST(p, list) != NULL &&
        grow(p, (void **)&list->items, list->n, &list->cap,
             sizeof list->items[0])) {
        list->items[list->n++] = item;
        return list;
    }
    ast_free_expr(item.expr);
    ast_free_name(item.alias);
    ast_free_name(item.star_table);
    return list;
}

ExprList *ast_expr_list(Parse *p, ExprList *list, Expr *item)
{
    return add_item(p, list, (ExprItem){.expr = item});
}

ExprList *ast_result(Parse *p, ExprList *list, Expr *item, Name alias)
{
    return add_item(p, list, (ExprItem){.expr = item, .alias = alias});
}

ExprList *ast_result_star(Parse *p, ExprList *list, Name table, Token at)
{
    return add_item(p, list, (ExprItem){.star_table = table,
                                        .star_pos = at.pos});
}

ExprList *ast_sort_item(Parse *p, ExprList *list, Expr *item, bool desc)
{
    return add_item(p, list, (ExprItem){.expr = item, .desc = desc});
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

IndexColumnList *ast_index_column(Parse *p, IndexColumnList *list,
                                  Name name, bool desc)
{
    if (p->rc == DB_OK && NEW_LIST(p, list) != NULL &&
        grow(p, (void **)&list->items, list->n, &list->cap,
             sizeof list->items[0])) {
        list->items[list->n++] = (IndexColumn){name, desc};
        return list;
    }
    ast_free_name(name);
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

/* --- FROM and SELECT -------------------------------------------------- */

SrcItem ast_src_table(Parse *p, Name table, Name alias)
{
    (void)p;
    return (SrcItem){.table = table, .alias = alias, .pos = table.pos};
}

SrcItem ast_src_subquery(Parse *p, Token at, Select *select, Name alias)
{
    (void)p;
    return (SrcItem){.subquery = select, .alias = alias, .pos = at.pos};
}

SrcItem ast_src_nested(Parse *p, Token at, SrcList *list, Name alias)
{
    if (alias.text == NULL)
        return (SrcItem){.nested = list, .pos = at.pos};
    /* With an alias it must be one item: SELECT * FROM (list). */
    ExprList *star = ast_result_star(p, NULL, (Name){0}, at);
    Select *select = ast_select(p, at, false, star, list, NULL, NULL, NULL);
    return ast_src_subquery(p, at, select, alias);
}

SrcList *ast_src_list(Parse *p, SrcList *list, int join, SrcItem item,
                      Expr *on, NameList *using)
{
    if (item.nested != NULL) {
        SrcList *nested = item.nested;
        if (list == NULL && join == JOIN_INNER && on == NULL &&
            using == NULL)
            return nested;
        if (join == JOIN_INNER && on == NULL && using == NULL) {
            /* Joined as by a comma: its items join the list. */
            for (uint32_t i = 0; i < nested->n; i++) {
                SrcItem it = nested->items[i];
                list = ast_src_list(p, list, it.join, it, it.on, it.using);
            }
            free(nested->items);
            free(nested);
            return list;
        }
        Token at = {.pos = item.pos};
        item = ast_src_nested(p, at, nested, ast_name(p, (Token){
                                                  .text = "\"(join)\"",
                                                  .len = 8,
                                                  .pos = item.pos}));
    }
    item.join = join;
    item.on = on;
    item.using = using;
    if (p->rc == DB_OK && NEW_LIST(p, list) != NULL &&
        grow(p, (void **)&list->items, list->n, &list->cap,
             sizeof list->items[0])) {
        list->items[list->n++] = item;
        return list;
    }
    ast_free_src_item(item);
    return list;
}

Select *ast_select(Parse *p, Token at, bool distinct, ExprList *results,
                   SrcList *from, Expr *where, ExprList *group_by,
                   Expr *having)
{
    Select *s = calloc(1, sizeof *s);
    if (s == NULL) {
        ast_free_expr_list(results);
        ast_free_src_list(from);
        ast_free_expr(where);
        ast_free_expr_list(group_by);
        ast_free_expr(having);
        return out_of_memory(p);
    }
    *s = (Select){.pos = at.pos, .distinct = distinct, .results = results,
                  .from = from, .where = where, .group_by = group_by,
                  .having = having};
    return s;
}

Select *ast_compound(Parse *p, Select *prior, int op, Select *next)
{
    if (prior == NULL || next == NULL) {
        ast_free_select(prior);
        ast_free_select(next);
        return out_of_memory(p);
    }
    next->op = op;
    next->prior = prior;
    return next;
}

Select *ast_select_order(Parse *p, Select *select, ExprList *order_by,
                         Expr *limit, Expr *offset)
{
    (void)p;
    if (select == NULL) {
        ast_free_expr_list(order_by);
        ast_free_expr(limit);
        ast_free_expr(offset);
        return NULL;
    }
    select->order_by = order_by;
    select->limit = limit;
    select->offset = offset;
    return select;
}

/* --- columns ---------------------------------------------------------- */

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

/* --- statements ------------------------------------------------------- */

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

Stmt *ast_create_view(Parse *p, Token at, bool temp, bool if_not_exists,
                      Name view, NameList *columns, Token as,
                      Select *select)
{
    Stmt *s = select ? new_stmt(p, STMT_CREATE_VIEW, at, view) : NULL;
    if (s == NULL) {
        if (select == NULL)
            ast_free_name(view);
        ast_free_name_list(columns);
        ast_free_select(select);
        return NULL;
    }
    s->temp = temp;
    s->if_exists = if_not_exists;
    s->target = columns;
    s->select = select;
    s->select_pos = as.pos + as.len;
    return s;
}

Stmt *ast_create_index(Parse *p, Token at, bool unique, bool if_not_exists,
                       Name index, Name table, IndexColumnList *columns)
{
    Stmt *s = new_stmt(p, STMT_CREATE_INDEX, at, table);
    if (s == NULL) {
        ast_free_name(index);
        ast_free_index_columns(columns);
        return NULL;
    }
    s->unique = unique;
    s->if_exists = if_not_exists;
    s->index = index;
    s->index_columns = columns;
    return s;
}

Stmt *ast_drop(Parse *p, StmtKind kind, Token at, bool if_exists, Name name)
{
    Stmt *s = new_stmt(p, kind, at, name);
    if (s != NULL)
        s->if_exists = if_exists;
    return s;
}

Stmt *ast_insert(Parse *p, Token at, Name table, NameList *target,
                 RowList *rows, Select *select)
{
    Stmt *s = new_stmt(p, STMT_INSERT, at, table);
    if (s == NULL) {
        ast_free_name_list(target);
        ast_free_row_list(rows);
        ast_free_select(select);
        return NULL;
    }
    s->target = target;
    s->rows = rows;
    s->select = select;
    return s;
}

Stmt *ast_select_stmt(Parse *p, Select *select)
{
    Token at = {.pos = select ? select->pos : 0};
    Stmt *s = select ? new_stmt(p, STMT_SELECT, at, (Name){0}) : NULL;
    if (s == NULL) {
        ast_free_select(select);
        return NULL;
    }
    s->select = select;
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

Stmt *ast_set(Parse *p, Token at, Name name, Expr *value)
{
    Stmt *s = new_stmt(p, STMT_SET, at, name);
    if (s == NULL) {
        ast_free_expr(value);
        return NULL;
    }
    s->value = value;
    return s;
}

Stmt *ast_analyze(Parse *p, Token at, Name table)
{
    return new_stmt(p, STMT_ANALYZE, at, table);
}

Stmt *ast_explain(Parse *p, Token at, Stmt *stmt, bool analyze)
{
    (void)p;
    if (stmt != NULL) {
        stmt->explain = true;
        stmt->analyze = analyze;
        stmt->pos = at.pos;
    }
    return stmt;
}

/* --- errors ----------------------------------------------------------- */

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

/* --- freeing ---------------------------------------------------------- */

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
    ast_free_name(e->table);
    ast_free_name(e->name);
    ast_free_expr(e->left);
    ast_free_expr(e->right);
    ast_free_expr(e->third);
    ast_free_expr_list(e->list);
    ast_free_select(e->select);
    if (e->type != NULL) {
        ast_free_type_name(*e->type);
        free(e->type);
    }
    free(e);
}

void ast_free_expr_list(ExprList *list)
{
    if (list == NULL)
        return;
    for (uint32_t i = 0; i < list->n; i++) {
        ast_free_expr(list->items[i].expr);
        ast_free_name(list->items[i].alias);
        ast_free_name(list->items[i].star_table);
    }
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

void ast_free_index_columns(IndexColumnList *list)
{
    if (list == NULL)
        return;
    for (uint32_t i = 0; i < list->n; i++)
        ast_free_name(list->items[i].name);
    free(list->items);
    free(list);
}

void ast_free_src_item(SrcItem item)
{
    ast_free_src_list(item.nested);
    ast_free_name(item.table);
    ast_free_select(item.subquery);
    ast_free_name(item.alias);
    ast_free_expr(item.on);
    ast_free_name_list(item.using);
}

void ast_free_src_list(SrcList *list)
{
    if (list == NULL)
        return;
    for (uint32_t i = 0; i < list->n; i++)
        ast_free_src_item(list->items[i]);
    free(list->items);
    free(list);
}

void ast_free_select(Select *s)
{
    while (s != NULL) {
        Select *prior = s->prior;
        ast_free_expr_list(s->results);
        ast_free_src_list(s->from);
        ast_free_expr(s->where);
        ast_free_expr_list(s->group_by);
        ast_free_expr(s->having);
        ast_free_expr_list(s->order_by);
        ast_free_expr(s->limit);
        ast_free_expr(s->offset);
        free(s);
        s = prior;
    }
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
    ast_free_select(s->select);
    ast_free_assignments(s->set);
    ast_free_name(s->index);
    ast_free_index_columns(s->index_columns);
    ast_free_expr(s->where);
    ast_free_expr(s->value);
    free(s);
}
