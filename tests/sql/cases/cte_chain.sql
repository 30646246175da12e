WITH a AS (SELECT i FROM bronze.nums WHERE i IS NOT NULL), b AS (SELECT i * 10 AS j FROM a) SELECT sum(j) AS s FROM b
