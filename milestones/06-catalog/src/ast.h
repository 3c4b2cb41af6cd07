/*
 * ast.h - the tree a statement is parsed into: what the user wrote, with
 * the position of every name and value, before anything is looked up.
 */
#ifndef AST_H
#define AST_H

#include <stdbool.h>
#include <stdint.h>

#include "record.h"
#include "status.h"

/* A token: where it starts in the SQL text and how long it is. */
typedef struct Token {
    const char *text;
    uint32_t len;
    uint32_t pos;          /* byte offset in the statement's text */
} Token;

/* A name as the user meant it: unquoted names folded to lower case,
 * "quoted" ones kept as written (PostgreSQL's rule). */
typedef struct Name {
    char *text;            /* NUL-terminated; owned */
    uint32_t pos;
} Name;

typedef enum ExprKind {
    EXPR_LITERAL,          /* value */
    EXPR_COLUMN,           /* name */
    EXPR_UNARY,            /* op left */
    EXPR_BINARY,           /* left op right */
} ExprKind;

typedef struct Expr Expr;
struct Expr {
    ExprKind kind;
    uint32_t pos;          /* where it starts, for error messages */
    int op;                /* a TK_ code: TK_MINUS, TK_EQ, ... */
    Value value;           /* EXPR_LITERAL */
    bool owns_text;        /* the value's text is this node's to free */
    bool too_big;          /* an integer literal of 2^63 or more */
    Name name;             /* EXPR_COLUMN */
    Expr *left, *right;
};

typedef struct ExprList {
    uint32_t n, cap;
    Expr **items;
} ExprList;

typedef struct NameList {
    uint32_t n, cap;
    Name *items;
} NameList;

/* A column's type as written: INTEGER, VARCHAR(10), DOUBLE PRECISION... */
typedef struct TypeName {
    Name name;             /* the words, lower case, one space between */
    int64_t length;        /* the (n) of VARCHAR(n), -1 if none */
} TypeName;

typedef struct ColumnDef {
    Name name;
    TypeName type;
    bool not_null;
    bool said_null;        /* NULL was written: NOT NULL would conflict */
    bool primary_key;
    uint32_t primary_key_pos;
    bool unique;
    uint32_t unique_pos;
    Expr *default_value;   /* NULL: no DEFAULT */
} ColumnDef;

typedef struct ColumnDefList {
    uint32_t n, cap;
    ColumnDef *items;
} ColumnDefList;

/* A table constraint after the columns: PRIMARY KEY (a, b), UNIQUE (c). */
typedef struct TableConstraint {
    bool primary_key;      /* else UNIQUE */
    uint32_t pos;
    NameList *columns;
} TableConstraint;

typedef struct ConstraintList {
    uint32_t n, cap;
    TableConstraint *items;
} ConstraintList;

/* One "col = expr" of UPDATE ... SET. */
typedef struct Assignment {
    Name column;
    Expr *value;
} Assignment;

typedef struct AssignmentList {
    uint32_t n, cap;
    Assignment *items;
} AssignmentList;

/* The rows of INSERT ... VALUES (...), (...). */
typedef struct RowList {
    uint32_t n, cap;
    ExprList **items;
} RowList;

typedef enum StmtKind {
    STMT_CREATE_TABLE,
    STMT_DROP_TABLE,
    STMT_INSERT,
    STMT_SELECT,
    STMT_UPDATE,
    STMT_DELETE,
} StmtKind;

typedef struct Stmt {
    StmtKind kind;
    uint32_t pos;
    const char *text;            /* the statement as typed, without ';' */
    uint32_t text_len;
    Name table;                  /* the table every statement names */
    bool if_exists;              /* CREATE: IF NOT EXISTS; DROP: IF EXISTS */
    ColumnDefList *columns;      /* CREATE TABLE */
    ConstraintList *constraints; /* CREATE TABLE */
    NameList *target;            /* INSERT (cols); NULL: every column */
    RowList *rows;               /* INSERT ... VALUES */
    ExprList *results;           /* SELECT; an item NULL is "*" */
    AssignmentList *set;         /* UPDATE */
    Expr *where;                 /* SELECT, UPDATE, DELETE; NULL: none */
} Stmt;

/* What the parser works in: the statement's text, the tree it builds,
 * and the first error. The grammar's actions call the ast_ functions
 * below; each takes the Parse so that running out of memory is recorded
 * once and the tree is freed as a whole. */
typedef struct Parse {
    const char *sql;             /* the statement's text */
    uint32_t sql_len;
    Stmt *stmt;                  /* the result, once parsed */
    DbStatus rc;                 /* DB_OK until something fails; the
                                  * reason and where: db_errmsg(),
                                  * db_errpos() */
} Parse;

/* Builders, one per grammar action. On failure (out of memory, a value
 * out of range) they record it in P and return what still lets the
 * parse go on (NULL, or their first argument); the caller checks P->rc
 * once at the end. Every argument they take is theirs to keep or free. */
Name ast_name(Parse *p, Token t);
Expr *ast_literal(Parse *p, int token_type, Token t);
Expr *ast_column(Parse *p, Name name);
Expr *ast_unary(Parse *p, int op, Token at, Expr *operand);
Expr *ast_binary(Parse *p, int op, Expr *left, Expr *right);
ExprList *ast_expr_list(Parse *p, ExprList *list, Expr *item);
NameList *ast_name_list(Parse *p, NameList *list, Name name);
RowList *ast_row_list(Parse *p, RowList *list, ExprList *row);
TypeName ast_type_name(Parse *p, TypeName type, Token word);
TypeName ast_type_length(Parse *p, TypeName type, Token number,
                         bool negative);
ColumnDefList *ast_column_def(Parse *p, ColumnDefList *list, Name name,
                              TypeName type);
/* The constraint KIND (TK_NOT: NOT NULL, TK_NULL, TK_PRIMARY, TK_UNIQUE,
 * TK_DEFAULT with VALUE) on the last column of LIST. */
ColumnDefList *ast_column_constraint(Parse *p, ColumnDefList *list,
                                     int kind, Token at, Expr *value);
ConstraintList *ast_table_constraint(Parse *p, ConstraintList *list,
                                     TableConstraint constraint);
AssignmentList *ast_assignment(Parse *p, AssignmentList *list, Name column,
                               Expr *value);

Stmt *ast_create_table(Parse *p, Token at, bool if_not_exists, Name table,
                       ColumnDefList *columns, ConstraintList *constraints);
Stmt *ast_drop_table(Parse *p, Token at, bool if_exists, Name table);
Stmt *ast_insert(Parse *p, Token at, Name table, NameList *target,
                 RowList *rows);
Stmt *ast_select(Parse *p, Token at, ExprList *results, Name table,
                 Expr *where);
Stmt *ast_update(Parse *p, Token at, Name table, AssignmentList *set,
                 Expr *where);
Stmt *ast_delete(Parse *p, Token at, Name table, Expr *where);

/* The grammar's %syntax_error and %stack_overflow. */
void ast_syntax_error(Parse *p, int token_type, Token t);
void ast_too_deep(Parse *p);

void ast_free_name(Name name);
void ast_free_expr(Expr *expr);
void ast_free_expr_list(ExprList *list);
void ast_free_name_list(NameList *list);
void ast_free_row_list(RowList *list);
void ast_free_type_name(TypeName type);
void ast_free_column_defs(ColumnDefList *list);
void ast_free_constraints(ConstraintList *list);
void ast_free_assignments(AssignmentList *list);
void ast_free_stmt(Stmt *stmt);

#endif
