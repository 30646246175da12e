SELECT i, f, f > 0 AS pos, NOT (f > 0) AS notpos, f > 0 OR i > 2 AS either, f > 0 AND i > 2 AS both FROM bronze.nums
