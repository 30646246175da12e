SELECT meter, ts FROM bronze.readings LIMIT 2 OFFSET 3
