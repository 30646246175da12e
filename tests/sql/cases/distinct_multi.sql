SELECT DISTINCT meter, region FROM bronze.meters ORDER BY 1, 2
