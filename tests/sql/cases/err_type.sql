SELECT meter + 1 FROM bronze.readings
