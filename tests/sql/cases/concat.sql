SELECT s || '-' || CAST(i AS string) AS c FROM bronze.nums
