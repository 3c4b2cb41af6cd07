/*
 * parse.y - the SQL grammar, from which Lemon generates the parser
 * (build/.../parse.c and parse.h; never committed).
 *
 * Owns: the syntax of every statement.
 * Does not: look anything up or check meaning (bind.c does): a rule only
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
/* Deep enough for any statement a person writes; a deeper one is an
 * error, never a crash. */
%stack_size 1000

/* Words that are keywords only where the grammar expects them; elsewhere
 * they are names (a column called "key", a table called "view"). */
%fallback ID KEY VIEW TEMP TEMPORARY TO SHOW EXPLAIN OFFSET ESCAPE INDEX
          ANALYZE.

/* Codes for the tree that no token carries. */
%token ISNOT.

/* book: begin precedence */
/* Operator precedence, lowest first. "a = b = c" is ambiguous to an
 * LALR(1) parser: after "a = b" with "=" next, it could reduce a = b or
 * shift the second "=". %left EQ settles it: reduce, so the parse is
 * (a = b) = c. The same rule decides that a + b * c is a + (b * c): after
 * "a + b" with "*" next, "*" binds tighter, so shift. */
%left OR.
%left AND.
%right NOT.
%left IS LIKE BETWEEN IN ISNULL NOTNULL NE EQ.
%left GT LE LT GE.
%right ESCAPE.
%left PLUS MINUS.
%left STAR SLASH REM.
%left CONCAT.
%right UMINUS.
/* book: end precedence */

/* A statement, with or without its ';' (tokenize.c feeds one at a time). */
input ::= ecmd(C) SEMI.   { p->stmt = C; }
input ::= ecmd(C).        { p->stmt = C; }

%type ecmd {Stmt *}
%destructor ecmd { ast_free_stmt($$); }
ecmd(A) ::= cmd(A).
ecmd(A) ::= EXPLAIN(K) cmd(C).   { A = ast_explain(p, K, C, false); }
ecmd(A) ::= EXPLAIN(K) ANALYZE cmd(C).   { A = ast_explain(p, K, C, true); }

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
conslist_opt(A) ::= COMMA conslist(L).     { A = L; }

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
    { A = ast_drop(p, STMT_DROP_TABLE, K, E, N); }

%type ifexists {bool}
ifexists(A) ::= .          { A = false; }
ifexists(A) ::= IF EXISTS. { A = true; }
/* book: end drop-table */

/////////////////////////// CREATE VIEW, DROP VIEW /////////////////////

cmd(A) ::= CREATE(K) temp(T) VIEW ifnotexists(E) nm(N) idlist_opt(C)
           AS(S) select(Q).
    { A = ast_create_view(p, K, T, E, N, C, S, Q); }
cmd(A) ::= DROP(K) VIEW ifexists(E) nm(N).
    { A = ast_drop(p, STMT_DROP_VIEW, K, E, N); }

%type temp {bool}
temp(A) ::= .          { A = false; }
temp(A) ::= TEMP.      { A = true; }
temp(A) ::= TEMPORARY. { A = true; }

/////////////////////////// ANALYZE ////////////////////////////////////

cmd(A) ::= ANALYZE(K).                  { A = ast_analyze(p, K, (Name){0}); }
cmd(A) ::= ANALYZE(K) nm(T).            { A = ast_analyze(p, K, T); }

/////////////////////////// CREATE INDEX, DROP INDEX ///////////////////

cmd(A) ::= CREATE(K) uniqueflag(U) INDEX ifnotexists(E) nm(N) ON nm(T)
           LP indexlist(L) RP.
    { A = ast_create_index(p, K, U, E, N, T, L); }
cmd(A) ::= DROP(K) INDEX ifexists(E) nm(N).
    { A = ast_drop(p, STMT_DROP_INDEX, K, E, N); }

%type uniqueflag {bool}
uniqueflag(A) ::= .        { A = false; }
uniqueflag(A) ::= UNIQUE.  { A = true; }

/* The indexed columns, each ASC (the default) or DESC. */
%type indexlist {IndexColumnList *}
%destructor indexlist { ast_free_index_columns($$); }
indexlist(A) ::= indexlist(L) COMMA nm(N) sortorder(D).
    { A = ast_index_column(p, L, N, D); }
indexlist(A) ::= nm(N) sortorder(D).
    { A = ast_index_column(p, NULL, N, D); }

/////////////////////////// INSERT /////////////////////////////////////

cmd(A) ::= INSERT(K) INTO nm(T) idlist_opt(C) VALUES rows(R).
    { A = ast_insert(p, K, T, C, R, NULL); }
cmd(A) ::= INSERT(K) INTO nm(T) idlist_opt(C) select(S).
    { A = ast_insert(p, K, T, C, NULL, S); }

%type idlist_opt {NameList *}
%destructor idlist_opt { ast_free_name_list($$); }
idlist_opt(A) ::= .                 { A = NULL; }
idlist_opt(A) ::= LP idlist(L) RP.  { A = L; }

%type rows {RowList *}
%destructor rows { ast_free_row_list($$); }
rows(A) ::= LP exprlist(E) RP.              { A = ast_row_list(p, NULL, E); }
rows(A) ::= rows(L) COMMA LP exprlist(E) RP. { A = ast_row_list(p, L, E); }

/////////////////////////// SELECT /////////////////////////////////////

cmd(A) ::= select(S).   { A = ast_select_stmt(p, S); }

/* ORDER BY and LIMIT belong to the whole of a compound select. */
%type select {Select *}
%destructor select { ast_free_select($$); }
select(A) ::= selectnowith(S) orderby_opt(O) limit_opt(L).
    { A = ast_select_order(p, S, O, L.limit, L.offset); }

%type selectnowith {Select *}
%destructor selectnowith { ast_free_select($$); }
selectnowith(A) ::= oneselect(A).
selectnowith(A) ::= selectnowith(X) multiselect_op(Y) oneselect(Z).
    { A = ast_compound(p, X, Y, Z); }

%type multiselect_op {int}
multiselect_op(A) ::= UNION.            { A = TK_UNION; }
multiselect_op(A) ::= UNION ALL.        { A = TK_ALL; }
multiselect_op(A) ::= EXCEPT.           { A = TK_EXCEPT; }
multiselect_op(A) ::= INTERSECT.        { A = TK_INTERSECT; }

%type oneselect {Select *}
%destructor oneselect { ast_free_select($$); }
oneselect(A) ::= SELECT(K) distinct(D) selcollist(C) from(F) where_opt(W)
                 groupby_opt(G) having_opt(H).
    { A = ast_select(p, K, D, C, F, W, G, H); }

%type distinct {bool}
distinct(A) ::= .          { A = false; }
distinct(A) ::= ALL.       { A = false; }
distinct(A) ::= DISTINCT.  { A = true; }

/* The result columns: expressions with an alias or not, *, t.*. */
%type selcollist {ExprList *}
%destructor selcollist { ast_free_expr_list($$); }
selcollist(A) ::= sclp(L) expr(X) as(N).
    { A = ast_result(p, L, X, N); }
selcollist(A) ::= sclp(L) STAR(S).
    { A = ast_result_star(p, L, (Name){0}, S); }
selcollist(A) ::= sclp(L) nm(T) DOT STAR(S).
    { A = ast_result_star(p, L, T, S); }

%type sclp {ExprList *}
%destructor sclp { ast_free_expr_list($$); }
sclp(A) ::= selcollist(A) COMMA.
sclp(A) ::= .                   { A = NULL; }

/* An alias, with AS or without. */
%type as {Name}
%destructor as { ast_free_name($$); }
as(A) ::= AS nm(N).   { A = N; }
as(A) ::= ID(X).      { A = ast_name(p, X); }
as(A) ::= .           { A = (Name){0}; }

%type from {SrcList *}
%destructor from { ast_free_src_list($$); }
from(A) ::= .                       { A = NULL; }
from(A) ::= FROM seltablist(L).     { A = L; }

/* The items of FROM, each joined to those before it. */
%type seltablist {SrcList *}
%destructor seltablist { ast_free_src_list($$); }
seltablist(A) ::= seltable(T).
    { A = ast_src_list(p, NULL, 0, T, NULL, NULL); }
seltablist(A) ::= seltablist(L) joinop(J) seltable(T) on_opt(O)
                  using_opt(U).
    { A = ast_src_list(p, L, J, T, O, U); }

%type seltable {SrcItem}
%destructor seltable { ast_free_src_item($$); }
seltable(A) ::= nm(N) as(S).
    { A = ast_src_table(p, N, S); }
seltable(A) ::= LP(K) select(Q) RP as(S).
    { A = ast_src_subquery(p, K, Q, S); }
/* FROM (a CROSS JOIN b): joins in parentheses. */
seltable(A) ::= LP(K) seltablist(L) RP as(S).
    { A = ast_src_nested(p, K, L, S); }

%type joinop {int}
joinop(A) ::= COMMA.              { A = JOIN_INNER; }
joinop(A) ::= JOIN.               { A = JOIN_INNER; }
joinop(A) ::= CROSS JOIN.         { A = JOIN_INNER; }
joinop(A) ::= INNER JOIN.         { A = JOIN_INNER; }
joinop(A) ::= LEFT JOIN.          { A = JOIN_LEFT; }
joinop(A) ::= LEFT OUTER JOIN.    { A = JOIN_LEFT; }

%type on_opt {Expr *}
%destructor on_opt { ast_free_expr($$); }
on_opt(A) ::= ON expr(X).   { A = X; }
on_opt(A) ::= .             { A = NULL; }

%type using_opt {NameList *}
%destructor using_opt { ast_free_name_list($$); }
using_opt(A) ::= USING LP idlist(L) RP.   { A = L; }
using_opt(A) ::= .                        { A = NULL; }

%type where_opt {Expr *}
%destructor where_opt { ast_free_expr($$); }
where_opt(A) ::= .                { A = NULL; }
where_opt(A) ::= WHERE expr(X).   { A = X; }

%type groupby_opt {ExprList *}
%destructor groupby_opt { ast_free_expr_list($$); }
groupby_opt(A) ::= .                       { A = NULL; }
groupby_opt(A) ::= GROUP BY exprlist(L).   { A = L; }

%type having_opt {Expr *}
%destructor having_opt { ast_free_expr($$); }
having_opt(A) ::= .                { A = NULL; }
having_opt(A) ::= HAVING expr(X).  { A = X; }

%type orderby_opt {ExprList *}
%destructor orderby_opt { ast_free_expr_list($$); }
orderby_opt(A) ::= .                        { A = NULL; }
orderby_opt(A) ::= ORDER BY sortlist(L).    { A = L; }

%type sortlist {ExprList *}
%destructor sortlist { ast_free_expr_list($$); }
sortlist(A) ::= sortlist(L) COMMA expr(X) sortorder(D).
    { A = ast_sort_item(p, L, X, D); }
sortlist(A) ::= expr(X) sortorder(D).
    { A = ast_sort_item(p, NULL, X, D); }

%type sortorder {bool}
sortorder(A) ::= ASC.    { A = false; }
sortorder(A) ::= DESC.   { A = true; }
sortorder(A) ::= .       { A = false; }

%include {
/* LIMIT and OFFSET on their way to ast_select_order. */
typedef struct Limit {
    Expr *limit, *offset;
} Limit;
}
%type limit_opt {Limit}
%destructor limit_opt { ast_free_expr($$.limit); ast_free_expr($$.offset); }
limit_opt(A) ::= .                             { A = (Limit){NULL, NULL}; }
limit_opt(A) ::= LIMIT expr(X).                { A = (Limit){X, NULL}; }
limit_opt(A) ::= LIMIT expr(X) OFFSET expr(Y). { A = (Limit){X, Y}; }
limit_opt(A) ::= LIMIT expr(Y) COMMA expr(X).  { A = (Limit){X, Y}; }

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

/////////////////////////// SET, SHOW //////////////////////////////////

cmd(A) ::= SET(K) nm(N) EQ term(X).   { A = ast_set(p, K, N, X); }
cmd(A) ::= SET(K) nm(N) TO term(X).   { A = ast_set(p, K, N, X); }
cmd(A) ::= SHOW(K) nm(N).             { A = ast_set(p, K, N, NULL); }

/////////////////////////// Expressions ////////////////////////////////

%type exprlist {ExprList *}
%destructor exprlist { ast_free_expr_list($$); }
exprlist(A) ::= exprlist(L) COMMA expr(X).  { A = ast_expr_list(p, L, X); }
exprlist(A) ::= expr(X).                    { A = ast_expr_list(p, NULL, X); }

%type expr {Expr *}
%destructor expr { ast_free_expr($$); }
expr(A) ::= term(A).
expr(A) ::= LP expr(X) RP.              { A = X; }
expr(A) ::= nm(N).                      { A = ast_column(p, (Name){0}, N); }
expr(A) ::= nm(T) DOT nm(N).            { A = ast_column(p, T, N); }
expr(A) ::= expr(X) AND expr(Y).        { A = ast_binary(p, TK_AND, X, Y); }
expr(A) ::= expr(X) OR expr(Y).         { A = ast_binary(p, TK_OR, X, Y); }
expr(A) ::= expr(X) LT|GT|GE|LE(O) expr(Y).
    { A = ast_binary(p, @O, X, Y); }
expr(A) ::= expr(X) EQ|NE(O) expr(Y).   { A = ast_binary(p, @O, X, Y); }
expr(A) ::= expr(X) PLUS|MINUS(O) expr(Y).
    { A = ast_binary(p, @O, X, Y); }
expr(A) ::= expr(X) STAR|SLASH|REM(O) expr(Y).
    { A = ast_binary(p, @O, X, Y); }
expr(A) ::= expr(X) CONCAT expr(Y).     { A = ast_binary(p, TK_CONCAT, X, Y); }
expr(A) ::= expr(X) IS expr(Y).         { A = ast_binary(p, TK_IS, X, Y); }
expr(A) ::= expr(X) IS NOT expr(Y).     { A = ast_binary(p, TK_ISNOT, X, Y); }
expr(A) ::= expr(X) ISNULL(K).          { A = ast_is_null(p, X, false, K); }
expr(A) ::= expr(X) NOTNULL(K).         { A = ast_is_null(p, X, true, K); }
expr(A) ::= expr(X) NOT(K) NULL. [NOTNULL]
    { A = ast_is_null(p, X, true, K); }
expr(A) ::= NOT(K) expr(X).             { A = ast_unary(p, TK_NOT, K, X); }
expr(A) ::= MINUS(K) expr(X). [UMINUS]  { A = ast_unary(p, TK_MINUS, K, X); }
expr(A) ::= PLUS(K) expr(X). [UMINUS]   { A = ast_unary(p, TK_PLUS, K, X); }

%type likeop {bool}
likeop(A) ::= LIKE.       { A = false; }
likeop(A) ::= NOT LIKE.   { A = true; }
expr(A) ::= expr(X) likeop(N) expr(Y). [LIKE]
    { A = ast_like(p, X, N, Y, NULL); }
expr(A) ::= expr(X) likeop(N) expr(Y) ESCAPE expr(E). [LIKE]
    { A = ast_like(p, X, N, Y, E); }

%type between_op {bool}
between_op(A) ::= BETWEEN.      { A = false; }
between_op(A) ::= NOT BETWEEN.  { A = true; }
expr(A) ::= expr(X) between_op(N) expr(Y) AND expr(Z). [BETWEEN]
    { A = ast_between(p, X, N, Y, Z); }

%type in_op {bool}
in_op(A) ::= IN.      { A = false; }
in_op(A) ::= NOT IN.  { A = true; }
expr(A) ::= expr(X) in_op(N) LP RP. [IN]
    { A = ast_in_list(p, X, N, NULL); }
expr(A) ::= expr(X) in_op(N) LP exprlist(Y) RP. [IN]
    { A = ast_in_list(p, X, N, Y); }
expr(A) ::= expr(X) in_op(N) LP select(Y) RP. [IN]
    { A = ast_in_select(p, X, N, Y); }
expr(A) ::= LP(K) select(X) RP.
    { A = ast_subquery(p, EXPR_SUBQUERY, K, X); }
expr(A) ::= EXISTS(K) LP select(X) RP.
    { A = ast_subquery(p, EXPR_EXISTS, K, X); }

expr(A) ::= CASE(K) case_operand(X) case_exprlist(Y) case_else(Z) END.
    { A = ast_case(p, K, X, Y, Z); }
%type case_exprlist {ExprList *}
%destructor case_exprlist { ast_free_expr_list($$); }
case_exprlist(A) ::= case_exprlist(L) WHEN expr(Y) THEN expr(Z).
    { A = ast_expr_list(p, ast_expr_list(p, L, Y), Z); }
case_exprlist(A) ::= WHEN expr(Y) THEN expr(Z).
    { A = ast_expr_list(p, ast_expr_list(p, NULL, Y), Z); }
%type case_else {Expr *}
%destructor case_else { ast_free_expr($$); }
case_else(A) ::= ELSE expr(X).   { A = X; }
case_else(A) ::= .               { A = NULL; }
%type case_operand {Expr *}
%destructor case_operand { ast_free_expr($$); }
case_operand(A) ::= expr(X).     { A = X; }
case_operand(A) ::= .            { A = NULL; }

expr(A) ::= CAST(K) LP expr(X) AS typetoken(T) RP.
    { A = ast_cast(p, K, X, T); }

/* A function call: abs(x), count(*), count(DISTINCT x). */
expr(A) ::= nm(N) LP distinct(D) exprlist(L) RP.
    { A = ast_function(p, N, D, L, false); }
expr(A) ::= nm(N) LP RP.
    { A = ast_function(p, N, false, NULL, false); }
expr(A) ::= nm(N) LP STAR RP.
    { A = ast_function(p, N, false, NULL, true); }

%type term {Expr *}
%destructor term { ast_free_expr($$); }
term(A) ::= NULL(X).      { A = ast_literal(p, TK_NULL, X); }
term(A) ::= TRUE(X).      { A = ast_literal(p, TK_TRUE, X); }
term(A) ::= FALSE(X).     { A = ast_literal(p, TK_FALSE, X); }
term(A) ::= INTEGER(X).   { A = ast_literal(p, TK_INTEGER, X); }
term(A) ::= FLOAT(X).     { A = ast_literal(p, TK_FLOAT, X); }
term(A) ::= STRING(X).    { A = ast_literal(p, TK_STRING, X); }
