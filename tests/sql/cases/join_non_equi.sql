SELECT a.i, b.i AS j FROM bronze.nums a JOIN bronze.nums b ON a.i < b.i ORDER BY 1, 2
