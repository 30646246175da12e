SELECT meter, row_number() OVER (ORDER BY meter) AS rn FROM bronze.empty
