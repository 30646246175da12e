SELECT count(DISTINCT meter) AS meters, count(DISTINCT region) AS regions FROM bronze.meters
