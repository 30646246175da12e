SELECT a.s, b.i FROM bronze.nums a LEFT JOIN bronze.nums b ON a.s = b.s ORDER BY a.i NULLS LAST
