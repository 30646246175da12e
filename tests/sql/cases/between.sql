SELECT i, f BETWEEN 0 AND 2 AS inr, i NOT BETWEEN 2 AND 3 AS outr FROM bronze.nums
