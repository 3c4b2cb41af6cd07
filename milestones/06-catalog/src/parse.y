/*
 * parse.y - the SQL grammar, from which Lemon generates the parser
 * (build/.../parse.c and parse.h; never committed).
 *
 * Owns: the syntax of every statement.
 * Does not: look anything up or check meaning (exec.c does): a rule only
 * calls one ast_ function, which builds a piece of the tree.
 *
 * Lemon reads this file and writes an LALR(1) parser: a table of states
 * and, for each state and next token, whether to shift the token or
 * reduce by a rule. tokenize.c hands it one token at a time.
 */

%name sql_parser
%token_prefix TK_
%token_type {Token}
%default_type {Token}
%extra_context {Parse *p}

%include {
#include <assert.h>
#include <stdlib.h>

#include "ast.h"
}

%syntax_error {
    ast_syntax_error(p, yymajor, TOKEN);
}
%stack_overflow {
    ast_too_deep(p);
}

/* KEY is a keyword only after PRIMARY; elsewhere it is a name. */
%fallback ID KEY.

/* book: begin precedence */
/* Operator precedence, lowest first. "a = b = c" is ambiguous to an
 * LALR(1) parser: after "a = b" with "=" next, it could reduce a = b or
 * shift the second "=". %left EQ settles it: reduce, so the parse is
 * (a = b) = c. Milestone 07 adds the rest of SQL's operators here. */
%left EQ.
%left PLUS MINUS.
%right UMINUS.
/* book: end precedence */

/* A statement, with or without its ';' (tokenize.c feeds one at a time). */
input ::= cmd(C) SEMI.   { p->stmt = C; }
input ::= cmd(C).        { p->stmt = C; }

%type cmd {Stmt *}
%destructor cmd { ast_free_stmt($$); }

/* Names: a word, or a "quoted" word. */
%type nm {Name}
%destructor nm { ast_free_name($$); }
nm(A) ::= ID(X).                 { A = ast_name(p, X); }

/////////////////////////// CREATE TABLE ///////////////////////////////

cmd(A) ::= CREATE(K) TABLE ifnotexists(E) nm(N) LP columnlist(C)
           conslist_opt(T) RP.
    { A = ast_create_table(p, K, E, N, C, T); }

%type ifnotexists {bool}
ifnotexists(A) ::= .              { A = false; }
ifnotexists(A) ::= IF NOT EXISTS. { A = true; }

%type columnlist {ColumnDefList *}
%destructor columnlist { ast_free_column_defs($$); }
columnlist(A) ::= columnlist(L) COMMA columndef(C).
    { A = ast_column_def(p, L, C.name, C.type); }
columnlist(A) ::= columndef(C).
    { A = ast_column_def(p, NULL, C.name, C.type); }
/* A column's constraints follow it: each one changes the last column of
 * the list, so that no half-built column lives outside the list. */
columnlist(A) ::= columnlist(L) ccons(C).
    { A = ast_column_constraint(p, L, C.kind, C.at, C.value); }

%type columndef {ColumnDef}
%destructor columndef { ast_free_name($$.name);
                        ast_free_type_name($$.type); }
columndef(A) ::= nm(N) typetoken(T). { A.name = N; A.type = T; }

%type typetoken {TypeName}
%destructor typetoken { ast_free_type_name($$); }
typetoken(A) ::= typename(A).
typetoken(A) ::= typename(T) LP INTEGER(N) RP.
    { A = ast_type_length(p, T, N, false); }
typetoken(A) ::= typename(T) LP MINUS INTEGER(N) RP.
    { A = ast_type_length(p, T, N, true); }

/* Type names of several words: DOUBLE PRECISION, CHARACTER VARYING. */
%type typename {TypeName}
%destructor typename { ast_free_type_name($$); }
typename(A) ::= ID(X).              { A = ast_type_name(p, (TypeName){0}, X); }
typename(A) ::= typename(T) ID(X).  { A = ast_type_name(p, T, X); }

%include {
/* A column constraint on its way to ast_column_constraint. */
typedef struct ColumnConstraint {
    int kind;
    Token at;
    Expr *value;
} ColumnConstraint;
}
%type ccons {ColumnConstraint}
%destructor ccons { ast_free_expr($$.value); }
ccons(A) ::= NOT(K) NULL.
    { A = (ColumnConstraint){TK_NOT, K, NULL}; }
ccons(A) ::= NULL(K).
    { A = (ColumnConstraint){TK_NULL, K, NULL}; }
ccons(A) ::= PRIMARY(K) KEY.
    { A = (ColumnConstraint){TK_PRIMARY, K, NULL}; }
ccons(A) ::= UNIQUE(K).
    { A = (ColumnConstraint){TK_UNIQUE, K, NULL}; }
ccons(A) ::= DEFAULT(K) term(X).
    { A = (ColumnConstraint){TK_DEFAULT, K, X}; }
ccons(A) ::= DEFAULT(K) MINUS(M) term(X).
    { A = (ColumnConstraint){TK_DEFAULT, K, ast_unary(p, TK_MINUS, M, X)}; }
ccons(A) ::= DEFAULT(K) PLUS term(X).
    { A = (ColumnConstraint){TK_DEFAULT, K, X}; }

%type conslist_opt {ConstraintList *}
%destructor conslist_opt { ast_free_constraints($$); }
conslist_opt(A) ::= .                      { A = NULL; }
conslist_opt(A) ::= COMMA conslist(L).   { A = L; }

%type conslist {ConstraintList *}
%destructor conslist { ast_free_constraints($$); }
conslist(A) ::= tcons(C).               { A = ast_table_constraint(p, NULL, C); }
conslist(A) ::= conslist(L) COMMA tcons(C).
    { A = ast_table_constraint(p, L, C); }

%type tcons {TableConstraint}
%destructor tcons { ast_free_name_list($$.columns); }
tcons(A) ::= PRIMARY(K) KEY LP idlist(L) RP.
    { A = (TableConstraint){true, K.pos, L}; }
tcons(A) ::= UNIQUE(K) LP idlist(L) RP.
    { A = (TableConstraint){false, K.pos, L}; }

%type idlist {NameList *}
%destructor idlist { ast_free_name_list($$); }
idlist(A) ::= idlist(L) COMMA nm(N).  { A = ast_name_list(p, L, N); }
idlist(A) ::= nm(N).                  { A = ast_name_list(p, NULL, N); }

/////////////////////////// DROP TABLE /////////////////////////////////

/* book: begin drop-table */
cmd(A) ::= DROP(K) TABLE ifexists(E) nm(N).
    { A = ast_drop_table(p, K, E, N); }

%type ifexists {bool}
ifexists(A) ::= .          { A = false; }
ifexists(A) ::= IF EXISTS. { A = true; }
/* book: end drop-table */

/////////////////////////// INSERT /////////////////////////////////////

cmd(A) ::= INSERT(K) INTO nm(T) idlist_opt(C) VALUES rows(R).
    { A = ast_insert(p, K, T, C, R); }

%type idlist_opt {NameList *}
%destructor idlist_opt { ast_free_name_list($$); }
idlist_opt(A) ::= .                 { A = NULL; }
idlist_opt(A) ::= LP idlist(L) RP.   { A = L; }

%type rows {RowList *}
%destructor rows { ast_free_row_list($$); }
rows(A) ::= LP exprlist(E) RP.              { A = ast_row_list(p, NULL, E); }
rows(A) ::= rows(L) COMMA LP exprlist(E) RP. { A = ast_row_list(p, L, E); }

/////////////////////////// SELECT /////////////////////////////////////

cmd(A) ::= SELECT(K) selcollist(C) FROM nm(T) where_opt(W).
    { A = ast_select(p, K, C, T, W); }

/* The result columns; a NULL item is "*". */
%type selcollist {ExprList *}
%destructor selcollist { ast_free_expr_list($$); }
selcollist(A) ::= STAR.                      { A = ast_expr_list(p, NULL, NULL); }
selcollist(A) ::= exprlist(A).

%type where_opt {Expr *}
%destructor where_opt { ast_free_expr($$); }
where_opt(A) ::= .                { A = NULL; }
where_opt(A) ::= WHERE expr(X).   { A = X; }

/////////////////////////// UPDATE /////////////////////////////////////

cmd(A) ::= UPDATE(K) nm(T) SET setlist(S) where_opt(W).
    { A = ast_update(p, K, T, S, W); }

%type setlist {AssignmentList *}
%destructor setlist { ast_free_assignments($$); }
setlist(A) ::= setlist(L) COMMA nm(N) EQ expr(X).
    { A = ast_assignment(p, L, N, X); }
setlist(A) ::= nm(N) EQ expr(X).
    { A = ast_assignment(p, NULL, N, X); }

/////////////////////////// DELETE /////////////////////////////////////

cmd(A) ::= DELETE(K) FROM nm(T) where_opt(W).
    { A = ast_delete(p, K, T, W); }

/////////////////////////// Expressions ////////////////////////////////

%type exprlist {ExprList *}
%destructor exprlist { ast_free_expr_list($$); }
exprlist(A) ::= exprlist(L) COMMA expr(X).  { A = ast_expr_list(p, L, X); }
exprlist(A) ::= expr(X).                    { A = ast_expr_list(p, NULL, X); }

/* book: begin expr */
%type expr {Expr *}
%destructor expr { ast_free_expr($$); }
expr(A) ::= term(A).
expr(A) ::= LP expr(X) RP.              { A = X; }
expr(A) ::= nm(N).                      { A = ast_column(p, N); }
expr(A) ::= expr(X) EQ expr(Y).         { A = ast_binary(p, TK_EQ, X, Y); }
expr(A) ::= MINUS(K) expr(X). [UMINUS]  { A = ast_unary(p, TK_MINUS, K, X); }
expr(A) ::= PLUS(K) expr(X). [UMINUS]   { A = ast_unary(p, TK_PLUS, K, X); }
/* book: end expr */

%type term {Expr *}
%destructor term { ast_free_expr($$); }
term(A) ::= NULL(X).      { A = ast_literal(p, TK_NULL, X); }
term(A) ::= TRUE(X).      { A = ast_literal(p, TK_TRUE, X); }
term(A) ::= FALSE(X).     { A = ast_literal(p, TK_FALSE, X); }
term(A) ::= INTEGER(X).   { A = ast_literal(p, TK_INTEGER, X); }
term(A) ::= FLOAT(X).     { A = ast_literal(p, TK_FLOAT, X); }
term(A) ::= STRING(X).    { A = ast_literal(p, TK_STRING, X); }
