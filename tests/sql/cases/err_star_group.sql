SELECT * FROM bronze.readings GROUP BY meter
