SELECT i, f FROM bronze.nums ORDER BY f
