\d kv
\d notes
\dtS
\btree kv
\btree nothing
\pages
\page 0
\page 3
\page 99999
\page -1
\freelist
\pool
\stats
\wal
\checkpoint
\wal
\check
\timing on
SELECT * FROM kv WHERE k = 1;
\timing
\timing maybe
\memory
\?
\nosuch
INSERT INTO kv VALUES ('éééééééééééé', 'éééééééééééé', 'éééééééééééé', 'éééééééééééé', 'éééééééééééé', 'éééééééééééé') FORM;
SELECT * FROM kv
WHERE k = 'x' + 1;
DELETE FROM notes; DROP TABLE kv; \dt
\echo done
