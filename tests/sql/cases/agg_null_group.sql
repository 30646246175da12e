SELECT s, count(*) AS n FROM bronze.nums GROUP BY s ORDER BY s
