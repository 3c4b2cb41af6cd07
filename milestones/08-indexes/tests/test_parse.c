/*
 * test_parse.c - the tokenizer and the grammar on their own: the tree of
 * each statement, names folded or kept, literals, positions of errors,
 * and where a statement ends.
 */
#include <string.h>

#include "parse.h"
#include "tokenize.h"
#include "unittest.h"

static Parse parse(const char *sql)
{
    Parse p;
    tokenize_parse(&p, sql, (uint32_t)strlen(sql));
    return p;
}

static void test_create_table_columns_and_constraints(void)
{
    Parse p = parse("CREATE TABLE IF NOT EXISTS Users (id INT PRIMARY KEY, "
                    "\"Full Name\" CHARACTER VARYING(20) NOT NULL DEFAULT "
                    "'a''b', score DOUBLE PRECISION DEFAULT -1.5);");
    CHECK_EQ(p.rc, DB_OK);
    Stmt *s = p.stmt;
    CHECK_EQ(s->kind, STMT_CREATE_TABLE);
    CHECK(s->if_exists);
    CHECK_STR(s->table.text, "users");
    CHECK_EQ(s->columns->n, 3);
    CHECK(s->columns->items[0].primary_key);
    CHECK_STR(s->columns->items[1].name.text, "Full Name");
    CHECK_STR(s->columns->items[1].type.name.text, "character varying");
    CHECK_EQ(s->columns->items[1].type.length, 20);
    CHECK(s->columns->items[1].not_null);
    Expr *d = s->columns->items[1].default_value;
    CHECK(d->value.text.n == 3 && memcmp(d->value.text.s, "a'b", 3) == 0);
    CHECK_STR(s->columns->items[2].type.name.text, "double precision");
    CHECK(s->columns->items[2].default_value->value.r == -1.5);
    /* The statement's own text, without the ';'. */
    CHECK_EQ(s->text_len, strlen(p.sql) - 1);
    ast_free_stmt(s);
}

static void test_a_sign_belongs_to_its_number(void)
{
    Parse p = parse("INSERT INTO t VALUES (-9223372036854775808, - 5, +2)");
    CHECK_EQ(p.rc, DB_OK);
    ExprList *row = p.stmt->rows->items[0];
    CHECK(row->items[0].expr->kind == EXPR_LITERAL &&
          !row->items[0].expr->too_big);
    CHECK(row->items[0].expr->value.i == INT64_MIN);
    CHECK_EQ(row->items[1].expr->value.i, -5);
    CHECK_EQ(row->items[2].expr->value.i, 2);
    ast_free_stmt(p.stmt);
    p = parse("INSERT INTO t VALUES (9223372036854775808)");
    CHECK_EQ(p.rc, DB_OK);
    CHECK(p.stmt->rows->items[0]->items[0].expr->too_big);
    ast_free_stmt(p.stmt);
}

static void test_equals_groups_to_the_left(void)
{
    /* %left EQ: a = b = c is (a = b) = c. */
    Parse p = parse("SELECT * FROM t WHERE a = b = c");
    CHECK_EQ(p.rc, DB_OK);
    Expr *w = p.stmt->select->where;
    CHECK(w->kind == EXPR_BINARY && w->left->kind == EXPR_BINARY);
    CHECK_STR(w->right->name.text, "c");
    ast_free_stmt(p.stmt);
}

static void test_errors_say_where(void)
{
    Parse p = parse("SELECT * FORM t");
    CHECK_EQ(p.rc, DB_ESYNTAX);
    CHECK_STR(db_errmsg(), "syntax error at or near \"FORM\"");
    CHECK_EQ(db_errpos(), 9);
    p = parse("SELECT * FROM");
    CHECK_STR(db_errmsg(), "syntax error at end of input");
    CHECK_EQ(db_errpos(), 13);
    p = parse("INSERT INTO t VALUES ('abc");
    CHECK_STR(db_errmsg(), "unterminated quoted string");
    CHECK_EQ(db_errpos(), 22);
    p = parse("SELECT * FROM t WHERE id = 12abc");
    CHECK_EQ(p.rc, DB_ESYNTAX);
    CHECK(p.stmt == NULL);
}

static void test_statements_end_at_a_semicolon_outside_quotes(void)
{
    const char *sql = "INSERT INTO t VALUES ('a;b'); -- ;\nSELECT";
    bool complete;
    uint32_t n = tokenize_statement(sql, (uint32_t)strlen(sql), &complete);
    CHECK(complete);
    CHECK_EQ(n, strlen("INSERT INTO t VALUES ('a;b');"));
    n = tokenize_statement(sql + n, (uint32_t)strlen(sql + n), &complete);
    CHECK(!complete);
    CHECK(tokenize_is_blank(" ;\n-- nothing\n/* at all */;", 27));
    CHECK(!tokenize_is_blank(" ; x", 4));
}

static void test_keywords_are_names_where_they_may_be(void)
{
    /* KEY is a keyword only after PRIMARY. */
    Parse p = parse("CREATE TABLE k (key INT PRIMARY KEY)");
    CHECK_EQ(p.rc, DB_OK);
    CHECK_STR(p.stmt->columns->items[0].name.text, "key");
    ast_free_stmt(p.stmt);
    int type;
    CHECK_EQ(tokenize_next("SeLeCt", 6, &type), 6);
    CHECK_EQ(type, TK_SELECT);
}

int main(void)
{
    RUN(test_create_table_columns_and_constraints);
    RUN(test_a_sign_belongs_to_its_number);
    RUN(test_equals_groups_to_the_left);
    RUN(test_errors_say_where);
    RUN(test_statements_end_at_a_semicolon_outside_quotes);
    RUN(test_keywords_are_names_where_they_may_be);
    return unittest_report();
}
