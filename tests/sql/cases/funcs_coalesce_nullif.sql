SELECT i, coalesce(f, i, 0) AS c, nullif(i, 2) AS n, coalesce(s, 'none') AS s FROM bronze.nums
