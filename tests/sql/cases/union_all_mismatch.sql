SELECT i, f FROM bronze.nums UNION ALL SELECT i FROM bronze.nums
