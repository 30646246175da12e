SELECT * FROM bronze.readings
