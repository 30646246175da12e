SELECT 'abc FROM bronze.readings
