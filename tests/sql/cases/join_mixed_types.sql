SELECT a.i, b.f FROM bronze.nums a JOIN bronze.nums b ON a.i = b.f
