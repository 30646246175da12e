SELECT i % 2 AS parity, count(*) AS n FROM bronze.nums GROUP BY i % 2 ORDER BY parity NULLS FIRST
