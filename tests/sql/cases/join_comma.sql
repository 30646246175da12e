SELECT count(*) AS n FROM bronze.meters, bronze.nums
