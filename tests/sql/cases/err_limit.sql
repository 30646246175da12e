SELECT meter FROM bronze.readings LIMIT -1
