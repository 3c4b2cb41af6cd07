/*
 * repl.h - the read-eval-print loop: prompt, read a line, run it, repeat.
 */
#ifndef REPL_H
#define REPL_H

#include "lineread.h"
#include "table.h"

/* Runs the loop on the lines of READER (standard input) and stdout until
 * ".exit" or the end of input; an .import commits a batch whenever it has
 * changed BATCH_PAGES pages. Errors in a line are printed and the loop
 * goes on. */
void repl_run(Table *table, uint32_t batch_pages, LineReader *reader);

#endif
