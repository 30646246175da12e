SELECT sum(max(load_kwh)) FROM bronze.readings
