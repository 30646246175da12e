SELECT CAST(s AS int64) FROM bronze.nums
