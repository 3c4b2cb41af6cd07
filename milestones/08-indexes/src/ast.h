/*
 * ast.h - the tree a statement is parsed into: what the user wrote, with
 * the position of every name and value. The binder (bind.c) then fills in
 * the fields marked "bound": what each name refers to, and types.
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
 * "quoted" ones kept as written (PostgreSQL's rule). text is NULL for
 * no name (an alias not given). */
typedef struct Name {
    char *text;            /* NUL-terminated; owned */
    uint32_t pos;
} Name;

typedef enum ExprKind {
    EXPR_LITERAL,          /* value */
    EXPR_COLUMN,           /* [table.]name */
    EXPR_UNARY,            /* op left: -, +, NOT */
    EXPR_BINARY,           /* left op right */
    EXPR_IS_NULL,          /* left IS [NOT] NULL (negated: NOT) */
    EXPR_IS_TRUTH,         /* left IS [NOT] TRUE|FALSE (value: 1 or 0) */
    EXPR_BETWEEN,          /* left [NOT] BETWEEN right AND third */
    EXPR_LIKE,             /* left [NOT] LIKE right [ESCAPE third] */
    EXPR_IN_LIST,          /* left [NOT] IN (list) */
    EXPR_IN_SELECT,        /* left [NOT] IN (select) */
    EXPR_EXISTS,           /* EXISTS (select) */
    EXPR_SUBQUERY,         /* (select): its first column of its first row */
    EXPR_CASE,             /* CASE [left] WHEN list[0] THEN list[1] ...
                            * [ELSE right] END */
    EXPR_CAST,             /* CAST(left AS type) */
    EXPR_FUNCTION,         /* name([DISTINCT] list), name(*) */
} ExprKind;

typedef struct Expr Expr;
typedef struct ExprList ExprList;
typedef struct Select Select;
typedef struct SrcList SrcList;

/* The type an expression is known to have once bound; TYPE_ANY: any. */
#define TYPE_ANY 0

struct Expr {
    ExprKind kind;
    uint32_t pos;          /* where it starts, for error messages */
    int op;                /* a TK_ code: TK_MINUS, TK_EQ, TK_AND, ... */
    bool negated;          /* NOT BETWEEN, NOT IN, NOT LIKE, IS NOT NULL */
    Value value;           /* EXPR_LITERAL */
    bool owns_text;        /* the value's text is this node's to free */
    bool too_big;          /* an integer literal of 2^63 or more */
    bool keyword;          /* a literal written TRUE or FALSE */
    Name table, name;      /* EXPR_COLUMN; EXPR_FUNCTION: name */
    Expr *left, *right, *third;
    ExprList *list;
    Select *select;        /* EXPR_IN_SELECT, EXPR_EXISTS, EXPR_SUBQUERY */
    struct TypeName *type; /* EXPR_CAST */
    bool distinct;         /* EXPR_FUNCTION: f(DISTINCT x) */
    bool star;             /* EXPR_FUNCTION: count(*) */

    /* bound */
    int source;            /* EXPR_COLUMN: the source it reads (bind.h) */
    int column;            /* ... and which of its columns */
    int function;          /* EXPR_FUNCTION: which (func.h) */
    int aggregate;         /* an aggregate call: its slot, else -1 */
    ColumnType result;     /* what it yields when known, else TYPE_ANY */
    char affinity;         /* SQLite's column affinity: 'i', 'r', 't', or
                            * 0 for none (see value.h) */
    bool correlated;       /* a subquery that reads an outer query's row */
    struct BoundSelect *bound; /* a subquery's binding */
    struct Plan *plan;     /* a subquery's plan (plan.c) */
};

/* A list item: an expression, with what the list needs of it. */
typedef struct ExprItem {
    Expr *expr;            /* NULL in a result list: * or table.* */
    Name alias;            /* a result column's AS name */
    Name star_table;       /* table.* (with expr NULL) */
    uint32_t star_pos;     /* where the * is */
    bool desc;             /* ORDER BY ... DESC */
} ExprItem;

struct ExprList {
    uint32_t n, cap;
    ExprItem *items;
};

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

/* A column of CREATE INDEX: its name, and DESC or not. */
typedef struct IndexColumn {
    Name name;
    bool desc;
} IndexColumn;

typedef struct IndexColumnList {
    uint32_t n, cap;
    IndexColumn *items;
} IndexColumnList;

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

/* How an item of FROM joins the items before it. */
#define JOIN_INNER 0   /* a comma, JOIN, CROSS JOIN, INNER JOIN */
#define JOIN_LEFT 1    /* LEFT [OUTER] JOIN */

/* One item of FROM: a table or view, or a subquery, with its alias. */
typedef struct SrcItem {
    Name table;            /* empty for a subquery */
    Select *subquery;
    Name alias;
    uint32_t pos;
    int join;              /* JOIN_INNER or JOIN_LEFT */
    Expr *on;              /* ON condition, or NULL */
    NameList *using;       /* USING (cols), or NULL */
    struct SrcList *nested; /* (a JOIN b) until ast_src_list places it */
    /* bound */
    int source;            /* the source it is (bind.h) */
} SrcItem;

struct SrcList {
    uint32_t n, cap;
    SrcItem *items;
};

/* A SELECT. A compound (UNION ...) is a chain: the last select of the
 * chain holds op and prior, and the compound's ORDER BY and LIMIT. */
struct Select {
    uint32_t pos;
    bool distinct;
    ExprList *results;
    SrcList *from;         /* NULL: no FROM (one row of no columns) */
    Expr *where;
    ExprList *group_by;
    Expr *having;
    int op;                /* 0, or TK_UNION, TK_ALL (UNION ALL),
                            * TK_INTERSECT, TK_EXCEPT */
    Select *prior;         /* the select before OP */
    ExprList *order_by;
    Expr *limit, *offset;
};

typedef enum StmtKind {
    STMT_CREATE_TABLE,
    STMT_DROP_TABLE,
    STMT_CREATE_VIEW,
    STMT_DROP_VIEW,
    STMT_INSERT,
    STMT_SELECT,
    STMT_UPDATE,
    STMT_DELETE,
    STMT_SET,              /* SET name = value; SHOW name: value NULL */
    STMT_CREATE_INDEX,
    STMT_DROP_INDEX,       /* the index's name is in table */
    STMT_ANALYZE,          /* table: the one to analyze; none: all */
} StmtKind;

typedef struct Stmt {
    StmtKind kind;
    uint32_t pos;
    const char *text;            /* the statement as typed, without ';' */
    uint32_t text_len;
    bool explain;                /* EXPLAIN in front */
    bool analyze;                /* ... EXPLAIN ANALYZE: run it too */
    Name table;                  /* the table or view the statement names
                                  * (DROP INDEX: the index) */
    Name index;                  /* CREATE INDEX: the index's name */
    bool unique;                 /* CREATE UNIQUE INDEX */
    IndexColumnList *index_columns; /* CREATE INDEX */
    bool if_exists;              /* CREATE: IF NOT EXISTS; DROP: IF EXISTS */
    bool temp;                   /* CREATE TEMP VIEW */
    ColumnDefList *columns;      /* CREATE TABLE */
    ConstraintList *constraints; /* CREATE TABLE */
    NameList *target;            /* INSERT (cols), CREATE VIEW v (cols) */
    RowList *rows;               /* INSERT ... VALUES */
    Select *select;              /* SELECT, INSERT ... SELECT, CREATE VIEW */
    uint32_t select_pos;         /* CREATE VIEW: where its SELECT begins */
    AssignmentList *set;         /* UPDATE */
    Expr *where;                 /* UPDATE, DELETE; NULL: none */
    Expr *value;                 /* SET */
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
Expr *ast_column(Parse *p, Name table, Name name);
Expr *ast_unary(Parse *p, int op, Token at, Expr *operand);
Expr *ast_binary(Parse *p, int op, Expr *left, Expr *right);
Expr *ast_is_null(Parse *p, Expr *operand, bool negated, Token at);
Expr *ast_like(Parse *p, Expr *left, bool negated, Expr *pattern,
               Expr *escape);
Expr *ast_between(Parse *p, Expr *left, bool negated, Expr *low,
                  Expr *high);
Expr *ast_in_list(Parse *p, Expr *left, bool negated, ExprList *list);
Expr *ast_in_select(Parse *p, Expr *left, bool negated, Select *select);
Expr *ast_subquery(Parse *p, ExprKind kind, Token at, Select *select);
Expr *ast_case(Parse *p, Token at, Expr *operand, ExprList *whens,
               Expr *otherwise);
Expr *ast_cast(Parse *p, Token at, Expr *operand, TypeName type);
Expr *ast_function(Parse *p, Name name, bool distinct, ExprList *args,
                   bool star);
ExprList *ast_expr_list(Parse *p, ExprList *list, Expr *item);
ExprList *ast_result(Parse *p, ExprList *list, Expr *item, Name alias);
ExprList *ast_result_star(Parse *p, ExprList *list, Name table, Token at);
ExprList *ast_sort_item(Parse *p, ExprList *list, Expr *item, bool desc);
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
IndexColumnList *ast_index_column(Parse *p, IndexColumnList *list,
                                  Name name, bool desc);
SrcItem ast_src_table(Parse *p, Name table, Name alias);
SrcItem ast_src_subquery(Parse *p, Token at, Select *select, Name alias);
/* FROM (a JOIN b): the items of LIST, taken into the FROM around them
 * when they join it as a comma would; else a subquery SELECT * of
 * them. */
SrcItem ast_src_nested(Parse *p, Token at, SrcList *list, Name alias);
SrcList *ast_src_list(Parse *p, SrcList *list, int join, SrcItem item,
                      Expr *on, NameList *using);

Select *ast_select(Parse *p, Token at, bool distinct, ExprList *results,
                   SrcList *from, Expr *where, ExprList *group_by,
                   Expr *having);
Select *ast_compound(Parse *p, Select *prior, int op, Select *next);
Select *ast_select_order(Parse *p, Select *select, ExprList *order_by,
                         Expr *limit, Expr *offset);

Stmt *ast_create_table(Parse *p, Token at, bool if_not_exists, Name table,
                       ColumnDefList *columns, ConstraintList *constraints);
Stmt *ast_create_view(Parse *p, Token at, bool temp, bool if_not_exists,
                      Name view, NameList *columns, Token as,
                      Select *select);
Stmt *ast_create_index(Parse *p, Token at, bool unique, bool if_not_exists,
                       Name index, Name table, IndexColumnList *columns);
Stmt *ast_drop(Parse *p, StmtKind kind, Token at, bool if_exists,
               Name name);
Stmt *ast_insert(Parse *p, Token at, Name table, NameList *target,
                 RowList *rows, Select *select);
Stmt *ast_select_stmt(Parse *p, Select *select);
Stmt *ast_update(Parse *p, Token at, Name table, AssignmentList *set,
                 Expr *where);
Stmt *ast_delete(Parse *p, Token at, Name table, Expr *where);
Stmt *ast_set(Parse *p, Token at, Name name, Expr *value);
Stmt *ast_explain(Parse *p, Token at, Stmt *stmt, bool analyze);
Stmt *ast_analyze(Parse *p, Token at, Name table);

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
void ast_free_index_columns(IndexColumnList *list);
void ast_free_src_item(SrcItem item);
void ast_free_src_list(SrcList *list);
void ast_free_select(Select *select);
void ast_free_stmt(Stmt *stmt);

#endif
