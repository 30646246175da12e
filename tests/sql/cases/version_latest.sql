SELECT count(*) AS n FROM bronze.readings
