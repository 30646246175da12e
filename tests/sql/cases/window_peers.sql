SELECT i % 2 AS p, sum(i) OVER (ORDER BY i % 2) AS s FROM bronze.nums WHERE i IS NOT NULL ORDER BY i
