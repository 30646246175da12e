SELECT meter FROM bronze.readings UNION SELECT meter FROM bronze.meters
