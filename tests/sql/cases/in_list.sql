SELECT i FROM bronze.nums WHERE i IN (1, 3, 5)
