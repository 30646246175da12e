SELECT i, i NOT IN (1, 2) AS a, i IN (1, NULL) AS b FROM bronze.nums
