SELECT meter, count(*) AS n FROM bronze.empty GROUP BY meter
