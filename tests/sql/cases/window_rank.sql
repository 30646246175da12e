SELECT meter, region, rank() OVER (ORDER BY meter) AS r, dense_rank() OVER (ORDER BY meter) AS dr FROM bronze.meters ORDER BY meter, region
